package features_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// empFixture is the features fixture with west.one also holding the Fax
// Messaging add-on, extensions 2001 (west.one) and 2002 (support.one), and
// numbers +441134960010 (west.one) and +441134960011 (support.one).
func empFixture(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	fx := setup(t, db)
	f, a, ctx := fx.env.Fixture, fx.env.App, fx.ctx
	if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, fx.env.ID("west.one"), fx.sv.Packages["Standard"].ID,
		[]int64{fx.sv.Packages["Call Recording"].ID, fx.sv.Packages["Fax Messaging"].ID}, fx.sv.Terms["Monthly"].ID); err != nil {
		t.Fatal(err)
	}
	for user, held := range map[string][2]string{"west.one": {"2001", "+441134960010"}, "support.one": {"2002", "+441134960011"}} {
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: fx.env.ID(user)}
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, held[0], owner); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, held[1], owner); err != nil {
			t.Fatal(err)
		}
	}
	fx.configure(t, features.Site(f.Leeds.ID), features.CodeTimeSchedules,
		`{"schedules":[{"name":"Office hours","periods":[{"days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"17:30"}]}]}`)
	return fx
}

// TestEmployeeFeatureValidation: for each of the employee features of
// Mobility, Call Control, Contacts and Messaging, good settings are saved
// normalised, and each bad field is refused on its own JSON path with the
// reason, changing nothing.
func TestEmployeeFeatureValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := empFixture(t, db)
		west := features.Employee(fx.env.ID("west.one"))
		wa := fx.env.Actor("west.one")
		long := strings.Repeat("x", 41)
		bad := []struct {
			name, code, body, want string
		}{
			// Pre-Alerting.
			{"pre-alert when", features.CodePreAlerting, `{"when":"sometimes"}`, "when: when is all, external or schedule"},
			{"pre-alert schedule missing", features.CodePreAlerting, `{"enabled":true,"when":"schedule"}`,
				"schedule: choose the time schedule during which the announcement plays"},
			{"pre-alert unknown schedule", features.CodePreAlerting, `{"when":"schedule","schedule":"Weekends"}`,
				`schedule: the site has no time schedule named "Weekends"`},
			{"pre-alert audio", features.CodePreAlerting, `{"enabled":true,"audio":{"audio_id":77}}`,
				"audio: recording 77 does not exist in this company: upload it under Recordings first, or leave it empty (null) to play the system's own audio"},
			{"pre-alert wrong type", features.CodePreAlerting, `{"enabled":"yes"}`, "enabled: must be a true or false, not a JSON string"},
			// Call Director.
			{"director on without numbers", features.CodeCallDirector, `{"enabled":true}`,
				"numbers: add a number before switching call director on"},
			{"director alert", features.CodeCallDirector, `{"alert":"everywhere"}`, "alert: the alert policy is simultaneous or mobile_only"},
			{"director empty number", features.CodeCallDirector, `{"numbers":[{"number":" ","label":"Mobile"}]}`,
				"numbers[0].number: enter a number or remove the line"},
			{"director extension", features.CodeCallDirector, `{"numbers":[{"number":"2002","label":""}]}`,
				"numbers[0].number: 2002 is an extension of the company: call director numbers are phones outside it (a mobile, a home phone)"},
			{"director own number", features.CodeCallDirector, `{"numbers":[{"number":"0113 496 0010","label":""}]}`,
				"numbers[0].number: 0113 496 0010 is this employee's own number: calls would come straight back"},
			{"director company number", features.CodeCallDirector, `{"numbers":[{"number":"+441134960011","label":""}]}`,
				"numbers[0].number: +441134960011 is a number of the company, not a phone outside it: enter a mobile or another outside phone"},
			{"director emergency", features.CodeCallDirector, `{"numbers":[{"number":"112","label":""}]}`,
				"numbers[0].number: 112 is an emergency number: calls are never sent there automatically"},
			{"director twice", features.CodeCallDirector, `{"numbers":[{"number":"07700 900123","label":""},{"number":"+447700900123","label":""}]}`,
				"numbers[1].number: +447700900123 is listed twice"},
			{"director label", features.CodeCallDirector, `{"numbers":[{"number":"07700 900123","label":"` + long + `"}]}`,
				"numbers[0].label: the label must be at most 40 characters"},
			{"director too many", features.CodeCallDirector, `{"numbers":[{"number":"07700900121"},{"number":"07700900122"},{"number":"07700900123"},{"number":"07700900124"},{"number":"07700900125"},{"number":"07700900126"}]}`,
				"numbers: call director has at most 5 numbers"},
			// Personal Contacts.
			{"contacts unknown", features.CodePersonalContacts, `{"show_on_phone":true}`, "show_on_phone: is not a setting of this feature"},
			// Phone Services.
			{"service http", features.CodePhoneServices, `{"services":[{"name":"Weather","url":"http://example.com/w.xml"}]}`,
				"services[0].url: the address must start with https://: phones fetch services over an encrypted connection only"},
			{"service no url", features.CodePhoneServices, `{"services":[{"name":"Weather","url":""}]}`,
				"services[0].url: enter the service's address (https://…)"},
			{"service password", features.CodePhoneServices, `{"services":[{"name":"Weather","url":"https://me:secret@example.com/w.xml"}]}`,
				"services[0].url: the address must not carry a user name or password: the settings are visible to administrators"},
			{"service no host", features.CodePhoneServices, `{"services":[{"name":"Weather","url":"https:///w.xml"}]}`,
				"services[0].url: the address names no host (https://services.example.com/menu.xml)"},
			{"service name", features.CodePhoneServices, `{"services":[{"name":"","url":"https://example.com/w.xml"}]}`,
				"services[0].name: enter a name"},
			{"service name twice", features.CodePhoneServices, `{"services":[{"name":"Weather","url":"https://a.example/w.xml"},{"name":"weather","url":"https://b.example/w.xml"}]}`,
				`services[1].name: "weather" is used twice: names must differ`},
			// Speed Dials.
			{"speed 8 code", features.CodeSpeedDials, `{"speed_dial_8":[{"code":"1","name":"","destination":"2002"}]}`,
				`speed_dial_8[0].code: a speed dial 8 code is one digit from 2 to 9, not "1"`},
			{"speed 100 code", features.CodeSpeedDials, `{"speed_dial_100":[{"code":"7","name":"","destination":"2002"}]}`,
				`speed_dial_100[0].code: a speed dial 100 code is two digits from 00 to 99, not "7"`},
			{"speed code twice", features.CodeSpeedDials, `{"speed_dial_8":[{"code":"2","destination":"2002"},{"code":"2","destination":"07700900123"}]}`,
				"speed_dial_8[1].code: code 2 is used twice (also by speed_dial_8[0])"},
			{"speed no destination", features.CodeSpeedDials, `{"speed_dial_100":[{"code":"01","name":"Mum","destination":""}]}`,
				"speed_dial_100[0].destination: enter the number the code calls"},
			{"speed unknown extension", features.CodeSpeedDials, `{"speed_dial_100":[{"code":"01","destination":"2999"}]}`,
				"speed_dial_100[0].destination: nobody in the company has extension 2999"},
			{"speed emergency", features.CodeSpeedDials, `{"speed_dial_8":[{"code":"9","destination":"999"}]}`,
				"speed_dial_8[0].destination: 999 is an emergency number: calls are never sent there automatically"},
			{"speed feature code", features.CodeSpeedDials, `{"speed_dial_8":[{"code":"3","destination":"*21"}]}`,
				"speed_dial_8[0].destination: *21 is a feature code, dialled from a phone: enter a telephone number or an extension"},
			{"speed name", features.CodeSpeedDials, `{"speed_dial_8":[{"code":"3","name":"` + long + `","destination":"2002"}]}`,
				"speed_dial_8[0].name: the name must be at most 40 characters"},
			// Fax Messaging.
			{"fax on without number", features.CodeFaxMessaging, `{"enabled":true,"deliver_to":["wendy@example.com"]}`,
				"number: choose the number faxes are sent to before switching fax messaging on"},
			{"fax colleague's number", features.CodeFaxMessaging, `{"number":"0113 496 0011"}`,
				"number: +441134960011 is not one of this employee's numbers: a fax number is one of theirs (assign it to them first)"},
			{"fax not a number", features.CodeFaxMessaging, `{"number":"fax me"}`, `number: "fax me" is not a telephone number (+44… or 0…)`},
			{"fax colleague's extension", features.CodeFaxMessaging, `{"extension":"2002"}`,
				"extension: 2002 is not this employee's extension: a fax extension is one of theirs"},
			{"fax no address", features.CodeFaxMessaging, `{"enabled":true,"number":"+441134960010"}`,
				"deliver_to: enter the e-mail address faxes are delivered to before switching fax messaging on"},
			{"fax bad address", features.CodeFaxMessaging, `{"deliver_to":["wendy@example.com","not an address"]}`,
				`deliver_to[1]: "not an address" is not an e-mail address (name@example.com)`},
			{"fax address twice", features.CodeFaxMessaging, `{"deliver_to":["wendy@example.com","Wendy@example.com"]}`,
				"deliver_to[1]: Wendy@example.com is listed twice"},
			{"fax format", features.CodeFaxMessaging, `{"format":"jpeg"}`, "format: the format is pdf or tiff"},
		}
		before := storetest.Counts(t, db)
		for _, c := range bad {
			_, err := fx.svc.Configure(fx.ctx, wa, west, c.code, []byte(c.body))
			if got := fieldError(err); got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		// Good settings, normalised: numbers to E.164, the schedule to the
		// site's spelling, speed dials to code order.
		good := []struct {
			code, body string
			check      func(s any) bool
		}{
			{features.CodePreAlerting, `{"enabled":true,"audio":null,"when":"schedule","schedule":"office hours"}`, func(s any) bool {
				p := s.(*features.PreAlerting)
				return p.Enabled && p.When == features.PreAlertSchedule && p.Schedule == "Office hours" && p.Audio == nil
			}},
			{features.CodeCallDirector, `{"enabled":true,"numbers":[{"number":"07700 900123","label":" Mobile "}],"alert":"mobile_only"}`, func(s any) bool {
				d := s.(*features.CallDirector)
				return d.Enabled && d.Numbers[0].Number == "+447700900123" && d.Numbers[0].Label == "Mobile" && d.Alert == features.AlertMobileOnly &&
					d.AnswerConfirmation && d.BusinessCLI // a field left out takes its default
			}},
			{features.CodePersonalContacts, `{"show_on_phones":false,"show_in_apps":true}`, func(s any) bool {
				p := s.(*features.PersonalContacts)
				return !p.ShowOnPhones && p.ShowInApps
			}},
			{features.CodePhoneServices, `{"services":[{"name":" Weather ","url":" https://services.example.com/weather.xml "}]}`, func(s any) bool {
				p := s.(*features.PhoneServices)
				return p.Services[0].Name == "Weather" && p.Services[0].URL == "https://services.example.com/weather.xml"
			}},
			{features.CodeSpeedDials, `{"speed_dial_8":[{"code":"5","name":"Support","destination":"2002"},{"code":"2","name":"Mobile","destination":"07700 900123"}],"speed_dial_100":[{"code":"00","name":"Head office","destination":"+442079460000"}]}`, func(s any) bool {
				d := s.(*features.SpeedDials)
				return len(d.SpeedDial8) == 2 && d.SpeedDial8[0].Code == "2" && d.SpeedDial8[0].Destination == "+447700900123" &&
					d.SpeedDial8[1].Destination == "2002" && d.SpeedDial100[0].Code == "00"
			}},
			{features.CodeFaxMessaging, `{"enabled":true,"number":"0113 496 0010","extension":"2001","deliver_to":[" wendy@example.com "],"format":"tiff"}`, func(s any) bool {
				x := s.(*features.FaxMessaging)
				return x.Enabled && x.Number == "+441134960010" && x.Extension == "2001" && x.DeliverTo[0] == "wendy@example.com" && x.Format == features.FaxTIFF
			}},
		}
		for _, g := range good {
			c, err := fx.svc.Configure(fx.ctx, wa, west, g.code, []byte(g.body))
			if err != nil {
				t.Errorf("%s: %v", g.code, err)
				continue
			}
			if !g.check(c.Settings) {
				t.Errorf("%s saved as %s", g.code, mustJSON(t, c.Settings))
			}
		}
		// The defaults, as a new employee has them.
		for code, want := range map[string]string{
			features.CodePreAlerting:      `{"enabled":false,"audio":null,"when":"all","schedule":""}`,
			features.CodeCallDirector:     `{"enabled":false,"numbers":[],"alert":"simultaneous","answer_confirmation":true,"business_cli":true}`,
			features.CodePersonalContacts: `{"show_on_phones":true,"show_in_apps":true}`,
			features.CodePhoneServices:    `{"services":[]}`,
			features.CodeSpeedDials:       `{"speed_dial_8":[],"speed_dial_100":[]}`,
			features.CodeFaxMessaging:     `{"enabled":false,"number":"","extension":"","deliver_to":[],"format":"pdf"}`,
		} {
			c, err := fx.svc.FeatureConfig(fx.ctx, fx.env.Actor("acme.admin"), features.Employee(fx.env.ID("support.one")), code)
			if code == features.CodeFaxMessaging {
				if !derrors.IsNotFound(err) {
					t.Errorf("support.one has no fax add-on: %v", err)
				}
				c, err = fx.svc.FeatureConfig(fx.ctx, fx.env.Actor("acme.admin"), features.Employee(fx.env.ID("leeds.admin")), code)
				if !derrors.IsNotFound(err) {
					t.Errorf("leeds.admin has no fax add-on: %v", err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", code, err)
				continue
			}
			if got := string(mustJSON(t, c.Settings)); got != want {
				t.Errorf("%s defaults %s, want %s", code, got, want)
			}
		}

		// A phone acts for one employee: support.one cannot claim
		// west.one's call director number; the error names the colleague,
		// as the company's directory does.
		_, err := fx.svc.Configure(fx.ctx, fx.env.Actor("support.one"), features.Employee(fx.env.ID("support.one")), features.CodeCallDirector,
			[]byte(`{"numbers":[{"number":"+447700900123","label":""}]}`))
		if got := fieldError(err); got != "numbers[0].number: +447700900123 is already a call director number of Wendy West: a phone acts for one employee only" {
			t.Errorf("a colleague's call director number: %q", got)
		}
		// A schedule pre-alerting follows cannot be removed from the site.
		_, err = fx.svc.Configure(fx.ctx, fx.env.Actor("acme.admin"), features.Site(fx.env.Fixture.Leeds.ID), features.CodeTimeSchedules, []byte(`{"schedules":[]}`))
		if got := fieldError(err); got != `schedules: west.one's pre-alerting follows "Office hours", which this change removes: change it first` {
			t.Errorf("removing the schedule pre-alerting follows: %q", got)
		}
	})
}

