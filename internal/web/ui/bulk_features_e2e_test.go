package ui_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserBulkFeatureJob: a company admin opens Bulk Feature
// Management, chooses west.one as the reference, ticks support.one as the
// target and Call Forwarding as the feature, submits, and — once the job
// has run — sees it Completed with the setting copied; then deletes the
// job's record. At desktop width, then the status page on a phone.
func TestBrowserBulkFeatureJob(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	a, f := env.App, env.Fixture
	sv := env.SeedService(t)
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
		t.Fatal(err)
	}
	west, support := env.ID("west.one"), env.ID("support.one")
	for _, id := range []int64{west, support} {
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, id, sv.Packages["Standard"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a.Features.Configure(ctx, env.Actor("acme.admin"), features.Employee(west), features.CodeCallForwarding,
		[]byte(`{"busy":{"enabled":true,"destination":"+441134960077"}}`)); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL
	root, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancel()
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	c, cancelTab := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	defer cancelTab()
	b := tab{t: t, ctx: c, base: base, shots: shots}
	b.do("login", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/login"), chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), "acme.admin"), chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)), chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)))
	b.do("open", chromedp.Navigate(base+"/dashboard"), chromedp.Click(`//nav//a[normalize-space()="Bulk Feature Management"]`),
		chromedp.WaitVisible(chromedp.CSS(`#bulk-jobs`)), chromedp.Click(chromedp.CSS(`#bulk-add`)), chromedp.WaitVisible(chromedp.CSS(`#ref-results`)))
	b.do("reference", chromedp.SendKeys(chromedp.CSS(`#f-q`), "west"), chromedp.Click(`//form[contains(@class,"toolbar")]//button`),
		// Only the searched page lists west.one alone (the first lists everybody).
		chromedp.WaitVisible(`//ul[@id="ref-results" and count(li)=1]//li[contains(., "west.one")]//a`),
		chromedp.Click(`//ul[@id="ref-results" and count(li)=1]//li[contains(., "west.one")]//a`), chromedp.WaitVisible(chromedp.CSS(`#ref-name`)))
	b.do("target", chromedp.Click(`//table[@id="targets"]//tr[contains(., "support.one")]//input[@type="checkbox"]`), chromedp.Click(chromedp.CSS(`#targets-update`)),
		chromedp.WaitVisible(`//*[@id="chosen-count" and contains(., "1 chosen")]`))
	b.do("feature", chromedp.Click(`//ul[@id="bulk-features"]//label[contains(., "Call Forwarding")]/input`), chromedp.Click(chromedp.CSS(`#to-summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#bulk-summary`)))
	if got := b.text(chromedp.CSS(`#bulk-summary`)); !strings.Contains(got, "Copy 1 feature from") || !strings.Contains(got, "to 1 employee") {
		t.Errorf("summary %q", got)
	}
	b.shot("bulk-wizard-desktop.png")
	b.do("submit", chromedp.Click(chromedp.CSS(`#bulk-go`)), chromedp.WaitVisible(chromedp.CSS(`#bulk-status`)))
	if got := b.text(chromedp.CSS(`#bulk-status`)); got != "Not Started" {
		t.Errorf("a new job is %q", got)
	}
	if _, err := a.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	b.do("refresh", chromedp.Click(`//a[normalize-space()="Refresh"]`), chromedp.WaitVisible(`//*[@id="bulk-status" and normalize-space()="Completed"]`))
	if got := b.text(chromedp.CSS(`#bulk-items`)); !strings.Contains(got, "Call Forwarding") || !strings.Contains(got, "Copied") {
		t.Errorf("items %q", got)
	}
	cfg, err := a.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Employee(support), features.CodeCallForwarding)
	if err != nil || !strings.Contains(settingsJSON(cfg), "+441134960077") {
		t.Errorf("support.one's call forwarding: %v, %v", cfg.Settings, err)
	}
	b.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#bulk-items`)))
	if wide, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`)); err != nil || wide {
		t.Errorf("the job page scrolls sideways on a phone (%v)", err)
	}
	b.shot("bulk-job-phone.png")
	b.do("delete", chromedp.Click(`//button[normalize-space()="Delete job"]`), chromedp.WaitVisible(chromedp.CSS(`.flash`)))
	if got := b.text(chromedp.CSS(`#bulk-jobs`)); strings.Contains(got, "Copy Call Forwarding") {
		t.Errorf("the deleted job is still listed: %q", got)
	}

	// A greeting for west.one: uploaded from the Features page's
	// Recordings, listed with a player that plays it; a text file is
	// refused with the reason.
	greeting := filepath.Join(t.TempDir(), "greeting.wav")
	if err := os.WriteFile(greeting, apptest.ToneWAV(), 0o644); err != nil {
		t.Fatal(err)
	}
	notAudio := filepath.Join(t.TempDir(), "notes.wav")
	if err := os.WriteFile(notAudio, []byte("these are not sounds"), 0o644); err != nil {
		t.Fatal(err)
	}
	b.do("recordings", chromedp.EmulateViewport(1366, 900), chromedp.Navigate(base+"/employees/"+strconv.FormatInt(west, 10)+"/features"),
		chromedp.Click(chromedp.CSS(`#recordings-link`)), chromedp.WaitVisible(chromedp.CSS(`#recording-upload`)),
		chromedp.SetUploadFiles(`#f-file`, []string{notAudio}), chromedp.Click(`//form[@id="recording-upload"]//button`),
		chromedp.WaitVisible(chromedp.CSS(`#f-file-err`)))
	if got := b.text(chromedp.CSS(`#f-file-err`)); !strings.Contains(strings.ToLower(got), "not") {
		t.Errorf("refusal of a text file: %q", got)
	}
	b.do("upload", chromedp.SetUploadFiles(`#f-file`, []string{greeting}), chromedp.Click(`//form[@id="recording-upload"]//button`),
		chromedp.WaitVisible(`//ul[@id="recordings"]//li[contains(., "greeting")]//audio`))
	if ok, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`fetch(document.querySelector('#recordings audio').src).then(r => r.ok && r.headers.get('Content-Type') === 'audio/wav')`,
		chromedp.EvalAwaitPromise)); err != nil || !ok {
		t.Errorf("the player's source does not serve WAV (%v)", err)
	}
	b.shot("recordings-desktop.png")
}

// settingsJSON is a configuration's settings as JSON text.
func settingsJSON(c features.Config) string {
	b, _ := json.Marshal(c.Settings)
	return string(b)
}
