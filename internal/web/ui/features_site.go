package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The Configure forms of the site's Contacts, Management and Portals &
// Bridges features and of the Call Centre, and the employee picker every
// form that names employees uses (docs/features.md, "Pages").

// siteFormCodes are the features whose form is the "site_feature_form"
// template.
var siteFormCodes = map[string]bool{features.CodeCompanyContacts: true, features.CodeGroupContacts: true,
	features.CodeSitePhoneServices: true, features.CodeCallCapacity: true, features.CodeCallingPlans: true,
	features.CodeGroupCallingLineID: true, features.CodeCallDirectorPortal: true, features.CodeMyRoom: true,
	features.CodeVoicePortal: true, features.CodeCallCentre: true}

func init() {
	for code := range siteFormCodes {
		formKinds[code] = true
	}
}

// Form sizes: the filled rows and one blank line, as the other list forms.
const (
	formContacts      = 500
	formContactNums   = 4
	formServices      = 20
	formAuthCodes     = 100
	formQueues        = 50
	formAgents        = 200
	pickerPerPage     = 25
	pickerQueryField  = "people_q"
	pickerCursorField = "people_next"
	// pickerLastField is the search the page shows the matches of: a
	// form sent with another search in the box is a search, not a save.
	pickerLastField = "people_last"
)

// siteFormData is what the site feature forms need beyond the form.
type siteFormData struct {
	Rows      []nestedRow // contacts with their numbers; queues with their agents
	Classes   []labeled
	Rules     []labeled
	Overflows []string
	// Numbers are some of the site's numbers, offered for the group CLI.
	Numbers []string
}

// labeled is a setting's value with the words a form shows for it: an
// option of the feature forms' selects and radio groups.
type labeled struct{ Value, Label string }

var classLabels = map[string]string{features.ClassInternal: "Internal (colleagues)", features.ClassNational: "Local and national",
	features.ClassMobile: "Mobile", features.ClassInternational: "International", features.ClassPremiumRate: "Premium rate",
	features.ClassOperatorAssisted: "Operator-assisted"}

// personOpt is one option of an employee select.
type personOpt struct {
	ID       string
	Name     string
	Selected bool
}

// pickerView is the employee search of a form: one page of matches.
type pickerView struct {
	Query string
	Next  string
	Shown int
	// After says the page continues an earlier one.
	After bool
}

// Opts are the options of an employee select holding cur: the chosen
// employee first, then the picker's page of matches — never the whole
// company.
func (pg featureConfigPage) Opts(cur string) []personOpt {
	var out []personOpt
	if cur != "" {
		name := pg.Names[cur]
		if name == "" {
			name = "Employee " + cur
		}
		out = append(out, personOpt{ID: cur, Name: name, Selected: true})
	}
	for _, p := range pg.People {
		id := strconv.FormatInt(p.ID, 10)
		if id != cur {
			out = append(out, personOpt{ID: id, Name: p.Name})
		}
	}
	return out
}

// employeeField matches the form fields that hold an employee id.
var employeeField = regexp.MustCompile(`(employee_id|^monitored\[\d+\])$`)

