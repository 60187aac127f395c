package imports

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// Job kinds this package runs.
const (
	KindEmployees = "import_employees"
	KindGroups    = "import_groups"
)

// Deps are the services an import uses.
type Deps struct {
	DB        *store.DB
	Access    *access.Service
	Directory *directory.Service
	Identity  *identity.Service
	Tenancy   *tenancy.Service
	Jobs      *jobs.Service
	// Logger receives the errors a user is not shown (slog.Default when nil).
	Logger *slog.Logger
}

// Service submits imports and reads their jobs.
type Service struct {
	d   Deps
	now func() time.Time
	// beforeApply, when set, runs after an employee import's plan and
	// before its transaction: tests change the directory there, as another
	// user could while the job runs.
	beforeApply func(ctx context.Context)
	// afterCommit, when set, runs right after an import's transaction
	// ends: the crash test stops its process there.
	afterCommit func(ctx context.Context)
}

// New returns a Service on d.
func New(d Deps) *Service { return &Service{d: d, now: time.Now} }

// Register installs the two import job kinds on the job queue.
func (s *Service) Register() *Service {
	s.d.Jobs.Register(KindEmployees, s.runEmployees)
	s.d.Jobs.Register(KindGroups, s.runGroups)
	return s
}

// Method is Add New (skip existing) or Update Current (never add).
type Method string

// Methods of an import.
const (
	MethodAdd    Method = "add"
	MethodUpdate Method = "update"
)

// Options are the "More Options" every import dialog has.
type Options struct {
	JobName  string        `json:"job_name"`
	RunAt    time.Time     `json:"run_at"` // zero: now
	Method   Method        `json:"method"`
	Priority jobs.Priority `json:"priority"`
	TestMode bool          `json:"test_mode"`
	// AllOrNothing applies no row when any row is invalid.
	AllOrNothing bool     `json:"all_or_nothing"`
	Encoding     Encoding `json:"encoding"`
}

func (o *Options) validate(v *derrors.ValidationError, now time.Time) {
	o.JobName = strings.TrimSpace(o.JobName)
	if o.Method == "" {
		o.Method = MethodAdd
	}
	if o.Priority == "" {
		o.Priority = jobs.PriorityMedium
	}
	if o.Encoding == "" {
		o.Encoding = EncodingAuto
	}
	if o.JobName == "" {
		v.Add("job_name", "give the import job a name so you can find it on the Status page")
	} else if len(o.JobName) > 200 {
		v.Add("job_name", "the job name must be at most 200 characters")
	}
	if o.Method != MethodAdd && o.Method != MethodUpdate {
		v.Add("method", "method must be add (Add New) or update (Update Current)")
	}
	if !o.Priority.Valid() {
		v.Add("priority", "priority must be low, medium or high")
	}
	if !o.Encoding.Valid() {
		v.Add("encoding", "encoding must be auto, utf-8, utf-16 or windows-1252")
	}
	if !o.RunAt.IsZero() && o.RunAt.Before(now.Add(-time.Minute)) {
		v.Add("run_at", "the scheduled time is in the past; leave it empty to start now")
	}
}

