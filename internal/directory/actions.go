package directory

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The employee actions of the Business Portal and the control panel. Each
// takes the actor and is the whole action (docs/architecture.md): access,
// then the company flags, then every field, then one transaction holding
// the change, its audit entry and its e-mails. An object the actor may not
// see answers derrors.ErrNotFound, like one that does not exist.

// companyOf is the company an action names: the actor's own when none is
// given. Operators work across companies and must name one; a company
// account naming another company gets ErrNotFound from access.
func companyOf(actor access.Actor, companyID int64) (int64, error) {
	if companyID != 0 {
		return companyID, nil
	}
	if actor.CompanyID == 0 {
		return 0, derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
	}
	return actor.CompanyID, nil
}

// addEmployeeAllowed is the company's "Add Employee" flag, the one place it
// is read: off, only the provider's operators (and resellers) add
// employees to the company. The caller has checked that actor sees it.
func (s *Service) addEmployeeAllowed(ctx context.Context, actor access.Actor, companyID int64) error {
	if actor.IsOperator() {
		return nil
	}
	allowed, err := s.Companies.AddEmployeeAllowed(ctx, companyID)
	if err != nil {
		return err
	}
	if !allowed {
		return derrors.Forbidden("the service provider has not enabled Add Employee for this company")
	}
	return nil
}

// authorizeAdd asks access about each part of an Add Employee request: the
// company (or, for a group admin, every group the new employee joins) and
// the role given, after the company's Add Employee flag. A group the actor
// may not see is answered as a field error naming it, like any unknown id.
func (s *Service) authorizeAdd(ctx context.Context, actor access.Actor, companyID int64, role access.Role, groupIDs []int64) error {
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(companyID)); err != nil {
		return err
	}
	if err := s.addEmployeeAllowed(ctx, actor, companyID); err != nil {
		return err
	}
	if actor.Role == access.RoleGroupAdmin && len(groupIDs) == 0 {
		return derrors.Invalid("group_ids", "name at least one group you administer for the new employee to join")
	}
	if len(groupIDs) == 0 || role == access.RoleCompanyAdmin {
		if err := s.access.Check(ctx, actor, access.CreateEmployee, access.Company(companyID)); err != nil {
			return err
		}
	}
	if role == access.RoleCompanyAdmin {
		if err := s.access.Check(ctx, actor, access.GrantCompanyAdmin, access.Company(companyID)); err != nil {
			return err
		}
	}
	for _, gid := range groupIDs {
		if err := s.access.CheckRef(ctx, actor, access.CreateEmployee, access.Group(gid), "group_ids"); err != nil {
			return err
		}
	}
	return nil
}

// AddEmployeeRefusal is why actor cannot add any employee to companyID, or
// "" — for a page to disable its Save buttons and say why (display only:
// AddEmployee decides). It asks the very checks AddEmployee makes for the
// plainest request (an Employee joining no group), so the page gives the
// reason the action would: the company's flag first, then the role. A
// request lacking only its groups (a group administrator's) is not refused
// here: the form asks for them.
func (s *Service) AddEmployeeRefusal(ctx context.Context, actor access.Actor, companyID int64) (string, error) {
	err := s.authorizeAdd(ctx, actor, companyID, access.RoleEmployee, nil)
	var forb *derrors.ForbiddenError
	switch {
	case err == nil, errors.Is(err, derrors.ErrInvalid):
		return "", nil
	case errors.As(err, &forb):
		return forb.Reason, nil
	}
	return "", err
}

// CanGrantCompanyAdmin reports whether actor may make someone of companyID
// a company administrator, for the role choices a form offers (display
// only: AddEmployee and ModifyEmployee decide).
func (s *Service) CanGrantCompanyAdmin(ctx context.Context, actor access.Actor, companyID int64) bool {
	return s.access.Can(ctx, actor, access.GrantCompanyAdmin, access.Company(companyID))
}

