package catalog

import (
	"context"
	"fmt"
)

// defaultFeatures is a realistic hosted-PBX feature list with the hover help
// an administrator reads before choosing a package.
var defaultFeatures = []FeatureRequest{
	{"call_forwarding", "Call Forwarding", "Call Handling", "Send calls to another number always, when busy, or when not answered."},
	{"call_waiting", "Call Waiting", "Call Handling", "Hear a tone when a second call arrives during a call, and switch between them."},
	{"call_transfer", "Call Transfer", "Call Handling", "Pass a call to a colleague, announced or blind."},
	{"do_not_disturb", "Do Not Disturb", "Call Handling", "Send every call to voicemail (or busy) until switched off."},
	{"voicemail", "Voicemail", "Messaging", "A personal mailbox; new messages can also be e-mailed as audio files."},
	{"three_way_calling", "Three-Way Calling", "Conferencing", "Add a third party to a call from the phone."},
	{"hunt_group", "Hunt Group Membership", "Groups", "Take calls to a hunt group number, in turn or all at once."},
	{"call_pickup", "Call Pickup", "Groups", "Answer a ringing phone of your pickup group from your own."},
	{"shared_call_appearance", "Shared Call Appearance", "Devices", "Ring and answer the same line on up to five devices."},
	{"mobile_app", "Mobile App", "Devices", "Make and take business calls on a smartphone with the company number."},
	{"call_recording", "Call Recording", "Compliance", "Record calls automatically or on demand; recordings kept for the agreed period."},
	{"receptionist_console", "Receptionist Console", "Reception", "See colleagues' presence and transfer calls from a browser console."},
	{"auto_attendant", "Auto Attendant", "Site Services", "Answer the site's main number with a menu (press 1 for sales …)."},
	{"music_on_hold", "Music on Hold", "Site Services", "Play music or messages to callers on hold."},
	{"call_park", "Call Park", "Site Services", "Park a call on an orbit so anybody at the site can pick it up."},
	{"call_centre", "Call Centre Queue", "Site Services", "Queue callers with announcements until an agent is free."},
	{"hunt_groups", "Hunt Groups", "Call Groups", "A number that rings a group of employees in turn or all at once."},
	{"simultaneous_ring", "Simultaneous Ring", "Call Control", "Ring a mobile or home phone at the same time as the desk phone."},
	{"busy_lamp_field", "Busy Lamp Field", "Busy Lamp Field", "See colleagues' lines on the phone's BLF keys and pick up their calls."},
	{"remote_office", "Remote Office", "Mobility", "Use any phone (home, hotel, mobile) as the business line."},
	{"company_contacts", "Company Contacts", "Contacts", "Shared contacts of the whole company in the directory of the site's phones."},
	{"group_contacts", "Group Contacts", "Contacts", "The site's own shared contacts in its phones' directory."},
	{"site_phone_services", "Site Phone Services", "Contacts", "XML services offered on every phone of the site."},
	{"call_capacity", "Call Capacity", "Management", "The most calls the site may have at once, in and out."},
	{"calling_plans", "Calling Plans", "Management", "Which calls the site's phones may make and receive, with authorisation codes."},
	{"group_calling_line_id", "Group Calling Line ID", "Management", "The site's number and name shown to the people its employees call."},
	{"call_director_portal", "Call Director Portal", "Portals & Bridges", "A number employees call from any phone to dial out as their business line."},
	{"my_room", "My Room Audio Conferencing", "Portals & Bridges", "The site's audio conferencing bridge with PINs and a moderator."},
	{"voice_portal", "Voice Portal", "Portals & Bridges", "A number to reach voicemail and change settings by phone."},
	{"pre_alerting", "Pre-Alerting", "Call Control", "Play an announcement to callers before the phone rings."},
	{"call_director", "Call Director", "Mobility", "One number, many devices: a mobile rings and calls as the business line."},
	{"personal_contacts", "Personal Contacts", "Contacts", "The employee's own contacts in the phone's directory and the apps."},
	{"phone_services", "Phone Services", "Contacts", "Web (XML) services in the desk phone's Services menu."},
	{"speed_dials", "Speed Dials", "Contacts", "Short codes for numbers called often (Speed Dial 8 and Speed Dial 100)."},
	{"fax_messaging", "Fax Messaging", "Messaging", "Receive faxes on a number and get them by e-mail as PDF or TIFF."},
}

