package ui_test

import (
	"bytes"
	"context"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// seedSheet is an example sheet in the minimal template (docs/contacts.md).
const seedSheet = "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel\r\n" +
	"Henry,Jackson,01132991002,01132991010,,\r\n" +
	"Jane,Smith,01132991001,01132991011,,01132991099\r\n" +
	"James,Walker,,,07956098877,\r\n" +
	"Jim,,,,07956098800,\r\n"

// upload posts a multipart form with a file, as the Import dialog does.
func (b *browser) uploadContacts(path, filename string, file []byte, vals url.Values) page {
	b.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	_ = mw.WriteField("csrf_token", b.csrf)
	for k, vs := range vals {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write(file)
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.env.Server.URL+path, &buf)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestSelfCareHome(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("west.one", false)
	if p := b.get("/my-account"); p.Status != http.StatusMovedPermanently || p.Location != "/account" {
		t.Fatalf("the old My Account: %d %q", p.Status, p.Location)
	}
	p := b.get("/account")
	if p.Status != http.StatusOK {
		t.Fatalf("my account: %d", p.Status)
	}
	for _, want := range []string{"Profile", "Wendy", "West", "Sign-in and security", "Account password", "Application password",
		`href="/account/pins">PIN`, "Security e-mail", "Help", "Contacts Minimal version", "Contacts Full version",
		`aria-current="page">My Account`, `name="first_name"`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("My Account lacks %q", want)
		}
	}
	// The PIN links lead to a page the employee may use.
	if p := b.get("/account/pins"); p.Status != http.StatusOK || !strings.Contains(p.Body, "voicemail_pin") {
		t.Errorf("service passwords: %d", p.Status)
	}
	for kind, name := range map[string]string{"minimal": "contacts_minimal.csv", "full": "contacts_full.csv"} {
		p := b.get("/contacts/templates/" + kind)
		_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if p.Status != http.StatusOK || params["filename"] != name || !strings.Contains(p.Body, "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel") {
			t.Errorf("template %s: %d %q", kind, p.Status, p.Header.Get("Content-Disposition"))
		}
	}
	if p := b.get("/contacts/templates/other"); p.Status != http.StatusNotFound {
		t.Errorf("unknown template: %d", p.Status)
	}
	// Administrators have a My Account too.
	admin := newBrowser(t, env)
	admin.login("acme.admin", false)
	if p := admin.get("/account"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Sign-in and security") {
		t.Errorf("admin's my account: %d", p.Status)
	}
}

var importURL = regexp.MustCompile(`^/contacts/import/(\d+)$`)

func TestContactsPages(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("west.one", false)
	p := b.get("/contacts")
	for _, want := range []string{"New Contact", "New Group", "Import", "Export All", ">Edit<", ">Delete<", "Select all", `placeholder="Search for.."`} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("contacts page lacks %q", want)
		}
	}

	// Import, two phases: nothing stored before Confirm.
	b.get("/contacts/import")
	p = b.uploadContacts("/contacts/import", "contacts_slim.csv", []byte(seedSheet+"Anna,"+strings.Repeat("x", 33)+",0113\r\n"), url.Values{"action": {"ignore"}})
	m := importURL.FindStringSubmatch(p.Location)
	if p.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("import upload: %d %q %s", p.Status, p.Location, p.Body)
	}
	p = b.get(p.Location)
	for _, want := range []string{`id="count-added">4<`, `id="count-updated">0<`, `id="count-deleted">0<`, `id="count-ignored">1<`,
		"Note: You currently have 0 contacts. If you reach 1000 during the import, any remaining entries will be ignored.",
		"Row 6", "32", "Confirm", "Cancel", "Overwrite the contact", "Duplicate the contact", "Ignore imported entry"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("import preview lacks %q", want)
		}
	}
	if n, _ := env.App.Contacts.Count(context.Background(), ownerActor(env, env.ID("west.one")), env.ID("west.one")); n != 0 {
		t.Fatalf("contacts stored before Confirm: %d", n)
	}
	p = b.post("/contacts/import/"+m[1]+"/confirm", nil, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("confirm: %d %s", p.Status, p.Body)
	}
	p = b.get("/contacts")
	for _, want := range []string{"Jackson, Henry", "Smith, Jane", "Walker, James", ">Jim<", "01132991002", "pc-home.svg", ">home<", ">fax<", ">cell<"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("contacts list lacks %q", want)
		}
	}
	// Search by number in another format.
	if p := b.get("/contacts?q=" + url.QueryEscape("+44 113 299 1002")); !strings.Contains(p.Body, "Jackson, Henry") || strings.Contains(p.Body, "Smith, Jane") {
		t.Errorf("search by number")
	}
	// Cancel stores nothing.
	p = b.uploadContacts("/contacts/import", "again.csv", []byte("First Name,Last Name,Home Tel\r\nNew,Person,0113\r\n"), url.Values{"action": {"duplicate"}})
	m = importURL.FindStringSubmatch(p.Location)
	if m == nil {
		t.Fatalf("second upload: %d %s", p.Status, p.Body)
	}
	b.get(p.Location)
	if p := b.post("/contacts/import/"+m[1]+"/cancel", nil, false); p.Status != http.StatusSeeOther {
		t.Fatalf("cancel: %d", p.Status)
	}
	if n, _ := env.App.Contacts.Count(context.Background(), ownerActor(env, env.ID("west.one")), env.ID("west.one")); n != 4 {
		t.Errorf("after cancel: %d contacts", n)
	}
	// A file without a phone column is refused on the first phase.
	p = b.uploadContacts("/contacts/import", "names.csv", []byte("First Name,Last Name\r\nA,B\r\n"), url.Values{"action": {"ignore"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "phone") {
		t.Errorf("no phone column: %d", p.Status)
	}

	// New Contact with a name too long: the field's error, nothing stored.
	b.get("/contacts/new")
	p = b.post("/contacts/new", url.Values{"first_name": {strings.Repeat("y", 33)}, "home_tel": {"0113 496 0000"}}, false)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "at most 32 characters") {
		t.Errorf("long name: %d", p.Status)
	}
	p = b.post("/contacts/new", url.Values{"first_name": {"Pat"}, "last_name": {"Lee"}, "cell_tel": {"07700 900123"}}, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("new contact: %d %s", p.Status, p.Body)
	}
	// Groups: New Group, then a contact joins it from Edit.
	b.get("/contacts/groups/new")
	if p := b.post("/contacts/groups/new", url.Values{"name": {"Suppliers"}}, false); p.Status != http.StatusSeeOther {
		t.Fatalf("new group: %d %s", p.Status, p.Body)
	}
	owner := env.ID("west.one")
	gs, _ := env.App.Contacts.Groups(context.Background(), ownerActor(env, owner), owner)
	cs, _, _ := env.App.Contacts.Contacts(context.Background(), ownerActor(env, owner), owner, contacts.Filter{Search: "Lee"}, storePage())
	if len(gs) != 1 || len(cs) != 1 {
		t.Fatalf("groups %v contacts %v", gs, cs)
	}
	// Edit through the selection (one selected), then save.
	p = b.post("/contacts/selection", url.Values{"op": {"edit"}, "id": {id(cs[0].ID)}}, false)
	if p.Location != "/contacts/"+id(cs[0].ID) {
		t.Fatalf("edit selection: %d %q", p.Status, p.Location)
	}
	b.get(p.Location)
	p = b.post(p.Location, url.Values{"first_name": {"Pat"}, "last_name": {"Lee"}, "cell_tel": {"07700 900123"}, "group_ids": {id(gs[0].ID)}}, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", p.Status, p.Body)
	}
	if p := b.get("/contacts?group=" + id(gs[0].ID)); !strings.Contains(p.Body, "Lee, Pat") || strings.Contains(p.Body, "Jackson, Henry") {
		t.Errorf("group filter")
	}
	// Edit with two selected asks for one.
	if p := b.post("/contacts/selection", url.Values{"op": {"edit"}, "id": {"1", "2"}}, false); !strings.Contains(p.Location, "pc-select-one") {
		t.Errorf("edit two: %q", p.Location)
	}
	// Export All: every mode downloads with its file name.
	for mode, name := range map[string]string{"outlook": "contacts_outlook.csv", "windows": "contacts_windows.csv", "native": "contacts.csv", "vcard": "contacts.vcf", "vcard3": "contacts.vcf"} {
		p := b.get("/contacts/export/download?mode=" + mode)
		_, params, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if p.Status != http.StatusOK || params["filename"] != name || !strings.Contains(p.Body, "Jackson") {
			t.Errorf("export %s: %d %q", mode, p.Status, p.Header.Get("Content-Disposition"))
		}
	}
	if p := b.get("/contacts/export"); !strings.Contains(p.Body, "Outlook/Outlook Express compatible") || !strings.Contains(p.Body, "Windows Contacts on Vista") || !strings.Contains(p.Body, "Native format") {
		t.Errorf("export dialog lacks the export modes")
	}
	// Delete: Select all deletes every contact shown.
	all := url.Values{"op": {"delete"}, "all": {"1"}}
	for _, c := range mustContacts(t, env, owner) {
		all.Add("shown", id(c.ID))
	}
	if p := b.post("/contacts/selection", all, false); p.Status != http.StatusSeeOther {
		t.Fatalf("delete all: %d %s", p.Status, p.Body)
	}
	if n, _ := env.App.Contacts.Count(context.Background(), ownerActor(env, owner), owner); n != 0 {
		t.Errorf("after delete all: %d", n)
	}
}

