package catalog

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The catalog and the Service Offering as actions of an actor
// (docs/architecture.md, "The use-case layer"). The catalog is what the
// provider offers every customer, so every account of the provider reads
// it; changing it is the provider operators' (access.ManageCatalog). Each
// change checks access, then runs the step of the same subject
// (CreateFeature, UpdatePackage, …), which validates, writes and audits in
// one transaction.

// manage checks the actor may change the provider's catalog.
func (s *Service) manage(ctx context.Context, actor access.Actor) error {
	return s.access.Check(ctx, actor, access.ManageCatalog, access.Provider(actor.ProviderID))
}

// CatalogFeatures is the provider's features.
func (s *Service) CatalogFeatures(ctx context.Context, actor access.Actor) ([]Feature, error) {
	return s.Features(ctx, actor.ProviderID)
}

// ViewFeature is one feature of the provider's catalog.
func (s *Service) ViewFeature(ctx context.Context, actor access.Actor, id int64) (Feature, error) {
	return s.Feature(ctx, actor.ProviderID, id)
}

// AddFeature adds a feature to the catalog.
func (s *Service) AddFeature(ctx context.Context, actor access.Actor, r FeatureRequest) (Feature, error) {
	if err := s.manage(ctx, actor); err != nil {
		return Feature{}, fmt.Errorf("catalog: add feature: %w", err)
	}
	return s.CreateFeature(ctx, actor.ProviderID, r)
}

// ChangeFeature replaces a feature of the catalog.
func (s *Service) ChangeFeature(ctx context.Context, actor access.Actor, id int64, r FeatureRequest) (Feature, error) {
	if err := s.manage(ctx, actor); err != nil {
		return Feature{}, fmt.Errorf("catalog: change feature %d: %w", id, err)
	}
	return s.UpdateFeature(ctx, actor.ProviderID, id, r)
}

// RemoveFeature deletes a feature of the catalog.
func (s *Service) RemoveFeature(ctx context.Context, actor access.Actor, id int64) error {
	if err := s.manage(ctx, actor); err != nil {
		return fmt.Errorf("catalog: remove feature %d: %w", id, err)
	}
	return s.DeleteFeature(ctx, actor.ProviderID, id)
}

// CatalogPackages is the provider's feature packages and add-ons.
func (s *Service) CatalogPackages(ctx context.Context, actor access.Actor, f PackageFilter) ([]Package, error) {
	return s.Packages(ctx, actor.ProviderID, f)
}

// ViewPackage is one package or add-on of the catalog.
func (s *Service) ViewPackage(ctx context.Context, actor access.Actor, id int64) (Package, error) {
	return s.Package(ctx, actor.ProviderID, id)
}

// ViewPackageFeatures is what the portal shows when a package is clicked.
func (s *Service) ViewPackageFeatures(ctx context.Context, actor access.Actor, id int64) ([]Feature, error) {
	return s.PackageFeatures(ctx, actor.ProviderID, id)
}

// AddPackage adds a feature package or add-on to the catalog.
func (s *Service) AddPackage(ctx context.Context, actor access.Actor, r PackageRequest) (Package, error) {
	if err := s.manage(ctx, actor); err != nil {
		return Package{}, fmt.Errorf("catalog: add package: %w", err)
	}
	return s.CreatePackage(ctx, actor.ProviderID, r)
}

// ChangePackage changes a package or add-on of the catalog.
func (s *Service) ChangePackage(ctx context.Context, actor access.Actor, id int64, r PackageUpdateRequest) (Package, error) {
	if err := s.manage(ctx, actor); err != nil {
		return Package{}, fmt.Errorf("catalog: change package %d: %w", id, err)
	}
	return s.UpdatePackage(ctx, actor.ProviderID, id, r)
}

// RemovePackage deletes a package or add-on of the catalog.
func (s *Service) RemovePackage(ctx context.Context, actor access.Actor, id int64) error {
	if err := s.manage(ctx, actor); err != nil {
		return fmt.Errorf("catalog: remove package %d: %w", id, err)
	}
	return s.DeletePackage(ctx, actor.ProviderID, id)
}

// CatalogTerms is the provider's subscription terms.
func (s *Service) CatalogTerms(ctx context.Context, actor access.Actor) ([]Term, error) {
	return s.Terms(ctx, actor.ProviderID)
}

// ViewTerm is one subscription term of the catalog.
func (s *Service) ViewTerm(ctx context.Context, actor access.Actor, id int64) (Term, error) {
	return s.Term(ctx, actor.ProviderID, id)
}

// AddTerm adds a subscription term to the catalog.
func (s *Service) AddTerm(ctx context.Context, actor access.Actor, r TermRequest) (Term, error) {
	if err := s.manage(ctx, actor); err != nil {
		return Term{}, fmt.Errorf("catalog: add term: %w", err)
	}
	return s.CreateTerm(ctx, actor.ProviderID, r)
}

// ChangeTerm changes a subscription term of the catalog.
func (s *Service) ChangeTerm(ctx context.Context, actor access.Actor, id int64, r TermRequest) (Term, error) {
	if err := s.manage(ctx, actor); err != nil {
		return Term{}, fmt.Errorf("catalog: change term %d: %w", id, err)
	}
	return s.UpdateTerm(ctx, actor.ProviderID, id, r)
}

// RemoveTerm deletes a subscription term of the catalog.
func (s *Service) RemoveTerm(ctx context.Context, actor access.Actor, id int64) error {
	if err := s.manage(ctx, actor); err != nil {
		return fmt.Errorf("catalog: remove term %d: %w", id, err)
	}
	return s.DeleteTerm(ctx, actor.ProviderID, id)
}

