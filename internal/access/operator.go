package access

import (
	"context"
	"database/sql"
	"errors"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// KindOperator is a login of the provider's staff: a provider operator or a
// reseller admin (accounts with no company).
const KindOperator Kind = "operator"

// Operator builds a target naming an operator account.
func Operator(id int64) Target { return Target{KindOperator, id} }

// checkOperator decides actions on operator accounts. They exist only for
// the provider's own operators (and each operator for itself); anyone else,
// and any id that is not an operator's, answers ErrNotFound. Only provider
// operators force-unlock them: a reseller admin manages companies, not the
// provider's staff (docs/security.md, "Lockout").
func (s *Service) checkOperator(ctx context.Context, actor Actor, action Action, t Target) error {
	var providerID int64
	var role Role
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT provider_id, role FROM accounts WHERE id = ? AND company_id IS NULL", t.ID).Scan(&providerID, &role)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && role != RoleProvider && role != RoleReseller) {
		return derrors.ErrNotFound
	}
	if err != nil {
		return err
	}
	if providerID != actor.ProviderID || (actor.Role != RoleProvider && t.ID != actor.AccountID) {
		return derrors.ErrNotFound
	}
	switch action {
	case ForceUnlock:
		if actor.Role != RoleProvider {
			return derrors.Forbidden("only provider operators unlock operator accounts")
		}
		return nil
	}
	return derrors.Forbidden("your role does not allow this")
}
