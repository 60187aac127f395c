// Package catalog owns the provider's service offering: the features it
// sells (with the hover help the portal shows), feature packages and add-ons
// for sites and for employees, and contract terms; what each site and each
// employee has been given; and the Service Offering views of a company, a
// site and an employee.
//
// The service trusts its caller for permissions but validates every input;
// catalog entries are scoped by provider and assignments by company.
package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service manages the catalog and its assignments.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
}

// New returns a Service.
func New(db *store.DB, log *audit.Log) *Service {
	return &Service{db: db, audit: log, access: access.New(db)}
}

// Feature is one service feature of the catalog.
type Feature struct {
	ID         int64  `json:"id"`
	ProviderID int64  `json:"provider_id"`
	Code       string `json:"code"`
	Name       string `json:"name"`
	Category   string `json:"category"`
	// Description is the hover help text next to the feature.
	Description string    `json:"description"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// FeatureRequest creates or replaces a feature.
type FeatureRequest struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Category    string `json:"category"`
	Description string `json:"description"`
}

var codePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)

// Validate checks the request and trims it.
func (r *FeatureRequest) Validate() error {
	v := &derrors.ValidationError{}
	r.Code = strings.TrimSpace(r.Code)
	if !codePattern.MatchString(r.Code) {
		v.Add("code", "the code is 2 to 40 lower-case letters, digits and '_', starting with a letter (call_forwarding)")
	}
	r.Name = checkText(v, "name", r.Name, 64, true)
	r.Category = checkText(v, "category", r.Category, 40, true)
	r.Description = checkText(v, "description", r.Description, 500, false)
	return v.Err()
}

// checkText trims s and checks its length; required fields may not be empty.
func checkText(v *derrors.ValidationError, field, s string, max int, required bool) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		v.Add(field, "the %s is required", field)
	case utf8.RuneCountInString(s) > max:
		v.Add(field, "the %s must be at most %d characters", field, max)
	}
	return s
}

const featureColumns = "id, provider_id, code, name, category, description, created_at, updated_at"

func scanFeature(row interface{ Scan(...any) error }) (Feature, error) {
	var f Feature
	var created, updated int64
	err := row.Scan(&f.ID, &f.ProviderID, &f.Code, &f.Name, &f.Category, &f.Description, &created, &updated)
	f.CreatedAt, f.UpdatedAt = store.Time(created), store.Time(updated)
	return f, err
}

func (s *Service) queryFeatures(ctx context.Context, query string, args ...any) ([]Feature, error) {
	rows, err := s.db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Feature
	for rows.Next() {
		f, err := scanFeature(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

func featureConflict(err error, r FeatureRequest) error {
	if !store.IsUniqueViolation(err) {
		return err
	}
	if strings.Contains(err.Error(), "code") {
		return derrors.Conflict("code", "a feature with the code %q already exists", r.Code)
	}
	return derrors.Conflict("name", "a feature named %q already exists", r.Name)
}

// CreateFeature adds a feature to the provider's catalog.
func (s *Service) CreateFeature(ctx context.Context, providerID int64, r FeatureRequest) (f Feature, err error) {
	defer derrors.Wrap(&err, "catalog: create feature %q", r.Code)
	if err := r.Validate(); err != nil {
		return Feature{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.checkProvider(ctx, providerID); err != nil {
			return err
		}
		if err := s.checkFeatureUnique(ctx, providerID, 0, r); err != nil {
			return err
		}
		now := store.Now()
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO catalog_features (provider_id, code, name, category, description, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, providerID, r.Code, r.Name, r.Category, r.Description, now, now).Scan(&id)
		if err != nil {
			return featureConflict(err, r)
		}
		if f, err = s.Feature(ctx, providerID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Feature", ObjectKind: "feature", ObjectID: id, ObjectName: f.Name, After: f})
	})
	return f, err
}

// checkFeatureUnique names the clashing field before the unique index
// would, so the message is specific on both engines.
func (s *Service) checkFeatureUnique(ctx context.Context, providerID, id int64, r FeatureRequest) error {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM catalog_features WHERE provider_id = ? AND code = ? AND id <> ?",
		providerID, r.Code, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return derrors.Conflict("code", "a feature with the code %q already exists", r.Code)
	}
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM catalog_features WHERE provider_id = ? AND lower(name) = lower(?) AND id <> ?",
		providerID, r.Name, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return derrors.Conflict("name", "a feature named %q already exists", r.Name)
	}
	return nil
}

// UpdateFeature replaces a feature's code, name, category and description.
// Packages holding it keep it.
func (s *Service) UpdateFeature(ctx context.Context, providerID, id int64, r FeatureRequest) (f Feature, err error) {
	defer derrors.Wrap(&err, "catalog: update feature %d", id)
	if err := r.Validate(); err != nil {
		return Feature{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Feature(ctx, providerID, id)
		if err != nil {
			return err
		}
		if err := s.checkFeatureUnique(ctx, providerID, id, r); err != nil {
			return err
		}
		_, err = s.db.Q(ctx).Exec(ctx, `UPDATE catalog_features SET code = ?, name = ?, category = ?, description = ?, updated_at = ?
			WHERE id = ? AND provider_id = ?`, r.Code, r.Name, r.Category, r.Description, store.Now(), id, providerID)
		if err != nil {
			return featureConflict(err, r)
		}
		if f, err = s.Feature(ctx, providerID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Feature", ObjectKind: "feature", ObjectID: id, ObjectName: f.Name,
			Before: before, After: f})
	})
	return f, err
}

// DeleteFeature removes a feature. It is refused while a package or add-on
// holds it: take it out of them first, so no customer loses a feature
// silently.
func (s *Service) DeleteFeature(ctx context.Context, providerID, id int64) (err error) {
	defer derrors.Wrap(&err, "catalog: delete feature %d", id)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		f, err := s.Feature(ctx, providerID, id)
		if err != nil {
			return err
		}
		reason, err := s.featureInUse(ctx, f)
		if err != nil {
			return err
		}
		if reason != "" {
			return derrors.Conflict("id", "%s", reason)
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM catalog_features WHERE id = ? AND provider_id = ?", id, providerID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Feature", ObjectKind: "feature", ObjectID: id, ObjectName: f.Name, Before: f})
	})
}

// featureInUse is why feature f cannot be deleted now ("" when it can): the
// packages and add-ons holding it. DeleteFeature refuses with it and the
// Catalog page shows it next to a disabled Delete.
func (s *Service) featureInUse(ctx context.Context, f Feature) (string, error) {
	var names []string
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT p.name FROM catalog_package_features pf JOIN catalog_packages p ON p.id = pf.package_id
		WHERE pf.feature_id = ? ORDER BY p.name`, f.ID)
	if err != nil {
		return "", fmt.Errorf("catalog: packages holding feature %d: %w", f.ID, err)
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return "", err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	if len(names) == 0 {
		return "", nil
	}
	return fmt.Sprintf("%q is part of %s: remove it from them first", f.Name, strings.Join(names, ", ")), nil
}

