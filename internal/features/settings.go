package features

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// settings is one feature's settings. validate checks and normalises them
// with c (field errors name the JSON path under the feature).
type settings interface {
	validate(c *checker)
}

// AudioRef refers to a stored audio item (a greeting, an announcement); nil
// means the system's own prompt.
type AudioRef struct {
	AudioID int64 `json:"audio_id"`
}

// ForwardRule is one condition of Call Forwarding: on or off, and where to.
// The destination is kept while the rule is off, so switching it on again
// needs no retyping.
type ForwardRule struct {
	Enabled     bool   `json:"enabled"`
	Destination string `json:"destination"`
}

// NoAnswerRule is Call Forwarding No Answer: after Rings rings.
type NoAnswerRule struct {
	Enabled     bool   `json:"enabled"`
	Destination string `json:"destination"`
	Rings       int    `json:"rings"`
}

// CallForwarding is the employee's Call Forwarding.
type CallForwarding struct {
	Always       ForwardRule  `json:"always"`
	Busy         ForwardRule  `json:"busy"`
	NoAnswer     NoAnswerRule `json:"no_answer"`
	NotReachable ForwardRule  `json:"not_reachable"`
}

const (
	minRings, maxRings, defaultRings = 1, 20, 4
)

func newCallForwarding() *CallForwarding {
	return &CallForwarding{NoAnswer: NoAnswerRule{Rings: defaultRings}}
}

func (f *CallForwarding) validate(c *checker) {
	rule := func(field string, on bool, dest *string) {
		*dest = c.destination(field+".destination", *dest)
		if on && *dest == "" {
			c.v.Add(field+".destination", "enter where to forward calls before switching this on")
		}
	}
	rule("always", f.Always.Enabled, &f.Always.Destination)
	rule("busy", f.Busy.Enabled, &f.Busy.Destination)
	rule("no_answer", f.NoAnswer.Enabled, &f.NoAnswer.Destination)
	rule("not_reachable", f.NotReachable.Enabled, &f.NotReachable.Destination)
	c.intRange("no_answer.rings", f.NoAnswer.Rings, minRings, maxRings, "rings")
}

// CallWaiting is the employee's Call Waiting.
type CallWaiting struct {
	Enabled bool `json:"enabled"`
}

func (*CallWaiting) validate(*checker) {}

// RingNumber is one phone Simultaneous Ring rings.
type RingNumber struct {
	Destination string `json:"destination"`
	// AnswerConfirmation asks the answerer to press a key, so a mobile's
	// voicemail does not take the call.
	AnswerConfirmation bool `json:"answer_confirmation"`
}

// SimultaneousRing is the employee's Simultaneous Ring.
type SimultaneousRing struct {
	Enabled bool         `json:"enabled"`
	Numbers []RingNumber `json:"numbers"`
	// Schedule names a time schedule of the employee's site; "" rings at
	// every hour.
	Schedule string `json:"schedule"`
	// SkipWhenOnCall does not ring the other phones while the employee is
	// on a call.
	SkipWhenOnCall bool `json:"skip_when_on_call"`
}

const maxRingNumbers = 10

func (f *SimultaneousRing) validate(c *checker) {
	if f.Numbers == nil {
		f.Numbers = []RingNumber{}
	}
	if len(f.Numbers) > maxRingNumbers {
		c.v.Add("numbers", "simultaneous ring rings at most %d numbers", maxRingNumbers)
	}
	seen := map[string]bool{}
	for i := range f.Numbers {
		field := fmt.Sprintf("numbers[%d].destination", i)
		d := c.destination(field, f.Numbers[i].Destination)
		if d == "" && f.Numbers[i].Destination == "" {
			c.v.Add(field, "enter a number or remove the line")
		}
		if d != "" && seen[d] {
			c.v.Add(field, "%s is listed twice", d)
		}
		seen[d] = true
		f.Numbers[i].Destination = d
	}
	if f.Enabled && len(f.Numbers) == 0 {
		c.v.Add("numbers", "add a number to ring before switching simultaneous ring on")
	}
	f.Schedule = c.timeSchedule("schedule", f.Schedule)
}

