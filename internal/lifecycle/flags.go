package lifecycle

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Flags are the company's service-provider switches that decide what its
// own administrators may do (docs/lifecycle.md, "Company flags").
type Flags struct {
	// ConfigAndReg: "Config & Reg" (adds, moves and changes).
	ConfigAndReg bool
	// AddEmployee: Add Employee and activation.
	AddEmployee bool
}

// CompanyFlags reads companyID's flags: the one place they are read for
// the employee lifecycle (and, through RequireConfigAndReg, for imports).
func CompanyFlags(ctx context.Context, db *store.DB, companyID int64) (f Flags, err error) {
	err = db.Q(ctx).QueryRow(ctx, "SELECT config_and_reg, add_employee FROM companies WHERE id = ?", companyID).
		Scan(&f.ConfigAndReg, &f.AddEmployee)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("company %d: %w", companyID, derrors.ErrNotFound)
	}
	if err != nil {
		return f, fmt.Errorf("lifecycle: flags of company %d: %w", companyID, err)
	}
	return f, nil
}

// FlagAllows is the one rule for a company flag: the flag limits the
// company's own administrators ("if the service provider has enabled
// Config & Reg for this Company, then Company/Group Administrators will be
// able to…"), never the service provider's operators (provider and
// reseller), who set the flag and act for the customer.
func FlagAllows(actor access.Actor, on bool) bool { return on || actor.IsOperator() }

// RequireConfigAndReg refuses actor a config & reg change (number,
// extension, user type, language, package, term, add-ons, device, cease,
// an employee import) in companyID when the company does not have the
// flag; operators are exempt (FlagAllows). The refusal is a ForbiddenError
// with ReasonConfigAndReg.
func RequireConfigAndReg(ctx context.Context, db *store.DB, actor access.Actor, companyID int64) error {
	f, err := CompanyFlags(ctx, db, companyID)
	if err != nil {
		return err
	}
	if !FlagAllows(actor, f.ConfigAndReg) {
		return derrors.Forbidden(ReasonConfigAndReg)
	}
	return nil
}

// requireActivation refuses actor an activation in companyID when the
// company's "add employee" flag is off (the portal greys out Save and
// Activate); operators are exempt (FlagAllows).
func (s *Service) requireActivation(ctx context.Context, actor access.Actor, companyID int64) error {
	f, err := CompanyFlags(ctx, s.db, companyID)
	if err != nil {
		return err
	}
	if !FlagAllows(actor, f.AddEmployee) {
		return derrors.Forbidden(ReasonActivation)
	}
	return nil
}

// Permissions is what the lifecycle pages may offer actor for one employee:
// display only, each change asks again (docs/architecture.md).
type Permissions struct {
	// Manage: Service Settings may be saved (the names at least);
	// ManageNote says why not.
	Manage     bool
	ManageNote string
	// Config: the config & reg parts may change; ConfigNote says why not.
	Config     bool
	ConfigNote string
	// Cease: Deactivate is offered; CeaseNote says why not. CeaseAccess:
	// access allows it (the company flag may still refuse it).
	Cease       bool
	CeaseAccess bool
	CeaseNote   string
}

// PermissionsFor answers Permissions for actor on employeeID, whose
// service is svc. The actor must see the employee (the caller read svc
// through ServiceOf).
func (s *Service) PermissionsFor(ctx context.Context, actor access.Actor, svc EmployeeService) (p Permissions, err error) {
	defer derrors.Wrap(&err, "lifecycle: permissions on employee %d", svc.EmployeeID)
	var forb *derrors.ForbiddenError
	switch err := s.access.Check(ctx, actor, access.ManageService, access.Employee(svc.EmployeeID)); {
	case err == nil:
		p.Manage = true
	case errors.As(err, &forb):
		p.ManageNote = sentenceOf(forb.Reason)
	default:
		return p, err
	}
	f, err := CompanyFlags(ctx, s.db, svc.CompanyID)
	if err != nil {
		return p, err
	}
	active := svc.Status == "active"
	switch {
	case !p.Manage:
		p.ConfigNote = p.ManageNote
	case !FlagAllows(actor, f.ConfigAndReg):
		p.ConfigNote = sentenceOf(ReasonConfigAndReg) + " These settings are shown read-only; ask your service provider to change them."
	case !active:
		p.ConfigNote = "These settings belong to an active service: activate the employee first."
	default:
		p.Config = true
	}
	switch err := s.access.Check(ctx, actor, access.CeaseEmployee, access.Employee(svc.EmployeeID)); {
	case errors.As(err, &forb):
		p.CeaseNote = sentenceOf(forb.Reason)
	case err != nil:
		return p, err
	case !FlagAllows(actor, f.ConfigAndReg):
		p.CeaseAccess = true
		p.CeaseNote = sentenceOf(ReasonConfigAndReg)
	default:
		p.Cease, p.CeaseAccess = true, true
	}
	return p, nil
}

// sentenceOf makes a reason a sentence: capital first, full stop last.
func sentenceOf(s string) string {
	if s == "" {
		return s
	}
	b := []rune(s)
	if b[0] >= 'a' && b[0] <= 'z' {
		b[0] -= 'a' - 'A'
	}
	if last := b[len(b)-1]; last != '.' && last != '!' && last != '?' {
		b = append(b, '.')
	}
	return string(b)
}
