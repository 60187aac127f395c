package calls_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSwitchActionsDecideAccess: switches are the provider's data. Company
// accounts and resellers may not add one (and nothing changes); another
// provider's operator neither lists this provider's switches nor reads
// their batches, which answer as a missing switch.
func TestSwitchActionsDecideAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		a := env.App
		sw, _, err := a.Calls.CreateSwitch(ctx, env.Actor("operator"), calls.SwitchCreateRequest{Name: "fs-main", Format: "freeswitch-json"})
		if err != nil {
			t.Fatal(err)
		}
		before := storetest.Counts(t, db)
		for _, user := range []string{"acme.admin", "leeds.admin", "west.one", "globex.admin", "acme.reseller", "reseller.admin"} {
			if _, _, err := a.Calls.CreateSwitch(ctx, env.Actor(user), calls.SwitchCreateRequest{Name: "fs-" + user, Format: "asterisk-csv"}); err == nil {
				t.Errorf("%s added a switch", user)
			}
			if _, _, err := a.Calls.Batches(ctx, env.Actor(user), sw.ID, store.Page{}); err == nil {
				t.Errorf("%s read the switch's batches", user)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		_, _, missing := a.Calls.Batches(ctx, env.Actor("operator"), sw.ID+1000, store.Page{})
		if !derrors.IsNotFound(missing) {
			t.Fatalf("batches of a missing switch: %v", missing)
		}
		for _, user := range []string{"other.operator", "other.reseller"} {
			_, _, err := a.Calls.Batches(ctx, env.Actor(user), sw.ID, store.Page{})
			_, _, none := a.Calls.Batches(ctx, env.Actor(user), sw.ID+1000, store.Page{})
			if err == nil || derrors.IsNotFound(err) != derrors.IsNotFound(none) || errors.Is(err, derrors.ErrForbidden) != errors.Is(none, derrors.ErrForbidden) {
				t.Errorf("%s batches of another provider's switch: %v; of a missing switch: %v (must be the same answer)", user, err, none)
			}
			list, err := a.Calls.Switches(ctx, env.Actor(user))
			for _, s := range list {
				if s.ID == sw.ID {
					t.Errorf("%s lists another provider's switch", user)
				}
			}
			_ = err
		}
	})
}
