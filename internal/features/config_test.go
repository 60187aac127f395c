package features_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/search"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// fieldError returns "field: message" of the first field error of err.
func fieldError(err error) string {
	var ve *derrors.ValidationError
	var ce *derrors.ConflictError
	switch {
	case errors.As(err, &ve) && len(ve.Fields) > 0:
		return ve.Fields[0].Field + ": " + ve.Fields[0].Message
	case errors.As(err, &ce):
		return ce.Field + ": " + ce.Message
	}
	if err == nil {
		return ""
	}
	return "fault: " + err.Error()
}

// TestValidation: each bad setting is refused with a field error saying
// why, and changes nothing; good ones are normalised (numbers to E.164).
func TestValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		ctx, a := fx.ctx, fx.env.App
		west := features.Employee(fx.env.ID("west.one"))
		// west.one holds extension 2001; support.one 2002.
		for user, ext := range map[string]string{"west.one": "2001", "support.one": "2002"} {
			if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, ext, numbering.Owner{Kind: numbering.OwnerUser, ID: fx.env.ID(user)}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := a.Numbering.Assign(ctx, f.Acme.ID, "+441134960010", numbering.Owner{Kind: numbering.OwnerUser, ID: fx.env.ID("west.one")}); err != nil {
			t.Fatal(err)
		}
		fx.configure(t, features.Site(f.Leeds.ID), features.CodeTimeSchedules, `{"schedules":[{"name":"Office hours","periods":[{"days":["mon","tue","wed","thu","fri"],"start":"09:00","end":"17:30"}]}]}`)
		cases := []struct {
			name, code, body, want string
		}{
			{"on without destination", features.CodeCallForwarding, `{"always":{"enabled":true,"destination":""}}`,
				"always.destination: enter where to forward calls before switching this on"},
			{"emergency", features.CodeCallForwarding, `{"busy":{"enabled":true,"destination":"999"}}`,
				"busy.destination: 999 is an emergency number: calls are never sent there automatically"},
			{"reserved", features.CodeCallForwarding, `{"busy":{"enabled":true,"destination":"1571"}}`,
				"busy.destination: 1571 is reserved: it is the voicemail access number (feature access code)"},
			{"feature code", features.CodeCallForwarding, `{"busy":{"enabled":true,"destination":"*21"}}`,
				"busy.destination: *21 is a feature code, dialled from a phone: enter a telephone number or an extension"},
			{"unknown extension", features.CodeCallForwarding, `{"busy":{"enabled":true,"destination":"2999"}}`,
				"busy.destination: nobody in the company has extension 2999"},
			{"own extension", features.CodeCallForwarding, `{"no_answer":{"enabled":true,"destination":"2001","rings":4}}`,
				"no_answer.destination: 2001 is this employee's own extension: calls would come straight back"},
			{"own number", features.CodeCallForwarding, `{"always":{"enabled":true,"destination":"0113 496 0010"}}`,
				"always.destination: 0113 496 0010 is this employee's own number: calls would come straight back"},
			{"letters", features.CodeCallForwarding, `{"always":{"enabled":true,"destination":"call me"}}`,
				`always.destination: "call me" is not a telephone number or an extension: use digits, with + for the E.164 form`},
			{"rings", features.CodeCallForwarding, `{"no_answer":{"enabled":false,"destination":"","rings":0}}`,
				"no_answer.rings: must be from 1 to 20 rings"},
			{"unknown field", features.CodeCallForwarding, `{"alwayz":{}}`, "alwayz: is not a setting of this feature"},
			{"wrong type", features.CodeCallWaiting, `{"enabled":"yes"}`, "enabled: must be a true or false, not a JSON string"},
			{"two objects", features.CodeCallWaiting, `{"enabled":true}{}`, "settings: the settings must be one JSON object, with nothing after it"},
			{"mail", features.CodeVoicemail, `{"notify":{"enabled":true,"address":"wendy at example"}}`,
				`notify.address: "wendy at example" is not an e-mail address (name@example.com)`},
			{"greeting of a missing recording", features.CodeVoicemail, `{"greetings":{"busy":{"audio_id":3},"no_answer":null}}`,
				"greetings.busy: recording 3 does not exist in this company: upload it under Recordings first, or leave it empty (null) to play the system's own audio"},
			{"blf other company", features.CodeBusyLampField, `{"monitored":[` + id(fx.env.ID("globex.one")) + `]}`,
				"monitored[0]: employee " + id(fx.env.ID("globex.one")) + " does not exist"},
			{"blf self", features.CodeBusyLampField, `{"monitored":[` + id(west.ID) + `]}`,
				"monitored[0]: your own line is not monitored on a BLF key: list colleagues"},
			{"blf twice", features.CodeBusyLampField, `{"monitored":[` + id(fx.env.ID("support.one")) + `,` + id(fx.env.ID("support.one")) + `]}`,
				"monitored[1]: employee " + id(fx.env.ID("support.one")) + " is listed twice"},
			{"sim ring unknown schedule", features.CodeSimultaneousRing, `{"enabled":true,"numbers":[{"destination":"07700 900123","answer_confirmation":true}],"schedule":"Weekends"}`,
				`schedule: the site has no time schedule named "Weekends"`},
			{"sim ring empty", features.CodeSimultaneousRing, `{"enabled":true,"numbers":[]}`,
				"numbers: add a number to ring before switching simultaneous ring on"},
			{"remote office", features.CodeRemoteOffice, `{"enabled":true}`,
				"destination: enter the phone to use before switching remote office on"},
			{"recording mode", features.CodeCallRecording, `{"mode":"sometimes"}`, "mode: the mode is never, always or on_demand"},
		}
		before := storetest.Counts(t, db)
		for _, c := range cases {
			_, err := fx.svc.Configure(ctx, fx.env.Actor("west.one"), west, c.code, []byte(c.body))
			if got := fieldError(err); got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		// Good settings are normalised: national numbers to E.164, a
		// schedule named in another case to the site's spelling.
		cfg, err := fx.svc.Configure(ctx, fx.env.Actor("west.one"), west, features.CodeSimultaneousRing,
			[]byte(`{"enabled":true,"numbers":[{"destination":"07700 900123","answer_confirmation":true},{"destination":"2002","answer_confirmation":false}],"schedule":"office HOURS"}`))
		if err != nil {
			t.Fatal(err)
		}
		sr := cfg.Settings.(*features.SimultaneousRing)
		if sr.Numbers[0].Destination != "+447700900123" || sr.Numbers[1].Destination != "2002" || sr.Schedule != "Office hours" || !sr.SkipWhenOnCall {
			t.Errorf("simultaneous ring = %+v", sr)
		}
		// The site cannot drop a schedule an employee follows.
		_, err = fx.svc.Configure(ctx, fx.env.Actor("acme.admin"), features.Site(f.Leeds.ID), features.CodeTimeSchedules, []byte(`{"schedules":[]}`))
		if got := fieldError(err); got != `schedules: west.one's simultaneous ring follows "Office hours", which this change removes: change it first` {
			t.Errorf("removing a followed schedule: %q", got)
		}
		// london.one's Basic package has no simultaneous ring: not found.
		_, err = fx.svc.Configure(ctx, fx.env.Actor("acme.admin"), features.Employee(fx.env.ID("london.one")), features.CodeSimultaneousRing, []byte(`{}`))
		if !derrors.IsNotFound(err) {
			t.Errorf("configuring a feature not sold: %v", err)
		}
	})
}

