package ui_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// sitePaths are the sections of a site's area, as its side bar lists them.
var sitePaths = []struct{ label, path, heading string }{
	{"Dashboard", "", "The site at a glance."},
	{"Profile", "/profile", "Created Under Group"},
	{"Numbers", "/numbers", ": Numbers"},
	{"Extension Policy", "/extension-policy", ": Extension Policy"},
	{"Package & Limit", "/service", ": Package"},
	{"Devices", "/devices", ": Devices"},
}

// Every section of a site's area opens for whoever sees the site — its
// company's and reseller's administrators, the provider, the site's group
// administrators — and is not found, exactly as a missing site, for a group
// administrator of another group, an employee and every outsider. A group
// that is no site has no site area.
func TestSiteAreaWhoSeesIt(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		leeds := "/sites/" + id(f.Leeds.ID)
		for _, who := range []string{"acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "operator", "acme.reseller"} {
			b := newBrowser(t, env)
			b.login(who, false)
			for _, s := range sitePaths {
				p := b.get(leeds + s.path)
				mustContain(t, who+" "+s.label, p, http.StatusOK, s.heading, `aria-label="Site"`, `href="`+leeds+`/devices"`)
				// The side bar lists every section, the current one marked.
				if !strings.Contains(p.Body, `href="`+leeds+s.path+`" aria-current="page">`+strings.Fields(s.label)[0]) {
					t.Errorf("%s %s: the side bar does not mark %s as current", who, s.path, s.label)
				}
			}
		}
		missing := "/sites/987654"
		for _, who := range append([]string{"sales.admin", "west.one"}, apptest.Outsiders...) {
			b := newBrowser(t, env)
			b.login(who, false)
			for _, s := range sitePaths {
				got, none := b.get(leeds+s.path), b.get(missing+s.path)
				if got.Status != http.StatusNotFound || got.Body != none.Body {
					t.Errorf("%s GET %s: %d, want the missing site's 404", who, leeds+s.path, got.Status)
				}
			}
		}
		// leeds.admin does not administer London.
		lb := newBrowser(t, env)
		lb.login("leeds.admin", false)
		for _, s := range sitePaths {
			if p := lb.get("/sites/" + id(f.London.ID) + s.path); p.Status != http.StatusNotFound {
				t.Errorf("leeds.admin GET London%s: %d", s.path, p.Status)
			}
		}
		ab := newBrowser(t, env)
		ab.login("acme.admin", false)
		for _, path := range []string{"/sites/" + id(f.Sales.ID), "/sites/" + id(f.Sales.ID) + "/profile", "/sites/0", "/sites/x/profile"} {
			if p := ab.get(path); p.Status != http.StatusNotFound {
				t.Errorf("acme.admin GET %s: %d, want 404", path, p.Status)
			}
		}
		// Site Selection opens the site's area, not the group profile.
		mustContain(t, "site selection", ab.get("/sites"), http.StatusOK, `<a href="`+leeds+`">Leeds</a>`)
	})
}

// The site's Profile is the group profile in the site's area: it saves
// through directory as under Employee Groups and comes back to the site;
// refused for a site one does not see, with nothing changed.
func TestSiteProfileSave(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		ctx := context.Background()
		profile := "/sites/" + id(f.Leeds.ID) + "/profile"
		vals := url.Values{"profile.contact_first_name": {"Nadia"}, "profile.contact_last_name": {"Hussain"},
			"profile.address.city": {"Leeds"}, "profile.contact_email": {"nadia@acme.example"}}
		lb := newBrowser(t, env)
		lb.login("leeds.admin", false)
		mustContain(t, "profile form", lb.get(profile), http.StatusOK, `action="`+profile+`"`)
		p := lb.post(profile, vals, false)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, profile+"?msg=group-updated") {
			t.Fatalf("save: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		mustContain(t, "saved", lb.get(p.Location), http.StatusOK, "profile has been updated.", `value="Nadia"`, `aria-label="Site"`)
		// A bad e-mail is shown on the site's page.
		bad := url.Values{"profile.contact_email": {"not an address"}}
		mustContain(t, "bad e-mail", lb.post(profile, bad, false), http.StatusUnprocessableEntity, `aria-label="Site"`, `action="`+profile+`"`)
		// Under Employee Groups the same profile stays there.
		mustContain(t, "group profile", lb.get("/groups/"+id(f.Leeds.ID)), http.StatusOK, `action="/groups/`+id(f.Leeds.ID)+`"`, `aria-label="Employee Groups"`,
			`<a href="/sites/`+id(f.Leeds.ID)+`" id="site-pages-link">`)
		if p := lb.get("/groups/" + id(f.Sales.ID)); strings.Contains(p.Body, `id="site-pages-link"`) {
			t.Error("a group that is no site links to site pages")
		}
		if p := lb.get(profile); strings.Contains(p.Body, `id="site-pages-link"`) {
			t.Error("the site's own profile links to the site's pages")
		}

		var others []*browser
		for _, who := range append([]string{"sales.admin"}, apptest.Outsiders...) {
			b := newBrowser(t, env)
			b.login(who, false)
			b.get("/account/password") // a page with the session's CSRF token for every role
			others = append(others, b)
		}
		before := storetest.Counts(t, db)
		for i, who := range append([]string{"sales.admin"}, apptest.Outsiders...) {
			if p := others[i].post(profile, url.Values{"profile.contact_first_name": {"Mallory"}}, false); p.Status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who, profile, p.Status)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		g, err := env.App.Directory.Group(ctx, f.Leeds.ID)
		if err != nil || g.Profile.ContactFirstName != "Nadia" {
			t.Fatalf("Leeds after refused saves: %+v %v", g.Profile, err)
		}
	})
}

