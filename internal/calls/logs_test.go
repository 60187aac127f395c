package calls_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// logEstate gives west.one (Leeds), london.one (London) and globex.one
// (Globex, Reading) numbers held since February 2026 and ingests calls
// around the start of British summer time (29 March 2026, 01:00 UTC).
type logEstate struct {
	estate
	west, london, globex string
}

func newLogEstate(t *testing.T, db *store.DB) logEstate {
	t.Helper()
	ctx := context.Background()
	e := logEstate{estate: newEstate(t, db), west: "+441134960011", london: "+442079460012", globex: "+441184960013"}
	a, f := e.env.App, e.env.Fixture
	owner := func(user string) numbering.Owner {
		return numbering.Owner{Kind: numbering.OwnerUser, ID: e.env.ID(user)}
	}
	for _, n := range []struct {
		company int64
		number  string
		user    string
	}{{f.Acme.ID, e.west, "west.one"}, {f.Acme.ID, e.london, "london.one"}, {f.Globex.ID, e.globex, "globex.one"}} {
		if _, err := a.Numbering.Assign(ctx, n.company, n.number, owner(n.user)); err != nil {
			t.Fatal(err)
		}
	}
	e.sync(t)
	if err := a.Calls.BackdateHistory(ctx, f.Provider.ID, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	return e
}

func utc(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04", s)
	if err != nil {
		panic(err)
	}
	return t
}

// TestCallLogViews checks every view against the calls themselves: the
// graph (with the hour buckets of a day whose clocks go forward), the
// type split, the top 10, the list's two orders paged by keyset, and the
// export.
func TestCallLogViews(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLogEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		rep := e.ingest(t,
			// 28 March (GMT): west.one calls a mobile twice, a national once.
			fsDoc("w1", e.west, "07911123456", utc("2026-03-28 09:10"), 2, 120),
			fsDoc("w2", e.west, "07911123456", utc("2026-03-28 09:40"), 2, 60),
			fsDoc("w3", e.west, "01134960999", utc("2026-03-28 10:05"), 2, 30),
			// A missed inbound call and an international one.
			fsDoc("w4", "+442079460999", e.west, utc("2026-03-28 11:00"), 20, 0),
			fsDoc("w5", e.west, "0033142685300", utc("2026-03-28 11:30"), 1, 600),
			// 29 March: 00:30 UTC is 00:30 GMT; 01:30 UTC is 02:30 BST.
			fsDoc("w6", e.west, "07911123456", utc("2026-03-29 00:30"), 1, 10),
			fsDoc("w7", e.west, "07911123457", utc("2026-03-29 01:30"), 1, 10),
			// On-Net: west.one calls london.one.
			fsDoc("l1", e.west, e.london, utc("2026-03-29 12:00"), 1, 45),
			// A switch that writes a formula as the caller's name.
			fsDoc("l2", "%3DHYPERLINK(%22x%22)", e.london, utc("2026-03-30 12:00"), 1, 5),
			// Globex: must never show in Acme's views.
			fsDoc("g1", e.globex, "07911123456", utc("2026-03-28 09:00"), 1, 100),
			// April: outside March.
			fsDoc("w8", e.west, "07911123456", utc("2026-04-02 09:00"), 1, 100),
		)
		if rep.Accepted != 11 {
			t.Fatalf("report %+v", rep)
		}
		admin := e.env.Actor("acme.admin")
		march := calls.Search{Object: calls.ObjectCompany, ID: f.Acme.ID, From: "2026-03-01", To: "2026-03-31", TimeZone: "Europe/London"}

		// Graph by day: 28 March 6 calls... west's 5, 29 March 3, 30 March 1.
		g, err := a.Calls.CallLogGraph(ctx, admin, march, calls.GraphRequest{Interval: calls.IntervalDay, Compare: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(g.Points) != 31 || g.Points[27].Calls != 5 || g.Points[28].Calls != 3 || g.Points[29].Calls != 1 {
			t.Fatalf("daily graph: %d points, 28–30 March %d %d %d", len(g.Points), g.Points[27].Calls, g.Points[28].Calls, g.Points[29].Calls)
		}
		if len(g.Previous) != 28 || g.PreviousFrom != "2026-02-01" || g.Search.Title != "Acme" && g.Search.Title == "" {
			t.Errorf("compare: %d previous points from %s, title %q", len(g.Previous), g.PreviousFrom, g.Search.Title)
		}
		// Hourly on the day the clocks go forward: 23 hours, the call at
		// 01:30 UTC shown at 02:00 BST.
		day := march
		day.From, day.To = "2026-03-29", "2026-03-29"
		h, err := a.Calls.CallLogGraph(ctx, admin, day, calls.GraphRequest{Interval: calls.IntervalHour, Measure: calls.MeasureMinutes})
		if err != nil {
			t.Fatal(err)
		}
		if len(h.Points) != 23 || h.Points[1].Label != "02:00" || h.Points[1].Calls != 1 || h.Points[0].Calls != 1 || h.Points[1].Title != "Sun 29 Mar 2026 02:00 BST" {
			t.Fatalf("hourly graph on 29 March: %d points, second %+v", len(h.Points), h.Points[1])
		}
		if h.Points[12].Value != 0.75 || h.Points[12].Label != "13:00" { // 12:00 UTC is 13:00 BST
			t.Errorf("minutes at 13:00 BST: %+v", h.Points[12])
		}
		if _, err := a.Calls.CallLogGraph(ctx, admin, march, calls.GraphRequest{Interval: calls.IntervalHour}); err != nil {
			t.Errorf("an hourly month: %v", err)
		}
		year := march
		year.From, year.To = "2026-01-01", "2026-12-31"
		if _, err := a.Calls.CallLogGraph(ctx, admin, year, calls.GraphRequest{Interval: calls.IntervalHour}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("an hourly year: %v", err)
		}
		if m, err := a.Calls.CallLogGraph(ctx, admin, year, calls.GraphRequest{Interval: calls.IntervalMonth}); err != nil || len(m.Points) != 12 || m.Points[2].Calls != 9 || m.Points[3].Calls != 1 {
			t.Errorf("monthly graph over a year (daily roll-ups): %+v %v", m.Points, err)
		}

		// Type: 9 calls, 1 On-Net, 2 inbound, 1 unanswered.
		ty, err := a.Calls.CallLogTypes(ctx, admin, march)
		if err != nil {
			t.Fatal(err)
		}
		if ty.Calls != 9 || ty.Splits[0].Parts[1].Calls != 1 || ty.Splits[1].Parts[0].Calls != 2 || ty.Splits[2].Parts[1].Calls != 1 {
			t.Fatalf("type split: %+v", ty)
		}
		if p := ty.Splits[2].Parts[1].CallsPercent; p != 11.1 {
			t.Errorf("unanswered share %v%%, want 11.1", p)
		}

		// Top 10 destinations and mobile.
		top, err := a.Calls.CallLogTop(ctx, admin, march, calls.TopMobile)
		if err != nil {
			t.Fatal(err)
		}
		if len(top.Entries) != 2 || top.Entries[0].Number != "+447911123456" || top.Entries[0].Calls != 3 {
			t.Fatalf("top mobile: %+v", top.Entries)
		}
		calling, err := a.Calls.CallLogTop(ctx, admin, march, calls.TopCalling)
		if err != nil || calling.Entries[0].Number != e.west || calling.Entries[0].Calls != 7 {
			t.Fatalf("top calling: %+v %v", calling.Entries, err)
		}
		national := march
		national.Traffic = calls.National
		if tn, err := a.Calls.CallLogTop(ctx, admin, national, calls.TopMobile); err != nil || len(tn.Entries) != 0 {
			t.Errorf("top mobile of a national search: %+v %v", tn, err)
		}

		// The roll-up answers equal the calls' own: a number search reads
		// the calls table.
		byNumber := march
		byNumber.Object, byNumber.ID, byNumber.Number = calls.ObjectBusinessNumber, 0, "4960011"
		nt, err := a.Calls.CallLogTop(ctx, admin, byNumber, calls.TopMobile)
		if err != nil || fmt.Sprint(nt.Entries) != fmt.Sprint(top.Entries) {
			t.Errorf("top mobile from the calls (%+v, %v) differs from the roll-ups (%+v)", nt.Entries, err, top.Entries)
		}
		ng, err := a.Calls.CallLogGraph(ctx, admin, byNumber, calls.GraphRequest{Interval: calls.IntervalDay})
		if err != nil || ng.Points[27].Calls != 5 || ng.Points[28].Calls != 3 {
			t.Errorf("graph of business number: %v", err)
		}

		// List: newest first, two a page, every call once; then by duration.
		var seen []string
		for after, pages := "", 0; ; pages++ {
			page, err := a.Calls.CallLogList(ctx, admin, march, calls.ListRequest{After: after, Limit: 2})
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page.Calls {
				seen = append(seen, c.Start.UTC().Format("02 15:04"))
			}
			if after = page.Next; after == "" {
				break
			}
			if pages > 10 {
				t.Fatal("the list never ends")
			}
		}
		if got := strings.Join(seen, ","); got != "30 12:00,29 12:00,29 01:30,29 00:30,28 11:30,28 11:00,28 10:05,28 09:40,28 09:10" {
			t.Errorf("list by time: %s", got)
		}
		long, err := a.Calls.CallLogList(ctx, admin, march, calls.ListRequest{Sort: "-duration", Limit: 3})
		if err != nil || len(long.Calls) != 3 || long.Calls[0].Duration != 600 || long.Calls[1].Duration != 120 || long.Calls[0].Start.Location().String() != "Europe/London" {
			t.Fatalf("list by duration: %+v %v", long, err)
		}
		next, err := a.Calls.CallLogList(ctx, admin, march, calls.ListRequest{Sort: "-duration", Limit: 3, After: long.Next})
		if err != nil || next.Calls[0].Duration != 45 {
			t.Errorf("second page by duration: %+v %v", next, err)
		}
		if _, err := a.Calls.CallLogList(ctx, admin, march, calls.ListRequest{Sort: "time", After: long.Next}); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("a cursor of another order: %v", err)
		}

		// Export: a header and the 9 calls, the formula neutralised, the
		// numbers left dialable.
		var buf bytes.Buffer
		if err := a.Calls.ExportCallLogs(ctx, admin, march, calls.ExportRequest{View: "list"}, &buf); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil || len(recs) != 10 {
			t.Fatalf("export: %d records, %v", len(recs), err)
		}
		if recs[1][3] != `'=HYPERLINK("x")` || recs[1][0] != e.london || recs[2][3] != e.west {
			t.Errorf("export rows: %q / %q", recs[1], recs[2])
		}
		for _, view := range []string{"graph", "type", "top"} {
			buf.Reset()
			if err := a.Calls.ExportCallLogs(ctx, admin, march, calls.ExportRequest{View: view}, &buf); err != nil || buf.Len() == 0 {
				t.Errorf("export %s: %v", view, err)
			}
		}

		// The employee sees their own calls; in March west.one has 8.
		own, err := a.Calls.CallLogTypes(ctx, e.env.Actor("west.one"), calls.Search{From: "2026-03-01", To: "2026-03-31"})
		if err != nil || own.Calls != 8 || own.Search.Object != calls.ObjectUser {
			t.Errorf("west.one's own calls: %+v %v", own, err)
		}
	})
}

