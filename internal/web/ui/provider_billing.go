package ui

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The control panel's billing pages (docs/billing.md):
//
//	GET  /billing/summaries?period=live|daily|monthly&date=&month=   Summary, with Generate Invoice on a month
//	GET  /billing/summaries.csv?…                                    the same summary as CSV
//	POST /billing/invoices                                           Generate Invoice for the ticked customers
//	GET  /billing/invoices                                           the invoices, newest first
//	GET  /billing/invoices/{id}                                      one invoice; /pdf downloads it
//	GET  /billing/rates                                              the rate table, tax and invoice settings
//	POST /billing/rates, /billing/rates/{id}/end, /billing/settings
func init() {
	pageNames = append(pageNames, "billing_summary", "billing_invoices", "billing_invoice", "billing_rates")
	for k, v := range map[string]string{
		"invoices-made": "The invoices have been generated. They never change: a billing system can collect them now.",
		"rate-added":    "The rate has been added. Calls from its start are priced with it.",
		"rate-ended":    "The rate has been ended.",
		"billing-saved": "The invoicing settings have been saved. Invoices made from now on use them.",
		"price-saved":   "The rental price has been saved.",
	} {
		flashes[k] = v
	}
}

func (p *Pages) registerBilling(auth func(string, handlerFunc)) {
	auth("GET /billing/summaries", p.billingSummary)
	auth("GET /billing/summaries.csv", p.billingSummaryCSV)
	auth("POST /billing/invoices", p.billingGenerate)
	auth("GET /billing/invoices", p.billingInvoices)
	auth("GET /billing/invoices/{id}", p.billingInvoice)
	auth("GET /billing/invoices/{id}/pdf", p.billingInvoicePDF)
	auth("GET /billing/rates", p.billingRates)
	auth("POST /billing/rates", p.billingRateAdd)
	auth("POST /billing/rates/{id}/end", p.billingRateEnd)
	auth("POST /billing/settings", p.billingSettingsSave)
	auth("POST /billing/package-prices", p.billingPriceSave)
}

type periodTab struct {
	Label, URL string
	Current    bool
}

type summaryPage struct {
	S       billing.Summary
	Tabs    []periodTab
	Date    string // the daily summary's day, YYYY-MM-DD
	Month   string // the monthly summary's month, YYYY-MM
	CanBill bool   // the month is over: Generate Invoice is offered
	CSV     string
	Form    *form
}

// summaryQuery reads period, date and month from the query.
func summaryQuery(r *http.Request) (billing.Period, time.Time, string, string, error) {
	q := r.URL.Query()
	period := billing.Period(q.Get("period"))
	if period == "" {
		period = billing.Live
	}
	now := time.Now().UTC()
	at := now
	date, month := q.Get("date"), q.Get("month")
	switch period {
	case billing.Daily:
		if date == "" {
			date = now.Format("2006-01-02")
		}
		t, err := time.Parse("2006-01-02", date)
		if err != nil {
			return "", at, "", "", derrors.Invalid("date", "choose a day, written like 2026-11-30")
		}
		at = t
	case billing.Monthly:
		if month == "" {
			month = now.Format("2006-01")
		}
		t, err := time.Parse("2006-01", month)
		if err != nil {
			return "", at, "", "", derrors.Invalid("month", "choose a month, written like 2026-11")
		}
		at = t
	}
	if date == "" {
		date = now.Format("2006-01-02")
	}
	if month == "" {
		month = now.Format("2006-01")
	}
	return period, at, date, month, nil
}

func (p *Pages) billingSummary(w http.ResponseWriter, r *http.Request) error {
	return p.renderSummary(w, r, http.StatusOK, newForm(nil))
}

