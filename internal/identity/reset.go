package identity

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// ResetRequested is the one answer to a self-service reset request, whether
// or not the account exists (the self-care portal's words).
const ResetRequested = "We have attempted to send you a password reset email to your previously configured security email address. " +
	"If you do not receive this email shortly please contact your Service Provider."

// MaxLoginLength bounds what may be typed as a login to reset: no username
// or telephone number is longer.
const MaxLoginLength = 254

// RequestPasswordReset is the self-service Reset Password: login is a
// username or a telephone number. The request is only recorded, and the
// answer is the same at once for every login: whether it names an account
// is decided afterwards, by ProcessResetRequests, which then e-mails the
// single-use link when the account has a security e-mail and may
// self-reset. So a known and an unknown login do the same work while the
// caller waits, and the time of the answer tells nothing (docs/security.md,
// "Password reset").
func (s *Service) RequestPasswordReset(ctx context.Context, login string) error {
	login = strings.TrimSpace(login)
	switch {
	case login == "":
		return derrors.Invalid("login", "enter your number or username")
	case utf8.RuneCountInString(login) > MaxLoginLength || !utf8.ValidString(login):
		return derrors.Invalid("login", "a number or username has at most %d characters", MaxLoginLength)
	case strings.IndexFunc(login, unicode.IsControl) >= 0:
		return derrors.Invalid("login", "a number or username has no control characters")
	}
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, "INSERT INTO password_reset_requests (login, requested_at) VALUES (?, ?)", login, s.now().UnixMilli())
		return err
	})
	if err != nil {
		return fmt.Errorf("identity: record reset request: %w", err)
	}
	select {
	case s.resetKick <- struct{}{}:
	default: // a wake-up is already pending
	}
	return nil
}

// resetBatch bounds how many requests one ProcessResetRequests round takes.
const resetBatch = 100

// ProcessResetRequests handles the recorded reset requests, oldest first,
// and returns how many it handled itself. Each is taken and handled in one
// transaction: deleting its row is the claim, so with several nodes each
// request is handled once, and a failure leaves it for the next round.
func (s *Service) ProcessResetRequests(ctx context.Context) (int, error) {
	done := 0
	for {
		rows, err := s.db.Q(ctx).Query(ctx, "SELECT id, login FROM password_reset_requests ORDER BY id LIMIT ?", resetBatch)
		if err != nil {
			return done, fmt.Errorf("identity: reset requests: %w", err)
		}
		type req struct {
			id    int64
			login string
		}
		var batch []req
		for rows.Next() {
			var r req
			if err := rows.Scan(&r.id, &r.login); err != nil {
				rows.Close()
				return done, fmt.Errorf("identity: reset requests: %w", err)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return done, fmt.Errorf("identity: reset requests: %w", err)
		}
		for _, r := range batch {
			took, err := s.processResetRequest(ctx, r.id, r.login)
			if err != nil {
				return done, err
			}
			if took {
				done++
			}
		}
		if len(batch) < resetBatch {
			return done, nil
		}
	}
}

// processResetRequest claims request id and, when login names an account
// that may reset itself by e-mail, queues the link. took is false when
// another node had claimed it.
func (s *Service) processResetRequest(ctx context.Context, id int64, login string) (took bool, err error) {
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM password_reset_requests WHERE id = ?", id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil // another node took it
		}
		took = true
		a, err := s.accountByLogin(ctx, login)
		if derrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		st, err := s.Settings(ctx, a.ProviderID)
		if err != nil {
			return err
		}
		if a.Email == "" || (a.Role == access.RoleCompanyAdmin && !st.CompanyAdminSelfReset) {
			return nil
		}
		token, err := s.newToken(ctx, a.ID, purposeReset, "", st.ResetTokenTTL)
		if err != nil {
			return err
		}
		if err := s.audit.Record(ctx, audit.Event{Event: "Request Password Reset", ObjectKind: kindOfRole(a.Role), ObjectID: a.ID,
			ObjectName: a.Username, ProviderID: a.ProviderID, CompanyID: a.CompanyID}); err != nil {
			return err
		}
		return s.notify(ctx, a, "password_reset", map[string]any{"Link": st.PortalURL + "/reset-password?token=" + token,
			"ExpiresIn": humanDuration(st.ResetTokenTTL)})
	})
	if err != nil {
		return false, fmt.Errorf("identity: reset request %d: %w", id, err)
	}
	return took, nil
}

// RunResetRequests handles reset requests until ctx ends: at once when this
// node records one, and every sweep for those another node recorded or left
// behind when it stopped.
func (s *Service) RunResetRequests(ctx context.Context, sweep time.Duration, logger *slog.Logger) {
	t := time.NewTicker(sweep)
	defer t.Stop()
	for {
		if _, err := s.ProcessResetRequests(ctx); err != nil && ctx.Err() == nil {
			logger.ErrorContext(ctx, "password reset requests", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.resetKick:
		case <-t.C:
		}
	}
}
