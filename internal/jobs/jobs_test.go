package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *fakeClock {
	return &fakeClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// seedCompanies makes a provider and two companies; it returns their ids.
func seedCompanies(t *testing.T, db *store.DB) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	var p, a, b int64
	err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		if err := q.QueryRow(ctx, "INSERT INTO providers (name, default_region, created_at) VALUES ('P', 'GB', 0) RETURNING id").Scan(&p); err != nil {
			return err
		}
		for _, id := range []*int64{&a, &b} {
			if err := q.QueryRow(ctx, "INSERT INTO companies (provider_id, name, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id",
				p, fmt.Sprintf("C%p", id)).Scan(id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// fixture is a service on a fake clock with a worker, both on db.
type fixture struct {
	db    *store.DB
	s     *Service
	log   *audit.Log
	clock *fakeClock
	a, b  int64
}

func newFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	log := audit.New(db)
	s := New(db, log, slog.New(slog.DiscardHandler))
	c := newClock()
	s.SetClock(c.Now)
	a, b := seedCompanies(t, db)
	return &fixture{db: db, s: s, log: log, clock: c, a: a, b: b}
}

func (f *fixture) enqueue(t *testing.T, j Job) Job {
	t.Helper()
	out, err := f.s.Enqueue(context.Background(), j)
	if err != nil {
		t.Fatalf("enqueue %+v: %v", j, err)
	}
	return out
}

func (f *fixture) job(t *testing.T, id int64) Job {
	t.Helper()
	j, err := f.s.Job(context.Background(), AllCompanies, id)
	if err != nil {
		t.Fatalf("job %d: %v", id, err)
	}
	return j
}

func (f *fixture) events(t *testing.T, event string) []audit.Entry {
	t.Helper()
	out, _, err := f.log.List(context.Background(), audit.Filter{Event: event}, store.Page{})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func nop(context.Context, *Job, Reporter) error { return nil }

func TestEnqueueJoinsTransaction(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.s.Register("activate_employees", nop)
		ctx := context.Background()
		boom := errors.New("the employee write failed")
		err := db.Tx(ctx, func(ctx context.Context) error {
			if _, err := f.s.Enqueue(ctx, Job{CompanyID: f.a, Kind: "activate_employees", Name: "Activate"}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx = %v", err)
		}
		if jobs, n, err := f.s.List(ctx, Filter{CompanyID: AllCompanies}, store.Page{}); err != nil || n != 0 || len(jobs) != 0 {
			t.Fatalf("after rollback: %d jobs, %v", n, err)
		}
		if ev := f.events(t, "Create Job"); len(ev) != 0 {
			t.Fatalf("audit kept a rolled-back job: %+v", ev)
		}

		ctx = audit.WithActor(ctx, audit.Actor{ID: 42, Username: "ann"})
		var id int64
		err = db.Tx(ctx, func(ctx context.Context) error {
			j, err := f.s.Enqueue(ctx, Job{CompanyID: f.a, Kind: "activate_employees", Name: " Activate ",
				Args: json.RawMessage(`{"ids":[1,2]}`), TestMode: true})
			id = j.ID
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		j := f.job(t, id)
		want := Job{ID: id, CompanyID: f.a, Kind: "activate_employees", Name: "Activate", Status: StatusNotStarted,
			Priority: PriorityMedium, RunAt: f.clock.Now(), TestMode: true, MaxAttempts: DefaultMaxAttempts,
			CreatedBy: 42, CreatedAt: f.clock.Now()}
		if string(j.Args) != `{"ids":[1,2]}` {
			t.Errorf("args %s", j.Args)
		}
		j.Args = nil
		if fmt.Sprint(j) != fmt.Sprint(want) {
			t.Errorf("stored job\n got %+v\nwant %+v", j, want)
		}
		ev := f.events(t, "Create Job")
		if len(ev) != 1 || ev[0].ObjectID != id || ev[0].CompanyID != f.a || ev[0].ActorUsername != "ann" {
			t.Fatalf("Create Job audit: %+v", ev)
		}
	})
}

func TestEnqueueValidates(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.s.Register("import_employees", nop)
		for _, j := range []Job{
			{Kind: "no_such_kind"},
			{Kind: ""},
			{Kind: "import_employees", Priority: "urgent"},
			{Kind: "import_employees", Args: json.RawMessage("{not json")},
			{Kind: "import_employees", MaxAttempts: 100},
			{Kind: "import_employees", CompanyID: AllCompanies},
		} {
			if _, err := f.s.Enqueue(context.Background(), j); !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("Enqueue(%+v) = %v, want ErrInvalid", j, err)
			}
		}
	})
}

func TestPriorityOrder(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var mu sync.Mutex
		var order []string
		f.s.Register("bulk_reboot", func(ctx context.Context, j *Job, rep Reporter) error {
			mu.Lock()
			defer mu.Unlock()
			order = append(order, j.Name)
			return nil
		})
		now := f.clock.Now()
		for _, j := range []Job{
			{Name: "low", Priority: PriorityLow},
			{Name: "medium", Priority: PriorityMedium},
			{Name: "high-now", Priority: PriorityHigh},
			{Name: "high-earlier", Priority: PriorityHigh, RunAt: now.Add(-time.Minute)},
			{Name: "medium-2", Priority: PriorityMedium},
		} {
			j.Kind, j.CompanyID = "bulk_reboot", f.a
			f.enqueue(t, j)
		}
		w := f.s.NewWorker(WorkerConfig{Slots: 1})
		n, err := w.RunDue(context.Background())
		if err != nil || n != 5 {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		want := []string{"high-earlier", "high-now", "medium", "medium-2", "low"}
		if !slices.Equal(order, want) {
			t.Fatalf("order %v, want %v", order, want)
		}
	})
}

func TestScheduledLater(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ran := 0
		f.s.Register("import_employees", func(context.Context, *Job, Reporter) error { ran++; return nil })
		j := f.enqueue(t, Job{CompanyID: f.a, Kind: "import_employees", RunAt: f.clock.Now().Add(time.Hour)})
		w := f.s.NewWorker(WorkerConfig{})
		ctx := context.Background()
		if n, err := w.RunDue(ctx); err != nil || n != 0 || ran != 0 {
			t.Fatalf("before due: RunDue = %d, %v (ran %d)", n, err, ran)
		}
		f.clock.Advance(time.Hour - time.Millisecond)
		if n, _ := w.RunDue(ctx); n != 0 {
			t.Fatalf("a millisecond early: ran %d", n)
		}
		f.clock.Advance(time.Millisecond)
		if n, err := w.RunDue(ctx); err != nil || n != 1 || ran != 1 {
			t.Fatalf("when due: RunDue = %d, %v (ran %d)", n, err, ran)
		}
		if got := f.job(t, j.ID); got.Status != StatusCompleted || !got.StartedAt.Equal(f.clock.Now()) {
			t.Fatalf("job %+v", got)
		}
	})
}

