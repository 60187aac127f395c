package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserEmployeeFeatureForms drives headless Chromium through the
// employee's own Configure forms of Mobility, Call Control, Contacts and
// Messaging (docs/features.md): west.one opens Speed Dials from self-care
// /my-features, saves a code out of range (the error lands on its row),
// fixes it, and the settings are saved; every other new form renders at
// desktop and phone width.
func TestBrowserEmployeeFeatureForms(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	a, f := env.App, env.Fixture
	sv := env.SeedService(t)
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
		t.Fatal(err)
	}
	west := env.ID("west.one")
	if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, west, sv.Packages["Standard"].ID,
		[]int64{sv.Packages["Fax Messaging"].ID}, sv.Terms["Monthly"].ID); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2002", numbering.Owner{Kind: numbering.OwnerUser, ID: env.ID("support.one")}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960010", numbering.Owner{Kind: numbering.OwnerUser, ID: west}); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL
	root, cancelRoot := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelRoot()
	user := tab{t: t, ctx: root, base: base, shots: shots}
	user.do("login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "west.one"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)),
	)
	user.do("desktop", chromedp.EmulateViewport(1366, 900))
	user.do("my features", chromedp.Navigate(base+"/my-features"), chromedp.WaitVisible(chromedp.CSS(`#configure-speed_dials`)))
	user.shot("femp-my-features-1366.png")
	user.do("a code out of range",
		chromedp.Click(chromedp.CSS(`#configure-speed_dials`)),
		chromedp.WaitVisible(chromedp.CSS(`[name="speed_dial_8[0].code"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="speed_dial_8[0].code"]`), "2"),
		chromedp.SendKeys(chromedp.CSS(`[name="speed_dial_8[0].name"]`), "Support desk"),
		chromedp.SendKeys(chromedp.CSS(`[name="speed_dial_8[0].destination"]`), "2002"),
		// The second line of Speed Dial 100 is left blank in between: the
		// form closes the gap, so the error names the line the user sees.
		chromedp.SendKeys(chromedp.CSS(`[name="speed_dial_100[1].code"]`), "7"),
		chromedp.SendKeys(chromedp.CSS(`[name="speed_dial_100[1].name"]`), "Head office"),
		chromedp.SendKeys(chromedp.CSS(`[name="speed_dial_100[1].destination"]`), "020 7946 0000"),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`#error-summary`)),
	)
	if msg := user.text(chromedp.CSS(`#error-summary`)); !strings.Contains(msg, "A speed dial 100 code is two digits from 00 to 99") {
		t.Errorf("error summary: %q", msg)
	}
	if v, err := chromedp.Run(root, chromedp.Value(chromedp.CSS(`[name="speed_dial_100[0].code"]`))); err != nil || v != "7" {
		t.Errorf("the entry moved up to the first line: code %q", v)
	}
	if msg := user.text(chromedp.CSS(`#speed_dial_100 tbody tr:first-child`)); !strings.Contains(msg, "two digits") {
		t.Errorf("the error is not on its line: %q", msg)
	}
	user.shot("femp-speed-dials-error-1366.png")
	user.do("fix and save",
		chromedp.SetValue(chromedp.CSS(`[name="speed_dial_100[0].code"]`), "07"),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	user.shot("femp-speed-dials-1366.png")
	c, err := a.Features.FeatureConfig(ctx, env.Actor("west.one"), features.Employee(west), features.CodeSpeedDials)
	if err != nil {
		t.Fatal(err)
	}
	sd := c.Settings.(*features.SpeedDials)
	if len(sd.SpeedDial8) != 1 || sd.SpeedDial8[0] != (features.SpeedDial{Code: "2", Name: "Support desk", Destination: "2002"}) ||
		len(sd.SpeedDial100) != 1 || sd.SpeedDial100[0] != (features.SpeedDial{Code: "07", Name: "Head office", Destination: "+442079460000"}) {
		t.Errorf("speed dials saved: %+v", sd)
	}
	// Fax messaging: the employee's own number offered, PDF by default.
	user.do("fax messaging",
		chromedp.Navigate(base+"/my-features"),
		chromedp.WaitVisible(chromedp.CSS(`#configure-fax_messaging`)),
		chromedp.Click(chromedp.CSS(`#configure-fax_messaging`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-number`)),
		chromedp.Click(chromedp.CSS(`#f-enabled`)),
		chromedp.SendKeys(chromedp.CSS(`#f-number`), "0113 496 0010"),
		chromedp.SendKeys(chromedp.CSS(`[name="deliver_to[0]"]`), "wendy@example.com"),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	user.shot("femp-fax-1366.png")
	fc, err := a.Features.FeatureConfig(ctx, env.Actor("west.one"), features.Employee(west), features.CodeFaxMessaging)
	if err != nil {
		t.Fatal(err)
	}
	if fx := fc.Settings.(*features.FaxMessaging); !fx.Enabled || fx.Number != "+441134960010" || len(fx.DeliverTo) != 1 || fx.Format != features.FaxPDF {
		t.Errorf("fax messaging saved: %+v", fx)
	}
	forms := map[string]string{features.CodePreAlerting: `#f-audio`, features.CodeCallDirector: `[name="numbers[0].number"]`,
		features.CodePersonalContacts: `#open-contacts`, features.CodePhoneServices: `[name="services[0].url"]`,
		features.CodeSpeedDials: `[name="speed_dial_8[0].code"]`, features.CodeFaxMessaging: `#f-number`}
	for _, width := range []struct {
		name string
		w, h int64
	}{{"1366", 1366, 900}, {"390", 390, 844}} {
		user.do(width.name, chromedp.EmulateViewport(width.w, width.h, chromedp.EmulateScale(map[bool]float64{true: 2, false: 1}[width.w < 500])))
		for code, sel := range forms {
			user.do(code, chromedp.Navigate(base+"/my-features"), chromedp.WaitVisible(chromedp.CSS(`#configure-`+code)),
				chromedp.Click(chromedp.CSS(`#configure-`+code)), chromedp.WaitVisible(chromedp.CSS(sel)))
			user.shot("femp-" + code + "-" + width.name + ".png")
		}
	}
	user.do("my features phone", chromedp.Navigate(base+"/my-features"), chromedp.WaitVisible(chromedp.CSS(`#configure-speed_dials`)))
	user.shot("femp-my-features-390.png")
}
