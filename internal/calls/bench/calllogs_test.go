// Package bench_test is the Call Logs scale benchmark of
// docs/performance.md: it loads SWITCHBOARD_CALLLOGS_CALLS generated calls
// (GenerateBulk) into a fresh SQLite or PostgreSQL database and measures
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
			made, err := a.Calls.GenerateBulk(ctx, sw, holders(env, 5000), calls.GenerateOptions{Calls: n, Days: 31, End: end, Seed: 2026})
			if err != nil {
				b.Fatal(err)
			}
			took := time.Since(start)
			b.Logf("%s: generated %d calls in %s (%.0f calls/s)", eng.name, made, took.Round(time.Second), float64(made)/took.Seconds())
			analyze(b, db)
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
					measure(b, func() error {
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
					measure(b, func() error {
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
			// Export of the whole list: memory must not grow with the rows.
			// One export a run whatever -benchtime says: it is the whole
			// month of the platform.
			b.Run("export-platform-list", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < min(b.N, 1); i++ {
					var cw countingWriter
					peak := watchHeap()
					t0 := time.Now()
					if err := a.Calls.ExportCallLogs(ctx, operator, march(calls.ObjectPlatform, 0), calls.ExportRequest{View: "list"}, &cw); err != nil {
						b.Fatal(err)
					}
					max := peak()
					b.ReportMetric(float64(cw.lines.Load()-1), "rows")
					b.ReportMetric(float64(max)/(1<<20), "peak-heap-MiB")
					b.ReportMetric(float64(time.Since(t0).Milliseconds()), "ms")
				}
			})
		})
	}
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

// watchHeap samples the live heap every 20 ms until the returned function
// is called, which answers the largest sample.
func watchHeap() func() uint64 {
	runtime.GC()
	stop := make(chan struct{})
	done := make(chan uint64)
	go func() {
		var peak uint64
		var ms runtime.MemStats
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				done <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}

func analyze(b *testing.B, db *store.DB) {
	b.Helper()
	// Only these tables: a bare ANALYZE on PostgreSQL visits every schema
	// of the shared test database.
	stmt := "ANALYZE"
	if db.Dialect() == store.Postgres {
		stmt = "ANALYZE calls, call_rollups, call_scope_rollups, call_number_days"
	}
	if _, err := storetest.Exec(context.Background(), db, stmt); err != nil {
		b.Fatalf("analyze: %v", err)
	}
}

func rowCounts(b *testing.B, db *store.DB) {
	b.Helper()
	ctx := context.Background()
	for _, table := range []string{"calls", "call_rollups", "call_scope_rollups", "call_number_days"} {
		var n int64
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
			b.Fatal(err)
		}
		b.Logf("%s: %d rows", table, n)
	}
}
