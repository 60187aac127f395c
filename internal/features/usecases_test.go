package features_test

import (
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestFeatureUseCases is the authorization matrix of the features actions
// (docs/features.md, "Who may change what"), tried by every actor of the
// cast: outsiders get 404 exactly as for a missing site or employee, the
// others a reason, and no refusal changes a row.
func TestFeatureUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		cf := fx.featureID(t, features.CodeCallForwarding)
		owner := func(try apptest.Try, o features.Owner) features.Owner {
			if try == apptest.Missing {
				o.ID = apptest.MissingID
			}
			return o
		}
		leeds, west := features.Site(f.Leeds.ID), features.Employee(fx.env.ID("west.one"))
		siteAdmins := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"}
		companyAdmins := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2"}
		fx.env.CheckUseCases(t, []apptest.UseCase{
			{Name: "site features list", Allowed: siteAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.Features(fx.ctx, a, owner(try, leeds), "")
				return err
			}},
			{Name: "site assignment", Allowed: siteAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.SetAvailable(fx.ctx, a, owner(try, leeds), cf, ptr(n%2 == 0))
				return err
			}},
			{Name: "employee assignment", Allowed: siteAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.SetAvailable(fx.ctx, a, owner(try, west), cf, ptr(n%2 == 0))
				return err
			}},
			{Name: "site admin privileges", Allowed: companyAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.SetAdminPrivileges(fx.ctx, a, owner(try, leeds), cf, ptr(true))
				return err
			}},
			{Name: "employee admin privileges", Allowed: companyAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.SetAdminPrivileges(fx.ctx, a, owner(try, west), cf, ptr(true))
				return err
			}},
			// Employees configure only their own features: west.one may,
			// sales.admin (Sales is not a site) may not, outsiders do not see.
			{Name: "employee configuration", Allowed: append(siteAdmins, "west.one"), Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.Configure(fx.ctx, a, owner(try, west), features.CodeCallWaiting, mustJSON(t, map[string]bool{"enabled": n%2 == 0}))
				return err
			}},
			{Name: "colleagues for the busy lamp field", Allowed: append(siteAdmins, "west.one"), Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				cs, err := fx.svc.BLFColleagues(fx.ctx, a, owner(try, west))
				for _, c := range cs {
					if c.ID == fx.env.ID("globex.one") || c.ID == west.ID {
						t.Errorf("%s: colleagues list %+v", a.Username, c)
					}
				}
				return err
			}},
			{Name: "employee service data", Allowed: append(siteAdmins, "west.one"), Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.ServiceDataFor(fx.ctx, a, owner(try, west))
				return err
			}},
			{Name: "site configuration", Allowed: siteAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := fx.svc.Configure(fx.ctx, a, owner(try, leeds), features.CodeTimeSchedules, mustJSON(t, map[string]any{
					"schedules": []map[string]any{{"name": "Office", "periods": []map[string]any{{"days": []string{"mon"}, "start": "09:00", "end": "17:00"}}}}}))
				return err
			}},
		})
	})
}

// TestEmployeesConfigureOnlyTheirOwn: a colleague of the same company does
// not even see another employee's features, and refusals change nothing.
func TestEmployeesConfigureOnlyTheirOwn(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		west := features.Employee(fx.env.ID("west.one"))
		before := storetest.Counts(t, db)
		for _, who := range []string{"support.one", "london.one"} {
			_, err := fx.svc.Configure(fx.ctx, fx.env.Actor(who), west, features.CodeCallWaiting, []byte(`{"enabled":false}`))
			if !derrors.IsNotFound(err) {
				t.Errorf("%s configuring west.one: %v, want not found", who, err)
			}
			if _, err := fx.svc.FeatureConfig(fx.ctx, fx.env.Actor(who), west, features.CodeCallWaiting); !derrors.IsNotFound(err) {
				t.Errorf("%s reading west.one's configuration: %v, want not found", who, err)
			}
		}
		// An employee does not assign features, not even their own.
		_, err := fx.svc.SetAvailable(fx.ctx, fx.env.Actor("west.one"), west, fx.featureID(t, features.CodeCallWaiting), ptr(false))
		if got := apptest.Refusal(err); got != "forbidden: feature assignment is for administrators; you can configure the features you have" {
			t.Errorf("west.one assigning own feature: %v", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		// A group administrator configures their own features (self-care)
		// whatever the company admin allows group admins on others.
		leedsAdmin := features.Employee(fx.env.ID("leeds.admin"))
		if _, err := fx.svc.SetAdminPrivileges(fx.ctx, fx.env.Actor("acme.admin"), leedsAdmin, fx.featureID(t, features.CodeCallWaiting), ptr(false)); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.Configure(fx.ctx, fx.env.Actor("leeds.admin"), leedsAdmin, features.CodeCallWaiting, []byte(`{"enabled":false}`)); err != nil {
			t.Errorf("leeds.admin configuring own call waiting: %v", err)
		}
	})
}

