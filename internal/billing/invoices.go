package billing

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Invoice is a customer's bill for one calendar month (UTC). It never
// changes once generated: the lines are what the usage, rentals and tax
// rate were at that moment (docs/billing.md).
type Invoice struct {
	ID           int64     `json:"id"`
	CompanyID    int64     `json:"company_id"`
	CustomerName string    `json:"customer_name"`
	Number       string    `json:"number"`
	PeriodStart  time.Time `json:"period_start"`
	PeriodEnd    time.Time `json:"period_end"`
	Currency     string    `json:"currency"`
	// Amounts are minor units of Currency (pence).
	UsageMinor    int64         `json:"usage_minor"`
	RentalMinor   int64         `json:"rental_minor"`
	SubtotalMinor int64         `json:"subtotal_minor"`
	TaxRateBP     int           `json:"tax_rate_bp"`
	TaxMinor      int64         `json:"tax_minor"`
	TotalMinor    int64         `json:"total_minor"`
	CreatedAt     time.Time     `json:"created_at"`
	CreatedBy     string        `json:"created_by"`
	Lines         []InvoiceLine `json:"lines,omitempty"`
}

// InvoiceLine is one line of an invoice: the calls of one traffic type, or
// the rental of one package or add-on.
type InvoiceLine struct {
	Kind        string `json:"kind"` // "usage" or "rental"
	Description string `json:"description"`
	Quantity    int64  `json:"quantity"`
	Unit        string `json:"unit"`
	// UnitPrice is micros: the price of one rental a month; 0 for usage,
	// whose calls are priced one by one.
	UnitPrice   Micros `json:"unit_price_micros"`
	AmountMinor int64  `json:"amount_minor"`
}

// Month is the calendar month (UTC) containing t, as [start, end).
func Month(t time.Time) (time.Time, time.Time) {
	t = t.UTC()
	start := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return start, start.AddDate(0, 1, 0)
}

// GenerateInvoices makes the invoice of each company in companyIDs for the
// month containing month. All or nothing: a customer that already has its
// invoice for the month, a month not yet over, or a company the operator
// cannot see refuses the whole request, naming the cause.
func (s *Service) GenerateInvoices(ctx context.Context, actor access.Actor, companyIDs []int64, month time.Time) (out []Invoice, err error) {
	defer derrors.Wrap(&err, "billing: generate invoices")
	start, end := Month(month)
	if len(companyIDs) == 0 {
		return nil, derrors.Invalid("company_ids", "tick the customers to invoice")
	}
	if len(companyIDs) > 1000 {
		return nil, derrors.Invalid("company_ids", "invoice at most 1,000 customers at once")
	}
	seen := map[int64]bool{}
	for _, id := range companyIDs {
		if seen[id] {
			return nil, derrors.Invalid("company_ids", "customer %d is ticked twice", id)
		}
		seen[id] = true
		if err := s.access.Check(ctx, actor, access.ManageBilling, access.Company(id)); err != nil {
			return nil, err
		}
	}
	if now := time.Now(); end.After(now) {
		return nil, derrors.Invalid("month", "%s is not over yet: invoice it from %s UTC, when every call of the month is in",
			start.Format("January 2006"), end.Format("2 January 2006"))
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		settings, err := s.settings(ctx, actor.ProviderID)
		if err != nil {
			return err
		}
		for _, id := range companyIDs {
			inv, err := s.generate(ctx, actor, settings, id, start, end)
			if err != nil {
				return err
			}
			out = append(out, inv)
		}
		return nil
	})
	return out, err
}

