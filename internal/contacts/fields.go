package contacts

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// Limits of the contact model.
const (
	// MaxContacts is how many contacts one employee may keep (the portal's 1000).
	MaxContacts = 1000
	// MaxNameLength bounds First Name and Last Name, in characters. A longer
	// name is refused, never cut (the portal's "limited to 32 characters").
	MaxNameLength = 32
	// MaxGroupNameLength bounds a contact group's name, in characters.
	MaxGroupNameLength = 64
)

// Address is a postal address of a contact.
type Address struct {
	Street   string `json:"street"`
	City     string `json:"city"`
	Region   string `json:"region"`
	Postcode string `json:"postcode"`
	Country  string `json:"country"`
}

// Fields are what a person types about a contact: the portal's minimal
// template (names and four numbers) plus the full template's details.
// Numbers are kept exactly as entered; Contact adds their E.164 forms.
type Fields struct {
	FirstName string  `json:"first_name"`
	LastName  string  `json:"last_name"`
	HomeTel   string  `json:"home_tel"`
	WorkTel   string  `json:"work_tel"`
	CellTel   string  `json:"cell_tel"`
	FaxTel    string  `json:"fax_tel"`
	OtherTel  string  `json:"other_tel"`
	Company   string  `json:"company"`
	JobTitle  string  `json:"job_title"`
	Email     string  `json:"email"`
	Email2    string  `json:"email2"`
	WebPage   string  `json:"web_page"`
	Home      Address `json:"home_address"`
	Business  Address `json:"business_address"`
	Notes     string  `json:"notes"`
}

// field indexes one stored text of Fields; the order is the full
// template's column order, minimal template first.
type field int

const (
	kFirst field = iota
	kLast
	kHomeTel
	kWorkTel
	kCellTel
	kFaxTel
	kOtherTel
	kCompany
	kJobTitle
	kEmail
	kEmail2
	kWeb
	kHomeStreet
	kHomeCity
	kHomeRegion
	kHomePostcode
	kHomeCountry
	kBusStreet
	kBusCity
	kBusRegion
	kBusPostcode
	kBusCountry
	kNotes
	numFields
)

type fieldKind int

const (
	kindText fieldKind = iota
	kindName
	kindPhone
	kindEmail
)

// fieldSpec describes one stored field: its SQL column, its JSON key (used
// in validation errors), its header in the native (full) template and the
// longest value accepted.
type fieldSpec struct {
	column string
	key    string
	header string
	max    int
	kind   fieldKind
}

var specs = [numFields]fieldSpec{
	kFirst:        {"first_name", "first_name", "First Name", MaxNameLength, kindName},
	kLast:         {"last_name", "last_name", "Last Name", MaxNameLength, kindName},
	kHomeTel:      {"home_tel", "home_tel", "Home Tel", 40, kindPhone},
	kWorkTel:      {"work_tel", "work_tel", "Work Tel", 40, kindPhone},
	kCellTel:      {"cell_tel", "cell_tel", "Cell Tel", 40, kindPhone},
	kFaxTel:       {"fax_tel", "fax_tel", "Fax Tel", 40, kindPhone},
	kOtherTel:     {"other_tel", "other_tel", "Other Tel", 40, kindPhone},
	kCompany:      {"company", "company", "Company", 128, kindText},
	kJobTitle:     {"job_title", "job_title", "Job Title", 128, kindText},
	kEmail:        {"email", "email", "E-mail", 254, kindEmail},
	kEmail2:       {"email2", "email2", "E-mail 2", 254, kindEmail},
	kWeb:          {"web_page", "web_page", "Web Page", 512, kindText},
	kHomeStreet:   {"home_street", "home_address.street", "Home Street", 256, kindText},
	kHomeCity:     {"home_city", "home_address.city", "Home City", 128, kindText},
	kHomeRegion:   {"home_region", "home_address.region", "Home Region", 128, kindText},
	kHomePostcode: {"home_postcode", "home_address.postcode", "Home Postcode", 32, kindText},
	kHomeCountry:  {"home_country", "home_address.country", "Home Country", 128, kindText},
	kBusStreet:    {"business_street", "business_address.street", "Business Street", 256, kindText},
	kBusCity:      {"business_city", "business_address.city", "Business City", 128, kindText},
	kBusRegion:    {"business_region", "business_address.region", "Business Region", 128, kindText},
	kBusPostcode:  {"business_postcode", "business_address.postcode", "Business Postcode", 32, kindText},
	kBusCountry:   {"business_country", "business_address.country", "Business Country", 128, kindText},
	kNotes:        {"notes", "notes", "Notes", 8000, kindText},
}

