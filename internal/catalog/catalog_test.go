package catalog_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

type fixture struct {
	log      *audit.Log
	svc      *catalog.Service
	provider tenancy.Provider
	acme     tenancy.Company
	globex   tenancy.Company
	leeds    directory.Group
	sales    directory.Group // a group, not a site
	reading  directory.Group
	wendy    int64
	gina     int64
}

func setup(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{log: audit.New(db)}
	f.svc = catalog.New(db, f.log)
	ten := tenancy.New(db, f.log)
	dir := directory.New(db, f.log)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("fixture: %v", err)
		}
	}
	var err error
	f.provider, err = ten.CreateProvider(ctx, "Test Telecom", "GB")
	must(err)
	f.acme, err = ten.CreateCompany(ctx, f.provider.ID, tenancy.CompanyCreateRequest{Name: "Acme Ltd"})
	must(err)
	f.globex, err = ten.CreateCompany(ctx, f.provider.ID, tenancy.CompanyCreateRequest{Name: "Globex plc"})
	must(err)
	f.leeds, err = dir.CreateSite(ctx, f.acme.ID, directory.SiteCreateRequest{Name: "Leeds"})
	must(err)
	f.sales, err = dir.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: f.leeds.ID, Name: "Sales"})
	must(err)
	f.reading, err = dir.CreateSite(ctx, f.globex.ID, directory.SiteCreateRequest{Name: "Reading"})
	must(err)
	person := func(c tenancy.Company, username string) int64 {
		e, err := dir.CreateEmployee(ctx, c.ID, f.provider.ID, directory.EmployeeCreateRequest{
			Username: username, Role: access.RoleEmployee, FirstName: "A", LastName: "B"}, "not-a-real-hash")
		must(err)
		return e.ID
	}
	f.wendy = person(f.acme, "wendy.west")
	f.gina = person(f.globex, "gina.lox")
	must(f.svc.SeedDefaults(ctx, f.provider.ID))
	return f
}

