package identity

import "context"

// setPasswordByAdmin is SetPasswordByAdmin once access allowed it.
func (s *Service) setPasswordByAdmin(ctx context.Context, a Account, pw string) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.setPassword(ctx, a, pw, setPasswordOptions{mustChange: true, event: "Set Password"}); err != nil {
			return err
		}
		_, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM sessions WHERE account_id = ?", a.ID)
		return err
	})
}