// CompanyOfferingFor is the Service Offering tab of a company (0: the
// actor's own): every site and employee package and add-on it may have.
func (s *Service) CompanyOfferingFor(ctx context.Context, actor access.Actor, companyID int64) (CompanyOffering, error) {
	if companyID == 0 {
		if actor.CompanyID == 0 {
			return CompanyOffering{}, derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
		}
		companyID = actor.CompanyID
	}
	if err := s.access.Check(ctx, actor, access.ViewServiceOffering, access.Company(companyID)); err != nil {
		return CompanyOffering{}, fmt.Errorf("catalog: offering of company %d: %w", companyID, err)
	}
	return s.ForCompany(ctx, companyID)
}

// SiteOfferingFor is the Service Offering of a site: its package and
// add-ons and what its employees may have. Operators, the company's
// administrators and the group administrators of the site read it.
func (s *Service) SiteOfferingFor(ctx context.Context, actor access.Actor, siteID int64) (SiteOffering, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ViewServiceOffering, siteID)
	if err != nil {
		return SiteOffering{}, fmt.Errorf("catalog: offering of site %d: %w", siteID, err)
	}
	return s.ForSite(ctx, companyID, siteID)
}

// EmployeeOfferingFor is the Service Offering of an employee: their
// package, add-ons and term.
func (s *Service) EmployeeOfferingFor(ctx context.Context, actor access.Actor, accountID int64) (EmployeeOffering, error) {
	if err := s.access.Check(ctx, actor, access.ViewServiceOffering, access.Employee(accountID)); err != nil {
		return EmployeeOffering{}, fmt.Errorf("catalog: offering of employee %d: %w", accountID, err)
	}
	var companyID int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT company_id FROM accounts WHERE id = ? AND company_id IS NOT NULL", accountID).Scan(&companyID)
	if errors.Is(err, sql.ErrNoRows) {
		return EmployeeOffering{}, fmt.Errorf("catalog: offering of employee %d: %w", accountID, derrors.ErrNotFound)
	}
	if err != nil {
		return EmployeeOffering{}, fmt.Errorf("catalog: offering of employee %d: %w", accountID, err)
	}
	return s.ForEmployee(ctx, companyID, accountID)
}

// AssignSiteOffering gives a site its feature package and add-ons. They are
// sold under the customer's contract, so it is the control panel's, like
// the site's employee limit: operators only (ManageCompany); whoever reads
// the site's offering and may not change it is told the service provider
// does.
func (s *Service) AssignSiteOffering(ctx context.Context, actor access.Actor, siteID, packageID int64, addOnIDs []int64) (SiteOffering, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ViewServiceOffering, siteID)
	if err != nil {
		return SiteOffering{}, fmt.Errorf("catalog: assign offering to site %d: %w", siteID, err)
	}
	if err := s.access.Check(ctx, actor, access.ManageCompany, access.Company(companyID)); err != nil {
		return SiteOffering{}, fmt.Errorf("catalog: assign offering to site %d: %w", siteID, err)
	}
	return s.SetSiteOffering(ctx, companyID, siteID, packageID, addOnIDs)
}

// Managed is the whole catalog as the control panel's Catalog page shows it
// for changing.
type Managed struct {
	Features []Feature
	Packages []Package
	Terms    []Term
	// InUse is why an entry cannot be deleted now, by id: the reason its
	// Delete would refuse with (the same check), for a disabled Delete.
	InUse InUse
}

// InUse holds the refusals of Delete by id; an entry that may go is absent.
type InUse struct {
	Features, Packages, Terms map[int64]string
}

// CatalogToManage is the control panel's Catalog page, where the catalog is
// changed: provider operators only (everyone else reads the catalog through
// CatalogFeatures, CatalogPackages and CatalogTerms).
func (s *Service) CatalogToManage(ctx context.Context, actor access.Actor) (m Managed, err error) {
	if err := s.manage(ctx, actor); err != nil {
		return Managed{}, fmt.Errorf("catalog: manage: %w", err)
	}
	if m.Features, err = s.Features(ctx, actor.ProviderID); err != nil {
		return Managed{}, err
	}
	if m.Packages, err = s.Packages(ctx, actor.ProviderID, PackageFilter{}); err != nil {
		return Managed{}, err
	}
	if m.Terms, err = s.Terms(ctx, actor.ProviderID); err != nil {
		return Managed{}, err
	}
	m.InUse = InUse{Features: map[int64]string{}, Packages: map[int64]string{}, Terms: map[int64]string{}}
	for _, f := range m.Features {
		if err := addReason(m.InUse.Features, f.ID)(s.featureInUse(ctx, f)); err != nil {
			return Managed{}, err
		}
	}
	for _, p := range m.Packages {
		if err := addReason(m.InUse.Packages, p.ID)(s.packageInUse(ctx, p)); err != nil {
			return Managed{}, err
		}
	}
	for _, t := range m.Terms {
		if err := addReason(m.InUse.Terms, t.ID)(s.termInUse(ctx, t)); err != nil {
			return Managed{}, err
		}
	}
	return m, nil
}

// addReason stores a refusal under id when there is one.
func addReason(into map[int64]string, id int64) func(string, error) error {
	return func(reason string, err error) error {
		if err == nil && reason != "" {
			into[id] = reason
		}
		return err
	}
}
