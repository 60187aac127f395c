package calls

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestNumberKeysInPrimaryKeyOrder: the number aggregator writes its keys in
// the order SQLite keeps call_number_days's primary key in, which is what
// makes its upserts walk the B-tree instead of jumping across it
// (docs/performance.md, "Call-record ingest"). Keys differing in each
// column in turn, numbers that SQLite's byte order and a locale would order
// differently, are stored shuffled and read back in primary-key order.
// SQLite only: PostgreSQL orders text by its collation, and there the order
// matters only for being the same on every node.
func TestNumberKeysInPrimaryKeyOrder(t *testing.T) {
	db := storetest.SQLite(t)
	ctx := context.Background()
	var keys []numberKey
	for _, kind := range []int16{scopeProvider, scopeSite} {
		for _, id := range []int64{7, 300} {
			for _, role := range []int16{roleCalling, roleCalled} {
				for _, day := range []int64{dayMS, 40 * dayMS} {
					for _, number := range []string{"+447700900123", "+44770090012", "01132", "999", "anonymous", "Anonymous"} {
						for _, dts := range [][3]int16{{0, 0, 0}, {1, 4, 1}, {1, 4, 2}, {1, 5, 1}, {2, 4, 1}} {
							keys = append(keys, numberKey{kind, id, day, role, number, dts[0], dts[1], dts[2]})
						}
					}
				}
			}
		}
	}
	shuffled := slices.Clone(keys)
	rand.New(rand.NewPCG(1, 2)).Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
	if err := db.Tx(ctx, func(ctx context.Context) error {
		for _, k := range shuffled {
			if _, err := db.Q(ctx).Exec(ctx, numberDaysSQL(1), k.kind, k.id, k.day, k.role, k.number, k.direction, k.traffic, k.status, 1, 1); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.Q(ctx).Query(ctx, `SELECT scope_kind, scope_id, day, role, number, direction, traffic, status FROM call_number_days
		ORDER BY scope_kind, scope_id, role, day, number, direction, traffic, status`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var stored []numberKey
	for rows.Next() {
		var k numberKey
		if err := rows.Scan(&k.kind, &k.id, &k.day, &k.role, &k.number, &k.direction, &k.traffic, &k.status); err != nil {
			t.Fatal(err)
		}
		stored = append(stored, k)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(shuffled, compareNumberKeys)
	if len(stored) != len(keys) || !slices.Equal(shuffled, stored) {
		for i := range min(len(stored), len(shuffled)) {
			if stored[i] != shuffled[i] {
				t.Fatalf("%d keys stored, %d written; first difference at %d: SQLite has %+v, the aggregator %+v", len(stored), len(keys), i, stored[i], shuffled[i])
			}
		}
		t.Fatalf("%d keys stored, %d written", len(stored), len(keys))
	}
}
