package features

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// The settings of the employee features of Mobility (Call Director), Call
// Control (Pre-Alerting), Contacts (Personal Contacts, Phone Services,
// Speed Dials) and Messaging (Fax Messaging); docs/features.md has each
// one's defaults and the reasons for its rules.

// When Pre-Alerting plays.
const (
	PreAlertAll      = "all"      // every incoming call
	PreAlertExternal = "external" // calls from outside the company only
	PreAlertSchedule = "schedule" // every call during Schedule
)

// PreAlerting plays an announcement to the caller before the call is
// offered to the employee's phones.
type PreAlerting struct {
	Enabled bool `json:"enabled"`
	// Audio is one of the employee's recordings; nil plays the system's
	// announcement.
	Audio *AudioRef `json:"audio"`
	When  string    `json:"when"`
	// Schedule names a time schedule of the employee's site; it is used
	// when When is "schedule" (and kept otherwise, like a switched-off
	// forwarding destination).
	Schedule string `json:"schedule"`
}

func newPreAlerting() *PreAlerting { return &PreAlerting{When: PreAlertAll} }

func (f *PreAlerting) validate(c *checker) {
	c.audio("audio", f.Audio)
	switch f.When {
	case PreAlertAll, PreAlertExternal, PreAlertSchedule:
	case "":
		f.When = PreAlertAll
	default:
		c.v.Add("when", "when is all, external or schedule")
	}
	f.Schedule = c.timeSchedule("schedule", f.Schedule)
	if f.When == PreAlertSchedule && f.Schedule == "" {
		c.v.Add("schedule", "choose the time schedule during which the announcement plays")
	}
}

// Call Director alert policies.
const (
	AlertSimultaneous = "simultaneous" // the desk phone and the numbers ring together
	AlertMobileOnly   = "mobile_only"  // only the numbers ring
)

// DirectorNumber is one phone that acts as the employee's business line.
type DirectorNumber struct {
	Number string `json:"number"`
	// Label says which phone it is ("Mobile", "Home"); optional.
	Label string `json:"label"`
}

// CallDirector is the employee's Call Director: one business number, many
// devices. Calls to the employee also ring Numbers; calls made from one of
// Numbers through the platform present the business number.
type CallDirector struct {
	Enabled bool             `json:"enabled"`
	Numbers []DirectorNumber `json:"numbers"`
	Alert   string           `json:"alert"`
	// AnswerConfirmation asks whoever answers on one of Numbers to press a
	// key, so a mobile's own voicemail never takes a business call.
	AnswerConfirmation bool `json:"answer_confirmation"`
	// BusinessCLI presents the employee's business number, not the
	// mobile's, on calls made from one of Numbers.
	BusinessCLI bool `json:"business_cli"`
}

const maxDirectorNumbers = 5

func newCallDirector() *CallDirector {
	return &CallDirector{Numbers: []DirectorNumber{}, Alert: AlertSimultaneous, AnswerConfirmation: true, BusinessCLI: true}
}

func (f *CallDirector) validate(c *checker) {
	if f.Numbers == nil {
		f.Numbers = []DirectorNumber{}
	}
	if len(f.Numbers) > maxDirectorNumbers {
		c.v.Add("numbers", "call director has at most %d numbers", maxDirectorNumbers)
		return
	}
	switch f.Alert {
	case AlertSimultaneous, AlertMobileOnly:
	case "":
		f.Alert = AlertSimultaneous
	default:
		c.v.Add("alert", "the alert policy is simultaneous or mobile_only")
	}
	seen := map[string]bool{}
	for i := range f.Numbers {
		n := &f.Numbers[i]
		p := fmt.Sprintf("numbers[%d]", i)
		n.Label = strings.TrimSpace(n.Label)
		if utf8.RuneCountInString(n.Label) > 40 {
			c.v.Add(p+".label", "the label must be at most 40 characters")
		}
		field := p + ".number"
		if strings.TrimSpace(n.Number) == "" {
			c.v.Add(field, "enter a number or remove the line")
			continue
		}
		errs := len(c.v.Fields)
		d := c.destination(field, n.Number)
		if len(c.v.Fields) > errs {
			continue
		}
		if !strings.HasPrefix(d, "+") {
			c.v.Add(field, "%s is an extension of the company: call director numbers are phones outside it (a mobile, a home phone)", d)
			continue
		}
		n.Number = d
		if seen[d] {
			c.v.Add(field, "%s is listed twice", d)
			continue
		}
		seen[d] = true
		c.directorNumberFree(field, d)
	}
	if f.Enabled && len(f.Numbers) == 0 {
		c.v.Add("numbers", "add a number before switching call director on")
	}
}

