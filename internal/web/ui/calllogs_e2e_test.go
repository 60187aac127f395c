package ui_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// seedCallLogTraffic lets west.one (Leeds) and london.one (London) hold
// numbers since 2026 began and stores a month of generated traffic for
// March 2026 (Europe/London).
func seedCallLogTraffic(t *testing.T, env *apptest.Env, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	f := env.Fixture
	holders := []struct {
		number string
		site   int64
		user   string
	}{{"+441134960011", f.Leeds.ID, "west.one"}, {"+442079460012", f.London.ID, "london.one"}}
	var numbers []string
	for _, h := range holders {
		numbers = append(numbers, h.number)
		if err := db.Tx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).Exec(ctx, `INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
				VALUES ('number', ?, ?, ?, 'user', ?, ?)`, h.number, f.Acme.ID, h.site, env.ID(h.user), time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	sw, _, err := env.App.Calls.CreateSwitch(ctx, env.Actor("operator"), calls.SwitchCreateRequest{Name: "gen", Format: "freeswitch-json"})
	if err != nil {
		t.Fatal(err)
	}
	london, _ := time.LoadLocation("Europe/London")
	var buf bytes.Buffer
	calls.WriteTraffic(&buf, numbers, calls.GenerateOptions{Calls: n, Days: 31, End: time.Date(2026, 4, 1, 0, 0, 0, 0, london), Seed: 42}, london)
	if rep, err := env.App.Calls.Ingest(ctx, sw, calls.SourceCommand, "test", "", &buf); err != nil || rep.Accepted != n {
		t.Fatalf("ingest: %+v %v", rep, err)
	}
	// What a node's number aggregator does once the batch has committed.
	if _, err := env.App.Calls.AggregateNumbers(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserCallLogs drives headless Chromium through every Call Logs
// view as a company administrator: the graph (zoom to a day, compare), the
// list sorted by duration and paged, the type split, the top 10 and the
// export download, at desktop and phone widths.
func TestBrowserCallLogs(t *testing.T) {
	actx, shots := launch(t)
	db := storetest.SQLite(t)
	env := apptest.New(t, db)
	seedCallLogTraffic(t, env, db, 600)
	bctx, cancelBrowser := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()
	base := env.Server.URL
	do := func(step string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}
	count := func(sel string) int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+sel+"`"+`).length`))
		if err != nil {
			t.Fatalf("count %s: %v", sel, err)
		}
		return n
	}
	shot := func(name string) {
		t.Helper()
		png, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		for _, dir := range []string{shots, "/tmp"} {
			if err := os.WriteFile(filepath.Join(dir, "calllogs-"+name+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// waitFor waits until the new page answers cond: the old page has
	// the same elements, so waiting for one is no proof of navigation.
	waitFor := func(cond string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			var last error
			for i := 0; i < 300; i++ {
				ok, err := chromedp.Evaluate[bool](cond)(ctx, tg)
				if err == nil && ok {
					return nil
				}
				last = err
				time.Sleep(100 * time.Millisecond)
			}
			return fmt.Errorf("waited 30 s for %s: %v", cond, last)
		})
	}
	phone := func() { do("phone width", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))) }
	desktop := func() { do("desktop width", chromedp.EmulateViewport(1366, 900)) }

	do("login",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
	)
	// The Call Logs tab; then search March in London time.
	desktop()
	do("call logs tab",
		chromedp.Click(`//nav[@aria-label="Main"]//a[normalize-space()="Call Logs"]`),
		chromedp.WaitVisible(chromedp.CSS(`#cl-graph`)),
		chromedp.SetValue(chromedp.CSS(`#cl-from`), "2026-03-01"),
		chromedp.SetValue(chromedp.CSS(`#cl-to`), "2026-03-31"),
		chromedp.SetValue(chromedp.CSS(`#cl-tz`), "Europe/London"),
		chromedp.Click(chromedp.CSS(`#cl-submit`)),
		waitFor(`document.querySelector('#cl-summary')?.textContent.includes('2026-03-01 to 2026-03-31')`),
	)
	if got := text(`#cl-summary`); !strings.Contains(got, "Acme") || !strings.Contains(got, "2026-03-01 to 2026-03-31") {
		t.Fatalf("summary %q", got)
	}
	if n := count(`#cl-graph svg circle.dot`); n != 31 {
		t.Fatalf("the daily graph of March has %d dots, want 31", n)
	}
	hover, err := chromedp.Run(bctx, chromedp.Evaluate[string](`document.querySelector('#cl-graph circle.dot title').textContent`))
	if err != nil || !strings.Contains(hover, "Sun 1 Mar 2026: ") || !strings.HasSuffix(hover, " calls") {
		t.Errorf("hover title %q %v", hover, err)
	}
	do("compare", chromedp.Click(chromedp.CSS(`#cl-compare`)), chromedp.WaitVisible(chromedp.CSS(`#cl-graph polyline.prev-line`)))
	shot("graph-1366")
	phone()
	shot("graph-390")
	desktop()
	// Zoom into 29 March (the clocks go forward): 23 hourly points.
	do("zoom to a day",
		chromedp.Click(chromedp.CSS(`#cl-graph a.zoom:nth-of-type(29)`)),
		waitFor(`document.querySelector('#cl-summary')?.textContent.includes('2026-03-29 to 2026-03-29')`),
	)
	if n := count(`#cl-graph svg circle.dot`); n != 23 || !strings.Contains(text(`#cl-summary`), "2026-03-29 to 2026-03-29") {
		t.Errorf("29 March by hour: %d dots, summary %q", n, text(`#cl-summary`))
	}
	do("pan to the next day", chromedp.Click(chromedp.CSS(`#cl-next`)),
		waitFor(`document.querySelector('#cl-summary')?.textContent.includes('2026-03-30 to 2026-03-30')`))
	if got := text(`#cl-summary`); !strings.Contains(got, "2026-03-30 to 2026-03-30") {
		t.Errorf("after Next: %q", got)
	}
	if n := count(`#cl-graph svg circle.dot`); n != 24 {
		t.Errorf("30 March has %d hourly dots, want 24", n)
	}

	// List: back to March, sorted by duration (longest first), paged.
	do("list",
		chromedp.Navigate(base+"/call-logs?view=list&from=2026-03-01&to=2026-03-31&tz=Europe/London&limit=25"),
		chromedp.WaitVisible(chromedp.CSS(`#cl-list`)),
		chromedp.Click(chromedp.CSS(`#cl-sort-duration`)),
		waitFor(`document.querySelector('#cl-sort-duration')?.textContent.includes('↓')`),
	)
	durations := func() []string {
		ds, err := chromedp.Run(bctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#cl-list td.cl-duration')].map(td => td.textContent.trim())`))
		if err != nil {
			t.Fatal(err)
		}
		return ds
	}
	first := durations()
	if len(first) != 25 || !strings.Contains(text(`#cl-sort-duration`), "↓") {
		t.Fatalf("first page by duration: %d rows, header %q", len(first), text(`#cl-sort-duration`))
	}
	shot("list-1366")
	phone()
	shot("list-390")
	desktop()
	do("next page", chromedp.Click(chromedp.CSS(`#cl-list-next`)), chromedp.WaitVisible(chromedp.CSS(`#cl-first`)))
	second := durations()
	if len(second) != 25 || seconds(second[0]) > seconds(first[24]) {
		t.Errorf("the second page (%v…) does not continue the first (…%v)", second[0], first[24])
	}

	// Type.
	do("type", chromedp.Click(chromedp.CSS(`#cl-view-type`)), chromedp.WaitVisible(chromedp.CSS(`#cl-type`)))
	if n := count(`#cl-type .cl-split`); n != 3 || !strings.Contains(text(`#cl-type`), "On-Net") {
		t.Errorf("type view: %d splits", n)
	}
	shot("type-1366")
	phone()
	shot("type-390")
	desktop()

	// Top 10 mobile.
	do("top 10", chromedp.Click(chromedp.CSS(`#cl-view-top`)), chromedp.WaitVisible(chromedp.CSS(`#cl-top`)),
		chromedp.Click(`//section[@id="cl-top"]//a[normalize-space()="Mobile Calls"]`),
		waitFor(`document.querySelector('#cl-top thead')?.textContent.includes('Mobile Calls')`))
	if rows := count(`#cl-top tbody tr`); rows != 10 || !strings.HasPrefix(text(`#cl-top tbody tr td:nth-child(2)`), "+447911") {
		t.Errorf("top 10 mobile: %d rows, first %q", rows, text(`#cl-top tbody tr td:nth-child(2)`))
	}
	shot("top-1366")
	phone()
	shot("top-390")
	desktop()

	// Export the list: a real download.
	dir := t.TempDir()
	progress := chromedp.Events(bctx, cdpbrowser.DownloadProgress)
	do("export",
		chromedp.Navigate(base+"/call-logs?view=list&from=2026-03-01&to=2026-03-31&tz=Europe/London"),
		chromedp.WaitVisible(chromedp.CSS(`#cl-list`)),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			yes := true
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS(`#cl-export`)),
	)
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(dir, ev.GUID)
			break
		}
	}
	body, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(body)), "\r\n")
	if len(lines) != 601 || !strings.HasPrefix(lines[0], "Business Number,Time,Duration") {
		t.Errorf("exported %d lines, header %q", len(lines), lines[0])
	}
}

