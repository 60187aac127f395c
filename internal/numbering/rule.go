package numbering

import (
	"regexp"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The number rule: how a telephone number a person typed is read, the same
// for personal contacts (stored, imported and searched), the operator's
// number search and logins by number (docs/contacts.md, "The number rule").
//
// A number has an E.164 form only when libphonenumber considers it a
// possible number of the region — its length fits a number there that can
// be dialled from anywhere. Extensions (2001), short codes (1571, 999) and
// numbers that are possible only locally are kept exactly as typed, with no
// E.164: prefixing them with the country code would invent a number nobody
// has. Possible is deliberately weaker than valid: ranges reserved for
// drama (01632 960123, 07700 900123) and retired ranges (0500 123456) are
// still numbers somebody may have written down, and are read, not refused.

// extensionSuffix matches a trailing extension as people write it: "x 12",
// "ext. 12", "extension 12". The number rule reads the number before it.
var extensionSuffix = regexp.MustCompile(`(?i)\s*(?:x|ext\.?|extension)\s*\d+$`)

// Reading is a typed number read by the number rule.
type Reading struct {
	// Typed is the number as it was typed, trimmed.
	Typed string
	// E164 is "+<digits>", or "" when the number is not a possible number
	// of the region (an extension, a short code).
	E164 string
	// Forms are the digit strings the number is found by: the digits as
	// typed, and for a number with an E.164 form also its E.164 and
	// national digits ("441132991002", "01132991002").
	Forms []string
}

// Read applies the number rule to input in region (an ISO 3166 code such
// as "GB"). It never fails: what does not read as a number keeps only its
// typed digits.
func Read(input, region string) Reading {
	r := Reading{Typed: strings.TrimSpace(input)}
	add := func(s string) {
		if s == "" {
			return
		}
		for _, f := range r.Forms {
			if f == s {
				return
			}
		}
		r.Forms = append(r.Forms, s)
	}
	add(onlyDigits(r.Typed))
	body := extensionSuffix.ReplaceAllString(r.Typed, "")
	if onlyDigits(body) == "" {
		return r
	}
	num, err := phonenumbers.Parse(body, region)
	if err != nil || phonenumbers.IsPossibleNumberWithReason(num) != phonenumbers.IS_POSSIBLE {
		return r
	}
	r.E164 = phonenumbers.Format(num, phonenumbers.E164)
	add(onlyDigits(r.E164))
	add(onlyDigits(phonenumbers.Format(num, phonenumbers.NATIONAL)))
	return r
}

// E164Of is the E.164 form of input in region by the number rule, or ""
// when it has none.
func E164Of(input, region string) string { return Read(input, region).E164 }

// ParseLookup reads a number somebody searches for (the operator's number
// search): the number rule, refusing with a field error what has no E.164
// form, since only such numbers are in a site's ranges. field names the
// input in the error.
func ParseLookup(field, input, region string) (string, error) {
	in := strings.TrimSpace(input)
	if in == "" {
		return "", derrors.Invalid(field, "enter a telephone number")
	}
	for _, r := range in {
		if !strings.ContainsRune("0123456789+ ()-./", r) {
			return "", derrors.Invalid(field, "%q is not a telephone number: use digits, with + for the E.164 form", input)
		}
	}
	e := E164Of(in, region)
	if e == "" {
		return "", derrors.Invalid(field, "%q is not a telephone number that can be dialled from outside (an extension or a short code?): write it as +44… (E.164) or in the national form 0…", input)
	}
	return e, nil
}

// IsEmergency reports whether dialling input in region reaches the
// emergency services (999, 112 in GB): such a number is never a place to
// send calls automatically (forwarding, a menu key), since a fault would
// flood the service with calls nobody made.
func IsEmergency(input, region string) bool {
	return phonenumbers.ConnectsToEmergencyNumber(onlyDigits(input), region)
}