// TestEmployeeFeatureServiceData: with every new employee feature
// configured, the service data holds them and satisfies the schema on both
// engines, and what was saved reads back unchanged; the schema refuses a
// speed dial code out of its range and a phone service over http.
func TestEmployeeFeatureServiceData(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := empFixture(t, db)
		west := features.Employee(fx.env.ID("west.one"))
		s := schema(t)
		saved := map[string]string{
			features.CodePreAlerting:      `{"enabled":true,"audio":null,"when":"external","schedule":""}`,
			features.CodeCallDirector:     `{"enabled":true,"numbers":[{"number":"+447700900123","label":"Mobile"},{"number":"+441632960001","label":"Home"}],"alert":"simultaneous","answer_confirmation":true,"business_cli":false}`,
			features.CodePersonalContacts: `{"show_on_phones":true,"show_in_apps":false}`,
			features.CodePhoneServices:    `{"services":[{"name":"Weather","url":"https://services.example.com/weather.xml"},{"name":"Rota","url":"https://intranet.example.com:8443/rota?site=leeds"}]}`,
			features.CodeSpeedDials:       `{"speed_dial_8":[{"code":"2","name":"Support","destination":"2002"}],"speed_dial_100":[{"code":"00","name":"","destination":"+442079460000"},{"code":"42","name":"Mum","destination":"+447700900999"}]}`,
			features.CodeFaxMessaging:     `{"enabled":true,"number":"+441134960010","extension":"","deliver_to":["wendy@example.com","fax@example.com"],"format":"pdf"}`,
		}
		for code, body := range saved {
			fx.configure(t, west, code, body)
		}
		sd, err := fx.svc.ServiceDataFor(fx.ctx, fx.env.Actor("acme.admin"), west)
		if err != nil {
			t.Fatal(err)
		}
		conforms(t, s, sd)
		for code, body := range saved {
			fd, ok := sd.Features[code]
			if !ok || !fd.Active {
				t.Errorf("%s in the service data: %+v", code, fd)
				continue
			}
			if got := string(mustJSON(t, fd.Settings)); got != body {
				t.Errorf("%s read back %s, saved %s", code, got, body)
			}
		}
		for name, settings := range map[string]map[string]any{
			"speed dial code":   {features.CodeSpeedDials: map[string]any{"speed_dial_8": []any{map[string]any{"code": "1", "name": "", "destination": "2002"}}, "speed_dial_100": []any{}}},
			"http service":      {features.CodePhoneServices: map[string]any{"services": []any{map[string]any{"name": "W", "url": "http://example.com"}}}},
			"director no E.164": {features.CodeCallDirector: map[string]any{"enabled": true, "numbers": []any{map[string]any{"number": "2002", "label": ""}}, "alert": "simultaneous", "answer_confirmation": true, "business_cli": true}},
		} {
			doc := map[string]any{"schema_version": 1, "owner": map[string]any{"kind": "employee", "id": 1}, "company_id": 1, "site_id": 1,
				"revision": 1, "site_revision": 1, "features": map[string]any{}}
			for code, v := range settings {
				doc["features"].(map[string]any)[code] = map[string]any{"active": true, "settings": v}
			}
			inst, _ := jsonschemaUnmarshal(mustJSON(t, doc))
			if err := s.Validate(inst); err == nil {
				t.Errorf("the schema accepted a bad %s", name)
			}
		}
	})
}

