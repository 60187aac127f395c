// Package ui serves Switchboard's server-rendered Business Portal: the pages
// company and group administrators (and provider operators looking at a
// customer) use in a browser.
//
// Pages are html/template files embedded with go:embed; there is no
// JavaScript build step and nothing is loaded from another origin. Handlers
// follow the API's pattern (internal/web/api): decode the form, ask access
// exactly as the matching API handler does, call one domain service, render;
// they return an error and one adapter turns it into an error page.
//
// # URLs and the company a page is about
//
// Company accounts are always pinned to their own company: every page works
// on it. Provider and reseller operators name the company with the query
// parameter company_id on company-wide pages (/dashboard, /sites,
// /employees, /groups, /service-offering, /employees/new, /groups/new);
// object pages (/groups/{id}, /employees/{id}) derive the company from the
// object after access has been checked. A company_id the caller may not see
// answers the same 404 page as one that does not exist.
//
//	GET  /login, POST /login, POST /logout
//	GET  /                      landing page, by role (see landing)
//	GET  /customers             operators: the customer list
//	GET  /dashboard             Company dashboard
//	GET  /sites                 Site Selection
//	GET  /sites/{id}            a site's Dashboard; …/profile and the site pages (site_pages.go)
//	GET  /employees             Employee Selection; /employees/new Add Employee
//	GET  /employees/{id}        Profile; …/memberships, …/admin-privileges
//	GET  /groups                Group Selection; /groups/new Add Group
//	GET  /groups/{id}           Profile; …/admins, …/members, …/delete
//	GET  /service-offering
//	GET  /account               the account area of every role (account.go):
//	                            …/password (also forced by the server), …/security-email, …/pins
//	GET  /forgot-password       public: Reset Password (always the same Success)
//	GET  /reset-password?token= public: new password from an e-mailed link
//	GET  /confirm-email?token=  public: Confirm button for a security e-mail change
//	GET  /employees/{id}/reset-password, …/force-unlock   confirm steps
//	GET  /employees/{id}/service-passwords
//	GET  /employees/{id}/delete           confirm step, then POST deletes
//	GET  /audit/{id}            View difference of an audit entry
//	GET  /companies/{id}/audit  provider operators: a customer's audit log
//	GET  /mail/outbox           provider operators: the e-mail outbox
//	GET  /settings/security     provider operators: security settings
//	GET  /manifest.webmanifest, /static/…
package ui

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

//go:embed templates static
var content embed.FS

// Pages serves the UI.
type Pages struct {
	app    *app.App
	pages  map[string]*template.Template
	static *staticFiles
}

// pageNames lists every page template a handler renders. New refuses to
// start when a template file is not listed here (an unused page) or a listed
// page has no file, so dead or missing templates never reach production.
var pageNames = []string{
	"login", "error", "customers", "dashboard", "service_offering",
	"sites", "employees", "employee_new", "employee_profile", "links",
	"groups", "group_new", "group_profile", "group_delete", "account_password",
	"forgot_password", "reset_password", "confirm_email", "public_message", "account_email",
	"employee_confirm", "service_passwords", "audit_entry", "audit_log", "outbox", "security_settings",
	"call_logs",
}

