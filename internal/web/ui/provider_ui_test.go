package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// serviceEstate gives the fixture a catalog, device types, a device and a
// DN range for the provider and site pages.
type serviceEstate struct {
	feature catalog.Feature
	pkg     catalog.Package
	desk    devices.Type
	phone   devices.Device
	other   devices.Device
}

func seedService(t *testing.T, env *apptest.Env) serviceEstate {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	var s serviceEstate
	var err error
	check := func() {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s.feature, err = a.Catalog.CreateFeature(ctx, f.Provider.ID, catalog.FeatureRequest{Code: "call_waiting", Name: "Call Waiting", Category: "Calls",
		Description: "Hear a tone when a second call arrives."})
	check()
	s.pkg, err = a.Catalog.CreatePackage(ctx, f.Provider.ID, catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee,
		Name: "Employee Standard", FeatureIDs: []int64{s.feature.ID}})
	check()
	s.desk, err = a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Yealink", Model: "T46U"})
	check()
	s.phone, err = a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: s.desk.ID, MAC: "001565000001"})
	check()
	s.other, err = a.Devices.Create(ctx, f.Provider.ID, f.Globex.ID, devices.DeviceCreateRequest{SiteID: f.Reading.ID, TypeID: s.desk.ID, MAC: "001565000099"})
	check()
	_, err = a.Numbering.AddRange(ctx, f.Acme.ID, f.Leeds.ID, numbering.RangeRequest{Start: "+441134960000", End: "+441134960009"})
	check()
	return s
}

