package ui_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web/request"
	"github.com/switchboard-voice/switchboard/internal/web/ui"
)

// browser is a cookie-keeping client that does not follow redirects, so
// tests see each redirect.
type browser struct {
	t    *testing.T
	env  *apptest.Env
	c    *http.Client
	csrf string
}

func newBrowser(t *testing.T, env *apptest.Env) *browser {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, env: env, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	Status   int
	Location string
	Body     string
	Header   http.Header
}

func (b *browser) do(req *http.Request) page {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	p := page{Status: res.StatusCode, Location: res.Header.Get("Location"), Body: string(body), Header: res.Header}
	if m := csrfRE.FindStringSubmatch(p.Body); m != nil {
		b.csrf = m[1]
	}
	return p
}

var (
	csrfRE      = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)
	loginCSRFRE = regexp.MustCompile(`name="login_csrf" value="([^"]+)"`)
)

func (b *browser) get(path string) page {
	b.t.Helper()
	req, err := http.NewRequest("GET", b.env.Server.URL+path, nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return b.do(req)
}

// post sends a form; the session's CSRF token is added unless vals has one
// or noCSRF is set.
func (b *browser) post(path string, vals url.Values, noCSRF bool) page {
	b.t.Helper()
	if vals == nil {
		vals = url.Values{}
	}
	if !noCSRF && vals.Get("csrf_token") == "" && b.csrf != "" {
		vals.Set("csrf_token", b.csrf)
	}
	req, err := http.NewRequest("POST", b.env.Server.URL+path, strings.NewReader(vals.Encode()))
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// login logs username in through the login form.
func (b *browser) login(username string, remember bool) page {
	b.t.Helper()
	lp := b.get("/login")
	m := loginCSRFRE.FindStringSubmatch(lp.Body)
	if m == nil {
		b.t.Fatalf("login page has no login_csrf field:\n%s", lp.Body)
	}
	vals := url.Values{"login_csrf": {m[1]}, "username": {username}, "password": {apptest.Password}}
	if remember {
		vals.Set("remember_me", "1")
	}
	p := b.post("/login", vals, true)
	if p.Status != http.StatusSeeOther {
		b.t.Fatalf("login %s: status %d\n%s", username, p.Status, p.Body)
	}
	// Load a page to pick up the session's CSRF token.
	b.get("/employees")
	return p
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestTemplatesParse(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	if _, err := ui.New(env.App); err != nil {
		t.Fatal(err)
	}
}

func TestLoginSetsSessionCookie(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	lp := b.get("/login")
	m := loginCSRFRE.FindStringSubmatch(lp.Body)
	if lp.Status != http.StatusOK || m == nil {
		t.Fatalf("login page: %d", lp.Status)
	}
	p := b.post("/login", url.Values{"login_csrf": {m[1]}, "username": {"acme.admin"}, "password": {apptest.Password}, "remember_me": {"1"}}, true)
	if p.Status != http.StatusSeeOther || p.Location != "/" {
		t.Fatalf("login: %d %q", p.Status, p.Location)
	}
	var sess *http.Cookie
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == request.SessionCookie {
			sess = c
		}
	}
	if sess == nil || sess.Value == "" || !sess.HttpOnly || sess.Expires.IsZero() {
		t.Fatalf("session cookie: %+v", sess)
	}
	home := b.get("/")
	if home.Status != http.StatusOK || !strings.Contains(home.Body, "Company dashboard") {
		t.Fatalf("dashboard after login: %d\n%s", home.Status, home.Body)
	}
}

func TestLoginErrors(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	token := func() string {
		return loginCSRFRE.FindStringSubmatch(b.get("/login").Body)[1]
	}
	wrong := b.post("/login", url.Values{"login_csrf": {token()}, "username": {"acme.admin"}, "password": {"nope"}}, true)
	unknown := b.post("/login", url.Values{"login_csrf": {token()}, "username": {"nobody.here"}, "password": {"nope"}}, true)
	for _, p := range []page{wrong, unknown} {
		if p.Status != http.StatusUnauthorized || !strings.Contains(p.Body, "The username or password is not correct.") {
			t.Fatalf("bad login: %d\n%s", p.Status, p.Body)
		}
	}
	// Without the double-submit cookie's value the form is refused.
	p := b.post("/login", url.Values{"login_csrf": {"forged"}, "username": {"acme.admin"}, "password": {apptest.Password}}, true)
	if p.Status != http.StatusForbidden {
		t.Fatalf("login without login CSRF: %d", p.Status)
	}
	for _, c := range (&http.Response{Header: p.Header}).Cookies() {
		if c.Name == request.SessionCookie && c.Value != "" {
			t.Fatal("a login without its CSRF token set a session cookie")
		}
	}
}

func TestLoginNextOnlyLocal(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	for next, want := range map[string]string{
		"/groups?q=Sales":        "/groups?q=Sales",
		"//evil.example/":        "/",
		"https://evil.example/x": "/",
		"/\\evil.example":        "/",
		"/logout":                "/",
	} {
		b := newBrowser(t, env)
		lp := b.get("/login?next=" + url.QueryEscape(next))
		m := loginCSRFRE.FindStringSubmatch(lp.Body)
		nm := regexp.MustCompile(`name="next" value="([^"]*)"`).FindStringSubmatch(lp.Body)
		p := b.post("/login", url.Values{"login_csrf": {m[1]}, "next": {htmlUnescape(nm[1])}, "username": {"acme.admin"}, "password": {apptest.Password}}, true)
		if p.Location != want {
			t.Errorf("next %q: redirected to %q, want %q", next, p.Location, want)
		}
	}
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&amp;", "&", "&#43;", "+", "&#39;", "'", "&#34;", `"`, "&lt;", "<", "&gt;", ">").Replace(s)
}

func TestAnonymousRedirectsToLogin(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	p := b.get("/groups?q=Sales")
	if p.Status != http.StatusSeeOther || p.Location != "/login?next="+url.QueryEscape("/groups?q=Sales") {
		t.Fatalf("anonymous /groups: %d %q", p.Status, p.Location)
	}
	if p := b.get("/"); p.Status != http.StatusSeeOther || p.Location != "/login" {
		t.Fatalf("anonymous /: %d %q", p.Status, p.Location)
	}
}

func TestPostWithoutCSRFIsForbidden(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	f := env.Fixture
	p := b.post("/groups/"+id(f.Sales.ID)+"/members", url.Values{"shown": {id(env.ID("london.one"))}, "linked": {id(env.ID("london.one"))}}, true)
	if p.Status != http.StatusForbidden {
		t.Fatalf("POST without CSRF: %d", p.Status)
	}
	p = b.post("/groups/"+id(f.Sales.ID)+"/members", url.Values{"csrf_token": {"wrong"}, "shown": {id(env.ID("london.one"))}, "linked": {id(env.ID("london.one"))}}, true)
	if p.Status != http.StatusForbidden {
		t.Fatalf("POST with a wrong CSRF token: %d", p.Status)
	}
	if p := b.post("/logout", nil, true); p.Status != http.StatusForbidden {
		t.Fatalf("logout without CSRF: %d", p.Status)
	}
	members, err := env.App.Directory.GroupMembers(context.Background(), f.Sales.ID, allScope(env), directory.LinkLinked, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range members {
		if m.Username == "london.one" {
			t.Fatal("a POST without CSRF token changed the group")
		}
	}
}

func TestLogoutEndsSession(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	var token string
	u, _ := url.Parse(env.Server.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == request.SessionCookie {
			token = c.Value
		}
	}
	if p := b.post("/logout", nil, false); p.Status != http.StatusSeeOther || p.Location != "/login" {
		t.Fatalf("logout: %d %q", p.Status, p.Location)
	}
	if _, _, err := env.App.Identity.SessionByToken(context.Background(), token); err == nil {
		t.Fatal("the session still exists after logout")
	}
	if p := b.get("/employees"); p.Status != http.StatusSeeOther {
		t.Fatalf("page after logout: %d", p.Status)
	}
}

func TestGroupAdminSeesOnlySubtree(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	f := env.Fixture
	b := newBrowser(t, env)
	b.login("sales.admin", false)
	if p := b.get("/"); p.Status != http.StatusSeeOther || p.Location != "/groups" {
		t.Fatalf("sales.admin landing: %d %q", p.Status, p.Location)
	}
	p := b.get("/groups")
	if p.Status != http.StatusOK {
		t.Fatalf("groups: %d", p.Status)
	}
	for _, want := range []string{"Leeds/Sales", "Leeds/Sales/Sales West"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("sales.admin's Group Selection lacks %s", want)
		}
	}
	for _, not := range []string{"Support", "London", "Reading", ">Company<"} {
		if strings.Contains(p.Body, not) {
			t.Errorf("sales.admin's Group Selection shows %s", not)
		}
	}
	for _, g := range []int64{f.Leeds.ID, f.Support.ID, f.London.ID, f.Reading.ID} {
		if p := b.get("/groups/" + id(g)); p.Status != http.StatusNotFound {
			t.Errorf("sales.admin GET /groups/%d: %d", g, p.Status)
		}
	}
	if p := b.get("/groups/" + id(f.SalesWest.ID)); p.Status != http.StatusOK {
		t.Errorf("sales.admin GET Sales West: %d", p.Status)
	}
	// The Company dashboard is not theirs: /dashboard sends them where
	// they start instead of refusing.
	if p := b.get("/dashboard"); p.Status != http.StatusSeeOther || p.Location != "/groups" {
		t.Errorf("group admin dashboard: %d %q", p.Status, p.Location)
	}
	emps := b.get("/employees")
	if !strings.Contains(emps.Body, "west.one") || strings.Contains(emps.Body, "support.one") || strings.Contains(emps.Body, "london.one") {
		t.Errorf("sales.admin's employee list is not limited to the subtree:\n%s", emps.Body)
	}

	lb := newBrowser(t, env)
	lb.login("leeds.admin", false)
	if p := lb.get("/"); p.Location != "/sites/"+id(f.Leeds.ID) {
		t.Fatalf("leeds.admin landing: %q", p.Location)
	}
	sites := lb.get("/sites")
	if !strings.Contains(sites.Body, ">Leeds<") || strings.Contains(sites.Body, "London") {
		t.Errorf("leeds.admin's sites:\n%s", sites.Body)
	}
}

func TestOtherCompanyIsNotFound(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	f := env.Fixture
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	other := b.get("/groups/" + id(f.Reading.ID))
	missing := b.get("/groups/987654")
	if other.Status != http.StatusNotFound || missing.Status != http.StatusNotFound {
		t.Fatalf("statuses: other company %d, missing %d", other.Status, missing.Status)
	}
	if other.Body != missing.Body {
		t.Fatal("another company's group page differs from a missing group's page")
	}
	for _, path := range []string{
		"/employees/" + id(env.ID("globex.one")),
		"/groups/" + id(f.Reading.ID) + "/members",
		"/dashboard?company_id=" + id(f.Globex.ID),
		"/employees?company_id=" + id(f.Globex.ID),
		"/employees?company_id=987654",
	} {
		if p := b.get(path); p.Status != http.StatusNotFound {
			t.Errorf("acme.admin GET %s: %d", path, p.Status)
		}
	}
	if strings.Contains(other.Body, "Reading") || strings.Contains(other.Body, "Globex") {
		t.Fatal("the 404 page names the other company's data")
	}
}

func TestOperatorOpensCustomer(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("operator", false)
	home := b.get("/")
	if home.Status != http.StatusOK || !strings.Contains(home.Body, "Acme Ltd") || !strings.Contains(home.Body, "Globex plc") {
		t.Fatalf("operator landing: %d", home.Status)
	}
	dash := b.get("/dashboard?company_id=" + id(env.Fixture.Acme.ID))
	if dash.Status != http.StatusOK || !strings.Contains(dash.Body, "/groups?company_id="+id(env.Fixture.Acme.ID)) {
		t.Fatalf("operator dashboard: %d", dash.Status)
	}
	if p := b.get("/groups"); p.Status != http.StatusSeeOther || p.Location != "/customers" {
		t.Fatalf("operator without company: %d %q", p.Status, p.Location)
	}
}

func TestEmployeeSeesOwnProfile(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("west.one", false)
	self := "/employees/" + id(env.ID("west.one"))
	if p := b.get("/"); p.Location != "/account" { // the account area (account.go)
		t.Fatalf("employee landing: %q", p.Location)
	}
	// The old "My profile" is the account area now.
	if p := b.get(self); p.Status != http.StatusMovedPermanently || p.Location != "/account" {
		t.Fatalf("own profile: %d %q", p.Status, p.Location)
	}
	if p := b.get("/employees/" + id(env.ID("support.one"))); p.Status != http.StatusNotFound {
		t.Fatalf("another employee: %d", p.Status)
	}
}

func TestStaticAndManifest(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	m := b.get("/manifest.webmanifest")
	if m.Status != http.StatusOK || !strings.Contains(m.Body, `"display":"standalone"`) || !strings.Contains(m.Body, "icon-192.png") {
		t.Fatalf("manifest: %d %s", m.Status, m.Body)
	}
	for _, f := range []string{"/static/app.css", "/static/icon.svg", "/static/icon-192.png", "/static/icon-512.png"} {
		p := b.get(f)
		if p.Status != http.StatusOK || p.Header.Get("Cache-Control") == "" {
			t.Errorf("%s: %d cache %q", f, p.Status, p.Header.Get("Cache-Control"))
		}
	}
	if p := b.get("/static/icon-192.png"); !strings.HasPrefix(p.Body, "\x89PNG") {
		t.Error("icon-192.png is not a PNG")
	}
}

func allScope(env *apptest.Env) access.Scope {
	sc, _ := env.App.Access.Scope(context.Background(), env.Actor("acme.admin"))
	return sc
}

// TestFormsOnEngines drives the mutating forms on every engine.
func TestFormsOnEngines(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		b := newBrowser(t, env)
		b.login("acme.admin", false)

		// Add Group: a bad name keeps the typed values and names the field.
		bad := b.post("/groups/new", url.Values{"parent_id": {id(f.Sales.ID)}, "name": {"a/b"}, "profile.contact_email": {"boss@example.com"}}, false)
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "A group name cannot contain &#39;/&#39;") ||
			!strings.Contains(bad.Body, `value="boss@example.com"`) {
			t.Fatalf("bad group: %d\n%s", bad.Status, bad.Body)
		}
		ok := b.post("/groups/new", url.Values{"parent_id": {id(f.Sales.ID)}, "name": {"Inside Sales"}}, false)
		if ok.Status != http.StatusSeeOther {
			t.Fatalf("create group: %d\n%s", ok.Status, ok.Body)
		}
		gid, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(ok.Location, "?")[0], "/groups/"), 10, 64)
		g, err := env.App.Directory.Group(ctx, gid)
		if err != nil || g.Path != "Leeds/Sales/Inside Sales" {
			t.Fatalf("created group: %+v %v", g, err)
		}

		// Group Members: tick west.one.
		west := id(env.ID("west.one"))
		p := b.post("/groups/"+id(gid)+"/members", url.Values{"shown": {west, id(env.ID("london.one"))}, "linked": {west}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("save members: %d\n%s", p.Status, p.Body)
		}
		page := b.get(p.Location)
		if !strings.Contains(page.Body, "The group&#39;s members have been updated.") {
			t.Fatalf("no success message:\n%s", page.Body)
		}
		ms, err := env.App.Directory.GroupMembers(ctx, gid, allScope(env), directory.LinkLinked, "")
		if err != nil || len(ms) != 1 || ms[0].Username != "west.one" {
			t.Fatalf("members: %+v %v", ms, err)
		}

		// Group Admins: assigning an employee is refused with the domain's reason.
		p = b.post("/groups/"+id(gid)+"/admins", url.Values{"shown": {id(env.ID("sales.admin"))}, "linked": {id(env.ID("sales.admin"))}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("save admins: %d\n%s", p.Status, p.Body)
		}
		if page := b.get(p.Location); !strings.Contains(page.Body, "The group&#39;s administrator settings have been updated.") {
			t.Fatal("no admin success message")
		}

		// Group profile: a bad e-mail is reported on its field.
		p = b.post("/groups/"+id(gid), url.Values{"profile.contact_email": {"nope"}}, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `aria-invalid="true"`) {
			t.Fatalf("bad profile: %d", p.Status)
		}

		// Add Employee: per-field errors, typed values kept, then success.
		p = b.post("/employees/new", url.Values{"username": {"bad name"}, "password": {"short"}, "password_confirm": {"other"},
			"first_name": {"Nina"}, "last_name": {""}}, false)
		for _, want := range []string{"The username cannot contain a whitespace character.",
			"The two passwords do not match.", "The surname is required.", `value="Nina"`, `id="f-password-err"`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("add employee errors lack %q", want)
			}
		}
		p = b.post("/employees/new", url.Values{"username": {"nina.new"}, "password": {"Good-Pass-1!"}, "password_confirm": {"Good-Pass-1!"},
			"first_name": {"Nina"}, "last_name": {"New"}, "role": {"group_admin"}, "group_ids": {id(f.Support.ID)}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("add employee: %d\n%s", p.Status, p.Body)
		}
		nina, _ := strconv.ParseInt(strings.TrimPrefix(strings.Split(p.Location, "?")[0], "/employees/"), 10, 64)

		// Admin Privileges of the new group admin.
		p = b.post("/employees/"+id(nina)+"/admin-privileges", url.Values{"shown": {id(f.Support.ID), id(f.London.ID)}, "linked": {id(f.Support.ID)}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("admin privileges: %d\n%s", p.Status, p.Body)
		}
		gs, err := env.App.Directory.AdminPrivileges(ctx, nina, allScope(env), directory.LinkLinked)
		if err != nil || len(gs) != 1 || gs[0].ID != f.Support.ID {
			t.Fatalf("privileges: %+v %v", gs, err)
		}

		// Delete the new group (after its confirm page).
		if p := b.get("/groups/" + id(gid) + "/delete"); p.Status != http.StatusOK {
			t.Fatalf("delete confirm: %d", p.Status)
		}
		if p := b.post("/groups/"+id(f.Sales.ID)+"/delete", nil, false); p.Status != http.StatusConflict {
			t.Fatalf("deleting a group with sub-groups: %d", p.Status)
		}
		if p := b.post("/groups/"+id(gid)+"/delete", nil, false); p.Status != http.StatusSeeOther {
			t.Fatalf("delete: %d", p.Status)
		}
	})
}

