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

// ExportMode is the seed's "Export mode", plus vCard for phones and
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

// Templates of the seed: "Contacts Minimal version" and "Contacts Full version".
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

// outlookColumns uses the header names of Outlook's own CSV export, so
// Outlook (and Outlook Express) map every column without help.
func outlookColumns() []exportColumn {
	return []exportColumn{
		fieldCol("First Name", kFirst), fieldCol("Last Name", kLast),
		fieldCol("Company", kCompany), fieldCol("Job Title", kJobTitle),
		fieldCol("Business Street", kBusStreet), fieldCol("Business City", kBusCity), fieldCol("Business State", kBusRegion),
		fieldCol("Business Postal Code", kBusPostcode), fieldCol("Business Country/Region", kBusCountry),
		fieldCol("Home Street", kHomeStreet), fieldCol("Home City", kHomeCity), fieldCol("Home State", kHomeRegion),
		fieldCol("Home Postal Code", kHomePostcode), fieldCol("Home Country/Region", kHomeCountry),
		fieldCol("Business Fax", kFaxTel), fieldCol("Business Phone", kWorkTel), fieldCol("Home Phone", kHomeTel),
		fieldCol("Mobile Phone", kCellTel), fieldCol("Other Phone", kOtherTel),
		{"Categories", func(_ *Contact, g string) string { return g }},
		fieldCol("E-mail Address", kEmail), fieldCol("E-mail 2 Address", kEmail2),
		fieldCol("Notes", kNotes), fieldCol("Web Page", kWeb),
	}
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

// writeCSV writes a header and one line per contact: comma-separated,
// CRLF, fields quoted when needed. guard prefixes values that a
// spreadsheet would run as a formula with an apostrophe, which the
// importer strips again.
func writeCSV(cols []exportColumn, cs []Contact, groups map[int64]string, guard bool) string {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.UseCRLF = true
	rec := make([]string, len(cols))
	for i, c := range cols {
		rec[i] = c.header
	}
	_ = w.Write(rec)
	for i := range cs {
		c := &cs[i]
		var names []string
		for _, id := range c.GroupIDs {
			if n, ok := groups[id]; ok {
				names = append(names, n)
			}
		}
		g := strings.Join(names, ";")
		for j, col := range cols {
			v := strings.ReplaceAll(col.get(c, g), "\n", "\r\n")
			if guard && v != "" && strings.ContainsRune("=+-@", rune(v[0])) && !isPhoneHeader(col.header) {
				v = "'" + v
			}
			rec[j] = v
		}
		_ = w.Write(rec)
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

// Template returns the seed's downloadable templates: the header row and
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
	text := writeCSV(cols, []Contact{example}, map[int64]string{1: "Suppliers", 2: "Leeds"}, false)
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
		return excelCSV("contacts.csv", writeCSV(nativeColumns(), cs, names, true)), nil
	case ExportOutlook:
		return legacyCSV("contacts_outlook.csv", writeCSV(outlookColumns(), cs, names, false)), nil
	case ExportWindows:
		return legacyCSV("contacts_windows.csv", writeCSV(windowsColumns(), cs, names, false)), nil
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