// Feature returns one feature of the provider.
func (s *Service) Feature(ctx context.Context, providerID, id int64) (Feature, error) {
	f, err := scanFeature(s.db.Q(ctx).QueryRow(ctx, "SELECT "+featureColumns+" FROM catalog_features WHERE id = ? AND provider_id = ?", id, providerID))
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("catalog: feature %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("catalog: feature %d: %w", id, err)
	}
	return f, nil
}

// Features lists the provider's features by category and name.
func (s *Service) Features(ctx context.Context, providerID int64) ([]Feature, error) {
	out, err := s.queryFeatures(ctx, "SELECT "+featureColumns+" FROM catalog_features WHERE provider_id = ? ORDER BY category, name", providerID)
	if err != nil {
		return nil, fmt.Errorf("catalog: features: %w", err)
	}
	return out, nil
}

func (s *Service) checkProvider(ctx context.Context, providerID int64) error {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM providers WHERE id = ?", providerID).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("provider %d: %w", providerID, derrors.ErrNotFound)
	}
	return nil
}

// companyProvider returns the provider of companyID.
func (s *Service) companyProvider(ctx context.Context, companyID int64) (int64, error) {
	var id int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT provider_id FROM companies WHERE id = ?", companyID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("company %d: %w", companyID, derrors.ErrNotFound)
	}
	return id, err
}