func (f fixture) auditTotal(t *testing.T) int {
	t.Helper()
	_, n, err := f.log.List(context.Background(), audit.Filter{}, store.Page{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f fixture) lastEvent(t *testing.T) audit.Entry {
	t.Helper()
	es, _, err := f.log.List(context.Background(), audit.Filter{}, store.Page{PerPage: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("no audit entry: %v", err)
	}
	return es[0]
}

// pkg finds a seeded package by type, kind and name.
func (f fixture) pkg(t *testing.T, typ catalog.Type, kind catalog.Kind, name string) catalog.Package {
	t.Helper()
	ps, err := f.svc.Packages(context.Background(), f.provider.ID, catalog.PackageFilter{Type: typ, Kind: kind})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no %s %s %q", kind, typ, name)
	return catalog.Package{}
}

func (f fixture) term(t *testing.T, name string) catalog.Term {
	t.Helper()
	ts, err := f.svc.Terms(context.Background(), f.provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range ts {
		if x.Name == name {
			return x
		}
	}
	t.Fatalf("no term %q", name)
	return catalog.Term{}
}

func fieldOf(err error) string {
	var v *derrors.ValidationError
	if errors.As(err, &v) && len(v.Fields) > 0 {
		return v.Fields[0].Field
	}
	var c *derrors.ConflictError
	if errors.As(err, &c) {
		return c.Field
	}
	return ""
}

func expectErr(t *testing.T, what string, err, kind error, field string, fragments ...string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got %v, want %v", what, err, kind)
		return
	}
	if field != "" && fieldOf(err) != field {
		t.Errorf("%s: field %q, want %q (%v)", what, fieldOf(err), field, err)
	}
	for _, fr := range fragments {
		if !strings.Contains(err.Error(), fr) {
			t.Errorf("%s: error %q does not mention %q", what, err, fr)
		}
	}
}

func TestSeedDefaults(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		features, err := f.svc.Features(ctx, f.provider.ID)
		if err != nil || len(features) < 10 {
			t.Fatalf("features = %d, %v", len(features), err)
		}
		before := f.auditTotal(t)
		if err := f.svc.SeedDefaults(ctx, f.provider.ID); err != nil {
			t.Fatal(err)
		}
		if f.auditTotal(t) != before {
			t.Error("seeding twice changed the catalog")
		}
		o, err := f.svc.Catalog(ctx, f.provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		names := func(ps []catalog.Package) string {
			var n []string
			for _, p := range ps {
				n = append(n, p.Name)
			}
			return strings.Join(n, ",")
		}
		if got := names(o.EmployeePackages); got != "Advanced,Basic,Standard" {
			t.Errorf("employee packages = %s", got)
		}
		if got := names(o.SitePackages); got != "Site Essentials" {
			t.Errorf("site packages = %s", got)
		}
		if got := names(o.EmployeeAddOns); got != "Call Recording,Fax Messaging,Receptionist Console" {
			t.Errorf("employee add-ons = %s", got)
		}
		if got := names(o.SiteAddOns); got != "Call Centre,My Room Conferencing" {
			t.Errorf("site add-ons = %s", got)
		}
		basic := f.pkg(t, catalog.TypePackage, catalog.KindEmployee, "Basic")
		fs, err := f.svc.PackageFeatures(ctx, f.provider.ID, basic.ID)
		if err != nil || len(fs) != 7 || fs[0].Description == "" {
			t.Errorf("Basic features = %+v, %v", fs, err)
		}
		ts, err := f.svc.Terms(ctx, f.provider.ID)
		if err != nil || len(ts) != 3 || ts[0].Name != "Monthly" || ts[2].Months != 24 {
			t.Errorf("terms = %+v, %v", ts, err)
		}
	})
}

func TestDefaultEmployeePackage(t *testing.T) {
	feats := func(n int) []catalog.Feature { return make([]catalog.Feature, n) }
	emp := func(id int64, name string, n int) catalog.Package {
		return catalog.Package{ID: id, Name: name, Type: catalog.TypePackage, Kind: catalog.KindEmployee, Features: feats(n)}
	}
	tests := []struct {
		name string
		pkgs []catalog.Package
		want string // "" when none is proposed
	}{
		{"none offered", nil, ""},
		{"fewest features, not first by name", []catalog.Package{emp(7, "Advanced", 10), emp(5, "Basic", 5), emp(6, "Standard", 9)}, "Basic"},
		{"equal sizes: the one added first", []catalog.Package{emp(9, "Alpha", 3), emp(4, "Zulu", 3)}, "Zulu"},
		{"add-ons and site packages are never proposed", []catalog.Package{
			{ID: 1, Name: "Recording", Type: catalog.TypeAddOn, Kind: catalog.KindEmployee, Features: feats(1)},
			{ID: 2, Name: "Site Essentials", Type: catalog.TypePackage, Kind: catalog.KindSite, Features: feats(1)},
			emp(3, "Standard", 9)}, "Standard"},
		{"only add-ons", []catalog.Package{{ID: 1, Name: "Recording", Type: catalog.TypeAddOn, Kind: catalog.KindEmployee}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := catalog.SiteOffering{EmployeePackages: tt.pkgs}.DefaultEmployeePackage()
			if ok != (tt.want != "") || (ok && got.Name != tt.want) {
				t.Errorf("DefaultEmployeePackage() = %q, %v; want %q", got.Name, ok, tt.want)
			}
		})
	}

	// The default catalog, as Activate reads it for a site: Basic, though
	// "Advanced" comes first by name.
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		o, err := f.svc.ForSite(context.Background(), f.acme.ID, f.leeds.ID)
		if err != nil {
			t.Fatal(err)
		}
		if o.EmployeePackages[0].Name != "Advanced" {
			t.Fatalf("the test expects Advanced first by name, got %q", o.EmployeePackages[0].Name)
		}
		if p, ok := o.DefaultEmployeePackage(); !ok || p.Name != "Basic" {
			t.Errorf("the default at Leeds = %q, %v; want Basic", p.Name, ok)
		}
	})
}