// TestTestModeItemsAndProgress checks a dry run's handler sees test mode and
// that its items and progress are visible while it is still running.
func TestTestModeItemsAndProgress(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		flushed := make(chan struct{})
		resume := make(chan struct{})
		f.s.Register("activate_employees", func(ctx context.Context, j *Job, rep Reporter) error {
			var args struct{ Users []string }
			if err := j.DecodeArgs(&args); err != nil {
				return err
			}
			if !rep.TestMode() {
				return errors.New("expected test mode")
			}
			if err := rep.SetTotal(ctx, len(args.Users)); err != nil {
				return err
			}
			for _, u := range args.Users[:2] {
				if err := rep.Item(ctx, u, Would("activate"), "would activate "+u); err != nil {
					return err
				}
			}
			if err := rep.Flush(ctx); err != nil {
				return err
			}
			close(flushed)
			<-resume
			if err := rep.Item(ctx, args.Users[2], ItemSkipped, "already active"); err != nil {
				return err
			}
			if err := rep.Item(ctx, "x", "bogus", ""); err == nil {
				return errors.New("a bogus item status was accepted")
			}
			return nil
		})
		j := f.enqueue(t, Job{CompanyID: f.a, Kind: "activate_employees", TestMode: true,
			Args: json.RawMessage(`{"users":["ann","bob","cy"]}`)})
		w := f.s.NewWorker(WorkerConfig{})
		ctx := context.Background()
		errc := make(chan error, 1)
		go func() {
			_, err := w.RunDue(ctx)
			errc <- err
		}()
		<-flushed
		mid := f.job(t, j.ID)
		if mid.Status != StatusInProgress || mid.Done != 2 || mid.Total != 3 || mid.Attempts != 1 {
			t.Errorf("while running: %+v", mid)
		}
		items, n, err := f.s.Items(ctx, f.a, j.ID, store.Page{})
		if err != nil || n != 2 || len(items) != 2 || items[0].Key != "ann" || items[1].Status != "would_activate" {
			t.Errorf("items while running: %d %+v %v", n, items, err)
		}
		close(resume)
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		end := f.job(t, j.ID)
		if end.Status != StatusCompleted || end.Done != 3 || end.Total != 3 || end.FinishedAt.IsZero() || end.LastError != "" {
			t.Fatalf("after: %+v", end)
		}
		items, n, err = f.s.Items(ctx, f.a, j.ID, store.Page{PerPage: 2, Page: 2})
		if err != nil || n != 3 || len(items) != 1 || items[0] != (Item{JobID: j.ID, Seq: 3, Key: "cy", Status: ItemSkipped, Message: "already active"}) {
			t.Fatalf("page 2 of items: %d %+v %v", n, items, err)
		}
		counts, err := f.s.ItemCounts(ctx, f.a, j.ID)
		if err != nil || counts["would_activate"] != 2 || counts[ItemSkipped] != 1 {
			t.Fatalf("counts %v %v", counts, err)
		}
		ev := f.events(t, "Complete Job")
		if len(ev) != 1 || ev[0].ObjectID != j.ID || ev[0].CompanyID != f.a {
			t.Fatalf("Complete Job audit: %+v", ev)
		}
		var after struct {
			Items    map[string]int `json:"items"`
			TestMode bool           `json:"test_mode"`
		}
		if err := json.Unmarshal(ev[0].After, &after); err != nil || after.Items["would_activate"] != 2 || !after.TestMode {
			t.Fatalf("audit after %s: %v", ev[0].After, err)
		}
	})
}

func TestRetryThenSuccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		calls := 0
		f.s.Register("cease_employee", func(ctx context.Context, j *Job, rep Reporter) error {
			calls++
			if err := rep.Item(ctx, "ann", ItemPending, fmt.Sprintf("attempt %d", j.Attempts)); err != nil {
				return err
			}
			if calls == 1 {
				return Retryable(errors.New("the SIP edge is unavailable"))
			}
			return rep.Item(ctx, "ann", ItemOK, "ceased")
		})
		j := f.enqueue(t, Job{CompanyID: f.a, Kind: "cease_employee"})
		w := f.s.NewWorker(WorkerConfig{})
		ctx := context.Background()
		if n, err := w.RunDue(ctx); n != 1 || err != nil {
			t.Fatalf("first RunDue = %d, %v", n, err)
		}
		got := f.job(t, j.ID)
		if got.Status != StatusInProgress || got.Attempts != 1 || got.LastError != "the SIP edge is unavailable" ||
			!got.RunAt.Equal(f.clock.Now().Add(Backoff(1))) {
			t.Fatalf("after a retryable error: %+v", got)
		}
		f.clock.Advance(Backoff(1) - time.Second)
		if n, _ := w.RunDue(ctx); n != 0 {
			t.Fatalf("retried before the back-off ended")
		}
		f.clock.Advance(time.Second)
		if n, err := w.RunDue(ctx); n != 1 || err != nil {
			t.Fatalf("second RunDue = %d, %v", n, err)
		}
		got = f.job(t, j.ID)
		if got.Status != StatusCompleted || got.Attempts != 2 || got.LastError != "" || got.Done != 2 {
			t.Fatalf("after success: %+v", got)
		}
		// The items are those of the latest attempt only.
		items, _, _ := f.s.Items(ctx, f.a, j.ID, store.Page{})
		if len(items) != 2 || items[0].Message != "attempt 2" || items[1].Status != ItemOK {
			t.Fatalf("items %+v", items)
		}
	})
}

