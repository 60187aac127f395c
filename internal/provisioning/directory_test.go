package provisioning_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestDirectoryWithSharedContacts: the site's Company Contacts and Group
// Contacts follow the employee's own in their phones' directory (a
// Polycom's directory file, a Yealink's phone book) while "show on phones"
// is on; the employee's Personal Contacts setting keeps their own off the
// phone; each change is in the very next fetch.
func TestDirectoryWithSharedContacts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := setup(t, db)
		a, f := env.App, env.Fixture
		sv := env.SeedService(t)
		west, support := env.ID("west.one"), env.ID("support.one")
		if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{west, support} {
			if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, id, sv.Packages["Standard"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
				t.Fatal(err)
			}
		}
		poly := newPhone(t, env, "Polycom", "VVX 411", "0004F2000011", west)
		yea := newPhone(t, env, "Yealink", "T46G", "805EC0000011", support)
		client, base := env.Server.Client(), env.Server.URL
		if _, err := a.Contacts.CreateContact(ctx, env.Actor("west.one"), west, contacts.ContactRequest{Fields: contacts.Fields{
			FirstName: "Ada", LastName: "Lovelace", WorkTel: "+44 113 496 0999"}}); err != nil {
			t.Fatal(err)
		}
		configure := func(o features.Owner, code, doc string) {
			t.Helper()
			if _, err := a.Features.Configure(ctx, env.Actor("acme.admin"), o, code, []byte(doc)); err != nil {
				t.Fatalf("%s: %v", code, err)
			}
		}
		leeds := features.Site(f.Leeds.ID)
		configure(leeds, features.CodeCompanyContacts, `{"show_on_phones":true,"contacts":[{"name":"Stationery Ltd","numbers":[{"label":"Orders","number":"0113 496 0500"},{"label":"Accounts","number":"0113 496 0502"}]}]}`)
		configure(leeds, features.CodeGroupContacts, `{"show_on_phones":true,"contacts":[{"name":"Leeds Taxis","numbers":[{"label":"","number":"0113 496 0501"}]}]}`)

		directory := func(etag string) (string, string) {
			t.Helper()
			h := http.Header{}
			if etag != "" {
				h.Set("If-None-Match", etag)
			}
			res, body := fetch(t, client, base, "/prov/0004f2000011-directory.xml", poly.cred.Username, poly.cred.Secret, h)
			if res.StatusCode != http.StatusOK {
				t.Fatalf("directory: %d (a change did not reach the fetch?)", res.StatusCode)
			}
			return body, res.Header.Get("ETag")
		}
		body, etag := directory("")
		for _, want := range []string{"<ln>Lovelace</ln>", "<fn>Stationery Ltd</fn>", "<ct>+441134960500</ct>", "<fn>Leeds Taxis</fn>", "<ct>+441134960501</ct>"} {
			if !strings.Contains(body, want) {
				t.Errorf("the Polycom's directory lacks %s:\n%s", want, body)
			}
		}
		if strings.Index(body, "Lovelace") > strings.Index(body, "Stationery Ltd") {
			t.Errorf("the shared contacts come before the employee's own:\n%s", body)
		}
		_, book := fetch(t, client, base, yea.cred.Path+"805ec0000011-phonebook.xml", "", "", nil)
		for _, want := range []string{"<Name>Stationery Ltd</Name>", "<Telephone>+441134960500</Telephone>", "<Telephone>+441134960502</Telephone>", "<Name>Leeds Taxis</Name>"} {
			if !strings.Contains(book, want) {
				t.Errorf("the Yealink's phone book lacks %s:\n%s", want, book)
			}
		}

		// Company Contacts off the phones: gone at the next fetch.
		configure(leeds, features.CodeCompanyContacts, `{"show_on_phones":false,"contacts":[{"name":"Stationery Ltd","numbers":[{"label":"Orders","number":"0113 496 0500"}]}]}`)
		body, etag = directory(etag)
		if strings.Contains(body, "Stationery Ltd") || !strings.Contains(body, "Leeds Taxis") || !strings.Contains(body, "Lovelace") {
			t.Errorf("after Company Contacts left the phones:\n%s", body)
		}
		// The employee keeps their own contacts off their phones.
		configure(features.Employee(west), features.CodePersonalContacts, `{"show_on_phones":false,"show_in_apps":true}`)
		body, _ = directory(etag)
		if strings.Contains(body, "Lovelace") || !strings.Contains(body, "Leeds Taxis") {
			t.Errorf("after Personal Contacts left the phones:\n%s", body)
		}
	})
}
