package calls

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// Scope kinds of the Call Logs roll-ups (call_scope_rollups,
// call_number_days): each call counts once in its provider, company, site
// and employee (docs/cdr.md, "Call Logs").
const (
	scopeProvider int16 = 1
	scopeCompany  int16 = 2
	scopeSite     int16 = 3
	scopeEmployee int16 = 4
)

// Roll-up granularities.
const (
	Hourly = 1
	Daily  = 2
)

// rollupSum is the calls and billable seconds of one roll-up key.
type rollupSum struct{ calls, seconds int64 }

// Number roles in call_number_days.
const (
	roleCalling int16 = 1
	roleCalled  int16 = 2
)

const (
	hourMS = int64(3600000)
	dayMS  = int64(86400000)
)

// tally is one stored call as the roll-ups see it.
type tally struct {
	start                      int64 // UTC ms
	billsec                    int64
	calling, called            string
	direction, traffic, status int16
	provider                   int64
	company, site, employee    int64
}

type scopeKey struct {
	kind                       int16
	id                         int64
	granularity                int16
	bucket                     int64
	direction, traffic, status int16
}

type numberKey struct {
	kind                       int16
	id                         int64
	day                        int64
	role                       int16
	number                     string
	direction, traffic, status int16
}

// scopeSums accumulates the Call Logs roll-ups of many calls in memory, so
// a batch writes each key once.
type scopeSums struct {
	buckets map[scopeKey]*rollupSum
	numbers map[numberKey]*rollupSum
}

func newScopeSums() *scopeSums {
	return &scopeSums{buckets: map[scopeKey]*rollupSum{}, numbers: map[numberKey]*rollupSum{}}
}

func (s *scopeSums) add(t tally) {
	s.addBuckets(t)
	s.addNumbers(t)
}

// addBuckets adds one call to the graph and type roll-ups
// (call_scope_rollups) only.
func (s *scopeSums) addBuckets(t tally) {
	type scope struct {
		kind int16
		id   int64
	}
	scopes := [4]scope{{scopeProvider, t.provider}, {scopeCompany, t.company}, {scopeSite, t.site}, {scopeEmployee, t.employee}}
	hour := t.start - t.start%hourMS
	day := t.start - t.start%dayMS
	for _, sc := range scopes {
		if sc.id == 0 {
			continue
		}
		// Each bucket also has an "all traffic" row (direction, traffic and
		// status 0), which an unfiltered graph reads alone.
		for _, k := range [4]scopeKey{
			{sc.kind, sc.id, Hourly, hour, t.direction, t.traffic, t.status},
			{sc.kind, sc.id, Daily, day, t.direction, t.traffic, t.status},
			{sc.kind, sc.id, Hourly, hour, 0, 0, 0},
			{sc.kind, sc.id, Daily, day, 0, 0, 0},
		} {
			sum := s.buckets[k]
			if sum == nil {
				sum = &rollupSum{}
				s.buckets[k] = sum
			}
			sum.calls++
			sum.seconds += t.billsec
		}
	}
}

// addNumbers adds one call to the number roll-ups (call_number_days) only.
func (s *scopeSums) addNumbers(t tally) {
	day := t.start - t.start%dayMS
	for _, sc := range [3]struct {
		kind int16
		id   int64
	}{{scopeProvider, t.provider}, {scopeCompany, t.company}, {scopeSite, t.site}} {
		// An employee's top 10 reads their calls (see CallLogTop).
		if sc.id == 0 {
			continue
		}
		for _, n := range [2]struct {
			role   int16
			number string
		}{{roleCalling, t.calling}, {roleCalled, t.called}} {
			if n.number == "" {
				continue
			}
			// The detailed row, and the number's "all traffic" row that an
			// unfiltered top 10 reads alone.
			for _, k := range [2]numberKey{
				{sc.kind, sc.id, day, n.role, n.number, t.direction, t.traffic, t.status},
				{sc.kind, sc.id, day, n.role, n.number, 0, 0, 0},
			} {
				sum := s.numbers[k]
				if sum == nil {
					sum = &rollupSum{}
					s.numbers[k] = sum
				}
				sum.calls++
				sum.seconds += t.billsec
			}
		}
	}
}

