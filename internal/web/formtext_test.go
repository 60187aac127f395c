package web_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestLoginFormRefusesBadText: the public forms (login, reset) answer NUL,
// control characters and a megabyte of text as the caller's mistake, on
// both engines — never a 500 from the database — and change nothing.
func TestLoginFormRefusesBadText(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		jar, _ := cookiejar.New(nil)
		client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		// The public forms carry a double-submit token: take it from the page.
		formToken := func(path string) string {
			res, err := client.Get(env.Server.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			page, _ := io.ReadAll(res.Body)
			m := regexp.MustCompile(`name="login_csrf" value="([^"]+)"`).FindSubmatch(page)
			if m == nil {
				t.Fatalf("GET %s: no form token in the page", path)
			}
			return string(m[1])
		}
		for _, tc := range []struct{ name, path, field, value string }{
			{"login NUL", "/login", "username", "acme\x00admin"},
			{"login control", "/login", "username", "acme\x1badmin"},
			{"login 1 MB", "/login", "username", strings.Repeat("u", 1_000_000)},
			{"reset NUL", "/forgot-password", "login", "acme\x00admin"},
			{"reset 1 MB", "/forgot-password", "login", strings.Repeat("u", 1_000_000)},
			{"login bidi override", "/login", "username", "acme\u202eadmin"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				before := storetest.Counts(t, db)
				form := url.Values{tc.field: {tc.value}, "password": {"x"}, "login_csrf": {formToken(tc.path)}}
				res, err := client.PostForm(env.Server.URL+tc.path, form)
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if res.StatusCode >= 500 || res.StatusCode == http.StatusForbidden {
					t.Errorf("status %d", res.StatusCode)
				}
				storetest.SameCounts(t, before, storetest.Counts(t, db))
			})
		}
	})
}
