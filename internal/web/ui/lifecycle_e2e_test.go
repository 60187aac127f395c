package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserAddAndActivate drives real headless Chromium through Add
// Employee (greyed out while the company's flag is off) → Save & Activate
// → the job's Status page, at phone width, and finally Delete: the
// form comes pre-filled (site, CLI names, next free number, extension), a
// new soft-client device gets its MAC from the number (lifecycle.js), and
// once the worker has run the job the page shows Completed and the
// employee is Active with their number.
func TestBrowserAddAndActivate(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	svc := env.SeedService(t)
	ctx := context.Background()
	base := env.Server.URL
	bctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	b := tab{t: t, ctx: bctx, base: base, shots: shots}
	value := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("value of %s: %v", sel, err)
		}
		return v
	}

	b.do("login",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
	)

	// With the company's Add Employee flag off, Save and Save & Activate
	// are greyed out and the page says why.
	setAddEmployee(t, env, env.Fixture.Acme.ID, false)
	b.do("add employee refused", chromedp.Navigate(base+"/employees/new"), chromedp.WaitVisible(chromedp.CSS(`#add-refused`)))
	if off, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById('btn-save').disabled && document.getElementById('btn-save-activate').disabled`)); err != nil || !off {
		t.Errorf("Save and Save & Activate are not disabled with the flag off (%v)", err)
	}
	b.shot("add-employee-refused-phone.png")
	setAddEmployee(t, env, env.Fixture.Acme.ID, true)

	// Add Employee with an address; Save & Activate goes straight to the
	// new employee's Activate form.
	b.do("add employee",
		chromedp.Navigate(base+"/employees/new"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "nina.new"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "Good-Pass-1!"),
		chromedp.SendKeys(chromedp.CSS(`#f-password-confirm`), "Good-Pass-1!"),
		chromedp.SendKeys(chromedp.CSS(`#f-first-name`), "Nina"),
		chromedp.SendKeys(chromedp.CSS(`#f-last-name`), "New"),
		chromedp.SendKeys(chromedp.CSS(`#f-address-line1`), "1 Park Row"),
		chromedp.SendKeys(chromedp.CSS(`#f-address-city`), "Leeds"),
		chromedp.SendKeys(chromedp.CSS(`#f-address-postcode`), "LS1 5AB"),
	)
	b.shot("add-employee-phone.png")
	b.do("save & activate", chromedp.Click(chromedp.CSS(`#btn-save-activate`)), chromedp.WaitVisible(chromedp.CSS(`#f-e0-number`)))
	if loc := b.location(); !strings.HasSuffix(strings.Split(loc, "?")[0], "/activate") {
		t.Fatalf("after Save & Activate: %s", loc)
	}
	if a := findEmployee(t, env, "nina.new").Address; a.Line1 != "1 Park Row" || a.City != "Leeds" || a.Postcode != "LS1 5AB" {
		t.Errorf("nina.new's address: %+v", a)
	}
	if got := value(`#f-site-id`); got != id(env.Fixture.Leeds.ID) {
		t.Errorf("the site is %q, want Leeds (%d)", got, env.Fixture.Leeds.ID)
	}
	for sel, want := range map[string]string{`#f-e0-cli-first-name`: "Nina", `#f-e0-cli-last-name`: "New",
		`#f-e0-number`: svc.LeedsFirst, `#f-e0-extension`: "0000"} {
		if got := value(sel); got != want {
			t.Errorf("pre-filled %s = %q, want %q", sel, got, want)
		}
	}
	// choose sets a select as a user would, firing its change event.
	choose := func(selectID, value string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`(() => {
			const s = document.getElementById('`+selectID+`');
			s.value = '`+value+`';
			s.dispatchEvent(new Event('change'));
			return true;
		})()`)); err != nil {
			t.Fatal(err)
		}
	}
	// A new device of the soft-client type: lifecycle.js fills the MAC.
	choose("f-e0-type-id", id(svc.Types["Soft Client"].ID))
	if got := value(`#f-e0-mac`); got != "441134960000A" {
		t.Errorf("the soft client's MAC is %q, want 441134960000A", got)
	}
	// Soft clients are for IP Centrex users only: another user type
	// disables the option and moves off it, clearing the MAC it filled.
	softOption := `document.querySelector('#f-e0-type-id option[value="` + id(svc.Types["Soft Client"].ID) + `"]')`
	choose("f-user-type", "business_trunking")
	if disabled, err := chromedp.Run(bctx, chromedp.Evaluate[bool](softOption+`.disabled`)); err != nil || !disabled {
		t.Errorf("the soft client is offered to a Business Trunking user (%v)", err)
	}
	if got := value(`#f-e0-type-id`); got == id(svc.Types["Soft Client"].ID) || got == "" {
		t.Errorf("the device type stayed %q under Business Trunking", got)
	}
	if got := value(`#f-e0-mac`); got != "" {
		t.Errorf("the MAC kept the soft client's %q", got)
	}
	choose("f-user-type", "ip_centrex")
	choose("f-e0-type-id", id(svc.Types["Soft Client"].ID))
	if got := value(`#f-e0-mac`); got != "441134960000A" {
		t.Errorf("back under IP Centrex the soft client's MAC is %q", got)
	}
	if hidden, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('.lc-when-existing').offsetParent === null`)); err != nil || !hidden {
		t.Errorf("the existing-device fields show in New device mode (%v)", err)
	}
	b.shot("activate-form-phone.png")

	b.do("submit",
		chromedp.Click(chromedp.CSS(`#btn-activate`)),
		chromedp.WaitVisible(chromedp.CSS(`#job-progress`)),
	)
	if loc := b.location(); !strings.HasPrefix(loc, "/jobs/") {
		t.Fatalf("after Activate: %s", loc)
	}
	if st := b.text(chromedp.CSS(`#job-status`)); st != "Not Started" {
		t.Errorf("job status before the worker: %q", st)
	}
	b.shot("job-status-pending-phone.png")

	nina := findEmployee(t, env, "nina.new")
	if nina.Status != directory.StatusPending {
		t.Fatalf("nina.new is %s while the job waits", nina.Status)
	}
	runJobs(t, env)
	b.do("refresh", chromedp.Click(chromedp.CSS(`#refresh`)), chromedp.WaitVisible(chromedp.CSS(`#job-items`)))
	if st := b.text(chromedp.CSS(`#job-status`)); st != "Completed" {
		t.Fatalf("job status after the worker: %q", st)
	}
	if got := b.text(chromedp.CSS(`#job-items`)); !strings.Contains(got, "nina.new") || !strings.Contains(got, "+441134960000") {
		t.Errorf("per-item results: %q", got)
	}
	b.shot("job-status-phone.png")

	// The employee is Active with their number.
	b.do("primary number", chromedp.Navigate(base+"/employees/"+id(nina.ID)+"/primary-number"), chromedp.WaitVisible(chromedp.CSS(`#primary-number`)))
	if st := b.text(chromedp.CSS(`#service-status`)); st != "Active" {
		t.Errorf("status on the page: %q", st)
	}
	if got := b.text(chromedp.CSS(`#primary-number`)); !strings.Contains(got, "+441134960000") || !strings.Contains(got, "0113 496 0000") {
		t.Errorf("primary number section: %q", got)
	}
	b.shot("primary-number-phone.png")
	if got := findEmployee(t, env, "nina.new"); got.Status != directory.StatusActive {
		t.Fatalf("nina.new is %s", got.Status)
	}
	n, err := env.App.Lifecycle.Numbers(ctx, env.Fixture.Acme.ID, nina.ID)
	if err != nil || len(n) != 1 || n[0].E164 != svc.LeedsFirst {
		t.Fatalf("nina.new's numbers: %+v %v", n, err)
	}

	b.do("desktop", chromedp.EmulateViewport(1280, 900), chromedp.Navigate(base+"/jobs"), chromedp.WaitVisible(chromedp.CSS(`#jobs`)))
	b.shot("jobs-desktop.png")
	b.do("service settings", chromedp.Navigate(base+"/employees/"+id(nina.ID)+"/service"), chromedp.WaitVisible(chromedp.CSS(`#f-user-type`)))
	b.shot("service-settings-desktop.png")
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Navigate(base+"/jobs"), chromedp.WaitVisible(chromedp.CSS(`#jobs`)))
	b.shot("jobs-phone.png")

	// Service Settings at phone width: a new primary device, the device
	// fieldset working as on Activate (a soft client's MAC from the
	// employee's number, which this page does not offer to change).
	b.do("service settings device", chromedp.Navigate(base+"/employees/"+id(nina.ID)+"/service"),
		chromedp.WaitVisible(chromedp.CSS(`#f-device-mode`)),
		chromedp.Click(chromedp.CSS(`input[name="device.mode"][value="new"]`)))
	if hidden, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.querySelector('#f-device-mode .lc-when-existing').offsetParent === null`)); err != nil || !hidden {
		t.Errorf("the existing-device fields show in New device mode (%v)", err)
	}
	pick := func(typeID int64) { t.Helper(); choose("f-device-type-id", id(typeID)) }
	pick(svc.Types["Soft Client"].ID)
	if got := value(`#f-device-mac`); got != "441134960000A" {
		t.Errorf("the soft client's MAC on Service Settings is %q, want 441134960000A", got)
	}
	pick(svc.Types["T46U"].ID)
	if got := value(`#f-device-mac`); got != "" {
		t.Errorf("a desk phone kept the soft client's MAC: %q", got)
	}
	b.do("device MAC", chromedp.SendKeys(chromedp.CSS(`#f-device-mac`), "00:15:65:ab:cd:99"))
	b.shot("service-device-phone.png")
	b.do("save device", chromedp.Click(`//form[.//input[@name="device.mode"]]//button[normalize-space()="Save"]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	s, err := env.App.Lifecycle.Service(ctx, env.Fixture.Acme.ID, nina.ID)
	if err != nil || s.Device == nil || s.Device.MAC != "001565ABCD99" {
		t.Fatalf("nina.new's device after Save: %+v %v", s.Device, err)
	}

	// Delete, at phone width: the profile's button, the confirm step that
	// names the number and device, then the employee list.
	b.do("profile", chromedp.Navigate(base+"/employees/"+id(nina.ID)), chromedp.WaitVisible(chromedp.CSS(`#btn-delete`)))
	b.shotOf(chromedp.CSS(`#delete-panel`), "profile-delete-phone.png")
	b.do("delete confirm", chromedp.Click(chromedp.CSS(`#btn-delete`)), chromedp.WaitVisible(chromedp.CSS(`#confirm-warning`)))
	if got := b.text(chromedp.CSS(`#confirm-warning`)); !strings.Contains(got, "0113 496 0000") || !strings.Contains(got, "001565ABCD99") ||
		!strings.Contains(got, "cannot be undone") {
		t.Errorf("delete warning: %q", got)
	}
	b.shot("delete-confirm-phone.png")
	b.do("delete", chromedp.Click(chromedp.CSS(`#btn-ok`)), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(chromedp.CSS(`.flash`)); !strings.Contains(got, "has been deleted") {
		t.Errorf("flash after delete: %q", got)
	}
	if _, err := env.App.Directory.Employee(ctx, nina.ID); err == nil {
		t.Fatal("nina.new still exists after Delete")
	}
}

func findEmployee(t *testing.T, env *apptest.Env, username string) directory.Employee {
	t.Helper()
	var id int64
	if err := env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT id FROM accounts WHERE username = ?", username).Scan(&id); err != nil {
		t.Fatal(err)
	}
	e, err := env.App.Directory.Employee(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}