func id(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestConfigureAuditAndRevision: every change raises the revision by one
// and is audited as its difference; saving the same settings again is no
// change.
func TestConfigureAuditAndRevision(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		west := features.Employee(fx.env.ID("west.one"))
		c1 := fx.configure(t, west, features.CodeCallForwarding, `{"busy":{"enabled":true,"destination":"+441134960099"}}`)
		// The web layer puts who acts in the context for the audit log.
		wa := fx.env.Actor("west.one")
		ctx := audit.WithActor(fx.ctx, audit.Actor{ID: wa.AccountID, Username: wa.Username, ProviderID: wa.ProviderID})
		c2, err := fx.svc.Configure(ctx, wa, west, features.CodeCallForwarding,
			[]byte(`{"busy":{"enabled":true,"destination":"01134960098"},"no_answer":{"enabled":false,"destination":"","rings":6}}`))
		if err != nil {
			t.Fatal(err)
		}
		if c2.Revision != c1.Revision+1 {
			t.Errorf("revision %d after %d", c2.Revision, c1.Revision)
		}
		c3, err := fx.svc.Configure(fx.ctx, fx.env.Actor("acme.admin"), west, features.CodeCallForwarding,
			[]byte(`{"busy":{"enabled":true,"destination":"+441134960098"},"no_answer":{"enabled":false,"destination":"","rings":6}}`))
		if err != nil || c3.Revision != c2.Revision {
			t.Errorf("the same settings again: revision %d, %v", c3.Revision, err)
		}
		var e audit.Entry
		var b, a string
		err = db.Q(fx.ctx).QueryRow(fx.ctx, "SELECT event, object_name, actor_username, before_json, after_json FROM audit_events WHERE object_kind = 'employee' AND object_id = ? ORDER BY id DESC LIMIT 1", west.ID).
			Scan(&e.Event, &e.ObjectName, &e.ActorUsername, &b, &a)
		if err != nil {
			t.Fatal(err)
		}
		e.Before, e.After = json.RawMessage(b), json.RawMessage(a)
		var before, after map[string]any
		_ = json.Unmarshal(e.Before, &before)
		_ = json.Unmarshal(e.After, &after)
		if e.Event != "Configure Feature" || !strings.HasSuffix(e.ObjectName, "Call Forwarding") || e.ActorUsername != "west.one" || len(before) != 2 || len(after) != 2 ||
			before["call_forwarding.busy.destination"] != "+441134960099" || after["call_forwarding.busy.destination"] != "+441134960098" ||
			before["call_forwarding.no_answer.rings"] != 4.0 || after["call_forwarding.no_answer.rings"] != 6.0 {
			t.Errorf("audit %s by %s: before %s after %s", e.Event, e.ActorUsername, e.Before, e.After)
		}
	})
}

