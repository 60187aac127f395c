package tenancy_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

func newApp(t *testing.T, db *store.DB) (*app.App, tenancy.Provider) {
	t.Helper()
	a := app.New(db, nil, "test")
	p, err := a.Tenancy.CreateProvider(context.Background(), "Test Telecom", "gb")
	if err != nil {
		t.Fatal(err)
	}
	if p.DefaultRegion != "GB" {
		t.Errorf("region %q, want GB", p.DefaultRegion)
	}
	return a, p
}

func auditTotal(t *testing.T, a *app.App) int {
	t.Helper()
	_, n, err := a.Audit.List(context.Background(), audit.Filter{}, store.Page{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func fields(err error) []string {
	var v *derrors.ValidationError
	if !errors.As(err, &v) {
		return nil
	}
	var out []string
	for _, f := range v.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestCreateCompanyValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, p := newApp(t, db)
		ctx := context.Background()
		if _, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Acme Ltd"}); err != nil {
			t.Fatal(err)
		}
		before := auditTotal(t, a)
		reseller := int64(987654)
		cases := []struct {
			name   string
			req    tenancy.CompanyCreateRequest
			kind   error
			fields string
			needle string
		}{
			{"empty name", tenancy.CompanyCreateRequest{Name: "   "}, derrors.ErrInvalid, "name", "needs a name"},
			{"long name", tenancy.CompanyCreateRequest{Name: strings.Repeat("n", 101)}, derrors.ErrInvalid, "name", "100"},
			{"bad status", tenancy.CompanyCreateRequest{Name: "B", Status: "closed"}, derrors.ErrInvalid, "status", "active, suspended, cancelled"},
			{"negative debit limit", tenancy.CompanyCreateRequest{Name: "B", DebitLimitMinor: -1}, derrors.ErrInvalid, "debit_limit_minor", "negative"},
			{"negative channels", tenancy.CompanyCreateRequest{Name: "B", ChannelLimit: -5}, derrors.ErrInvalid, "channel_limit", "negative"},
			{"bad currency", tenancy.CompanyCreateRequest{Name: "B", Currency: "POUNDS"}, derrors.ErrInvalid, "currency", "ISO 4217"},
			{"short currency", tenancy.CompanyCreateRequest{Name: "B", Currency: "GB"}, derrors.ErrInvalid, "currency", "three-letter"},
			{"currency with digits", tenancy.CompanyCreateRequest{Name: "B", Currency: "GB1"}, derrors.ErrInvalid, "currency", "three-letter"},
			{"currency with symbols", tenancy.CompanyCreateRequest{Name: "B", Currency: "£$€"}, derrors.ErrInvalid, "currency", "three-letter"},
			{"everything wrong", tenancy.CompanyCreateRequest{Status: "x", Currency: "x", DebitLimitMinor: -1},
				derrors.ErrInvalid, "name,status,currency,debit_limit_minor", ""},
			{"unknown reseller", tenancy.CompanyCreateRequest{Name: "B", ResellerID: &reseller}, derrors.ErrInvalid, "reseller_id", "does not exist"},
			{"duplicate name", tenancy.CompanyCreateRequest{Name: "Acme Ltd"}, derrors.ErrConflict, "", "already exists"},
			{"duplicate name, other case", tenancy.CompanyCreateRequest{Name: "ACME LTD"}, derrors.ErrConflict, "", "already exists"},
			{"duplicate name, padded", tenancy.CompanyCreateRequest{Name: "  acme ltd "}, derrors.ErrConflict, "", "already exists"},
		}
		for _, c := range cases {
			_, err := a.Tenancy.CreateCompany(ctx, p.ID, c.req)
			if !errors.Is(err, c.kind) {
				t.Errorf("%s: got %v, want %v", c.name, err, c.kind)
				continue
			}
			if c.fields != "" && strings.Join(fields(err), ",") != c.fields {
				t.Errorf("%s: fields %v, want %s", c.name, fields(err), c.fields)
			}
			if !strings.Contains(err.Error(), c.needle) {
				t.Errorf("%s: %q does not mention %q", c.name, err, c.needle)
			}
		}
		if n := auditTotal(t, a); n != before {
			t.Errorf("failed creates wrote %d audit events", n-before)
		}
		cs, total, err := a.Tenancy.ListCompanies(ctx, tenancy.CompanyFilter{ProviderID: p.ID}, store.Page{})
		if err != nil || total != 1 || len(cs) != 1 {
			t.Errorf("companies after failed creates: %d (%v)", total, err)
		}

		// Defaults: active, GBP; currency upper-cased; audited.
		c, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: " Beta ", Currency: "eur", DebitLimitMinor: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if c.Name != "Beta" || c.Status != tenancy.StatusActive || c.Currency != "EUR" || c.DebitLimitMinor != 5000 {
			t.Errorf("created company = %+v", c)
		}
		got, err := a.Tenancy.Company(ctx, c.ID)
		if err != nil || got.Name != "Beta" || got.Currency != "EUR" || got.CreatedAt.IsZero() {
			t.Errorf("read back = %+v, %v", got, err)
		}
		es, _, _ := a.Audit.List(ctx, audit.Filter{CompanyID: c.ID}, store.Page{})
		if len(es) != 1 || es[0].Event != "Create Company" {
			t.Errorf("audit = %+v", es)
		}
		if _, err := a.Tenancy.Company(ctx, 987654); !derrors.IsNotFound(err) {
			t.Errorf("missing company: %v", err)
		}

		// Another provider may reuse a name.
		p2, _ := a.Tenancy.CreateProvider(ctx, "Other Telecom", "")
		if _, err := a.Tenancy.CreateCompany(ctx, p2.ID, tenancy.CompanyCreateRequest{Name: "Acme Ltd"}); err != nil {
			t.Errorf("same name under another provider: %v", err)
		}
	})
}