// TestEmployeeFeaturesOwnOnly: an employee configures their own new
// features and nobody else's: a colleague is refused, outsiders get the
// answer of a missing employee, and refusals change nothing.
func TestEmployeeFeaturesOwnOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := empFixture(t, db)
		west := features.Employee(fx.env.ID("west.one"))
		owner := func(try apptest.Try) features.Owner {
			if try == apptest.Missing {
				return features.Employee(apptest.MissingID)
			}
			return west
		}
		siteAdmins := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"}
		bodies := map[string]func(n int) string{
			features.CodeSpeedDials: func(n int) string {
				return `{"speed_dial_100":[{"code":"` + two(n) + `","name":"Support","destination":"2002"}]}`
			},
			features.CodeCallDirector: func(n int) string {
				return `{"enabled":true,"numbers":[{"number":"+4477009001` + two(n) + `","label":"Mobile"}]}`
			},
			features.CodePreAlerting:      func(n int) string { return `{"enabled":` + bool01(n) + `,"when":"external"}` },
			features.CodePersonalContacts: func(n int) string { return `{"show_on_phones":` + bool01(n) + `,"show_in_apps":true}` },
			features.CodePhoneServices: func(n int) string {
				return `{"services":[{"name":"Service ` + two(n) + `","url":"https://example.com/s.xml"}]}`
			},
			features.CodeFaxMessaging: func(n int) string {
				return `{"enabled":true,"number":"+441134960010","deliver_to":["w` + two(n) + `@example.com"]}`
			},
		}
		var cases []apptest.UseCase
		for code, body := range bodies {
			cases = append(cases, apptest.UseCase{Name: code, Allowed: append(siteAdmins, "west.one"),
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					_, err := fx.svc.Configure(fx.ctx, a, owner(try), code, []byte(body(n)))
					return err
				}})
		}
		fx.env.CheckUseCases(t, cases)

		// A colleague of the same site: refused with a reason, nothing
		// changes; and west.one cannot configure the colleague's either.
		before := storetest.Counts(t, db)
		support := features.Employee(fx.env.ID("support.one"))
		for _, try := range []struct {
			actor string
			o     features.Owner
		}{{"support.one", west}, {"west.one", support}} {
			_, err := fx.svc.Configure(fx.ctx, fx.env.Actor(try.actor), try.o, features.CodeSpeedDials,
				[]byte(`{"speed_dial_8":[{"code":"2","destination":"+447700900123"}]}`))
			if r := apptest.Refusal(err); r == "" {
				t.Errorf("%s configured employee %d's speed dials", try.actor, try.o.ID)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}

func two(n int) string { return string([]byte{byte('0' + n/10%10), byte('0' + n%10)}) }

func bool01(n int) string {
	if n%2 == 0 {
		return "true"
	}
	return "false"
}

// TestCallDirectorNumberRace: while another transaction (support.one's save)
// holds +447700900555 uncommitted, west.one's save of the same number waits
// for it and is then refused on the number's field — by the check when the
// engine lets west.one read after the other commits (SQLite's one writer),
// by the unique index when it read before (PostgreSQL) — and keeps nothing.
func TestCallDirectorNumberRace(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := empFixture(t, db)
		west, support := fx.env.ID("west.one"), fx.env.ID("support.one")
		locked, release, finished := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			finished <- db.Tx(fx.ctx, func(ctx context.Context) error {
				if _, err := db.Q(ctx).Exec(ctx, "INSERT INTO call_director_numbers (company_id, account_id, e164) VALUES (?, ?, ?)",
					fx.env.Fixture.Acme.ID, support, "+447700900555"); err != nil {
					return err
				}
				close(locked)
				<-release
				return nil
			})
		}()
		<-locked
		saved := make(chan error, 1)
		go func() {
			_, err := fx.svc.Configure(fx.ctx, fx.env.Actor("west.one"), features.Employee(west), features.CodeCallDirector,
				[]byte(`{"enabled":true,"numbers":[{"number":"+447700900555","label":""}]}`))
			saved <- err
		}()
		time.Sleep(300 * time.Millisecond) // let the save reach the other transaction's lock
		close(release)
		if err := <-finished; err != nil {
			t.Fatal(err)
		}
		got := fieldError(<-saved)
		if got != "numbers[0].number: +447700900555 is already a call director number of Stan Port: a phone acts for one employee only" &&
			got != "numbers[0].number: +447700900555 has just become another employee's call director number: a phone acts for one employee only" {
			t.Errorf("the second save of one number: %q", got)
		}
		if c, err := fx.svc.FeatureConfig(fx.ctx, fx.env.Actor("acme.admin"), features.Employee(west), features.CodeCallDirector); err != nil || c.Configured {
			t.Errorf("the refused save left settings: %+v, %v", c, err)
		}
		var n int
		if err := db.Q(fx.ctx).QueryRow(fx.ctx, "SELECT COUNT(*) FROM call_director_numbers WHERE account_id = ?", west).Scan(&n); err != nil || n != 0 {
			t.Errorf("west.one holds %d numbers after the refusal, %v", n, err)
		}
	})
}