// directorNumberFree refuses a number the company holds (a business number
// is not an outside device) or that is already another employee's call
// director number in the company: a call from it through the platform must
// belong to one employee. Only the owner's company is looked at, so another
// company's numbers and people are never named.
func (c *checker) directorNumberFree(field, e164 string) {
	n, err := c.s.numbering.Lookup(c.ctx, c.w.providerID, e164)
	switch {
	case err == nil && n.CompanyID == c.w.companyID:
		c.v.Add(field, "%s is a number of the company, not a phone outside it: enter a mobile or another outside phone", e164)
		return
	case err != nil && !derrors.IsNotFound(err):
		c.fault(err)
		return
	}
	var first, last, username string
	err = c.s.db.Q(c.ctx).QueryRow(c.ctx, `SELECT a.first_name, a.last_name, a.username FROM call_director_numbers d
		JOIN accounts a ON a.id = d.account_id WHERE d.company_id = ? AND d.e164 = ? AND d.account_id <> ?`,
		c.w.companyID, e164, c.owner.ID).Scan(&first, &last, &username)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		c.fault(err)
	default:
		name := strings.TrimSpace(first + " " + last)
		if name == "" {
			name = username
		}
		c.v.Add(field, "%s is already a call director number of %s: a phone acts for one employee only", e164, name)
	}
}

// syncDirectorNumbers holds the numbers of a Call Director being saved in
// call_director_numbers, in the transaction that saves the settings: the
// unique index there settles a race the check above cannot see (two
// employees saving one number at once), and the later save is refused.
func (s *Service) syncDirectorNumbers(ctx context.Context, w owner, next settings) error {
	cd, ok := next.(*CallDirector)
	if !ok || w.Kind != OwnerEmployee {
		return nil
	}
	q := s.db.Q(ctx)
	if _, err := q.Exec(ctx, "DELETE FROM call_director_numbers WHERE account_id = ?", w.ID); err != nil {
		return err
	}
	for i, n := range cd.Numbers {
		res, err := q.Exec(ctx, "INSERT INTO call_director_numbers (company_id, account_id, e164) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
			w.companyID, w.ID, n.Number)
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return derrors.Conflict(fmt.Sprintf("numbers[%d].number", i), "%s has just become another employee's call director number: a phone acts for one employee only", n.Number)
		}
	}
	return nil
}

// PersonalContacts is where the employee's own contacts (self-care
// Contacts, docs/contacts.md) appear; the contacts themselves are kept
// there, not in the settings.
type PersonalContacts struct {
	// ShowOnPhones puts them in the directory of the employee's desk
	// phones (the provisioning server writes it).
	ShowOnPhones bool `json:"show_on_phones"`
	// ShowInApps sends them to the employee's mobile and desktop apps.
	ShowInApps bool `json:"show_in_apps"`
}

func (*PersonalContacts) validate(*checker) {}

// PhoneService is one web service the phone's Services menu offers.
type PhoneService struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// PhoneServices are the services of the employee's desk phones, in menu
// order.
type PhoneServices struct {
	Services []PhoneService `json:"services"`
}

const maxPhoneServices, maxServiceURL = 10, 1024

func (f *PhoneServices) validate(c *checker) {
	c.phoneServices(&f.Services, "a phone offers at most %d services", maxPhoneServices, false)
}

// phoneServices checks a list of phone services (an employee's, a site's):
// at most max (tooMany says so), each named once and at an address
// serviceURLProblem accepts; refuseTwice also refuses an address listed
// twice (a site's menu would show it twice).
func (c *checker) phoneServices(list *[]PhoneService, tooMany string, max int, refuseTwice bool) {
	if *list == nil {
		*list = []PhoneService{}
	}
	if len(*list) > max {
		c.v.Add("services", tooMany, max)
		return
	}
	names := map[string]bool{}
	urls := map[string]bool{}
	for i := range *list {
		s := &(*list)[i]
		p := fmt.Sprintf("services[%d]", i)
		s.Name = c.name(p+".name", s.Name, names)
		s.URL = strings.TrimSpace(s.URL)
		if msg := serviceURLProblem(s.URL); msg != "" {
			c.v.Add(p+".url", "%s", msg)
		} else if refuseTwice && urls[s.URL] {
			c.v.Add(p+".url", "%s is listed twice", s.URL)
		}
		urls[s.URL] = true
	}
}

