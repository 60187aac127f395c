package numbering

import (
	"context"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The provider's numbering work as actions of an actor (docs/architecture.md,
// "The use-case layer"): each checks access, then runs the step of the same
// subject below it (SetNumberRangeParameters, AddRange, …), which validates,
// writes and audits in one transaction. The steps without an actor are for
// lifecycle, imports, fixtures and the demo loader.

// RangeParameters is the provider's Number Range Parameters (provider
// operators only).
func (s *Service) RangeParameters(ctx context.Context, actor access.Actor) (NumberRangeParameters, error) {
	if err := s.access.Check(ctx, actor, access.ManageNumbering, access.Provider(actor.ProviderID)); err != nil {
		return NumberRangeParameters{}, fmt.Errorf("numbering: number range parameters: %w", err)
	}
	return s.NumberRangeParameters(ctx, actor.ProviderID)
}

// ChangeRangeParameters saves the provider's Number Range Parameters
// (provider operators only).
func (s *Service) ChangeRangeParameters(ctx context.Context, actor access.Actor, p NumberRangeParameters) (NumberRangeParameters, error) {
	if err := s.access.Check(ctx, actor, access.ManageNumbering, access.Provider(actor.ProviderID)); err != nil {
		return NumberRangeParameters{}, fmt.Errorf("numbering: change number range parameters: %w", err)
	}
	return s.SetNumberRangeParameters(ctx, actor.ProviderID, p)
}

// CompanyBlocks is a company's internal number blocks, for whoever sees
// the company's dashboard.
func (s *Service) CompanyBlocks(ctx context.Context, actor access.Actor, companyID int64) ([]InternalBlock, error) {
	if err := s.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(companyID)); err != nil {
		return nil, fmt.Errorf("numbering: internal blocks of company %d: %w", companyID, err)
	}
	return s.InternalBlocks(ctx, companyID)
}

// AddInternalBlock is the "+" next to Internal Number Block: the next free
// block goes to the company (the provider's operators and its reseller).
func (s *Service) AddInternalBlock(ctx context.Context, actor access.Actor, companyID int64) (InternalBlock, error) {
	if err := s.access.Check(ctx, actor, access.ManageNumbering, access.Company(companyID)); err != nil {
		return InternalBlock{}, fmt.Errorf("numbering: assign internal block to company %d: %w", companyID, err)
	}
	return s.AssignInternalBlock(ctx, companyID)
}

// DeleteInternalBlock takes a block back from the company.
func (s *Service) DeleteInternalBlock(ctx context.Context, actor access.Actor, companyID, blockID int64) error {
	if err := s.access.Check(ctx, actor, access.ManageNumbering, access.Company(companyID)); err != nil {
		return fmt.Errorf("numbering: remove internal block %d of company %d: %w", blockID, companyID, err)
	}
	return s.RemoveInternalBlock(ctx, companyID, blockID)
}

// RefusedCodes is the list of codes no extension may be. Whoever activates
// employees reads it (Activate shows it next to the extension field).
func (s *Service) RefusedCodes(ctx context.Context, actor access.Actor) ([]RefusedExtension, error) {
	if err := s.access.Check(ctx, actor, access.ViewRefusedExtensions, access.Provider(actor.ProviderID)); err != nil {
		return nil, fmt.Errorf("numbering: refused extensions: %w", err)
	}
	return s.RefusedExtensions(ctx, actor.ProviderID)
}

// RefusedCodesToManage is the control panel's Refused Extensions page,
// where the codes are changed: provider operators only (administrators
// read the list through RefusedCodes).
func (s *Service) RefusedCodesToManage(ctx context.Context, actor access.Actor) ([]RefusedExtension, error) {
	if err := s.access.Check(ctx, actor, access.ManageNumbering, access.Provider(actor.ProviderID)); err != nil {
		return nil, fmt.Errorf("numbering: manage refused extensions: %w", err)
	}
	return s.RefusedExtensions(ctx, actor.ProviderID)
}