func TestResellers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, p := newApp(t, db)
		ctx := context.Background()
		r, err := a.Tenancy.CreateReseller(ctx, p.ID, "Channel Co")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Tenancy.CreateReseller(ctx, p.ID, "channel co"); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("duplicate reseller: %v", err)
		}
		if _, err := a.Tenancy.CreateReseller(ctx, p.ID, " "); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("empty reseller name: %v", err)
		}
		c, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Resold", ResellerID: &r.ID})
		if err != nil || c.ResellerID == nil || *c.ResellerID != r.ID {
			t.Fatalf("company under reseller: %+v, %v", c, err)
		}
		if _, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Direct"}); err != nil {
			t.Fatal(err)
		}
		cs, total, _ := a.Tenancy.ListCompanies(ctx, tenancy.CompanyFilter{ProviderID: p.ID, ResellerID: r.ID}, store.Page{})
		if total != 1 || cs[0].ID != c.ID {
			t.Errorf("reseller's companies = %+v", cs)
		}
		rs, err := a.Tenancy.ListResellers(ctx, p.ID)
		if err != nil || len(rs) != 1 || rs[0].Name != "Channel Co" {
			t.Errorf("resellers = %+v, %v", rs, err)
		}
		// CompanyIDs has no page: past store.MaxPerPage companies it still
		// names them all (the reseller's audit scope depends on it).
		for i := range store.MaxPerPage + 5 {
			if _, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: fmt.Sprintf("Resold %03d", i), ResellerID: &r.ID}); err != nil {
				t.Fatal(err)
			}
		}
		ids, err := a.Tenancy.CompanyIDs(ctx, p.ID, r.ID)
		if err != nil || len(ids) != store.MaxPerPage+6 || ids[0] != c.ID {
			t.Errorf("reseller's company ids: %d, first %v, %v", len(ids), ids[:min(1, len(ids))], err)
		}
		if all, err := a.Tenancy.CompanyIDs(ctx, p.ID, 0); err != nil || len(all) != store.MaxPerPage+7 {
			t.Errorf("provider's company ids: %d, %v", len(all), err)
		}
	})
}

func TestUpdateCompany(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, p := newApp(t, db)
		ctx := context.Background()
		acme, _ := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Acme Ltd", Currency: "GBP",
			DebitLimitMinor: 1000, ChannelLimit: 10, AddEmployee: true})
		if _, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Globex plc"}); err != nil {
			t.Fatal(err)
		}
		str := func(s string) *string { return &s }
		i64 := func(n int64) *int64 { return &n }
		before := auditTotal(t, a)
		fails := []struct {
			name string
			req  tenancy.CompanyUpdateRequest
			kind error
		}{
			{"empty name", tenancy.CompanyUpdateRequest{Name: str(" ")}, derrors.ErrInvalid},
			{"bad status", tenancy.CompanyUpdateRequest{Status: str("gone")}, derrors.ErrInvalid},
			{"negative debit limit", tenancy.CompanyUpdateRequest{DebitLimitMinor: i64(-1)}, derrors.ErrInvalid},
			{"bad currency", tenancy.CompanyUpdateRequest{Currency: str("pound")}, derrors.ErrInvalid},
			{"duplicate name", tenancy.CompanyUpdateRequest{Name: str("GLOBEX PLC")}, derrors.ErrConflict},
		}
		for _, c := range fails {
			if _, err := a.Tenancy.UpdateCompany(ctx, acme.ID, c.req); !errors.Is(err, c.kind) {
				t.Errorf("%s: %v, want %v", c.name, err, c.kind)
			}
		}
		if _, err := a.Tenancy.UpdateCompany(ctx, 987654, tenancy.CompanyUpdateRequest{}); !derrors.IsNotFound(err) {
			t.Errorf("missing company: %v", err)
		}
		if n := auditTotal(t, a); n != before {
			t.Errorf("failed updates wrote %d audit events", n-before)
		}
		if got, _ := a.Tenancy.Company(ctx, acme.ID); got.Name != "Acme Ltd" || got.Status != "active" || got.DebitLimitMinor != 1000 {
			t.Errorf("failed updates changed the company: %+v", got)
		}

		// A partial update changes only what it names.
		suspended := tenancy.StatusSuspended
		no := false
		c, err := a.Tenancy.UpdateCompany(ctx, acme.ID, tenancy.CompanyUpdateRequest{Status: &suspended, AddEmployee: &no, BalanceMinor: i64(-250)})
		if err != nil {
			t.Fatal(err)
		}
		got, _ := a.Tenancy.Company(ctx, acme.ID)
		for _, x := range []tenancy.Company{c, got} {
			if x.Status != "suspended" || x.AddEmployee || x.BalanceMinor != -250 || x.Name != "Acme Ltd" ||
				x.DebitLimitMinor != 1000 || x.ChannelLimit != 10 || x.Currency != "GBP" {
				t.Errorf("after partial update: %+v", x)
			}
		}
		es, _, _ := a.Audit.List(ctx, audit.Filter{CompanyID: acme.ID, Event: "Modify Company"}, store.Page{})
		if len(es) != 1 || !strings.Contains(string(es[0].Before), `"status":"active"`) || !strings.Contains(string(es[0].After), `"status":"suspended"`) {
			t.Errorf("audit = %+v", es)
		}
		// Renaming to its own name in another case is allowed.
		if c, err := a.Tenancy.UpdateCompany(ctx, acme.ID, tenancy.CompanyUpdateRequest{Name: str("ACME Ltd")}); err != nil || c.Name != "ACME Ltd" {
			t.Errorf("rename in place: %+v, %v", c, err)
		}
	})
}

