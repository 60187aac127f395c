package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestAPIPeerAdminTakeover: a company admin cannot take over or remove a
// peer company admin, nor a group admin a peer group admin, through the
// API (docs/security.md); the provider and the company's reseller can.
// Every refusal changes nothing, audit and outbox included.
func TestAPIPeerAdminTakeover(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		peer := fmt.Sprintf("/api/v1/employees/%d", env.ID("acme.admin2"))
		groupPeer := fmt.Sprintf("/api/v1/employees/%d", env.ID("leeds.admin2"))
		refused := []struct {
			user, method, path string
			body               any
			want               int
		}{
			{"acme.admin", "PATCH", peer, map[string]any{"role": "employee", "email": "x@evil.example"}, http.StatusForbidden},
			{"acme.admin", "PATCH", peer, map[string]any{"email": "x@evil.example"}, http.StatusForbidden},
			{"acme.admin", "PATCH", peer, map[string]any{"role": "employee"}, http.StatusForbidden},
			{"acme.admin", "DELETE", peer, nil, http.StatusForbidden},
			{"acme.admin", "POST", peer + "/reset-password", nil, http.StatusForbidden},
			{"acme.admin", "POST", peer + "/force-unlock", nil, http.StatusForbidden},
			{"leeds.admin", "PATCH", groupPeer, map[string]any{"email": "y@evil.example"}, http.StatusForbidden},
			{"leeds.admin", "DELETE", groupPeer, nil, http.StatusForbidden},
			{"leeds.admin", "POST", groupPeer + "/reset-password", nil, http.StatusForbidden},
			{"reseller.admin", "PATCH", peer, map[string]any{"role": "employee"}, http.StatusNotFound},
			{"other.reseller", "DELETE", peer, nil, http.StatusNotFound},
		}
		for _, c := range refused {
			before := storetest.Counts(t, db)
			res := env.Do(t, env.Token(t, c.user), c.method, c.path, c.body)
			if res.Status != c.want {
				t.Errorf("%s %s %s: %d, want %d: %s", c.user, c.method, c.path, res.Status, c.want, res.Body)
			}
			after := storetest.Counts(t, db)
			delete(before, "sessions") // the login above
			delete(after, "sessions")
			storetest.SameCounts(t, before, after)
		}
		// The company's reseller may; the old address is told of the new one.
		res := env.Do(t, env.Token(t, "acme.reseller"), "PATCH", peer, map[string]any{"email": "admin2.new@example.com"})
		if res.Status != http.StatusOK {
			t.Fatalf("reseller changes the e-mail: %d %s", res.Status, res.Body)
		}
		var told int
		if err := db.Q(t.Context()).QueryRow(t.Context(), "SELECT COUNT(*) FROM mail_outbox WHERE to_addr = ? AND kind = ?",
			"acme.admin2@example.com", "email_changed").Scan(&told); err != nil || told != 1 {
			t.Errorf("old address told %d times (%v), want 1", told, err)
		}
		if res := env.Do(t, env.Token(t, "operator"), "DELETE", peer, nil); res.Status != http.StatusNoContent {
			t.Errorf("operator deletes a company admin: %d %s", res.Status, res.Body)
		}
	})
}
