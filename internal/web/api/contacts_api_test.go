package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3filter"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func init() {
	// The contract test validates vCard bodies as the plain strings they are.
	openapi3filter.RegisterBodyDecoder("text/vcard", openapi3filter.FileBodyDecoder)
}

// seedCSV is an example sheet in the minimal template (docs/contacts.md).
const seedCSV = "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel\r\n" +
	"Henry,Jackson,01132991002,01132991010,,\r\n" +
	"Jane,Smith,01132991001,01132991011,,01132991099\r\n" +
	"James,Walker,,,07956098877,\r\n" +
	"Jim,,,,07956098800,\r\n"

// multipartImport builds a multipart/form-data body with a file part and an
// action part; it returns the body and its Content-Type.
func multipartImport(t testing.TB, name string, file []byte, action string) (string, string) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(file)
	if action != "" {
		_ = mw.WriteField("action", action)
	}
	_ = mw.Close()
	return buf.String(), mw.FormDataContentType()
}

// send is one request with a raw body and content type.
func send(t testing.TB, env *apptest.Env, token, method, path, contentType string, body []byte) apptest.Response {
	t.Helper()
	req, err := http.NewRequest(method, env.Server.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// importFile previews file for the token's owner and returns the preview.
func importFile(t testing.TB, env *apptest.Env, token string, file []byte, action string) contacts.ImportPreview {
	t.Helper()
	body, ct := multipartImport(t, "contacts.csv", file, action)
	res := send(t, env, token, "POST", "/api/v1/contacts/imports", ct, []byte(body))
	if res.Status != http.StatusCreated {
		t.Fatalf("import preview: %d %s", res.Status, res.Body)
	}
	var pv contacts.ImportPreview
	res.JSON(t, &pv)
	return pv
}

func confirmImport(t testing.TB, env *apptest.Env, token string, id int64) contacts.ImportResult {
	t.Helper()
	res := env.Do(t, token, "POST", fmt.Sprintf("/api/v1/contacts/imports/%d/confirm", id), nil)
	if res.Status != http.StatusOK {
		t.Fatalf("confirm: %d %s", res.Status, res.Body)
	}
	var r contacts.ImportResult
	res.JSON(t, &r)
	return r
}

// contactLines lists the owner's contacts as comparable lines.
func contactLines(t testing.TB, env *apptest.Env, token string) []string {
	t.Helper()
	res := env.Do(t, token, "GET", "/api/v1/contacts?per_page=500", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("list: %d %s", res.Status, res.Body)
	}
	var l struct {
		Items []contacts.Contact `json:"items"`
	}
	res.JSON(t, &l)
	var out []string
	for _, c := range l.Items {
		out = append(out, strings.Join([]string{c.FirstName, c.LastName, c.HomeTel, c.WorkTel, c.CellTel, c.FaxTel}, "|"))
	}
	return out
}

// TestContactsRoundTrip: the minimal template, filled in as a user would,
// imports; each export mode, imported by another employee, gives the same
// contacts back.
func TestContactsRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		west := sessionToken(t, env, "west.one")
		tpl := env.Do(t, west, "GET", "/api/v1/contacts/templates/minimal", nil)
		if tpl.Status != http.StatusOK {
			t.Fatalf("template: %d", tpl.Status)
		}
		if _, params, _ := mime.ParseMediaType(tpl.Header.Get("Content-Disposition")); params["filename"] != "contacts_minimal.csv" {
			t.Errorf("template Content-Disposition %q", tpl.Header.Get("Content-Disposition"))
		}
		header, _, _ := strings.Cut(strings.TrimPrefix(string(tpl.Body), "\uFEFF"), "\r\n")
		if header != "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel" {
			t.Fatalf("minimal template header %q", header)
		}
		file := "\uFEFF" + header + "\r\n" + strings.SplitN(seedCSV, "\r\n", 2)[1]
		pv := importFile(t, env, west, []byte(file), "ignore")
		if pv.Added != 4 || pv.Updated != 0 || pv.Deleted != 0 || pv.Ignored != 0 || pv.Source != "minimal" {
			t.Fatalf("preview = %+v", pv)
		}
		if got := contactLines(t, env, west); len(got) != 0 {
			t.Fatalf("contacts before Confirm: %v", got)
		}
		res := confirmImport(t, env, west, pv.ID)
		if res.Added != 4 || res.Total != 4 {
			t.Fatalf("confirm = %+v", res)
		}
		want := contactLines(t, env, west)
		if len(want) != 4 || !slices.Contains(want, "Henry|Jackson|01132991002|01132991010||") {
			t.Fatalf("contacts after import: %v", want)
		}
		modes := map[string]string{"outlook": "contacts_outlook.csv", "windows": "contacts_windows.csv", "native": "contacts.csv",
			"vcard": "contacts.vcf", "vcard3": "contacts.vcf"}
		others := []string{"support.one", "london.one", "sales.admin", "leeds.admin", "acme.admin"}
		i := 0
		for mode, name := range modes {
			t.Run(mode, func(t *testing.T) {
				exp := env.Do(t, west, "GET", "/api/v1/contacts/export?mode="+mode, nil)
				if exp.Status != http.StatusOK {
					t.Fatalf("export %s: %d %s", mode, exp.Status, exp.Body)
				}
				if _, params, _ := mime.ParseMediaType(exp.Header.Get("Content-Disposition")); params["filename"] != name {
					t.Errorf("export %s: Content-Disposition %q", mode, exp.Header.Get("Content-Disposition"))
				}
				other := sessionToken(t, env, others[i])
				i++
				pv := importFile(t, env, other, exp.Body, "ignore")
				if pv.Added != 4 || pv.Ignored != 0 {
					t.Fatalf("re-import of %s: %+v", mode, pv)
				}
				confirmImport(t, env, other, pv.ID)
				if got := contactLines(t, env, other); !slices.Equal(got, want) {
					t.Errorf("re-import of %s:\n got %v\nwant %v", mode, got, want)
				}
			})
		}
	})
}

