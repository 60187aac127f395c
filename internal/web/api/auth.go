package api

import (
	"net/http"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// LoginRequest is POST /api/v1/auth/login.
type LoginRequest struct {
	Username   string `json:"username"`
	Password   string `json:"password"`
	RememberMe bool   `json:"remember_me"`
}

// LoginResponse carries the bearer token. The JSON login sets no cookie:
// a browser session, with its idle and absolute limits, is opened only by
// the login page (docs/security.md, "Sessions"). CSRFToken is kept for
// clients that read it; bearer-token calls need none.
type LoginResponse struct {
	Token     string      `json:"token"`
	CSRFToken string      `json:"csrf_token"`
	ExpiresAt time.Time   `json:"expires_at"`
	Account   AccountInfo `json:"account"`
}

// AccountInfo describes the logged-in account.
type AccountInfo struct {
	ID         int64       `json:"id"`
	Username   string      `json:"username"`
	Role       access.Role `json:"role"`
	FirstName  string      `json:"first_name"`
	LastName   string      `json:"last_name"`
	CompanyID  *int64      `json:"company_id"`
	ResellerID *int64      `json:"reseller_id"`
	Email      string      `json:"email"`
	// PasswordChangeRequired: until the password is changed (POST
	// /api/v1/auth/password) every other call answers 403.
	PasswordChangeRequired bool `json:"password_change_required"`
}

func accountInfo(a identity.Account) AccountInfo {
	info := AccountInfo{ID: a.ID, Username: a.Username, Role: a.Role, FirstName: a.FirstName, LastName: a.LastName,
		Email: a.Email, PasswordChangeRequired: a.MustChangePassword}
	if a.CompanyID != 0 {
		info.CompanyID = &a.CompanyID
	}
	if a.ResellerID != 0 {
		info.ResellerID = &a.ResellerID
	}
	return info
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request) error {
	var req LoginRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	v := &derrors.ValidationError{}
	if req.Username == "" {
		v.Add("username", "the username is required")
	}
	if req.Password == "" {
		v.Add("password", "the password is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	acct, err := h.app.Identity.AuthenticateDevice(r.Context(), req.Username, req.Password, request.DeviceCookies(r))
	if err != nil {
		return err
	}
	token, sess, err := h.app.Identity.CreateSession(r.Context(), identity.NewSessionRequest{
		AccountID: acct.ID, Kind: identity.KindAPI, RememberMe: req.RememberMe,
		ClientAddr: request.ClientAddr(r), UserAgent: r.UserAgent()})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, LoginResponse{Token: token, CSRFToken: sess.CSRFToken, ExpiresAt: sess.ExpiresAt, Account: accountInfo(acct)})
	return nil
}

func (h *Handler) logout(w http.ResponseWriter, r *http.Request) error {
	a, _ := request.AuthFrom(r.Context())
	if err := h.app.Identity.EndSession(r.Context(), a.Token); err != nil {
		return err
	}
	request.ClearSessionCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	a, _ := request.AuthFrom(r.Context())
	WriteJSON(w, http.StatusOK, accountInfo(a.Account))
	return nil
}
