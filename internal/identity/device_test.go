package identity_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestDeviceCookieLockout: the product's lockout stays for strangers, but a
// browser that logged in to the account before is neither locked out by
// their failures nor able to lock anyone but itself.
func TestDeviceCookieLockout(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db)
		ctx := context.Background()
		id := w.a.Identity
		acct, err := id.Authenticate(ctx, "worker", startPassword)
		if err != nil {
			t.Fatal(err)
		}
		home, err := id.NewDeviceCookie(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		laptop, err := id.NewDeviceCookie(ctx, acct)
		if err != nil {
			t.Fatal(err)
		}
		if home.Name != identity.DeviceCookieName("worker") || !strings.HasPrefix(home.Name, identity.DeviceCookiePrefix) || home.Value == laptop.Value {
			t.Fatalf("device cookies %+v %+v", home, laptop)
		}
		login := func(pw string, cookies ...string) error {
			_, err := id.AuthenticateDevice(ctx, "worker", pw, cookies)
			return err
		}
		isLocked := func(err error) bool { return errors.Is(err, derrors.ErrLocked) }

		// Strangers lock the username, as the product's rule says…
		for i := 0; i < 3; i++ {
			_ = login("guess")
		}
		if err := login(startPassword); !isLocked(err) {
			t.Fatalf("right password from a stranger's browser while locked = %v", err)
		}
		// …but the browsers that logged in before still get in.
		if err := login(startPassword, home.Value); err != nil {
			t.Fatalf("known browser while strangers locked the username: %v", err)
		}
		// A cookie that is forged, altered, of another account or expired
		// is no cookie at all.
		other, err := id.Authenticate(ctx, "boss", startPassword)
		if err != nil {
			t.Fatal(err)
		}
		bossCookie, err := id.NewDeviceCookie(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(home.Value, ".")
		altered := strings.Join([]string{parts[0], parts[1] + "x", parts[2], parts[3]}, ".")
		for name, c := range map[string]string{"forged": "d29ya2Vy.nonce.1700000000.c2lnbmF0dXJl", "altered": altered,
			"another account's": bossCookie.Value, "garbage": "not-a-cookie"} {
			if err := login(startPassword, c); !isLocked(err) {
				t.Errorf("%s cookie = %v, want the stranger's lock", name, err)
			}
		}

		// Failures typed in a known browser count for it alone: three lock
		// that browser, not the other one, and not strangers (whose own
		// lock is lifted first).
		if err := id.ForceUnlock(ctx, w.actor(t, w.admin.ID), w.employee.ID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 2; i++ {
			if err := login("guess", laptop.Value); !errors.Is(err, identity.ErrBadCredentials) {
				t.Fatalf("wrong password in the laptop = %v", err)
			}
		}
		if err := login("guess", laptop.Value); !isLocked(err) {
			t.Fatalf("third wrong password in the laptop = %v, want it locked", err)
		}
		if err := login(startPassword, laptop.Value); !isLocked(err) {
			t.Errorf("the locked laptop with the right password = %v", err)
		}
		if err := login(startPassword, home.Value); err != nil {
			t.Errorf("the home browser after the laptop locked itself: %v", err)
		}
		if err := login(startPassword); err != nil {
			t.Errorf("a new browser after the laptop locked itself: %v", err)
		}

		// Force Unlock lifts a browser's lock too, and the panel shows it.
		st, err := id.SecurityStatus(ctx, w.actor(t, w.admin.ID), w.employee.ID)
		if err != nil || !st.Locked {
			t.Fatalf("status with the laptop locked: %+v %v", st, err)
		}
		if err := id.ForceUnlock(ctx, w.actor(t, w.admin.ID), w.employee.ID); err != nil {
			t.Fatal(err)
		}
		if err := login(startPassword, laptop.Value); err != nil {
			t.Errorf("the laptop after Force Unlock: %v", err)
		}

		// A device cookie is honoured for DeviceCookieLifetime only.
		for i := 0; i < 3; i++ {
			_ = login("guess")
		}
		*w.clock = w.clock.Add(identity.DeviceCookieLifetime + time.Hour)
		for i := 0; i < 3; i++ { // the first lock has expired by now: lock again
			_ = login("guess")
		}
		if err := login(startPassword, home.Value); !isLocked(err) {
			t.Errorf("an expired device cookie = %v, want the stranger's lock", err)
		}
	})
}
