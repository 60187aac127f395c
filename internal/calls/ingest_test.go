package calls_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// fsDoc is a mod_json_cdr document as FreeSWITCH writes it (values
// URL-encoded), with microsecond stamps.
func fsDoc(uuid, caller, dest string, start time.Time, ring, talk int) string {
	answer := "0"
	end := start.Add(time.Duration(ring+talk) * time.Second)
	if talk > 0 {
		answer = fmt.Sprint(start.Add(time.Duration(ring) * time.Second).UnixMicro())
	}
	return fmt.Sprintf(`{"core-uuid":"c0","variables":{"uuid":"%s","caller_id_number":"%s","destination_number":"%s",`+
		`"start_uepoch":"%d","answer_uepoch":"%s","end_uepoch":"%d","duration":"%d","billsec":"%d"}}`+"\n",
		uuid, strings.ReplaceAll(caller, "+", "%2B"), strings.ReplaceAll(dest, "+", "%2B"),
		start.UnixMicro(), answer, end.UnixMicro(), ring+talk, talk)
}

type stored struct {
	direction, traffic, status int
	company, site, employee    int64
	business, calling, called  string
	billsec                    int
}

func storedCall(t *testing.T, db *store.DB, recordID string) stored {
	t.Helper()
	ctx := context.Background()
	var s stored
	if err := db.Q(ctx).QueryRow(ctx, `SELECT direction, traffic, status, company_id, site_id, employee_id, business_number, calling, called, billsec
		FROM calls WHERE record_id = ?`, recordID).Scan(&s.direction, &s.traffic, &s.status, &s.company, &s.site, &s.employee,
		&s.business, &s.calling, &s.called, &s.billsec); err != nil {
		t.Fatalf("call %s: %v", recordID, err)
	}
	return s
}

type estate struct {
	env     *apptest.Env
	svc     apptest.Service
	sw      calls.Switch
	west    int64
	support int64
}

func newEstate(t testing.TB, db *store.DB) estate {
	env := apptest.New(t, db)
	e := estate{env: env, svc: env.SeedService(t), west: env.ID("west.one"), support: env.ID("support.one")}
	var err error
	if e.sw, _, err = env.App.Calls.CreateSwitch(context.Background(), env.Actor("operator"),
		calls.SwitchCreateRequest{Name: "fs1", Format: "freeswitch-json"}); err != nil {
		t.Fatal(err)
	}
	// Adding a switch is audited, with the switch and never its token.
	var n int
	var after string
	ctx := context.Background()
	if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*), COALESCE(MAX(after_json), '') FROM audit_events WHERE event = 'Create Switch' AND object_id = ?",
		e.sw.ID).Scan(&n, &after); err != nil || n != 1 || !strings.Contains(after, `"name":"fs1"`) || strings.Contains(after, "sbsw_") {
		t.Fatalf("audit of Create Switch: %d entries, %s, %v", n, after, err)
	}
	return e
}

