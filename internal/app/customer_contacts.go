package app

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
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
	tenancy.ContactDetails
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
func (a *App) freeUsername(ctx context.Context, base string) (string, error) {
	for n := 1; n < 1000; n++ {
		name := base
		if n > 1 {
			name = fmt.Sprintf("%s%d", base, n)
		}
		var count int
		if err := a.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE username = ?", name).Scan(&count); err != nil {
			return "", err
		}
		if count == 0 {
			return name, nil
		}
	}
	return "", derrors.Conflict("username", "no free username could be derived from the e-mail address; enter one")
}

// AddCustomerContact creates a customer contact once access allowed
// access.ManageCustomerContacts on the company: the company administrator
// account (welcome e-mail, with the generated password when none was typed)
// and its contact details, in one transaction.
func (a *App) AddCustomerContact(ctx context.Context, companyID, providerID int64, req CustomerContactRequest) (tenancy.Contact, error) {
	v := &derrors.ValidationError{}
	req.Email = strings.TrimSpace(req.Email)
	if req.Email == "" {
		v.Add("email", "the login e-mail is required: the contact's password and notices are sent there")
	}
	if err := req.ContactDetails.Validate(req.Password); err != nil {
		v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
	}
	if err := v.Err(); err != nil {
		return tenancy.Contact{}, err
	}
	var c tenancy.Contact
	err := a.DB.Tx(ctx, func(ctx context.Context) error {
		username := strings.TrimSpace(req.Username)
		if username == "" {
			var err error
			if username, err = a.freeUsername(ctx, UsernameFromEmail(req.Email)); err != nil {
				return err
			}
		}
		e, err := a.AddEmployee(ctx, companyID, providerID, directory.EmployeeCreateRequest{Username: username, Password: req.Password,
			Role: access.RoleCompanyAdmin, FirstName: req.FirstName, LastName: req.LastName, Email: req.Email, Phone: req.Mobile})
		if err != nil {
			return err
		}
		c, err = a.Tenancy.AddContact(ctx, companyID, e.ID, req.ContactDetails)
		return err
	})
	return c, err
}

// ResetContactPassword is the key icon next to a contact: with password
// empty, "Auto Generate & Email Password"; otherwise the password typed,
// which the contact's notes may not contain. Either way the contact must
// change it at the next login. identity checks that actor may reset it.
func (a *App) ResetContactPassword(ctx context.Context, actor access.Actor, companyID, accountID int64, password string) error {
	c, err := a.Tenancy.Contact(ctx, companyID, accountID)
	if err != nil {
		return err
	}
	if password == "" {
		_, err := a.Identity.ResetPassword(ctx, actor, accountID)
		return err
	}
	if strings.Contains(c.PublicNotes, password) || (c.PrivateNotes != nil && strings.Contains(*c.PrivateNotes, password)) {
		return derrors.Invalid("password", "the contact's notes contain this password; choose another and never save passwords in notes")
	}
	if err := a.Identity.SetPasswordByAdmin(ctx, actor, accountID, password); err != nil {
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
