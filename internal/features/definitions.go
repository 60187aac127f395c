package features

// Definition is a feature this package knows the settings of
// (docs/features.md has each one's settings, defaults and reasons).
type Definition struct {
	// Code is the catalog feature's code the settings belong to.
	Code     string
	Name     string
	Category string
	Help     string
	Scope    OwnerKind
	// Facility marks a site setting every site has, sold or not (schedules):
	// it has no catalog feature and no assignment.
	Facility bool
	// Numbered marks a feature holding a number and extension of its own
	// site (portals, bridges): it is not copied between sites.
	Numbered bool
	// defaults returns a new settings value holding the defaults.
	defaults func() settings
}

// The categories of the Features tabs (Business Portal guide).
const (
	CategoryCallGroups = "Call Groups"
	CategorySchedules  = "Schedules"
	CategoryMobility   = "Mobility"
	CategoryCallCtl    = "Call Control"
	CategoryMessaging  = "Messaging"
	CategoryBLF        = "Busy Lamp Field"
	CategoryMusic      = "Music on Hold"
	CategoryContacts   = "Contacts"
)

// Codes of the features with settings.
const (
	CodeCallForwarding   = "call_forwarding"
	CodeCallWaiting      = "call_waiting"
	CodeSimultaneousRing = "simultaneous_ring"
	CodeVoicemail        = "voicemail"
	CodeBusyLampField    = "busy_lamp_field"
	CodeRemoteOffice     = "remote_office"
	CodeHuntGroups       = "hunt_groups"
	CodeAutoAttendant    = "auto_attendant"
	CodeTimeSchedules    = "time_schedules"
	CodeHolidaySchedules = "holiday_schedules"
	CodeDoNotDisturb     = "do_not_disturb"
	CodeCallRecording    = "call_recording"
	CodeMusicOnHold      = "music_on_hold"
	CodeCallCentre       = "call_centre"
	// Employee features of docs/features.md "Employee features of
	// Mobility, Call Control, Contacts and Messaging".
	CodePreAlerting      = "pre_alerting"
	CodeCallDirector     = "call_director"
	CodePersonalContacts = "personal_contacts"
	CodePhoneServices    = "phone_services"
	CodeSpeedDials       = "speed_dials"
	CodeFaxMessaging     = "fax_messaging"
)

