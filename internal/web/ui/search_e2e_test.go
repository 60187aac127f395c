package ui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserLiveSearch drives the top bar's live search in real headless
// Chromium: type a few letters, see the drop-down, pick a result with the
// keyboard and land on the employee's page; then the same with a partial
// number at phone width, and the Search Tool.
func TestBrowserLiveSearch(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	f := env.Fixture
	base := env.Server.URL
	west := env.ID("west.one")
	if _, err := env.App.Numbering.AddRange(ctx, f.Acme.ID, f.Leeds.ID, numbering.RangeRequest{Start: "+441134960000", End: "+441134960099"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Numbering.Assign(ctx, f.Acme.ID, "0113 496 0037", numbering.Owner{Kind: numbering.OwnerUser, ID: west}); err != nil {
		t.Fatal(err)
	}
	err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := env.App.DB.Q(ctx).Exec(ctx, "UPDATE accounts SET site_id = ? WHERE id = ?", f.Leeds.ID, west)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	bctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	b := tab{t: t, ctx: bctx, base: base, shots: shots}
	b.do("desktop width", chromedp.EmulateViewport(1280, 900))
	b.do("login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
	)

	profile := "/employees/" + strconv.FormatInt(west, 10)
	b.do("type wen",
		chromedp.SendKeys(chromedp.CSS(`#top-search`), "wen"),
		chromedp.WaitVisible(chromedp.CSS(`#top-search-results .option`)),
	)
	if got := b.text(chromedp.CSS(`#top-search-results .option`)); !strings.Contains(got, "Wendy West") || !strings.Contains(got, "0113 496 0037") || !strings.Contains(got, "Leeds") {
		t.Fatalf("first result: %q", got)
	}
	b.shot("live-search-desktop.png")
	b.do("arrow down",
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.WaitVisible(chromedp.CSS(`#top-search-results .option.active[aria-selected="true"]`)),
	)
	b.do("enter", chromedp.KeyEvent(kb.Enter), chromedp.WaitNotPresent(chromedp.CSS(`#top-search-results .option`)))
	b.do("employee page", chromedp.WaitVisible(chromedp.CSS(`h1`)))
	if loc := b.location(); loc != profile {
		t.Fatalf("landed on %s, want %s", loc, profile)
	}

	// Phone width, a partial national number, Escape closes, arrows pick.
	b.do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	b.do("dashboard", chromedp.Navigate(base+"/dashboard"), chromedp.WaitVisible(chromedp.CSS(`#top-search`)))
	b.do("type number",
		chromedp.SendKeys(chromedp.CSS(`#top-search`), "0113 496"),
		chromedp.WaitVisible(chromedp.CSS(`#top-search-results .option`)),
	)
	b.shot("live-search-phone.png")
	b.do("escape", chromedp.KeyEvent(kb.Escape), chromedp.WaitNotVisible(chromedp.CSS(`#top-search-results`)))
	b.do("reopen with arrow down",
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.WaitVisible(chromedp.CSS(`#top-search-results .option`)),
		chromedp.KeyEvent(kb.ArrowDown),
		chromedp.WaitVisible(chromedp.CSS(`#top-search-results .option.active`)),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitNotPresent(chromedp.CSS(`#top-search-results .option`)),
		chromedp.WaitVisible(chromedp.CSS(`h1`)),
	)
	if loc := b.location(); loc != profile {
		t.Fatalf("landed on %s, want %s", loc, profile)
	}

	// Without choosing a result, Enter submits the form: Employee Selection.
	b.do("plain submit",
		chromedp.Navigate(base+"/dashboard"),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
		chromedp.SendKeys(chromedp.CSS(`#top-search`), "west"+kb.Enter),
		chromedp.WaitVisible(`//h1[normalize-space()="Employee Selection"]`),
	)

	// The Search Tool from the company side bar: another company's number.
	b.do("search tool",
		chromedp.Navigate(base+"/dashboard"),
		chromedp.Click(`//nav[contains(@class,"side")]//a[normalize-space()="Search Tool"]`),
		chromedp.WaitVisible(chromedp.CSS(`#st-number`)),
	)
	if vis := b.text(chromedp.CSS(`#st-by`)); !strings.Contains(vis, "Phone Number") {
		t.Fatalf("search by: %q", vis)
	}
	b.do("number search",
		chromedp.SendKeys(chromedp.CSS(`#st-number`), "0113 496 0037"),
		chromedp.Click(chromedp.CSS(`.search-tool button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#search-result table`)),
	)
	if got := b.text(chromedp.CSS(`#search-result`)); !strings.Contains(got, "Acme Ltd") || !strings.Contains(got, "Leeds") || !strings.Contains(got, "User") {
		t.Fatalf("search tool result: %q", got)
	}
	b.shot("search-tool-phone.png")
	b.do("name search",
		chromedp.SetValue(chromedp.CSS(`#st-by`), "name"),
		chromedp.Navigate(base+"/search-tool?search=1&by=name&first_name=g*"),
		chromedp.WaitVisible(chromedp.CSS(`#search-result .notice`)),
	)
	if got := b.text(chromedp.CSS(`#search-result .notice`)); got != "You do not have permission to view this." {
		t.Fatalf("name search in another company: %q", got)
	}
	if vis, err := chromedp.Run(bctx, chromedp.Evaluate[bool](`document.getElementById('st-number').offsetParent === null`)); err != nil || !vis {
		t.Errorf("the phone number field should be hidden when searching by name (%v)", err)
	}
	b.shot("search-tool-name-phone.png")
}
