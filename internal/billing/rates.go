package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Rate is the price of one kind of call: a traffic type, the destinations
// starting with Prefix (E.164 digits without '+'; "" is every destination
// of that type), in one currency, from ValidFrom until ValidTo (zero: open).
type Rate struct {
	ID          int64         `json:"id"`
	Traffic     calls.Traffic `json:"-"`
	TrafficName string        `json:"traffic"`
	Prefix      string        `json:"prefix"`
	Currency    string        `json:"currency"`
	Description string        `json:"description"`
	// PerMinute and Setup are micros (millionths of the currency unit).
	PerMinute Micros `json:"per_minute_micros"`
	Setup     Micros `json:"setup_micros"`
	// A call is billed for at least Minimum seconds, then in steps of
	// Increment seconds (60/60 per-minute billing, 0/1 per-second).
	Minimum   int       `json:"minimum_seconds"`
	Increment int       `json:"increment_seconds"`
	ValidFrom time.Time `json:"valid_from"`
	ValidTo   time.Time `json:"valid_to,omitzero"`
}

// Limits of a rate's fields.
const (
	MaxPrefix      = 15 // an E.164 number has at most 15 digits
	MaxDescription = 100
	// MaxPerMinute is a thousand units a minute: premium-rate numbers cost
	// a few pounds; anything near this is a typing mistake.
	MaxPerMinute = 1000 * MicrosPerUnit
	MaxSeconds   = 3600
)

// Covers reports whether r prices a call of traffic to called (E.164 with
// '+', or digits) that started at.
func (r Rate) Covers(traffic calls.Traffic, called string, at time.Time) bool {
	return r.Traffic == traffic && strings.HasPrefix(strings.TrimPrefix(called, "+"), r.Prefix) &&
		!at.Before(r.ValidFrom) && (r.ValidTo.IsZero() || at.Before(r.ValidTo))
}

// Price is what a call of billsec seconds costs at r, and the seconds it is
// billed for: nothing for a call nobody answered (billsec 0), otherwise the
// setup fee and the per-minute price of at least Minimum seconds rounded up
// to a whole number of Increments.
func (r Rate) Price(billsec int) (Micros, int) {
	if billsec <= 0 {
		return 0, 0
	}
	billed := billsec
	if inc := r.Increment; inc > 1 && billed%inc != 0 {
		billed += inc - billed%inc
	}
	if billed < r.Minimum {
		billed = r.Minimum
	}
	// per-minute × seconds / 60, rounded half up to the micro.
	return r.Setup + Micros((int64(r.PerMinute)*int64(billed)+30)/60), billed
}

// RateRequest adds a rate.
type RateRequest struct {
	Traffic     string `json:"traffic"`
	Prefix      string `json:"prefix"`
	Currency    string `json:"currency"`
	Description string `json:"description"`
	PerMinute   int64  `json:"per_minute_micros"`
	Setup       int64  `json:"setup_micros"`
	Minimum     int    `json:"minimum_seconds"`
	Increment   int    `json:"increment_seconds"`
	// ValidFrom is when the rate starts (zero: now).
	ValidFrom time.Time `json:"valid_from"`
}

// TrafficNames are the traffic types a rate names, as the Call Logs call
// them (docs/cdr.md).
var TrafficNames = func() []string {
	var out []string
	for _, t := range calls.Traffics {
		out = append(out, t.String())
	}
	return out
}()

func parseTraffic(name string) (calls.Traffic, bool) {
	for _, t := range calls.Traffics {
		if strings.EqualFold(t.String(), strings.TrimSpace(name)) {
			return t, true
		}
	}
	return 0, false
}