var definitions = []Definition{
	{Code: CodeCallForwarding, Name: "Call Forwarding", Category: CategoryCallCtl, Scope: OwnerEmployee,
		Help:     "Send calls elsewhere always, when busy, when not answered, or when the phone cannot be reached.",
		defaults: func() settings { return newCallForwarding() }},
	{Code: CodeCallWaiting, Name: "Call Waiting", Category: CategoryCallCtl, Scope: OwnerEmployee,
		Help:     "Hear a tone when a second call arrives during a call.",
		defaults: func() settings { return &CallWaiting{Enabled: true} }},
	{Code: CodeSimultaneousRing, Name: "Simultaneous Ring", Category: CategoryCallCtl, Scope: OwnerEmployee,
		Help:     "Ring other phones (a mobile, a home phone) at the same time as your own.",
		defaults: func() settings { return &SimultaneousRing{Numbers: []RingNumber{}, SkipWhenOnCall: true} }},
	{Code: CodeVoicemail, Name: "Voicemail", Category: CategoryMessaging, Scope: OwnerEmployee,
		Help:     "A personal mailbox for calls you do not answer, with e-mail notification.",
		defaults: func() settings { return newVoicemail() }},
	{Code: CodeBusyLampField, Name: "Busy Lamp Field", Category: CategoryBLF, Scope: OwnerEmployee,
		Help:     "Colleagues whose lines your phone's BLF keys show, in key order.",
		defaults: func() settings { return &BusyLampField{Monitored: []int64{}} }},
	{Code: CodeRemoteOffice, Name: "Remote Office", Category: CategoryMobility, Scope: OwnerEmployee,
		Help:     "Use any phone (home, hotel, mobile) as your business line.",
		defaults: func() settings { return &RemoteOffice{} }},
	{Code: CodeHuntGroups, Name: "Hunt Groups", Category: CategoryCallGroups, Scope: OwnerSite,
		Help:     "A number that rings a group of employees in turn or all at once.",
		defaults: func() settings { return &HuntGroups{Groups: []HuntGroup{}} }},
	{Code: CodeAutoAttendant, Name: "Auto Attendant", Category: CategoryCallGroups, Scope: OwnerSite,
		Help:     "Answer a number with a menu: press 1 for sales …, different in and out of business hours.",
		defaults: func() settings { return &AutoAttendants{Attendants: []AutoAttendant{}} }},
	{Code: CodeDoNotDisturb, Name: "Do Not Disturb", Category: CategoryCallCtl, Scope: OwnerEmployee,
		Help:     "Turn every call away (to voicemail, or busy) until switched off.",
		defaults: func() settings { return &DoNotDisturb{} }},
	{Code: CodeCallRecording, Name: "Call Recording", Category: CategoryCallCtl, Scope: OwnerEmployee,
		Help:     "Record calls always or on demand, with an announcement.",
		defaults: func() settings { return &CallRecording{Mode: RecordOnDemand, Announce: true} }},
	{Code: CodeCallCentre, Name: "Call Centre", Category: CategoryCallGroups, Scope: OwnerSite,
		Help:     "Queue callers with announcements until an agent is free.",
		defaults: func() settings { return &CallCentre{Queues: []CallCentreQueue{}} }},
	{Code: CodeMusicOnHold, Name: "Music on Hold", Category: CategoryMusic, Scope: OwnerSite,
		Help:     "What callers hear on hold: the system's music or the site's own.",
		defaults: func() settings { return &MusicOnHold{Enabled: true} }},
	{Code: CodeTimeSchedules, Name: "Time Schedules", Category: CategorySchedules, Scope: OwnerSite, Facility: true,
		Help:     "Named weekly hours (business hours) that auto attendants and simultaneous ring follow.",
		defaults: func() settings { return &TimeSchedules{Schedules: []TimeSchedule{}} }},
	{Code: CodeHolidaySchedules, Name: "Holiday Schedules", Category: CategorySchedules, Scope: OwnerSite, Facility: true,
		Help:     "Named lists of closed days that auto attendants answer with their holiday menu.",
		defaults: func() settings { return &HolidaySchedules{Schedules: []HolidaySchedule{}} }},
	{Code: CodePreAlerting, Name: "Pre-Alerting", Category: CategoryCallCtl, Scope: OwnerEmployee,
		Help:     "Play an announcement to callers before your phone rings.",
		defaults: func() settings { return newPreAlerting() }},
	{Code: CodeCallDirector, Name: "Call Director", Category: CategoryMobility, Scope: OwnerEmployee,
		Help:     "One number, many devices: your mobile and other phones ring and call as your business line.",
		defaults: func() settings { return newCallDirector() }},
	{Code: CodePersonalContacts, Name: "Personal Contacts", Category: CategoryContacts, Scope: OwnerEmployee,
		Help:     "Your own contacts, shown in your phone's directory and the apps.",
		defaults: func() settings { return &PersonalContacts{ShowOnPhones: true, ShowInApps: true} }},
	{Code: CodePhoneServices, Name: "Phone Services", Category: CategoryContacts, Scope: OwnerEmployee,
		Help:     "Web (XML) services your desk phone offers in its Services menu.",
		defaults: func() settings { return &PhoneServices{Services: []PhoneService{}} }},
	{Code: CodeSpeedDials, Name: "Speed Dials", Category: CategoryContacts, Scope: OwnerEmployee,
		Help:     "Short codes for numbers you call often: 2–9 (Speed Dial 8) and 00–99 (Speed Dial 100).",
		defaults: func() settings { return &SpeedDials{SpeedDial8: []SpeedDial{}, SpeedDial100: []SpeedDial{}} }},
	{Code: CodeFaxMessaging, Name: "Fax Messaging", Category: CategoryMessaging, Scope: OwnerEmployee,
		Help:     "Receive faxes on a number of yours and get them by e-mail as PDF or TIFF.",
		defaults: func() settings { return newFaxMessaging() }},
}

// Definitions lists the features with settings, sites' first.
func Definitions() []Definition { return append([]Definition(nil), definitions...) }

// definitionFor finds the definition of code for an owner kind.
func definitionFor(code string, kind OwnerKind) (Definition, bool) {
	for _, d := range definitions {
		if d.Code == code && d.Scope == kind {
			return d, true
		}
	}
	return Definition{}, false
}
