package features_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSiteFeatureValidation: each site feature of the Contacts, Management
// and Portals & Bridges categories refuses bad settings with the field and
// a reason the administrator can act on, and a refusal changes nothing.
func TestSiteFeatureValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		ctx, a := fx.ctx, fx.env.App
		leeds := features.Site(f.Leeds.ID)
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2001", numbering.Owner{Kind: numbering.OwnerUser, ID: fx.env.ID("west.one")}); err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).Exec(ctx, "UPDATE companies SET channel_limit = 30 WHERE id = ?", f.Acme.ID)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		long := strings.Repeat("x", 65)
		cases := []struct {
			name, code, body, want string
		}{
			// Company and Group Contacts.
			{"contact without name", features.CodeCompanyContacts, `{"contacts":[{"name":" ","numbers":[{"label":"Office","number":"0113 496 0500"}]}]}`,
				"contacts[0].name: enter the contact's name"},
			{"contact name too long", features.CodeGroupContacts, `{"contacts":[{"name":"` + long + `","numbers":[{"number":"2001"}]}]}`,
				"contacts[0].name: the name must be at most 64 characters (it has 65)"},
			{"contact twice", features.CodeGroupContacts, `{"contacts":[{"name":"Taxi","numbers":[{"number":"01134960500"}]},{"name":"taxi","numbers":[{"number":"01134960501"}]}]}`,
				`contacts[1].name: "taxi" is already contacts[0]: names must differ so the phone's list tells them apart`},
			{"contact without numbers", features.CodeCompanyContacts, `{"contacts":[{"name":"Supplier","numbers":[]}]}`,
				"contacts[0].numbers: add at least one number"},
			{"contact five numbers", features.CodeCompanyContacts, `{"contacts":[{"name":"Supplier","numbers":[{"number":"2001"},{"number":"2001"},{"number":"2001"},{"number":"2001"},{"number":"2001"}]}]}`,
				"contacts[0].numbers: a contact has at most 4 numbers"},
			{"contact number letters", features.CodeCompanyContacts, `{"contacts":[{"name":"Supplier","numbers":[{"number":"call us"}]}]}`,
				`contacts[0].numbers[0].number: "call us" is not a telephone number or an extension: use digits, with + for the E.164 form`},
			{"contact unknown extension", features.CodeGroupContacts, `{"contacts":[{"name":"Reception","numbers":[{"number":"2999"}]}]}`,
				"contacts[0].numbers[0].number: nobody in the company has extension 2999"},
			{"contact feature code", features.CodeGroupContacts, `{"contacts":[{"name":"Voicemail","numbers":[{"number":"*86"}]}]}`,
				"contacts[0].numbers[0].number: *86 is a feature code, dialled from a phone: enter a telephone number or an extension"},
			{"contact e-mail", features.CodeCompanyContacts, `{"contacts":[{"name":"Supplier","numbers":[{"number":"2001"}],"email":"sales at example"}]}`,
				`contacts[0].email: "sales at example" is not an e-mail address (name@example.com)`},
			{"too many contacts", features.CodeCompanyContacts, manyContacts(501), "contacts: a directory holds at most 500 contacts; it has 501"},
			// Phone Services.
			{"service http", features.CodeSitePhoneServices, `{"services":[{"name":"Menu","url":"http://services.example.com/menu.xml"}]}`,
				"services[0].url: the address must start with https://: phones fetch services over an encrypted connection only"},
			{"service not an address", features.CodeSitePhoneServices, `{"services":[{"name":"Menu","url":"menu.xml"}]}`,
				"services[0].url: the address must start with https://: phones fetch services over an encrypted connection only"},
			{"service password", features.CodeSitePhoneServices, `{"services":[{"name":"Menu","url":"https://u:p@services.example.com/"}]}`,
				"services[0].url: the address must not carry a user name or password: the settings are visible to administrators"},
			{"service no name", features.CodeSitePhoneServices, `{"services":[{"name":"","url":"https://services.example.com/"}]}`,
				"services[0].name: enter a name"},
			{"service twice", features.CodeSitePhoneServices, `{"services":[{"name":"A","url":"https://s.example.com/"},{"name":"B","url":"https://s.example.com/"}]}`,
				"services[1].url: https://s.example.com/ is listed twice"},
			// Call Capacity.
			{"capacity above channels", features.CodeCallCapacity, `{"max_calls":31}`,
				"max_calls: must be at most 30 calls: the company's channel limit is 30"},
			{"capacity negative", features.CodeCallCapacity, `{"max_outbound":-1}`,
				"max_outbound: cannot be negative: 0 means no limit of the site's own"},
			{"capacity split", features.CodeCallCapacity, `{"max_calls":10,"max_inbound":12}`,
				"max_inbound: 12 inbound calls exceed the site's 10 calls in all"},
			// Calling Plans.
			{"plan unknown class", features.CodeCallingPlans, `{"outgoing":{"satellite":"allow"}}`,
				`outgoing: "satellite" is not a call class: use internal, national, mobile, international, premium_rate, operator_assisted`},
			{"plan unknown rule", features.CodeCallingPlans, `{"outgoing":{"mobile":"maybe"}}`,
				"outgoing.mobile: the rule is allow, block or authorisation_code"},
			{"plan internal code", features.CodeCallingPlans, `{"outgoing":{"internal":"authorisation_code"},"authorisation_codes":[{"code":"1234"}]}`,
				"outgoing.internal: calls between colleagues are allowed or blocked, never behind an authorisation code"},
			{"plan code needed", features.CodeCallingPlans, `{"outgoing":{"international":"authorisation_code"}}`,
				"authorisation_codes: add an authorisation code: a call class requires one, so nobody could make those calls"},
			{"plan short code", features.CodeCallingPlans, `{"authorisation_codes":[{"code":"12"}]}`,
				"authorisation_codes[0].code: an authorisation code is 4 to 14 digits"},
			{"plan code twice", features.CodeCallingPlans, `{"authorisation_codes":[{"code":"1234"},{"code":"1234"}]}`,
				"authorisation_codes[1].code: this code is listed twice"},
			{"plan incoming", features.CodeCallingPlans, `{"incoming":{"external":"sometimes"}}`,
				"incoming.external: the rule is allow, block or transfers_only"},
			// Group Calling Line ID.
			{"cli another site's number", features.CodeGroupCallingLineID, `{"number":"+442079460001","use_for_external_calls":true}`,
				"number: +442079460001 is not a number of this site: the site presents only its own numbers"},
			{"cli not a number", features.CodeGroupCallingLineID, `{"number":"reception"}`, ""},
			{"cli on without number", features.CodeGroupCallingLineID, `{"use_for_external_calls":true}`,
				"number: choose the site's number before using it for external calls"},
			{"cli long name", features.CodeGroupCallingLineID, `{"name":"Acme Leeds Customer Services Desk"}`,
				"name: the name must be at most 30 characters: networks cut longer names (it has 33)"},
			// Portals and bridges.
			{"voice portal on without access", features.CodeVoicePortal, `{"enabled":true}`,
				"access.extension: give it an extension (and a number of the site's pool if callers from outside dial it) before switching it on"},
			{"voice portal extension taken", features.CodeVoicePortal, `{"enabled":true,"access":{"extension":"2001"}}`,
				"access.extension: extension 2001 is already used by Wendy West"},
			{"voice portal number of another site", features.CodeVoicePortal, `{"access":{"extension":"3900","number":"+442079460002"}}`,
				"access.number: +442079460002 is not a number of this site's pool"},
			{"call director pin length", features.CodeCallDirectorPortal, `{"pin":{"required":true,"min_length":3}}`,
				"pin.min_length: must be from 4 to 10 digits"},
			{"call director nobody known", features.CodeCallDirectorPortal, `{"enabled":true,"access":{"extension":"3901"},"pin":{"required":false},"recognise_registered_phones":false}`,
				"pin.required: with no PIN and no registered phones the portal could not tell who calls: require a PIN"},
			{"my room participants", features.CodeMyRoom, `{"participant_limit":500}`,
				"participant_limit: must be from 3 to 100 participants"},
			{"my room pin length", features.CodeMyRoom, `{"pin_length":12}`, "pin_length: must be from 4 to 10 digits"},
		}
		before := storetest.Counts(t, db)
		for _, c := range cases {
			_, err := fx.svc.Configure(ctx, fx.env.Actor("acme.admin"), leeds, c.code, []byte(c.body))
			got := fieldError(err)
			if c.want == "" {
				if !strings.HasPrefix(got, "number: ") {
					t.Errorf("%s: got %q, want an error of the number", c.name, got)
				}
				continue
			}
			if got != c.want {
				t.Errorf("%s: got %q, want %q", c.name, got, c.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}

func manyContacts(n int) string {
	var cs []any
	for i := 0; i < n; i++ {
		cs = append(cs, map[string]any{"name": "Contact " + id(int64(i)), "numbers": []any{map[string]any{"number": "2001"}}})
	}
	b, _ := json.Marshal(map[string]any{"contacts": cs})
	return string(b)
}

// TestSiteFeaturesRoundTrip: good settings are normalised, stored, read
// back whole in the service data (which satisfies the schema), a portal's
// number and extension are held in numbering as the site's EGF, and an
// authorisation code never reaches the audit trail.
func TestSiteFeaturesRoundTrip(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		ctx, a := fx.ctx, fx.env.App
		leeds := features.Site(f.Leeds.ID)
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2001", numbering.Owner{Kind: numbering.OwnerUser, ID: fx.env.ID("west.one")}); err != nil {
			t.Fatal(err)
		}
		fx.configure(t, leeds, features.CodeCompanyContacts, `{"show_on_phones":true,"contacts":[{"name":" Stationery Ltd ","numbers":[{"label":"Sales","number":"0113 496 0500"},{"label":"Desk","number":"2001"}],"email":"orders@example.com"}]}`)
		fx.configure(t, leeds, features.CodeGroupContacts, `{"show_on_phones":false,"contacts":[{"name":"Taxi","numbers":[{"label":"","number":"+441134960501"}],"email":""}]}`)
		fx.configure(t, leeds, features.CodeSitePhoneServices, `{"services":[{"name":"Weather","url":"https://services.example.com/weather.xml"}]}`)
		fx.configure(t, leeds, features.CodeCallCapacity, `{"max_calls":20,"max_inbound":15,"max_outbound":10}`)
		fx.configure(t, leeds, features.CodeCallingPlans, `{"outgoing":{"international":"authorisation_code","premium_rate":"block"},"authorisation_codes":[{"code":"4711","description":"Managers"}],"incoming":{"external":"allow","collect_calls":false}}`)
		fx.configure(t, leeds, features.CodeGroupCallingLineID, `{"number":"0113 496 0001","name":"Acme Leeds","use_for_external_calls":true}`)
		fx.configure(t, leeds, features.CodeVoicePortal, `{"enabled":true,"access":{"extension":"3900","number":"+441134960090"},"pin_required":true,"auto_login":true}`)
		fx.configure(t, leeds, features.CodeCallDirectorPortal, `{"enabled":true,"access":{"extension":"3901"},"pin":{"required":true,"min_length":6,"max_attempts":3},"recognise_registered_phones":true}`)
		fx.configure(t, leeds, features.CodeMyRoom, `{"enabled":true,"access":{"name":"Leeds bridge","extension":"3902"},"participant_limit":20,"pin_length":6,"entry_tone":true,"exit_tone":false,"moderator_required":true}`)

		sd, err := fx.svc.ServiceDataFor(ctx, fx.env.Actor("acme.admin"), leeds)
		if err != nil {
			t.Fatal(err)
		}
		conforms(t, schema(t), sd)
		cc := sd.Features[features.CodeCompanyContacts].Settings.(*features.SharedContacts)
		if c := cc.Contacts[0]; c.Name != "Stationery Ltd" || c.Numbers[0].Number != "+441134960500" || c.Numbers[1].Number != "2001" {
			t.Errorf("company contacts = %+v", cc)
		}
		cli := sd.Features[features.CodeGroupCallingLineID].Settings.(*features.GroupCallingLineID)
		if cli.Number != "+441134960001" || !cli.UseForExternalCalls {
			t.Errorf("group CLI = %+v", cli)
		}
		plan := sd.Features[features.CodeCallingPlans].Settings.(*features.CallingPlans)
		if plan.Outgoing["international"] != "authorisation_code" || plan.Outgoing["mobile"] != "allow" || plan.Outgoing["operator_assisted"] != "block" {
			t.Errorf("calling plan = %+v", plan.Outgoing)
		}
		vp := sd.Features[features.CodeVoicePortal].Settings.(*features.VoicePortal)
		if vp.Access == nil || vp.Access.ID == 0 || vp.Access.Name != "Voice Portal" {
			t.Fatalf("voice portal = %+v", vp)
		}
		room := sd.Features[features.CodeMyRoom].Settings.(*features.MyRoom)
		if room.Access == nil || room.Access.Name != "Leeds bridge" || room.ParticipantLimit != 20 {
			t.Errorf("my room = %+v", room)
		}
		// The portal's number and extension are the site's EGF.
		n, err := a.Numbering.Lookup(ctx, f.Provider.ID, "+441134960090")
		if err != nil || n.Owner == nil || n.Owner.Kind != numbering.OwnerEGF || n.Owner.Name != "Voice Portal" {
			t.Errorf("portal number = %+v, %v", n, err)
		}
		if h, err := a.Numbering.ExtensionHolder(ctx, f.Acme.ID, "3900"); err != nil || h.Owner.Kind != numbering.OwnerEGF {
			t.Errorf("portal extension = %+v, %v", h, err)
		}
		// Switching the portal off keeps its number; removing its access
		// gives both back.
		fx.configure(t, leeds, features.CodeVoicePortal, `{"enabled":false,"access":null}`)
		if n, _ := a.Numbering.Lookup(ctx, f.Provider.ID, "+441134960090"); n.Owner != nil {
			t.Errorf("number after removal: %+v", n)
		}
		// An authorisation code is in the service data (the engine checks
		// it) but never in the audit trail.
		fx.configure(t, leeds, features.CodeCallingPlans, `{"outgoing":{"international":"authorisation_code"},"authorisation_codes":[{"code":"98765","description":"Managers"}]}`)
		var n4711, n98765 int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE before_json LIKE '%4711%' OR after_json LIKE '%4711%'").Scan(&n4711); err != nil {
			t.Fatal(err)
		}
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE before_json LIKE '%98765%' OR after_json LIKE '%98765%'").Scan(&n98765); err != nil {
			t.Fatal(err)
		}
		if n4711+n98765 != 0 {
			t.Errorf("authorisation codes in the audit trail: %d, %d", n4711, n98765)
		}
		// Numbered features are not copied between sites.
		_, err = fx.svc.CopyFeatures(ctx, fx.env.Actor("acme.admin"), leeds, features.Site(f.London.ID), []string{features.CodeVoicePortal})
		if got := fieldError(err); got != "features[0]: Voice Portal holds numbers of its own site: create it at each site instead of copying it" {
			t.Errorf("copying a portal: %q", got)
		}
		if _, err := fx.svc.CopyFeatures(ctx, fx.env.Actor("acme.admin"), leeds, features.Site(f.London.ID), []string{features.CodeCompanyContacts}); err != nil {
			t.Errorf("copying company contacts: %v", err)
		}
	})
}