// validate checks r and builds the rate it asks for.
func (r RateRequest) validate(now time.Time) (Rate, error) {
	v := &derrors.ValidationError{}
	out := Rate{Prefix: strings.TrimPrefix(strings.TrimSpace(r.Prefix), "+"), Currency: strings.ToUpper(strings.TrimSpace(r.Currency)),
		Description: strings.TrimSpace(r.Description), PerMinute: Micros(r.PerMinute), Setup: Micros(r.Setup),
		Minimum: r.Minimum, Increment: r.Increment, ValidFrom: r.ValidFrom.UTC().Truncate(time.Millisecond)}
	var ok bool
	if out.Traffic, ok = parseTraffic(r.Traffic); !ok {
		v.Add("traffic", "traffic must be one of %s", strings.Join(TrafficNames, ", "))
	}
	out.TrafficName = out.Traffic.String()
	if strings.Trim(out.Prefix, "0123456789") != "" || len(out.Prefix) > MaxPrefix {
		v.Add("prefix", "the prefix is the first digits of the destination's international number (44, 447, 1900), at most %d digits, or empty for every destination", MaxPrefix)
	}
	if len(out.Currency) != 3 || strings.Trim(out.Currency, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
		v.Add("currency", "currency must be a three-letter ISO 4217 code such as GBP")
	}
	if len([]rune(out.Description)) > MaxDescription || hasControl(out.Description) {
		v.Add("description", "the description is at most %d characters of text on one line", MaxDescription)
	}
	if out.PerMinute < 0 || out.PerMinute > MaxPerMinute {
		v.Add("per_minute_micros", "the price per minute is 0 to %d micros (millionths of the currency unit: 12500 is 1.25p a minute)", int64(MaxPerMinute))
	}
	if out.Setup < 0 || out.Setup > MaxPerMinute {
		v.Add("setup_micros", "the setup fee is 0 to %d micros", int64(MaxPerMinute))
	}
	if out.Minimum < 0 || out.Minimum > MaxSeconds {
		v.Add("minimum_seconds", "the minimum is 0 to %d seconds", MaxSeconds)
	}
	if out.Increment == 0 {
		out.Increment = 1
	}
	if out.Increment < 1 || out.Increment > MaxSeconds {
		v.Add("increment_seconds", "the increment is 1 to %d seconds (60 bills whole minutes)", MaxSeconds)
	}
	if out.ValidFrom.IsZero() {
		out.ValidFrom = now
	}
	return out, v.Err()
}

// AddRate adds a rate to the provider's table. A rate for the same traffic,
// prefix and currency that is still open ends where the new one starts (a
// price change); one that starts at or after the new one is a conflict,
// because rates that have priced calls are never rewritten.
func (s *Service) AddRate(ctx context.Context, actor access.Actor, req RateRequest) (out Rate, err error) {
	defer derrors.Wrap(&err, "billing: add rate")
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return Rate{}, err
	}
	r, err := req.validate(time.Now().UTC().Truncate(time.Millisecond))
	if err != nil {
		return Rate{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var later int
		if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM billing_rates WHERE provider_id = ? AND traffic = ? AND prefix = ? AND currency = ?
			AND valid_from >= ?`, actor.ProviderID, int16(r.Traffic), r.Prefix, r.Currency, r.ValidFrom.UnixMilli()).Scan(&later); err != nil {
			return err
		}
		if later > 0 {
			return derrors.Conflict("valid_from", "a %s rate for %q in %s already starts at or after %s: a new rate must start after the latest one",
				r.TrafficName, r.Prefix, r.Currency, r.ValidFrom.Format(time.RFC3339))
		}
		if _, err := q.Exec(ctx, `UPDATE billing_rates SET valid_to = ? WHERE provider_id = ? AND traffic = ? AND prefix = ? AND currency = ?
			AND (valid_to = 0 OR valid_to > ?)`, r.ValidFrom.UnixMilli(), actor.ProviderID, int16(r.Traffic), r.Prefix, r.Currency,
			r.ValidFrom.UnixMilli()); err != nil {
			return err
		}
		if err := q.QueryRow(ctx, `INSERT INTO billing_rates (provider_id, traffic, prefix, currency, description, per_minute_micros,
			setup_micros, minimum_seconds, increment_seconds, valid_from, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			actor.ProviderID, int16(r.Traffic), r.Prefix, r.Currency, r.Description, int64(r.PerMinute), int64(r.Setup), r.Minimum,
			r.Increment, r.ValidFrom.UnixMilli(), store.Now()).Scan(&r.ID); err != nil {
			return err
		}
		out = r
		return s.audit.Record(ctx, audit.Event{Event: "Add Rate", ObjectKind: "rate", ObjectID: r.ID,
			ObjectName: rateName(r), After: r})
	})
	return out, err
}

func rateName(r Rate) string {
	p := r.Prefix
	if p == "" {
		p = "any destination"
	} else {
		p = "+" + p
	}
	return fmt.Sprintf("%s %s (%s)", r.TrafficName, p, r.Currency)
}

