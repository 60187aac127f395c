package calls_test

import (
	"bytes"
	"context"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestGenerateCalls makes a month of traffic for two employees through the
// ingest path and checks it looks like a real office's: both directions,
// missed calls, every outside class, business hours, long calls.
func TestGenerateCalls(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		for i, id := range []int64{e.west, e.support} {
			if _, err := a.Numbering.Assign(ctx, f.Acme.ID, fmt.Sprintf("+44113496001%d", i), numbering.Owner{Kind: numbering.OwnerUser, ID: id}); err != nil {
				t.Fatal(err)
			}
		}
		// The calls lie in the past; the history must cover them.
		e.sync(t)
		backdateHistory(t, e)
		opts := calls.GenerateOptions{Calls: 2000, Days: 30, Seed: 42, End: time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)}
		rep, err := a.Calls.GenerateCalls(ctx, e.sw, opts)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Accepted != 2000 || rep.Malformed != 0 {
			t.Fatalf("report %+v", rep)
		}
		count := func(cond string, args ...any) int {
			var n int
			if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM calls WHERE "+cond, args...).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := count("employee_id NOT IN (?, ?)", e.west, e.support); n != 0 {
			t.Errorf("%d generated calls are not attributed to the two employees", n)
		}
		for _, tr := range calls.Traffics {
			if tr == calls.OffNet {
				continue // inbound calls from outside
			}
			if n := count("traffic = ? AND direction = ?", int(tr), int(calls.Outbound)); n == 0 {
				t.Errorf("no outbound %s call", tr.Label())
			}
		}
		in, missedIn := count("direction = ?", int(calls.Inbound)), count("direction = ? AND status = ?", int(calls.Inbound), int(calls.Unanswered))
		if in < 500 || missedIn < in/6 || missedIn > in/3 {
			t.Errorf("%d inbound calls, %d missed: want roughly 40%% inbound with a quarter missed", in, missedIn)
		}
		if n := count("billsec > 1800"); n == 0 {
			t.Error("no call over half an hour: the talk times have no tail")
		}
		if n := count("end_at > ?", opts.End.UnixMilli()+4*3600*1000+60000); n != 0 {
			t.Errorf("%d calls end after the period", n)
		}
		// Business hours: most calls start between 8:00 and 18:00 UTC.
		var day int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(calls), 0) FROM call_scope_rollups WHERE scope_kind = 1 AND direction = 0 AND granularity = ? AND "+
			"((bucket_start / 3600000) % 24) BETWEEN 8 AND 17", calls.Hourly).Scan(&day); err != nil {
			t.Fatal(err)
		}
		if day < 1600 {
			t.Errorf("only %d of 2000 calls in business hours", day)
		}
		// The same seed makes the same calls: a rerun adds nothing.
		if rep, err = a.Calls.GenerateCalls(ctx, e.sw, opts); err != nil || rep.Duplicates != 2000 {
			t.Errorf("rerun: %+v, %v", rep, err)
		}
	})
}

// BenchmarkIngest measures the ingest rate on each engine: batches of 10,000
// FreeSWITCH JSON records (attributed, classified, inserted with their
// roll-ups). docs/performance.md records the figure.
//
// The rated runs price every call against a rate card (docs/billing.md),
// which ingest does in the same transaction.
func BenchmarkIngest(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchmarkIngest(b, storetest.SQLite(b), false) })
	b.Run("postgres", func(b *testing.B) { benchmarkIngest(b, storetest.Postgres(b), false) })
	b.Run("sqlite-rated", func(b *testing.B) { benchmarkIngest(b, storetest.SQLite(b), true) })
	b.Run("postgres-rated", func(b *testing.B) { benchmarkIngest(b, storetest.Postgres(b), true) })
}

