package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// lastAudit is the newest audit entry of event.
func lastAudit(t *testing.T, env *apptest.Env, event string) (audit.Entry, int) {
	t.Helper()
	es, n, err := env.App.Audit.List(context.Background(), audit.Filter{Event: event}, store.Page{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(es) == 0 {
		return audit.Entry{}, 0
	}
	return es[0], n
}

// An operator sets a site's feature package, add-ons and employee limit on
// the site's Package & Limit page; the company's and the site's
// administrators read them there and on the Service Offering tab, and may
// not change them.
func TestSitePackageAndLimitPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		feature, err := env.App.Catalog.CreateFeature(ctx, f.Provider.ID, catalog.FeatureRequest{Code: "auto_attendant", Name: "Auto Attendant", Category: "Site Services"})
		if err != nil {
			t.Fatal(err)
		}
		newPkg := func(typ catalog.Type, kind catalog.Kind, name string) catalog.Package {
			t.Helper()
			p, err := env.App.Catalog.CreatePackage(ctx, f.Provider.ID, catalog.PackageRequest{Type: typ, Kind: kind, Name: name, FeatureIDs: []int64{feature.ID}})
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		essentials := newPkg(catalog.TypePackage, catalog.KindSite, "Site Essentials")
		queues := newPkg(catalog.TypeAddOn, catalog.KindSite, "Call Centre")
		basic := newPkg(catalog.TypePackage, catalog.KindEmployee, "Basic")
		leeds := "/sites/" + id(f.Leeds.ID)

		op := newBrowser(t, env)
		op.login("operator", false)
		p := op.get(leeds + "/service")
		mustContain(t, "operator's page", p, http.StatusOK, "Leeds: Package & Limit", "The site has no feature package yet.", `id="site-offering-form"`,
			`name="package_id" value="`+id(essentials.ID)+`"`, `name="add_on_ids" value="`+id(queues.ID)+`"`, `id="site-limit-form"`, "No limit: 0 active and pending employees.")
		if strings.Contains(p.Body, `value="`+id(basic.ID)+`"`) {
			t.Error("the site form offers an employee package")
		}
		// The Service Offering tab sends the operator here.
		mustContain(t, "offering link", op.get("/service-offering?site_id="+id(f.Leeds.ID)), http.StatusOK,
			`href="/sites/`+id(f.Leeds.ID)+`/service">Change the site's feature package and add-ons`)

		// Bad input: per-field errors, nothing saved, nothing audited.
		_, audited := lastAudit(t, env, "Set Site Service Offering")
		for _, c := range []struct {
			vals url.Values
			msg  string
		}{
			{url.Values{"add_on_ids": {id(queues.ID)}}, "Choose the site's feature package."},
			{url.Values{"package_id": {id(basic.ID)}}, `"Basic" is an employee feature package; a site needs a site feature package.`},
			{url.Values{"package_id": {id(essentials.ID)}, "add_on_ids": {id(queues.ID), id(queues.ID)}}, "is listed twice"},
			{url.Values{"package_id": {"x"}}, "Choose one of the site feature packages listed."},
		} {
			p := op.post(leeds+"/offering", c.vals, false)
			mustContain(t, "bad offering "+c.vals.Encode(), p, http.StatusUnprocessableEntity, c.msg, "Please correct the following")
		}
		if _, n := lastAudit(t, env, "Set Site Service Offering"); n != audited {
			t.Fatalf("refused offerings were audited")
		}
		if o, _ := env.App.Catalog.ForSite(ctx, f.Acme.ID, f.Leeds.ID); o.Package != nil {
			t.Fatalf("a refused form saved %+v", o.Package)
		}
		if p := op.post(leeds+"/offering", url.Values{"package_id": {id(essentials.ID)}}, true); p.Status != http.StatusForbidden {
			t.Errorf("without the CSRF token: %d", p.Status)
		}

		p = op.post(leeds+"/offering", url.Values{"package_id": {id(essentials.ID)}, "add_on_ids": {id(queues.ID)}}, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "site-offering-saved") {
			t.Fatalf("save offering: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		mustContain(t, "saved offering", op.get(p.Location), http.StatusOK, "The site's feature package and add-ons have been saved.",
			"Site Essentials", `name="package_id" value="`+id(essentials.ID)+`" checked`, `name="add_on_ids" value="`+id(queues.ID)+`" checked`)
		e, _ := lastAudit(t, env, "Set Site Service Offering")
		if e.ActorUsername != "operator" || e.SiteID != f.Leeds.ID || !strings.Contains(string(e.After), "Call Centre") {
			t.Errorf("audit = %+v after %s", e, e.After)
		}

		// The employee limit.
		mustContain(t, "limit not a number", op.post(leeds+"/employee-limit", url.Values{"employee_limit": {"lots"}}, false),
			http.StatusUnprocessableEntity, "Enter the employee limit as a whole number: 0 for no limit.", `id="f-employee-limit-err"`)
		mustContain(t, "limit negative", op.post(leeds+"/employee-limit", url.Values{"employee_limit": {"-1"}}, false),
			http.StatusUnprocessableEntity, "The employee limit is 0 (no limit) to 100000.")
		p = op.post(leeds+"/employee-limit", url.Values{"employee_limit": {"25"}}, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "site-limit-saved") {
			t.Fatalf("save limit: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		mustContain(t, "saved limit", op.get(p.Location), http.StatusOK, "0 of 25 places in use", `name="employee_limit" value="25"`)
		if l, err := env.App.Lifecycle.SiteLimit(ctx, f.Acme.ID, f.Leeds.ID); err != nil || l.EmployeeLimit != 25 {
			t.Fatalf("limit = %+v, %v", l, err)
		}
		if e, _ := lastAudit(t, env, "Set Site Employee Limit"); e.ActorUsername != "operator" || !strings.Contains(string(e.After), "25") {
			t.Errorf("limit audit = %+v", e)
		}

		// The company's and the site's administrators read, and may not change.
		for _, who := range []string{"acme.admin", "leeds.admin"} {
			b := newBrowser(t, env)
			b.login(who, false)
			p := b.get(leeds + "/service")
			mustContain(t, who+" reads", p, http.StatusOK, "Site Essentials", "Call Centre", "0 of 25 places in use", "set by your service provider")
			if strings.Contains(p.Body, `id="site-offering-form"`) || strings.Contains(p.Body, `id="site-limit-form"`) {
				t.Errorf("%s is offered the operator's forms", who)
			}
			mustContain(t, who+" offering tab", b.get("/service-offering?site_id="+id(f.Leeds.ID)), http.StatusOK, "Site Essentials", "The site's package and employee limit")
			for _, post := range []struct {
				path string
				vals url.Values
			}{
				{leeds + "/offering", url.Values{"package_id": {id(essentials.ID)}}},
				{leeds + "/employee-limit", url.Values{"employee_limit": {"0"}}},
			} {
				if p := b.post(post.path, post.vals, false); p.Status != http.StatusForbidden {
					t.Errorf("%s POST %s: %d, want 403", who, post.path, p.Status)
				}
			}
		}
		if l, _ := env.App.Lifecycle.SiteLimit(ctx, f.Acme.ID, f.Leeds.ID); l.EmployeeLimit != 25 {
			t.Errorf("an administrator changed the limit to %d", l.EmployeeLimit)
		}
		// A site one does not administer, or another company's, is not found.
		for _, c := range []struct{ who, path string }{
			{"sales.admin", leeds + "/service"},
			{"globex.admin", leeds + "/service"},
			{"west.one", leeds + "/service"},
			{"acme.admin", "/sites/" + id(f.Sales.ID) + "/service"},
		} {
			b := newBrowser(t, env)
			b.login(c.who, false)
			if p := b.get(c.path); p.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", c.who, c.path, p.Status)
			}
		}
	})
}

// The provider keeps the refused extension codes on their own page, and
// Activate shows the current list (code – reason) beside the extension
// field.
func TestRefusedExtensionsPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.SeedService(t)
		west := env.ID("west.one")
		activate := "/employees/" + id(west) + "/activate"
		admin := newBrowser(t, env)
		admin.login("acme.admin", false)
		mustContain(t, "activate note", admin.get(activate), http.StatusOK, `id="reserved-extensions"`,
			"These numbers cannot be used as extensions:", "1571</strong> – it is the voicemail access number", "116xxx</strong> – 116xxx numbers are services of social value",
			"101, 105, 111, 116xxx, 141, 1571, 18000 and 195 cannot be used.")
		if p := admin.get("/settings/refused-extensions"); p.Status != http.StatusForbidden {
			t.Errorf("a company admin opens the provider's page: %d", p.Status)
		}

		op := newBrowser(t, env)
		op.login("operator", false)
		mustContain(t, "page", op.get("/settings/refused-extensions"), http.StatusOK, "Refused Extensions", "18000", "it is the NHS non-emergency number", `id="refused-add"`)

		_, audited := lastAudit(t, env, "Add Refused Extension")
		for _, c := range []struct {
			vals  url.Values
			field string
			msg   string
		}{
			{url.Values{"code": {"12"}, "match": {"exact"}, "reason": {"short"}}, "code", "could never be one"},
			{url.Values{"code": {"999"}, "match": {"exact"}, "reason": {""}}, "reason", "Say why the code is refused"},
			{url.Values{"code": {"87"}, "match": {"prefix"}, "length": {"two"}, "reason": {"r"}}, "length", "Enter the length as a whole number"},
			{url.Values{"code": {"87"}, "match": {"prefix"}, "length": {"2"}, "reason": {"r"}}, "length", "The length must be 0"},
			{url.Values{"code": {"999"}, "match": {"maybe"}, "reason": {"r"}}, "match", "Choose whether the code is refused exactly"},
			{url.Values{"code": {"1571"}, "match": {"exact"}, "reason": {"again"}}, "code", "1571 is already refused"},
		} {
			p := op.post("/settings/refused-extensions", c.vals, false)
			mustContain(t, "bad "+c.vals.Encode(), p, http.StatusUnprocessableEntity, c.msg, `id="f-`+c.field+`-err"`)
		}
		if _, n := lastAudit(t, env, "Add Refused Extension"); n != audited {
			t.Fatal("refused additions were audited")
		}
		if p := op.post("/settings/refused-extensions", url.Values{"code": {"999"}, "match": {"exact"}, "reason": {"r"}}, true); p.Status != http.StatusForbidden {
			t.Errorf("without the CSRF token: %d", p.Status)
		}

		p := op.post("/settings/refused-extensions", url.Values{"code": {"87"}, "match": {"prefix"}, "length": {"4"},
			"reason": {"the 87xx block belongs to the carrier"}}, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "refused-added") {
			t.Fatalf("add: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		mustContain(t, "added", op.get(p.Location), http.StatusOK, "87xx", "the 87xx block belongs to the carrier")
		if e, _ := lastAudit(t, env, "Add Refused Extension"); e.ActorUsername != "operator" || e.ObjectName != "87xx" {
			t.Errorf("audit = %+v", e)
		}
		// Activate shows it at once.
		mustContain(t, "activate note after adding", admin.get(activate), http.StatusOK, "87xx</strong> – the 87xx block belongs to the carrier", "18000, 195 and 87xx cannot be used.")

		p = op.post("/settings/refused-extensions/87/delete", nil, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "refused-removed") {
			t.Fatalf("remove: %d %q", p.Status, p.Location)
		}
		if e, _ := lastAudit(t, env, "Remove Refused Extension"); e.ObjectName != "87xx" || !strings.Contains(string(e.Before), "carrier") {
			t.Errorf("removal audit = %+v", e)
		}
		if strings.Contains(admin.get(activate).Body, "87xx") {
			t.Error("Activate still lists the removed code")
		}
		if p := op.post("/settings/refused-extensions/87/delete", nil, false); p.Status != http.StatusNotFound {
			t.Errorf("remove twice: %d", p.Status)
		}
	})
}
