package ui

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
)

// securityPanel is the Security panel of an employee's profile: the lock
// and the administrator's actions, each shown only when access allows it.
type securityPanel struct {
	Locked      bool
	LockedUntil time.Time
	CanReset    bool
	CanUnlock   bool
}

// employeeSecurity fills the panel from identity's answer for the actor
// (the caller has shown e, so the actor may view it).
func (p *Pages) employeeSecurity(r *http.Request, e directory.Employee) (securityPanel, error) {
	st, err := p.app.Identity.SecurityStatus(r.Context(), actorOf(r), e.ID)
	if err != nil {
		return securityPanel{}, err
	}
	return securityPanel{Locked: st.Locked, LockedUntil: st.LockedUntil, CanReset: st.CanReset, CanUnlock: st.CanUnlock}, nil
}

// securityTarget is the employee of the path with identity's Security
// answer for the actor (which refuses one the actor may not view).
func (p *Pages) securityTarget(r *http.Request) (directory.Employee, identity.SecurityStatus, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Employee{}, identity.SecurityStatus{}, err
	}
	st, err := p.app.Identity.SecurityStatus(r.Context(), actorOf(r), id)
	if err != nil {
		return directory.Employee{}, st, err
	}
	e, err := p.app.Directory.Employee(r.Context(), id)
	return e, st, err
}

// employeeAction is a confirm step of the portal ("this will display the
// following warning message, please select OK to proceed").
type employeeAction struct {
	Employee directory.Employee
	Heading  string
	Warning  string
	Action   string
	// Items list what OK does, after Warning; Button names the OK button
	// ("OK" when empty). Danger styles it as destructive.
	Items  []string
	Button string
	Danger bool
	// Refused explains why OK is not offered (nothing to do).
	Refused string
	Errors  []string
}

func resetAction(e directory.Employee) employeeAction {
	a := employeeAction{Employee: e, Heading: "Auto generate and email password",
		Action: "/employees/" + strconv.FormatInt(e.ID, 10) + "/reset-password",
		Warning: fmt.Sprintf("A new password will be generated for %s and e-mailed to %s. Their current password stops working at once, "+
			"they are logged out everywhere and must change the new password when they next log in.", e.DisplayName(), e.Email)}
	if e.Email == "" {
		a.Refused = e.DisplayName() + " has no e-mail address to send a new password to. Add one to the profile first."
	}
	return a
}

func unlockAction(e directory.Employee, until time.Time) employeeAction {
	return employeeAction{Employee: e, Heading: "Force Unlock",
		Action: "/employees/" + strconv.FormatInt(e.ID, 10) + "/force-unlock",
		Warning: fmt.Sprintf("%s (%s) is locked until %s after too many wrong passwords. Unlocking lets them try again at once; "+
			"their password does not change and no e-mail is sent.", e.DisplayName(), e.Username, formatWhen(until))}
}

func (p *Pages) renderEmployeeAction(w http.ResponseWriter, r *http.Request, status int, e directory.Employee, ea employeeAction) error {
	v, err := p.newView(r, e.CompanyID, "employees", ea.Heading+" · "+e.DisplayName())
	if err != nil {
		return err
	}
	employeesSide(v, &e, "profile")
	v.Data = ea
	p.render(w, r, status, "employee_confirm", v)
	return nil
}

// employeeResetConfirm is the confirm step of "Auto generate and email password".
func (p *Pages) employeeResetConfirm(w http.ResponseWriter, r *http.Request) error {
	e, st, err := p.securityTarget(r)
	if err != nil {
		return err
	}
	if !st.CanReset {
		return derrors.Forbidden("%s", st.ResetRefused)
	}
	return p.renderEmployeeAction(w, r, http.StatusOK, e, resetAction(e))
}

// employeeReset is the OK of "Auto generate and email password" (the API's
// resetEmployeePassword calls the same identity.ResetPassword).
func (p *Pages) employeeReset(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := p.app.Identity.ResetPassword(r.Context(), actorOf(r), id); err != nil {
		f := newForm(nil)
		if f.addErr(err) {
			e, err := p.app.Directory.Employee(r.Context(), id)
			if err != nil {
				return err
			}
			ea := resetAction(e)
			ea.Errors = f.General
			return p.renderEmployeeAction(w, r, http.StatusUnprocessableEntity, e, ea)
		}
		return err
	}
	redirectFlash(w, r, "/employees/"+strconv.FormatInt(id, 10), "pw-reset")
	return nil
}

// employeeUnlockConfirm is the confirm step of Force Unlock.
func (p *Pages) employeeUnlockConfirm(w http.ResponseWriter, r *http.Request) error {
	e, st, err := p.securityTarget(r)
	if err != nil {
		return err
	}
	if !st.CanUnlock {
		return derrors.Forbidden("%s", st.UnlockRefused)
	}
	ea := unlockAction(e, st.LockedUntil)
	if !st.Locked {
		ea.Warning = ""
		ea.Refused = e.DisplayName() + " (" + e.Username + ") is not locked: there is nothing to unlock."
	}
	return p.renderEmployeeAction(w, r, http.StatusOK, e, ea)
}

