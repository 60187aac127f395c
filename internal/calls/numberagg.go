package calls

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// aggregateCalls is about how many calls one aggregation transaction
// reads: enough for repeated numbers to fold in memory, few enough that
// the (SQLite) writer is not held for long.
const aggregateCalls = 50000

// pendingRange is one stored chunk whose number roll-ups are still to add.
type pendingRange struct{ id, batch, first, last int64 }

// addPending records, in ingest's transaction, that the chunk's stored
// calls (ids first to last of batch) wait for the number aggregator.
func (s *Service) addPending(ctx context.Context, batch, first, last int64) error {
	if _, err := s.db.Q(ctx).Exec(ctx, "INSERT INTO call_number_pending (batch_id, first_call_id, last_call_id) VALUES (?, ?, ?)",
		batch, first, last); err != nil {
		return fmt.Errorf("calls: record pending number roll-ups: %w", err)
	}
	return nil
}

// wakeNumbers tells this node's number aggregator that a batch committed.
func (s *Service) wakeNumbers() {
	select {
	case s.numbersDue <- struct{}{}:
	default:
	}
}

// AggregateNumbers adds the calls stored since it last ran to the number
// roll-ups (call_number_days) that Top 10 reads, and answers how many
// calls it added. Ingest leaves them out of its own transactions — a dozen
// roll-up rows a call would cost it most of its time — and records each
// stored chunk in call_number_pending instead; each step here sums up to
// aggregateCalls of those calls in memory, writes one upsert per distinct
// key and deletes their pending rows in one transaction, so every call is
// added exactly once whatever stops in between (docs/cdr.md). Nodes run it
// after each batch (RunNumberAggregator); on PostgreSQL two nodes never
// take the same chunk (SKIP LOCKED).
func (s *Service) AggregateNumbers(ctx context.Context) (int, error) {
	if err := s.prepareIngest(ctx); err != nil {
		return 0, fmt.Errorf("calls: aggregate number roll-ups: %w", err)
	}
	total := 0
	for {
		n, err := s.aggregateNumbersStep(ctx)
		total += n
		if err != nil {
			return total, fmt.Errorf("calls: aggregate number roll-ups: %w", err)
		}
		if n == 0 {
			return total, nil
		}
	}
}

func (s *Service) aggregateNumbersStep(ctx context.Context) (n int, err error) {
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		n = 0
		q := s.db.Q(ctx)
		rows, err := q.Query(ctx, "SELECT id, batch_id, first_call_id, last_call_id FROM call_number_pending ORDER BY id LIMIT 100"+s.db.SkipLocked())
		if err != nil {
			return err
		}
		var ranges []pendingRange
		span := int64(0)
		for rows.Next() {
			var r pendingRange
			if err := rows.Scan(&r.id, &r.batch, &r.first, &r.last); err != nil {
				rows.Close()
				return err
			}
			if len(ranges) > 0 && span+r.last-r.first+1 > aggregateCalls {
				break
			}
			ranges = append(ranges, r)
			span += r.last - r.first + 1
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ranges) == 0 {
			return err
		}
		sums := newScopeSums()
		ids := make([]any, len(ranges))
		for i, r := range ranges {
			ids[i] = r.id
			// The batch and the id range are exactly the chunk's calls: a
			// batch's chunks are written one after another, and calls of
			// other batches in the range belong to other chunks.
			rows, err := q.Query(ctx, `SELECT start_at, billsec, calling, called, direction, traffic, status, provider_id, company_id, site_id
				FROM calls WHERE id >= ? AND id <= ? AND batch_id = ?`, r.first, r.last, r.batch)
			if err != nil {
				return err
			}
			for rows.Next() {
				var t tally
				if err := rows.Scan(&t.start, &t.billsec, &t.calling, &t.called, &t.direction, &t.traffic, &t.status, &t.provider, &t.company, &t.site); err != nil {
					rows.Close()
					return err
				}
				sums.addNumbers(t)
				n++
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if err := sums.write(ctx, s.db); err != nil {
			return err
		}
		_, err = q.Exec(ctx, "DELETE FROM call_number_pending WHERE id IN ("+store.Placeholders(len(ids))+")", ids...)
		return err
	})
	return n, err
}

// PendingNumbers is how many stored calls wait for the number aggregator
// (at most: the ranges of chunks), for the ingest status.
func (s *Service) PendingNumbers(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(last_call_id - first_call_id + 1), 0) FROM call_number_pending").Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("calls: pending number roll-ups: %w", err)
	}
	return n, nil
}

// RunNumberAggregator runs AggregateNumbers after every batch this node
// stores and every interval (for batches other nodes stored, and what a
// crash left pending) until ctx ends.
func (s *Service) RunNumberAggregator(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if n, err := s.AggregateNumbers(ctx); err != nil {
			if ctx.Err() != nil {
				return
			}
			s.logger.Error("calls: number roll-ups", "err", err)
		} else if n > 0 {
			s.logger.Debug("calls: number roll-ups added", "calls", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.numbersDue:
		}
	}
}
