package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestRebind(t *testing.T) {
	tests := []struct{ in, want string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2"},
		{"SELECT '?' FROM t WHERE a = ?", "SELECT '?' FROM t WHERE a = $1"},
		{"SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , $1"},
	}
	for _, tt := range tests {
		if got := store.Rebind(tt.in); got != tt.want {
			t.Errorf("Rebind(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLike(t *testing.T) {
	if got, want := store.Like(`50%_a\b`), `50\%\_a\\b`; got != want {
		t.Errorf("Like = %q, want %q", got, want)
	}
}

func TestMigrateIsIdempotent(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		n, err := db.Migrate(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("second Migrate applied %d migrations, want 0", n)
		}
		v, err := db.SchemaVersion(ctx)
		if err != nil || v < 1 {
			t.Errorf("SchemaVersion = %d, %v", v, err)
		}
	})
}

func TestTxRollsBackOnError(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := db.Tx(ctx, func(ctx context.Context) error {
			if _, err := db.Q(ctx).Exec(ctx, "INSERT INTO providers (name, created_at) VALUES (?, ?)", "rolled back", store.Now()); err != nil {
				return err
			}
			// A nested Tx joins the outer one, so its work is rolled back too.
			return db.Tx(ctx, func(ctx context.Context) error {
				if _, err := db.Q(ctx).Exec(ctx, "INSERT INTO providers (name, created_at) VALUES (?, ?)", "nested", store.Now()); err != nil {
					return err
				}
				return boom
			})
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Tx error = %v, want boom", err)
		}
		var n int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM providers").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("providers after rollback = %d, want 0", n)
		}
	})
}

func TestUniqueViolationDetected(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		insert := func() error {
			return db.Tx(ctx, func(ctx context.Context) error {
				var id int64
				if err := db.Q(ctx).QueryRow(ctx, "INSERT INTO providers (name, created_at) VALUES ('p', 1) RETURNING id").Scan(&id); err != nil {
					return err
				}
				_, err := db.Q(ctx).Exec(ctx, "INSERT INTO resellers (provider_id, name, created_at) VALUES (?, 'Same', 1)", id)
				if err != nil {
					return err
				}
				_, err = db.Q(ctx).Exec(ctx, "INSERT INTO resellers (provider_id, name, created_at) VALUES (?, 'same', 1)", id)
				return err
			})
		}
		if err := insert(); !store.IsUniqueViolation(err) {
			t.Fatalf("err = %v, want a unique violation", err)
		}
	})
}