// TestUnavailableKeepsConfiguration: a feature made unavailable at the site
// is inactive for its employees, cannot be configured, and keeps its
// settings for when it comes back.
func TestUnavailableKeepsConfiguration(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		admin := fx.env.Actor("acme.admin")
		west := features.Employee(fx.env.ID("west.one"))
		cf := fx.featureID(t, features.CodeCallForwarding)
		fx.configure(t, west, features.CodeCallForwarding, `{"always":{"enabled":true,"destination":"+441134960099"}}`)
		sd0, err := fx.svc.ServiceDataFor(fx.ctx, admin, west)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fx.svc.SetAvailable(fx.ctx, admin, features.Site(f.Leeds.ID), cf, ptr(false)); err != nil {
			t.Fatal(err)
		}
		sd, err := fx.svc.ServiceDataFor(fx.ctx, admin, west)
		if err != nil {
			t.Fatal(err)
		}
		fd := sd.Features[features.CodeCallForwarding]
		if fd.Active || fd.Settings.(*features.CallForwarding).Always.Destination != "+441134960099" || sd.SiteRevision <= sd0.SiteRevision {
			t.Errorf("after the site made it unavailable: %+v (site revision %d → %d)", fd, sd0.SiteRevision, sd.SiteRevision)
		}
		list, err := fx.svc.Features(fx.ctx, admin, west, features.CategoryCallCtl)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			if l.Code == features.CodeCallForwarding && (!l.Available || l.AvailableAtSite || l.Active || !l.Configured) {
				t.Errorf("list line %+v", l)
			}
			if l.Category != features.CategoryCallCtl {
				t.Errorf("category filter let %s (%s) through", l.Code, l.Category)
			}
		}
		before := storetest.Counts(t, db)
		_, err = fx.svc.Configure(fx.ctx, fx.env.Actor("west.one"), west, features.CodeCallForwarding, []byte(`{}`))
		if got := fieldError(err); got != "feature: Call Forwarding is unavailable to this employee: make it available under Feature Assignment first" {
			t.Errorf("configuring an unavailable feature: %q", got)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if _, err := fx.svc.SetAvailable(fx.ctx, admin, features.Site(f.Leeds.ID), cf, ptr(true)); err != nil {
			t.Fatal(err)
		}
		sd, _ = fx.svc.ServiceDataFor(fx.ctx, admin, west)
		if fd := sd.Features[features.CodeCallForwarding]; !fd.Active {
			t.Errorf("available again: %+v", fd)
		}
	})
}

