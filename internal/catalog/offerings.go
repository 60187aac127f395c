package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// CompanyOffering is the Service Offering tab of a company: every site and
// employee feature package and add-on it can have.
type CompanyOffering struct {
	SitePackages     []Package `json:"site_packages"`
	SiteAddOns       []Package `json:"site_add_ons"`
	EmployeePackages []Package `json:"employee_packages"`
	EmployeeAddOns   []Package `json:"employee_add_ons"`
}

// SiteOffering is the Service Offering tab of a site: its package and
// add-ons, and the employee packages and add-ons available under it.
type SiteOffering struct {
	SiteID           int64     `json:"site_id"`
	SiteName         string    `json:"site_name"`
	Package          *Package  `json:"package"`
	AddOns           []Package `json:"add_ons"`
	EmployeePackages []Package `json:"employee_packages"`
	EmployeeAddOns   []Package `json:"employee_add_ons"`
}

// EmployeeOffering is the Service Offering tab of an employee: their
// package, add-ons and term. Package and Term are nil until assigned.
type EmployeeOffering struct {
	AccountID int64     `json:"account_id"`
	Package   *Package  `json:"package"`
	AddOns    []Package `json:"add_ons"`
	Term      *Term     `json:"term"`
}

// Catalog is the provider's whole offering, split as the portal shows it.
func (s *Service) Catalog(ctx context.Context, providerID int64) (CompanyOffering, error) {
	var o CompanyOffering
	all, err := s.Packages(ctx, providerID, PackageFilter{})
	if err != nil {
		return o, err
	}
	for _, p := range all {
		switch {
		case p.Kind == KindSite && p.Type == TypePackage:
			o.SitePackages = append(o.SitePackages, p)
		case p.Kind == KindSite:
			o.SiteAddOns = append(o.SiteAddOns, p)
		case p.Type == TypePackage:
			o.EmployeePackages = append(o.EmployeePackages, p)
		default:
			o.EmployeeAddOns = append(o.EmployeeAddOns, p)
		}
	}
	return o, nil
}

// ForCompany is the company's Service Offering tab: its provider's catalog.
// Every company of the provider is offered every package; the company is
// named (rather than the provider) so the caller cannot ask about another
// provider's catalog.
func (s *Service) ForCompany(ctx context.Context, companyID int64) (CompanyOffering, error) {
	providerID, err := s.companyProvider(ctx, companyID)
	if err != nil {
		return CompanyOffering{}, fmt.Errorf("catalog: offering of company %d: %w", companyID, err)
	}
	return s.Catalog(ctx, providerID)
}

// site checks siteID is a site of companyID and returns its name.
func (s *Service) site(ctx context.Context, companyID, siteID int64) (string, error) {
	var name string
	var isSite bool
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT name, is_site FROM org_groups WHERE id = ? AND company_id = ?", siteID, companyID).Scan(&name, &isSite)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !isSite) {
		return "", fmt.Errorf("site %d: %w", siteID, derrors.ErrNotFound)
	}
	return name, err
}

// ForSite is a site's Service Offering tab. Every employee package and
// add-on of the provider is available under every site.
func (s *Service) ForSite(ctx context.Context, companyID, siteID int64) (o SiteOffering, err error) {
	defer derrors.Wrap(&err, "catalog: offering of site %d", siteID)
	providerID, err := s.companyProvider(ctx, companyID)
	if err != nil {
		return o, err
	}
	if o.SiteName, err = s.site(ctx, companyID, siteID); err != nil {
		return o, err
	}
	o.SiteID = siteID
	var pkg sql.NullInt64
	err = s.db.Q(ctx).QueryRow(ctx, "SELECT package_id FROM site_offerings WHERE site_id = ? AND company_id = ?", siteID, companyID).Scan(&pkg)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return o, err
	}
	if pkg.Valid {
		p, err := s.Package(ctx, providerID, pkg.Int64)
		if err != nil {
			return o, err
		}
		o.Package = &p
	}
	if o.AddOns, err = s.queryPackages(ctx, " WHERE provider_id = ? AND id IN (SELECT package_id FROM site_offering_addons WHERE site_id = ?)",
		providerID, siteID); err != nil {
		return o, err
	}
	all, err := s.Catalog(ctx, providerID)
	if err != nil {
		return o, err
	}
	o.EmployeePackages, o.EmployeeAddOns = all.EmployeePackages, all.EmployeeAddOns
	return o, nil
}