func (s *Service) generate(ctx context.Context, actor access.Actor, settings Settings, companyID int64, start, end time.Time) (Invoice, error) {
	q := s.db.Q(ctx)
	inv := Invoice{CompanyID: companyID, PeriodStart: start, PeriodEnd: end, TaxRateBP: settings.TaxRateBP,
		CreatedAt: time.Now().UTC().Truncate(time.Millisecond), CreatedBy: actor.Username}
	if err := q.QueryRow(ctx, "SELECT name, currency FROM companies WHERE id = ? AND provider_id = ?", companyID, actor.ProviderID).
		Scan(&inv.CustomerName, &inv.Currency); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return Invoice{}, fmt.Errorf("company %d: %w", companyID, derrors.ErrNotFound)
		}
		return Invoice{}, err
	}
	var held string
	err := q.QueryRow(ctx, "SELECT number FROM invoices WHERE company_id = ? AND period_start = ?", companyID, start.UnixMilli()).Scan(&held)
	if err == nil {
		return Invoice{}, derrors.Conflict("company_ids", "%s already has invoice %s for %s: invoices never change, so it is not made again",
			inv.CustomerName, held, start.Format("January 2006"))
	} else if !errors.Is(err, sql.ErrNoRows) {
		return Invoice{}, err
	}
	usage, err := s.usageLines(ctx, inv.Currency, companyID, start, end)
	if err != nil {
		return Invoice{}, err
	}
	rentals, err := s.rentalLines(ctx, inv.Currency, companyID)
	if err != nil {
		return Invoice{}, err
	}
	inv.Lines = append(usage, rentals...)
	for _, l := range inv.Lines {
		if l.Kind == "usage" {
			inv.UsageMinor += l.AmountMinor
		} else {
			inv.RentalMinor += l.AmountMinor
		}
	}
	inv.SubtotalMinor = inv.UsageMinor + inv.RentalMinor
	inv.TaxMinor = (inv.SubtotalMinor*int64(inv.TaxRateBP) + 5000) / 10000
	inv.TotalMinor = inv.SubtotalMinor + inv.TaxMinor
	var seq int64
	if err := q.QueryRow(ctx, "UPDATE billing_settings SET next_invoice = next_invoice + 1 WHERE provider_id = ? RETURNING next_invoice - 1",
		actor.ProviderID).Scan(&seq); err != nil {
		return Invoice{}, err
	}
	inv.Number = fmt.Sprintf("%s%06d", settings.InvoicePrefix, seq)
	if err := q.QueryRow(ctx, `INSERT INTO invoices (provider_id, company_id, number, period_start, period_end, currency, customer_name,
		usage_minor, rental_minor, subtotal_minor, tax_rate_bp, tax_minor, total_minor, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		actor.ProviderID, companyID, inv.Number, start.UnixMilli(), end.UnixMilli(), inv.Currency, inv.CustomerName, inv.UsageMinor,
		inv.RentalMinor, inv.SubtotalMinor, inv.TaxRateBP, inv.TaxMinor, inv.TotalMinor, inv.CreatedAt.UnixMilli(), inv.CreatedBy).
		Scan(&inv.ID); err != nil {
		if store.IsUniqueViolation(err) {
			return Invoice{}, derrors.Conflict("company_ids", "%s was invoiced for %s by somebody else just now", inv.CustomerName,
				start.Format("January 2006"))
		}
		return Invoice{}, err
	}
	for i, l := range inv.Lines {
		if _, err := q.Exec(ctx, `INSERT INTO invoice_lines (invoice_id, line_no, kind, description, quantity, unit, unit_price_micros, amount_minor)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, inv.ID, i+1, l.Kind, l.Description, l.Quantity, l.Unit, int64(l.UnitPrice), l.AmountMinor); err != nil {
			return Invoice{}, err
		}
	}
	summary := inv
	summary.Lines = nil
	return inv, s.audit.Record(ctx, audit.Event{Event: "Generate Invoice", CompanyID: companyID, ObjectKind: "invoice", ObjectID: inv.ID,
		ObjectName: inv.Number, After: summary})
}

