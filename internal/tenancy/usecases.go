package tenancy

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The control panel's actions on resellers and companies, each the whole
// action for the actor who asks (docs/architecture.md, "The use-case
// layer"): access, validation, transaction, audit. The methods without an
// actor (CreateCompany, UpdateCompany, Company, …) are the steps they are
// built from, for fixtures, the demo loader and the command line.

// Resellers is the provider's list of resellers (provider operators only).
func (s *Service) Resellers(ctx context.Context, actor access.Actor) ([]Reseller, error) {
	if err := s.access.Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return nil, fmt.Errorf("tenancy: list resellers: %w", err)
	}
	return s.ListResellers(ctx, actor.ProviderID)
}

// AddReseller adds a reseller to the actor's provider (provider operators only).
func (s *Service) AddReseller(ctx context.Context, actor access.Actor, name string) (Reseller, error) {
	if err := s.access.Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return Reseller{}, fmt.Errorf("tenancy: add reseller: %w", err)
	}
	return s.CreateReseller(ctx, actor.ProviderID, name)
}

// ResellerAdminRequest is a reseller's new administrator login.
type ResellerAdminRequest struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// AddResellerAdmin creates a login for a reseller's administrator, who
// then manages the reseller's companies. Only the provider's operators may
// (a reseller admin does not mint its peers); a reseller of another
// provider answers ErrNotFound.
func (s *Service) AddResellerAdmin(ctx context.Context, actor access.Actor, resellerID int64, req ResellerAdminRequest) (identity.Account, error) {
	fail := func(err error) (identity.Account, error) {
		return identity.Account{}, fmt.Errorf("tenancy: add admin to reseller %d: %w", resellerID, err)
	}
	if err := s.access.Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return fail(err)
	}
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM resellers WHERE id = ? AND provider_id = ?", resellerID, actor.ProviderID).Scan(&n); err != nil {
		return fail(err)
	}
	if n == 0 {
		return fail(derrors.ErrNotFound)
	}
	req.Username = strings.TrimSpace(req.Username)
	if msg := directory.ValidateUsername(req.Username); msg != "" {
		return fail(derrors.Invalid("username", "%s", msg))
	}
	if req.Password == "" {
		return fail(derrors.Invalid("password", "give the administrator's first password"))
	}
	acc, err := s.Identity.CreateResellerAdmin(ctx, actor.ProviderID, resellerID, req.Username, req.Password)
	if err != nil {
		return fail(err)
	}
	return acc, nil
}

// Companies is the Customers list: the companies the actor may see (a
// provider's all, a reseller's own, a company account's own company).
func (s *Service) Companies(ctx context.Context, actor access.Actor, f CompanyFilter, p store.Page) ([]Company, int, error) {
	p.Count = true
	pg, err := s.CompaniesPage(ctx, actor, f, p)
	return pg.Items, max(pg.Total, 0), err
}

// CompaniesPage is Companies for the API: p.After continues a keyset walk
// by name and the total is counted only when p.Count asks
// (docs/performance.md). The scope is computed again for every page; a
// cursor only positions.
func (s *Service) CompaniesPage(ctx context.Context, actor access.Actor, f CompanyFilter, p store.Page) (CompanyPage, error) {
	none := CompanyPage{Total: -1}
	if p.Count {
		none.Total = 0
	}
	if f.Status != "" && !slices.Contains(CompanyStatuses, f.Status) {
		return none, derrors.Invalid("status", "status must be one of %s", strings.Join(CompanyStatuses, ", "))
	}
	sc, err := s.access.Scope(ctx, actor)
	if err != nil {
		return none, fmt.Errorf("tenancy: list companies: %w", err)
	}
	f.ProviderID, f.ResellerID, f.CompanyID = sc.ProviderID, sc.ResellerID, sc.CompanyID
	if actor.Role == access.RoleReseller && sc.ResellerID == 0 {
		return none, nil
	}
	return s.ListCompaniesPage(ctx, f, p)
}

// AddCompany is Create Company: provider operators create it under any
// of their resellers (or none), a reseller admin under its own reseller.
func (s *Service) AddCompany(ctx context.Context, actor access.Actor, req CompanyCreateRequest) (Company, error) {
	if err := s.access.Check(ctx, actor, access.CreateCompany, access.Provider(actor.ProviderID)); err != nil {
		return Company{}, fmt.Errorf("tenancy: add company: %w", err)
	}
	if actor.Role == access.RoleReseller {
		if req.ResellerID != nil && *req.ResellerID != actor.ResellerID {
			return Company{}, derrors.Invalid("reseller_id", "a reseller creates companies under itself only")
		}
		id := actor.ResellerID
		req.ResellerID = &id
	}
	return s.CreateCompany(ctx, actor.ProviderID, req)
}

// ViewCompany is a company's profile, for whoever may see the company.
func (s *Service) ViewCompany(ctx context.Context, actor access.Actor, id int64) (Company, error) {
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(id)); err != nil {
		return Company{}, fmt.Errorf("tenancy: view company %d: %w", id, err)
	}
	return s.Company(ctx, id)
}

// ModifyCompany changes the control-panel fields and the two company flags
// (provider operators and the company's reseller).
func (s *Service) ModifyCompany(ctx context.Context, actor access.Actor, id int64, req CompanyUpdateRequest) (Company, error) {
	if err := s.access.Check(ctx, actor, access.ManageCompany, access.Company(id)); err != nil {
		return Company{}, fmt.Errorf("tenancy: modify company %d: %w", id, err)
	}
	return s.UpdateCompany(ctx, id, req)
}

// Dashboard is the Company Dashboard's tiles, for whoever may see it.
func (s *Service) Dashboard(ctx context.Context, actor access.Actor, id int64) (Stats, error) {
	if err := s.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(id)); err != nil {
		return Stats{}, fmt.Errorf("tenancy: dashboard of company %d: %w", id, err)
	}
	return s.DashboardStats(ctx, id)
}

// Customer is a company as the control panel's customer Main page opens it:
// for the operators who manage the company (the provider's, and its
// reseller's admins); company accounts are refused with the reason.
func (s *Service) Customer(ctx context.Context, actor access.Actor, id int64) (Company, error) {
	if err := s.access.Check(ctx, actor, access.ManageCompany, access.Company(id)); err != nil {
		return Company{}, fmt.Errorf("tenancy: customer %d: %w", id, err)
	}
	return s.Company(ctx, id)
}
