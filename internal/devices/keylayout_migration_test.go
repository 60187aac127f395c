package devices_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestMigrationAddressableKeys runs migration 0115 over a catalog seeded
// with the old layouts: the types still holding the old seed (plain and
// VDM, any case) take the layout their phones address; a type an operator
// changed, and a model the migration does not name, keep theirs.
func TestMigrationAddressableKeys(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var provider int64
		rows := []struct {
			vendor, model       string
			keys, pages         int
			wantKeys, wantPages int
		}{
			{"Polycom", "VVX 301", 6, 3, 6, 1},
			{"Polycom", "VVX 411 VDM", 12, 3, 12, 1},
			{"Polycom", "VVX 601 VDM", 16, 3, 16, 1},
			{"Polycom", "VVX 450", 12, 3, 12, 1},
			{"Polycom", "VVX 250", 4, 3, 4, 1},
			{"Yealink", "T42G VDM", 6, 3, 5, 3},
			{"Yealink", "t46g", 10, 3, 9, 3},
			{"Yealink", "T48G VDM", 11, 3, 10, 3},
			{"Yealink", "T48G", 11, 2, 11, 2},    // an operator's edit
			{"Polycom", "VVX 601", 16, 2, 16, 2}, // an operator's edit
			{"Yealink", "T46U", 10, 3, 10, 3},    // not named
		}
		// Writes go through a transaction (the SQLite handle outside one
		// reads only).
		err := db.Tx(ctx, func(ctx context.Context) error {
			q := db.Q(ctx)
			if err := q.QueryRow(ctx, "INSERT INTO providers (name, created_at) VALUES (?, ?) RETURNING id", "Old Seed", store.Now()).Scan(&provider); err != nil {
				return err
			}
			for _, r := range rows {
				if _, err := q.Exec(ctx, "INSERT INTO device_types (provider_id, vendor, model, line_keys_per_page, pages, created_at) VALUES (?, ?, ?, ?, ?, ?)",
					provider, r.vendor, r.model, r.keys, r.pages, store.Now()); err != nil {
					return err
				}
			}
			_, err := q.Exec(ctx, "DELETE FROM schema_migrations WHERE version = 115")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		q := db.Q(ctx)
		if n, err := db.Migrate(ctx); err != nil || n != 1 {
			t.Fatalf("re-running migration 0115: %d applied, %v", n, err)
		}
		for _, r := range rows {
			var keys, pages int
			if err := q.QueryRow(ctx, "SELECT line_keys_per_page, pages FROM device_types WHERE provider_id = ? AND model = ?", provider, r.model).Scan(&keys, &pages); err != nil {
				t.Fatal(err)
			}
			if keys != r.wantKeys || pages != r.wantPages {
				t.Errorf("%s %s: %d × %d after the migration, want %d × %d", r.vendor, r.model, keys, pages, r.wantKeys, r.wantPages)
			}
		}
	})
}