// TestSiteFeaturesAllowAdminPrivileges: the Allow Admin Privileges box
// governs the new site features like every other: cleared, the site's group
// administrators (and their peer) are refused with nothing changed; the
// company's administrators still configure it; other features stay the
// group administrators'. Outsiders never see the site.
func TestSiteFeaturesAllowAdminPrivileges(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		admin := fx.env.Actor("acme.admin")
		leeds := features.Site(f.Leeds.ID)
		body := map[string]string{
			features.CodeCompanyContacts:    `{"contacts":[{"name":"Taxi","numbers":[{"number":"+441134960501"}]}]}`,
			features.CodeGroupContacts:      `{"contacts":[{"name":"Taxi","numbers":[{"number":"+441134960501"}]}]}`,
			features.CodeSitePhoneServices:  `{"services":[{"name":"Weather","url":"https://services.example.com/w.xml"}]}`,
			features.CodeCallCapacity:       `{"max_calls":5}`,
			features.CodeCallingPlans:       `{"outgoing":{"premium_rate":"block"}}`,
			features.CodeGroupCallingLineID: `{"name":"Acme Leeds"}`,
			features.CodeCallDirectorPortal: `{"enabled":false}`,
			features.CodeMyRoom:             `{"participant_limit":10}`,
			features.CodeVoicePortal:        `{"auto_login":true}`,
		}
		const reason = "forbidden: the company administrator has not allowed group administrators to change this feature here"
		for code, b := range body {
			fid := fx.featureID(t, code)
			if _, err := fx.svc.SetAdminPrivileges(fx.ctx, admin, leeds, fid, ptr(false)); err != nil {
				t.Fatalf("%s: %v", code, err)
			}
			before := storetest.Counts(t, db)
			for _, user := range []string{"leeds.admin", "leeds.admin2"} {
				_, err := fx.svc.Configure(fx.ctx, fx.env.Actor(user), leeds, code, []byte(b))
				if got := apptest.Refusal(err); got != reason {
					t.Errorf("%s configuring %s with the box cleared: %v", user, code, err)
				}
			}
			for _, user := range apptest.Outsiders {
				_, err := fx.svc.Configure(fx.ctx, fx.env.Actor(user), leeds, code, []byte(b))
				if got := apptest.Refusal(err); got != "not found" {
					t.Errorf("%s configuring %s of another company's site: %v", user, code, err)
				}
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
			for _, user := range []string{"acme.admin", "acme.admin2"} {
				if _, err := fx.svc.Configure(fx.ctx, fx.env.Actor(user), leeds, code, []byte(b)); err != nil {
					t.Errorf("%s configuring %s: %v", user, code, err)
				}
			}
			// Ticked again, the group administrator has it back.
			if _, err := fx.svc.SetAdminPrivileges(fx.ctx, admin, leeds, fid, ptr(true)); err != nil {
				t.Fatal(err)
			}
			if _, err := fx.svc.Configure(fx.ctx, fx.env.Actor("leeds.admin"), leeds, code, []byte(b)); err != nil {
				t.Errorf("leeds.admin configuring %s with the box ticked: %v", code, err)
			}
		}
		// A group administrator of Leeds never configures London's.
		_, err := fx.svc.Configure(fx.ctx, fx.env.Actor("leeds.admin"), features.Site(f.London.ID), features.CodeCallCapacity, []byte(`{"max_calls":5}`))
		if got := apptest.Refusal(err); got == "" {
			t.Errorf("leeds.admin configuring London: %v", err)
		}
	})
}

