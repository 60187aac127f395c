package contacts

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestDisplayName(t *testing.T) {
	cases := []struct {
		first, last, want string
	}{
		{"Henry", "Jackson", "Jackson, Henry"},
		{"Jim", "", "Jim"},
		{"", "Walker", "Walker"},
	}
	for _, c := range cases {
		if got := (Fields{FirstName: c.first, LastName: c.last}).DisplayName(); got != c.want {
			t.Errorf("DisplayName(%q, %q) = %q, want %q", c.first, c.last, got, c.want)
		}
	}
}

func TestValidate(t *testing.T) {
	long := strings.Repeat("a", 33)
	cases := []struct {
		name    string
		fields  Fields
		wantKey string // "" = valid
	}{
		{"minimal", Fields{FirstName: "Jane", LastName: "Smith", HomeTel: "01132991001"}, ""},
		{"32 characters is fine", Fields{FirstName: strings.Repeat("é", 32)}, ""},
		{"first name too long", Fields{FirstName: long, LastName: "Smith"}, "first_name"},
		{"last name too long", Fields{FirstName: "Jane", LastName: long}, "last_name"},
		{"no name", Fields{HomeTel: "0113"}, "first_name"},
		{"phone with letters", Fields{FirstName: "J", HomeTel: "call me"}, "home_tel"},
		{"phone with extension", Fields{FirstName: "J", WorkTel: "+44 (0)113 299 1002 ext. 12"}, ""},
		{"bad e-mail", Fields{FirstName: "J", Email: "not-an-address"}, "email"},
		{"good e-mail", Fields{FirstName: "J", Email: "j@example.com"}, ""},
		{"name on two lines", Fields{FirstName: "J\nK"}, "first_name"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := c.fields
			f.normalize()
			v := f.validate()
			if c.wantKey == "" {
				if err := v.Err(); err != nil {
					t.Fatalf("validate: %v", err)
				}
				return
			}
			if len(v.Fields) == 0 || v.Fields[0].Field != c.wantKey {
				t.Fatalf("validate = %v, want an error on %s", v.Fields, c.wantKey)
			}
		})
	}
}

