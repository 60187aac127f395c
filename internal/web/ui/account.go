package ui

import (
	"net/http"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// The account area (docs/pages.md, "The account area"): one set of pages
// for every role, under /account, reached from the name in the top bar.
//
//	GET/POST /account                 Profile (the overview)
//	GET/POST /account/password        Password
//	GET/POST /account/security-email  Security e-mail
//	GET/POST /account/pins            Application password and PIN (company accounts)
//	GET      /contacts …              Contacts (contacts.go), with the same side bar
//
// What each section offers is identity.OwnAccountFor's answer for the
// signed-in user; the pages decide nothing.
func init() {
	pageNames = append(pageNames, "account_profile", "account_pins")
	flashes["profile-saved"] = "Your profile has been saved."
}

// registerAccount adds the account area and the redirects from its old
// addresses.
func (p *Pages) registerAccount(auth func(pattern string, fn handlerFunc)) {
	auth("GET /account", p.accountProfile)
	auth("POST /account", p.accountProfileSave)
	auth("GET /account/password", p.accountPassword)
	auth("POST /account/password", p.accountPasswordSave)
	auth("GET /account/security-email", p.accountSecurityEmail)
	auth("POST /account/security-email", p.accountSecurityEmailSave)
	auth("GET /account/pins", p.accountPins)
	auth("POST /account/pins", p.accountPinsSave)
	// The self-care portal's My Account was /my-account.
	auth("GET /my-account", func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/account", http.StatusMovedPermanently)
		return nil
	})
}

// secret is one of the account's secrets, explained the same way on every
// page that mentions it.
type secret struct {
	Name string
	Says string
	URL  string
}

// accountSecrets explains the account password, the application password
// and the PIN: the one text every page of the account area shows.
func accountSecrets(o identity.OwnAccount) []secret {
	with := "your username"
	if o.HasServicePasswords {
		with = "your username or number"
	}
	out := []secret{{"Account password", "Signs you in to this portal with " + with + ". " +
		"Changing it logs out your other sessions and sends you an e-mail.", "/account/password"}}
	if o.HasServicePasswords {
		out = append(out,
			secret{"Application password", "A separate password the calling apps on your phone and computer sign in with. " +
				"It is not your account password: changing one never changes the other.", "/account/pins"},
			secret{"PIN", "The digits you key in on a phone to reach voicemail and call services; one PIN serves both.", "/account/pins"})
	}
	return out
}

// accountView is the frame of an account page: the role's own top bar
// (with its company's tabs, so nothing is lost) and the account side bar.
func (p *Pages) accountView(r *http.Request, section, title string) (*view, identity.OwnAccount, error) {
	actor := actorOf(r)
	o, err := p.app.Identity.OwnAccountFor(r.Context(), actor)
	if err != nil {
		return nil, o, err
	}
	v, err := p.newView(r, o.Account.CompanyID, "account", title)
	if err != nil {
		return nil, o, err
	}
	if actor.Role == access.RoleEmployee {
		selfCareTabs(v, section)
	}
	accountSide(v, o, section)
	return v, o, nil
}

// accountSide is the account area's side bar: the sections the account
// has, as identity.OwnAccountFor answers.
func accountSide(v *view, o identity.OwnAccount, current string) {
	links := []navLink{
		{Label: "Profile", URL: "/account", Current: current == "account"},
		{Label: "Password", URL: "/account/password", Current: current == "password"},
		{Label: "Security e-mail", URL: "/account/security-email", Current: current == "email"},
	}
	if o.HasServicePasswords {
		links = append(links, navLink{Label: "Application password and PIN", URL: "/account/pins", Current: current == "pins"})
	}
	if o.HasContacts {
		links = append(links, navLink{Label: "Contacts", URL: "/contacts", Current: current == "contacts"})
		// A company account may have a desk phone (My Phone says when not).
		links = append(links, navLink{Label: "My Phone", URL: "/my-phone", Current: current == "phone"})
	}
	if v.User.Role.IsCompanyRole() {
		// Every company account makes calls: their dashboard (docs/pages.md).
		links = append(links, navLink{Label: "My Dashboard", URL: "/my-dashboard"})
	}
	v.SideLabel = "My account"
	v.Side = append([]sideSection{{Title: "My account", Links: links}}, v.Side...)
}

// accountDetail is one line of the Service panel.
type accountDetail struct {
	Label string
	Value string
}

type accountProfilePage struct {
	Own     identity.OwnAccount
	Name    string
	Form    *form
	Address addressFields
	// Service is the number, extension and site of a company account.
	Service  []accountDetail
	Secrets  []secret
	Contacts int
}

// accountProfile is the account area's overview: the profile (editable
// when the domain allows), the service, the secrets and the contacts.
func (p *Pages) accountProfile(w http.ResponseWriter, r *http.Request) error {
	return p.renderAccountProfile(w, r, http.StatusOK, nil)
}

