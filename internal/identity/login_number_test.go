package identity_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestLoginByNumber: the self-care login accepts the employee's number in
// any common format, whether it is the account's phone or a DN assigned
// through numbering, as well as the username.
func TestLoginByNumber(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		if _, err := storetest.Exec(ctx, db, "UPDATE accounts SET phone = ? WHERE id = ?", "0113 496 0500", env.ID("west.one")); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Numbering.AddRange(ctx, f.Acme.ID, f.London.ID, numbering.RangeRequest{Start: "02079460100", End: "02079460109"}); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Numbering.Assign(ctx, f.Acme.ID, "02079460105", numbering.Owner{Kind: numbering.OwnerUser, ID: env.ID("london.one")}); err != nil {
			t.Fatal(err)
		}
		cases := []struct{ login, want string }{
			{"west.one", "west.one"},
			{"01134960500", "west.one"},
			{"+44 113 496 0500", "west.one"},
			{"441134960500", "west.one"},
			{"(0113) 496-0500", "west.one"},
			{"020 7946 0105", "london.one"},
			{"+442079460105", "london.one"},
			{"020 7946 0106", ""}, // in the range but nobody's: refused like any unknown login
		}
		for _, c := range cases {
			a, err := env.App.Identity.Authenticate(ctx, c.login, apptest.Password)
			if c.want == "" {
				if !errors.Is(err, identity.ErrBadCredentials) {
					t.Errorf("login %q = %v, want bad credentials", c.login, err)
				}
				continue
			}
			if err != nil || a.Username != c.want {
				t.Errorf("login %q = %q, %v; want %s", c.login, a.Username, err, c.want)
			}
		}
		// A wrong password by number is refused like a wrong username.
		if _, err := env.App.Identity.Authenticate(ctx, "01134960500", "wrong"); !errors.Is(err, identity.ErrBadCredentials) {
			t.Errorf("wrong password by number = %v", err)
		}
		// A returned number no longer logs anybody in.
		if _, err := storetest.Exec(ctx, db, "UPDATE dn_numbers SET status = 'returned', owner_kind = '', owner_id = 0 WHERE e164 = '+442079460105'"); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Identity.Authenticate(ctx, "02079460105", apptest.Password); !errors.Is(err, identity.ErrBadCredentials) {
			t.Errorf("released number = %v, want bad credentials", err)
		}
	})
}

// TestNumberLockoutIgnoresFormat: failures typed in different formats of one
// number count together (the lockout is keyed on the E.164 form), and a
// locked username also refuses its number.
func TestNumberLockoutIgnoresFormat(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		if _, err := storetest.Exec(ctx, db, "UPDATE accounts SET phone = ? WHERE id = ?", "01134960500", env.ID("west.one")); err != nil {
			t.Fatal(err)
		}
		if _, err := storetest.Exec(ctx, db, "UPDATE accounts SET phone = ? WHERE id = ?", "01134960600", env.ID("support.one")); err != nil {
			t.Fatal(err)
		}
		st, err := env.App.Identity.Settings(ctx, env.Fixture.Provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		formats := []string{"01134960500", "+441134960500", "0113 496 0500", "441134960500", "(0113) 4960500"}
		var locked *identity.LockedError
		for i := 0; i < st.LockoutThreshold; i++ {
			_, err = env.App.Identity.Authenticate(ctx, formats[i%len(formats)], "wrong")
		}
		if !errors.As(err, &locked) {
			t.Fatalf("failure %d over several formats = %v, want locked", st.LockoutThreshold, err)
		}
		if _, err := env.App.Identity.Authenticate(ctx, "+44 113 496 0500", apptest.Password); !errors.As(err, &locked) {
			t.Errorf("right password in yet another format while locked = %v", err)
		}
		// The administrator sees that lock and Force Unlock lifts it.
		if st, err := env.App.Identity.SecurityStatus(ctx, env.Actor("acme.admin"), env.ID("west.one")); err != nil || !st.Locked {
			t.Errorf("a lock by number is not shown: %+v %v", st, err)
		}
		if err := env.App.Identity.ForceUnlock(ctx, env.Actor("acme.admin"), env.ID("west.one")); err != nil {
			t.Fatalf("force unlock of a lock by number: %v", err)
		}
		if _, err := env.App.Identity.Authenticate(ctx, "0113 496 0500", apptest.Password); err != nil {
			t.Errorf("login by number after Force Unlock: %v", err)
		}
		for i := 0; i < st.LockoutThreshold; i++ {
			_, _ = env.App.Identity.Authenticate(ctx, formats[i%len(formats)], "wrong")
		}
		// An unknown number locks alike, so answers do not reveal numbers.
		unknown := []string{"01134960999", "+44 113 496 0999", "441134960999"}
		for i := 0; i < st.LockoutThreshold; i++ {
			_, err = env.App.Identity.Authenticate(ctx, unknown[i%len(unknown)], "wrong")
		}
		if !errors.As(err, &locked) {
			t.Errorf("unknown number after %d failures = %v, want locked", st.LockoutThreshold, err)
		}
		// A locked username refuses its number too.
		for i := 0; i < st.LockoutThreshold; i++ {
			_, _ = env.App.Identity.Authenticate(ctx, "support.one", "wrong")
		}
		if _, err := env.App.Identity.Authenticate(ctx, "01134960600", apptest.Password); !errors.As(err, &locked) {
			t.Errorf("number of a locked username = %v, want locked", err)
		}
	})
}
