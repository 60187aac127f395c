package features

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// KindBulkCopy is the job kind of Bulk Feature Management.
const KindBulkCopy = "bulk_features"

// MaxBulkTargets bounds one job: the guide's "search all" limit of 10 was
// the old product's; a job copies to a whole company's employees, and the
// wizard pages its search instead.
const MaxBulkTargets = 10_000

// BulkRequest is the Bulk Feature Management wizard's summary: copy the
// settings of Features from the reference site or employee to each target
// of the same kind (docs/features.md, "Bulk Feature Management").
type BulkRequest struct {
	Kind        OwnerKind `json:"kind"`
	ReferenceID int64     `json:"reference_id"`
	TargetIDs   []int64   `json:"target_ids"`
	Features    []string  `json:"features"`
	// Audio maps recordings to greetings of every target (bulk_audio.go).
	Audio []AudioMapping `json:"audio,omitempty"`
}

// bulkArgs are what the job carries.
type bulkArgs struct {
	BulkRequest
	CompanyID int64 `json:"company_id"`
}

// Bulk jobs need the job queue and the accounts that start them.
type BulkDeps struct {
	Jobs *jobs.Service
	// Account returns the actor of an account, for a job to run with the
	// rights its submitter has when it runs.
	Account func(ctx context.Context, id int64) (access.Actor, string, error)
}

// UseJobs registers the bulk job with the queue.
func (s *Service) UseJobs(d BulkDeps) {
	s.bulk = d
	d.Jobs.Register(KindBulkCopy, s.runBulk)
}

// SubmitBulkCopy checks a bulk job and queues it: the reference must be
// readable and have every feature configured, each target must be one the
// actor may configure, and the features must be of the kind. Anything
// wrong refuses the whole job, naming it, and queues nothing.
func (s *Service) SubmitBulkCopy(ctx context.Context, actor access.Actor, req BulkRequest) (j jobs.Job, err error) {
	defer derrors.Wrap(&err, "features: submit bulk copy")
	if s.bulk.Jobs == nil {
		return jobs.Job{}, errors.New("the job queue is not configured")
	}
	v := &derrors.ValidationError{}
	if req.Kind != OwnerSite && req.Kind != OwnerEmployee {
		v.Add("kind", "a bulk job copies site features or employee features: kind is site or employee")
	}
	if len(req.TargetIDs) == 0 {
		v.Add("target_ids", "add at least one target")
	}
	if len(req.TargetIDs) > MaxBulkTargets {
		v.Add("target_ids", "a job has at most %d targets", MaxBulkTargets)
	}
	if len(req.Features) == 0 && len(req.Audio) == 0 {
		v.Add("features", "choose the features to copy or the audio to map")
	}
	if err := v.Err(); err != nil {
		return jobs.Job{}, err
	}
	ref := Owner{Kind: req.Kind, ID: req.ReferenceID}
	if err := s.access.Check(ctx, actor, access.ViewFeatures, ref.target()); err != nil {
		return jobs.Job{}, fmt.Errorf("reference: %w", err)
	}
	w, err := s.load(ctx, ref)
	if err != nil {
		return jobs.Job{}, err
	}
	if err := s.companyPage(ctx, actor, w.companyID); err != nil {
		return jobs.Job{}, err
	}
	doc, err := s.document(ctx, w)
	if err != nil {
		return jobs.Job{}, err
	}
	seen := map[string]bool{}
	for i, code := range req.Features {
		field := fmt.Sprintf("features[%d]", i)
		if seen[code] {
			return jobs.Job{}, derrors.Invalid(field, "%s is listed twice", code)
		}
		seen[code] = true
		if _, ok := doc.Settings[code]; !ok {
			return jobs.Job{}, derrors.Invalid(field, "%s is not configured on the reference: there is nothing to copy", code)
		}
		if err := copyable(req.Kind, code); err != nil {
			return jobs.Job{}, derrors.Invalid(field, "%s", err.Error())
		}
	}
	if err := s.checkMappings(ctx, w, doc, req.Audio); err != nil {
		return jobs.Job{}, err
	}
	targets := map[int64]bool{}
	for i, id := range req.TargetIDs {
		field := fmt.Sprintf("target_ids[%d]", i)
		if id == req.ReferenceID {
			return jobs.Job{}, derrors.Invalid(field, "the reference cannot be a target")
		}
		if targets[id] {
			return jobs.Job{}, derrors.Invalid(field, "target %d is listed twice", id)
		}
		targets[id] = true
		t := Owner{Kind: req.Kind, ID: id}
		if err := s.access.Check(ctx, actor, access.ViewFeatures, t.target()); err != nil {
			return jobs.Job{}, derrors.Invalid(field, "target %d is not one of the %ss you administer", id, req.Kind)
		}
		tw, err := s.load(ctx, t)
		if err != nil {
			return jobs.Job{}, err
		}
		if tw.companyID != w.companyID {
			return jobs.Job{}, derrors.Invalid(field, "target %d is not one of the %ss you administer", id, req.Kind)
		}
	}
	raw, err := json.Marshal(bulkArgs{BulkRequest: req, CompanyID: w.companyID})
	if err != nil {
		return jobs.Job{}, err
	}
	names := make([]string, 0, len(req.Features)+len(req.Audio))
	for _, code := range req.Features {
		names = append(names, featureName(req.Kind, code))
	}
	for _, m := range req.Audio {
		sl, _ := audioSlot(req.Kind, m.Slot)
		names = append(names, sl.Name)
	}
	plural := ""
	if len(req.TargetIDs) != 1 {
		plural = "s"
	}
	name := fmt.Sprintf("Copy %s from %s to %d %s%s", strings.Join(names, ", "), w.name, len(req.TargetIDs), req.Kind, plural)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		j, err = s.bulk.Jobs.Enqueue(ctx, jobs.Job{CompanyID: w.companyID, Kind: KindBulkCopy, Name: name, Args: raw, MaxAttempts: 1,
			CreatedBy: actor.AccountID})
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Submit Bulk Feature Job", CompanyID: w.companyID, ObjectKind: "job", ObjectID: j.ID,
			ObjectName: name, After: req})
	})
	return j, err
}

