// Package request carries what the HTTP middleware learned about a request —
// who is calling and how — to the API and UI handlers.
package request

import (
	"context"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/identity"
)

// Auth is the authenticated caller of a request.
type Auth struct {
	Account identity.Account
	Session identity.Session
	// Token is the secret the caller presented (cookie or bearer).
	Token string
	// ViaCookie is true for browser sessions, which need CSRF protection.
	ViaCookie bool
}

// Actor is the caller as access sees it.
func (a Auth) Actor() access.Actor { return a.Account.Actor() }

type authKey struct{}

// WithAuth returns ctx carrying a.
func WithAuth(ctx context.Context, a Auth) context.Context {
	return context.WithValue(ctx, authKey{}, a)
}

// AuthFrom returns the caller, and false for an anonymous request.
func AuthFrom(ctx context.Context) (Auth, bool) {
	a, ok := ctx.Value(authKey{}).(Auth)
	return a, ok
}

// ClientAddr is the remote IP of r without the port.
func ClientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// SessionCookie is the name of the browser session cookie.
const SessionCookie = "sb_session"

// CSRFHeader carries the session's CSRF token on API calls made with the cookie.
const CSRFHeader = "X-CSRF-Token"

// CSRFField carries it in HTML forms.
const CSRFField = "csrf_token"

// SetSessionCookie sets the browser session cookie: HttpOnly, SameSite=Lax,
// Secure when the request came over HTTPS. A remember-me session persists
// until expires; otherwise it is a browser-session cookie.
func SetSessionCookie(w http.ResponseWriter, r *http.Request, token string, expires time.Time, persistent bool) {
	c := &http.Cookie{Name: SessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: IsHTTPS(r)}
	if persistent {
		c.Expires = expires
	}
	http.SetCookie(w, c)
}

// ClearSessionCookie removes the session cookie.
func ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: IsHTTPS(r)})
}

// IsHTTPS reports whether the client reached us over HTTPS, directly or via a
// TLS-terminating proxy that says so.
func IsHTTPS(r *http.Request) bool {
	return r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https"
}

// StatusClientClosed is the status recorded (in the log and the metrics)
// for a request whose client went away before the answer, as nginx's 499
// does. The client never reads it; it keeps disconnects apart from faults.
const StatusClientClosed = 499

// DeviceCookies are the values of the device cookies the client sent
// (identity.AuthenticateDevice picks the one, if any, valid for the login).
func DeviceCookies(r *http.Request) []string {
	var out []string
	for _, c := range r.Cookies() {
		if strings.HasPrefix(c.Name, identity.DeviceCookiePrefix) && c.Value != "" {
			out = append(out, c.Value)
		}
	}
	return out
}

// SetDeviceCookie keeps a device cookie in the browser: HttpOnly, never sent
// from another site, and persistent, since it must outlive the session.
func SetDeviceCookie(w http.ResponseWriter, r *http.Request, c identity.DeviceCookie) {
	http.SetCookie(w, &http.Cookie{Name: c.Name, Value: c.Value, Path: "/", Expires: c.Expires, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: IsHTTPS(r)})
}