func TestRetriesRunOut(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.s.Register("bulk_reboot", func(context.Context, *Job, Reporter) error {
			return RetryAfter(errors.New("still down"), time.Minute)
		})
		j := f.enqueue(t, Job{Kind: "bulk_reboot", MaxAttempts: 2})
		w := f.s.NewWorker(WorkerConfig{})
		ctx := context.Background()
		w.RunDue(ctx)
		if got := f.job(t, j.ID); !got.RunAt.Equal(f.clock.Now().Add(time.Minute)) {
			t.Fatalf("RetryAfter ignored: %+v", got)
		}
		f.clock.Advance(time.Minute)
		w.RunDue(ctx)
		got := f.job(t, j.ID)
		if got.Status != StatusError || got.Attempts != 2 || got.LastError != "still down" {
			t.Fatalf("after the last attempt: %+v", got)
		}
		f.clock.Advance(time.Hour)
		if n, _ := w.RunDue(ctx); n != 0 {
			t.Fatal("a failed job ran again")
		}
	})
}

func TestHandlerError(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.s.Register("import_employees", func(ctx context.Context, j *Job, rep Reporter) error {
			if err := rep.Item(ctx, "row 1", ItemError, "no such site"); err != nil {
				return err
			}
			return errors.New("the file has no header row")
		})
		f.s.Register("activate_employees", func(context.Context, *Job, Reporter) error { panic("nil map") })
		bad := f.enqueue(t, Job{CompanyID: f.b, Kind: "import_employees", Name: "March import"})
		boom := f.enqueue(t, Job{CompanyID: f.b, Kind: "activate_employees"})
		w := f.s.NewWorker(WorkerConfig{})
		if n, err := w.RunDue(context.Background()); n != 2 || err != nil {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		got := f.job(t, bad.ID)
		if got.Status != StatusError || got.LastError != "the file has no header row" || got.Attempts != 1 ||
			got.FinishedAt.IsZero() || got.Done != 1 {
			t.Fatalf("failed job: %+v", got)
		}
		if got := f.job(t, boom.ID); got.Status != StatusError || got.LastError != "the job failed unexpectedly: nil map" {
			t.Fatalf("panicked job: %+v", got)
		}
		ev := f.events(t, "Job Error")
		if len(ev) != 2 {
			t.Fatalf("Job Error audit: %+v", ev)
		}
		for _, e := range ev {
			if e.ObjectID == bad.ID && (e.CompanyID != f.b || e.ObjectName != "March import") {
				t.Errorf("Job Error entry %+v", e)
			}
		}
	})
}

