// Package directory owns a company's organisation: sites (top-level groups the
// provider creates), groups of any depth under them, employees (the company's
// accounts), group administrators and group members.
package directory

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service manages groups and employees. Its exported methods that take an
// access.Actor are the product's actions, each whole: access, flags,
// validation, transaction, audit (docs/architecture.md). The others are the
// primitives those actions, imports and fixtures build on, for callers that
// have decided access themselves.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
	// Identity judges, hashes and mails passwords and e-mails accounts;
	// Companies answers the company flags (tenancy.Service). app.New sets
	// both; the actions that create accounts or change security e-mails
	// need them.
	Identity  *identity.Service
	Companies CompanyFlags
	// BeforeDelete, when set, runs inside DeleteEmployee's transaction
	// before the account goes, so the employee's service (number,
	// extension, offering, device) is released with it (internal/lifecycle).
	BeforeDelete func(ctx context.Context, e Employee) error
}

// CompanyFlags reads the provider's switches on a company; tenancy owns
// them and reads each in one place.
type CompanyFlags interface {
	AddEmployeeAllowed(ctx context.Context, companyID int64) (bool, error)
}

// New returns a Service.
func New(db *store.DB, log *audit.Log) *Service {
	return &Service{db: db, audit: log, access: access.New(db)}
}

// Address is a postal address; for a site it is the emergency location.
type Address struct {
	Line1    string `json:"line1"`
	Line2    string `json:"line2"`
	City     string `json:"city"`
	Postcode string `json:"postcode"`
	Country  string `json:"country"`
}

func (a *Address) trim() {
	for _, f := range []*string{&a.Line1, &a.Line2, &a.City, &a.Postcode, &a.Country} {
		*f = strings.TrimSpace(*f)
	}
}

// validate reports each address field that is too long or not one line of
// text, under prefix+name ("address.line1"), so a form shows the message
// next to its field. The limits are those of a personal contact's address.
func (a *Address) validate(v *derrors.ValidationError, prefix string) {
	for _, f := range []struct {
		name, label, value string
		max                int
	}{
		{"line1", "address line 1", a.Line1, 128},
		{"line2", "address line 2", a.Line2, 128},
		{"city", "the town or city", a.City, 128},
		{"postcode", "the postcode", a.Postcode, 32},
		{"country", "the country", a.Country, 128},
	} {
		switch {
		case utf8.RuneCountInString(f.value) > f.max:
			v.Add(prefix+f.name, "%s must be at most %d characters", f.label, f.max)
		case strings.ContainsFunc(f.value, unicode.IsControl):
			v.Add(prefix+f.name, "%s must be one line of text, without tabs or control characters", f.label)
		}
	}
}

// String is the address on one line.
func (a Address) String() string {
	var parts []string
	for _, f := range []string{a.Line1, a.Line2, a.City, a.Postcode, a.Country} {
		if f != "" {
			parts = append(parts, f)
		}
	}
	return strings.Join(parts, ", ")
}

// scopeCondition returns the SQL that limits rows to a group admin's subtrees.
// pathExpr is the column holding a group path. It returns "" for an
// unrestricted scope and a false condition for an empty one.
func scopeCondition(sc access.Scope, pathExpr string) (string, []any) {
	if sc.GroupPaths == nil {
		return "", nil
	}
	if len(sc.GroupPaths) == 0 {
		return "1 = 0", nil
	}
	conds := make([]string, len(sc.GroupPaths))
	args := make([]any, len(sc.GroupPaths))
	for i, p := range sc.GroupPaths {
		conds[i] = pathExpr + ` LIKE ? ESCAPE '\'`
		args[i] = store.Like(p) + "%"
	}
	return "(" + strings.Join(conds, " OR ") + ")", args
}
