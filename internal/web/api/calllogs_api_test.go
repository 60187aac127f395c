package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// seedCallLogs lets west.one (Leeds), london.one (London) and globex.one
// hold numbers since 2026 began and ingests a few March calls of each.
func seedCallLogs(t *testing.T, env *apptest.Env, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	f := env.Fixture
	for _, h := range []struct {
		number        string
		company, site int64
		user          string
	}{
		{"+441134960011", f.Acme.ID, f.Leeds.ID, "west.one"},
		{"+442079460012", f.Acme.ID, f.London.ID, "london.one"},
		{"+441184960013", f.Globex.ID, f.Reading.ID, "globex.one"},
	} {
		if err := db.Tx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).Exec(ctx, `INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
			VALUES ('number', ?, ?, ?, 'user', ?, ?)`, h.number, h.company, h.site, env.ID(h.user), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	sw, _, err := env.App.Calls.CreateSwitch(ctx, env.Actor("operator"), calls.SwitchCreateRequest{Name: "logs", Format: "freeswitch-json"})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for i := 0; i < 30; i++ {
		caller, callee := "%2B441134960011", fmt.Sprintf("%%2B4479111234%02d", i%7)
		switch i % 3 {
		case 1:
			caller = "%2B442079460012"
		case 2:
			caller, callee = "%2B441184960013", "%2B33142685300"
		}
		at := start.Add(time.Duration(i) * 7 * time.Hour)
		fmt.Fprintf(&b, `{"variables":{"uuid":"log-%d","caller_id_number":"%s","destination_number":"%s","start_uepoch":"%d","answer_uepoch":"%d","end_uepoch":"%d","duration":"%d","billsec":"%d"}}`+"\n",
			i, caller, callee, at.UnixMicro(), at.Add(2*time.Second).UnixMicro(), at.Add(time.Duration(2+10*i)*time.Second).UnixMicro(), 2+10*i, 10*i)
	}
	if rep, err := env.App.Calls.Ingest(ctx, sw, calls.SourceCommand, "test", "", strings.NewReader(b.String())); err != nil || rep.Accepted != 30 {
		t.Fatalf("ingest: %+v %v", rep, err)
	}
	// What a node's number aggregator does once the batch has committed.
	if _, err := env.App.Calls.AggregateNumbers(ctx); err != nil {
		t.Fatal(err)
	}
}

const march = "from=2026-03-01&to=2026-03-31&tz=Europe/London"

// callLogContractCalls exercises every Call Logs endpoint against the
// document (TestResponsesMatchDocument).
func callLogContractCalls(t *testing.T, c *contract, db *store.DB) []apiCall {
	f := c.env.Fixture
	acme := fmt.Sprintf("object=company&id=%d&", f.Acme.ID)
	leeds := fmt.Sprintf("object=site&id=%d&", f.Leeds.ID)
	return []apiCall{
		{name: "graph platform", user: "operator", method: "GET", path: "/api/v1/call-logs/graph?object=platform&compare=true&measure=minutes&" + march, want: 200,
			setup: func(t *testing.T) { seedCallLogs(t, c.env, db) }},
		{name: "graph hourly year", user: "acme.admin", method: "GET", path: "/api/v1/call-logs/graph?" + acme + "interval=hour&from=2026-01-01&to=2026-12-31", want: 422},
		{name: "graph anonymous", method: "GET", path: "/api/v1/call-logs/graph", want: 401},
		{name: "list own", user: "west.one", method: "GET", path: "/api/v1/call-logs/list?limit=3&" + march, want: 200},
		{name: "list limit", user: "west.one", method: "GET", path: "/api/v1/call-logs/list?limit=501", want: 400, badRequest: true},
		{name: "list bad cursor", user: "acme.admin", method: "GET", path: "/api/v1/call-logs/list?after=nonsense", want: 422},
		{name: "list other company", user: "globex.admin", method: "GET", path: "/api/v1/call-logs/list?" + acme + march, want: 404},
		{name: "types site", user: "leeds.admin", method: "GET", path: "/api/v1/call-logs/types?" + leeds + march, want: 200},
		{name: "types company by group admin", user: "leeds.admin", method: "GET", path: "/api/v1/call-logs/types?" + acme + march, want: 403},
		{name: "types bad traffic", user: "acme.admin", method: "GET", path: "/api/v1/call-logs/types?traffic=local", want: 422, badRequest: true},
		{name: "top mobile", user: "acme.admin", method: "GET", path: "/api/v1/call-logs/top?category=mobile&" + acme + march, want: 200},
		{name: "top other site", user: "globex.admin", method: "GET", path: "/api/v1/call-logs/top?" + leeds + march, want: 404},
		{name: "export list", user: "acme.admin", method: "GET", path: "/api/v1/call-logs/export?sort=-duration&" + acme + march, want: 200},
		{name: "export other site", user: "globex.admin", method: "GET", path: "/api/v1/call-logs/export?" + leeds + march, want: 404},
		{name: "export bad range", user: "acme.admin", method: "GET", path: "/api/v1/call-logs/export?from=2026-03-31&to=2026-03-01", want: 422},
	}
}

// TestCallLogsAPIAuthorization: over HTTP, each actor reaches exactly the
// Call Logs objects its role and scope allow; another tenant's object is
// 404 with the same body as a missing one, on every endpoint, and nothing
// changes.
func TestCallLogsAPIAuthorization(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		seedCallLogs(t, env, db)
		f := env.Fixture
		tokens := map[string]string{}
		token := func(u string) string {
			if tokens[u] == "" {
				tokens[u] = env.Token(t, u)
			}
			return tokens[u]
		}
		company := func(id int64) string { return fmt.Sprintf("object=company&id=%d", id) }
		site := func(id int64) string { return fmt.Sprintf("object=site&id=%d", id) }
		user := func(name string) string { return fmt.Sprintf("object=user&id=%d", env.ID(name)) }
		for _, u := range []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "west.one", "globex.admin", "globex.one", "reseller.admin", "other.reseller", "other.operator"} {
			token(u)
		}
		before := storetest.Counts(t, db)
		views := []string{"graph", "list", "types", "top", "export"}
		for _, tc := range []struct {
			user, object string
			want         int
		}{
			{"operator", "object=platform", 200},
			{"operator", company(f.Globex.ID), 200},
			{"acme.reseller", company(f.Acme.ID), 200},
			{"acme.admin", company(f.Acme.ID), 200},
			{"acme.admin", site(f.London.ID), 200},
			{"acme.admin", user("globex.one"), 404},
			{"acme.admin", "object=user&username=globex.one", 404},
			{"acme.admin", company(f.Globex.ID), 404},
			{"acme.admin", site(f.Reading.ID), 404},
			{"acme.admin", "object=platform", 403},
			{"acme.admin2", company(f.Acme.ID), 200},
			{"leeds.admin", site(f.Leeds.ID), 200},
			{"leeds.admin2", site(f.Leeds.ID), 200},
			{"leeds.admin", site(f.London.ID), 404},
			{"leeds.admin", user("london.one"), 404},
			{"leeds.admin", user("west.one"), 200},
			{"leeds.admin", company(f.Acme.ID), 403},
			{"west.one", "", 200},
			{"west.one", user("london.one"), 404},
			{"west.one", site(f.Leeds.ID), 404},
			{"globex.admin", company(f.Acme.ID), 404},
			{"globex.admin", site(f.Leeds.ID), 404},
			{"globex.one", user("west.one"), 404},
			{"reseller.admin", company(f.Acme.ID), 404},
			{"other.reseller", site(f.Leeds.ID), 404},
			{"other.operator", company(f.Acme.ID), 404},
			{"other.operator", user("west.one"), 404},
		} {
			for _, v := range views {
				res := env.Do(t, token(tc.user), "GET", "/api/v1/call-logs/"+v+"?"+tc.object+"&"+march, nil)
				if res.Status != tc.want {
					t.Errorf("%s %s %s: %d %s, want %d", tc.user, v, tc.object, res.Status, res.Body, tc.want)
					continue
				}
				if tc.want == 404 {
					// The same answer as for an object that does not exist.
					missing := strings.NewReplacer(fmt.Sprint(f.Acme.ID), "999999", fmt.Sprint(f.Globex.ID), "999999").Replace(tc.object)
					if strings.Contains(tc.object, "id=") {
						missing = tc.object[:strings.Index(tc.object, "id=")] + "id=999999"
					}
					if strings.Contains(tc.object, "username=") {
						missing = "object=user&username=nobody.here"
					}
					other := env.Do(t, token(tc.user), "GET", "/api/v1/call-logs/"+v+"?"+missing+"&"+march, nil)
					if other.Status != 404 || string(other.Body) != string(res.Body) {
						t.Errorf("%s %s %s: %s, but a missing object: %d %s", tc.user, v, tc.object, res.Body, other.Status, other.Body)
					}
				}
			}
		}
		// What each sees of the calls: the employee only their own.
		var own struct {
			Calls []struct {
				BusinessNumber string `json:"business_number"`
			}
		}
		env.Do(t, token("west.one"), "GET", "/api/v1/call-logs/list?limit=100&"+march, nil).JSON(t, &own)
		if len(own.Calls) != 10 {
			t.Errorf("west.one sees %d calls, want their 10", len(own.Calls))
		}
		for _, c := range own.Calls {
			if c.BusinessNumber != "+441134960011" {
				t.Errorf("west.one sees a call of %s", c.BusinessNumber)
			}
		}
		// A number search by a company admin finds nothing of another tenant.
		var ty struct{ Calls int64 }
		env.Do(t, token("acme.admin"), "GET", "/api/v1/call-logs/types?object=business_number&number="+url.QueryEscape("+44118")+"&"+march, nil).JSON(t, &ty)
		if ty.Calls != 0 {
			t.Errorf("acme.admin found %d of Globex's calls by number", ty.Calls)
		}
		// The export is a CSV download.
		res := env.Do(t, token("acme.admin"), "GET", "/api/v1/call-logs/export?"+company(f.Acme.ID)+"&"+march, nil)
		if res.Status != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(res.Header.Get("Content-Disposition"), "attachment") ||
			strings.Count(string(res.Body), "\r\n") != 21 {
			t.Errorf("export: %d %v %d lines", res.Status, res.Header, strings.Count(string(res.Body), "\r\n"))
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}
