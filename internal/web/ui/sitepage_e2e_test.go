package ui_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// siteSideLabels is the site side bar as the user reads it.
const siteSideLabels = "Site Selection|Dashboard|Profile|Numbers|Extension Policy|Package & Limit|Device Types|Devices|Features|Call Logs"

// eval runs a script in the tab and returns its value.
func eval[T any](b tab, script string) T {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[T](script))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", script, err)
	}
	return v
}

// noSideways fails when the page scrolls sideways.
func noSideways(b tab, what string) {
	b.t.Helper()
	if eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth`) {
		b.t.Errorf("%s scrolls sideways (%d px wide in %d)", what,
			eval[int](b, `document.documentElement.scrollWidth`), eval[int](b, `window.innerWidth`))
	}
}

// tapTargets are the links and buttons a finger aims at on a phone; links
// inside a sentence are read, not aimed at, and are left out (as WCAG's
// target-size rule leaves them out).
const tapTargets = `nav.side a, .tabs a, main .btn, main .tile-link, main table.stack td a, main .pager a`

// smallTargets lists the visible tap targets in selector that are less
// than 40 CSS pixels tall, so a finger cannot hit them.
func smallTargets(b tab, selector string) string {
	b.t.Helper()
	return eval[string](b, fmt.Sprintf(`[...document.querySelectorAll(%q)].filter(e => e.offsetParent !== null && e.getBoundingClientRect().height < 40)
		.map(e => e.textContent.trim() + ' (' + Math.round(e.getBoundingClientRect().height) + ' px)').join(', ')`, selector))
}

// screens saves the phone's screen at the top of the page and scrolled to
// each of the elements named, so a person can look at them at full size
// (a whole page of a phone is too tall to read as one picture).
func screens(b tab, name string, ids ...string) {
	b.t.Helper()
	for i, at := range append([]string{""}, ids...) {
		if at != "" {
			eval[bool](b, fmt.Sprintf(`document.getElementById(%q).scrollIntoView(); true`, at))
		}
		png, err := chromedp.Run(b.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		b.save(fmt.Sprintf("%s-screen%d.png", name, i+1), png)
	}
	eval[bool](b, `window.scrollTo(0, 0); true`)
}

// walkSiteBar clicks every section of the site side bar, checking each
// opens its own page with the section marked current, fits the screen
// and has a side bar a finger can use.
func walkSiteBar(b tab, who string, siteID int64) {
	b.t.Helper()
	if got := eval[string](b, `[...document.querySelectorAll('nav.side a')].map(a => a.textContent.trim()).join('|')`); got != siteSideLabels {
		b.t.Fatalf("%s: the site side bar reads %q, want %q", who, got, siteSideLabels)
	}
	base := "/sites/" + id(siteID)
	for _, s := range sitePaths {
		b.do(who+" "+s.label,
			chromedp.Click(fmt.Sprintf(`//nav[@aria-label="Site"]//a[normalize-space()=%q]`, s.label)),
			chromedp.WaitVisible(fmt.Sprintf(`//nav[@aria-label="Site"]//a[@aria-current="page" and normalize-space()=%q]`, s.label)),
		)
		if loc := b.location(); loc != base+s.path {
			b.t.Errorf("%s: %s opened %s, want %s", who, s.label, loc, base+s.path)
		}
		if h := b.text(chromedp.CSS(`main h1`)); h == "" || strings.Contains(h, "not found") || strings.Contains(h, "Not allowed") {
			b.t.Errorf("%s: %s shows %q", who, s.label, h)
		}
		noSideways(b, who+"'s "+s.label)
		if small := smallTargets(b, `nav.side a`); small != "" && eval[int](b, `window.innerWidth`) <= 640 {
			b.t.Errorf("%s: side bar links too small to tap: %s", who, small)
		}
	}
}

