package ui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// The login form has no session yet, so the server's session CSRF check
// cannot protect it. It carries its own double-submit token instead: a
// random value in a SameSite=Strict cookie, echoed in a hidden field.
const (
	loginCSRFCookie = "sb_login_csrf"
	loginCSRFField  = "login_csrf"
)

type loginPage struct {
	Form  *form
	Token string
	Next  string
	Error string
	// Locked is the lockout sentence (identity.LockedError), shown apart
	// from ordinary errors.
	Locked string
}

func (p *Pages) loginPage(w http.ResponseWriter, r *http.Request) error {
	next := safeNext(r.URL.Query().Get("next"))
	if _, ok := request.AuthFrom(r.Context()); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
	return p.renderLogin(w, r, http.StatusOK, newForm(nil), next, "")
}

func (p *Pages) renderLogin(w http.ResponseWriter, r *http.Request, status int, f *form, next, msg string) error {
	return p.renderLoginPage(w, r, status, f, loginPage{Next: next, Error: msg})
}

func (p *Pages) renderLoginPage(w http.ResponseWriter, r *http.Request, status int, f *form, lp loginPage) error {
	token, err := setFormToken(w, r, "/login")
	if err != nil {
		return err
	}
	f.Values.Del("password")
	lp.Form, lp.Token = f, token
	v := &view{Title: "Log in", Bare: true, Data: lp}
	p.render(w, r, status, "login", v)
	return nil
}

// setFormToken starts the double-submit protection of a public form that
// posts to path: a random value in a SameSite=Strict cookie scoped to path,
// which the form echoes in the login_csrf field.
func setFormToken(w http.ResponseWriter, r *http.Request, path string) (string, error) {
	token, err := loginToken()
	if err != nil {
		return "", err
	}
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: token, Path: path, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: request.IsHTTPS(r), MaxAge: 3600})
	return token, nil
}

// formTokenOK checks a public form's double-submit token (the form is parsed).
func formTokenOK(r *http.Request) bool {
	c, err := r.Cookie(loginCSRFCookie)
	got := r.PostForm.Get(loginCSRFField)
	return err == nil && c.Value != "" && got != "" && subtle.ConstantTimeCompare([]byte(c.Value), []byte(got)) == 1
}

// clearFormToken removes a public form's cookie once the form has done its work.
func clearFormToken(w http.ResponseWriter, r *http.Request, path string) {
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: path, MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: request.IsHTTPS(r)})
}

// errFormExpired is shown when a public form's double-submit token is missing or wrong.
const errFormExpired = "The form expired or was not sent from this site. Please enter your details again."

func loginToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func (p *Pages) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	next := safeNext(r.PostForm.Get("next"))
	if !formTokenOK(r) {
		return p.renderLogin(w, r, http.StatusForbidden, f, next,
			"The login form expired or was not sent from this site. Please enter your details again.")
	}
	username := strings.TrimSpace(f.V("username"))
	password := r.PostForm.Get("password")
	if username == "" {
		f.add("username", "Enter your username.")
	}
	if password == "" {
		f.add("password", "Enter your password.")
	}
	if f.Invalid() {
		return p.renderLogin(w, r, http.StatusUnprocessableEntity, f, next, "")
	}
	acct, err := p.app.Identity.AuthenticateDevice(r.Context(), username, password, request.DeviceCookies(r))
	if err != nil {
		var unauth *derrors.UnauthenticatedError
		var locked *identity.LockedError
		switch {
		case errors.As(err, &locked):
			return p.renderLoginPage(w, r, http.StatusLocked, f, loginPage{Next: next, Locked: sentence(locked.Error())})
		case errors.As(err, &unauth):
			return p.renderLogin(w, r, http.StatusUnauthorized, f, next, sentence(unauth.Reason))
		case errors.Is(err, derrors.ErrLocked):
			return p.renderLoginPage(w, r, http.StatusLocked, f, loginPage{Next: next, Locked: sentence(err.Error())})
		}
		return err
	}
	remember := f.V("remember_me") != ""
	token, sess, err := p.app.Identity.CreateSession(r.Context(), identity.NewSessionRequest{
		AccountID: acct.ID, Kind: identity.KindBrowser, RememberMe: remember,
		ClientAddr: request.ClientAddr(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	request.SetSessionCookie(w, r, token, sess.ExpiresAt, remember)
	// This browser has now logged in as acct: failures typed elsewhere will
	// not lock it out (docs/security.md, "Lockout"). Without the cookie the
	// login still stands; the browser is only treated as a stranger's.
	if device, err := p.app.Identity.NewDeviceCookie(r.Context(), acct); err != nil {
		p.app.Logger.WarnContext(r.Context(), "device cookie not set", "account", acct.ID, "err", err)
	} else {
		request.SetDeviceCookie(w, r, device)
	}
	clearFormToken(w, r, "/login")
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// logout ends the session server-side (the server already checked the
// form's CSRF token) and clears the cookie.
func (p *Pages) logout(w http.ResponseWriter, r *http.Request) error {
	if a, ok := request.AuthFrom(r.Context()); ok {
		if err := p.app.Identity.EndSession(r.Context(), a.Token); err != nil {
			return err
		}
	}
	request.ClearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// safeNext accepts only a local path as the place to go after login, so the
// login page cannot be used to send someone to another site.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") ||
		strings.ContainsAny(next, "\r\n\t\\") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
		return "/"
	}
	if strings.HasPrefix(u.Path, "/login") || strings.HasPrefix(u.Path, "/logout") {
		return "/"
	}
	return next
}

// landing is "/": each role starts where home says, the pages of
// operators and company administrators drawn in place.
func (p *Pages) landing(w http.ResponseWriter, r *http.Request) error {
	target, err := p.home(r)
	if err != nil {
		return err
	}
	switch target {
	case "/customers":
		return p.customers(w, r)
	case "/dashboard":
		return p.dashboard(w, r)
	}
	// The confirmation that sent the caller here (a forced password
	// change) goes along.
	if msg := r.URL.Query().Get("msg"); flashText(msg) != "" {
		target += "?msg=" + url.QueryEscape(msg)
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
	return nil
}

// home is where the caller starts, decided here only (docs/ui.md, "Where
// each role lands"): the login, "/" and a /dashboard its caller may not see
// all go there. Operators get the customer list, employees their self-care
// portal, company administrators the Company dashboard. Group
// administrators, for whom the dashboard is forbidden, get the dashboard of
// the one site they administer, Site Selection when they administer
// several, otherwise Group Selection. It decides no permission: what the
// page then shows is read through the domain.
func (p *Pages) home(r *http.Request) (string, error) {
	a := actorOf(r)
	switch {
	case a.IsOperator():
		return "/customers", nil
	case a.Role == access.RoleEmployee:
		return "/account", nil
	case p.app.Access.Can(r.Context(), a, access.ViewCompanyDashboard, access.Company(a.CompanyID)):
		return "/dashboard", nil
	}
	sites, n, err := p.app.Directory.ListGroups(r.Context(), a, a.CompanyID, directory.GroupFilter{SitesOnly: true}, store.Page{PerPage: 1})
	if err != nil {
		return "", err
	}
	switch {
	case n == 1 && len(sites) == 1:
		return "/sites/" + itoa64(sites[0].ID), nil
	case n > 1:
		return "/sites", nil
	}
	return "/groups", nil
}