// serviceURLProblem says what is wrong with a phone service's address (""
// when nothing): the phone fetches it on its own, so it must be HTTPS (a
// phone on a hotel network must not send its requests in clear), name a
// host, and carry no password (the settings are audited and copied whole).
func serviceURLProblem(s string) string {
	switch {
	case s == "":
		return "enter the service's address (https://…)"
	case len(s) > maxServiceURL:
		return fmt.Sprintf("the address must be at most %d characters", maxServiceURL)
	case strings.IndexFunc(s, unicode.IsSpace) >= 0:
		return "the address has a space in it"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil:
		return fmt.Sprintf("%q is not a web address (https://services.example.com/menu.xml)", s)
	case !strings.EqualFold(u.Scheme, "https"):
		return "the address must start with https://: phones fetch services over an encrypted connection only"
	case u.Hostname() == "":
		return "the address names no host (https://services.example.com/menu.xml)"
	case u.User != nil:
		return "the address must not carry a user name or password: the settings are visible to administrators"
	}
	return ""
}

// SpeedDial is one speed dial code: dialling Code (after the phone's speed
// dial prefix) calls Destination.
type SpeedDial struct {
	Code        string `json:"code"`
	Name        string `json:"name"`
	Destination string `json:"destination"`
}

// SpeedDials are the employee's Speed Dial 8 (codes 2–9) and Speed Dial 100
// (codes 00–99) entries, each list in code order.
type SpeedDials struct {
	SpeedDial8   []SpeedDial `json:"speed_dial_8"`
	SpeedDial100 []SpeedDial `json:"speed_dial_100"`
}

func (f *SpeedDials) validate(c *checker) {
	if f.SpeedDial8 == nil {
		f.SpeedDial8 = []SpeedDial{}
	}
	if f.SpeedDial100 == nil {
		f.SpeedDial100 = []SpeedDial{}
	}
	before := len(c.v.Fields)
	c.speedDials("speed_dial_8", f.SpeedDial8, 8, func(code string) bool {
		return len(code) == 1 && code[0] >= '2' && code[0] <= '9'
	}, "a speed dial 8 code is one digit from 2 to 9")
	c.speedDials("speed_dial_100", f.SpeedDial100, 100, func(code string) bool {
		return len(code) == 2 && code[0] >= '0' && code[0] <= '9' && code[1] >= '0' && code[1] <= '9'
	}, "a speed dial 100 code is two digits from 00 to 99")
	if len(c.v.Fields) == before {
		// Stored in code order, so the engine, the phone and a diff read
		// them the same way however they were typed.
		for _, l := range [][]SpeedDial{f.SpeedDial8, f.SpeedDial100} {
			sort.SliceStable(l, func(i, j int) bool { return l[i].Code < l[j].Code })
		}
	}
}

func (c *checker) speedDials(list string, entries []SpeedDial, max int, valid func(string) bool, rule string) {
	if len(entries) > max {
		c.v.Add(list, "at most %d entries", max)
		return
	}
	seen := map[string]int{}
	for i := range entries {
		e := &entries[i]
		p := fmt.Sprintf("%s[%d]", list, i)
		e.Code = strings.TrimSpace(e.Code)
		switch {
		case e.Code == "":
			c.v.Add(p+".code", "enter the code")
		case !valid(e.Code):
			c.v.Add(p+".code", "%s, not %q", rule, e.Code)
		default:
			if j, ok := seen[e.Code]; ok {
				c.v.Add(p+".code", "code %s is used twice (also by %s[%d])", e.Code, list, j)
			}
			seen[e.Code] = i
		}
		e.Name = strings.TrimSpace(e.Name)
		if utf8.RuneCountInString(e.Name) > 40 {
			c.v.Add(p+".name", "the name must be at most 40 characters")
		}
		if strings.TrimSpace(e.Destination) == "" {
			c.v.Add(p+".destination", "enter the number the code calls")
			continue
		}
		e.Destination = c.destination(p+".destination", e.Destination)
	}
}

// Fax file formats.
const (
	FaxPDF  = "pdf"
	FaxTIFF = "tiff"
)

// FaxMessaging receives faxes sent to Number or Extension (the employee's
// own) and e-mails each one to DeliverTo as a Format file.
type FaxMessaging struct {
	Enabled   bool     `json:"enabled"`
	Number    string   `json:"number"`
	Extension string   `json:"extension"`
	DeliverTo []string `json:"deliver_to"`
	Format    string   `json:"format"`
}