// AddEmployee is Add Employee: access (the company, or each group joined,
// and the role), the company's Add Employee flag, every field at once (the
// password against the provider's policy for the role), then the account,
// its audit entry and its welcome e-mail in one transaction. companyID 0
// is the actor's company. With no password given, one is generated,
// e-mailed, and must be changed at first login.
func (s *Service) AddEmployee(ctx context.Context, actor access.Actor, companyID int64, req EmployeeCreateRequest) (Employee, error) {
	companyID, err := companyOf(actor, companyID)
	if err != nil {
		return Employee{}, err
	}
	if req.Role == "" {
		req.Role = access.RoleEmployee
	}
	if err := s.authorizeAdd(ctx, actor, companyID, req.Role, req.GroupIDs); err != nil {
		return Employee{}, fmt.Errorf("directory: add employee: %w", err)
	}
	e, err := s.CreateAndWelcome(ctx, companyID, actor.ProviderID, req)
	if err != nil {
		return Employee{}, fmt.Errorf("directory: add employee: %w", err)
	}
	return e, nil
}

// CreateAndWelcome is Add Employee once access has allowed it (AddEmployee,
// and the control panel's customer contacts, which create a login for a
// contact): every field checked at once, the password against the
// provider's policy, then the account and its welcome e-mail in one
// transaction.
func (s *Service) CreateAndWelcome(ctx context.Context, companyID, providerID int64, req EmployeeCreateRequest) (Employee, error) {
	v := &derrors.ValidationError{}
	if err := req.Validate(); err != nil {
		v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
	}
	if req.PasswordConfirm != nil && *req.PasswordConfirm != req.Password {
		v.Add("password_confirm", "the two passwords do not match")
	}
	generated := ""
	if req.Password == "" {
		if req.Email == "" {
			v.Add("password", "give a password, or an e-mail address so a generated one can be sent")
		}
		st, err := s.Identity.Settings(ctx, providerID)
		if err != nil {
			return Employee{}, err
		}
		if generated, err = identity.GeneratePassword(st.PolicyFor(req.Role)); err != nil {
			return Employee{}, err
		}
		req.Password = generated
	} else if err := s.Identity.CheckPassword(ctx, providerID, req.Role, "password", req.Password, []string{req.Phone}); err != nil {
		var ve *derrors.ValidationError
		if !errors.As(err, &ve) {
			return Employee{}, err
		}
		v.Fields = append(v.Fields, ve.Fields...)
	}
	if err := v.Err(); err != nil {
		return Employee{}, err
	}
	hash, err := s.Identity.HashPassword(req.Password)
	if err != nil {
		return Employee{}, err
	}
	var e Employee
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = s.CreateEmployee(ctx, companyID, providerID, req, hash); err != nil {
			return err
		}
		if generated != "" {
			if err := s.Identity.RequirePasswordChange(ctx, e.ID); err != nil {
				return err
			}
		}
		return s.Identity.SendWelcome(ctx, e.ID, generated)
	})
	return e, err
}

// EmployeeFor loads employee id for actor after access allowed action on
// them (ErrNotFound when the actor may not see them). The pages and
// handlers of other domains use it to load the employee an action of
// theirs is about; a change still goes through that domain's own method.
func (s *Service) EmployeeFor(ctx context.Context, actor access.Actor, action access.Action, id int64) (Employee, error) {
	if err := s.access.Check(ctx, actor, action, access.Employee(id)); err != nil {
		return Employee{}, fmt.Errorf("directory: employee %d: %w", id, err)
	}
	return s.Employee(ctx, id)
}

// ViewEmployee is an employee's Profile.
func (s *Service) ViewEmployee(ctx context.Context, actor access.Actor, id int64) (Employee, error) {
	return s.EmployeeFor(ctx, actor, access.ViewEmployee, id)
}

// ListEmployees is Employee Selection: a page of companyID's employees (0:
// the actor's company) that the actor's scope holds, with the total.
func (s *Service) ListEmployees(ctx context.Context, actor access.Actor, companyID int64, f EmployeeFilter, p store.Page) ([]Employee, int, error) {
	p.Count = true
	pg, err := s.ListEmployeesPage(ctx, actor, companyID, f, p)
	return pg.Items, pg.Total, err
}

