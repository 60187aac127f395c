package calls

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// BulkHolder is a number's holder as the bulk generator attributes calls.
type BulkHolder struct {
	Number                        string
	CompanyID, SiteID, EmployeeID int64
}

// Holders are the employees who hold a number now, for GenerateBulk
// (companyID 0: every company of the provider).
func (s *Service) Holders(ctx context.Context, providerID, companyID int64) ([]BulkHolder, error) {
	query := `SELECT h.number, h.company_id, h.site_id, h.owner_id FROM number_history h JOIN companies c ON c.id = h.company_id
		WHERE h.kind = 'number' AND h.valid_to = 0 AND h.owner_kind = 'user' AND c.provider_id = ?`
	args := []any{providerID}
	if companyID != 0 {
		query += " AND h.company_id = ?"
		args = append(args, companyID)
	}
	rows, err := s.db.Q(ctx).Query(ctx, query+" ORDER BY h.number", args...)
	if err != nil {
		return nil, fmt.Errorf("calls: number holders: %w", err)
	}
	defer rows.Close()
	var out []BulkHolder
	for rows.Next() {
		var h BulkHolder
		if err := rows.Scan(&h.Number, &h.CompanyID, &h.SiteID, &h.EmployeeID); err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// GenerateBulk makes opts.Calls calls of the same shape as GenerateCalls
// (business hours, the traffic mix, missed calls, heavy users, long talk
// times) and writes them straight into calls and the roll-ups, a day at a
// time, without reading records back: it is for loading tens of millions
// of calls for benchmarks and demos. The calls are already attributed and
// classified by construction (the generator knows whose number each is
// and what it dialled), so nothing is looked up. Record ids are
// bulk-<seed>-<n>: running the same seed twice is refused by the
// idempotency key.
func (s *Service) GenerateBulk(ctx context.Context, sw Switch, holders []BulkHolder, opts GenerateOptions) (int, error) {
	if err := bulkDefaults(holders, &opts); err != nil {
		return 0, err
	}
	batch, err := s.bulkBatch(ctx, sw, opts.Seed)
	if err != nil {
		return 0, err
	}
	made := 0
	err = drawBulk(sw, holders, opts, func(day time.Time, cs []call) error {
		if err := s.db.Tx(ctx, func(ctx context.Context) error {
			if err := s.insertBulk(ctx, sw, batch, cs); err != nil {
				return err
			}
			sums := newScopeSums()
			for _, c := range cs {
				sums.add(tallyOf(sw.ProviderID, c))
			}
			sums.prune(topKeep)
			return sums.write(ctx, s.db)
		}); err != nil {
			return fmt.Errorf("calls: bulk generate %s: %w", day.Format(time.DateOnly), err)
		}
		made += len(cs)
		return nil
	})
	if err != nil {
		return made, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, "UPDATE call_ingest_batches SET accepted = ? WHERE id = ?", made, batch)
		return err
	})
	return made, err
}

func tallyOf(providerID int64, c call) tally {
	return tally{start: c.rec.Start.UnixMilli(), billsec: int64(c.rec.Billsec), calling: c.calling.Norm, called: c.called.Norm,
		direction: int16(c.direction), traffic: int16(c.traffic), status: int16(c.status),
		provider: providerID, company: c.companyID, site: c.siteID, employee: c.employee}
}

// drawBulk draws opts.Calls calls for the holders a local day (of the
// switch's zone) at a time, in order, and hands each day's calls to fn:
// the same seed draws the same calls, whichever way they are then stored
// (GenerateBulk, LoadBulk, WriteBulkRecords). Record ids are
// bulk-<seed>-<n>.
func drawBulk(sw Switch, holders []BulkHolder, opts GenerateOptions, fn func(day time.Time, cs []call) error) error {
	zone := sw.Zone()
	people := make([]person, len(holders))
	byNumber := make(map[string]BulkHolder, len(holders))
	for i, h := range holders {
		people[i].number = h.Number
		byNumber[h.Number] = h
	}
	t := newTraffic(people, opts, zone)
	// Working days weigh 1, weekend days a tenth.
	// The last day is the one End falls in (the day before when End is a
	// midnight, which the period does not include).
	end := opts.End.Add(-time.Nanosecond).In(zone)
	first := time.Date(end.Year(), end.Month(), end.Day()-opts.Days+1, 0, 0, 0, 0, zone)
	weights := make([]float64, opts.Days)
	var sum float64
	for d := range weights {
		day := first.AddDate(0, 0, d)
		weights[d] = 1
		if wd := day.Weekday(); wd == time.Saturday || wd == time.Sunday {
			weights[d] = 0.1
		}
		sum += weights[d]
	}
	var hourSum float64
	for _, w := range hourWeights {
		hourSum += w
	}
	made, serial := 0, 0
	for d := range weights {
		n := int(math.Round(float64(opts.Calls) * weights[d] / sum))
		if d == len(weights)-1 || made+n > opts.Calls {
			n = opts.Calls - made
		}
		day := first.AddDate(0, 0, d)
		cs := make([]call, 0, n)
		for i := 0; i < n; i++ {
			c := t.bulkCall(day, hourSum, byNumber)
			c.rec.ID = fmt.Sprintf("bulk-%016x-%09d", opts.Seed, serial)
			serial++
			cs = append(cs, c)
		}
		if err := fn(day, cs); err != nil {
			return err
		}
		made += n
	}
	return nil
}

