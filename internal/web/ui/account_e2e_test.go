package ui_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserAccountArea: every role reaches one account area from the
// name in the top bar, with the same layout and the sections its account
// has; what the profile says matches what the role may do (an employee
// renames herself; an operator is told the name is fixed); the company
// admin keeps the main tabs on the password page and has a Contacts link;
// the account password and the application password are explained in the
// same words wherever they appear; the old addresses redirect.
func TestBrowserAccountArea(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	env.AddCast(t)
	side := `[...document.querySelectorAll('nav.side a')].map(a => a.innerText.trim())`
	tabs := `[...document.querySelectorAll('nav.tabs a')].map(a => a.innerText.trim())`
	explained := `[...document.querySelectorAll('dl.secrets dd')].map(d => d.innerText.trim())`
	company := []string{"Profile", "Password", "Security e-mail", "Application password and PIN", "Contacts"}
	operator := []string{"Profile", "Password", "Security e-mail"}
	var appPassword string
	for _, tc := range []struct {
		who      string
		side     []string
		editable bool
		note     string
		tab      string // a main tab that stays on every account page
	}{
		{"west.one", company, true, "You can change your name", "Contacts"},
		{"acme.admin", company, true, "You can change your name", "Employees"},
		{"leeds.admin", company, true, "You can change your name", "Employees"},
		{"acme.reseller", operator, false, "set when the account is created", "Customers"},
		{"operator", operator, false, "set when the account is created", "Customers"},
	} {
		b := signedIn(t, env, tc.who)
		b.do(tc.who+": the name in the top bar", chromedp.Click(chromedp.CSS(`header a.who`)), chromedp.WaitVisible(chromedp.CSS(`#ac-profile`)))
		if loc := b.location(); loc != "/account" {
			t.Errorf("%s: the top bar's name leads to %s", tc.who, loc)
		}
		if got := b.strs(side); !slices.Equal(got[:min(len(got), len(tc.side))], tc.side) || (len(got) > len(tc.side) && tc.side[len(tc.side)-1] != "Contacts") {
			t.Errorf("%s: account side bar %v, want %v", tc.who, got, tc.side)
		}
		if note := b.text(chromedp.CSS(`#profile-note`)); !strings.Contains(note, tc.note) {
			t.Errorf("%s: profile note %q, want %q", tc.who, note, tc.note)
		}
		body := b.text(chromedp.CSS(`main`))
		if strings.Contains(body, "ask your administrator to change your name") || strings.Contains(body, "ask them to change your name") {
			t.Errorf("%s: the account page still tells them to ask for a new name", tc.who)
		}
		if n := len(b.strs(`[...document.querySelectorAll('#f-first-name')].map(e => e.id)`)); (n == 1) != tc.editable {
			t.Errorf("%s: name field present = %v, want %v", tc.who, n == 1, tc.editable)
		}
		if got := b.strs(tabs); !slices.Contains(got, tc.tab) {
			t.Errorf("%s: account page tabs %v lack %s", tc.who, got, tc.tab)
		}
		if tc.editable {
			dds := b.strs(explained)
			if len(dds) < 3 {
				t.Fatalf("%s: the secrets are not explained: %v", tc.who, dds)
			}
			if appPassword == "" {
				appPassword = dds[1]
			} else if dds[1] != appPassword {
				t.Errorf("%s: the application password is explained as %q, elsewhere %q", tc.who, dds[1], appPassword)
			}
		}
		b.do(tc.who+": password", chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Password"]`), chromedp.WaitVisible(chromedp.CSS(`#f-current-password`)))
		if got := b.strs(tabs); !slices.Contains(got, tc.tab) {
			t.Errorf("%s: the password page lost the main tabs: %v", tc.who, got)
		}
		if got := b.strs(side); !slices.Equal(got[:min(len(got), len(tc.side))], tc.side) {
			t.Errorf("%s: password page side bar %v", tc.who, got)
		}
		if tc.editable {
			if dds := b.strs(explained); len(dds) < 2 || !strings.HasPrefix(dds[1], appPassword) {
				t.Errorf("%s: the password page explains the application password as %v", tc.who, dds)
			}
			b.do(tc.who+": PINs", chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Application password and PIN"]`),
				chromedp.WaitVisible(chromedp.CSS(`#f-voicemail-pin`)))
			if dds := b.strs(explained); len(dds) == 0 || dds[0] != appPassword {
				t.Errorf("%s: the PIN page explains the application password as %v", tc.who, dds)
			}
			b.do(tc.who+": contacts", chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Contacts"]`),
				chromedp.WaitVisible(chromedp.CSS(`main h1`)))
			if loc := b.location(); !strings.HasPrefix(loc, "/contacts") {
				t.Errorf("%s: Contacts leads to %s", tc.who, loc)
			}
			if got := b.strs(side); !slices.Equal(got[:len(tc.side)], tc.side) {
				t.Errorf("%s: the Contacts page lacks the account side bar: %v", tc.who, got)
			}
		}
		switch tc.who {
		case "west.one":
			b.do("rename herself", chromedp.Navigate(b.base+"/account"), chromedp.WaitVisible(chromedp.CSS(`#f-first-name`)),
				chromedp.SetValue(chromedp.CSS(`#f-first-name`), "Wenda"),
				chromedp.Click(`//button[normalize-space()="Save profile"]`))
			b.waitFor("msg=profile-saved")
			if name := b.text(chromedp.CSS(`header .uname`)); name != "Wenda West" {
				t.Errorf("after renaming herself the top bar says %q", name)
			}
			b.shotsAt("employee")
			b.do("old My Account", chromedp.Navigate(b.base+"/my-account"), chromedp.WaitVisible(chromedp.CSS(`#ac-profile`)))
			b.do("old My profile", chromedp.Navigate(b.base+"/employees/"+id(env.ID("west.one"))), chromedp.WaitVisible(chromedp.CSS(`#ac-profile`)))
			b.do("old Service Passwords", chromedp.Navigate(b.base+"/employees/"+id(env.ID("west.one"))+"/service-passwords"),
				chromedp.WaitVisible(chromedp.CSS(`#f-voicemail-pin`)))
			if loc := b.location(); loc != "/account/pins" {
				t.Errorf("the old Service Passwords lands on %s", loc)
			}
		case "acme.admin":
			b.do("admin's account", chromedp.Navigate(b.base+"/account"), chromedp.WaitVisible(chromedp.CSS(`#ac-profile`)))
			b.shotsAt("company-admin")
			b.do("admin's password", chromedp.Navigate(b.base+"/account/password"), chromedp.WaitVisible(chromedp.CSS(`#f-current-password`)))
			b.shotsAt("company-admin-password")
		case "operator":
			b.do("operator's account", chromedp.Navigate(b.base+"/account"), chromedp.WaitVisible(chromedp.CSS(`#ac-profile`)))
			b.shotsAt("operator")
		}
	}
}
