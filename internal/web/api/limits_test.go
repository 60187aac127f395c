package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web/api"
)

// TestEveryRequestValueIsBounded: in the served document, every string of
// every request body and query parameter has a maxLength and every integer
// a minimum and a maximum — the limits the server enforces.
func TestEveryRequestValueIsBounded(t *testing.T) {
	raw, err := api.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	m := func(v any) map[string]any { x, _ := v.(map[string]any); return x }
	l := func(v any) []any { x, _ := v.([]any); return x }
	schemas := m(m(doc["components"])["schemas"])
	params := m(m(doc["components"])["parameters"])
	var missing []string
	seen := map[string]bool{}
	var walk func(s map[string]any, where string)
	walk = func(s map[string]any, where string) {
		if s == nil {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			name := strings.TrimPrefix(ref, "#/components/schemas/")
			if !seen[name] {
				seen[name] = true
				walk(m(schemas[name]), name)
			}
			return
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf"} {
			for _, sub := range l(s[k]) {
				walk(m(sub), where)
			}
		}
		types := fmt.Sprint(s["type"])
		_, enum := s["enum"]
		_, cons := s["const"]
		if strings.Contains(types, "string") && !enum && !cons && s["maxLength"] == nil {
			missing = append(missing, where+": string without maxLength")
		}
		if strings.Contains(types, "integer") && !enum && !cons && (s["minimum"] == nil || s["maximum"] == nil) {
			missing = append(missing, where+": integer without minimum and maximum")
		}
		if strings.Contains(types, "number") {
			missing = append(missing, where+": a fractional number (use integers in minor units)")
		}
		for name, p := range m(s["properties"]) {
			walk(m(p), where+"."+name)
		}
		walk(m(s["items"]), where+"[]")
		walk(m(s["additionalProperties"]), where+"{}")
	}
	ops := 0
	for path, item := range m(doc["paths"]) {
		for method, op := range m(item) {
			ops++
			at := strings.ToUpper(method) + " " + path
			for ct, c := range m(m(m(op)["requestBody"])["content"]) {
				walk(m(m(c)["schema"]), at+" body "+ct)
			}
			for _, p := range l(m(op)["parameters"]) {
				pm := m(p)
				if ref, ok := pm["$ref"].(string); ok {
					pm = m(params[strings.TrimPrefix(ref, "#/components/parameters/")])
				}
				walk(m(pm["schema"]), fmt.Sprintf("%s %s %s", at, pm["in"], pm["name"]))
			}
		}
	}
	if ops < 50 || len(seen) < 20 {
		t.Fatalf("walked %d operations and %d request schemas: the document was not read", ops, len(seen))
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("unbounded request values:\n\t%s", strings.Join(missing, "\n\t"))
	}
}

// TestBadTextIsRefusedBeforeTheDatabase: NUL and other control characters,
// bidirectional overrides in names, oversized text and integers beyond
// their range are the caller's mistake (4xx), anonymous login and reset
// included — never a 500 from PostgreSQL — and change nothing.
func TestBadTextIsRefusedBeforeTheDatabase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		token := env.Token(t, "acme.admin")
		operator := env.Token(t, "operator")
		leeds := env.Fixture.Leeds.ID
		huge := strings.Repeat("x", 1_000_000)
		for _, tc := range []struct {
			name, token, method, path, body string
			status                          int
			field                           string
		}{
			{"login NUL", "", "POST", "/api/v1/auth/login", `{"username":"a\u0000b","password":"x"}`, 422, "username"},
			{"login 1 MB username", "", "POST", "/api/v1/auth/login", `{"username":"` + huge + `","password":"x"}`, 422, "username"},
			{"login control character", "", "POST", "/api/v1/auth/login", `{"username":"acme\u0007admin","password":"x"}`, 422, "username"},
			{"reset NUL", "", "POST", "/api/v1/auth/password-reset", `{"login":"a\u0000b"}`, 422, "login"},
			{"reset 1 MB", "", "POST", "/api/v1/auth/password-reset", `{"login":"` + huge + `"}`, 422, "login"},
			{"group name NUL", token, "POST", "/api/v1/groups", fmt.Sprintf(`{"parent_id":%d,"name":"Sa\u0000les"}`, leeds), 422, "name"},
			{"group name bidi override", token, "POST", "/api/v1/groups", fmt.Sprintf(`{"parent_id":%d,"name":"Sales \u202egnp.exe"}`, leeds), 422, "name"},
			{"group name line break", token, "POST", "/api/v1/groups", fmt.Sprintf(`{"parent_id":%d,"name":"Sales\nWest"}`, leeds), 422, "name"},
			{"group name too long", token, "POST", "/api/v1/groups", fmt.Sprintf(`{"parent_id":%d,"name":"%s"}`, leeds, strings.Repeat("n", 300)), 422, "name"},
			{"nested profile field", token, "POST", "/api/v1/groups", fmt.Sprintf(`{"parent_id":%d,"name":"Fine","profile":{"contact_email":"a\u0000@b.example"}}`, leeds), 422, "profile.contact_email"},
			{"channel limit 2^63-1", operator, "POST", "/api/v1/companies", `{"name":"Huge","currency":"GBP","channel_limit":9223372036854775807}`, 422, "channel_limit"},
			{"channel limit 2^63", operator, "POST", "/api/v1/companies", `{"name":"Huge","currency":"GBP","channel_limit":9223372036854775808}`, 400, "channel_limit"},
			{"negative parent id", token, "POST", "/api/v1/groups", `{"parent_id":-4,"name":"Fine"}`, 422, "parent_id"},
			{"query NUL", token, "GET", "/api/v1/employees?q=a%00b", "", 400, "q"},
			{"query not UTF-8", token, "GET", "/api/v1/groups?q=%ff%fe", "", 400, "q"},
			{"query too long", token, "GET", "/api/v1/groups?q=" + strings.Repeat("q", 5000), "", 400, "q"},
			{"query id beyond int64", token, "GET", "/api/v1/employees?group_id=9223372036854775808", "", 400, "group_id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := storetest.Counts(t, db)
				res := env.Do(t, tc.token, tc.method, tc.path, tc.body)
				if res.Status != tc.status || res.Header.Get("Content-Type") != "application/problem+json" {
					t.Fatalf("status %d %s, want %d problem: %.300s", res.Status, res.Header.Get("Content-Type"), tc.status, res.Body)
				}
				var p api.Problem
				res.JSON(t, &p)
				if !slices.ContainsFunc(p.Errors, func(f derrors.FieldError) bool { return f.Field == tc.field }) {
					t.Errorf("no error on %q: %+v", tc.field, p)
				}
				storetest.SameCounts(t, before, storetest.Counts(t, db))
			})
		}
	})
}