// TestCrashRecovery claims a job with a short lease and never finishes it,
// as if the worker died; once the lease has expired another worker reclaims
// and completes it, and the dead worker's late outcome changes nothing.
func TestCrashRecovery(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		var ranBy []string
		f.s.Register("activate_employees", func(ctx context.Context, j *Job, rep Reporter) error {
			ranBy = append(ranBy, fmt.Sprint(j.Attempts))
			return rep.Item(ctx, "ann", ItemOK, "")
		})
		j := f.enqueue(t, Job{CompanyID: f.a, Kind: "activate_employees"})
		ctx := context.Background()
		dead := f.s.NewWorker(WorkerConfig{Owner: "dead", Lease: time.Minute})
		claimed, err := dead.claim(ctx, 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim = %+v, %v", claimed, err)
		}
		alive := f.s.NewWorker(WorkerConfig{Owner: "alive", Lease: time.Minute})
		f.clock.Advance(time.Minute - time.Millisecond)
		if n, _ := alive.RunDue(ctx); n != 0 {
			t.Fatal("a job under a live lease was claimed again")
		}
		f.clock.Advance(2 * time.Millisecond) // past lease_until
		if n, err := alive.RunDue(ctx); n != 1 || err != nil {
			t.Fatalf("reclaim: RunDue = %d, %v", n, err)
		}
		got := f.job(t, j.ID)
		if got.Status != StatusCompleted || got.Attempts != 2 || !slices.Equal(ranBy, []string{"2"}) {
			t.Fatalf("after reclaim: %+v ran %v", got, ranBy)
		}
		// The dead worker wakes up and reports an error: ignored.
		dead.finish(claimed[0], nil, errors.New("late"), nil)
		if again := f.job(t, j.ID); again.Status != StatusCompleted || again.LastError != "" {
			t.Fatalf("a lost lease overwrote the outcome: %+v", again)
		}
	})
}

// TestCrashWithNoAttemptsLeft ends a job in error when its worker dies on
// the last attempt, rather than running it forever.
func TestCrashWithNoAttemptsLeft(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.s.Register("import_employees", nop)
		j := f.enqueue(t, Job{CompanyID: f.a, Kind: "import_employees", MaxAttempts: 1})
		ctx := context.Background()
		w := f.s.NewWorker(WorkerConfig{Lease: time.Minute})
		if c, err := w.claim(ctx, 1); err != nil || len(c) != 1 {
			t.Fatalf("claim %v %v", c, err)
		}
		f.clock.Advance(2 * time.Minute)
		if n, err := w.RunDue(ctx); n != 0 || err != nil {
			t.Fatalf("RunDue = %d, %v", n, err)
		}
		got := f.job(t, j.ID)
		if got.Status != StatusError || got.LastError == "" || !got.FinishedAt.Equal(f.clock.Now()) {
			t.Fatalf("job %+v", got)
		}
		if ev := f.events(t, "Job Error"); len(ev) != 1 || ev[0].ObjectID != j.ID {
			t.Fatalf("Job Error audit: %+v", ev)
		}
	})
}

// TestLeaseLostCancelsHandler takes the lease away from a running job: the
// heartbeat notices, cancels the handler, and its outcome is dropped.
func TestLeaseLostCancelsHandler(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		started := make(chan struct{})
		cause := make(chan error, 1)
		f.s.Register("bulk_reboot", func(ctx context.Context, j *Job, rep Reporter) error {
			close(started)
			<-ctx.Done()
			cause <- context.Cause(ctx)
			return ctx.Err()
		})
		j := f.enqueue(t, Job{Kind: "bulk_reboot"})
		w := f.s.NewWorker(WorkerConfig{Lease: 30 * time.Millisecond})
		ctx := context.Background()
		errc := make(chan error, 1)
		go func() { _, err := w.RunDue(ctx); errc <- err }()
		<-started
		err := db.Tx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).Exec(ctx, "UPDATE jobs SET lease_owner = 'thief' WHERE id = ?", j.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if c := <-cause; !errors.Is(c, errLeaseLost) {
			t.Fatalf("handler cancelled with %v", c)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		if got := f.job(t, j.ID); got.Status != StatusInProgress || got.leaseOwner != "thief" || got.LastError != "" {
			t.Fatalf("job %+v (owner %q)", got, got.leaseOwner)
		}
	})
}

