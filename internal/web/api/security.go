package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// MessageResponse is an answer that is only a sentence for the user.
type MessageResponse struct {
	Message string `json:"message"`
}

// PasswordResetRequest is POST /api/v1/auth/password-reset.
type PasswordResetRequest struct {
	// Login is the username or the telephone number, in any common format.
	Login string `json:"login"`
}

func (h *Handler) requestPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var req PasswordResetRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.Identity.RequestPasswordReset(r.Context(), req.Login); err != nil {
		return err
	}
	WriteJSON(w, http.StatusAccepted, MessageResponse{Message: identity.ResetRequested})
	return nil
}

// PasswordResetConfirm is POST /api/v1/auth/password-reset/confirm.
type PasswordResetConfirm struct {
	Token       string `json:"token"`
	NewPassword string `json:"new_password"`
}

func (h *Handler) confirmPasswordReset(w http.ResponseWriter, r *http.Request) error {
	var req PasswordResetConfirm
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return derrors.Invalid("token", "the token from the reset link is required")
	}
	if err := h.app.Identity.ConfirmPasswordReset(r.Context(), req.Token, req.NewPassword); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, MessageResponse{Message: "Your password has been changed successfully!"})
	return nil
}

// PasswordChangeRequest is POST /api/v1/auth/password.
type PasswordChangeRequest struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	var req PasswordChangeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	a, _ := request.AuthFrom(r.Context())
	if err := h.app.Identity.ChangePassword(r.Context(), a.Actor(), a.Session.ID, req.CurrentPassword, req.NewPassword); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, MessageResponse{Message: "Your password has been changed successfully!"})
	return nil
}

// SecurityEmailRequest is POST /api/v1/auth/security-email.
type SecurityEmailRequest struct {
	Email string `json:"email"`
}

func (h *Handler) changeSecurityEmail(w http.ResponseWriter, r *http.Request) error {
	var req SecurityEmailRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.Identity.RequestSecurityEmailChange(r.Context(), actor(r), req.Email); err != nil {
		return err
	}
	WriteJSON(w, http.StatusAccepted, MessageResponse{Message: "We have sent a confirmation link to " + strings.TrimSpace(req.Email) +
		". Your security e-mail address changes when you follow it."})
	return nil
}

// TokenRequest carries a token from an e-mailed link.
type TokenRequest struct {
	Token string `json:"token"`
}

// SecurityEmailConfirmed answers a confirmed change.
type SecurityEmailConfirmed struct {
	Email string `json:"email"`
}

func (h *Handler) confirmSecurityEmail(w http.ResponseWriter, r *http.Request) error {
	var req TokenRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Token == "" {
		return derrors.Invalid("token", "the token from the confirmation link is required")
	}
	email, err := h.app.Identity.ConfirmSecurityEmailChange(r.Context(), req.Token)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, SecurityEmailConfirmed{Email: email})
	return nil
}

func (h *Handler) resetEmployeePassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := h.app.Identity.ResetPassword(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusAccepted, MessageResponse{Message: "The password has been reset and sent to " + a.Email + "."})
	return nil
}

// LockStatus is GET /api/v1/employees/{id}/lock and /api/v1/operators/{id}/lock.
type LockStatus struct {
	Locked      bool    `json:"locked"`
	LockedUntil *string `json:"locked_until"`
}

func lockStatus(locked bool, until time.Time) LockStatus {
	st := LockStatus{Locked: locked}
	if locked {
		s := until.UTC().Format("2006-01-02T15:04:05Z")
		st.LockedUntil = &s
	}
	return st
}

func (h *Handler) employeeLock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	st, err := h.app.Identity.SecurityStatus(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, lockStatus(st.Locked, st.LockedUntil))
	return nil
}

func (h *Handler) forceUnlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Identity.ForceUnlock(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) operators(w http.ResponseWriter, r *http.Request) error {
	ops, err := h.app.Identity.Operators(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(ops, len(ops), pageOf(len(ops))))
	return nil
}

func (h *Handler) operatorLock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	locked, until, err := h.app.Identity.OperatorLock(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, lockStatus(locked, until))
	return nil
}

func (h *Handler) forceUnlockOperator(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Identity.ForceUnlockOperator(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ServicePasswordsRequest is PUT /api/v1/employees/{id}/service-passwords.
type ServicePasswordsRequest struct {
	ApplicationPassword *string `json:"application_password"`
	VoicemailPIN        *string `json:"voicemail_pin"`
}

func (h *Handler) setServicePasswords(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req ServicePasswordsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.Identity.SetServicePasswords(r.Context(), actor(r), id, req.ApplicationPassword, req.VoicemailPIN); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) securitySettings(w http.ResponseWriter, r *http.Request) error {
	st, err := h.app.Identity.SecuritySettings(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st.View())
	return nil
}

func (h *Handler) updateSecuritySettings(w http.ResponseWriter, r *http.Request) error {
	var req identity.SettingsUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	st, err := h.app.Identity.UpdateSettings(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st.View())
	return nil
}

// outbox is GET /api/v1/mail/outbox: the provider's view of every message,
// which with no relay configured is how a trial user reads a reset link.
func (h *Handler) outbox(w http.ResponseWriter, r *http.Request) error {
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := mail.OutboxFilter{Status: q.Get("status"), To: q.Get("to")}
	if f.CompanyID, err = queryInt(r, "company_id"); err != nil {
		return err
	}
	pg, err := h.app.Mail.ProviderOutboxPage(r.Context(), actor(r), f, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

// auditEntry is GET /api/v1/audit/{id}: one entry with its difference.
func (h *Handler) auditEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.app.Audit.EntryFor(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, e.WithDiff())
	return nil
}

// recentActivity is GET /api/v1/companies/{id}/recent-activity: the last
// 100 provisioning events of the company, as the Company Dashboard shows.
func (h *Handler) recentActivity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	es, err := h.app.Audit.RecentActivityFor(r.Context(), actor(r), id, 100)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(es, len(es), pageOf(len(es))))
	return nil
}
