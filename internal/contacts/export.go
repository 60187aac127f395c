package contacts

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// File is a download: a template or an export.
type File struct {
	Name        string
	ContentType string
	Body        []byte
}

// ExportMode is the portal's "Export mode", plus vCard for phones and
// address books.
type ExportMode string

// Export modes.
const (
	// ExportOutlook is "Outlook/Outlook Express compatible": Outlook's own
	// CSV header names, comma-separated, CRLF.
	ExportOutlook ExportMode = "outlook"
	// ExportWindows is "Windows Contacts on Vista": the header names
	// Windows Contacts writes and reads.
	ExportWindows ExportMode = "windows"
	// ExportNative is "Native format": the full template.
	ExportNative ExportMode = "native"
	// ExportVCard4 is vCard 4.0 (RFC 6350).
	ExportVCard4 ExportMode = "vcard"
	// ExportVCard3 is vCard 3.0 (RFC 2426), for older phones and programs.
	ExportVCard3 ExportMode = "vcard3"
)

// TemplateKind names a downloadable template.
type TemplateKind string

// The two downloadable templates, minimal and full (docs/contacts.md, "Templates").
const (
	TemplateMinimal TemplateKind = "minimal"
	TemplateFull    TemplateKind = "full"
)

// column of an export: a header and how to read it from a contact.
type exportColumn struct {
	header string
	get    func(c *Contact, groups string) string
}

func fieldCol(header string, k field) exportColumn {
	return exportColumn{header, func(c *Contact, _ string) string { return c.Fields.get(k) }}
}

// nativeColumns is the full template: every stored field in the minimal
// template's order, then Groups.
func nativeColumns() []exportColumn {
	var cols []exportColumn
	for k, sp := range specs {
		cols = append(cols, fieldCol(sp.header, field(k)))
	}
	return append(cols, exportColumn{groupsHeader, func(_ *Contact, g string) string { return g }})
}

// outlookHeader is the header Outlook writes when it exports contacts to a
// CSV file (its "Comma Separated Values" export): all 92 columns in its
// order. Writing the same header lets Outlook import the file without a
// mapping step.
var outlookHeader = []string{
	"Title", "First Name", "Middle Name", "Last Name", "Suffix", "Company", "Department", "Job Title",
	"Business Street", "Business Street 2", "Business Street 3", "Business City", "Business State",
	"Business Postal Code", "Business Country/Region",
	"Home Street", "Home Street 2", "Home Street 3", "Home City", "Home State", "Home Postal Code", "Home Country/Region",
	"Other Street", "Other Street 2", "Other Street 3", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
	"Assistant's Phone", "Business Fax", "Business Phone", "Business Phone 2", "Callback", "Car Phone",
	"Company Main Phone", "Home Fax", "Home Phone", "Home Phone 2", "ISDN", "Mobile Phone", "Other Fax",
	"Other Phone", "Pager", "Primary Phone", "Radio Phone", "TTY/TDD Phone", "Telex",
	"Account", "Anniversary", "Assistant's Name", "Billing Information", "Birthday", "Business Address PO Box",
	"Categories", "Children", "Directory Server",
	"E-mail Address", "E-mail Type", "E-mail Display Name", "E-mail 2 Address", "E-mail 2 Type", "E-mail 2 Display Name",
	"E-mail 3 Address", "E-mail 3 Type", "E-mail 3 Display Name",
	"Gender", "Government ID Number", "Hobby", "Home Address PO Box", "Initials", "Internet Free Busy", "Keywords",
	"Language", "Location", "Manager's Name", "Mileage", "Notes", "Office Location", "Organizational ID Number",
	"Other Address PO Box", "Priority", "Private", "Profession", "Referred By", "Sensitivity", "Spouse",
	"User 1", "User 2", "User 3", "User 4", "Web Page",
}

// streetLine is line i (0, 1, 2) of a street as Outlook splits it into
// Street, Street 2 and Street 3; the third takes the rest.
func streetLine(street string, i int) string {
	lines := strings.SplitN(street, "\n", 3)
	if i < len(lines) {
		return lines[i]
	}
	return ""
}

