// Package storetest runs a test body against every database engine:
// SQLite always, PostgreSQL whenever SWITCHBOARD_TEST_POSTGRES holds a DSN.
// Each run gets a fresh, migrated database (a temp file, or a private
// PostgreSQL schema dropped afterwards).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// EnvPostgres names the variable holding the PostgreSQL DSN for tests.
const EnvPostgres = "SWITCHBOARD_TEST_POSTGRES"

// Engines runs body once per available engine as a subtest named after it.
// In CI (CI=true) a missing PostgreSQL DSN fails the test instead of skipping.
func Engines(t *testing.T, body func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { body(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { body(t, Postgres(t)) })
}

// SQLite returns a migrated database in a temp file.
func SQLite(t testing.TB) *store.DB {
	db, _ := sqliteDSN(t)
	return db
}

func sqliteDSN(t testing.TB) (*store.DB, string) {
	t.Helper()
	ctx := context.Background()
	dsn := filepath.Join(t.TempDir(), "test.db")
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate sqlite: %v", err)
	}
	return db, dsn
}

// EnginesTwoNodes runs body once per available engine with two handles
// on one database, as two nodes of a deployment have: what one writes
// the other reads, but neither shares the other's memory.
func EnginesTwoNodes(t *testing.T, body func(t *testing.T, node1, node2 *store.DB)) {
	t.Helper()
	second := func(t *testing.T, dsn string) *store.DB {
		db, err := store.Open(context.Background(), dsn)
		if err != nil {
			t.Fatalf("open the second node's handle: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	t.Run("sqlite", func(t *testing.T) {
		db, dsn := sqliteDSN(t)
		body(t, db, second(t, dsn))
	})
	t.Run("postgres", func(t *testing.T) {
		db, dsn := postgresDSN(t)
		body(t, db, second(t, dsn))
	})
}

// Postgres returns a migrated database in a fresh schema, or skips (fails in CI)
// when SWITCHBOARD_TEST_POSTGRES is not set.
func Postgres(t testing.TB) *store.DB {
	db, _ := postgresDSN(t)
	return db
}

func postgresDSN(t testing.TB) (*store.DB, string) {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL suite (see .ci/run)", EnvPostgres)
		}
		t.Skipf("PostgreSQL suite skipped: set %s=postgres://user:pass@localhost/db to run it", EnvPostgres)
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	defer admin.Close()
	buf := make([]byte, 6)
	_, _ = rand.Read(buf)
	schema := "t_" + strings.ToLower(hex.EncodeToString(buf))
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		a, err := sql.Open("pgx", dsn)
		if err == nil {
			_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			a.Close()
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("parse %s: %v", EnvPostgres, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := store.Open(ctx, u.String())
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatalf("migrate postgres: %v", err)
	}
	return db, u.String()
}

// Exec runs one statement in its own write transaction: the way a test
// fixture changes rows directly. On SQLite the read pool is query_only, so a
// write through db.Q outside a transaction fails by design.
func Exec(ctx context.Context, db *store.DB, query string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := db.Tx(ctx, func(ctx context.Context) error {
		var err error
		res, err = db.Q(ctx).Exec(ctx, query, args...)
		return err
	})
	return res, err
}
