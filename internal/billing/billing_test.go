package billing_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// fsDoc is a mod_json_cdr document as FreeSWITCH writes it.
func fsDoc(uuid, caller, dest string, start time.Time, talk int) string {
	answer := "0"
	if talk > 0 {
		answer = fmt.Sprint(start.Add(2 * time.Second).UnixMicro())
	}
	end := start.Add(time.Duration(2+talk) * time.Second)
	return fmt.Sprintf(`{"variables":{"uuid":"%s","caller_id_number":"%s","destination_number":"%s",`+
		`"start_uepoch":"%d","answer_uepoch":"%s","end_uepoch":"%d","duration":"%d","billsec":"%d"}}`+"\n",
		uuid, strings.ReplaceAll(caller, "+", "%2B"), strings.ReplaceAll(dest, "+", "%2B"),
		start.UnixMicro(), answer, end.UnixMicro(), 2+talk, talk)
}

type rig struct {
	env *apptest.Env
	svc apptest.Service
	sw  calls.Switch
}

func newRig(t *testing.T, db *store.DB) rig {
	t.Helper()
	ctx := context.Background()
	env := apptest.New(t, db)
	env.AddCast(t)
	svc := env.SeedService(t)
	a, f := env.App, env.Fixture
	sw, _, err := a.Calls.CreateSwitch(ctx, env.Actor("operator"), calls.SwitchCreateRequest{Name: "fs1", Format: "freeswitch-json"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960001", numbering.Owner{Kind: numbering.OwnerUser, ID: env.ID("west.one")}); err != nil {
		t.Fatal(err)
	}
	if err := a.Calls.SyncAssignments(ctx, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	// West has held the number since long before last month's calls.
	if _, err := storetest.Exec(ctx, db, "UPDATE number_history SET valid_from = 0 WHERE number = '+441134960001'"); err != nil {
		t.Fatal(err)
	}
	return rig{env, svc, sw}
}

func (r rig) ingest(t *testing.T, docs ...string) calls.Report {
	t.Helper()
	rep, err := r.env.App.Calls.Ingest(context.Background(), r.sw, calls.SourceCommand, "test", "", strings.NewReader(strings.Join(docs, "")))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func balance(t *testing.T, db *store.DB, companyID int64) int64 {
	t.Helper()
	var b int64
	ctx := context.Background()
	if err := db.Q(ctx).QueryRow(ctx, "SELECT balance_minor FROM companies WHERE id = ?", companyID).Scan(&b); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRatingInvoicingAndSummaries rates calls of last month at ingest,
// moves the balance once even when the records are sent again, shows the
// month in the summary, and makes an invoice that is never made twice.
func TestRatingInvoicingAndSummaries(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRig(t, db)
		a, f, op := r.env.App, r.env.Fixture, r.env.Actor("operator")
		lastMonth, _ := billing.Month(time.Now().AddDate(0, -1, 0))
		for _, req := range []billing.RateRequest{
			{Traffic: "national", Currency: "GBP", PerMinute: 12_500, Minimum: 60, Increment: 60, Description: "UK landlines"},
			{Traffic: "mobile", Prefix: "+447", Currency: "GBP", PerMinute: 60_000, Increment: 1, Description: "UK mobiles"},
		} {
			req.ValidFrom = lastMonth
			if _, err := a.Billing.AddRate(ctx, op, req); err != nil {
				t.Fatal(err)
			}
		}
		at := lastMonth.Add(33 * time.Hour)
		docs := []string{
			fsDoc("mobile", "+441134960001", "07911123456", at, 61),                                         // 61 s at 6p/min, per second: 6.1p
			fsDoc("national", "+441134960001", "01614960000", at, 30),                                       // a minute minimum: 1.25p
			fsDoc("abroad", "+441134960001", "+33142685300", at, 100),                                       // no international rate: unrated
			fsDoc("missed", "+441134960001", "07911123457", at, 0),                                          // unanswered: free
			fsDoc("inbound", "+447911123458", "+441134960001", at, 300),                                     // inbound: free
			fsDoc("late", "+441134960001", "01614960001", lastMonth.AddDate(0, 1, 0).Add(-time.Minute), 59), // last minute of the month
		}
		before := balance(t, db, f.Acme.ID)
		if rep := r.ingest(t, docs...); rep.Accepted != len(docs) {
			t.Fatalf("report %+v", rep)
		}
		// 6.1p + 1.25p + 1.25p = 8.6p: eight pence off the balance, 0.6p carried.
		if got := balance(t, db, f.Acme.ID); got != before-8 {
			t.Errorf("balance %d → %d, want 8p less", before, got)
		}
		if rep := r.ingest(t, docs...); rep.Duplicates != len(docs) {
			t.Fatalf("resend report %+v", rep)
		}
		if got := balance(t, db, f.Acme.ID); got != before-8 {
			t.Errorf("a resend moved the balance again: %d", got)
		}
		sum, err := a.Billing.Summaries(ctx, op, billing.Monthly, lastMonth)
		if err != nil {
			t.Fatal(err)
		}
		if len(sum.Rows) != 1 || sum.Rows[0].CompanyID != f.Acme.ID {
			t.Fatalf("summary rows %+v", sum.Rows)
		}
		row := sum.Rows[0]
		if row.Calls != 6 || row.Answered != 5 || row.Inbound != 1 || row.ChargeMinor != 9 || row.Unrated != 1 {
			t.Errorf("summary %+v; want 6 calls, 5 answered, 1 inbound, 9p (8.6p rounded), 1 unrated", row)
		}

		// Rentals: Leeds has Site Essentials; West and Support have Standard,
		// West with Call Recording on a 12-month term priced on its own.
		pkgs, terms := r.svc.Packages, r.svc.Terms
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err = a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, pkgs["Site Essentials"].ID, nil)
		must(err)
		_, err = a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, r.env.ID("west.one"), pkgs["Standard"].ID, []int64{pkgs["Call Recording"].ID}, terms["12 months"].ID)
		must(err)
		_, err = a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, r.env.ID("support.one"), pkgs["Standard"].ID, nil, terms["Monthly"].ID)
		must(err)
		for _, p := range []billing.PackagePrice{
			{PackageID: pkgs["Site Essentials"].ID, Currency: "GBP", Monthly: 10_000_000},
			{PackageID: pkgs["Standard"].ID, Currency: "GBP", Monthly: 4_500_000},
			{PackageID: pkgs["Standard"].ID, TermID: terms["12 months"].ID, Currency: "GBP", Monthly: 3_995_000},
			{PackageID: pkgs["Call Recording"].ID, Currency: "GBP", Monthly: 1_500_000},
		} {
			must(a.Billing.SetPackagePrice(ctx, op, p))
		}
		if err := a.Billing.SetPackagePrice(ctx, r.env.Actor("other.operator"), billing.PackagePrice{PackageID: pkgs["Standard"].ID, Currency: "GBP", Monthly: 1}); err == nil {
			t.Error("another provider priced our package")
		}

		// Only the provider's operators invoice, and only their customers.
		counts := storetest.Counts(t, db)
		for _, user := range []string{"acme.admin", "acme.reseller", "other.operator", "west.one"} {
			if _, err := a.Billing.GenerateInvoices(ctx, r.env.Actor(user), []int64{f.Acme.ID}, lastMonth); err == nil {
				t.Errorf("%s generated Acme's invoice", user)
			}
		}
		if _, err := a.Billing.GenerateInvoices(ctx, op, []int64{f.Acme.ID}, time.Now()); !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("invoice of the month in progress: %v", err)
		}
		storetest.SameCounts(t, counts, storetest.Counts(t, db))

		invs, err := a.Billing.GenerateInvoices(ctx, op, []int64{f.Acme.ID}, lastMonth)
		if err != nil {
			t.Fatal(err)
		}
		inv, err := a.Billing.InvoiceFor(ctx, op, invs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		// Lines are rounded one by one: mobile 6.1p → 6p, national 2.5p → 3p.
		if inv.UsageMinor != 9 || inv.Number != "INV-000001" || inv.TaxRateBP != 2000 {
			t.Errorf("invoice %+v", inv)
		}
		// £10 + £4.50 + £3.995 (rounded to £4.00) + £1.50.
		if inv.RentalMinor != 2000 {
			t.Errorf("rentals %dp, want £20: %+v", inv.RentalMinor, inv.Lines)
		}
		if inv.TaxMinor != (inv.SubtotalMinor*2000+5000)/10000 || inv.TotalMinor != inv.SubtotalMinor+inv.TaxMinor {
			t.Errorf("totals %+v", inv)
		}
		var kinds []string
		for _, l := range inv.Lines {
			kinds = append(kinds, l.Kind+":"+l.Description)
		}
		if len(inv.Lines) < 2 || !strings.Contains(strings.Join(kinds, "|"), "usage:Mobile calls, 1:01 min billed") {
			t.Errorf("lines %v", kinds)
		}
		// Never twice, and a refusal changes nothing.
		counts = storetest.Counts(t, db)
		if _, err := a.Billing.GenerateInvoices(ctx, op, []int64{f.Globex.ID, f.Acme.ID}, lastMonth); !errors.Is(err, derrors.ErrConflict) ||
			!strings.Contains(err.Error(), inv.Number) {
			t.Errorf("second invoice: %v", err)
		}
		storetest.SameCounts(t, counts, storetest.Counts(t, db))
		if _, err := a.Billing.InvoiceFor(ctx, r.env.Actor("other.operator"), inv.ID); err == nil {
			t.Error("another provider's operator read the invoice")
		}
		var pdf bytes.Buffer
		if err := a.Billing.InvoicePDF(ctx, op, inv.ID, &pdf); err != nil {
			t.Fatal(err)
		}
		if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) || !bytes.Contains(pdf.Bytes(), []byte("%%EOF")) {
			t.Errorf("not a PDF: %.40q", pdf.String())
		}
		sum, _ = a.Billing.Summaries(ctx, op, billing.Monthly, lastMonth)
		if len(sum.Rows) != 1 || sum.Rows[0].Invoice != inv.Number {
			t.Errorf("the summary does not name the invoice: %+v", sum.Rows)
		}
	})
}

