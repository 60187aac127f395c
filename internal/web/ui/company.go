package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

type customersPage struct {
	Q         string
	Companies []tenancy.Company
	Total     int
	// Provider shows each customer's audit log link.
	Provider bool
}

// customers is the operators' customer list, from which they open a
// company's portal view: tenancy.Companies, as the API lists them.
func (p *Pages) customers(w http.ResponseWriter, r *http.Request) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	cs, total, err := p.app.Tenancy.Companies(r.Context(), actorOf(r), tenancy.CompanyFilter{Q: q}, store.Page{PerPage: store.MaxPerPage})
	if err != nil {
		return err
	}
	v, err := p.newView(r, 0, "customers", "Customers")
	if err != nil {
		return err
	}
	providerSide(v, "customers")
	v.Data = customersPage{Q: q, Companies: cs, Total: total, Provider: v.Provider}
	p.render(w, r, http.StatusOK, "customers", v)
	return nil
}

type dashboardPage struct {
	Stats       tenancy.Stats
	AddEmployee bool
	ConfigReg   bool
	// ProviderNotes are the public notes the service provider keeps on the
	// logged-in account's customer contact ("displayed on the customer
	// portal when logged in"), one paragraph per line. Only these lines
	// reach the page: the contact's private notes are never handed to the
	// template.
	ProviderNotes []string
	// Activity is the Recent Activity panel: the last few provisioning
	// events (dashboardActivityRows); ActivityAll is the paged audit log.
	Activity    []activityRow
	ActivityAll string
	// New is a company nobody has been activated at yet: the page opens
	// with the getting-started steps (docs/ui.md, "The company dashboard").
	New bool
}

// dashboardActivityRows is how many entries Recent Activity shows; the
// rest are a click away in the paged audit log.
const dashboardActivityRows = 10

// dashboard is the Company dashboard with its quick-statistic tiles.
func (p *Pages) dashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := formCompanyID(r)
	if err != nil {
		return err
	}
	if id == 0 {
		// A caller without a company dashboard of their own (a group
		// administrator, an employee, an operator) starts elsewhere.
		if target, err := p.home(r); err != nil || target != "/dashboard" {
			if err == nil {
				http.Redirect(w, r, target, http.StatusSeeOther)
			}
			return err
		}
		id = actorOf(r).CompanyID
	}
	st, err := p.app.Tenancy.Dashboard(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	v, err := p.newView(r, id, "company", "Company dashboard")
	if err != nil {
		return err
	}
	v.Side = companySide(v, "dashboard")
	es, err := p.app.Audit.RecentActivityFor(r.Context(), actorOf(r), id, dashboardActivityRows)
	if err != nil {
		return err
	}
	activity, err := p.activityRows(r.Context(), es)
	if err != nil {
		return err
	}
	notes, err := p.providerNotes(r, id)
	if err != nil {
		return err
	}
	v.Data = dashboardPage{Stats: st, AddEmployee: v.Company.AddEmployee, ConfigReg: v.Company.ConfigAndReg, ProviderNotes: notes,
		Activity: activity, ActivityAll: "/companies/" + itoa64(id) + "/audit", New: st.ActiveEmployees == 0}
	p.render(w, r, http.StatusOK, "dashboard", v)
	return nil
}

// providerNotes returns the lines of the public notes of the caller's own
// customer contact when they are a company account of companyID. An operator
// looking at the customer's dashboard is nobody's contact there (they read
// every note in the control panel), and an administrator who is no contact
// has no notes.
func (p *Pages) providerNotes(r *http.Request, companyID int64) ([]string, error) {
	a := actorOf(r)
	if a.IsOperator() || a.CompanyID != companyID {
		return nil, nil
	}
	c, err := p.app.Tenancy.OwnContact(r.Context(), a)
	if derrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(c.PublicNotes, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

func companySide(v *view, current string) []sideSection {
	links := []navLink{{Label: "Dashboard", URL: v.Link("/dashboard"), Current: current == "dashboard"}}
	links = append(links, navLink{Label: "Search Tool", URL: v.Link("/search-tool"), Current: current == "search"},
		navLink{Label: "Call Logs", URL: "/call-logs?target=company:" + itoa64(v.Company.ID), Current: current == "calllogs"})
	if v.Operator || (v.User != nil && v.User.Role == access.RoleCompanyAdmin) {
		links = append(links, navLink{Label: "Audit Log", URL: "/companies/" + itoa64(v.Company.ID) + "/audit", Current: current == "audit"})
		links = append(links, navLink{Label: "Bulk Feature Management", URL: v.Link("/bulk-features"), Current: current == "bulk"})
	}
	if v.Operator {
		links = append(links, navLink{Label: "All customers", URL: "/customers"})
	}
	v.SideLabel = "Company"
	return []sideSection{{Title: v.Company.Name, Links: links}}
}

// serviceOffering is the Service Offering tab (offering.go).
func (p *Pages) serviceOffering(w http.ResponseWriter, r *http.Request) error {
	return p.offering(w, r)
}

type sitesPage struct {
	Q     string
	Sites []directory.Group
	Total int
}

// sites is Site Selection: the company's sites in the caller's scope,
// searchable by site name.
func (p *Pages) sites(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	id, err := p.companyFor(r)
	if errors.Is(err, errChooseCompany) {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	gs, total, err := p.app.Directory.ListGroups(r.Context(), a, id, directory.GroupFilter{Q: q, SitesOnly: true},
		store.Page{PerPage: store.MaxPerPage})
	if err != nil {
		return err
	}
	v, err := p.newView(r, id, "sites", "Site Selection")
	if err != nil {
		return err
	}
	v.SideLabel = "Sites"
	v.Side = []sideSection{{Title: "Sites", Links: []navLink{{Label: "Site Selection", URL: v.Link("/sites"), Current: true}}}}
	v.Data = sitesPage{Q: q, Sites: gs, Total: total}
	p.render(w, r, http.StatusOK, "sites", v)
	return nil
}
