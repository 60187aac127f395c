package audit_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// seedCompanies makes a provider and two companies for the company_id
// foreign key; it returns their ids.
func seedCompanies(t *testing.T, db *store.DB) (int64, int64) {
	t.Helper()
	ctx := context.Background()
	var p, a, b int64
	err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		if err := q.QueryRow(ctx, "INSERT INTO providers (name, default_region, created_at) VALUES ('P', 'GB', 0) RETURNING id").Scan(&p); err != nil {
			return err
		}
		for _, x := range []struct {
			name string
			id   *int64
		}{{"A", &a}, {"B", &b}} {
			if err := q.QueryRow(ctx, "INSERT INTO companies (provider_id, name, created_at, updated_at) VALUES (?, ?, 0, 0) RETURNING id", p, x.name).Scan(x.id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

func TestRecordAndList(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		l := audit.New(db)
		a, b := seedCompanies(t, db)
		start := time.Now().Add(-time.Second)

		// Without an actor in ctx the system is named.
		if err := db.Tx(ctx, func(ctx context.Context) error {
			return l.Record(ctx, audit.Event{Event: "Create Group", ObjectKind: "group", ObjectID: 7, ObjectName: "Leeds/Sales",
				CompanyID: a, SiteID: 3, After: map[string]string{"name": "Sales"}})
		}); err != nil {
			t.Fatal(err)
		}
		actx := audit.WithActor(ctx, audit.Actor{ID: 0, Username: "acme.admin"})
		if audit.ActorFrom(actx).Username != "acme.admin" || audit.ActorFrom(ctx) != (audit.Actor{}) {
			t.Error("ActorFrom does not return what WithActor stored")
		}
		if err := db.Tx(actx, func(ctx context.Context) error {
			return l.Record(ctx, audit.Event{Event: "Modify Group", ObjectKind: "group", ObjectID: 7, CompanyID: a,
				Before: map[string]string{"name": "Sales"}, After: map[string]string{"name": "Sales"}})
		}); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(ctx context.Context) error {
			return l.Record(ctx, audit.Event{Event: "Create Group", ObjectKind: "group", ObjectID: 9, CompanyID: b})
		}); err != nil {
			t.Fatal(err)
		}

		// An entry recorded in a transaction that rolls back is gone with it.
		boom := errors.New("boom")
		if err := db.Tx(ctx, func(ctx context.Context) error {
			if err := l.Record(ctx, audit.Event{Event: "Delete Group", ObjectKind: "group", ObjectID: 7, CompanyID: a}); err != nil {
				return err
			}
			return boom
		}); !errors.Is(err, boom) {
			t.Fatalf("tx: %v", err)
		}

		all, total, err := l.List(ctx, audit.Filter{}, store.Page{})
		if err != nil || total != 3 || len(all) != 3 {
			t.Fatalf("List = %d entries (total %d), %v; want 3", len(all), total, err)
		}
		// Newest first.
		if all[0].ObjectID != 9 || all[2].Event != "Create Group" || all[2].ObjectID != 7 {
			t.Errorf("order: %+v", all)
		}
		first := all[2]
		if first.ActorUsername != "system" || first.ActorID != 0 || first.SiteID != 3 || first.ObjectName != "Leeds/Sales" ||
			string(first.After) != `{"name":"Sales"}` || first.Before != nil || first.At.Before(start) {
			t.Errorf("first entry = %+v", first)
		}
		if all[1].ActorUsername != "acme.admin" || string(all[1].Before) != `{"name":"Sales"}` {
			t.Errorf("second entry = %+v", all[1])
		}

		for _, c := range []struct {
			name string
			f    audit.Filter
			want int
		}{
			{"company", audit.Filter{CompanyID: a}, 2},
			{"company list", audit.Filter{CompanyIDs: []int64{b}}, 1},
			{"both companies", audit.Filter{CompanyIDs: []int64{a, b}}, 3},
			{"empty scope", audit.Filter{CompanyIDs: []int64{}}, 0},
			{"event", audit.Filter{Event: "Create Group"}, 2},
			{"object", audit.Filter{ObjectKind: "group", ObjectID: 7}, 2},
			{"site", audit.Filter{SiteID: 3}, 1},
			{"from the future", audit.Filter{From: time.Now().Add(time.Hour)}, 0},
			{"until the past", audit.Filter{To: start}, 0},
			{"window", audit.Filter{From: start, To: time.Now().Add(time.Hour)}, 3},
		} {
			es, n, err := l.List(ctx, c.f, store.Page{})
			if err != nil || n != c.want || len(es) != c.want {
				t.Errorf("%s: %d entries (total %d), %v; want %d", c.name, len(es), n, err, c.want)
			}
		}
		page, n, _ := l.List(ctx, audit.Filter{}, store.Page{Page: 2, PerPage: 2})
		if n != 3 || len(page) != 1 || page[0].ObjectID != 7 {
			t.Errorf("page 2 = %+v (total %d)", page, n)
		}
	})
}

// TestPurgeKeepsTwoYears: the retention task deletes entries older than two
// years and keeps the rest.
func TestPurgeKeepsTwoYears(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		log := audit.New(db)
		now := time.Now()
		for _, age := range []time.Duration{audit.Retention + 24*time.Hour, audit.Retention - 24*time.Hour, time.Hour} {
			err := db.Tx(ctx, func(ctx context.Context) error {
				_, err := db.Q(ctx).Exec(ctx, "INSERT INTO audit_events (at, actor_username, event, object_kind) VALUES (?, 'system', 'Old', 'test')",
					now.Add(-age).UnixMilli())
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		n, err := log.Purge(ctx, now.Add(-audit.Retention))
		if err != nil || n != 1 {
			t.Fatalf("Purge = %d, %v; want 1 entry removed", n, err)
		}
		if _, total, _ := log.List(ctx, audit.Filter{}, store.Page{}); total != 2 {
			t.Errorf("entries left = %d, want 2", total)
		}
	})
}
