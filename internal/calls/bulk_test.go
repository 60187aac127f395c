package calls_test

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestGenerateBulkMatchesIngest: the bulk generator's roll-ups hold what
// its calls hold, so every view answers the same from the roll-ups as
// from the calls table.
func TestGenerateBulkMatchesIngest(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLogEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		holders, err := a.Calls.Holders(ctx, f.Provider.ID, 0)
		if err != nil || len(holders) != 3 {
			t.Fatalf("holders %+v %v", holders, err)
		}
		// The switch writes UTC, so the generated days are UTC days.
		london := time.UTC
		n, err := a.Calls.GenerateBulk(ctx, e.sw, holders, calls.GenerateOptions{Calls: 3000, Days: 31, End: time.Date(2026, 4, 1, 0, 0, 0, 0, london), Seed: 9})
		if err != nil || n != 3000 {
			t.Fatalf("generated %d: %v", n, err)
		}
		if _, err := a.Calls.GenerateBulk(ctx, e.sw, holders, calls.GenerateOptions{Calls: 10, Days: 31, End: time.Date(2026, 4, 1, 0, 0, 0, 0, london), Seed: 9}); err == nil {
			t.Error("the same seed twice was stored twice")
		}
		admin := e.env.Actor("acme.admin")
		march := calls.Search{Object: calls.ObjectCompany, ID: f.Acme.ID, From: "2026-03-01", To: "2026-03-31"}
		rolled, err := a.Calls.CallLogTypes(ctx, admin, march)
		if err != nil {
			t.Fatal(err)
		}
		var raw int64
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM calls WHERE company_id = ?", f.Acme.ID).Scan(&raw); err != nil {
			t.Fatal(err)
		}
		// A business-number search reads the calls table; "+44" matches
		// every Acme number.
		byNumber := march
		byNumber.Object, byNumber.ID, byNumber.Number = calls.ObjectBusinessNumber, 0, "+44"
		fromCalls, err := a.Calls.CallLogTypes(ctx, admin, byNumber)
		if err != nil {
			t.Fatal(err)
		}
		if rolled.Calls != raw || fmt.Sprint(rolled.Splits) != fmt.Sprint(fromCalls.Splits) || rolled.Calls < 1500 {
			t.Errorf("roll-ups %d calls %v; calls table %d calls %v", rolled.Calls, rolled.Splits, raw, fromCalls.Splits)
		}
		g1, err1 := a.Calls.CallLogGraph(ctx, admin, march, calls.GraphRequest{Interval: calls.IntervalHour, Measure: calls.MeasureMinutes})
		g2, err2 := a.Calls.CallLogGraph(ctx, admin, byNumber, calls.GraphRequest{Interval: calls.IntervalHour, Measure: calls.MeasureMinutes})
		if err1 != nil || err2 != nil || fmt.Sprint(g1.Points) != fmt.Sprint(g2.Points) {
			t.Errorf("hourly graphs differ between roll-ups and calls (%v, %v)", err1, err2)
		}
		// With a filter the detailed rows answer, not the "all traffic" ones.
		march.Direction, byNumber.Direction = calls.Inbound, calls.Inbound
		g3, err3 := a.Calls.CallLogGraph(ctx, admin, march, calls.GraphRequest{Interval: calls.IntervalDay})
		g4, err4 := a.Calls.CallLogGraph(ctx, admin, byNumber, calls.GraphRequest{Interval: calls.IntervalDay})
		if err3 != nil || err4 != nil || fmt.Sprint(g3.Points) != fmt.Sprint(g4.Points) || fmt.Sprint(g3.Points) == fmt.Sprint(g1.Points) {
			t.Errorf("inbound daily graphs differ between roll-ups and calls (%v, %v)", err3, err4)
		}
		inbound, err := a.Calls.CallLogTypes(ctx, admin, march)
		if err != nil || inbound.Splits[1].Parts[1].Calls != 0 || inbound.Calls != rolled.Splits[1].Parts[0].Calls {
			t.Errorf("inbound type split: %+v %v", inbound, err)
		}
	})
}

