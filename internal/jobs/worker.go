package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// WorkerConfig tunes a Worker. The zero value is usable.
type WorkerConfig struct {
	// Slots is how many jobs run at once on this worker (default 4).
	Slots int
	// PollInterval is how often Run looks for due jobs (default 1 s).
	PollInterval time.Duration
	// Lease is how long a claim holds a job without renewal (default 2 min);
	// the worker renews it every Lease/3 while the handler runs, so a job is
	// claimed again about one Lease after its worker dies.
	Lease time.Duration
	// Owner names this worker in lease_owner (default host-pid-random).
	Owner string
}

// Worker claims due jobs and runs their handlers. Run it on every node:
// leases keep any job on one worker at a time.
type Worker struct {
	s   *Service
	cfg WorkerConfig

	slots chan struct{}
	wake  chan struct{}

	mu      sync.Mutex
	stopped bool
	running sync.WaitGroup
	stopCh  chan struct{}

	base     context.Context
	hardStop context.CancelCauseFunc
}

var (
	// errLeaseLost means another worker holds (or may claim) the job now.
	errLeaseLost = errors.New("jobs: the job's lease was lost")
	// errStopping means the worker was stopped before the handler finished.
	errStopping = errors.New("jobs: worker stopped")
)

// NewWorker returns a worker for the handlers registered on s.
func (s *Service) NewWorker(cfg WorkerConfig) *Worker {
	if cfg.Slots < 1 {
		cfg.Slots = 4
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = time.Second
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 2 * time.Minute
	}
	if cfg.Owner == "" {
		host, _ := os.Hostname()
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		cfg.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
	}
	base, cancel := context.WithCancelCause(context.Background())
	return &Worker{s: s, cfg: cfg, slots: make(chan struct{}, cfg.Slots), wake: make(chan struct{}, 1),
		stopCh: make(chan struct{}), base: base, hardStop: cancel}
}

// Wake asks Run to look for due jobs now rather than at the next poll, for
// example after a request on this node committed an Enqueue.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Owner is the name this worker writes into lease_owner.
func (w *Worker) Owner() string { return w.cfg.Owner }

// Run claims and runs due jobs every PollInterval (and as soon as a slot
// frees) until ctx ends or Stop is called, then waits for running jobs to
// finish. Handlers do not see ctx's cancellation: only Stop's deadline
// interrupts them.
func (w *Worker) Run(ctx context.Context) error {
	t := time.NewTicker(w.cfg.PollInterval)
	defer t.Stop()
	defer w.running.Wait()
	for {
		if err := w.fill(ctx); err != nil && ctx.Err() == nil {
			w.s.logger.ErrorContext(ctx, "jobs: claim", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-w.stopCh:
			return nil
		case <-t.C:
		case <-w.wake:
		}
	}
}

// fill claims as many jobs as there are free slots and starts them.
func (w *Worker) fill(ctx context.Context) error {
	free := cap(w.slots) - len(w.slots)
	if free <= 0 {
		return nil
	}
	w.mu.Lock()
	stopped := w.stopped
	w.mu.Unlock()
	if stopped {
		return nil
	}
	jobs, err := w.claim(ctx, free)
	if err != nil {
		return err
	}
	for _, j := range jobs {
		w.mu.Lock()
		if w.stopped {
			// Stop came while claiming: hand the job back untouched.
			w.mu.Unlock()
			w.release(j)
			continue
		}
		w.running.Add(1)
		w.mu.Unlock()
		w.slots <- struct{}{}
		go func() {
			defer w.running.Done()
			defer func() {
				<-w.slots
				w.Wake()
			}()
			w.run(j)
		}()
	}
	return nil
}

// Stop stops claiming and waits for running jobs to finish. When ctx ends
// first it cancels their contexts, hands the jobs back for another worker
// (the interrupted attempt is not counted) and returns ctx's error.
func (w *Worker) Stop(ctx context.Context) error {
	w.mu.Lock()
	if !w.stopped {
		w.stopped = true
		close(w.stopCh)
	}
	w.mu.Unlock()
	done := make(chan struct{})
	go func() {
		w.running.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		w.hardStop(errStopping)
		<-done
		return fmt.Errorf("jobs: stop: %w", ctx.Err())
	}
}

// RunDue claims and runs due jobs until none is left, waiting for each batch
// (up to Slots at once). It returns how many jobs ran. It suits tests, a CLI
// command, and an embedded setup without Run.
func (w *Worker) RunDue(ctx context.Context) (int, error) {
	n := 0
	for {
		jobs, err := w.claim(ctx, cap(w.slots))
		if err != nil {
			return n, err
		}
		if len(jobs) == 0 {
			return n, nil
		}
		var wg sync.WaitGroup
		for _, j := range jobs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				w.run(j)
			}()
		}
		wg.Wait()
		n += len(jobs)
	}
}

