package lifecycle_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sync"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

const (
	concurrentActivations = 8
	employeesEach         = 10
)

// TestConcurrentActivationsGetDistinctNumbers starts 8 activations of 10
// employees each at the same site at the same moment, all with the
// default numbers (so every one of them is planned with the same ten),
// and runs their jobs on three workers at once: every job completes,
// every employee is active, and no number is given twice.
func TestConcurrentActivationsGetDistinctNumbers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		nodes := []*app.App{env.App, env.App}
		activateConcurrently(t, env, sv, nodes)
	})
}

// TestConcurrentActivationsOnTwoNodes is the same through two application
// nodes on one PostgreSQL database, each with its own job worker.
func TestConcurrentActivationsOnTwoNodes(t *testing.T) {
	db := storetest.Postgres(t)
	env := apptest.New(t, db)
	sv := env.SeedService(t)
	second := app.New(secondHandle(t, db), slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	activateConcurrently(t, env, sv, []*app.App{env.App, second})
}

// activateConcurrently runs the test through nodes: activation i goes
// through nodes[i%len(nodes)], and each node runs workers.
func activateConcurrently(t *testing.T, env *apptest.Env, sv apptest.Service, nodes []*app.App) {
	t.Helper()
	ctx := context.Background()
	f := env.Fixture
	admin := env.Actor("acme.admin")
	reqs := make([]lifecycle.ActivateRequest, concurrentActivations)
	for i := range reqs {
		reqs[i] = softClientRequest(sv, f.Leeds.ID, hire(t, env, f.Support, fmt.Sprintf("conc%d", i), employeesEach))
	}
	start := make(chan struct{})
	errs := make([]error, len(reqs))
	plans := make([]lifecycle.Activation, len(reqs))
	var wg sync.WaitGroup
	for i := range reqs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			plans[i], errs[i] = nodes[i%len(nodes)].Lifecycle.Activate(ctx, admin, 0, reqs[i])
		}()
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("activation %d: %v", i, err)
		}
	}
	var wwg sync.WaitGroup
	werrs := make([]error, 2*len(nodes))
	for i := range werrs {
		wwg.Add(1)
		go func() {
			defer wwg.Done()
			w := nodes[i%len(nodes)].Jobs.NewWorker(jobs.WorkerConfig{Slots: 2, Owner: fmt.Sprintf("worker-%d", i)})
			_, werrs[i] = w.RunDue(ctx)
		}()
	}
	wwg.Wait()
	for _, err := range werrs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for i, a := range plans {
		j, err := env.App.Jobs.Job(ctx, f.Acme.ID, a.Job.ID)
		if err != nil {
			t.Fatal(err)
		}
		if j.Status != jobs.StatusCompleted {
			items, _, _ := env.App.Jobs.Items(ctx, f.Acme.ID, j.ID, store.Page{PerPage: 20})
			t.Errorf("job %d (activation %d) is %s: %s %v", j.ID, i, j.Status, j.LastError, items)
		}
	}
	var active, numbers, distinct int
	q := env.App.DB.Q(ctx)
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE username LIKE 'conc%' AND status = 'active'").Scan(&active); err != nil {
		t.Fatal(err)
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*), COUNT(DISTINCT e164) FROM dn_numbers WHERE owner_kind = 'user' AND status = 'assigned'
		AND owner_id IN (SELECT id FROM accounts WHERE username LIKE 'conc%')`).Scan(&numbers, &distinct); err != nil {
		t.Fatal(err)
	}
	want := concurrentActivations * employeesEach
	if active != want || numbers != want || distinct != want {
		t.Fatalf("%d employees active, %d numbers assigned (%d distinct), want %d of each", active, numbers, distinct, want)
	}
}

// secondHandle opens a second pool on db's PostgreSQL schema, as a second
// node would have.
func secondHandle(t *testing.T, db *store.DB) *store.DB {
	t.Helper()
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