// MailOption is an e-mail option of Voicemail: on or off, to an address.
type MailOption struct {
	Enabled bool   `json:"enabled"`
	Address string `json:"address"`
}

// Greetings are the mailbox's greetings; nil plays the system greeting.
type Greetings struct {
	Busy     *AudioRef `json:"busy"`
	NoAnswer *AudioRef `json:"no_answer"`
}

// Voicemail is the employee's Voicemail.
type Voicemail struct {
	Enabled bool `json:"enabled"`
	// Busy and NoAnswer send those calls to the mailbox (when Call
	// Forwarding does not take them first).
	Busy     bool `json:"busy"`
	NoAnswer bool `json:"no_answer"`
	// Rings before an unanswered call goes to the mailbox.
	Rings int `json:"rings"`
	// Notify e-mails a notice of each new message; Copy e-mails the
	// message itself as an audio file.
	Notify    MailOption `json:"notify"`
	Copy      MailOption `json:"copy"`
	Greetings Greetings  `json:"greetings"`
}

func newVoicemail() *Voicemail {
	return &Voicemail{Enabled: true, Busy: true, NoAnswer: true, Rings: defaultRings}
}

func (f *Voicemail) validate(c *checker) {
	c.intRange("rings", f.Rings, minRings, maxRings, "rings")
	c.email("notify", &f.Notify)
	c.email("copy", &f.Copy)
	c.audio("greetings.busy", f.Greetings.Busy)
	c.audio("greetings.no_answer", f.Greetings.NoAnswer)
}

// BusyLampField lists the colleagues whose lines the employee's phone
// shows, in key order (the first monitored user on the first BLF key).
type BusyLampField struct {
	Monitored []int64 `json:"monitored"`
}

const maxMonitored = 100

func (f *BusyLampField) validate(c *checker) {
	if f.Monitored == nil {
		f.Monitored = []int64{}
	}
	if len(f.Monitored) > maxMonitored {
		c.v.Add("monitored", "at most %d users can be monitored", maxMonitored)
		return
	}
	seen := map[int64]bool{}
	for i, id := range f.Monitored {
		field := fmt.Sprintf("monitored[%d]", i)
		switch {
		case seen[id]:
			c.v.Add(field, "employee %d is listed twice", id)
		case c.owner.Kind == OwnerEmployee && id == c.owner.ID:
			c.v.Add(field, "your own line is not monitored on a BLF key: list colleagues")
		default:
			c.employee(field, id)
		}
		seen[id] = true
	}
}

// RemoteOffice is the employee's Remote Office: calls ring, and calls made
// from the portal's click-to-dial start, at another phone.
type RemoteOffice struct {
	Enabled     bool   `json:"enabled"`
	Destination string `json:"destination"`
}

func (f *RemoteOffice) validate(c *checker) {
	f.Destination = c.destination("destination", f.Destination)
	if f.Enabled && f.Destination == "" {
		c.v.Add("destination", "enter the phone to use before switching remote office on")
	}
}

// Hunt group policies (the established class-5 ones).
const (
	PolicyCircular     = "circular"     // from the member after the last one called
	PolicyRegular      = "regular"      // always from the first member
	PolicySimultaneous = "simultaneous" // every member at once
	PolicyUniform      = "uniform"      // the member idle longest first
	PolicyWeighted     = "weighted"     // members at random, by weight
)

// HuntMember is one member of a hunt group, in hunting order.
type HuntMember struct {
	EmployeeID int64 `json:"employee_id"`
	// Weight is the member's share of calls under the weighted policy.
	Weight int `json:"weight"`
}

