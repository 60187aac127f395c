package ui_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// choose sets a select's value the way a person does, so the page's
// script sees the change.
func (b tab) choose(id, value string) {
	b.t.Helper()
	script := fmt.Sprintf(`(function(){var e=document.getElementById(%q); e.value=%q; e.dispatchEvent(new Event('change')); return e.value})()`, id, value)
	got, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](script))
	if err != nil || got != value {
		b.t.Fatalf("choose %s=%s: %q, %v", id, value, got, err)
	}
}

// vdmShot saves the page for a person to look at, as /tmp/vdm-<name>.png
// and in the test's screenshot directory.
func (b tab) vdmShot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.save("vdm-"+name+".png", png)
	if err := os.WriteFile(filepath.Join(os.TempDir(), "vdm-"+name+".png"), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// TestBrowserVisualDeviceManager: a company administrator opens a
// T46G VDM from the device's page, attaches a sidecar, sets line keys on
// pages 1, 2 and the sidecar's page, and two soft keys; the stored layout
// is what the phone gets. The employee then opens My Phone and changes
// the ringer, and is told why once the type is kept to administrators.
// Pages are looked at at 1366 and 390 px, without sideways scrolling.
func TestBrowserVisualDeviceManager(t *testing.T) {
	actx, _ := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	a, f := env.App, env.Fixture
	sealer, err := devices.NewSealer([]byte(strings.Repeat("u", 32)))
	if err != nil {
		t.Fatal(err)
	}
	a.Devices.Lines.Sealer, a.Devices.Lines.Domain = sealer, "voice.example.net"
	if err := a.Devices.SeedDefaultTypes(ctx, f.Provider.ID); err != nil {
		t.Fatal(err)
	}
	ts, err := a.Devices.Types(ctx, f.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	var t46 devices.Type
	for _, x := range ts {
		if x.Model == "T46G VDM" {
			t46 = x
		}
	}
	west := env.ID("west.one")
	phone, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: t46.ID, MAC: "805EC0AB0001", Name: "Wendy's desk"})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Devices.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, phone.ID, west); err != nil {
		t.Fatal(err)
	}
	line, err := a.Devices.ProvisionPrimaryLine(ctx, f.Acme.ID, west)
	if err != nil {
		t.Fatal(err)
	}

	base := env.Server.URL
	c, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	b := tab{t: t, ctx: c, base: base}
	b.shots = t.TempDir()
	b.do("login",
		chromedp.EmulateViewport(1366, 900),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)),
	)
	b.do("device page", chromedp.Navigate(base+"/devices/"+id(phone.ID)), chromedp.WaitVisible(chromedp.CSS(`#open-vdm`)))
	b.do("open the VDM", chromedp.Click(chromedp.CSS(`#open-vdm`)), chromedp.WaitVisible(`//h1[normalize-space()="Visual Device Manager"]`))
	if got := b.text(chromedp.CSS(`.vdm-profile`)); !strings.Contains(got, "805EC0AB0001") || !strings.Contains(got, "Wendy West") || !strings.Contains(got, "Not Registered") {
		t.Errorf("device profile: %q", got)
	}
	if got := b.text(`//a[@data-key="1-1"]`); !strings.Contains(got, "Line: Wendy West") {
		t.Errorf("page 1 key 1 before any change: %q, want west.one's line", got)
	}

	// General Settings: one EXP40.
	b.choose("f-sidecars", "1")
	b.do("save general settings", chromedp.Click(`//button[normalize-space()="Save General Settings"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	b.do("sidecar page listed", chromedp.WaitVisible(`//nav[@aria-label="Line key pages"]//a[contains(., "Sidecar 1 (EXP40)")]`))

	// Page 1 key 1: a speed dial; the line moves to the next spare key.
	editKey := func(page, key int, action string, fill func()) {
		t.Helper()
		b.do(fmt.Sprintf("open page %d", page), chromedp.Navigate(fmt.Sprintf("%s/devices/%d/vdm?tab=line&page=%d", base, phone.ID, page)),
			chromedp.WaitVisible(chromedp.CSS(`#vdm-layout`)))
		b.do(fmt.Sprintf("click key %d-%d", page, key), chromedp.Click(fmt.Sprintf(`//a[@data-key="%d-%d"]`, page, key)), chromedp.WaitVisible(chromedp.CSS(`#f-action`)))
		b.choose("f-action", action)
		fill()
		b.do("save key", chromedp.Click(`//button[normalize-space()="Save key"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	}
	editKey(1, 1, "speed_dial", func() {
		b.do("speed dial", chromedp.SendKeys(chromedp.CSS(`#f-label`), "Reception"), chromedp.SendKeys(chromedp.CSS(`#f-number`), "0113 496 0000"))
	})
	if got := b.text(`//a[@data-key="1-1"]`); !strings.Contains(got, "Speed dial: Reception") {
		t.Errorf("page 1 key 1 after saving: %q", got)
	}
	if got := b.text(`//a[@data-key="1-2"]`); !strings.Contains(got, "Line: Wendy West") {
		t.Errorf("page 1 key 2: %q, want the line moved there", got)
	}
	b.vdmShot("line-keys-1366")
	// A wrong number is refused on the key's page with the reason.
	editKey2 := func() {
		b.do("open page 2", chromedp.Navigate(fmt.Sprintf("%s/devices/%d/vdm/pages/2/keys/1", base, phone.ID)), chromedp.WaitVisible(chromedp.CSS(`#f-action`)))
		b.choose("f-action", "speed_dial")
		b.do("bad number", chromedp.SendKeys(chromedp.CSS(`#f-label`), "Ops"), chromedp.SendKeys(chromedp.CSS(`#f-number`), "call me"),
			chromedp.Click(`//button[normalize-space()="Save key"]`), chromedp.WaitVisible(chromedp.CSS(`.err`)))
		if got := b.text(chromedp.CSS(`.err`)); !strings.Contains(got, "not a telephone number") {
			t.Errorf("bad number: %q", got)
		}
		b.do("good number", chromedp.SetValue(chromedp.CSS(`#f-number`), "+44 20 7946 0001"), chromedp.Click(`//button[normalize-space()="Save key"]`),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	}
	editKey2()
	// The sidecar's key 3: the line.
	editKey(4, 3, "line", func() { b.choose("f-line-id", id(line.ID)) })
	if got := b.text(`//a[@data-key="4-3"]`); !strings.Contains(got, "Line: Wendy West") {
		t.Errorf("sidecar key 3: %q", got)
	}
	b.vdmShot("sidecar-1366")

	// Soft keys: Call Pull, and a custom night-service macro.
	editSoft := func(key int, action string, fill func()) {
		t.Helper()
		b.do("soft keys", chromedp.Navigate(fmt.Sprintf("%s/devices/%d/vdm?tab=soft", base, phone.ID)), chromedp.WaitVisible(chromedp.CSS(`#vdm-softkeys`)))
		b.do("click soft key", chromedp.Click(fmt.Sprintf(`//a[@data-key="soft-%d"]`, key)), chromedp.WaitVisible(chromedp.CSS(`#f-action`)))
		b.choose("f-action", action)
		fill()
		b.do("save soft key", chromedp.Click(`//button[normalize-space()="Save key"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	}
	editSoft(1, "function", func() { b.choose("f-function", "call_pull") })
	editSoft(2, "custom", func() {
		b.do("macro", chromedp.SendKeys(chromedp.CSS(`#f-label`), "Night"), chromedp.SendKeys(chromedp.CSS(`#f-macro`), "2281$Tinvite$$Cwc$*$Tdtmf$"))
	})
	if got := b.text(`//a[@data-key="soft-1"]`); !strings.Contains(got, "Call Pull (*11)") {
		t.Errorf("soft key 1: %q", got)
	}
	b.vdmShot("soft-keys-1366")

	// What is stored is what the phone gets.
	l, err := a.Devices.KeyLayout(ctx, phone.ID)
	if err != nil {
		t.Fatal(err)
	}
	if l.PhoneKeys[0].Value != "+441134960000" || l.PhoneKeys[0].Label != "Reception" || l.PhoneKeys[9].Value != "+442079460001" ||
		len(l.SidecarKeys) != 1 || l.SidecarKeys[0][2].LineID != line.ID || l.PhoneKeys[1].Action != devices.KeyDefault {
		t.Errorf("stored line keys: phone %+v, sidecars %+v", l.PhoneKeys[:3], l.SidecarKeys)
	}
	if l.SoftKeys[0].Value != "*11" || l.SoftKeys[1].Action != devices.KeyCustom || l.SoftKeys[1].Value != "2281$Tinvite$$Cwc$*$Tdtmf$" {
		t.Errorf("stored soft keys: %+v", l.SoftKeys)
	}

	// Phone width: the keys stack, nothing scrolls sideways.
	noSideways := func(what string) {
		t.Helper()
		if wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
			t.Errorf("%s at 390 px scrolls sideways (%v)", what, err)
		}
	}
	b.do("phone width", chromedp.EmulateViewport(390, 844))
	b.do("page 1 at 390", chromedp.Navigate(fmt.Sprintf("%s/devices/%d/vdm?tab=line&page=1", base, phone.ID)), chromedp.WaitVisible(chromedp.CSS(`#vdm-layout`)))
	noSideways("line keys")
	b.vdmShot("line-keys-390")
	b.do("sidecar at 390", chromedp.Navigate(fmt.Sprintf("%s/devices/%d/vdm?tab=line&page=4", base, phone.ID)), chromedp.WaitVisible(chromedp.CSS(`#vdm-layout`)))
	noSideways("sidecar")
	b.do("key page at 390", chromedp.Navigate(fmt.Sprintf("%s/devices/%d/vdm/soft-keys/2", base, phone.ID)), chromedp.WaitVisible(chromedp.CSS(`#f-action`)))
	noSideways("soft key page")
	b.vdmShot("soft-key-390")

	// The employee opens My Phone and changes the ringer.
	eactx, _ := launch(t)
	ec, ecancel := chromedp.NewContext(eactx, chromedp.WithLogf(t.Logf))
	defer ecancel()
	e := tab{t: t, ctx: ec, base: base, shots: b.shots}
	e.do("employee login",
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "west.one"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)),
	)
	e.do("account", chromedp.Navigate(base+"/account"), chromedp.WaitReady(chromedp.CSS(`body`)))
	e.do("my phone", chromedp.Navigate(base+"/my-phone"), chromedp.WaitVisible(`//h1[normalize-space()="My Phone"]`))
	e.do("ringer tab", chromedp.Navigate(fmt.Sprintf("%s/devices/%d/vdm?tab=ringer", base, phone.ID)), chromedp.WaitVisible(chromedp.CSS(`#f-ringer`)))
	e.choose("f-ringer", "Ring4.wav")
	e.do("save ringer", chromedp.Click(`//button[normalize-space()="Save ringer"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	noSidewaysE := func() {
		if wide, err := chromedp.Run(e.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
			t.Errorf("My Phone at 390 px scrolls sideways (%v)", err)
		}
	}
	noSidewaysE()
	e.vdmShot("my-phone-390")
	if l, err := a.Devices.KeyLayout(ctx, phone.ID); err != nil || l.Ringer != "Ring4.wav" {
		t.Errorf("ringer after the employee's change: %q, %v", l.Ringer, err)
	}
	no := false
	if _, err := a.Devices.CustomiseSiteType(ctx, env.Actor("acme.admin"), f.Leeds.ID, t46.ID, devices.SiteTypeRequest{VDMAvailableToEmployees: &no}); err != nil {
		t.Fatal(err)
	}
	e.do("my phone restricted", chromedp.Navigate(base+"/my-phone"), chromedp.WaitVisible(chromedp.CSS(`#my-phone-reason`)))
	if got := e.text(chromedp.CSS(`#my-phone-reason`)); !strings.Contains(got, "not made the Visual Device Manager") {
		t.Errorf("restricted My Phone: %q", got)
	}
	e.vdmShot("my-phone-restricted-390")
}
