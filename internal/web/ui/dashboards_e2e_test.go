package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// seedDashboards sells Leeds Site Essentials with the Call Centre add-on
// and gives it a hunt group and an auto attendant; west.one and
// support.one (Standard, west.one with Call Recording set to record every
// call) are active at Leeds; west.one and london.one hold numbers for 40
// days of generated traffic ending now.
func seedDashboards(t *testing.T, env *apptest.Env, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	sv := env.SeedService(t)
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, []int64{sv.Packages["Call Centre"].ID}); err != nil {
		t.Fatal(err)
	}
	for user, addOns := range map[string][]int64{"west.one": {sv.Packages["Call Recording"].ID}, "support.one": nil} {
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, env.ID(user), sv.Packages["Standard"].ID, addOns, sv.Terms["Monthly"].ID); err != nil {
			t.Fatal(err)
		}
	}
	since := time.Now().AddDate(0, 0, -60).UnixMilli()
	if err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		if _, err := q.Exec(ctx, "UPDATE accounts SET site_id = ?, status = 'active' WHERE id IN (?, ?)", f.Leeds.ID, env.ID("west.one"), env.ID("support.one")); err != nil {
			return err
		}
		for _, h := range []struct {
			number string
			site   int64
			user   string
		}{{"+441134960011", f.Leeds.ID, "west.one"}, {"+442079460012", f.London.ID, "london.one"}} {
			if _, err := q.Exec(ctx, `INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
				VALUES ('number', ?, ?, ?, 'user', ?, ?)`, h.number, f.Acme.ID, h.site, env.ID(h.user), since); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	admin := env.Actor("acme.admin")
	for _, c := range []struct {
		owner      features.Owner
		code, body string
	}{
		{features.Site(f.Leeds.ID), features.CodeHuntGroups, `{"groups":[{"name":"Sales line","extension":"3001"},{"name":"Support line","extension":"3002"}]}`},
		{features.Site(f.Leeds.ID), features.CodeAutoAttendant, `{"attendants":[{"name":"Main menu","extension":"3000"}]}`},
		{features.Employee(env.ID("west.one")), features.CodeCallRecording, `{"mode":"always","announce":true}`},
	} {
		if _, err := a.Features.Configure(ctx, admin, c.owner, c.code, []byte(c.body)); err != nil {
			t.Fatalf("configure %s: %v", c.code, err)
		}
	}
	sw, _, err := a.Calls.CreateSwitch(ctx, env.Actor("operator"), calls.SwitchCreateRequest{Name: "gen", Format: "freeswitch-json"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	calls.WriteTraffic(&buf, []string{"+441134960011", "+442079460012"}, calls.GenerateOptions{Calls: 500, Days: 40, End: time.Now().Add(-time.Minute), Seed: 11}, time.UTC)
	if rep, err := a.Calls.Ingest(ctx, sw, calls.SourceCommand, "test", "", &buf); err != nil || rep.Accepted != 500 {
		t.Fatalf("ingest: %+v %v", rep, err)
	}
}

// dashShots saves the page at 1366 and 390 px to the test's directory
// and, for a person to look at, /tmp/dash-<name>-<width>.png; neither
// width may scroll sideways.
func dashShots(b tab, name string) {
	b.t.Helper()
	for _, w := range []struct {
		px  string
		set chromedp.Action[chromedp.Void]
	}{{"1366", widths[0].set}, {"390", widths[1].set}} {
		b.do(w.px+" px", w.set)
		noSideways(b, name+" at "+w.px+" px")
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		file := "dash-" + name + "-" + w.px + ".png"
		b.save(file, png)
		if err := os.WriteFile(filepath.Join(os.TempDir(), file), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("desktop width", widths[0].set)
}

// relogin logs the tab out and in as username: one browser serves the
// whole test (starting Chromium is the slow part on a small machine).
func relogin(b tab, username string) tab {
	b.t.Helper()
	b.do("log out and in as "+username,
		chromedp.Click(chromedp.CSS(`button.btn-logout`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), username),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`header.topbar`)),
	)
	return b
}

// TestBrowserDashboards: Leeds's group administrator lands on the site's
// dashboard after the login and sees its employees, call groups (Create
// new opens the feature's configuration), the month's calls, the feature
// summary and Voice Recording; a company administrator opens an
// employee's dashboard from their page; the employee opens their own from
// self-care and sees their missed, dialled and received calls in the zone
// they chose.
func TestBrowserDashboards(t *testing.T) {
	db := storetest.SQLite(t)
	env := apptest.New(t, db)
	seedDashboards(t, env, db)
	f := env.Fixture
	leeds := "/sites/" + id(f.Leeds.ID)

	ga := loginTab(t, env, "leeds.admin")
	ga.do("landing", chromedp.WaitVisible(chromedp.CSS(`#site-calls`)))
	if loc := ga.location(); loc != leeds {
		t.Fatalf("leeds.admin landed on %s, want %s", loc, leeds)
	}
	stat := func(b tab, name string) string { return b.text(chromedp.CSS(`[data-stat=` + name + `]`)) }
	if got := stat(ga, "employees"); got != "2" {
		t.Errorf("active employees %q, want 2", got)
	}
	if got := stat(ga, "hunt_groups"); got != "2" || !strings.Contains(ga.text(chromedp.CSS(`#tile-hunt-groups`)), "Support line") {
		t.Errorf("hunt groups tile: %q", ga.text(chromedp.CSS(`#tile-hunt-groups`)))
	}
	if got := stat(ga, "recorded"); got != "1" {
		t.Errorf("recorded employees %q, want 1", got)
	}
	if n := eval[int](ga, `document.querySelectorAll('#site-calls circle.dot').length`); n < 28 || n > 31 {
		t.Errorf("the month's graph has %d days", n)
	}
	var total int64
	now := time.Now().UTC()
	if err := db.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM calls WHERE site_id = ? AND start_at >= ?",
		f.Leeds.ID, time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli()).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if got := stat(ga, "calls"); got != fmt.Sprint(total) {
		t.Errorf("the month's calls read %q, the table holds %d", got, total)
	}
	ga.do("recording details", chromedp.Click(chromedp.CSS(`#site-recording-details summary`)),
		chromedp.WaitVisible(`//details[@id="site-recording-details"]//a[contains(., "Wendy West")]`))
	dashShots(ga, "site")
	ga.do("create a call centre", chromedp.Click(chromedp.CSS(`#create-call-centre`)),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)))
	if loc := ga.location(); loc != leeds+"/features/call_centre" {
		t.Errorf("Create new opened %s", loc)
	}
	ga.do("back to the dashboard", chromedp.Navigate(ga.base+leeds), chromedp.WaitVisible(chromedp.CSS(`#dash-call-logs`)),
		chromedp.Click(chromedp.CSS(`#dash-call-logs`)), chromedp.WaitVisible(chromedp.CSS(`#cl-summary`)))
	if got := ga.text(chromedp.CSS(`#cl-summary`)); !strings.HasPrefix(got, "Leeds") {
		t.Errorf("the dashboard's Call Logs link shows %q, want Leeds's calls", got)
	}

	ca := relogin(ga, "acme.admin")
	west := "/employees/" + id(env.ID("west.one"))
	ca.do("west.one's page", chromedp.Navigate(ca.base+west), chromedp.WaitVisible(`//nav[@aria-label="Employees"]//a[normalize-space()="Dashboard"]`),
		chromedp.Click(`//nav[@aria-label="Employees"]//a[normalize-space()="Dashboard"]`), chromedp.WaitVisible(chromedp.CSS(`#recent-missed`)))
	for _, l := range []string{"missed", "dialled", "received"} {
		if n := eval[int](ca, `document.querySelectorAll('#recent-`+l+` tbody tr').length`); n != calls.RecentShown {
			t.Errorf("%s calls: %d rows, want %d", l, n, calls.RecentShown)
		}
	}
	if got := ca.text(chromedp.CSS(`#emp-feature-links li:first-child`)); !strings.HasPrefix(got, "Call Recording") {
		t.Errorf("the first quick link is %q, want the configured Call Recording", got)
	}

	emp := relogin(ca, "west.one")
	emp.do("own dashboard", chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="My Dashboard"]`),
		chromedp.WaitVisible(chromedp.CSS(`#recent-received`)),
		chromedp.SetValue(chromedp.CSS(`#dash-tz`), "America/New_York"),
		chromedp.Submit(chromedp.CSS(`#dash-tz`)))
	emp.waitFor("tz=America")
	emp.do("zone", chromedp.WaitVisible(chromedp.CSS(`#recent-received`)))
	if got := emp.text(chromedp.CSS(`#recent-dialled tbody tr td:last-child`)); !strings.HasSuffix(got, "EST") && !strings.HasSuffix(got, "EDT") {
		t.Errorf("a dialled call's time reads %q, want New York time", got)
	}
	dashShots(emp, "employee")
}
