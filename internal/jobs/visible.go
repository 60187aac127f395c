package jobs

import (
	"context"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The Status view: which jobs an actor may see. Every job kind (imports,
// activations, resubscriptions) follows the same rule, decided here once
// for the API and the UI (docs/lifecycle.md, "Jobs and Status"): the jobs
// of a company whose jobs the actor may view (access.ViewJobs), and for a
// group administrator only the jobs they started.

// ListFor lists the jobs of companyID actor may see, newest first, with
// how many match. companyID 0 means the actor's own company (operators
// must name one). f's CompanyID and CreatedBy are set here.
func (s *Service) ListFor(ctx context.Context, actor access.Actor, companyID int64, f Filter, p store.Page) ([]Job, int, int64, error) {
	p.Count = true
	pg, companyID, err := s.ListPageFor(ctx, actor, companyID, f, p)
	return pg.Items, pg.Total, companyID, err
}

// ListPageFor is ListFor for the API: p.After continues a keyset walk and
// the total is counted only when p.Count asks (docs/performance.md). Access
// is decided again for every page; a cursor only positions.
func (s *Service) ListPageFor(ctx context.Context, actor access.Actor, companyID int64, f Filter, p store.Page) (_ Page, _ int64, err error) {
	defer derrors.Wrap(&err, "jobs: list for %s", actor.Username)
	none := Page{Total: -1}
	if companyID == 0 {
		if actor.CompanyID == 0 {
			return none, 0, derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
		}
		companyID = actor.CompanyID
	}
	if err := s.access.Check(ctx, actor, access.ViewJobs, access.Company(companyID)); err != nil {
		return none, 0, err
	}
	if f.Status != "" && !f.Status.Valid() {
		return none, 0, derrors.Invalid("status", "status must be not_started, in_progress, completed, error or cancelled")
	}
	f.CompanyID, f.CreatedBy = companyID, access.JobsStartedBy(actor)
	pg, err := s.ListPage(ctx, f, p)
	return pg, companyID, err
}

// JobFor returns job id when actor may read it; anything else (another
// company's job, a job a group administrator did not start) is
// ErrNotFound, exactly like a missing one.
func (s *Service) JobFor(ctx context.Context, actor access.Actor, id int64) (Job, error) {
	scope := actor.CompanyID
	if actor.IsOperator() {
		scope = AllCompanies
	}
	if scope == 0 {
		return Job{}, derrors.ErrNotFound
	}
	j, err := s.Job(ctx, scope, id)
	if err != nil {
		return Job{}, err
	}
	if err := s.access.CheckJobRead(ctx, actor, j.CompanyID, j.CreatedBy); err != nil {
		return Job{}, err
	}
	return j, nil
}

// ItemsFor returns one page of job id's per-item results when actor may
// read the job (JobFor), with how many there are.
func (s *Service) ItemsFor(ctx context.Context, actor access.Actor, id int64, p store.Page) ([]Item, int, error) {
	j, err := s.JobFor(ctx, actor, id)
	if err != nil {
		return nil, 0, err
	}
	return s.Items(ctx, AllCompanies, j.ID, p)
}

// ItemCountsFor returns how many items of job id ended in each status,
// when actor may read the job (JobFor).
func (s *Service) ItemCountsFor(ctx context.Context, actor access.Actor, id int64) (map[string]int, error) {
	j, err := s.JobFor(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	return s.counts(ctx, j.ID)
}