// TestHuntGroupNumbers: a hunt group's number comes from the site's pool and
// its extension follows the site's policy; both are held in numbering as an
// EGF, cannot collide, and are given back when the group goes.
func TestHuntGroupNumbers(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		ctx, a := fx.ctx, fx.env.App
		leeds := features.Site(f.Leeds.ID)
		west, support := fx.env.ID("west.one"), fx.env.ID("support.one")
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2001", numbering.Owner{Kind: numbering.OwnerUser, ID: west}); err != nil {
			t.Fatal(err)
		}
		group := func(name, number, ext string) map[string]any {
			return map[string]any{"name": name, "number": number, "extension": ext, "policy": "circular",
				"members":   []map[string]any{{"employee_id": west}, {"employee_id": support}},
				"no_answer": map[string]any{"enabled": true, "seconds": 30, "destination": "2001"}}
		}
		bad := []struct {
			name string
			body any
			want string
		}{
			{"other site's number", map[string]any{"groups": []any{group("Sales", "+442079460001", "3001")}},
				"groups[0].number: +442079460001 is not a number of this site's pool"},
			{"held extension", map[string]any{"groups": []any{group("Sales", "+441134960001", "2001")}},
				"groups[0].extension: extension 2001 is already used by Wendy West"},
			{"site extension length", map[string]any{"groups": []any{group("Sales", "", "301")}},
				"groups[0].extension: extensions at this site have 4 digits; 301 has 3"},
			{"policy", map[string]any{"groups": []any{map[string]any{"name": "S", "extension": "3001", "policy": "random"}}},
				"groups[0].policy: the policy is circular, regular, simultaneous, uniform or weighted"},
			{"two groups one number", map[string]any{"groups": []any{group("Sales", "+441134960001", "3001"), group("Support", "+441134960001", "3002")}},
				"groups[1].number: the same number as groups[0]"},
			{"member of another company", map[string]any{"groups": []any{map[string]any{"name": "S", "extension": "3001",
				"members": []map[string]any{{"employee_id": fx.env.ID("globex.one")}}}}},
				"groups[0].members[0].employee_id: employee " + id(fx.env.ID("globex.one")) + " does not exist"},
		}
		before := storetest.Counts(t, db)
		for _, c := range bad {
			_, err := fx.svc.Configure(ctx, fx.env.Actor("acme.admin"), leeds, features.CodeHuntGroups, mustJSON(t, c.body))
			if got := fieldError(err); got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		cfg := fx.configure(t, leeds, features.CodeHuntGroups, map[string]any{"groups": []any{group("Sales", "0113 496 0001", "3001")}})
		hg := cfg.Settings.(*features.HuntGroups).Groups[0]
		if hg.ID == 0 || hg.Number != "+441134960001" || hg.Members[0].Weight != 1 || hg.NoAnswer.RingsPerMember != 3 {
			t.Fatalf("hunt group = %+v", hg)
		}
		// The Search Tool finds the number as the guide's EGF.
		if res, err := a.Search.FindNumber(ctx, fx.env.Actor("acme.admin"), "0113 496 0001"); err != nil || res.Type != search.TypeEGF {
			t.Errorf("search tool on the hunt group's number: %+v, %v", res, err)
		}
		egf := numbering.Owner{Kind: numbering.OwnerEGF, ID: hg.ID}
		ns, err := a.Numbering.OwnerNumbers(ctx, f.Acme.ID, egf)
		if err != nil || len(ns) != 1 || ns[0].E164 != "+441134960001" || ns[0].Owner.Name != "Sales" {
			t.Errorf("numbers of the hunt group: %+v, %v", ns, err)
		}
		// The hunt group's number is taken: another group cannot have it.
		_, err = fx.svc.Configure(ctx, fx.env.Actor("acme.admin"), leeds, features.CodeHuntGroups, mustJSON(t, map[string]any{"groups": []any{
			map[string]any{"id": hg.ID, "name": "Sales", "number": "+441134960001", "extension": "3001"},
			group("Support", "+441134960001", "3002")}}))
		if got := fieldError(err); got != "groups[1].number: +441134960001 is already assigned to Sales" {
			t.Errorf("second group with the first one's number: %q", got)
		}
		// An auto attendant (another feature) cannot take it either.
		_, err = fx.svc.Configure(ctx, fx.env.Actor("acme.admin"), leeds, features.CodeAutoAttendant, mustJSON(t, map[string]any{"attendants": []any{
			map[string]any{"name": "Main", "number": "+441134960001", "extension": "3002"}}}))
		if got := fieldError(err); got != "attendants[0].number: +441134960001 is already assigned to Sales" {
			t.Errorf("auto attendant with the hunt group's number: %q", got)
		}
		// Changing the number gives the old one back; removing the group
		// frees both.
		cfg = fx.configure(t, leeds, features.CodeHuntGroups, map[string]any{"groups": []any{
			map[string]any{"id": hg.ID, "name": "Sales", "number": "+441134960002", "extension": "3003"}}})
		if n, _ := a.Numbering.Lookup(ctx, f.Provider.ID, "+441134960001"); n.Status != numbering.StatusReturned {
			t.Errorf("old number status %s", n.Status)
		}
		if _, err := a.Numbering.ExtensionHolder(ctx, f.Acme.ID, "3001"); !derrors.IsNotFound(err) {
			t.Errorf("old extension still held: %v", err)
		}
		fx.configure(t, leeds, features.CodeHuntGroups, map[string]any{"groups": []any{}})
		if ns, _ := a.Numbering.OwnerNumbers(ctx, f.Acme.ID, egf); len(ns) != 0 {
			t.Errorf("numbers after removal: %+v", ns)
		}
		if _, err := a.Numbering.ExtensionHolder(ctx, f.Acme.ID, "3003"); !derrors.IsNotFound(err) {
			t.Errorf("extension after removal: %v", err)
		}
		// An id that is not one of the site's is refused.
		_, err = fx.svc.Configure(ctx, fx.env.Actor("acme.admin"), leeds, features.CodeHuntGroups, mustJSON(t, map[string]any{"groups": []any{
			map[string]any{"id": hg.ID, "name": "Sales", "extension": "3001"}}}))
		if got := fieldError(err); !strings.HasPrefix(got, "groups[0].id: ") {
			t.Errorf("a removed group's id: %q", got)
		}
	})
}

