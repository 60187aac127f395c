package identity

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// Policy is a password policy. Policies are data: a provider picks one of
// the presets (PolicyBusinessPortal, PolicySelfCare) by name.
type Policy struct {
	Name      string
	MinLength int
	MaxLength int
	// Required character classes.
	Upper, Lower, Letter, Digit, Symbol bool
	// MaxRepeatedDigit is the longest run of one digit allowed ("111" breaks 2); 0 means no limit.
	MaxRepeatedDigit int
	// NoNumericSequence refuses ascending or descending runs of SequenceLength digits (1234, 4321).
	NoNumericSequence bool
	// NoAccountNumbers refuses passwords that contain, or match part of, the account's telephone numbers.
	NoAccountNumbers bool
	// MaxAge forces a change at next login once the password is older; 0 never expires.
	MaxAge time.Duration
	// NotPrevious refuses the password the account had before.
	NotPrevious bool
}

// Preset names.
const (
	PolicyNameBusinessPortal = "business_portal"
	PolicyNameSelfCare       = "self_care"
)

// SequenceLength is how many consecutive digits make a "numeric sequence".
// The portal's examples are 12345 and 54321; we refuse runs of four or more,
// which catches those and the even more common 1234.
const SequenceLength = 4

// NumberFragment is the shortest run of a password's digits that counts as
// "matching part of" a telephone number of the account.
const NumberFragment = 4

var (
	// PolicyBusinessPortal is the Business Portal's rule: at least 8
	// characters with an uppercase letter, a lowercase letter, a digit and a
	// symbol; expires every 90 days; may not equal the previous password.
	PolicyBusinessPortal = Policy{Name: PolicyNameBusinessPortal, MinLength: 8, MaxLength: 128,
		Upper: true, Lower: true, Digit: true, Symbol: true, MaxAge: 90 * 24 * time.Hour, NotPrevious: true}
	// PolicySelfCare is the CommPortal FAQ's rule: 8 to 20 characters, at
	// least one digit, one letter and one special character, no digit
	// repeated more than 2 times in a row, no numeric sequence, and nothing
	// of the account's telephone numbers.
	PolicySelfCare = Policy{Name: PolicyNameSelfCare, MinLength: 8, MaxLength: 20, Letter: true, Digit: true, Symbol: true,
		MaxRepeatedDigit: 2, NoNumericSequence: true, NoAccountNumbers: true, NotPrevious: true}
)

// PolicyByName returns a preset.
func PolicyByName(name string) (Policy, bool) {
	switch name {
	case PolicyNameBusinessPortal, "":
		return PolicyBusinessPortal, true
	case PolicyNameSelfCare:
		return PolicySelfCare, true
	}
	return Policy{}, false
}

// Rules describes the policy for the UI, one sentence a rule.
func (p Policy) Rules() []string {
	var r []string
	switch {
	case p.MaxLength > 0 && p.MaxLength < 128:
		r = append(r, "Be between "+itoa(p.MinLength)+" and "+itoa(p.MaxLength)+" characters long.")
	default:
		r = append(r, "Be at least "+itoa(p.MinLength)+" characters long.")
	}
	if p.Upper {
		r = append(r, "Have at least 1 uppercase letter.")
	}
	if p.Lower {
		r = append(r, "Have at least 1 lowercase letter.")
	}
	if p.Letter {
		r = append(r, "Have at least 1 letter.")
	}
	if p.Digit {
		r = append(r, "Have at least 1 digit.")
	}
	if p.Symbol {
		r = append(r, "Have at least 1 special character, such as ! # or %.")
	}
	if p.MaxRepeatedDigit > 0 {
		r = append(r, "Not have a single digit repeated more than "+itoa(p.MaxRepeatedDigit)+" times in a row.")
	}
	if p.NoNumericSequence {
		r = append(r, "Not contain a numeric sequence, e.g. 1234 or 4321.")
	}
	if p.NoAccountNumbers {
		r = append(r, "Not contain, or match part of, a telephone number associated with this account.")
	}
	if p.NotPrevious {
		r = append(r, "Not be the same as your previous password.")
	}
	return r
}

func itoa(n int) string { return big.NewInt(int64(n)).String() }