// TestForcedPasswordChange: a session whose password must change is sent to
// Change password, and works normally once it has changed.
func TestForcedPasswordChange(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	if err := env.App.Identity.RequirePasswordChange(context.Background(), env.ID("acme.admin")); err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	if p := b.get("/groups"); p.Status != http.StatusSeeOther || p.Location != "/account/password" {
		t.Fatalf("forced change: %d %q", p.Status, p.Location)
	}
	form := b.get("/account/password")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, "must be changed before you can continue") {
		t.Fatalf("password page: %d", form.Status)
	}
	bad := b.post("/account/password", url.Values{"current_password": {"wrong"}, "new_password": {"New-Pass-2026!x"}, "confirm_password": {"New-Pass-2026!x"}}, false)
	if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(bad.Body, "The current password is not correct.") {
		t.Fatalf("wrong current password: %d", bad.Status)
	}
	ok := b.post("/account/password", url.Values{"current_password": {apptest.Password}, "new_password": {"New-Pass-2026!x"}, "confirm_password": {"New-Pass-2026!x"}}, false)
	if ok.Status != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", ok.Status, ok.Body)
	}
	if p := b.get("/groups"); p.Status != http.StatusOK {
		t.Fatalf("after change: %d %q", p.Status, p.Location)
	}
}

