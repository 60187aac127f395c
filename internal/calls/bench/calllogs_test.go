// Package bench_test is the Call Logs scale benchmark of
// docs/performance.md: it loads SWITCHBOARD_CALLLOGS_CALLS generated calls
// (LoadBulk) into a fresh SQLite or PostgreSQL database and measures
// every view (graph, type, top 10, first list page) for the platform, a
// company, a site and one employee, against the naive aggregate over the
// calls table as an anchor, and the export of the list in constant memory.
// Without SWITCHBOARD_CALLLOGS_CALLS it skips, so `go test ./... -bench .`
// stays quick.
package bench_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// estate: Acme holds a quarter of the numbers (half at Leeds, half at
// London), one of them west.one's; the rest belong to 75 other companies
// of 5 sites each. Ids of the other companies, sites and employees exist
// only in the calls (the views of the measured objects never read them).
func holders(env *apptest.Env, employees int) []calls.BulkHolder {
	f := env.Fixture
	out := []calls.BulkHolder{{Number: "+441134960011", CompanyID: f.Acme.ID, SiteID: f.Leeds.ID, EmployeeID: env.ID("west.one")}}
	for i := 1; i < employees; i++ {
		h := calls.BulkHolder{Number: fmt.Sprintf("+44203%07d", i), EmployeeID: int64(10_000_000 + i)}
		if i < employees/4 {
			h.CompanyID, h.SiteID = f.Acme.ID, f.Leeds.ID
			if i%2 == 1 {
				h.SiteID = f.London.ID
			}
		} else {
			c := int64(i % 75)
			h.CompanyID, h.SiteID = 1_000_000+c, 2_000_000+c*5+int64(i%5)
		}
		out = append(out, h)
	}
	return out
}

func BenchmarkCallLogs(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("SWITCHBOARD_CALLLOGS_CALLS"))
	if n <= 0 {
		b.Skip("set SWITCHBOARD_CALLLOGS_CALLS (e.g. 1000000) to run the Call Logs scale benchmark; docs/performance.md")
	}
	engines := []struct {
		name string
		open func(testing.TB) *store.DB
	}{{"sqlite", storetest.SQLite}, {"postgres", storetest.Postgres}}
	for _, eng := range engines {
		if only := os.Getenv("SWITCHBOARD_CALLLOGS_ENGINE"); only != "" && only != eng.name {
			continue
		}
		b.Run(eng.name, func(b *testing.B) {
			ctx := context.Background()
			db := eng.open(b)
			env := apptest.New(b, db)
			a, f := env.App, env.Fixture
			sw, _, err := a.Calls.CreateSwitch(ctx, env.Actor("operator"), calls.SwitchCreateRequest{Name: "bulk", Format: "freeswitch-json"})
			if err != nil {
				b.Fatal(err)
			}
			end := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)
			start := time.Now()
			made, err := a.Calls.LoadBulk(ctx, sw, holders(env, 5000), calls.GenerateOptions{Calls: n, Days: 31, End: end, Seed: 2026})
			if err != nil {
				b.Fatal(err)
			}
			took := time.Since(start)
			b.Logf("%s: loaded %d calls in %s (%.0f calls/s)", eng.name, made, took.Round(time.Second), float64(made)/took.Seconds())
			t0 := time.Now()
			analyze(b, db)
			b.Logf("%s: analyze %s", eng.name, time.Since(t0).Round(time.Second))
			rowCounts(b, db)

			operator, admin := env.Actor("operator"), env.Actor("acme.admin")
			march := func(kind calls.ObjectKind, id int64) calls.Search {
				return calls.Search{Object: kind, ID: id, From: "2026-03-01", To: "2026-03-31", TimeZone: "Europe/London"}
			}
			objects := []struct {
				name  string
				actor access.Actor
				q     calls.Search
			}{
				{"platform", operator, march(calls.ObjectPlatform, 0)},
				{"company", admin, march(calls.ObjectCompany, f.Acme.ID)},
				{"site", admin, march(calls.ObjectSite, f.Leeds.ID)},
				{"employee", admin, march(calls.ObjectUser, env.ID("west.one"))},
			}
			for _, o := range objects {
				views := []struct {
					name string
					run  func() error
				}{
					{"graph-day", func() error {
						_, err := a.Calls.CallLogGraph(ctx, o.actor, o.q, calls.GraphRequest{Interval: calls.IntervalDay, Compare: true})
						return err
					}},
					{"graph-hour", func() error {
						_, err := a.Calls.CallLogGraph(ctx, o.actor, o.q, calls.GraphRequest{Interval: calls.IntervalHour})
						return err
					}},
					{"type", func() error { _, err := a.Calls.CallLogTypes(ctx, o.actor, o.q); return err }},
					{"top10-destinations", func() error {
						_, err := a.Calls.CallLogTop(ctx, o.actor, o.q, calls.TopDestinations)
						return err
					}},
					{"list-first-page", func() error {
						_, err := a.Calls.CallLogList(ctx, o.actor, o.q, calls.ListRequest{Limit: 50})
						return err
					}},
					{"list-first-page-by-duration", func() error {
						_, err := a.Calls.CallLogList(ctx, o.actor, o.q, calls.ListRequest{Sort: "-duration", Limit: 50})
						return err
					}},
				}
				for _, v := range views {
					b.Run(o.name+"/"+v.name, func(b *testing.B) { measure(b, v.run) })
				}
			}
			// The anchor: what the graph and type split cost read from the
			// calls themselves (the whole platform's March, and Acme's).
			for _, anchor := range []struct {
				name, where string
				args        []any
			}{
				{"platform", "provider_id = ?", []any{f.Provider.ID}},
				{"company", "company_id = ?", []any{f.Acme.ID}},
			} {
				from, to := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), end.UnixMilli()
				b.Run("naive-"+anchor.name+"/graph-hour-over-calls", func(b *testing.B) {
					measureAtMost(b, 3, func() error {
						rows, err := db.Q(ctx).Query(ctx, "SELECT (start_at / 3600000) * 3600000, COUNT(*), SUM(billsec) FROM calls WHERE "+anchor.where+
							" AND start_at >= ? AND start_at < ? GROUP BY (start_at / 3600000) * 3600000", append(anchor.args, from, to)...)
						if err != nil {
							return err
						}
						for rows.Next() {
						}
						rows.Close()
						return rows.Err()
					})
				})
				b.Run("naive-"+anchor.name+"/top10-over-calls", func(b *testing.B) {
					measureAtMost(b, 3, func() error {
						rows, err := db.Q(ctx).Query(ctx, "SELECT called, COUNT(*) AS n FROM calls WHERE "+anchor.where+
							" AND start_at >= ? AND start_at < ? GROUP BY called ORDER BY n DESC LIMIT 10", append(anchor.args, from, to)...)
						if err != nil {
							return err
						}
						for rows.Next() {
						}
						rows.Close()
						return rows.Err()
					})
				})
			}
			// Export of the list: memory must not grow with the rows. The
			// platform's calls of one weekend day, of one working day, of
			// three and of the month (about 44,000, 440,000, 1,300,000 and
			// 10,000,000 at ten million calls). One export a run whatever
			// -benchtime says.
			for _, ex := range []struct{ name, from, to string }{
				{"export-list-sunday", "2026-03-01", "2026-03-01"},
				{"export-list-tuesday", "2026-03-03", "2026-03-03"},
				{"export-list-mon-wed", "2026-03-02", "2026-03-04"},
				{"export-list-march", "2026-03-01", "2026-03-31"},
			} {
				b.Run(ex.name, func(b *testing.B) {
					q := march(calls.ObjectPlatform, 0)
					q.From, q.To = ex.from, ex.to
					for i := 0; i < min(b.N, 1); i++ {
						var cw countingWriter
						var before, after runtime.MemStats
						runtime.ReadMemStats(&before)
						peak := watchHeap()
						t0 := time.Now()
						if err := a.Calls.ExportCallLogs(ctx, operator, q, calls.ExportRequest{View: "list"}, &cw); err != nil {
							b.Fatal(err)
						}
						elapsed := time.Since(t0)
						inuse, live := peak()
						runtime.ReadMemStats(&after)
						rows := float64(cw.lines.Load() - 1)
						b.ReportMetric(rows, "rows")
						b.ReportMetric(float64(inuse)/(1<<20), "peak-heap-inuse-MiB")
						b.ReportMetric(float64(live)/(1<<20), "peak-heap-live-MiB")
						b.ReportMetric(float64(after.Mallocs-before.Mallocs)/rows, "allocs/row")
						b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/rows, "B/row")
						b.ReportMetric(float64(elapsed.Milliseconds()), "ms")
					}
				})
			}
		})
	}
}

