package billing

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// usageKey is one row of billing_usage.
type usageKey struct {
	companyID int64
	day       int64
	traffic   calls.Traffic
	direction calls.Direction
}

type usageSum struct {
	calls, answered, seconds, billed, unrated int64
	charge                                    Micros
}

// ChargeCalls rates calls and adds them to their customers' usage and
// balances, inside ingest's transaction (calls.Charger). Only outbound
// calls cost the customer (inbound calls are paid by the caller); an
// answered outbound call with no rate in the customer's currency is counted
// as unrated, so the operator sees the gap in the summaries instead of a
// silent zero, except an on-net call, which is free unless the provider
// prices it (docs/billing.md).
func (s *Service) ChargeCalls(ctx context.Context, providerID int64, batch []calls.Charged) error {
	rates, err := s.providerRates(ctx, providerID)
	if err != nil {
		return fmt.Errorf("billing: charge calls: %w", err)
	}
	table := newRateTable(rates)
	currencies, err := s.currencies(ctx, batch)
	if err != nil {
		return fmt.Errorf("billing: charge calls: %w", err)
	}
	sums := map[usageKey]*usageSum{}
	charged := map[int64]Micros{}
	for _, c := range batch {
		start := c.Start.UTC()
		day := time.Date(start.Year(), start.Month(), start.Day(), 0, 0, 0, 0, time.UTC).UnixMilli()
		k := usageKey{c.CompanyID, day, c.Traffic, c.Direction}
		sum := sums[k]
		if sum == nil {
			sum = &usageSum{}
			sums[k] = sum
		}
		sum.calls++
		sum.seconds += int64(c.Billsec)
		if c.Status == calls.Answered {
			sum.answered++
		}
		if c.Direction != calls.Outbound || c.Status != calls.Answered || c.Billsec <= 0 {
			continue
		}
		r, ok := table.find(c.Traffic, currencies[c.CompanyID], c.Called, start)
		if !ok {
			// On-net calls stay on the provider's network: free unless
			// the provider prices them.
			if c.Traffic != calls.OnNet {
				sum.unrated++
			}
			continue
		}
		price, billed := r.Price(c.Billsec)
		sum.charge += price
		sum.billed += int64(billed)
		charged[c.CompanyID] += price
	}
	if err := s.addUsage(ctx, providerID, sums); err != nil {
		return err
	}
	return s.takeFromBalances(ctx, charged, currencies)
}

// currencies reads the currency of each company in batch.
func (s *Service) currencies(ctx context.Context, batch []calls.Charged) (map[int64]string, error) {
	out := map[int64]string{}
	var ids []any
	for _, c := range batch {
		if _, ok := out[c.CompanyID]; !ok {
			out[c.CompanyID] = ""
			ids = append(ids, c.CompanyID)
		}
	}
	for rest := ids; len(rest) > 0; {
		n := min(len(rest), 500)
		rows, err := s.db.Q(ctx).Query(ctx, "SELECT id, currency FROM companies WHERE id IN ("+store.Placeholders(n)+")", rest[:n]...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var cur string
			if err := rows.Scan(&id, &cur); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = cur
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		rest = rest[n:]
	}
	return out, nil
}

func (s *Service) addUsage(ctx context.Context, providerID int64, sums map[usageKey]*usageSum) error {
	keys := make([]usageKey, 0, len(sums))
	for k := range sums {
		keys = append(keys, k)
	}
	// A fixed order keeps two concurrent ingests from locking the same rows
	// in opposite orders on PostgreSQL.
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		if a.companyID != b.companyID {
			return a.companyID < b.companyID
		}
		if a.day != b.day {
			return a.day < b.day
		}
		if a.traffic != b.traffic {
			return a.traffic < b.traffic
		}
		return a.direction < b.direction
	})
	const row = "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
	q := s.db.Q(ctx)
	for rest := keys; len(rest) > 0; {
		n := store.BatchSize(len(rest), 200)
		args := make([]any, 0, n*11)
		for _, k := range rest[:n] {
			u := sums[k]
			args = append(args, providerID, k.companyID, k.day, int16(k.traffic), int16(k.direction), u.calls, u.answered, u.seconds, u.billed,
				int64(u.charge), u.unrated)
		}
		rest = rest[n:]
		if _, err := q.Exec(ctx, `INSERT INTO billing_usage (provider_id, company_id, day, traffic, direction, calls, answered, seconds,
			billed_seconds, charge_micros, unrated) VALUES `+store.RepeatRow(n, row)+`
			ON CONFLICT (company_id, day, traffic, direction, provider_id) DO UPDATE SET
			calls = billing_usage.calls + excluded.calls, answered = billing_usage.answered + excluded.answered,
			seconds = billing_usage.seconds + excluded.seconds, billed_seconds = billing_usage.billed_seconds + excluded.billed_seconds,
			charge_micros = billing_usage.charge_micros + excluded.charge_micros, unrated = billing_usage.unrated + excluded.unrated`,
			args...); err != nil {
			return fmt.Errorf("billing: add usage: %w", err)
		}
	}
	return nil
}

// takeFromBalances moves each customer's balance down by what its calls
// cost. Balances are kept in minor units; the fraction of a minor unit left
// over is carried to the next calls, so a million calls at 0.3p cost exactly
// what one call of the total would.
func (s *Service) takeFromBalances(ctx context.Context, charged map[int64]Micros, currencies map[int64]string) error {
	ids := make([]int64, 0, len(charged))
	for id, m := range charged {
		if m != 0 {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	q := s.db.Q(ctx)
	for _, id := range ids {
		var carried int64
		if err := q.QueryRow(ctx, `INSERT INTO billing_balances (company_id, carried_micros, charged_micros) VALUES (?, ?, ?)
			ON CONFLICT (company_id) DO UPDATE SET carried_micros = billing_balances.carried_micros + excluded.carried_micros,
			charged_micros = billing_balances.charged_micros + excluded.charged_micros RETURNING carried_micros`,
			id, int64(charged[id]), int64(charged[id])).Scan(&carried); err != nil {
			return fmt.Errorf("billing: charge company %d: %w", id, err)
		}
		per := microsPerMinor(currencies[id])
		minor := carried / per
		if minor == 0 {
			continue
		}
		if _, err := q.Exec(ctx, "UPDATE billing_balances SET carried_micros = carried_micros - ? WHERE company_id = ?", minor*per, id); err != nil {
			return fmt.Errorf("billing: charge company %d: %w", id, err)
		}
		if _, err := q.Exec(ctx, "UPDATE companies SET balance_minor = balance_minor - ? WHERE id = ?", minor, id); err != nil {
			return fmt.Errorf("billing: charge company %d: %w", id, err)
		}
	}
	return nil
}