// Check returns a ValidationError on field naming every rule pw breaks.
// numbers are the account's telephone numbers and extensions in any form;
// region is the default region for national numbers ("GB").
func (p Policy) Check(field, pw string, numbers []string, region string) error {
	v := &derrors.ValidationError{}
	n := utf8.RuneCountInString(pw)
	if n < p.MinLength || (p.MaxLength > 0 && n > p.MaxLength) {
		if p.MaxLength > 0 && p.MaxLength < 128 {
			v.Add(field, "the password must be between %d and %d characters long", p.MinLength, p.MaxLength)
		} else if n < p.MinLength {
			v.Add(field, "the password must be at least %d characters long", p.MinLength)
		} else {
			v.Add(field, "the password must be at most %d characters long", p.MaxLength)
		}
	}
	var upper, lower, letter, digit, symbol bool
	for _, r := range pw {
		switch {
		case unicode.IsUpper(r):
			upper, letter = true, true
		case unicode.IsLower(r):
			lower, letter = true, true
		case unicode.IsLetter(r):
			letter = true
		case unicode.IsDigit(r):
			digit = true
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			symbol = true
		}
	}
	if p.Upper && !upper {
		v.Add(field, "the password must contain an uppercase letter")
	}
	if p.Lower && !lower {
		v.Add(field, "the password must contain a lowercase letter")
	}
	if p.Letter && !letter {
		v.Add(field, "the password must contain a letter")
	}
	if p.Digit && !digit {
		v.Add(field, "the password must contain a digit")
	}
	if p.Symbol && !symbol {
		v.Add(field, "the password must contain a special character such as ! # or %%")
	}
	if p.MaxRepeatedDigit > 0 {
		if d, ok := repeatedDigit(pw, p.MaxRepeatedDigit); ok {
			v.Add(field, "the password must not repeat the digit %c more than %d times in a row", d, p.MaxRepeatedDigit)
		}
	}
	if p.NoNumericSequence {
		if seq := numericSequence(pw, SequenceLength); seq != "" {
			v.Add(field, "the password must not contain the numeric sequence %s", seq)
		}
	}
	if p.NoAccountNumbers && matchesNumber(pw, numbers, region) {
		v.Add(field, "the password must not contain, or match part of, a telephone number of this account")
	}
	return v.Err()
}

// repeatedDigit finds a digit repeated more than max times in a row.
func repeatedDigit(s string, max int) (rune, bool) {
	var last rune
	run := 0
	for _, r := range s {
		if r >= '0' && r <= '9' && r == last {
			run++
		} else {
			run = 1
		}
		last = r
		if r >= '0' && r <= '9' && run > max {
			return r, true
		}
	}
	return 0, false
}

// numericSequence returns the first run of at least n digits, each one more
// (or each one less) than the one before, or "".
func numericSequence(s string, n int) string {
	for _, run := range digitRuns(s) {
		for start := 0; start+n <= len(run); start++ {
			for _, step := range []int{1, -1} {
				end := start + 1
				for end < len(run) && int(run[end])-int(run[end-1]) == step {
					end++
				}
				if end-start >= n {
					return run[start:end]
				}
			}
		}
	}
	return ""
}

// digitRuns splits s into its maximal runs of ASCII digits.
func digitRuns(s string) []string {
	var runs []string
	start := -1
	for i := 0; i <= len(s); i++ {
		isDigit := i < len(s) && s[i] >= '0' && s[i] <= '9'
		switch {
		case isDigit && start < 0:
			start = i
		case !isDigit && start >= 0:
			runs = append(runs, s[start:i])
			start = -1
		}
	}
	return runs
}

// NumberForms returns the digit strings a telephone number is compared as:
// the digits as given, and — when it parses — its E.164 digits and its
// national significant number with the national prefix (0113… and 44113…
// for +44 113 …).
func NumberForms(number, region string) []string {
	seen := map[string]bool{}
	var out []string
	add := func(d string) {
		if d != "" && !seen[d] {
			seen[d] = true
			out = append(out, d)
		}
	}
	add(onlyDigits(number))
	if num, err := phonenumbers.Parse(number, region); err == nil {
		add(onlyDigits(phonenumbers.Format(num, phonenumbers.E164)))
		add(onlyDigits(phonenumbers.Format(num, phonenumbers.NATIONAL)))
		add(phonenumbers.GetNationalSignificantNumber(num))
	}
	return out
}

