package contacts

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// Files as real address books write them, and what each must give.

func TestEncodingDecidedByEvidence(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cases := []struct {
			name string
			file []byte
		}{
			// UTF-8 whose only fault is one broken sequence in row 3.
			{"utf-8", append(append([]byte("First Name,Last Name,Cell Tel\r\nSiobhán,Murphy,07700 900001\r\nBroken,Na"), 0xE9, 0x28),
				[]byte("me,07700 900002\r\nZoë,Müller,07700 900003\r\n")...)},
			// The same behind a BOM.
			{"utf-8 with BOM", append(append([]byte("\xEF\xBB\xBFFirst Name,Last Name,Cell Tel\r\nSiobhán,Murphy,07700 900001\r\nBroken,Na"), 0xC3),
				[]byte("me,07700 900002\r\nZoë,Müller,07700 900003\r\n")...)},
		}
		for i, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				owner := f.employee(t, fmt.Sprintf("enc%d", i))
				pv, _ := f.importFile(t, owner, c.file, ActionDuplicate)
				if pv.Encoding != encUTF8 {
					t.Errorf("encoding %s, want utf-8", pv.Encoding)
				}
				got := f.summary(t, owner, bit(kFirst)|bit(kLast), false)
				if !strings.Contains(got, "First Name=Siobhán|Last Name=Murphy") || !strings.Contains(got, "First Name=Zoë|Last Name=Müller") {
					t.Errorf("names read wrong:\n%s", got)
				}
				if len(pv.Warnings) != 1 || pv.Warnings[0].Row != 3 || !strings.Contains(pv.Warnings[0].Reason, "not valid UTF-8") {
					t.Fatalf("warnings %+v, want row 3 named", pv.Warnings)
				}
				again, err := f.svc.Import(ctx, f.as(owner), owner, pv.ID)
				if err == nil {
					t.Errorf("a confirmed import is still pending: %+v", again)
				}
			})
		}
		// A file with Windows-1252 accents and no UTF-8 is still Windows-1252.
		p := mustParse(t, []byte("First Name,Last Name,Cell Tel\r\nSiobh\xe1n,M\xfcller,07700 900001\r\n"))
		if p.Encoding != enc1252 || p.Entries[0].Fields.FirstName != "Siobhán" || len(p.Entries[0].warnings) != 0 {
			t.Errorf("windows-1252 file read as %s: %+v", p.Encoding, p.Entries[0])
		}
	})
}