// groupsHeader is the native template's last column: the contact's groups,
// separated by ';' (Outlook's Categories convention).
const groupsHeader = "Groups"

// phoneFields are the number fields in the order phones list them.
var phoneFields = [...]field{kHomeTel, kWorkTel, kCellTel, kFaxTel, kOtherTel}

// ptrs returns a pointer to each stored field, indexed by field.
func (f *Fields) ptrs() [numFields]*string {
	return [numFields]*string{
		kFirst: &f.FirstName, kLast: &f.LastName,
		kHomeTel: &f.HomeTel, kWorkTel: &f.WorkTel, kCellTel: &f.CellTel, kFaxTel: &f.FaxTel, kOtherTel: &f.OtherTel,
		kCompany: &f.Company, kJobTitle: &f.JobTitle, kEmail: &f.Email, kEmail2: &f.Email2, kWeb: &f.WebPage,
		kHomeStreet: &f.Home.Street, kHomeCity: &f.Home.City, kHomeRegion: &f.Home.Region,
		kHomePostcode: &f.Home.Postcode, kHomeCountry: &f.Home.Country,
		kBusStreet: &f.Business.Street, kBusCity: &f.Business.City, kBusRegion: &f.Business.Region,
		kBusPostcode: &f.Business.Postcode, kBusCountry: &f.Business.Country,
		kNotes: &f.Notes,
	}
}

func (f *Fields) get(k field) string { return *f.ptrs()[k] }

func (f *Fields) set(k field, v string) { *f.ptrs()[k] = v }

// mask is a set of fields, one bit per field.
type mask uint32

const allFields mask = 1<<numFields - 1

func bit(k field) mask { return 1 << k }

// overlay copies the fields in m from src into f: what Overwrite does with
// the columns an import file has.
func (f *Fields) overlay(src Fields, m mask) {
	dst, from := f.ptrs(), src.ptrs()
	for k := field(0); k < numFields; k++ {
		if m&bit(k) != 0 {
			*dst[k] = *from[k]
		}
	}
}

// normalize trims every field and turns CRLF and CR into LF, so a value
// reads back the same whichever line ending an export used.
func (f *Fields) normalize() {
	for _, p := range f.ptrs() {
		v := strings.ReplaceAll(*p, "\r\n", "\n")
		v = strings.ReplaceAll(v, "\r", "\n")
		*p = strings.TrimSpace(v)
	}
}

// multiline reports whether a field may hold several lines: notes and
// street addresses do, everything else is one line.
func multiline(k field) bool {
	return k == kNotes || k == kHomeStreet || k == kBusStreet
}

// validate reports every broken rule; names must not be both empty.
func (f *Fields) validate() *derrors.ValidationError {
	v := &derrors.ValidationError{}
	if f.FirstName == "" && f.LastName == "" && f.Company == "" {
		v.Add("first_name", "a contact needs a first name or a last name (or, for a company, the company name)")
	}
	for k, p := range f.ptrs() {
		sp := specs[k]
		val := *p
		if val == "" {
			continue
		}
		if n := utf8.RuneCountInString(val); n > sp.max {
			v.Add(sp.key, "must be at most %d characters (it has %d)", sp.max, n)
			continue
		}
		if !utf8.ValidString(val) || strings.ContainsRune(val, 0) {
			v.Add(sp.key, "contains characters that are not text")
			continue
		}
		if !multiline(field(k)) && strings.ContainsAny(val, "\r\n") {
			v.Add(sp.key, "must be on one line")
			continue
		}
		switch sp.kind {
		case kindPhone:
			if msg := phoneProblem(val); msg != "" {
				v.Add(sp.key, "%s", msg)
			}
		case kindEmail:
			if msg := emailProblem(val); msg != "" {
				v.Add(sp.key, "%s", msg)
			}
		}
	}
	return v
}

// extension matches a trailing extension as people write it: "x 12",
// "ext. 12", "extension 12".
var extension = regexp.MustCompile(`(?i)\s*(?:x|ext\.?|extension)\s*\d+$`)

