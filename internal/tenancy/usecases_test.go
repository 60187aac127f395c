package tenancy_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// TestControlPanelUseCases tries each tenancy action with every kind of
// actor, without HTTP (docs/architecture.md, "The use-case layer").
func TestControlPanelUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc, f := env.App.Tenancy, env.Fixture
		op := env.Actor("operator")
		contact, err := svc.AddCustomerContact(ctx, op, f.Acme.ID, tenancy.CustomerContactRequest{FirstName: "Carol", LastName: "Contact",
			Email: "carol@acme.example", ContactDetails: tenancy.ContactDetails{PublicNotes: "Billing.", PrivateNotes: "Prefers calls."}})
		if err != nil {
			t.Fatal(err)
		}
		partners := *f.Acme.ResellerID
		// target is Acme, or a company that does not exist.
		target := func(try apptest.Try) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return f.Acme.ID
		}
		contactOf := func(try apptest.Try) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return contact.AccountID
		}
		operators := []string{"operator", "acme.reseller"}
		acmeAdmins := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2"}
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "Resellers", Allowed: []string{"operator", "other.operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				rs, err := svc.Resellers(ctx, a)
				for _, r := range rs {
					if r.ProviderID != a.ProviderID {
						t.Errorf("%s sees reseller %q of another provider", a.Username, r.Name)
					}
				}
				return err
			}},
			{Name: "AddReseller", Allowed: []string{"operator", "other.operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddReseller(ctx, a, fmt.Sprintf("Reseller %d", n))
				return err
			}},
			{Name: "AddResellerAdmin", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				reseller := partners
				if try == apptest.Missing {
					reseller = apptest.MissingID
				}
				acc, err := svc.AddResellerAdmin(ctx, a, reseller, tenancy.ResellerAdminRequest{Username: fmt.Sprintf("partner.admin%d", n), Password: "Resale-Pass-42!"})
				if err == nil && (acc.Role != access.RoleReseller || acc.ResellerID != partners) {
					t.Errorf("created %+v, want a reseller admin of reseller %d", acc, partners)
				}
				return err
			}},
			{Name: "AddCompany", Allowed: []string{"operator", "acme.reseller", "reseller.admin", "other.reseller", "other.operator"},
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					c, err := svc.AddCompany(ctx, a, tenancy.CompanyCreateRequest{Name: fmt.Sprintf("Company %d", n)})
					if err == nil && a.Role == access.RoleReseller && (c.ResellerID == nil || *c.ResellerID != a.ResellerID) {
						t.Errorf("%s created a company outside its reseller: %+v", a.Username, c)
					}
					return err
				}},
			{Name: "ViewCompany", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "sales.admin", "west.one"},
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					_, err := svc.ViewCompany(ctx, a, target(try))
					return err
				}},
			{Name: "Customer", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.Customer(ctx, a, target(try))
				return err
			}},
			{Name: "ModifyCompany", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				limit := n
				_, err := svc.ModifyCompany(ctx, a, target(try), tenancy.CompanyUpdateRequest{ChannelLimit: &limit})
				return err
			}},
			{Name: "Dashboard", Allowed: acmeAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.Dashboard(ctx, a, target(try))
				return err
			}},
			{Name: "CustomerContacts", Allowed: acmeAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				cs, err := svc.CustomerContacts(ctx, a, target(try))
				for _, c := range cs {
					if c.PrivateNotes != nil && !a.IsOperator() {
						t.Errorf("%s reads the private notes of %s", a.Username, c.Username)
					}
				}
				return err
			}},
			{Name: "CustomerContact", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.CustomerContact(ctx, a, target(try), contactOf(try))
				return err
			}},
			{Name: "AddCustomerContact", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddCustomerContact(ctx, a, target(try), tenancy.CustomerContactRequest{FirstName: "New", LastName: "Contact",
					Email: fmt.Sprintf("new%d@acme.example", n)})
				return err
			}},
			{Name: "ModifyCustomerContact", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				mobile := fmt.Sprintf("07700 900%03d", n)
				_, err := svc.ModifyCustomerContact(ctx, a, target(try), contactOf(try), tenancy.ContactUpdateRequest{Mobile: &mobile})
				return err
			}},
			{Name: "ResetContactPassword", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				return svc.ResetContactPassword(ctx, a, target(try), contactOf(try), "")
			}},
		})
	})
}

// TestCompaniesScope: the Customers list holds what each actor may see and
// nothing of another tenant.
func TestCompaniesScope(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		for who, want := range map[string][]string{
			"operator":       {"Acme Ltd", "Globex plc"},
			"acme.reseller":  {"Acme Ltd"},
			"reseller.admin": nil,
			"acme.admin":     {"Acme Ltd"},
			"west.one":       {"Acme Ltd"},
			"globex.admin":   {"Globex plc"},
			"other.reseller": {"Far Company"},
			"other.operator": {"Far Company"},
		} {
			cs, _, err := env.App.Tenancy.Companies(context.Background(), env.Actor(who), tenancy.CompanyFilter{}, store.Page{})
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			var got []string
			for _, c := range cs {
				got = append(got, c.Name)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("%s: companies %v, want %v", who, got, want)
			}
		}
		if _, _, err := env.App.Tenancy.Companies(context.Background(), env.Actor("operator"), tenancy.CompanyFilter{Status: "gone"}, store.Page{}); err == nil {
			t.Error("an unknown status filter was accepted")
		}
		_ = f
	})
}
