package calls_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestNumberRollupsAfterCrash: ingest leaves the number roll-ups to the
// aggregator; a crash between the two (or in the middle of an
// aggregation) loses nothing and counts nothing twice, and a record sent
// again is never aggregated again. Every top 10 is checked against the
// calls themselves.
func TestNumberRollupsAfterCrash(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLogEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		at := utc("2026-03-10 09:00")
		var first []string
		for i := 0; i < 40; i++ {
			// Mobile numbers called 1 to 8 times each, from Leeds and London.
			from := e.west
			if i%3 == 0 {
				from = e.london
			}
			first = append(first, fsDoc(fmt.Sprintf("crash-%d", i), from, fmt.Sprintf("079112000%02d", i%8*(i%5)), at.Add(time.Duration(i)*time.Minute), 2, 10+i))
		}
		ingest := func(docs []string) calls.Report {
			t.Helper()
			rep, err := a.Calls.Ingest(ctx, e.sw, calls.SourceCommand, "test", "", strings.NewReader(strings.Join(docs, "")))
			if err != nil {
				t.Fatal(err)
			}
			return rep
		}
		if rep := ingest(first); rep.Accepted != 40 {
			t.Fatalf("report %+v", rep)
		}
		admin := e.env.Actor("acme.admin")
		searches := map[string]calls.Search{
			"company_id": {Object: calls.ObjectCompany, ID: f.Acme.ID, From: "2026-03-01", To: "2026-03-31"},
			"site_id":    {Object: calls.ObjectSite, ID: f.Leeds.ID, From: "2026-03-01", To: "2026-03-31"},
		}
		top := func(column string) string {
			t.Helper()
			v, err := a.Calls.CallLogTop(ctx, admin, searches[column], calls.TopDestinations)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, en := range v.Entries {
				out = append(out, fmt.Sprintf("%s=%d/%d", en.Number, en.Calls, en.Seconds))
			}
			return strings.Join(out, " ")
		}
		exact := func(column string) string {
			t.Helper()
			id := f.Acme.ID
			if column == "site_id" {
				id = f.Leeds.ID
			}
			rows, err := db.Q(ctx).Query(ctx, "SELECT called, COUNT(*) AS n, SUM(billsec) FROM calls WHERE "+column+" = ? GROUP BY called ORDER BY n DESC, called LIMIT 10", id)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []string
			for rows.Next() {
				var n string
				var c, s int64
				if err := rows.Scan(&n, &c, &s); err != nil {
					t.Fatal(err)
				}
				out = append(out, fmt.Sprintf("%s=%d/%d", n, c, s))
			}
			return strings.Join(out, " ")
		}
		check := func(when string) {
			t.Helper()
			for _, column := range []string{"company_id", "site_id"} {
				if got, want := top(column), exact(column); got != want || want == "" {
					t.Errorf("%s, %s top 10:\n got %s\nwant %s", when, column, got, want)
				}
			}
		}
		pending := func() int64 {
			t.Helper()
			n, err := a.Calls.PendingNumbers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		// Stored, not yet aggregated: the calls wait, the top 10 does not
		// show them yet.
		if n := pending(); n < 40 {
			t.Fatalf("%d calls pending after ingest, want 40", n)
		}
		if got := top("company_id"); got != "" {
			t.Errorf("top 10 before aggregation: %s", got)
		}
		// A crash in the middle of an aggregation: its transaction never
		// commits.
		crash := errors.New("the node stopped")
		if err := db.Tx(ctx, func(ctx context.Context) error {
			if n, err := a.Calls.AggregateNumbers(ctx); err != nil || n != 40 {
				t.Errorf("aggregated %d: %v", n, err)
			}
			return crash
		}); !errors.Is(err, crash) {
			t.Fatal(err)
		}
		if n := pending(); n < 40 {
			t.Fatalf("%d calls pending after the crash, want 40", n)
		}
		// Recovery: the next run adds them all, once.
		if n, err := a.Calls.AggregateNumbers(ctx); err != nil || n != 40 {
			t.Fatalf("recovery aggregated %d: %v", n, err)
		}
		check("after recovery")
		if n, err := a.Calls.AggregateNumbers(ctx); err != nil || n != 0 || pending() != 0 {
			t.Errorf("a second run aggregated %d (%v), %d pending", n, err, pending())
		}
		check("after a second run")
		// The same records again are duplicates: nothing to aggregate.
		if rep := ingest(first); rep.Accepted != 0 || rep.Duplicates != 40 {
			t.Fatalf("resend %+v", rep)
		}
		if n, err := a.Calls.AggregateNumbers(ctx); err != nil || n != 0 {
			t.Errorf("a resend aggregated %d: %v", n, err)
		}
		check("after a resend")
		// Old and new records mixed: only the new ones count.
		mixed := append([]string{}, first[:5]...)
		for i := 0; i < 9; i++ {
			mixed = append(mixed, fsDoc(fmt.Sprintf("new-%d", i), e.west, "07911200099", at.Add(time.Duration(60+i)*time.Minute), 2, 5))
		}
		if rep := ingest(mixed); rep.Accepted != 9 || rep.Duplicates != 5 {
			t.Fatalf("mixed %+v", rep)
		}
		if n, err := a.Calls.AggregateNumbers(ctx); err != nil || n != 9 {
			t.Errorf("mixed batch aggregated %d: %v", n, err)
		}
		check("after a mixed batch")
		if got := top("site_id"); !strings.HasPrefix(got, "+447911200099=9/45 ") {
			t.Errorf("the new number does not lead the site's top 10: %s", got)
		}
	})
}