// TestContactsImportActions: the three actions when a contact exists, the
// two limits with their reasons, and Cancel storing nothing.
func TestContactsImportActions(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		west := sessionToken(t, env, "west.one")
		confirmImport(t, env, west, importFile(t, env, west, []byte(seedCSV), "ignore").ID)
		again := "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel\r\nhenry,JACKSON,,,07700900123,\r\n"

		// Ignore: the entry is skipped with its reason.
		pv := importFile(t, env, west, []byte(again), "ignore")
		if pv.Added != 0 || pv.Updated != 0 || pv.Ignored != 1 || len(pv.Details) != 1 || !strings.Contains(pv.Details[0].Reason, "exists") {
			t.Errorf("ignore: %+v", pv)
		}
		if pv.Note != "You currently have 4 contacts. If you reach 1000 during the import, any remaining entries will be ignored." {
			t.Errorf("note %q", pv.Note)
		}
		// Cancel stores nothing, and the import is gone.
		rev := func() int64 {
			r, err := env.App.Contacts.Revision(ctx, ownerActor(env, env.ID("west.one")), env.ID("west.one"))
			if err != nil {
				t.Fatal(err)
			}
			return r
		}
		before := rev()
		if res := env.Do(t, west, "POST", fmt.Sprintf("/api/v1/contacts/imports/%d/cancel", pv.ID), nil); res.Status != http.StatusNoContent {
			t.Fatalf("cancel: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, west, "POST", fmt.Sprintf("/api/v1/contacts/imports/%d/confirm", pv.ID), nil); res.Status != http.StatusNotFound {
			t.Errorf("confirm after cancel: %d", res.Status)
		}
		if rev() != before || len(contactLines(t, env, west)) != 4 {
			t.Errorf("cancel changed the contacts")
		}

		// Overwrite: the existing contact gets the file's columns; the
		// others are kept (Henry's home number stays, the cell is new).
		pv = importFile(t, env, west, []byte("First Name,Last Name,Cell Tel\r\nhenry,JACKSON,07700900123\r\n"), "overwrite")
		if pv.Updated != 1 || pv.Added != 0 {
			t.Fatalf("overwrite preview: %+v", pv)
		}
		confirmImport(t, env, west, pv.ID)
		lines := contactLines(t, env, west)
		if len(lines) != 4 || !slices.Contains(lines, "henry|JACKSON|01132991002|01132991010|07700900123|") {
			t.Errorf("after overwrite: %v", lines)
		}
		// Duplicate: another contact with the same name.
		pv = importFile(t, env, west, []byte(again), "duplicate")
		if pv.Added != 1 {
			t.Fatalf("duplicate preview: %+v", pv)
		}
		confirmImport(t, env, west, pv.ID)
		if n := len(contactLines(t, env, west)); n != 5 {
			t.Errorf("after duplicate: %d contacts", n)
		}

		// A name over 32 characters is ignored with the reason, not cut.
		long := strings.Repeat("x", 33)
		pv = importFile(t, env, west, []byte("First Name,Last Name,Home Tel\r\n"+long+",Smith,0113\r\nOk,Fine,0114\r\n"), "ignore")
		if pv.Added != 1 || pv.Ignored != 1 || !strings.Contains(pv.Details[0].Reason, "32") || pv.Details[0].Entry != "Row 2" {
			t.Errorf("long name: %+v", pv)
		}
		env.Do(t, west, "POST", fmt.Sprintf("/api/v1/contacts/imports/%d/cancel", pv.ID), nil)

		// The 1000 limit: entries past it are ignored, each with the reason (docs/contacts.md).
		var b strings.Builder
		b.WriteString("First Name,Last Name,Home Tel\r\n")
		for i := range 1000 {
			fmt.Fprintf(&b, "First%d,Last%d,0113 496 %04d\r\n", i, i, i)
		}
		pv = importFile(t, env, west, []byte(b.String()), "ignore")
		if pv.Added != 995 || pv.Ignored != 5 || len(pv.Details) != 5 || !strings.Contains(pv.Details[0].Reason, "1000") {
			t.Errorf("limit: added %d ignored %d details %v", pv.Added, pv.Ignored, pv.Details[:min(len(pv.Details), 2)])
		}
		if r := confirmImport(t, env, west, pv.ID); r.Total != 1000 {
			t.Errorf("total after the limit: %d", r.Total)
		}

		// A file with no phone column is refused before anything happens.
		body, ct := multipartImport(t, "names.csv", []byte("First Name,Last Name\r\nA,B\r\n"), "ignore")
		if res := send(t, env, west, "POST", "/api/v1/contacts/imports", ct, []byte(body)); res.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(string(res.Body), `"field":"file"`) {
			t.Errorf("no phone column: %d %s", res.Status, res.Body)
		}
		// A file larger than the limit is refused by the service with its
		// message and its true size.
		big := bytes.Repeat([]byte("a"), 12*(1<<20)+3*(1<<20)/10)
		if res := send(t, env, west, "POST", "/api/v1/contacts/imports?action=ignore", "text/csv", big); res.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(string(res.Body), "the file is 12.3 MB") || !strings.Contains(string(res.Body), "larger than 10 MB") {
			t.Errorf("oversized file: %d %.200s", res.Status, res.Body)
		}
		// A raw vCard body works as well as multipart.
		vcf := "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nTEL;TYPE=CELL:07700900999\r\nEND:VCARD\r\n"
		tok := sessionToken(t, env, "support.one")
		res := send(t, env, tok, "POST", "/api/v1/contacts/imports?action=duplicate", "text/vcard", []byte(vcf))
		if res.Status != http.StatusCreated || !strings.Contains(string(res.Body), `"added":1`) {
			t.Errorf("vCard body: %d %s", res.Status, res.Body)
		}
		// A bad action names the field.
		if res := send(t, env, tok, "POST", "/api/v1/contacts/imports?action=merge", "text/csv", []byte(seedCSV)); res.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(string(res.Body), `"field":"action"`) {
			t.Errorf("bad action: %d %s", res.Status, res.Body)
		}
	})
}

