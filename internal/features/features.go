// Package features owns the telephony features of sites and employees
// (docs/features.md): which of the features their package and add-ons grant
// are available (Feature Assignment) and whether group administrators may
// change each one ("Allow Admin Privileges"); and each feature's settings,
// kept as one versioned configuration document per site and per employee
// that a call engine reads whole (service data).
//
// The catalog (internal/catalog) says which features exist and who was sold
// what; access (CheckFeature) says who may change which feature; numbering
// holds the numbers and extensions of the site's hunt groups and auto
// attendants.
package features

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// AudioLibrary answers whether a stored audio item exists in a company, for
// the settings that refer to one (greetings), and whether an actor may
// read it. The audio package provides it; until it is wired (Service.Audio
// nil) no setting may refer to audio.
type AudioLibrary interface {
	AudioExists(ctx context.Context, companyID, audioID int64) (bool, error)
	Readable(ctx context.Context, actor access.Actor, audioID int64) (bool, error)
}

// Service assigns and configures features.
type Service struct {
	db        *store.DB
	audit     *audit.Log
	access    *access.Service
	numbering *numbering.Service
	catalog   *catalog.Service
	// Audio checks audio references; nil refuses every reference.
	Audio AudioLibrary
	// Appearances lists an employee's shared call appearances for the
	// service data (state.go); nil: none are listed.
	Appearances func(ctx context.Context, companyID, employeeID int64) ([]SharedAppearanceData, error)
	// bulk is what Bulk Feature Management's job needs (UseJobs).
	bulk BulkDeps
}

// New returns a Service.
func New(db *store.DB, log *audit.Log, num *numbering.Service, cat *catalog.Service) *Service {
	return &Service{db: db, audit: log, access: access.New(db), numbering: num, catalog: cat}
}

// OwnerKind says what has features: a site or an employee.
type OwnerKind string

const (
	OwnerSite     OwnerKind = "site"
	OwnerEmployee OwnerKind = "employee"
)

// Owner is the site or the employee whose features an action is about.
type Owner struct {
	Kind OwnerKind `json:"kind"`
	ID   int64     `json:"id"`
}

// Site and Employee name owners.
func Site(id int64) Owner     { return Owner{OwnerSite, id} }
func Employee(id int64) Owner { return Owner{OwnerEmployee, id} }

func (o Owner) target() access.Target {
	if o.Kind == OwnerSite {
		return access.Group(o.ID)
	}
	return access.Employee(o.ID)
}

// column is the owner's column in feature_assignments and feature_configs.
func (o Owner) column() string {
	if o.Kind == OwnerSite {
		return "site_id"
	}
	return "account_id"
}

// owner is what an action needs to know about its owner.
type owner struct {
	Owner
	companyID  int64
	providerID int64
	region     string
	name       string
	// siteID is the site itself, or the employee's site (0 when the
	// employee has no site yet).
	siteID int64
}

// load reads o. An owner that does not exist (or a group that is no site)
// is ErrNotFound; callers have asked access first, so it is never another
// company's object that answers differently.
func (s *Service) load(ctx context.Context, o Owner) (owner, error) {
	w := owner{Owner: o}
	q := s.db.Q(ctx)
	var err error
	switch o.Kind {
	case OwnerSite:
		var isSite bool
		err = q.QueryRow(ctx, `SELECT g.company_id, c.provider_id, p.default_region, g.name, g.is_site FROM org_groups g
			JOIN companies c ON c.id = g.company_id JOIN providers p ON p.id = c.provider_id WHERE g.id = ?`, o.ID).
			Scan(&w.companyID, &w.providerID, &w.region, &w.name, &isSite)
		if err == nil && !isSite {
			err = sql.ErrNoRows
		}
		w.siteID = o.ID
	case OwnerEmployee:
		var site sql.NullInt64
		err = q.QueryRow(ctx, `SELECT a.company_id, c.provider_id, p.default_region, a.username, a.site_id FROM accounts a
			JOIN companies c ON c.id = a.company_id JOIN providers p ON p.id = c.provider_id WHERE a.id = ? AND a.company_id IS NOT NULL`, o.ID).
			Scan(&w.companyID, &w.providerID, &w.region, &w.name, &site)
		if err == nil {
			w.siteID = site.Int64
			if w.siteID == 0 {
				w.siteID, err = s.siteOfGroups(ctx, o.ID)
			}
		}
	default:
		return w, derrors.ErrNotFound
	}
	if errors.Is(err, sql.ErrNoRows) {
		return w, fmt.Errorf("%s %d: %w", o.Kind, o.ID, derrors.ErrNotFound)
	}
	return w, err
}