func TestProviderControlPanel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		seedService(t, env)
		acme := "/customers/" + id(env.Fixture.Acme.ID)
		b := newBrowser(t, env)
		b.login("operator", false)

		main := b.get(acme)
		if main.Status != http.StatusOK || !strings.Contains(main.Body, "Channels in use") || !strings.Contains(main.Body, "Calls in progress now") {
			t.Fatalf("main page: %d\n%s", main.Status, main.Body)
		}
		// Bad input names the field and changes nothing.
		p := b.post(acme, url.Values{"status": {"active"}, "balance": {"lots"}, "debit_limit": {"500"}, "channel_limit": {"10"}}, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Enter the balance as an amount") {
			t.Fatalf("bad balance: %d", p.Status)
		}
		p = b.post(acme, url.Values{"status": {"suspended"}, "balance": {"-15.50"}, "debit_limit": {"500"}, "channel_limit": {"12"}, "config_and_reg": {"1"}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("save company: %d\n%s", p.Status, p.Body)
		}
		c, err := env.App.Tenancy.Company(context.Background(), env.Fixture.Acme.ID)
		if err != nil || c.Status != "suspended" || c.BalanceMinor != -1550 || c.ChannelLimit != 12 || !c.ConfigAndReg || c.AddEmployee {
			t.Fatalf("company after save: %+v %v", c, err)
		}
		// Calls charged while the page is open are not undone by a save of
		// the other fields, nor by a top-up, which adds what was typed on
		// top of the figure shown.
		if _, err := storetest.Exec(context.Background(), db, "UPDATE companies SET balance_minor = balance_minor - 250 WHERE id = ?", env.Fixture.Acme.ID); err != nil {
			t.Fatal(err)
		}
		shown := url.Values{"status": {"suspended"}, "balance": {"-15.50"}, "balance_was": {"-15.50"}, "debit_limit": {"500"}, "channel_limit": {"13"}, "config_and_reg": {"1"}}
		if p = b.post(acme, shown, false); p.Status != http.StatusSeeOther {
			t.Fatalf("save company: %d", p.Status)
		}
		if c, _ := env.App.Tenancy.Company(context.Background(), env.Fixture.Acme.ID); c.BalanceMinor != -1800 || c.ChannelLimit != 13 {
			t.Errorf("after saving the channel limit the balance is %d, want -1800 (the charge kept)", c.BalanceMinor)
		}
		shown.Set("balance", "84.50")
		if p = b.post(acme, shown, false); p.Status != http.StatusSeeOther {
			t.Fatalf("top up: %d", p.Status)
		}
		if c, _ := env.App.Tenancy.Company(context.Background(), env.Fixture.Acme.ID); c.BalanceMinor != 8200 {
			t.Errorf("after a top-up of 100.00 the balance is %d, want 8200 (-18.00 + 100.00)", c.BalanceMinor)
		}

		// Internal number block before the parameters: the explanation the page gives.
		p = b.post(acme+"/internal-blocks", nil, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "block-no-params") {
			t.Fatalf("block without parameters: %d %q", p.Status, p.Location)
		}
		if got := b.get(p.Location); !strings.Contains(got.Body, "The Number Range Parameters must be defined before an Internal Number Block can be assigned.") {
			t.Errorf("the explanation is not shown")
		}
		p = b.post("/settings/number-ranges", url.Values{"prefix": {"8"}, "digits": {"6"}, "first": {"100000"}, "last": {"199999"}, "block_size": {"1000"}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("parameters: %d\n%s", p.Status, p.Body)
		}
		if p = b.post(acme+"/internal-blocks", nil, false); !strings.Contains(p.Location, "block-assigned") {
			t.Fatalf("block: %q", p.Location)
		}
		if got := b.get(acme); !strings.Contains(got.Body, "8100000") {
			t.Errorf("the block is not listed")
		}

		// Contacts: a password in the notes is refused; a good contact is
		// added with a username from its e-mail and welcomed by e-mail.
		p = b.post(acme+"/contacts/new", url.Values{"first_name": {"Pat"}, "last_name": {"Jones"}, "email": {"pat.jones@acme.example"},
			"password": {"Typed-Pass-42!"}, "private_notes": {"temp Typed-Pass-42!"}}, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "never save passwords in notes") {
			t.Fatalf("password in notes: %d", p.Status)
		}
		p = b.post(acme+"/contacts/new", url.Values{"first_name": {"Pat"}, "last_name": {"Jones"}, "email": {"pat.jones@acme.example"},
			"auto_password": {"1"}, "public_notes": {"Call before noon."}, "private_notes": {"VIP customer."}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("add contact: %d\n%s", p.Status, p.Body)
		}
		main = b.get(acme)
		if !strings.Contains(main.Body, "username pat.jones") || !strings.Contains(main.Body, "VIP customer.") {
			t.Errorf("the contact is not listed with its username and notes")
		}
		contacts, err := env.App.Tenancy.Contacts(context.Background(), env.Fixture.Acme.ID)
		if err != nil || len(contacts) != 1 {
			t.Fatalf("contacts: %v %v", contacts, err)
		}
		cid := id(contacts[0].AccountID)
		if p = b.get(acme + "/contacts/" + cid); p.Status != http.StatusOK || !strings.Contains(p.Body, "VIP customer.") {
			t.Fatalf("contact details: %d", p.Status)
		}
		p = b.post(acme+"/contacts/"+cid+"/password", url.Values{"mode": {"manual"}, "password": {"x"}}, false)
		if p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("weak password: %d", p.Status)
		}
		if p = b.post(acme+"/contacts/"+cid+"/password", url.Values{"mode": {"auto"}}, false); !strings.Contains(p.Location, "contact-pw-mail") {
			t.Fatalf("reset: %d %q", p.Status, p.Location)
		}

		// A company admin cannot open the control panel; another company's
		// customer page answers like a missing one for company accounts.
		ca := newBrowser(t, env)
		ca.login("acme.admin", false)
		if p := ca.get(acme); p.Status != http.StatusForbidden {
			t.Errorf("company admin on the control panel: %d", p.Status)
		}
		if p := ca.get("/customers/" + id(env.Fixture.Globex.ID)); p.Status != http.StatusNotFound {
			t.Errorf("company admin on another customer: %d", p.Status)
		}
	})
}

func TestCatalogAndSitePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		s := seedService(t, env)
		f := env.Fixture
		op := newBrowser(t, env)
		op.login("operator", false)
		if p := op.get("/catalog"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Call Waiting") || !strings.Contains(p.Body, "Yealink") {
			t.Fatalf("catalog: %d", p.Status)
		}
		if p := op.post("/catalog/features", url.Values{"code": {"Bad Code"}, "name": {"X"}, "category": {"Calls"}}, false); p.Status != http.StatusUnprocessableEntity {
			t.Fatalf("bad feature: %d", p.Status)
		}
		if p := op.post("/catalog/terms", url.Values{"name": {"Monthly"}, "months": {"1"}, "rank": {"1"}}, false); p.Status != http.StatusSeeOther {
			t.Fatalf("term: %d\n%s", p.Status, p.Body)
		}
		if p := op.post("/catalog/features/"+id(s.feature.ID)+"/delete", nil, false); p.Status != http.StatusConflict {
			t.Fatalf("delete feature in use: %d", p.Status)
		}
		leeds := "/sites/" + id(f.Leeds.ID)
		if p := op.post(leeds+"/ranges", url.Values{"start": {"0113 496 0100"}, "end": {"0113 496 0109"}}, false); p.Status != http.StatusSeeOther {
			t.Fatalf("add range: %d\n%s", p.Status, p.Body)
		}
		if p := op.post(leeds+"/extension-policy", url.Values{"length": {"3"}, "mode": {"range"}, "range_from": {"200"}, "range_to": {"299"}}, false); p.Status != http.StatusSeeOther {
			t.Fatalf("extension policy: %d\n%s", p.Status, p.Body)
		}

		ca := newBrowser(t, env)
		ca.login("acme.admin", false)
		so := ca.get("/service-offering")
		if so.Status != http.StatusOK || !strings.Contains(so.Body, "Employee Standard") || !strings.Contains(so.Body, "Hear a tone when a second call arrives.") {
			t.Fatalf("service offering: %d", so.Status)
		}
		if p := ca.get("/service-offering?site_id=" + id(f.Leeds.ID)); p.Status != http.StatusOK || !strings.Contains(p.Body, "The site has no feature package yet.") {
			t.Fatalf("site offering: %d", p.Status)
		}
		if p := ca.get("/service-offering?site_id=" + id(f.Reading.ID)); p.Status != http.StatusNotFound {
			t.Fatalf("other company's site offering: %d", p.Status)
		}
		nums := ca.get(leeds + "/numbers?status=free")
		if nums.Status != http.StatusOK || !strings.Contains(nums.Body, "0113 496 0000") || strings.Contains(nums.Body, "Add a DN range") {
			t.Fatalf("numbers: %d", nums.Status)
		}
		ext := ca.get(leeds + "/extension-policy")
		if ext.Status != http.StatusOK || !strings.Contains(ext.Body, "from 200 to 299") || strings.Contains(ext.Body, "Change the policy") {
			t.Fatalf("extension policy for a company admin: %d", ext.Status)
		}
		if p := ca.post(leeds+"/extension-policy", url.Values{"length": {"4"}, "mode": {"last_digits"}}, false); p.Status != http.StatusForbidden {
			t.Fatalf("company admin sets the policy: %d", p.Status)
		}
		if p := ca.post(leeds+"/devices", url.Values{"type_id": {id(s.desk.ID)}, "mac": {"00:15:65:00:00:99"}}, false); p.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.Body, "already registered") || strings.Contains(p.Body, "Globex") {
			t.Fatalf("MAC of another company: %d", p.Status)
		}
		if p := ca.post(leeds+"/devices", url.Values{"type_id": {id(s.desk.ID)}, "mac": {"00:15:65:AA:BB:CC"}, "label": {"Reception"}}, false); p.Status != http.StatusSeeOther {
			t.Fatalf("add device: %d\n%s", p.Status, p.Body)
		}
		if p := ca.get(leeds + "/devices"); !strings.Contains(p.Body, "001565AABBCC") || !strings.Contains(p.Body, "Reception") || !strings.Contains(p.Body, "Not Registered") {
			t.Fatalf("devices list")
		}
		if p := ca.post("/devices/"+id(s.other.ID)+"/delete", nil, false); p.Status != http.StatusNotFound {
			t.Fatalf("delete another company's device: %d", p.Status)
		}
		if p := ca.post("/devices/"+id(s.phone.ID)+"/delete", nil, false); p.Status != http.StatusSeeOther {
			t.Fatalf("delete device: %d", p.Status)
		}
		if p := ca.get("/sites/" + id(f.Reading.ID) + "/devices"); p.Status != http.StatusNotFound {
			t.Fatalf("other company's site devices: %d", p.Status)
		}

		// A group admin sees their site's offering and pages, not a sibling's.
		ga := newBrowser(t, env)
		ga.login("leeds.admin", false)
		if p := ga.get("/service-offering"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Leeds") {
			t.Fatalf("group admin offering: %d", p.Status)
		}
		if p := ga.get("/sites/" + id(f.London.ID) + "/numbers"); p.Status != http.StatusNotFound {
			t.Fatalf("group admin on a sibling site: %d", p.Status)
		}
	})
}