// employeeUnlock is the OK of Force Unlock (the API's forceUnlock calls the
// same identity.ForceUnlock).
func (p *Pages) employeeUnlock(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.app.Identity.ForceUnlock(r.Context(), actorOf(r), id); err != nil {
		var con *derrors.ConflictError
		if errors.As(err, &con) {
			e, err := p.app.Directory.Employee(r.Context(), id)
			if err != nil {
				return err
			}
			ea := employeeAction{Employee: e, Heading: "Force Unlock", Refused: sentence(con.Message) + " There is nothing to unlock."}
			return p.renderEmployeeAction(w, r, http.StatusConflict, e, ea)
		}
		return err
	}
	redirectFlash(w, r, "/employees/"+strconv.FormatInt(id, 10), "unlocked")
	return nil
}

type servicePasswordsPage struct {
	Employee directory.Employee
	Form     *form
	CanEdit  bool
	Note     string
	AppRules []string
	PINRules []string
	Self     bool
}

var servicePasswordFields = []string{"application_password", "application_password_confirm", "voicemail_pin", "voicemail_pin_confirm"}

// pinRules describes identity.CheckPIN for the page.
func pinRules() []string {
	return []string{
		fmt.Sprintf("Be %d to %d digits long, digits only.", identity.PINMinLength, identity.PINMaxLength),
		"Not be one digit repeated, e.g. 1111.",
		"Not be an ascending or descending sequence, e.g. 1234 or 9876.",
		"Not be, or be part of, your telephone number or extension.",
	}
}

// employeeServicePasswords is Service Passwords: the application password
// and the voicemail / call-services PIN.
func (p *Pages) employeeServicePasswords(w http.ResponseWriter, r *http.Request) error {
	e, st, err := p.securityTarget(r)
	if err != nil {
		return err
	}
	if ownPage(r, e) {
		http.Redirect(w, r, "/account/pins", http.StatusMovedPermanently)
		return nil
	}
	return p.renderServicePasswords(w, r, http.StatusOK, e, st, newForm(nil))
}

func (p *Pages) renderServicePasswords(w http.ResponseWriter, r *http.Request, status int, e directory.Employee, st identity.SecurityStatus, f *form) error {
	a := actorOf(r)
	tab := "employees"
	if a.Role == access.RoleEmployee {
		tab = "profile"
	}
	v, err := p.newView(r, e.CompanyID, tab, "Service Passwords · "+e.DisplayName())
	if err != nil {
		return err
	}
	employeesSide(v, &e, "service")
	settings, err := p.app.Identity.Settings(r.Context(), a.ProviderID)
	if err != nil {
		return err
	}
	// The application password follows the employee policy, but
	// SetServicePasswords does not compare it with an earlier one.
	appPolicy := settings.PolicyFor(access.RoleEmployee)
	appPolicy.NotPrevious = false
	pg := servicePasswordsPage{Employee: e, Form: f, Self: e.ID == a.AccountID,
		AppRules: appPolicy.Rules(), PINRules: pinRules(), CanEdit: st.CanSetServicePasswords}
	if !pg.CanEdit {
		pg.Note = sentence(st.ServicePasswordsRefused)
	}
	v.Data = pg
	p.render(w, r, status, "service_passwords", v)
	return nil
}

// employeeServicePasswordsSave is Save of Service Passwords (the API's
// setServicePasswords calls the same identity.SetServicePasswords): an
// empty field leaves that secret as it is.
func (p *Pages) employeeServicePasswordsSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	e, st, err := p.securityTarget(r)
	if err != nil {
		return err
	}
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
		f.General = append(f.General, "Enter a new application password, a new voicemail PIN, or both.")
	}
	if f.Invalid() && !st.CanSetServicePasswords {
		// Someone who may not change them learns nothing about the form.
		return derrors.Forbidden("%s", st.ServicePasswordsRefused)
	}
	if !f.Invalid() {
		err := p.app.Identity.SetServicePasswords(r.Context(), actorOf(r), e.ID, app, pin)
		if err == nil {
			redirectFlash(w, r, "/employees/"+strconv.FormatInt(e.ID, 10)+"/service-passwords", "service-passwords")
			return nil
		}
		if !f.addErr(err, servicePasswordFields...) {
			return err
		}
	}
	return p.renderServicePasswords(w, r, http.StatusUnprocessableEntity, e, st, f)
}

// operatorRow is one operator account on the Security Settings page.
type operatorRow struct {
	ID          int64
	Username    string
	Role        string
	Locked      bool
	LockedUntil time.Time
}

// operatorRows are the provider's operator accounts as identity lists them
// for the actor (provider operators only).
func (p *Pages) operatorRows(r *http.Request) ([]operatorRow, error) {
	ops, err := p.app.Identity.Operators(r.Context(), actorOf(r))
	if err != nil {
		return nil, err
	}
	rows := make([]operatorRow, 0, len(ops))
	for _, o := range ops {
		row := operatorRow{ID: o.ID, Username: o.Username, Role: o.Role.Label(), Locked: o.Locked}
		if o.LockedUntil != nil {
			row.LockedUntil = *o.LockedUntil
		}
		rows = append(rows, row)
	}
	return rows, nil
}

// operatorUnlock is Unlock next to a locked operator account (the API's
// forceUnlockOperator calls the same identity.ForceUnlockOperator).
func (p *Pages) operatorUnlock(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.app.Identity.ForceUnlockOperator(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	redirectFlash(w, r, "/settings/security#operator-accounts", "unlocked")
	return nil
}

// formatWhen is how the UI writes an instant: in UTC, as the lockout
// message does, so every reader sees the same time.
func formatWhen(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("15:04 UTC on 2 Jan 2006")
}
