package contacts

import (
	"bytes"
	"context"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// mustParse parses a file that must be accepted.
func mustParse(t *testing.T, file []byte) parsed {
	t.Helper()
	p, err := parseFile(file)
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	return p
}

// outlookHeaders is the header row of Outlook's CSV export (Outlook 2016
// and later, "Comma Separated Values").
var outlookHeaders = strings.Split(`Title,First Name,Middle Name,Last Name,Suffix,Company,Department,Job Title,Business Street,Business Street 2,Business Street 3,Business City,Business State,Business Postal Code,Business Country/Region,Home Street,Home Street 2,Home Street 3,Home City,Home State,Home Postal Code,Home Country/Region,Other Street,Other Street 2,Other Street 3,Other City,Other State,Other Postal Code,Other Country/Region,Assistant's Phone,Business Fax,Business Phone,Business Phone 2,Callback,Car Phone,Company Main Phone,Home Fax,Home Phone,Home Phone 2,ISDN,Mobile Phone,Other Fax,Other Phone,Pager,Primary Phone,Radio Phone,TTY/TDD Phone,Telex,Account,Anniversary,Assistant's Name,Billing Information,Birthday,Business Address PO Box,Categories,Children,Directory Server,E-mail Address,E-mail Type,E-mail Display Name,E-mail 2 Address,E-mail 2 Type,E-mail 2 Display Name,E-mail 3 Address,E-mail 3 Type,E-mail 3 Display Name,Gender,Government ID Number,Hobby,Home Address PO Box,Initials,Internet Free Busy,Keywords,Language,Location,Manager's Name,Mileage,Notes,Office Location,Organizational ID Number,Other Address PO Box,Priority,Private,Profession,Referred By,Sensitivity,Spouse,User 1,User 2,User 3,User 4,Web Page`, ",")

// outlookFile writes rows (header → value) as Outlook does: every field
// quoted, CRLF, Windows-1252.
func outlookFile(t *testing.T, rows ...map[string]string) []byte {
	t.Helper()
	var b strings.Builder
	quote := func(vals []string) {
		for i, v := range vals {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`"` + strings.ReplaceAll(v, `"`, `""`) + `"`)
		}
		b.WriteString("\r\n")
	}
	quote(outlookHeaders)
	for _, r := range rows {
		vals := make([]string, len(outlookHeaders))
		for i, h := range outlookHeaders {
			vals[i] = r[h]
		}
		vals[49], vals[52] = "0/0/00", "0/0/00" // Anniversary, Birthday as Outlook writes them
		vals[81], vals[85] = "Normal", "Normal"
		quote(vals)
	}
	out, ok := encode1252(b.String())
	if !ok {
		t.Fatal("test file not representable in Windows-1252")
	}
	return out
}