// DefaultEmployeePackage is the employee feature package Activate proposes
// at the site, or false when the provider offers none.
//
// The catalog has no site-specific choice of employee packages to follow
// (every employee package is available under every site, see ForSite) and
// no prices, so the proposal is the smallest package: the one with the
// fewest features, and of equal ones the one the provider added first.
// Packages are built up in tiers (Basic, then Standard with more, then
// Advanced with more still), so the smallest is the entry-level, cheapest
// one; proposing it means an administrator who accepts the defaults never
// buys more than they chose to. The first by name (what the form used to
// preselect) is arbitrary and was the most expensive one in the default
// catalog ("Advanced"). When sites get a default employee package of their
// own, it belongs here, before this rule.
func (o SiteOffering) DefaultEmployeePackage() (Package, bool) {
	var best Package
	found := false
	for _, p := range o.EmployeePackages {
		if p.Type != TypePackage || p.Kind != KindEmployee {
			continue
		}
		if !found || len(p.Features) < len(best.Features) || (len(p.Features) == len(best.Features) && p.ID < best.ID) {
			best, found = p, true
		}
	}
	return best, found
}

// employee checks accountID is an account of companyID.
func (s *Service) employee(ctx context.Context, companyID, accountID int64) (string, error) {
	var username string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT username FROM accounts WHERE id = ? AND company_id = ?", accountID, companyID).Scan(&username)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("employee %d: %w", accountID, derrors.ErrNotFound)
	}
	return username, err
}

// ForEmployee is an employee's Service Offering tab.
func (s *Service) ForEmployee(ctx context.Context, companyID, accountID int64) (o EmployeeOffering, err error) {
	defer derrors.Wrap(&err, "catalog: offering of employee %d", accountID)
	providerID, err := s.companyProvider(ctx, companyID)
	if err != nil {
		return o, err
	}
	if _, err := s.employee(ctx, companyID, accountID); err != nil {
		return o, err
	}
	o.AccountID = accountID
	var pkg, term int64
	err = s.db.Q(ctx).QueryRow(ctx, "SELECT package_id, term_id FROM employee_offerings WHERE account_id = ? AND company_id = ?",
		accountID, companyID).Scan(&pkg, &term)
	if errors.Is(err, sql.ErrNoRows) {
		return o, nil
	}
	if err != nil {
		return o, err
	}
	p, err := s.Package(ctx, providerID, pkg)
	if err != nil {
		return o, err
	}
	o.Package = &p
	t, err := s.Term(ctx, providerID, term)
	if err != nil {
		return o, err
	}
	o.Term = &t
	o.AddOns, err = s.queryPackages(ctx, " WHERE provider_id = ? AND id IN (SELECT package_id FROM employee_offering_addons WHERE account_id = ?)",
		providerID, accountID)
	return o, err
}

// addOns checks every id is an add-on of kind k of the provider, listed once.
func (s *Service) addOns(ctx context.Context, providerID int64, ids []int64, k Kind) ([]int64, error) {
	seen := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if seen[id] {
			return nil, derrors.Invalid("add_on_ids", "add-on %d is listed twice", id)
		}
		seen[id] = true
		if _, err := s.packageOf(ctx, providerID, id, TypeAddOn, k, "add_on_ids"); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}

// SetSiteOffering gives a site its feature package and add-ons (replacing
// what it had). The package must be a site feature package and every add-on
// a site add-on of the company's provider.
func (s *Service) SetSiteOffering(ctx context.Context, companyID, siteID, packageID int64, addOnIDs []int64) (o SiteOffering, err error) {
	defer derrors.Wrap(&err, "catalog: set offering of site %d", siteID)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		providerID, err := s.companyProvider(ctx, companyID)
		if err != nil {
			return err
		}
		name, err := s.site(ctx, companyID, siteID)
		if err != nil {
			return err
		}
		if packageID == 0 {
			return derrors.Invalid("package_id", "choose the site's feature package")
		}
		if _, err := s.packageOf(ctx, providerID, packageID, TypePackage, KindSite, "package_id"); err != nil {
			return err
		}
		ids, err := s.addOns(ctx, providerID, addOnIDs, KindSite)
		if err != nil {
			return err
		}
		before, err := s.ForSite(ctx, companyID, siteID)
		if err != nil {
			return err
		}
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM site_offerings WHERE site_id = ? AND company_id = ?", siteID, companyID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM site_offering_addons WHERE site_id = ?", siteID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "INSERT INTO site_offerings (site_id, company_id, package_id, updated_at) VALUES (?, ?, ?, ?)",
			siteID, companyID, packageID, store.Now()); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := q.Exec(ctx, "INSERT INTO site_offering_addons (site_id, package_id) VALUES (?, ?)", siteID, id); err != nil {
				return err
			}
		}
		if o, err = s.ForSite(ctx, companyID, siteID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Set Site Service Offering", ObjectKind: "site", ObjectID: siteID, ObjectName: name,
			CompanyID: companyID, SiteID: siteID, Before: assigned(before.Package, before.AddOns, nil), After: assigned(o.Package, o.AddOns, nil)})
	})
	return o, err
}