// featureName is code's name as the pages show it ("Call Forwarding").
func featureName(kind OwnerKind, code string) string {
	if d, ok := definitionFor(code, kind); ok {
		return d.Name
	}
	return code
}

// copyable says whether code's settings can be copied between owners of
// kind: a site's call groups hold numbers of their own site, so they are
// created at each site, never copied.
func copyable(kind OwnerKind, code string) error {
	d, ok := definitionFor(code, kind)
	if !ok {
		return fmt.Errorf("%s is not a %s feature with settings", code, kind)
	}
	if kind == OwnerSite && (d.Category == CategoryCallGroups || d.Numbered) {
		return fmt.Errorf("%s holds numbers of its own site: create it at each site instead of copying it", d.Name)
	}
	return nil
}

// userMessage is the sentence of a refusal without the wrapping context.
func userMessage(err error) string {
	var v *derrors.ValidationError
	if errors.As(err, &v) && len(v.Fields) > 0 {
		parts := make([]string, len(v.Fields))
		for i, f := range v.Fields {
			parts[i] = f.Message
		}
		return strings.Join(parts, "; ")
	}
	var c *derrors.ConflictError
	if errors.As(err, &c) {
		return c.Message
	}
	switch {
	case derrors.IsNotFound(err):
		return "the target no longer exists or is no longer yours to change"
	case errors.Is(err, derrors.ErrForbidden):
		return "you may no longer change this feature there (Allow Admin Privileges)"
	}
	return err.Error()
}

// companyPage lets actor use the company's Bulk Feature Management page:
// it is one of the company's own pages (its operators and company
// administrators, like the company dashboard), because a job spans sites.
func (s *Service) companyPage(ctx context.Context, actor access.Actor, companyID int64) error {
	return s.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(companyID))
}

// BulkJobs lists a company's bulk feature jobs, newest first.
func (s *Service) BulkJobs(ctx context.Context, actor access.Actor, companyID int64, p store.Page) (jobs.Page, error) {
	if err := s.companyPage(ctx, actor, companyID); err != nil {
		return jobs.Page{}, fmt.Errorf("features: bulk jobs: %w", err)
	}
	return s.bulk.Jobs.ListPage(ctx, jobs.Filter{CompanyID: companyID, Kind: KindBulkCopy}, p)
}

// BulkJob returns one bulk job with a page of its per-setting results.
func (s *Service) BulkJob(ctx context.Context, actor access.Actor, id int64, p store.Page) (jobs.Job, []jobs.Item, int, error) {
	j, err := s.bulkJob(ctx, actor, id)
	if err != nil {
		return jobs.Job{}, nil, 0, err
	}
	items, total, err := s.bulk.Jobs.Items(ctx, j.CompanyID, j.ID, p)
	return j, items, total, err
}

func (s *Service) bulkJob(ctx context.Context, actor access.Actor, id int64) (jobs.Job, error) {
	scope := actor.CompanyID
	if actor.IsOperator() {
		scope = jobs.AllCompanies
	}
	if scope == 0 {
		return jobs.Job{}, derrors.ErrNotFound
	}
	j, err := s.bulk.Jobs.Job(ctx, scope, id)
	if err != nil {
		return jobs.Job{}, fmt.Errorf("features: bulk job %d: %w", id, err)
	}
	if j.Kind != KindBulkCopy {
		return jobs.Job{}, fmt.Errorf("features: bulk job %d: %w", id, derrors.ErrNotFound)
	}
	if err := s.companyPage(ctx, actor, j.CompanyID); err != nil {
		return jobs.Job{}, fmt.Errorf("features: bulk job %d: %w", id, derrors.ErrNotFound)
	}
	return j, nil
}

// DeleteBulkJob removes a finished job's record (never what it copied); a
// job still queued or running is a conflict: let it end first.
func (s *Service) DeleteBulkJob(ctx context.Context, actor access.Actor, id int64) error {
	j, err := s.bulkJob(ctx, actor, id)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.bulk.Jobs.Delete(ctx, j.CompanyID, j.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Bulk Feature Job", CompanyID: j.CompanyID, ObjectKind: "job", ObjectID: j.ID,
			ObjectName: j.Name})
	})
}
