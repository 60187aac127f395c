package features

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// The site features of the Contacts, Management and Portals & Bridges
// categories (docs/features.md has each one's settings, defaults and
// reasons).

// Categories of the site Features tab these features are listed under.
const (
	CategorySiteContacts = "Contacts"
	CategoryManagement   = "Management"
	CategoryPortals      = "Portals & Bridges"
)

// Codes of the site features below (catalog feature codes).
const (
	CodeCompanyContacts     = "company_contacts"
	CodeGroupContacts       = "group_contacts"
	CodeSitePhoneServices   = "site_phone_services"
	CodeCallCapacity        = "call_capacity"
	CodeCallingPlans        = "calling_plans"
	CodeGroupCallingLineID  = "group_calling_line_id"
	CodeCallDirectorPortal  = "call_director_portal"
	CodeMyRoom              = "my_room"
	CodeVoicePortal         = "voice_portal"
	defaultVoicePortalName  = "Voice Portal"
	defaultCallDirectorName = "Call Director Portal"
	defaultMyRoomName       = "My Room"
)

func init() {
	definitions = append(definitions,
		Definition{Code: CodeCompanyContacts, Name: "Company Contacts", Category: CategorySiteContacts, Scope: OwnerSite,
			Help:     "Shared contacts of the whole company (suppliers, partners) in the directory of the site's phones.",
			defaults: func() settings { return &SharedContacts{Contacts: []SharedContact{}, ShowOnPhones: true} }},
		Definition{Code: CodeGroupContacts, Name: "Group Contacts", Category: CategorySiteContacts, Scope: OwnerSite,
			Help:     "The site's own shared contacts (the local taxi, the building's security) in its phones' directory.",
			defaults: func() settings { return &SharedContacts{Contacts: []SharedContact{}, ShowOnPhones: true} }},
		Definition{Code: CodeSitePhoneServices, Name: "Phone Services", Category: CategorySiteContacts, Scope: OwnerSite,
			Help:     "XML services (a web page for the phone's screen) offered on every phone of the site.",
			defaults: func() settings { return &SitePhoneServices{Services: []PhoneService{}} }},
		Definition{Code: CodeCallCapacity, Name: "Call Capacity", Category: CategoryManagement, Scope: OwnerSite,
			Help:     "The most calls the site may have at once, in and out, within the company's channel limit.",
			defaults: func() settings { return &CallCapacity{} }},
		Definition{Code: CodeCallingPlans, Name: "Calling Plans", Category: CategoryManagement, Scope: OwnerSite,
			Help:     "Which calls the site's phones may make (national, mobile, international, premium …) and receive.",
			defaults: func() settings { return newCallingPlans() }},
		Definition{Code: CodeGroupCallingLineID, Name: "Group Calling Line ID", Category: CategoryManagement, Scope: OwnerSite,
			Help:     "The site's number and name shown to the people its employees call.",
			defaults: func() settings { return &GroupCallingLineID{} }},
		Definition{Code: CodeCallDirectorPortal, Name: "Call Director Portal", Category: CategoryPortals, Scope: OwnerSite, Numbered: true,
			Help:     "A number employees call from any phone to make business calls with their own caller ID.",
			defaults: func() settings { return newCallDirectorPortal() }},
		Definition{Code: CodeMyRoom, Name: "My Room", Category: CategoryPortals, Scope: OwnerSite, Numbered: true,
			Help:     "The site's audio conferencing bridge: callers meet in a room by dialling its number and PIN.",
			defaults: func() settings { return newMyRoom() }},
		Definition{Code: CodeVoicePortal, Name: "Voice Portal", Category: CategoryPortals, Scope: OwnerSite, Numbered: true,
			Help:     "A number to reach voicemail and change settings by phone; the night key dials it.",
			defaults: func() settings { return newVoicePortal() }},
	)
}

// numbered is settings holding call groups with numbers of their own:
// field names where each one's errors go.
type numbered interface {
	callGroups() (ids []*CallGroupIdentity, field func(i int) string)
}

// Limits of the shared contact directories. A desk phone's remote
// directory pages through a few hundred entries at most; a longer list
// belongs in a real directory service.
const (
	maxSharedContacts    = 500
	maxContactNumbers    = 4
	maxContactNameLength = 64
	maxLabelLength       = 20
	maxEmailLength       = 254 // the longest address SMTP carries
)

// ContactNumber is one number of a shared contact with its label (Office,
// Mobile …).
type ContactNumber struct {
	Label  string `json:"label"`
	Number string `json:"number"`
}

