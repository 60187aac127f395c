package identity_test

import (
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestOwnAccountFor: what the account area offers each role is what the
// actions then do — whoever is told they may rename themselves can, and
// whoever is told they may not is refused; only company accounts have an
// application password, PIN and contacts.
func TestOwnAccountFor(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		for _, tc := range []struct {
			who                             string
			profile, servicePasswords, book bool
		}{
			{"west.one", true, true, true},
			{"acme.admin", true, true, true},
			{"leeds.admin", true, true, true},
			{"acme.reseller", false, false, false},
			{"operator", false, false, false},
		} {
			actor := env.Actor(tc.who)
			o, err := env.App.Identity.OwnAccountFor(t.Context(), actor)
			if err != nil {
				t.Fatalf("%s: %v", tc.who, err)
			}
			if o.Account.ID != actor.AccountID || o.CanEditProfile != tc.profile || o.HasServicePasswords != tc.servicePasswords ||
				o.HasContacts != tc.book {
				t.Errorf("%s: %+v", tc.who, o)
			}
			if !o.CanEditProfile && o.ProfileNote == "" {
				t.Errorf("%s may not edit the profile and is not told why", tc.who)
			}
			// The answer is the action's: renaming oneself succeeds exactly
			// when it said so.
			name := "Renamed"
			_, err = env.App.Directory.ModifyEmployee(t.Context(), actor, actor.AccountID, directory.EmployeeUpdateRequest{FirstName: &name})
			if (err == nil) != o.CanEditProfile {
				t.Errorf("%s: told CanEditProfile=%v, ModifyEmployee on themselves: %v", tc.who, o.CanEditProfile, err)
			}
			pin := "2580"
			err = env.App.Identity.SetServicePasswords(t.Context(), actor, actor.AccountID, nil, &pin)
			if (err == nil) != o.CanSetServicePasswords {
				t.Errorf("%s: told CanSetServicePasswords=%v, SetServicePasswords: %v", tc.who, o.CanSetServicePasswords, err)
			}
		}
		if _, err := env.App.Identity.OwnAccountFor(t.Context(), access.Actor{}); !errors.Is(err, derrors.ErrUnauthenticated) {
			t.Errorf("no actor: %v", err)
		}
	})
}