// TestStop drains a running job, and a hard stop hands an interrupted job
// back without counting the attempt.
func TestStop(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		started := make(chan int64, 2)
		release := make(chan struct{})
		f.s.Register("import_employees", func(ctx context.Context, j *Job, rep Reporter) error {
			started <- j.ID
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
		ctx := context.Background()

		drained := f.enqueue(t, Job{Kind: "import_employees"})
		w := f.s.NewWorker(WorkerConfig{PollInterval: time.Millisecond})
		runDone := make(chan error, 1)
		go func() { runDone <- w.Run(ctx) }()
		<-started
		stopped := make(chan error, 1)
		go func() { stopped <- w.Stop(ctx) }()
		close(release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if err := <-runDone; err != nil {
			t.Fatal(err)
		}
		if got := f.job(t, drained.ID); got.Status != StatusCompleted {
			t.Fatalf("drained job %+v", got)
		}

		release = make(chan struct{}) // never closed: only a hard stop ends the handler
		hard := f.enqueue(t, Job{Kind: "import_employees"})
		w = f.s.NewWorker(WorkerConfig{PollInterval: time.Millisecond})
		go func() { runDone <- w.Run(ctx) }()
		<-started
		expired, cancel := context.WithCancel(ctx)
		cancel()
		if err := w.Stop(expired); !errors.Is(err, context.Canceled) {
			t.Fatalf("hard Stop = %v", err)
		}
		<-runDone
		got := f.job(t, hard.ID)
		if got.Status != StatusNotStarted || got.Attempts != 0 || got.leaseOwner != "" || !got.StartedAt.IsZero() {
			t.Fatalf("interrupted job %+v", got)
		}
		w = f.s.NewWorker(WorkerConfig{})
		close(release)
		if n, err := w.RunDue(ctx); n != 1 || err != nil {
			t.Fatalf("rerun = %d, %v", n, err)
		}
		if got := f.job(t, hard.ID); got.Status != StatusCompleted || got.Attempts != 1 {
			t.Fatalf("rerun job %+v", got)
		}
	})
}

// otherNode opens a second handle on the same database, as a second node
// would have: on PostgreSQL a separate pool on the same schema.
func otherNode(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
	if db.Dialect() != store.Postgres {
		return db
	}
	ctx := context.Background()
	var schema string
	if err := db.Q(ctx).QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(os.Getenv(storetest.EnvPostgres))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db2, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	return db2
}

// TestTwoWorkersRunEachJobOnce runs two nodes' workers over the same jobs:
// every job runs exactly once, never on both at the same time.
func TestTwoWorkersRunEachJobOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		const total = 200
		_, _ = seedCompanies(t, db)
		var mu sync.Mutex
		runs := map[int64]int{}
		inFlight := map[int64]bool{}
		byOwner := map[string]int{}
		overlaps := 0
		ran := make(chan struct{}, 2*total)
		handler := func(owner string) Handler {
			return func(ctx context.Context, j *Job, rep Reporter) error {
				mu.Lock()
				if inFlight[j.ID] {
					overlaps++
				}
				inFlight[j.ID] = true
				runs[j.ID]++
				byOwner[owner]++
				mu.Unlock()
				err := rep.Item(ctx, fmt.Sprint(j.ID), ItemOK, owner)
				mu.Lock()
				delete(inFlight, j.ID)
				mu.Unlock()
				ran <- struct{}{}
				return err
			}
		}
		nodes := []*store.DB{db, otherNode(t, db)}
		var services []*Service
		for i, ndb := range nodes {
			s := New(ndb, audit.New(ndb), slog.New(slog.DiscardHandler))
			s.Register("bulk_reboot", handler(fmt.Sprintf("node%d", i)))
			services = append(services, s)
		}
		ctx := context.Background()
		var ids []int64
		for i := range total {
			j, err := services[i%2].Enqueue(ctx, Job{Kind: "bulk_reboot", Priority: []Priority{PriorityLow, PriorityMedium, PriorityHigh}[i%3]})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, j.ID)
		}
		var workers []*Worker
		runErr := make(chan error, len(services))
		for i, s := range services {
			w := s.NewWorker(WorkerConfig{Slots: 4, PollInterval: 2 * time.Millisecond, Owner: fmt.Sprintf("node%d", i)})
			workers = append(workers, w)
			go func() { runErr <- w.Run(ctx) }()
		}
		for range total {
			<-ran
		}
		for _, w := range workers {
			if err := w.Stop(ctx); err != nil {
				t.Fatal(err)
			}
			if err := <-runErr; err != nil {
				t.Fatal(err)
			}
		}
		t.Logf("jobs run per node: %v", byOwner)
		if overlaps != 0 {
			t.Errorf("%d jobs ran on two workers at once", overlaps)
		}
		for _, id := range ids {
			if runs[id] != 1 {
				t.Errorf("job %d ran %d times", id, runs[id])
			}
		}
		list, n, err := services[0].List(ctx, Filter{CompanyID: ProviderLevel, Status: StatusCompleted}, store.Page{PerPage: total})
		if err != nil || n != total {
			t.Fatalf("completed jobs: %d, %v", n, err)
		}
		for _, j := range list {
			if j.Attempts != 1 || j.Done != 1 {
				t.Errorf("job %d: attempts %d, done %d", j.ID, j.Attempts, j.Done)
			}
		}
	})
}