func TestContactsCRUDSearchAndRevision(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		s := f.svc
		g, err := s.CreateGroup(ctx, f.as(f.alice), f.alice, "Suppliers")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateGroup(ctx, f.as(f.alice), f.alice, "suppliers"); !errors.Is(err, derrors.ErrConflict) {
			t.Fatalf("duplicate group name: %v, want conflict", err)
		}
		c, err := s.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: " Henry ", LastName: "Jackson",
			HomeTel: "0113 299 1002", FaxTel: "01132991010", Company: "Jackson Joinery"}, GroupIDs: []int64{g.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if c.DisplayName != "Jackson, Henry" || c.FirstName != "Henry" || c.HomeE164 != "+441132991002" || c.HomeTel != "0113 299 1002" {
			t.Fatalf("created %+v", c)
		}
		if len(c.GroupIDs) != 1 || c.GroupIDs[0] != g.ID {
			t.Fatalf("groups = %v", c.GroupIDs)
		}
		if _, err := s.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: "Jim", CellTel: "07956098800"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: strings.Repeat("x", 33)}}); !errors.Is(err, derrors.ErrInvalid) {
			t.Fatalf("33-character name: %v, want invalid", err)
		}
		// Search by any form of the number, by names and company.
		for _, q := range []string{"01132991002", "+44 113 299 1002", "441132991002", "(0113) 2991002", "299 10", "jackson", "Henry Jackson", "Jackson, Henry", "joinery"} {
			got, n, err := s.Contacts(ctx, f.as(f.alice), f.alice, Filter{Search: q}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			if n != 1 || got[0].ID != c.ID {
				t.Errorf("search %q: %d results %v, want Henry", q, n, got)
			}
		}
		all, n, err := s.Contacts(ctx, f.as(f.alice), f.alice, Filter{}, store.Page{})
		if err != nil || n != 2 {
			t.Fatalf("list: %d %v", n, err)
		}
		if all[0].DisplayName != "Jim" || all[1].DisplayName != "Jackson, Henry" {
			t.Errorf("order = %s, %s; want Jim first (no surname; docs/contacts.md)", all[0].DisplayName, all[1].DisplayName)
		}
		if _, n, _ := s.Contacts(ctx, f.as(f.alice), f.alice, Filter{GroupID: g.ID}, store.Page{}); n != 1 {
			t.Errorf("group filter: %d, want 1", n)
		}
		rev, _ := s.Revision(ctx, f.as(f.alice), f.alice)
		// Another employee sees and changes nothing of alice's.
		if _, err := s.Contact(ctx, f.as(f.bob), f.bob, c.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("bob reads alice's contact: %v", err)
		}
		if _, n, _ := s.Contacts(ctx, f.as(f.bob), f.bob, Filter{Search: "jackson"}, store.Page{}); n != 0 {
			t.Errorf("bob's search finds %d of alice's contacts", n)
		}
		if _, err := s.UpdateContact(ctx, f.as(f.bob), f.bob, c.ID, ContactRequest{Fields: Fields{FirstName: "X"}}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("bob updates alice's contact: %v", err)
		}
		if _, err := s.DeleteContacts(ctx, f.as(f.carol), f.carol, []int64{c.ID}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("carol deletes alice's contact: %v", err)
		}
		if _, err := s.CreateContact(ctx, f.as(f.bob), f.bob, ContactRequest{Fields: Fields{FirstName: "B"}, GroupIDs: []int64{g.ID}}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("bob uses alice's group: %v", err)
		}
		if _, err := s.Export(ctx, f.as(f.bob), f.bob, ExportNative); err != nil {
			t.Fatal(err)
		} else if file, _ := s.Export(ctx, f.as(f.bob), f.bob, ExportNative); strings.Contains(string(file.Body), "Jackson") {
			t.Error("bob's export holds alice's contact")
		}
		if r, _ := s.Revision(ctx, f.as(f.alice), f.alice); r != rev {
			t.Errorf("refused changes moved the revision %d -> %d", rev, r)
		}
		// Update keeps groups when GroupIDs is nil.
		u, err := s.UpdateContact(ctx, f.as(f.alice), f.alice, c.ID, ContactRequest{Fields: Fields{FirstName: "Henry", LastName: "Jackson", WorkTel: "+44 113 299 1010"}})
		if err != nil {
			t.Fatal(err)
		}
		if u.HomeTel != "" || u.WorkE164 != "+441132991010" || len(u.GroupIDs) != 1 {
			t.Errorf("updated %+v", u)
		}
		if r, _ := s.Revision(ctx, f.as(f.alice), f.alice); r != rev+1 {
			t.Errorf("revision after update = %d, want %d", r, rev+1)
		}
		if err := s.DeleteGroup(ctx, f.as(f.alice), f.alice, g.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := s.DeleteContacts(ctx, f.as(f.alice), f.alice, []int64{c.ID, c.ID}); err != nil || n != 1 {
			t.Fatalf("delete: %d %v", n, err)
		}
		if r, _ := s.Revision(ctx, f.as(f.alice), f.alice); r != rev+3 {
			t.Errorf("revision = %d, want %d", r, rev+3)
		}
		entries, _, err := audit.New(db).List(ctx, audit.Filter{}, store.Page{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		var events []string
		for i := len(entries) - 1; i >= 0; i-- {
			events = append(events, entries[i].Event)
		}
		want := "Create Contact Group,Create Contact,Create Contact,Modify Contact,Delete Contact Group,Delete Contact"
		if got := strings.Join(events, ","); got != want {
			t.Errorf("audit = %s\nwant    %s", got, want)
		}
	})
}

func TestCreateContactLimit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.seedContacts(t, f.alice, MaxContacts)
		_, err := f.svc.CreateContact(context.Background(), f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: "One", LastName: "Toomany"}})
		if !errors.Is(err, derrors.ErrConflict) {
			t.Fatalf("contact 1001: %v, want conflict", err)
		}
	})
}

