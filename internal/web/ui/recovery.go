package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// The pages of this file are public: whoever holds the e-mailed link may
// not be logged in. Their forms carry the same double-submit token as the
// login form (cookie scoped to the form's path), and, when a session
// happens to exist, its csrf_token too, which the server then requires.

// publicView is the bare frame of a public page.
func publicView(r *http.Request, title string, data any) *view {
	v := &view{Title: title, Bare: true, Data: data}
	if a, ok := request.AuthFrom(r.Context()); ok {
		v.CSRF = a.Session.CSRFToken
	}
	return v
}

// messagePage is a public page that only says something: a success, or
// why a link does not work, with one way on.
type messagePage struct {
	Heading   string
	Message   string
	Success   bool
	LinkURL   string
	LinkLabel string
}

func (p *Pages) renderMessage(w http.ResponseWriter, r *http.Request, status int, title string, m messagePage) error {
	p.render(w, r, status, "public_message", publicView(r, title, m))
	return nil
}

type forgotPage struct {
	Form  *form
	Token string
	Error string
}

// forgotPassword is the login page's "Reset Password" (CommPortal seed:
// Confirm your number → Reset Password / Cancel).
func (p *Pages) forgotPassword(w http.ResponseWriter, r *http.Request) error {
	return p.renderForgot(w, r, http.StatusOK, newForm(nil), "")
}

func (p *Pages) renderForgot(w http.ResponseWriter, r *http.Request, status int, f *form, msg string) error {
	token, err := setFormToken(w, r, "/forgot-password")
	if err != nil {
		return err
	}
	p.render(w, r, status, "forgot_password", publicView(r, "Reset Password", forgotPage{Form: f, Token: token, Error: msg}))
	return nil
}

// forgotPasswordSubmit always answers the same Success page, whether or not
// the login names an account (identity sends the link only when it does).
func (p *Pages) forgotPasswordSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	if !formTokenOK(r) {
		return p.renderForgot(w, r, http.StatusForbidden, f, errFormExpired)
	}
	login := strings.TrimSpace(f.V("login"))
	if login == "" {
		f.add("login", "Enter your phone number or username.")
		return p.renderForgot(w, r, http.StatusUnprocessableEntity, f, "")
	}
	if err := p.app.Identity.RequestPasswordReset(r.Context(), login); err != nil {
		if f.addErr(err, "login") {
			return p.renderForgot(w, r, http.StatusUnprocessableEntity, f, "")
		}
		return err
	}
	clearFormToken(w, r, "/forgot-password")
	return p.renderMessage(w, r, http.StatusOK, "Success", messagePage{Heading: "Success", Message: identity.ResetRequested,
		Success: true, LinkURL: "/login", LinkLabel: "Return to Login"})
}

type resetPage struct {
	Form      *form
	Token     string
	FormToken string
	Error     string
	// Rules are the password rules; when the employee and administrator
	// policies differ both are shown, as the page cannot know the role
	// before the link is used.
	Rules []ruleList
}

type ruleList struct {
	Title string
	Rules []string
}

// badResetLink is the page for a reset link that is unknown, used or expired.
func (p *Pages) badResetLink(w http.ResponseWriter, r *http.Request) error {
	return p.renderMessage(w, r, http.StatusGone, "Link not valid", messagePage{Heading: "This reset link cannot be used",
		Message: "The link is not valid: it may have expired or been used already. Ask for a new one; only the newest link works.",
		LinkURL: "/forgot-password", LinkLabel: "Ask for a new link"})
}

// resetPassword is the page an e-mailed reset link opens.
func (p *Pages) resetPassword(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" || p.app.Identity.CheckResetToken(r.Context(), token) != nil {
		return p.badResetLink(w, r)
	}
	return p.renderReset(w, r, http.StatusOK, newForm(nil), token, "")
}

func (p *Pages) renderReset(w http.ResponseWriter, r *http.Request, status int, f *form, token, msg string) error {
	ft, err := setFormToken(w, r, "/reset-password")
	if err != nil {
		return err
	}
	rules, err := p.resetRules(r)
	if err != nil {
		return err
	}
	p.render(w, r, status, "reset_password", publicView(r, "Reset Password",
		resetPage{Form: f, Token: token, FormToken: ft, Error: msg, Rules: rules}))
	return nil
}