// tryLogin posts the login form with any password and returns the answer.
func (b *browser) tryLogin(username, password string) page {
	b.t.Helper()
	m := loginCSRFRE.FindStringSubmatch(b.get("/login").Body)
	if m == nil {
		b.t.Fatal("login page has no login_csrf field")
	}
	return b.post("/login", url.Values{"login_csrf": {m[1]}, "username": {username}, "password": {password}}, true)
}

// publicPost loads a public form page and posts vals with its login_csrf token.
func (b *browser) publicPost(formPath, action string, vals url.Values) page {
	b.t.Helper()
	fp := b.get(formPath)
	m := loginCSRFRE.FindStringSubmatch(fp.Body)
	if m == nil {
		b.t.Fatalf("%s has no login_csrf field: %d\n%s", formPath, fp.Status, fp.Body)
	}
	vals.Set("login_csrf", m[1])
	return b.post(action, vals, false)
}

var tokenRE = regexp.MustCompile(`token=([A-Za-z0-9_-]+)`)

// mailedToken returns the token of the newest e-mailed link to address.
func mailedToken(t *testing.T, env *apptest.Env, to string) string {
	t.Helper()
	// Reset requests are recorded and handled apart from the request.
	if _, err := env.App.Identity.ProcessResetRequests(context.Background()); err != nil {
		t.Fatal(err)
	}
	ms, _, err := env.App.Mail.Outbox(context.Background(), mail.OutboxFilter{To: to}, store.Page{PerPage: 1})
	if err != nil || len(ms) == 0 {
		t.Fatalf("no mail to %s: %v", to, err)
	}
	m := tokenRE.FindStringSubmatch(ms[0].Text)
	if m == nil {
		t.Fatalf("the mail to %s has no link:\n%s", to, ms[0].Text)
	}
	return m[1]
}