// Every column of each layout, each cell holding a value found nowhere
// else: after reading, every value is in some field or in Notes.
var layouts = map[string][]string{
	"outlook": outlookHeader,
	"outlook.com": {"First Name", "Middle Name", "Last Name", "Title", "Suffix", "Nickname", "Given Yomi", "Surname Yomi",
		"E-mail Address", "E-mail 2 Address", "E-mail 3 Address", "Home Phone", "Home Phone 2", "Business Phone", "Business Phone 2",
		"Mobile Phone", "Car Phone", "Other Phone", "Primary Phone", "Pager", "Business Fax", "Home Fax", "Other Fax",
		"Company Main Phone", "Callback", "Radio Phone", "Telex", "TTY/TDD Phone", "IMAddress", "Job Title", "Department", "Company",
		"Office Location", "Manager's Name", "Assistant's Name", "Assistant's Phone", "Company Yomi", "Business Street", "Business City",
		"Business State", "Business Postal Code", "Business Country/Region", "Home Street", "Home City", "Home State", "Home Postal Code",
		"Home Country/Region", "Other Street", "Other City", "Other State", "Other Postal Code", "Other Country/Region",
		"Personal Web Page", "Spouse", "Schools", "Hobby", "Location", "Web Page", "Birthday", "Anniversary", "Notes"},
	"google": {"First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name", "Phonetic Last Name",
		"Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name", "Organization Title", "Organization Department",
		"Birthday", "Notes", "Photo", "Labels", "E-mail 1 - Label", "E-mail 1 - Value", "E-mail 2 - Label", "E-mail 2 - Value",
		"Phone 1 - Label", "Phone 1 - Value", "Phone 2 - Label", "Phone 2 - Value", "Address 1 - Label", "Address 1 - Formatted",
		"Address 1 - Street", "Address 1 - City", "Address 1 - PO Box", "Address 1 - Region", "Address 1 - Postal Code",
		"Address 1 - Country", "Address 1 - Extended Address", "Website 1 - Label", "Website 1 - Value", "Event 1 - Label",
		"Event 1 - Value", "Relation 1 - Label", "Relation 1 - Value", "Custom Field 1 - Label", "Custom Field 1 - Value"},
	"google (older)": {"Name", "Given Name", "Additional Name", "Family Name", "Yomi Name", "Given Name Yomi", "Additional Name Yomi",
		"Family Name Yomi", "Name Prefix", "Name Suffix", "Initials", "Nickname", "Short Name", "Maiden Name", "Birthday", "Gender",
		"Location", "Billing Information", "Directory Server", "Mileage", "Occupation", "Hobby", "Sensitivity", "Priority",
		"Subject", "Notes", "Language", "Photo", "Group Membership", "E-mail 1 - Type", "E-mail 1 - Value", "Phone 1 - Type",
		"Phone 1 - Value", "Organization 1 - Type", "Organization 1 - Name", "Organization 1 - Yomi Name", "Organization 1 - Title",
		"Organization 1 - Department", "Organization 1 - Symbol", "Organization 1 - Location", "Organization 1 - Job Description",
		"Website 1 - Type", "Website 1 - Value"},
	"windows": {"Name", "First Name", "Middle Name", "Last Name", "Title", "Suffix", "Nickname", "E-mail Address", "Home Street",
		"Home City", "Home Postal Code", "Home State", "Home Country/Region", "Home Phone", "Home Fax", "Mobile Phone",
		"Personal Web Page", "Business Street", "Business City", "Business Postal Code", "Business State", "Business Country/Region",
		"Business Web Page", "Business Phone", "Business Fax", "Pager", "Company", "Job Title", "Department", "Office Location", "Notes"},
	"thunderbird": {"First Name", "Last Name", "Display Name", "Nickname", "Primary Email", "Secondary Email", "Screen Name",
		"Work Phone", "Home Phone", "Fax Number", "Pager Number", "Mobile Number", "Home Address", "Home Address 2", "Home City",
		"Home State", "Home ZipCode", "Home Country", "Work Address", "Work Address 2", "Work City", "Work State", "Work ZipCode",
		"Work Country", "Job Title", "Department", "Organization", "Web Page 1", "Web Page 2", "Birth Year", "Birth Month",
		"Birth Day", "Custom 1", "Custom 2", "Custom 3", "Custom 4", "Notes"},
}

// markerFor is a value for column i that no other column has and that the
// column's field accepts.
func markerFor(header string, i int) string {
	n := normHeader(header)
	switch {
	case strings.Contains(n, "phone") || strings.Contains(n, "fax") || strings.Contains(n, "pager") || strings.Contains(n, "mobile") ||
		n == "callback" || n == "isdn" || n == "telex":
		return fmt.Sprintf("0113 496 0%03d", i)
	case strings.Contains(n, "email") && (strings.HasSuffix(n, "address") || strings.HasSuffix(n, "value") || strings.HasSuffix(n, "email")):
		return fmt.Sprintf("m%d@example.com", i)
	case n == "firstname" || n == "givenname":
		return "Ann"
	case n == "lastname" || n == "familyname":
		return "Lee"
	}
	return fmt.Sprintf("v%dx", i)
}