func TestFeatureCRUD(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		bad := []struct {
			name  string
			req   catalog.FeatureRequest
			kind  error
			field string
		}{
			{"empty code", catalog.FeatureRequest{Name: "X", Category: "C"}, derrors.ErrInvalid, "code"},
			{"code with capitals", catalog.FeatureRequest{Code: "Call_Park", Name: "X", Category: "C"}, derrors.ErrInvalid, "code"},
			{"code with space", catalog.FeatureRequest{Code: "call park", Name: "X", Category: "C"}, derrors.ErrInvalid, "code"},
			{"no name", catalog.FeatureRequest{Code: "x_feature", Category: "C"}, derrors.ErrInvalid, "name"},
			{"no category", catalog.FeatureRequest{Code: "x_feature", Name: "X"}, derrors.ErrInvalid, "category"},
			{"long description", catalog.FeatureRequest{Code: "x_feature", Name: "X", Category: "C", Description: strings.Repeat("d", 501)}, derrors.ErrInvalid, "description"},
			{"duplicate code", catalog.FeatureRequest{Code: "voicemail", Name: "Other", Category: "C"}, derrors.ErrConflict, "code"},
			{"duplicate name", catalog.FeatureRequest{Code: "vm2", Name: "VOICEMAIL", Category: "C"}, derrors.ErrConflict, "name"},
		}
		for _, b := range bad {
			t.Run(b.name, func(t *testing.T) {
				before := f.auditTotal(t)
				_, err := f.svc.CreateFeature(ctx, f.provider.ID, b.req)
				expectErr(t, b.name, err, b.kind, b.field)
				if f.auditTotal(t) != before {
					t.Error("refused create audited")
				}
			})
		}
		ft, err := f.svc.CreateFeature(ctx, f.provider.ID, catalog.FeatureRequest{Code: "fax_to_email", Name: " Fax to E-mail ", Category: "Messaging",
			Description: "Receive faxes as PDF attachments."})
		if err != nil || ft.Name != "Fax to E-mail" {
			t.Fatalf("create = %+v, %v", ft, err)
		}
		if e := f.lastEvent(t); e.Event != "Create Feature" || e.ObjectID != ft.ID {
			t.Errorf("audit = %+v", e)
		}
		up, err := f.svc.UpdateFeature(ctx, f.provider.ID, ft.ID, catalog.FeatureRequest{Code: "fax_to_email", Name: "Fax to Email", Category: "Messaging"})
		if err != nil || up.Name != "Fax to Email" {
			t.Errorf("update = %+v, %v", up, err)
		}
		_, err = f.svc.UpdateFeature(ctx, f.provider.ID, ft.ID, catalog.FeatureRequest{Code: "voicemail", Name: "Fax", Category: "Messaging"})
		expectErr(t, "update to a taken code", err, derrors.ErrConflict, "code")
		// In use: refused, naming the packages.
		vm := mustFeature(t, f, "voicemail")
		err = f.svc.DeleteFeature(ctx, f.provider.ID, vm.ID)
		expectErr(t, "delete in use", err, derrors.ErrConflict, "", "Basic", "Standard", "Advanced")
		if err := f.svc.DeleteFeature(ctx, f.provider.ID, ft.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Feature(ctx, f.provider.ID, ft.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		// Another provider's id is not found.
		if _, err := f.svc.Feature(ctx, f.provider.ID+1, vm.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("other provider: %v", err)
		}
	})
}

