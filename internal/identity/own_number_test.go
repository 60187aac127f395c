package identity_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestRulesKnowTheAssignedNumberAndExtension: the password and PIN rules
// about "a telephone number of this account" are checked against the number
// and extension the employee was given, not only the profile's contact
// phone. An employee on 0113 496 0085 extension 2085 may not set the
// password a1!4960085 nor the PIN 2085.
func TestRulesKnowTheAssignedNumberAndExtension(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.SeedService(t)
		ctx := context.Background()
		f := env.Fixture
		support := env.ID("support.one") // no contact phone in the profile
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: support}
		if _, err := env.App.Numbering.Assign(ctx, f.Acme.ID, "0113 496 0085", owner); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2085", owner); err != nil {
			t.Fatal(err)
		}
		self := env.Actor("support.one")
		tests := []struct {
			name    string
			run     func() error
			refused bool
		}{
			{"password holding the number", func() error {
				return env.App.Identity.ChangePassword(ctx, self, 0, apptest.Password, "a1!4960085")
			}, true},
			{"application password holding the number", func() error {
				pw := "x#4960085q"
				return env.App.Identity.SetServicePasswords(ctx, self, support, &pw, nil)
			}, true},
			{"PIN equal to the extension", func() error {
				pin := "2085"
				return env.App.Identity.SetServicePasswords(ctx, self, support, nil, &pin)
			}, true},
			{"PIN part of the number", func() error {
				pin := "4960"
				return env.App.Identity.SetServicePasswords(ctx, self, support, nil, &pin)
			}, true},
			{"unrelated PIN", func() error {
				pin := "5821"
				return env.App.Identity.SetServicePasswords(ctx, self, support, nil, &pin)
			}, false},
			{"unrelated password", func() error {
				return env.App.Identity.ChangePassword(ctx, self, 0, apptest.Password, "a1!Walnut7q")
			}, false},
		}
		for _, tt := range tests {
			err := tt.run()
			switch {
			case tt.refused && (err == nil || !strings.Contains(err.Error(), "telephone number")):
				t.Errorf("%s = %v, want refused as the account's own number", tt.name, err)
			case !tt.refused && err != nil:
				t.Errorf("%s = %v, want accepted", tt.name, err)
			}
		}
	})
}
