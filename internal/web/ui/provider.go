package ui

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// providerSide is the provider operator's side bar; reseller operators,
// who see only their customers, have none.
func providerSide(v *view, current string) {
	if !v.Provider {
		return
	}
	v.SideLabel = "Service provider"
	// One list on every control-panel page, so the side bar never
	// changes under the operator's cursor.
	v.Side = []sideSection{{Title: "Service provider", Links: []navLink{
		{Label: "Customers", URL: "/customers", Current: current == "customers"},
		{Label: "Summary", URL: "/billing/summaries", Current: current == "summaries"},
		{Label: "Invoices", URL: "/billing/invoices", Current: current == "invoices"},
		{Label: "Rates", URL: "/billing/rates", Current: current == "rates"},
		{Label: "Catalog", URL: "/catalog", Current: current == "catalog"},
		{Label: "Number Range Parameters", URL: "/settings/number-ranges", Current: current == "number-ranges"},
		{Label: "Refused Extensions", URL: "/settings/refused-extensions", Current: current == "refused-extensions"},
		{Label: "Resellers", URL: "/resellers", Current: current == "resellers"},
		{Label: "Security Settings", URL: "/settings/security", Current: current == "security"},
		{Label: "Outbox", URL: "/mail/outbox", Current: current == "outbox"},
	}}}
}

type statusOpt struct {
	Value    string
	Label    string
	Selected bool
}

type outboxPage struct {
	Status   string
	Statuses []statusOpt
	Messages []mail.OutboxMessage
	HasRelay bool
	Total    int
	Page     int
	Pages    int
	First    int
	Last     int
	PrevURL  string
	NextURL  string
}

const outboxPerPage = 25

// outbox lists the e-mail outbox; opening a message shows its text body, so
// a trial deployment without a relay can follow a reset link.
func (p *Pages) outbox(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	status := q.Get("status")
	page, _ := strconv.Atoi(q.Get("page"))
	pg := store.Page{Page: max(page, 1), PerPage: outboxPerPage}.Normalize()
	ms, total, err := p.app.Mail.ProviderOutbox(r.Context(), actorOf(r), mail.OutboxFilter{Status: status}, pg)
	if err != nil {
		return err
	}
	v, err := p.newView(r, 0, "customers", "Outbox")
	if err != nil {
		return err
	}
	providerSide(v, "outbox")
	op := outboxPage{Status: status, Messages: ms, HasRelay: p.app.Mail.HasRelay(), Total: total, Page: pg.Page,
		Pages: max(1, (total+pg.PerPage-1)/pg.PerPage)}
	for _, s := range []statusOpt{{"", "All", false}, {mail.StatusQueued, "Queued", false}, {mail.StatusSent, "Sent", false}, {mail.StatusFailed, "Failed", false}} {
		s.Selected = s.Value == status
		op.Statuses = append(op.Statuses, s)
	}
	if len(ms) > 0 {
		op.First, op.Last = pg.Offset()+1, pg.Offset()+len(ms)
	}
	link := func(n int) string {
		u := url.Values{}
		if status != "" {
			u.Set("status", status)
		}
		u.Set("page", strconv.Itoa(n))
		return "/mail/outbox?" + u.Encode()
	}
	if op.Page > 1 {
		op.PrevURL = link(op.Page - 1)
	}
	if op.Page < op.Pages {
		op.NextURL = link(op.Page + 1)
	}
	v.Data = op
	p.render(w, r, http.StatusOK, "outbox", v)
	return nil
}