// phoneProblem explains why s is not a phone number, or returns "". Numbers
// are kept as entered, so the rule is only about characters: digits, the
// usual separators, * and # for service codes, an optional extension.
func phoneProblem(s string) string {
	body := extension.ReplaceAllString(s, "")
	digits := 0
	for _, r := range body {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ()-./*#", r):
		default:
			return fmt.Sprintf("%q is not a phone number: it may hold only digits, spaces and + ( ) - . / * #", s)
		}
	}
	if digits == 0 {
		return fmt.Sprintf("%q is not a phone number: it has no digits", s)
	}
	return ""
}

func emailProblem(s string) string {
	if strings.ContainsAny(s, " \t\r\n<>,;") || !strings.Contains(s, "@") {
		return fmt.Sprintf("%q is not an e-mail address", s)
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
		return fmt.Sprintf("%q is not an e-mail address", s)
	}
	return ""
}

// DisplayName is how lists show a contact: "Surname, First name", or the
// one name there is, or for a company contact (no first or last name) the
// company's name.
func (f Fields) DisplayName() string {
	switch {
	case f.LastName == "" && f.FirstName == "":
		return f.Company
	case f.LastName == "":
		return f.FirstName
	case f.FirstName == "":
		return f.LastName
	}
	return f.LastName + ", " + f.FirstName
}

// fullName is "First Last", the form vCard FN and Windows Contacts' Name
// use; a company contact's is the company's name.
func (f Fields) fullName() string {
	if f.isCompany() {
		return f.Company
	}
	return strings.TrimSpace(f.FirstName + " " + f.LastName)
}

// isCompany reports whether f is a company contact: an organisation with no
// person's name, as address books export a company's card.
func (f Fields) isCompany() bool {
	return f.FirstName == "" && f.LastName == "" && f.Company != ""
}

// nameKey is the "exists" rule: two contacts are the same when their first
// and last names match ignoring case and surrounding spaces; two company
// contacts are the same when their company names do.
func nameKey(f Fields) string {
	if f.isCompany() {
		return "\x01" + strings.ToLower(strings.TrimSpace(f.Company))
	}
	return strings.ToLower(strings.TrimSpace(f.FirstName)) + "\x00" + strings.ToLower(strings.TrimSpace(f.LastName))
}

// splitFullName reads a single name column: "Surname, First" or
// "First Middle Surname" (the last word is the surname).
func splitFullName(s string) (first, last string) {
	s = strings.Join(strings.Fields(s), " ")
	if a, b, ok := strings.Cut(s, ","); ok {
		return strings.TrimSpace(b), strings.TrimSpace(a)
	}
	if i := strings.LastIndexByte(s, ' '); i > 0 {
		return s[:i], s[i+1:]
	}
	return s, ""
}

// e164 returns the E.164 form of a number in region, or "" when it does not
// parse as a possible number there.
func e164(number, region string) string {
	e, _ := parseNumber(number, region)
	return e
}

// numberForms are the digit strings a number can be searched by: as
// entered, E.164 without '+', and the national form ("01132991002").
func numberForms(number, region string) []string {
	_, forms := parseNumber(number, region)
	return forms
}

// parseNumber reads a number once by the one number rule (parsing
// dominates an import's cost) and returns its E.164 form ("" for an
// extension or a short code, kept as typed) and its searchable digit forms.
func parseNumber(number, region string) (e string, forms []string) {
	if number == "" {
		return "", nil
	}
	r := numbering.Read(number, region)
	return r.E164, r.Forms
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// searchText is what Search matches: names both ways round, company,
// e-mails and every number's digit forms, lower-cased and tab-separated.
func searchText(f Fields, region string) string {
	_, s := derivedNumbers(f, region)
	return s
}

// derivedNumbers computes, with one parse per number, the E.164 forms of
// the numbers and the search text.
func derivedNumbers(f Fields, region string) (e [len(phoneFields)]string, search string) {
	parts := []string{f.FirstName, f.LastName, f.fullName(), f.DisplayName(), f.Company, f.Email, f.Email2}
	for i, k := range phoneFields {
		var forms []string
		e[i], forms = parseNumber(f.get(k), region)
		parts = append(parts, forms...)
	}
	return e, strings.ToLower(strings.Join(parts, "\t"))
}
