package apptest_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestCast checks the authorization cast itself: the insiders see Acme, the
// outsiders get the answer for a missing company.
func TestCast(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		before := storetest.Counts(t, db)
		env.AddCast(t)
		if after := storetest.Counts(t, db); after["accounts"] != before["accounts"]+6 {
			t.Fatalf("cast added %d accounts, want 6", after["accounts"]-before["accounts"])
		}
		ctx := context.Background()
		acme := access.Company(env.Fixture.Acme.ID)
		for _, u := range []string{"acme.admin", "acme.admin2", "acme.reseller", "operator"} {
			if err := env.App.Access.Check(ctx, env.Actor(u), access.ViewCompany, acme); err != nil {
				t.Errorf("%s: view Acme: %v", u, err)
			}
		}
		for _, u := range apptest.Outsiders {
			if err := env.App.Access.Check(ctx, env.Actor(u), access.ViewCompany, acme); !derrors.IsNotFound(err) {
				t.Errorf("%s: view Acme: %v, want not found", u, err)
			}
			if env.App.Access.Can(ctx, env.Actor(u), access.ViewCompany, acme) {
				t.Errorf("%s: Can view Acme", u)
			}
		}
	})
}
