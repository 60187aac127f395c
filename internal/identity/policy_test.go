package identity

import (
	"strings"
	"testing"
)

func TestSelfCarePolicy(t *testing.T) {
	numbers := []string{"+44 113 496 0037", "2037"} // the account's number and extension
	tests := []struct {
		pw   string
		want string // substring of the error, "" for accepted
	}{
		{"Walnut#7x", ""},
		{"walnut#7x", ""},                             // self-care needs a letter, not an uppercase one
		{"Wal#7x", "between 8 and 20"},                // too short
		{"Walnut#7xWalnut#7xWal", "between 8 and 20"}, // 21 characters
		{"Walnut#xy", "contain a digit"},
		{"1234#5678", "contain a letter"},
		{"Walnut77x", "special character"},
		{"Waln#777x", "repeat the digit 7 more than 2 times"},
		{"Waln#77xx", ""}, // twice in a row is allowed
		{"Wa#1234xy", "numeric sequence 1234"},
		{"Wa#54321x", "numeric sequence 54321"},
		{"Wa#135xyz", ""},                       // not consecutive
		{"Wa#123xyz", ""},                       // three digits are not a sequence
		{"Wa#4960xy", "telephone number"},       // part of 0113 496 0037
		{"Wa#0037xy", "telephone number"},       // the last four digits
		{"Wa#2037xy", "telephone number"},       // contains the extension
		{"Wa#441134960037", "telephone number"}, // contains the number in international form
		{"Wa#9999xy", "repeat the digit 9"},
		{"Wa#496xyz", ""}, // three digits are too short to be "part of" a number
	}
	for _, tt := range tests {
		err := PolicySelfCare.Check("password", tt.pw, numbers, "GB")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q refused: %v", tt.pw, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: error %v, want one containing %q", tt.pw, err, tt.want)
		}
	}
}

func TestBusinessPortalPolicy(t *testing.T) {
	tests := []struct {
		pw   string
		want []string
	}{
		{"Str0ng!pass", nil},
		{"short1!", []string{"at least 8"}},
		{"alllowercase1!", []string{"uppercase"}},
		{"ALLUPPERCASE1!", []string{"lowercase"}},
		{"NoDigits!!", []string{"digit"}},
		{"NoSymbols11", []string{"special character"}},
		{"abc", []string{"at least 8", "uppercase", "digit", "special character"}},
	}
	for _, tt := range tests {
		err := PolicyBusinessPortal.Check("password", tt.pw, nil, "GB")
		if len(tt.want) == 0 {
			if err != nil {
				t.Errorf("%q refused: %v", tt.pw, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%q accepted", tt.pw)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%q: %v does not name %q", tt.pw, err, w)
			}
		}
	}
}

func TestNumberForms(t *testing.T) {
	got := strings.Join(NumberForms("+44 113 496 0037", "GB"), ",")
	for _, want := range []string{"441134960037", "01134960037", "1134960037"} {
		if !strings.Contains(got, want) {
			t.Errorf("NumberForms = %s, missing %s", got, want)
		}
	}
	got = strings.Join(NumberForms("0113 496 0037", "GB"), ",")
	if !strings.Contains(got, "441134960037") {
		t.Errorf("national input: %s lacks the international form", got)
	}
}