func (e estate) sync(t *testing.T) {
	t.Helper()
	if err := e.env.App.Calls.SyncAssignments(context.Background(), 0, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func (e estate) ingest(t *testing.T, docs ...string) calls.Report {
	t.Helper()
	rep, err := e.env.App.Calls.Ingest(context.Background(), e.sw, calls.SourceCommand, "test", "", strings.NewReader(strings.Join(docs, "")))
	if err != nil {
		t.Fatal(err)
	}
	// What a node's number aggregator does once the batch has committed.
	if _, err := e.env.App.Calls.AggregateNumbers(context.Background()); err != nil {
		t.Fatal(err)
	}
	return rep
}

func pause() { time.Sleep(15 * time.Millisecond) }

// TestAttributionAcrossReassignment gives a number to one employee, then to
// another, and ingests calls of both periods afterwards: each call stays
// with whoever held the number when it was made.
func TestAttributionAcrossReassignment(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		const number = "+441134960001"
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, number, numbering.Owner{Kind: numbering.OwnerUser, ID: e.west}); err != nil {
			t.Fatal(err)
		}
		e.sync(t)
		pause()
		before := time.Now()
		pause()
		if _, err := a.Numbering.Release(ctx, f.Acme.ID, number); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, number, numbering.Owner{Kind: numbering.OwnerUser, ID: e.support}); err != nil {
			t.Fatal(err)
		}
		pause()
		after := time.Now()
		pause()
		// The sync runs late (as the periodic one would): numbering's own
		// assignment times still date the change.
		e.sync(t)
		rep := e.ingest(t,
			fsDoc("old-call", number, "07911123456", before, 3, 60),
			fsDoc("new-call", number, "07911123456", after, 3, 60))
		if rep.Accepted != 2 || rep.Malformed != 0 {
			t.Fatalf("report %+v", rep)
		}
		if got := storedCall(t, db, "old-call"); got.employee != e.west || got.company != f.Acme.ID || got.site != f.Leeds.ID || got.business != number {
			t.Errorf("the call made before the reassignment went to %+v, want employee %d (west.one)", got, e.west)
		}
		if got := storedCall(t, db, "new-call"); got.employee != e.support {
			t.Errorf("the call made after the reassignment went to employee %d, want %d (support.one)", got.employee, e.support)
		}
		// A call before anyone held the number is nobody's.
		e.ingest(t, fsDoc("ancient-call", number, "07911123456", before.Add(-24*time.Hour), 3, 60))
		if got := storedCall(t, db, "ancient-call"); got.company != 0 || got.employee != 0 {
			t.Errorf("a call from before the number was assigned was attributed: %+v", got)
		}
	})
}

// TestClassificationOnIngest covers direction, status and the On-Net and
// Off-Net classes, which depend on whose numbers the parties are (the
// other classes: TestClassifyExternal), and extension attribution.
func TestClassificationOnIngest(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		owner := func(id int64) numbering.Owner { return numbering.Owner{Kind: numbering.OwnerUser, ID: id} }
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960001", owner(e.west)); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960002", owner(e.support)); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2002", owner(e.support)); err != nil {
			t.Fatal(err)
		}
		e.sync(t)
		pause()
		at := time.Now()
		rep := e.ingest(t,
			fsDoc("on-net", "+441134960001", "01134960002", at, 2, 30),
			fsDoc("mobile", "+441134960001", "07911123456", at, 2, 30),
			fsDoc("inbound", "+442079460999", "+441134960002", at, 20, 0),
			fsDoc("international", "01134960002", "0033142685300", at, 1, 600),
			fsDoc("premium", "01134960002", "09061234567", at, 1, 10),
			fsDoc("extension", "2002", "08001111", at, 1, 10),
		)
		if rep.Accepted != 6 {
			t.Fatalf("report %+v", rep)
		}
		for _, tc := range []struct {
			id                         string
			direction, traffic, status int
			employee                   int64
		}{
			{"on-net", int(calls.Outbound), int(calls.OnNet), int(calls.Answered), e.west},
			{"mobile", int(calls.Outbound), int(calls.Mobile), int(calls.Answered), e.west},
			{"inbound", int(calls.Inbound), int(calls.OffNet), int(calls.Unanswered), e.support},
			{"international", int(calls.Outbound), int(calls.International), int(calls.Answered), e.support},
			{"premium", int(calls.Outbound), int(calls.PremiumRate), int(calls.Answered), e.support},
			{"extension", int(calls.Outbound), int(calls.NonGeographic), int(calls.Answered), e.support},
		} {
			got := storedCall(t, db, tc.id)
			if got.direction != tc.direction || got.traffic != tc.traffic || got.status != tc.status || got.employee != tc.employee {
				t.Errorf("%s: direction %d traffic %d status %d employee %d, want %d %d %d %d", tc.id,
					got.direction, got.traffic, got.status, got.employee, tc.direction, tc.traffic, tc.status, tc.employee)
			}
		}
		if got := storedCall(t, db, "international"); got.calling != "+441134960002" || got.called != "+33142685300" {
			t.Errorf("normalised numbers %q → %q", got.calling, got.called)
		}

		// The provider's roll-ups hold exactly what the calls table holds,
		// per granularity, in the detailed rows and in the "all traffic" ones.
		for _, g := range []int{calls.Hourly, calls.Daily} {
			for _, rows := range []string{"direction <> 0", "direction = 0"} {
				var n, secs, rn, rsecs int64
				if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*), COALESCE(SUM(billsec), 0) FROM calls").Scan(&n, &secs); err != nil {
					t.Fatal(err)
				}
				if err := db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(calls), 0), COALESCE(SUM(seconds), 0) FROM call_scope_rollups WHERE scope_kind = 1 AND granularity = ? AND "+rows, g).Scan(&rn, &rsecs); err != nil {
					t.Fatal(err)
				}
				if n != rn || secs != rsecs {
					t.Errorf("granularity %d, %s: roll-ups hold %d calls / %d s, the table %d / %d", g, rows, rn, rsecs, n, secs)
				}
			}
		}

		// A resend is a duplicate and changes neither calls nor roll-ups.
		before := storetest.Counts(t, db)
		var sum int64
		_ = db.Q(ctx).QueryRow(ctx, "SELECT SUM(calls) FROM call_scope_rollups").Scan(&sum)
		rep = e.ingest(t, fsDoc("on-net", "+441134960001", "01134960002", at, 2, 30), fsDoc("mobile", "+441134960001", "07911123456", at, 2, 30))
		if rep.Accepted != 0 || rep.Duplicates != 2 {
			t.Errorf("resend report %+v", rep)
		}
		var sum2 int64
		_ = db.Q(ctx).QueryRow(ctx, "SELECT SUM(calls) FROM call_scope_rollups").Scan(&sum2)
		after := storetest.Counts(t, db)
		if before["calls"] != after["calls"] || sum != sum2 {
			t.Errorf("a resend changed the calls (%d → %d) or the roll-ups (%d → %d)", before["calls"], after["calls"], sum, sum2)
		}
	})
}