func (p *Pages) renderAccountProfile(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx := r.Context()
	v, o, err := p.accountView(r, "account", "My account")
	if err != nil {
		return err
	}
	acct := o.Account
	pg := accountProfilePage{Own: o, Name: strings.TrimSpace(acct.FirstName + " " + acct.LastName), Secrets: accountSecrets(o)}
	if pg.Name == "" {
		pg.Name = acct.Username
	}
	if f == nil {
		f = newForm(nil)
		f.Values.Set("first_name", acct.FirstName)
		f.Values.Set("last_name", acct.LastName)
	}
	if acct.CompanyID != 0 {
		e, err := p.app.Directory.EmployeeFor(ctx, actorOf(r), access.ViewEmployee, acct.ID)
		if err != nil {
			return err
		}
		if status == http.StatusOK {
			f = employeeForm(e)
		}
		number, ext, site := "", "", ""
		owner := numbering.Owner{Kind: numbering.OwnerUser, ID: acct.ID}
		ns, err := p.app.Numbering.OwnerNumbers(ctx, acct.CompanyID, owner)
		if err != nil {
			return err
		}
		if len(ns) > 0 {
			number, site = ns[0].National, ns[0].SiteName
		}
		es, err := p.app.Numbering.OwnerExtensions(ctx, acct.CompanyID, owner)
		if err != nil {
			return err
		}
		if len(es) > 0 {
			ext = es[0].Extension
		}
		dash := func(s string) string {
			if strings.TrimSpace(s) == "" {
				return "—"
			}
			return s
		}
		pg.Service = []accountDetail{{"Number", dash(number)}, {"Extension", dash(ext)}, {"Site", dash(site)}}
		if o.HasContacts {
			if pg.Contacts, err = p.app.Contacts.Count(ctx, actorOf(r), acct.ID); err != nil {
				return err
			}
		}
	}
	pg.Form = f
	pg.Address = addressFields{Form: f, Own: true, Readonly: !o.CanEditProfile}
	pg.Own.ProfileNote = sentence(o.ProfileNote)
	v.Data = pg
	p.render(w, r, status, "account_profile", v)
	return nil
}

// accountProfileFields are the profile fields a user changes on their own.
var accountProfileFields = append([]string{"first_name", "last_name", "phone"}, addressFieldNames...)

// accountProfileSave is Save of one's own profile: directory.ModifyEmployee
// on oneself, which decides (the security e-mail and the role are not on
// this form: they change elsewhere, or not by oneself).
func (p *Pages) accountProfileSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	actor := actorOf(r)
	f := newForm(r.PostForm)
	str := func(name string) *string { s := f.V(name); return &s }
	addr := addressOf(f)
	req := directory.EmployeeUpdateRequest{FirstName: str("first_name"), LastName: str("last_name"), Phone: str("phone"), Address: &addr}
	if _, err := p.app.Directory.ModifyEmployee(r.Context(), actor, actor.AccountID, req); err != nil {
		if f.addErr(err, accountProfileFields...) {
			return p.renderAccountProfile(w, r, http.StatusUnprocessableEntity, f)
		}
		return err
	}
	redirectFlash(w, r, "/account", "profile-saved")
	return nil
}

type passwordPage struct {
	Form     *form
	Rules    []string
	Required bool
	Secrets  []secret
}

// accountPassword is Change Password for the logged-in user. The server
// sends every page here while the password must change (after a reset or a
// generated welcome password), so it works without a company frame.
func (p *Pages) accountPassword(w http.ResponseWriter, r *http.Request) error {
	return p.renderPassword(w, r, http.StatusOK, newForm(nil))
}

func (p *Pages) renderPassword(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	a, _ := request.AuthFrom(r.Context())
	st, err := p.app.Identity.Settings(r.Context(), a.Account.ProviderID)
	if err != nil {
		return err
	}
	var v *view
	var o identity.OwnAccount
	if a.Account.MustChangePassword {
		// Nothing else is reachable until the password changes.
		if v, err = p.newView(r, 0, "", "Change password"); err != nil {
			return err
		}
		v.Tabs, v.ShowSearch = nil, false
	} else if v, o, err = p.accountView(r, "password", "Change password"); err != nil {
		return err
	}
	v.Data = passwordPage{Form: f, Rules: st.PolicyFor(a.Account.Role).Rules(), Required: a.Account.MustChangePassword,
		Secrets: accountSecrets(o)}
	p.render(w, r, status, "account_password", v)
	return nil
}

