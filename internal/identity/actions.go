package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// The account-security actions, each whole (docs/architecture.md, "The
// use-case layer"): the access check comes first, so a forbidden actor is
// refused before anything is read or written, and another company's account
// answers exactly like a missing one.

// SecurityStatus is what an employee's Security panel shows to actor: the
// lock, and which administrator actions actor may take, with the reason when
// one is refused.
type SecurityStatus struct {
	Locked      bool
	LockedUntil time.Time
	CanReset    bool
	CanUnlock   bool
	// CanSetServicePasswords is Service Passwords; ServicePasswordsRefused
	// says why not, when not.
	CanSetServicePasswords  bool
	ResetRefused            string
	UnlockRefused           string
	ServicePasswordsRefused string
}

// SecurityStatus returns the Security panel of employee id as actor may see it.
func (s *Service) SecurityStatus(ctx context.Context, actor access.Actor, id int64) (SecurityStatus, error) {
	var st SecurityStatus
	if err := s.access.Check(ctx, actor, access.ViewEmployee, access.Employee(id)); err != nil {
		return st, fmt.Errorf("identity: security status of %d: %w", id, err)
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return st, err
	}
	if st.Locked, st.LockedUntil, err = s.lockState(ctx, a); err != nil {
		return st, fmt.Errorf("identity: security status of %d: %w", id, err)
	}
	refusal := func(action access.Action) (bool, string, error) {
		err := s.access.Check(ctx, actor, action, access.Employee(id))
		var fe *derrors.ForbiddenError
		switch {
		case err == nil:
			return true, "", nil
		case errors.As(err, &fe):
			return false, fe.Reason, nil
		case errors.Is(err, derrors.ErrForbidden), derrors.IsNotFound(err):
			return false, "your role does not allow this", nil
		}
		return false, "", err
	}
	if st.CanReset, st.ResetRefused, err = refusal(access.ResetPassword); err != nil {
		return st, err
	}
	if st.CanUnlock, st.UnlockRefused, err = refusal(access.ForceUnlock); err != nil {
		return st, err
	}
	if st.CanSetServicePasswords, st.ServicePasswordsRefused, err = refusal(access.UpdateEmployee); err != nil {
		return st, err
	}
	return st, nil
}

// employeeFor checks action on employee id for actor and returns the account.
func (s *Service) employeeFor(ctx context.Context, actor access.Actor, action access.Action, id int64) (Account, error) {
	if err := s.access.Check(ctx, actor, action, access.Employee(id)); err != nil {
		return Account{}, err
	}
	return s.Account(ctx, id)
}

// ResetPassword is the administrator's "Auto generate and email password"
// on employee id: a generated password that satisfies the policy is e-mailed
// to the user, who must change it at next login; their sessions end. It
// returns the account, whose e-mail the password went to.
func (s *Service) ResetPassword(ctx context.Context, actor access.Actor, id int64) (Account, error) {
	a, err := s.employeeFor(ctx, actor, access.ResetPassword, id)
	if err != nil {
		return Account{}, fmt.Errorf("identity: reset password of %d: %w", id, err)
	}
	if err := s.resetPassword(ctx, a); err != nil {
		return Account{}, fmt.Errorf("identity: reset password of %d: %w", id, err)
	}
	return a, nil
}

// SetPasswordByAdmin is an administrator typing a new password for employee
// id (the control panel's key icon, "enter it manually"): the password is
// checked against the account's policy, the account must change it at its
// next login, and its sessions end. It needs the right to reset the password.
func (s *Service) SetPasswordByAdmin(ctx context.Context, actor access.Actor, id int64, pw string) error {
	a, err := s.employeeFor(ctx, actor, access.ResetPassword, id)
	if err != nil {
		return fmt.Errorf("identity: set password of %d: %w", id, err)
	}
	return s.setPasswordByAdmin(ctx, a, pw)
}

// ForceUnlock lifts the lock of employee id (every lock: any browser, and
// logins by number) without e-mailing anyone, as the portal's Force Unlock
// does. An account that is not locked answers a conflict.
func (s *Service) ForceUnlock(ctx context.Context, actor access.Actor, id int64) error {
	a, err := s.employeeFor(ctx, actor, access.ForceUnlock, id)
	if err != nil {
		return fmt.Errorf("identity: force unlock %d: %w", id, err)
	}
	return s.unlock(ctx, a)
}

// OperatorLock reports whether operator account id is locked, for a
// provider operator (the only role that may unlock one).
func (s *Service) OperatorLock(ctx context.Context, actor access.Actor, id int64) (bool, time.Time, error) {
	if err := s.access.Check(ctx, actor, access.ForceUnlock, access.Operator(id)); err != nil {
		return false, time.Time{}, fmt.Errorf("identity: lock of operator %d: %w", id, err)
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return false, time.Time{}, err
	}
	return s.lockState(ctx, a)
}

// ForceUnlockOperator lifts the lock of operator account id (a provider
// operator or a reseller admin). Only provider operators may.
func (s *Service) ForceUnlockOperator(ctx context.Context, actor access.Actor, id int64) error {
	if err := s.access.Check(ctx, actor, access.ForceUnlock, access.Operator(id)); err != nil {
		return fmt.Errorf("identity: force unlock operator %d: %w", id, err)
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return err
	}
	return s.unlock(ctx, a)
}

