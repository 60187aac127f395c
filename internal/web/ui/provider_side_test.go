package ui_test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestProviderSideBarIsTheSameOnEveryPage: the operator's side bar lists
// the same control-panel pages wherever the operator is, the Customers
// landing page included (it used to lack Catalog, Number Range Parameters
// and Refused Extensions).
func TestProviderSideBarIsTheSameOnEveryPage(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	op := newBrowser(t, env)
	op.login("operator", false)
	side := regexp.MustCompile(`(?s)<nav[^>]*class="[^"]*side[^"]*".*?</nav>`)
	link := regexp.MustCompile(`<a href="(/[^"?]*)"`)
	want := []string{"/customers", "/catalog", "/settings/number-ranges", "/settings/refused-extensions", "/resellers",
		"/settings/security", "/mail/outbox"}
	for _, path := range []string{"/customers", "/catalog", "/settings/number-ranges", "/settings/refused-extensions",
		"/resellers", "/settings/security", "/mail/outbox"} {
		p := op.get(path)
		nav := side.FindString(p.Body)
		if p.Status != 200 || nav == "" {
			t.Errorf("%s: %d, side bar found: %v", path, p.Status, nav != "")
			continue
		}
		var got []string
		for _, m := range link.FindAllStringSubmatch(nav, -1) {
			got = append(got, m[1])
		}
		for _, w := range want {
			if !slices.Contains(got, w) {
				t.Errorf("%s: the side bar lacks %s (has %v)", path, w, got)
			}
		}
	}
}
