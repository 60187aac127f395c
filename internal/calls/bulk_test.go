package calls_test

import (
	"context"
	"fmt"
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