func TestParseOutlookExport(t *testing.T) {
	file := outlookFile(t,
		map[string]string{
			"First Name": "Zoë", "Last Name": "Müller", "Company": "Müller, Schmidt & Co", "Job Title": "Geschäftsführerin",
			"Business Street": "Königstraße 1\r\nHinterhaus", "Business City": "Stuttgart", "Business Postal Code": "70173",
			"Business Country/Region": "Germany", "Business Phone": "+49 711 123456", "Business Phone 2": "+49 711 123457",
			"Home Phone": "+49 711 654321", "Mobile Phone": "+49 151 2345678", "Business Fax": "+49 711 123499",
			"Home Fax": "+49 711 654399", "Other Phone": "+49 711 111111", "Pager": "+49 711 222222",
			"E-mail Address": "zoe@mueller.example", "E-mail Type": "SMTP", "E-mail Display Name": "Zoë Müller (zoe@mueller.example)",
			"E-mail 2 Address": "zoe.private@mail.example", "Categories": "Suppliers;Germany", "Notes": `Says "hello", always.`,
		},
		map[string]string{"First Name": "Henry", "Last Name": "Jackson", "Home Phone": "01132991002", "Business Fax": "01132991010"},
		map[string]string{"Company": "No Name GmbH", "Business Phone": "+49 30 1234"},
	)
	p := mustParse(t, file)
	if p.Encoding != enc1252 || p.Source != "outlook" || len(p.Entries) != 3 {
		t.Fatalf("encoding %s source %s entries %d", p.Encoding, p.Source, len(p.Entries))
	}
	z := p.Entries[0]
	if z.problem != "" {
		t.Fatalf("Zoë ignored: %s", z.problem)
	}
	want := Fields{
		FirstName: "Zoë", LastName: "Müller", Company: "Müller, Schmidt & Co", JobTitle: "Geschäftsführerin",
		WorkTel: "+49 711 123456", HomeTel: "+49 711 654321", CellTel: "+49 151 2345678", FaxTel: "+49 711 123499", OtherTel: "+49 711 111111",
		Email: "zoe@mueller.example", Email2: "zoe.private@mail.example",
		Business: Address{Street: "Königstraße 1\nHinterhaus", City: "Stuttgart", Postcode: "70173", Country: "Germany"},
		Notes:    "Says \"hello\", always.\nBusiness Phone 2: +49 711 123457\nHome Fax: +49 711 654399\nPager: +49 711 222222",
	}
	if z.Fields != want {
		t.Errorf("Zoë =\n%+v\nwant\n%+v", z.Fields, want)
	}
	if strings.Join(z.Groups, ";") != "Suppliers;Germany" {
		t.Errorf("groups %v", z.Groups)
	}
	if h := p.Entries[1].Fields; h.HomeTel != "01132991002" || h.FaxTel != "01132991010" {
		t.Errorf("Henry %+v", h)
	}
	// A row with only a company is a company contact, named by the company.
	if c := p.Entries[2]; c.problem != "" || c.Fields.Company != "No Name GmbH" || c.Fields.FirstName != "" || c.Fields.LastName != "" || c.Fields.DisplayName() != "No Name GmbH" {
		t.Errorf("company row = %+v (%s)", c.Fields, c.problem)
	}
}

// utf16File encodes text as UTF-16 with a BOM.
func utf16File(text string, bigEndian bool) []byte {
	units := utf16.Encode([]rune(text))
	out := []byte{0xFF, 0xFE}
	if bigEndian {
		out = []byte{0xFE, 0xFF}
	}
	for _, u := range units {
		if bigEndian {
			out = append(out, byte(u>>8), byte(u))
		} else {
			out = append(out, byte(u), byte(u>>8))
		}
	}
	return out
}

func TestParseEncodingsAndDelimiters(t *testing.T) {
	tabText := csvRows("\t", "\r\n",
		[]string{"First Name", "Last Name", "Home Tel", "Work Tel", "Cell Tel", "Fax Tel"},
		[]string{"Łukasz", "Wójcik", "01132991002", "", "07956098877", ""},
		[]string{"Jane", "Smith", "01132991001", "01132991011", "", `"0113 299 1099"`},
	)
	cases := []struct {
		name     string
		file     []byte
		encoding string
		want     []Fields
	}{
		{"utf-16le tab (Excel Unicode text)", utf16File(tabText, false), encUTF16LE, []Fields{
			{FirstName: "Łukasz", LastName: "Wójcik", HomeTel: "01132991002", CellTel: "07956098877"},
			{FirstName: "Jane", LastName: "Smith", HomeTel: "01132991001", WorkTel: "01132991011", FaxTel: "0113 299 1099"}}},
		{"utf-16be tab", utf16File(tabText, true), encUTF16BE, []Fields{
			{FirstName: "Łukasz", LastName: "Wójcik", HomeTel: "01132991002", CellTel: "07956098877"},
			{FirstName: "Jane", LastName: "Smith", HomeTel: "01132991001", WorkTel: "01132991011", FaxTel: "0113 299 1099"}}},
		{"semicolon, LF, UTF-8 BOM", append([]byte("\uFEFF"), "Vorname;Nachname;Telephone;Mobile;Firma\n\"Jürgen\";Groß;0711 1234;0151 999;\"Groß; Klein AG\"\n"...), encUTF8,
			[]Fields{{FirstName: "Jürgen", LastName: "Groß", OtherTel: "0711 1234", CellTel: "0151 999", Company: "Groß; Klein AG"}}},
		{"Excel sep= line", []byte("sep=;\r\nFirst Name;Last Name;Cell Tel\r\nJim;;07956098800\r\n"), encUTF8,
			[]Fields{{FirstName: "Jim", CellTel: "07956098800"}}},
		{"header spelling and quotes with newline", []byte("FIRST_NAME,last-name,Mobile Phone,notes\n\"Ann\",\"O'Neil\",\"+44 7700 900123\",\"line one\nline \"\"two\"\"\"\n"), encUTF8,
			[]Fields{{FirstName: "Ann", LastName: "O'Neil", CellTel: "+44 7700 900123", Notes: "line one\nline \"two\""}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParse(t, c.file)
			if p.Encoding != c.encoding {
				t.Errorf("encoding %s, want %s", p.Encoding, c.encoding)
			}
			if len(p.Entries) != len(c.want) {
				t.Fatalf("%d entries, want %d: %+v", len(p.Entries), len(c.want), p.Entries)
			}
			for i, w := range c.want {
				if e := p.Entries[i]; e.problem != "" || e.Fields != w {
					t.Errorf("entry %d = %+v (%s)\nwant %+v", i, e.Fields, e.problem, w)
				}
			}
		})
	}
}