func mustFeature(t *testing.T, f fixture, code string) catalog.Feature {
	t.Helper()
	fs, err := f.svc.Features(context.Background(), f.provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range fs {
		if x.Code == code {
			return x
		}
	}
	t.Fatalf("no feature %s", code)
	return catalog.Feature{}
}

func TestPackageCRUD(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		vm := mustFeature(t, f, "voicemail")
		rec := mustFeature(t, f, "call_recording")
		bad := []struct {
			name  string
			req   catalog.PackageRequest
			kind  error
			field string
		}{
			{"no type", catalog.PackageRequest{Kind: catalog.KindEmployee, Name: "X", FeatureIDs: []int64{vm.ID}}, derrors.ErrInvalid, "type"},
			{"bad kind", catalog.PackageRequest{Type: catalog.TypePackage, Kind: "company", Name: "X", FeatureIDs: []int64{vm.ID}}, derrors.ErrInvalid, "kind"},
			{"no name", catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee, FeatureIDs: []int64{vm.ID}}, derrors.ErrInvalid, "name"},
			{"no features", catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee, Name: "X"}, derrors.ErrInvalid, "feature_ids"},
			{"feature twice", catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee, Name: "X", FeatureIDs: []int64{vm.ID, vm.ID}}, derrors.ErrInvalid, "feature_ids"},
			{"unknown feature", catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee, Name: "X", FeatureIDs: []int64{99999}}, derrors.ErrInvalid, "feature_ids"},
			{"duplicate name", catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindEmployee, Name: "basic", FeatureIDs: []int64{vm.ID}}, derrors.ErrConflict, "name"},
		}
		for _, b := range bad {
			t.Run(b.name, func(t *testing.T) {
				before := f.auditTotal(t)
				_, err := f.svc.CreatePackage(ctx, f.provider.ID, b.req)
				expectErr(t, b.name, err, b.kind, b.field)
				if f.auditTotal(t) != before {
					t.Error("refused create audited")
				}
			})
		}
		// The same name is fine for another type or kind.
		p, err := f.svc.CreatePackage(ctx, f.provider.ID, catalog.PackageRequest{Type: catalog.TypeAddOn, Kind: catalog.KindEmployee,
			Name: "Basic", Description: "An add-on called Basic", FeatureIDs: []int64{vm.ID, rec.ID}})
		if err != nil || len(p.Features) != 2 {
			t.Fatalf("create = %+v, %v", p, err)
		}
		if e := f.lastEvent(t); e.Event != "Create Add-On" || e.ObjectKind != "add_on" {
			t.Errorf("audit = %+v", e)
		}
		p, err = f.svc.UpdatePackage(ctx, f.provider.ID, p.ID, catalog.PackageUpdateRequest{Name: "Basic Extras", FeatureIDs: []int64{rec.ID}})
		if err != nil || len(p.Features) != 1 || p.Name != "Basic Extras" {
			t.Errorf("update = %+v, %v", p, err)
		}
		if e := f.lastEvent(t); e.Event != "Modify Add-On" {
			t.Errorf("audit = %s", e.Event)
		}
		_, err = f.svc.UpdatePackage(ctx, f.provider.ID, p.ID, catalog.PackageUpdateRequest{Name: "Call Recording", FeatureIDs: []int64{rec.ID}})
		expectErr(t, "rename onto an existing add-on", err, derrors.ErrConflict, "name")
		if err := f.svc.DeletePackage(ctx, f.provider.ID, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Package(ctx, f.provider.ID, p.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("after delete: %v", err)
		}
		if _, err := f.svc.Packages(ctx, f.provider.ID, catalog.PackageFilter{Kind: "nope"}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("bad filter: %v", err)
		}
	})
}

