package mail_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestProviderOutboxIsTheProviders: the outbox shows a provider's messages
// to its operators only; another provider's operator sees none of them, and
// company accounts and reseller admins are refused.
func TestProviderOutboxIsTheProviders(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		if err := env.App.Identity.RequestPasswordReset(ctx, "west.one"); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Identity.ProcessResetRequests(ctx); err != nil {
			t.Fatal(err)
		}
		list := func(user string, f mail.OutboxFilter) ([]mail.OutboxMessage, error) {
			ms, _, err := env.App.Mail.ProviderOutbox(ctx, env.Actor(user), f, store.Page{Page: 1, PerPage: 50})
			return ms, err
		}
		if ms, err := list("operator", mail.OutboxFilter{}); err != nil || len(ms) != 1 || ms[0].To != "west.one@example.com" {
			t.Fatalf("operator's outbox: %+v %v", ms, err)
		}
		if ms, err := list("other.operator", mail.OutboxFilter{}); err != nil || len(ms) != 0 {
			t.Errorf("another provider's operator sees %d messages (%v)", len(ms), err)
		}
		for _, user := range []string{"acme.admin", "leeds.admin", "west.one", "acme.reseller", "globex.admin"} {
			if _, err := list(user, mail.OutboxFilter{}); !errors.Is(err, derrors.ErrForbidden) {
				t.Errorf("%s reading the outbox = %v, want forbidden", user, err)
			}
		}
		if _, err := list("operator", mail.OutboxFilter{Status: "bogus"}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("bad status = %v", err)
		}
	})
}