// pickPeople fills the form's employee picker: the names of the employees
// the form holds, and one page of the company's employees matching the
// search (the first page of everybody before a search).
func (p *Pages) pickPeople(r *http.Request, pg *featureConfigPage) error {
	ctx, actor := r.Context(), actorOf(r)
	f := pg.Form
	var ids []int64
	for k, vs := range f.Values {
		if !employeeField.MatchString(k) {
			continue
		}
		for _, v := range vs {
			if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
				ids = append(ids, id)
			}
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	names, err := p.app.Features.PeopleNamed(ctx, actor, pg.Owner, ids)
	if err != nil {
		return err
	}
	pg.Names = map[string]string{}
	for id, n := range names {
		pg.Names[strconv.FormatInt(id, 10)] = n
	}
	q := strings.TrimSpace(f.V(pickerQueryField))
	if r.Method == http.MethodGet {
		q = strings.TrimSpace(r.URL.Query().Get(pickerQueryField))
	}
	page := store.Page{PerPage: pickerPerPage}
	if f.V("find") == "more" {
		page.After = f.V(pickerCursorField)
	}
	res, err := p.app.Features.People(ctx, actor, pg.Owner, q, page)
	if err != nil {
		return err
	}
	pg.People = nil
	for _, c := range res.Items {
		pg.People = append(pg.People, memberOption{ID: c.ID, Name: c.Name})
	}
	pg.Pick = &pickerView{Query: q, Next: res.Next, Shown: len(res.Items), After: page.After != ""}
	return nil
}

// prepareSiteForm fills the data of the site feature forms.
func (p *Pages) prepareSiteForm(r *http.Request, pg *featureConfigPage) error {
	f := pg.Form
	d := &siteFormData{}
	pg.Site = d
	switch pg.Config.Code {
	case features.CodeCompanyContacts, features.CodeGroupContacts:
		for _, c := range rows(f, "contacts", "name", formContacts) {
			row := nestedRow{formRow: c}
			for j := 0; j < formContactNums; j++ {
				row.Members = append(row.Members, formRow{I: j, N: j + 1})
			}
			d.Rows = append(d.Rows, row)
		}
	case features.CodeSitePhoneServices:
		pg.Rows = rows(f, "services", "name", formServices)
	case features.CodeCallingPlans:
		for _, c := range features.CallClasses {
			d.Classes = append(d.Classes, labeled{c, classLabels[c]})
		}
		d.Rules = []labeled{{features.PlanAllow, "Allow"}, {features.PlanBlock, "Block"}, {features.PlanAuthCode, "Allow with an authorisation code"}}
		pg.Rows = rows(f, "authorisation_codes", "code", formAuthCodes)
	case features.CodeGroupCallingLineID:
		if pool, _, err := p.app.Numbering.SitePool(r.Context(), actorOf(r), pg.Owner.ID, numbering.PoolFilter{}, store.Page{PerPage: 100}); err == nil {
			for _, n := range pool {
				d.Numbers = append(d.Numbers, n.E164)
			}
		}
	case features.CodeCallCentre:
		pg.Policies = policyOptions(features.PolicyUniform, features.PolicyRegular, features.PolicyCircular, features.PolicySimultaneous, features.PolicyWeighted)
		d.Overflows = []string{features.OverflowBusy, features.OverflowTransfer, features.OverflowRinging}
		for _, q := range rows(f, "queues", "name", formQueues) {
			row := nestedRow{formRow: q}
			row.Members = rows(f, fmt.Sprintf("queues[%d].agents", q.I), "employee_id", formAgents)
			d.Rows = append(d.Rows, row)
		}
		return p.pickPeople(r, pg)
	}
	return nil
}

// siteFormSettings builds the settings of a site feature from its form.
func siteFormSettings(code string, f *form) any {
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
	access := func() any {
		if strings.TrimSpace(f.V("access.extension")) == "" && strings.TrimSpace(f.V("access.number")) == "" {
			return nil // no access: a held number and extension are given back
		}
		a := map[string]any{"name": f.V("access.name"), "number": f.V("access.number"), "extension": f.V("access.extension")}
		if id := f.V("access.id"); id != "" {
			a["id"] = num("access.id")
		}
		return a
	}
	switch code {
	case features.CodeCompanyContacts, features.CodeGroupContacts:
		contacts := []any{}
		for i := 0; i < formContacts; i++ {
			pre := fmt.Sprintf("contacts[%d]", i)
			name := strings.TrimSpace(f.V(pre + ".name"))
			numbers := []any{}
			for j := 0; j < formContactNums; j++ {
				np := fmt.Sprintf("%s.numbers[%d]", pre, j)
				if n := strings.TrimSpace(f.V(np + ".number")); n != "" {
					numbers = append(numbers, map[string]any{"label": f.V(np + ".label"), "number": n})
				}
			}
			if name == "" && len(numbers) == 0 && strings.TrimSpace(f.V(pre+".email")) == "" {
				continue // a blank line, or a contact cleared to remove it
			}
			contacts = append(contacts, map[string]any{"name": name, "numbers": numbers, "email": f.V(pre + ".email")})
		}
		return map[string]any{"show_on_phones": on("show_on_phones"), "contacts": contacts}
	case features.CodeSitePhoneServices:
		services := []any{}
		for i := 0; i < formServices; i++ {
			pre := fmt.Sprintf("services[%d]", i)
			name, u := strings.TrimSpace(f.V(pre+".name")), strings.TrimSpace(f.V(pre+".url"))
			if name == "" && u == "" {
				continue
			}
			services = append(services, map[string]any{"name": name, "url": u})
		}
		return map[string]any{"services": services}
	case features.CodeCallCapacity:
		return map[string]any{"max_calls": num("max_calls"), "max_inbound": num("max_inbound"), "max_outbound": num("max_outbound")}
	case features.CodeCallingPlans:
		outgoing := map[string]any{}
		for _, c := range features.CallClasses {
			if v := f.V("outgoing." + c); v != "" {
				outgoing[c] = v
			}
		}
		codes := []any{}
		for i := 0; i < formAuthCodes; i++ {
			pre := fmt.Sprintf("authorisation_codes[%d]", i)
			c, desc := strings.TrimSpace(f.V(pre+".code")), strings.TrimSpace(f.V(pre+".description"))
			if c == "" && desc == "" {
				continue
			}
			codes = append(codes, map[string]any{"code": c, "description": desc})
		}
		return map[string]any{"outgoing": outgoing, "authorisation_codes": codes,
			"incoming": map[string]any{"external": f.V("incoming.external"), "collect_calls": on("incoming.collect_calls")}}
	case features.CodeGroupCallingLineID:
		return map[string]any{"number": f.V("number"), "name": f.V("name"), "use_for_external_calls": on("use_for_external_calls")}
	case features.CodeCallDirectorPortal:
		return map[string]any{"enabled": on("enabled"), "access": access(),
			"pin":                         map[string]any{"required": on("pin.required"), "min_length": num("pin.min_length"), "max_attempts": num("pin.max_attempts")},
			"recognise_registered_phones": on("recognise_registered_phones")}
	case features.CodeMyRoom:
		return map[string]any{"enabled": on("enabled"), "access": access(), "participant_limit": num("participant_limit"),
			"pin_length": num("pin_length"), "entry_tone": on("entry_tone"), "exit_tone": on("exit_tone"), "moderator_required": on("moderator_required")}
	case features.CodeVoicePortal:
		return map[string]any{"enabled": on("enabled"), "access": access(), "pin_required": on("pin_required"), "auto_login": on("auto_login")}
	case features.CodeCallCentre:
		queues := []any{}
		for i := 0; i < formQueues; i++ {
			pre := fmt.Sprintf("queues[%d]", i)
			name, ext := strings.TrimSpace(f.V(pre+".name")), strings.TrimSpace(f.V(pre+".extension"))
			if name == "" && ext == "" {
				continue // a blank line, or a queue cleared to remove it
			}
			agents := []any{}
			for j := 0; j < formAgents; j++ {
				ap := fmt.Sprintf("%s.agents[%d]", pre, j)
				if id := f.V(ap + ".employee_id"); id != "" {
					agents = append(agents, map[string]any{"employee_id": num(ap + ".employee_id"), "weight": num(ap + ".weight")})
				}
			}
			q := map[string]any{"name": name, "number": f.V(pre + ".number"), "extension": ext, "policy": f.V(pre + ".policy"),
				"agents": agents, "queue_length": num(pre + ".queue_length"),
				"entrance": map[string]any{"enabled": on(pre + ".entrance.enabled"), "audio": audioRef(f, pre+".entrance.audio")},
				"comfort":  map[string]any{"enabled": on(pre + ".comfort.enabled"), "seconds": num(pre + ".comfort.seconds"), "audio": audioRef(f, pre+".comfort.audio")},
				"on_hold":  audioRef(f, pre+".on_hold"),
				"overflow": map[string]any{"action": f.V(pre + ".overflow.action"), "seconds": num(pre + ".overflow.seconds"),
					"destination": f.V(pre + ".overflow.destination"),
					"message":     map[string]any{"enabled": on(pre + ".overflow.message.enabled"), "audio": audioRef(f, pre+".overflow.message.audio")}}}
			if id := f.V(pre + ".id"); id != "" {
				q["id"] = num(pre + ".id")
			}
			queues = append(queues, q)
		}
		return map[string]any{"queues": queues}
	}
	return nil
}

// featuresView is the Features tab's view the URL asks for: list (the
// default) or grid.
func featuresView(r *http.Request) string {
	if r.URL.Query().Get("view") == "grid" {
		return "grid"
	}
	return "list"
}

// featuresQuery is the query string that keeps a Features tab's view and
// category ("" for the default list of every category).
func featuresQuery(view, category string) string {
	q := url.Values{}
	if view == "grid" {
		q.Set("view", view)
	}
	if category != "" {
		q.Set("category", category)
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}
