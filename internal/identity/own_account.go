package identity

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// OwnAccount is what the signed-in user may do with their own account, as
// the account area shows it (docs/pages.md, "The account area"): one
// answer for every role, asked of access exactly as the actions ask, so a
// page never promises what the action would refuse.
type OwnAccount struct {
	Account Account
	// Profile: may change their own name, contact phone and address
	// (directory.ModifyEmployee on themselves). ProfileNote says who keeps
	// the details when not.
	CanEditProfile bool
	ProfileNote    string
	// ServicePasswords: the account has an application password and a
	// PIN (company accounts), and may change them (SetServicePasswords);
	// ServicePasswordsNote says why not, when the account has them but
	// may not.
	HasServicePasswords    bool
	CanSetServicePasswords bool
	ServicePasswordsNote   string
	// Contacts: the account keeps personal contacts (contacts.Service).
	HasContacts bool
	// ManagesOwnService: the account may change its own number, extension
	// and service (an administrator of its own entry); otherwise an
	// administrator assigns them.
	ManagesOwnService bool
}

// OwnAccountFor is the actor's own account and what they may do with it.
// Everybody signed in has one: their password and security e-mail always
// change through ChangePassword and RequestSecurityEmailChange.
func (s *Service) OwnAccountFor(ctx context.Context, actor access.Actor) (OwnAccount, error) {
	id, err := self(actor)
	if err != nil {
		return OwnAccount{}, err
	}
	a, err := s.Account(ctx, id)
	if err != nil {
		return OwnAccount{}, fmt.Errorf("identity: own account of %d: %w", id, err)
	}
	o := OwnAccount{Account: a}
	if a.CompanyID == 0 {
		// Operators and reseller admins are no employee of a company: no
		// profile of an employee, no phone service, no personal contacts.
		o.ProfileNote = "an operator's or reseller administrator's name is set when the account is created"
		return o, nil
	}
	allowed := func(action access.Action) (bool, string, error) {
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
		return false, "", fmt.Errorf("identity: own account of %d: %w", id, err)
	}
	if o.CanEditProfile, o.ProfileNote, err = allowed(access.UpdateEmployee); err != nil {
		return OwnAccount{}, err
	}
	o.HasServicePasswords = true
	if o.CanSetServicePasswords, o.ServicePasswordsNote, err = allowed(access.UpdateEmployee); err != nil {
		return OwnAccount{}, err
	}
	if o.HasContacts, _, err = allowed(access.ManageContacts); err != nil {
		return OwnAccount{}, err
	}
	if o.ManagesOwnService, _, err = allowed(access.ManageService); err != nil {
		return OwnAccount{}, err
	}
	return o, nil
}