func TestParseGoogleAndWindows(t *testing.T) {
	googleOld := "Name,Given Name,Additional Name,Family Name,Yomi Name,Name Prefix,Nickname,Birthday,Notes,Group Membership," +
		"E-mail 1 - Type,E-mail 1 - Value,E-mail 2 - Type,E-mail 2 - Value,Phone 1 - Type,Phone 1 - Value,Phone 2 - Type,Phone 2 - Value,Phone 3 - Type,Phone 3 - Value," +
		"Address 1 - Type,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address," +
		"Organization 1 - Type,Organization 1 - Name,Organization 1 - Yomi Name,Organization 1 - Title,Website 1 - Type,Website 1 - Value\r\n" +
		"Jane Smith,Jane,,Smith,,,,,Met at expo,* myContacts ::: Friends,* Home,jane@home.example,Work,jane@work.example,Mobile,07700 900001 ::: 07700 900002,Work Fax,0113 299 1099,Home,0113 299 1001," +
		"Work,\"1 Park Row, Leeds\",1 Park Row,Leeds,,West Yorkshire,LS1 5AB,United Kingdom,,,Smith & Co,,Buyer,Profile,https://jane.example\r\n" +
		"Solo,,,,,,,,,,,,,,Main,020 7946 0000,,,,,,,,,,,,,,,,,,,\r\n"
	googleNew := "First Name,Middle Name,Last Name,Phonetic First Name,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels," +
		"E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Phone 2 - Label,Phone 2 - Value,Phone 3 - Label,Phone 3 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - Postal Code,Address 1 - Country\n" +
		"Henry,,Jackson,,,,Jackson Joinery,Director,,,,,* myContacts ::: Suppliers,* Work,henry@jj.example,Home Fax,0113 299 1010,Work,0113 299 1000,* Mobile,07956 098877,Home,,2 Canal St,Leeds,LS11 5PS,UK\n"
	windows := "First Name,Last Name,Middle Name,Name,Nickname,E-mail Address,Home Street,Home City,Home Postal Code,Home State,Home Country/Region,Home Phone,Home Fax,Mobile Phone,Personal Web Page," +
		"Business Street,Business City,Business Postal Code,Business State,Business Country/Region,Business Web Page,Business Phone,Business Fax,Pager,Company,Job Title,Department,Office Location,Notes\r\n" +
		",,,James Walker,,jw@example.com,,,,,,,,07956098877,,,,,,,,01132991500,,,,,,,\r\n"
	cases := []struct {
		name, file, source string
		want               []Fields
		groups             []string
	}{
		{"google (Given Name, Phone n - Type)", googleOld, "google", []Fields{
			{FirstName: "Jane", LastName: "Smith", CellTel: "07700 900001", OtherTel: "07700 900002", FaxTel: "0113 299 1099", HomeTel: "0113 299 1001",
				Email: "jane@home.example", Email2: "jane@work.example", Company: "Smith & Co", JobTitle: "Buyer", WebPage: "https://jane.example",
				Business: Address{Street: "1 Park Row", City: "Leeds", Region: "West Yorkshire", Postcode: "LS1 5AB", Country: "United Kingdom"},
				Notes:    "Met at expo"},
			{FirstName: "Solo", OtherTel: "020 7946 0000"},
		}, []string{"Friends"}},
		{"google (First Name, Phone n - Label)", googleNew, "google", []Fields{
			{FirstName: "Henry", LastName: "Jackson", Company: "Jackson Joinery", JobTitle: "Director", Email: "henry@jj.example",
				FaxTel: "0113 299 1010", WorkTel: "0113 299 1000", CellTel: "07956 098877",
				Home: Address{Street: "2 Canal St", City: "Leeds", Postcode: "LS11 5PS", Country: "UK"}},
		}, []string{"Suppliers"}},
		{"windows contacts", windows, "windows", []Fields{
			{FirstName: "James", LastName: "Walker", Email: "jw@example.com", CellTel: "07956098877", WorkTel: "01132991500"},
		}, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustParse(t, []byte(c.file))
			if p.Source != c.source {
				t.Errorf("source %q, want %q", p.Source, c.source)
			}
			if len(p.Entries) != len(c.want) {
				t.Fatalf("%d entries, want %d", len(p.Entries), len(c.want))
			}
			for i, w := range c.want {
				if e := p.Entries[i]; e.problem != "" || e.Fields != w {
					t.Errorf("entry %d =\n%+v (%s)\nwant\n%+v", i, e.Fields, e.problem, w)
				}
			}
			if strings.Join(p.Entries[0].Groups, ";") != strings.Join(c.groups, ";") {
				t.Errorf("groups %v, want %v", p.Entries[0].Groups, c.groups)
			}
		})
	}
}

