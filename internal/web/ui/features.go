package ui

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
)

// The Features tab of a site and of an employee (Feature Assignment with
// its Allow Admin Privileges boxes, filtered by category) and each
// feature's Configure page, for administrators and — their own — for
// employees (self-care). The features service decides everything; these
// handlers translate forms (docs/features.md).
func init() {
	pageNames = append(pageNames, "features", "feature_config")
	flashes["features-saved"] = "The feature assignments have been saved."
	flashes["feature-configured"] = "The feature's settings have been saved."
}

func (p *Pages) registerFeatures(auth func(pattern string, fn handlerFunc)) {
	auth("GET /sites/{id}/features", p.siteFeatures)
	auth("POST /sites/{id}/features", p.siteFeaturesSave)
	auth("GET /sites/{id}/features/{code}", p.siteFeatureConfig)
	auth("POST /sites/{id}/features/{code}", p.siteFeatureConfigSave)
	auth("GET /employees/{id}/features", p.employeeFeatures)
	auth("POST /employees/{id}/features", p.employeeFeaturesSave)
	auth("GET /employees/{id}/features/{code}", p.employeeFeatureConfig)
	auth("POST /employees/{id}/features/{code}", p.employeeFeatureConfigSave)
	auth("GET /my-features", p.myFeatures)
}

// featuresPage is the Features tab.
type featuresPage struct {
	Owner      features.Owner
	Name       string
	Base       string // /sites/3/features or /employees/7/features
	Category   string
	Categories []string
	// View is "list" or "grid" (the guide's List or Grid), kept in the
	// URL; Query is the view and category as a query string for links.
	View     string
	Query    string
	Features []features.Feature
	// CanSave shows the Save button: some box on the page may be changed.
	CanSave bool
	Errors  []string
}

// featureOwnerFrame loads the owner's name and company for the page frame;
// it decides nothing (the features service already has).
func (p *Pages) featureOwnerFrame(r *http.Request, o features.Owner) (name string, companyID int64, err error) {
	if o.Kind == features.OwnerSite {
		g, err := p.siteFrame(r, o.ID)
		return g.Name, g.CompanyID, err
	}
	e, err := p.app.Directory.Employee(r.Context(), o.ID)
	return e.DisplayName(), e.CompanyID, err
}

// featuresView builds the frame of a features page: the site's side bar,
// or the employee's (the employee's own: the self-care one).
func (p *Pages) featuresView(r *http.Request, o features.Owner, title string) (*view, string, error) {
	if o.Kind == features.OwnerSite {
		g, err := p.siteFrame(r, o.ID)
		if err != nil {
			return nil, "", err
		}
		v, err := p.siteView(r, g, "features", g.Name+": "+title)
		return v, g.Name, err
	}
	e, err := p.app.Directory.Employee(r.Context(), o.ID)
	if err != nil {
		return nil, "", err
	}
	tab := "employees"
	if o.ID == actorOf(r).AccountID {
		tab = "profile"
	}
	v, err := p.newView(r, e.CompanyID, tab, e.DisplayName()+": "+title)
	if err != nil {
		return nil, "", err
	}
	employeesSide(v, &e, "features")
	return v, e.DisplayName(), nil
}

func featuresBase(o features.Owner) string {
	if o.Kind == features.OwnerSite {
		return "/sites/" + itoa64(o.ID) + "/features"
	}
	return "/employees/" + itoa64(o.ID) + "/features"
}

func (p *Pages) renderFeatures(w http.ResponseWriter, r *http.Request, code int, o features.Owner, errs []string) error {
	category := r.URL.Query().Get("category")
	all, err := p.app.Features.Features(r.Context(), actorOf(r), o, "")
	if err != nil {
		return err
	}
	v, name, err := p.featuresView(r, o, "Features")
	if err != nil {
		return err
	}
	pg := featuresPage{Owner: o, Name: name, Base: featuresBase(o), Category: category, Errors: errs, View: featuresView(r)}
	pg.Query = featuresQuery(pg.View, category)
	seen := map[string]bool{}
	for _, f := range all {
		if !seen[f.Category] {
			seen[f.Category] = true
			pg.Categories = append(pg.Categories, f.Category)
		}
		if category == "" || f.Category == category {
			pg.Features = append(pg.Features, f)
			pg.CanSave = pg.CanSave || f.Can.Assign || f.Can.Privileges
		}
	}
	sort.Strings(pg.Categories)
	v.Data = pg
	p.render(w, r, code, "features", v)
	return nil
}

