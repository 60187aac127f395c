package ui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/dashboard"
)

// The site and employee dashboards (docs/ui.md, "Dashboards"). The
// pages render what the dashboard reads answer; the site's is in
// site_pages.go beside the site's other pages.

func init() { pageNames = append(pageNames, "employee_dashboard") }

func (p *Pages) registerDashboards(auth func(string, handlerFunc)) {
	auth("GET /employees/{id}/dashboard", p.employeeDashboard)
	auth("GET /my-dashboard", p.myDashboard)
}

// dashCalls is a dashboard's compact call logs: the month's graph and its
// totals, and the Call Logs link scoped to the object.
type dashCalls struct {
	calls.Summary
	Minutes string
	SVG     svgGraph
	// LogsURL opens the Call Logs of the object for the same month and zone;
	// MissedURL its missed calls.
	LogsURL, MissedURL string
}

// dashboardCalls draws a dashboard's call summary for the Call Logs
// object (object, id), linking each day of the graph to its hours.
func dashboardCalls(c calls.Summary, object string, id int64, tz string) dashCalls {
	g := c.Graph
	base := url.Values{"object": {object}, "id": {itoa64(id)}, "from": {g.Search.From}, "to": {g.Search.To}}
	logs := func(extra ...string) string { return callLogsURL(base, append([]string{"tz", tz}, extra...)...) }
	d := dashCalls{Summary: c, Minutes: minutesText(c.Seconds), LogsURL: logs(),
		MissedURL: logs("direction", "inbound", "status", "unanswered", "view", "list")}
	d.SVG = buildGraph(g, func(pt calls.Point) string {
		day := pt.Start.Format(time.DateOnly)
		return logs("interval", "hour", "from", day, "to", day)
	})
	return d
}

// recentList is one of the employee dashboard's call lists.
type recentList struct {
	ID, Title, Empty string
	// Party names the Number column (Caller or Destination).
	Party string
	Calls []calls.RecentCall
	// MoreURL opens the Call Logs list of that kind.
	MoreURL string
}

// quickLink is a feature the employee dashboard links to.
type quickLink struct {
	dashboard.QuickLink
	URL string
}

type employeeDashboardPage struct {
	Dash  dashboard.Employee
	Name  string
	Self  bool
	Lists []recentList
	Calls dashCalls
	// ShowFeatures: the actor may see the employee's features (Links).
	ShowFeatures bool
	Links        []quickLink
	FeaturesURL  string
}

// myDashboard is the self-care entry: the employee's own dashboard.
func (p *Pages) myDashboard(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/employees/"+itoa64(actorOf(r).AccountID)+"/dashboard", http.StatusSeeOther)
	return nil
}

// employeeDashboard is an employee's dashboard, for the employee and for
// whoever administers them; dashboard.Employee decides who may see it.
func (p *Pages) employeeDashboard(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tz := strings.TrimSpace(r.URL.Query().Get("tz"))
	dash, err := p.app.Dashboards.Employee(ctx, a, id, tz)
	if err != nil {
		return err
	}
	e, err := p.app.Directory.Employee(ctx, id)
	if err != nil {
		return err
	}
	base := "/employees/" + itoa64(id)
	d := employeeDashboardPage{Dash: dash, Name: e.DisplayName(), Self: id == a.AccountID,
		Calls: dashboardCalls(dash.Calls, "user", id, tz), FeaturesURL: base + "/features"}
	// The lists look back RecentWindow: so does the link.
	recent := url.Values{"object": {"user"}, "id": {itoa64(id)}, "view": {"list"},
		"from": {dash.Recent.Since.Format(time.DateOnly)}, "to": {time.Now().In(dash.Recent.Since.Location()).Format(time.DateOnly)}}
	logs := func(extra ...string) string { return callLogsURL(recent, append([]string{"tz", tz}, extra...)...) }
	d.Lists = []recentList{
		{ID: "missed", Title: "Missed Calls", Party: "Caller", Empty: "No missed calls in the last 31 days.", Calls: dash.Recent.Missed,
			MoreURL: logs("direction", "inbound", "status", "unanswered")},
		{ID: "dialled", Title: "Dialled Calls", Party: "Destination", Empty: "No calls made in the last 31 days.", Calls: dash.Recent.Dialled,
			MoreURL: logs("direction", "outbound")},
		{ID: "received", Title: "Received Calls", Party: "Caller", Empty: "No calls received in the last 31 days.", Calls: dash.Recent.Received,
			MoreURL: logs("direction", "inbound", "status", "answered")},
	}
	if dash.Features != nil {
		d.ShowFeatures = true
		for _, f := range dash.Features {
			d.Links = append(d.Links, quickLink{QuickLink: f, URL: base + "/features/" + f.Code})
		}
	}
	tab := "employees"
	if a.Role == access.RoleEmployee {
		tab = "account"
	}
	v, err := p.newView(r, dash.Employee.CompanyID, tab, d.Name+": Dashboard")
	if err != nil {
		return err
	}
	employeesSide(v, &e, "dashboard")
	v.Data = d
	p.render(w, r, http.StatusOK, "employee_dashboard", v)
	return nil
}