// TestRatePrice covers minimums, increments and setup fees.
func TestRatePrice(t *testing.T) {
	for _, c := range []struct {
		name    string
		rate    billing.Rate
		billsec int
		want    billing.Micros
		billed  int
	}{
		{"per second", billing.Rate{PerMinute: 60_000, Increment: 1}, 61, 61_000, 61},
		{"per minute rounds up", billing.Rate{PerMinute: 12_000, Increment: 60}, 61, 24_000, 120},
		{"minimum", billing.Rate{PerMinute: 12_000, Minimum: 60, Increment: 1}, 5, 12_000, 60},
		{"setup fee", billing.Rate{PerMinute: 60_000, Setup: 10_000, Increment: 1}, 30, 40_000, 30},
		{"unanswered is free", billing.Rate{PerMinute: 60_000, Setup: 10_000, Minimum: 60, Increment: 60}, 0, 0, 0},
		{"rounds half up to the micro", billing.Rate{PerMinute: 1, Increment: 1}, 30, 1, 30},
	} {
		got, billed := c.rate.Price(c.billsec)
		if got != c.want || billed != c.billed {
			t.Errorf("%s: %d micros for %d s, want %d for %d", c.name, got, billed, c.want, c.billed)
		}
	}
}

// TestRatesAreReplacedNotRewritten: a new price for the same destination
// ends the old one where it starts; a rate starting before the latest is a
// conflict; bad input says which field.
func TestRatesAreReplacedNotRewritten(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		env.AddCast(t)
		a, op := env.App, env.Actor("operator")
		jan := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		if _, err := a.Billing.AddRate(ctx, op, billing.RateRequest{Traffic: "Mobile", Currency: "gbp", PerMinute: 60_000, ValidFrom: jan}); err != nil {
			t.Fatal(err)
		}
		feb := jan.AddDate(0, 1, 0)
		if _, err := a.Billing.AddRate(ctx, op, billing.RateRequest{Traffic: "mobile", Currency: "GBP", PerMinute: 50_000, ValidFrom: feb}); err != nil {
			t.Fatal(err)
		}
		rates, err := a.Billing.Rates(ctx, op)
		if err != nil || len(rates) != 2 || !rates[0].ValidTo.Equal(feb) || !rates[1].ValidTo.IsZero() {
			t.Fatalf("rates %+v, %v", rates, err)
		}
		counts := storetest.Counts(t, db)
		if _, err := a.Billing.AddRate(ctx, op, billing.RateRequest{Traffic: "mobile", Currency: "GBP", PerMinute: 1, ValidFrom: jan}); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("a rate before the latest: %v", err)
		}
		for _, c := range []struct {
			req   billing.RateRequest
			field string
		}{
			{billing.RateRequest{Traffic: "local", Currency: "GBP"}, "traffic"},
			{billing.RateRequest{Traffic: "mobile", Currency: "pounds"}, "currency"},
			{billing.RateRequest{Traffic: "mobile", Currency: "GBP", Prefix: "44a"}, "prefix"},
			{billing.RateRequest{Traffic: "mobile", Currency: "GBP", PerMinute: -1}, "per_minute_micros"},
			{billing.RateRequest{Traffic: "mobile", Currency: "GBP", Increment: -5}, "increment_seconds"},
			{billing.RateRequest{Traffic: "mobile", Currency: "GBP", Description: "a\x00b"}, "description"},
		} {
			_, err := a.Billing.AddRate(ctx, op, c.req)
			var v *derrors.ValidationError
			if !errors.As(err, &v) || !strings.Contains(err.Error(), c.field) {
				t.Errorf("%+v: %v, want a problem with %s", c.req, err, c.field)
			}
		}
		for _, user := range []string{"acme.admin", "acme.reseller", "west.one"} {
			if _, err := a.Billing.AddRate(ctx, env.Actor(user), billing.RateRequest{Traffic: "mobile", Currency: "GBP"}); err == nil {
				t.Errorf("%s added a rate", user)
			}
		}
		storetest.SameCounts(t, counts, storetest.Counts(t, db))
		// Another provider's table is its own.
		theirs, err := a.Billing.Rates(ctx, env.Actor("other.operator"))
		if err != nil || len(theirs) != 0 {
			t.Errorf("the other provider sees %d rates, %v", len(theirs), err)
		}
		if err := a.Billing.EndRate(ctx, env.Actor("other.operator"), rates[1].ID, time.Time{}); !derrors.IsNotFound(err) {
			t.Errorf("the other provider ended our rate: %v", err)
		}
	})
}

func TestFormatMoney(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{billing.FormatMinor(1234, "GBP"), "GBP 12.34"},
		{billing.FormatMinor(-5, "GBP"), "GBP -0.05"},
		{billing.FormatMinor(1200, "JPY"), "JPY 1200"},
		{billing.FormatMicros(12_500, "GBP"), "GBP 0.0125"},
		{billing.FormatMicros(4_500_000, "GBP"), "GBP 4.50"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
