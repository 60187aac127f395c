package ui

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
)

// The Configure forms of the employee features of Mobility (Call
// Director), Call Control (Pre-Alerting), Contacts (Personal Contacts,
// Phone Services, Speed Dials) and Messaging (Fax Messaging); the template
// is templates/partials/feature_emp.html. Form fields are named by the
// settings' JSON paths, as every Configure form's are (docs/features.md).

// empForm is one of these forms: how it turns the posted form into
// settings, and what its page offers to choose from.
type empForm struct {
	settings func(f *form) any
	prepare  func(p *Pages, r *http.Request, o features.Owner, f *form, d *empFormData) error
}

// empFormData is what the partial template shows beside the form values.
type empFormData struct {
	Code string
	// Rows of the list forms, by list name.
	Rows       map[string][]formRow
	Schedules  []string
	Numbers    []string
	Extensions []string
	// Codes of Speed Dial 8.
	Codes8 []string
	// Self says the page is the employee's own (Personal Contacts links to
	// their contacts).
	Self bool
	// Selects are the form's drop-downs by field name; Lists the speed
	// dial lists.
	Selects map[string]empSelect
	Lists   []labeled
}

// empSelect is a drop-down of these forms.
type empSelect struct {
	Name, ID, Label, Value, Hint string
	Options                      []labeled
	Errs                         []string
}

// selectOf builds a drop-down from the form; pairs are value, label, ….
func selectOf(f *form, name, label, hint string, opts []labeled) empSelect {
	return empSelect{Name: name, ID: f.ID(name), Label: label, Value: f.V(name), Hint: hint, Options: opts, Errs: f.E(name)}
}

func pairs(vl ...string) []labeled {
	var out []labeled
	for i := 0; i+1 < len(vl); i += 2 {
		out = append(out, labeled{vl[i], vl[i+1]})
	}
	return out
}

var empForms = map[string]empForm{
	features.CodePreAlerting:      {settings: preAlertingSettings, prepare: prepareEmpChoices},
	features.CodeCallDirector:     {settings: callDirectorSettings, prepare: prepareRows},
	features.CodePersonalContacts: {settings: personalContactsSettings, prepare: prepareRows},
	features.CodePhoneServices:    {settings: phoneServicesSettings, prepare: prepareRows},
	features.CodeSpeedDials:       {settings: speedDialsSettings, prepare: prepareRows},
	features.CodeFaxMessaging:     {settings: faxSettings, prepare: prepareEmpChoices},
}

func init() {
	for code := range empForms {
		formKinds[code] = true
	}
}

// empLists are the list fields of the forms: the list, its fields, at most
// how many rows, and how many blank rows the form offers.
var empLists = map[string][]struct {
	list   string
	fields []string
	max    int
	blanks int
}{
	features.CodeCallDirector:  {{"numbers", []string{"number", "label"}, 5, 1}},
	features.CodePhoneServices: {{"services", []string{"name", "url"}, 10, 1}},
	features.CodeSpeedDials: {{"speed_dial_8", []string{"code", "name", "destination"}, 8, 2},
		{"speed_dial_100", []string{"code", "name", "destination"}, 100, 3}},
	features.CodeFaxMessaging: {{"deliver_to", []string{""}, 5, 1}},
}

func rowName(list string, i int, field string) string {
	if field == "" {
		return fmt.Sprintf("%s[%d]", list, i)
	}
	return fmt.Sprintf("%s[%d].%s", list, i, field)
}

// compact moves the filled rows of a list up over blank ones, in the form
// itself, and returns how many are filled: the settings hold only filled
// rows, so the service's "numbers[2]" must be the form's third row for
// its error to land on the right field.
func compact(f *form, list string, fields []string, max int) int {
	n := 0
	for i := 0; i < max; i++ {
		filled := false
		for _, fl := range fields {
			if strings.TrimSpace(f.V(rowName(list, i, fl))) != "" {
				filled = true
			}
		}
		if !filled {
			continue
		}
		if i != n {
			for _, fl := range fields {
				f.Values.Set(rowName(list, n, fl), f.V(rowName(list, i, fl)))
				f.Values.Del(rowName(list, i, fl))
			}
		}
		n++
	}
	return n
}

func listOf(f *form, code, list string, row func(i int) any) []any {
	out := []any{}
	for _, l := range empLists[code] {
		if l.list == list {
			for i, n := 0, compact(f, list, l.fields, l.max); i < n; i++ {
				out = append(out, row(i))
			}
		}
	}
	return out
}

func preAlertingSettings(f *form) any {
	return map[string]any{"enabled": f.V("enabled") == "on", "audio": audioRef(f, "audio"), "when": f.V("when"), "schedule": f.V("schedule")}
}