func (p *Pages) renderSummary(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	period, at, date, month, err := summaryQuery(r)
	if err != nil {
		return err
	}
	s, err := p.app.Billing.Summaries(r.Context(), actorOf(r), period, at)
	if err != nil {
		return err
	}
	v, err := p.newView(r, 0, "customers", "Summary")
	if err != nil {
		return err
	}
	providerSide(v, "summaries")
	page := summaryPage{S: s, Date: date, Month: month, Form: f, CanBill: period == billing.Monthly && !s.End.After(time.Now())}
	for _, t := range []struct {
		p     billing.Period
		label string
	}{{billing.Live, "Live"}, {billing.Daily, "Daily"}, {billing.Monthly, "Monthly"}} {
		page.Tabs = append(page.Tabs, periodTab{Label: t.label, URL: "/billing/summaries?period=" + string(t.p), Current: t.p == period})
	}
	page.CSV = "/billing/summaries.csv?" + r.URL.RawQuery
	v.Data = page
	p.render(w, r, status, "billing_summary", v)
	return nil
}

// billingSummaryCSV is the whole summary as a CSV file (the page's Export
// works on the selected cells; this is the same without a script).
func (p *Pages) billingSummaryCSV(w http.ResponseWriter, r *http.Request) error {
	period, at, _, _, err := summaryQuery(r)
	if err != nil {
		return err
	}
	s, err := p.app.Billing.Summaries(r.Context(), actorOf(r), period, at)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"Customer", "Calls", "Answered", "Outbound", "Inbound", "Talk time (s)", "Average (s)", "Charge", "Unrated",
		"Balance", "Debit limit", "Currency", "Invoice"})
	minor := func(n int64, cur string) string { return strings.TrimPrefix(billing.FormatMinor(n, cur), cur+" ") }
	for _, row := range s.Rows {
		_ = cw.Write([]string{csvSafe(row.Customer), itoa64(row.Calls), itoa64(row.Answered), itoa64(row.Outbound), itoa64(row.Inbound),
			itoa64(row.Seconds), itoa64(row.AverageSeconds), minor(row.ChargeMinor, row.Currency), itoa64(row.Unrated),
			minor(row.BalanceMinor, row.Currency), minor(row.DebitLimitMinor, row.Currency), row.Currency, row.Invoice})
	}
	cw.Flush()
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"summary-%s-%s.csv\"", s.Period, s.Start.Format("2006-01-02")))
	_, err = w.Write(buf.Bytes())
	return err
}

// csvSafe keeps a spreadsheet from reading a customer's name as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// billingGenerate is Generate Invoice for the rows ticked on a monthly
// summary (billing.GenerateInvoices: all or nothing).
func (p *Pages) billingGenerate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	var ids []int64
	for _, s := range r.PostForm["company_id"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return derrors.Invalid("company_ids", "the ticked customers could not be read")
		}
		ids = append(ids, id)
	}
	month, err := time.Parse("2006-01", f.V("month"))
	if err != nil {
		return derrors.Invalid("month", "choose a month, written like 2026-11")
	}
	_, err = p.app.Billing.GenerateInvoices(r.Context(), actorOf(r), ids, month)
	if err == nil {
		redirectFlash(w, r, "/billing/invoices", "invoices-made")
		return nil
	}
	if !f.addErr(err) {
		return err
	}
	r.URL.RawQuery = "period=monthly&month=" + month.Format("2006-01")
	return p.renderSummary(w, r, http.StatusUnprocessableEntity, f)
}

type invoicesPage struct {
	Invoices []billing.Invoice
	Next     string
}

func (p *Pages) billingInvoices(w http.ResponseWriter, r *http.Request) error {
	invs, next, err := p.app.Billing.Invoices(r.Context(), actorOf(r), billing.InvoiceFilter{After: r.URL.Query().Get("after"), Limit: 50})
	if err != nil {
		return err
	}
	v, err := p.newView(r, 0, "customers", "Invoices")
	if err != nil {
		return err
	}
	providerSide(v, "invoices")
	v.Data = invoicesPage{Invoices: invs, Next: next}
	p.render(w, r, http.StatusOK, "billing_invoices", v)
	return nil
}

func (p *Pages) billingInvoice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	inv, err := p.app.Billing.InvoiceFor(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	v, err := p.newView(r, 0, "customers", "Invoice "+inv.Number)
	if err != nil {
		return err
	}
	providerSide(v, "invoices")
	v.Data = inv
	p.render(w, r, http.StatusOK, "billing_invoice", v)
	return nil
}

