package identity_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// missingID names no account.
const missingID = 987654321

// sameAsMissing fails unless err is the answer for a missing object: not
// found, and worded like the answer for missingID once the ids are set aside.
func sameAsMissing(t *testing.T, what string, err, missing error, id int64) {
	t.Helper()
	if !derrors.IsNotFound(err) {
		t.Errorf("%s = %v, want the answer for a missing object", what, err)
		return
	}
	got := strings.ReplaceAll(err.Error(), strconv.FormatInt(id, 10), "ID")
	want := strings.ReplaceAll(missing.Error(), strconv.FormatInt(missingID, 10), "ID")
	if got != want {
		t.Errorf("%s:\n  %q\nwant the words for a missing one:\n  %q", what, got, want)
	}
}

// TestEmployeeSecurityActionsRefuseOutsiders runs every administrator action
// on an employee's account security without HTTP: each forbidden actor (an
// employee on another, a group admin outside the employee's groups, and every
// outsider) gets exactly the answer for a missing account and changes
// nothing, audit included; the company admin succeeds.
func TestEmployeeSecurityActionsRefuseOutsiders(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		id := env.App.Identity
		target := env.ID("support.one") // a member of Support, under Leeds
		lockSupport := func() {
			for i := 0; i < 3; i++ {
				_, _ = id.Authenticate(ctx, "support.one", "wrong-password")
			}
		}
		lockSupport()
		pin, appPassword := "5821", "Wal#nut7xq"
		actions := []struct {
			name string
			run  func(actor access.Actor, id int64) error
		}{
			{"security status", func(a access.Actor, n int64) error { _, err := id.SecurityStatus(ctx, a, n); return err }},
			{"reset password", func(a access.Actor, n int64) error { _, err := id.ResetPassword(ctx, a, n); return err }},
			{"set password", func(a access.Actor, n int64) error { return id.SetPasswordByAdmin(ctx, a, n, "Sup#port7xq") }},
			{"force unlock", func(a access.Actor, n int64) error { return id.ForceUnlock(ctx, a, n) }},
			{"service passwords", func(a access.Actor, n int64) error { return id.SetServicePasswords(ctx, a, n, &appPassword, &pin) }},
		}
		forbidden := append([]string{"west.one", "sales.admin"}, apptest.Outsiders...)
		for _, act := range actions {
			before := storetest.Counts(t, db)
			for _, user := range forbidden {
				err := act.run(env.Actor(user), target)
				missing := act.run(env.Actor(user), missingID)
				sameAsMissing(t, act.name+" by "+user, err, missing, target)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
			if err := act.run(env.Actor("acme.admin"), target); err != nil {
				t.Errorf("%s by the company admin: %v", act.name, err)
			}
		}
		// What the allowed actions did: unlocked, a password that must change.
		if _, err := id.Authenticate(ctx, "support.one", "Sup#port7xq"); err != nil {
			t.Errorf("login with the password the admin set: %v", err)
		}
	})
}