// TestImportActions checks each "Action when contact exists" with a file
// that repeats an existing contact (different case) and repeats a name
// within itself.
func TestImportActions(t *testing.T) {
	file := minimalCSV(
		[]string{"henry", "JACKSON", "01132991002", "01132991099", "", ""}, // exists
		[]string{"Jane", "Smith", "01132991001", "01132991011", "", "01132991099"},
		[]string{"James", "Walker", "", "", "07956098877", ""},
		[]string{"Jane", "Smith", "", "", "07700900123", ""}, // repeats row 3
	)
	cases := []struct {
		action                   Action
		added, updated, ignored  int
		wantHenryWork            string
		wantJanes                int
		wantJaneCell             string
		wantReasonsContain       []string
		wantContactsAfterConfirm int
	}{
		{ActionOverwrite, 2, 2, 0, "01132991099", 1, "07700900123", nil, 3},
		{ActionDuplicate, 4, 0, 0, "01132991010", 2, "", nil, 5},
		{ActionIgnore, 2, 0, 2, "01132991010", 1, "", []string{`Row 2 (JACKSON, henry): a contact named "JACKSON, henry" already exists`, "Row 5 (Smith, Jane): the contact \"Smith, Jane\" is already in this file (row 3)"}, 3},
	}
	for _, c := range cases {
		t.Run(string(c.action), func(t *testing.T) {
			storetest.Engines(t, func(t *testing.T, db *store.DB) {
				ctx := context.Background()
				f := newFixture(t, db)
				henry, err := f.svc.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: "Henry", LastName: "Jackson",
					HomeTel: "01132991002", WorkTel: "01132991010", Email: "henry@example.com"}})
				if err != nil {
					t.Fatal(err)
				}
				pv, err := f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, file, c.action)
				if err != nil {
					t.Fatal(err)
				}
				if pv.Added != c.added || pv.Updated != c.updated || pv.Ignored != c.ignored || pv.Deleted != 0 {
					t.Fatalf("preview = added %d updated %d ignored %d, want %d %d %d", pv.Added, pv.Updated, pv.Ignored, c.added, c.updated, c.ignored)
				}
				if pv.Source != "minimal" || pv.Existing != 1 {
					t.Errorf("source %q existing %d", pv.Source, pv.Existing)
				}
				var lines []string
				for _, d := range pv.Details {
					lines = append(lines, d.String())
				}
				if got, want := strings.Join(lines, "\n"), strings.Join(c.wantReasonsContain, "\n"); got != want {
					t.Errorf("details:\n%s\nwant:\n%s", got, want)
				}
				if n, _ := f.svc.Count(ctx, f.as(f.alice), f.alice); n != 1 {
					t.Fatalf("preview stored contacts: %d", n)
				}
				again, err := f.svc.Import(ctx, f.as(f.alice), f.alice, pv.ID)
				if err != nil || again.Added != pv.Added || len(again.Details) != len(pv.Details) {
					t.Fatalf("Import(%d) = %+v, %v", pv.ID, again, err)
				}
				res, err := f.svc.ConfirmImport(ctx, f.as(f.alice), f.alice, pv.ID)
				if err != nil {
					t.Fatal(err)
				}
				if res.Total != c.wantContactsAfterConfirm || res.Added != c.added || res.Note != "You currently have "+strconv.Itoa(res.Total)+" contacts." {
					t.Errorf("result %+v", res)
				}
				got, err := f.svc.Contact(ctx, f.as(f.alice), f.alice, henry.ID)
				if err != nil {
					t.Fatal(err)
				}
				if got.WorkTel != c.wantHenryWork || got.Email != "henry@example.com" {
					t.Errorf("Henry after import: work %q email %q, want work %q and the e-mail kept", got.WorkTel, got.Email, c.wantHenryWork)
				}
				if c.action == ActionOverwrite && got.FirstName != "henry" {
					t.Errorf("overwrite keeps first name %q, want the file's", got.FirstName)
				}
				janes, n, _ := f.svc.Contacts(ctx, f.as(f.alice), f.alice, Filter{Search: "jane smith"}, store.Page{})
				if n != c.wantJanes {
					t.Fatalf("Janes = %d, want %d", n, c.wantJanes)
				}
				if c.action == ActionOverwrite && (janes[0].CellTel != c.wantJaneCell || janes[0].HomeTel != "") {
					t.Errorf("Jane merged from rows 3 and 5: %+v", janes[0].Fields)
				}
				entries, _, _ := audit.New(db).List(ctx, audit.Filter{Event: "Import Contacts"}, store.Page{})
				if len(entries) != 1 || !strings.Contains(string(entries[0].After), `"added":`+strconv.Itoa(c.added)) {
					t.Errorf("audit of import: %+v", entries)
				}
				if _, err := f.svc.ConfirmImport(ctx, f.as(f.alice), f.alice, pv.ID); !errors.Is(err, derrors.ErrNotFound) {
					t.Errorf("second confirm: %v, want not found", err)
				}
			})
		})
	}
}

