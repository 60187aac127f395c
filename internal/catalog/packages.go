package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Kind says whether a package or add-on is for sites or for employees.
type Kind string

const (
	KindSite     Kind = "site"
	KindEmployee Kind = "employee"
)

func (k Kind) valid() bool { return k == KindSite || k == KindEmployee }

// Type says whether a package is a feature package (one per site or
// employee) or an add-on (any number, on top of the package).
type Type string

const (
	TypePackage Type = "package"
	TypeAddOn   Type = "add_on"
)

func (t Type) valid() bool { return t == TypePackage || t == TypeAddOn }

// Label is the type as the portal names it.
func (t Type) Label() string {
	if t == TypeAddOn {
		return "add-on"
	}
	return "feature package"
}

// Package is a feature package or an add-on: a named set of features.
type Package struct {
	ID          int64     `json:"id"`
	ProviderID  int64     `json:"provider_id"`
	Type        Type      `json:"type"`
	Kind        Kind      `json:"kind"`
	Name        string    `json:"name"`
	Description string    `json:"description"`
	Features    []Feature `json:"features"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// PackageRequest creates a package or add-on. Type and Kind are fixed once
// created: a package assigned to sites cannot turn into an employee one.
type PackageRequest struct {
	Type        Type    `json:"type"`
	Kind        Kind    `json:"kind"`
	Name        string  `json:"name"`
	Description string  `json:"description"`
	FeatureIDs  []int64 `json:"feature_ids"`
}

// PackageUpdateRequest replaces a package's name, description and features.
type PackageUpdateRequest struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	FeatureIDs  []int64 `json:"feature_ids"`
}

// Validate checks the request and trims it.
func (r *PackageRequest) Validate() error {
	v := &derrors.ValidationError{}
	if !r.Type.valid() {
		v.Add("type", "the type must be package or add_on")
	}
	if !r.Kind.valid() {
		v.Add("kind", "the kind must be site or employee")
	}
	r.Name = checkText(v, "name", r.Name, 64, true)
	r.Description = checkText(v, "description", r.Description, 500, false)
	checkFeatureIDs(v, r.FeatureIDs)
	return v.Err()
}

// Validate checks the request and trims it.
func (r *PackageUpdateRequest) Validate() error {
	v := &derrors.ValidationError{}
	r.Name = checkText(v, "name", r.Name, 64, true)
	r.Description = checkText(v, "description", r.Description, 500, false)
	checkFeatureIDs(v, r.FeatureIDs)
	return v.Err()
}

func checkFeatureIDs(v *derrors.ValidationError, ids []int64) {
	if len(ids) == 0 {
		v.Add("feature_ids", "choose at least one feature")
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if seen[id] {
			v.Add("feature_ids", "feature %d is listed twice", id)
			return
		}
		seen[id] = true
	}
}

// checkFeaturesExist makes sure every id is a feature of the provider.
func (s *Service) checkFeaturesExist(ctx context.Context, providerID int64, ids []int64) error {
	for _, id := range ids {
		var n int
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM catalog_features WHERE id = ? AND provider_id = ?", id, providerID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return derrors.Invalid("feature_ids", "feature %d does not exist", id)
		}
	}
	return nil
}

func (s *Service) checkPackageName(ctx context.Context, providerID, id int64, t Type, k Kind, name string) error {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM catalog_packages WHERE provider_id = ? AND pkg_type = ? AND kind = ?
		AND lower(name) = lower(?) AND id <> ?`, providerID, string(t), string(k), name, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return derrors.Conflict("name", "a %s %s named %q already exists", k, t.Label(), name)
	}
	return nil
}

func (s *Service) setPackageFeatures(ctx context.Context, id int64, featureIDs []int64) error {
	q := s.db.Q(ctx)
	if _, err := q.Exec(ctx, "DELETE FROM catalog_package_features WHERE package_id = ?", id); err != nil {
		return err
	}
	for _, f := range featureIDs {
		if _, err := q.Exec(ctx, "INSERT INTO catalog_package_features (package_id, feature_id) VALUES (?, ?)", id, f); err != nil {
			return err
		}
	}
	return nil
}

func objectKind(t Type) string {
	if t == TypeAddOn {
		return "add_on"
	}
	return "feature_package"
}

func eventName(verb string, t Type) string {
	if t == TypeAddOn {
		return verb + " Add-On"
	}
	return verb + " Feature Package"
}

