package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

type auditItems struct {
	Items []struct {
		Event      string `json:"event"`
		ObjectName string `json:"object_name"`
		CompanyID  int64  `json:"company_id"`
	} `json:"items"`
	Total int `json:"total"`
}

// TestAuditEventFilterIgnoresCase: the event filter finds the same entries
// whatever the case typed; a name that is no event type is a 422 on the
// field (after the access check: a group admin is refused first); an event
// a company's log never holds matches nothing for its admin.
func TestAuditEventFilterIgnoresCase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		op := env.Token(t, "operator")
		acme := env.Fixture.Acme.ID
		list := func(token, query string) (int, auditItems, string) {
			res := env.Do(t, token, "GET", "/api/v1/audit?count=true&per_page=100&"+query, nil)
			var out auditItems
			if res.Status == http.StatusOK {
				res.JSON(t, &out)
			}
			return res.Status, out, string(res.Body)
		}
		q := func(event string) string {
			return fmt.Sprintf("company_id=%d&event=%s", acme, url.QueryEscape(event))
		}
		status, exact, body := list(op, q("Create Site"))
		if status != http.StatusOK || exact.Total == 0 {
			t.Fatalf("exact name: %d, %d entries: %s", status, exact.Total, body)
		}
		for _, spelled := range []string{"create site", "CREATE SITE", "  Create site "} {
			status, got, body := list(op, q(spelled))
			if status != http.StatusOK || got.Total != exact.Total {
				t.Errorf("event=%q: %d, %d entries, want %d: %s", spelled, status, got.Total, exact.Total, body)
			}
			for _, e := range got.Items {
				if e.Event != "Create Site" {
					t.Errorf("event=%q listed a %q entry", spelled, e.Event)
				}
			}
		}

		res := env.Do(t, op, "GET", "/api/v1/audit?event=Create+Sites", nil)
		if res.Status != http.StatusUnprocessableEntity || !strings.Contains(string(res.Body), `"event"`) ||
			!strings.Contains(string(res.Body), "Create Sites") {
			t.Errorf("unknown event: %d %s, want 422 on the field event", res.Status, res.Body)
		}
		// A group admin reads no audit log: refused before the filter is judged.
		if res := env.Do(t, env.Token(t, "leeds.admin"), "GET", "/api/v1/audit?event=Create+Sites", nil); res.Status != http.StatusForbidden {
			t.Errorf("group admin, unknown event: %d %s, want 403", res.Status, res.Body)
		}

		// The provider's catalog events exist, and a company admin's log
		// never shows them: the filter answers an empty list, as for any
		// event with no entries.
		if res := env.Do(t, op, "POST", "/api/v1/catalog/features",
			catalog.FeatureRequest{Code: "secret_feature", Name: "Secret Feature", Category: "Other"}); res.Status != http.StatusCreated {
			t.Fatalf("add feature: %d %s", res.Status, res.Body)
		}
		if status, got, body := list(op, "event=create+feature"); status != http.StatusOK || got.Total != 1 {
			t.Fatalf("operator, create feature: %d %d: %s", status, got.Total, body)
		}
		for _, who := range []string{"acme.admin", "acme.reseller", "globex.admin"} {
			status, got, body := list(env.Token(t, who), "event=Create+Feature")
			if status != http.StatusOK || got.Total != 0 || strings.Contains(body, "Secret") {
				t.Errorf("%s, Create Feature: %d, %d entries: %s", who, status, got.Total, body)
			}
		}
		// An outsider filtering by an event Acme holds sees only its own company.
		_, got, _ := list(env.Token(t, "globex.admin"), "event=create+site")
		for _, e := range got.Items {
			if e.CompanyID != env.Fixture.Globex.ID {
				t.Errorf("globex.admin sees %q of company %d", e.ObjectName, e.CompanyID)
			}
		}
	})
}

// TestAuditEventTypes: the list of event types is the registry for the
// provider's operators, the company events for company admins and
// resellers, and a refusal for those who read no audit log.
func TestAuditEventTypes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		names := func(who string) (int, []string) {
			res := env.Do(t, env.Token(t, who), "GET", "/api/v1/audit/events", nil)
			var out struct {
				Items []struct{ Name, Label, Group string }
			}
			if res.Status == http.StatusOK {
				res.JSON(t, &out)
			}
			var ns []string
			for _, e := range out.Items {
				if e.Label == "" || e.Group == "" {
					t.Errorf("%s: event %q without label or group", who, e.Name)
				}
				ns = append(ns, e.Name)
			}
			return res.Status, ns
		}
		var all []string
		for _, e := range audit.Events() {
			all = append(all, e.Name)
		}
		if status, got := names("operator"); status != http.StatusOK || !slices.Equal(got, all) {
			t.Errorf("operator: %d %v, want the whole registry", status, got)
		}
		for _, who := range []string{"acme.admin", "acme.reseller"} {
			status, got := names(who)
			if status != http.StatusOK || !slices.Contains(got, "Create Employee") || !slices.Contains(got, "Reset Password") {
				t.Errorf("%s: %d %v, want the company events", who, status, got)
			}
			if slices.Contains(got, "Create Feature") || slices.Contains(got, "Create Operator") {
				t.Errorf("%s is offered provider events: %v", who, got)
			}
		}
		for _, who := range []string{"leeds.admin", "west.one"} {
			if status, _ := names(who); status != http.StatusForbidden {
				t.Errorf("%s: %d, want 403 as for the audit log", who, status)
			}
		}
	})
}
