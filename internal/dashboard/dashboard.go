// Package dashboard reads the Business Portal's site and employee
// dashboards (docs/ui.md, "Dashboards"): each is one read taking the
// actor, made of the reads of the domains that own each figure — the
// employee limit (lifecycle), features, call groups and recording
// (features), call logs and recent calls (calls) — each of which asks
// access itself. It changes nothing.
package dashboard

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service reads dashboards.
type Service struct {
	db        *store.DB
	access    *access.Service
	calls     *calls.Service
	features  *features.Service
	lifecycle *lifecycle.Service
}

// New returns a Service reading through the given domain services.
func New(db *store.DB, c *calls.Service, f *features.Service, l *lifecycle.Service) *Service {
	return &Service{db: db, access: access.New(db), calls: c, features: f, lifecycle: l}
}

// SiteRef names a site.
type SiteRef struct {
	ID        int64  `json:"id"`
	CompanyID int64  `json:"company_id"`
	Name      string `json:"name"`
}

// Site is a site's dashboard.
type Site struct {
	Site SiteRef `json:"site"`
	// ActiveEmployees are the site's activated employees.
	ActiveEmployees int `json:"active_employees"`
	// EmployeeLimit is the limit sold (0: none); PlacesTaken counts the
	// active and pending employees it applies to, PlacesLeft what is left
	// (absent without a limit).
	EmployeeLimit int  `json:"employee_limit"`
	PlacesTaken   int  `json:"places_taken"`
	PlacesLeft    *int `json:"places_left,omitempty"`
	// Features is nil for an actor who sees the site but not its
	// features.
	Features *features.SiteSummary `json:"features"`
	Calls    calls.Summary         `json:"calls"`
}

// Site is site id's dashboard in the viewer's zone tz, for whoever may
// view the site: the provider's operators, the company's reseller admins
// and company admins, and the group admins of the site itself. Anyone
// else — a group admin of another site or of a group below it, an
// employee, another tenant — is answered as for a site that does not
// exist.
func (s *Service) Site(ctx context.Context, actor access.Actor, id int64, tz string) (d Site, err error) {
	defer derrors.Wrap(&err, "dashboard: site %d", id)
	companyID, err := s.access.CheckSite(ctx, actor, access.ViewGroup, id)
	if err != nil {
		return d, err
	}
	if _, err := calls.Zone(tz); err != nil {
		return d, err
	}
	l, err := s.lifecycle.SiteLimit(ctx, companyID, id)
	if err != nil {
		return d, err
	}
	d.Site = SiteRef{ID: id, CompanyID: companyID, Name: l.SiteName}
	d.EmployeeLimit, d.PlacesTaken, d.ActiveEmployees = l.EmployeeLimit, l.Employees, l.Active
	if l.EmployeeLimit > 0 {
		left := max(l.EmployeeLimit-l.Employees, 0)
		d.PlacesLeft = &left
	}
	sum, err := s.features.SiteSummary(ctx, actor, id)
	switch {
	case err == nil:
		d.Features = &sum
	case !errors.Is(err, derrors.ErrForbidden):
		return d, err
	}
	d.Calls, err = s.calls.CallLogSummary(ctx, actor, calls.Search{Object: calls.ObjectSite, ID: id, TimeZone: tz})
	return d, err
}

// EmployeeRef names an employee.
type EmployeeRef struct {
	ID        int64  `json:"id"`
	CompanyID int64  `json:"company_id"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// SiteID and SiteName are the site of their service (0 and "" before
	// activation).
	SiteID   int64  `json:"site_id"`
	SiteName string `json:"site_name"`
}

// QuickLink is one of an employee's features with settings.
type QuickLink struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Category string `json:"category"`
	// Configured: settings were saved (else the defaults apply).
	Configured bool `json:"configured"`
	// CanConfigure: the actor may change them (Configure asks again).
	CanConfigure bool `json:"can_configure"`
}

// MaxQuickLinks bounds the features an employee dashboard links to.
const MaxQuickLinks = 6

// Employee is an employee's dashboard. The Business Portal's voicemail
// notifications and recorded calls come from a call engine's mailboxes
// and recordings, which Switchboard does not hold: the dashboard has no
// such fields rather than empty ones that would look like "none".
type Employee struct {
	Employee EmployeeRef   `json:"employee"`
	Recent   calls.Recent  `json:"recent"`
	Calls    calls.Summary `json:"calls"`
	// Features are up to MaxQuickLinks of their active features with
	// settings, the configured ones first; nil for an actor who sees the
	// employee but not their features (a group admin of a group below a
	// site, docs/features.md).
	Features []QuickLink `json:"features"`
}

// Employee is employee id's dashboard in the viewer's zone tz, for
// whoever may view the employee: the employee, their company's
// administrators, the group admins of a group they are in and the
// provider's operators and the company's reseller admins; anyone else is
// answered as for an employee that does not exist.
func (s *Service) Employee(ctx context.Context, actor access.Actor, id int64, tz string) (d Employee, err error) {
	defer derrors.Wrap(&err, "dashboard: employee %d", id)
	if err := s.access.Check(ctx, actor, access.ViewEmployee, access.Employee(id)); err != nil {
		return d, err
	}
	var site sql.NullInt64
	var siteName sql.NullString
	err = s.db.Q(ctx).QueryRow(ctx, `SELECT a.id, a.company_id, a.username, a.first_name, a.last_name, a.site_id, g.name
		FROM accounts a LEFT JOIN org_groups g ON g.id = a.site_id WHERE a.id = ? AND a.company_id IS NOT NULL`, id).
		Scan(&d.Employee.ID, &d.Employee.CompanyID, &d.Employee.Username, &d.Employee.FirstName, &d.Employee.LastName, &site, &siteName)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("employee %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return d, err
	}
	d.Employee.SiteID, d.Employee.SiteName = site.Int64, siteName.String
	if d.Recent, err = s.calls.RecentCalls(ctx, actor, id, tz); err != nil {
		return d, err
	}
	if d.Calls, err = s.calls.CallLogSummary(ctx, actor, calls.Search{Object: calls.ObjectUser, ID: id, TimeZone: tz}); err != nil {
		return d, err
	}
	fs, err := s.features.Features(ctx, actor, features.Employee(id), "")
	switch {
	case errors.Is(err, derrors.ErrForbidden):
		return d, nil
	case err != nil:
		return d, err
	}
	d.Features = quickLinks(fs)
	return d, nil
}

// quickLinks are the active features with settings, configured first
// (what the employee has set up is what they come back to), then in the
// Features tab's order, at most MaxQuickLinks.
func quickLinks(fs []features.Feature) []QuickLink {
	out := []QuickLink{}
	for _, f := range fs {
		if f.Active && f.Configurable {
			out = append(out, QuickLink{Code: f.Code, Name: f.Name, Category: f.Category, Configured: f.Configured, CanConfigure: f.Can.Configure})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Configured && !out[j].Configured })
	if len(out) > MaxQuickLinks {
		out = out[:MaxQuickLinks]
	}
	return out
}