func TestEveryColumnOfKnownLayoutsIsKept(t *testing.T) {
	for name, headers := range layouts {
		t.Run(name, func(t *testing.T) {
			row := make([]string, len(headers))
			for i, h := range headers {
				row[i] = markerFor(h, i)
			}
			var buf bytes.Buffer
			w := csv.NewWriter(&buf)
			_ = w.Write(headers)
			_ = w.Write(row)
			w.Flush()
			p := mustParse(t, buf.Bytes())
			if len(p.Entries) != 1 || p.Entries[0].problem != "" {
				t.Fatalf("entries %+v", p.Entries)
			}
			e := p.Entries[0]
			all := strings.Join(append(slices.Collect(func(yield func(string) bool) {
				for _, s := range e.Fields.ptrs() {
					if !yield(*s) {
						return
					}
				}
			}), e.Groups...), "\n")
			var unmapped []string
			for i, c := range p.Columns {
				if c.Field == "(label)" || c.Field == "" && normHeader(c.Header) == "" {
					continue
				}
				if c.Field == labelledField {
					unmapped = append(unmapped, c.Header)
				}
				if !strings.Contains(all, row[i]) {
					t.Errorf("column %q (→ %q) = %q is nowhere in the entry", headers[i], c.Field, row[i])
				}
				if c.Field == "" {
					t.Errorf("column %q is not read", headers[i])
				}
			}
			if got := unmapped; len(got) == 0 || !slices.Equal(got, ImportPreview{Unmapped: unmappedOf(p.Columns)}.Unmapped) {
				t.Errorf("unmapped %v", got)
			}
			// A labelled column is in Notes under its own header.
			for _, h := range unmapped {
				label := h + ": "
				if m := indexedHeader.FindStringSubmatch(h); m != nil {
					// A family with no field: "Event (label): value".
					label = strings.TrimSpace(m[1])
				}
				if !strings.Contains(e.Fields.Notes, label) {
					t.Errorf("Notes lack %q:\n%s", h, e.Fields.Notes)
				}
			}
		})
	}
	// Thunderbird's columns land in their fields, not in Notes.
	tb := "First Name,Last Name,Primary Email,Secondary Email,Pager Number,Work Address,Work Address 2,Work ZipCode,Home Address,Home Address 2,Home ZipCode,Web Page 1,Web Page 2\r\n" +
		"Ann,Lee,ann@example.com,ann@home.example,07700 900009,1 Mill St,Unit 2,LS1 1AA,3 Oak Rd,Flat 4,LS2 2BB,https://ann.example,https://blog.example\r\n"
	p := mustParse(t, []byte(tb))
	got := p.Entries[0].Fields
	want := Fields{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Email2: "ann@home.example", OtherTel: "07700 900009",
		Business: Address{Street: "1 Mill St\nUnit 2", Postcode: "LS1 1AA"}, Home: Address{Street: "3 Oak Rd\nFlat 4", Postcode: "LS2 2BB"},
		WebPage: "https://ann.example", Notes: "Web Page 2: https://blog.example"}
	if got != want {
		t.Errorf("thunderbird =\n%+v\nwant\n%+v", got, want)
	}
	if p.Source != "thunderbird" {
		t.Errorf("source %s", p.Source)
	}
}

func unmappedOf(cols []Column) []string { return unmapped(cols) }