// CommandLine is the audit actor of what `switchboard` subcommands do: they
// hold the database itself, so they act for nobody in particular.
var CommandLine = audit.Actor{Username: "command line"}

// ForceUnlockFromCommandLine is `switchboard unlock-account USERNAME`: it
// unlocks any account, the last provider operator's included, which nothing
// else could once every operator is locked out. The audit entry names the
// command line as the actor.
func (s *Service) ForceUnlockFromCommandLine(ctx context.Context, username string) (Account, error) {
	a, err := s.accountWhere(ctx, "a.username = ?", strings.TrimSpace(username))
	if err != nil {
		if derrors.IsNotFound(err) {
			return Account{}, fmt.Errorf("identity: unlock: no account has the username %q (%w)", username, derrors.ErrNotFound)
		}
		return Account{}, fmt.Errorf("identity: unlock %q: %w", username, err)
	}
	if err := s.unlock(audit.WithActor(ctx, CommandLine), a); err != nil {
		return a, fmt.Errorf("identity: unlock %q: %w", username, err)
	}
	return a, nil
}

// SetServicePasswords sets employee id's application password and/or
// voicemail PIN (Business Portal "Service Passwords"); nil leaves one alone.
// Both follow the rules of docs/security.md, the account's own numbers and
// extensions included.
func (s *Service) SetServicePasswords(ctx context.Context, actor access.Actor, id int64, appPassword, pin *string) error {
	a, err := s.employeeFor(ctx, actor, access.UpdateEmployee, id)
	if err != nil {
		return fmt.Errorf("identity: service passwords of %d: %w", id, err)
	}
	return s.setServicePasswords(ctx, a, appPassword, pin)
}

// self is the account of an actor acting on itself.
func self(actor access.Actor) (int64, error) {
	if actor.AccountID == 0 {
		return 0, derrors.ErrUnauthenticated
	}
	return actor.AccountID, nil
}

// ChangePassword is the actor's own Change Password: the current password
// is required (wrong ones count towards the lockout); on success the other
// sessions than keepSessionID end and a notification is e-mailed.
func (s *Service) ChangePassword(ctx context.Context, actor access.Actor, keepSessionID int64, current, next string) error {
	id, err := self(actor)
	if err != nil {
		return err
	}
	return s.changePassword(ctx, id, keepSessionID, current, next)
}

// RequestSecurityEmailChange is the actor's own Change Security Email: a
// confirmation link goes to the new address, and nothing changes until it
// is followed (ConfirmSecurityEmailChange).
func (s *Service) RequestSecurityEmailChange(ctx context.Context, actor access.Actor, newEmail string) error {
	id, err := self(actor)
	if err != nil {
		return err
	}
	return s.requestSecurityEmailChange(ctx, id, newEmail)
}

// SecuritySettings are the account-security settings of actor's provider,
// for its provider operators.
func (s *Service) SecuritySettings(ctx context.Context, actor access.Actor) (Settings, error) {
	if err := s.access.Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return Settings{}, fmt.Errorf("identity: security settings: %w", err)
	}
	return s.Settings(ctx, actor.ProviderID)
}

// UpdateSettings changes the account-security settings of actor's provider.
func (s *Service) UpdateSettings(ctx context.Context, actor access.Actor, u SettingsUpdate) (Settings, error) {
	if err := s.access.Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return Settings{}, fmt.Errorf("identity: update settings: %w", err)
	}
	return s.updateSettings(ctx, actor.ProviderID, u)
}

// OperatorAccount is one login of the provider's staff as the provider's
// operators see it: who, and whether a lock keeps them out.
type OperatorAccount struct {
	ID          int64       `json:"id"`
	Username    string      `json:"username"`
	Role        access.Role `json:"role"`
	ResellerID  *int64      `json:"reseller_id"`
	Locked      bool        `json:"locked"`
	LockedUntil *time.Time  `json:"locked_until"`
}

// Operators lists the provider operators and reseller admins of actor's
// provider, by username, with their locks, for its provider operators (who
// unlock them: ForceUnlockOperator).
func (s *Service) Operators(ctx context.Context, actor access.Actor) ([]OperatorAccount, error) {
	if err := s.access.Check(ctx, actor, access.ManageResellers, access.Provider(actor.ProviderID)); err != nil {
		return nil, fmt.Errorf("identity: operators: %w", err)
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+accountColumns+` FROM accounts a
		WHERE a.provider_id = ? AND a.company_id IS NULL AND a.role IN (?, ?) ORDER BY a.username`,
		actor.ProviderID, string(access.RoleProvider), string(access.RoleReseller))
	if err != nil {
		return nil, fmt.Errorf("identity: operators: %w", err)
	}
	var accounts []Account
	for rows.Next() {
		a, err := s.scanAccount(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("identity: operators: %w", err)
		}
		accounts = append(accounts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("identity: operators: %w", err)
	}
	out := make([]OperatorAccount, 0, len(accounts))
	for _, a := range accounts {
		o := OperatorAccount{ID: a.ID, Username: a.Username, Role: a.Role}
		if a.ResellerID != 0 {
			o.ResellerID = &a.ResellerID
		}
		locked, until, err := s.lockState(ctx, a)
		if err != nil {
			return nil, fmt.Errorf("identity: operators: %w", err)
		}
		if locked {
			o.Locked, o.LockedUntil = true, &until
		}
		out = append(out, o)
	}
	return out, nil
}