// New parses the templates and prepares the static assets.
func New(a *app.App) (*Pages, error) {
	st, err := newStaticFiles()
	if err != nil {
		return nil, fmt.Errorf("ui: static assets: %w", err)
	}
	p := &Pages{app: a, pages: map[string]*template.Template{}, static: st}
	funcs := template.FuncMap{
		"asset": st.url,
		"add":   func(a, b int) int { return a + b },
		"money": formatMoney,
		// Billing (provider_billing.go).
		"minor":        func(n int64, cur string) string { return strings.TrimPrefix(billing.FormatMinor(n, cur), cur+" ") },
		"micros":       func(m billing.Micros, cur string) string { return billing.FormatMicros(m, cur) },
		"headroom":     billing.Headroom,
		"percent":      func(bp int) string { return fmt.Sprintf("%d.%02d %%", bp/100, bp%100) },
		"trafficLabel": func(t calls.Traffic) string { return t.Label() },
		// recordingsURL is a features page's Recordings (recordings.go).
		"recordingsURL": func(featuresBase string) string { return strings.TrimSuffix(featuresBase, "/features") + "/recordings" },
		"field":         field,
		"status":        statusLabel,
		"when":          formatWhen,
		"linkify":       linkify,
		"isotime": func(t time.Time) string {
			return t.UTC().Format(time.RFC3339)
		},
		// indent is the class that indents a tree row (CSS has levels 0-8;
		// the CSP forbids inline styles).
		"indent": func(depth int) string { return fmt.Sprintf("indent-%d", min(max(depth, 0), 8)) },
		// The Visual Device Manager's keys (vdm_pages.go).
		"keyText":    keyText,
		"vdmKeyLink": vdmKeyLink,
	}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(content, "templates/layout.html", "templates/partials/*.html", "templates/audio_pick.html")
	if err != nil {
		return nil, fmt.Errorf("ui: parse layout: %w", err)
	}
	files, err := fs.Glob(content, "templates/pages/*.html")
	if err != nil {
		return nil, err
	}
	want := map[string]bool{}
	for _, n := range pageNames {
		want[n] = true
	}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if !want[name] {
			return nil, fmt.Errorf("ui: template %s is not used by any handler; remove it or add it to pageNames", f)
		}
		t, err := template.Must(base.Clone()).ParseFS(content, f)
		if err != nil {
			return nil, fmt.Errorf("ui: parse %s: %w", f, err)
		}
		p.pages[name] = t
	}
	for _, n := range pageNames {
		if p.pages[n] == nil {
			return nil, fmt.Errorf("ui: page %q has no template templates/pages/%s.html", n, n)
		}
	}
	return p, nil
}

// handlerFunc is a page handler: it renders or redirects, or returns an
// error that the adapter turns into an error page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Register adds the UI routes to mux.
func (p *Pages) Register(mux *http.ServeMux) {
	pub := func(pattern string, fn handlerFunc) { mux.HandleFunc(pattern, p.adapt(fn, true)) }
	auth := func(pattern string, fn handlerFunc) { mux.HandleFunc(pattern, p.adapt(fn, false)) }

	mux.Handle("GET /static/", p.static)
	mux.HandleFunc("GET /manifest.webmanifest", p.manifest)

	pub("GET /login", p.loginPage)
	pub("POST /login", p.loginSubmit)
	pub("POST /logout", p.logout)
	// The rate limiter counts POST /login, /forgot-password and /reset-password.
	pub("GET /forgot-password", p.forgotPassword)
	pub("POST /forgot-password", p.forgotPasswordSubmit)
	pub("GET /reset-password", p.resetPassword)
	pub("POST /reset-password", p.resetPasswordSubmit)
	pub("GET /confirm-email", p.confirmEmail)
	pub("POST /confirm-email", p.confirmEmailSubmit)

	p.registerAccount(auth)
	auth("GET /{$}", p.landing)
	auth("GET /customers", p.customers)
	auth("GET /dashboard", p.dashboard)
	auth("GET /service-offering", p.serviceOffering)
	auth("GET /sites", p.sites)

	auth("GET /employees", p.employees)
	auth("GET /employees/new", p.employeeNew)
	auth("POST /employees/new", p.employeeCreate)
	auth("GET /employees/{id}", p.employeeProfile)
	auth("POST /employees/{id}", p.employeeUpdate)
	auth("GET /employees/{id}/memberships", p.employeeMemberships)
	auth("POST /employees/{id}/memberships", p.employeeMembershipsSave)
	auth("GET /employees/{id}/admin-privileges", p.employeeAdminPrivileges)
	auth("POST /employees/{id}/admin-privileges", p.employeeAdminPrivilegesSave)
	auth("GET /employees/{id}/reset-password", p.employeeResetConfirm)
	auth("POST /employees/{id}/reset-password", p.employeeReset)
	auth("GET /employees/{id}/force-unlock", p.employeeUnlockConfirm)
	auth("POST /employees/{id}/force-unlock", p.employeeUnlock)
	auth("GET /employees/{id}/delete", p.employeeDeleteConfirm)
	auth("POST /employees/{id}/delete", p.employeeDelete)
	auth("GET /employees/{id}/service-passwords", p.employeeServicePasswords)
	auth("POST /employees/{id}/service-passwords", p.employeeServicePasswordsSave)

	auth("GET /audit/{id}", p.auditEntry)
	auth("GET /companies/{id}/audit", p.companyAudit)
	auth("GET /mail/outbox", p.outbox)
	auth("GET /settings/security", p.securitySettings)
	auth("POST /settings/security", p.securitySettingsSave)
	auth("POST /operators/{id}/force-unlock", p.operatorUnlock)

	auth("GET /groups", p.groups)
	auth("GET /groups/new", p.groupNew)
	auth("POST /groups/new", p.groupCreate)
	auth("GET /groups/{id}", p.groupProfile)
	auth("POST /groups/{id}", p.groupUpdate)
	auth("GET /groups/{id}/delete", p.groupDeleteConfirm)
	auth("POST /groups/{id}/delete", p.groupDelete)
	auth("GET /groups/{id}/admins", p.groupAdmins)
	auth("POST /groups/{id}/admins", p.groupAdminsSave)
	auth("GET /groups/{id}/members", p.groupMembers)
	auth("POST /groups/{id}/members", p.groupMembersSave)

	p.registerSearch(auth)
	p.registerImports(auth)
	p.registerLifecycle(auth)
	p.registerEmployeeDevices(auth)

	p.registerService(auth)
	p.registerSelfCare(auth)
	p.registerFeatures(auth)
	p.registerBulkFeatures(auth)
	p.registerRecordings(auth)
	p.registerCallLogs(auth)
	p.registerDashboards(auth)

	// Everything else that is not API, health or metrics is a UI 404.
	pub("/", func(w http.ResponseWriter, r *http.Request) error { return derrors.ErrNotFound })
}