func (p *Pages) accountPasswordSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	a, _ := request.AuthFrom(r.Context())
	f := newForm(nil)
	current, next := r.PostForm.Get("current_password"), r.PostForm.Get("new_password")
	if current == "" {
		f.add("current_password", "Enter your current password.")
	}
	if next == "" {
		f.add("new_password", "Enter a new password.")
	} else if next != r.PostForm.Get("confirm_password") {
		f.add("confirm_password", "The two new passwords do not match.")
	}
	if !f.Invalid() {
		err := p.app.Identity.ChangePassword(r.Context(), a.Actor(), a.Session.ID, current, next)
		if err == nil {
			// A forced change goes on to where the user was going; a chosen
			// one comes back to the account area.
			target := "/account/password"
			if a.Account.MustChangePassword {
				target = "/"
			}
			redirectFlash(w, r, target, "password-changed")
			return nil
		}
		if !f.addErr(err, "current_password", "new_password", "confirm_password") {
			return err
		}
	}
	return p.renderPassword(w, r, http.StatusUnprocessableEntity, f)
}

type securityEmailPage struct {
	Form    *form
	Current string
	// Sent is the address a confirmation link went to.
	Sent string
}

// accountSecurityEmail is Change Security Email: the new address gets a
// confirmation link and changes only when it is followed.
func (p *Pages) accountSecurityEmail(w http.ResponseWriter, r *http.Request) error {
	return p.renderSecurityEmail(w, r, http.StatusOK, newForm(nil), "")
}

func (p *Pages) renderSecurityEmail(w http.ResponseWriter, r *http.Request, status int, f *form, sent string) error {
	v, o, err := p.accountView(r, "email", "Change Security Email")
	if err != nil {
		return err
	}
	v.Data = securityEmailPage{Form: f, Current: o.Account.Email, Sent: sent}
	p.render(w, r, status, "account_email", v)
	return nil
}

func (p *Pages) accountSecurityEmailSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	a, _ := request.AuthFrom(r.Context())
	f := newForm(r.PostForm)
	email := strings.TrimSpace(f.V("email"))
	if email == "" {
		f.add("email", "Enter the new e-mail address.")
		return p.renderSecurityEmail(w, r, http.StatusUnprocessableEntity, f, "")
	}
	if err := p.app.Identity.RequestSecurityEmailChange(r.Context(), a.Actor(), email); err != nil {
		if f.addErr(err, "email") {
			return p.renderSecurityEmail(w, r, http.StatusUnprocessableEntity, f, "")
		}
		return err
	}
	return p.renderSecurityEmail(w, r, http.StatusOK, newForm(nil), email)
}

type accountPinsPage struct {
	Form     *form
	Own      identity.OwnAccount
	Note     string
	AppRules []string
	PINRules []string
	Secrets  []secret
}

// accountPins is one's own application password and PIN (the Business
// Portal's Service Passwords, and self-care's Change Call Services PIN and
// Change Voicemail PIN): identity.SetServicePasswords on oneself.
func (p *Pages) accountPins(w http.ResponseWriter, r *http.Request) error {
	return p.renderAccountPins(w, r, http.StatusOK, newForm(nil))
}

func (p *Pages) renderAccountPins(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	v, o, err := p.accountView(r, "pins", "Application password and PIN")
	if err != nil {
		return err
	}
	if !o.HasServicePasswords {
		return derrors.ErrNotFound
	}
	settings, err := p.app.Identity.Settings(r.Context(), o.Account.ProviderID)
	if err != nil {
		return err
	}
	// The application password follows the employee policy, but
	// SetServicePasswords does not compare it with an earlier one.
	appPolicy := settings.PolicyFor(access.RoleEmployee)
	appPolicy.NotPrevious = false
	pg := accountPinsPage{Form: f, Own: o, AppRules: appPolicy.Rules(), PINRules: pinRules(), Secrets: accountSecrets(o)}
	if !o.CanSetServicePasswords {
		pg.Note = sentence(o.ServicePasswordsNote)
	}
	v.Data = pg
	p.render(w, r, status, "account_pins", v)
	return nil
}

func (p *Pages) accountPinsSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	actor := actorOf(r)
	f := newForm(nil)
	var app, pin *string
	if s := r.PostForm.Get("application_password"); s != "" {
		app = &s
		if s != r.PostForm.Get("application_password_confirm") {
			f.add("application_password_confirm", "The two application passwords do not match.")
		}
	}
	if s := r.PostForm.Get("voicemail_pin"); s != "" {
		pin = &s
		if s != r.PostForm.Get("voicemail_pin_confirm") {
			f.add("voicemail_pin_confirm", "The two PINs do not match.")
		}
	}
	if app == nil && pin == nil {
		f.General = append(f.General, "Enter a new application password, a new PIN, or both.")
	}
	if !f.Invalid() {
		err := p.app.Identity.SetServicePasswords(r.Context(), actor, actor.AccountID, app, pin)
		if err == nil {
			redirectFlash(w, r, "/account/pins", "service-passwords")
			return nil
		}
		if !f.addErr(err, servicePasswordFields...) {
			return err
		}
	}
	return p.renderAccountPins(w, r, http.StatusUnprocessableEntity, f)
}
