package numbering_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// fixture is a provider with two companies: Acme (sites Leeds and London,
// employees wendy and lola) and Globex (site Reading, employee gina).
type fixture struct {
	db       *store.DB
	log      *audit.Log
	svc      *numbering.Service
	provider tenancy.Provider
	acme     tenancy.Company
	globex   tenancy.Company
	leeds    directory.Group
	london   directory.Group
	reading  directory.Group
	wendy    int64
	lola     int64
	gina     int64
}

func setup(t *testing.T, db *store.DB) fixture {
	t.Helper()
	ctx := context.Background()
	f := fixture{db: db, log: audit.New(db)}
	f.svc = numbering.New(db, f.log)
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
	f.london, err = dir.CreateSite(ctx, f.acme.ID, directory.SiteCreateRequest{Name: "London"})
	must(err)
	f.reading, err = dir.CreateSite(ctx, f.globex.ID, directory.SiteCreateRequest{Name: "Reading"})
	must(err)
	person := func(c tenancy.Company, username, first, last string) int64 {
		e, err := dir.CreateEmployee(ctx, c.ID, f.provider.ID, directory.EmployeeCreateRequest{
			Username: username, Role: access.RoleEmployee, FirstName: first, LastName: last}, "not-a-real-hash")
		must(err)
		return e.ID
	}
	f.wendy = person(f.acme, "wendy.west", "Wendy", "West")
	f.lola = person(f.acme, "lola.don", "Lola", "Don")
	f.gina = person(f.globex, "gina.lox", "Gina", "Lox")
	return f
}

func (f fixture) user(id int64) numbering.Owner {
	return numbering.Owner{Kind: numbering.OwnerUser, ID: id}
}

// auditTotal is the number of audit entries so far.
func (f fixture) auditTotal(t *testing.T) int {
	t.Helper()
	_, n, err := f.log.List(context.Background(), audit.Filter{}, store.Page{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// lastEvent is the newest audit entry.
func (f fixture) lastEvent(t *testing.T) audit.Entry {
	t.Helper()
	es, _, err := f.log.List(context.Background(), audit.Filter{}, store.Page{PerPage: 1})
	if err != nil || len(es) == 0 {
		t.Fatalf("no audit entry: %v", err)
	}
	return es[0]
}

func (f fixture) addRange(t *testing.T, c tenancy.Company, site directory.Group, start, end string) numbering.Range {
	t.Helper()
	r, err := f.svc.AddRange(context.Background(), c.ID, site.ID, numbering.RangeRequest{Start: start, End: end})
	if err != nil {
		t.Fatalf("AddRange(%s, %s): %v", start, end, err)
	}
	return r
}

// fieldOf returns the field a validation or conflict error names.
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

// expectErr checks err wraps kind and mentions every fragment.
func expectErr(t *testing.T, what string, err, kind error, fragments ...string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got %v, want %v", what, err, kind)
		return
	}
	for _, fr := range fragments {
		if !strings.Contains(err.Error(), fr) {
			t.Errorf("%s: error %q does not mention %q", what, err, fr)
		}
	}
}