// TestDashboardShowsPublicNotes: a company administrator who is one of the
// customer's contacts sees the provider's public notes about them on the
// company dashboard, escaped, and never the private notes, another
// contact's notes or another company's.
func TestDashboardShowsPublicNotes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		add := func(company int64, username, public, private string) {
			t.Helper()
			if _, err := env.App.Tenancy.AddContact(ctx, company, env.ID(username), tenancy.ContactDetails{PublicNotes: public, PrivateNotes: private}); err != nil {
				t.Fatal(err)
			}
		}
		add(f.Acme.ID, "acme.admin", "Your account manager is Dana.\n<script>alert(1)</script>", "Offered a 20% discount")
		add(f.Globex.ID, "globex.admin", "Globex renewal due in May.", "Globex is slow to pay")
		if _, err := env.App.Tenancy.AddCustomerContact(ctx, env.Actor("operator"), f.Acme.ID, tenancy.CustomerContactRequest{FirstName: "Pat", LastName: "Jones",
			Email: "pat.jones@acme.example", ContactDetails: tenancy.ContactDetails{PublicNotes: "Pat prefers e-mail.", PrivateNotes: "Pat is new"}}); err != nil {
			t.Fatal(err)
		}

		acme := newBrowser(t, env)
		acme.login("acme.admin", false)
		p := acme.get("/dashboard")
		mustContain(t, "acme dashboard", p, http.StatusOK, "Notes from your service provider", "Your account manager is Dana.")
		if !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") || strings.Contains(p.Body, "<script>alert(1)") {
			t.Error("the public notes are not escaped")
		}
		for _, never := range []string{"20% discount", "Globex renewal", "slow to pay", "Pat prefers", "Pat is new"} {
			if strings.Contains(p.Body, never) {
				t.Errorf("acme.admin's dashboard shows %q", never)
			}
		}

		globex := newBrowser(t, env)
		globex.login("globex.admin", false)
		p = globex.get("/dashboard")
		mustContain(t, "globex dashboard", p, http.StatusOK, "Globex renewal due in May.")
		for _, never := range []string{"Dana", "slow to pay", "20% discount", "Pat prefers"} {
			if strings.Contains(p.Body, never) {
				t.Errorf("globex.admin's dashboard shows %q", never)
			}
		}
		// Naming another company changes nothing for a company account.
		if p := globex.get("/dashboard?company_id=" + id(f.Acme.ID)); strings.Contains(p.Body, "Dana") {
			t.Error("globex.admin reads Acme's notes through company_id")
		}

		// An operator on the customer's dashboard is nobody's contact there.
		op := newBrowser(t, env)
		op.login("operator", false)
		p = op.get("/dashboard?company_id=" + id(f.Acme.ID))
		if p.Status != http.StatusOK || strings.Contains(p.Body, `id="provider-notes"`) || strings.Contains(p.Body, "20% discount") {
			t.Fatalf("operator dashboard: %d, notes shown", p.Status)
		}
	})
}

