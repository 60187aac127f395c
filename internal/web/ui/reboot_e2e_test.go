package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserRebootOnAPhone: on a phone-sized screen a group administrator
// reboots a device type from the site's Devices page, lands on its Reboot
// Status, refreshes it once the job ended, and clears the job; no page
// scrolls sideways.
func TestBrowserRebootOnAPhone(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	a, f := env.App, env.Fixture
	ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Reboot", Model: "Phone"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: ty.ID, MAC: "00:15:65:00:08:01", Label: "Reception desk"}); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL
	c, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	b := tab{t: t, ctx: c, base: base, shots: shots}
	b.do("login",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "leeds.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)),
	)
	narrow := func(what string) {
		t.Helper()
		if wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
			t.Errorf("%s scrolls sideways on a phone (%v)", what, err)
		}
	}
	b.do("devices", chromedp.Navigate(base+"/sites/"+id(f.Leeds.ID)+"/devices"), chromedp.WaitVisible(`//h2[normalize-space()="Bulk Reboot"]`))
	narrow("the Devices page")
	b.do("bulk reboot", chromedp.Click(`//td[normalize-space()="Reboot Phone"]/following-sibling::td//button`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(chromedp.CSS(`main table`)); !strings.Contains(got, "Reception desk") || !strings.Contains(got, "Not Started") {
		t.Errorf("reboot status: %q", got)
	}
	narrow("Reboot Status")
	if _, err := a.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	b.do("refresh", chromedp.Click(`//a[normalize-space()="Refresh"]`), chromedp.WaitVisible(`//button[normalize-space()="Clear Job"]`))
	if got := b.text(chromedp.CSS(`main table`)); !strings.Contains(got, "Device not registered") {
		t.Errorf("reboot status after the job: %q", got)
	}
	b.shot("reboot-status-phone.png")
	b.do("clear job", chromedp.Click(`//button[normalize-space()="Clear Job"]`), chromedp.WaitVisible(`//h2[normalize-space()="Bulk Reboot"]`))
	if got := b.text(chromedp.CSS(`.flash`)); !strings.Contains(got, "cleared") {
		t.Errorf("after Clear Job: %q", got)
	}
}
