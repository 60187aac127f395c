package ui_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// shotsTmp saves the page at desktop and phone widths to the test's
// screenshot directory and, for a person to look at, /tmp/sca-<name>-<width>.png.
func (b tab) shotsTmp(name string) {
	b.t.Helper()
	for _, w := range widths {
		b.do(w.name+" width", w.set)
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		file := "sca-" + name + "-" + w.name + ".png"
		b.save(file, png)
		if err := os.WriteFile(filepath.Join(os.TempDir(), file), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("desktop width", widths[0].set)
}

// TestBrowserSharedAppearance drives the employee's Devices tab in headless
// Chromium as a company administrator: Wendy West's line is added as a
// shared appearance on Stan Port's phone (a device of the site with a free
// port), its credentials shown once, then on a new phone created in the
// same step; the options of one are changed and another removed. Then her
// Service Settings' "No device for now" frees her own phone (the first step
// of converting it to its VDM type).
func TestBrowserSharedAppearance(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	env.EnableLines(t)
	sv := env.SeedService(t)
	f := env.Fixture
	west := env.ID("west.one")
	env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Advanced", "+441134960010", "T46G", "805EC0000010")
	stan := env.ActivateWithPhone(t, sv, "support.one", f.Leeds.ID, "Basic", "+441134960011", "T46G", "805EC0000011")
	b := loginTab(t, env, "acme.admin")
	tabURL := env.Server.URL + "/employees/" + strconv.FormatInt(west, 10) + "/devices"

	b.do("devices tab", chromedp.Navigate(tabURL), chromedp.WaitVisible(chromedp.CSS(`#sca-add`)))
	if got := b.text(chromedp.CSS(`#primary-device`)); !strings.Contains(got, "805EC0000010") {
		t.Errorf("primary device: %q", got)
	}
	b.shotsTmp("empty")
	b.do("add on Stan's phone",
		chromedp.SetValue(chromedp.CSS(`#f-device-id`), strconv.FormatInt(stan.ID, 10)),
		chromedp.Click(chromedp.CSS(`#sca-add input[name=alert_all_appearances]`)),
		chromedp.Click(chromedp.CSS(`#sca-add-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#sca-added`)),
	)
	if pw := b.text(chromedp.CSS(`#sca-password`)); len(pw) != 20 {
		t.Errorf("password shown: %q", pw)
	}
	if got := b.text(chromedp.CSS(`#sca-table`)); !strings.Contains(got, "441134960010_1") || !strings.Contains(got, "Stan Port") {
		t.Errorf("appearances after the first add: %q", got)
	}
	b.shotsTmp("added")

	b.do("add on a new phone",
		chromedp.Click(chromedp.CSS(`#sca-add input[name=mode][value=new]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-new-mac`)),
		chromedp.SendKeys(chromedp.CSS(`#f-new-name`), "Reception"),
		chromedp.SetValue(chromedp.CSS(`#f-new-type-id`), strconv.FormatInt(sv.Types["T42G VDM"].ID, 10)),
		chromedp.SendKeys(chromedp.CSS(`#f-new-mac`), "80:5e:c0:00:00:12"),
		chromedp.Click(chromedp.CSS(`#sca-add-btn`)),
		chromedp.WaitVisible(`//h2[@id="sca-added-h" and contains(., "appearance 2")]`),
	)
	if got := b.text(chromedp.CSS(`#sca-added h2`)); got != "Shared appearance 2 added on Reception" {
		t.Errorf("second add: %q", got)
	}
	// A refused add keeps the form and says why.
	b.do("a taken MAC",
		chromedp.Click(chromedp.CSS(`#sca-add input[name=mode][value=new]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-new-name`), "Spare desk"),
		chromedp.SetValue(chromedp.CSS(`#f-new-type-id`), strconv.FormatInt(sv.Types["T46G"].ID, 10)),
		chromedp.SendKeys(chromedp.CSS(`#f-new-mac`), "805EC0000011"),
		chromedp.Click(chromedp.CSS(`#sca-add-btn`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-new-mac-err`)),
	)
	if got := b.text(chromedp.CSS(`#f-new-mac-err`)); !strings.Contains(got, "already registered") {
		t.Errorf("taken MAC: %q", got)
	}
	b.shotsTmp("refused")

	b.do("allow call move on the first",
		chromedp.Navigate(tabURL), chromedp.WaitVisible(chromedp.CSS(`#sca-table`)),
		chromedp.Click(`(//table[@id="sca-table"]//input[@name="allow_call_move"])[1]`),
		chromedp.Click(`//table[@id="sca-table"]//button[normalize-space()="Save appearance 1"]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if on, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.querySelectorAll('#sca-table input[name=allow_call_move]')[0].checked`)); err != nil || !on {
		t.Errorf("allow call move saved: %v %v", on, err)
	}
	b.do("remove the second",
		chromedp.Click(`//table[@id="sca-table"]//button[normalize-space()="Remove appearance 2"]`),
		chromedp.WaitVisible(`//*[contains(@class,"flash") and contains(., "has been removed")]`),
	)
	if got := b.text(chromedp.CSS(`#sca-table`)); strings.Contains(got, "Reception") || !strings.Contains(got, "441134960010_1") {
		t.Errorf("after removing the second: %q", got)
	}
	b.shotsTmp("tab")

	// Service Settings: "No device for now".
	b.do("no device",
		chromedp.Navigate(env.Server.URL+"/employees/"+strconv.FormatInt(west, 10)+"/service"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="device.mode"][value=none]`)),
		chromedp.Click(chromedp.CSS(`input[name="device.mode"][value=none]`)),
		chromedp.Click(`//form//button[normalize-space()="Save"]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	svc, err := env.App.Lifecycle.ServiceOf(context.Background(), env.Actor("acme.admin"), west)
	if err != nil || svc.Device != nil || svc.Number == nil {
		t.Fatalf("after No device: device %+v, number %+v, %v", svc.Device, svc.Number, err)
	}
	b.shotsTmp("no-device")
}
