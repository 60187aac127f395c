package identity

import "context"

// NotifySecurityEmailChanged tells oldEmail that accountID's security e-mail
// is now newEmail, when an administrator wrote it directly (one's own
// changes only through RequestSecurityEmailChange, whose confirmation tells
// the old address the same way). Call it in the transaction of the change,
// so the notice goes if and only if the change is kept (docs/security.md).
func (s *Service) NotifySecurityEmailChanged(ctx context.Context, accountID int64, oldEmail, newEmail string) error {
	if oldEmail == "" {
		return nil
	}
	a, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	return s.notify(ctx, a, "email_changed", map[string]any{"To": oldEmail, "NewEmail": newEmail})
}
