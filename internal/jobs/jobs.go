package jobs

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Status is where a job is in its life. The UI shows the portal's words:
// Not Started, In Progress, Completed, Error (and Cancelled).
type Status string

// Statuses of a job.
const (
	StatusNotStarted Status = "not_started"
	StatusInProgress Status = "in_progress"
	StatusCompleted  Status = "completed"
	StatusError      Status = "error"
	StatusCancelled  Status = "cancelled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	switch s {
	case StatusNotStarted, StatusInProgress, StatusCompleted, StatusError, StatusCancelled:
		return true
	}
	return false
}

// Label is the status as the UI shows it.
func (s Status) Label() string {
	switch s {
	case StatusNotStarted:
		return "Not Started"
	case StatusInProgress:
		return "In Progress"
	case StatusCompleted:
		return "Completed"
	case StatusError:
		return "Error"
	case StatusCancelled:
		return "Cancelled"
	}
	return string(s)
}

// Priority orders due jobs: high before medium before low.
type Priority string

// Priorities of a job.
const (
	PriorityLow    Priority = "low"
	PriorityMedium Priority = "medium"
	PriorityHigh   Priority = "high"
)

func (p Priority) rank() int {
	switch p {
	case PriorityLow:
		return 1
	case PriorityHigh:
		return 3
	}
	return 2
}

func priorityOf(rank int) Priority {
	switch rank {
	case 1:
		return PriorityLow
	case 3:
		return PriorityHigh
	}
	return PriorityMedium
}

// Valid reports whether p is a known priority.
func (p Priority) Valid() bool {
	return p == PriorityLow || p == PriorityMedium || p == PriorityHigh
}

// Item statuses. In test mode a handler reports what it would do as
// Would(action), for example Would("activate") = "would_activate".
const (
	ItemPending = "pending"
	ItemOK      = "ok"
	ItemError   = "error"
	ItemSkipped = "skipped"
	wouldPrefix = "would_"
)

// Would returns the test-mode item status for action ("would_activate").
func Would(action string) string { return wouldPrefix + action }

// ValidItemStatus reports whether s may be recorded as an item status.
func ValidItemStatus(s string) bool {
	switch s {
	case ItemPending, ItemOK, ItemError, ItemSkipped:
		return true
	}
	return strings.HasPrefix(s, wouldPrefix) && len(s) > len(wouldPrefix)
}

// Scopes of a read, besides a positive company id.
const (
	// ProviderLevel selects only jobs that belong to no company.
	ProviderLevel int64 = 0
	// AllCompanies selects every job: the provider operator's view. Only
	// pass it after access has established the actor may see everything.
	AllCompanies int64 = -1
)

// DefaultMaxAttempts is how many times a job is tried unless it says otherwise.
const DefaultMaxAttempts = 3

// Job is one unit of background work.
type Job struct {
	ID          int64           `json:"id"`
	CompanyID   int64           `json:"company_id,omitempty"` // 0: a provider-level job
	Kind        string          `json:"kind"`
	Name        string          `json:"name"`
	Args        json.RawMessage `json:"args"`
	Status      Status          `json:"status"`
	Priority    Priority        `json:"priority"`
	RunAt       time.Time       `json:"run_at"`
	TestMode    bool            `json:"test_mode"`
	Attempts    int             `json:"attempts"`
	MaxAttempts int             `json:"max_attempts"`
	CreatedBy   int64           `json:"created_by,omitempty"`
	CreatedAt   time.Time       `json:"created_at"`
	StartedAt   time.Time       `json:"started_at,omitzero"`
	FinishedAt  time.Time       `json:"finished_at,omitzero"`
	Done        int             `json:"done"`
	Total       int             `json:"total"`
	LastError   string          `json:"last_error,omitempty"`

	leaseOwner string
	leaseUntil int64
}

// DecodeArgs unmarshals the job's arguments into v.
func (j *Job) DecodeArgs(v any) error {
	if len(j.Args) == 0 {
		return nil
	}
	if err := json.Unmarshal(j.Args, v); err != nil {
		return fmt.Errorf("jobs: job %d (%s) arguments: %w", j.ID, j.Kind, err)
	}
	return nil
}