// NoAnswerHandling is what a hunt group does with a call nobody answers.
type NoAnswerHandling struct {
	// RingsPerMember before hunting on to the next member (not used by
	// simultaneous).
	RingsPerMember int `json:"rings_per_member"`
	// Forward after Seconds to Destination when Enabled; otherwise the call
	// rings on until the caller hangs up.
	Enabled     bool   `json:"enabled"`
	Seconds     int    `json:"seconds"`
	Destination string `json:"destination"`
}

// CallGroupIdentity is what every call group of a site has: its id (given
// when it is created), name, and its own number from the site's pool
// (optional) and extension.
type CallGroupIdentity struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	Number    string `json:"number"`
	Extension string `json:"extension"`
}

// HuntGroup is one hunt group of a site.
type HuntGroup struct {
	CallGroupIdentity
	Policy   string           `json:"policy"`
	Members  []HuntMember     `json:"members"`
	NoAnswer NoAnswerHandling `json:"no_answer"`
}

// HuntGroups are a site's hunt groups.
type HuntGroups struct {
	Groups []HuntGroup `json:"groups"`
}

const maxCallGroups, maxMembers = 50, 100

func (f *HuntGroups) validate(c *checker) {
	if f.Groups == nil {
		f.Groups = []HuntGroup{}
	}
	if len(f.Groups) > maxCallGroups {
		c.v.Add("groups", "a site has at most %d hunt groups", maxCallGroups)
		return
	}
	var ids []CallGroupIdentity
	for i := range f.Groups {
		g := &f.Groups[i]
		p := fmt.Sprintf("groups[%d]", i)
		c.identity(p, &g.CallGroupIdentity)
		ids = append(ids, g.CallGroupIdentity)
		c.policy(p, &g.Policy, PolicyRegular)
		if g.Members == nil {
			g.Members = []HuntMember{}
		}
		c.weightedPeople(p+".members", "a hunt group", "member", maxMembers, len(g.Members), func(j int) (int64, *int) {
			return g.Members[j].EmployeeID, &g.Members[j].Weight
		})
		n := &g.NoAnswer
		if n.RingsPerMember == 0 {
			n.RingsPerMember = 3
		}
		c.intRange(p+".no_answer.rings_per_member", n.RingsPerMember, minRings, maxRings, "rings")
		if n.Seconds == 0 {
			n.Seconds = 60
		}
		c.intRange(p+".no_answer.seconds", n.Seconds, 10, 7200, "seconds")
		n.Destination = c.destination(p+".no_answer.destination", n.Destination)
		if n.Enabled && n.Destination == "" {
			c.v.Add(p+".no_answer.destination", "enter where unanswered calls go before switching this on")
		}
	}
	c.distinct("groups", ids)
}

// Menu key actions.
const (
	ActionTransfer        = "transfer"          // to Destination
	ActionTransferToVM    = "voicemail"         // to the mailbox of EmployeeID
	ActionDialByExtension = "dial_by_extension" // the caller dials an extension
	ActionRepeat          = "repeat_menu"
	ActionExit            = "exit" // hang up
)

// KeyAction is what pressing a key does.
type KeyAction struct {
	Action      string `json:"action"`
	Destination string `json:"destination,omitempty"`
	EmployeeID  int64  `json:"employee_id,omitempty"`
}

// Menu is one of an auto attendant's menus.
type Menu struct {
	Greeting *AudioRef `json:"greeting"`
	// Keys maps "0"–"9", "*" and "#" to their action; keys not listed do
	// nothing (the menu is repeated).
	Keys map[string]KeyAction `json:"keys"`
}

// AutoAttendant is one auto attendant of a site.
type AutoAttendant struct {
	CallGroupIdentity
	// BusinessHours names a time schedule of the site: inside it the
	// business-hours menu plays, outside it the after-hours menu; "" is
	// always business hours.
	BusinessHours string `json:"business_hours"`
	// Holidays names a holiday schedule: on those days the holiday menu
	// plays; "" has no holidays.
	Holidays          string `json:"holidays"`
	BusinessHoursMenu Menu   `json:"business_hours_menu"`
	AfterHoursMenu    Menu   `json:"after_hours_menu"`
	HolidayMenu       Menu   `json:"holiday_menu"`
}