// outlookColumns fills Outlook's header from a contact. Columns this
// product has no field for are empty, except those Outlook itself never
// leaves empty (no birthday is "0/0/00", Gender "Unspecified", Priority and
// Sensitivity "Normal", Private "False"), which the importer skips again.
func outlookColumns() []exportColumn {
	get := map[string]func(c *Contact, groups string) string{
		"First Name":              func(c *Contact, _ string) string { return c.FirstName },
		"Last Name":               func(c *Contact, _ string) string { return c.LastName },
		"Company":                 func(c *Contact, _ string) string { return c.Company },
		"Job Title":               func(c *Contact, _ string) string { return c.JobTitle },
		"Business Street":         func(c *Contact, _ string) string { return streetLine(c.Business.Street, 0) },
		"Business Street 2":       func(c *Contact, _ string) string { return streetLine(c.Business.Street, 1) },
		"Business Street 3":       func(c *Contact, _ string) string { return streetLine(c.Business.Street, 2) },
		"Business City":           func(c *Contact, _ string) string { return c.Business.City },
		"Business State":          func(c *Contact, _ string) string { return c.Business.Region },
		"Business Postal Code":    func(c *Contact, _ string) string { return c.Business.Postcode },
		"Business Country/Region": func(c *Contact, _ string) string { return c.Business.Country },
		"Home Street":             func(c *Contact, _ string) string { return streetLine(c.Home.Street, 0) },
		"Home Street 2":           func(c *Contact, _ string) string { return streetLine(c.Home.Street, 1) },
		"Home Street 3":           func(c *Contact, _ string) string { return streetLine(c.Home.Street, 2) },
		"Home City":               func(c *Contact, _ string) string { return c.Home.City },
		"Home State":              func(c *Contact, _ string) string { return c.Home.Region },
		"Home Postal Code":        func(c *Contact, _ string) string { return c.Home.Postcode },
		"Home Country/Region":     func(c *Contact, _ string) string { return c.Home.Country },
		"Business Fax":            func(c *Contact, _ string) string { return c.FaxTel },
		"Business Phone":          func(c *Contact, _ string) string { return c.WorkTel },
		"Home Phone":              func(c *Contact, _ string) string { return c.HomeTel },
		"Mobile Phone":            func(c *Contact, _ string) string { return c.CellTel },
		"Other Phone":             func(c *Contact, _ string) string { return c.OtherTel },
		"Categories":              func(_ *Contact, g string) string { return g },
		"E-mail Address":          func(c *Contact, _ string) string { return c.Email },
		"E-mail Type":             func(c *Contact, _ string) string { return ifSet(c.Email, "SMTP") },
		"E-mail Display Name":     func(c *Contact, _ string) string { return displayAddress(c, c.Email) },
		"E-mail 2 Address":        func(c *Contact, _ string) string { return c.Email2 },
		"E-mail 2 Type":           func(c *Contact, _ string) string { return ifSet(c.Email2, "SMTP") },
		"E-mail 2 Display Name":   func(c *Contact, _ string) string { return displayAddress(c, c.Email2) },
		"Notes":                   func(c *Contact, _ string) string { return c.Notes },
		"Web Page":                func(c *Contact, _ string) string { return c.WebPage },
		"Anniversary":             func(*Contact, string) string { return "0/0/00" },
		"Birthday":                func(*Contact, string) string { return "0/0/00" },
		"Gender":                  func(*Contact, string) string { return "Unspecified" },
		"Priority":                func(*Contact, string) string { return "Normal" },
		"Private":                 func(*Contact, string) string { return "False" },
		"Sensitivity":             func(*Contact, string) string { return "Normal" },
	}
	cols := make([]exportColumn, len(outlookHeader))
	for i, h := range outlookHeader {
		g := get[h]
		if g == nil {
			g = func(*Contact, string) string { return "" }
		}
		cols[i] = exportColumn{h, g}
	}
	return cols
}

func ifSet(v, then string) string {
	if v == "" {
		return ""
	}
	return then
}

// displayAddress is Outlook's e-mail display name: "Jane Smith (jane@…)".
func displayAddress(c *Contact, addr string) string {
	if addr == "" {
		return ""
	}
	return c.fullName() + " (" + addr + ")"
}