// SharedContact is one entry of a Company or Group Contacts directory.
type SharedContact struct {
	Name    string          `json:"name"`
	Numbers []ContactNumber `json:"numbers"`
	Email   string          `json:"email"`
}

// SharedContacts is the directory of Company Contacts or Group Contacts.
type SharedContacts struct {
	// ShowOnPhones lists the directory in the phones' directory (the
	// phones of the site read it beside the employee's personal contacts).
	ShowOnPhones bool            `json:"show_on_phones"`
	Contacts     []SharedContact `json:"contacts"`
}

func (f *SharedContacts) validate(c *checker) {
	if f.Contacts == nil {
		f.Contacts = []SharedContact{}
	}
	if len(f.Contacts) > maxSharedContacts {
		c.v.Add("contacts", "a directory holds at most %d contacts; it has %d", maxSharedContacts, len(f.Contacts))
		return
	}
	names := map[string]int{}
	for i := range f.Contacts {
		ct := &f.Contacts[i]
		p := fmt.Sprintf("contacts[%d]", i)
		ct.Name = strings.TrimSpace(ct.Name)
		switch n := utf8.RuneCountInString(ct.Name); {
		case n == 0:
			c.v.Add(p+".name", "enter the contact's name")
		case n > maxContactNameLength:
			c.v.Add(p+".name", "the name must be at most %d characters (it has %d)", maxContactNameLength, n)
		default:
			if j, ok := names[strings.ToLower(ct.Name)]; ok {
				c.v.Add(p+".name", "%q is already contacts[%d]: names must differ so the phone's list tells them apart", ct.Name, j)
			} else {
				names[strings.ToLower(ct.Name)] = i
			}
		}
		if ct.Numbers == nil {
			ct.Numbers = []ContactNumber{}
		}
		if len(ct.Numbers) == 0 {
			c.v.Add(p+".numbers", "add at least one number")
		}
		if len(ct.Numbers) > maxContactNumbers {
			c.v.Add(p+".numbers", "a contact has at most %d numbers", maxContactNumbers)
			continue
		}
		for j := range ct.Numbers {
			n := &ct.Numbers[j]
			nf := fmt.Sprintf("%s.numbers[%d]", p, j)
			n.Label = strings.TrimSpace(n.Label)
			if utf8.RuneCountInString(n.Label) > maxLabelLength {
				c.v.Add(nf+".label", "the label must be at most %d characters", maxLabelLength)
			}
			if strings.TrimSpace(n.Number) == "" {
				c.v.Add(nf+".number", "enter the number or remove the line")
				continue
			}
			n.Number = c.destination(nf+".number", n.Number)
		}
		if ct.Email = strings.TrimSpace(ct.Email); len(ct.Email) > maxEmailLength {
			c.v.Add(p+".email", "%q is not an e-mail address (name@example.com)", ct.Email)
		} else {
			ct.Email = c.emailAddress(p+".email", ct.Email)
		}
	}
}

// SitePhoneServices are the XML services every phone of the site offers
// (each a PhoneService, checked by the same address rule as an
// employee's); a site offers more than one employee, and an address listed
// twice is refused because the phone's menu would show it twice.
type SitePhoneServices struct {
	Services []PhoneService `json:"services"`
}

const maxSitePhoneServices = 20

func (f *SitePhoneServices) validate(c *checker) {
	c.phoneServices(&f.Services, "a site offers at most %d phone services", maxSitePhoneServices, true)
}

// Call capacity bounds. The upper bound is a sanity limit far above any
// site a hosted PBX serves; the company's channel limit usually binds
// first.
const maxCallCapacity = 10000

// CallCapacity is the most simultaneous calls of a site. 0 is "no limit
// of the site's own": the company's channel limit (if any) still applies.
type CallCapacity struct {
	MaxCalls int `json:"max_calls"`
	// MaxInbound and MaxOutbound split MaxCalls: 0 lets either direction
	// take all of it.
	MaxInbound  int `json:"max_inbound"`
	MaxOutbound int `json:"max_outbound"`
}