func (p *Pages) siteFeatures(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderFeatures(w, r, http.StatusOK, features.Site(id), nil)
}

func (p *Pages) employeeFeatures(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderFeatures(w, r, http.StatusOK, features.Employee(id), nil)
}

// myFeatures is the self-care entry: the employee's own Features tab.
func (p *Pages) myFeatures(w http.ResponseWriter, r *http.Request) error {
	http.Redirect(w, r, "/employees/"+itoa64(actorOf(r).AccountID)+"/features", http.StatusSeeOther)
	return nil
}

// saveFeatures applies the check boxes of the Features tab: for each
// feature listed on the form (feature=<id>), its available and
// allow_group_admins boxes (sent only where the actor may change them,
// marked by can_assign / can_privileges). Only what changed is sent to the
// service, one change at a time; a refusal is shown with the feature's name
// and the others still apply.
func (p *Pages) saveFeatures(w http.ResponseWriter, r *http.Request, o features.Owner) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	ctx, actor := r.Context(), actorOf(r)
	current, err := p.app.Features.Features(ctx, actor, o, "")
	if err != nil {
		return err
	}
	byID := map[int64]features.Feature{}
	for _, f := range current {
		byID[f.FeatureID] = f
	}
	listed := map[int64]bool{}
	for _, s := range r.PostForm["feature"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			listed[id] = true
		}
	}
	has := func(name string, id int64) bool { return r.PostForm.Get(name+"_"+itoa64(id)) == "on" }
	var errs []string
	for id := range listed {
		f, ok := byID[id]
		if !ok {
			continue
		}
		if r.PostForm.Get("can_assign_"+itoa64(id)) != "" {
			if want := has("available", id); want != f.Available {
				if _, err := p.app.Features.SetAvailable(ctx, actor, o, id, &want); err != nil {
					c := derrors.Classify(err)
					if c.Message == "" {
						return err
					}
					errs = append(errs, f.Name+": "+sentence(c.Message))
				}
			}
		}
		if r.PostForm.Get("can_privileges_"+itoa64(id)) != "" {
			if want := has("allow", id); want != f.AllowGroupAdmins {
				if _, err := p.app.Features.SetAdminPrivileges(ctx, actor, o, id, &want); err != nil {
					c := derrors.Classify(err)
					if c.Message == "" {
						return err
					}
					errs = append(errs, f.Name+": "+sentence(c.Message))
				}
			}
		}
	}
	if len(errs) > 0 {
		sort.Strings(errs)
		return p.renderFeatures(w, r, http.StatusUnprocessableEntity, o, errs)
	}
	target := featuresBase(o) + featuresQuery(featuresView(r), r.URL.Query().Get("category"))
	redirectFlash(w, r, target, "features-saved")
	return nil
}

func (p *Pages) siteFeaturesSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.saveFeatures(w, r, features.Site(id))
}

func (p *Pages) employeeFeaturesSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.saveFeatures(w, r, features.Employee(id))
}

// featureConfigPage is a feature's Configure page: a form for the features
// the page knows (Form is set), else the settings as JSON (Advanced).
type featureConfigPage struct {
	Owner    features.Owner
	Base     string
	Config   features.Config
	Help     string
	Form     *form
	Kind     string // the form's template: call_forwarding, …, or "json"
	JSON     string
	Rows     []formRow // the rows of list forms
	Days     []string
	Schedule []string // the site's time schedules, for simultaneous ring
	Groups   []nestedRow
	People   []memberOption
	Policies []labeled
	Menus    []menuView
	Actions  []string
	// TimeNames and HolidayNames are the site's schedules an auto
	// attendant may follow.
	TimeNames, HolidayNames []string
	// Site is the data of the site feature forms (features_site.go);
	// Pick the employee search of forms that name employees, and Names
	// the names of the employees the form holds, by id.
	Site  *siteFormData
	Pick  *pickerView
	Names map[string]string
	// Emp is the data of the employee feature forms (features_emp.go).
	Emp *empFormData
	// Audio are the form's audio places by settings path (feature_audio.go).
	Audio map[string]audioPick
}

var formKinds = map[string]bool{features.CodeCallForwarding: true, features.CodeCallWaiting: true, features.CodeVoicemail: true,
	features.CodeRemoteOffice: true, features.CodeSimultaneousRing: true, features.CodeTimeSchedules: true, features.CodeHuntGroups: true,
	features.CodeHolidaySchedules: true, features.CodeAutoAttendant: true, features.CodeBusyLampField: true,
	features.CodeDoNotDisturb: true, features.CodeCallRecording: true, features.CodeMusicOnHold: true}