// TestContactsPagesArePrivate: another employee, an administrator of the
// same company and another company's people get the same 404 as for an id
// that does not exist.
func TestContactsPagesArePrivate(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	west := env.ID("west.one")
	c, err := env.App.Contacts.CreateContact(ctx, ownerActor(env, west), west, contacts.ContactRequest{Fields: contacts.Fields{FirstName: "Henry", LastName: "Jackson", HomeTel: "01132991002"}})
	if err != nil {
		t.Fatal(err)
	}
	g, err := env.App.Contacts.CreateGroup(ctx, ownerActor(env, west), west, "Suppliers")
	if err != nil {
		t.Fatal(err)
	}
	pv, err := env.App.Contacts.PreviewImport(ctx, ownerActor(env, west), west, []byte(seedSheet), contacts.ActionIgnore)
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"support.one", "acme.admin", "leeds.admin", "globex.one"} {
		b := newBrowser(t, env)
		b.login(user, false)
		b.get("/contacts")
		for _, path := range []string{"/contacts/" + id(c.ID), "/contacts/groups/" + id(g.ID), "/contacts/import/" + id(pv.ID), "/contacts?group=" + id(g.ID)} {
			if p := b.get(path); p.Status != http.StatusNotFound || strings.Contains(p.Body, "Jackson") || strings.Contains(p.Body, "Suppliers") {
				t.Errorf("%s GET %s: %d", user, path, p.Status)
			}
		}
		for _, post := range []struct {
			path string
			vals url.Values
		}{
			{"/contacts/" + id(c.ID), url.Values{"first_name": {"X"}}},
			{"/contacts/selection", url.Values{"op": {"delete"}, "id": {id(c.ID)}}},
			{"/contacts/selection", url.Values{"op": {"edit"}, "id": {id(c.ID)}}},
			{"/contacts/groups/" + id(g.ID) + "/delete", nil},
			{"/contacts/import/" + id(pv.ID) + "/confirm", nil},
			{"/contacts/import/" + id(pv.ID) + "/cancel", nil},
		} {
			if p := b.post(post.path, post.vals, false); p.Status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d", user, post.path, p.Status)
			}
		}
		if p := b.get("/contacts?q=Jackson"); strings.Contains(p.Body, "Jackson, Henry") {
			t.Errorf("%s sees west.one's contact in a search", user)
		}
	}
	if _, err := env.App.Contacts.Contact(ctx, ownerActor(env, west), west, c.ID); err != nil {
		t.Errorf("west.one's contact is gone: %v", err)
	}
	if _, err := env.App.Contacts.Import(ctx, ownerActor(env, west), west, pv.ID); err != nil {
		t.Errorf("west.one's import is gone: %v", err)
	}
}