func TestTerms(t *testing.T) {
	monthly := catalog.Term{Name: "Monthly", Rank: 1}
	year := catalog.Term{Name: "12 months", Rank: 2}
	two := catalog.Term{Name: "24 months", Rank: 3}
	for _, c := range []struct {
		from, to catalog.Term
		ok       bool
	}{
		{monthly, year, true}, {monthly, two, true}, {year, two, true}, {year, year, true},
		{two, year, false}, {two, monthly, false}, {year, monthly, false},
	} {
		err := catalog.CanChangeTerm(c.from, c.to)
		if (err == nil) != c.ok {
			t.Errorf("CanChangeTerm(%s → %s) = %v, want ok=%v", c.from.Name, c.to.Name, err, c.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "only be upgraded") {
			t.Errorf("message %q", err)
		}
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		for _, b := range []struct {
			name  string
			req   catalog.TermRequest
			kind  error
			field string
		}{
			{"no name", catalog.TermRequest{Months: 36, Rank: 4}, derrors.ErrInvalid, "name"},
			{"zero months", catalog.TermRequest{Name: "Never", Months: 0, Rank: 4}, derrors.ErrInvalid, "months"},
			{"zero rank", catalog.TermRequest{Name: "36 months", Months: 36, Rank: 0}, derrors.ErrInvalid, "rank"},
			{"taken name", catalog.TermRequest{Name: "monthly", Months: 1, Rank: 9}, derrors.ErrConflict, "name"},
			{"taken rank", catalog.TermRequest{Name: "36 months", Months: 36, Rank: 3}, derrors.ErrConflict, "rank"},
		} {
			_, err := f.svc.CreateTerm(ctx, f.provider.ID, b.req)
			expectErr(t, b.name, err, b.kind, b.field)
		}
		tm, err := f.svc.CreateTerm(ctx, f.provider.ID, catalog.TermRequest{Name: "36 months", Months: 36, Rank: 4})
		if err != nil {
			t.Fatal(err)
		}
		if tm, err = f.svc.UpdateTerm(ctx, f.provider.ID, tm.ID, catalog.TermRequest{Name: "36 months", Months: 36, Rank: 10}); err != nil || tm.Rank != 10 {
			t.Errorf("update = %+v, %v", tm, err)
		}
		if err := f.svc.DeleteTerm(ctx, f.provider.ID, tm.ID); err != nil {
			t.Fatal(err)
		}
		if e := f.lastEvent(t); e.Event != "Delete Term" {
			t.Errorf("audit = %s", e.Event)
		}
	})
}