// TestServiceDataSchema: the service data of a site and an employee with
// every feature configured satisfies the embedded JSON Schema, and the
// defaults of every feature do too.
func TestServiceDataSchema(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		s := schema(t)
		leeds, west := features.Site(f.Leeds.ID), features.Employee(fx.env.ID("west.one"))
		admin := fx.env.Actor("acme.admin")
		for _, o := range []features.Owner{leeds, west} {
			sd, err := fx.svc.ServiceDataFor(fx.ctx, admin, o)
			if err != nil {
				t.Fatal(err)
			}
			conforms(t, s, sd)
		}
		support := fx.env.ID("support.one")
		fx.configure(t, leeds, features.CodeTimeSchedules, `{"schedules":[{"name":"Office","periods":[{"days":["mon","fri"],"start":"08:30","end":"24:00"}]}]}`)
		fx.configure(t, leeds, features.CodeHolidaySchedules, `{"schedules":[{"name":"UK","holidays":[{"name":"Christmas","start":"2026-12-25","end":"2026-12-26"},{"name":"","start":"2027-01-01","end":""}]}]}`)
		fx.configure(t, leeds, features.CodeHuntGroups, map[string]any{"groups": []any{map[string]any{"name": "Sales", "number": "+441134960001",
			"extension": "3001", "policy": "weighted", "members": []any{map[string]any{"employee_id": support, "weight": 5}}}}})
		fx.configure(t, leeds, features.CodeAutoAttendant, map[string]any{"attendants": []any{map[string]any{"name": "Main", "extension": "3000",
			"business_hours": "Office", "holidays": "UK",
			"business_hours_menu": map[string]any{"keys": map[string]any{"1": map[string]any{"action": "transfer", "destination": "3001"},
				"2": map[string]any{"action": "voicemail", "employee_id": support}, "#": map[string]any{"action": "repeat_menu"}}},
			"after_hours_menu": map[string]any{"keys": map[string]any{"0": map[string]any{"action": "exit"}}}}}})
		fx.configure(t, west, features.CodeCallForwarding, `{"always":{"enabled":true,"destination":"+441134960099"},"no_answer":{"enabled":true,"destination":"3001","rings":3}}`)
		fx.configure(t, west, features.CodeVoicemail, `{"notify":{"enabled":true,"address":"wendy@example.com"},"rings":5}`)
		fx.configure(t, west, features.CodeSimultaneousRing, `{"enabled":true,"numbers":[{"destination":"07700900123","answer_confirmation":true}],"schedule":"Office"}`)
		fx.configure(t, west, features.CodeBusyLampField, `{"monitored":[`+id(support)+`]}`)
		fx.configure(t, west, features.CodeRemoteOffice, `{"enabled":true,"destination":"+447700900124"}`)
		fx.configure(t, west, features.CodeDoNotDisturb, `{"enabled":true,"ring_splash":true}`)
		fx.configure(t, west, features.CodeCallRecording, `{"mode":"always","announce":true}`)
		fx.configure(t, leeds, features.CodeMusicOnHold, `{"enabled":false,"audio":null}`)
		fx.configure(t, leeds, features.CodeCallCentre, map[string]any{"queues": []any{map[string]any{"name": "Support queue", "number": "+441134960003",
			"extension": "3003", "agents": []any{map[string]any{"employee_id": support}}, "queue_length": 20,
			"comfort": map[string]any{"enabled": true, "seconds": 45}, "overflow": map[string]any{"action": "transfer", "seconds": 120, "destination": "3001"}}}})
		for _, o := range []features.Owner{leeds, west} {
			sd, err := fx.svc.ServiceDataFor(fx.ctx, admin, o)
			if err != nil {
				t.Fatal(err)
			}
			conforms(t, s, sd)
			if len(sd.Features) < 5 || sd.Revision < 4 {
				t.Errorf("%v: %d features, revision %d", o, len(sd.Features), sd.Revision)
			}
		}
		sd, _ := fx.svc.ServiceDataFor(fx.ctx, admin, leeds)
		aa := sd.Features[features.CodeAutoAttendant].Settings.(*features.AutoAttendants).Attendants[0]
		if aa.BusinessHoursMenu.Keys["1"].Destination != "3001" || aa.Holidays != "UK" || aa.ID == 0 {
			t.Errorf("auto attendant = %+v", aa)
		}
		// The schema is not a formality: it refuses what the engine could
		// not execute.
		bad := map[string]any{"schema_version": 1, "owner": map[string]any{"kind": "site", "id": 1}, "company_id": 1, "site_id": 1,
			"revision": 1, "site_revision": 1, "features": map[string]any{"call_forwarding": map[string]any{"active": true,
				"settings": map[string]any{"always": map[string]any{"enabled": true, "destination": "call me"}}}}}
		raw := mustJSON(t, bad)
		inst, _ := jsonschemaUnmarshal(raw)
		if err := s.Validate(inst); err == nil {
			t.Error("the schema accepted a destination that is no number")
		}
	})
}