// TestContactsArePrivate: nobody but the employee can read or change their
// contacts — not a colleague, not an administrator of the same company, not
// another company, not an operator — and the answer is exactly that for an
// id that does not exist.
func TestContactsArePrivate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		westID := env.ID("west.one")
		c, err := env.App.Contacts.CreateContact(ctx, ownerActor(env, westID), westID, contacts.ContactRequest{Fields: contacts.Fields{FirstName: "Henry", LastName: "Jackson", HomeTel: "01132991002"}})
		if err != nil {
			t.Fatal(err)
		}
		g, err := env.App.Contacts.CreateGroup(ctx, ownerActor(env, westID), westID, "Suppliers")
		if err != nil {
			t.Fatal(err)
		}
		pv, err := env.App.Contacts.PreviewImport(ctx, ownerActor(env, westID), westID, []byte(seedCSV), contacts.ActionIgnore)
		if err != nil {
			t.Fatal(err)
		}
		const missing = 987654321
		calls := []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/contacts/%d", nil},
			{"PUT", "/api/v1/contacts/%d", map[string]any{"first_name": "Mallory"}},
			{"DELETE", "/api/v1/contacts/%d", nil},
			{"GET", "/api/v1/contacts/groups/%d", nil},
			{"PATCH", "/api/v1/contacts/groups/%d", map[string]any{"name": "Mine"}},
			{"DELETE", "/api/v1/contacts/groups/%d", nil},
			{"GET", "/api/v1/contacts/imports/%d", nil},
			{"POST", "/api/v1/contacts/imports/%d/confirm", nil},
			{"POST", "/api/v1/contacts/imports/%d/cancel", nil},
		}
		idOf := func(path string) int64 {
			switch {
			case strings.Contains(path, "/groups/"):
				return g.ID
			case strings.Contains(path, "/imports/"):
				return pv.ID
			}
			return c.ID
		}
		for _, user := range []string{"support.one", "sales.admin", "leeds.admin", "acme.admin", "globex.admin", "globex.one", "operator"} {
			tok := sessionToken(t, env, user)
			for _, call := range calls {
				other := env.Do(t, tok, call.method, fmt.Sprintf(call.path, idOf(call.path)), call.body)
				none := env.Do(t, tok, call.method, fmt.Sprintf(call.path, missing), call.body)
				if other.Status != http.StatusNotFound || other.Status != none.Status || string(other.Body) != string(none.Body) {
					t.Errorf("%s %s %s: west.one's answers %d %s; a missing id %d %s", user, call.method, call.path, other.Status, other.Body, none.Status, none.Body)
				}
			}
			// Bulk delete and group membership naming west.one's contact.
			if res := env.Do(t, tok, "POST", "/api/v1/contacts/delete", map[string]any{"ids": []int64{c.ID}}); res.Status != http.StatusNotFound {
				t.Errorf("%s bulk delete of west.one's contact: %d", user, res.Status)
			}
			if user != "operator" {
				own, err := env.App.Contacts.CreateGroup(ctx, ownerActor(env, env.ID(user)), env.ID(user), "Own")
				if err != nil {
					t.Fatal(err)
				}
				if res := env.Do(t, tok, "POST", fmt.Sprintf("/api/v1/contacts/groups/%d/members", own.ID), map[string]any{"add": []int64{c.ID}}); res.Status != http.StatusNotFound {
					t.Errorf("%s adding west.one's contact to own group: %d %s", user, res.Status, res.Body)
				}
			}
			// Their lists and exports never show it.
			if res := env.Do(t, tok, "GET", "/api/v1/contacts?search=Jackson", nil); strings.Contains(string(res.Body), "Jackson") {
				t.Errorf("%s list shows west.one's contact: %s", user, res.Body)
			}
			if res := env.Do(t, tok, "GET", "/api/v1/contacts/export?mode=native", nil); strings.Contains(string(res.Body), "Jackson") {
				t.Errorf("%s export shows west.one's contact", user)
			}
		}
		// Still there, unchanged, for west.one.
		west := sessionToken(t, env, "west.one")
		if res := env.Do(t, west, "GET", fmt.Sprintf("/api/v1/contacts/%d", c.ID), nil); res.Status != http.StatusOK || !strings.Contains(string(res.Body), "Henry") {
			t.Errorf("west.one's own contact: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, west, "GET", fmt.Sprintf("/api/v1/contacts/imports/%d", pv.ID), nil); res.Status != http.StatusOK {
			t.Errorf("west.one's own import: %d %s", res.Status, res.Body)
		}
	})
}