// measureAtMost is measure with at most n runs: the naive anchors take
// seconds each at ten million calls.
func measureAtMost(b *testing.B, n int, fn func() error) {
	ds := make([]time.Duration, 0, n)
	b.ResetTimer()
	for i := 0; i < min(b.N, n); i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(ds)
	p := func(q float64) float64 { return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
}

// measure runs fn b.N times and reports the median and 95th percentile.
func measure(b *testing.B, fn func() error) {
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if err := fn(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(ds)
	p := func(q float64) float64 { return float64(ds[int(q*float64(len(ds)-1))].Microseconds()) / 1000 }
	b.ReportMetric(p(0.5), "p50-ms")
	b.ReportMetric(p(0.95), "p95-ms")
}

type countingWriter struct{ lines atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	for _, c := range p {
		if c == '\n' {
			w.lines.Add(1)
		}
	}
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// watchHeap samples the heap every 20 ms until the returned function is
// called, which answers the largest sample of the heap in use (live data
// and garbage not yet collected) and of the live heap (what the last
// garbage collection kept: what the export holds on to).
func watchHeap() func() (inuse, live uint64) {
	runtime.GC()
	stop := make(chan struct{})
	type peaks struct{ inuse, live uint64 }
	done := make(chan peaks)
	go func() {
		var peak peaks
		var ms runtime.MemStats
		sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			metrics.Read(sample)
			peak.inuse = max(peak.inuse, ms.HeapInuse)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				peak.live = max(peak.live, sample[0].Value.Uint64())
			}
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() (uint64, uint64) { close(stop); p := <-done; return p.inuse, p.live }
}

func analyze(b *testing.B, db *store.DB) {
	b.Helper()
	// Only these tables: a bare ANALYZE on PostgreSQL visits every schema
	// of the shared test database.
	// SQLite: a sampled ANALYZE, as PRAGMA optimize runs it; a full one
	// reads every index of ten million rows.
	stmts := []string{"PRAGMA analysis_limit = 1000", "ANALYZE"}
	if db.Dialect() == store.Postgres {
		stmts = []string{"ANALYZE calls, call_scope_rollups, call_number_days"}
	}
	for _, stmt := range stmts {
		if _, err := storetest.Exec(context.Background(), db, stmt); err != nil {
			b.Fatalf("analyze: %v", err)
		}
	}
}

func rowCounts(b *testing.B, db *store.DB) {
	b.Helper()
	ctx := context.Background()
	for _, table := range []string{"calls", "call_scope_rollups", "call_number_days"} {
		var n int64
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d rows", table, n)
	}
}
