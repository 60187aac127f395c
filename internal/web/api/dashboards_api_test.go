package api_test

import (
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// dashboardContractCalls exercise the dashboards against the document
// (after the Call Logs calls have stored traffic).
func dashboardContractCalls(t *testing.T, c *contract) []apiCall {
	f := c.env.Fixture
	p := fmt.Sprintf
	west := c.env.ID("west.one")
	return []apiCall{
		{name: "site dashboard", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/dashboard?tz=Europe/London", f.Leeds.ID), want: 200},
		{name: "site dashboard group admin", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/dashboard", f.Leeds.ID), want: 200},
		{name: "site dashboard other site", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d/dashboard", f.London.ID), want: 404},
		{name: "site dashboard other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/sites/%d/dashboard", f.Leeds.ID), want: 404},
		{name: "site dashboard bad zone", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/dashboard?tz=Mars/Olympus", f.Leeds.ID), want: 422},
		{name: "site dashboard anonymous", method: "GET", path: p("/api/v1/sites/%d/dashboard", f.Leeds.ID), want: 401},
		{name: "employee dashboard self", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/dashboard?tz=America/New_York", west), want: 200},
		{name: "employee dashboard admin", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/dashboard", west), want: 200},
		{name: "employee dashboard group admin below a site", user: "sales.admin", method: "GET", path: p("/api/v1/employees/%d/dashboard", west), want: 200},
		{name: "employee dashboard colleague", user: "london.one", method: "GET", path: p("/api/v1/employees/%d/dashboard", west), want: 404},
		{name: "employee dashboard other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/employees/%d/dashboard", west), want: 404},
		{name: "employee dashboard bad zone", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/dashboard?tz=Nowhere", west), want: 422},
		{name: "employee dashboard anonymous", method: "GET", path: p("/api/v1/employees/%d/dashboard", west), want: 401},
	}
}

// TestDashboardsAPIIsolation: over HTTP, every outsider gets for Acme's
// site and employee dashboards the very bytes a missing id gets.
func TestDashboardsAPIIsolation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		for _, u := range append([]string{"sales.admin", "west.one"}, apptest.Outsiders...) {
			tok := env.Token(t, u)
			pairs := [][2]string{{fmt.Sprintf("/api/v1/sites/%d/dashboard", f.Leeds.ID), "/api/v1/sites/999999/dashboard"}}
			if u != "west.one" && u != "sales.admin" {
				pairs = append(pairs, [2]string{fmt.Sprintf("/api/v1/employees/%d/dashboard", env.ID("west.one")), "/api/v1/employees/999999/dashboard"})
			}
			for _, pr := range pairs {
				got, missing := env.Do(t, tok, "GET", pr[0], nil), env.Do(t, tok, "GET", pr[1], nil)
				if got.Status != 404 || missing.Status != 404 || string(got.Body) != string(missing.Body) {
					t.Errorf("%s GET %s: %d %s; a missing one: %d %s", u, pr[0], got.Status, got.Body, missing.Status, missing.Body)
				}
			}
		}
	})
}