// Item is one per-item result of a job.
type Item struct {
	JobID   int64  `json:"job_id"`
	Seq     int    `json:"seq"`
	Key     string `json:"key"`
	Status  string `json:"status"`
	Message string `json:"message,omitempty"`
}

// Reporter is what a running handler tells the user through. Writes are
// buffered and saved in short transactions of their own (every so often, on
// SetTotal and Flush, and when the job ends), so the UI sees progress while
// the job runs without a write per item. Called with a ctx that carries a
// transaction, a save joins that transaction.
type Reporter interface {
	// TestMode reports whether this is a dry run: the handler must change
	// nothing and report Would(action) items instead.
	TestMode() bool
	// SetTotal sets how many items the job will process.
	SetTotal(ctx context.Context, total int) error
	// Item records one item's result and counts it as done.
	Item(ctx context.Context, key, status, message string) error
	// Progress sets how many items are done, for handlers that do not
	// report items one by one.
	Progress(ctx context.Context, done int) error
	// Flush saves what is buffered now.
	Flush(ctx context.Context) error
	// Committed saves what is buffered and marks the job's work done, in
	// the transaction in ctx that holds the work itself. A worker that dies
	// after that commit, before ending the job, leaves a job that recovery
	// completes with the items saved, so the record always matches the
	// data; without it, such a job would end in error with a report of
	// nothing.
	Committed(ctx context.Context) error
}

// Handler runs one job of a kind. It must be idempotent: a job whose worker
// died is run again from the start. Returning an error ends the job in error
// with the message, unless the error is a RetryableError and attempts remain.
// ctx is cancelled when the worker loses the job's lease or is stopped hard.
type Handler func(ctx context.Context, job *Job, rep Reporter) error

// RetryableError asks for the job to be tried again after a back-off.
type RetryableError struct {
	Err error
	// After overrides the back-off when positive.
	After time.Duration
}

func (e *RetryableError) Error() string { return e.Err.Error() }

// Unwrap returns the cause.
func (e *RetryableError) Unwrap() error { return e.Err }

// Retryable marks err as temporary: the job is retried with back-off until
// its attempts run out.
func Retryable(err error) error { return &RetryableError{Err: err} }

// RetryAfter marks err as temporary and asks for the next try after d.
func RetryAfter(err error, d time.Duration) error { return &RetryableError{Err: err, After: d} }

// Backoff is the wait before attempt n+1: 30 s doubling, capped at 1 hour.
func Backoff(attempts int) time.Duration {
	d := 30 * time.Second
	for i := 1; i < attempts && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// Service enqueues and reads jobs; its workers run them.
type Service struct {
	db     *store.DB
	access *access.Service
	audit  *audit.Log
	logger *slog.Logger

	mu       sync.RWMutex
	handlers map[string]Handler
	now      func() time.Time
}

// New returns a Service on db recording to log.
func New(db *store.DB, log *audit.Log, logger *slog.Logger) *Service {
	if logger == nil {
		logger = slog.Default()
	}
	return &Service{db: db, access: access.New(db), audit: log, logger: logger, handlers: map[string]Handler{}, now: time.Now}
}

// SetClock replaces the clock (tests move time forward with it).
func (s *Service) SetClock(now func() time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = now
}

func (s *Service) clock() time.Time {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.now()
}

// Register installs the handler for kind. Workers claim only kinds that have
// a handler, and Enqueue refuses kinds that have none.
func (s *Service) Register(kind string, h Handler) {
	if kind == "" || h == nil {
		panic("jobs: Register needs a kind and a handler")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[kind] = h
}

func (s *Service) handler(kind string) (Handler, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.handlers[kind]
	return h, ok
}

func (s *Service) kinds() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.handlers))
	for k := range s.handlers {
		out = append(out, k)
	}
	return out
}

// maxNameLen bounds a job name as the UI shows it.
const maxNameLen = 200

