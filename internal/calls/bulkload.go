package calls

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// LoadBulk fills an EMPTY calls table with opts.Calls generated calls —
// the calls GenerateBulk draws with the same seed — as fast as the engine
// allows, for the ten-million-call benchmarks and demos (docs/cdr.md,
// "Bulk loading"): the calls table's (non-unique) indexes are dropped,
// the calls inserted with plain multi-row inserts a day at a time, the
// indexes built again in one pass each, and the roll-ups that fold well
// (call_scope_rollups) computed with SQL from the stored calls. The number
// roll-ups (call_number_days) are summed in memory a UTC day at a time and
// pruned to each day's top numbers, as the maintenance task leaves
// finished days. What it stores is what ingest stores for the
// same records (TestLoadBulkMatchesIngest). A table that holds calls is
// refused: dropping its indexes would stall every reader.
func (s *Service) LoadBulk(ctx context.Context, sw Switch, holders []BulkHolder, opts GenerateOptions) (made int, err error) {
	if err := bulkDefaults(holders, &opts); err != nil {
		return 0, err
	}
	var stored int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM (SELECT 1 FROM calls LIMIT 1) c").Scan(&stored); err != nil {
		return 0, fmt.Errorf("calls: bulk load: %w", err)
	}
	if stored != 0 {
		return 0, errors.New("calls: the bulk loader fills an empty calls table only: use GenerateBulk to add calls to stored ones")
	}
	indexes, err := s.callIndexes(ctx)
	if err != nil {
		return 0, err
	}
	if err := s.db.Tx(ctx, func(ctx context.Context) error {
		for _, ix := range indexes {
			if _, err := s.db.Q(ctx).Exec(ctx, "DROP INDEX "+ix.name); err != nil {
				return fmt.Errorf("drop index %s: %w", ix.name, err)
			}
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("calls: bulk load: %w", err)
	}
	// The indexes come back whatever happens.
	rebuilt := false
	defer func() {
		if !rebuilt {
			if rerr := s.buildIndexes(context.WithoutCancel(ctx), indexes); rerr != nil {
				err = errors.Join(err, rerr)
			}
		}
	}()
	if s.db.Dialect() == store.SQLite {
		// A large page cache for the writer's sorts (index builds, GROUP
		// BY), set back afterwards.
		var was int64
		if err := s.db.Tx(ctx, func(ctx context.Context) error {
			if err := s.db.Q(ctx).QueryRow(ctx, "PRAGMA cache_size").Scan(&was); err != nil {
				return err
			}
			_, err := s.db.Q(ctx).Exec(ctx, "PRAGMA cache_size = -1048576")
			return err
		}); err != nil {
			return 0, fmt.Errorf("calls: bulk load: cache size: %w", err)
		}
		defer func() {
			_ = s.db.Tx(context.WithoutCancel(ctx), func(ctx context.Context) error {
				_, err := s.db.Q(ctx).Exec(ctx, fmt.Sprintf("PRAGMA cache_size = %d", was))
				return err
			})
		}()
	}
	batch, err := s.bulkBatch(ctx, sw, opts.Seed)
	if err != nil {
		return 0, err
	}
	phase := time.Now()
	took := func(what string) {
		s.logger.Info("calls: bulk load", "phase", what, "calls", made, "took", time.Since(phase).Round(time.Millisecond))
		phase = time.Now()
	}
	numbers := newScopeSums()
	var through int64 // the end of the last UTC day written
	writeNumbers := func(done *scopeSums) error {
		done.prune(topKeep)
		return s.db.Tx(ctx, func(ctx context.Context) error { return done.write(ctx, s.db) })
	}
	err = drawBulk(sw, holders, opts, func(day time.Time, cs []call) error {
		if err := s.db.Tx(ctx, func(ctx context.Context) error { return s.insertBulk(ctx, sw, batch, cs) }); err != nil {
			return fmt.Errorf("calls: bulk load %s: %w", day.Format(time.DateOnly), err)
		}
		made += len(cs)
		for _, c := range cs {
			numbers.addNumbers(tallyOf(sw.ProviderID, c))
			through = max(through, c.rec.Start.UnixMilli()-c.rec.Start.UnixMilli()%dayMS+dayMS)
		}
		// The UTC days that end before the next local day starts are
		// complete: prune and write them.
		next := day.AddDate(0, 0, 1).UnixMilli()
		if err := writeNumbers(numbers.takeDaysBefore(next - next%dayMS)); err != nil {
			return fmt.Errorf("calls: bulk load number roll-ups of %s: %w", day.Format(time.DateOnly), err)
		}
		return nil
	})
	if err != nil {
		return made, err
	}
	if err := writeNumbers(numbers); err != nil {
		return made, fmt.Errorf("calls: bulk load number roll-ups: %w", err)
	}
	took("calls and number roll-ups")
	rebuilt = true
	if err := s.buildIndexes(ctx, indexes); err != nil {
		return made, err
	}
	took("indexes")
	if err := s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		for _, stmt := range bulkRollups {
			if _, err := q.Exec(ctx, stmt); err != nil {
				return fmt.Errorf("%.60s…: %w", stmt, err)
			}
		}
		if _, err := q.Exec(ctx, "INSERT INTO call_number_days_compacted (through, compacted_at) VALUES (?, ?) ON CONFLICT (through) DO NOTHING",
			through, store.Now()); err != nil {
			return err
		}
		_, err := q.Exec(ctx, "UPDATE call_ingest_batches SET accepted = ? WHERE id = ?", made, batch)
		return err
	}); err != nil {
		return made, fmt.Errorf("calls: bulk load roll-ups: %w", err)
	}
	took("roll-ups")
	return made, nil
}

