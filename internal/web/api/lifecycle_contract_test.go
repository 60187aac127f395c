package api_test

import (
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// lifecycleContract runs the employee lifecycle calls of
// TestResponsesMatchDocument on a node of its own (a fresh database of the
// same engine), so the number ranges and catalog it loads never meet the
// other areas' calls. seen is shared with the main contract.
func lifecycleContract(t *testing.T, c *contract, db *store.DB) {
	fresh := storetest.SQLite(t)
	if db.Dialect() == store.Postgres {
		fresh = storetest.Postgres(t)
	}
	env := apptest.New(t, fresh)
	lc := &contract{t: t, env: env, doc: c.doc, router: c.router, tokens: map[string]string{}, seen: c.seen, ids: map[string]int64{}}
	for _, call := range lifecycleContractCalls(t, lc) {
		t.Run("lifecycle/"+call.name, func(t *testing.T) { lc.do(t, call) })
	}
}

func lifecycleContractCalls(t *testing.T, c *contract) []apiCall {
	env := c.env
	sv := env.SeedService(t)
	f := env.Fixture
	p := fmt.Sprintf
	support, west, london := env.ID("support.one"), env.ID("west.one"), env.ID("london.one")
	body := func(mac string) map[string]any {
		return map[string]any{"site_id": f.Leeds.ID, "user_type": "ip_centrex", "term_id": sv.Terms["Monthly"].ID,
			"package_id": sv.Packages["Basic"].ID, "add_on_ids": []int64{sv.Packages["Call Recording"].ID},
			"device": map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": mac}}
	}
	many := map[string]any{"site_id": f.London.ID, "user_type": "business_trunking", "term_id": sv.Terms["12 months"].ID,
		"package_id": sv.Packages["Standard"].ID, "employees": []map[string]any{
			{"employee_id": london, "extension": "5000", "device": map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": "001565AABB26"}}}}
	textPlain := map[string]string{"Content-Type": "text/plain"}
	run := func(t *testing.T) { runJobs(t, env) }
	lim := p("/api/v1/sites/%d/employee-limit", f.Leeds.ID)
	return []apiCall{
		{name: "activate", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/activate", support), body: body("001565AABB21"), want: 202},
		{name: "activate pending again", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/activate", support), body: body("001565AABB22"), want: 422},
		{name: "activate unknown field", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/activate", west), body: `{"site":1}`, want: 400, badRequest: true},
		{name: "activate not json", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/activate", west), body: `{}`, header: textPlain, want: 415, badRequest: true},
		{name: "activate no token", method: "POST", path: p("/api/v1/employees/%d/activate", west), body: body("001565AABB23"), want: 401},
		{name: "activate other company", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/activate", env.ID("globex.one")), body: body("001565AABB24"), want: 404},
		{name: "activate flag off", user: "globex.admin", method: "POST", path: p("/api/v1/employees/%d/activate", env.ID("globex.one")), body: body("001565AABB25"), want: 403},
		{name: "activate many", user: "acme.admin", method: "POST", path: "/api/v1/employees/activate", body: many, want: 202},
		{name: "activate many invalid", user: "acme.admin", method: "POST", path: "/api/v1/employees/activate", body: map[string]any{"site_id": f.London.ID}, want: 422},
		{name: "activate many bad body", user: "acme.admin", method: "POST", path: "/api/v1/employees/activate", body: `{"employees":"x"}`, want: 400, badRequest: true},
		{name: "activate many not json", user: "acme.admin", method: "POST", path: "/api/v1/employees/activate", body: `{}`, header: textPlain, want: 415, badRequest: true},
		{name: "activate many no token", method: "POST", path: "/api/v1/employees/activate", body: many, want: 401},
		{name: "activate many flag off", user: "globex.admin", method: "POST", path: "/api/v1/employees/activate", body: many, want: 403},
		{name: "activate many other company", user: "acme.admin", method: "POST", path: "/api/v1/employees/activate", body: map[string]any{"company_id": f.Globex.ID}, want: 404},

		{name: "jobs", user: "acme.admin", method: "GET", path: "/api/v1/jobs", want: 200, setup: run},
		{name: "jobs group admin", user: "leeds.admin", method: "GET", path: "/api/v1/jobs?status=completed", want: 200},
		{name: "jobs bad status", user: "acme.admin", method: "GET", path: "/api/v1/jobs?status=done", want: 422, badRequest: true},
		{name: "jobs employee", user: "west.one", method: "GET", path: "/api/v1/jobs", want: 403},
		{name: "jobs other company", user: "acme.admin", method: "GET", path: p("/api/v1/jobs?company_id=%d", f.Globex.ID), want: 404},
		{name: "jobs no token", method: "GET", path: "/api/v1/jobs", want: 401},
		{name: "job", user: "acme.admin", method: "GET", path: "/api/v1/jobs/1", want: 200},
		{name: "job other company", user: "globex.admin", method: "GET", path: "/api/v1/jobs/1", want: 404},
		{name: "job no token", method: "GET", path: "/api/v1/jobs/1", want: 401},
		{name: "job items", user: "acme.admin", method: "GET", path: "/api/v1/jobs/1/items", want: 200},
		{name: "job items other company", user: "globex.admin", method: "GET", path: "/api/v1/jobs/1/items", want: 404},
		{name: "job items no token", method: "GET", path: "/api/v1/jobs/1/items", want: 401},

		{name: "service", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/service", support), want: 200},
		{name: "service inactive", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/service", west), want: 200},
		{name: "service other company", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/service", env.ID("globex.one")), want: 404},
		{name: "service no token", method: "GET", path: p("/api/v1/employees/%d/service", support), want: 401},
		{name: "change service", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", support), body: map[string]any{"number": "0113 496 0010", "cli_first_name": "Stan"}, want: 200},
		{name: "change service device", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", support), body: map[string]any{"device": map[string]any{"mode": "new", "type_id": sv.Types["Soft Client"].ID}}, want: 200},
		{name: "change service bad device", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", support), body: map[string]any{"device": map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": "zz"}}, want: 422},
		{name: "change service taken extension", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", london), body: map[string]any{"extension": "0000"}, want: 409},
		{name: "change service bad term", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", london), body: map[string]any{"term_id": sv.Terms["Monthly"].ID}, want: 422},
		{name: "change service group admin other", user: "sales.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", support), body: map[string]any{"cli_first_name": "S"}, want: 404},
		{name: "change service employee", user: "west.one", method: "PATCH", path: p("/api/v1/employees/%d/service", west), body: map[string]any{"cli_first_name": "W"}, want: 403},
		{name: "change service bad body", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", support), body: `{"number":1}`, want: 400, badRequest: true},
		{name: "change service not json", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d/service", support), body: `{}`, header: textPlain, want: 415, badRequest: true},
		{name: "change service no token", method: "PATCH", path: p("/api/v1/employees/%d/service", support), body: map[string]any{}, want: 401},

		{name: "resubscribe", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/resubscribe", support), want: 202},
		{name: "resubscribe pending", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/resubscribe", support), want: 409},
		{name: "resubscribe employee", user: "west.one", method: "POST", path: p("/api/v1/employees/%d/resubscribe", west), want: 403},
		{name: "resubscribe other company", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/resubscribe", env.ID("globex.one")), want: 404},
		{name: "resubscribe no token", method: "POST", path: p("/api/v1/employees/%d/resubscribe", support), want: 401},

		{name: "cease", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/cease", support), want: 200, setup: run},
		{name: "cease again", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/cease", support), want: 409},
		{name: "cease self", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/cease", env.ID("acme.admin")), want: 403},
		{name: "cease other company", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/cease", env.ID("globex.one")), want: 404},
		{name: "cease no token", method: "POST", path: p("/api/v1/employees/%d/cease", support), want: 401},

		{name: "employee limit", user: "leeds.admin", method: "GET", path: lim, want: 200},
		{name: "employee limit other site", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/employee-limit", f.London.ID), want: 404},
		{name: "employee limit employee", user: "west.one", method: "GET", path: lim, want: 404},
		{name: "employee limit no token", method: "GET", path: lim, want: 401},
		{name: "set employee limit", user: "operator", method: "PUT", path: lim, body: map[string]any{"employee_limit": 25}, want: 200},
		{name: "set employee limit negative", user: "operator", method: "PUT", path: lim, body: map[string]any{"employee_limit": -1}, want: 422, badRequest: true},
		{name: "set employee limit company admin", user: "acme.admin", method: "PUT", path: lim, body: map[string]any{"employee_limit": 5}, want: 403},
		{name: "set employee limit other site", user: "acme.admin", method: "PUT", path: p("/api/v1/sites/%d/employee-limit", f.Reading.ID), body: map[string]any{"employee_limit": 5}, want: 404},
		{name: "set employee limit bad body", user: "operator", method: "PUT", path: lim, body: `{"employee_limit":"x"}`, want: 400, badRequest: true},
		{name: "set employee limit not json", user: "operator", method: "PUT", path: lim, body: `{}`, header: textPlain, want: 415, badRequest: true},
		{name: "set employee limit no token", method: "PUT", path: lim, body: map[string]any{"employee_limit": 1}, want: 401},
	}
}
