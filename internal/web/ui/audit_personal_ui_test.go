package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestAuditPagesHidePersonalContacts: an employee's personal contact never
// shows in the audit log pages — not to the company's admin, its reseller
// or the provider's operator — and "View difference" of its entry is 404.
func TestAuditPagesHidePersonalContacts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		west := env.Token(t, "west.one")
		if res := env.Do(t, west, "POST", "/api/v1/contacts", map[string]any{"first_name": "Secret", "last_name": "Friend",
			"cell_tel": "+447700900123"}); res.Status != http.StatusCreated {
			t.Fatalf("create contact: %d %s", res.Status, res.Body)
		}
		es, _, err := env.App.Audit.List(context.Background(), audit.Filter{ObjectKind: "contact"}, store.Page{})
		if err != nil || len(es) != 1 {
			t.Fatalf("contact entries: %v %v", es, err)
		}
		acme := id(env.Fixture.Acme.ID)
		for _, who := range []string{"operator", "acme.reseller", "acme.admin"} {
			b := newBrowser(t, env)
			b.login(who, false)
			for _, path := range []string{"/companies/" + acme + "/audit", "/companies/" + acme + "/audit?event=Create+Contact", "/dashboard?company_id=" + acme} {
				p := b.get(path)
				if p.Status != http.StatusOK {
					t.Fatalf("%s GET %s: %d", who, path, p.Status)
				}
				if strings.Contains(p.Body, "Secret") || strings.Contains(p.Body, "Friend") {
					t.Errorf("%s GET %s shows west.one's personal contact", who, path)
				}
			}
			if p := b.get("/audit/" + id(es[0].ID)); p.Status != http.StatusNotFound {
				t.Errorf("%s: View difference of west.one's contact: %d, want 404", who, p.Status)
			}
		}
	})
}