// TestLoginByNumberForm: the login form takes the employee's number.
func TestLoginByNumberForm(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	if _, err := storetest.Exec(ctx, env.App.DB, "UPDATE accounts SET phone = ? WHERE id = ?", "01134960500", env.ID("west.one")); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env)
	p := b.login("+44 113 496 0500", false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("login by number: %d %s", p.Status, p.Body)
	}
	if p := b.get("/account"); p.Status != http.StatusOK || !strings.Contains(p.Body, "west.one") {
		t.Errorf("after login by number: %d", p.Status)
	}
}

func storePage() store.Page { return store.Page{Page: 1, PerPage: 500} }

func mustContacts(t *testing.T, env *apptest.Env, owner int64) []contacts.Contact {
	t.Helper()
	cs, _, err := env.App.Contacts.Contacts(context.Background(), ownerActor(env, owner), owner, contacts.Filter{}, storePage())
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// ownerActor is the actor of the fixture account id, acting on their own contacts.
func ownerActor(env *apptest.Env, id int64) access.Actor {
	for _, a := range env.Fixture.Accounts {
		if a.ID == id {
			return a.Actor()
		}
	}
	panic("no fixture account " + strconv.FormatInt(id, 10))
}

// TestContactsImportPreviewSaysWhatToCheck: the dialog names the entry
// whose text had to be repaired and the columns kept in Notes, and a file
// with a header only is refused in the dialog.
func TestContactsImportPreviewSaysWhatToCheck(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("west.one", false)
	b.get("/contacts/import")
	file := append([]byte("First Name,Last Name,Cell Tel,Birthday\r\nSiobhán,Murphy,07700 900001,1990-05-01\r\nBr"), 0xE9)
	file = append(file, []byte("ak,Row,07700 900002,\r\n")...)
	p := b.uploadContacts("/contacts/import", "book.csv", file, url.Values{"action": {"duplicate"}})
	if importURL.FindStringSubmatch(p.Location) == nil {
		t.Fatalf("upload: %d %s", p.Status, p.Body)
	}
	p = b.get(p.Location)
	for _, want := range []string{`id="pc-warnings"`, "Row 3 (Row, Br\uFFFDak)", "not valid UTF-8", `id="pc-unmapped"`, "Birthday", "utf-8"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	p = b.uploadContacts("/contacts/import", "empty.csv", []byte("First Name,Last Name,Cell Tel\r\n"), url.Values{"action": {"ignore"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "no contacts in the file") {
		t.Errorf("header-only file: %d", p.Status)
	}
}
