package ui

import (
	"net/http"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

type passwordPage struct {
	Form     *form
	Rules    []string
	Required bool
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
	v, err := p.newView(r, 0, "", "Change password")
	if err != nil {
		return err
	}
	if a.Account.MustChangePassword {
		// Nothing else is reachable until the password changes.
		v.Tabs, v.ShowSearch = nil, false
	} else {
		accountSide(v, "password")
	}
	v.Data = passwordPage{Form: f, Rules: st.PolicyFor(a.Account.Role).Rules(), Required: a.Account.MustChangePassword}
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
			target := "/"
			if a.Account.Role == access.RoleEmployee {
				target = "/employees/" + itoa64(a.Account.ID)
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

// accountSide is the My account side bar: the logged-in user's own
// password, security e-mail and, for employees, service passwords.
func accountSide(v *view, current string) {
	links := []navLink{
		{Label: "Change Password", URL: "/account/password", Current: current == "password"},
		{Label: "Change Security Email", URL: "/account/security-email", Current: current == "email"},
	}
	if v.User.Role == access.RoleEmployee {
		links = append(links, navLink{Label: "Service Passwords", URL: "/employees/" + itoa64(v.User.ID) + "/service-passwords", Current: current == "service"})
	}
	v.SideLabel = "My account"
	v.Side = []sideSection{{Title: "My account", Links: links}}
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
	a, _ := request.AuthFrom(r.Context())
	v, err := p.newView(r, 0, "", "Change Security Email")
	if err != nil {
		return err
	}
	accountSide(v, "email")
	v.Data = securityEmailPage{Form: f, Current: a.Account.Email, Sent: sent}
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