func TestOrganisationCardsAreCompanyContacts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		file := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:Dentist – Baker St\r\nORG:Dentist – Baker St;\r\nX-ABShowAs:COMPANY\r\nTEL;type=WORK:0113 496 0001\r\nEND:VCARD\r\n" +
			"BEGIN:VCARD\r\nVERSION:4.0\r\nKIND:org\r\nFN:Northwind Traders (Leeds)\r\nORG:Northwind Traders;Leeds\r\nTEL:0113 496 0002\r\nEND:VCARD\r\n" +
			"BEGIN:VCARD\r\nVERSION:3.0\r\nORG:Acme Plumbing\r\nTEL:0113 496 0003\r\nEND:VCARD\r\n" +
			"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Baker;John;;;\r\nFN:John Baker\r\nORG:Acme Plumbing\r\nTEL:0113 496 0004\r\nEND:VCARD\r\n"
		pv, res := f.importFile(t, f.alice, []byte(file), ActionDuplicate)
		if res.Added != 4 || pv.Ignored != 0 {
			t.Fatalf("preview %+v", pv)
		}
		byTel := map[string]Contact{}
		for _, c := range f.list(t, f.alice) {
			byTel[c.WorkTel+c.OtherTel] = c
		}
		cases := []struct {
			tel, display, company, notes string
		}{
			{"0113 496 0001", "Dentist – Baker St", "Dentist – Baker St", ""},
			{"0113 496 0002", "Northwind Traders", "Northwind Traders", "Department: Leeds\nName: Northwind Traders (Leeds)"},
			{"0113 496 0003", "Acme Plumbing", "Acme Plumbing", ""},
		}
		for _, c := range cases {
			got := byTel[c.tel]
			if got.FirstName != "" || got.LastName != "" || got.DisplayName != c.display || got.Company != c.company || got.Notes != c.notes {
				t.Errorf("%s: first %q last %q display %q company %q notes %q", c.tel, got.FirstName, got.LastName, got.DisplayName, got.Company, got.Notes)
			}
		}
		if p := byTel["0113 496 0004"]; p.FirstName != "John" || p.LastName != "Baker" || p.Company != "Acme Plumbing" {
			t.Errorf("a person at a company = %+v", p.Fields)
		}
		// A company contact is written back as one.
		out, err := f.svc.Export(context.Background(), f.as(f.alice), f.alice, ExportVCard4)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(out.Body), "KIND:org") || !strings.Contains(string(out.Body), "FN:Acme Plumbing") {
			t.Errorf("vCard 4 export lacks KIND:org:\n%s", out.Body)
		}
	})
}

func TestBrokenVCardsAreReportedAndKeepTheirNumbers(t *testing.T) {
	file := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:One;Ann;;;\r\nTEL;TYPE=CELL:07700 900101\r\n" + // no END
		"BEGIN:VCARD\r\nVERSION:3.0\r\nN:Two;Bob;;;\r\nTEL;TYPE=CELL:07700 900202\r\nNOTE:Parking at the\r\nback of the building\r\nEND:VCARD\r\n" +
		"BEGIN:VCARD\r\nVERSION:2.1\r\nN:Three;Cy\r\nAGENT:\r\nBEGIN:VCARD\r\nN:Agent;Smith\r\nTEL:999\r\nEND:VCARD\r\nTEL;WORK;VOICE:0113 496 0303\r\nEND:VCARD\r\n"
	p := mustParse(t, []byte(file))
	if len(p.Entries) != 3 {
		t.Fatalf("%d entries, want 3", len(p.Entries))
	}
	ann, bob, cy := p.Entries[0], p.Entries[1], p.Entries[2]
	if ann.Fields.LastName != "One" || ann.Fields.CellTel != "07700 900101" || ann.problem != "" {
		t.Errorf("the unfinished card = %+v (%s)", ann.Fields, ann.problem)
	}
	if len(ann.warnings) != 1 || !strings.Contains(ann.warnings[0], "no END:VCARD") {
		t.Errorf("the unfinished card's warnings %v", ann.warnings)
	}
	if bob.Fields.LastName != "Two" || bob.Fields.CellTel != "07700 900202" || bob.Fields.OtherTel != "" {
		t.Errorf("the next card = %+v", bob.Fields)
	}
	if bob.Fields.Notes != "Parking at theback of the building" || len(bob.warnings) != 1 || !strings.Contains(bob.warnings[0], "continuation of NOTE") {
		t.Errorf("lost fold: notes %q warnings %v", bob.Fields.Notes, bob.warnings)
	}
	if cy.Fields.LastName != "Three" || cy.Fields.WorkTel != "0113 496 0303" || cy.Fields.OtherTel != "" || len(cy.warnings) != 0 {
		t.Errorf("a 2.1 AGENT card = %+v %v", cy.Fields, cy.warnings)
	}
	// And the preview names them.
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		pv, err := f.svc.PreviewImport(context.Background(), f.as(f.alice), f.alice, []byte(file), ActionDuplicate)
		if err != nil {
			t.Fatal(err)
		}
		if len(pv.Warnings) != 2 || pv.Warnings[0].Entry != "Card 1" || pv.Warnings[1].Entry != "Card 2" {
			t.Errorf("warnings %+v", pv.Warnings)
		}
	})
}