// ListEmployeesPage is ListEmployees for the API: p.After continues a keyset
// walk, and the total is counted only when p.Count asks (docs/performance.md).
// The scope is computed again for every page; a cursor only positions.
func (s *Service) ListEmployeesPage(ctx context.Context, actor access.Actor, companyID int64, f EmployeeFilter, p store.Page) (EmployeePage, error) {
	none := EmployeePage{Total: -1}
	companyID, err := companyOf(actor, companyID)
	if err != nil {
		return none, err
	}
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(companyID)); err != nil {
		return none, fmt.Errorf("directory: list employees: %w", err)
	}
	if f.Role != "" && !f.Role.IsCompanyRole() {
		return none, derrors.Invalid("role", "role must be company_admin, group_admin or employee")
	}
	switch f.Status {
	case "", StatusInactive, StatusPending, StatusActive, StatusError:
	default:
		return none, derrors.Invalid("status", "status must be inactive, pending, active or error")
	}
	if !ValidSort(f.Sort) {
		return none, derrors.Invalid("sort", "sort must be one of username, first_name, last_name, status, created_at (prefix '-' for descending)")
	}
	sc, err := s.access.Scope(ctx, actor)
	if err != nil {
		return none, err
	}
	return s.listEmployees(ctx, companyID, sc, f, &p)
}

// ModifyEmployee is Save on an employee's Profile. Access decides the
// profile change, a role change (and making someone a company admin) and a
// change of someone else's security e-mail, whose old address is told in
// the same transaction. Nobody changes their own e-mail here: it is the
// security e-mail, which changes only through a confirmed link
// (identity.RequestSecurityEmailChange). docs/security.md has the rule.
func (s *Service) ModifyEmployee(ctx context.Context, actor access.Actor, id int64, req EmployeeUpdateRequest) (Employee, error) {
	e, err := s.EmployeeFor(ctx, actor, access.UpdateEmployee, id)
	if err != nil {
		return Employee{}, err
	}
	if _, err := s.authorizeModify(ctx, actor, e, req); err != nil {
		return Employee{}, fmt.Errorf("directory: modify employee %d: %w", id, err)
	}
	var after Employee
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if after, err = s.UpdateEmployee(ctx, id, req); err != nil {
			return err
		}
		return s.tellOldAddress(ctx, e, after)
	})
	if err != nil {
		return Employee{}, err
	}
	return after, nil
}

// EmailChange reports whether req writes a security e-mail other than e's.
func (r EmployeeUpdateRequest) EmailChange(e Employee) bool {
	return r.Email != nil && !strings.EqualFold(strings.TrimSpace(*r.Email), e.Email)
}

// authorizeModify asks access about the parts of a profile change beyond
// the profile itself: the role and the security e-mail. Imports ask it for
// each row of Update Current Users, so every path obeys one rule. A
// refusal comes with the field it is about.
func (s *Service) authorizeModify(ctx context.Context, actor access.Actor, e Employee, req EmployeeUpdateRequest) (string, error) {
	if req.RoleChange(e) {
		if err := s.access.Check(ctx, actor, access.ChangeEmployeeRole, access.Employee(e.ID)); err != nil {
			return "role", err
		}
		if *req.Role == access.RoleCompanyAdmin {
			if err := s.access.Check(ctx, actor, access.GrantCompanyAdmin, access.Company(e.CompanyID)); err != nil {
				return "role", err
			}
		}
	}
	if req.EmailChange(e) {
		if e.ID == actor.AccountID {
			return "email", derrors.Invalid("email", "your e-mail address is your security e-mail: change it under My Account > Change Security Email, which sends a confirmation link")
		}
		if err := s.access.Check(ctx, actor, access.ChangeSecurityEmail, access.Employee(e.ID)); err != nil {
			return "email", err
		}
	}
	return "", nil
}

// AuthorizeModify is authorizeModify for a caller that applies the change
// later with UpdateEmployee and TellOldAddress (Import Employees in update
// mode): it returns the refusal and the field (role or email) it is about.
// The caller has checked access.UpdateEmployee on e.
func (s *Service) AuthorizeModify(ctx context.Context, actor access.Actor, e Employee, req EmployeeUpdateRequest) (field string, err error) {
	return s.authorizeModify(ctx, actor, e, req)
}

