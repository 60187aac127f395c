package audit_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// entries reads the audit rows with id > after, oldest first, every column
// but id and at.
func entries(t *testing.T, db *store.DB, after int64) []map[string]any {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Q(ctx).Query(ctx, "SELECT * FROM audit_events WHERE id > ? ORDER BY id", after)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []map[string]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		m := map[string]any{}
		for i, c := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			m[c] = vals[i]
		}
		delete(m, "id")
		delete(m, "at")
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func maxID(t *testing.T, db *store.DB) int64 {
	t.Helper()
	var id int64
	if err := db.Q(context.Background()).QueryRow(context.Background(), "SELECT COALESCE(MAX(id), 0) FROM audit_events").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// TestRecordAllMatchesRecord: a batch writes each entry exactly as Record
// writes it alone — the provider taken from the company, else the event's,
// else the actor's; no company, site or actor as NULL; before and after.
func TestRecordAllMatchesRecord(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		l := audit.New(db)
		a, b := seedCompanies(t, db)
		var provider int64
		if err := db.Q(context.Background()).QueryRow(context.Background(), "SELECT provider_id FROM companies WHERE id = ?", a).Scan(&provider); err != nil {
			t.Fatal(err)
		}
		events := []audit.Event{
			{Event: "Create Group", ObjectKind: "group", ObjectID: 7, ObjectName: "Leeds/Sales", CompanyID: a, SiteID: 3, After: map[string]string{"name": "Sales"}},
			{Event: "Modify Group", ObjectKind: "group", ObjectID: 7, ObjectName: "Leeds/Sales", CompanyID: b, Before: map[string]int{"x": 1}, After: map[string]int{"x": 2}},
			{Event: "Create Provider", ObjectKind: "provider", ObjectID: provider, ObjectName: "P"},                     // the actor's provider
			{Event: "Modify Security Settings", ObjectKind: "provider", ObjectID: provider, ProviderID: provider + 100}, // its own provider
			{Event: "Modify Company", ObjectKind: "company", ObjectID: 999, CompanyID: 1 << 40, ProviderID: provider},   // no such company
			{Event: "Delete Employee", ObjectKind: "employee", ObjectID: 12, ObjectName: "ann", CompanyID: a, Before: struct{ Name string }{"Ann"}},
		}
		for _, actor := range []audit.Actor{{}, {ID: 42, Username: "acme.admin", ProviderID: provider + 7}} {
			ctx := audit.WithActor(context.Background(), actor)
			start := maxID(t, db)
			if err := db.Tx(ctx, func(ctx context.Context) error {
				for _, e := range events {
					if err := l.Record(ctx, e); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			mid := maxID(t, db)
			if err := db.Tx(ctx, func(ctx context.Context) error { return l.RecordAll(ctx, events) }); err != nil {
				t.Fatal(err)
			}
			one, all := entries(t, db, start)[:len(events)], entries(t, db, mid)
			if len(all) != len(events) {
				t.Fatalf("actor %+v: RecordAll wrote %d entries for %d events", actor, len(all), len(events))
			}
			for i := range events {
				if !reflect.DeepEqual(one[i], all[i]) {
					t.Errorf("actor %+v, event %d:\n Record    %v\n RecordAll %v", actor, i, one[i], all[i])
				}
			}
		}

		// More entries than one SQLite statement takes, in order.
		many := make([]audit.Event, 600)
		for i := range many {
			many[i] = audit.Event{Event: "Create Employee", ObjectKind: "employee", ObjectID: int64(i + 1), ObjectName: fmt.Sprint("e", i), CompanyID: a}
		}
		start := maxID(t, db)
		if err := db.Tx(context.Background(), func(ctx context.Context) error { return l.RecordAll(ctx, many) }); err != nil {
			t.Fatal(err)
		}
		got := entries(t, db, start)
		if len(got) != len(many) {
			t.Fatalf("RecordAll of %d wrote %d", len(many), len(got))
		}
		seen := map[int64]bool{}
		for _, e := range got {
			id := e["object_id"].(int64)
			if seen[id] || e["object_name"] != fmt.Sprint("e", id-1) || e["provider_id"].(int64) != provider {
				t.Errorf("entry %v", e)
			}
			seen[id] = true
		}
		if err := l.RecordAll(context.Background(), nil); err != nil {
			t.Errorf("RecordAll of nothing: %v", err)
		}
	})
}