func TestTenantScoping(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		f.s.Register("import_employees", func(ctx context.Context, j *Job, rep Reporter) error {
			return rep.Item(ctx, "row 1", ItemOK, "")
		})
		ja := f.enqueue(t, Job{CompanyID: f.a, Kind: "import_employees", Name: "A import"})
		jb := f.enqueue(t, Job{CompanyID: f.b, Kind: "import_employees", Name: "B import"})
		jp := f.enqueue(t, Job{Kind: "import_employees", Name: "provider import"})
		if _, err := f.s.NewWorker(WorkerConfig{}).RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		for _, tc := range []struct {
			name     string
			scope    int64
			id       int64
			visible  bool
			listed   []int64
			scopeIDs []int64
		}{
			{name: "own company", scope: f.a, id: ja.ID, visible: true, listed: []int64{ja.ID}},
			{name: "other company", scope: f.a, id: jb.ID},
			{name: "company sees no provider job", scope: f.b, id: jp.ID, listed: []int64{jb.ID}},
			{name: "provider level sees no company job", scope: ProviderLevel, id: ja.ID, listed: []int64{jp.ID}},
			{name: "provider level job", scope: ProviderLevel, id: jp.ID, visible: true, listed: []int64{jp.ID}},
			{name: "all companies", scope: AllCompanies, id: jb.ID, visible: true, listed: []int64{jp.ID, jb.ID, ja.ID}},
			{name: "reseller restriction", scope: AllCompanies, id: jb.ID, visible: true, listed: []int64{jb.ID}, scopeIDs: []int64{f.b}},
			{name: "empty restriction", scope: AllCompanies, id: jb.ID, visible: true, listed: []int64{}, scopeIDs: []int64{}},
			{name: "bogus negative scope", scope: -7, id: ja.ID, listed: []int64{}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := f.s.Job(ctx, tc.scope, tc.id)
				_, _, ierr := f.s.Items(ctx, tc.scope, tc.id, store.Page{})
				_, cerr := f.s.ItemCounts(ctx, tc.scope, tc.id)
				cancelErr := f.s.Cancel(ctx, tc.scope, tc.id)
				if tc.visible {
					if err != nil || ierr != nil || cerr != nil {
						t.Errorf("visible job: Job %v, Items %v, ItemCounts %v", err, ierr, cerr)
					}
					if !errors.Is(cancelErr, derrors.ErrConflict) {
						t.Errorf("Cancel of a finished job = %v", cancelErr)
					}
				} else {
					for _, e := range []error{err, ierr, cerr, cancelErr} {
						if !errors.Is(e, derrors.ErrNotFound) {
							t.Errorf("hidden job: got %v, want ErrNotFound", e)
						}
					}
				}
				if tc.listed != nil {
					list, n, err := f.s.List(ctx, Filter{CompanyID: tc.scope, CompanyIDs: tc.scopeIDs}, store.Page{})
					var got []int64
					for _, j := range list {
						got = append(got, j.ID)
					}
					if err != nil || n != len(tc.listed) || !slices.Equal(got, tc.listed) && len(tc.listed) > 0 {
						t.Errorf("List = %v (%d), %v; want %v", got, n, err, tc.listed)
					}
				}
			})
		}
		if list, n, err := f.s.List(ctx, Filter{CompanyID: AllCompanies, Kind: "cease_employee"}, store.Page{}); err != nil || n != 0 || len(list) != 0 {
			t.Errorf("kind filter: %d, %v", n, err)
		}
	})
}