// TestTenantIsolation: another provider's switch never attributes a call to
// this provider's companies, even when the record names their numbers.
func TestTenantIsolation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		e.env.AddCast(t)
		a, f := e.env.App, e.env.Fixture
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960001", numbering.Owner{Kind: numbering.OwnerUser, ID: e.west}); err != nil {
			t.Fatal(err)
		}
		e.sync(t)
		pause()
		other, _, err := a.Calls.CreateSwitch(ctx, e.env.Actor("other.operator"), calls.SwitchCreateRequest{Name: "fs1", Format: "freeswitch-json"})
		if err != nil {
			t.Fatalf("another provider's switch of the same name: %v", err)
		}
		if _, err := a.Calls.Ingest(ctx, other, calls.SourceCommand, "test", "", strings.NewReader(fsDoc("foreign", "+441134960001", "07911123456", time.Now(), 1, 5))); err != nil {
			t.Fatal(err)
		}
		if got := storedCall(t, db, "foreign"); got.company != 0 || got.employee != 0 {
			t.Errorf("another provider's call was attributed to %+v", got)
		}
	})
}

// TestSyncNumber syncs one number or extension at a time, as a hook after
// each assignment would, and leaves the others alone.
func TestSyncNumber(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		a, f := e.env.App, e.env.Fixture
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: e.west}
		rows := func(kind, key string) (open, closed int) {
			t.Helper()
			if err := db.Q(ctx).QueryRow(ctx, `SELECT COALESCE(SUM(CASE WHEN valid_to = 0 THEN 1 ELSE 0 END), 0),
				COALESCE(SUM(CASE WHEN valid_to <> 0 THEN 1 ELSE 0 END), 0) FROM number_history WHERE kind = ? AND number = ?`, kind, key).Scan(&open, &closed); err != nil {
				t.Fatal(err)
			}
			return open, closed
		}
		for _, n := range []string{"+441134960001", "+441134960002"} {
			if _, err := a.Numbering.Assign(ctx, f.Acme.ID, n, owner); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2001", owner); err != nil {
			t.Fatal(err)
		}
		if err := a.Calls.SyncNumber(ctx, f.Acme.ID, "number", "+441134960001", time.Now()); err != nil {
			t.Fatal(err)
		}
		if err := a.Calls.SyncNumber(ctx, f.Acme.ID, "extension", "2001", time.Now()); err != nil {
			t.Fatal(err)
		}
		if o, _ := rows("number", "+441134960001"); o != 1 {
			t.Errorf("synced number: %d open rows, want 1", o)
		}
		if o, _ := rows("extension", "2001"); o != 1 {
			t.Errorf("synced extension: %d open rows, want 1", o)
		}
		if o, _ := rows("number", "+441134960002"); o != 0 {
			t.Errorf("a number that was not synced has %d rows", o)
		}
		if _, err := a.Numbering.Release(ctx, f.Acme.ID, "+441134960001"); err != nil {
			t.Fatal(err)
		}
		if err := a.Calls.SyncNumber(ctx, f.Acme.ID, "number", "+441134960001", time.Now()); err != nil {
			t.Fatal(err)
		}
		if o, c := rows("number", "+441134960001"); o != 0 || c != 1 {
			t.Errorf("released number: %d open, %d closed rows, want 0 and 1", o, c)
		}
		if err := a.Calls.SyncNumber(ctx, f.Acme.ID, "line", "x", time.Now()); err == nil {
			t.Error("an unknown kind was accepted")
		}
	})
}