// TestCopyFeatures: copying features from one employee to another is one
// domain operation: the settings arrive as typed, validated on the target
// (the reference's destination may be the target's own extension), audited
// there, and a refusal changes nothing.
func TestCopyFeatures(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		ctx, a := fx.ctx, fx.env.App
		west, support := features.Employee(fx.env.ID("west.one")), features.Employee(fx.env.ID("support.one"))
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2002", numbering.Owner{Kind: numbering.OwnerUser, ID: support.ID}); err != nil {
			t.Fatal(err)
		}
		fx.configure(t, west, features.CodeCallForwarding, `{"busy":{"enabled":true,"destination":"+441134960099"},"no_answer":{"enabled":false,"destination":"","rings":7}}`)
		fx.configure(t, west, features.CodeVoicemail, `{"rings":6,"copy":{"enabled":true,"address":"team@example.com"}}`)
		admin := fx.env.Actor("acme.admin")
		codes := []string{features.CodeCallForwarding, features.CodeVoicemail}
		fx.configure(t, west, features.CodeRemoteOffice, `{"enabled":true,"destination":"2002"}`)

		before := storetest.Counts(t, db)
		refusals := []struct {
			name  string
			actor string
			from  features.Owner
			codes []string
			want  string
		}{
			{"a colleague", "support.one", west, codes, "not found"},
			{"another company", "globex.admin", west, codes, "not found"},
			{"not configured", "acme.admin", west, []string{features.CodeSimultaneousRing}, "features[0]: Simultaneous Ring is not configured on the reference: there is nothing to copy"},
			{"nothing", "acme.admin", west, nil, "features: choose the features to copy"},
		}
		for _, r := range refusals {
			_, err := fx.svc.CopyFeatures(ctx, fx.env.Actor(r.actor), r.from, support, r.codes)
			got := fieldError(err)
			if derrors.IsNotFound(err) {
				got = "not found"
			}
			if got != r.want {
				t.Errorf("%s: got %q, want %q", r.name, got, r.want)
			}
		}
		// The reference's remote office (configured below) is 2002, the
		// target's own extension.
		_, err := fx.svc.CopyFeatures(ctx, admin, west, support, append(codes, features.CodeRemoteOffice))
		if got := fieldError(err); got != "remote_office.destination: 2002 is this employee's own extension: calls would come straight back" {
			t.Errorf("copying a loop: %q", got)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		// No other change was kept either (one transaction): support.one has
		// no settings yet.
		if c, _ := fx.svc.FeatureConfig(ctx, admin, support, features.CodeCallForwarding); c.Configured {
			t.Error("a failed copy left call forwarding configured on the target")
		}

		out, err := fx.svc.CopyFeatures(ctx, admin, west, support, codes)
		if err != nil || len(out) != 2 {
			t.Fatalf("copy: %+v, %v", out, err)
		}
		src, _ := fx.svc.ServiceDataFor(ctx, admin, west)
		dst, _ := fx.svc.ServiceDataFor(ctx, admin, support)
		for _, code := range codes {
			if !jsonEqual(t, src.Features[code].Settings, dst.Features[code].Settings) {
				t.Errorf("%s on the target differs from the reference", code)
			}
		}
		var n int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE object_kind = 'employee' AND object_id = ? AND event LIKE 'Copy %'", support.ID).Scan(&n); err != nil || n != 2 {
			t.Errorf("copy audit entries on the target: %d, %v", n, err)
		}
	})
}