func callDirectorSettings(f *form) any {
	numbers := listOf(f, features.CodeCallDirector, "numbers", func(i int) any {
		return map[string]any{"number": f.V(rowName("numbers", i, "number")), "label": f.V(rowName("numbers", i, "label"))}
	})
	return map[string]any{"enabled": f.V("enabled") == "on", "numbers": numbers, "alert": f.V("alert"),
		"answer_confirmation": f.V("answer_confirmation") == "on", "business_cli": f.V("business_cli") == "on"}
}

func personalContactsSettings(f *form) any {
	return map[string]any{"show_on_phones": f.V("show_on_phones") == "on", "show_in_apps": f.V("show_in_apps") == "on"}
}

func phoneServicesSettings(f *form) any {
	return map[string]any{"services": listOf(f, features.CodePhoneServices, "services", func(i int) any {
		return map[string]any{"name": f.V(rowName("services", i, "name")), "url": f.V(rowName("services", i, "url"))}
	})}
}

func speedDialsSettings(f *form) any {
	out := map[string]any{}
	for _, list := range []string{"speed_dial_8", "speed_dial_100"} {
		out[list] = listOf(f, features.CodeSpeedDials, list, func(i int) any {
			return map[string]any{"code": f.V(rowName(list, i, "code")), "name": f.V(rowName(list, i, "name")),
				"destination": f.V(rowName(list, i, "destination"))}
		})
	}
	return out
}

func faxSettings(f *form) any {
	to := listOf(f, features.CodeFaxMessaging, "deliver_to", func(i int) any { return f.V(rowName("deliver_to", i, "")) })
	return map[string]any{"enabled": f.V("enabled") == "on", "number": f.V("number"), "extension": f.V("extension"),
		"deliver_to": to, "format": f.V("format")}
}

// prepareRows gives each list of the form its rows: the filled ones and
// blank ones to add, at most the list's limit.
func prepareRows(p *Pages, r *http.Request, o features.Owner, f *form, d *empFormData) error {
	d.Rows = map[string][]formRow{}
	for _, l := range empLists[d.Code] {
		if l.list == "deliver_to" && f.V("deliver_to[0]") == "" {
			// Saved settings come as one list of words (deliver_to=a,
			// deliver_to=b); the form has a field per address.
			for i, a := range f.Values["deliver_to"] {
				f.Values.Set(rowName("deliver_to", i, ""), a)
			}
		}
		n := compact(f, l.list, l.fields, l.max)
		rows := make([]formRow, min(n+l.blanks, l.max))
		for i := range rows {
			rows[i] = formRow{I: i, N: i + 1}
		}
		d.Rows[l.list] = rows
	}
	d.Codes8 = []string{"2", "3", "4", "5", "6", "7", "8", "9"}
	d.Self = o.ID == actorOf(r).AccountID
	d.Lists = pairs("speed_dial_8", "Speed Dial 8 (codes 2–9)", "speed_dial_100", "Speed Dial 100 (codes 00–99)")
	d.Selects = map[string]empSelect{
		"alert": selectOf(f, "alert", "When a call comes in, ring", "",
			pairs(features.AlertSimultaneous, "My phones and these numbers", features.AlertMobileOnly, "These numbers only")),
		"format": selectOf(f, "format", "File format", "", pairs(features.FaxPDF, "PDF", features.FaxTIFF, "TIFF")),
		"when": selectOf(f, "when", "Play it for", "", pairs(features.PreAlertAll, "Every call", features.PreAlertExternal,
			"Calls from outside the company", features.PreAlertSchedule, "Calls during a time schedule")),
	}
	return nil
}

// prepareEmpChoices adds what Pre-Alerting and Fax Messaging choose from:
// the site's schedules and the employee's numbers and extensions. The
// announcement is an audio place of the form (feature_audio.go).
func prepareEmpChoices(p *Pages, r *http.Request, o features.Owner, f *form, d *empFormData) error {
	if err := prepareRows(p, r, o, f, d); err != nil {
		return err
	}
	ctx, actor := r.Context(), actorOf(r)
	ch, err := p.app.Features.EmployeeChoices(ctx, actor, o)
	if err != nil {
		return onlyFault(err)
	}
	d.Schedules, d.Numbers, d.Extensions = ch.Schedules, ch.Numbers, ch.Extensions
	if d.Code != features.CodePreAlerting {
		return nil
	}
	schedules := pairs("", "None")
	for _, n := range ch.Schedules {
		schedules = append(schedules, labeled{n, n})
	}
	if cur := f.V("schedule"); cur != "" && !slices.Contains(ch.Schedules, cur) {
		schedules = append(schedules, labeled{cur, cur})
	}
	d.Selects["schedule"] = selectOf(f, "schedule", "Time schedule", "Used when the announcement plays during a time schedule: one of the site's.", schedules)
	return nil
}

// onlyFault is err unless it is a refusal (forbidden, not found): a page
// shows what the actor may see and leaves out the rest, saving asks again,
// but a fault is the page's error, not an empty list.
func onlyFault(err error) error {
	if c := derrors.Classify(err); c.Kind == derrors.KindForbidden || c.Kind == derrors.KindNotFound {
		return nil
	}
	return err
}
