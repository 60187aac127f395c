package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserDeviceManagement: a company administrator customises a device
// type at a site (BLF on, greyed-out options untouched), customises one
// device over it, saves a mask and applies it to two types, then resets
// the type and the device — at desktop width, then the same pages at phone
// width without sideways scrolling.
func TestBrowserDeviceManagement(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	a, f := env.App, env.Fixture
	if err := a.Devices.SeedDefaultTypes(ctx, f.Provider.ID); err != nil {
		t.Fatal(err)
	}
	ts, err := a.Devices.Types(ctx, f.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	byModel := map[string]devices.Type{}
	for _, x := range ts {
		byModel[x.Model] = x
	}
	vdm, basic := byModel["VVX 601 VDM"], byModel["T46G"]
	desk, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: vdm.ID, MAC: "0004F2EE0001", Name: "Front Desk"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: basic.ID, MAC: "805EC0EE0002"}); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL
	site := base + "/sites/" + id(f.Leeds.ID)
	c, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	b := tab{t: t, ctx: c, base: base, shots: shots}
	b.do("login",
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)),
	)
	effective := func(deviceID int64) devices.Effective {
		t.Helper()
		e, _, err := a.Devices.EffectiveSettings(ctx, f.Acme.ID, deviceID)
		if err != nil {
			t.Fatal(err)
		}
		return e
	}

	// Customise the T46G at Leeds: BLF On. Its advanced options are not
	// offered; the VVX 601 VDM's page greys nothing but offers them all.
	b.do("device types tab", chromedp.Navigate(site+"/device-types"), chromedp.WaitVisible(`//h1[contains(., "Device Types")]`))
	b.shot("devmgmt-types-1366.png")
	b.do("open T46G", chromedp.Click(`//a[normalize-space()="Yealink T46G"]`), chromedp.WaitVisible(`//h1[normalize-space()="Yealink T46G"]`))
	if n, _ := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#f-opt-power-save').length`)); n != 0 {
		t.Errorf("a basic type offers Power Save")
	}
	b.do("BLF on", chromedp.SetValue(chromedp.CSS(`#f-opt-blf`), "true"), chromedp.Click(`//button[normalize-space()="Save"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(chromedp.CSS(`.flash`)); !strings.Contains(got, "Reboot its devices") {
		t.Errorf("after saving the type: %q", got)
	}

	// Customise the VDM type: Blind transfer; the VDM box off.
	b.do("open VVX 601 VDM", chromedp.Navigate(site+"/device-types/"+id(vdm.ID)), chromedp.WaitVisible(chromedp.CSS(`#f-opt-transfer-type`)))
	b.do("blind transfer", chromedp.SetValue(chromedp.CSS(`#f-opt-transfer-type`), "blind"), chromedp.Click(chromedp.CSS(`#f-vdm`)),
		chromedp.Click(`//button[normalize-space()="Save"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.shot("devmgmt-vdm-type-1366.png")
	if e := effective(desk.ID); e.TransferType != devices.TransferBlind {
		t.Errorf("after customising the VDM type the desk has transfer %q", e.TransferType)
	}

	// Customise the device over its type: G729.
	b.do("devices tab", chromedp.Navigate(site+"/devices"), chromedp.WaitVisible(`//a[normalize-space()="Front Desk"]`))
	b.shot("devmgmt-devices-1366.png")
	b.do("open the device", chromedp.Click(`//a[normalize-space()="Front Desk"]`), chromedp.WaitVisible(chromedp.CSS(`#f-opt-codec`)))
	b.do("codec G729", chromedp.SetValue(chromedp.CSS(`#f-opt-codec`), "G729"), chromedp.Click(`//button[normalize-space()="Save options"]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if e := effective(desk.ID); e.Codec != devices.CodecG729 || e.TransferType != devices.TransferBlind || e.Sources[devices.OptCodec] != devices.SourceDevice {
		t.Errorf("after customising the device: %+v", e)
	}

	// A mask: MCN off, applied to both types.
	b.do("new mask", chromedp.Navigate(site+"/device-types#masks"), chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Quiet desks"), chromedp.SetValue(chromedp.CSS(`#f-opt-mcn`), "false"),
		chromedp.Click(`//button[normalize-space()="Save mask"]`), chromedp.WaitVisible(`//h3[normalize-space()="Quiet desks"]`))
	b.do("apply mask", chromedp.Click(`//label[normalize-space()="Polycom VVX 601 VDM"]/input`), chromedp.Click(`//label[normalize-space()="Yealink T46G"]/input`),
		chromedp.Click(`//button[normalize-space()="Apply mask Quiet desks"]`), chromedp.WaitVisible(`//*[contains(@class, "flash") and contains(., "applied")]`))
	if got := b.text(chromedp.CSS(`main table`)); strings.Count(got, "Mask: Quiet desks") != 2 {
		t.Errorf("the types do not show the mask: %q", got)
	}
	b.shot("devmgmt-mask-1366.png")
	if e := effective(desk.ID); e.MCN || e.Sources[devices.OptMCN] != devices.SourceMask {
		t.Errorf("after the mask: %+v", e)
	}

	// Reset the device, then the type: back to the defaults, and the page
	// says a reboot is needed.
	b.do("reset the device", chromedp.Navigate(base+"/devices/"+id(desk.ID)), chromedp.WaitVisible(chromedp.CSS(`#reset`)),
		chromedp.Click(`//section[@aria-labelledby="reset"]//button[normalize-space()="Reset"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(chromedp.CSS(`.flash`)); !strings.Contains(got, "Reboot it") {
		t.Errorf("after resetting the device: %q", got)
	}
	if e := effective(desk.ID); e.Codec != devices.CodecG722 {
		t.Errorf("after the device reset: %+v", e)
	}
	b.do("reset the type", chromedp.Navigate(site+"/device-types/"+id(vdm.ID)), chromedp.WaitVisible(chromedp.CSS(`#reset`)),
		chromedp.Click(`//section[@aria-labelledby="reset"]//button[normalize-space()="Reset"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(chromedp.CSS(`.flash`)); !strings.Contains(got, "Reboot its devices") {
		t.Errorf("after resetting the type: %q", got)
	}
	if e := effective(desk.ID); e.TransferType != devices.TransferConsultative || !e.MCN {
		t.Errorf("after the type reset: %+v", e)
	}

	// The same pages on a phone.
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	for _, pg := range []struct{ url, name string }{
		{site + "/device-types", "devmgmt-types-390.png"},
		{site + "/device-types/" + id(vdm.ID), "devmgmt-vdm-type-390.png"},
		{site + "/devices", "devmgmt-devices-390.png"},
		{base + "/devices/" + id(desk.ID), "devmgmt-device-390.png"},
	} {
		b.do(pg.name, chromedp.Navigate(pg.url), chromedp.WaitVisible(chromedp.CSS(`h1`)))
		if wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
			t.Errorf("%s scrolls sideways on a phone (%v)", pg.url, err)
		}
		b.shot(pg.name)
	}
}