func TestGeneratePasswordSatisfiesEveryPreset(t *testing.T) {
	// The old generator broke the self-care policy about once in 2,000
	// business-portal passwords (a repeated digit or a numeric sequence):
	// 20,000 draws a preset miss that with odds of about 1 in 16,000.
	const draws = 20000
	numbers := []string{"+44 113 496 0037", "2037", "+44 20 7946 0958"}
	for _, p := range presets {
		seen := make(map[string]bool, draws)
		for i := 0; i < draws; i++ {
			pw, err := GeneratePassword(p)
			if err != nil {
				t.Fatalf("GeneratePassword(%s): %v", p.Name, err)
			}
			for _, q := range presets {
				if err := q.Check("password", pw, nil, ""); err != nil {
					t.Fatalf("%s generated %q, which breaks the %s policy: %v", p.Name, pw, q.Name, err)
				}
			}
			// No two digits touch, so no telephone number of the account
			// can be matched either. Parsing the numbers is slow: check a
			// sample that way, and every password's digit runs directly.
			for _, run := range digitRuns(pw) {
				if len(run) > 1 {
					t.Fatalf("%s generated %q, with the digits %s side by side", p.Name, pw, run)
				}
			}
			if i%25 == 0 {
				if err := PolicySelfCare.Check("password", pw, numbers, "GB"); err != nil {
					t.Fatalf("%s generated %q, which breaks the self-care policy for numbers %v: %v", p.Name, pw, numbers, err)
				}
			}
			seen[pw] = true
		}
		// Random, not one password over and over: with 75+ bits a repeat
		// among 20,000 is practically impossible.
		if len(seen) != draws {
			t.Errorf("%s: only %d distinct passwords in %d draws", p.Name, len(seen), draws)
		}
	}
}

func TestGeneratePasswordLengthsAndImpossiblePolicies(t *testing.T) {
	for _, c := range []struct {
		p    Policy
		want int // length, or 0 for an error
	}{
		{Policy{Name: "short", MinLength: 4, MaxLength: 4, Upper: true, Lower: true, Digit: true, Symbol: true, MaxRepeatedDigit: 1, NoNumericSequence: true}, 4},
		{Policy{Name: "long", MinLength: 40, Upper: true, Digit: true, MaxRepeatedDigit: 1, NoNumericSequence: true}, 40},
		{Policy{Name: "tiny", MinLength: 1, MaxLength: 3}, 0},
		// Contradictory: no password satisfies it, so the bounded retry
		// must end in an error rather than spin.
		{Policy{Name: "contradictory", MinLength: 30, MaxLength: 20}, 0},
	} {
		for i := 0; i < 500; i++ {
			pw, err := GeneratePassword(c.p)
			if c.want == 0 {
				if err == nil || !strings.Contains(err.Error(), c.p.Name) {
					t.Fatalf("GeneratePassword(%s) = %q, %v; want an error naming the policy", c.p.Name, pw, err)
				}
				break
			}
			if err != nil {
				t.Fatalf("GeneratePassword(%s): %v", c.p.Name, err)
			}
			if len(pw) != c.want || c.p.Check("password", pw, nil, "") != nil {
				t.Fatalf("GeneratePassword(%s) = %q (%d characters), want %d satisfying the policy", c.p.Name, pw, len(pw), c.want)
			}
		}
	}
}

func TestCheckPIN(t *testing.T) {
	numbers := []string{"+441134960037", "2037"}
	tests := []struct{ pin, want string }{
		{"5821", ""},
		{"582190", ""},
		{"12a4", "digits only"},
		{"", "digits only"},
		{"123", "between 4 and 8"},
		{"123456789", "between 4 and 8"},
		{"7777", "one digit repeated"},
		{"1234", "numeric sequence"},
		{"9876", "numeric sequence"},
		{"4960", "telephone number"},
		{"2037", "telephone number"},
		{"20375", "telephone number"},
	}
	for _, tt := range tests {
		err := CheckPIN("voicemail_pin", tt.pin, numbers, "GB")
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%q refused: %v", tt.pin, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%q: %v, want %q", tt.pin, err, tt.want)
		}
	}
}

func TestPolicyRulesDescribeEveryCheck(t *testing.T) {
	rules := strings.Join(PolicySelfCare.Rules(), " ")
	for _, want := range []string{"between 8 and 20", "1 digit", "1 letter", "special character", "repeated more than 2", "numeric sequence", "telephone number"} {
		if !strings.Contains(rules, want) {
			t.Errorf("self-care rules %q lack %q", rules, want)
		}
	}
}