// AutoAttendants are a site's auto attendants.
type AutoAttendants struct {
	Attendants []AutoAttendant `json:"attendants"`
}

func (f *AutoAttendants) validate(c *checker) {
	if f.Attendants == nil {
		f.Attendants = []AutoAttendant{}
	}
	if len(f.Attendants) > maxCallGroups {
		c.v.Add("attendants", "a site has at most %d auto attendants", maxCallGroups)
		return
	}
	var ids []CallGroupIdentity
	for i := range f.Attendants {
		a := &f.Attendants[i]
		p := fmt.Sprintf("attendants[%d]", i)
		c.identity(p, &a.CallGroupIdentity)
		ids = append(ids, a.CallGroupIdentity)
		a.BusinessHours = c.timeSchedule(p+".business_hours", a.BusinessHours)
		a.Holidays = c.holidaySchedule(p+".holidays", a.Holidays)
		c.menu(p+".business_hours_menu", &a.BusinessHoursMenu)
		c.menu(p+".after_hours_menu", &a.AfterHoursMenu)
		c.menu(p+".holiday_menu", &a.HolidayMenu)
	}
	c.distinct("attendants", ids)
}

var menuKey = regexp.MustCompile(`^[0-9*#]$`)

func (c *checker) menu(p string, m *Menu) {
	c.audio(p+".greeting", m.Greeting)
	if m.Keys == nil {
		m.Keys = map[string]KeyAction{}
	}
	for key, k := range m.Keys {
		f := p + ".keys." + key
		if !menuKey.MatchString(key) {
			c.v.Add(p+".keys", "%q is not a key: use 0–9, * or #", key)
			continue
		}
		switch k.Action {
		case ActionTransfer:
			k.EmployeeID = 0
			k.Destination = c.destination(f+".destination", k.Destination)
			if k.Destination == "" {
				c.v.Add(f+".destination", "enter where the key transfers the caller")
			}
		case ActionTransferToVM:
			k.Destination = ""
			if k.EmployeeID == 0 {
				c.v.Add(f+".employee_id", "choose whose mailbox the key leads to")
			} else {
				c.employee(f+".employee_id", k.EmployeeID)
			}
		case ActionDialByExtension, ActionRepeat, ActionExit:
			k.Destination, k.EmployeeID = "", 0
		default:
			c.v.Add(f+".action", "the action is transfer, voicemail, dial_by_extension, repeat_menu or exit")
		}
		m.Keys[key] = k
	}
}

// Period is a weekly opening: on Days from Start to End ("09:00"–"17:30").
type Period struct {
	Days  []string `json:"days"`
	Start string   `json:"start"`
	End   string   `json:"end"`
}

// TimeSchedule is a named set of weekly periods.
type TimeSchedule struct {
	Name    string   `json:"name"`
	Periods []Period `json:"periods"`
}

// TimeSchedules are a site's time schedules.
type TimeSchedules struct {
	Schedules []TimeSchedule `json:"schedules"`
}