func TestCancel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := newFixture(t, db)
		ran := 0
		f.s.Register("activate_employees", func(context.Context, *Job, Reporter) error { ran++; return nil })
		ctx := context.Background()
		later := f.enqueue(t, Job{CompanyID: f.a, Kind: "activate_employees", RunAt: f.clock.Now().Add(time.Hour)})
		running := f.enqueue(t, Job{CompanyID: f.a, Kind: "activate_employees"})
		w := f.s.NewWorker(WorkerConfig{})
		if c, err := w.claim(ctx, 1); err != nil || len(c) != 1 || c[0].ID != running.ID {
			t.Fatalf("claim %+v %v", c, err)
		}
		if err := f.s.Cancel(ctx, f.a, running.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Fatalf("Cancel of a running job = %v", err)
		}
		if err := f.s.Cancel(ctx, f.b, later.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Fatalf("Cancel from another company = %v", err)
		}
		if err := f.s.Cancel(ctx, f.a, later.ID); err != nil {
			t.Fatal(err)
		}
		if err := f.s.Cancel(ctx, f.a, later.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Fatalf("second Cancel = %v", err)
		}
		got := f.job(t, later.ID)
		if got.Status != StatusCancelled || got.FinishedAt.IsZero() {
			t.Fatalf("cancelled job %+v", got)
		}
		f.clock.Advance(2 * time.Hour)
		w.RunDue(ctx)
		if ran != 1 {
			t.Fatalf("handler ran %d times; the cancelled job must not run", ran)
		}
		if ev := f.events(t, "Cancel Job"); len(ev) != 1 || ev[0].ObjectID != later.ID || ev[0].CompanyID != f.a {
			t.Fatalf("Cancel Job audit %+v", ev)
		}
	})
}

func TestStatusAndItemVocabulary(t *testing.T) {
	for _, tc := range []struct {
		s    Status
		want string
	}{{StatusNotStarted, "Not Started"}, {StatusInProgress, "In Progress"}, {StatusCompleted, "Completed"}, {StatusError, "Error"}} {
		if tc.s.Label() != tc.want || !tc.s.Valid() {
			t.Errorf("%s: label %q", tc.s, tc.s.Label())
		}
	}
	for s, ok := range map[string]bool{"ok": true, "would_activate": true, "would_": false, "done": false, "skipped": true} {
		if ValidItemStatus(s) != ok {
			t.Errorf("ValidItemStatus(%q) = %v", s, !ok)
		}
	}
	if Backoff(1) != 30*time.Second || Backoff(2) != time.Minute || Backoff(20) != time.Hour {
		t.Errorf("Backoff: %v %v %v", Backoff(1), Backoff(2), Backoff(20))
	}
}