// matchesNumber is the self-care rule "must not contain, or match part of,
// a telephone number associated with this account". With the password's
// digit runs and each number's forms (NumberForms):
//   - contain: a form of the number (an extension too) appears inside a run;
//   - match part of: a run of NumberFragment or more digits appears inside a form.
func matchesNumber(pw string, numbers []string, region string) bool {
	runs := digitRuns(pw)
	for _, n := range numbers {
		for _, form := range NumberForms(n, region) {
			for _, run := range runs {
				if strings.Contains(run, form) || (len(run) >= NumberFragment && strings.Contains(form, run)) {
					return true
				}
			}
		}
	}
	return false
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// presets are the policies a provider can choose; see GeneratePassword.
var presets = []Policy{PolicyBusinessPortal, PolicySelfCare}

// generateAttempts bounds GeneratePassword's check-and-retry loop. By
// construction the first candidate already passes; the bound only turns a
// policy nothing can satisfy (a custom one whose MinLength exceeds its
// MaxLength, say) into an error instead of a loop that never ends.
const generateAttempts = 100

// GeneratePassword returns a random password that satisfies p and every
// preset whose length range admits it (with a preset p, all of them): so a
// generated password stays valid whichever preset the provider switches to.
//
// It is valid by construction. It holds an uppercase letter, a lowercase
// letter, a digit and a symbol, which covers every character-class rule; and
// no two of its digits are adjacent, so each run of digits is one digit long:
// it cannot repeat a digit (MaxRepeatedDigit), hold a numeric sequence
// (NoNumericSequence needs SequenceLength digits in a row) or contain or
// match part of a telephone number (NumberFragment digits in a row), even
// though the generator does not know the account's numbers. Letting digits
// fall next to each other is what made the old generator hand out, about
// once in 2,000, passwords like "D#8765s=?7fB+u" that the self-care policy
// refuses. Ambiguous characters (0/O, 1/l/I) are left out. 14 characters of
// this alphabet, so arranged, still carry well over 70 bits.
//
// The candidate is then checked against those policies anyway, and a refused
// one is drawn again, at most generateAttempts times; the error reports a
// policy no generated password can satisfy.
func GeneratePassword(p Policy) (string, error) {
	const (
		uppers  = "ABCDEFGHJKLMNPQRSTUVWXYZ"
		lowers  = "abcdefghijkmnpqrstuvwxyz"
		digits  = "23456789"
		symbols = "!#%+=?@"
		all     = uppers + lowers + digits + symbols
	)
	length := 14
	if p.MaxLength > 0 && length > p.MaxLength {
		length = p.MaxLength
	}
	if length < p.MinLength {
		length = p.MinLength
	}
	if length < 4 {
		return "", fmt.Errorf("identity: cannot generate a password for the %s policy: it allows %d characters, fewer than the 4 classes a password needs", p.Name, length)
	}
	rules := []Policy{p}
	for _, pre := range presets {
		if length >= pre.MinLength && (pre.MaxLength == 0 || length <= pre.MaxLength) {
			rules = append(rules, pre)
		}
	}
	for attempt := 0; attempt < generateAttempts; attempt++ {
		// Non-digits first: the required classes, then random characters;
		// digits drawn for the fill are set apart to be spread out below.
		others := []byte{pick(uppers), pick(lowers), pick(symbols)}
		nDigits := 1
		// At most one more digit than there are other characters, so that
		// every digit can have a gap of its own.
		for len(others)+nDigits < length {
			c := pick(all)
			if strings.IndexByte(digits, c) >= 0 && nDigits < (length+1)/2 {
				nDigits++
				continue
			}
			for strings.IndexByte(digits, c) >= 0 {
				c = pick(all)
			}
			others = append(others, c)
		}
		shuffle(others)
		// Put each digit in a different gap of the others (before the
		// first, between two, or after the last): no two digits touch.
		gaps := make([]int, len(others)+1)
		for i := range gaps {
			gaps[i] = i
		}
		shuffle(gaps)
		hasDigit := make([]bool, len(gaps))
		for _, g := range gaps[:nDigits] {
			hasDigit[g] = true
		}
		b := make([]byte, 0, length)
		for i := range gaps {
			if hasDigit[i] {
				b = append(b, pick(digits))
			}
			if i < len(others) {
				b = append(b, others[i])
			}
		}
		pw := string(b)
		if passesAll(rules, pw) {
			return pw, nil
		}
	}
	return "", fmt.Errorf("identity: no generated password satisfied the %s policy in %d attempts", p.Name, generateAttempts)
}

func passesAll(ps []Policy, pw string) bool {
	for _, p := range ps {
		if p.Check("password", pw, nil, "") != nil {
			return false
		}
	}
	return true
}

// shuffle puts s in a uniformly random order (Fisher–Yates).
func shuffle[T any](s []T) {
	for i := len(s) - 1; i > 0; i-- {
		j := int(randInt(int64(i + 1)))
		s[i], s[j] = s[j], s[i]
	}
}

func pick(set string) byte { return set[randInt(int64(len(set)))] }

func randInt(n int64) int64 {
	v, err := rand.Int(rand.Reader, big.NewInt(n))
	if err != nil {
		panic("identity: crypto/rand failed: " + err.Error())
	}
	return v.Int64()
}

// PINRules are the voicemail / call-services PIN rules.
const (
	PINMinLength = 4
	PINMaxLength = 8
)

// CheckPIN applies the PIN rules: digits only, 4 to 8 of them, not one digit
// repeated throughout (1111), not an ascending or descending sequence
// (1234, 9876), and not the account's own number or extension, nor a part of
// the number of the PIN's length.
func CheckPIN(field, pin string, numbers []string, region string) error {
	v := &derrors.ValidationError{}
	if pin == "" || strings.Trim(pin, "0123456789") != "" {
		v.Add(field, "the PIN must contain digits only")
		return v
	}
	if len(pin) < PINMinLength || len(pin) > PINMaxLength {
		v.Add(field, "the PIN must be between %d and %d digits long", PINMinLength, PINMaxLength)
	}
	if strings.Count(pin, pin[:1]) == len(pin) {
		v.Add(field, "the PIN must not be one digit repeated")
	}
	if numericSequence(pin, len(pin)) == pin {
		v.Add(field, "the PIN must not be a numeric sequence such as 1234 or 9876")
	}
	for _, n := range numbers {
		for _, form := range NumberForms(n, region) {
			if strings.Contains(form, pin) || strings.Contains(pin, form) {
				v.Add(field, "the PIN must not be, or be part of, your telephone number or extension")
				return v.Err()
			}
		}
	}
	return v.Err()
}