func (f *CallCapacity) validate(c *checker) {
	var limit int
	if err := c.s.db.Q(c.ctx).QueryRow(c.ctx, "SELECT channel_limit FROM companies WHERE id = ?", c.w.companyID).Scan(&limit); err != nil {
		c.fault(err)
		return
	}
	bound, why := maxCallCapacity, ""
	if limit > 0 && limit < bound {
		bound, why = limit, fmt.Sprintf(": the company's channel limit is %d", limit)
	}
	for _, x := range []struct {
		field string
		v     int
	}{{"max_calls", f.MaxCalls}, {"max_inbound", f.MaxInbound}, {"max_outbound", f.MaxOutbound}} {
		switch {
		case x.v < 0:
			c.v.Add(x.field, "cannot be negative: 0 means no limit of the site's own")
		case x.v > bound:
			c.v.Add(x.field, "must be at most %d calls%s", bound, why)
		}
	}
	if f.MaxCalls > 0 {
		if f.MaxInbound > f.MaxCalls {
			c.v.Add("max_inbound", "%d inbound calls exceed the site's %d calls in all", f.MaxInbound, f.MaxCalls)
		}
		if f.MaxOutbound > f.MaxCalls {
			c.v.Add("max_outbound", "%d outbound calls exceed the site's %d calls in all", f.MaxOutbound, f.MaxCalls)
		}
	}
}

// Calling plan call classes, in the order a form lists them.
const (
	ClassInternal         = "internal"
	ClassNational         = "national" // local and national fixed lines, toll-free
	ClassMobile           = "mobile"
	ClassInternational    = "international"
	ClassPremiumRate      = "premium_rate"
	ClassOperatorAssisted = "operator_assisted"
)

// CallClasses lists the outgoing call classes of a calling plan.
var CallClasses = []string{ClassInternal, ClassNational, ClassMobile, ClassInternational, ClassPremiumRate, ClassOperatorAssisted}

// What a calling plan does with a call class.
const (
	PlanAllow    = "allow"
	PlanBlock    = "block"
	PlanAuthCode = "authorisation_code" // allowed after a valid authorisation code
)

// Incoming call rules.
const (
	IncomingAllow         = "allow"
	IncomingBlock         = "block"
	IncomingTransfersOnly = "transfers_only" // external calls only when a colleague transfers or forwards them
)

// AuthorisationCode is a code that lets a caller make a call its class
// requires one for. Codes are shown to administrators and kept out of the
// audit trail.
type AuthorisationCode struct {
	Code        string `json:"code"`
	Description string `json:"description"`
}

// IncomingPlan restricts calls arriving at the site's employees.
type IncomingPlan struct {
	// External is calls from outside the company: allow, block or
	// transfers_only.
	External string `json:"external"`
	// CollectCalls accepts reverse-charge calls (the site pays).
	CollectCalls bool `json:"collect_calls"`
}

// CallingPlans is the site's calling plan. Emergency calls are never
// restricted (no setting can block them).
type CallingPlans struct {
	// Outgoing maps each call class to allow, block or authorisation_code.
	Outgoing           map[string]string   `json:"outgoing"`
	AuthorisationCodes []AuthorisationCode `json:"authorisation_codes"`
	Incoming           IncomingPlan        `json:"incoming"`
}

func newCallingPlans() *CallingPlans {
	return &CallingPlans{
		Outgoing: map[string]string{ClassInternal: PlanAllow, ClassNational: PlanAllow, ClassMobile: PlanAllow,
			ClassInternational: PlanAllow, ClassPremiumRate: PlanBlock, ClassOperatorAssisted: PlanBlock},
		AuthorisationCodes: []AuthorisationCode{},
		Incoming:           IncomingPlan{External: IncomingAllow},
	}
}

const maxAuthCodes, minAuthCode, maxAuthCode = 100, 4, 14