// menuKeys are an auto attendant menu's keys, in the order of a keypad.
var menuKeys = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "*", "0", "#"}

// menuView is one menu of an auto attendant form.
type menuView struct {
	Name  string // business_hours_menu …
	Label string
	Keys  []string
}

// nestedRow is a row of a form with rows of its own: a hunt group and its
// members, a holiday schedule and its holidays.
type nestedRow struct {
	formRow
	Members []formRow
}

// memberOption is an employee a hunt group member select offers.
type memberOption struct {
	ID   int64
	Name string
}

func (p *Pages) renderFeatureConfig(w http.ResponseWriter, r *http.Request, status int, o features.Owner, code string, f *form) error {
	ctx, actor := r.Context(), actorOf(r)
	c, err := p.app.Features.FeatureConfig(ctx, actor, o, code)
	if err != nil {
		return err
	}
	v, _, err := p.featuresView(r, o, c.Name)
	if err != nil {
		return err
	}
	raw, err := json.MarshalIndent(c.Settings, "", "  ")
	if err != nil {
		return err
	}
	pg := featureConfigPage{Owner: o, Base: featuresBase(o), Config: c, Kind: "json", JSON: string(raw),
		Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}}
	for _, d := range features.Definitions() {
		if d.Code == code {
			pg.Help = d.Help
		}
	}
	if formKinds[code] {
		pg.Kind = code
	}
	if ts, ok := c.Settings.(*features.TimeSchedules); ok {
		for _, s := range ts.Schedules {
			if len(s.Periods) != 1 {
				pg.Kind = "json" // several periods a schedule: the editor keeps them all
			}
		}
	}
	if f == nil {
		f = newForm(featureSettingsForm(c.Settings, string(raw)))
	}
	pg.Form = f
	if pg.Kind == code { // a form, not the settings editor
		if pg.Audio, err = p.audioPicks(r, o, code, f); err != nil {
			return err
		}
	}
	switch code {
	case features.CodeSimultaneousRing:
		pg.Rows = rows(f, "numbers", "destination", 10)
		if o.Kind == features.OwnerEmployee {
			if sd, err := p.app.Features.ServiceDataFor(ctx, actor, o); err == nil && sd.SiteID != 0 {
				if sc, err := p.app.Features.FeatureConfig(ctx, actor, features.Site(sd.SiteID), features.CodeTimeSchedules); err == nil {
					for _, s := range sc.Settings.(*features.TimeSchedules).Schedules {
						pg.Schedule = append(pg.Schedule, s.Name)
					}
				}
			}
		}
	case features.CodeTimeSchedules:
		pg.Rows = rows(f, "schedules", "name", 20)
	case features.CodeHuntGroups:
		pg.Policies = policyOptions(features.PolicyRegular, features.PolicyCircular, features.PolicySimultaneous, features.PolicyUniform, features.PolicyWeighted)
		for _, g := range rows(f, "groups", "name", 50) {
			hg := nestedRow{formRow: g}
			for _, m := range rows(f, fmt.Sprintf("groups[%d].members", g.I), "employee_id", 100) {
				hg.Members = append(hg.Members, m)
			}
			hg.Members = append(hg.Members, formRow{I: len(hg.Members), N: len(hg.Members) + 1}) // two blank lines
			pg.Groups = append(pg.Groups, hg)
		}
		if err := p.featurePeople(r, v, &pg); err != nil {
			return err
		}
	case features.CodeBusyLampField:
		pg.Rows = rows(f, "monitored", "", 100)
		if err := p.pickPeople(r, &pg); err != nil {
			return err
		}
	case features.CodeHolidaySchedules:
		for _, g := range rows(f, "schedules", "name", 20) {
			hg := nestedRow{formRow: g, Members: rows(f, fmt.Sprintf("schedules[%d].holidays", g.I), "start", 50)}
			pg.Groups = append(pg.Groups, hg)
		}
	case features.CodeAutoAttendant:
		pg.Rows = rows(f, "attendants", "name", 50)
		pg.Menus = []menuView{{"business_hours_menu", "Business hours menu", menuKeys}, {"after_hours_menu", "After hours menu", menuKeys},
			{"holiday_menu", "Holiday menu", menuKeys}}
		pg.Actions = []string{features.ActionTransfer, features.ActionTransferToVM, features.ActionDialByExtension, features.ActionRepeat, features.ActionExit}
		for code, names := range map[string]*[]string{features.CodeTimeSchedules: &pg.TimeNames, features.CodeHolidaySchedules: &pg.HolidayNames} {
			sc, err := p.app.Features.FeatureConfig(ctx, actor, o, code)
			if err != nil {
				return err
			}
			switch x := sc.Settings.(type) {
			case *features.TimeSchedules:
				for _, s := range x.Schedules {
					*names = append(*names, s.Name)
				}
			case *features.HolidaySchedules:
				for _, s := range x.Schedules {
					*names = append(*names, s.Name)
				}
			}
		}
		if err := p.featurePeople(r, v, &pg); err != nil {
			return err
		}
	}
	if siteFormCodes[code] {
		if err := p.prepareSiteForm(r, &pg); err != nil {
			return err
		}
	}
	if ef, ok := empForms[code]; ok && pg.Kind == code {
		pg.Emp = &empFormData{Code: code}
		if err := ef.prepare(p, r, o, f, pg.Emp); err != nil {
			return err
		}
	}
	v.Data = pg
	p.render(w, r, status, "feature_config", v)
	return nil
}