func lock(t *testing.T, env *apptest.Env, username string) {
	t.Helper()
	for i := 0; i < 3; i++ {
		_, _ = env.App.Identity.Authenticate(context.Background(), username, "wrong-password")
	}
	if st, err := env.App.Identity.SecurityStatus(context.Background(), env.Actor("operator"), env.ID(username)); err != nil || !st.Locked {
		t.Fatalf("%s is not locked: %v", username, err)
	}
}

func TestLoginShowsLockAndResetLink(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	lp := b.get("/login")
	if !strings.Contains(lp.Body, `href="/forgot-password"`) || !strings.Contains(lp.Body, "Remember me on this computer") {
		t.Fatal("the login page lacks Reset Password or Remember me")
	}
	for i := 0; i < 2; i++ {
		if p := b.tryLogin("west.one", "wrong"); p.Status != http.StatusUnauthorized || strings.Contains(p.Body, "locked-message") {
			t.Fatalf("wrong password %d: %d", i+1, p.Status)
		}
	}
	p := b.tryLogin("west.one", "wrong")
	if p.Status != http.StatusLocked || !strings.Contains(p.Body, `id="locked-message"`) || !strings.Contains(p.Body, "Account locked") ||
		!strings.Contains(p.Body, "This account is locked after too many wrong passwords") {
		t.Fatalf("third wrong password: %d\n%s", p.Status, p.Body)
	}
	// The right password is refused too while locked.
	if p := b.tryLogin("west.one", apptest.Password); p.Status != http.StatusLocked {
		t.Fatalf("right password while locked: %d", p.Status)
	}
}

