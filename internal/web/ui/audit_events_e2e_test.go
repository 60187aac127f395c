package ui_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// signedIn opens a browser tab signed in as username, whatever their role
// (loginTab waits for the employee search, which employees do not have).
func signedIn(t *testing.T, env *apptest.Env, username string) tab {
	t.Helper()
	actx, shots := launch(t)
	bctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel)
	b := tab{t: t, ctx: bctx, base: env.Server.URL, shots: shots}
	b.do("login "+username,
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), username),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`header.topbar`)),
	)
	return b
}

// shotsAt saves the page at both widths of widths to the test's screenshot
// directory and, for a person to look at, /tmp/account-<name>-<width>.png.
func (b tab) shotsAt(name string) {
	b.t.Helper()
	for _, w := range widths {
		b.do(w.name+" width", w.set)
		png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
		if err != nil {
			b.t.Fatalf("screenshot %s: %v", name, err)
		}
		file := "account-" + name + "-" + w.name + ".png"
		b.save(file, png)
		if err := os.WriteFile(filepath.Join(os.TempDir(), file), png, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do("desktop width", widths[0].set)
}

// waitFor waits until the address holds part (a form's submission landed).
func (b tab) waitFor(part string) {
	b.t.Helper()
	for range 100 {
		if strings.Contains(b.location(), part) {
			if err := chromedp.Do(b.ctx, chromedp.WaitReady(chromedp.CSS(`body`))); err != nil {
				b.t.Fatal(err)
			}
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("the page did not reach …%s…: at %s", part, b.location())
}

// strings of the page, read with one script.
func (b tab) strs(script string) []string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](script))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", script, err)
	}
	return out
}

// TestBrowserAuditEventList: the audit log's event filter is a list of the
// event types, grouped, that the reader's log can hold — a company admin
// is not offered the provider's catalog events, the operator is; choosing
// one filters; a name typed into the address in another case finds the
// same entries and shows the list's spelling.
func TestBrowserAuditEventList(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	acme := id(env.Fixture.Acme.ID)
	options := `[...document.querySelectorAll('#f-event option')].map(o => o.value)`
	groups := `[...document.querySelectorAll('#f-event optgroup')].map(g => g.label)`
	events := `[...document.querySelectorAll('main tbody td[data-label=Event]')].map(td => td.innerText.trim())`

	b := signedIn(t, env, "acme.admin")
	b.do("audit log", chromedp.Navigate(b.base+"/companies/"+acme+"/audit"), chromedp.WaitVisible(chromedp.CSS(`#f-event`)))
	if label := b.text(chromedp.CSS(`label[for=f-event]`)); label != "Event type" {
		t.Errorf("the event filter's label is %q", label)
	}
	opts := b.strs(options)
	if !slices.Contains(opts, "Create Site") || !slices.Contains(opts, "Change Password") || opts[0] != "" {
		t.Errorf("company admin's event list: %v", opts)
	}
	if slices.Contains(opts, "Create Feature") || slices.Contains(opts, "Create Operator") {
		t.Errorf("a company admin is offered the provider's events: %v", opts)
	}
	if g := b.strs(groups); !slices.Contains(g, "Employees") || !slices.Contains(g, "Sites and groups") || slices.Contains(g, "Provider and catalog") {
		t.Errorf("company admin's groups: %v", g)
	}
	b.shotsAt("audit-filter")

	b.do("choose Create Site",
		chromedp.SetValue(chromedp.CSS(`#f-event`), "Create Site"),
		chromedp.Click(chromedp.CSS(`form.toolbar button[type=submit]`)),
	)
	b.waitFor("event=Create+Site")
	got := b.strs(events)
	if len(got) == 0 {
		t.Fatalf("no Create Site entries on %s", b.location())
	}
	for _, e := range got {
		if e != "Create Site" {
			t.Errorf("filtered on Create Site, the list shows %q", e)
		}
	}

	b.do("typed in lower case", chromedp.Navigate(b.base+"/companies/"+acme+"/audit?event=create+site"), chromedp.WaitVisible(chromedp.CSS(`#f-event`)))
	if v := b.strs(`[document.querySelector('#f-event').value]`); v[0] != "Create Site" {
		t.Errorf("event=create site selects %q", v[0])
	}
	if lower := b.strs(events); !slices.Equal(lower, got) {
		t.Errorf("event=create site lists %v, Create Site %v", lower, got)
	}

	b.do("unknown event", chromedp.Navigate(b.base+"/companies/"+acme+"/audit?event=Create+Sites"), chromedp.WaitVisible(chromedp.CSS(`#error-summary`)))
	if msg := b.text(chromedp.CSS(`#error-summary`)); !strings.Contains(msg, `"Create Sites"`) {
		t.Errorf("unknown event: %q", msg)
	}

	op := signedIn(t, env, "operator")
	op.do("operator's audit log", chromedp.Navigate(op.base+"/companies/"+acme+"/audit"), chromedp.WaitVisible(chromedp.CSS(`#f-event`)))
	if opts := op.strs(options); !slices.Contains(opts, "Create Feature") || !slices.Contains(opts, "Create Site") {
		t.Errorf("operator's event list: %v", opts)
	}
}