func TestUnbalancedQuoteIsLocated(t *testing.T) {
	file := minimalCSV(
		[]string{"Henry", "Jackson", "01132991002", "", "", ""},
		[]string{`"Jane`, "Smith", "01132991001", "", "", ""},
		[]string{"James", "Walker", "", "", "07956098877", ""},
		[]string{`"Jim"`, "", "", "", "07956098800", ""},
	)
	_, err := parseFile(file)
	if !errors.Is(err, derrors.ErrInvalid) {
		t.Fatalf("err %v, want a refusal", err)
	}
	for _, want := range []string{"row 3 (line 3 of the file), column 1 (First Name)", "Close the quote"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	// A quote opened and closed inside one cell, or a quoted cell over
	// two lines, are fine.
	for _, ok := range []string{"First Name,Cell Tel,Notes\r\nJo,1,\"two\r\nlines\"\r\nAl,2,x\r\n", "First Name,Cell Tel\r\nJo \"Jojo\" Smith,1\r\n"} {
		if _, err := parseFile([]byte(ok)); err != nil {
			t.Errorf("%q refused: %v", ok, err)
		}
	}
}

func TestEveryCSVExportNeutralisesFormulas(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		evil := Fields{FirstName: `=HYPERLINK("http://e.x","x")`, LastName: "@SUM(1)", Company: "+cmd", JobTitle: "-2+3",
			Email: "=x@example.com", HomeTel: "+44 113 496 0001", Notes: "=1+1"}
		if _, err := f.svc.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: evil}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateGroup(ctx, f.as(f.alice), f.alice, "=G"); err != nil {
			t.Fatal(err)
		}
		for i, mode := range []ExportMode{ExportNative, ExportOutlook, ExportWindows} {
			file, err := f.svc.Export(ctx, f.as(f.alice), f.alice, mode)
			if err != nil {
				t.Fatal(err)
			}
			body := bytes.TrimPrefix(file.Body, utf8BOM)
			r := csv.NewReader(bytes.NewReader(body))
			recs, err := r.ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for j, cell := range recs[1] {
				if formulaStart(cell) && !isPhoneHeader(recs[0][j]) {
					t.Errorf("%s: column %q starts a formula: %q", mode, recs[0][j], cell)
				}
			}
			// Read back, the values are exactly what was stored.
			other := f.employee(t, fmt.Sprintf("formula%d", i))
			f.importFile(t, other, file.Body, ActionDuplicate)
			got := f.list(t, other)[0].Fields
			if got.FirstName != evil.FirstName || got.LastName != evil.LastName || got.Company != evil.Company || got.JobTitle != evil.JobTitle || got.HomeTel != evil.HomeTel {
				t.Errorf("%s read back as %+v", mode, got)
			}
		}
	})
}