func scopeBucketsSQL(n int) string {
	const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?)"
	return `INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
			VALUES ` + store.RepeatRow(n, row) + `
			ON CONFLICT (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status)
			DO UPDATE SET calls = call_scope_rollups.calls + excluded.calls, seconds = call_scope_rollups.seconds + excluded.seconds`
}

// compareNumberKeys orders number roll-up keys as call_number_days's
// primary key does (numbers byte by byte, as SQLite compares text), so
// that a step's upserts walk the key's B-tree from one end to the other
// instead of jumping across it (docs/performance.md, "Call-record
// ingest").
func compareNumberKeys(a, b numberKey) int {
	switch {
	case a.kind != b.kind:
		return cmp.Compare(a.kind, b.kind)
	case a.id != b.id:
		return cmp.Compare(a.id, b.id)
	case a.role != b.role:
		return cmp.Compare(a.role, b.role)
	case a.day != b.day:
		return cmp.Compare(a.day, b.day)
	case a.number != b.number:
		return strings.Compare(a.number, b.number)
	case a.direction != b.direction:
		return cmp.Compare(a.direction, b.direction)
	case a.traffic != b.traffic:
		return cmp.Compare(a.traffic, b.traffic)
	}
	return cmp.Compare(a.status, b.status)
}

func numberDaysSQL(n int) string {
	const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	return `INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
			VALUES ` + store.RepeatRow(n, row) + `
			ON CONFLICT (scope_kind, scope_id, role, day, number, direction, traffic, status)
			DO UPDATE SET calls = call_number_days.calls + excluded.calls, seconds = call_number_days.seconds + excluded.seconds`
}

// write adds the sums to the tables (in the caller's transaction).
func (s *scopeSums) write(ctx context.Context, db *store.DB) error {
	q := db.Q(ctx)
	bkeys := make([]scopeKey, 0, len(s.buckets))
	for k := range s.buckets {
		bkeys = append(bkeys, k)
	}
	args := make([]any, 0, insertRows*10)
	for rest := bkeys; len(rest) > 0; {
		n := store.BatchSize(len(rest), insertRows)
		args = args[:0]
		for _, k := range rest[:n] {
			sum := s.buckets[k]
			// int64s go to the driver as they are (see insertCalls).
			args = append(args, int64(k.kind), k.id, int64(k.granularity), k.bucket, int64(k.direction), int64(k.traffic), int64(k.status), sum.calls, sum.seconds)
		}
		rest = rest[n:]
		if _, err := q.ExecPrepared(ctx, scopeBucketsSQL(n), args...); err != nil {
			return fmt.Errorf("calls: add scope roll-ups: %w", err)
		}
	}
	// Each key travels with its sums: no map lookup per row.
	type numberRow struct {
		k   numberKey
		sum *rollupSum
	}
	nrows := make([]numberRow, 0, len(s.numbers))
	for k, sum := range s.numbers {
		nrows = append(nrows, numberRow{k, sum})
	}
	slices.SortFunc(nrows, func(a, b numberRow) int { return compareNumberKeys(a.k, b.k) })
	for rest := nrows; len(rest) > 0; {
		n := store.BatchSize(len(rest), insertRows)
		args = args[:0]
		for _, r := range rest[:n] {
			k, sum := r.k, r.sum
			args = append(args, int64(k.kind), k.id, k.day, int64(k.role), k.number, int64(k.direction), int64(k.traffic), int64(k.status), sum.calls, sum.seconds)
		}
		rest = rest[n:]
		if _, err := q.ExecPrepared(ctx, numberDaysSQL(n), args...); err != nil {
			return fmt.Errorf("calls: add number roll-ups: %w", err)
		}
	}
	return nil
}

// addScopeRollups adds stored calls to the graph and type roll-ups
// (call_scope_rollups); the number roll-ups come later (AggregateNumbers).
func (s *Service) addScopeRollups(ctx context.Context, providerID int64, calls []call) error {
	sums := newScopeSums()
	for _, c := range calls {
		sums.addBuckets(tally{start: c.rec.Start.UnixMilli(), billsec: int64(c.rec.Billsec), calling: c.calling.Norm, called: c.called.Norm,
			direction: int16(c.direction), traffic: int16(c.traffic), status: int16(c.status),
			provider: providerID, company: c.companyID, site: c.siteID, employee: c.employee})
	}
	return sums.write(ctx, s.db)
}
