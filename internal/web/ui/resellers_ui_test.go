package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestResellersPage: the provider's operator adds a reseller and an
// administrator for it, who can then log in; nobody else opens the page or
// adds one, and a refused form changes nothing.
func TestResellersPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		op := newBrowser(t, env)
		op.login("operator", false)
		p := op.get("/resellers")
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Acme Partners") || !strings.Contains(p.Body, `id="reseller-admin-add"`) {
			t.Fatalf("resellers page: %d\n%s", p.Status, p.Body)
		}
		if strings.Contains(p.Body, "Far Resale") {
			t.Error("the page lists another provider's reseller")
		}
		if p := op.post("/resellers", url.Values{"name": {"Northern Voice"}}, false); p.Status != http.StatusSeeOther {
			t.Fatalf("add reseller: %d\n%s", p.Status, p.Body)
		}
		if p := op.post("/resellers", url.Values{"name": {"Northern Voice"}}, false); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-name-err"`) {
			t.Errorf("duplicate reseller: %d", p.Status)
		}
		rs, err := env.App.Tenancy.ListResellers(context.Background(), env.Fixture.Provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		var northern string
		for _, r := range rs {
			if r.Name == "Northern Voice" {
				northern = id(r.ID)
			}
		}
		if northern == "" {
			t.Fatal("Northern Voice was not added")
		}
		good := url.Values{"reseller_id": {northern}, "username": {"northern.admin"}, "password": {apptest.Password}}
		for _, tc := range []struct {
			name  string
			vals  url.Values
			field string
		}{
			{"bad username", url.Values{"reseller_id": {northern}, "username": {"a@b"}, "password": {"Resale-Pass-42!"}}, "username"},
			{"weak password", url.Values{"reseller_id": {northern}, "username": {"northern.x"}, "password": {"x"}}, "password"},
			{"unknown reseller", url.Values{"reseller_id": {"987654"}, "username": {"northern.y"}, "password": {"Resale-Pass-42!"}}, "reseller-id"},
			{"another provider's reseller", url.Values{"reseller_id": {resellerOf(t, env, "other.reseller")}, "username": {"northern.z"},
				"password": {"Resale-Pass-42!"}}, "reseller-id"},
		} {
			before := storetest.Counts(t, db)
			p := op.post("/resellers/admins", tc.vals, false)
			if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-`+tc.field+`-err"`) {
				t.Errorf("%s: %d, want 422 on %s", tc.name, p.Status, tc.field)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
		if p := op.post("/resellers/admins", good, false); p.Status != http.StatusSeeOther {
			t.Fatalf("add reseller admin: %d\n%s", p.Status, p.Body)
		}
		admin := newBrowser(t, env)
		if p := admin.login("northern.admin", false); p.Status != http.StatusSeeOther {
			t.Errorf("the new reseller admin cannot log in: %d", p.Status)
		}

		// Nobody else opens the page or adds a reseller or an administrator.
		for _, who := range []string{"acme.reseller", "acme.admin", "leeds.admin", "west.one", "other.reseller"} {
			b := newBrowser(t, env)
			b.login(who, false)
			if p := b.get("/resellers"); p.Status != http.StatusForbidden {
				t.Errorf("%s GET /resellers: %d, want 403", who, p.Status)
			}
			before := storetest.Counts(t, db)
			if p := b.post("/resellers", url.Values{"name": {"Rogue " + who}}, false); p.Status != http.StatusForbidden {
				t.Errorf("%s adds a reseller: %d, want 403", who, p.Status)
			}
			vals := url.Values{"reseller_id": {northern}, "username": {"rogue." + strings.ReplaceAll(who, ".", "")}, "password": {"Resale-Pass-42!"}}
			if p := b.post("/resellers/admins", vals, false); p.Status != http.StatusForbidden {
				t.Errorf("%s adds a reseller admin: %d, want 403", who, p.Status)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
	})
}

// resellerOf is the reseller id of a reseller admin of the cast.
func resellerOf(t *testing.T, env *apptest.Env, username string) string {
	t.Helper()
	return id(env.Actor(username).ResellerID)
}
