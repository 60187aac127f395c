package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// siteFeaturesEnv sells Leeds the Site Essentials package with the Call
// Centre and My Room add-ons.
func siteFeaturesEnv(t *testing.T) (*apptest.Env, string) {
	t.Helper()
	env := apptest.New(t, storetest.SQLite(t))
	sv := env.SeedService(t)
	f := env.Fixture
	if _, err := env.App.Catalog.SetSiteOffering(context.Background(), f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID,
		[]int64{sv.Packages["Call Centre"].ID, sv.Packages["My Room Conferencing"].ID}); err != nil {
		t.Fatal(err)
	}
	return env, "/sites/" + id(f.Leeds.ID) + "/features"
}

// TestSiteFeatureForms: every new site feature opens in a form of its own
// (not the settings editor); a refused save shows the error on its field
// and keeps what was typed; a good save stores the settings.
func TestSiteFeatureForms(t *testing.T) {
	env, leeds := siteFeaturesEnv(t)
	ctx := context.Background()
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	forms := map[string]string{
		features.CodeCompanyContacts:    `name="contacts[0].numbers[3].number"`,
		features.CodeGroupContacts:      `name="show_on_phones"`,
		features.CodeSitePhoneServices:  `name="services[0].url"`,
		features.CodeCallCapacity:       `name="max_outbound"`,
		features.CodeCallingPlans:       `name="outgoing.premium_rate"`,
		features.CodeGroupCallingLineID: `name="use_for_external_calls"`,
		features.CodeCallDirectorPortal: `name="pin.max_attempts"`,
		features.CodeMyRoom:             `name="moderator_required"`,
		features.CodeVoicePortal:        `name="auto_login"`,
		features.CodeCallCentre:         `name="queues[0].agents[0].employee_id"`,
	}
	for code, want := range forms {
		p := b.get(leeds + "/" + code)
		mustContain(t, code, p, http.StatusOK, want)
		if strings.Contains(p.Body, `name="editor" value="json"`) {
			t.Errorf("%s opens in the settings editor", code)
		}
	}
	// The features tab lists them under the guide's categories.
	mustContain(t, "features tab", b.get(leeds), http.StatusOK, "Portals & Bridges", "Management", "configure-voice_portal", "configure-calling_plans")

	// The Grid view keeps the category filter and the hover help, and
	// saving from it comes back to it.
	grid := b.get(leeds + "?view=grid&category=" + url.QueryEscape("Portals & Bridges"))
	mustContain(t, "grid", grid, http.StatusOK, `id="feature-grid"`, `title="A number to reach voicemail and change settings by phone."`,
		`<input type="hidden" name="view" value="grid">`, `id="view-grid" aria-current="page"`)
	if strings.Contains(grid.Body, "configure-calling_plans") || strings.Contains(grid.Body, "<table") {
		t.Error("the grid of Portals & Bridges shows other categories, or a table")
	}
	saved := b.post(leeds+"?view=grid&category="+url.QueryEscape("Portals & Bridges"), url.Values{}, false)
	if saved.Status != http.StatusSeeOther || !strings.Contains(saved.Location, "category=Portals+%26+Bridges") || !strings.Contains(saved.Location, "view=grid") {
		t.Errorf("save from the grid goes to %d %q", saved.Status, saved.Location)
	}

	// A portal's extension in use elsewhere is refused on its field.
	p := b.post(leeds+"/"+features.CodeVoicePortal, url.Values{"enabled": {"on"}, "access.name": {"Voice Portal"},
		"access.extension": {"12"}, "pin_required": {"on"}}, false)
	mustContain(t, "bad voice portal", p, http.StatusUnprocessableEntity, "Extensions at this site have 4 digits; 12 has 2.", `value="12"`)
	p = b.post(leeds+"/"+features.CodeVoicePortal, url.Values{"enabled": {"on"}, "access.name": {"Voice Portal"},
		"access.extension": {"3900"}, "access.number": {"+441134960090"}, "pin_required": {"on"}}, false)
	if p.Status != http.StatusSeeOther {
		t.Fatalf("voice portal save: %d\n%s", p.Status, p.Body)
	}
	c, err := env.App.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(env.Fixture.Leeds.ID), features.CodeVoicePortal)
	if err != nil {
		t.Fatal(err)
	}
	if vp := c.Settings.(*features.VoicePortal); !vp.Enabled || vp.Access == nil || vp.Access.Extension != "3900" || vp.Access.ID == 0 {
		t.Errorf("voice portal saved: %+v", vp)
	}
	// Saving again keeps the portal (its id travels in the form).
	page := b.get(leeds + "/" + features.CodeVoicePortal)
	mustContain(t, "voice portal again", page, http.StatusOK, `name="access.id"`, `value="3900"`)

	// Calling plans: a class behind a code with no code is refused; with a
	// code it saves.
	plan := url.Values{"outgoing.internal": {"allow"}, "outgoing.national": {"allow"}, "outgoing.mobile": {"allow"},
		"outgoing.international": {"authorisation_code"}, "outgoing.premium_rate": {"block"}, "outgoing.operator_assisted": {"block"},
		"incoming.external": {"allow"}}
	mustContain(t, "plan without code", b.post(leeds+"/"+features.CodeCallingPlans, plan, false), http.StatusUnprocessableEntity,
		"Add an authorisation code")
	plan.Set("authorisation_codes[0].code", "4711")
	plan.Set("authorisation_codes[0].description", "Managers")
	if p := b.post(leeds+"/"+features.CodeCallingPlans, plan, false); p.Status != http.StatusSeeOther {
		t.Fatalf("plan save: %d\n%s", p.Status, p.Body)
	}
	// Contacts with a national number come back in E.164.
	if p := b.post(leeds+"/"+features.CodeGroupContacts, url.Values{"show_on_phones": {"on"}, "contacts[0].name": {"Taxi"},
		"contacts[0].numbers[0].label": {"Office"}, "contacts[0].numbers[0].number": {"0113 496 0500"}}, false); p.Status != http.StatusSeeOther {
		t.Fatalf("contacts save: %d\n%s", p.Status, p.Body)
	}
	mustContain(t, "contacts again", b.get(leeds+"/"+features.CodeGroupContacts), http.StatusOK, `value="+441134960500"`)

	// The Call Centre form: a queue with an agent, messages on and off.
	west := env.ID("west.one")
	q := url.Values{"queues[0].name": {"Support"}, "queues[0].extension": {"3100"}, "queues[0].policy": {"circular"},
		"queues[0].queue_length": {"12"}, "queues[0].agents[0].employee_id": {id(west)}, "queues[0].agents[0].weight": {"1"},
		"queues[0].entrance.enabled": {"on"}, "queues[0].comfort.enabled": {"on"}, "queues[0].comfort.seconds": {"45"},
		"queues[0].overflow.action": {"transfer"}, "queues[0].overflow.seconds": {"120"}, "queues[0].overflow.destination": {""}}
	mustContain(t, "queue overflow without destination", b.post(leeds+"/"+features.CodeCallCentre, q, false), http.StatusUnprocessableEntity,
		"Enter where overflowing calls are transferred", `value="Support"`)
	q.Set("queues[0].overflow.destination", "+441134960099")
	if p := b.post(leeds+"/"+features.CodeCallCentre, q, false); p.Status != http.StatusSeeOther {
		t.Fatalf("call centre save: %d\n%s", p.Status, p.Body)
	}
	c, err = env.App.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(env.Fixture.Leeds.ID), features.CodeCallCentre)
	if err != nil {
		t.Fatal(err)
	}
	cc := c.Settings.(*features.CallCentre)
	if len(cc.Queues) != 1 || cc.Queues[0].Agents[0].EmployeeID != west || cc.Queues[0].Policy != "circular" || cc.Queues[0].Comfort.Seconds != 45 ||
		!cc.Queues[0].Entrance.Enabled || cc.Queues[0].Overflow.Destination != "+441134960099" || cc.Queues[0].ID == 0 {
		t.Errorf("call centre saved: %+v", cc)
	}
	// The saved policy is chosen again, each policy offered in words.
	mustContain(t, "call centre again", b.get(leeds+"/"+features.CodeCallCentre), http.StatusOK,
		`name="queues[0].id"`, `selected>West, Wendy`, `<option value="circular" selected>Circular: after the member who took the last call</option>`,
		`<option value="uniform">Uniform: the member idle longest</option>`)
}