// Problem is one row's problem found when the file was checked.
type Problem struct {
	Row     int    `json:"row"` // line in the file
	Key     string `json:"key"` // username or group name, when known
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Preview is what the upload found: how many rows, how many look valid, and
// the problems of the others (at most maxProblems listed).
type Preview struct {
	Rows     int       `json:"rows"`
	Valid    int       `json:"valid"`
	Invalid  int       `json:"invalid"`
	Problems []Problem `json:"problems"`
}

const maxProblems = 1000

func (p *Preview) add(pr Problem) {
	p.Invalid++
	if len(p.Problems) < maxProblems {
		p.Problems = append(p.Problems, pr)
	}
}

// Job is an import job as the Status page shows it (never its rows).
type Job struct {
	ID          int64          `json:"id"`
	CompanyID   int64          `json:"company_id"`
	Kind        string         `json:"kind"`
	Name        string         `json:"name"`
	Status      jobs.Status    `json:"status"`
	StatusLabel string         `json:"status_label"`
	Priority    jobs.Priority  `json:"priority"`
	Method      Method         `json:"method"`
	RunAt       time.Time      `json:"run_at"`
	TestMode    bool           `json:"test_mode"`
	CreatedBy   int64          `json:"created_by"`
	CreatedAt   time.Time      `json:"created_at"`
	StartedAt   time.Time      `json:"started_at,omitzero"`
	FinishedAt  time.Time      `json:"finished_at,omitzero"`
	Done        int            `json:"done"`
	Total       int            `json:"total"`
	LastError   string         `json:"last_error"`
	Counts      map[string]int `json:"counts"`
}

// Percent is the job's progress for a progress bar.
func (j Job) Percent() int {
	if j.Total == 0 {
		if j.Status == jobs.StatusCompleted {
			return 100
		}
		return 0
	}
	return min(100, j.Done*100/j.Total)
}

// KindLabel names the kind as the UI does.
func (j Job) KindLabel() string {
	if j.Kind == KindGroups {
		return "Group import"
	}
	return "Employee import"
}

// Submitted is the answer to an upload: the job and the preview.
type Submitted struct {
	Job     Job     `json:"job"`
	Preview Preview `json:"preview"`
}

// header is the part of every import's arguments the Status page reads.
type header struct {
	CompanyID int64  `json:"company_id"`
	Method    Method `json:"method"`
}

func (s *Service) view(ctx context.Context, j jobs.Job) (Job, error) {
	var h header
	_ = json.Unmarshal(j.Args, &h)
	out := Job{ID: j.ID, CompanyID: j.CompanyID, Kind: j.Kind, Name: j.Name, Status: j.Status, StatusLabel: j.Status.Label(),
		Priority: j.Priority, Method: h.Method, RunAt: j.RunAt, TestMode: j.TestMode, CreatedBy: j.CreatedBy, CreatedAt: j.CreatedAt,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, Done: j.Done, Total: j.Total, LastError: j.LastError}
	counts, err := s.d.Jobs.ItemCounts(ctx, j.CompanyID, j.ID)
	if err != nil {
		return Job{}, err
	}
	out.Counts = counts
	return out, nil
}

func (s *Service) enqueue(ctx context.Context, actor access.Actor, companyID int64, kind string, o Options, args any) (Job, error) {
	raw, err := json.Marshal(args)
	if err != nil {
		return Job{}, err
	}
	j, err := s.d.Jobs.Enqueue(ctx, jobs.Job{CompanyID: companyID, Kind: kind, Name: o.JobName, Args: raw,
		Priority: o.Priority, RunAt: o.RunAt, TestMode: o.TestMode, MaxAttempts: 1, CreatedBy: actor.AccountID})
	if err != nil {
		return Job{}, err
	}
	return s.view(ctx, j)
}

// companyOf is the company an import names: the actor's own when none is
// given. Operators work across companies and must name one; a company
// account naming another company gets ErrNotFound from access.
func companyOf(actor access.Actor, companyID int64) (int64, error) {
	if companyID != 0 {
		return companyID, nil
	}
	if actor.CompanyID == 0 {
		return 0, derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
	}
	return actor.CompanyID, nil
}

// authorizeStatus lets actor read companyID's import jobs: anyone who may
// import there. Group admins see only the jobs they submitted.
func (s *Service) authorizeStatus(ctx context.Context, actor access.Actor, companyID int64) error {
	return s.d.Access.Check(ctx, actor, access.ImportEmployees, access.Company(companyID))
}

// Jobs lists companyID's import jobs as actor may see them, newest first.
func (s *Service) Jobs(ctx context.Context, actor access.Actor, companyID int64, kind string, p store.Page) ([]Job, int, error) {
	p.Count = true
	pg, err := s.JobsPage(ctx, actor, companyID, kind, p)
	return pg.Items, pg.Total, err
}

// JobsPage is one page of import jobs.
type JobsPage struct {
	Items []Job
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// JobsPage is Jobs for the API: p.After continues a keyset walk and the
// total is counted only when p.Count asks (docs/performance.md). Access is
// decided again for every page; a cursor only positions.
func (s *Service) JobsPage(ctx context.Context, actor access.Actor, companyID int64, kind string, p store.Page) (JobsPage, error) {
	none := JobsPage{Total: -1}
	companyID, err := companyOf(actor, companyID)
	if err != nil {
		return none, err
	}
	if err := s.authorizeStatus(ctx, actor, companyID); err != nil {
		return none, err
	}
	if kind != "" && kind != KindEmployees && kind != KindGroups {
		return none, derrors.Invalid("kind", "kind must be %s or %s", KindEmployees, KindGroups)
	}
	kinds := []string{KindEmployees, KindGroups}
	if kind != "" {
		kinds = []string{kind}
	}
	pg, err := s.d.Jobs.ListPage(ctx, jobs.Filter{CompanyID: companyID, Kinds: kinds, CreatedBy: access.JobsStartedBy(actor)}, p)
	if err != nil {
		return none, err
	}
	out := JobsPage{Items: make([]Job, 0, len(pg.Items)), Total: pg.Total, Next: pg.Next}
	for _, j := range pg.Items {
		v, err := s.view(ctx, j)
		if err != nil {
			return none, err
		}
		out.Items = append(out.Items, v)
	}
	return out, nil
}

// job loads an import job actor may see; anything else is ErrNotFound.
func (s *Service) job(ctx context.Context, actor access.Actor, id int64) (jobs.Job, error) {
	scope := actor.CompanyID
	if actor.IsOperator() {
		scope = jobs.AllCompanies
	}
	if scope == 0 {
		return jobs.Job{}, derrors.ErrNotFound
	}
	j, err := s.d.Jobs.Job(ctx, scope, id)
	if err != nil {
		return jobs.Job{}, err
	}
	if (j.Kind != KindEmployees && j.Kind != KindGroups) || j.CompanyID == 0 {
		return jobs.Job{}, derrors.ErrNotFound
	}
	if err := s.authorizeStatus(ctx, actor, j.CompanyID); err != nil {
		if errors.Is(err, derrors.ErrForbidden) {
			return jobs.Job{}, err
		}
		return jobs.Job{}, derrors.ErrNotFound
	}
	if err := s.d.Access.CheckJobRead(ctx, actor, j.CompanyID, j.CreatedBy); err != nil {
		return jobs.Job{}, err
	}
	return j, nil
}

// Job returns one import job with its item counts.
func (s *Service) Job(ctx context.Context, actor access.Actor, id int64) (Job, error) {
	j, err := s.job(ctx, actor, id)
	if err != nil {
		return Job{}, err
	}
	return s.view(ctx, j)
}

// Items returns a page of an import job's per-row results.
func (s *Service) Items(ctx context.Context, actor access.Actor, id int64, p store.Page) ([]jobs.Item, int, error) {
	j, err := s.job(ctx, actor, id)
	if err != nil {
		return nil, 0, err
	}
	return s.d.Jobs.Items(ctx, j.CompanyID, j.ID, p)
}

// Cancel cancels an import job that has not started.
func (s *Service) Cancel(ctx context.Context, actor access.Actor, id int64) (Job, error) {
	j, err := s.job(ctx, actor, id)
	if err != nil {
		return Job{}, err
	}
	if err := s.d.Jobs.Cancel(ctx, j.CompanyID, j.ID); err != nil {
		return Job{}, err
	}
	if j, err = s.d.Jobs.Job(ctx, j.CompanyID, j.ID); err != nil {
		return Job{}, err
	}
	return s.view(ctx, j)
}

// runner is the context of one running import: the actor who submitted it
// (with the rights they have now) and the audit attribution.
func (s *Service) runner(ctx context.Context, j *jobs.Job) (context.Context, access.Actor, error) {
	acct, err := s.d.Identity.Account(ctx, j.CreatedBy)
	if err != nil {
		if derrors.IsNotFound(err) {
			return ctx, access.Actor{}, errors.New("the account that submitted the import no longer exists")
		}
		return ctx, access.Actor{}, err
	}
	ctx = audit.WithActor(ctx, audit.Actor{ID: acct.ID, Username: acct.Username, ProviderID: acct.ProviderID})
	return ctx, acct.Actor(), nil
}

// savepoint runs fn inside a savepoint of the transaction in ctx
// (store.DB.Savepoint), so a statement the database refuses undoes only
// fn's work. fn's error, once undone, comes back as a *rowError: the import
// goes on without the row. An error of the savepoint itself does not.
func (s *Service) savepoint(ctx context.Context, fn func() error) error {
	err := s.d.DB.Savepoint(ctx, func(context.Context) error { return fn() })
	if err == nil || errors.Is(err, store.ErrSavepoint) {
		return err
	}
	return &rowError{err}
}

// rowError is a row the database refused; the import goes on without it.
type rowError struct{ err error }

func (e *rowError) Error() string { return e.err.Error() }
func (e *rowError) Unwrap() error { return e.err }

// userMessage turns a domain error into the sentence a row result shows.
// Any other error (a fault of the database, say) is not shown: its text
// could name tables and constraints. The user reads a sentence they can act
// on, and the error itself goes to the log (logFault).
func userMessage(err error) string {
	if msg, ok := domainMessage(err); ok {
		return msg
	}
	return "the row could not be saved: the directory changed while the import ran, or the database refused it; run the import again (details are in the server log)"
}

func domainMessage(err error) (string, bool) {
	var v *derrors.ValidationError
	var c *derrors.ConflictError
	var f *derrors.ForbiddenError
	switch {
	case errors.As(err, &v):
		return v.Error(), true
	case errors.As(err, &c):
		return c.Message, true
	case errors.As(err, &f):
		return f.Reason, true
	case derrors.IsNotFound(err):
		return "not found", true
	}
	return "", false
}

// logFault logs an error userMessage does not show.
func (s *Service) logFault(ctx context.Context, what string, err error) {
	if _, ok := domainMessage(err); ok {
		return
	}
	logger := s.d.Logger
	if logger == nil {
		logger = slog.Default()
	}
	logger.ErrorContext(ctx, "import: "+what, "err", err)
}

// chunkRows is how many rows share one savepoint while nothing fails. A
// chunk's new employees are written together by directory.CreateEmployees
// (a few statements), so a larger chunk means fewer statements; 512 is one
// multi-row INSERT of accounts on SQLite (PostgreSQL takes any number in
// one), and a failing chunk replayed row by row stays short.
const chunkRows = 512

// applyChunked applies n rows in the transaction in ctx, writing each
// row's result into results. Rows go in chunks of chunkRows under one
// savepoint each (a savepoint per row costs a sub-journal write per row on
// SQLite), batch applying rows [lo, hi) together; when a chunk fails, it is
// rolled back and applied again row by row with one, each row in its own
// savepoint, so the failing row is reported and the others still apply.
// With allOrNothing the first failure is returned and rolls the whole
// transaction back.
func (s *Service) applyChunked(ctx context.Context, n int, allOrNothing bool, results []itemResult,
	batch func(ctx context.Context, lo, hi int) error, one func(ctx context.Context, i int) (itemResult, error)) error {
	for lo := 0; lo < n; lo += chunkRows {
		hi := min(lo+chunkRows, n)
		err := s.savepoint(ctx, func() error { return batch(ctx, lo, hi) })
		var re *rowError
		if err == nil {
			continue
		}
		if !errors.As(err, &re) || allOrNothing {
			return err
		}
		for i := lo; i < hi; i++ {
			var res itemResult
			err := s.savepoint(ctx, func() error {
				var err error
				res, err = one(ctx, i)
				return err
			})
			if res, err = s.rowOutcome(ctx, res, err, false); err != nil {
				return err
			}
			results[i] = res
		}
	}
	return nil
}