// bulkDefaults checks and completes the options of the bulk generators.
func bulkDefaults(holders []BulkHolder, opts *GenerateOptions) error {
	if opts.Calls <= 0 {
		return errors.New("calls: give a positive number of calls")
	}
	if len(holders) == 0 {
		return errors.New("calls: no employee holds a number yet: activate employees first")
	}
	if opts.Days <= 0 {
		opts.Days = 30
	}
	if opts.End.IsZero() {
		opts.End = time.Now()
	}
	if opts.Seed == 0 {
		opts.Seed = rand.Uint64()
	}
	return nil
}

func (s *Service) bulkBatch(ctx context.Context, sw Switch, seed uint64) (id int64, err error) {
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		return s.db.Q(ctx).QueryRow(ctx, `INSERT INTO call_ingest_batches (provider_id, switch_id, source, name, format, received_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, sw.ProviderID, sw.ID, SourceGenerator, fmt.Sprintf("bulk generator seed %d", seed),
			string(FormatFreeSWITCHJSON), store.Now()).Scan(&id)
	})
	return id, err
}

// bulkCall draws one call of day, attributed and classified.
func (t *traffic) bulkCall(day time.Time, hourSum float64, byNumber map[string]BulkHolder) call {
	p := t.pick()
	x, hour := t.rng.Float64()*hourSum, 0
	for h, w := range hourWeights {
		if x -= w; x <= 0 {
			hour = h
			break
		}
	}
	start := time.Date(day.Year(), day.Month(), day.Day(), hour, t.rng.IntN(60), t.rng.IntN(60), t.rng.IntN(1000)*int(time.Millisecond), t.zone)
	h := byNumber[p.number]
	c := call{companyID: h.CompanyID, siteID: h.SiteID, employee: h.EmployeeID, business: p.number, status: Answered}
	outbound := t.rng.Float64() < 0.6
	missed := false
	var caller, callee string
	switch {
	case outbound && t.rng.Float64() < 0.08:
		caller, callee = p.number, t.pick().number
		c.direction, c.traffic = Outbound, OnNet
		missed = t.rng.Float64() < 0.15
	case outbound:
		caller = p.number
		callee, c.traffic = t.farEndClass(true)
		c.direction = Outbound
		missed = t.rng.Float64() < 0.15
	default:
		caller, _ = t.farEndClass(false)
		callee = p.number
		c.direction, c.traffic = Inbound, OffNet
		missed = t.rng.Float64() < 0.25
	}
	ring, talk := 2+t.rng.IntN(20), 0
	if missed {
		ring = 15 + t.rng.IntN(30)
		c.status = Unanswered
	} else {
		talk = t.talk()
	}
	c.rec = Record{Start: start.UTC(), End: start.Add(time.Duration(ring+talk) * time.Second).UTC(), Duration: ring + talk, Billsec: talk,
		Calling: caller, Called: callee, Answered: !missed}
	if !missed {
		c.rec.Answer = start.Add(time.Duration(ring) * time.Second).UTC()
	}
	c.calling, c.called = Number{Norm: caller, kind: kindE164}, Number{Norm: callee, kind: kindE164}
	return c
}

// farEndClass is farEnd with the traffic class of the number it draws.
func (t *traffic) farEndClass(outbound bool) (string, Traffic) {
	x := t.rng.Float64()
	switch {
	case x < 0.45:
		return "+44113496" + t.digits(4), National
	case x < 0.75:
		return "+4479112" + t.digits(5), Mobile // 07911 2: a mobile range (07911 5… is not)
	case x < 0.85:
		intl := []string{"+3314268" + t.digits(4), "+4930" + t.digits(8), "+1202555" + t.digits(4), "+35312" + t.digits(6)}
		return intl[t.rng.IntN(len(intl))], International
	case x < 0.95 || !outbound:
		return "+44800" + t.digits(7), NonGeographic
	default:
		return "+44906" + t.digits(7), PremiumRate
	}
}

// insertBulk stores new calls with plain multi-row inserts.
func (s *Service) insertBulk(ctx context.Context, sw Switch, batchID int64, calls []call) error {
	q := s.db.Q(ctx)
	args := make([]any, 0, insertRows*20)
	for rest := calls; len(rest) > 0; {
		n := store.BatchSize(len(rest), insertRows)
		args = args[:0]
		for _, c := range rest[:n] {
			var answer int64
			if !c.rec.Answer.IsZero() {
				answer = c.rec.Answer.UnixMilli()
			}
			args = append(args, sw.ProviderID, sw.ID, c.rec.ID, batchID, c.rec.Start.UnixMilli(), answer, c.rec.End.UnixMilli(),
				c.rec.Duration, c.rec.Billsec, c.rec.Calling, c.rec.Called, c.calling.Norm, c.called.Norm,
				int16(c.direction), int16(c.traffic), int16(c.status), c.companyID, c.siteID, c.employee, c.business)
		}
		rest = rest[n:]
		if _, err := q.Exec(ctx, "INSERT INTO calls ("+callColumns+") VALUES "+store.RepeatRow(n, callRow), args...); err != nil {
			return fmt.Errorf("calls: bulk insert calls: %w", err)
		}
	}
	return nil
}

// topKeep is how many numbers a finished day keeps per scope, role,
// direction, traffic and status in call_number_days (docs/cdr.md, "Top
// 10 at scale").
const topKeep = 25

// prune keeps, per scope, day, role, direction, traffic and status, the
// topKeep numbers with the most calls (ties by number).
func (s *scopeSums) prune(keep int) {
	type group struct {
		kind                             int16
		id, day                          int64
		role, direction, traffic, status int16
	}
	type entry struct {
		k numberKey
		v *rollupSum
	}
	groups := map[group][]entry{}
	for k, v := range s.numbers {
		g := group{k.kind, k.id, k.day, k.role, k.direction, k.traffic, k.status}
		groups[g] = append(groups[g], entry{k, v})
	}
	for _, es := range groups {
		if len(es) <= keep {
			continue
		}
		// The sums travel with their keys: no map lookup per comparison.
		sort.Slice(es, func(i, j int) bool {
			if es[i].v.calls != es[j].v.calls {
				return es[i].v.calls > es[j].v.calls
			}
			return es[i].k.number < es[j].k.number
		})
		for _, e := range es[keep:] {
			delete(s.numbers, e.k)
		}
	}
}

// CompactNumberDays prunes call_number_days of the UTC days that ended
// before before, that have not been pruned yet, to the topKeep numbers per
// scope, role, direction, traffic and status, so a top 10 over any range
// reads a bounded number of rows. Each day is pruned in its own
// transaction. It returns the rows removed.
func (s *Service) CompactNumberDays(ctx context.Context, before time.Time) (removed int64, err error) {
	cutoff := before.UnixMilli() - before.UnixMilli()%dayMS
	var through int64
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(through), 0) FROM call_number_days_compacted").Scan(&through); err != nil {
		return 0, fmt.Errorf("calls: compact number roll-ups: %w", err)
	}
	if through == 0 {
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MIN(day), ?) FROM call_number_days", cutoff).Scan(&through); err != nil {
			return 0, fmt.Errorf("calls: compact number roll-ups: %w", err)
		}
	}
	for day := through; day < cutoff; day += dayMS {
		err := s.db.Tx(ctx, func(ctx context.Context) error {
			q := s.db.Q(ctx)
			rows, err := q.Query(ctx, `SELECT scope_kind, scope_id, role, number, direction, traffic, status FROM (
				SELECT scope_kind, scope_id, role, number, direction, traffic, status,
					ROW_NUMBER() OVER (PARTITION BY scope_kind, scope_id, role, direction, traffic, status ORDER BY calls DESC, number) AS rn
				FROM call_number_days WHERE day = ?) r WHERE rn > ?`, day, topKeep)
			if err != nil {
				return err
			}
			var keys []numberKey
			for rows.Next() {
				k := numberKey{day: day}
				if err := rows.Scan(&k.kind, &k.id, &k.role, &k.number, &k.direction, &k.traffic, &k.status); err != nil {
					rows.Close()
					return err
				}
				keys = append(keys, k)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			const per = 100
			for rest := keys; len(rest) > 0; {
				n := min(per, len(rest))
				args := make([]any, 0, n*8)
				for _, k := range rest[:n] {
					args = append(args, k.kind, k.id, k.day, k.role, k.number, k.direction, k.traffic, k.status)
				}
				rest = rest[n:]
				res, err := q.Exec(ctx, "DELETE FROM call_number_days WHERE "+strings.TrimSuffix(strings.Repeat(
					"(scope_kind = ? AND scope_id = ? AND day = ? AND role = ? AND number = ? AND direction = ? AND traffic = ? AND status = ?) OR ", n), " OR "), args...)
				if err != nil {
					return err
				}
				m, _ := res.RowsAffected()
				removed += m
			}
			_, err = q.Exec(ctx, "INSERT INTO call_number_days_compacted (through, compacted_at) VALUES (?, ?) ON CONFLICT (through) DO NOTHING", day+dayMS, store.Now())
			return err
		})
		if err != nil {
			return removed, fmt.Errorf("calls: compact number roll-ups of %s: %w", time.UnixMilli(day).UTC().Format(time.DateOnly), err)
		}
	}
	return removed, nil
}