// CreatePackage adds a feature package or add-on to the provider's catalog.
func (s *Service) CreatePackage(ctx context.Context, providerID int64, r PackageRequest) (p Package, err error) {
	defer derrors.Wrap(&err, "catalog: create package %q", r.Name)
	if err := r.Validate(); err != nil {
		return Package{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.checkProvider(ctx, providerID); err != nil {
			return err
		}
		if err := s.checkFeaturesExist(ctx, providerID, r.FeatureIDs); err != nil {
			return err
		}
		if err := s.checkPackageName(ctx, providerID, 0, r.Type, r.Kind, r.Name); err != nil {
			return err
		}
		now := store.Now()
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO catalog_packages (provider_id, pkg_type, kind, name, description, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, providerID, string(r.Type), string(r.Kind), r.Name, r.Description, now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "a %s %s named %q already exists", r.Kind, r.Type.Label(), r.Name)
		}
		if err != nil {
			return err
		}
		if err := s.setPackageFeatures(ctx, id, r.FeatureIDs); err != nil {
			return err
		}
		if p, err = s.Package(ctx, providerID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: eventName("Create", p.Type), ObjectKind: objectKind(p.Type), ObjectID: id,
			ObjectName: p.Name, After: p})
	})
	return p, err
}

// UpdatePackage replaces a package's name, description and features. Sites
// and employees holding it get the new feature set.
func (s *Service) UpdatePackage(ctx context.Context, providerID, id int64, r PackageUpdateRequest) (p Package, err error) {
	defer derrors.Wrap(&err, "catalog: update package %d", id)
	if err := r.Validate(); err != nil {
		return Package{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Package(ctx, providerID, id)
		if err != nil {
			return err
		}
		if err := s.checkFeaturesExist(ctx, providerID, r.FeatureIDs); err != nil {
			return err
		}
		if err := s.checkPackageName(ctx, providerID, id, before.Type, before.Kind, r.Name); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE catalog_packages SET name = ?, description = ?, updated_at = ? WHERE id = ? AND provider_id = ?",
			r.Name, r.Description, store.Now(), id, providerID); err != nil {
			return err
		}
		if err := s.setPackageFeatures(ctx, id, r.FeatureIDs); err != nil {
			return err
		}
		if p, err = s.Package(ctx, providerID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: eventName("Modify", p.Type), ObjectKind: objectKind(p.Type), ObjectID: id,
			ObjectName: p.Name, Before: before, After: p})
	})
	return p, err
}

// DeletePackage removes a package or add-on. It is refused while any site
// or employee holds it.
func (s *Service) DeletePackage(ctx context.Context, providerID, id int64) (err error) {
	defer derrors.Wrap(&err, "catalog: delete package %d", id)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		p, err := s.Package(ctx, providerID, id)
		if err != nil {
			return err
		}
		reason, err := s.packageInUse(ctx, p)
		if err != nil {
			return err
		}
		if reason != "" {
			return derrors.Conflict("id", "%s", reason)
		}
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM catalog_package_features WHERE package_id = ?", id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM catalog_packages WHERE id = ? AND provider_id = ?", id, providerID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: eventName("Delete", p.Type), ObjectKind: objectKind(p.Type), ObjectID: id,
			ObjectName: p.Name, Before: p})
	})
}

// packageInUse is why package p cannot be deleted now ("" when it can): the
// sites and employees holding it. DeletePackage refuses with it and the
// Catalog page shows it next to a disabled Delete.
func (s *Service) packageInUse(ctx context.Context, p Package) (string, error) {
	var sites, employees int
	q := s.db.Q(ctx)
	if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM site_offerings WHERE package_id = ?) +
		(SELECT COUNT(*) FROM site_offering_addons WHERE package_id = ?)`, p.ID, p.ID).Scan(&sites); err != nil {
		return "", fmt.Errorf("catalog: sites holding package %d: %w", p.ID, err)
	}
	if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM employee_offerings WHERE package_id = ?) +
		(SELECT COUNT(*) FROM employee_offering_addons WHERE package_id = ?)`, p.ID, p.ID).Scan(&employees); err != nil {
		return "", fmt.Errorf("catalog: employees holding package %d: %w", p.ID, err)
	}
	if sites+employees == 0 {
		return "", nil
	}
	return fmt.Sprintf("%q is assigned to %d site(s) and %d employee(s): move them to another %s first",
		p.Name, sites, employees, p.Type.Label()), nil
}

const packageColumns = "id, provider_id, pkg_type, kind, name, description, created_at, updated_at"

func scanPackage(row interface{ Scan(...any) error }) (Package, error) {
	var p Package
	var created, updated int64
	err := row.Scan(&p.ID, &p.ProviderID, &p.Type, &p.Kind, &p.Name, &p.Description, &created, &updated)
	p.CreatedAt, p.UpdatedAt = store.Time(created), store.Time(updated)
	return p, err
}

