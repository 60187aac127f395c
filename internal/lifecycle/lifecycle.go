// Package lifecycle takes an employee from an account to a working,
// numbered, licensed user and back, as the Business Portal describes:
// Activate (one or many, as a durable job), Service Settings (names and
// caller-ID names always; user type, language, number, extension, feature
// package, term, add-ons and primary device when the company has config &
// reg), Resubscribe (a job that re-applies the current service), Cease
// (deactivate) and the clean-up that Delete needs.
//
// Each step that touches the number pool, extensions, the service offering,
// devices and the account runs in ONE transaction through the owning
// packages (numbering, catalog, devices, directory), so nothing is ever half
// applied. Each action is one method taking the actor (docs/architecture.md,
// "The use-case layer"): it asks access, reads the company flags (flags.go),
// validates, writes in one transaction, audits and enqueues; the API and the
// UI only translate. docs/lifecycle.md states the rules.
package lifecycle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Job kinds this package registers.
const (
	KindActivate    = "activate_employees"
	KindResubscribe = "resubscribe_employees"
)

// UserType is the portal's "User Type" of an activated employee.
type UserType string

// User types (Business Portal, Activate step 11).
const (
	IPCentrex        UserType = "ip_centrex"
	BusinessTrunking UserType = "business_trunking"
	AdditionalLine   UserType = "additional_line"
)

// UserTypes lists the user types in the order the portal offers them.
var UserTypes = []UserType{IPCentrex, BusinessTrunking, AdditionalLine}

// Valid reports whether t is a known user type.
func (t UserType) Valid() bool {
	return t == IPCentrex || t == BusinessTrunking || t == AdditionalLine
}

// Label is the user type as the portal names it.
func (t UserType) Label() string {
	switch t {
	case IPCentrex:
		return "IP Centrex User"
	case BusinessTrunking:
		return "Business Trunking User"
	case AdditionalLine:
		return "Additional Line"
	}
	return string(t)
}

// Languages are the portal and voice-prompt languages an employee may have.
var Languages = []struct{ Code, Label string }{
	{"en-GB", "English (UK)"}, {"en-US", "English (US)"}, {"fr-FR", "Français"}, {"de-DE", "Deutsch"},
	{"es-ES", "Español"}, {"it-IT", "Italiano"}, {"nl-NL", "Nederlands"},
}

func validLanguage(code string) bool {
	for _, l := range Languages {
		if l.Code == code {
			return true
		}
	}
	return false
}

// Refusal reasons for the company flags, shown to the user as they are.
const (
	ReasonConfigAndReg = "the service provider has not enabled configuration changes (config & reg) for this company"
	ReasonActivation   = "the service provider has not enabled Add Employee and activation for this company"
)

// Service runs the employee lifecycle.
type Service struct {
	db        *store.DB
	access    *access.Service
	audit     *audit.Log
	logger    *slog.Logger
	directory *directory.Service
	numbering *numbering.Service
	catalog   *catalog.Service
	devices   *devices.Service
	jobs      *jobs.Service
}

// New returns a Service and registers its job handlers on js, so every
// worker started afterwards runs activations and resubscriptions.
func New(db *store.DB, log *audit.Log, logger *slog.Logger, dir *directory.Service, num *numbering.Service,
	cat *catalog.Service, dev *devices.Service, js *jobs.Service) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	s := &Service{db: db, access: access.New(db), audit: log, logger: logger, directory: dir, numbering: num, catalog: cat, devices: dev, jobs: js}
	js.Register(KindActivate, s.runActivate)
	js.Register(KindResubscribe, s.runResubscribe)
	return s
}

// Ref names a catalog entry in a service view.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// NumberView is a telephone number in both forms.
type NumberView struct {
	E164     string `json:"e164"`
	National string `json:"national"`
}

// EmployeeService is everything the Service Settings, Primary Number,
// Feature Package and Add-Ons sections show of an employee.
type EmployeeService struct {
	EmployeeID   int64           `json:"employee_id"`
	CompanyID    int64           `json:"company_id"`
	Username     string          `json:"username"`
	Status       string          `json:"status"`
	StatusReason string          `json:"status_reason"`
	FirstName    string          `json:"first_name"`
	LastName     string          `json:"last_name"`
	CLIFirstName string          `json:"cli_first_name"`
	CLILastName  string          `json:"cli_last_name"`
	UserType     *UserType       `json:"user_type"`
	Language     string          `json:"language"`
	Site         *Ref            `json:"site"`
	Number       *NumberView     `json:"number"`
	Extension    string          `json:"extension"`
	Package      *Ref            `json:"package"`
	Term         *Ref            `json:"term"`
	AddOns       []Ref           `json:"add_ons"`
	Device       *devices.Device `json:"device"`
	PortalAccess bool            `json:"portal_access"`
	ActivatedAt  *time.Time      `json:"activated_at"`
	CeasedAt     *time.Time      `json:"ceased_at"`
	// ConfigAndReg tells clients whether the config & reg parts may change.
	ConfigAndReg bool `json:"config_and_reg"`
}

