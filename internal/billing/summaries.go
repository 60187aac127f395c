package billing

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// Period is a summary's span: Live is today so far, Daily one UTC day,
// Monthly one UTC calendar month (the control panel shows all three in
// 24-hour UTC).
type Period string

const (
	Live    Period = "live"
	Daily   Period = "daily"
	Monthly Period = "monthly"
)

// Span is the [start, end) of p around at.
func (p Period) Span(at time.Time) (time.Time, time.Time, error) {
	at = at.UTC()
	day := time.Date(at.Year(), at.Month(), at.Day(), 0, 0, 0, 0, time.UTC)
	switch p {
	case Live:
		now := time.Now().UTC()
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
		return today, today.AddDate(0, 0, 1), nil
	case Daily:
		return day, day.AddDate(0, 0, 1), nil
	case Monthly:
		start, end := Month(at)
		return start, end, nil
	}
	return time.Time{}, time.Time{}, derrors.Invalid("period", "the period is live, daily or monthly")
}

// SummaryRow is one customer's calls in a period.
type SummaryRow struct {
	CompanyID int64  `json:"company_id"`
	Customer  string `json:"customer"`
	Currency  string `json:"currency"`
	Calls     int64  `json:"calls"`
	Answered  int64  `json:"answered"`
	Outbound  int64  `json:"outbound"`
	Inbound   int64  `json:"inbound"`
	// Seconds are the answered calls' talk time; AverageSeconds is it per
	// answered call.
	Seconds        int64 `json:"seconds"`
	AverageSeconds int64 `json:"average_seconds"`
	ChargeMinor    int64 `json:"charge_minor"`
	// Unrated counts answered outbound calls no rate priced.
	Unrated         int64 `json:"unrated"`
	BalanceMinor    int64 `json:"balance_minor"`
	DebitLimitMinor int64 `json:"debit_limit_minor"`
	// Invoice is the number of the month's invoice, once generated.
	Invoice string `json:"invoice,omitempty"`
}

// Summary is a period's rows, one per customer with calls.
type Summary struct {
	Period Period       `json:"period"`
	Start  time.Time    `json:"start"`
	End    time.Time    `json:"end"`
	Rows   []SummaryRow `json:"rows"`
}

// Summaries is the control panel's Live, Daily or Monthly summary: every
// customer of the provider with calls in the period, by name. It reads the
// daily usage only, so its cost follows the number of customers and days,
// not of calls.
func (s *Service) Summaries(ctx context.Context, actor access.Actor, p Period, at time.Time) (out Summary, err error) {
	defer derrors.Wrap(&err, "billing: %s summary", p)
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return Summary{}, err
	}
	out.Period = p
	if out.Start, out.End, err = p.Span(at); err != nil {
		return Summary{}, err
	}
	rows, err := s.db.Q(ctx).Query(ctx, `
		SELECT c.id, c.name, c.currency, c.balance_minor, c.debit_limit_minor, u.calls, u.answered, u.outbound, u.seconds, u.charge, u.unrated,
			COALESCE(i.number, '')
		FROM (SELECT company_id, SUM(calls) AS calls, SUM(answered) AS answered,
				SUM(CASE WHEN direction = ? THEN calls ELSE 0 END) AS outbound, SUM(seconds) AS seconds,
				SUM(charge_micros) AS charge, SUM(unrated) AS unrated
			FROM billing_usage WHERE provider_id = ? AND day >= ? AND day < ? GROUP BY company_id) u
		JOIN companies c ON c.id = u.company_id
		LEFT JOIN invoices i ON i.company_id = c.id AND i.period_start = ?
		ORDER BY c.name, c.id`,
		int16(calls.Outbound), actor.ProviderID, out.Start.UnixMilli(), out.End.UnixMilli(), monthStart(out.Start).UnixMilli())
	if err != nil {
		return Summary{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var r SummaryRow
		var charge int64
		if err := rows.Scan(&r.CompanyID, &r.Customer, &r.Currency, &r.BalanceMinor, &r.DebitLimitMinor, &r.Calls, &r.Answered, &r.Outbound,
			&r.Seconds, &charge, &r.Unrated, &r.Invoice); err != nil {
			return Summary{}, err
		}
		r.Inbound = r.Calls - r.Outbound
		if r.Answered > 0 {
			r.AverageSeconds = r.Seconds / r.Answered
		}
		r.ChargeMinor = toMinor(Micros(charge), r.Currency)
		if p != Monthly {
			r.Invoice = ""
		}
		out.Rows = append(out.Rows, r)
	}
	return out, rows.Err()
}

func monthStart(t time.Time) time.Time {
	start, _ := Month(t)
	return start
}

// Headroom says how much of the debit limit a balance has used: a customer
// in credit has used none; one beyond the limit more than 100 %.
func Headroom(balanceMinor, debitLimitMinor int64) string {
	if balanceMinor >= 0 {
		return "in credit"
	}
	if debitLimitMinor == 0 {
		return "no debit allowed"
	}
	return fmt.Sprintf("%d %% of the debit limit used", (-balanceMinor*100)/debitLimitMinor)
}
