package ui_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBrowserFeatures drives headless Chromium through the Features tabs
// (docs/features.md): the company administrator makes voicemail
// unavailable at Leeds and configures the site's time schedules; west.one,
// in self-care, configures their own call forwarding (a bad ring count
// first, then a national number saved in E.164).
func TestBrowserFeatures(t *testing.T) {
	actx, shots := launch(t)
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	a, f := env.App, env.Fixture
	sv := env.SeedService(t)
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
		t.Fatal(err)
	}
	west := env.ID("west.one")
	if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, west, sv.Packages["Standard"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
		t.Fatal(err)
	}
	base := env.Server.URL
	root, cancelRoot := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	defer cancelRoot()
	if err := chromedp.Do(root, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	// Each person gets a browser context of their own (separate cookies).
	newTab := func() (tab, context.CancelFunc) {
		c, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
		return tab{t: t, ctx: c, base: base, shots: shots}, cancel
	}
	login := func(b tab, user string) {
		b.do("login "+user,
			chromedp.Navigate(base+"/login"),
			chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
			chromedp.SendKeys(chromedp.CSS(`#f-username`), user),
			chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#f-password`)),
		)
	}
	leeds := base + "/sites/" + strconv.FormatInt(f.Leeds.ID, 10) + "/features"

	admin, cancelAdmin := newTab()
	defer cancelAdmin()
	login(admin, "acme.admin")
	admin.do("desktop", chromedp.EmulateViewport(1366, 900))
	admin.do("site features", chromedp.Navigate(leeds), chromedp.WaitVisible(chromedp.CSS(`#available-voicemail`)))
	admin.shot("features-site-desktop.png")
	admin.do("voicemail unavailable",
		chromedp.Click(chromedp.CSS(`#available-voicemail`)),
		chromedp.Click(chromedp.CSS(`#save-features`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if msg := admin.text(chromedp.CSS(`.flash`)); !strings.Contains(msg, "feature assignments have been saved") {
		t.Fatalf("flash after saving: %q", msg)
	}
	lines, err := a.Features.Features(ctx, env.Actor("acme.admin"), features.Employee(west), "")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lines {
		if l.Code == features.CodeVoicemail && (l.AvailableAtSite || l.Active) {
			t.Errorf("voicemail after the site made it unavailable: %+v", l)
		}
	}
	admin.do("filter by category",
		chromedp.SetValue(chromedp.CSS(`#f-category`), "Schedules"),
		chromedp.Click(chromedp.CSS(`form.toolbar button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#available-voicemail`)),
		chromedp.WaitVisible(chromedp.CSS(`#configure-time_schedules`)),
	)
	if body := admin.text(chromedp.CSS(`tbody`)); strings.Contains(body, "Call Forwarding") {
		t.Errorf("the Schedules filter shows Call Forwarding: %q", body)
	}
	admin.do("configure time schedules",
		chromedp.Click(chromedp.CSS(`#configure-time_schedules`)),
		chromedp.WaitVisible(chromedp.CSS(`[name="schedules[0].name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[name="schedules[0].name"]`), "Office hours"),
		chromedp.Click(chromedp.CSS(`[name="schedules[0].periods[0].days"][value="mon"]`)),
		chromedp.Click(chromedp.CSS(`[name="schedules[0].periods[0].days"][value="tue"]`)),
		chromedp.Click(chromedp.CSS(`[name="schedules[0].periods[0].days"][value="wed"]`)),
		chromedp.SetValue(chromedp.CSS(`[name="schedules[0].periods[0].start"]`), "09:00"),
		chromedp.SetValue(chromedp.CSS(`[name="schedules[0].periods[0].end"]`), "17:30"),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	admin.shot("features-site-config-desktop.png")
	c, err := a.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(f.Leeds.ID), features.CodeTimeSchedules)
	if err != nil {
		t.Fatal(err)
	}
	ts := c.Settings.(*features.TimeSchedules).Schedules
	if len(ts) != 1 || ts[0].Name != "Office hours" || strings.Join(ts[0].Periods[0].Days, ",") != "mon,tue,wed" || ts[0].Periods[0].End != "17:30" {
		t.Errorf("time schedules saved: %+v", ts)
	}
	// A hunt group with its own extension and a member, then removed.
	admin.do("configure hunt groups",
		chromedp.Navigate(leeds+"/hunt_groups"),
		chromedp.WaitVisible(chromedp.CSS(`[name="groups[0].name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[name="groups[0].name"]`), "Sales line"),
		chromedp.SendKeys(chromedp.CSS(`[name="groups[0].extension"]`), "3001"),
		chromedp.SetValue(chromedp.CSS(`[name="groups[0].policy"]`), "circular"),
		chromedp.SetValue(chromedp.CSS(`[name="groups[0].members[0].employee_id"]`), strconv.FormatInt(west, 10)),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	admin.shot("features-hunt-groups-desktop.png")
	hc, err := a.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(f.Leeds.ID), features.CodeHuntGroups)
	if err != nil {
		t.Fatal(err)
	}
	hg := hc.Settings.(*features.HuntGroups).Groups
	if len(hg) != 1 || hg[0].Name != "Sales line" || hg[0].Extension != "3001" || hg[0].Policy != "circular" || len(hg[0].Members) != 1 || hg[0].Members[0].EmployeeID != west {
		t.Fatalf("hunt groups saved: %+v", hg)
	}
	if holder, err := a.Numbering.ExtensionHolder(ctx, f.Acme.ID, "3001"); err != nil || holder.Owner.Name != "Sales line" {
		t.Errorf("extension 3001: %+v, %v", holder, err)
	}
	// A holiday schedule, then an auto attendant following both schedules:
	// 1 transfers to the hunt group, 0 to west.one's mailbox.
	admin.do("configure holiday schedules",
		chromedp.Navigate(leeds+"/holiday_schedules"),
		chromedp.WaitVisible(chromedp.CSS(`[name="schedules[0].name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[name="schedules[0].name"]`), "UK"),
		chromedp.SendKeys(chromedp.CSS(`[name="schedules[0].holidays[0].name"]`), "Christmas Day"),
		chromedp.SetValue(chromedp.CSS(`[name="schedules[0].holidays[0].start"]`), "2026-12-25"),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	admin.do("configure auto attendant",
		chromedp.Navigate(leeds+"/auto_attendant"),
		chromedp.WaitVisible(chromedp.CSS(`[name="attendants[0].name"]`)),
		chromedp.SendKeys(chromedp.CSS(`[name="attendants[0].name"]`), "Main menu"),
		chromedp.SendKeys(chromedp.CSS(`[name="attendants[0].extension"]`), "3000"),
		chromedp.SetValue(chromedp.CSS(`[name="attendants[0].business_hours"]`), "Office hours"),
		chromedp.SetValue(chromedp.CSS(`[name="attendants[0].holidays"]`), "UK"),
		chromedp.SetValue(chromedp.CSS(`[name="attendants[0].business_hours_menu.keys.1.action"]`), "transfer"),
		chromedp.SendKeys(chromedp.CSS(`[name="attendants[0].business_hours_menu.keys.1.destination"]`), "3001"),
		chromedp.SetValue(chromedp.CSS(`[name="attendants[0].after_hours_menu.keys.0.action"]`), "voicemail"),
		chromedp.SetValue(chromedp.CSS(`[name="attendants[0].after_hours_menu.keys.0.employee_id"]`), strconv.FormatInt(west, 10)),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	admin.shot("features-auto-attendant-desktop.png")
	ac, err := a.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(f.Leeds.ID), features.CodeAutoAttendant)
	if err != nil {
		t.Fatal(err)
	}
	aa := ac.Settings.(*features.AutoAttendants).Attendants
	if len(aa) != 1 || aa[0].BusinessHours != "Office hours" || aa[0].Holidays != "UK" || aa[0].BusinessHoursMenu.Keys["1"].Destination != "3001" ||
		aa[0].AfterHoursMenu.Keys["0"].EmployeeID != west || len(aa[0].HolidayMenu.Keys) != 0 {
		t.Fatalf("auto attendant saved: %+v", aa)
	}
	admin.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	admin.do("site features phone", chromedp.Navigate(leeds), chromedp.WaitVisible(chromedp.CSS(`#available-voicemail`)))
	admin.shot("features-site-phone.png")
	admin.do("auto attendant phone", chromedp.Navigate(leeds+"/auto_attendant"), chromedp.WaitVisible(chromedp.CSS(`[name="attendants[0].name"]`)))
	admin.shot("features-auto-attendant-phone.png")

	// west.one, self-care: My features → Call Forwarding.
	user, cancelUser := newTab()
	defer cancelUser()
	login(user, "west.one")
	user.do("phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	user.do("my features", chromedp.Navigate(base+"/my-features"), chromedp.WaitVisible(chromedp.CSS(`#configure-call_forwarding`)))
	user.shot("features-employee-phone.png")
	user.do("a bad ring count",
		chromedp.Click(chromedp.CSS(`#configure-call_forwarding`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-always-destination`)),
		chromedp.Click(chromedp.CSS(`#f-always-enabled`)),
		chromedp.SendKeys(chromedp.CSS(`#f-always-destination`), "0113 496 0099"),
		chromedp.SetValue(chromedp.CSS(`#f-no-answer-rings`), "0"),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`#error-summary`)),
	)
	if msg := user.text(chromedp.CSS(`#error-summary`)); !strings.Contains(msg, "Must be from 1 to 20 rings") {
		t.Errorf("error summary: %q", msg)
	}
	user.shot("features-employee-config-error-phone.png")
	user.do("fix and save",
		chromedp.SetValue(chromedp.CSS(`#f-no-answer-rings`), "5"),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	user.shot("features-employee-config-phone.png")
	c, err = a.Features.FeatureConfig(ctx, env.Actor("west.one"), features.Employee(west), features.CodeCallForwarding)
	if err != nil {
		t.Fatal(err)
	}
	cf := c.Settings.(*features.CallForwarding)
	if !cf.Always.Enabled || cf.Always.Destination != "+441134960099" || cf.NoAnswer.Rings != 5 {
		t.Errorf("call forwarding saved: %+v", cf)
	}
	user.do("desktop", chromedp.EmulateViewport(1366, 900))
	user.shot("features-employee-config-desktop.png")
	// Do not disturb, and call recording (an add-on west.one does not have:
	// no Configure for it).
	user.do("do not disturb",
		chromedp.Navigate(base+"/employees/"+strconv.FormatInt(west, 10)+"/features/do_not_disturb"),
		chromedp.WaitVisible(chromedp.CSS(`#f-enabled`)),
		chromedp.Click(chromedp.CSS(`#f-enabled`)),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	c, err = a.Features.FeatureConfig(ctx, env.Actor("west.one"), features.Employee(west), features.CodeDoNotDisturb)
	if err != nil || !c.Settings.(*features.DoNotDisturb).Enabled {
		t.Errorf("do not disturb saved: %+v, %v", c.Settings, err)
	}
	// Their busy lamp field: a colleague on the first key.
	support := env.ID("support.one")
	user.do("busy lamp field",
		chromedp.Navigate(base+"/employees/"+strconv.FormatInt(west, 10)+"/features/busy_lamp_field"),
		chromedp.WaitVisible(chromedp.CSS(`#f-monitored-0`)),
		chromedp.SetValue(chromedp.CSS(`#f-monitored-0`), strconv.FormatInt(support, 10)),
		chromedp.Click(chromedp.CSS(`#save-config`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	c, err = a.Features.FeatureConfig(ctx, env.Actor("west.one"), features.Employee(west), features.CodeBusyLampField)
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Settings.(*features.BusyLampField).Monitored; len(m) != 1 || m[0] != support {
		t.Errorf("busy lamp field saved: %v", m)
	}
}