// TestCatalogEditing edits and deletes features, packages and terms on the
// control panel's Catalog pages: the catalog's errors next to each field,
// nothing changed by a refused save, CSRF as on every form.
func TestCatalogEditing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		s := seedService(t, env)
		ctx := context.Background()
		cat, prov := env.App.Catalog, env.Fixture.Provider.ID
		voicemail, err := cat.CreateFeature(ctx, prov, catalog.FeatureRequest{Code: "voicemail", Name: "Voicemail", Category: "Messaging"})
		if err != nil {
			t.Fatal(err)
		}
		monthly, err := cat.CreateTerm(ctx, prov, catalog.TermRequest{Name: "Monthly", Months: 1, Rank: 1})
		if err != nil {
			t.Fatal(err)
		}
		year, err := cat.CreateTerm(ctx, prov, catalog.TermRequest{Name: "12 months", Months: 12, Rank: 2})
		if err != nil {
			t.Fatal(err)
		}
		featurePage, packagePage, termPage := "/catalog/features/"+id(s.feature.ID), "/catalog/packages/"+id(s.pkg.ID), "/catalog/terms/"+id(year.ID)
		op := newBrowser(t, env)
		op.login("operator", false)
		mustContain(t, "catalog", op.get("/catalog"), http.StatusOK, `href="`+featurePage+`"`, `href="`+packagePage+`"`, `href="`+termPage+`"`)

		// Feature: the saved values, then per-field errors, then a save.
		p := op.get(featurePage)
		mustContain(t, "feature edit", p, http.StatusOK, "Edit feature: Call Waiting", `name="code" value="call_waiting"`,
			`name="csrf_token" value="`+op.csrf+`"`, `It cannot be deleted now: "Call Waiting" is part of Employee Standard`,
			`disabled aria-describedby="delete-refused">Delete Call Waiting`)
		if strings.Contains(p.Body, `action="`+featurePage+`/delete"`) {
			t.Errorf("the edit page of a feature in use offers Delete")
		}
		feature := func(code, name string) url.Values {
			return url.Values{"code": {code}, "name": {name}, "category": {"Calls"}, "description": {"Hear a second call."}}
		}
		mustContain(t, "bad code", op.post(featurePage, feature("Bad Code", "Call Waiting"), false), http.StatusUnprocessableEntity,
			`id="f-code-err"`, "The code is 2 to 40 lower-case letters", `name="code" value="Bad Code"`)
		mustContain(t, "taken name", op.post(featurePage, feature("call_waiting", "voicemail"), false), http.StatusUnprocessableEntity,
			`id="f-name-err"`, `A feature named "voicemail" already exists`)
		if f, _ := cat.Feature(ctx, prov, s.feature.ID); f.Name != "Call Waiting" || f.Code != "call_waiting" {
			t.Fatalf("a refused save changed the feature: %+v", f)
		}
		if p := op.post(featurePage, feature("call_waiting", "Call Waiting Plus"), true); p.Status != http.StatusForbidden {
			t.Fatalf("save without the CSRF token: %d", p.Status)
		}
		p = op.post(featurePage, feature("call_waiting", "Call Waiting Plus"), false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=catalog-saved") {
			t.Fatalf("save feature: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		if f, _ := cat.Feature(ctx, prov, s.feature.ID); f.Name != "Call Waiting Plus" || f.Description != "Hear a second call." {
			t.Fatalf("after save: %+v", f)
		}

		// Package: what it is for is fixed; at least one feature.
		p = op.get(packagePage)
		mustContain(t, "package edit", p, http.StatusOK, "Edit employee feature package: Employee Standard", "Employee feature package",
			`value="`+id(s.feature.ID)+`" checked`)
		mustContain(t, "no features", op.post(packagePage, url.Values{"name": {"Employee Standard"}}, false), http.StatusUnprocessableEntity,
			`id="f-feature-ids-err"`, "Choose at least one feature")
		p = op.post(packagePage, url.Values{"name": {"Employee Plus"}, "description": {"More."},
			"feature_ids": {id(s.feature.ID), id(voicemail.ID)}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("save package: %d\n%s", p.Status, p.Body)
		}
		if pk, _ := cat.Package(ctx, prov, s.pkg.ID); pk.Name != "Employee Plus" || len(pk.Features) != 2 || pk.Kind != catalog.KindEmployee {
			t.Fatalf("after save: %+v", pk)
		}

		// Term: numbers and a rank of its own.
		mustContain(t, "term months", op.post(termPage, url.Values{"name": {"12 months"}, "months": {"a year"}, "rank": {"2"}}, false),
			http.StatusUnprocessableEntity, `id="f-months-err"`, "Enter the number of months as a whole number.")
		mustContain(t, "term rank", op.post(termPage, url.Values{"name": {"12 months"}, "months": {"12"}, "rank": {"1"}}, false),
			http.StatusUnprocessableEntity, `id="f-rank-err"`, "Another term already has rank 1")
		if p := op.post(termPage, url.Values{"name": {"1 year"}, "months": {"12"}, "rank": {"5"}}, false); p.Status != http.StatusSeeOther {
			t.Fatalf("save term: %d\n%s", p.Status, p.Body)
		}
		if tm, _ := cat.Term(ctx, prov, year.ID); tm.Name != "1 year" || tm.Rank != 5 {
			t.Fatalf("after save: %+v", tm)
		}

		// Delete: refused with the reason on the edit page while in use.
		p = op.post(featurePage+"/delete", nil, false)
		mustContain(t, "delete in use", p, http.StatusConflict, "It cannot be deleted", "Employee Plus", `id="catalog-edit"`)
		if p := op.post("/catalog/terms/"+id(monthly.ID)+"/delete", nil, false); p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "catalog-deleted") {
			t.Fatalf("delete term: %d %s", p.Status, p.Location)
		}
		if _, err := cat.Term(ctx, prov, monthly.ID); err == nil {
			t.Fatal("the deleted term is still there")
		}

		// Unknown entries are not found; company accounts cannot edit.
		for _, path := range []string{"/catalog/features/999999", "/catalog/packages/999999", "/catalog/terms/" + id(monthly.ID)} {
			if p := op.get(path); p.Status != http.StatusNotFound {
				t.Errorf("GET %s: %d", path, p.Status)
			}
		}
		ca := newBrowser(t, env)
		ca.login("acme.admin", false)
		if p := ca.get(featurePage); p.Status != http.StatusForbidden {
			t.Errorf("company admin on the edit page: %d", p.Status)
		}
		if p := ca.post(featurePage, feature("call_waiting", "Hacked"), false); p.Status != http.StatusForbidden {
			t.Errorf("company admin saving a feature: %d", p.Status)
		}
		if f, _ := cat.Feature(ctx, prov, s.feature.ID); f.Name != "Call Waiting Plus" {
			t.Fatalf("a company admin changed the feature: %+v", f)
		}
	})
}