func TestImportReasons(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		long := strings.Repeat("L", 33)
		file := minimalCSV(
			[]string{long, "Smith", "0113", "", "", ""},
			[]string{"", "", "01132991001", "", "", ""},
			[]string{"", "", "", "", "", ""}, // blank: not an entry
			[]string{"Ann", "Bad", "call me", "", "", ""},
			[]string{"Ok", "Person", "0113 496 0000", "", "", ""},
		)
		pv, err := f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, file, ActionIgnore)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{
			"Row 2 (Smith, " + long[:32] + "L): First Name must be at most 32 characters (it has 33)",
			"Row 3: the entry has no name (First Name, Last Name and Company are empty)",
			`Row 5 (Bad, Ann): Home Tel "call me" is not a phone number: it may hold only digits, spaces and + ( ) - . / * #`,
		}
		if pv.Added != 1 || pv.Ignored != 3 || len(pv.Details) != 3 {
			t.Fatalf("preview %+v", pv)
		}
		for i, w := range want {
			if got := pv.Details[i].String(); got != w {
				t.Errorf("detail %d = %q\nwant %q", i, got, w)
			}
		}
	})
}

func TestImportLimit(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		f.seedContacts(t, f.alice, MaxContacts-2)
		file := minimalCSV(
			[]string{"Seed", "Person 0001", "01134960001", "", "", ""}, // exists: an update is not an addition
			[]string{"A", "One", "01134960001", "", "", ""},
			[]string{"B", "Two", "01134960002", "", "", ""},
			[]string{"C", "Three", "01134960003", "", "", ""},
			[]string{"D", "Four", "01134960004", "", "", ""},
		)
		pv, err := f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, file, ActionOverwrite)
		if err != nil {
			t.Fatal(err)
		}
		if pv.Added != 2 || pv.Updated != 1 || pv.Ignored != 2 {
			t.Fatalf("preview added %d updated %d ignored %d", pv.Added, pv.Updated, pv.Ignored)
		}
		note := "You currently have 998 contacts. If you reach 1000 during the import, any remaining entries will be ignored."
		if pv.Note != note {
			t.Errorf("note %q", pv.Note)
		}
		// The entries past the limit say so, not the general note.
		for _, d := range pv.Details {
			if !strings.HasPrefix(d.Reason, "the limit of 1000 is reached") {
				t.Errorf("reason %q", d.Reason)
			}
		}
		if pv.Details[0].Row != 5 || pv.Details[1].Row != 6 {
			t.Errorf("ignored rows %d, %d; want 5 and 6", pv.Details[0].Row, pv.Details[1].Row)
		}
		res, err := f.svc.ConfirmImport(ctx, f.as(f.alice), f.alice, pv.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res.Total != MaxContacts {
			t.Errorf("total %d", res.Total)
		}
	})
}

