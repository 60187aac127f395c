package store_test

import (
	"context"
	"errors"
	"fmt"
	"math"
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

// TestUniqueViolationByCode: the driver's code decides, not its wording — a
// wrapped violation is found, a message that merely mentions one is not.
func TestUniqueViolationByCode(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, err := storetest.Exec(ctx, db, "INSERT INTO providers (id, name, created_at) VALUES (77, 'p', 1)")
		if err != nil {
			t.Fatal(err)
		}
		_, err = storetest.Exec(ctx, db, "INSERT INTO providers (id, name, created_at) VALUES (77, 'q', 1)")
		if !store.IsUniqueViolation(fmt.Errorf("tenancy: create provider: %w", err)) {
			t.Errorf("duplicate primary key: %v is not a unique violation", err)
		}
		_, err = storetest.Exec(ctx, db, "INSERT INTO resellers (provider_id, name, created_at) VALUES (999, 'x', 1)")
		if err == nil || store.IsUniqueViolation(err) {
			t.Errorf("foreign-key failure %v classified as a unique violation", err)
		}
		for _, text := range []string{"UNIQUE constraint failed: providers.name", "ERROR: duplicate key (SQLSTATE 23505)"} {
			if store.IsUniqueViolation(errors.New(text)) {
				t.Errorf("plain error %q classified by its text", text)
			}
		}
	})
}

// TestSQLiteReadPoolIsQueryOnly: only the single writer writes. A write
// through the read pool (db.Q outside Tx) is refused on SQLite.
func TestSQLiteReadPoolIsQueryOnly(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	if _, err := db.Q(ctx).Exec(ctx, "INSERT INTO providers (name, created_at) VALUES ('outside', 1)"); err == nil {
		t.Fatal("a write outside a transaction went through the read pool")
	}
	if _, err := storetest.Exec(ctx, db, "INSERT INTO providers (name, created_at) VALUES ('inside', 1)"); err != nil {
		t.Fatalf("write in a transaction: %v", err)
	}
	var n int
	if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM providers").Scan(&n); err != nil || n != 1 {
		t.Fatalf("providers = %d, %v; want 1", n, err)
	}
}

// TestPageOffsetNeverNegative: a page number near the integer limit is
// clamped, so the offset neither overflows into a negative OFFSET
// (PostgreSQL refuses it) nor into a negative slice bound.
func TestPageOffsetNeverNegative(t *testing.T) {
	for _, p := range []store.Page{{Page: math.MaxInt, PerPage: store.MaxPerPage}, {Page: -5, PerPage: -1}, {Page: store.MaxPage + 1, PerPage: 1}} {
		if off := p.Offset(); off < 0 || off > (store.MaxPage-1)*store.MaxPerPage {
			t.Errorf("%+v: offset %d", p, off)
		}
	}
}
