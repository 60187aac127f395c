package ui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestUIPeerAdminTakeover: the Business Portal refuses what the API
// refuses (docs/security.md): a company admin cannot demote, re-address,
// reset or delete a peer company admin, nor make a company admin; the
// profile does not offer what would be refused.
func TestUIPeerAdminTakeover(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		b := newBrowser(t, env)
		b.login("acme.admin", false)
		peer := "/employees/" + strconv.FormatInt(env.ID("acme.admin2"), 10)

		profile := b.get(peer)
		if profile.Status != http.StatusOK {
			t.Fatalf("peer profile: %d", profile.Status)
		}
		if strings.Contains(profile.Body, `name="role"`) && strings.Contains(profile.Body, `<select`) &&
			strings.Contains(profile.Body, `value="employee"`) {
			t.Error("the peer's profile offers a role change")
		}
		if strings.Contains(profile.Body, `href="`+peer+`/reset-password"`) {
			t.Error("the peer's profile offers a password reset")
		}
		if np := b.get("/employees/new"); strings.Contains(np.Body, `value="company_admin"`) {
			t.Error("Add Employee offers the Company Administrator role to a company admin")
		}

		form := url.Values{"first_name": {"Peer"}, "last_name": {"Admin"}, "email": {"x@evil.example"}, "phone": {""}}
		steps := []struct {
			what string
			path string
			vals url.Values
		}{
			{"security e-mail", peer, form},
			{"demotion", peer, url.Values{"role": {"employee"}, "first_name": {"Peer"}, "last_name": {"Admin"}, "email": {"acme.admin2@example.com"}}},
			{"reset", peer + "/reset-password", nil},
			{"unlock", peer + "/force-unlock", nil},
			{"delete", peer + "/delete", nil},
			{"new company admin", "/employees/new", url.Values{"username": {"boss.ui"}, "password": {"Fixture-Pass-9!xYz"},
				"password_confirm": {"Fixture-Pass-9!xYz"}, "first_name": {"Bo"}, "last_name": {"Ss"}, "role": {"company_admin"}}},
		}
		for _, s := range steps {
			before := storetest.Counts(t, db)
			p := b.post(s.path, s.vals, false)
			if p.Status != http.StatusForbidden {
				t.Errorf("%s of a peer: %d, want 403", s.what, p.Status)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
	})
}