// TestAllowAdminPrivileges: a feature whose box a company administrator
// clears can no longer be assigned or configured by group administrators on
// that site or employee — other features and other owners are unaffected,
// company administrators and the employee themselves still may.
func TestAllowAdminPrivileges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		admin, leedsAdmin, peer := fx.env.Actor("acme.admin"), fx.env.Actor("leeds.admin"), fx.env.Actor("leeds.admin2")
		cf, cw := fx.featureID(t, features.CodeCallForwarding), fx.featureID(t, features.CodeCallWaiting)
		leeds, west, support := features.Site(f.Leeds.ID), features.Employee(fx.env.ID("west.one")), features.Employee(fx.env.ID("support.one"))
		for _, o := range []features.Owner{leeds, west} {
			line, err := fx.svc.SetAdminPrivileges(fx.ctx, admin, o, cf, ptr(false))
			if err != nil || line.AllowGroupAdmins {
				t.Fatalf("clear the box on %v: %+v, %v", o, line, err)
			}
		}
		const reason = "forbidden: the company administrator has not allowed group administrators to change this feature here"
		before := storetest.Counts(t, db)
		forwarding := []byte(`{"always":{"enabled":true,"destination":"+441134960099"}}`)
		for _, actor := range []access.Actor{leedsAdmin, peer} {
			for _, o := range []features.Owner{leeds, west} {
				_, err := fx.svc.SetAvailable(fx.ctx, actor, o, cf, ptr(false))
				if got := apptest.Refusal(err); got != reason {
					t.Errorf("%s assigning call forwarding of %v: %v", actor.Username, o, err)
				}
			}
			_, err := fx.svc.Configure(fx.ctx, actor, west, features.CodeCallForwarding, forwarding)
			if got := apptest.Refusal(err); got != reason {
				t.Errorf("%s configuring west.one's call forwarding: %v", actor.Username, err)
			}
			// Only company administrators tick the box back.
			_, err = fx.svc.SetAdminPrivileges(fx.ctx, actor, west, cf, ptr(true))
			if got := apptest.Refusal(err); got != "forbidden: only a company administrator decides which features group administrators may change" {
				t.Errorf("%s ticking the box: %v", actor.Username, err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		// Other features, and the same feature of another employee, are
		// still the group administrator's.
		if _, err := fx.svc.SetAvailable(fx.ctx, leedsAdmin, west, cw, ptr(false)); err != nil {
			t.Errorf("leeds.admin assigning call waiting: %v", err)
		}
		if _, err := fx.svc.Configure(fx.ctx, leedsAdmin, support, features.CodeCallForwarding, forwarding); err != nil {
			t.Errorf("leeds.admin configuring support.one's call forwarding: %v", err)
		}
		// The company admin and west.one themselves still change it.
		if _, err := fx.svc.Configure(fx.ctx, fx.env.Actor("west.one"), west, features.CodeCallForwarding, forwarding); err != nil {
			t.Errorf("west.one configuring own call forwarding: %v", err)
		}
		if _, err := fx.svc.SetAvailable(fx.ctx, admin, west, cf, ptr(false)); err != nil {
			t.Errorf("acme.admin assigning: %v", err)
		}
		// The box ticked again gives the group administrator the feature back.
		if _, err := fx.svc.SetAdminPrivileges(fx.ctx, admin, west, cf, ptr(true)); err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.SetAvailable(fx.ctx, leedsAdmin, west, cf, ptr(true)); err != nil {
			t.Errorf("leeds.admin after the box is ticked again: %v", err)
		}
	})
}