func (p *Pages) billingInvoicePDF(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := p.app.Billing.InvoicePDF(r.Context(), actorOf(r), id, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=\"invoice-%d.pdf\"", id))
	_, err = w.Write(buf.Bytes())
	return err
}

type ratesPage struct {
	Rates     []billing.Rate
	Traffic   []calls.Traffic
	Settings  billing.Settings
	Prices    []priceRow
	Packages  []packageOpt
	Form      *form
	SetForm   *form
	PriceForm *form
}

type priceRow struct {
	Package, Term, Price string
}

type packageOpt struct {
	ID    int64
	Label string
}

var rateFields = []string{"traffic", "prefix", "currency", "description", "per_minute", "setup", "minimum_seconds", "increment_seconds", "valid_from"}

func (p *Pages) billingRates(w http.ResponseWriter, r *http.Request) error {
	return p.renderRates(w, r, http.StatusOK, newForm(nil), nil, nil)
}

func (p *Pages) renderRates(w http.ResponseWriter, r *http.Request, status int, f, sf, pf *form) error {
	ctx, a := r.Context(), actorOf(r)
	rates, err := p.app.Billing.Rates(ctx, a)
	if err != nil {
		return err
	}
	settings, err := p.app.Billing.SettingsFor(ctx, a)
	if err != nil {
		return err
	}
	prices, err := p.app.Billing.PackagePrices(ctx, a)
	if err != nil {
		return err
	}
	pkgs, err := p.app.Catalog.CatalogPackages(ctx, a, catalog.PackageFilter{})
	if err != nil {
		return err
	}
	terms, err := p.app.Catalog.CatalogTerms(ctx, a)
	if err != nil {
		return err
	}
	v, err := p.newView(r, 0, "customers", "Rates")
	if err != nil {
		return err
	}
	providerSide(v, "rates")
	if sf == nil {
		sf = newForm(map[string][]string{"tax_rate": {fmt.Sprintf("%d.%02d", settings.TaxRateBP/100, settings.TaxRateBP%100)},
			"invoice_prefix": {settings.InvoicePrefix}})
	}
	if pf == nil {
		pf = newForm(map[string][]string{"currency": {"GBP"}})
	}
	if f.V("currency") == "" {
		f.Values.Set("currency", "GBP")
	}
	page := ratesPage{Rates: rates, Traffic: calls.Traffics, Settings: settings, Form: f, SetForm: sf, PriceForm: pf}
	names := map[int64]string{}
	for _, pk := range pkgs {
		names[pk.ID] = pk.Name
		page.Packages = append(page.Packages, packageOpt{ID: pk.ID, Label: fmt.Sprintf("%s (%s %s)", pk.Name, pk.Kind, strings.ReplaceAll(string(pk.Type), "_", "-"))})
	}
	termNames := map[int64]string{0: "Any term"}
	for _, t := range terms {
		termNames[t.ID] = t.Name
	}
	for _, pr := range prices {
		page.Prices = append(page.Prices, priceRow{Package: names[pr.PackageID], Term: termNames[pr.TermID], Price: billing.FormatMicros(pr.Monthly, pr.Currency)})
	}
	v.Data = page
	p.render(w, r, status, "billing_rates", v)
	return nil
}

// parseMicros reads a price typed in units ("0.0125", "4.50") as micros.
func parseMicros(s string) (int64, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, true
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, _ := strings.Cut(s, ".")
	if whole == "" {
		whole = "0"
	}
	if len(frac) > 6 || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(whole) > 9 {
		return 0, false
	}
	frac += strings.Repeat("0", 6-len(frac))
	w, _ := strconv.ParseInt(whole, 10, 64)
	fr, _ := strconv.ParseInt(frac, 10, 64)
	n := w*billing.MicrosPerUnit + fr
	if neg {
		n = -n
	}
	return n, true
}

