package calls

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestRecentCallsPlan: each of the employee dashboard's lists walks the
// calls_employee_time index newest first and stops at its LIMIT — no sort
// step, no scan of the table — on both engines, with 40,000 calls of 400
// employees analysed so PostgreSQL's planner chooses from statistics. A
// timing on a small table would not show it (docs/performance.md).
func TestRecentCallsPlan(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		const rows = 40000
		now := time.Now().UnixMilli()
		if err := db.Tx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).Exec(ctx, `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
				INSERT INTO calls (provider_id, switch_id, record_id, batch_id, start_at, end_at, duration, billsec, calling_raw, called_raw,
					calling, called, direction, traffic, status, company_id, site_id, employee_id, business_number)
				SELECT 1, 1, 'r' || i, 1, ? - i * 60000, ? - i * 60000 + 30000, 30, 20, '', '', '+44113' || i, '+44207' || i,
					1 + i % 2, 5, 1 + (i / 2) % 2, 1, 1, 1 + i % 400, '' FROM n`, rows, now, now)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		analyze := "ANALYZE"
		if db.Dialect() == store.Postgres {
			analyze = "ANALYZE calls"
		}
		if _, err := storetest.Exec(ctx, db, analyze); err != nil {
			t.Fatal(err)
		}
		for _, kind := range []RecentKind{RecentMissed, RecentDialled, RecentReceived} {
			query, filter := recentQuery(kind)
			args := append(append([]any{int64(7), now - RecentWindow.Milliseconds()}, filter...), RecentShown)
			prefix := "EXPLAIN QUERY PLAN "
			if db.Dialect() == store.Postgres {
				prefix = "EXPLAIN "
			}
			r, err := db.Q(ctx).Query(ctx, prefix+query, args...)
			if err != nil {
				t.Fatal(err)
			}
			var lines []string
			cols, _ := r.Columns()
			for r.Next() {
				vals := make([]any, len(cols))
				ptrs := make([]any, len(cols))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := r.Scan(ptrs...); err != nil {
					t.Fatal(err)
				}
				lines = append(lines, fmt.Sprintf("%s", vals[len(vals)-1]))
			}
			r.Close()
			plan := strings.Join(lines, "\n")
			if !strings.Contains(plan, "calls_employee_time") || strings.Contains(plan, "TEMP B-TREE") ||
				strings.Contains(plan, "Sort") || strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "SCAN calls\n") {
				t.Errorf("%s: the plan does not walk calls_employee_time in order:\n%s", kind, plan)
			}
		}
	})
}