// featurePeople lists the employees a member or mailbox select offers: the
// ones the actor sees (display only; the service checks each chosen one is
// of the company).
func (p *Pages) featurePeople(r *http.Request, v *view, pg *featureConfigPage) error {
	return p.pickPeople(r, pg) // a page of the company's employees, searched: never everybody
}

// formRow is one row of a list form: its index and its number for people.
type formRow struct{ I, N int }

// rows returns the rows of a list form: the filled rows and one blank, at
// most max.
func rows(f *form, list, field string, max int) []formRow {
	n := 0
	for i := 0; i < max; i++ {
		name := fmt.Sprintf("%s[%d]", list, i)
		if field != "" {
			name += "." + field
		}
		if f.V(name) != "" {
			n = i + 1
		}
	}
	if n < max {
		n++
	}
	out := make([]formRow, n)
	for i := range out {
		out[i] = formRow{I: i, N: i + 1}
	}
	return out
}

// featureSettingsForm turns settings into form values named by their JSON paths
// (always.destination, numbers[0].destination …), the names the service's
// field errors use, so each error lands on its field.
func featureSettingsForm(settings any, raw string) url.Values {
	vals := url.Values{"settings": {raw}}
	var tree any
	b, _ := json.Marshal(settings)
	_ = json.Unmarshal(b, &tree)
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				if path == "" {
					walk(k, e)
				} else {
					walk(path+"."+k, e)
				}
			}
		case []any:
			for i, e := range x {
				if s, ok := e.(string); ok {
					vals.Add(path, s) // a list of words: days
					continue
				}
				walk(fmt.Sprintf("%s[%d]", path, i), e)
			}
		case bool:
			if x {
				vals.Set(path, "on")
			}
		case float64:
			vals.Set(path, strconv.FormatFloat(x, 'f', -1, 64))
		case string:
			vals.Set(path, x)
		}
	}
	walk("", tree)
	return vals
}