// account is the lifecycle's view of an accounts row.
type account struct {
	ID, CompanyID, ProviderID                       int64
	Username, Status, Reason, First, Last           string
	CLIFirst, CLILast, UserType, Language, SiteName string
	SiteID                                          int64
	PortalAccess                                    bool
	ActivatedAt, CeasedAt                           int64
	ConfigAndReg, AddEmployee                       bool
	Region                                          string
}

func (a account) owner() numbering.Owner { return numbering.Owner{Kind: numbering.OwnerUser, ID: a.ID} }

const accountSelect = `SELECT a.id, a.company_id, a.provider_id, a.username, a.status, a.status_reason, a.first_name,
		a.last_name, a.cli_first_name, a.cli_last_name, a.user_type, a.language, a.site_id, g.name, a.portal_access, a.activated_at,
		a.ceased_at, c.config_and_reg, c.add_employee, p.default_region
		FROM accounts a JOIN companies c ON c.id = a.company_id JOIN providers p ON p.id = c.provider_id
		LEFT JOIN org_groups g ON g.id = a.site_id`

func scanAccount(row interface{ Scan(...any) error }) (account, error) {
	var a account
	var site sql.NullInt64
	var siteName sql.NullString
	err := row.Scan(&a.ID, &a.CompanyID, &a.ProviderID, &a.Username, &a.Status, &a.Reason, &a.First, &a.Last, &a.CLIFirst, &a.CLILast,
		&a.UserType, &a.Language, &site, &siteName, &a.PortalAccess, &a.ActivatedAt, &a.CeasedAt, &a.ConfigAndReg, &a.AddEmployee, &a.Region)
	a.SiteID, a.SiteName = site.Int64, siteName.String
	return a, err
}