// windowsColumns are Windows Contacts' (Vista) CSV fields. Windows Contacts
// has one e-mail column in its CSV and no categories, so a second e-mail
// and groups are not in this mode; Other Tel goes to its Pager column, the
// only spare number it has.
func windowsColumns() []exportColumn {
	return []exportColumn{
		fieldCol("First Name", kFirst), fieldCol("Last Name", kLast),
		{"Name", func(c *Contact, _ string) string { return c.fullName() }},
		fieldCol("E-mail Address", kEmail),
		fieldCol("Home Street", kHomeStreet), fieldCol("Home City", kHomeCity), fieldCol("Home Postal Code", kHomePostcode),
		fieldCol("Home State", kHomeRegion), fieldCol("Home Country/Region", kHomeCountry),
		fieldCol("Home Phone", kHomeTel), fieldCol("Mobile Phone", kCellTel), fieldCol("Personal Web Page", kWeb),
		fieldCol("Business Street", kBusStreet), fieldCol("Business City", kBusCity), fieldCol("Business Postal Code", kBusPostcode),
		fieldCol("Business State", kBusRegion), fieldCol("Business Country/Region", kBusCountry),
		fieldCol("Business Phone", kWorkTel), fieldCol("Business Fax", kFaxTel), fieldCol("Pager", kOtherTel),
		fieldCol("Company", kCompany), fieldCol("Job Title", kJobTitle), fieldCol("Notes", kNotes),
	}
}

// guard is how an export keeps a spreadsheet from running a value as a
// formula (docs/contacts.md, "Formulas in exported files"). A value is at
// risk when it starts with = + - or @.
type guard int

const (
	// guardApostrophe prefixes a leading apostrophe: Excel, LibreOffice and
	// Google Sheets read it as "this is text" and do not show it; this
	// product's import strips it again. For the native format, which is
	// made for spreadsheets.
	guardApostrophe guard = iota
	// guardSpace prefixes one space: a spreadsheet no longer sees a
	// formula, while Outlook and Windows Contacts, which read these files
	// as text and would keep an apostrophe as part of the name, read the
	// value with at most a leading blank; this product's import trims it.
	guardSpace
	// guardNone is for templates, whose example rows are fixed text.
	guardNone
)

// formulaStart reports whether a spreadsheet would read v as a formula.
func formulaStart(v string) bool {
	return v != "" && strings.ContainsRune("=+-@", rune(v[0]))
}

// writeCSV writes a header and one line per contact: comma-separated,
// CRLF. quoteAll quotes every field, as Outlook does; otherwise fields are
// quoted when needed. Number columns are never guarded: a number holds
// only digits, spaces, + ( ) - . / * # and an extension ("ext 12"), which
// can name no function, and "+44 …" must stay dialable.
func writeCSV(cols []exportColumn, cs []Contact, groups map[int64]string, g guard, quoteAll bool) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	rec := make([]string, len(cols))
	write := func() {
		if !quoteAll {
			_ = w.Write(rec)
			return
		}
		for i, v := range rec {
			if i > 0 {
				buf.WriteByte(',')
			}
			buf.WriteByte('"')
			buf.WriteString(strings.ReplaceAll(v, `"`, `""`))
			buf.WriteByte('"')
		}
		buf.WriteString("\r\n")
	}
	phone := make([]bool, len(cols))
	for i, c := range cols {
		rec[i] = c.header
		phone[i] = isPhoneHeader(c.header)
	}
	write()
	for i := range cs {
		c := &cs[i]
		var names []string
		for _, id := range c.GroupIDs {
			if n, ok := groups[id]; ok {
				names = append(names, n)
			}
		}
		gs := strings.Join(names, ";")
		for j, col := range cols {
			v := strings.ReplaceAll(col.get(c, gs), "\n", "\r\n")
			if formulaStart(v) && !phone[j] {
				switch g {
				case guardApostrophe:
					v = "'" + v
				case guardSpace:
					v = " " + v
				}
			}
			rec[j] = v
		}
		write()
	}
	w.Flush()
	return buf.String()
}