// TestIngestAcrossParts sends one batch larger than a transaction, with
// records repeated within a part, across parts and across transactions:
// each call is stored once, every copy counts as a duplicate, and the
// roll-ups and the number aggregator's queue cover exactly the stored
// calls.
func TestIngestAcrossParts(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		if _, err := e.env.App.Numbering.Assign(ctx, e.env.Fixture.Acme.ID, "+441134960001", numbering.Owner{Kind: numbering.OwnerUser, ID: e.west}); err != nil {
			t.Fatal(err)
		}
		e.sync(t)
		backdateHistory(t, e)
		at := time.Now().Add(-5 * time.Hour).Truncate(time.Second)
		const unique = 12000
		var docs []string
		for i := 0; i < unique; i++ {
			docs = append(docs, fsDoc(fmt.Sprintf("call-%05d", i), "+441134960001", fmt.Sprintf("0113496%04d", i%5000), at.Add(time.Duration(i)*time.Second), 2, i%300))
		}
		// Copies: of the part just sent, of the first part (another
		// transaction by now) and of the last record.
		for _, i := range []int{11990, 11995, 5, 6, 7, 1500, 11999} {
			docs = append(docs, docs[i])
		}
		rep := e.ingest(t, docs...)
		if rep.Accepted != unique || rep.Duplicates != 7 || rep.Malformed != 0 {
			t.Fatalf("report %+v", rep)
		}
		for query, want := range map[string]int64{
			"SELECT COUNT(*) FROM calls": unique,
			"SELECT COALESCE(SUM(calls), 0) FROM call_scope_rollups WHERE scope_kind = 1 AND granularity = 1 AND direction = 0":  unique,
			"SELECT COALESCE(SUM(calls), 0) FROM call_scope_rollups WHERE scope_kind = 4 AND granularity = 2 AND direction <> 0": unique,
			"SELECT COALESCE(SUM(calls), 0) FROM call_number_days WHERE scope_kind = 2 AND role = 1 AND direction = 0":           unique,
			"SELECT COUNT(*) FROM call_number_pending": 0,
		} {
			var got int64
			if err := db.Q(ctx).QueryRow(ctx, query).Scan(&got); err != nil || got != want {
				t.Errorf("%s: %d, want %d (%v)", query, got, want, err)
			}
		}
	})
}