func (f *CallingPlans) validate(c *checker) {
	defaults := newCallingPlans()
	if f.Outgoing == nil {
		f.Outgoing = map[string]string{}
	}
	known := map[string]bool{}
	for _, class := range CallClasses {
		known[class] = true
	}
	needCode := false
	for class, rule := range f.Outgoing {
		field := "outgoing." + class
		if !known[class] {
			c.v.Add("outgoing", "%q is not a call class: use %s", class, strings.Join(CallClasses, ", "))
			continue
		}
		switch rule {
		case PlanAllow, PlanBlock:
		case PlanAuthCode:
			if class == ClassInternal {
				c.v.Add(field, "calls between colleagues are allowed or blocked, never behind an authorisation code")
			}
			needCode = true
		default:
			c.v.Add(field, "the rule is allow, block or authorisation_code")
		}
	}
	for _, class := range CallClasses {
		if _, ok := f.Outgoing[class]; !ok {
			f.Outgoing[class] = defaults.Outgoing[class]
		}
	}
	if f.AuthorisationCodes == nil {
		f.AuthorisationCodes = []AuthorisationCode{}
	}
	if len(f.AuthorisationCodes) > maxAuthCodes {
		c.v.Add("authorisation_codes", "a site has at most %d authorisation codes", maxAuthCodes)
	} else {
		seen := map[string]bool{}
		for i := range f.AuthorisationCodes {
			a := &f.AuthorisationCodes[i]
			p := fmt.Sprintf("authorisation_codes[%d]", i)
			a.Code = strings.TrimSpace(a.Code)
			a.Description = strings.TrimSpace(a.Description)
			switch {
			case len(a.Code) < minAuthCode || len(a.Code) > maxAuthCode || strings.Trim(a.Code, "0123456789") != "":
				c.v.Add(p+".code", "an authorisation code is %d to %d digits", minAuthCode, maxAuthCode)
			case seen[a.Code]:
				c.v.Add(p+".code", "this code is listed twice")
			}
			seen[a.Code] = true
			if utf8.RuneCountInString(a.Description) > 60 {
				c.v.Add(p+".description", "the description must be at most 60 characters")
			}
		}
	}
	if needCode && len(f.AuthorisationCodes) == 0 {
		c.v.Add("authorisation_codes", "add an authorisation code: a call class requires one, so nobody could make those calls")
	}
	switch f.Incoming.External {
	case IncomingAllow, IncomingBlock, IncomingTransfersOnly:
	case "":
		f.Incoming.External = IncomingAllow
	default:
		c.v.Add("incoming.external", "the rule is allow, block or transfers_only")
	}
}

// GroupCallingLineID is the number and name the site's calls present.
type GroupCallingLineID struct {
	// Number is one of the site's numbers (any of its pool: it is only
	// presented, not taken).
	Number string `json:"number"`
	// Name is presented where the network carries names.
	Name string `json:"name"`
	// UseForExternalCalls presents Number and Name on calls leaving the
	// company instead of the employee's own number.
	UseForExternalCalls bool `json:"use_for_external_calls"`
}

const maxCLIName = 30

func (f *GroupCallingLineID) validate(c *checker) {
	f.Name = strings.TrimSpace(f.Name)
	if n := utf8.RuneCountInString(f.Name); n > maxCLIName {
		c.v.Add("name", "the name must be at most %d characters: networks cut longer names (it has %d)", maxCLIName, n)
	}
	if strings.TrimSpace(f.Number) == "" {
		f.Number = ""
		if f.UseForExternalCalls {
			c.v.Add("number", "choose the site's number before using it for external calls")
		}
		return
	}
	num, err := numbering.ParseNumber("number", f.Number, c.w.region)
	if err != nil {
		c.v.Fields = append(c.v.Fields, fieldErrors(err)...)
		return
	}
	f.Number = numbering.E164(num)
	n, err := c.s.numbering.Lookup(c.ctx, c.w.providerID, f.Number)
	switch {
	case derrors.IsNotFound(err) || (err == nil && (n.CompanyID != c.w.companyID || n.SiteID != c.w.ID)):
		c.v.Add("number", "%s is not a number of this site: the site presents only its own numbers", f.Number)
	case err != nil:
		c.fault(err)
	}
}

// PinPolicy is how callers prove who they are to a portal or a bridge.
type PinPolicy struct {
	Required bool `json:"required"`
	// MinLength is the shortest PIN accepted (digits).
	MinLength int `json:"min_length"`
	// MaxAttempts wrong PINs end the call.
	MaxAttempts int `json:"max_attempts"`
}

func (c *checker) pin(p string, pp *PinPolicy) {
	if pp.MinLength == 0 {
		pp.MinLength = 6
	}
	if pp.MaxAttempts == 0 {
		pp.MaxAttempts = 3
	}
	c.intRange(p+".min_length", pp.MinLength, 4, 10, "digits")
	c.intRange(p+".max_attempts", pp.MaxAttempts, 1, 10, "attempts")
}

// access checks a portal's or bridge's number and extension: nil until it
// has an extension; switched on, it needs one.
func (c *checker) access(enabled bool, a **CallGroupIdentity, name string) {
	if *a != nil && strings.TrimSpace((*a).Extension) == "" && strings.TrimSpace((*a).Number) == "" && (*a).ID == 0 {
		*a = nil
	}
	if *a == nil {
		if enabled {
			c.v.Add("access.extension", "give it an extension (and a number of the site's pool if callers from outside dial it) before switching it on")
		}
		return
	}
	if strings.TrimSpace((*a).Name) == "" {
		(*a).Name = name
	}
	c.identity("access", *a)
}