// load reads employee id of companyID (ErrNotFound otherwise).
func (s *Service) load(ctx context.Context, companyID, id int64) (account, error) {
	a, err := scanAccount(s.db.Q(ctx).QueryRow(ctx, accountSelect+" WHERE a.id = ? AND a.company_id = ?", id, companyID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("employee %d: %w", id, derrors.ErrNotFound)
	}
	return a, err
}

// loadMany reads the employees of companyID among ids in one statement,
// keyed by id; an id missing from the map is no employee of the company.
func (s *Service) loadMany(ctx context.Context, companyID int64, ids []int64) (map[int64]account, error) {
	out := make(map[int64]account, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{companyID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.Q(ctx).Query(ctx, accountSelect+" WHERE a.company_id = ? AND a.id IN ("+store.Placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: employees of company %d: %w", companyID, err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out[a.ID] = a
	}
	return out, rows.Err()
}

// employeeFor is the access check of an action on one employee, then the
// employee: ErrNotFound when actor may not know it (or it does not exist),
// a ForbiddenError when actor sees it but may not do action.
func (s *Service) employeeFor(ctx context.Context, actor access.Actor, action access.Action, id int64) (account, error) {
	if err := s.access.Check(ctx, actor, action, access.Employee(id)); err != nil {
		return account{}, err
	}
	a, err := scanAccount(s.db.Q(ctx).QueryRow(ctx, accountSelect+" WHERE a.id = ?", id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("employee %d: %w", id, derrors.ErrNotFound)
	}
	return a, err
}

// ServiceOf is Service for actor: the employee's service, when actor may
// view the employee (ErrNotFound otherwise).
func (s *Service) ServiceOf(ctx context.Context, actor access.Actor, employeeID int64) (out EmployeeService, err error) {
	defer derrors.Wrap(&err, "lifecycle: service of employee %d", employeeID)
	a, err := s.employeeFor(ctx, actor, access.ViewEmployee, employeeID)
	if err != nil {
		return out, err
	}
	return s.Service(ctx, a.CompanyID, a.ID)
}

// Service returns the employee's service as the portal shows it.
func (s *Service) Service(ctx context.Context, companyID, employeeID int64) (out EmployeeService, err error) {
	defer derrors.Wrap(&err, "lifecycle: service of employee %d", employeeID)
	a, err := s.load(ctx, companyID, employeeID)
	if err != nil {
		return out, err
	}
	out = EmployeeService{EmployeeID: a.ID, CompanyID: a.CompanyID, Username: a.Username, Status: a.Status, StatusReason: a.Reason,
		FirstName: a.First, LastName: a.Last, CLIFirstName: a.CLIFirst, CLILastName: a.CLILast, Language: a.Language,
		PortalAccess: a.PortalAccess, ConfigAndReg: a.ConfigAndReg, AddOns: []Ref{}}
	if a.UserType != "" {
		t := UserType(a.UserType)
		out.UserType = &t
	}
	if a.SiteID != 0 {
		out.Site = &Ref{ID: a.SiteID, Name: a.SiteName}
	}
	if a.ActivatedAt != 0 {
		t := store.Time(a.ActivatedAt)
		out.ActivatedAt = &t
	}
	if a.CeasedAt != 0 {
		t := store.Time(a.CeasedAt)
		out.CeasedAt = &t
	}
	nums, err := s.numbering.OwnerNumbers(ctx, companyID, a.owner())
	if err != nil {
		return out, err
	}
	if len(nums) > 0 {
		out.Number = &NumberView{E164: nums[0].E164, National: nums[0].National}
	}
	exts, err := s.numbering.OwnerExtensions(ctx, companyID, a.owner())
	if err != nil {
		return out, err
	}
	if len(exts) > 0 {
		out.Extension = exts[0].Extension
	}
	o, err := s.catalog.ForEmployee(ctx, companyID, employeeID)
	if err != nil {
		return out, err
	}
	if o.Package != nil {
		out.Package = &Ref{ID: o.Package.ID, Name: o.Package.Name}
	}
	if o.Term != nil {
		out.Term = &Ref{ID: o.Term.ID, Name: o.Term.Name}
	}
	for _, x := range o.AddOns {
		out.AddOns = append(out.AddOns, Ref{ID: x.ID, Name: x.Name})
	}
	d, err := s.devices.PrimaryDevice(ctx, companyID, employeeID)
	switch {
	case err == nil:
		out.Device = &d
	case !derrors.IsNotFound(err):
		return out, err
	}
	return out, nil
}

// SiteLimit is a site's employee limit and how many employees hold (or are
// about to hold) a place there.
type SiteLimit struct {
	SiteID   int64  `json:"site_id"`
	SiteName string `json:"site_name"`
	// EmployeeLimit 0 means no limit.
	EmployeeLimit int `json:"employee_limit"`
	// Employees counts active and pending employees of the site: the
	// places the limit counts. Active counts the active ones of them.
	Employees int `json:"employees"`
	Active    int `json:"active"`
}

// SiteLimit returns siteID's limit and count.
func (s *Service) SiteLimit(ctx context.Context, companyID, siteID int64) (l SiteLimit, err error) {
	defer derrors.Wrap(&err, "lifecycle: employee limit of site %d", siteID)
	return s.siteLimit(ctx, companyID, siteID, 0, "")
}

// lockSite locks siteID's row until the transaction in ctx ends and returns
// its limit with the employees holding a place there (active or pending),
// except exclude. Every step that gives an employee a place at a site
// (Activate, the activation job) takes this lock before counting, so two of
// them never both see the last free place: on PostgreSQL the second waits
// for the first to commit and, under READ COMMITTED, its count then sees
// the first's rows. FOR NO KEY UPDATE leaves the foreign-key checks of rows
// that reference the site (accounts, devices, extensions) unblocked. SQLite
// needs no clause: store opens every write transaction with BEGIN IMMEDIATE
// on a single writer connection, so they already run one at a time.
func (s *Service) lockSite(ctx context.Context, companyID, siteID, exclude int64) (l SiteLimit, err error) {
	defer derrors.Wrap(&err, "lifecycle: lock site %d", siteID)
	if !store.InTx(ctx) {
		return l, errors.New("the site lock needs a transaction")
	}
	lock := ""
	if s.db.Dialect() == store.Postgres {
		lock = " FOR NO KEY UPDATE"
	}
	return s.siteLimit(ctx, companyID, siteID, exclude, lock)
}

// siteLimit reads siteID's limit (with lock appended to the query) and
// counts its employees but exclude.
func (s *Service) siteLimit(ctx context.Context, companyID, siteID, exclude int64, lock string) (l SiteLimit, err error) {
	var isSite bool
	err = s.db.Q(ctx).QueryRow(ctx, "SELECT id, name, is_site, employee_limit FROM org_groups WHERE id = ? AND company_id = ?"+lock,
		siteID, companyID).Scan(&l.SiteID, &l.SiteName, &isSite, &l.EmployeeLimit)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !isSite) {
		return l, derrors.ErrNotFound
	}
	if err != nil {
		return l, err
	}
	// The employees holding a place at the site (active and pending ones,
	// except exclude), and how many of them are active.
	err = s.db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*), COUNT(CASE WHEN status = 'active' THEN 1 END)
		FROM accounts WHERE site_id = ? AND status IN ('active', 'pending') AND id <> ?`, siteID, exclude).Scan(&l.Employees, &l.Active)
	return l, err
}

// MaxEmployeeLimit bounds a site's employee limit.
const MaxEmployeeLimit = 100000

// SetSiteLimit sets a site's employee limit (0: none). Lowering it below the
// current count is allowed: it only stops further activations.
func (s *Service) SetSiteLimit(ctx context.Context, companyID, siteID int64, limit int) (l SiteLimit, err error) {
	defer derrors.Wrap(&err, "lifecycle: set employee limit of site %d", siteID)
	if limit < 0 || limit > MaxEmployeeLimit {
		return l, derrors.Invalid("employee_limit", "the employee limit is 0 (no limit) to %d", MaxEmployeeLimit)
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.SiteLimit(ctx, companyID, siteID)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE org_groups SET employee_limit = ?, updated_at = ? WHERE id = ? AND company_id = ?",
			limit, store.Now(), siteID, companyID); err != nil {
			return err
		}
		if l, err = s.SiteLimit(ctx, companyID, siteID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Set Site Employee Limit", ObjectKind: "site", ObjectID: siteID, ObjectName: l.SiteName,
			CompanyID: companyID, SiteID: siteID, Before: before, After: l})
	})
	return l, err
}

// siteFor asks access whether actor may do action on siteID and returns
// the site's company; a group that is not a site is ErrNotFound.
func (s *Service) siteFor(ctx context.Context, actor access.Actor, action access.Action, siteID int64) (int64, error) {
	if err := s.access.Check(ctx, actor, access.ViewGroup, access.Group(siteID)); err != nil {
		return 0, err
	}
	var companyID int64
	var isSite bool
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT company_id, is_site FROM org_groups WHERE id = ?", siteID).Scan(&companyID, &isSite)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !isSite) {
		return 0, derrors.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	if action != access.ViewGroup {
		if err := s.access.Check(ctx, actor, action, access.Company(companyID)); err != nil {
			return 0, err
		}
	}
	return companyID, nil
}

// SiteLimitFor is SiteLimit for actor, who must see the site.
func (s *Service) SiteLimitFor(ctx context.Context, actor access.Actor, siteID int64) (l SiteLimit, err error) {
	defer derrors.Wrap(&err, "lifecycle: employee limit of site %d", siteID)
	companyID, err := s.siteFor(ctx, actor, access.ViewGroup, siteID)
	if err != nil {
		return l, err
	}
	return s.siteLimit(ctx, companyID, siteID, 0, "")
}

// ChangeSiteLimit is SetSiteLimit for actor, who needs ManageCompany on the
// site's company; limit nil is a field error (the limit is required).
func (s *Service) ChangeSiteLimit(ctx context.Context, actor access.Actor, siteID int64, limit *int) (l SiteLimit, err error) {
	defer derrors.Wrap(&err, "lifecycle: change employee limit of site %d", siteID)
	companyID, err := s.siteFor(ctx, actor, access.ManageCompany, siteID)
	if err != nil {
		return l, err
	}
	if limit == nil {
		return l, derrors.Invalid("employee_limit", "give the employee limit (0 for no limit)")
	}
	return s.SetSiteLimit(ctx, companyID, siteID, *limit)
}

// limitError is the refusal when asking places more employees would take
// a site past its limit: how many places are left, and what to do.
func limitError(l SiteLimit, asking int) error {
	left := max(l.EmployeeLimit-l.Employees, 0)
	if asking > 1 && left > 0 {
		return derrors.Invalid("site_id", "site %q has %d of its %d places left (%d active or pending) and %d employees were chosen: activate at most %d, ask your service provider to raise the limit, or cease someone first",
			l.SiteName, left, l.EmployeeLimit, l.Employees, asking, left)
	}
	return derrors.Invalid("site_id", "site %q has reached its employee limit of %d (%d active or pending): ask your service provider to raise it, or cease someone first",
		l.SiteName, l.EmployeeLimit, l.Employees)
}

func trimmed(s string) string { return strings.TrimSpace(s) }
