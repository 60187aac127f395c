package tenancy

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Contact is one of a customer's contacts in the control panel: a login of
// the company (a company administrator account) with the provider's notes
// about it. Names, username and e-mail are the account's.
type Contact struct {
	AccountID int64  `json:"id"`
	CompanyID int64  `json:"company_id"`
	Username  string `json:"username"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	// Email is the contact's login e-mail (the account's e-mail address).
	Email  string `json:"email"`
	Mobile string `json:"mobile"`
	// PublicNotes are shown to the customer in their portal.
	PublicNotes string `json:"public_notes"`
	// PrivateNotes are for the provider's operators only; Public clears
	// them (nil) before a contact is shown to anybody else.
	PrivateNotes   *string   `json:"private_notes,omitempty"`
	MobileVerified bool      `json:"mobile_verified"`
	EmailVerified  bool      `json:"email_verified"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Name is "First Last", or the username when the account has no names.
func (c Contact) Name() string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.Username
}

// Public returns c without its private notes.
func (c Contact) Public() Contact {
	c.PrivateNotes = nil
	return c
}

// ContactDetails are the control panel's fields of a contact besides the
// login itself.
type ContactDetails struct {
	Mobile         string `json:"mobile"`
	PublicNotes    string `json:"public_notes"`
	PrivateNotes   string `json:"private_notes"`
	MobileVerified bool   `json:"mobile_verified"`
	EmailVerified  bool   `json:"email_verified"`
}

// ContactUpdateRequest changes a contact's details; nil fields are left alone.
type ContactUpdateRequest struct {
	Mobile         *string `json:"mobile"`
	PublicNotes    *string `json:"public_notes"`
	PrivateNotes   *string `json:"private_notes"`
	MobileVerified *bool   `json:"mobile_verified"`
	EmailVerified  *bool   `json:"email_verified"`
}

// MaxNoteLength bounds each notes field.
const MaxNoteLength = 2000

// NotesWarning is the control panel's warning shown next to the notes.
const NotesWarning = "Do not save passwords in either of the notes fields."

// passwordInNote spots a password written into a note ("password: x",
// "pwd=x", "pw - x").
var passwordInNote = regexp.MustCompile(`(?i)\b(password|passwd|passcode|pwd|pw)\s*(is|[:=\-])\s*\S+`)

// Validate trims the details and checks them. password, when not empty, is
// the password typed for the contact, which no note may contain.
func (d *ContactDetails) Validate(password string) error {
	v := &derrors.ValidationError{}
	d.Mobile = strings.TrimSpace(d.Mobile)
	if d.Mobile != "" && !validMobile(d.Mobile) {
		v.Add("mobile", "a mobile number may hold only digits, spaces, '+', '(', ')' and '-' (at least 6 digits)")
	}
	d.PublicNotes = checkNote(v, "public_notes", d.PublicNotes, password)
	d.PrivateNotes = checkNote(v, "private_notes", d.PrivateNotes, password)
	return v.Err()
}

func checkNote(v *derrors.ValidationError, field, note, password string) string {
	note = strings.TrimSpace(note)
	switch {
	case utf8.RuneCountInString(note) > MaxNoteLength:
		v.Add(field, "notes must be at most %d characters", MaxNoteLength)
	case password != "" && strings.Contains(note, password):
		v.Add(field, "the notes contain the contact's password: never save passwords in notes")
	case passwordInNote.MatchString(note):
		v.Add(field, "the notes look like they hold a password: never save passwords in notes")
	}
	return note
}

func validMobile(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ()-", r):
		default:
			return false
		}
	}
	return digits >= 6 && digits <= 20
}

// auditView is what the audit log records of a contact: never the private
// notes (company administrators read their company's audit log), only
// whether they are set.
func (c Contact) auditView() map[string]any {
	return map[string]any{"username": c.Username, "mobile": c.Mobile, "public_notes": c.PublicNotes,
		"private_notes_set": c.PrivateNotes != nil && *c.PrivateNotes != "",
		"mobile_verified":   c.MobileVerified, "email_verified": c.EmailVerified}
}