// contactsContractCalls exercise every contacts operation for
// TestResponsesMatchDocument, as west.one (whose contacts they are) and
// as others (who get 404).
func contactsContractCalls(t *testing.T, c *contract) []apiCall {
	env := c.env
	ctx := context.Background()
	p := fmt.Sprintf
	westID := env.ID("west.one")
	henry, err := env.App.Contacts.CreateContact(ctx, ownerActor(env, westID), westID, contacts.ContactRequest{Fields: contacts.Fields{FirstName: "Henry", LastName: "Jackson", HomeTel: "01132991002"}})
	if err != nil {
		t.Fatal(err)
	}
	jane, err := env.App.Contacts.CreateContact(ctx, ownerActor(env, westID), westID, contacts.ContactRequest{Fields: contacts.Fields{FirstName: "Jane", LastName: "Smith", WorkTel: "0113 299 1011"}})
	if err != nil {
		t.Fatal(err)
	}
	group, err := env.App.Contacts.CreateGroup(ctx, ownerActor(env, westID), westID, "Suppliers")
	if err != nil {
		t.Fatal(err)
	}
	preview := func(action contacts.Action) int64 {
		pv, err := env.App.Contacts.PreviewImport(ctx, ownerActor(env, westID), westID, []byte(seedCSV), action)
		if err != nil {
			t.Fatal(err)
		}
		return pv.ID
	}
	toConfirm, toCancel, stale := preview(contacts.ActionIgnore), preview(contacts.ActionIgnore), preview(contacts.ActionDuplicate)
	multi, multiCT := multipartImport(t, "contacts.csv", []byte(seedCSV), "duplicate")
	noPhones, noPhonesCT := multipartImport(t, "names.csv", []byte("First Name,Last Name\r\nA,B\r\n"), "ignore")
	vcf := "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Doe;John;;;\r\nFN:John Doe\r\nTEL;TYPE=cell:07700900999\r\nEND:VCARD\r\n"
	csvBody := map[string]string{"Content-Type": "text/csv"}
	return []apiCall{
		{name: "import get", user: "west.one", method: "GET", path: p("/api/v1/contacts/imports/%d", toConfirm), want: 200},
		{name: "import get by a colleague", user: "support.one", method: "GET", path: p("/api/v1/contacts/imports/%d", toConfirm), want: 404},
		{name: "import confirm", user: "west.one", method: "POST", path: p("/api/v1/contacts/imports/%d/confirm", toConfirm), want: 200},
		{name: "import confirm again", user: "west.one", method: "POST", path: p("/api/v1/contacts/imports/%d/confirm", toConfirm), want: 404},
		{name: "import confirm stale", user: "west.one", method: "POST", path: p("/api/v1/contacts/imports/%d/confirm", stale), want: 409},
		{name: "import cancel", user: "west.one", method: "POST", path: p("/api/v1/contacts/imports/%d/cancel", toCancel), want: 204},
		{name: "import cancel again", user: "west.one", method: "POST", path: p("/api/v1/contacts/imports/%d/cancel", toCancel), want: 404},
		{name: "import multipart", user: "west.one", method: "POST", path: "/api/v1/contacts/imports", body: multi, header: map[string]string{"Content-Type": multiCT}, want: 201},
		{name: "import text/csv", user: "west.one", method: "POST", path: "/api/v1/contacts/imports?action=ignore", body: seedCSV, header: csvBody, want: 201},
		{name: "import text/vcard", user: "west.one", method: "POST", path: "/api/v1/contacts/imports?action=ignore", body: vcf, header: map[string]string{"Content-Type": "text/vcard"}, want: 201},
		{name: "import no phone column", user: "west.one", method: "POST", path: "/api/v1/contacts/imports", body: noPhones, header: map[string]string{"Content-Type": noPhonesCT}, want: 422},
		{name: "import json", user: "west.one", method: "POST", path: "/api/v1/contacts/imports", body: map[string]any{"file": "x"}, want: 415, badRequest: true},
		{name: "import unauthenticated", method: "POST", path: "/api/v1/contacts/imports?action=ignore", body: seedCSV, header: csvBody, want: 401},
		{name: "import operator", user: "operator", method: "POST", path: "/api/v1/contacts/imports?action=ignore", body: seedCSV, header: csvBody, want: 404},

		{name: "list", user: "west.one", method: "GET", path: "/api/v1/contacts", want: 200},
		{name: "search by number", user: "west.one", method: "GET", path: "/api/v1/contacts?search=%2B441132991002&per_page=10", want: 200},
		{name: "list by group", user: "west.one", method: "GET", path: p("/api/v1/contacts?group_id=%d", group.ID), want: 200},
		{name: "list bad per_page", user: "west.one", method: "GET", path: "/api/v1/contacts?per_page=501", want: 400, badRequest: true},
		{name: "list unauthenticated", method: "GET", path: "/api/v1/contacts", want: 401},
		{name: "list operator", user: "operator", method: "GET", path: "/api/v1/contacts", want: 404},
		{name: "create", user: "west.one", method: "POST", path: "/api/v1/contacts", body: map[string]any{"first_name": "Pat", "last_name": "Lee",
			"cell_tel": "07956 098877", "home_address": map[string]any{"city": "Leeds"}, "group_ids": []int64{group.ID}}, want: 201},
		{name: "create long name", user: "west.one", method: "POST", path: "/api/v1/contacts", body: map[string]any{"first_name": strings.Repeat("n", 33)}, want: 422},
		{name: "create unknown field", user: "west.one", method: "POST", path: "/api/v1/contacts", body: map[string]any{"nickname": "x"}, want: 400, badRequest: true},
		{name: "create as text", user: "west.one", method: "POST", path: "/api/v1/contacts", body: "first_name=x", header: map[string]string{"Content-Type": "text/plain"}, want: 415, badRequest: true},
		{name: "get", user: "west.one", method: "GET", path: p("/api/v1/contacts/%d", henry.ID), want: 200},
		{name: "get by an admin", user: "acme.admin", method: "GET", path: p("/api/v1/contacts/%d", henry.ID), want: 404},
		{name: "update", user: "west.one", method: "PUT", path: p("/api/v1/contacts/%d", henry.ID), body: map[string]any{"first_name": "Henry", "last_name": "Jackson",
			"home_tel": "01132991002", "fax_tel": "01132991010"}, want: 200},
		{name: "update bad e-mail", user: "west.one", method: "PUT", path: p("/api/v1/contacts/%d", henry.ID), body: map[string]any{"first_name": "Henry", "email": "not an address"}, want: 422},
		{name: "update another company's", user: "globex.one", method: "PUT", path: p("/api/v1/contacts/%d", henry.ID), body: map[string]any{"first_name": "X"}, want: 404},
		{name: "revision", user: "west.one", method: "GET", path: "/api/v1/contacts/revision", want: 200},
		{name: "revision operator", user: "operator", method: "GET", path: "/api/v1/contacts/revision", want: 404},
		{name: "export outlook", user: "west.one", method: "GET", path: "/api/v1/contacts/export?mode=outlook", want: 200},
		{name: "export windows", user: "west.one", method: "GET", path: "/api/v1/contacts/export?mode=windows", want: 200},
		{name: "export native", user: "west.one", method: "GET", path: "/api/v1/contacts/export", want: 200},
		{name: "export vcard", user: "west.one", method: "GET", path: "/api/v1/contacts/export?mode=vcard", want: 200},
		{name: "export vcard3", user: "west.one", method: "GET", path: "/api/v1/contacts/export?mode=vcard3", want: 200},
		{name: "export bad mode", user: "west.one", method: "GET", path: "/api/v1/contacts/export?mode=excel", want: 422, badRequest: true},
		{name: "template minimal", user: "west.one", method: "GET", path: "/api/v1/contacts/templates/minimal", want: 200},
		{name: "template full", user: "west.one", method: "GET", path: "/api/v1/contacts/templates/full", want: 200},
		{name: "template unknown", user: "west.one", method: "GET", path: "/api/v1/contacts/templates/huge", want: 404},

		{name: "groups list", user: "west.one", method: "GET", path: "/api/v1/contacts/groups", want: 200},
		{name: "group create", user: "west.one", method: "POST", path: "/api/v1/contacts/groups", body: map[string]any{"name": "Family"}, want: 201},
		{name: "group create again", user: "west.one", method: "POST", path: "/api/v1/contacts/groups", body: map[string]any{"name": "family"}, want: 409},
		{name: "group create empty", user: "west.one", method: "POST", path: "/api/v1/contacts/groups", body: map[string]any{"name": " "}, want: 422},
		{name: "group get", user: "west.one", method: "GET", path: p("/api/v1/contacts/groups/%d", group.ID), want: 200},
		{name: "group get by a colleague", user: "sales.admin", method: "GET", path: p("/api/v1/contacts/groups/%d", group.ID), want: 404},
		{name: "group rename", user: "west.one", method: "PATCH", path: p("/api/v1/contacts/groups/%d", group.ID), body: map[string]any{"name": "Trade"}, want: 200},
		{name: "group rename clash", user: "west.one", method: "PATCH", path: p("/api/v1/contacts/groups/%d", group.ID), body: map[string]any{"name": "Family"}, want: 409},
		{name: "group members", user: "west.one", method: "POST", path: p("/api/v1/contacts/groups/%d/members", group.ID),
			body: map[string]any{"add": []int64{henry.ID, jane.ID}, "remove": []int64{}}, want: 200},
		{name: "group members none", user: "west.one", method: "POST", path: p("/api/v1/contacts/groups/%d/members", group.ID), body: map[string]any{}, want: 422},
		{name: "group members someone else's", user: "west.one", method: "POST", path: p("/api/v1/contacts/groups/%d/members", group.ID),
			body: map[string]any{"add": []int64{987654321}}, want: 404},
		{name: "group delete", user: "west.one", method: "DELETE", path: p("/api/v1/contacts/groups/%d", group.ID), want: 204},
		{name: "group delete again", user: "west.one", method: "DELETE", path: p("/api/v1/contacts/groups/%d", group.ID), want: 404},

		{name: "delete one", user: "west.one", method: "DELETE", path: p("/api/v1/contacts/%d", jane.ID), want: 204},
		{name: "delete one again", user: "west.one", method: "DELETE", path: p("/api/v1/contacts/%d", jane.ID), want: 404},
		{name: "bulk delete none", user: "west.one", method: "POST", path: "/api/v1/contacts/delete", body: map[string]any{"ids": []int64{}}, want: 422},
		{name: "bulk delete someone else's", user: "london.one", method: "POST", path: "/api/v1/contacts/delete", body: map[string]any{"ids": []int64{henry.ID}}, want: 404},
		{name: "bulk delete", user: "west.one", method: "POST", path: "/api/v1/contacts/delete", body: map[string]any{"ids": []int64{henry.ID}}, want: 200},
	}
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