// EndRate ends a rate at (now when zero): calls from then on find another
// rate or none. A rate that has not started yet is removed instead.
func (s *Service) EndRate(ctx context.Context, actor access.Actor, id int64, at time.Time) (err error) {
	defer derrors.Wrap(&err, "billing: end rate %d", id)
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return err
	}
	if at.IsZero() {
		at = time.Now()
	}
	at = at.UTC().Truncate(time.Millisecond)
	return s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.rate(ctx, actor.ProviderID, id)
		if err != nil {
			return err
		}
		if !before.ValidTo.IsZero() && !before.ValidTo.After(at) {
			return derrors.Conflict("valid_to", "the rate already ended at %s", before.ValidTo.Format(time.RFC3339))
		}
		q := s.db.Q(ctx)
		if !at.After(before.ValidFrom) {
			if _, err := q.Exec(ctx, "DELETE FROM billing_rates WHERE id = ? AND provider_id = ?", id, actor.ProviderID); err != nil {
				return err
			}
		} else if _, err := q.Exec(ctx, "UPDATE billing_rates SET valid_to = ? WHERE id = ? AND provider_id = ?", at.UnixMilli(), id, actor.ProviderID); err != nil {
			return err
		}
		after := before
		after.ValidTo = at
		return s.audit.Record(ctx, audit.Event{Event: "End Rate", ObjectKind: "rate", ObjectID: id, ObjectName: rateName(before),
			Before: before, After: after})
	})
}

const rateColumns = "id, traffic, prefix, currency, description, per_minute_micros, setup_micros, minimum_seconds, increment_seconds, valid_from, valid_to"

func scanRate(row interface{ Scan(...any) error }) (Rate, error) {
	var r Rate
	var traffic int16
	var from, to int64
	err := row.Scan(&r.ID, &traffic, &r.Prefix, &r.Currency, &r.Description, &r.PerMinute, &r.Setup, &r.Minimum, &r.Increment, &from, &to)
	r.Traffic = calls.Traffic(traffic)
	r.TrafficName = r.Traffic.String()
	r.ValidFrom = time.UnixMilli(from).UTC()
	if to != 0 {
		r.ValidTo = time.UnixMilli(to).UTC()
	}
	return r, err
}

func (s *Service) rate(ctx context.Context, providerID, id int64) (Rate, error) {
	r, err := scanRate(s.db.Q(ctx).QueryRow(ctx, "SELECT "+rateColumns+" FROM billing_rates WHERE id = ? AND provider_id = ?", id, providerID))
	if errors.Is(err, sql.ErrNoRows) {
		return Rate{}, fmt.Errorf("rate %d: %w", id, derrors.ErrNotFound)
	}
	return r, err
}

// Rates lists the provider's rate table, current and past, by traffic,
// prefix and start.
func (s *Service) Rates(ctx context.Context, actor access.Actor) (out []Rate, err error) {
	defer derrors.Wrap(&err, "billing: rates")
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return nil, err
	}
	return s.providerRates(ctx, actor.ProviderID)
}

func (s *Service) providerRates(ctx context.Context, providerID int64) ([]Rate, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+rateColumns+" FROM billing_rates WHERE provider_id = ? ORDER BY traffic, prefix, currency, valid_from",
		providerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rate
	for rows.Next() {
		r, err := scanRate(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// rateTable finds the rate of a call: the longest prefix of its traffic
// type and currency in force when it started.
type rateTable struct {
	byKey map[rateKey][]Rate // longest prefix first
}

type rateKey struct {
	traffic  calls.Traffic
	currency string
}

func newRateTable(rates []Rate) rateTable {
	t := rateTable{byKey: map[rateKey][]Rate{}}
	for _, r := range rates {
		k := rateKey{r.Traffic, r.Currency}
		t.byKey[k] = append(t.byKey[k], r)
	}
	for _, rs := range t.byKey {
		sort.SliceStable(rs, func(i, j int) bool { return len(rs[i].Prefix) > len(rs[j].Prefix) })
	}
	return t
}

func (t rateTable) find(traffic calls.Traffic, currency, called string, at time.Time) (Rate, bool) {
	for _, r := range t.byKey[rateKey{traffic, currency}] {
		if r.Covers(traffic, called, at) {
			return r, true
		}
	}
	return Rate{}, false
}

// hasControl reports whether s holds a control character: descriptions are
// printed on invoices, one per line.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return true
		}
	}
	return false
}