// outlookExportHeader is the first line of a contacts file Outlook exports
// ("Comma Separated Values"): every name quoted, in Outlook's order.
const outlookExportHeader = `"Title","First Name","Middle Name","Last Name","Suffix","Company","Department","Job Title",` +
	`"Business Street","Business Street 2","Business Street 3","Business City","Business State","Business Postal Code",` +
	`"Business Country/Region","Home Street","Home Street 2","Home Street 3","Home City","Home State","Home Postal Code",` +
	`"Home Country/Region","Other Street","Other Street 2","Other Street 3","Other City","Other State","Other Postal Code",` +
	`"Other Country/Region","Assistant's Phone","Business Fax","Business Phone","Business Phone 2","Callback","Car Phone",` +
	`"Company Main Phone","Home Fax","Home Phone","Home Phone 2","ISDN","Mobile Phone","Other Fax","Other Phone","Pager",` +
	`"Primary Phone","Radio Phone","TTY/TDD Phone","Telex","Account","Anniversary","Assistant's Name","Billing Information",` +
	`"Birthday","Business Address PO Box","Categories","Children","Directory Server","E-mail Address","E-mail Type",` +
	`"E-mail Display Name","E-mail 2 Address","E-mail 2 Type","E-mail 2 Display Name","E-mail 3 Address","E-mail 3 Type",` +
	`"E-mail 3 Display Name","Gender","Government ID Number","Hobby","Home Address PO Box","Initials","Internet Free Busy",` +
	`"Keywords","Language","Location","Manager's Name","Mileage","Notes","Office Location","Organizational ID Number",` +
	`"Other Address PO Box","Priority","Private","Profession","Referred By","Sensitivity","Spouse","User 1","User 2",` +
	`"User 3","User 4","Web Page"`

func TestOutlookExportWritesOutlooksHeader(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		if _, err := f.svc.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: "Jane", LastName: "Smith",
			WorkTel: "0113 496 0001", Email: "jane@example.com", Business: Address{Street: "1 Mill St\nUnit 2"}}}); err != nil {
			t.Fatal(err)
		}
		file, err := f.svc.Export(ctx, f.as(f.alice), f.alice, ExportOutlook)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(file.Body), "\r\n")
		if lines[0] != outlookExportHeader {
			t.Errorf("header\n%s\nwant\n%s", lines[0], outlookExportHeader)
		}
		if n := strings.Count(lines[1], `","`) + 1; n != 92 || !strings.HasPrefix(lines[1], `"","Jane","","Smith"`) {
			t.Errorf("row has %d quoted fields: %s", n, lines[1])
		}
		for _, want := range []string{`"1 Mill St","Unit 2",""`, `"jane@example.com","SMTP","Jane Smith (jane@example.com)"`} {
			if !strings.Contains(lines[1], want) {
				t.Errorf("row lacks %s: %s", want, lines[1])
			}
		}
	})
}

func TestSmallerImportRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		// The size refusal tells the true size.
		big := io.MultiReader(bytes.NewReader(make([]byte, 12*(1<<20))), bytes.NewReader(make([]byte, 3*(1<<20)/10)))
		if _, err := ReadUpload(big); err == nil || !strings.Contains(err.Error(), "the file is 12.3 MB") {
			t.Errorf("size refusal %v", err)
		}
		// A header-only file says so and changes nothing.
		before := storetest.Counts(t, db)
		rev, _ := f.svc.Revision(ctx, f.as(f.alice), f.alice)
		for _, file := range [][]byte{minimalCSV(), []byte("First Name,Last Name,Cell Tel\r\n,,\r\n\r\n")} {
			_, err := f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, file, ActionOverwrite)
			if !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), "no contacts in the file") {
				t.Errorf("header-only file: %v", err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if after, _ := f.svc.Revision(ctx, f.as(f.alice), f.alice); after != rev {
			t.Errorf("revision moved %d → %d", rev, after)
		}
		// Google's "Outlook CSV" layout: myContacts is Google's, not a group.
		google := "First Name,Last Name,Mobile Phone,Categories\r\nAnn,Lee,07700 900001,myContacts;Friends\r\nBo,Ray,07700 900002,myContacts\r\n"
		f.importFile(t, f.alice, []byte(google), ActionDuplicate)
		gs, err := f.svc.Groups(ctx, f.as(f.alice), f.alice)
		if err != nil {
			t.Fatal(err)
		}
		if len(gs) != 1 || gs[0].Name != "Friends" {
			t.Errorf("groups %+v, want only Friends", gs)
		}
	})
}