// Enqueue stores job in the transaction carried by ctx (or its own), so the
// job exists exactly when the change that needs it commits, and records
// "Create Job". It fills defaults — name from kind, medium priority, run now,
// DefaultMaxAttempts, the actor in ctx as CreatedBy — and returns the job.
func (s *Service) Enqueue(ctx context.Context, job Job) (_ Job, err error) {
	defer derrors.Wrap(&err, "jobs: enqueue %s", job.Kind)
	now := s.clock()
	job.Name = strings.TrimSpace(job.Name)
	if job.Name == "" {
		job.Name = job.Kind
	}
	if job.Priority == "" {
		job.Priority = PriorityMedium
	}
	if job.RunAt.IsZero() {
		job.RunAt = now
	}
	if job.MaxAttempts == 0 {
		job.MaxAttempts = DefaultMaxAttempts
	}
	if len(job.Args) == 0 {
		job.Args = json.RawMessage("{}")
	}
	if job.CreatedBy == 0 {
		job.CreatedBy = audit.ActorFrom(ctx).ID
	}
	v := &derrors.ValidationError{}
	if job.Kind == "" {
		v.Add("kind", "the job needs a kind")
	} else if _, ok := s.handler(job.Kind); !ok {
		v.Add("kind", "there is no job of kind %q", job.Kind)
	}
	if len(job.Name) > maxNameLen {
		v.Add("name", "the job name must be at most %d characters", maxNameLen)
	}
	if !job.Priority.Valid() {
		v.Add("priority", "priority must be low, medium or high")
	}
	if job.MaxAttempts < 1 || job.MaxAttempts > 25 {
		v.Add("max_attempts", "max attempts must be between 1 and 25")
	}
	if job.CompanyID < 0 {
		v.Add("company_id", "a job belongs to one company or to none")
	}
	if !json.Valid(job.Args) {
		v.Add("args", "the job arguments are not valid JSON")
	}
	if err := v.Err(); err != nil {
		return Job{}, err
	}
	job.Status = StatusNotStarted
	job.RunAt = job.RunAt.UTC().Truncate(time.Millisecond)
	job.CreatedAt = now.UTC().Truncate(time.Millisecond)
	job.Attempts, job.Done, job.Total, job.LastError = 0, 0, 0, ""
	job.StartedAt, job.FinishedAt = time.Time{}, time.Time{}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO jobs (company_id, kind, name, args, status, priority, run_at,
			test_mode, max_attempts, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			nullID(job.CompanyID), job.Kind, job.Name, string(job.Args), job.Status, job.Priority.rank(),
			job.RunAt.UnixMilli(), job.TestMode, job.MaxAttempts, nullID(job.CreatedBy), job.CreatedAt.UnixMilli()).Scan(&job.ID)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Job", ObjectKind: "job", ObjectID: job.ID, ObjectName: job.Name,
			CompanyID: job.CompanyID, After: summary(job, nil)})
	})
	if err != nil {
		return Job{}, err
	}
	return job, nil
}