// textSeg is a piece of a plain-text body: text, or a link.
type textSeg struct {
	Text string
	URL  string
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"]+|/[a-z-]+\?token=[A-Za-z0-9_-]+`)

// linkify splits a text body so its web addresses (and the relative
// token links written when no portal URL is set) become links
// (html/template still escapes every piece and vets each href).
func linkify(s string) []textSeg {
	var out []textSeg
	last := 0
	for _, m := range linkRE.FindAllStringIndex(s, -1) {
		if m[0] > last {
			out = append(out, textSeg{Text: s[last:m[0]]})
		}
		u := strings.TrimRight(s[m[0]:m[1]], ".,;:)")
		out = append(out, textSeg{Text: u, URL: u})
		last = m[0] + len(u)
	}
	if last < len(s) {
		out = append(out, textSeg{Text: s[last:]})
	}
	return out
}

type policyOpt struct {
	Value string
	Label string
	Rules []string
}

// selectField is a labelled select drawn with its errors.
type selectField struct {
	Name    string
	ID      string
	Label   string
	Errs    []string
	Options []statusOpt
}

type securitySettingsPage struct {
	Form     *form
	Policies []policyOpt
	Selects  []selectField
	// Operators are the provider's operator accounts with their locks
	// (employee_security.go: operatorRows).
	Operators []operatorRow
}

var settingsFields = []string{"admin_password_policy", "employee_password_policy", "lockout_threshold", "lockout_window_minutes",
	"lockout_duration_minutes", "reset_token_ttl_minutes", "company_admin_self_reset", "portal_url"}

func settingsForm(sv identity.SettingsView) *form {
	vals := url.Values{
		"admin_password_policy": {sv.AdminPasswordPolicy}, "employee_password_policy": {sv.EmployeePasswordPolicy},
		"lockout_threshold": {strconv.Itoa(sv.LockoutThreshold)}, "lockout_window_minutes": {strconv.Itoa(sv.LockoutWindowMinutes)},
		"lockout_duration_minutes": {strconv.Itoa(sv.LockoutDurationMinutes)}, "reset_token_ttl_minutes": {strconv.Itoa(sv.ResetTokenTTLMinutes)},
		"portal_url": {sv.PortalURL},
	}
	if sv.CompanyAdminSelfReset {
		vals.Set("company_admin_self_reset", "1")
	}
	return newForm(vals)
}

// securitySettings is the provider's account-security settings.
func (p *Pages) securitySettings(w http.ResponseWriter, r *http.Request) error {
	st, err := p.app.Identity.SecuritySettings(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	return p.renderSecuritySettings(w, r, http.StatusOK, settingsForm(st.View()))
}

func (p *Pages) renderSecuritySettings(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	v, err := p.newView(r, 0, "customers", "Security Settings")
	if err != nil {
		return err
	}
	providerSide(v, "security")
	pg := securitySettingsPage{Form: f, Policies: []policyOpt{
		{Value: identity.PolicyNameBusinessPortal, Label: "Business Portal", Rules: policyRules(identity.PolicyBusinessPortal)},
		{Value: identity.PolicyNameSelfCare, Label: "Self-care", Rules: policyRules(identity.PolicySelfCare)},
	}}
	for _, s := range []struct{ name, label string }{
		{"admin_password_policy", "Administrators (operators, company and group admins)"},
		{"employee_password_policy", "Employees"},
	} {
		sf := selectField{Name: s.name, ID: fieldID(s.name), Label: s.label, Errs: f.E(s.name)}
		for _, po := range pg.Policies {
			sf.Options = append(sf.Options, statusOpt{Value: po.Value, Label: po.Label, Selected: f.Has(s.name, po.Value)})
		}
		pg.Selects = append(pg.Selects, sf)
	}
	if pg.Operators, err = p.operatorRows(r); err != nil {
		return err
	}
	v.Data = pg
	p.render(w, r, status, "security_settings", v)
	return nil
}

// securitySettingsSave mirrors the API's updateSecuritySettings; the form
// always sends every setting.
func (p *Pages) securitySettingsSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	str := func(name string) *string { s := strings.TrimSpace(f.V(name)); return &s }
	num := func(name string) *int {
		n, err := strconv.Atoi(strings.TrimSpace(f.V(name)))
		if err != nil {
			f.add(name, "Enter a whole number.")
			return nil
		}
		return &n
	}
	selfReset := f.V("company_admin_self_reset") != ""
	u := identity.SettingsUpdate{
		AdminPasswordPolicy: str("admin_password_policy"), EmployeePasswordPolicy: str("employee_password_policy"),
		LockoutThreshold: num("lockout_threshold"), LockoutWindowMinutes: num("lockout_window_minutes"),
		LockoutDurationMinutes: num("lockout_duration_minutes"), ResetTokenTTLMinutes: num("reset_token_ttl_minutes"),
		CompanyAdminSelfReset: &selfReset, PortalURL: str("portal_url"),
	}
	if f.Invalid() {
		// Only those who may change the settings learn what was wrong.
		if _, err := p.app.Identity.SecuritySettings(r.Context(), actorOf(r)); err != nil {
			return err
		}
		return p.renderSecuritySettings(w, r, http.StatusUnprocessableEntity, f)
	}
	if _, err := p.app.Identity.UpdateSettings(r.Context(), actorOf(r), u); err != nil {
		if f.addErr(err, settingsFields...) {
			return p.renderSecuritySettings(w, r, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	redirectFlash(w, r, "/settings/security", "settings-saved")
	return nil
}

// policyRules are a preset's rules with its expiry, which Rules leaves out.
func policyRules(p identity.Policy) []string {
	r := p.Rules()
	if days := int(p.MaxAge.Hours() / 24); days > 0 {
		r = append(r, "Be changed every "+strconv.Itoa(days)+" days: an older password must be changed at the next login.")
	} else {
		r = append(r, "Never expires.")
	}
	return r
}