// resetRules lists the deployment's password rules. Identity offers no way
// to learn a token's account before it is used, so both policies are shown
// when they differ, as identity does for unknown logins with the first
// provider's settings.
func (p *Pages) resetRules(r *http.Request) ([]ruleList, error) {
	prov, err := p.app.Tenancy.FirstProvider(r.Context())
	if err != nil {
		return nil, err
	}
	st, err := p.app.Identity.Settings(r.Context(), prov.ID)
	if err != nil {
		return nil, err
	}
	emp, admin := st.PolicyFor(access.RoleEmployee).Rules(), st.PolicyFor(access.RoleCompanyAdmin).Rules()
	if strings.Join(emp, "\n") == strings.Join(admin, "\n") {
		return []ruleList{{Title: "The new password must:", Rules: emp}}, nil
	}
	return []ruleList{
		{Title: "Employees: the new password must", Rules: emp},
		{Title: "Administrators (Business Portal): the new password must", Rules: admin},
	}, nil
}

func (p *Pages) resetPasswordSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	token := r.PostForm.Get("token")
	f := newForm(nil)
	if token == "" {
		return p.badResetLink(w, r)
	}
	if !formTokenOK(r) {
		return p.renderReset(w, r, http.StatusForbidden, f, token, errFormExpired)
	}
	next := r.PostForm.Get("new_password")
	if next == "" {
		f.add("new_password", "Enter a new password.")
	} else if next != r.PostForm.Get("confirm_password") {
		f.add("confirm_password", "The two new passwords do not match.")
	}
	if f.Invalid() {
		return p.renderReset(w, r, http.StatusUnprocessableEntity, f, token, "")
	}
	if err := p.app.Identity.ConfirmPasswordReset(r.Context(), token, next); err != nil {
		var val *derrors.ValidationError
		if errors.As(err, &val) && len(val.Fields) > 0 && val.Fields[0].Field == "token" {
			return p.badResetLink(w, r)
		}
		if f.addErr(err, "new_password", "confirm_password") {
			return p.renderReset(w, r, http.StatusUnprocessableEntity, f, token, "")
		}
		return err
	}
	clearFormToken(w, r, "/reset-password")
	return p.renderMessage(w, r, http.StatusOK, "Password changed", messagePage{Heading: "Password changed",
		Message: "Your password has been changed successfully!", Success: true, LinkURL: "/login", LinkLabel: "OK"})
}

type confirmEmailPage struct {
	Token     string
	FormToken string
	Error     string
}

func (p *Pages) badEmailLink(w http.ResponseWriter, r *http.Request) error {
	return p.renderMessage(w, r, http.StatusGone, "Link not valid", messagePage{Heading: "This confirmation link cannot be used",
		Message: "The link is not valid: it may have expired (links last 24 hours) or been used already. Log in and ask for the change again under My account → Change Security Email.",
		LinkURL: "/account/security-email", LinkLabel: "Change Security Email"})
}

// confirmEmail shows a Confirm button: the change happens only on the
// POST, so a mail scanner that fetches the link changes nothing.
func (p *Pages) confirmEmail(w http.ResponseWriter, r *http.Request) error {
	token := r.URL.Query().Get("token")
	if token == "" {
		return p.badEmailLink(w, r)
	}
	return p.renderConfirmEmail(w, r, http.StatusOK, token, "")
}

func (p *Pages) renderConfirmEmail(w http.ResponseWriter, r *http.Request, status int, token, msg string) error {
	ft, err := setFormToken(w, r, "/confirm-email")
	if err != nil {
		return err
	}
	p.render(w, r, status, "confirm_email", publicView(r, "Confirm security e-mail address",
		confirmEmailPage{Token: token, FormToken: ft, Error: msg}))
	return nil
}

func (p *Pages) confirmEmailSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	token := r.PostForm.Get("token")
	if token == "" {
		return p.badEmailLink(w, r)
	}
	if !formTokenOK(r) {
		return p.renderConfirmEmail(w, r, http.StatusForbidden, token, errFormExpired)
	}
	email, err := p.app.Identity.ConfirmSecurityEmailChange(r.Context(), token)
	if err != nil {
		var val *derrors.ValidationError
		if errors.As(err, &val) {
			return p.badEmailLink(w, r)
		}
		return err
	}
	clearFormToken(w, r, "/confirm-email")
	link, label := "/login", "Go to Login"
	if _, ok := request.AuthFrom(r.Context()); ok {
		link, label = "/", "Continue"
	}
	return p.renderMessage(w, r, http.StatusOK, "Security e-mail changed", messagePage{Heading: "Security e-mail address changed",
		Message: "Your security e-mail address is now " + email + ". Password reset links and security notices go there from now on.",
		Success: true, LinkURL: link, LinkLabel: label})
}