// defaultPackages lists packages by name with the codes of their features.
var defaultPackages = []struct {
	req   PackageRequest
	codes []string
}{
	{PackageRequest{Type: TypePackage, Kind: KindSite, Name: "Site Essentials",
		Description: "What every site needs: auto attendant, hunt groups, music on hold, call park, shared contacts, calling plans and the voice portal."},
		[]string{"auto_attendant", "hunt_groups", "music_on_hold", "call_park", "company_contacts", "group_contacts", "site_phone_services",
			"call_capacity", "calling_plans", "group_calling_line_id", "call_director_portal", "voice_portal"}},
	{PackageRequest{Type: TypeAddOn, Kind: KindSite, Name: "My Room Conferencing",
		Description: "The site's own audio conferencing bridge."},
		[]string{"my_room"}},
	{PackageRequest{Type: TypeAddOn, Kind: KindSite, Name: "Call Centre",
		Description: "Queues for the site's busiest numbers."},
		[]string{"call_centre"}},
	{PackageRequest{Type: TypePackage, Kind: KindEmployee, Name: "Basic",
		Description: "A phone line with the everyday call features, voicemail, personal contacts and speed dials."},
		[]string{"call_forwarding", "call_waiting", "call_transfer", "do_not_disturb", "voicemail", "personal_contacts", "speed_dials"}},
	{PackageRequest{Type: TypePackage, Kind: KindEmployee, Name: "Standard",
		Description: "Basic, plus hunt groups, pickup, three-way calling, simultaneous ring, busy lamp field, remote office, call director, pre-alerting, phone services and the mobile app."},
		[]string{"call_forwarding", "call_waiting", "call_transfer", "do_not_disturb", "voicemail", "personal_contacts", "speed_dials",
			"hunt_group", "call_pickup", "three_way_calling", "mobile_app", "simultaneous_ring", "busy_lamp_field", "remote_office",
			"call_director", "pre_alerting", "phone_services"}},
	{PackageRequest{Type: TypePackage, Kind: KindEmployee, Name: "Advanced",
		Description: "Standard, plus shared call appearances on several devices."},
		[]string{"call_forwarding", "call_waiting", "call_transfer", "do_not_disturb", "voicemail", "personal_contacts", "speed_dials",
			"hunt_group", "call_pickup", "three_way_calling", "mobile_app", "simultaneous_ring", "busy_lamp_field", "remote_office",
			"call_director", "pre_alerting", "phone_services", "shared_call_appearance"}},
	{PackageRequest{Type: TypeAddOn, Kind: KindEmployee, Name: "Call Recording",
		Description: "Record the employee's calls."},
		[]string{"call_recording"}},
	{PackageRequest{Type: TypeAddOn, Kind: KindEmployee, Name: "Fax Messaging",
		Description: "Faxes to a number of the employee's, delivered by e-mail."},
		[]string{"fax_messaging"}},
	{PackageRequest{Type: TypeAddOn, Kind: KindEmployee, Name: "Receptionist Console",
		Description: "The browser console for whoever answers the main number."},
		[]string{"receptionist_console"}},
}

var defaultTerms = []TermRequest{
	{Name: "Monthly", Months: 1, Rank: 1},
	{Name: "12 months", Months: 12, Rank: 2},
	{Name: "24 months", Months: 24, Rank: 3},
}

// SeedDefaults fills an empty catalog with a realistic offering (the demo
// and a fresh install start from it). A provider that already has a feature
// or a term is left alone, so calling it twice is harmless.
func (s *Service) SeedDefaults(ctx context.Context, providerID int64) error {
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		var n int
		if err := s.db.Q(ctx).QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM catalog_features WHERE provider_id = ?) +
			(SELECT COUNT(*) FROM catalog_terms WHERE provider_id = ?)`, providerID, providerID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return nil
		}
		ids := map[string]int64{}
		for _, f := range defaultFeatures {
			created, err := s.CreateFeature(ctx, providerID, f)
			if err != nil {
				return err
			}
			ids[f.Code] = created.ID
		}
		for _, p := range defaultPackages {
			req := p.req
			for _, c := range p.codes {
				req.FeatureIDs = append(req.FeatureIDs, ids[c])
			}
			if _, err := s.CreatePackage(ctx, providerID, req); err != nil {
				return err
			}
		}
		for _, t := range defaultTerms {
			if _, err := s.CreateTerm(ctx, providerID, t); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("catalog: seed defaults: %w", err)
	}
	return nil
}