func TestCancelAndExpiry(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		file := minimalCSV([]string{"Jane", "Smith", "01132991001", "", "", ""})
		auditCount := func() int {
			_, n, err := audit.New(db).List(ctx, audit.Filter{}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		pv, err := f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, file, ActionOverwrite)
		if err != nil {
			t.Fatal(err)
		}
		// Other employees can neither see, confirm nor cancel it.
		for _, other := range []int64{f.bob, f.carol} {
			if _, err := f.svc.Import(ctx, f.as(other), other, pv.ID); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("Import by %d: %v", other, err)
			}
			if _, err := f.svc.ConfirmImport(ctx, f.as(other), other, pv.ID); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("Confirm by %d: %v", other, err)
			}
			if err := f.svc.CancelImport(ctx, f.as(other), other, pv.ID); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("Cancel by %d: %v", other, err)
			}
			if n, _ := f.svc.Count(ctx, f.as(other), other); n != 0 {
				t.Errorf("employee %d has %d contacts", other, n)
			}
		}
		if err := f.svc.CancelImport(ctx, f.as(f.alice), f.alice, pv.ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := f.svc.Count(ctx, f.as(f.alice), f.alice); n != 0 {
			t.Errorf("cancel stored %d contacts", n)
		}
		if r, _ := f.svc.Revision(ctx, f.as(f.alice), f.alice); r != 0 {
			t.Errorf("cancel moved the revision to %d", r)
		}
		if n := auditCount(); n != 0 {
			t.Errorf("cancel audited %d events", n)
		}
		var pending int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM contact_imports").Scan(&pending); err != nil || pending != 0 {
			t.Errorf("pending imports after cancel: %d %v", pending, err)
		}
		if _, err := f.svc.ConfirmImport(ctx, f.as(f.alice), f.alice, pv.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("confirm after cancel: %v", err)
		}

		// Expiry.
		pv, err = f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, file, ActionOverwrite)
		if err != nil {
			t.Fatal(err)
		}
		real := f.svc.now
		f.svc.now = func() time.Time { return real().Add(ImportTTL + time.Minute) }
		if _, err := f.svc.ConfirmImport(ctx, f.as(f.alice), f.alice, pv.ID); !errors.Is(err, ErrImportExpired) || !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("confirm after expiry: %v", err)
		}
		if _, err := f.svc.Import(ctx, f.as(f.alice), f.alice, pv.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("expired import still shown: %v", err)
		}
		if n, _ := f.svc.PurgeExpiredImports(ctx); n != 1 {
			t.Errorf("purged %d", n)
		}
		f.svc.now = real
		if n, _ := f.svc.Count(ctx, f.as(f.alice), f.alice); n != 0 {
			t.Errorf("expired confirm stored %d contacts", n)
		}

		// A change between preview and confirm makes the preview stale.
		pv, err = f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, file, ActionIgnore)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CreateContact(ctx, f.as(f.alice), f.alice, ContactRequest{Fields: Fields{FirstName: "Jane", LastName: "Smith"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.ConfirmImport(ctx, f.as(f.alice), f.alice, pv.ID); !errors.Is(err, ErrImportStale) {
			t.Errorf("confirm of a stale preview: %v", err)
		}
		if n, _ := f.svc.Count(ctx, f.as(f.alice), f.alice); n != 1 {
			t.Errorf("stale confirm changed contacts: %d", n)
		}
	})
}

func TestPreviewRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		f := newFixture(t, db)
		cases := []struct {
			name   string
			file   []byte
			action Action
			want   []string
		}{
			{"no action", minimalCSV(), "", []string{"overwrite, duplicate or ignore"}},
			{"empty", nil, ActionIgnore, []string{"choose a CSV"}},
			{"names only", []byte("First Name,Last Name\r\nJane,Smith\r\n"), ActionIgnore,
				[]string{"no phone number column", `"First Name", "Last Name"`}},
			{"numbers only", []byte("Number;Tel\n1;2\n"), ActionIgnore, []string{"no column that can be read as a name", `"Number", "Tel"`}},
			{"too big", make([]byte, MaxFileSize+1), ActionIgnore, []string{"larger than 10 MB"}},
			{"binary", []byte("PK\x03\x04\x00\x00\x08\x00"), ActionIgnore, []string{"not a text file"}},
		}
		for _, c := range cases {
			_, err := f.svc.PreviewImport(ctx, f.as(f.alice), f.alice, c.file, c.action)
			if !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("%s: %v, want a validation error", c.name, err)
				continue
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%s: %q does not mention %q", c.name, err, w)
				}
			}
		}
		var n int
		_ = db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM contact_imports").Scan(&n)
		if n != 0 {
			t.Errorf("refused previews stored %d imports", n)
		}
	})
}