// claim takes up to limit due jobs, highest priority first, under a lease.
// A job whose lease expired with no attempts left ends in error instead.
func (w *Worker) claim(ctx context.Context, limit int) ([]Job, error) {
	kinds := w.s.kinds()
	if len(kinds) == 0 || limit < 1 {
		return nil, nil
	}
	sort.Strings(kinds)
	now := w.s.clock().UnixMilli()
	db := w.s.db
	var out []Job
	err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		// A job whose work was committed (Reporter.Committed) before its
		// worker died is complete, with the report committed alongside;
		// any other is in error once no attempt is left.
		dead, err := queryJobs(ctx, q, `UPDATE jobs SET status = CASE WHEN outcome = ? THEN ? ELSE ? END, lease_owner = '',
			lease_until = 0, finished_at = ?, last_error = CASE WHEN outcome = ? THEN '' ELSE ? END
			WHERE id IN (SELECT id FROM jobs WHERE status = ? AND lease_until > 0 AND lease_until < ?
				AND (attempts >= max_attempts OR outcome = ?) ORDER BY id LIMIT 100`+db.SkipLocked()+`)
			RETURNING `+jobColumns, outcomeCompleted, StatusCompleted, StatusError, now,
			outcomeCompleted, "the worker running the job stopped responding and no attempts are left",
			StatusInProgress, now, outcomeCompleted)
		if err != nil {
			return err
		}
		for _, j := range dead {
			if err := w.s.recordEnd(ctx, j); err != nil {
				return err
			}
		}
		args := []any{StatusInProgress, w.cfg.Owner, now + w.cfg.Lease.Milliseconds(), now,
			StatusNotStarted, StatusInProgress, now, now}
		for _, k := range kinds {
			args = append(args, k)
		}
		args = append(args, limit)
		out, err = queryJobs(ctx, q, `UPDATE jobs SET status = ?, lease_owner = ?, lease_until = ?, attempts = attempts + 1,
			started_at = CASE WHEN started_at = 0 THEN ? ELSE started_at END, progress_done = 0, progress_total = 0, outcome = ''
			WHERE id IN (SELECT id FROM jobs WHERE status IN (?, ?) AND run_at <= ? AND lease_until < ?
				AND attempts < max_attempts AND kind IN (`+store.Placeholders(len(kinds))+`)
				ORDER BY priority DESC, run_at, id LIMIT ?`+db.SkipLocked()+`)
			RETURNING `+jobColumns, args...)
		if err != nil || len(out) == 0 {
			return err
		}
		// Items are the results of the latest attempt: a re-run reports afresh.
		ids := make([]any, len(out))
		for i, j := range out {
			ids[i] = j.ID
		}
		_, err = q.Exec(ctx, "DELETE FROM job_items WHERE job_id IN ("+store.Placeholders(len(ids))+")", ids...)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("jobs: claim: %w", err)
	}
	// RETURNING does not keep the subquery's order.
	sort.Slice(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if x.Priority.rank() != y.Priority.rank() {
			return x.Priority.rank() > y.Priority.rank()
		}
		if !x.RunAt.Equal(y.RunAt) {
			return x.RunAt.Before(y.RunAt)
		}
		return x.ID < y.ID
	})
	return out, nil
}