// TestCompactNumberDays: a finished day keeps its top numbers per group,
// and the top 10 still ranks the most called first.
func TestCompactNumberDays(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLogEstate(t, db)
		var docs []string
		at := utc("2026-03-10 09:00")
		for i := 0; i < 3; i++ {
			docs = append(docs, fsDoc(fmt.Sprintf("fav-%d", i), e.west, "07911123456", at.Add(time.Duration(i)*time.Minute), 1, 30))
		}
		for i := 0; i < 40; i++ {
			docs = append(docs, fsDoc(fmt.Sprintf("once-%d", i), e.west, fmt.Sprintf("079111235%02d", i), at.Add(time.Duration(10+i)*time.Minute), 1, 30))
		}
		if rep := e.ingest(t, docs...); rep.Accepted != 43 {
			t.Fatalf("report %+v", rep)
		}
		count := func() (n int) {
			if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM call_number_days WHERE scope_kind = 3 AND role = 2").Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		// 41 numbers, each with its detailed and its "all traffic" row.
		if n := count(); n != 82 {
			t.Fatalf("%d destination rows before compaction, want 82", n)
		}
		removed, err := e.env.App.Calls.CompactNumberDays(ctx, utc("2026-03-20 00:00"))
		if err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 50 || removed < 32 {
			t.Errorf("after compaction %d destination rows (removed %d), want 50", n, removed)
		}
		// The site's top 10 reads the roll-ups: unfiltered (the "all
		// traffic" rows) and mobile (the detailed rows) agree.
		leeds := calls.Search{Object: calls.ObjectSite, ID: e.env.Fixture.Leeds.ID, From: "2026-03-01", To: "2026-03-31"}
		for _, cat := range []calls.TopCategory{calls.TopDestinations, calls.TopMobile} {
			top, err := e.env.App.Calls.CallLogTop(ctx, e.env.Actor("acme.admin"), leeds, cat)
			if err != nil || len(top.Entries) != 10 || top.Entries[0].Number != "+447911123456" || top.Entries[0].Calls != 3 || top.Entries[1].Calls != 1 {
				t.Errorf("site top %s after compaction: %+v %v", cat, top.Entries, err)
			}
		}
		top, err := e.env.App.Calls.CallLogTop(ctx, e.env.Actor("west.one"), calls.Search{From: "2026-03-01", To: "2026-03-31"}, calls.TopMobile)
		if err != nil || len(top.Entries) != 10 || top.Entries[0].Number != "+447911123456" || top.Entries[0].Calls != 3 {
			t.Errorf("top mobile after compaction: %+v %v", top.Entries, err)
		}
		// A second run has nothing left to do.
		if again, err := e.env.App.Calls.CompactNumberDays(ctx, utc("2026-03-20 00:00")); err != nil || again != 0 {
			t.Errorf("second compaction removed %d: %v", again, err)
		}
	})
}

// TestLoadBulkMatchesIngest: the fast loader stores what ingest stores for
// the same records — every column of every call and every roll-up row
// (ingest's number roll-ups once aggregated and compacted as the
// maintenance tasks do) — and refuses a calls table that holds calls.
func TestLoadBulkMatchesIngest(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLogEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		holders, err := a.Calls.Holders(ctx, f.Provider.ID, 0)
		if err != nil || len(holders) != 3 {
			t.Fatalf("holders %+v %v", holders, err)
		}
		opts := calls.GenerateOptions{Calls: 4000, Days: 31, End: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC), Seed: 15}
		n, err := a.Calls.LoadBulk(ctx, e.sw, holders, opts)
		if err != nil || n != opts.Calls {
			t.Fatalf("loaded %d: %v", n, err)
		}
		if _, err := a.Calls.LoadBulk(ctx, e.sw, holders, calls.GenerateOptions{Calls: 10, Seed: 16}); err == nil {
			t.Error("the loader filled a calls table that holds calls")
		}
		loaded := snapshot(t, db)
		var indexes int
		if err := db.Q(ctx).QueryRow(ctx, indexCount(db)).Scan(&indexes); err != nil || indexes < 9 {
			t.Errorf("%d indexes on calls after the load (%v)", indexes, err)
		}
		for _, table := range []string{"calls", "call_scope_rollups", "call_number_days", "call_number_days_compacted"} {
			if _, err := storetest.Exec(ctx, db, "DELETE FROM "+table); err != nil {
				t.Fatal(err)
			}
		}
		var buf bytes.Buffer
		if err := calls.WriteBulkRecords(&buf, e.sw, holders, opts); err != nil {
			t.Fatal(err)
		}
		rep, err := a.Calls.Ingest(ctx, e.sw, calls.SourceCommand, "bulk", calls.FormatFreeSWITCHJSON, &buf)
		if err != nil || rep.Accepted != opts.Calls {
			t.Fatalf("ingest %+v %v", rep, err)
		}
		if _, err := a.Calls.AggregateNumbers(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Calls.CompactNumberDays(ctx, opts.End.AddDate(0, 0, 2)); err != nil {
			t.Fatal(err)
		}
		ingested := snapshot(t, db)
		for table, rows := range loaded {
			if len(rows) == 0 {
				t.Errorf("%s: the loader stored nothing", table)
			}
			got := ingested[table]
			if len(got) != len(rows) {
				t.Errorf("%s: %d rows loaded, %d ingested", table, len(rows), len(got))
				continue
			}
			for i := range rows {
				if rows[i] != got[i] {
					t.Errorf("%s: loaded %s, ingested %s", table, rows[i], got[i])
					break
				}
			}
		}
	})
}

func indexCount(db *store.DB) string {
	if db.Dialect() == store.Postgres {
		return "SELECT COUNT(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'calls'"
	}
	return "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls'"
}

// snapshot reads the calls (all but their id and batch) and the Call Logs
// roll-ups as sorted lines.
func snapshot(t *testing.T, db *store.DB) map[string][]string {
	t.Helper()
	ctx := context.Background()
	out := map[string][]string{}
	for table, query := range map[string]string{
		"calls": `SELECT record_id, start_at, answer_at, end_at, duration, billsec, calling_raw, called_raw, calling, called,
			direction, traffic, status, company_id, site_id, employee_id, business_number FROM calls`,
		"call_scope_rollups": "SELECT * FROM call_scope_rollups",
		"call_number_days":   "SELECT * FROM call_number_days",
	} {
		rows, err := db.Q(ctx).Query(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var line []string
			for _, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				line = append(line, fmt.Sprint(v))
			}
			out[table] = append(out[table], strings.Join(line, "|"))
		}
		rows.Close()
		slices.Sort(out[table])
	}
	return out
}