func jsonEqual(t *testing.T, a, b any) bool {
	t.Helper()
	return string(mustJSON(t, a)) == string(mustJSON(t, b))
}

// TestConcurrentChangesAreNotLost: while another transaction holds the
// employee's document (it changes call waiting), a change of voicemail
// waits for it and then applies on top of it: both changes are kept. A
// change that read the document before the other committed would write
// its stale copy back and lose call waiting.
func TestConcurrentChangesAreNotLost(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		west := features.Employee(fx.env.ID("west.one"))
		fx.configure(t, west, features.CodeVoicemail, `{"rings":3}`)
		locked, release, finished := make(chan struct{}), make(chan struct{}), make(chan error, 1)
		go func() {
			finished <- db.Tx(fx.ctx, func(ctx context.Context) error {
				if _, err := db.Q(ctx).Exec(ctx, "UPDATE feature_configs SET revision = revision WHERE account_id = ?", west.ID); err != nil {
					return err
				}
				close(locked)
				<-release
				_, err := db.Q(ctx).Exec(ctx, `UPDATE feature_configs SET revision = revision + 1,
					settings = '{"voicemail":{"enabled":true,"busy":true,"no_answer":true,"rings":3,"notify":{"enabled":false,"address":""},"copy":{"enabled":false,"address":""},"greetings":{"busy":null,"no_answer":null}},"call_waiting":{"enabled":false}}'
					WHERE account_id = ?`, west.ID)
				return err
			})
		}()
		<-locked
		configured := make(chan error, 1)
		go func() {
			_, err := fx.svc.Configure(fx.ctx, fx.env.Actor("west.one"), west, features.CodeVoicemail, []byte(`{"rings":7}`))
			configured <- err
		}()
		// Give the change time to reach the lock (if it read the document
		// first, as it must not, this is when it would).
		time.Sleep(300 * time.Millisecond)
		close(release)
		if err := <-finished; err != nil {
			t.Fatal(err)
		}
		if err := <-configured; err != nil {
			t.Fatal(err)
		}
		sd, err := fx.svc.ServiceDataFor(fx.ctx, fx.env.Actor("acme.admin"), west)
		if err != nil {
			t.Fatal(err)
		}
		vm := sd.Features[features.CodeVoicemail].Settings.(*features.Voicemail)
		cw := sd.Features[features.CodeCallWaiting].Settings.(*features.CallWaiting)
		if vm.Rings != 7 || cw.Enabled || sd.Revision != 3 {
			t.Errorf("voicemail rings %d (want 7), call waiting on %v (want off, the other change), revision %d (want 3)", vm.Rings, cw.Enabled, sd.Revision)
		}
	})
}

