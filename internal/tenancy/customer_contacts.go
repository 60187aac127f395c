package tenancy

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

// CustomerContactRequest is the control panel's "+" next to Contacts: a
// new login (company administrator) of the customer named by its login
// e-mail, with the contact details. Username may be left empty: it is then
// derived from the e-mail (see UsernameFromEmail). Password empty means
// "Auto Generate Password": one is generated and e-mailed.
type CustomerContactRequest struct {
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Email     string `json:"email"`
	Username  string `json:"username"`
	Password  string `json:"password"`
	ContactDetails
}

// UsernameFromEmail derives a username from a login e-mail, since usernames
// may not contain '@' (docs/decisions.md): the local part, lower-cased,
// with every character a username may not hold turned into '.', dots
// collapsed and trimmed. "Jane.O'Neil+voice@example.com" gives
// "jane.o.neil.voice".
func UsernameFromEmail(email string) string {
	local, _, _ := strings.Cut(strings.TrimSpace(email), "@")
	var b strings.Builder
	for _, r := range strings.ToLower(local) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			b.WriteRune(r)
		} else if !strings.HasSuffix(b.String(), ".") {
			b.WriteByte('.')
		}
	}
	u := strings.Trim(b.String(), ".")
	if len(u) > 60 {
		u = strings.TrimRight(u[:60], ".")
	}
	if len(u) < 2 {
		u = "contact" + u
	}
	return u
}

// freeUsername returns base, or base followed by the lowest number from 2
// that no account uses yet (usernames are unique across the deployment).
func (s *Service) freeUsername(ctx context.Context, base string) (string, error) {
	for n := 1; n < 1000; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s%d", base, n)
		}
		var count int
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE username = ?", name).Scan(&count); err != nil {
			return "", err
		}
		if count == 0 {
			return name, nil
		}
	}
	return "", derrors.Conflict("username", "no free username could be derived from the e-mail address; enter one")
}

// CustomerContacts is the Contacts of a customer. Operators who manage
// them read the private notes; the company's own administrators read the
// same list without them (the public notes are shown to them in their
// portal); anybody else is refused as access decides.
func (s *Service) CustomerContacts(ctx context.Context, actor access.Actor, companyID int64) ([]Contact, error) {
	err := s.access.Check(ctx, actor, access.ManageCustomerContacts, access.Company(companyID))
	private := err == nil
	var forb *derrors.ForbiddenError
	if errors.As(err, &forb) {
		err = s.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(companyID))
	}
	if err != nil {
		return nil, fmt.Errorf("tenancy: contacts of company %d: %w", companyID, err)
	}
	cs, err := s.Contacts(ctx, companyID)
	if err != nil {
		return nil, err
	}
	if !private {
		for i := range cs {
			cs[i] = cs[i].Public()
		}
	}
	return cs, nil
}

// CustomerContact is one contact of a customer with its private notes,
// for the operators who manage the customer's contacts.
func (s *Service) CustomerContact(ctx context.Context, actor access.Actor, companyID, accountID int64) (Contact, error) {
	if err := s.access.Check(ctx, actor, access.ManageCustomerContacts, access.Company(companyID)); err != nil {
		return Contact{}, fmt.Errorf("tenancy: contact %d of company %d: %w", accountID, companyID, err)
	}
	return s.Contact(ctx, companyID, accountID)
}

// OwnContact is the caller's own customer-contact record in their company
// (the public notes the provider left them), without the private notes;
// ErrNotFound when the caller is not one of the company's contacts.
func (s *Service) OwnContact(ctx context.Context, actor access.Actor) (Contact, error) {
	if actor.CompanyID == 0 {
		return Contact{}, fmt.Errorf("tenancy: own contact: %w", derrors.ErrNotFound)
	}
	c, err := s.Contact(ctx, actor.CompanyID, actor.AccountID)
	if err != nil {
		return Contact{}, err
	}
	return c.Public(), nil
}

// AddCustomerContact is the control panel's "+" next to Contacts: the
// company administrator account (welcome e-mail, with the generated
// password when none was typed) and its contact details, in one
// transaction, for the operators who manage the customer's contacts.
func (s *Service) AddCustomerContact(ctx context.Context, actor access.Actor, companyID int64, req CustomerContactRequest) (Contact, error) {
	if err := s.access.Check(ctx, actor, access.ManageCustomerContacts, access.Company(companyID)); err != nil {
		return Contact{}, fmt.Errorf("tenancy: add contact to company %d: %w", companyID, err)
	}
	company, err := s.Company(ctx, companyID)
	if err != nil {
		return Contact{}, err
	}
	v := &derrors.ValidationError{}
	req.Email = strings.TrimSpace(req.Email)
	if req.Email == "" {
		v.Add("email", "the login e-mail is required: the contact's password and notices are sent there")
	}
	if err := req.ContactDetails.Validate(req.Password); err != nil {
		v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
	}
	if err := v.Err(); err != nil {
		return Contact{}, err
	}
	var c Contact
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		username := strings.TrimSpace(req.Username)
		if username == "" {
			var err error
			if username, err = s.freeUsername(ctx, UsernameFromEmail(req.Email)); err != nil {
				return err
			}
		}
		e, err := s.AddLogin(ctx, companyID, company.ProviderID, directory.EmployeeCreateRequest{Username: username, Password: req.Password,
			Role: access.RoleCompanyAdmin, FirstName: req.FirstName, LastName: req.LastName, Email: req.Email, Phone: req.Mobile})
		if err != nil {
			return err
		}
		c, err = s.AddContact(ctx, companyID, e.ID, req.ContactDetails)
		return err
	})
	return c, err
}

// ModifyCustomerContact changes a contact's details (the operators who
// manage the customer's contacts).
func (s *Service) ModifyCustomerContact(ctx context.Context, actor access.Actor, companyID, accountID int64, req ContactUpdateRequest) (Contact, error) {
	if err := s.access.Check(ctx, actor, access.ManageCustomerContacts, access.Company(companyID)); err != nil {
		return Contact{}, fmt.Errorf("tenancy: modify contact %d of company %d: %w", accountID, companyID, err)
	}
	return s.UpdateContact(ctx, companyID, accountID, req)
}

// ResetContactPassword is the key icon next to a contact: with password
// empty, "Auto Generate & Email Password"; otherwise the password typed,
// which the contact's notes may not contain. Either way the contact must
// change it at the next login.
func (s *Service) ResetContactPassword(ctx context.Context, actor access.Actor, companyID, accountID int64, password string) error {
	c, err := s.CustomerContact(ctx, actor, companyID, accountID)
	if err != nil {
		return err
	}
	if password == "" {
		_, err := s.Identity.ResetPassword(ctx, actor, accountID)
		return err
	}
	if strings.Contains(c.PublicNotes, password) || (c.PrivateNotes != nil && strings.Contains(*c.PrivateNotes, password)) {
		return derrors.Invalid("password", "the contact's notes contain this password; choose another and never save passwords in notes")
	}
	if err := s.Identity.SetPasswordByAdmin(ctx, actor, accountID, password); err != nil {
		return renameField(err, "new_password", "password")
	}
	return nil
}

// renameField reports a validation error of one field under another name.
func renameField(err error, from, to string) error {
	ve, ok := err.(*derrors.ValidationError)
	if !ok {
		return err
	}
	out := &derrors.ValidationError{}
	for _, f := range ve.Fields {
		if f.Field == from {
			f.Field = to
		}
		out.Fields = append(out.Fields, f)
	}
	return out
}