func TestListCompaniesFilters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, p := newApp(t, db)
		ctx := context.Background()
		for _, n := range []string{"Zeta", "alpha", "Beta 100%"} {
			if _, err := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: n}); err != nil {
				t.Fatal(err)
			}
		}
		names := func(f tenancy.CompanyFilter, pg store.Page) (string, int) {
			f.ProviderID = p.ID
			cs, total, err := a.Tenancy.ListCompanies(ctx, f, pg)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, c := range cs {
				out = append(out, c.Name)
			}
			return strings.Join(out, ","), total
		}
		if got, n := names(tenancy.CompanyFilter{}, store.Page{}); got != "alpha,Beta 100%,Zeta" || n != 3 {
			t.Errorf("all = %s (%d)", got, n)
		}
		if got, n := names(tenancy.CompanyFilter{Q: "ETA"}, store.Page{}); got != "Beta 100%,Zeta" || n != 2 {
			t.Errorf("q=ETA = %s (%d)", got, n)
		}
		if got, _ := names(tenancy.CompanyFilter{Q: "%"}, store.Page{}); got != "Beta 100%" {
			t.Errorf("q=%% = %s, want the literal match only", got)
		}
		if got, n := names(tenancy.CompanyFilter{}, store.Page{Page: 2, PerPage: 2}); got != "Zeta" || n != 3 {
			t.Errorf("page 2 = %s (%d)", got, n)
		}
		if got, n := names(tenancy.CompanyFilter{Status: "suspended"}, store.Page{}); got != "" || n != 0 {
			t.Errorf("suspended = %s (%d)", got, n)
		}
	})
}

func TestDashboardStats(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		a, p := newApp(t, db)
		ctx := context.Background()
		acme, _ := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Acme"})
		other, _ := a.Tenancy.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Other"})
		if st, err := a.Tenancy.DashboardStats(ctx, acme.ID); err != nil || st != (tenancy.Stats{}) {
			t.Errorf("empty company stats = %+v, %v", st, err)
		}
		leeds, err := a.Directory.CreateSite(ctx, acme.ID, directory.SiteCreateRequest{Name: "Leeds"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Directory.CreateSite(ctx, acme.ID, directory.SiteCreateRequest{Name: "London"}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: leeds.ID, Name: "Sales"}); err != nil {
			t.Fatal(err) // a group is not a site
		}
		if _, err := a.Directory.CreateSite(ctx, other.ID, directory.SiteCreateRequest{Name: "Elsewhere"}); err != nil {
			t.Fatal(err)
		}
		add := func(c tenancy.Company, user string, role access.Role) int64 {
			e, err := a.Directory.CreateEmployee(ctx, c.ID, p.ID, directory.EmployeeCreateRequest{Username: user, Role: role, FirstName: "F", LastName: "L"}, "")
			if err != nil {
				t.Fatal(err)
			}
			return e.ID
		}
		add(acme, "ca.one", access.RoleCompanyAdmin)
		add(acme, "ca.two", access.RoleCompanyAdmin)
		active := add(acme, "emp.one", access.RoleEmployee)
		add(acme, "emp.two", access.RoleEmployee)
		add(other, "other.admin", access.RoleCompanyAdmin)
		if _, err := storetest.Exec(ctx, db, "UPDATE accounts SET status = 'active' WHERE id = ?", active); err != nil {
			t.Fatal(err)
		}
		st, err := a.Tenancy.DashboardStats(ctx, acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := (tenancy.Stats{ActiveSites: 2, ActiveEmployees: 1, CompanyAdmins: 2}); st != want {
			t.Errorf("stats = %+v, want %+v", st, want)
		}
	})
}