// siteOfGroups is the site of an employee not activated yet: the site of
// the first group they are a member of (0 when none).
func (s *Service) siteOfGroups(ctx context.Context, accountID int64) (int64, error) {
	var path string
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT g.path FROM group_members m JOIN org_groups g ON g.id = m.group_id
		WHERE m.account_id = ? ORDER BY g.path LIMIT 1`, accountID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	var id int64
	if _, err := fmt.Sscanf(path, "/%d/", &id); err != nil {
		return 0, fmt.Errorf("group path %q: %w", path, err)
	}
	return id, nil
}

// Feature is one line of a Features or Feature Assignment tab.
type Feature struct {
	// FeatureID is the catalog feature; 0 for a site facility every site
	// has (Time Schedules, Holiday Schedules), which is not assigned.
	FeatureID   int64  `json:"feature_id"`
	Code        string `json:"code"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
	// Available is the owner's own choice; AvailableAtSite the choice of the
	// employee's site (for a site, the same as Available). Active is both.
	Available        bool `json:"available"`
	AvailableAtSite  bool `json:"available_at_site"`
	Active           bool `json:"active"`
	AllowGroupAdmins bool `json:"allow_group_admins"`
	// Configurable says the feature has settings (Configure); Configured that
	// some were saved.
	Configurable bool `json:"configurable"`
	Configured   bool `json:"configured"`
	// What the actor who listed the features may do with this one (for
	// what a page shows; each change asks access again).
	Can Permissions `json:"can"`
}

// Permissions say what an actor may do with one feature line.
type Permissions struct {
	Assign     bool `json:"assign"`
	Configure  bool `json:"configure"`
	Privileges bool `json:"privileges"`
}

// choice is a feature_assignments row (or its defaults).
type choice struct{ available, allow bool }

func (s *Service) choices(ctx context.Context, o Owner) (map[int64]choice, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT feature_id, available, allow_group_admins FROM feature_assignments WHERE "+o.column()+" = ?", o.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]choice{}
	for rows.Next() {
		var id int64
		var c choice
		if err := rows.Scan(&id, &c.available, &c.allow); err != nil {
			return nil, err
		}
		out[id] = c
	}
	return out, rows.Err()
}

func choiceOf(m map[int64]choice, id int64) choice {
	if c, ok := m[id]; ok {
		return c
	}
	return choice{available: true, allow: true}
}