// billingRateAdd mirrors POST /api/v1/billing/rates, with prices typed in
// units rather than micros.
func (p *Pages) billingRateAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	req := billing.RateRequest{Traffic: f.V("traffic"), Prefix: f.V("prefix"), Currency: f.V("currency"), Description: f.V("description")}
	var ok bool
	if req.PerMinute, ok = parseMicros(f.V("per_minute")); !ok {
		f.add("per_minute", "Enter the price per minute in the currency's units, up to six decimals, e.g. 0.0125.")
	}
	if req.Setup, ok = parseMicros(f.V("setup")); !ok {
		f.add("setup", "Enter the setup fee in the currency's units, e.g. 0.05, or leave it empty.")
	}
	for _, n := range []struct {
		name string
		into *int
	}{{"minimum_seconds", &req.Minimum}, {"increment_seconds", &req.Increment}} {
		if s := strings.TrimSpace(f.V(n.name)); s != "" {
			x, err := strconv.Atoi(s)
			if err != nil {
				f.add(n.name, "Enter a whole number of seconds.")
			}
			*n.into = x
		}
	}
	if s := strings.TrimSpace(f.V("valid_from")); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			f.add("valid_from", "Choose the day the rate starts (UTC), or leave it empty for now.")
		}
		req.ValidFrom = t
	}
	if !f.Invalid() {
		// The API's field names are the form's but for the prices.
		_, err := p.app.Billing.AddRate(r.Context(), actorOf(r), req)
		if err == nil {
			redirectFlash(w, r, "/billing/rates", "rate-added")
			return nil
		}
		err = renameField(err, map[string]string{"per_minute_micros": "per_minute", "setup_micros": "setup"})
		if !f.addErr(err, rateFields...) {
			return err
		}
	}
	return p.renderRates(w, r, http.StatusUnprocessableEntity, f, nil, nil)
}

// renameField maps a validation error's field names to a form's.
func renameField(err error, names map[string]string) error {
	v, ok := err.(*derrors.ValidationError)
	if !ok {
		return err
	}
	out := &derrors.ValidationError{}
	for _, fe := range v.Fields {
		name := fe.Field
		if n, ok := names[name]; ok {
			name = n
		}
		out.Add(name, "%s", fe.Message)
	}
	return out.Err()
}

func (p *Pages) billingRateEnd(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.app.Billing.EndRate(r.Context(), actorOf(r), id, time.Time{}); err != nil {
		return err
	}
	redirectFlash(w, r, "/billing/rates", "rate-ended")
	return nil
}

func (p *Pages) billingSettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	in := billing.Settings{InvoicePrefix: f.V("invoice_prefix")}
	rate, ok := parseMicros(f.V("tax_rate"))
	if !ok || rate%10_000 != 0 {
		f.add("tax_rate", "Enter the tax rate in per cent with up to two decimals, e.g. 20 or 17.5.")
	}
	in.TaxRateBP = int(rate / 10_000)
	if !f.Invalid() {
		_, err := p.app.Billing.ChangeSettings(r.Context(), actorOf(r), in)
		if err == nil {
			redirectFlash(w, r, "/billing/rates", "billing-saved")
			return nil
		}
		if !f.addErr(renameField(err, map[string]string{"tax_rate_bp": "tax_rate"}), "tax_rate", "invoice_prefix") {
			return err
		}
	}
	return p.renderRates(w, r, http.StatusUnprocessableEntity, newForm(nil), f, nil)
}

func (p *Pages) billingPriceSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	pkg, _ := strconv.ParseInt(f.V("package_id"), 10, 64)
	term, _ := strconv.ParseInt(f.V("term_id"), 10, 64)
	price, ok := parseMicros(f.V("monthly"))
	if !ok || strings.TrimSpace(f.V("monthly")) == "" {
		f.add("monthly", "Enter the monthly price in the currency's units, e.g. 4.50 (0 makes it free).")
	}
	if !f.Invalid() {
		err := p.app.Billing.SetPackagePrice(r.Context(), actorOf(r), billing.PackagePrice{PackageID: pkg, TermID: term, Currency: f.V("currency"), Monthly: billing.Micros(price)})
		if err == nil {
			redirectFlash(w, r, "/billing/rates", "price-saved")
			return nil
		}
		if !f.addErr(renameField(err, map[string]string{"monthly_micros": "monthly"}), "package_id", "term_id", "currency", "monthly") {
			return err
		}
	}
	return p.renderRates(w, r, http.StatusUnprocessableEntity, newForm(nil), nil, f)
}
