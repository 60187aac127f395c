package ui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestKnownBrowserIsNotLockedOut: the login page leaves a signed device
// cookie; when strangers then lock the username with wrong passwords, that
// browser still logs in, while any other browser is refused.
func TestKnownBrowserIsNotLockedOut(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		home := newBrowser(t, env)
		p := home.login("west.one", false)
		var device *http.Cookie
		for _, c := range (&http.Response{Header: p.Header}).Cookies() {
			if c.Name == identity.DeviceCookieName("west.one") {
				device = c
			}
		}
		if device == nil || !device.HttpOnly || device.SameSite != http.SameSiteStrictMode || device.Expires.IsZero() || device.Path != "/" {
			t.Fatalf("device cookie after login: %+v", device)
		}
		home.get("/account") // the page's CSRF token for Log out
		if p := home.post("/logout", nil, false); p.Status != http.StatusSeeOther {
			t.Fatalf("logout: %d", p.Status)
		}

		stranger := newBrowser(t, env)
		for i := 0; i < 3; i++ {
			stranger.tryLogin("west.one", "guess")
		}
		if p := stranger.tryLogin("west.one", apptest.Password); p.Status != http.StatusLocked || !strings.Contains(p.Body, "locked-message") {
			t.Fatalf("a stranger's browser with the right password while locked: %d", p.Status)
		}
		if p := home.tryLogin("west.one", apptest.Password); p.Status != http.StatusSeeOther {
			t.Fatalf("the browser that logged in before: %d\n%s", p.Status, p.Body)
		}
		// The API honours the same cookie (a browser's script logging in).
		req, _ := http.NewRequest("POST", env.Server.URL+"/api/v1/auth/login",
			strings.NewReader(`{"username":"west.one","password":"`+apptest.Password+`"}`))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(device)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusOK || len(res.Cookies()) != 0 {
			t.Errorf("API login with the device cookie: %d, cookies %v", res.StatusCode, res.Cookies())
		}
	})
}

// TestBrowserSessionLimits: the session the login page opens ends after 30
// idle minutes, and after 12 hours however busy it is (the JSON login's
// 30-day token never becomes such a cookie: see the API's auth tests).
func TestBrowserSessionLimits(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	now := time.Now()
	env.App.Identity.SetClock(func() time.Time { return now })
	loggedIn := func(b *browser) bool {
		p := b.get("/account")
		return p.Status == http.StatusOK
	}
	b := newBrowser(t, env)
	b.login("west.one", false)
	now = now.Add(29 * time.Minute)
	if !loggedIn(b) {
		t.Fatal("the session ended before 30 idle minutes")
	}
	now = now.Add(31 * time.Minute)
	if loggedIn(b) {
		t.Fatal("the session outlived 30 idle minutes")
	}
	b = newBrowser(t, env)
	b.login("west.one", false)
	for busy := time.Duration(0); busy < 12*time.Hour-20*time.Minute; busy += 20 * time.Minute {
		now = now.Add(20 * time.Minute)
		if !loggedIn(b) {
			t.Fatalf("a busy session ended after %v", busy+20*time.Minute)
		}
	}
	now = now.Add(21 * time.Minute)
	if loggedIn(b) {
		t.Fatal("a busy session outlived 12 hours")
	}
}