// TellOldAddress e-mails before's security address when after has another
// one, in the transaction in ctx (nothing when it did not change).
func (s *Service) TellOldAddress(ctx context.Context, before, after Employee) error {
	return s.tellOldAddress(ctx, before, after)
}

func (s *Service) tellOldAddress(ctx context.Context, before, after Employee) error {
	if strings.EqualFold(before.Email, after.Email) || before.Email == "" {
		return nil
	}
	return s.Identity.NotifySecurityEmailChanged(ctx, after.ID, before.Email, after.Email)
}

// DeleteEmployee is Delete on an employee: the account goes for good, its
// service released in the same transaction (BeforeDelete).
func (s *Service) DeleteEmployee(ctx context.Context, actor access.Actor, id int64) error {
	if err := s.access.Check(ctx, actor, access.DeleteEmployee, access.Employee(id)); err != nil {
		return fmt.Errorf("directory: delete employee %d: %w", id, err)
	}
	return s.deleteEmployee(ctx, id)
}

// GroupLinks names the two check-box lists between groups and employees.
type GroupLinks string

const (
	// Memberships is Group Memberships / Group Members.
	Memberships GroupLinks = "memberships"
	// Administrators is Admin Privileges / Group Admins.
	Administrators GroupLinks = "administrators"
)

func (k GroupLinks) groupAction() access.Action {
	if k == Administrators {
		return access.ManageGroupAdmins
	}
	return access.ManageGroupMember
}

func (k GroupLinks) apply(s *Service, ctx context.Context, add, remove []Link) error {
	if k == Administrators {
		return s.ChangeGroupAdmins(ctx, add, remove)
	}
	return s.ChangeMembers(ctx, add, remove)
}

// EmployeeGroups is an employee's Group Memberships or Admin Privileges:
// the groups in the actor's scope with whether the employee is linked.
func (s *Service) EmployeeGroups(ctx context.Context, actor access.Actor, id int64, k GroupLinks, f LinkFilter) ([]LinkedGroup, error) {
	e, err := s.EmployeeFor(ctx, actor, access.ViewEmployee, id)
	if err != nil {
		return nil, err
	}
	sc, err := s.access.Scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	if k == Administrators {
		return s.AdminPrivileges(ctx, e.ID, sc, f)
	}
	return s.Memberships(ctx, e.ID, sc, f)
}

// ChangeEmployeeGroups is Save on an employee's Group Memberships or Admin
// Privileges: the actor must manage the employee and every group touched
// (a group they may not see is an unknown id in its field).
func (s *Service) ChangeEmployeeGroups(ctx context.Context, actor access.Actor, id int64, k GroupLinks, c LinkChange) error {
	if _, err := s.EmployeeFor(ctx, actor, access.ManageMemberships, id); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	links := func(ids []int64, field string) ([]Link, error) {
		var out []Link
		for _, gid := range ids {
			if err := s.access.CheckRef(ctx, actor, k.groupAction(), access.Group(gid), field); err != nil {
				return nil, err
			}
			out = append(out, Link{GroupID: gid, AccountID: id})
		}
		return out, nil
	}
	add, err := links(c.Add, "add")
	if err != nil {
		return err
	}
	remove, err := links(c.Remove, "remove")
	if err != nil {
		return err
	}
	return k.apply(s, ctx, add, remove)
}

// Refusal is why actor may not do action on t, "" when they may, for what a
// page shows next to a greyed-out form (display only: the action decides).
// An object the actor may not see, or a fault, is an error.
func (s *Service) Refusal(ctx context.Context, actor access.Actor, action access.Action, t access.Target) (string, error) {
	err := s.access.Check(ctx, actor, action, t)
	var forb *derrors.ForbiddenError
	switch {
	case err == nil:
		return "", nil
	case errors.As(err, &forb):
		return forb.Reason, nil
	}
	return "", err
}