func benchmarkIngest(b *testing.B, db *store.DB, rated bool) {
	e := newEstate(b, db)
	ctx := context.Background()
	if rated {
		for _, r := range []billing.RateRequest{
			{Traffic: "national", Currency: "GBP", PerMinute: 15_000, Minimum: 60, Increment: 1},
			{Traffic: "mobile", Currency: "GBP", PerMinute: 60_000, Increment: 1},
			{Traffic: "international", Currency: "GBP", PerMinute: 120_000, Increment: 1},
			{Traffic: "international", Prefix: "1", Currency: "GBP", PerMinute: 20_000, Increment: 1},
			{Traffic: "non_geographic", Currency: "GBP", PerMinute: 50_000, Increment: 1},
			{Traffic: "premium_rate", Currency: "GBP", PerMinute: 1_500_000, Increment: 60},
			{Traffic: "off_net", Currency: "GBP", PerMinute: 100_000, Increment: 1},
		} {
			r.ValidFrom = time.Unix(0, 0)
			if _, err := e.env.App.Billing.AddRate(ctx, e.env.Actor("operator"), r); err != nil {
				b.Fatal(err)
			}
		}
	}
	var numbers []string
	for i := 0; i < 30; i++ {
		n := fmt.Sprintf("+4411349600%02d", i)
		owner := []int64{e.west, e.support, e.env.ID("london.one")}[i%3]
		if _, err := e.env.App.Numbering.Assign(ctx, e.env.Fixture.Acme.ID, n, numbering.Owner{Kind: numbering.OwnerUser, ID: owner}); err != nil {
			b.Fatal(err)
		}
		numbers = append(numbers, n)
	}
	if err := e.env.App.Calls.SyncAssignments(ctx, 0, time.Now()); err != nil {
		b.Fatal(err)
	}
	backdateHistory(b, e)
	const perOp = 10000
	batches := make([][]byte, b.N)
	for i := range batches {
		var buf bytes.Buffer
		calls.WriteTraffic(&buf, numbers, calls.GenerateOptions{Calls: perOp, Days: 30, Seed: uint64(i + 1),
			End: time.Date(2026, 11, 30, 18, 0, 0, 0, time.UTC)}, time.UTC)
		batches[i] = buf.Bytes()
	}
	b.ResetTimer()
	start, cpuStart := time.Now(), cpuTime()
	for i := 0; i < b.N; i++ {
		rep, err := e.env.App.Calls.Ingest(context.Background(), e.sw, calls.SourceCommand, "bench", calls.FormatFreeSWITCHJSON, bytes.NewReader(batches[i]))
		if err != nil || rep.Accepted != perOp {
			b.Fatalf("%+v %v", rep, err)
		}
	}
	elapsed, cpu := time.Since(start), cpuTime()-cpuStart
	b.StopTimer()
	b.ReportMetric(float64(b.N*perOp)/elapsed.Seconds(), "records/s")
	// The machine may be shared: records per second of CPU the process
	// used is the figure that does not depend on the neighbours' load.
	b.ReportMetric(float64(b.N*perOp)/cpu.Seconds(), "records/cpu-s")
	// The number roll-ups (Top 10) follow, off the ingest path: what the
	// node's aggregator then spends on the same records, and both together.
	aggStart, aggCPU := time.Now(), cpuTime()
	if n, err := e.env.App.Calls.AggregateNumbers(context.Background()); err != nil || n != b.N*perOp {
		b.Fatalf("aggregated %d: %v", n, err)
	}
	aggElapsed, aggCPUUsed := time.Since(aggStart), cpuTime()-aggCPU
	b.ReportMetric(float64(b.N*perOp)/aggElapsed.Seconds(), "aggregated/s")
	if aggCPUUsed > 0 {
		b.ReportMetric(float64(b.N*perOp)/aggCPUUsed.Seconds(), "aggregated/cpu-s")
	}
	b.ReportMetric(float64(b.N*perOp)/(elapsed+aggElapsed).Seconds(), "with-aggregation/s")
	b.ReportMetric(float64(b.N*perOp)/(cpu+aggCPUUsed).Seconds(), "with-aggregation/cpu-s")
}

// backdateHistory makes every holder hold their number since 1970, so
// traffic generated for past days is attributed.
func backdateHistory(t testing.TB, e estate) {
	t.Helper()
	if err := e.env.App.Calls.BackdateHistory(context.Background(), e.env.Fixture.Provider.ID, time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
}

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