// usageLines are the month's charged calls of the company, one line per
// traffic type, read from the daily usage (never the calls themselves).
func (s *Service) usageLines(ctx context.Context, currency string, companyID int64, start, end time.Time) ([]InvoiceLine, error) {
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT traffic, SUM(calls), SUM(billed_seconds), SUM(charge_micros) FROM billing_usage
		WHERE company_id = ? AND day >= ? AND day < ? AND direction = ? GROUP BY traffic ORDER BY traffic`,
		companyID, start.UnixMilli(), end.UnixMilli(), int16(calls.Outbound))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []InvoiceLine
	for rows.Next() {
		var traffic int16
		var n, billed, charge int64
		if err := rows.Scan(&traffic, &n, &billed, &charge); err != nil {
			return nil, err
		}
		if charge == 0 {
			continue
		}
		out = append(out, InvoiceLine{Kind: "usage", Description: fmt.Sprintf("%s calls, %s billed", calls.Traffic(traffic).Label(),
			minutes(billed)), Quantity: n, Unit: "calls", AmountMinor: toMinor(Micros(charge), currency)})
	}
	return out, rows.Err()
}

func minutes(seconds int64) string {
	return fmt.Sprintf("%d:%02d min", seconds/60, seconds%60)
}

// rentalLines are the packages and add-ons the company's sites and
// employees hold, priced for a month. The quantities are what they hold
// when the invoice is made (docs/billing.md says why).
func (s *Service) rentalLines(ctx context.Context, currency string, companyID int64) ([]InvoiceLine, error) {
	rows, err := s.db.Q(ctx).Query(ctx, `
		SELECT p.id, p.name, p.pkg_type, p.kind, h.term_id, COALESCE(t.name, ''), COUNT(*) FROM (
			SELECT package_id, term_id FROM employee_offerings WHERE company_id = ?
			UNION ALL SELECT a.package_id, o.term_id FROM employee_offering_addons a JOIN employee_offerings o ON o.account_id = a.account_id
				WHERE o.company_id = ?
			UNION ALL SELECT package_id, 0 FROM site_offerings WHERE company_id = ?
			UNION ALL SELECT a.package_id, 0 FROM site_offering_addons a JOIN site_offerings o ON o.site_id = a.site_id WHERE o.company_id = ?
		) h JOIN catalog_packages p ON p.id = h.package_id LEFT JOIN catalog_terms t ON t.id = h.term_id
		GROUP BY p.id, p.name, p.pkg_type, p.kind, h.term_id, t.name`, companyID, companyID, companyID, companyID)
	if err != nil {
		return nil, err
	}
	type held struct {
		packageID, termID, n  int64
		name, typ, kind, term string
	}
	var all []held
	for rows.Next() {
		var h held
		if err := rows.Scan(&h.packageID, &h.name, &h.typ, &h.kind, &h.termID, &h.term, &h.n); err != nil {
			rows.Close()
			return nil, err
		}
		all = append(all, h)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	prices, err := s.packagePrices(ctx, currency)
	if err != nil {
		return nil, err
	}
	var out []InvoiceLine
	for _, h := range all {
		price, ok := prices[priceKey{h.packageID, h.termID}]
		if !ok {
			price, ok = prices[priceKey{h.packageID, 0}]
		}
		if !ok || price == 0 {
			continue
		}
		what := "package"
		if h.typ == "add_on" {
			what = "add-on"
		}
		if h.term != "" {
			what += ", " + h.term + " term"
		}
		out = append(out, InvoiceLine{Kind: "rental", Description: fmt.Sprintf("%s (%s %s), monthly", h.name, h.kind, what),
			Quantity: h.n, Unit: "month", UnitPrice: price, AmountMinor: toMinor(price*Micros(h.n), currency)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Description < out[j].Description })
	return out, nil
}

const invoiceColumns = `id, company_id, customer_name, number, period_start, period_end, currency, usage_minor, rental_minor, subtotal_minor,
	tax_rate_bp, tax_minor, total_minor, created_at, created_by`

func scanInvoice(row interface{ Scan(...any) error }) (Invoice, error) {
	var inv Invoice
	var start, end, created int64
	err := row.Scan(&inv.ID, &inv.CompanyID, &inv.CustomerName, &inv.Number, &start, &end, &inv.Currency, &inv.UsageMinor, &inv.RentalMinor,
		&inv.SubtotalMinor, &inv.TaxRateBP, &inv.TaxMinor, &inv.TotalMinor, &created, &inv.CreatedBy)
	inv.PeriodStart, inv.PeriodEnd, inv.CreatedAt = time.UnixMilli(start).UTC(), time.UnixMilli(end).UTC(), time.UnixMilli(created).UTC()
	return inv, err
}

// InvoiceFor returns an invoice with its lines. Another provider's invoice
// is missing.
func (s *Service) InvoiceFor(ctx context.Context, actor access.Actor, id int64) (inv Invoice, err error) {
	defer derrors.Wrap(&err, "billing: invoice %d", id)
	if err := s.access.Check(ctx, actor, access.ManageBilling, access.Provider(actor.ProviderID)); err != nil {
		return Invoice{}, err
	}
	q := s.db.Q(ctx)
	inv, err = scanInvoice(q.QueryRow(ctx, "SELECT "+invoiceColumns+" FROM invoices WHERE id = ? AND provider_id = ?", id, actor.ProviderID))
	if errors.Is(err, sql.ErrNoRows) {
		return Invoice{}, derrors.ErrNotFound
	}
	if err != nil {
		return Invoice{}, err
	}
	rows, err := q.Query(ctx, "SELECT kind, description, quantity, unit, unit_price_micros, amount_minor FROM invoice_lines WHERE invoice_id = ? ORDER BY line_no", id)
	if err != nil {
		return Invoice{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var l InvoiceLine
		if err := rows.Scan(&l.Kind, &l.Description, &l.Quantity, &l.Unit, &l.UnitPrice, &l.AmountMinor); err != nil {
			return Invoice{}, err
		}
		inv.Lines = append(inv.Lines, l)
	}
	return inv, rows.Err()
}

// InvoiceFilter narrows the invoice list.
type InvoiceFilter struct {
	// CompanyID: one customer's invoices (0: every customer).
	CompanyID int64
	// After is the next value of the previous page ("" for the first);
	// Limit the page size.
	After string
	Limit int
}

// Invoices lists the provider's invoices, newest first, a page at a time
// (keyset on id), for a billing system to collect; next is the After of the
// following page ("" after the last).
func (s *Service) Invoices(ctx context.Context, actor access.Actor, f InvoiceFilter) (out []Invoice, next string, err error) {
	defer derrors.Wrap(&err, "billing: invoices")
	target := access.Provider(actor.ProviderID)
	if f.CompanyID != 0 {
		target = access.Company(f.CompanyID)
	}
	if err := s.access.Check(ctx, actor, access.ManageBilling, target); err != nil {
		return nil, "", err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	where := []string{"provider_id = ?"}
	args := []any{actor.ProviderID}
	if f.CompanyID != 0 {
		where, args = append(where, "company_id = ?"), append(args, f.CompanyID)
	}
	if f.After != "" {
		after, err := strconv.ParseInt(strings.TrimPrefix(f.After, "inv."), 10, 64)
		if err != nil || !strings.HasPrefix(f.After, "inv.") || after <= 0 {
			return nil, "", &store.CursorError{Reason: "not a cursor from this list; pass the next value of the previous page unchanged"}
		}
		where, args = append(where, "id < ?"), append(args, after)
	}
	args = append(args, f.Limit+1)
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+invoiceColumns+" FROM invoices WHERE "+strings.Join(where, " AND ")+" ORDER BY id DESC LIMIT ?", args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		inv, err := scanInvoice(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, inv)
	}
	if len(out) > f.Limit {
		out = out[:f.Limit]
		next = fmt.Sprintf("inv.%d", out[len(out)-1].ID)
	}
	return out, next, rows.Err()
}