// granted lists the catalog features the owner's package and add-ons grant.
// A site is granted its site package and add-ons and every employee feature
// offered under it (all the provider's employee packages and add-ons), so
// that a site can make an employee feature unavailable to all its
// employees; an employee is granted their package and add-ons.
func (s *Service) granted(ctx context.Context, w owner) ([]catalog.Feature, error) {
	var pkgs []catalog.Package
	switch w.Kind {
	case OwnerSite:
		o, err := s.catalog.ForSite(ctx, w.companyID, w.ID)
		if err != nil {
			return nil, err
		}
		if o.Package != nil {
			pkgs = append(pkgs, *o.Package)
		}
		pkgs = append(pkgs, o.AddOns...)
		pkgs = append(pkgs, o.EmployeePackages...)
		pkgs = append(pkgs, o.EmployeeAddOns...)
	case OwnerEmployee:
		o, err := s.catalog.ForEmployee(ctx, w.companyID, w.ID)
		if err != nil {
			return nil, err
		}
		if o.Package != nil {
			pkgs = append(pkgs, *o.Package)
		}
		pkgs = append(pkgs, o.AddOns...)
	}
	seen := map[int64]bool{}
	var out []catalog.Feature
	for _, p := range pkgs {
		for _, f := range p.Features {
			if !seen[f.ID] {
				seen[f.ID] = true
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// list computes the owner's features.
func (s *Service) list(ctx context.Context, w owner) ([]Feature, error) {
	fs, err := s.granted(ctx, w)
	if err != nil {
		return nil, err
	}
	own, err := s.choices(ctx, w.Owner)
	if err != nil {
		return nil, err
	}
	site := own
	if w.Kind == OwnerEmployee {
		site = map[int64]choice{}
		if w.siteID != 0 {
			if site, err = s.choices(ctx, Site(w.siteID)); err != nil {
				return nil, err
			}
		}
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return nil, err
	}
	var out []Feature
	for _, f := range fs {
		c, sc := choiceOf(own, f.ID), choiceOf(site, f.ID)
		line := Feature{FeatureID: f.ID, Code: f.Code, Name: f.Name, Category: f.Category, Description: f.Description,
			Available: c.available, AvailableAtSite: sc.available, Active: c.available && sc.available, AllowGroupAdmins: c.allow}
		for _, d := range definitions {
			if d.Code == f.Code {
				line.Category = d.Category // the portal's categories, whoever shows the feature
			}
		}
		if _, ok := definitionFor(f.Code, w.Kind); ok {
			line.Configurable = true
			_, line.Configured = doc.Settings[f.Code]
		}
		out = append(out, line)
	}
	if w.Kind == OwnerSite {
		for _, d := range definitions {
			if d.Facility {
				_, configured := doc.Settings[d.Code]
				out = append(out, Feature{Code: d.Code, Name: d.Name, Category: d.Category, Description: d.Help,
					Available: true, AvailableAtSite: true, Active: true, AllowGroupAdmins: true, Configurable: true, Configured: configured})
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Category != out[j].Category {
			return out[i].Category < out[j].Category
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

// Features is the Features / Feature Assignment tab of a site or an
// employee, filtered by category when category is not "".
func (s *Service) Features(ctx context.Context, actor access.Actor, o Owner, category string) (out []Feature, err error) {
	defer derrors.Wrap(&err, "features: list of %s %d", o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ViewFeatures, o.target()); err != nil {
		return nil, err
	}
	w, err := s.load(ctx, o)
	if err != nil {
		return nil, err
	}
	all, err := s.list(ctx, w)
	if err != nil {
		return nil, err
	}
	t := o.target()
	assign := s.access.Check(ctx, actor, access.AssignFeatures, t) == nil
	configure := s.access.Check(ctx, actor, access.ConfigureFeatures, t) == nil
	privileges := s.access.Check(ctx, actor, access.ManageFeaturePrivileges, t) == nil
	for _, f := range all {
		if category != "" && f.Category != category {
			continue
		}
		f.Can = Permissions{
			Assign:     f.FeatureID != 0 && assign && access.FeaturePrivilege(actor, access.AssignFeatures, t, f.AllowGroupAdmins) == nil,
			Configure:  f.Configurable && configure && access.FeaturePrivilege(actor, access.ConfigureFeatures, t, f.AllowGroupAdmins) == nil,
			Privileges: f.FeatureID != 0 && privileges,
		}
		out = append(out, f)
	}
	return out, nil
}

// feature finds one of the owner's features by catalog id (a path
// parameter: an id the owner is not granted answers ErrNotFound).
func (s *Service) feature(ctx context.Context, w owner, featureID int64) (Feature, error) {
	all, err := s.list(ctx, w)
	if err != nil {
		return Feature{}, err
	}
	for _, f := range all {
		if f.FeatureID == featureID && featureID != 0 {
			return f, nil
		}
	}
	return Feature{}, fmt.Errorf("feature %d: %w", featureID, derrors.ErrNotFound)
}

// featureByCode finds one of the owner's configurable features by code.
func (s *Service) featureByCode(ctx context.Context, w owner, code string) (Feature, error) {
	all, err := s.cachedList(ctx, w)
	if err != nil {
		return Feature{}, err
	}
	for _, f := range all {
		if f.Code == code && f.Configurable {
			return f, nil
		}
	}
	return Feature{}, fmt.Errorf("feature %q: %w", code, derrors.ErrNotFound)
}

// SetAvailable makes one of the owner's features available or unavailable
// (Feature Assignment). An unavailable feature keeps its settings, inactive;
// a site's choice applies to all its employees. available nil (a request
// that did not say) is a field error, after the access check.
func (s *Service) SetAvailable(ctx context.Context, actor access.Actor, o Owner, featureID int64, available *bool) (f Feature, err error) {
	defer derrors.Wrap(&err, "features: set available %s %d feature %d", o.Kind, o.ID, featureID)
	return s.setChoice(ctx, actor, o, featureID, access.AssignFeatures, available, "available",
		"say true or false: is the feature available here", func(c *choice, v bool) { c.available = v })
}

// SetAdminPrivileges ticks or clears a feature's "Allow Admin Privileges":
// whether group administrators may assign and configure it on this site or
// employee.
func (s *Service) SetAdminPrivileges(ctx context.Context, actor access.Actor, o Owner, featureID int64, allow *bool) (f Feature, err error) {
	defer derrors.Wrap(&err, "features: set admin privileges %s %d feature %d", o.Kind, o.ID, featureID)
	return s.setChoice(ctx, actor, o, featureID, access.ManageFeaturePrivileges, allow, "allow_group_admins",
		"say true or false: may group administrators change this feature here", func(c *choice, v bool) { c.allow = v })
}

func (s *Service) setChoice(ctx context.Context, actor access.Actor, o Owner, featureID int64, action access.Action,
	value *bool, field, missing string, change func(*choice, bool)) (f Feature, err error) {
	if err := s.access.Check(ctx, actor, action, o.target()); err != nil {
		return f, err
	}
	if value == nil {
		return f, derrors.Invalid(field, "%s", missing)
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		w, err := s.load(ctx, o)
		if err != nil {
			return err
		}
		before, err := s.feature(ctx, w, featureID)
		if err != nil {
			return err
		}
		if err := s.access.CheckFeature(ctx, actor, action, o.target(), featureID); err != nil {
			return err
		}
		c := choice{available: before.Available, allow: before.AllowGroupAdmins}
		change(&c, *value)
		if c.available == before.Available && c.allow == before.AllowGroupAdmins {
			f = before
			return nil
		}
		if err := s.lockDocument(ctx, w); err != nil {
			return err
		}
		q := s.db.Q(ctx)
		res, err := q.Exec(ctx, "UPDATE feature_assignments SET available = ?, allow_group_admins = ?, updated_at = ? WHERE "+o.column()+" = ? AND feature_id = ?",
			c.available, c.allow, store.Now(), o.ID, featureID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := q.Exec(ctx, "INSERT INTO feature_assignments (company_id, "+o.column()+", feature_id, available, allow_group_admins, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
				w.companyID, o.ID, featureID, c.available, c.allow, store.Now()); err != nil {
				return err
			}
		}
		if _, err := s.bump(ctx, w); err != nil {
			return err
		}
		if f, err = s.feature(ctx, w, featureID); err != nil {
			return err
		}
		event := "Change Feature Assignment"
		if action == access.ManageFeaturePrivileges {
			event = "Change Feature Admin Privileges"
		}
		return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: string(o.Kind), ObjectID: o.ID, ObjectName: w.name,
			CompanyID: w.companyID, SiteID: w.siteID,
			Before: assignmentAudit{Feature: before.Name, Available: before.Available, AllowGroupAdmins: before.AllowGroupAdmins},
			After:  assignmentAudit{Feature: f.Name, Available: f.Available, AllowGroupAdmins: f.AllowGroupAdmins}})
	})
	return f, err
}

// assignmentAudit is what the audit log keeps of a feature assignment.
type assignmentAudit struct {
	Feature          string `json:"feature"`
	Available        bool   `json:"available"`
	AllowGroupAdmins bool   `json:"allow_group_admins"`
}

// Colleague is an employee a Busy Lamp Field may monitor.
type Colleague struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// maxColleagues bounds the list a BLF page offers; a company larger than
// this needs a search, not a list.
const maxColleagues = 2000

// BLFColleagues lists the employees an employee's Busy Lamp Field may
// monitor: the others of the same company, by name. Whoever may configure
// the employee's features may read it — the employee themselves too, since
// choosing whose lines their phone shows is self-care (the phone shows
// those names anyway).
func (s *Service) BLFColleagues(ctx context.Context, actor access.Actor, o Owner) (out []Colleague, err error) {
	defer derrors.Wrap(&err, "features: colleagues of %s %d", o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ConfigureFeatures, o.target()); err != nil {
		return nil, err
	}
	if o.Kind != OwnerEmployee {
		return nil, derrors.ErrNotFound
	}
	w, err := s.load(ctx, o)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT id, first_name, last_name, username FROM accounts
		WHERE company_id = ? AND id <> ? ORDER BY last_name, first_name, username LIMIT ?`, w.companyID, o.ID, maxColleagues)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Colleague
		var first, last, username string
		if err := rows.Scan(&c.ID, &first, &last, &username); err != nil {
			return nil, err
		}
		c.Name = strings.TrimSpace(last + ", " + first)
		if first == "" || last == "" {
			c.Name = strings.TrimSpace(first + last)
		}
		if c.Name == "" {
			c.Name = username
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MonitoredEmployees is the employee's Busy Lamp Field list — the
// colleagues their phone's BLF keys show, in key order — for the devices
// package, which fills the spare keys with it (docs/devices.md, "The
// Visual Device Manager"). A system read without an actor: the
// provisioning server asks on the phone's behalf. Empty when the feature
// is not active for the employee.
func (s *Service) MonitoredEmployees(ctx context.Context, accountID int64) ([]int64, error) {
	w, err := s.load(ctx, Employee(accountID))
	if err != nil {
		return nil, fmt.Errorf("features: BLF list of %d: %w", accountID, err)
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return nil, fmt.Errorf("features: BLF list of %d: %w", accountID, err)
	}
	v, active, err := s.activeSettings(ctx, w, doc, CodeBusyLampField)
	if err != nil {
		return nil, fmt.Errorf("features: BLF list of %d: %w", accountID, err)
	}
	if !active {
		return nil, nil // not granted, or not active
	}
	return v.(*BusyLampField).Monitored, nil
}