func TestTemplates(t *testing.T) {
	cases := []struct {
		kind   TemplateKind
		header string
	}{
		{TemplateMinimal, "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel"},
		{TemplateFull, "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel,Other Tel,Company,Job Title,E-mail,E-mail 2,Web Page," +
			"Home Street,Home City,Home Region,Home Postcode,Home Country,Business Street,Business City,Business Region,Business Postcode,Business Country,Notes,Groups"},
	}
	for _, c := range cases {
		f, err := Template(c.kind)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(f.Body, utf8BOM) || !bytes.HasPrefix(f.Body[3:], []byte(c.header+"\r\n")) {
			t.Errorf("%s template starts %q", c.kind, f.Body[:min(len(f.Body), 80)])
		}
		if bytes.Count(f.Body, []byte("\r\n")) != 2 || bytes.Contains(bytes.ReplaceAll(f.Body, []byte("\r\n"), nil), []byte("\n")) {
			t.Errorf("%s template: want header and one example row, CRLF only", c.kind)
		}
		p := mustParse(t, f.Body)
		if p.Source != string(c.kind) || len(p.Entries) != 1 || p.Entries[0].problem != "" {
			t.Errorf("%s template reads back as %s with %+v", c.kind, p.Source, p.Entries)
		}
	}
	if _, err := Template("huge"); err == nil {
		t.Error("unknown template accepted")
	}
}

// full is a contact using every field, with the characters exports must
// escape or re-encode.
var full = ContactRequest{Fields: Fields{
	FirstName: "Zoë", LastName: "O'Brien-Müller", HomeTel: "0113 299 1002", WorkTel: "+44 (0)113 299 1010", CellTel: "07956 098877",
	FaxTel: "01132991099", OtherTel: "+1 212 555 0100 ext. 7", Company: "Müller, Schmidt; & Co", JobTitle: "Head of \"Things\"",
	Email: "zoe@example.com", Email2: "zoe.private@example.org", WebPage: "https://example.com/a,b;c?x=1",
	Home:     Address{Street: "Flat 2\n10 Park Row", City: "Leeds", Region: "West Yorkshire", Postcode: "LS1 5AB", Country: "United Kingdom"},
	Business: Address{Street: "Unit 4; Canal Wharf, Holbeck", City: "Leeds", Postcode: "LS11 5PS", Country: "UK"},
	Notes:    "=SUM(A1) is not a formula\nSecond line, with a comma; a semicolon and a back\\slash.\n" + strings.Repeat("Ünïcødé text to fold ", 6),
}}

