package ui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserSearchByMAC drives the Search Tool's "MAC Address" search in
// headless Chromium as a company administrator: a MAC typed in lower case
// with colons finds Wendy West's phone (company, site, user) and "view"
// opens her Service Settings; a spare phone shows user "none"; another
// company's phone is "No device found", like an unknown MAC. At desktop
// and phone widths.
func TestBrowserSearchByMAC(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	a, f := env.App, env.Fixture
	west := env.ID("west.one")
	ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Polycom", Model: "VVX 411"})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range []struct {
		company, site int64
		mac           string
		user          int64
	}{
		{f.Acme.ID, f.Leeds.ID, "0004F2A10001", west},
		{f.Acme.ID, f.London.ID, "0004F2A10002", 0},
		{f.Globex.ID, f.Reading.ID, "0004F2A10003", 0},
	} {
		dev, err := a.Devices.Create(ctx, f.Provider.ID, d.company, devices.DeviceCreateRequest{SiteID: d.site, TypeID: ty.ID, MAC: d.mac})
		if err != nil {
			t.Fatal(err)
		}
		if d.user != 0 {
			if err := a.Devices.AssignPrimary(ctx, d.company, d.site, dev.ID, d.user); err != nil {
				t.Fatal(err)
			}
		}
	}
	base := env.Server.URL
	bctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	b := tab{t: t, ctx: bctx, base: base, shots: shots}
	b.do("desktop width", chromedp.EmulateViewport(1366, 900))
	b.do("login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
	)
	b.do("search tool",
		chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Search Tool"]`),
		chromedp.WaitVisible(chromedp.CSS(`#st-by`)),
		chromedp.SetValue(chromedp.CSS(`#st-by`), "mac"),
	)
	// The select's change event shows the MAC field (static/search.js).
	if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById('st-by').dispatchEvent(new Event('change'))`)); err != nil {
		t.Fatal(err)
	}
	b.do("MAC field shown", chromedp.WaitVisible(chromedp.CSS(`#st-mac`)))
	if vis, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById('st-number').offsetParent === null`)); err != nil || !vis {
		t.Errorf("the phone number field should be hidden when searching by MAC (%v)", err)
	}
	b.do("search lower case with colons",
		chromedp.SendKeys(chromedp.CSS(`#st-mac`), "00:04:f2:a1:00:01"),
		chromedp.Click(chromedp.CSS(`.search-tool button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#search-result table`)),
	)
	got := b.text(chromedp.CSS(`#search-result`))
	for _, want := range []string{"0004F2A10001", "Acme Ltd", "Leeds", "Wendy West", "view"} {
		if !strings.Contains(got, want) {
			t.Errorf("result lacks %q: %q", want, got)
		}
	}
	b.shot("provperf-search-mac-desktop.png")
	b.do("view",
		chromedp.Click(`//section[@id="search-result"]//a[normalize-space()="view"]`),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
	)
	if loc, want := b.location(), "/employees/"+strconv.FormatInt(west, 10)+"/service"; loc != want {
		t.Fatalf("view landed on %s, want %s", loc, want)
	}

	b.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	b.do("spare phone", chromedp.Navigate(base+"/search-tool?search=1&by=mac&mac=0004-f2a1-0002"), chromedp.WaitVisible(chromedp.CSS(`#search-result table`)))
	if got := b.text(chromedp.CSS(`#search-result td[data-label="User"]`)); got != "none" {
		t.Errorf("spare phone's user: %q, want none", got)
	}
	if got := b.text(chromedp.CSS(`#search-result`)); !strings.Contains(got, "London") {
		t.Errorf("spare phone: %q", got)
	}
	b.shot("provperf-search-mac-phone.png")
	b.do("another company's phone", chromedp.Navigate(base+"/search-tool?search=1&by=mac&mac=0004F2A10003"), chromedp.WaitVisible(chromedp.CSS(`#search-result .notice`)))
	other := b.text(chromedp.CSS(`#search-result .notice`))
	b.do("unknown MAC", chromedp.Navigate(base+"/search-tool?search=1&by=mac&mac=0004F2A10009"), chromedp.WaitVisible(chromedp.CSS(`#search-result .notice`)))
	unknown := b.text(chromedp.CSS(`#search-result .notice`))
	if other != "No device found with MAC 0004F2A10003." || unknown != "No device found with MAC 0004F2A10009." {
		t.Errorf("another company's phone %q, unknown MAC %q: both must be \"No device found\"", other, unknown)
	}
	b.do("not a MAC", chromedp.Navigate(base+"/search-tool?search=1&by=mac&mac=hello"), chromedp.WaitVisible(chromedp.CSS(`#st-mac-err`)))
	if got := b.text(chromedp.CSS(`#st-mac-err`)); !strings.Contains(got, "12 hexadecimal digits") {
		t.Errorf("error for a non-MAC: %q", got)
	}
	b.shot("provperf-search-mac-error-phone.png")
}