func isPhoneHeader(h string) bool {
	t, ok := synonyms[normHeader(h)]
	return ok && t.k >= kHomeTel && t.k <= kOtherTel
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// excelCSV is UTF-8 with a BOM, which Excel needs to read UTF-8.
func excelCSV(name, text string) File {
	return File{Name: name, ContentType: "text/csv; charset=utf-8", Body: append(append([]byte{}, utf8BOM...), text...)}
}

// legacyCSV is Windows-1252 when every character has a code there (what
// Outlook Express and Windows Contacts read; every Outlook reads it too),
// otherwise UTF-8 with a BOM, which current Outlook reads and which keeps
// names outside Western Europe intact instead of turning them into '?'.
func legacyCSV(name, text string) File {
	if b, ok := encode1252(text); ok {
		return File{Name: name, ContentType: "text/csv; charset=windows-1252", Body: b}
	}
	return excelCSV(name, text)
}

// Template returns the portal's downloadable templates: the header row and
// one example row, as an Excel-friendly CSV (UTF-8 with BOM, CRLF).
func Template(kind TemplateKind) (File, error) {
	example := Contact{Fields: Fields{FirstName: "Henry", LastName: "Jackson", HomeTel: "01132991002", WorkTel: "01132991010"}}
	var cols []exportColumn
	switch kind {
	case TemplateMinimal:
		cols = nativeColumns()[:6]
	case TemplateFull:
		cols = nativeColumns()
		example.FaxTel = "01132991099"
		example.CellTel = "07956098877"
		example.Company, example.JobTitle = "Jackson Joinery Ltd", "Director"
		example.Email, example.Email2 = "henry@jackson-joinery.example", "henry.jackson@mail.example"
		example.WebPage = "https://jackson-joinery.example"
		example.Home = Address{"1 Park Row", "Leeds", "West Yorkshire", "LS1 5AB", "United Kingdom"}
		example.Business = Address{"Unit 4, Canal Wharf", "Leeds", "West Yorkshire", "LS11 5PS", "United Kingdom"}
		example.Notes = "Prefers calls before noon"
		example.GroupIDs = []int64{1, 2}
	default:
		return File{}, derrors.Invalid("kind", "choose the minimal or full template")
	}
	text := writeCSV(cols, []Contact{example}, map[int64]string{1: "Suppliers", 2: "Leeds"}, guardNone, false)
	return excelCSV("contacts_"+string(kind)+".csv", text), nil
}

// Export writes all the owner's contacts ("Export All") in mode.
func (s *Service) Export(ctx context.Context, actor access.Actor, ownerID int64, mode ExportMode) (File, error) {
	if _, err := s.ownerFor(ctx, actor, ownerID); err != nil {
		return File{}, err
	}
	cs, err := s.all(ctx, ownerID)
	if err != nil {
		return File{}, err
	}
	gs, err := s.groups(ctx, ownerID)
	if err != nil {
		return File{}, err
	}
	names := make(map[int64]string, len(gs))
	for _, g := range gs {
		names[g.ID] = g.Name
	}
	switch mode {
	case ExportNative:
		return excelCSV("contacts.csv", writeCSV(nativeColumns(), cs, names, guardApostrophe, false)), nil
	case ExportOutlook:
		return legacyCSV("contacts_outlook.csv", writeCSV(outlookColumns(), cs, names, guardSpace, true)), nil
	case ExportWindows:
		return legacyCSV("contacts_windows.csv", writeCSV(windowsColumns(), cs, names, guardSpace, false)), nil
	case ExportVCard4:
		return File{Name: "contacts.vcf", ContentType: "text/vcard; charset=utf-8", Body: encodeVCard(cs, names, vcard4)}, nil
	case ExportVCard3:
		return File{Name: "contacts.vcf", ContentType: "text/vcard; charset=utf-8", Body: encodeVCard(cs, names, vcard3)}, nil
	}
	return File{}, derrors.Invalid("mode", "choose an export mode: %s, %s, %s, %s or %s", ExportOutlook, ExportWindows, ExportNative, ExportVCard4, ExportVCard3)
}

// String names the mode as the dialog does.
func (m ExportMode) String() string {
	switch m {
	case ExportOutlook:
		return "Outlook/Outlook Express compatible"
	case ExportWindows:
		return "Windows Contacts on Vista"
	case ExportNative:
		return "Native format"
	case ExportVCard4:
		return "vCard 4.0"
	case ExportVCard3:
		return "vCard 3.0"
	}
	return fmt.Sprintf("ExportMode(%q)", string(m))
}