// TestExportRoundTrip imports rows of the minimal template plus a
// contact using every field, exports in each mode, and imports each export
// into an empty account: the contacts must come back the same (apart from
// what the target program's format has no column for).
func TestExportRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		seed := minimalCSV(
			[]string{"Henry", "Jackson", "01132991002", "01132991010", "", ""},
			[]string{"Jane", "Smith", "01132991001", "01132991011", "", "01132991099"},
			[]string{"James", "Walker", "", "", "07956098877", ""},
			[]string{"Jim", "", "", "", "07956098800", ""},
		)
		if _, res := f.importFile(t, f.alice, seed, ActionIgnore); res.Added != 4 {
			t.Fatalf("seed import added %d", res.Added)
		}
		g1, _ := f.svc.CreateGroup(ctx, f.as(f.alice), f.alice, "Suppliers, North")
		g2, _ := f.svc.CreateGroup(ctx, f.as(f.alice), f.alice, "Family")
		req := full
		req.GroupIDs = []int64{g1.ID, g2.ID}
		if _, err := f.svc.CreateContact(ctx, f.as(f.alice), f.alice, req); err != nil {
			t.Fatal(err)
		}
		minimal := bit(kFirst) | bit(kLast) | bit(kHomeTel) | bit(kWorkTel) | bit(kCellTel) | bit(kFaxTel)
		cases := []struct {
			mode       ExportMode
			keep       mask
			groups     bool
			charset    string
			wantPrefix string
		}{
			{ExportNative, allFields, true, "utf-8", "\uFEFFFirst Name,Last Name,Home Tel"},
			{ExportOutlook, allFields, true, "windows-1252", `"Title","First Name","Middle Name","Last Name","Suffix","Company"`},
			{ExportWindows, allFields &^ bit(kEmail2), false, "windows-1252", "First Name,Last Name,Name,E-mail Address"},
			{ExportVCard4, allFields, true, "utf-8", "BEGIN:VCARD\r\nVERSION:4.0\r\n"},
			{ExportVCard3, allFields, true, "utf-8", "BEGIN:VCARD\r\nVERSION:3.0\r\n"},
		}
		for i, c := range cases {
			t.Run(string(c.mode), func(t *testing.T) {
				file, err := f.svc.Export(ctx, f.as(f.alice), f.alice, c.mode)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.Contains(file.ContentType, c.charset) || !strings.HasPrefix(string(file.Body), c.wantPrefix) {
					t.Errorf("%s: %s, starts %q", c.mode, file.ContentType, file.Body[:min(60, len(file.Body))])
				}
				if c.mode == ExportNative && !strings.Contains(string(file.Body), "'=SUM(A1)") {
					t.Error("native export does not guard a formula-like note")
				}
				other := f.employee(t, "roundtrip"+strconv.Itoa(i))
				pv, res := f.importFile(t, other, file.Body, ActionDuplicate)
				if pv.Ignored != 0 || res.Added != 5 {
					t.Fatalf("re-import: %+v", pv)
				}
				for _, keep := range []mask{minimal, c.keep} {
					if got, want := f.summary(t, other, keep, c.groups), f.summary(t, f.alice, keep, c.groups); got != want {
						t.Errorf("%s round trip differs:\n got %s\nwant %s", c.mode, got, want)
					}
				}
			})
		}
		// Outlook export of a name Windows-1252 cannot hold falls back to UTF-8 with BOM.
		if _, err := f.svc.CreateContact(ctx, f.as(f.bob), f.bob, ContactRequest{Fields: Fields{FirstName: "Łukasz", LastName: "Wójcik", CellTel: "07700900001"}}); err != nil {
			t.Fatal(err)
		}
		file, err := f.svc.Export(ctx, f.as(f.bob), f.bob, ExportOutlook)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(file.Body, utf8BOM) || !strings.Contains(file.ContentType, "utf-8") {
			t.Errorf("outlook export of Łukasz: %s %q", file.ContentType, file.Body[:10])
		}
		r := csv.NewReader(bytes.NewReader(file.Body[3:]))
		if recs, err := r.ReadAll(); err != nil || recs[1][1] != "Łukasz" {
			t.Errorf("outlook export reads %v %v", recs, err)
		}
	})
}