// TestEmployeePickersAtScale: with 5,000 employees the forms that name
// employees offer one page of them, never everybody; the search finds
// anyone by name or extension (keyset pages), keeps what was typed, and
// saves nothing; the chosen employee is then saved.
func TestEmployeePickersAtScale(t *testing.T) {
	env, leeds := siteFeaturesEnv(t)
	ctx := context.Background()
	db := env.App.DB
	const n = 5000
	err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		now := store.Now()
		for i := 0; i < n; i++ {
			first, last := fmt.Sprintf("Person%04d", i), fmt.Sprintf("Scale%04d", i)
			user := fmt.Sprintf("scale.%04d", i)
			if _, err := q.Exec(ctx, `INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, status, search_text, created_at, updated_at)
				VALUES (?, ?, ?, 'employee', ?, ?, 'active', ?, ?, ?)`, env.Fixture.Provider.ID, env.Fixture.Acme.ID, user, first, last,
				strings.ToLower(user+"\t"+first+"\t"+last+"\t"+first+" "+last), now, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	for _, code := range []string{features.CodeHuntGroups, features.CodeCallCentre, features.CodeAutoAttendant} {
		p := b.get(leeds + "/" + code)
		mustContain(t, code, p, http.StatusOK, `id="people-more"`)
		if k := strings.Count(p.Body, "Scale"); k == 0 || k > 100*40 {
			t.Errorf("%s: %d employee names on the page", code, k)
		}
		if strings.Contains(p.Body, "Scale4999") {
			t.Errorf("%s lists the last of 5,000 employees before any search", code)
		}
	}
	// Search keeps what was typed and saves nothing.
	form := url.Values{"groups[0].name": {"Night shift"}, "groups[0].extension": {"3200"}, "groups[0].policy": {"regular"},
		"people_q": {"scale4321"}, "find": {"search"}}
	p := b.post(leeds+"/"+features.CodeHuntGroups, form, false)
	mustContain(t, "search", p, http.StatusOK, "Scale4321, Person4321", `value="Night shift"`)
	if strings.Contains(p.Body, "Scale4322") {
		t.Error("the search offers employees that do not match")
	}
	if c, _ := env.App.Features.FeatureConfig(ctx, env.Actor("acme.admin"), features.Site(env.Fixture.Leeds.ID), features.CodeHuntGroups); c.Configured {
		t.Error("a search saved the form")
	}
	// The next page continues after the first (keyset), not from the start.
	first := b.post(leeds+"/"+features.CodeHuntGroups, url.Values{"people_q": {"scale"}, "find": {"search"}}, false)
	next := nextCursor.FindStringSubmatch(first.Body)
	if next == nil {
		t.Fatalf("no next page:\n%s", first.Body)
	}
	second := b.post(leeds+"/"+features.CodeHuntGroups, url.Values{"people_q": {"scale"}, "people_next": {next[1]}, "find": {"more"}}, false)
	mustContain(t, "more", second, http.StatusOK, "Scale0025, Person0025")
	if strings.Contains(second.Body, "Scale0000") {
		t.Error("the next page starts again from the first employee")
	}
	// Enter after typing a new search (the form sent without the Search
	// button) searches too: the box holds another search than the page
	// shows.
	enter := url.Values{"groups[0].name": {"Night shift"}, "groups[0].extension": {"3200"}, "people_q": {"scale0007"}, "people_last": {""}}
	mustContain(t, "enter in the search box", b.post(leeds+"/"+features.CodeHuntGroups, enter, false), http.StatusOK,
		"Scale0007, Person0007", `value="Night shift"`)
	// The chosen one is saved and shown by name afterwards.
	var chosen int64
	if err := db.Q(ctx).QueryRow(ctx, "SELECT id FROM accounts WHERE username = 'scale.4321'").Scan(&chosen); err != nil {
		t.Fatal(err)
	}
	form.Del("find")
	form.Set("people_last", "scale4321") // the search the page showed
	form.Set("groups[0].members[0].employee_id", id(chosen))
	if p := b.post(leeds+"/"+features.CodeHuntGroups, form, false); p.Status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.Status, p.Body)
	}
	mustContain(t, "saved member", b.get(leeds+"/"+features.CodeHuntGroups), http.StatusOK, `selected>Scale4321, Person4321`)
	// An employee's BLF (self-care) offers a page too.
	blf := b.get("/employees/" + id(env.ID("west.one")) + "/features/" + features.CodeBusyLampField)
	if blf.Status == http.StatusOK && strings.Contains(blf.Body, "Scale4999") {
		t.Error("the BLF form lists everybody")
	}
}

var nextCursor = regexp.MustCompile(`name="people_next" value="([^"]+)"`)