func queryJobs(ctx context.Context, q store.Querier, query string, args ...any) ([]Job, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// leaseCond is the guard on every write a worker makes to a claimed job: the
// job is still in progress, held by this worker, in this attempt.
const leaseCond = " WHERE id = ? AND status = 'in_progress' AND lease_owner = ? AND attempts = ?"

func leaseArgs(j Job) []any { return []any{j.ID, j.leaseOwner, j.Attempts} }

// run runs one claimed job to its end.
func (w *Worker) run(j Job) {
	h, ok := w.s.handler(j.Kind)
	if !ok { // unregistered after claiming: cannot happen in practice
		w.finish(j, nil, fmt.Errorf("no handler for job kind %q", j.Kind), nil)
		return
	}
	ctx, cancel := context.WithCancelCause(w.base)
	defer cancel(nil)
	rep := &reporter{w: w, job: j, lastSave: time.Now()}
	stopBeat := make(chan struct{})
	beatDone := make(chan struct{})
	go func() {
		defer close(beatDone)
		w.heartbeat(ctx, cancel, j, stopBeat)
	}()
	w.s.logger.InfoContext(ctx, "jobs: start", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "test_mode", j.TestMode)
	jc := j
	err := w.call(ctx, h, &jc, rep)
	close(stopBeat)
	<-beatDone
	rep.close()
	w.finish(j, rep, err, context.Cause(ctx))
}

// call runs h, turning a panic into an error: the operator gets the stack
// in the log, the user the message.
func (w *Worker) call(ctx context.Context, h Handler, j *Job, rep Reporter) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("the job failed unexpectedly: %v", p)
			w.s.logger.ErrorContext(ctx, "jobs: handler panicked", "id", j.ID, "kind", j.Kind, "panic", p, "stack", string(debug.Stack()))
		}
	}()
	return h(ctx, j, rep)
}

// heartbeat renews j's lease every Lease/3 until stop closes, cancelling the
// handler's context if the lease turns out to be lost.
func (w *Worker) heartbeat(ctx context.Context, cancel context.CancelCauseFunc, j Job, stop <-chan struct{}) {
	t := time.NewTicker(max(w.cfg.Lease/3, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-t.C:
		}
		held, err := w.renew(context.WithoutCancel(ctx), j)
		switch {
		case err != nil:
			w.s.logger.WarnContext(ctx, "jobs: renew lease", "id", j.ID, "err", err)
		case !held:
			w.s.logger.WarnContext(ctx, "jobs: lease lost; abandoning the job", "id", j.ID)
			cancel(errLeaseLost)
			return
		}
	}
}