// TestPeoplePicker: the employee picker reads one page at a time in name
// order, pages follow each other without overlap (keyset), a search finds
// an employee by name or extension, an employee is not offered to
// themselves, and another company's administrator finds nothing.
func TestPeoplePicker(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		fx := setup(t, db)
		f := fx.env.Fixture
		ctx, a := fx.ctx, fx.env.App
		leeds := features.Site(f.Leeds.ID)
		if _, err := a.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "2001", numbering.Owner{Kind: numbering.OwnerUser, ID: fx.env.ID("west.one")}); err != nil {
			t.Fatal(err)
		}
		admin := fx.env.Actor("acme.admin")
		seen := map[int64]bool{}
		page := store.Page{PerPage: 2}
		for i := 0; ; i++ {
			p, err := fx.svc.People(ctx, admin, leeds, "", page)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range p.Items {
				if seen[c.ID] {
					t.Fatalf("page %d repeats %s", i, c.Name)
				}
				seen[c.ID] = true
			}
			if p.Next == "" {
				break
			}
			page.After = p.Next
		}
		var total int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE company_id = ?", f.Acme.ID).Scan(&total); err != nil {
			t.Fatal(err)
		}
		if len(seen) != total {
			t.Errorf("the pages hold %d of the company's %d employees", len(seen), total)
		}
		p, err := fx.svc.People(ctx, admin, leeds, "2001", store.Page{})
		if err != nil || len(p.Items) != 1 || p.Items[0].ID != fx.env.ID("west.one") || !strings.HasSuffix(p.Items[0].Name, "(2001)") {
			t.Errorf("search by extension: %+v, %v", p, err)
		}
		p, err = fx.svc.People(ctx, fx.env.Actor("west.one"), features.Employee(fx.env.ID("west.one")), "west", store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Items {
			if c.ID == fx.env.ID("west.one") {
				t.Error("an employee is offered to themselves")
			}
		}
		for _, user := range apptest.Outsiders {
			if _, err := fx.svc.People(ctx, fx.env.Actor(user), leeds, "", store.Page{}); apptest.Refusal(err) != "not found" {
				t.Errorf("%s reading Acme's people: %v", user, err)
			}
		}
		names2, err := fx.svc.PeopleNamed(ctx, admin, leeds, []int64{fx.env.ID("west.one"), fx.env.ID("globex.one")})
		if err != nil || len(names2) != 1 || names2[fx.env.ID("west.one")] == "" {
			t.Errorf("names: %v, %v", names2, err)
		}
	})
}