// TestCallCentreAndMusicValidation: the call centre's and music on hold's
// own rules, each refused on its field and changing nothing; a queue holds
// its number and extension like a hunt group.
func TestCallCentreAndMusicValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		leeds := features.Site(fx.env.Fixture.Leeds.ID)
		queue := func(extra map[string]any) map[string]any {
			q := map[string]any{"name": "Support queue", "extension": "3003"}
			for k, v := range extra {
				q[k] = v
			}
			return map[string]any{"queues": []any{q}}
		}
		cases := []struct {
			name, code string
			body       any
			want       string
		}{
			{"overflow without destination", features.CodeCallCentre, queue(map[string]any{"overflow": map[string]any{"action": "transfer"}}),
				"queues[0].overflow.destination: enter where overflowing calls are transferred"},
			{"queue too long", features.CodeCallCentre, queue(map[string]any{"queue_length": 600}), "queues[0].queue_length: must be from 1 to 525 callers"},
			{"comfort too often", features.CodeCallCentre, queue(map[string]any{"comfort": map[string]any{"enabled": true, "seconds": 5}}),
				"queues[0].comfort.seconds: must be from 10 to 600 seconds"},
			{"entrance audio", features.CodeCallCentre, queue(map[string]any{"entrance": map[string]any{"enabled": true, "audio": map[string]any{"audio_id": 4}}}),
				"queues[0].entrance.audio: recording 4 does not exist in this company: upload it under Recordings first, or leave it empty (null) to play the system's own audio"},
			{"overflow action", features.CodeCallCentre, queue(map[string]any{"overflow": map[string]any{"action": "hangup"}}),
				"queues[0].overflow.action: the overflow action is busy, transfer or ringing"},
			{"music audio", features.CodeMusicOnHold, `{"enabled":true,"audio":{"audio_id":9}}`,
				"audio: recording 9 does not exist in this company: upload it under Recordings first, or leave it empty (null) to play the system's own audio"},
		}
		before := storetest.Counts(t, db)
		for _, c := range cases {
			_, err := fx.svc.Configure(fx.ctx, fx.env.Actor("acme.admin"), leeds, c.code, mustJSON(t, c.body))
			if got := fieldError(err); got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		cfg := fx.configure(t, leeds, features.CodeCallCentre, queue(nil))
		q := cfg.Settings.(*features.CallCentre).Queues[0]
		if q.ID == 0 || q.Policy != features.PolicyUniform || q.QueueLength != 10 || q.Overflow.Action != features.OverflowBusy || q.Comfort.Seconds != 30 {
			t.Errorf("queue defaults: %+v", q)
		}
		if h, err := fx.env.App.Numbering.ExtensionHolder(fx.ctx, fx.env.Fixture.Acme.ID, "3003"); err != nil || h.Owner.Name != "Support queue" {
			t.Errorf("the queue's extension: %+v, %v", h, err)
		}
	})
}