// TestCallLogAccess: every object answers only the actors who may see it;
// another tenant's company, site or user answers exactly like a missing
// one, and a refused search changes nothing.
func TestCallLogAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newLogEstate(t, db)
		e.env.AddCast(t)
		a, f := e.env.App, e.env.Fixture
		e.ingest(t, fsDoc("w1", e.west, "07911123456", utc("2026-03-28 09:10"), 2, 120),
			fsDoc("g1", e.globex, "07911123456", utc("2026-03-28 09:00"), 1, 100))
		obj := func(kind calls.ObjectKind, id int64) calls.Search {
			return calls.Search{Object: kind, ID: id, From: "2026-03-01", To: "2026-03-31"}
		}
		const missing = 999999
		before := storetest.Counts(t, db)
		for _, tc := range []struct {
			user string
			q    calls.Search
			want string // "ok", "404", "403"
		}{
			{"operator", obj(calls.ObjectPlatform, 0), "ok"},
			{"operator", obj(calls.ObjectCompany, f.Globex.ID), "ok"},
			{"other.operator", obj(calls.ObjectCompany, f.Acme.ID), "404"},
			{"other.operator", obj(calls.ObjectSite, f.Leeds.ID), "404"},
			{"other.operator", obj(calls.ObjectUser, e.env.ID("west.one")), "404"},
			{"acme.reseller", obj(calls.ObjectCompany, f.Acme.ID), "ok"},
			{"acme.reseller", obj(calls.ObjectPlatform, 0), "403"},
			{"reseller.admin", obj(calls.ObjectCompany, f.Acme.ID), "404"},
			{"acme.admin", obj(calls.ObjectCompany, f.Acme.ID), "ok"},
			{"acme.admin", obj(calls.ObjectSite, f.London.ID), "ok"},
			{"acme.admin", obj(calls.ObjectPlatform, 0), "403"},
			{"acme.admin", obj(calls.ObjectCompany, f.Globex.ID), "404"},
			{"acme.admin", obj(calls.ObjectSite, f.Reading.ID), "404"},
			{"acme.admin", obj(calls.ObjectUser, e.env.ID("globex.one")), "404"},
			{"acme.admin", calls.Search{Object: calls.ObjectUser, Username: "globex.one"}, "404"},
			{"acme.admin", obj(calls.ObjectSite, missing), "404"},
			{"globex.admin", obj(calls.ObjectCompany, f.Acme.ID), "404"},
			{"globex.admin", obj(calls.ObjectSite, f.Leeds.ID), "404"},
			{"leeds.admin", obj(calls.ObjectSite, f.Leeds.ID), "ok"},
			{"leeds.admin", obj(calls.ObjectUser, e.env.ID("west.one")), "ok"},
			{"leeds.admin", obj(calls.ObjectSite, f.London.ID), "404"},
			{"leeds.admin", obj(calls.ObjectUser, e.env.ID("london.one")), "404"},
			{"leeds.admin", obj(calls.ObjectCompany, f.Acme.ID), "403"},
			{"sales.admin", obj(calls.ObjectUser, e.env.ID("west.one")), "ok"},
			{"sales.admin", obj(calls.ObjectSite, f.Leeds.ID), "404"},
			{"west.one", obj(calls.ObjectUser, e.env.ID("west.one")), "ok"},
			{"west.one", obj(calls.ObjectUser, e.env.ID("london.one")), "404"},
			{"west.one", obj(calls.ObjectSite, f.Leeds.ID), "404"},
			{"west.one", obj(calls.ObjectCompany, f.Acme.ID), "403"},
		} {
			_, err := a.Calls.CallLogTypes(ctx, e.env.Actor(tc.user), tc.q)
			got := "ok"
			switch {
			case derrors.IsNotFound(err):
				got = "404"
			case errors.Is(err, derrors.ErrForbidden):
				got = "403"
			case err != nil:
				got = err.Error()
			}
			if got != tc.want {
				t.Errorf("%s %s %d: %s, want %s", tc.user, tc.q.Object, tc.q.ID, got, tc.want)
			}
		}
		// A number search finds only calls within the actor's reach.
		for _, tc := range []struct {
			user   string
			number string
			want   int64
		}{
			{"operator", "7911123456", 2},
			{"acme.admin", "7911123456", 1},
			{"globex.admin", "7911123456", 1},
			{"acme.admin", e.globex, 0},
			{"leeds.admin", e.west, 1},
			{"sales.admin", e.west, 0}, // administers no site: only their own calls
			{"london.one", e.west, 0},
			{"other.operator", e.west, 0},
		} {
			q := calls.Search{Object: calls.ObjectBusinessNumber, Number: tc.number, From: "2026-03-01", To: "2026-03-31"}
			if tc.number == "7911123456" {
				q.Object = calls.ObjectCallingNumber
				q.Number = e.west[1:]
				if tc.user == "globex.admin" || tc.user == "operator" {
					q.Object, q.Number = calls.ObjectBusinessNumber, "4960"
				}
			}
			ty, err := a.Calls.CallLogTypes(ctx, e.env.Actor(tc.user), q)
			if err != nil || ty.Calls != tc.want {
				t.Errorf("%s searching %s: %d calls (%v), want %d", tc.user, q.Number, ty.Calls, err, tc.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}

// TestParseSearch: every bad value of the search bar is a field error.
func TestParseSearch(t *testing.T) {
	for _, tc := range []struct {
		query, field string
	}{
		{"object=galaxy", "object"},
		{"object=company", "id"},
		{"object=user", "username"},
		{"object=business_number&number=12a", "number"},
		{"traffic=local", "traffic"},
		{"direction=sideways", "direction"},
		{"status=maybe", "status"},
	} {
		v, _ := url.ParseQuery(tc.query)
		_, err := calls.ParseSearch(v)
		var verr *derrors.ValidationError
		if !errors.As(err, &verr) || len(verr.Fields) != 1 || verr.Fields[0].Field != tc.field {
			t.Errorf("%s: %v, want a %s error", tc.query, err, tc.field)
		}
	}
}