// adapt wraps a page handler: security headers, the login redirect for
// anonymous callers of private pages, and error rendering.
func (p *Pages) adapt(fn handlerFunc, public bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Cache-Control", "no-store")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "+
			"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		if !public {
			if _, ok := request.AuthFrom(r.Context()); !ok {
				redirectToLogin(w, r)
				return
			}
		}
		if err := fn(w, r); err != nil {
			p.renderError(w, r, err)
		}
	}
}

// redirectToLogin sends an anonymous caller to the login page, remembering
// where they were going (GET only; a form post cannot be replayed).
func redirectToLogin(w http.ResponseWriter, r *http.Request) {
	target := "/login"
	if r.Method == http.MethodGet && r.URL.Path != "/" {
		target += "?next=" + url.QueryEscape(r.URL.RequestURI())
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// errorPage is the data of the error template.
type errorPage struct {
	Status  int
	Heading string
	Message string
}

// renderError maps err to a status and a message a person can act on.
// Internal errors are logged and shown without their text.
func (p *Pages) renderError(w http.ResponseWriter, r *http.Request, err error) {
	c := derrors.Classify(err)
	e := errorPage{Status: c.Status}
	switch c.Kind {
	case derrors.KindUnauthenticated:
		redirectToLogin(w, r)
		return
	case derrors.KindNotFound:
		e.Heading, e.Message = "Page not found", "There is no such page or object, or you do not have permission to view it."
	case derrors.KindForbidden:
		e.Heading, e.Message = "Not allowed", "You do not have permission to do this."
		if c.Message != "" {
			e.Message = sentence(c.Message)
		}
	case derrors.KindInvalid, derrors.KindLocked:
		e.Heading, e.Message = "Please check your input", sentence(c.Message)
	case derrors.KindConflict:
		e.Heading, e.Message = "That clashes with something that exists", sentence(c.Message)
	default:
		if errors.Is(r.Context().Err(), context.Canceled) {
			// The browser went away (a closed tab, a second click): not a
			// fault of ours; recorded as a client close, nobody reads the page.
			p.app.Logger.InfoContext(r.Context(), "client closed the request", "method", r.Method, "path", r.URL.Path, "err", err)
			w.WriteHeader(request.StatusClientClosed)
			return
		}
		p.app.Logger.ErrorContext(r.Context(), "page failed", "method", r.Method, "path", r.URL.Path, "err", err)
		e = errorPage{http.StatusInternalServerError, "Something went wrong", "Something went wrong on our side. The error has been logged; please try again in a moment."}
	}
	v := p.errorView(r)
	v.Title = e.Heading
	v.Data = e
	p.render(w, r, e.Status, "error", v)
}

// render executes page into a buffer first, so a template failure becomes a
// clean 500 instead of half a page.
func (p *Pages) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t := p.pages[page]
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		p.app.Logger.ErrorContext(r.Context(), "render page", "page", page, "err", err)
		http.Error(w, "Something went wrong on our side; the error has been logged.", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// sentence capitalises a domain message for display as a sentence.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = strings.ToUpper(s[:1]) + s[1:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// formatMoney shows minor units as "GBP 1,234.56".
func formatMoney(minor int64, currency string) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	whole := fmt.Sprint(minor / 100)
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return fmt.Sprintf("%s %s%s.%02d", currency, sign, b.String(), minor%100)
}