// assignment is what the audit log keeps of an offering: names and ids,
// not the whole feature lists.
type assignment struct {
	PackageID   int64    `json:"package_id,omitempty"`
	PackageName string   `json:"package,omitempty"`
	AddOnIDs    []int64  `json:"add_on_ids,omitempty"`
	AddOnNames  []string `json:"add_ons,omitempty"`
	TermID      int64    `json:"term_id,omitempty"`
	TermName    string   `json:"term,omitempty"`
}

func assigned(p *Package, addOns []Package, t *Term) any {
	if p == nil {
		return nil
	}
	a := assignment{PackageID: p.ID, PackageName: p.Name}
	for _, x := range addOns {
		a.AddOnIDs = append(a.AddOnIDs, x.ID)
		a.AddOnNames = append(a.AddOnNames, x.Name)
	}
	if t != nil {
		a.TermID, a.TermName = t.ID, t.Name
	}
	return a
}

// SetEmployeeOffering gives an employee their feature package, add-ons and
// term (replacing what they had): the package must be an employee feature
// package, every add-on an employee add-on, and a term already set can only
// be upgraded (CanChangeTerm).
func (s *Service) SetEmployeeOffering(ctx context.Context, companyID, accountID, packageID int64, addOnIDs []int64, termID int64) (o EmployeeOffering, err error) {
	defer derrors.Wrap(&err, "catalog: set offering of employee %d", accountID)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		providerID, err := s.companyProvider(ctx, companyID)
		if err != nil {
			return err
		}
		username, err := s.employee(ctx, companyID, accountID)
		if err != nil {
			return err
		}
		v := &derrors.ValidationError{}
		if packageID == 0 {
			v.Add("package_id", "choose the employee's feature package")
		}
		if termID == 0 {
			v.Add("term_id", "choose the term agreed with your service provider")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if _, err := s.packageOf(ctx, providerID, packageID, TypePackage, KindEmployee, "package_id"); err != nil {
			return err
		}
		ids, err := s.addOns(ctx, providerID, addOnIDs, KindEmployee)
		if err != nil {
			return err
		}
		term, err := s.Term(ctx, providerID, termID)
		if errors.Is(err, derrors.ErrNotFound) {
			return derrors.Invalid("term_id", "term %d does not exist", termID)
		}
		if err != nil {
			return err
		}
		before, err := s.ForEmployee(ctx, companyID, accountID)
		if err != nil {
			return err
		}
		if before.Term != nil {
			if err := CanChangeTerm(*before.Term, term); err != nil {
				return err
			}
		}
		q := s.db.Q(ctx)
		if err := s.clearEmployee(ctx, companyID, accountID); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "INSERT INTO employee_offerings (account_id, company_id, package_id, term_id, updated_at) VALUES (?, ?, ?, ?, ?)",
			accountID, companyID, packageID, termID, store.Now()); err != nil {
			return err
		}
		for _, id := range ids {
			if _, err := q.Exec(ctx, "INSERT INTO employee_offering_addons (account_id, package_id) VALUES (?, ?)", accountID, id); err != nil {
				return err
			}
		}
		if o, err = s.ForEmployee(ctx, companyID, accountID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Set Employee Service Offering", ObjectKind: "employee", ObjectID: accountID,
			ObjectName: username, CompanyID: companyID,
			Before: assigned(before.Package, before.AddOns, before.Term), After: assigned(o.Package, o.AddOns, o.Term)})
	})
	return o, err
}

func (s *Service) clearEmployee(ctx context.Context, companyID, accountID int64) error {
	q := s.db.Q(ctx)
	if _, err := q.Exec(ctx, "DELETE FROM employee_offering_addons WHERE account_id = ? AND account_id IN (SELECT id FROM accounts WHERE company_id = ?)",
		accountID, companyID); err != nil {
		return err
	}
	_, err := q.Exec(ctx, "DELETE FROM employee_offerings WHERE account_id = ? AND company_id = ?", accountID, companyID)
	return err
}

// ClearEmployeeOffering takes an employee's package, add-ons and term away
// (the cease step "access to … any add-ons is revoked"). An employee with
// nothing assigned is not an error, so a retried cease succeeds.
func (s *Service) ClearEmployeeOffering(ctx context.Context, companyID, accountID int64) (err error) {
	defer derrors.Wrap(&err, "catalog: clear offering of employee %d", accountID)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		username, err := s.employee(ctx, companyID, accountID)
		if err != nil {
			return err
		}
		before, err := s.ForEmployee(ctx, companyID, accountID)
		if err != nil {
			return err
		}
		if before.Package == nil {
			return nil
		}
		if err := s.clearEmployee(ctx, companyID, accountID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Clear Employee Service Offering", ObjectKind: "employee", ObjectID: accountID,
			ObjectName: username, CompanyID: companyID, Before: assigned(before.Package, before.AddOns, before.Term)})
	})
}
