package ui_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/features"
)

// TestBrowserSiteFeatures drives headless Chromium through the site's new
// features (docs/features.md): the Features tab as a Grid filtered to
// Portals & Bridges, the Voice Portal configured with its own extension
// and number, and a Call Centre queue whose agent is found with the
// employee search (the form keeps what was typed while searching).
func TestBrowserSiteFeatures(t *testing.T) {
	env, leeds := siteFeaturesEnv(t)
	ctx := context.Background()
	f := env.Fixture
	b := signedIn(t, env, "acme.admin")
	shots := func(name string) {
		t.Helper()
		for _, w := range widths {
			b.do(w.name+" width", w.set)
			png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatalf("screenshot %s: %v", name, err)
			}
			file := "fsite-" + name + "-" + w.name + ".png"
			b.save(file, png)
			if err := os.WriteFile(filepath.Join(os.TempDir(), file), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		b.do("desktop width", widths[0].set)
	}
	b.do("desktop width", widths[0].set)

	b.do("features grid",
		chromedp.Navigate(b.base+leeds+"?view=grid&category="+url.QueryEscape("Portals & Bridges")),
		chromedp.WaitVisible(chromedp.CSS(`#feature-grid`)),
	)
	if got := b.text(chromedp.CSS(`#feature-grid`)); !strings.Contains(got, "Voice Portal") || strings.Contains(got, "Calling Plans") {
		t.Errorf("grid of Portals & Bridges: %q", got)
	}
	shots("grid")
	b.do("back to the list, same category",
		chromedp.Click(chromedp.CSS(`#view-list`)),
		chromedp.WaitVisible(chromedp.CSS(`table.stack`)),
	)
	if loc := b.location(); !strings.Contains(loc, "category=Portals") || strings.Contains(loc, "view=grid") {
		t.Errorf("the List link goes to %q", loc)
	}

	b.do("configure the voice portal",
		chromedp.Click(chromedp.CSS(`#configure-voice_portal`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-access-extension`)),
		chromedp.Click(chromedp.CSS(`#f-enabled`)),
		chromedp.SendKeys(chromedp.CSS(`#f-access-extension`), "3900"),
		chromedp.SendKeys(chromedp.CSS(`#f-access-number`), "0113 496 0090"),
		chromedp.Click(chromedp.CSS(`#f-auto-login`)),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	c, err := env.App.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(f.Leeds.ID), features.CodeVoicePortal)
	if err != nil {
		t.Fatal(err)
	}
	vp := c.Settings.(*features.VoicePortal)
	if !vp.Enabled || !vp.AutoLogin || !vp.PINRequired || vp.Access == nil || vp.Access.Extension != "3900" || vp.Access.Number != "+441134960090" {
		t.Fatalf("voice portal saved: %+v %+v", vp, vp.Access)
	}
	shots("voice-portal")

	b.do("calling plans", chromedp.Navigate(b.base+leeds+"/calling_plans"), chromedp.WaitVisible(chromedp.CSS(`#f-outgoing-premium_rate`)))
	shots("calling-plans")
	b.do("company contacts", chromedp.Navigate(b.base+leeds+"/company_contacts"), chromedp.WaitVisible(chromedp.CSS(`[name="contacts[0].name"]`)))
	shots("company-contacts")

	west := strconv.FormatInt(env.ID("west.one"), 10)
	b.do("call centre: a queue, then search for its agent",
		chromedp.Navigate(b.base+leeds+"/call_centre"),
		chromedp.WaitVisible(chromedp.CSS(`[name="queues[0].name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[name="queues[0].name"]`), "Support"),
		chromedp.SendKeys(chromedp.CSS(`[name="queues[0].extension"]`), "3100"),
		chromedp.SendKeys(chromedp.CSS(`#f-people-q`), "west"),
		// The page before the search has a hint too: mark it, so that the
		// wait below is for the answer's page.
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.before = 'search'`),
		chromedp.Click(chromedp.CSS(`#people-search`)),
		chromedp.WaitNotPresent(chromedp.CSS(`body[data-before]`)),
		chromedp.WaitVisible(chromedp.CSS(`#people-picker-hint`)),
	)
	if got := b.text(chromedp.CSS(`#people-picker-hint`)); !strings.Contains(got, `matching “west”`) {
		t.Errorf("picker after the search: %q", got)
	}
	if name, err := chromedp.Run(b.ctx, chromedp.Value(chromedp.CSS(`[name="queues[0].name"]`))); err != nil || name != "Support" {
		t.Errorf("the search lost the queue's name: %q, %v", name, err)
	}
	b.do("choose the agent and save",
		chromedp.SetValue(chromedp.CSS(`#f-queues-0-agent-0`), west),
		chromedp.Click(chromedp.CSS(`[name="queues[0].comfort.enabled"]`)),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	c, err = env.App.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(f.Leeds.ID), features.CodeCallCentre)
	if err != nil {
		t.Fatal(err)
	}
	cc := c.Settings.(*features.CallCentre).Queues
	if len(cc) != 1 || cc[0].Name != "Support" || cc[0].Extension != "3100" || len(cc[0].Agents) != 1 || strconv.FormatInt(cc[0].Agents[0].EmployeeID, 10) != west ||
		!cc[0].Comfort.Enabled || cc[0].Policy != features.PolicyUniform {
		t.Fatalf("call centre saved: %+v", cc)
	}
	shots("call-centre")
}
