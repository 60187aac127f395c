package access_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestPeerAdmins is the rule of docs/security.md "Administrators and their
// peers": administrators cannot take over or remove each other; the provider
// and the company's reseller can.
func TestPeerAdmins(t *testing.T) {
	security := []access.Action{access.ChangeEmployeeRole, access.ChangeSecurityEmail, access.ResetPassword,
		access.ForceUnlock, access.DeleteEmployee}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		cases := []struct {
			actor, target string
			actions       []access.Action
			want          outcome
		}{
			// A company admin and a peer company admin.
			{"acme.admin", "acme.admin2", security, F},
			{"acme.admin", "acme.admin2", []access.Action{access.ViewEmployee, access.UpdateEmployee}, Y},
			{"acme.admin2", "acme.admin", security, F},
			// The provider and Acme's reseller may; other resellers and
			// providers do not even see the account.
			{"operator", "acme.admin2", security, Y},
			{"acme.reseller", "acme.admin2", security, Y},
			{"reseller.admin", "acme.admin2", security, N},
			{"other.reseller", "acme.admin2", security, N},
			{"other.operator", "acme.admin2", security, N},
			// Two admins of Leeds are peers; the admin of Sales (below Leeds)
			// is not Leeds's peer, but Leeds is above Sales for Sales's admin.
			{"leeds.admin", "leeds.admin2", append(security[:4:4], access.UpdateEmployee, access.DeleteEmployee, access.ManageMemberships), F},
			{"leeds.admin", "leeds.admin2", []access.Action{access.ViewEmployee}, Y},
			{"leeds.admin2", "leeds.admin", []access.Action{access.UpdateEmployee, access.ResetPassword, access.ChangeSecurityEmail}, F},
			{"leeds.admin", "sales.admin", []access.Action{access.UpdateEmployee, access.ChangeEmployeeRole, access.ResetPassword,
				access.ChangeSecurityEmail, access.DeleteEmployee, access.ManageMemberships}, Y},
			{"leeds.admin", "acme.admin2", []access.Action{access.UpdateEmployee}, N},
			// Ceasing a peer's service would end their portal access.
			{"acme.admin", "acme.admin2", []access.Action{access.CeaseEmployee}, F},
			{"leeds.admin", "leeds.admin2", []access.Action{access.CeaseEmployee}, F},
			{"acme.reseller", "acme.admin2", []access.Action{access.CeaseEmployee}, Y},
			// One's own security e-mail changes only through the link.
			{"acme.admin", "acme.admin", []access.Action{access.ChangeSecurityEmail}, F},
			{"west.one", "west.one", []access.Action{access.ChangeSecurityEmail}, F},
		}
		for _, c := range cases {
			for _, action := range c.actions {
				err := env.App.Access.Check(ctx, env.Actor(c.actor), action, access.Employee(env.ID(c.target)))
				if got := classify(err); got != c.want {
					t.Errorf("%s %s on %s: got %s (%v), want %s", c.actor, action, c.target, got, err, c.want)
				}
			}
		}
		for _, c := range []struct {
			actor string
			want  outcome
		}{{"operator", Y}, {"acme.reseller", Y}, {"acme.admin", F}, {"leeds.admin", F}, {"west.one", F},
			{"reseller.admin", N}, {"other.reseller", N}, {"other.operator", N}, {"globex.admin", N}} {
			err := env.App.Access.Check(ctx, env.Actor(c.actor), access.GrantCompanyAdmin, access.Company(env.Fixture.Acme.ID))
			if got := classify(err); got != c.want {
				t.Errorf("%s grant_company_admin on Acme: got %s (%v), want %s", c.actor, got, err, c.want)
			}
		}
	})
}
