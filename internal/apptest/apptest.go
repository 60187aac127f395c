// Package apptest builds a Switchboard node for tests: the services on a
// fresh database of each engine, an httptest server, and a small fixture
// estate with known names, so API, UI and access tests share one picture.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
	"github.com/switchboard-voice/switchboard/internal/web"
)

// Password is every fixture account's password.
const Password = "Fixture-Pass-1!"

// Fixture names the estate Seed creates. The tree of Acme:
//
//	Leeds (site)            admin: leeds.admin (group admin)
//	  Sales                 admin: sales.admin (group admin)
//	    Sales West          members: west.one
//	  Support               members: support.one
//	London (site)           members: london.one
//
// Globex has one site, Reading, with member globex.one, and its admin globex.admin.
type Fixture struct {
	Provider tenancy.Provider
	Acme     tenancy.Company
	Globex   tenancy.Company

	Leeds, Sales, SalesWest, Support, London, Reading directory.Group

	// Accounts by username.
	Accounts map[string]identity.Account
}

// Env is a running test node.
type Env struct {
	App     *app.App
	Server  *httptest.Server
	Fixture Fixture
}

// New builds an Env on db with the fixture loaded. Argon2 runs with tiny
// parameters so tests stay fast; the format is the production one.
func New(t testing.TB, db *store.DB) *Env {
	t.Helper()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	a := app.New(db, logger, "test")
	a.Identity.Hash = identity.HashParams{Memory: 64, Time: 1, Threads: 1}
	f, err := Seed(context.Background(), a)
	if err != nil {
		t.Fatalf("apptest: seed: %v", err)
	}
	h, err := web.New(a)
	if err != nil {
		t.Fatalf("apptest: web: %v", err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &Env{App: a, Server: srv, Fixture: f}
}

// Seed creates the fixture estate through the services.
func Seed(ctx context.Context, a *app.App) (Fixture, error) {
	var f Fixture
	var err error
	f.Accounts = map[string]identity.Account{}
	if f.Provider, err = a.Tenancy.CreateProvider(ctx, "Test Telecom", "GB"); err != nil {
		return f, err
	}
	op, err := a.Identity.CreateOperator(ctx, f.Provider.ID, "operator", Password)
	if err != nil {
		return f, err
	}
	f.Accounts["operator"] = op
	if f.Acme, err = a.Tenancy.CreateCompany(ctx, f.Provider.ID, tenancy.CompanyCreateRequest{Name: "Acme Ltd", AddEmployee: true, ConfigAndReg: true}); err != nil {
		return f, err
	}
	if f.Globex, err = a.Tenancy.CreateCompany(ctx, f.Provider.ID, tenancy.CompanyCreateRequest{Name: "Globex plc"}); err != nil {
		return f, err
	}
	site := func(c tenancy.Company, name string) (directory.Group, error) {
		return a.Directory.CreateSite(ctx, c.ID, directory.SiteCreateRequest{Name: name})
	}
	group := func(parent directory.Group, name string) (directory.Group, error) {
		return a.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: parent.ID, Name: name})
	}
	if f.Leeds, err = site(f.Acme, "Leeds"); err != nil {
		return f, err
	}
	if f.London, err = site(f.Acme, "London"); err != nil {
		return f, err
	}
	if f.Reading, err = site(f.Globex, "Reading"); err != nil {
		return f, err
	}
	if f.Sales, err = group(f.Leeds, "Sales"); err != nil {
		return f, err
	}
	if f.SalesWest, err = group(f.Sales, "Sales West"); err != nil {
		return f, err
	}
	if f.Support, err = group(f.Leeds, "Support"); err != nil {
		return f, err
	}
	hash, err := a.Identity.HashPassword(Password)
	if err != nil {
		return f, err
	}
	people := []struct {
		company  tenancy.Company
		username string
		role     access.Role
		first    string
		last     string
		groups   []directory.Group
		admins   []directory.Group
	}{
		{f.Acme, "acme.admin", access.RoleCompanyAdmin, "Alex", "Morgan", nil, nil},
		{f.Acme, "leeds.admin", access.RoleGroupAdmin, "Priya", "Shah", []directory.Group{f.Leeds}, []directory.Group{f.Leeds}},
		{f.Acme, "sales.admin", access.RoleGroupAdmin, "Sam", "Cole", []directory.Group{f.Sales}, []directory.Group{f.Sales}},
		{f.Acme, "west.one", access.RoleEmployee, "Wendy", "West", []directory.Group{f.SalesWest}, nil},
		{f.Acme, "support.one", access.RoleEmployee, "Stan", "Port", []directory.Group{f.Support}, nil},
		{f.Acme, "london.one", access.RoleEmployee, "Lola", "Don", []directory.Group{f.London}, nil},
		{f.Globex, "globex.admin", access.RoleCompanyAdmin, "Hank", "Scorpio", nil, nil},
		{f.Globex, "globex.one", access.RoleEmployee, "Gina", "Lox", []directory.Group{f.Reading}, nil},
	}
	for _, p := range people {
		var ids []int64
		for _, g := range p.groups {
			ids = append(ids, g.ID)
		}
		e, err := a.Directory.CreateEmployee(ctx, p.company.ID, f.Provider.ID, directory.EmployeeCreateRequest{
			Username: p.username, Role: p.role, FirstName: p.first, LastName: p.last,
			Email: p.username + "@example.com", GroupIDs: ids}, hash)
		if err != nil {
			return f, err
		}
		for _, g := range p.admins {
			if err := a.Directory.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: g.ID, AccountID: e.ID}}, nil); err != nil {
				return f, err
			}
		}
		if f.Accounts[p.username], err = a.Identity.Account(ctx, e.ID); err != nil {
			return f, err
		}
	}
	return f, nil
}

// Actor returns the access actor of a fixture account.
func (e *Env) Actor(username string) access.Actor { return e.Fixture.Accounts[username].Actor() }

// ID returns a fixture account's id.
func (e *Env) ID(username string) int64 { return e.Fixture.Accounts[username].ID }

// Token logs username in through the API and returns the bearer token.
func (e *Env) Token(t testing.TB, username string) string {
	t.Helper()
	res := e.Do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": username, "password": Password})
	if res.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", username, res.Status, res.Body)
	}
	var out struct{ Token string }
	res.JSON(t, &out)
	return out.Token
}

// Response is a finished API call.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body into v.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Do sends an API request with a bearer token (none when token is ""). body
// is sent as JSON unless it is a string, which is sent as is.
func (e *Env) Do(t testing.TB, token, method, path string, body any) Response {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, e.Server.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return Response{Status: res.StatusCode, Header: res.Header, Body: out}
}