// AddContact records the contact details of accountID, a login of
// companyID created in the same transaction (see AddCustomerContact).
// The caller has validated d.
func (s *Service) AddContact(ctx context.Context, companyID, accountID int64, d ContactDetails) (c Contact, err error) {
	defer derrors.Wrap(&err, "tenancy: add contact %d to company %d", accountID, companyID)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		now := store.Now()
		if _, err := s.db.Q(ctx).Exec(ctx, `INSERT INTO customer_contacts (account_id, company_id, mobile, public_notes, private_notes,
			mobile_verified, email_verified, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			accountID, companyID, d.Mobile, d.PublicNotes, d.PrivateNotes, d.MobileVerified, d.EmailVerified, now, now); err != nil {
			return err
		}
		if c, err = s.Contact(ctx, companyID, accountID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Customer Contact", ObjectKind: "customer_contact", ObjectID: accountID, ObjectName: c.Username,
			CompanyID: companyID, After: c.auditView()})
	})
	return c, err
}

// UpdateContact changes a contact's details. Notes are checked for
// passwords as when the contact was added.
func (s *Service) UpdateContact(ctx context.Context, companyID, accountID int64, req ContactUpdateRequest) (c Contact, err error) {
	defer derrors.Wrap(&err, "tenancy: update contact %d", accountID)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Contact(ctx, companyID, accountID)
		if err != nil {
			return err
		}
		d := ContactDetails{Mobile: before.Mobile, PublicNotes: before.PublicNotes, MobileVerified: before.MobileVerified,
			EmailVerified: before.EmailVerified}
		if before.PrivateNotes != nil {
			d.PrivateNotes = *before.PrivateNotes
		}
		set(&d.Mobile, req.Mobile)
		set(&d.PublicNotes, req.PublicNotes)
		set(&d.PrivateNotes, req.PrivateNotes)
		set(&d.MobileVerified, req.MobileVerified)
		set(&d.EmailVerified, req.EmailVerified)
		if err := d.Validate(""); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, `UPDATE customer_contacts SET mobile = ?, public_notes = ?, private_notes = ?,
			mobile_verified = ?, email_verified = ?, updated_at = ? WHERE account_id = ? AND company_id = ?`,
			d.Mobile, d.PublicNotes, d.PrivateNotes, d.MobileVerified, d.EmailVerified, store.Now(), accountID, companyID); err != nil {
			return err
		}
		if c, err = s.Contact(ctx, companyID, accountID); err != nil {
			return err
		}
		after := c.auditView()
		if req.PrivateNotes != nil && *req.PrivateNotes != *before.PrivateNotes {
			after["private_notes_changed"] = true
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Customer Contact", ObjectKind: "customer_contact", ObjectID: accountID, ObjectName: c.Username,
			CompanyID: companyID, Before: before.auditView(), After: after})
	})
	return c, err
}

const contactSelect = `SELECT a.id, a.company_id, a.username, a.first_name, a.last_name, a.email, cc.mobile, cc.public_notes, cc.private_notes,
	cc.mobile_verified, cc.email_verified, cc.updated_at
	FROM customer_contacts cc JOIN accounts a ON a.id = cc.account_id`

func scanContact(row interface{ Scan(...any) error }) (Contact, error) {
	var c Contact
	var private string
	var updated int64
	err := row.Scan(&c.AccountID, &c.CompanyID, &c.Username, &c.FirstName, &c.LastName, &c.Email, &c.Mobile, &c.PublicNotes, &private,
		&c.MobileVerified, &c.EmailVerified, &updated)
	c.PrivateNotes, c.UpdatedAt = &private, store.Time(updated)
	return c, err
}

// Contact returns one contact of companyID (with its private notes).
func (s *Service) Contact(ctx context.Context, companyID, accountID int64) (Contact, error) {
	c, err := scanContact(s.db.Q(ctx).QueryRow(ctx, contactSelect+" WHERE cc.company_id = ? AND cc.account_id = ?", companyID, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return Contact{}, fmt.Errorf("tenancy: contact %d: %w", accountID, derrors.ErrNotFound)
	}
	return c, err
}

// Contacts lists companyID's contacts by name (with their private notes).
func (s *Service) Contacts(ctx context.Context, companyID int64) ([]Contact, error) {
	rows, err := s.db.Q(ctx).Query(ctx, contactSelect+" WHERE cc.company_id = ? ORDER BY lower(a.last_name), lower(a.first_name), a.username", companyID)
	if err != nil {
		return nil, fmt.Errorf("tenancy: contacts of company %d: %w", companyID, err)
	}
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}
