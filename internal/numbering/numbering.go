// Package numbering owns a site's telephone numbers and a company's internal
// numbers: the DN ranges the provider assigns to a site, the site number
// pool materialised from them (available, assigned to an employee or to a
// group function, returned after a cease), extensions with the site's
// extension policy and the codes the public network refuses, and the
// control panel's number range parameters and internal number blocks.
//
// The service trusts its caller for permissions (the access package and the
// handlers decide who may do what) but validates every input and keeps every
// query scoped to the company it is given.
package numbering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service manages ranges, numbers, extensions and internal number blocks.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
}

// New returns a Service.
func New(db *store.DB, log *audit.Log) *Service {
	return &Service{db: db, audit: log, access: access.New(db)}
}

// OwnerKind says what holds a number or an extension.
type OwnerKind string

const (
	// OwnerUser is an employee account; Owner.ID is the account id.
	OwnerUser OwnerKind = "user"
	// OwnerEGF is an enhanced group function (auto attendant, hunt group,
	// call centre …); Owner.ID is the function's id in the package that owns
	// it, and Name is how the portal shows it. The portal's Search Tool calls
	// these "EGF".
	OwnerEGF OwnerKind = "egf"
)

// Owner holds a number or an extension.
type Owner struct {
	Kind OwnerKind `json:"kind"`
	ID   int64     `json:"id"`
	Name string    `json:"name"`
}

// resolveOwner checks o belongs to companyID and fills the display name of a
// user from the account, so the pool and the Search Tool show a name without
// another lookup.
func (s *Service) resolveOwner(ctx context.Context, companyID int64, o Owner) (Owner, error) {
	o.Name = strings.TrimSpace(o.Name)
	switch o.Kind {
	case OwnerUser:
		if o.ID <= 0 {
			return o, derrors.Invalid("owner.id", "choose the employee who gets it")
		}
		var username, first, last string
		err := s.db.Q(ctx).QueryRow(ctx, "SELECT username, first_name, last_name FROM accounts WHERE id = ? AND company_id = ?",
			o.ID, companyID).Scan(&username, &first, &last)
		if errors.Is(err, sql.ErrNoRows) {
			return o, derrors.Invalid("owner.id", "employee %d does not exist", o.ID)
		}
		if err != nil {
			return o, err
		}
		o.Name = strings.TrimSpace(first + " " + last)
		if o.Name == "" {
			o.Name = username
		}
		return o, nil
	case OwnerEGF:
		v := &derrors.ValidationError{}
		if o.ID <= 0 {
			v.Add("owner.id", "a group function needs its id")
		}
		if o.Name == "" {
			v.Add("owner.name", "a group function needs a name")
		} else if len(o.Name) > 100 {
			v.Add("owner.name", "a group function name must be at most 100 characters")
		}
		return o, v.Err()
	default:
		return o, derrors.Invalid("owner.kind", "the owner must be a user or an egf (group function)")
	}
}

// site checks siteID is a site of companyID and returns its name.
func (s *Service) site(ctx context.Context, companyID, siteID int64) (string, error) {
	var name string
	var isSite bool
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT name, is_site FROM org_groups WHERE id = ? AND company_id = ?", siteID, companyID).Scan(&name, &isSite)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !isSite) {
		return "", fmt.Errorf("site %d: %w", siteID, derrors.ErrNotFound)
	}
	return name, err
}

// companyRegion returns the provider of companyID and its default region, the
// region national numbers are read in.
func (s *Service) companyRegion(ctx context.Context, companyID int64) (providerID int64, region string, err error) {
	err = s.db.Q(ctx).QueryRow(ctx, `SELECT p.id, p.default_region FROM companies c JOIN providers p ON p.id = c.provider_id
		WHERE c.id = ?`, companyID).Scan(&providerID, &region)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", fmt.Errorf("company %d: %w", companyID, derrors.ErrNotFound)
	}
	return providerID, region, err
}

func (s *Service) providerRegion(ctx context.Context, providerID int64) (string, error) {
	var region string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT default_region FROM providers WHERE id = ?", providerID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("provider %d: %w", providerID, derrors.ErrNotFound)
	}
	return region, err
}

// ParseNumber reads a telephone number written in E.164 (+44 113 496 0000),
// international (0044 …) or national (0113 496 0000) form, national numbers
// in region, and returns it parsed. Spaces, dots, dashes and brackets are
// ignored. field names the input in the error.
func ParseNumber(field, input, region string) (*phonenumbers.PhoneNumber, error) {
	in := strings.TrimSpace(input)
	if in == "" {
		return nil, derrors.Invalid(field, "enter a telephone number")
	}
	for _, r := range in {
		if !strings.ContainsRune("0123456789+ ()-./", r) {
			return nil, derrors.Invalid(field, "%q is not a telephone number: use digits, with + for the E.164 form", input)
		}
	}
	num, err := phonenumbers.Parse(in, region)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return nil, derrors.Invalid(field, "%q is not a valid telephone number: write it as +44… (E.164) or in the national form 0…", input)
	}
	return num, nil
}

// E164 formats num as +<digits>.
func E164(num *phonenumbers.PhoneNumber) string { return phonenumbers.Format(num, phonenumbers.E164) }

// National formats an E.164 number the way callers in region dial it
// ("0113 496 0000"); a number that does not parse is returned unchanged.
func National(e164, region string) string {
	num, err := phonenumbers.Parse(e164, region)
	if err != nil {
		return e164
	}
	return phonenumbers.Format(num, phonenumbers.NATIONAL)
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}
