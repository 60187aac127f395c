package identity

import "context"

// SetPasswordByAdmin is an administrator typing a new password for an
// account (the control panel's key icon, "enter it manually"): the
// password is checked against the account's policy, the account must change
// it at its next login, and its sessions end.
func (s *Service) SetPasswordByAdmin(ctx context.Context, accountID int64, pw string) error {
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.setPassword(ctx, a, pw, setPasswordOptions{mustChange: true, event: "Set Password"}); err != nil {
			return err
		}
		_, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE account_id = ?", accountID)
		return err
	})
}
