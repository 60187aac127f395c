package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// fsCall is a mod_json_cdr document of an answered call of talk seconds.
func fsCall(uuid, caller, dest string, start time.Time, talk int) string {
	return fmt.Sprintf(`{"variables":{"uuid":"%s","caller_id_number":"%s","destination_number":"%s",`+
		`"start_uepoch":"%d","answer_uepoch":"%d","end_uepoch":"%d","duration":"%d","billsec":"%d"}}`+"\n",
		uuid, strings.ReplaceAll(caller, "+", "%2B"), dest, start.UnixMicro(), start.Add(2*time.Second).UnixMicro(),
		start.Add(time.Duration(2+talk)*time.Second).UnixMicro(), 2+talk, talk)
}

// TestBrowserSummaryAndGenerateInvoice: the operator opens last month's
// Summary, selects the Calls of two customers and reads their sum and
// average, ticks one customer and generates its invoice, opens it, and adds
// a rate with a price typed in pounds. At desktop and phone widths.
func TestBrowserSummaryAndGenerateInvoice(t *testing.T) {
	actx, shots := launch(t)
	db := storetest.SQLite(t)
	env := apptest.New(t, db)
	env.AddCast(t)
	seedService(t, env)
	ctx := context.Background()
	a, f, op := env.App, env.Fixture, env.Actor("operator")
	sw, _, err := a.Calls.CreateSwitch(ctx, op, calls.SwitchCreateRequest{Name: "fs1", Format: "freeswitch-json"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Numbering.AddRange(ctx, f.Globex.ID, f.Reading.ID, numbering.RangeRequest{Start: "+441184960000", End: "+441184960009"}); err != nil {
		t.Fatal(err)
	}
	for _, x := range []struct {
		company int64
		number  string
		user    string
	}{{f.Acme.ID, "+441134960001", "west.one"}, {f.Globex.ID, "+441184960001", "globex.one"}} {
		if _, err := a.Numbering.Assign(ctx, x.company, x.number, numbering.Owner{Kind: numbering.OwnerUser, ID: env.ID(x.user)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Calls.SyncAssignments(ctx, 0, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := storetest.Exec(ctx, db, "UPDATE number_history SET valid_from = 0"); err != nil {
		t.Fatal(err)
	}
	lastMonth, _ := billing.Month(time.Now().AddDate(0, -1, 0))
	if _, err := a.Billing.AddRate(ctx, op, billing.RateRequest{Traffic: "mobile", Currency: "GBP", PerMinute: 60_000, Increment: 1, ValidFrom: lastMonth}); err != nil {
		t.Fatal(err)
	}
	at := lastMonth.Add(50 * time.Hour)
	var docs []string
	for i := 0; i < 3; i++ {
		docs = append(docs, fsCall(fmt.Sprintf("acme-%d", i), "+441134960001", "07911123456", at.Add(time.Duration(i)*time.Hour), 60))
	}
	docs = append(docs, fsCall("globex-0", "+441184960001", "07911123457", at, 120))
	if rep, err := a.Calls.Ingest(ctx, sw, calls.SourceCommand, "test", "", strings.NewReader(strings.Join(docs, ""))); err != nil || rep.Accepted != 4 {
		t.Fatalf("ingest %+v, %v", rep, err)
	}
	month := lastMonth.Format("2006-01")

	base := env.Server.URL
	root, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	c, cancelTab := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	defer cancelTab()
	b := tab{t: t, ctx: c, base: base, shots: shots}
	b.do("login", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "operator"), chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)), chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)))
	b.do("summary", chromedp.Click(`//nav//a[normalize-space()="Summary"]`), chromedp.WaitVisible(chromedp.CSS(`.period-tabs`)),
		chromedp.Click(`//nav[@class="period-tabs"]//a[normalize-space()="Monthly"]`), chromedp.WaitVisible(chromedp.CSS(`#f-month`)))
	b.do("last month", chromedp.SetValue(chromedp.CSS(`#f-month`), month), chromedp.Click(`//form[contains(@class, "toolbar")]//button`),
		chromedp.WaitVisible(`//table[@id="summary"]//td[@data-label="Customer" and contains(., "Globex")]`))
	if got := b.text(chromedp.CSS(`#summary tbody`)); !strings.Contains(got, "Acme") || !strings.Contains(got, "GBP 0.18") {
		t.Errorf("summary rows: %q (want Acme with 3 minutes at 6p)", got)
	}
	// Calls of both customers: 3 and 1, sum 4, average 2.
	b.do("select", chromedp.Click(`//tr[td[contains(., "Acme")]]/td[@data-label="Calls"]`),
		chromedp.Focus(`//tr[td[contains(., "Globex")]]/td[@data-label="Calls"]`), chromedp.KeyEvent(" "),
		chromedp.WaitVisible(chromedp.CSS(`#selection-bar`)))
	if got := b.text(chromedp.CSS(`#selection-status`)); !strings.Contains(got, "Sum 4") || !strings.Contains(got, "Average 2.00") {
		t.Errorf("selection status %q, want the sum 4 and average 2.00 of the Calls column", got)
	}
	b.shot("billing-summary-desktop.png")
	b.do("generate", chromedp.Click(`//tr[td[contains(., "Acme")]]//input[@name="company_id"]`), chromedp.Click(chromedp.CSS(`#generate-invoice`)),
		chromedp.WaitVisible(chromedp.CSS(`#invoices`)))
	if got := b.text(chromedp.CSS(`#invoices tbody`)); !strings.Contains(got, "INV-000001") || !strings.Contains(got, "Acme") || strings.Contains(got, "Globex") {
		t.Errorf("invoices: %q, want Acme's INV-000001 only", got)
	}
	b.do("open invoice", chromedp.Click(`//a[normalize-space()="INV-000001"]`), chromedp.WaitVisible(chromedp.CSS(`#invoice-lines`)))
	// Three minutes at 6p a minute, and 20 % tax.
	if got := b.text(chromedp.CSS(`main`)); !strings.Contains(got, "Mobile calls") || !strings.Contains(got, "GBP 0.18") || !strings.Contains(got, "GBP 0.22") {
		t.Errorf("invoice page: %q", got)
	}
	b.shot("billing-invoice-desktop.png")
	// Generating it again from the summary is refused with the reason.
	b.do("again", chromedp.Navigate(base+"/billing/summaries?period=monthly&month="+month), chromedp.WaitVisible(chromedp.CSS(`#summary`)))
	if got := b.text(`//tr[td[contains(., "Acme")]]/td[@data-label="Invoice"]`); got != "INV-000001" {
		t.Errorf("the summary names the invoice %q", got)
	}
	b.do("rates", chromedp.Navigate(base+"/billing/rates"), chromedp.WaitVisible(chromedp.CSS(`#rate-add`)),
		chromedp.SetValue(chromedp.CSS(`#f-traffic`), "national"), chromedp.SendKeys(chromedp.CSS(`#f-per-minute`), "0.0125"),
		chromedp.SendKeys(chromedp.CSS(`#f-minimum-seconds`), "60"), chromedp.SendKeys(chromedp.CSS(`#f-increment-seconds`), "60"),
		chromedp.Click(`//form[@id="rate-add"]//button[@type="submit"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(chromedp.CSS(`#rates tbody`)); !strings.Contains(got, "GBP 0.0125") || !strings.Contains(got, "National") {
		t.Errorf("rates: %q", got)
	}
	b.do("bad price", chromedp.SendKeys(chromedp.CSS(`#f-per-minute`), "1p"), chromedp.Click(`//form[@id="rate-add"]//button[@type="submit"]`),
		chromedp.WaitVisible(chromedp.CSS(`#f-per-minute-err`)))
	// The phone: no sideways scrolling on the summary and the invoice.
	for _, page := range []string{"/billing/summaries?period=monthly&month=" + month, "/billing/invoices/1", "/billing/rates"} {
		b.do("phone "+page, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Navigate(base+page), chromedp.WaitVisible(chromedp.CSS(`main h1`)))
		if wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
			t.Errorf("%s scrolls sideways on a phone (%v)", page, err)
		}
	}
	b.shot("billing-rates-phone.png")
	b.do("phone summary", chromedp.Navigate(base+"/billing/summaries?period=monthly&month="+month), chromedp.WaitVisible(chromedp.CSS(`#summary`)))
	if shown, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.getElementById('selection-bar').offsetParent !== null`)); err != nil || shown {
		t.Errorf("the selection bar shows with nothing selected (%v)", err)
	}
	b.shot("billing-summary-phone.png")
}
