package storetest

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// Counts returns the number of rows in every table of db (the migrations'
// own bookkeeping excluded). Tests take it before and after a refused
// action and compare with SameCounts: a refusal must change nothing, audit
// log included.
func Counts(t testing.TB, db *store.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	q := "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
	if db.Dialect() == store.Postgres {
		q = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
	}
	rows, err := db.Q(ctx).Query(ctx, q)
	if err != nil {
		t.Fatalf("storetest: list tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatalf("storetest: list tables: %v", err)
		}
		if !strings.HasPrefix(name, "schema_") {
			tables = append(tables, name)
		}
	}
	rows.Close()
	counts := make(map[string]int64, len(tables))
	for _, name := range tables {
		var n int64
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM "+name).Scan(&n); err != nil {
			t.Fatalf("storetest: count %s: %v", name, err)
		}
		counts[name] = n
	}
	return counts
}

// SameCounts fails the test when any table's row count differs between
// before and after, naming each table that changed.
func SameCounts(t testing.TB, before, after map[string]int64) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(after)) {
		if before[name] != after[name] {
			t.Errorf("table %s: %d rows before, %d after", name, before[name], after[name])
		}
	}
}