// TestOperatorUnlock: provider operators unlock operators (and reseller
// admins); reseller admins, company accounts and other providers' operators
// get the answer for a missing account and change nothing.
func TestOperatorUnlock(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		id := env.App.Identity
		op2, err := id.CreateOperator(ctx, env.Fixture.Provider.ID, "operator2", apptest.Password)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			_, _ = id.Authenticate(ctx, "operator2", "wrong-password")
		}
		if _, err := id.Authenticate(ctx, "operator2", apptest.Password); !errors.Is(err, derrors.ErrLocked) {
			t.Fatalf("operator2 is not locked: %v", err)
		}
		before := storetest.Counts(t, db)
		forbidden := append([]string{"acme.reseller", "acme.admin", "west.one"}, apptest.Outsiders...)
		for _, user := range forbidden {
			err := id.ForceUnlockOperator(ctx, env.Actor(user), op2.ID)
			sameAsMissing(t, "unlock by "+user, err, id.ForceUnlockOperator(ctx, env.Actor(user), missingID), op2.ID)
			_, _, err = id.OperatorLock(ctx, env.Actor(user), op2.ID)
			sameAsMissing(t, "lock status by "+user, err, func() error { _, _, e := id.OperatorLock(ctx, env.Actor(user), missingID); return e }(), op2.ID)
		}
		// An employee's id is not an operator's.
		sameAsMissing(t, "unlock of an employee", id.ForceUnlockOperator(ctx, env.Actor("operator"), env.ID("west.one")),
			id.ForceUnlockOperator(ctx, env.Actor("operator"), missingID), env.ID("west.one"))
		// A reseller admin may see its own account, but not unlock it.
		if err := id.ForceUnlockOperator(ctx, env.Actor("acme.reseller"), env.ID("acme.reseller")); !errors.Is(err, derrors.ErrForbidden) {
			t.Errorf("reseller admin unlocking itself = %v, want forbidden", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		if locked, _, err := id.OperatorLock(ctx, env.Actor("operator"), op2.ID); err != nil || !locked {
			t.Fatalf("lock status: %v %v", locked, err)
		}
		// The list the unlock is chosen from: the provider's staff only.
		ops, err := id.Operators(ctx, env.Actor("operator"))
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, o := range ops {
			names = append(names, o.Username)
			if (o.Username == "operator2") != o.Locked || (o.Locked && o.LockedUntil == nil) {
				t.Errorf("operator list entry %+v", o)
			}
		}
		if got := strings.Join(names, ","); got != "acme.reseller,operator,operator2,reseller.admin" {
			t.Errorf("operators listed: %s", got)
		}
		if ops, err := id.Operators(ctx, env.Actor("other.operator")); err != nil || len(ops) != 2 {
			t.Errorf("another provider's operators see %+v (%v), want their own two", ops, err)
		}
		for _, user := range []string{"acme.reseller", "acme.admin", "leeds.admin", "west.one"} {
			if _, err := id.Operators(ctx, env.Actor(user)); !errors.Is(err, derrors.ErrForbidden) {
				t.Errorf("operators listed by %s: %v, want forbidden", user, err)
			}
		}
		if err := id.ForceUnlockOperator(ctx, env.Actor("operator"), op2.ID); err != nil {
			t.Fatalf("operator unlocking operator2: %v", err)
		}
		if _, err := id.Authenticate(ctx, "operator2", apptest.Password); err != nil {
			t.Errorf("operator2 after the unlock: %v", err)
		}
		if err := id.ForceUnlockOperator(ctx, env.Actor("operator"), op2.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("unlocking again = %v, want a conflict", err)
		}
	})
}

// TestSecuritySettingsAreTheProviders: only the provider's operators read or
// change its settings; another provider's operator changes only its own.
func TestSecuritySettingsAreTheProviders(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		id := env.App.Identity
		five := 5
		before := storetest.Counts(t, db)
		for _, user := range []string{"acme.admin", "leeds.admin", "west.one", "acme.reseller", "globex.admin", "reseller.admin", "other.reseller"} {
			if _, err := id.SecuritySettings(ctx, env.Actor(user)); !errors.Is(err, derrors.ErrForbidden) {
				t.Errorf("settings read by %s = %v, want forbidden", user, err)
			}
			if _, err := id.UpdateSettings(ctx, env.Actor(user), identity.SettingsUpdate{LockoutThreshold: &five}); !errors.Is(err, derrors.ErrForbidden) {
				t.Errorf("settings change by %s = %v, want forbidden", user, err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if _, err := id.UpdateSettings(ctx, env.Actor("other.operator"), identity.SettingsUpdate{LockoutThreshold: &five}); err != nil {
			t.Fatal(err)
		}
		st, err := id.SecuritySettings(ctx, env.Actor("operator"))
		if err != nil || st.LockoutThreshold != 3 {
			t.Fatalf("our provider's threshold after another provider changed its own: %d %v", st.LockoutThreshold, err)
		}
		if st, err := id.UpdateSettings(ctx, env.Actor("operator"), identity.SettingsUpdate{LockoutThreshold: &five}); err != nil || st.LockoutThreshold != 5 {
			t.Errorf("operator's change: %+v %v", st, err)
		}
	})
}

// TestSelfActionsNeedAnAccount: the actions on one's own account refuse an
// actor that is nobody.
func TestSelfActionsNeedAnAccount(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	if err := env.App.Identity.ChangePassword(ctx, access.Actor{}, 0, apptest.Password, "Other#Pass7x"); !errors.Is(err, derrors.ErrUnauthenticated) {
		t.Errorf("change password as nobody = %v", err)
	}
	if err := env.App.Identity.RequestSecurityEmailChange(ctx, access.Actor{}, "x@example.com"); !errors.Is(err, derrors.ErrUnauthenticated) {
		t.Errorf("security e-mail as nobody = %v", err)
	}
}