// summary is what the audit log keeps of a job: never its arguments, which
// may hold imported personal data.
func summary(j Job, counts map[string]int) map[string]any {
	m := map[string]any{
		"kind": j.Kind, "name": j.Name, "status": j.Status, "priority": j.Priority,
		"run_at": j.RunAt, "test_mode": j.TestMode,
	}
	if j.Status == StatusCompleted || j.Status == StatusError {
		m["attempts"] = j.Attempts
		m["done"] = j.Done
		m["total"] = j.Total
		m["items"] = counts
		if j.LastError != "" {
			m["error"] = j.LastError
		}
	}
	return m
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// scope returns the condition limiting reads of the jobs table (aliased
// prefix, "" or "j.") to companyID. An unknown negative id matches nothing.
func scope(prefix string, companyID int64) (string, []any) {
	switch {
	case companyID > 0:
		return prefix + "company_id = ?", []any{companyID}
	case companyID == ProviderLevel:
		return prefix + "company_id IS NULL", nil
	case companyID == AllCompanies:
		return "1 = 1", nil
	}
	return "1 = 0", nil
}

const jobColumns = `id, COALESCE(company_id, 0), kind, name, args, status, priority, run_at, test_mode, attempts,
	max_attempts, COALESCE(created_by, 0), created_at, started_at, finished_at, progress_done, progress_total,
	last_error, lease_owner, lease_until`

type scanner interface{ Scan(dest ...any) error }

func scanJob(r scanner) (Job, error) {
	var j Job
	var args, status string
	var prio int
	var runAt, created, started, finished int64
	err := r.Scan(&j.ID, &j.CompanyID, &j.Kind, &j.Name, &args, &status, &prio, &runAt, &j.TestMode, &j.Attempts,
		&j.MaxAttempts, &j.CreatedBy, &created, &started, &finished, &j.Done, &j.Total, &j.LastError,
		&j.leaseOwner, &j.leaseUntil)
	if err != nil {
		return Job{}, err
	}
	j.Args = json.RawMessage(args)
	j.Status = Status(status)
	j.Priority = priorityOf(prio)
	j.RunAt, j.CreatedAt = store.Time(runAt), store.Time(created)
	if started != 0 {
		j.StartedAt = store.Time(started)
	}
	if finished != 0 {
		j.FinishedAt = store.Time(finished)
	}
	return j, nil
}

// Job returns job id as seen from companyID (a company, ProviderLevel or
// AllCompanies). A job outside the scope is ErrNotFound, like a missing one.
func (s *Service) Job(ctx context.Context, companyID, id int64) (_ Job, err error) {
	defer derrors.Wrap(&err, "jobs: job %d", id)
	cond, args := scope("", companyID)
	j, err := scanJob(s.db.Q(ctx).QueryRow(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = ? AND "+cond,
		append([]any{id}, args...)...))
	if errors.Is(err, sql.ErrNoRows) {
		return Job{}, derrors.ErrNotFound
	}
	return j, err
}

// Filter narrows List. CompanyID scopes as in Job (a company, ProviderLevel
// or AllCompanies); CompanyIDs, when non-nil, further restricts to those
// companies (a reseller's), and an empty non-nil slice matches nothing.
type Filter struct {
	CompanyID  int64
	CompanyIDs []int64
	Kind       string
	// Kinds, when set, keeps jobs of any of these kinds.
	Kinds  []string
	Status Status
	// CreatedBy, when set, keeps the jobs that account started.
	CreatedBy int64
}

// List returns jobs matching f, newest first, and how many match.
func (s *Service) List(ctx context.Context, f Filter, p store.Page) ([]Job, int, error) {
	p.Count = true
	pg, err := s.ListPage(ctx, f, p)
	return pg.Items, pg.Total, err
}

// Page is one page of jobs.
type Page struct {
	Items []Job
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// newestFirst is the keyset order of the job lists: (created_at, id)
// descending, walked on jobs_company (docs/performance.md).
var newestFirst = store.Keyset{Name: "newest", Keys: []store.SortKey{{Expr: "created_at", Int: true}}, ID: "id", Desc: true}

// ListPage is List with keyset paging: p.After continues after a job and
// the total is counted only when p.Count asks. It decides no permission.
func (s *Service) ListPage(ctx context.Context, f Filter, p store.Page) (out Page, err error) {
	defer derrors.Wrap(&err, "jobs: list")
	out.Total = -1
	cond, args := scope("", f.CompanyID)
	where := []string{cond}
	if f.CompanyIDs != nil {
		if len(f.CompanyIDs) == 0 {
			return Page{}, nil
		}
		where = append(where, "company_id IN ("+store.Placeholders(len(f.CompanyIDs))+")")
		for _, id := range f.CompanyIDs {
			args = append(args, id)
		}
	}
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if len(f.Kinds) > 0 {
		where = append(where, "kind IN ("+store.Placeholders(len(f.Kinds))+")")
		for _, k := range f.Kinds {
			args = append(args, k)
		}
	}
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, string(f.Status))
	}
	if f.CreatedBy != 0 {
		where, args = append(where, "created_by = ?"), append(args, f.CreatedBy)
	}
	w := " WHERE " + strings.Join(where, " AND ")
	q := s.db.Q(ctx)
	if p.Count {
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM jobs"+w, args...).Scan(&out.Total); err != nil {
			return out, err
		}
	}
	pageW, pageArgs, offset := w, args, p.Offset()
	if p.After != "" {
		c, a, err := newestFirst.After(p.After)
		if err != nil {
			return out, err
		}
		pageW, pageArgs, offset = w+" AND "+c, append(append([]any{}, args...), a...), 0
	}
	// One job more than the page tells whether a next page exists.
	rows, err := q.Query(ctx, "SELECT "+jobColumns+" FROM jobs"+pageW+" ORDER BY "+newestFirst.OrderBy()+" LIMIT ? OFFSET ?",
		append(pageArgs, p.Limit()+1, offset)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return out, err
		}
		if len(out.Items) == p.Limit() {
			last := out.Items[len(out.Items)-1]
			out.Next = newestFirst.Cursor([]any{last.CreatedAt.UnixMilli()}, last.ID)
			break
		}
		out.Items = append(out.Items, j)
	}
	return out, rows.Err()
}