// The site Dashboard counts what the site has — employees against the
// limit, devices, the pool's free and used numbers — and shows the site's
// latest audit entries with View all, the audit log filtered to the site,
// to those who read the log (not to group administrators).
func TestSiteDashboardFigures(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		ctx := context.Background()
		activateWest(t, env)
		limit := 25
		if _, err := env.App.Lifecycle.ChangeSiteLimit(ctx, env.Actor("operator"), f.Leeds.ID, &limit); err != nil {
			t.Fatal(err)
		}
		dash := "/sites/" + id(f.Leeds.ID)
		ab := newBrowser(t, env)
		ab.login("acme.admin", false)
		p := ab.get(dash)
		mustContain(t, "company admin", p, http.StatusOK,
			`data-stat="employees">1<`, `data-stat="employee_limit">25<`, "24 places left under the limit",
			`data-stat="devices">1<`, `data-stat="free_devices">0<`,
			`data-stat="numbers_free">99<`, `data-stat="numbers_used">1<`,
			`id="site-activity"`, `href="/companies/`+id(f.Acme.ID)+`/audit?site_id=`+id(f.Leeds.ID)+`"`)
		if strings.Count(p.Body, `<a href="/audit/`) == 0 || strings.Count(p.Body, `<a href="/audit/`) > 10 {
			t.Errorf("the site's recent activity shows %d entries, want 1 to 10", strings.Count(p.Body, `<a href="/audit/`))
		}
		// View all: the audit log of the site only, paged.
		all := ab.get("/companies/" + id(f.Acme.ID) + "/audit?site_id=" + id(f.Leeds.ID))
		mustContain(t, "site audit", all, http.StatusOK, `id="audit-site"`, "Showing the site Leeds only.", `name="site_id" value="`+id(f.Leeds.ID)+`"`)
		if strings.Contains(all.Body, ">London<") {
			t.Error("the site's audit log shows London's entries")
		}
		for _, bad := range []string{id(f.Reading.ID), id(f.Sales.ID), "987654", "x", "-1"} {
			if p := ab.get("/companies/" + id(f.Acme.ID) + "/audit?site_id=" + bad); p.Status != http.StatusNotFound {
				t.Errorf("audit log of site %s: %d, want 404", bad, p.Status)
			}
		}
		// The Search Tool's site opens the site's pages too.
		mustContain(t, "search tool", ab.get("/search-tool?search=1&by=number&number="+url.QueryEscape("0113 496 0085")), http.StatusOK,
			`<a href="`+dash+`">Leeds</a>`)
		// Group administrators see the figures, not the audit log.
		lb := newBrowser(t, env)
		lb.login("leeds.admin", false)
		p = lb.get(dash)
		mustContain(t, "group admin", p, http.StatusOK, `data-stat="employees">1<`, `data-stat="numbers_free">99<`)
		if strings.Contains(p.Body, `id="site-activity"`) || strings.Contains(p.Body, "/audit") {
			t.Error("a group administrator is shown the audit log")
		}
	})
}

