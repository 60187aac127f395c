package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestPasswordPagesKnowTheOwnNumber: an employee on 0113 496 0085
// extension 2085 is told on Change Password and on Service Passwords that
// a1!4960085 and the PIN 2085 break the rule the page lists ("not be, or be
// part of, your telephone number or extension"), and nothing changes.
func TestPasswordPagesKnowTheOwnNumber(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.SeedService(t)
		ctx := context.Background()
		f := env.Fixture
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: env.ID("support.one")}
		if _, err := env.App.Numbering.Assign(ctx, f.Acme.ID, "+44 113 496 0085", owner); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2085", owner); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, env)
		b.login("support.one", false)
		b.get("/account")
		before := storetest.Counts(t, db)
		p := b.post("/account/password", url.Values{"current_password": {apptest.Password}, "new_password": {"a1!4960085"},
			"confirm_password": {"a1!4960085"}}, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "telephone number") {
			t.Errorf("password a1!4960085: %d\n%s", p.Status, p.Body)
		}
		sp := "/account/pins"
		b.get(sp)
		p = b.post(sp, url.Values{"voicemail_pin": {"2085"}, "voicemail_pin_confirm": {"2085"}}, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "telephone number or extension") {
			t.Errorf("PIN 2085: %d\n%s", p.Status, p.Body)
		}
		// A failed change of one's own password counts no failure: the
		// current password was right.
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}
