package apptest

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// Outsiders are the actors that must not reach Acme's objects. Each of them
// must get the same answer as for an object that does not exist, and
// change nothing (docs/security.md).
var Outsiders = []string{
	"globex.admin",   // admin of another company
	"globex.one",     // employee of another company
	"reseller.admin", // admin of a reseller of the same provider that does not hold Acme
	"other.reseller", // admin of a reseller of another provider
	"other.operator", // operator of another provider
}

// AddCast adds the accounts that authorization tests need beside the
// fixture estate, so every rule is tried with each kind of actor:
//
//	acme.admin2      a second company admin of Acme (a peer of acme.admin)
//	leeds.admin2     a second group admin of Leeds (a peer of leeds.admin)
//	acme.reseller    admin of "Acme Partners", the reseller now holding Acme
//	reseller.admin   admin of "Channel One", a reseller of the same provider holding no company
//	other.operator   operator of "Other Telecom", a second provider
//	other.reseller   admin of "Far Resale", a reseller of Other Telecom
//
// Acme is moved under Acme Partners. The fixture estate itself is not
// changed otherwise, so tests written against it keep their counts.
func (e *Env) AddCast(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	a, f := e.App, &e.Fixture
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("apptest: cast: %v", err)
		}
	}
	hash, err := a.Identity.HashPassword(Password)
	must(err)
	peers := []struct {
		username string
		role     access.Role
		groups   []directory.Group
	}{
		{"acme.admin2", access.RoleCompanyAdmin, nil},
		{"leeds.admin2", access.RoleGroupAdmin, []directory.Group{f.Leeds}},
	}
	for _, p := range peers {
		var ids []int64
		for _, g := range p.groups {
			ids = append(ids, g.ID)
		}
		emp, err := a.Directory.CreateEmployee(ctx, f.Acme.ID, f.Provider.ID, directory.EmployeeCreateRequest{
			Username: p.username, Role: p.role, FirstName: "Peer", LastName: "Admin",
			Email: p.username + "@example.com", GroupIDs: ids}, hash)
		must(err)
		for _, g := range p.groups {
			must(a.Directory.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: g.ID, AccountID: emp.ID}}, nil))
		}
		f.Accounts[p.username], err = a.Identity.Account(ctx, emp.ID)
		must(err)
	}

	partners, err := a.Tenancy.CreateReseller(ctx, f.Provider.ID, "Acme Partners")
	must(err)
	must(a.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := a.DB.Q(ctx).Exec(ctx, "UPDATE companies SET reseller_id = ? WHERE id = ?", partners.ID, f.Acme.ID)
		return err
	}))
	f.Acme.ResellerID = &partners.ID
	channel, err := a.Tenancy.CreateReseller(ctx, f.Provider.ID, "Channel One")
	must(err)
	other, err := a.Tenancy.CreateProvider(ctx, "Other Telecom", "GB")
	must(err)
	far, err := a.Tenancy.CreateReseller(ctx, other.ID, "Far Resale")
	must(err)
	if _, err := a.Tenancy.CreateCompany(ctx, other.ID, tenancy.CompanyCreateRequest{Name: "Far Company", ResellerID: &far.ID}); err != nil {
		must(err)
	}
	admins := []struct {
		username           string
		provider, reseller int64
	}{
		{"acme.reseller", f.Provider.ID, partners.ID},
		{"reseller.admin", f.Provider.ID, channel.ID},
		{"other.reseller", other.ID, far.ID},
	}
	for _, r := range admins {
		f.Accounts[r.username], err = a.Identity.CreateResellerAdmin(ctx, r.provider, r.reseller, r.username, Password)
		must(err)
	}
	f.Accounts["other.operator"], err = a.Identity.CreateOperator(ctx, other.ID, "other.operator", Password)
	must(err)
}