func TestSiteAndEmployeeOffering(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		essentials := f.pkg(t, catalog.TypePackage, catalog.KindSite, "Site Essentials")
		callCentre := f.pkg(t, catalog.TypeAddOn, catalog.KindSite, "Call Centre")
		basic := f.pkg(t, catalog.TypePackage, catalog.KindEmployee, "Basic")
		standard := f.pkg(t, catalog.TypePackage, catalog.KindEmployee, "Standard")
		recording := f.pkg(t, catalog.TypeAddOn, catalog.KindEmployee, "Call Recording")
		console := f.pkg(t, catalog.TypeAddOn, catalog.KindEmployee, "Receptionist Console")
		monthly, year := f.term(t, "Monthly"), f.term(t, "12 months")

		// Nothing assigned yet.
		so, err := f.svc.ForSite(ctx, f.acme.ID, f.leeds.ID)
		if err != nil || so.Package != nil || len(so.EmployeePackages) != 3 || len(so.EmployeeAddOns) != 3 {
			t.Fatalf("empty site offering = %+v, %v", so, err)
		}
		eo, err := f.svc.ForEmployee(ctx, f.acme.ID, f.wendy)
		if err != nil || eo.Package != nil || eo.Term != nil {
			t.Fatalf("empty employee offering = %+v, %v", eo, err)
		}

		siteBad := []struct {
			name    string
			company int64
			site    int64
			pkg     int64
			addOns  []int64
			kind    error
			field   string
			mention string
		}{
			{"employee package on a site", f.acme.ID, f.leeds.ID, basic.ID, nil, derrors.ErrInvalid, "package_id", "a site needs a site feature package"},
			{"add-on as package", f.acme.ID, f.leeds.ID, callCentre.ID, nil, derrors.ErrInvalid, "package_id", "is an add-on, not a feature package"},
			{"employee add-on on a site", f.acme.ID, f.leeds.ID, essentials.ID, []int64{recording.ID}, derrors.ErrInvalid, "add_on_ids", "employee add-on"},
			{"package as add-on", f.acme.ID, f.leeds.ID, essentials.ID, []int64{essentials.ID}, derrors.ErrInvalid, "add_on_ids", "not an add-on"},
			{"add-on twice", f.acme.ID, f.leeds.ID, essentials.ID, []int64{callCentre.ID, callCentre.ID}, derrors.ErrInvalid, "add_on_ids", "twice"},
			{"no package", f.acme.ID, f.leeds.ID, 0, nil, derrors.ErrInvalid, "package_id", ""},
			{"unknown package", f.acme.ID, f.leeds.ID, 99999, nil, derrors.ErrInvalid, "package_id", "does not exist"},
			{"a group is not a site", f.acme.ID, f.sales.ID, essentials.ID, nil, derrors.ErrNotFound, "", ""},
			{"another company's site", f.globex.ID, f.leeds.ID, essentials.ID, nil, derrors.ErrNotFound, "", ""},
		}
		for _, b := range siteBad {
			before := f.auditTotal(t)
			_, err := f.svc.SetSiteOffering(ctx, b.company, b.site, b.pkg, b.addOns)
			expectErr(t, b.name, err, b.kind, b.field, b.mention)
			if f.auditTotal(t) != before {
				t.Errorf("%s: audited", b.name)
			}
		}
		so, err = f.svc.SetSiteOffering(ctx, f.acme.ID, f.leeds.ID, essentials.ID, []int64{callCentre.ID})
		if err != nil || so.Package == nil || so.Package.ID != essentials.ID || len(so.AddOns) != 1 || len(so.Package.Features) != 12 {
			t.Fatalf("SetSiteOffering = %+v, %v", so, err)
		}
		if e := f.lastEvent(t); e.Event != "Set Site Service Offering" || e.SiteID != f.leeds.ID || !strings.Contains(string(e.After), "Call Centre") {
			t.Errorf("audit = %+v", e)
		}
		// Replacing drops the add-on; the audit entry keeps both sides.
		if so, err = f.svc.SetSiteOffering(ctx, f.acme.ID, f.leeds.ID, essentials.ID, nil); err != nil || len(so.AddOns) != 0 {
			t.Errorf("replace = %+v, %v", so, err)
		}
		if e := f.lastEvent(t); e.Event != "Set Site Service Offering" || !strings.Contains(string(e.Before), "Call Centre") ||
			strings.Contains(string(e.After), "Call Centre") || !strings.Contains(string(e.After), "Site Essentials") {
			t.Errorf("audit of the replacement: before %s after %s", e.Before, e.After)
		}

		empBad := []struct {
			name    string
			company int64
			account int64
			pkg     int64
			addOns  []int64
			term    int64
			kind    error
			field   string
			mention string
		}{
			{"site package on an employee", f.acme.ID, f.wendy, essentials.ID, nil, monthly.ID, derrors.ErrInvalid, "package_id", "an employee needs an employee feature package"},
			{"site add-on on an employee", f.acme.ID, f.wendy, basic.ID, []int64{callCentre.ID}, monthly.ID, derrors.ErrInvalid, "add_on_ids", "site add-on"},
			{"no term", f.acme.ID, f.wendy, basic.ID, nil, 0, derrors.ErrInvalid, "term_id", "agreed"},
			{"unknown term", f.acme.ID, f.wendy, basic.ID, nil, 99999, derrors.ErrInvalid, "term_id", "does not exist"},
			{"another company's employee", f.acme.ID, f.gina, basic.ID, nil, monthly.ID, derrors.ErrNotFound, "", ""},
		}
		for _, b := range empBad {
			before := f.auditTotal(t)
			_, err := f.svc.SetEmployeeOffering(ctx, b.company, b.account, b.pkg, b.addOns, b.term)
			expectErr(t, b.name, err, b.kind, b.field, b.mention)
			if f.auditTotal(t) != before {
				t.Errorf("%s: audited", b.name)
			}
		}
		eo, err = f.svc.SetEmployeeOffering(ctx, f.acme.ID, f.wendy, basic.ID, []int64{recording.ID, console.ID}, year.ID)
		if err != nil || eo.Package.Name != "Basic" || len(eo.AddOns) != 2 || eo.Term.Name != "12 months" {
			t.Fatalf("SetEmployeeOffering = %+v, %v", eo, err)
		}
		if e := f.lastEvent(t); e.Event != "Set Employee Service Offering" || e.CompanyID != f.acme.ID {
			t.Errorf("audit = %+v", e)
		}
		// Upgrade the package and keep the term: fine. Downgrade the term: refused.
		if eo, err = f.svc.SetEmployeeOffering(ctx, f.acme.ID, f.wendy, standard.ID, nil, year.ID); err != nil || eo.Package.Name != "Standard" || len(eo.AddOns) != 0 {
			t.Errorf("change package = %+v, %v", eo, err)
		}
		_, err = f.svc.SetEmployeeOffering(ctx, f.acme.ID, f.wendy, standard.ID, nil, monthly.ID)
		expectErr(t, "term downgrade", err, derrors.ErrInvalid, "term_id", `"12 months" cannot change to "Monthly"`)

		// The employee view from the other company: not found.
		if _, err := f.svc.ForEmployee(ctx, f.globex.ID, f.wendy); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("Globex viewing Wendy: %v", err)
		}
		// In use: the package cannot be deleted.
		err = f.svc.DeletePackage(ctx, f.provider.ID, standard.ID)
		expectErr(t, "delete assigned package", err, derrors.ErrConflict, "", "1 employee(s)")
		err = f.svc.DeleteTerm(ctx, f.provider.ID, year.ID)
		expectErr(t, "delete used term", err, derrors.ErrConflict, "", "1 employee(s)")

		// Cease: cleared, then any term may be chosen again.
		if err := f.svc.ClearEmployeeOffering(ctx, f.acme.ID, f.wendy); err != nil {
			t.Fatal(err)
		}
		if e := f.lastEvent(t); e.Event != "Clear Employee Service Offering" {
			t.Errorf("audit = %s", e.Event)
		}
		before := f.auditTotal(t)
		if err := f.svc.ClearEmployeeOffering(ctx, f.acme.ID, f.wendy); err != nil || f.auditTotal(t) != before {
			t.Errorf("second clear: %v", err)
		}
		if _, err := f.svc.SetEmployeeOffering(ctx, f.acme.ID, f.wendy, basic.ID, nil, monthly.ID); err != nil {
			t.Errorf("after clear: %v", err)
		}

		// The company view is the provider's catalog; a site view shows
		// its own package plus the employee catalog.
		co, err := f.svc.ForCompany(ctx, f.acme.ID)
		if err != nil || len(co.SitePackages) != 1 || len(co.EmployeePackages) != 3 || len(co.SiteAddOns) != 2 || len(co.EmployeeAddOns) != 3 {
			t.Errorf("ForCompany = %+v, %v", co, err)
		}
		if _, err := f.svc.ForCompany(ctx, 99999); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("unknown company: %v", err)
		}
		so, err = f.svc.ForSite(ctx, f.acme.ID, f.leeds.ID)
		if err != nil || so.Package == nil || so.Package.Name != "Site Essentials" || so.SiteName != "Leeds" || len(so.EmployeePackages) != 3 {
			t.Errorf("ForSite = %+v, %v", so, err)
		}
		if so, err := f.svc.ForSite(ctx, f.globex.ID, f.reading.ID); err != nil || so.Package != nil {
			t.Errorf("Reading = %+v, %v", so, err)
		}
	})
}