// formSettings builds the settings JSON of a known feature from its form.
func formSettings(code string, f *form) any {
	if ef, ok := empForms[code]; ok {
		return ef.settings(f)
	}
	on := func(name string) bool { return f.V(name) == "on" }
	num := func(name string) any {
		s := strings.TrimSpace(f.V(name))
		if n, err := strconv.Atoi(s); err == nil {
			return n
		}
		if s == "" {
			return 0
		}
		return s // not a number: the service says so, on the field
	}
	rule := func(name string) map[string]any {
		return map[string]any{"enabled": on(name + ".enabled"), "destination": f.V(name + ".destination")}
	}
	mail := func(name string) map[string]any {
		return map[string]any{"enabled": on(name + ".enabled"), "address": f.V(name + ".address")}
	}
	switch code {
	case features.CodeCallForwarding:
		na := rule("no_answer")
		na["rings"] = num("no_answer.rings")
		return map[string]any{"always": rule("always"), "busy": rule("busy"), "no_answer": na, "not_reachable": rule("not_reachable")}
	case features.CodeCallWaiting:
		return map[string]any{"enabled": on("enabled")}
	case features.CodeRemoteOffice:
		return map[string]any{"enabled": on("enabled"), "destination": f.V("destination")}
	case features.CodeVoicemail:
		return map[string]any{"enabled": on("enabled"), "busy": on("busy"), "no_answer": on("no_answer"), "rings": num("rings"),
			"notify": mail("notify"), "copy": mail("copy"), "greetings": map[string]any{"busy": audioRef(f, "greetings.busy"), "no_answer": audioRef(f, "greetings.no_answer")}}
	case features.CodeSimultaneousRing:
		numbers := []any{}
		for i := 0; i < 10; i++ {
			d := strings.TrimSpace(f.V(fmt.Sprintf("numbers[%d].destination", i)))
			if d != "" {
				numbers = append(numbers, map[string]any{"destination": d, "answer_confirmation": on(fmt.Sprintf("numbers[%d].answer_confirmation", i))})
			}
		}
		return map[string]any{"enabled": on("enabled"), "numbers": numbers, "schedule": f.V("schedule"), "skip_when_on_call": on("skip_when_on_call")}
	case features.CodeHuntGroups:
		groups := []any{}
		for i := 0; i < 50; i++ {
			pre := fmt.Sprintf("groups[%d]", i)
			name, ext := strings.TrimSpace(f.V(pre+".name")), strings.TrimSpace(f.V(pre+".extension"))
			if name == "" && ext == "" {
				continue // a blank line, or a group cleared to remove it
			}
			members := []any{}
			for j := 0; j < 100; j++ {
				mp := fmt.Sprintf("%s.members[%d]", pre, j)
				if id := f.V(mp + ".employee_id"); id != "" {
					members = append(members, map[string]any{"employee_id": num(mp + ".employee_id"), "weight": num(mp + ".weight")})
				}
			}
			g := map[string]any{"name": name, "number": f.V(pre + ".number"), "extension": ext, "policy": f.V(pre + ".policy"),
				"members": members, "no_answer": map[string]any{"rings_per_member": num(pre + ".no_answer.rings_per_member"),
					"enabled": on(pre + ".no_answer.enabled"), "seconds": num(pre + ".no_answer.seconds"), "destination": f.V(pre + ".no_answer.destination")}}
			if id := f.V(pre + ".id"); id != "" {
				g["id"] = num(pre + ".id")
			}
			groups = append(groups, g)
		}
		return map[string]any{"groups": groups}
	case features.CodeDoNotDisturb:
		return map[string]any{"enabled": on("enabled"), "ring_splash": on("ring_splash")}
	case features.CodeCallRecording:
		return map[string]any{"mode": f.V("mode"), "announce": on("announce")}
	case features.CodeMusicOnHold:
		return map[string]any{"enabled": on("enabled"), "audio": audioRef(f, "audio")}
	case features.CodeBusyLampField:
		monitored := []any{}
		for i := 0; i < 100; i++ {
			if id := f.V(fmt.Sprintf("monitored[%d]", i)); id != "" {
				monitored = append(monitored, num(fmt.Sprintf("monitored[%d]", i)))
			}
		}
		return map[string]any{"monitored": monitored}
	case features.CodeHolidaySchedules:
		schedules := []any{}
		for i := 0; i < 20; i++ {
			pre := fmt.Sprintf("schedules[%d]", i)
			name := strings.TrimSpace(f.V(pre + ".name"))
			holidays := []any{}
			for j := 0; j < 50; j++ {
				hp := fmt.Sprintf("%s.holidays[%d]", pre, j)
				if start := strings.TrimSpace(f.V(hp + ".start")); start != "" {
					holidays = append(holidays, map[string]any{"name": f.V(hp + ".name"), "start": start, "end": strings.TrimSpace(f.V(hp + ".end"))})
				}
			}
			if name == "" && len(holidays) == 0 {
				continue
			}
			schedules = append(schedules, map[string]any{"name": name, "holidays": holidays})
		}
		return map[string]any{"schedules": schedules}
	case features.CodeAutoAttendant:
		attendants := []any{}
		for i := 0; i < 50; i++ {
			pre := fmt.Sprintf("attendants[%d]", i)
			name, ext := strings.TrimSpace(f.V(pre+".name")), strings.TrimSpace(f.V(pre+".extension"))
			if name == "" && ext == "" {
				continue // a blank line, or an attendant cleared to remove it
			}
			a := map[string]any{"name": name, "number": f.V(pre + ".number"), "extension": ext,
				"business_hours": f.V(pre + ".business_hours"), "holidays": f.V(pre + ".holidays")}
			if id := f.V(pre + ".id"); id != "" {
				a["id"] = num(pre + ".id")
			}
			for _, menu := range []string{"business_hours_menu", "after_hours_menu", "holiday_menu"} {
				keys := map[string]any{}
				for _, k := range menuKeys {
					kp := pre + "." + menu + ".keys." + k
					action := f.V(kp + ".action")
					if action == "" {
						continue
					}
					key := map[string]any{"action": action}
					if d := strings.TrimSpace(f.V(kp + ".destination")); d != "" {
						key["destination"] = d
					}
					if e := f.V(kp + ".employee_id"); e != "" {
						key["employee_id"] = num(kp + ".employee_id")
					}
					keys[k] = key
				}
				a[menu] = map[string]any{"greeting": audioRef(f, pre+"."+menu+".greeting"), "keys": keys}
			}
			attendants = append(attendants, a)
		}
		return map[string]any{"attendants": attendants}
	case features.CodeTimeSchedules:
		schedules := []any{}
		for i := 0; i < 20; i++ {
			pre := fmt.Sprintf("schedules[%d]", i)
			name := strings.TrimSpace(f.V(pre + ".name"))
			days := f.Values[pre+".periods[0].days"]
			if name == "" && len(days) == 0 {
				continue
			}
			if days == nil {
				days = []string{}
			}
			schedules = append(schedules, map[string]any{"name": name, "periods": []any{map[string]any{"days": days,
				"start": strings.TrimSpace(f.V(pre + ".periods[0].start")), "end": strings.TrimSpace(f.V(pre + ".periods[0].end"))}}})
		}
		return map[string]any{"schedules": schedules}
	}
	return siteFormSettings(code, f)
}

