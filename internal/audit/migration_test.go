package audit_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestCustomerContactEntriesRelabelled: the migration that gives the
// control panel's customer contacts their own object kind moves their old
// entries (told apart by private_notes_set) and leaves an employee's
// personal contact entries alone, even one whose notes quote that field.
func TestCustomerContactEntriesRelabelled(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		type row struct{ event, after string }
		rows := []row{
			{"Create Contact", `{"username":"carol","mobile":"","public_notes":"","private_notes_set":true,"mobile_verified":false,"email_verified":false}`},
			{"Modify Contact", `{"username":"carol","mobile":"07700","public_notes":"","private_notes_set":false,"mobile_verified":true,"email_verified":false}`},
			{"Create Contact", `{"id":9,"first_name":"Secret","notes":"see \"private_notes_set\": here"}`},
		}
		err := db.Tx(ctx, func(ctx context.Context) error {
			for _, r := range rows {
				if _, err := db.Q(ctx).Exec(ctx, `INSERT INTO audit_events (at, actor_username, event, object_kind, object_id, after_json)
					VALUES (?, 'x', ?, 'contact', 1, ?)`, store.Now(), r.event, r.after); err != nil {
					return err
				}
			}
			_, err := db.Q(ctx).Exec(ctx, "DELETE FROM schema_migrations WHERE version = 25")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, err := db.Migrate(ctx); err != nil || n != 1 {
			t.Fatalf("re-applied %d migrations: %v", n, err)
		}
		got := map[string]int{}
		qr, err := db.Q(ctx).Query(ctx, "SELECT event, object_kind FROM audit_events ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		defer qr.Close()
		for qr.Next() {
			var event, kind string
			if err := qr.Scan(&event, &kind); err != nil {
				t.Fatal(err)
			}
			got[event+"/"+kind]++
		}
		want := map[string]int{"Create Customer Contact/customer_contact": 1, "Modify Customer Contact/customer_contact": 1, "Create Contact/contact": 1}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("%s: %d entries, want %d (all: %v)", k, got[k], n, got)
			}
		}
	})
}