// bulkRollups build call_scope_rollups from the calls table, exactly as
// ingest adds to them call by call: UTC hours, UTC days summed from the
// hours, each scope a call belongs to (an unattributed call only in its
// provider's), and the "all traffic" rows. The hours are first summed per
// company, site and employee into a temporary table, so each scope reads a
// few rows per hour and employee instead of every call.
var bulkRollups = []string{
	`CREATE TEMPORARY TABLE bulk_hours AS
		SELECT (start_at / 3600000) * 3600000 AS bucket_start, provider_id, company_id, site_id, employee_id, direction, traffic, status,
			COUNT(*) AS calls, SUM(billsec) AS seconds
		FROM calls GROUP BY (start_at / 3600000) * 3600000, provider_id, company_id, site_id, employee_id, direction, traffic, status`,
	scopeFromHours(scopeProvider, "provider_id"),
	scopeFromHours(scopeCompany, "company_id"),
	scopeFromHours(scopeSite, "site_id"),
	scopeFromHours(scopeEmployee, "employee_id"),
	`DROP TABLE bulk_hours`,
	`INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
		SELECT scope_kind, scope_id, 2, (bucket_start / 86400000) * 86400000, direction, traffic, status, SUM(calls), SUM(seconds)
		FROM call_scope_rollups WHERE granularity = 1
		GROUP BY scope_kind, scope_id, (bucket_start / 86400000) * 86400000, direction, traffic, status`,
	`INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
		SELECT scope_kind, scope_id, granularity, bucket_start, 0, 0, 0, SUM(calls), SUM(seconds)
		FROM call_scope_rollups GROUP BY scope_kind, scope_id, granularity, bucket_start`,
}

func scopeFromHours(kind int16, column string) string {
	return fmt.Sprintf(`INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
		SELECT %d, %s, 1, bucket_start, direction, traffic, status, SUM(calls), SUM(seconds)
		FROM bulk_hours WHERE %s <> 0 GROUP BY %s, bucket_start, direction, traffic, status`, kind, column, column, column)
}

type indexDef struct{ name, def string }

// callIndexes are the calls table's non-unique indexes as the database
// itself defines them (so a rebuild is exactly what the migrations made).
func (s *Service) callIndexes(ctx context.Context) ([]indexDef, error) {
	query := `SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'calls' AND sql IS NOT NULL ORDER BY name`
	if s.db.Dialect() == store.Postgres {
		query = `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'calls' ORDER BY indexname`
	}
	rows, err := s.db.Q(ctx).Query(ctx, query)
	if err != nil {
		return nil, fmt.Errorf("calls: indexes of calls: %w", err)
	}
	defer rows.Close()
	var out []indexDef
	for rows.Next() {
		var ix indexDef
		if err := rows.Scan(&ix.name, &ix.def); err != nil {
			return nil, err
		}
		// Unique indexes (the primary key, the idempotency key) stay: the
		// record ids arrive in order, so they only ever append.
		if !strings.HasPrefix(strings.ToUpper(ix.def), "CREATE UNIQUE") {
			out = append(out, ix)
		}
	}
	return out, rows.Err()
}

func (s *Service) buildIndexes(ctx context.Context, indexes []indexDef) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if s.db.Dialect() == store.Postgres {
			// Each index is one sort of the table: let it sort in memory.
			if _, err := q.Exec(ctx, "SET LOCAL maintenance_work_mem = '512MB'"); err != nil {
				return err
			}
		}
		for _, ix := range indexes {
			if _, err := q.Exec(ctx, ix.def); err != nil {
				return fmt.Errorf("calls: build index %s: %w", ix.name, err)
			}
		}
		return nil
	})
}

// takeDaysBefore moves the number sums of the UTC days that start before
// cutoff (UTC ms) into a new scopeSums.
func (s *scopeSums) takeDaysBefore(cutoff int64) *scopeSums {
	out := newScopeSums()
	for k, v := range s.numbers {
		if k.day < cutoff {
			out.numbers[k] = v
			delete(s.numbers, k)
		}
	}
	return out
}

// WriteBulkRecords writes the calls GenerateBulk and LoadBulk draw with
// the same options as FreeSWITCH JSON records (one a line, record ids the
// same), so ingest can be checked against the bulk loaders.
func WriteBulkRecords(w io.Writer, sw Switch, holders []BulkHolder, opts GenerateOptions) error {
	if err := bulkDefaults(holders, &opts); err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	micro := func(t time.Time) int64 {
		if t.IsZero() {
			return 0
		}
		return t.UnixMicro()
	}
	err := drawBulk(sw, holders, opts, func(_ time.Time, cs []call) error {
		for _, c := range cs {
			fmt.Fprintf(bw, `{"variables":{"uuid":"%s","caller_id_number":"%s","destination_number":"%s","start_uepoch":"%d","answer_uepoch":"%d","end_uepoch":"%d","duration":"%d","billsec":"%d"}}`+"\n",
				c.rec.ID, strings.Replace(c.rec.Calling, "+", "%2B", 1), strings.Replace(c.rec.Called, "+", "%2B", 1),
				micro(c.rec.Start), micro(c.rec.Answer), micro(c.rec.End), c.rec.Duration, c.rec.Billsec)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}