func TestVCardRoundTrip(t *testing.T) {
	c := Contact{ID: 1, Fields: full.Fields, GroupIDs: []int64{1, 2}}
	c.Fields.normalize()
	groups := map[int64]string{1: "Suppliers, North", 2: "Family"}
	for _, version := range []string{vcard3, vcard4} {
		t.Run(version, func(t *testing.T) {
			body := encodeVCard([]Contact{c}, groups, version)
			text := string(body)
			if !strings.HasSuffix(text, "END:VCARD\r\n") {
				t.Errorf("no CRLF END: %q", text[len(text)-20:])
			}
			folded := false
			for _, line := range strings.Split(strings.TrimSuffix(text, "\r\n"), "\r\n") {
				if len(line) > 75 {
					t.Errorf("line of %d octets: %q", len(line), line)
				}
				if strings.HasPrefix(line, " ") {
					folded = true
				}
				if strings.Contains(line, "\n") {
					t.Errorf("bare LF in %q", line)
				}
			}
			if !folded {
				t.Error("long NOTE was not folded")
			}
			for _, want := range []string{`ORG:Müller\, Schmidt\; & Co`, `N:O'Brien-Müller;Zoë;;;`, `CATEGORIES:Suppliers\, North,Family`} {
				if !strings.Contains(text, want) {
					t.Errorf("missing %q in\n%s", want, text)
				}
			}
			if version == vcard3 && !strings.Contains(text, "TEL;TYPE=CELL:07956 098877") {
				t.Errorf("3.0 TEL types:\n%s", text)
			}
			if version == vcard4 && !strings.Contains(text, "TEL;TYPE=home,voice:0113 299 1002") {
				t.Errorf("4.0 TEL types:\n%s", text)
			}
			p := mustParse(t, body)
			if len(p.Entries) != 1 || p.Entries[0].problem != "" {
				t.Fatalf("entries %+v", p.Entries)
			}
			if got := p.Entries[0].Fields; got != c.Fields {
				t.Errorf("round trip =\n%+v\nwant\n%+v", got, c.Fields)
			}
			if strings.Join(p.Entries[0].Groups, "|") != "Suppliers, North|Family" {
				t.Errorf("groups %v", p.Entries[0].Groups)
			}
		})
	}
}

func TestParseVCardVariants(t *testing.T) {
	file := "BEGIN:VCARD\nVERSION:2.1\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BCller;J=C3=BCrgen\nTEL;CELL;VOICE:+49 151 1234\n" +
		"TEL;WORK;FAX:+49 711 99\nNOTE;ENCODING=QUOTED-PRINTABLE:first line=0D=0Asecond =\nline\nEND:VCARD\n" +
		"BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann Lee\r\nitem1.TEL;VALUE=uri;TYPE=\"voice,home\":tel:+44-113-496-0000;ext=12\r\n" +
		"EMAIL;TYPE=work:ann@example.com\r\nADR;TYPE=work:;Suite 5;1 Main St;Leeds;;LS1 1AA;UK\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nTEL:0113\r\nEND:VCARD\r\n"
	p := mustParse(t, []byte(file))
	want := []Fields{
		{FirstName: "Jürgen", LastName: "Müller", CellTel: "+49 151 1234", FaxTel: "+49 711 99", Notes: "first line\nsecond line"},
		{FirstName: "Ann", LastName: "Lee", HomeTel: "+44-113-496-0000 ext 12", Email: "ann@example.com",
			Business: Address{Street: "1 Main St\nSuite 5", City: "Leeds", Postcode: "LS1 1AA", Country: "UK"}},
	}
	if len(p.Entries) != 3 {
		t.Fatalf("%d entries", len(p.Entries))
	}
	for i, w := range want {
		if e := p.Entries[i]; e.problem != "" || e.Fields != w {
			t.Errorf("card %d =\n%+v (%s)\nwant\n%+v", i+1, e.Fields, e.problem, w)
		}
	}
	if p.Entries[2].problem == "" || p.Entries[2].Row != 3 {
		t.Errorf("a card with no name must be ignored: %+v", p.Entries[2])
	}
}

// TestVCardImport goes through Preview/Confirm like a CSV file.
func TestVCardImport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		file := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Smith;Jane;;;\r\nFN:Jane Smith\r\nTEL;TYPE=HOME:01132991001\r\nCATEGORIES:Friends\r\nEND:VCARD\r\n" +
			"BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:\r\nEND:VCARD\r\n"
		pv, res := f.importFile(t, f.alice, []byte(file), ActionIgnore)
		if pv.Source != "vcard" || res.Added != 1 || res.Ignored != 1 || pv.Details[0].Entry != "Card 2" {
			t.Fatalf("preview %+v result %+v", pv, res)
		}
		gs, _ := f.svc.Groups(context.Background(), f.as(f.alice), f.alice)
		if len(gs) != 1 || gs[0].Name != "Friends" || gs[0].Members != 1 {
			t.Errorf("groups %+v", gs)
		}
	})
}
