package ui_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// EnvScreenshots names a directory to keep the end-to-end screenshots in;
// by default they go to the test's temp dir.
const EnvScreenshots = "SWITCHBOARD_UI_SCREENSHOTS"

// chromium finds the browser or skips (fails in CI).
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed: CI must run the browser test (apt-get install chromium)")
	}
	t.Skip("browser test skipped: chromium is not installed (apt-get install chromium)")
	return ""
}

// launch starts headless Chromium (skipping when it is not installed) and
// returns its allocator context and the directory for screenshots.
func launch(t *testing.T) (context.Context, string) {
	t.Helper()
	exe := chromium(t)
	shots := os.Getenv(EnvScreenshots)
	if shots == "" {
		shots = t.TempDir()
	} else if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1280, 900),
	}
	// Generous time-outs only guard against a hung browser; nothing is timed.
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	t.Cleanup(cancel)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	return actx, shots
}

// TestBrowserAddGroupAndMembers drives real headless Chromium through the
// portal as a company administrator: dashboard, Add Group, Group Members.
func TestBrowserAddGroupAndMembers(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	f := env.Fixture
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()

	base := env.Server.URL
	do := func(step string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel chromedp.CSS) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(sel))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		path := filepath.Join(shots, name)
		if err := os.WriteFile(path, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", path)
	}
	phone := func() { do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))) }
	desktop := func() { do("desktop width", chromedp.EmulateViewport(1280, 900)) }

	// Log in, starting from a page that needs it.
	do("login",
		chromedp.Navigate(base+"/employees"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`#f-remember-me`)),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
	)
	loc, err := chromedp.Run(bctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(loc, "/employees") {
		t.Fatalf("login did not return to the page asked for: %s", loc)
	}

	// The dashboard's tiles show DashboardStats.
	st, err := env.App.Tenancy.DashboardStats(context.Background(), f.Acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	do("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`[data-stat=active_sites]`)))
	for _, c := range []struct {
		name string
		sel  chromedp.CSS
		want int
	}{
		{"Active Sites", `[data-stat=active_sites]`, st.ActiveSites},
		{"Active Employees", `[data-stat=active_employees]`, st.ActiveEmployees},
		{"Company Admins", `[data-stat=company_admins]`, st.CompanyAdmins},
	} {
		if got := text(c.sel); got != strconv.Itoa(c.want) {
			t.Errorf("tile %s shows %q, DashboardStats says %d", c.name, got, c.want)
		}
	}
	phone()
	shot("dashboard-phone.png")
	desktop()
	shot("dashboard-desktop.png")

	// Employee Groups → Add Group "Inside Sales" under Leeds/Sales.
	do("add group",
		chromedp.Click(`//nav[@aria-label="Main"]//a[normalize-space()="Employee Groups"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Group Selection"]`),
		chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Add Group"]`),
		chromedp.WaitVisible(chromedp.CSS(`#f-parent-id`)),
		chromedp.SetValue(chromedp.CSS(`#f-parent-id`), strconv.FormatInt(f.Sales.ID, 10)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Inside Sales"),
		chromedp.Click(`//main//button[normalize-space()="Add Group"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Inside Sales"]`),
	)
	created, err := chromedp.Run(bctx, chromedp.Value(chromedp.CSS(`#f-created-under`)))
	if err != nil {
		t.Fatal(err)
	}
	if flash := text(`.flash`); !strings.Contains(flash, "The group has been created") || created != "Leeds/Sales" {
		t.Fatalf("after Add Group: flash %q, created under %q", flash, created)
	}
	gs, _, err := env.App.Directory.ListGroupsIn(context.Background(), f.Acme.ID, allScope(env), directory.GroupFilter{Q: "Inside Sales"}, store.Page{})
	if err != nil || len(gs) != 1 {
		t.Fatalf("Inside Sales in the database: %v %v", gs, err)
	}
	inside := gs[0]

	// Group Members → tick west.one → Save.
	west := env.ID("west.one")
	box := chromedp.CSS(`#row-` + strconv.FormatInt(west, 10))
	do("members",
		chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Group Members"]`),
		chromedp.WaitVisible(box),
		chromedp.Click(box),
		chromedp.Click(`//main//button[normalize-space()="Save"]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if flash := text(`.flash`); !strings.Contains(flash, "The group's members have been updated") {
		t.Errorf("after Save: flash %q", flash)
	}
	checked, err := chromedp.Run(bctx, chromedp.JavascriptAttribute[bool](box, "checked"))
	if err != nil {
		t.Fatal(err)
	}
	if !checked {
		t.Error("west.one is not ticked after Save")
	}
	ms, err := env.App.Directory.GroupMembers(context.Background(), inside.ID, allScope(env), directory.LinkLinked, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 1 || ms[0].ID != west {
		t.Fatalf("members of Inside Sales in the database: %+v", ms)
	}

	phone()
	shot("group-members-phone.png")
	do("group profile", chromedp.Navigate(base+"/groups/"+strconv.FormatInt(inside.ID, 10)), chromedp.WaitVisible(chromedp.CSS(`#f-created-under`)))
	shot("group-profile-phone.png")
	desktop()
	shot("group-profile-desktop.png")
	do("members desktop", chromedp.Navigate(base+"/groups/"+strconv.FormatInt(inside.ID, 10)+"/members"), chromedp.WaitVisible(box))
	shot("group-members-desktop.png")
}

// tab is one browser tab with the test's helpers.
type tab struct {
	t     *testing.T
	ctx   context.Context
	base  string
	shots string
}

func (b tab) do(step string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	if err := chromedp.Do(b.ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v", step, err)
	}
}

func (b tab) text(sel any) string {
	b.t.Helper()
	var s string
	var err error
	// A node found just as the page is replaced by the next one (a
	// navigation the step started) is gone when its text is asked: ask
	// the new page again.
	for try := 0; try < 3; try++ {
		switch v := sel.(type) {
		case chromedp.CSS:
			s, err = chromedp.Run(b.ctx, chromedp.Text(v))
		case string:
			s, err = chromedp.Run(b.ctx, chromedp.Text(v))
		}
		if err == nil || !strings.Contains(err.Error(), "No node with given id found") {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	if err != nil {
		b.t.Fatalf("text of %v: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func (b tab) location() string {
	b.t.Helper()
	loc, err := chromedp.Run(b.ctx, chromedp.Location())
	if err != nil {
		b.t.Fatal(err)
	}
	return strings.TrimPrefix(loc, b.base)
}

func (b tab) save(name string, png []byte) {
	b.t.Helper()
	path := filepath.Join(b.shots, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", path)
}

// shot saves the whole page.
func (b tab) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.save(name, png)
}

// shotOf saves one element.
func (b tab) shotOf(sel chromedp.CSS, name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.ScreenshotScale(sel, 2))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	b.save(name, png)
}

// TestBrowserLockoutUnlockAndExpiry: an employee locks their account with
// three wrong passwords and sees the lock; the company administrator
// force-unlocks them from the profile's Security panel (with its confirm
// step); their password then expires, and the next login goes through
// Change password to their own page. Everything at phone width.
func TestBrowserLockoutUnlockAndExpiry(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	base := env.Server.URL
	west := env.ID("west.one")
	self := "/employees/" + strconv.FormatInt(west, 10)

	// Employees get the Business Portal policy, whose passwords expire after
	// 90 days (the default self-care policy never expires).
	bp := identity.PolicyNameBusinessPortal
	if _, err := env.App.Identity.UpdateSettings(ctx, env.Actor("operator"), identity.SettingsUpdate{EmployeePasswordPolicy: &bp}); err != nil {
		t.Fatal(err)
	}

	root, cancelRoot := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelRoot()
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	// Each person gets a browser context of their own (separate cookies).
	newTab := func() (tab, context.CancelFunc) {
		c, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		b := tab{t: t, ctx: c, base: base, shots: shots}
		b.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
		return b, cancel
	}

	// west.one: three wrong passwords.
	user, cancelUser := newTab()
	defer cancelUser()
	for i := 1; i <= 3; i++ {
		wait := chromedp.WaitVisible(chromedp.CSS(`.errors`))
		if i == 3 {
			wait = chromedp.WaitVisible(chromedp.CSS(`#locked-message`))
		}
		user.do("wrong password "+strconv.Itoa(i),
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
			chromedp.SendKeys(chromedp.CSS(`#f-username`), "west.one"),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), "not-my-password"),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			wait,
		)
	}
	if msg := user.text(chromedp.CSS(`#locked-message`)); !strings.Contains(msg, "Account locked") || !strings.Contains(msg, "This account is locked") {
		t.Fatalf("locked message: %q", msg)
	}
	user.shot("login-locked-phone.png")
	user.do("reset password link",
		chromedp.Click(chromedp.CSS(`#locked-message a[href="/forgot-password"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-login`)),
	)
	user.shot("forgot-password-phone.png")

	// acme.admin: the profile's Security panel → Force Unlock → OK.
	admin, cancelAdmin := newTab()
	defer cancelAdmin()
	admin.do("admin login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
		chromedp.Navigate(base+self),
		chromedp.WaitVisible(chromedp.CSS(`#security-panel`)),
	)
	if st := admin.text(chromedp.CSS(`#lock-status`)); !strings.HasPrefix(st, "Locked until") {
		t.Fatalf("lock status on the profile: %q", st)
	}
	admin.shot("profile-security-phone.png")
	admin.shotOf(`#security-panel`, "profile-security-panel-phone.png")
	admin.do("force unlock",
		chromedp.Click(chromedp.CSS(`#btn-unlock`)),
		chromedp.WaitVisible(chromedp.CSS(`#confirm-warning`)),
	)
	admin.shot("force-unlock-confirm-phone.png")
	admin.do("OK",
		chromedp.Click(chromedp.CSS(`#btn-ok`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if flash := admin.text(chromedp.CSS(`.flash`)); !strings.Contains(flash, "The account has been unlocked") {
		t.Fatalf("after Force Unlock: %q", flash)
	}
	if st := admin.text(chromedp.CSS(`#lock-status`)); st != "Not locked" {
		t.Fatalf("lock status after unlocking: %q", st)
	}
	if st, err := env.App.Identity.SecurityStatus(ctx, env.Actor("operator"), west); err != nil || st.Locked {
		t.Fatalf("west.one locked after Force Unlock: %v %v", st.Locked, err)
	}

	// The dashboard's Recent Activity.
	admin.do("dashboard", chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#recent-activity`)))
	admin.shotOf(`#recent-activity`, "recent-activity-phone.png")
	admin.shot("dashboard-activity-phone.png")
	admin.do("view difference",
		chromedp.Click(chromedp.CSS(`#recent-activity a[href^="/audit/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.json-doc`)),
	)
	admin.shot("audit-entry-phone.png")

	// west.one's password is now 100 days old: the next login must change it.
	old := time.Now().Add(-100 * 24 * time.Hour).UnixMilli()
	if _, err := storetest.Exec(ctx, env.App.DB, "UPDATE accounts SET password_changed_at = ? WHERE id = ?", old, west); err != nil {
		t.Fatal(err)
	}
	user.do("login with an expired password",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "west.one"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(`//h1[normalize-space()="Change password"]`),
	)
	if loc := user.location(); loc != "/account/password" {
		t.Fatalf("expired password led to %s", loc)
	}
	if head := user.text(chromedp.CSS(`.page-head`)); !strings.Contains(head, "must be changed before you can continue") {
		t.Fatalf("change password page says %q", head)
	}
	user.shot("password-expired-phone.png")
	user.do("change password",
		chromedp.SendKeys(chromedp.CSS(`#f-current-password`), apptest.Password),
		chromedp.SendKeys(chromedp.CSS(`#f-new-password`), "Brand-New-Pass-9!"),
		chromedp.SendKeys(chromedp.CSS(`#f-confirm-password`), "Brand-New-Pass-9!"),
		chromedp.Click(`//main//button[normalize-space()="Change password"]`),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if loc := user.location(); !strings.HasPrefix(loc, "/account") {
		t.Fatalf("after changing the password: %s", loc)
	}
	if flash := user.text(chromedp.CSS(`.flash`)); !strings.Contains(flash, "Your password has been changed.") {
		t.Fatalf("flash after change: %q", flash)
	}
	user.shot("after-change-phone.png")

	// west.one's own security pages.
	user.do("service passwords", chromedp.Navigate(base+self+"/service-passwords"), chromedp.WaitVisible(chromedp.CSS(`#f-voicemail-pin`)))
	user.shot("service-passwords-phone.png")
	user.do("security e-mail", chromedp.Navigate(base+"/account/security-email"), chromedp.WaitVisible(chromedp.CSS(`#current-email`)))
	user.shot("security-email-phone.png")

	// The provider reads a reset e-mail in the outbox (no relay in tests)
	// and its link opens the reset page.
	if err := env.App.Identity.RequestPasswordReset(ctx, "support.one"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Identity.ProcessResetRequests(ctx); err != nil {
		t.Fatal(err)
	}
	op, cancelOp := newTab()
	defer cancelOp()
	op.do("operator login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "operator"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(`//h1[normalize-space()="Customers"]`),
	)
	op.shot("customers-phone.png")
	op.do("outbox",
		chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Outbox"]`),
		chromedp.WaitVisible(chromedp.CSS(`#no-relay`)),
		chromedp.Click(chromedp.CSS(`.mail-list li:first-child summary`)),
		chromedp.WaitVisible(chromedp.CSS(`.mail-list li:first-child .mail-body a`)),
	)
	op.shot("outbox-phone.png")
	op.do("settings", chromedp.Navigate(base+"/settings/security"), chromedp.WaitVisible(chromedp.CSS(`#f-lockout-threshold`)))
	op.shot("security-settings-phone.png")
	op.do("audit log",
		chromedp.Navigate(base+"/companies/"+strconv.FormatInt(env.Fixture.Acme.ID, 10)+"/audit"),
		chromedp.WaitVisible(chromedp.CSS(`#f-event`)),
	)
	op.shot("audit-log-phone.png")
	op.do("follow the reset link",
		chromedp.Navigate(base+"/mail/outbox"),
		chromedp.Click(chromedp.CSS(`.mail-list li:first-child summary`)),
		chromedp.Click(chromedp.CSS(`.mail-list li:first-child .mail-body a`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-confirm-password`)),
	)
	if loc := op.location(); !strings.HasPrefix(loc, "/reset-password?token=") {
		t.Fatalf("the outbox link opened %s", loc)
	}
	op.shot("reset-password-phone.png")
}