var weekdays = map[string]int{"mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7}

func (f *TimeSchedules) validate(c *checker) {
	if f.Schedules == nil {
		f.Schedules = []TimeSchedule{}
	}
	names := map[string]bool{}
	for i := range f.Schedules {
		s := &f.Schedules[i]
		p := fmt.Sprintf("schedules[%d]", i)
		s.Name = c.name(p+".name", s.Name, names)
		if len(s.Periods) == 0 {
			c.v.Add(p+".periods", "add at least one period (days and hours)")
		}
		for j := range s.Periods {
			pd := &s.Periods[j]
			pf := fmt.Sprintf("%s.periods[%d]", p, j)
			if len(pd.Days) == 0 {
				c.v.Add(pf+".days", "choose the days")
			}
			seen := map[string]bool{}
			for k, d := range pd.Days {
				d = strings.ToLower(strings.TrimSpace(d))
				pd.Days[k] = d
				if _, ok := weekdays[d]; !ok {
					c.v.Add(pf+".days", "%q is not a day: use mon, tue, wed, thu, fri, sat, sun", d)
				} else if seen[d] {
					c.v.Add(pf+".days", "%s is listed twice", d)
				}
				seen[d] = true
			}
			start, okS := clock(pd.Start)
			end, okE := clock(pd.End)
			if !okS {
				c.v.Add(pf+".start", "write the time as HH:MM (09:00)")
			}
			if !okE {
				c.v.Add(pf+".end", "write the time as HH:MM (17:30), 24:00 for midnight")
			}
			if okS && okE && start >= end {
				c.v.Add(pf+".end", "the period ends (%s) before it starts (%s); split a period across midnight in two", pd.End, pd.Start)
			}
		}
	}
}

// clock reads "HH:MM" (00:00–24:00) as minutes.
func clock(s string) (int, bool) {
	var h, m int
	if len(s) != 5 || s[2] != ':' {
		return 0, false
	}
	if _, err := fmt.Sscanf(s, "%02d:%02d", &h, &m); err != nil || h > 24 || m > 59 || (h == 24 && m != 0) {
		return 0, false
	}
	return h*60 + m, true
}

// Holiday is a closed day or a run of them (Start to End inclusive).
type Holiday struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

// HolidaySchedule is a named list of holidays.
type HolidaySchedule struct {
	Name     string    `json:"name"`
	Holidays []Holiday `json:"holidays"`
}

// HolidaySchedules are a site's holiday schedules.
type HolidaySchedules struct {
	Schedules []HolidaySchedule `json:"schedules"`
}

func (f *HolidaySchedules) validate(c *checker) {
	if f.Schedules == nil {
		f.Schedules = []HolidaySchedule{}
	}
	names := map[string]bool{}
	for i := range f.Schedules {
		s := &f.Schedules[i]
		p := fmt.Sprintf("schedules[%d]", i)
		s.Name = c.name(p+".name", s.Name, names)
		if s.Holidays == nil {
			s.Holidays = []Holiday{}
		}
		for j := range s.Holidays {
			h := &s.Holidays[j]
			hf := fmt.Sprintf("%s.holidays[%d]", p, j)
			h.Name = strings.TrimSpace(h.Name)
			if utf8.RuneCountInString(h.Name) > 60 {
				c.v.Add(hf+".name", "the name must be at most 60 characters")
			}
			if h.End == "" {
				h.End = h.Start
			}
			start, errS := time.Parse(time.DateOnly, h.Start)
			end, errE := time.Parse(time.DateOnly, h.End)
			if errS != nil {
				c.v.Add(hf+".start", "write the date as YYYY-MM-DD (2026-12-25)")
			}
			if errE != nil {
				c.v.Add(hf+".end", "write the date as YYYY-MM-DD (2026-12-26)")
			}
			if errS == nil && errE == nil && end.Before(start) {
				c.v.Add(hf+".end", "the holiday ends before it starts")
			}
		}
	}
}

// email checks an e-mail option: an address is needed to switch it on.
func (c *checker) email(field string, m *MailOption) {
	m.Address = c.emailAddress(field+".address", m.Address)
	if m.Address == "" && m.Enabled {
		c.v.Add(field+".address", "enter the e-mail address before switching this on")
	}
}

// emailAddress checks an e-mail address (empty is no address) and returns
// it trimmed.
func (c *checker) emailAddress(field, s string) string {
	s = strings.TrimSpace(s)
	if s != "" {
		a, err := mail.ParseAddress(s)
		if err != nil || a.Name != "" || a.Address != s {
			c.v.Add(field, "%q is not an e-mail address (name@example.com)", s)
		}
	}
	return s
}