// Package returns one package or add-on of the provider with its features.
func (s *Service) Package(ctx context.Context, providerID, id int64) (Package, error) {
	ps, err := s.queryPackages(ctx, " WHERE id = ? AND provider_id = ?", id, providerID)
	if err != nil {
		return Package{}, fmt.Errorf("catalog: package %d: %w", id, err)
	}
	if len(ps) == 0 {
		return Package{}, fmt.Errorf("catalog: package %d: %w", id, derrors.ErrNotFound)
	}
	return ps[0], nil
}

// PackageFilter narrows Packages; zero fields match everything.
type PackageFilter struct {
	Type Type `json:"type"`
	Kind Kind `json:"kind"`
}

// Packages lists the provider's packages and add-ons by name, each with its
// features.
func (s *Service) Packages(ctx context.Context, providerID int64, f PackageFilter) ([]Package, error) {
	cond, args := " WHERE provider_id = ?", []any{providerID}
	if f.Type != "" {
		if !f.Type.valid() {
			return nil, derrors.Invalid("type", "the type must be package or add_on")
		}
		cond, args = cond+" AND pkg_type = ?", append(args, string(f.Type))
	}
	if f.Kind != "" {
		if !f.Kind.valid() {
			return nil, derrors.Invalid("kind", "the kind must be site or employee")
		}
		cond, args = cond+" AND kind = ?", append(args, string(f.Kind))
	}
	out, err := s.queryPackages(ctx, cond, args...)
	if err != nil {
		return nil, fmt.Errorf("catalog: packages: %w", err)
	}
	return out, nil
}

// PackageFeatures lists the features of one package or add-on (the view
// the portal opens when a package is clicked).
func (s *Service) PackageFeatures(ctx context.Context, providerID, packageID int64) ([]Feature, error) {
	p, err := s.Package(ctx, providerID, packageID)
	if err != nil {
		return nil, err
	}
	return p.Features, nil
}

// queryPackages reads packages matching cond (on catalog_packages), ordered
// by name, and fills their features with one more query.
func (s *Service) queryPackages(ctx context.Context, cond string, args ...any) ([]Package, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+packageColumns+" FROM catalog_packages"+cond+" ORDER BY name, id", args...)
	if err != nil {
		return nil, err
	}
	var out []Package
	for rows.Next() {
		p, err := scanPackage(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, s.fillFeatures(ctx, out)
}

func (s *Service) fillFeatures(ctx context.Context, ps []Package) error {
	ids := make([]any, len(ps))
	index := map[int64]int{}
	for i, p := range ps {
		ids[i] = p.ID
		index[p.ID] = i
	}
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT pf.package_id, f.id, f.provider_id, f.code, f.name, f.category, f.description, f.created_at, f.updated_at
		FROM catalog_package_features pf JOIN catalog_features f ON f.id = pf.feature_id
		WHERE pf.package_id IN (`+store.Placeholders(len(ids))+`) ORDER BY f.category, f.name`, ids...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var pid int64
		var f Feature
		var created, updated int64
		if err := rows.Scan(&pid, &f.ID, &f.ProviderID, &f.Code, &f.Name, &f.Category, &f.Description, &created, &updated); err != nil {
			return err
		}
		f.CreatedAt, f.UpdatedAt = store.Time(created), store.Time(updated)
		p := &ps[index[pid]]
		p.Features = append(p.Features, f)
	}
	return rows.Err()
}

// packageOf returns a package for an assignment, checking it is of the
// provider, of type t and of kind k; field names the request field.
func (s *Service) packageOf(ctx context.Context, providerID, id int64, t Type, k Kind, field string) (Package, error) {
	p, err := s.Package(ctx, providerID, id)
	if errors.Is(err, derrors.ErrNotFound) || errors.Is(err, sql.ErrNoRows) {
		return p, derrors.Invalid(field, "%s %d does not exist", t.Label(), id)
	}
	if err != nil {
		return p, err
	}
	if p.Type != t {
		return p, derrors.Invalid(field, "%q is %s, not %s", p.Name, withArticle(p.Type.Label()), withArticle(t.Label()))
	}
	if p.Kind != k {
		return p, derrors.Invalid(field, "%q is %s; %s needs %s", p.Name, withArticle(string(p.Kind)+" "+p.Type.Label()),
			withArticle(string(k)), withArticle(string(k)+" "+t.Label()))
	}
	return p, nil
}

// withArticle puts "a" or "an" before s.
func withArticle(s string) string {
	if s != "" && strings.ContainsRune("aeiou", rune(s[0])) {
		return "an " + s
	}
	return "a " + s
}