func (w *Worker) renew(ctx context.Context, j Job) (bool, error) {
	var n int64
	err := w.s.db.Tx(ctx, func(ctx context.Context) error {
		res, err := w.s.db.Q(ctx).Exec(ctx, "UPDATE jobs SET lease_until = ?"+leaseCond,
			append([]any{w.s.clock().Add(w.cfg.Lease).UnixMilli()}, leaseArgs(j)...)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n > 0, err
}

// release hands a claimed job back without counting the attempt.
func (w *Worker) release(j Job) {
	ctx := context.WithoutCancel(w.base)
	err := w.s.db.Tx(ctx, func(ctx context.Context) error {
		// SET expressions see the row before the update: attempts = 1 means
		// this was the first attempt, so the job goes back to not started.
		_, err := w.s.db.Q(ctx).Exec(ctx, `UPDATE jobs SET lease_owner = '', lease_until = 0, attempts = attempts - 1,
			status = CASE WHEN attempts = 1 THEN 'not_started' ELSE status END,
			started_at = CASE WHEN attempts = 1 THEN 0 ELSE started_at END`+leaseCond, leaseArgs(j)...)
		return err
	})
	if err != nil {
		w.s.logger.ErrorContext(ctx, "jobs: release", "id", j.ID, "err", err)
	}
}

// finish records the outcome of one attempt. Every write is guarded by the
// lease: a worker that lost the job changes nothing.
func (w *Worker) finish(j Job, rep *reporter, herr, cause error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(w.base), 30*time.Second)
	defer cancel()
	log := w.s.logger
	switch {
	case errors.Is(cause, errLeaseLost):
		log.WarnContext(ctx, "jobs: attempt abandoned, lease lost", "id", j.ID, "attempt", j.Attempts, "err", herr)
		return
	case errors.Is(cause, errStopping) && herr != nil:
		log.InfoContext(ctx, "jobs: attempt interrupted by shutdown; handing the job back", "id", j.ID)
		w.release(j)
		return
	}
	now := w.s.clock()
	var retry *RetryableError
	var items []Item
	done, total := 0, 0
	if rep != nil {
		rep.mu.Lock()
		items, done, total = rep.pending, rep.done, rep.total
		rep.mu.Unlock()
	}
	if total < done {
		total = done
	}
	held := false
	err := w.s.db.Tx(ctx, func(ctx context.Context) error {
		q := w.s.db.Q(ctx)
		var query string
		var args []any
		switch {
		case herr == nil:
			j.Status, j.LastError = StatusCompleted, ""
			query = "UPDATE jobs SET status = ?, finished_at = ?, lease_owner = '', lease_until = 0, last_error = '', progress_done = ?, progress_total = ?"
			args = []any{j.Status, now.UnixMilli(), done, total}
		case errors.As(herr, &retry) && j.Attempts < j.MaxAttempts:
			wait := retry.After
			if wait <= 0 {
				wait = Backoff(j.Attempts)
			}
			j.LastError = truncate(herr.Error(), 1000)
			query = "UPDATE jobs SET run_at = ?, lease_owner = '', lease_until = 0, last_error = ?, progress_done = ?, progress_total = ?"
			args = []any{now.Add(wait).UnixMilli(), j.LastError, done, total}
		default:
			j.Status, j.LastError = StatusError, truncate(herr.Error(), 1000)
			query = "UPDATE jobs SET status = ?, finished_at = ?, lease_owner = '', lease_until = 0, last_error = ?, progress_done = ?, progress_total = ?"
			args = []any{j.Status, now.UnixMilli(), j.LastError, done, total}
		}
		res, err := q.Exec(ctx, query+leaseCond, append(args, leaseArgs(j)...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		held = true
		if err := w.s.insertItems(ctx, j.ID, items); err != nil {
			return err
		}
		if j.Status != StatusCompleted && j.Status != StatusError {
			return nil
		}
		j.Done, j.Total, j.FinishedAt = done, total, now
		return w.s.recordEnd(ctx, j)
	})
	switch {
	case err != nil:
		// The lease will expire and another worker will run the job again.
		log.ErrorContext(ctx, "jobs: record outcome", "id", j.ID, "err", err, "handler_err", herr)
	case !held:
		log.WarnContext(ctx, "jobs: outcome dropped, lease lost", "id", j.ID, "attempt", j.Attempts, "handler_err", herr)
	case herr == nil:
		log.InfoContext(ctx, "jobs: completed", "id", j.ID, "kind", j.Kind, "done", done, "total", total)
	case j.Status == StatusError:
		log.WarnContext(ctx, "jobs: error", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", herr)
	default:
		log.InfoContext(ctx, "jobs: retry scheduled", "id", j.ID, "kind", j.Kind, "attempt", j.Attempts, "err", herr)
	}
}

// recordEnd writes "Complete Job" or "Job Error" with the item counts.
func (s *Service) recordEnd(ctx context.Context, j Job) error {
	counts, err := s.counts(ctx, j.ID)
	if err != nil {
		return err
	}
	event := "Complete Job"
	if j.Status == StatusError {
		event = "Job Error"
	}
	return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: "job", ObjectID: j.ID, ObjectName: j.Name,
		CompanyID: j.CompanyID, After: summary(j, counts)})
}

// itemBatch bounds one multi-row INSERT of items.
const itemBatch = 100

func (s *Service) insertItems(ctx context.Context, jobID int64, items []Item) error {
	q := s.db.Q(ctx)
	for len(items) > 0 {
		n := min(len(items), itemBatch)
		args := make([]any, 0, n*5)
		for _, it := range items[:n] {
			args = append(args, jobID, it.Seq, it.Key, it.Status, it.Message)
		}
		if _, err := q.Exec(ctx, "INSERT INTO job_items (job_id, seq, item_key, status, message) VALUES "+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?),", n), ","), args...); err != nil {
			return err
		}
		items = items[n:]
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// saveEvery is how often buffered reports are saved while items arrive.
const saveEvery = 500 * time.Millisecond

// reporter buffers a running job's reports and saves them under its lease.
type reporter struct {
	w   *Worker
	job Job

	mu       sync.Mutex
	closed   bool
	pending  []Item
	seq      int
	done     int
	total    int
	lastSave time.Time
}

func (r *reporter) TestMode() bool { return r.job.TestMode }

func (r *reporter) SetTotal(ctx context.Context, total int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	r.total = max(total, 0)
	return r.save(ctx)
}

func (r *reporter) Item(ctx context.Context, key, status, message string) error {
	if !ValidItemStatus(status) {
		return fmt.Errorf("jobs: job %d: item %q: unknown status %q", r.job.ID, key, status)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	r.seq++
	r.done++
	r.pending = append(r.pending, Item{JobID: r.job.ID, Seq: r.seq, Key: truncate(key, 200), Status: status, Message: truncate(message, 1000)})
	if len(r.pending) >= itemBatch || time.Since(r.lastSave) >= saveEvery {
		return r.save(ctx)
	}
	return nil
}

func (r *reporter) Progress(ctx context.Context, done int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	r.done = max(done, 0)
	if time.Since(r.lastSave) >= saveEvery {
		return r.save(ctx)
	}
	return nil
}

func (r *reporter) Flush(ctx context.Context) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	return r.save(ctx)
}

// outcomeCompleted is jobs.outcome once the job's work is committed.
const outcomeCompleted = "completed"

func (r *reporter) Committed(ctx context.Context) error {
	if !store.InTx(ctx) {
		return fmt.Errorf("jobs: job %d: Committed belongs in the transaction of the job's work", r.job.ID)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.usable(); err != nil {
		return err
	}
	if err := r.save(ctx); err != nil {
		return err
	}
	res, err := r.w.s.db.Q(ctx).Exec(ctx, "UPDATE jobs SET outcome = ?"+leaseCond, append([]any{outcomeCompleted}, leaseArgs(r.job)...)...)
	if err != nil {
		return fmt.Errorf("jobs: job %d: record outcome: %w", r.job.ID, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("jobs: job %d: record outcome: %w", r.job.ID, errors.Join(err, errLeaseLost))
	}
	return nil
}

func (r *reporter) usable() error {
	if r.closed {
		return fmt.Errorf("jobs: job %d: the reporter was used after its handler returned", r.job.ID)
	}
	return nil
}

// close stops further reports; finish saves what is left with the outcome.
func (r *reporter) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
}

// save writes progress and buffered items in one short transaction (or the
// caller's, when ctx carries one). r.mu is held.
func (r *reporter) save(ctx context.Context) error {
	s := r.w.s
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).Exec(ctx, "UPDATE jobs SET progress_done = ?, progress_total = ?"+leaseCond,
			append([]any{r.done, max(r.total, r.done)}, leaseArgs(r.job)...)...)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return errLeaseLost
		}
		return s.insertItems(ctx, r.job.ID, r.pending)
	})
	if err != nil {
		return fmt.Errorf("jobs: job %d: save progress: %w", r.job.ID, err)
	}
	r.pending = r.pending[:0]
	r.lastSave = time.Now()
	return nil
}