// seconds reads a duration shown as m:ss or h:mm:ss.
func seconds(shown string) int {
	total := 0
	for _, part := range strings.Split(shown, ":") {
		n := 0
		for _, c := range part {
			n = n*10 + int(c-'0')
		}
		total = total*60 + n
	}
	return total
}

// TestCallLogPagesAccess: the page and its export answer each account only
// what its role and scope allow; another tenant's object is the same 404
// page as a missing one (both engines).
func TestCallLogPagesAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		seedCallLogTraffic(t, env, db, 40)
		f := env.Fixture
		const march = "&from=2026-03-01&to=2026-03-31"
		for _, tc := range []struct {
			user, query string
			want        int
		}{
			{"acme.admin", fmt.Sprintf("target=company:%d", f.Acme.ID), 200},
			{"acme.admin", fmt.Sprintf("target=site:%d", f.London.ID), 200},
			{"acme.admin", fmt.Sprintf("target=company:%d", f.Globex.ID), 404},
			{"acme.admin", "target=user&term=globex.one", 404},
			{"globex.admin", fmt.Sprintf("target=site:%d", f.Leeds.ID), 404},
			{"leeds.admin", "", 200},
			{"leeds.admin", fmt.Sprintf("target=site:%d", f.London.ID), 404},
			{"leeds.admin", fmt.Sprintf("target=company:%d", f.Acme.ID), 403},
			{"west.one", "", 200},
			{"west.one", fmt.Sprintf("target=site:%d", f.Leeds.ID), 404},
			{"other.operator", fmt.Sprintf("company_id=%d", f.Acme.ID), 404},
			{"operator", "", 200},
		} {
			b := newBrowser(t, env)
			b.login(tc.user, false)
			for _, path := range []string{"/call-logs?view=list&", "/call-logs/export?"} {
				pg := b.get(path + tc.query + march)
				if pg.Status != tc.want {
					t.Errorf("%s %s%s: %d, want %d", tc.user, path, tc.query, pg.Status, tc.want)
				}
				if tc.want == 404 && strings.Contains(pg.Body, "Globex") && tc.user != "globex.admin" {
					t.Errorf("%s %s%s: the 404 names the other company", tc.user, path, tc.query)
				}
			}
		}
		// The employee's list shows only their own number's calls.
		b := newBrowser(t, env)
		b.login("west.one", false)
		pg := b.get("/call-logs?view=list&limit=100" + march)
		if strings.Contains(pg.Body, `data-label="Business Number">&#43;442079460012<`) || !strings.Contains(pg.Body, `data-label="Business Number">&#43;441134960011<`) {
			t.Errorf("west.one's list shows another employee's calls or none of theirs")
		}
	})
}
