package imports_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestImportObeysSecurityEmailRule: Update Current Users writes a security
// e-mail only as the API and UI would (docs/security.md). One's own
// changes only through the confirmation link, so the row is refused and
// nothing changes; another's changes, and the old address is told; a peer
// company admin's does not change.
func TestImportObeysSecurityEmailRule(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		h.env.AddCast(t)
		ctx := context.Background()
		sent := func(to, kind string) int {
			var n int
			if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = ? AND kind = ?", to, kind).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		csv := header +
			"acme.admin,Alex,Morgan,takeover@evil.example,,,\r\n" +
			"west.one,Wendy,West,wendy.new@example.com,,,\r\n" +
			"acme.admin2,Peer,Admin,peer@evil.example,,,\r\n"
		s := h.submit("acme.admin", csv, imports.EmployeeOptions{Options: imports.Options{Method: imports.MethodUpdate}})
		if s.Preview.Valid != 1 || s.Preview.Invalid != 2 {
			t.Fatalf("preview = %+v, want 1 valid (west.one) and 2 refused", s.Preview)
		}
		j, items := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted {
			t.Fatalf("job = %+v", j)
		}
		if it := items["acme.admin"]; it.Status != jobs.ItemError || !strings.Contains(it.Message, "confirmation link") {
			t.Errorf("own e-mail row = %+v, want an error pointing to the confirmation link", it)
		}
		if it := items["acme.admin2"]; it.Status != jobs.ItemError || !strings.Contains(it.Message, "service provider") {
			t.Errorf("peer company admin row = %+v, want error", it)
		}
		if it := items["west.one"]; it.Status != jobs.ItemOK {
			t.Errorf("west.one row = %+v, want ok", it)
		}
		if e, _ := h.employee("acme.admin"); e.Email != "acme.admin@example.com" {
			t.Errorf("acme.admin's security e-mail became %q through an import", e.Email)
		}
		if e, _ := h.employee("acme.admin2"); e.Email != "acme.admin2@example.com" {
			t.Errorf("acme.admin2's security e-mail became %q through a peer's import", e.Email)
		}
		if e, _ := h.employee("west.one"); e.Email != "wendy.new@example.com" {
			t.Errorf("west.one's e-mail = %q", e.Email)
		}
		if n := sent("west.one@example.com", "email_changed"); n != 1 {
			t.Errorf("old address of west.one told %d times, want 1", n)
		}
		if n := sent("takeover@evil.example", "email_changed") + sent("acme.admin@example.com", "email_changed"); n != 0 {
			t.Errorf("%d notices about a change that was refused", n)
		}
	})
}
