package calls

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// BenchmarkRecentCalls reads an employee dashboard's three lists on SQLite
// with 1,000,000 calls of 400 employees over 60 days (about 1,300 calls of
// each employee in the 31-day window). "busy" is an employee with every
// kind of call, whose lists fill at once; "never-missed" has no missed or
// received calls, so two of its lists walk the whole window: the bound of
// the read (docs/performance.md, "Dashboards").
func BenchmarkRecentCalls(b *testing.B) {
	db := storetest.SQLite(b)
	ctx := context.Background()
	const rows = 1000000
	now := time.Now()
	end := now.UnixMilli()
	step := int64(60*24*time.Hour/time.Millisecond) / rows
	if err := db.Tx(ctx, func(ctx context.Context) error {
		// Employees 2 … 400 get every kind of call; employee 1 only dials.
		_, err := db.Q(ctx).Exec(ctx, `WITH RECURSIVE n(i) AS (SELECT CAST(1 AS BIGINT) UNION ALL SELECT i + 1 FROM n WHERE i < ?)
			INSERT INTO calls (provider_id, switch_id, record_id, batch_id, start_at, end_at, duration, billsec, calling_raw, called_raw,
				calling, called, direction, traffic, status, company_id, site_id, employee_id, business_number)
			SELECT 1, 1, 'r' || i, 1, ? - i * ?, ? - i * ? + 30000, 30, 20, '', '', '+44113' || i, '+44207' || i,
				CASE WHEN i % 400 = 0 THEN 1 ELSE 1 + (i / 400) % 2 END, 5, 1 + (i / 800) % 2, 1, 1, 1 + i % 400, '' FROM n`, rows, end, step, end, step)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	if _, err := storetest.Exec(ctx, db, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		id   int64
	}{{"busy", 7}, {"never-missed", 1}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				r, err := (&Service{db: db}).recent(ctx, c.id, time.UTC, now)
				if err != nil {
					b.Fatal(err)
				}
				if len(r.Dialled) != RecentShown {
					b.Fatalf("dialled: %d", len(r.Dialled))
				}
			}
		})
	}
}