func (p *Pages) saveFeatureConfig(w http.ResponseWriter, r *http.Request, o features.Owner) error {
	code := r.PathValue("code")
	f, done, err := p.readFeatureForm(w, r, o, code)
	if done || err != nil {
		return err
	}
	if f.V("find") != "" || f.V(pickerQueryField) != f.V(pickerLastField) {
		// The employee search of the form (its button, or Enter after
		// typing a new search): show the matches with everything typed
		// so far, and save nothing.
		return p.renderFeatureConfig(w, r, http.StatusOK, o, code, f)
	}
	var body []byte
	if s := formSettings(code, f); s != nil && f.V("editor") != "json" {
		var err error
		if body, err = json.Marshal(s); err != nil {
			return err
		}
	} else {
		body = []byte(f.V("settings"))
	}
	_, err = p.app.Features.Configure(r.Context(), actorOf(r), o, code, body)
	if err == nil {
		redirectFlash(w, r, featuresBase(o)+"/"+code, "feature-configured")
		return nil
	}
	var known []string
	if f.V("editor") == "json" || !formKinds[code] {
		// The editor has one field: each error names its setting.
		if !f.addAllOn("settings", err, true, derrors.KindInvalid, derrors.KindConflict) {
			return err
		}
	} else {
		for k := range f.Values {
			known = append(known, k)
		}
		for _, pl := range audioPlaces(code, f) {
			known = append(known, pl[0])
		}
		if !f.addErr(err, known...) {
			return err
		}
	}
	return p.renderFeatureConfig(w, r, http.StatusUnprocessableEntity, o, code, f)
}

func (p *Pages) siteFeatureConfig(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderFeatureConfig(w, r, http.StatusOK, features.Site(id), r.PathValue("code"), nil)
}

func (p *Pages) employeeFeatureConfig(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderFeatureConfig(w, r, http.StatusOK, features.Employee(id), r.PathValue("code"), nil)
}

func (p *Pages) siteFeatureConfigSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.saveFeatureConfig(w, r, features.Site(id))
}

func (p *Pages) employeeFeatureConfigSave(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.saveFeatureConfig(w, r, features.Employee(id))
}

// policyLabels are the hunting policies as the forms offer them: what each
// does, in words.
var policyLabels = map[string]string{
	features.PolicyRegular:      "Regular: always from the first member",
	features.PolicyCircular:     "Circular: after the member who took the last call",
	features.PolicySimultaneous: "Simultaneous: every member at once",
	features.PolicyUniform:      "Uniform: the member idle longest",
	features.PolicyWeighted:     "Weighted: members at random, by weight",
}

// policyOptions lists the policies codes in that order, each with its label.
func policyOptions(codes ...string) []labeled {
	out := make([]labeled, len(codes))
	for i, c := range codes {
		out[i] = labeled{Value: c, Label: policyLabels[c]}
	}
	return out
}