// AddRefusedCode adds a code to the refused extensions (provider operators
// only: the codes come from the public network the provider connects to).
func (s *Service) AddRefusedCode(ctx context.Context, actor access.Actor, r RefusedExtension) (RefusedExtension, error) {
	if err := s.access.Check(ctx, actor, access.ManageNumbering, access.Provider(actor.ProviderID)); err != nil {
		return RefusedExtension{}, fmt.Errorf("numbering: add refused extension: %w", err)
	}
	return s.AddRefusedExtension(ctx, actor.ProviderID, r)
}

// DeleteRefusedCode removes a code from the refused extensions (provider
// operators only).
func (s *Service) DeleteRefusedCode(ctx context.Context, actor access.Actor, code string) error {
	if err := s.access.Check(ctx, actor, access.ManageNumbering, access.Provider(actor.ProviderID)); err != nil {
		return fmt.Errorf("numbering: remove refused extension: %w", err)
	}
	return s.RemoveRefusedExtension(ctx, actor.ProviderID, code)
}

// SiteRanges is a site's DN ranges.
func (s *Service) SiteRanges(ctx context.Context, actor access.Actor, siteID int64) ([]Range, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ViewNumbers, siteID)
	if err != nil {
		return nil, fmt.Errorf("numbering: ranges of site %d: %w", siteID, err)
	}
	return s.Ranges(ctx, companyID, siteID)
}

// AddSiteRange adds a DN range to a site's number pool (the provider's
// operators and the company's reseller).
func (s *Service) AddSiteRange(ctx context.Context, actor access.Actor, siteID int64, req RangeRequest) (Range, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageNumbering, siteID)
	if err != nil {
		return Range{}, fmt.Errorf("numbering: add range to site %d: %w", siteID, err)
	}
	return s.AddRange(ctx, companyID, siteID, req)
}

// DeleteSiteRange removes a DN range of a site; a range of another site
// answers ErrNotFound.
func (s *Service) DeleteSiteRange(ctx context.Context, actor access.Actor, siteID, rangeID int64) error {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageNumbering, siteID)
	if err != nil {
		return fmt.Errorf("numbering: remove range %d of site %d: %w", rangeID, siteID, err)
	}
	rg, err := s.Range(ctx, companyID, rangeID)
	if err != nil {
		return err
	}
	if rg.SiteID != siteID {
		return fmt.Errorf("numbering: range %d of site %d: %w", rangeID, siteID, derrors.ErrNotFound)
	}
	return s.RemoveRange(ctx, companyID, rangeID)
}

// SitePool is a page of a site's number pool.
func (s *Service) SitePool(ctx context.Context, actor access.Actor, siteID int64, f PoolFilter, p store.Page) ([]Number, int, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ViewNumbers, siteID)
	if err != nil {
		return nil, 0, fmt.Errorf("numbering: pool of site %d: %w", siteID, err)
	}
	return s.Pool(ctx, companyID, siteID, f, p)
}

// SitePoolPage is SitePool for the API: p.After continues a keyset walk in
// number order and the total is counted only when p.Count asks. The access
// check runs for every page; a cursor only positions.
func (s *Service) SitePoolPage(ctx context.Context, actor access.Actor, siteID int64, f PoolFilter, p store.Page) (PoolPage, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ViewNumbers, siteID)
	if err != nil {
		return PoolPage{Total: -1}, fmt.Errorf("numbering: pool of site %d: %w", siteID, err)
	}
	return s.PoolPage(ctx, companyID, siteID, f, p)
}

// SiteExtensionPolicy is a site's extension policy.
func (s *Service) SiteExtensionPolicy(ctx context.Context, actor access.Actor, siteID int64) (ExtensionPolicy, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ViewNumbers, siteID)
	if err != nil {
		return ExtensionPolicy{}, fmt.Errorf("numbering: extension policy of site %d: %w", siteID, err)
	}
	return s.ExtensionPolicy(ctx, companyID, siteID)
}

// ChangeExtensionPolicy saves a site's extension policy (the provider's
// operators and the company's reseller).
func (s *Service) ChangeExtensionPolicy(ctx context.Context, actor access.Actor, siteID int64, p ExtensionPolicy) (ExtensionPolicy, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageNumbering, siteID)
	if err != nil {
		return ExtensionPolicy{}, fmt.Errorf("numbering: change extension policy of site %d: %w", siteID, err)
	}
	return s.SetExtensionPolicy(ctx, companyID, siteID, p)
}