func accessGroups(a *CallGroupIdentity) ([]*CallGroupIdentity, func(int) string) {
	if a == nil {
		return nil, func(int) string { return "access" }
	}
	return []*CallGroupIdentity{a}, func(int) string { return "access" }
}

// CallDirectorPortal is the site's Call Director Portal: an employee calls
// it from any phone, proves who they are, and dials out as their business
// line.
type CallDirectorPortal struct {
	Enabled bool               `json:"enabled"`
	Access  *CallGroupIdentity `json:"access"`
	PIN     PinPolicy          `json:"pin"`
	// RecogniseRegisteredPhones lets an employee calling from a phone they
	// listed (Call Director, Remote Office) in without a PIN.
	RecogniseRegisteredPhones bool `json:"recognise_registered_phones"`
}

func newCallDirectorPortal() *CallDirectorPortal {
	return &CallDirectorPortal{PIN: PinPolicy{Required: true, MinLength: 6, MaxAttempts: 3}, RecogniseRegisteredPhones: true}
}

func (f *CallDirectorPortal) validate(c *checker) {
	c.access(f.Enabled, &f.Access, defaultCallDirectorName)
	c.pin("pin", &f.PIN)
	if !f.PIN.Required && !f.RecogniseRegisteredPhones && f.Enabled {
		c.v.Add("pin.required", "with no PIN and no registered phones the portal could not tell who calls: require a PIN")
	}
}

func (f *CallDirectorPortal) callGroups() ([]*CallGroupIdentity, func(int) string) {
	return accessGroups(f.Access)
}

// MyRoom is the site's audio conferencing bridge.
type MyRoom struct {
	Enabled bool               `json:"enabled"`
	Access  *CallGroupIdentity `json:"access"`
	// ParticipantLimit is the most callers in one room, the moderator
	// included.
	ParticipantLimit int `json:"participant_limit"`
	// PinLength is the length of the room's participant and moderator PINs.
	PinLength int `json:"pin_length"`
	// EntryTone and ExitTone play when someone joins or leaves.
	EntryTone bool `json:"entry_tone"`
	ExitTone  bool `json:"exit_tone"`
	// ModeratorRequired keeps participants on hold until the moderator
	// joins, and ends the conference when the moderator leaves.
	ModeratorRequired bool `json:"moderator_required"`
}

const maxParticipants = 100

func newMyRoom() *MyRoom {
	return &MyRoom{ParticipantLimit: 15, PinLength: 6, EntryTone: true, ExitTone: true}
}

func (f *MyRoom) validate(c *checker) {
	c.access(f.Enabled, &f.Access, defaultMyRoomName)
	c.intRange("participant_limit", f.ParticipantLimit, 3, maxParticipants, "participants")
	c.intRange("pin_length", f.PinLength, 4, 10, "digits")
}

func (f *MyRoom) callGroups() ([]*CallGroupIdentity, func(int) string) { return accessGroups(f.Access) }

// VoicePortal is the site's Voice Portal: voicemail and features by phone.
type VoicePortal struct {
	Enabled bool               `json:"enabled"`
	Access  *CallGroupIdentity `json:"access"`
	// PINRequired asks for the employee's voice portal PIN; AutoLogin
	// skips it when the employee calls from their own phone. Without a
	// PIN only calls from the employee's own phone get in (auto-login).
	PINRequired bool `json:"pin_required"`
	AutoLogin   bool `json:"auto_login"`
}

func newVoicePortal() *VoicePortal { return &VoicePortal{PINRequired: true} }

func (f *VoicePortal) validate(c *checker) {
	c.access(f.Enabled, &f.Access, defaultVoicePortalName)
	if !f.PINRequired {
		// Without a PIN only the employee's own phone gets in (its caller
		// ID names the mailbox), which is auto-login.
		f.AutoLogin = true
	}
}

func (f *VoicePortal) callGroups() ([]*CallGroupIdentity, func(int) string) {
	return accessGroups(f.Access)
}

// maskedSetting reports whether a setting's path holds a secret the audit
// trail must not keep (an authorisation code).
func maskedSetting(path string) bool {
	return strings.HasPrefix(path, CodeCallingPlans+".authorisation_codes[") && strings.HasSuffix(path, ".code")
}

// Copyable reports whether Bulk Feature Management can copy code's settings
// between owners of kind (call groups, portals and bridges hold numbers of
// their own site and are not copied), so the wizard offers only those.
func Copyable(kind OwnerKind, code string) bool { return copyable(kind, code) == nil }
