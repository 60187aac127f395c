package search

import (
	"context"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// LiveSearch is the search box at the top of every page: q over the
// employees and sites of companyID (0: the actor's own company) that the
// actor may administer, at most limit employees (DefaultLimit when 0). The
// scope is the actor's (access.Scope), computed here so no caller can
// widen it.
func (s *Service) LiveSearch(ctx context.Context, actor access.Actor, companyID int64, q string, limit int) (LiveResult, error) {
	if companyID == 0 {
		if actor.CompanyID == 0 {
			return LiveResult{}, derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
		}
		companyID = actor.CompanyID
	}
	if err := s.access.Check(ctx, actor, access.LiveSearch, access.Company(companyID)); err != nil {
		return LiveResult{}, fmt.Errorf("search: live in company %d: %w", companyID, err)
	}
	sc, err := s.access.Scope(ctx, actor)
	if err != nil {
		return LiveResult{}, fmt.Errorf("search: live in company %d: %w", companyID, err)
	}
	return s.Live(ctx, companyID, sc, q, limit)
}

// toolAllowed checks the actor may use the platform-wide Search Tool:
// company administrators (checked on their company) and operators.
func (s *Service) toolAllowed(ctx context.Context, actor access.Actor) error {
	target := access.Provider(actor.ProviderID)
	if actor.CompanyID != 0 {
		target = access.Company(actor.CompanyID)
	}
	return s.access.Check(ctx, actor, access.UseSearchTool, target)
}

// OpenTool is opening the Search Tool page of companyID (0: the actor's own
// company): company administrators of that company and the operators who
// see it. It returns the company the page is about; an operator who names
// none gets a field error telling them to choose one.
func (s *Service) OpenTool(ctx context.Context, actor access.Actor, companyID int64) (int64, error) {
	if companyID == 0 {
		if actor.CompanyID == 0 {
			return 0, derrors.Invalid("company_id", "choose a customer first: operators work across companies, so open one from the Customers list")
		}
		companyID = actor.CompanyID
	}
	if err := s.access.Check(ctx, actor, access.UseSearchTool, access.Company(companyID)); err != nil {
		return 0, fmt.Errorf("search: tool of company %d: %w", companyID, err)
	}
	return companyID, nil
}
