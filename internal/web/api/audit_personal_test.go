package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestAuditHidesPersonalContacts: an employee's personal contact answers
// 404 to the company admin, and so does every trace of it in the audit
// log — the listing filtered on contacts, the unfiltered listing, the
// entry by id — for the company admin, the company's reseller and the
// provider's operator alike. The owner finds their own.
func TestAuditHidesPersonalContacts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		west := env.Token(t, "west.one")
		res := env.Do(t, west, "POST", "/api/v1/contacts", map[string]any{"first_name": "Secret", "last_name": "Friend",
			"cell_tel": "+447700900123", "notes": "met at the clinic"})
		if res.Status != http.StatusCreated {
			t.Fatalf("create contact: %d %s", res.Status, res.Body)
		}
		var c struct{ ID int64 }
		res.JSON(t, &c)
		res = env.Do(t, west, "POST", "/api/v1/contacts/groups", map[string]any{"name": "Clinic"})
		if res.Status != http.StatusCreated {
			t.Fatalf("create contact group: %d %s", res.Status, res.Body)
		}
		for _, who := range []string{"acme.admin", "acme.reseller", "operator"} {
			token := env.Token(t, who)
			if res := env.Do(t, token, "GET", fmt.Sprintf("/api/v1/contacts/%d", c.ID), nil); res.Status != http.StatusNotFound {
				t.Errorf("%s: GET the contact: %d", who, res.Status)
			}
			for _, q := range []string{"?object_kind=contact", "?object_kind=contact_group", "?per_page=100",
				fmt.Sprintf("?actor_id=%d&per_page=100", env.ID("west.one"))} {
				res := env.Do(t, token, "GET", "/api/v1/audit"+q, nil)
				if res.Status != http.StatusOK {
					t.Fatalf("%s: audit%s: %d %s", who, q, res.Status, res.Body)
				}
				for _, leak := range []string{"Secret", "447700900123", "clinic", "Clinic"} {
					if strings.Contains(string(res.Body), leak) {
						t.Errorf("%s: audit%s shows %q: %s", who, q, leak, res.Body)
					}
				}
			}
		}
		// The owner's entries exist and answer 404 by id to everyone else.
		var ids []int64
		es, _, err := env.App.Audit.List(t.Context(), audit.Filter{}, store.Page{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if e.ObjectKind == "contact" || e.ObjectKind == "contact_group" {
				ids = append(ids, e.ID)
			}
		}
		if len(ids) != 2 {
			t.Fatalf("%d personal entries recorded, want 2", len(ids))
		}
		for _, who := range []string{"acme.admin", "acme.reseller", "operator"} {
			token := env.Token(t, who)
			for _, id := range ids {
				if res := env.Do(t, token, "GET", fmt.Sprintf("/api/v1/audit/%d", id), nil); res.Status != http.StatusNotFound {
					t.Errorf("%s: audit entry %d of west.one's contacts: %d %s", who, id, res.Status, res.Body)
				}
			}
		}
	})
}