// Items returns one page of job id's per-item results in order, and how many
// there are. A job outside companyID's scope is ErrNotFound.
func (s *Service) Items(ctx context.Context, companyID, jobID int64, p store.Page) (_ []Item, total int, err error) {
	defer derrors.Wrap(&err, "jobs: items of job %d", jobID)
	if _, err := s.Job(ctx, companyID, jobID); err != nil {
		return nil, 0, err
	}
	q := s.db.Q(ctx)
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM job_items WHERE job_id = ?", jobID).Scan(&total); err != nil {
		return nil, 0, err
	}
	rows, err := q.Query(ctx, "SELECT job_id, seq, item_key, status, message FROM job_items WHERE job_id = ? ORDER BY seq LIMIT ? OFFSET ?",
		jobID, p.Limit(), p.Offset())
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var it Item
		if err := rows.Scan(&it.JobID, &it.Seq, &it.Key, &it.Status, &it.Message); err != nil {
			return nil, 0, err
		}
		out = append(out, it)
	}
	return out, total, rows.Err()
}

// ItemCounts returns how many items of job id ended in each status.
func (s *Service) ItemCounts(ctx context.Context, companyID, jobID int64) (_ map[string]int, err error) {
	defer derrors.Wrap(&err, "jobs: item counts of job %d", jobID)
	if _, err := s.Job(ctx, companyID, jobID); err != nil {
		return nil, err
	}
	return s.counts(ctx, jobID)
}

func (s *Service) counts(ctx context.Context, jobID int64) (map[string]int, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT status, COUNT(*) FROM job_items WHERE job_id = ? GROUP BY status", jobID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return nil, err
		}
		out[st] = n
	}
	return out, rows.Err()
}

// Cancel cancels job id if it has not started, recording "Cancel Job". A
// job outside companyID's scope is ErrNotFound; one already started (or
// finished) is a conflict.
func (s *Service) Cancel(ctx context.Context, companyID, id int64) (err error) {
	defer derrors.Wrap(&err, "jobs: cancel job %d", id)
	now := s.clock().UnixMilli()
	return s.db.Tx(ctx, func(ctx context.Context) error {
		cond, args := scope("", companyID)
		res, err := s.db.Q(ctx).Exec(ctx, "UPDATE jobs SET status = ?, finished_at = ? WHERE id = ? AND status = ? AND "+cond,
			append([]any{StatusCancelled, now, id, StatusNotStarted}, args...)...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		j, err := s.Job(ctx, companyID, id)
		if err != nil {
			return err
		}
		if n == 0 {
			return derrors.Conflict("status", "the job is %s: only a job that has not started can be cancelled", strings.ToLower(j.Status.Label()))
		}
		return s.audit.Record(ctx, audit.Event{Event: "Cancel Job", ObjectKind: "job", ObjectID: j.ID, ObjectName: j.Name,
			CompanyID: j.CompanyID, After: summary(j, nil)})
	})
}

// Delete removes a finished job's record and its items (never what the job
// did); a job in companyID's scope that is queued or running is a conflict.
func (s *Service) Delete(ctx context.Context, companyID, id int64) (err error) {
	defer derrors.Wrap(&err, "jobs: delete job %d", id)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		j, err := s.Job(ctx, companyID, id)
		if err != nil {
			return err
		}
		if j.Status == StatusNotStarted || j.Status == StatusInProgress {
			return derrors.Conflict("status", "the job is %s: delete it once it has ended", strings.ToLower(j.Status.Label()))
		}
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM job_items WHERE job_id = ?", id); err != nil {
			return err
		}
		_, err = q.Exec(ctx, "DELETE FROM jobs WHERE id = ?", id)
		return err
	})
}