// TestCopyEmployeeFeatures: Speed Dials, Phone Services and Pre-Alerting
// copy from one employee to another as they are; a Call Director copy is
// refused on the target, because its numbers are the reference's phones.
func TestCopyEmployeeFeatures(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := empFixture(t, db)
		west, support := features.Employee(fx.env.ID("west.one")), features.Employee(fx.env.ID("support.one"))
		admin := fx.env.Actor("acme.admin")
		fx.configure(t, west, features.CodeSpeedDials, `{"speed_dial_8":[{"code":"4","name":"Head office","destination":"+442079460000"}]}`)
		fx.configure(t, west, features.CodePhoneServices, `{"services":[{"name":"Rota","url":"https://intranet.example.com/rota.xml"}]}`)
		fx.configure(t, west, features.CodePreAlerting, `{"enabled":true,"when":"external"}`)
		fx.configure(t, west, features.CodeCallDirector, `{"enabled":true,"numbers":[{"number":"+447700900123","label":"Mobile"}]}`)
		before := storetest.Counts(t, db)
		_, err := fx.svc.CopyFeatures(fx.ctx, admin, west, support, []string{features.CodeSpeedDials, features.CodeCallDirector})
		if got := fieldError(err); got != "call_director.numbers[0].number: +447700900123 is already a call director number of Wendy West: a phone acts for one employee only" {
			t.Errorf("copying call director: %q", got)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		codes := []string{features.CodeSpeedDials, features.CodePhoneServices, features.CodePreAlerting}
		if _, err := fx.svc.CopyFeatures(fx.ctx, admin, west, support, codes); err != nil {
			t.Fatal(err)
		}
		src, _ := fx.svc.ServiceDataFor(fx.ctx, admin, west)
		dst, _ := fx.svc.ServiceDataFor(fx.ctx, admin, support)
		for _, code := range codes {
			if !jsonEqual(t, src.Features[code].Settings, dst.Features[code].Settings) {
				t.Errorf("%s on the target differs from the reference", code)
			}
		}
	})
}