const maxFaxAddresses = 5

func newFaxMessaging() *FaxMessaging { return &FaxMessaging{DeliverTo: []string{}, Format: FaxPDF} }

func (f *FaxMessaging) validate(c *checker) {
	switch f.Format {
	case FaxPDF, FaxTIFF:
	case "":
		f.Format = FaxPDF
	default:
		c.v.Add("format", "the format is pdf or tiff")
	}
	f.Number = strings.TrimSpace(f.Number)
	if f.Number != "" {
		e := numbering.E164Of(f.Number, c.w.region)
		switch {
		case e == "":
			c.v.Add("number", "%q is not a telephone number (+44… or 0…)", f.Number)
		case !c.ownNumber(e):
			c.v.Add("number", "%s is not one of this employee's numbers: a fax number is one of theirs (assign it to them first)", e)
		default:
			f.Number = e
		}
	}
	f.Extension = strings.TrimSpace(f.Extension)
	if f.Extension != "" {
		h, err := c.s.numbering.ExtensionHolder(c.ctx, c.w.companyID, f.Extension)
		switch {
		case err != nil && !derrors.IsNotFound(err):
			c.fault(err)
		case err != nil || h.Owner.Kind != numbering.OwnerUser || h.Owner.ID != c.owner.ID:
			c.v.Add("extension", "%s is not this employee's extension: a fax extension is one of theirs", f.Extension)
		}
	}
	if f.Enabled && f.Number == "" && f.Extension == "" {
		c.v.Add("number", "choose the number faxes are sent to before switching fax messaging on")
	}
	if f.DeliverTo == nil {
		f.DeliverTo = []string{}
	}
	if len(f.DeliverTo) > maxFaxAddresses {
		c.v.Add("deliver_to", "faxes go to at most %d addresses", maxFaxAddresses)
		return
	}
	seen := map[string]bool{}
	for i := range f.DeliverTo {
		field := fmt.Sprintf("deliver_to[%d]", i)
		address := c.emailAddress(field, f.DeliverTo[i])
		f.DeliverTo[i] = address
		switch {
		case address == "":
			c.v.Add(field, "enter an e-mail address or remove the line")
		case seen[strings.ToLower(address)]:
			c.v.Add(field, "%s is listed twice", address)
		}
		seen[strings.ToLower(address)] = true
	}
	if f.Enabled && len(f.DeliverTo) == 0 {
		c.v.Add("deliver_to", "enter the e-mail address faxes are delivered to before switching fax messaging on")
	}
}

// Choices are what the Configure forms of an employee's features offer to
// pick from: the time schedules of their site (Pre-Alerting, Simultaneous
// Ring) and the numbers and extensions they hold (Fax Messaging).
type Choices struct {
	Schedules  []string `json:"schedules"`
	Numbers    []string `json:"numbers"`
	Extensions []string `json:"extensions"`
}

// EmployeeChoices lists an employee's Choices for whoever may configure
// their features (the employee too: their site's schedule names and their
// own numbers are theirs to see).
func (s *Service) EmployeeChoices(ctx context.Context, actor access.Actor, o Owner) (ch Choices, err error) {
	defer derrors.Wrap(&err, "features: choices of %s %d", o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ConfigureFeatures, o.target()); err != nil {
		return ch, err
	}
	if o.Kind != OwnerEmployee {
		return ch, derrors.ErrNotFound
	}
	w, err := s.load(ctx, o)
	if err != nil {
		return ch, err
	}
	ch = Choices{Schedules: []string{}, Numbers: []string{}, Extensions: []string{}}
	c := &checker{ctx: ctx, s: s, w: w, owner: o}
	names, _ := c.scheduleNames(CodeTimeSchedules)
	if c.err != nil {
		return ch, c.err
	}
	for _, n := range names {
		ch.Schedules = append(ch.Schedules, n)
	}
	sort.Strings(ch.Schedules)
	held := numbering.Owner{Kind: numbering.OwnerUser, ID: o.ID}
	ns, err := s.numbering.OwnerNumbers(ctx, w.companyID, held)
	if err != nil {
		return ch, err
	}
	for _, n := range ns {
		ch.Numbers = append(ch.Numbers, n.E164)
	}
	es, err := s.numbering.OwnerExtensions(ctx, w.companyID, held)
	if err != nil {
		return ch, err
	}
	for _, e := range es {
		ch.Extensions = append(ch.Extensions, e.Extension)
	}
	return ch, nil
}