func TestForgotPassword(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	form := b.get("/forgot-password")
	if form.Status != http.StatusOK || !strings.Contains(form.Body, "Enter the phone number or username for the account that requires the password reset.") ||
		!strings.Contains(form.Body, `href="/login"`) {
		t.Fatalf("form: %d\n%s", form.Status, form.Body)
	}
	known := b.publicPost("/forgot-password", "/forgot-password", url.Values{"login": {"west.one"}})
	unknown := b.publicPost("/forgot-password", "/forgot-password", url.Values{"login": {"nobody.here"}})
	for _, p := range []page{known, unknown} {
		if p.Status != http.StatusOK || !strings.Contains(p.Body, "Success") || !strings.Contains(p.Body, "Return to Login") ||
			!strings.Contains(p.Body, "We have attempted to send you a password reset email") {
			t.Fatalf("answer: %d\n%s", p.Status, p.Body)
		}
	}
	if known.Body != unknown.Body {
		t.Fatal("the answer for an existing account differs from an unknown one")
	}
	mailedToken(t, env, "west.one@example.com")

	// Failure paths: no double-submit token, no login.
	if p := b.post("/forgot-password", url.Values{"login_csrf": {"forged"}, "login": {"west.one"}}, true); p.Status != http.StatusForbidden {
		t.Fatalf("without the form token: %d", p.Status)
	}
	if p := b.publicPost("/forgot-password", "/forgot-password", url.Values{"login": {""}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Enter your phone number or username.") {
		t.Fatalf("empty login: %d", p.Status)
	}

	// A logged-in browser posts it with its session's CSRF token as well.
	lb := newBrowser(t, env)
	lb.login("acme.admin", false)
	if p := lb.publicPost("/forgot-password", "/forgot-password", url.Values{"login": {"nobody"}}); p.Status != http.StatusOK {
		t.Fatalf("logged-in request: %d\n%s", p.Status, p.Body)
	}
}

func TestResetPasswordLink(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	lock(t, env, "west.one")
	if err := env.App.Identity.RequestPasswordReset(ctx, "west.one"); err != nil {
		t.Fatal(err)
	}
	token := mailedToken(t, env, "west.one@example.com")
	b := newBrowser(t, env)
	if p := b.get("/reset-password?token=not-a-token"); p.Status != http.StatusGone || !strings.Contains(p.Body, "Ask for a new link") {
		t.Fatalf("bad token: %d\n%s", p.Status, p.Body)
	}
	form := "/reset-password?token=" + token
	p := b.get(form)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Confirm new password") || !strings.Contains(p.Body, "Not contain a numeric sequence") ||
		!strings.Contains(p.Body, "Have at least 1 uppercase letter.") {
		t.Fatalf("form: %d\n%s", p.Status, p.Body)
	}
	p = b.publicPost(form, "/reset-password", url.Values{"token": {token}, "new_password": {"Abc-1234-x"}, "confirm_password": {"Other-1"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-confirm-password-err"`) {
		t.Fatalf("mismatch: %d", p.Status)
	}
	p = b.publicPost(form, "/reset-password", url.Values{"token": {token}, "new_password": {"abc1234!"}, "confirm_password": {"abc1234!"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-new-password-err"`) {
		t.Fatalf("weak password: %d\n%s", p.Status, p.Body)
	}
	p = b.publicPost(form, "/reset-password", url.Values{"token": {token}, "new_password": {"Wal#Good-pw9"}, "confirm_password": {"Wal#Good-pw9"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Your password has been changed successfully!") || !strings.Contains(p.Body, `href="/login"`) {
		t.Fatalf("reset: %d\n%s", p.Status, p.Body)
	}
	if st, _ := env.App.Identity.SecurityStatus(ctx, env.Actor("operator"), env.ID("west.one")); st.Locked {
		t.Error("the reset did not lift the lock")
	}
	if _, err := env.App.Identity.Authenticate(ctx, "west.one", "Wal#Good-pw9"); err != nil {
		t.Fatalf("new password: %v", err)
	}
	if p := b.get(form); p.Status != http.StatusGone {
		t.Fatalf("used link: %d", p.Status)
	}
}

func TestSecurityEmailChange(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	b := newBrowser(t, env)
	b.login("west.one", false)
	p := b.get("/account/security-email")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "west.one@example.com") || !strings.Contains(p.Body, "Email Address") ||
		!strings.Contains(p.Body, "Application password and PIN") {
		t.Fatalf("page: %d\n%s", p.Status, p.Body)
	}
	if p := b.post("/account/security-email", url.Values{"email": {"not an address"}}, false); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, `id="f-email-err"`) {
		t.Fatalf("bad address: %d", p.Status)
	}
	p = b.post("/account/security-email", url.Values{"email": {"wendy@new.example.com"}}, false)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "We have sent a confirmation link to wendy@new.example.com. Your security e-mail address changes when you follow it.") {
		t.Fatalf("request: %d\n%s", p.Status, p.Body)
	}
	token := mailedToken(t, env, "wendy@new.example.com")

	// Opening the link (as a mail scanner would) changes nothing.
	anon := newBrowser(t, env)
	link := "/confirm-email?token=" + token
	if p := anon.get(link); p.Status != http.StatusOK || !strings.Contains(p.Body, ">Confirm</button>") {
		t.Fatalf("confirm page: %d\n%s", p.Status, p.Body)
	}
	if a, _ := env.App.Identity.Account(ctx, env.ID("west.one")); a.Email != "west.one@example.com" {
		t.Fatalf("GET changed the address to %s", a.Email)
	}
	if p := anon.post("/confirm-email", url.Values{"token": {token}, "login_csrf": {"forged"}}, true); p.Status != http.StatusForbidden {
		t.Fatalf("confirm without the form token: %d", p.Status)
	}
	p = anon.publicPost(link, "/confirm-email", url.Values{"token": {token}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Your security e-mail address is now wendy@new.example.com.") {
		t.Fatalf("confirm: %d\n%s", p.Status, p.Body)
	}
	if a, _ := env.App.Identity.Account(ctx, env.ID("west.one")); a.Email != "wendy@new.example.com" {
		t.Fatalf("address after confirming: %s", a.Email)
	}
	if p := anon.publicPost(link, "/confirm-email", url.Values{"token": {token}}); p.Status != http.StatusGone {
		t.Fatalf("second confirm: %d", p.Status)
	}
}

func TestProfileSecurityPanel(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	west := "/employees/" + id(env.ID("west.one"))
	lock(t, env, "west.one")

	admin := newBrowser(t, env)
	admin.login("acme.admin", false)
	p := admin.get(west)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="security-panel"`) || !strings.Contains(p.Body, ">Locked</span> until") ||
		!strings.Contains(p.Body, `id="btn-unlock"`) || !strings.Contains(p.Body, `id="btn-reset"`) {
		t.Fatalf("admin's view of a locked employee: %d\n%s", p.Status, p.Body)
	}

	// A group admin may reset people in scope but never unlock.
	ga := newBrowser(t, env)
	ga.login("sales.admin", false)
	p = ga.get(west)
	if p.Status != http.StatusOK || strings.Contains(p.Body, `id="btn-unlock"`) || !strings.Contains(p.Body, `id="btn-reset"`) {
		t.Fatalf("group admin's view: %d", p.Status)
	}
	if p := ga.get(west + "/force-unlock"); p.Status != http.StatusForbidden {
		t.Fatalf("group admin's unlock page: %d", p.Status)
	}
	if p := ga.post(west+"/force-unlock", nil, false); p.Status != http.StatusForbidden {
		t.Fatalf("group admin's unlock: %d", p.Status)
	}
	// A company admin resets nobody's fellow company admin, nor their own.
	if p := admin.get("/employees/" + id(env.ID("acme.admin"))); strings.Contains(p.Body, `id="btn-reset"`) {
		t.Fatal("acme.admin is offered a reset of their own account")
	}

	// Force Unlock: confirm step, then OK.
	p = admin.get(west + "/force-unlock")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Select OK to proceed.") || !strings.Contains(p.Body, `id="btn-ok"`) {
		t.Fatalf("unlock confirm: %d\n%s", p.Status, p.Body)
	}
	p = admin.post(west+"/force-unlock", nil, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("unlock: %d\n%s", p.Status, p.Body)
	}
	if page := admin.get(p.Location); !strings.Contains(page.Body, "The account has been unlocked.") || strings.Contains(page.Body, `id="btn-unlock"`) {
		t.Fatal("no unlock message, or the button is still there")
	}
	if st, _ := env.App.Identity.SecurityStatus(ctx, env.Actor("operator"), env.ID("west.one")); st.Locked {
		t.Fatal("still locked")
	}
	if p := admin.post(west+"/force-unlock", nil, false); p.Status != http.StatusConflict || !strings.Contains(p.Body, "is not locked") {
		t.Fatalf("unlocking an unlocked account: %d", p.Status)
	}

	// Auto generate and email password.
	if p := admin.get(west + "/reset-password"); p.Status != http.StatusOK || !strings.Contains(p.Body, "west.one@example.com") {
		t.Fatalf("reset confirm: %d", p.Status)
	}
	p = admin.post(west+"/reset-password", nil, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("reset: %d\n%s", p.Status, p.Body)
	}
	if page := admin.get(p.Location); !strings.Contains(page.Body, "The password has been reset and sent to west.one@example.com.") {
		t.Fatalf("no reset message:\n%s", page.Body)
	}
	if a, _ := env.App.Identity.Account(ctx, env.ID("west.one")); !a.MustChangePassword {
		t.Fatal("after an admin reset the password need not change")
	}
}

func TestServicePasswordsPage(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("west.one", false)
	old := "/employees/" + id(env.ID("west.one")) + "/service-passwords"
	if p := b.get(old); p.Status != http.StatusMovedPermanently || p.Location != "/account/pins" {
		t.Fatalf("the old Service Passwords: %d %q", p.Status, p.Location)
	}
	self := "/account/pins"
	p := b.get(self)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "New PIN") || !strings.Contains(p.Body, `inputmode="numeric"`) ||
		!strings.Contains(p.Body, "Be 4 to 8 digits long, digits only.") {
		t.Fatalf("page: %d\n%s", p.Status, p.Body)
	}
	if p := b.post(self, url.Values{}, false); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Enter a new application password, a new PIN, or both.") {
		t.Fatalf("empty: %d", p.Status)
	}
	p = b.post(self, url.Values{"voicemail_pin": {"1234"}, "voicemail_pin_confirm": {"1234"}}, false)
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-voicemail-pin-err"`) || !strings.Contains(p.Body, "numeric sequence") {
		t.Fatalf("sequence PIN: %d\n%s", p.Status, p.Body)
	}
	p = b.post(self, url.Values{"voicemail_pin": {"2580"}, "voicemail_pin_confirm": {"2580"}, "application_password": {"App#pass-72x"}, "application_password_confirm": {"App#pass-72x"}}, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.Status, p.Body)
	}
	if page := b.get(p.Location); !strings.Contains(page.Body, "The service passwords have been changed.") {
		t.Fatal("no success message")
	}
	// Another employee's page is not found.
	if p := b.get("/employees/" + id(env.ID("support.one")) + "/service-passwords"); p.Status != http.StatusNotFound {
		t.Fatalf("another employee's service passwords: %d", p.Status)
	}
}

func TestRecentActivityAndDifference(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	// Make a change worth showing.
	p := b.post("/employees/"+id(env.ID("west.one")), url.Values{"first_name": {"Wendy"}, "last_name": {"Westwood"}, "email": {"west.one@example.com"}}, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("update: %d\n%s", p.Status, p.Body)
	}
	es, err := env.App.Audit.RecentActivity(ctx, env.Fixture.Acme.ID, 1)
	if err != nil || len(es) != 1 || es[0].Event != "Modify Employee" {
		t.Fatalf("newest activity: %+v %v", es, err)
	}
	entry := "/audit/" + id(es[0].ID)
	dash := b.get("/dashboard")
	if dash.Status != http.StatusOK || !strings.Contains(dash.Body, "Recent Activity") || !strings.Contains(dash.Body, `href="`+entry+`"`) ||
		!strings.Contains(dash.Body, "Leeds") {
		t.Fatalf("dashboard: %d\n%s", dash.Status, dash.Body)
	}
	p = b.get(entry)
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "<code>last_name</code>") || !strings.Contains(p.Body, "&#34;Westwood&#34;") ||
		!strings.Contains(p.Body, `class="json-doc"`) {
		t.Fatalf("difference: %d\n%s", p.Status, p.Body)
	}
	for _, who := range []string{"globex.admin", "sales.admin", "west.one"} {
		o := newBrowser(t, env)
		o.login(who, false)
		if p := o.get(entry); p.Status != http.StatusNotFound {
			t.Errorf("%s GET %s: %d", who, entry, p.Status)
		}
	}
	op := newBrowser(t, env)
	op.login("operator", false)
	if p := op.get(entry); p.Status != http.StatusOK || !strings.Contains(p.Body, "Back to the audit log") {
		t.Fatalf("operator: %d", p.Status)
	}
	if p := b.get("/audit/987654"); p.Status != http.StatusNotFound {
		t.Fatalf("missing entry: %d", p.Status)
	}
}

func TestProviderPages(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	acme := id(env.Fixture.Acme.ID)
	if err := env.App.Identity.RequestPasswordReset(ctx, "west.one"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Identity.ProcessResetRequests(ctx); err != nil {
		t.Fatal(err)
	}
	op := newBrowser(t, env)
	op.login("operator", false)
	home := op.get("/customers")
	for _, want := range []string{`href="/settings/security"`, `href="/mail/outbox"`, `href="/companies/` + acme + `/audit"`} {
		if !strings.Contains(home.Body, want) {
			t.Errorf("customers page lacks %s", want)
		}
	}

	// Outbox: the reset link can be read and followed.
	p := op.get("/mail/outbox")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="no-relay"`) || !strings.Contains(p.Body, "west.one@example.com") ||
		!regexp.MustCompile(`<a href="[^"]*/reset-password\?token=[^"]+">`).MatchString(p.Body) {
		t.Fatalf("outbox: %d\n%s", p.Status, p.Body)
	}
	if p := op.get("/mail/outbox?status=sent"); p.Status != http.StatusOK || strings.Contains(p.Body, "west.one@example.com") {
		t.Fatalf("outbox filtered by sent: %d", p.Status)
	}
	if p := op.get("/mail/outbox?status=bogus"); p.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad status: %d", p.Status)
	}

	// Security settings: field errors, then a save.
	p = op.get("/settings/security")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `value="240"`) || !strings.Contains(p.Body, `<option value="self_care" selected>`) {
		t.Fatalf("settings: %d\n%s", p.Status, p.Body)
	}
	good := url.Values{"admin_password_policy": {"business_portal"}, "employee_password_policy": {"business_portal"}, "lockout_threshold": {"5"},
		"lockout_window_minutes": {"60"}, "lockout_duration_minutes": {"30"}, "reset_token_ttl_minutes": {"45"}, "portal_url": {"https://portal.example.com"},
		"company_admin_self_reset": {"1"}}
	bad := url.Values{}
	for k, v := range good {
		bad[k] = v
	}
	bad.Set("lockout_threshold", "three")
	bad.Set("portal_url", "portal.example.com")
	if p := op.post("/settings/security", bad, false); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-lockout-threshold-err"`) {
		t.Fatalf("bad number: %d\n%s", p.Status, p.Body)
	}
	bad.Set("lockout_threshold", "3")
	bad.Set("lockout_window_minutes", "20000")
	if p := op.post("/settings/security", bad, false); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, `id="f-portal-url-err"`) || !strings.Contains(p.Body, `id="f-lockout-window-minutes-err"`) {
		t.Fatalf("bad settings: %d\n%s", p.Status, p.Body)
	}
	if p := op.post("/settings/security", good, false); p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.Status, p.Body)
	}
	st, err := env.App.Identity.Settings(ctx, env.Fixture.Provider.ID)
	if err != nil || st.LockoutThreshold != 5 || st.EmployeePolicy.Name != "business_portal" || !st.CompanyAdminSelfReset || st.ResetTokenTTL.Minutes() != 45 {
		t.Fatalf("settings after save: %+v %v", st, err)
	}

	// A customer's audit log, filtered.
	p = op.get("/companies/" + acme + "/audit?event=Create+Employee")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "west.one") || strings.Contains(p.Body, `data-label="Event">Create Site<`) || !strings.Contains(p.Body, `href="/audit/`) {
		t.Fatalf("audit log: %d\n%s", p.Status, p.Body)
	}
	if p := op.get("/companies/" + acme + "/audit?from=2000-01-01&to=2000-01-02"); p.Status != http.StatusOK || !strings.Contains(p.Body, "No entries match.") {
		t.Fatalf("audit log in 2000: %d", p.Status)
	}
	if p := op.get("/companies/" + acme + "/audit?from=yesterday"); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, `id="f-from-err"`) {
		t.Fatalf("bad date: %d", p.Status)
	}
	if p := op.get("/companies/987654/audit"); p.Status != http.StatusNotFound {
		t.Fatalf("missing company: %d", p.Status)
	}

	// Nobody else sees the provider pages. The audit log is the API's rule
	// (docs/security.md): a company admin reads their own company's.
	for _, who := range []string{"acme.admin", "sales.admin", "west.one"} {
		b := newBrowser(t, env)
		b.login(who, false)
		paths := []string{"/mail/outbox", "/settings/security", "/companies/" + acme + "/audit"}
		if who == "acme.admin" {
			paths = paths[:2]
			if p := b.get("/companies/" + acme + "/audit?event=Create+Employee"); p.Status != http.StatusOK || !strings.Contains(p.Body, "west.one") {
				t.Errorf("acme.admin: own company's audit log: %d", p.Status)
			}
			if p := b.get("/companies/" + id(env.Fixture.Globex.ID) + "/audit"); p.Status != http.StatusNotFound {
				t.Errorf("acme.admin: Globex's audit log: %d, want 404", p.Status)
			}
		}
		for _, path := range paths {
			if p := b.get(path); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d", who, path, p.Status)
			} else if strings.Contains(p.Body, "reset-password?token=") {
				t.Errorf("%s GET %s shows a reset link", who, path)
			}
		}
		if p := b.post("/settings/security", good, false); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
			t.Errorf("%s POST settings: %d", who, p.Status)
		}
	}
}