// A group administrator starts on the dashboard of the one site they
// administer — after the login, at "/" and at /dashboard — and at Site
// Selection when they administer several; company administrators keep the
// Company dashboard.
func TestGroupAdminLandsOnTheirSite(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	f := env.Fixture
	lb := newBrowser(t, env)
	if p := lb.login("leeds.admin", false); p.Location != "/" {
		t.Fatalf("login went to %q", p.Location)
	}
	leeds := "/sites/" + id(f.Leeds.ID)
	for _, path := range []string{"/", "/dashboard"} {
		if p := lb.get(path); p.Status != http.StatusSeeOther || p.Location != leeds {
			t.Errorf("leeds.admin GET %s: %d %q, want %s", path, p.Status, p.Location, leeds)
		}
	}
	// Another company's dashboard stays not found.
	if p := lb.get("/dashboard?company_id=" + id(f.Globex.ID)); p.Status != http.StatusNotFound {
		t.Errorf("leeds.admin, Globex's dashboard: %d", p.Status)
	}
	if err := env.App.Directory.ChangeGroupAdmins(context.Background(), []directory.Link{{GroupID: f.London.ID, AccountID: env.ID("leeds.admin")}}, nil); err != nil {
		t.Fatal(err)
	}
	if p := lb.get("/"); p.Location != "/sites" {
		t.Errorf("with two sites leeds.admin lands on %q", p.Location)
	}
	ab := newBrowser(t, env)
	ab.login("acme.admin", false)
	mustContain(t, "company admin", ab.get("/"), http.StatusOK, "Company dashboard")
}

// activateWest gives the fixture its service estate (apptest.SeedService:
// Leeds has 100 numbers) and activates west.one at Leeds on 0113 496 0085
// with a soft client.
func activateWest(t *testing.T, env *apptest.Env) {
	t.Helper()
	sv := env.SeedService(t)
	req := lifecycle.ActivateRequest{SiteID: env.Fixture.Leeds.ID, UserType: lifecycle.IPCentrex, TermID: sv.Terms["Monthly"].ID,
		PackageID: sv.Packages["Basic"].ID, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: env.ID("west.one"),
			Number: "+441134960085", Extension: "2085",
			Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: sv.Types["Soft Client"].ID}}}}
	if _, err := env.App.Lifecycle.Activate(context.Background(), env.Actor("acme.admin"), 0, req); err != nil {
		t.Fatal(err)
	}
	runJobs(t, env)
}

// mainLinks are the links of a page's main part (the side bar and tabs
// are the layout's, tested elsewhere).
func mainLinks(body string) []string {
	i := strings.Index(body, `<main`)
	if i < 0 {
		return nil
	}
	var out []string
	for _, m := range hrefRE.FindAllStringSubmatch(body[i:], -1) {
		out = append(out, html.UnescapeString(m[1]))
	}
	return out
}

var hrefRE = regexp.MustCompile(`href="([^"#]+)"`)

// No dead link on the dashboards: every link of the company dashboard (a
// new company's, with the getting-started steps) and of the site dashboard
// opens a page for each role that sees it.
func TestDashboardLinksOpen(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	env.AddCast(t)
	f := env.Fixture
	acme := id(f.Acme.ID)
	for _, c := range []struct{ who, path string }{
		{"acme.admin", "/dashboard"},
		{"operator", "/dashboard?company_id=" + acme},
		{"acme.reseller", "/dashboard?company_id=" + acme},
		{"acme.admin", "/sites/" + id(f.Leeds.ID)},
		{"operator", "/sites/" + id(f.Leeds.ID)},
		{"leeds.admin", "/sites/" + id(f.Leeds.ID)},
	} {
		b := newBrowser(t, env)
		b.login(c.who, false)
		p := b.get(c.path)
		if p.Status != http.StatusOK {
			t.Fatalf("%s GET %s: %d", c.who, c.path, p.Status)
		}
		links := mainLinks(p.Body)
		if len(links) < 3 {
			t.Fatalf("%s %s: only %d links", c.who, c.path, len(links))
		}
		// Recent Activity names each entry's site with a link to it.
		if strings.HasPrefix(c.path, "/dashboard") && !slices.Contains(links, "/sites/"+id(f.Leeds.ID)) {
			t.Errorf("%s: Recent Activity does not link Leeds: %v", c.who, links)
		}
		for _, l := range links {
			if got := b.get(l); got.Status != http.StatusOK {
				t.Errorf("%s on %s: %s answers %d", c.who, c.path, l, got.Status)
			}
		}
	}
}