// TestBrowserSiteArea: a company administrator opens a site from Site
// Selection and walks its side bar; the site's group administrator lands
// on the site's dashboard after the login and walks the same bar. The site
// dashboard is looked at on a desktop and a phone: no sideways scrolling,
// no link too small to tap.
func TestBrowserSiteArea(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	f := env.Fixture
	activateWest(t, env)
	leeds := "/sites/" + id(f.Leeds.ID)

	ca := loginTab(t, env, "acme.admin")
	ca.do("site selection",
		chromedp.Click(`//nav[@aria-label="Main"]//a[normalize-space()="Sites"]`),
		chromedp.WaitVisible(`//h1[normalize-space()="Site Selection"]`),
		chromedp.Click(`//main//table//a[normalize-space()="Leeds"]`),
		chromedp.WaitVisible(chromedp.CSS(`#tile-site-employees`)),
	)
	if loc := ca.location(); loc != leeds {
		t.Fatalf("Leeds in Site Selection opened %s, want %s", loc, leeds)
	}
	walkSiteBar(ca, "acme.admin", f.Leeds.ID)

	// The group administrator works on a phone.
	ga := loginTab(t, env, "leeds.admin")
	ga.do("landing", widths[1].set, chromedp.WaitVisible(chromedp.CSS(`#tile-site-employees`)))
	if loc := ga.location(); loc != leeds {
		t.Fatalf("leeds.admin landed on %s, want %s", loc, leeds)
	}
	if got := ga.text(chromedp.CSS(`[data-stat=employees]`)); got != "1" {
		t.Errorf("leeds.admin's dashboard counts %q employees, want 1", got)
	}
	walkSiteBar(ga, "leeds.admin", f.Leeds.ID)
	ga.shot("sitepage-site-devices-groupadmin-phone.png")

	for _, w := range widths {
		ca.do("site dashboard "+w.name, w.set, chromedp.Navigate(ca.base+leeds), chromedp.WaitVisible(chromedp.CSS(`#site-activity`)))
		noSideways(ca, "the site dashboard at "+w.name+" width")
		if w.name == "phone" {
			if small := smallTargets(ca, tapTargets); small != "" {
				t.Errorf("links too small to tap on a phone: %s", small)
			}
		}
		ca.shot("sitepage-site-dashboard-" + w.name + ".png")
		if w.name == "phone" {
			screens(ca, "sitepage-site-dashboard-phone", "tile-site-numbers", "site-activity")
		}
		ga.do("group admin site dashboard "+w.name, w.set, chromedp.Navigate(ga.base+leeds), chromedp.WaitVisible(chromedp.CSS(`#tile-site-numbers`)))
		noSideways(ga, "the group admin's site dashboard at "+w.name+" width")
		ga.shot("sitepage-site-dashboard-groupadmin-" + w.name + ".png")
	}
	// View all: the audit log of the site.
	ca.do("view all",
		chromedp.Click(chromedp.CSS(`#site-activity-all`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-site`)),
	)
	if loc := ca.location(); loc != "/companies/"+id(f.Acme.ID)+"/audit?site_id="+id(f.Leeds.ID) {
		t.Errorf("View all opened %s", loc)
	}
	noSideways(ca, "the site's audit log on a phone")
	ca.shot("sitepage-site-audit-phone.png")
}

// TestBrowserCompanyDashboard: a company nobody has been activated at
// opens with the getting-started steps; Recent Activity shows the ten
// newest changes and View all opens the paged audit log. Once someone is
// activated the help moves below the activity. Looked at on a desktop and
// a phone: no sideways scrolling, and the page stays short.
func TestBrowserCompanyDashboard(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	f := env.Fixture
	ctx := context.Background()
	// Sixty changes: more than the dashboard shows, and more than a page
	// of the audit log.
	for i := range 60 {
		name := fmt.Sprintf("Wendy %d", i)
		if _, err := env.App.Directory.ModifyEmployee(ctx, env.Actor("acme.admin"), env.ID("west.one"), directory.EmployeeUpdateRequest{FirstName: &name}); err != nil {
			t.Fatal(err)
		}
	}
	b := loginTab(t, env, "acme.admin")
	order := func() string {
		t.Helper()
		return eval[string](b, `[...document.querySelectorAll('main > .page-head, main > section, main > .tiles')].map(e => e.id || e.className).join(' ')`)
	}
	for _, w := range widths {
		b.do("dashboard "+w.name, w.set, chromedp.Navigate(b.base+"/"), chromedp.WaitVisible(chromedp.CSS(`#recent-activity`)))
		if got := order(); !strings.HasPrefix(got, "page-head get-started tiles") {
			t.Errorf("%s: a new company's dashboard reads %q, want the getting-started steps first", w.name, got)
		}
		if got := b.text(chromedp.CSS(`#get-started`)); !strings.Contains(got, "Nobody at Acme") || !strings.Contains(got, "Activate employees") {
			t.Errorf("%s: getting started says %q", w.name, got)
		}
		if n := eval[int](b, `document.querySelectorAll('#recent-activity tbody tr').length`); n != 10 {
			t.Errorf("%s: Recent Activity shows %d rows, want 10", w.name, n)
		}
		noSideways(b, "the company dashboard at "+w.name+" width")
		if w.name == "phone" {
			if small := smallTargets(b, tapTargets); small != "" {
				t.Errorf("links too small to tap on a phone: %s", small)
			}
		}
		// The page is a dashboard, not a log: it fits a few screens.
		if h := eval[int](b, `document.documentElement.scrollHeight`); h > 4000 {
			t.Errorf("%s: the dashboard is %d px tall", w.name, h)
		}
		b.shot("sitepage-company-dashboard-" + w.name + ".png")
		if w.name == "phone" {
			screens(b, "sitepage-company-dashboard-phone", "tile-sites", "recent-activity")
		}
	}
	b.do("view all",
		chromedp.Click(chromedp.CSS(`#activity-all`)),
		chromedp.WaitVisible(`//h1[normalize-space()="Audit Log"]`),
	)
	if loc := b.location(); loc != "/companies/"+id(f.Acme.ID)+"/audit" {
		t.Errorf("View all opened %s", loc)
	}
	if pager := b.text(chromedp.CSS(`.pager`)); !strings.Contains(pager, "page 1 of") || !strings.Contains(pager, "Next") {
		t.Errorf("the audit log is not paged: %q", pager)
	}

	// Once somebody is activated, the help goes to the bottom.
	activateWest(t, env)
	for _, w := range widths {
		b.do("dashboard after activation "+w.name, w.set, chromedp.Navigate(b.base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#recent-activity`)))
		if got := order(); !strings.HasPrefix(got, "page-head tiles") || !strings.HasSuffix(got, "recent-activity get-started") {
			t.Errorf("%s: an established company's dashboard reads %q, want the help last", w.name, got)
		}
		if got := b.text(chromedp.CSS(`#get-started`)); strings.Contains(got, "Nobody at") {
			t.Errorf("%s: an established company is told nobody is activated: %q", w.name, got)
		}
		// The activation's entries name Leeds, a link to its pages.
		if n := eval[int](b, `document.querySelectorAll('#recent-activity td[data-label=Site] a[href="/sites/`+id(f.Leeds.ID)+`"]').length`); n == 0 {
			t.Errorf("%s: Recent Activity does not link Leeds", w.name)
		}
		noSideways(b, "the established company's dashboard at "+w.name+" width")
		if small := smallTargets(b, tapTargets); small != "" && w.name == "phone" {
			t.Errorf("links too small to tap on a phone: %s", small)
		}
		b.shot("sitepage-company-dashboard-established-" + w.name + ".png")
	}
}
