package lifecycle_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// Statements one more employee may add to an activation, on average: the
// request and the job read by id lists and write with multi-row
// statements, so a batch costs a constant number of statements (the
// multi-row statements of SQLite split into a few sizes, which adds a
// handful for large batches) (docs/lifecycle.md, "Cost of an activation").
const (
	planPerRow = 1
	jobPerRow  = 1
)

// TestActivationCostIsConstantPerBatch counts the SQL statements of
// activating 1, 10 and 100 employees on both engines, for the request
// (access, checks, enqueue) and for the job, and fails when the count grows
// with the batch beyond a small per-row write.
func TestActivationCostIsConstantPerBatch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		// With SIP lines issued, as on a node with a SIP domain.
		sealer, err := devices.NewSealer(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		env.App.Devices.Lines.Sealer, env.App.Devices.Lines.Domain = sealer, "voice.example.net"
		sv := env.SeedService(t)
		f := env.Fixture
		admin := env.Actor("acme.admin")
		sizes := []int{1, 10, 100}
		// Extensions are unique in the company: London's are the numbers'
		// last digits, Leeds's come from a range.
		if _, err := env.App.Numbering.SetExtensionPolicy(context.Background(), f.Acme.ID, f.Leeds.ID,
			numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeRange, RangeFrom: "5000", RangeTo: "5999"}); err != nil {
			t.Fatal(err)
		}
		plan, run := map[int]int64{}, map[int]int64{}
		for _, n := range sizes {
			// Each site's range has 100 numbers: the small batches take
			// London's, the large one Leeds's.
			site := f.London.ID
			if n == 100 {
				site = f.Leeds.ID
			}
			ids := hire(t, env, f.Support, fmt.Sprintf("cost%d", n), n)
			ctx, c := store.WithStatementCounter(context.Background())
			a, err := env.App.Lifecycle.Activate(ctx, admin, 0, softClientRequest(sv, site, ids))
			if err != nil {
				t.Fatalf("activate %d: %v", n, err)
			}
			plan[n] = c.N()
			ctx, c = store.WithStatementCounter(context.Background())
			j, err := env.App.Jobs.Job(ctx, f.Acme.ID, a.Job.ID)
			if err != nil {
				t.Fatal(err)
			}
			before := c.N()
			rep := &memReporter{}
			if err := env.App.Lifecycle.RunActivate(ctx, &j, rep); err != nil {
				t.Fatalf("run %d: %v (%v)", n, err, rep.items)
			}
			run[n] = c.N() - before
			for k, v := range rep.items {
				if v[:2] != "ok" {
					t.Fatalf("%s: %s", k, v)
				}
			}
		}
		t.Logf("%s: statements to plan and enqueue 1/10/100 employees: %d/%d/%d; to run the job: %d/%d/%d",
			db.Dialect(), plan[1], plan[10], plan[100], run[1], run[10], run[100])
		slope := func(m map[int]int64) float64 { return float64(m[100]-m[10]) / 90 }
		if s := slope(plan); s > planPerRow {
			t.Errorf("planning costs %.1f statements per employee (1/10/100: %d/%d/%d), want at most %d", s, plan[1], plan[10], plan[100], planPerRow)
		}
		if s := slope(run); s > jobPerRow {
			t.Errorf("the job costs %.1f statements per employee (1/10/100: %d/%d/%d), want at most %d", s, run[1], run[10], run[100], jobPerRow)
		}
		// Constant per batch: ten employees cost what one does, plus the
		// per-row writes.
		if extra := plan[10] - plan[1]; extra > 9*planPerRow {
			t.Errorf("planning 10 employees costs %d statements more than 1", extra)
		}
		if extra := run[10] - run[1]; extra > 9*jobPerRow+10 { // + the batch sizes of SQLite
			t.Errorf("running 10 activations costs %d statements more than 1", extra)
		}
	})
}
