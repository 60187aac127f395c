// Package access decides every permission in Switchboard: may this actor do
// this action on this object. Handlers ask it; they never work permissions out
// themselves.
//
// The rules (docs/security.md, "Who may do what"):
//   - provider operator: everything of its provider;
//   - reseller admin: the companies of its reseller;
//   - company admin: the whole company, except what only the provider does
//     (creating sites and companies, commercial company fields);
//   - group admin: the groups assigned to them and all their sub-groups, never
//     upward or sideways, and the employees who are members of those groups;
//   - employee: themselves.
//
// An object the actor may not see answers ErrNotFound, exactly as an object
// that does not exist, so no response reveals another company's data.
package access

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Role is an account's level of access.
type Role string

const (
	RoleProvider     Role = "provider"
	RoleReseller     Role = "reseller"
	RoleCompanyAdmin Role = "company_admin"
	RoleGroupAdmin   Role = "group_admin"
	RoleEmployee     Role = "employee"
)

// CompanyRoles are the roles an employee account may have.
var CompanyRoles = []Role{RoleCompanyAdmin, RoleGroupAdmin, RoleEmployee}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleProvider, RoleReseller, RoleCompanyAdmin, RoleGroupAdmin, RoleEmployee:
		return true
	}
	return false
}

// IsCompanyRole reports whether r belongs to a company's account.
func (r Role) IsCompanyRole() bool {
	return r == RoleCompanyAdmin || r == RoleGroupAdmin || r == RoleEmployee
}

// Label is the role's name in the UI.
func (r Role) Label() string {
	switch r {
	case RoleProvider:
		return "Provider operator"
	case RoleReseller:
		return "Reseller administrator"
	case RoleCompanyAdmin:
		return "Company Administrator"
	case RoleGroupAdmin:
		return "Group Administrator"
	case RoleEmployee:
		return "Employee"
	}
	return string(r)
}

// Actor is the account a request acts as.
type Actor struct {
	AccountID  int64
	Username   string
	Role       Role
	ProviderID int64
	ResellerID int64 // reseller admins
	CompanyID  int64 // company accounts
}

// IsOperator reports whether the actor works for the provider or a reseller.
func (a Actor) IsOperator() bool { return a.Role == RoleProvider || a.Role == RoleReseller }

// Action is something an actor may try to do.
type Action string

const (
	// ManageResellers is checked against the provider.
	ManageResellers Action = "manage_resellers"
	// CreateCompany is checked against the provider.
	CreateCompany Action = "create_company"
	ViewCompany   Action = "view_company"
	// ManageCompany covers the provider's control-panel fields: status,
	// balance, debit limit, channel limit and the two company flags.
	ManageCompany Action = "manage_company"
	// ViewCompanyDashboard is the company dashboard and company-wide lists.
	ViewCompanyDashboard Action = "view_company_dashboard"
	CreateSite           Action = "create_site"
	DeleteSite           Action = "delete_site"

	ViewGroup Action = "view_group"
	// CreateGroup is checked against the parent the new group goes under.
	CreateGroup       Action = "create_group"
	UpdateGroup       Action = "update_group"
	MoveGroup         Action = "move_group"
	DeleteGroup       Action = "delete_group"
	ManageGroupAdmins Action = "manage_group_admins"
	ManageGroupMember Action = "manage_group_members"

	ViewEmployee Action = "view_employee"
	// CreateEmployee is checked against the company (company admins) or the
	// group the new employee joins (group admins).
	CreateEmployee Action = "create_employee"
	UpdateEmployee Action = "update_employee"
	// ChangeEmployeeRole is checked against the employee whose role changes.
	ChangeEmployeeRole Action = "change_employee_role"
	DeleteEmployee     Action = "delete_employee"
	// ManageMemberships is an employee's Group Memberships and Admin Privileges.
	ManageMemberships Action = "manage_memberships"
	// ResetPassword is "Auto generate and email password" on an employee.
	ResetPassword Action = "reset_password"
	// ChangeSecurityEmail is writing another account's security e-mail
	// directly (one's own changes only through a confirmation link).
	ChangeSecurityEmail Action = "change_security_email"
	// GrantCompanyAdmin is creating a company admin or giving someone the
	// role, checked on the company: only the provider or the company's
	// reseller may (docs/security.md, "Administrators and their peers").
	GrantCompanyAdmin Action = "grant_company_admin"
	// ForceUnlock lifts an employee's lockout.
	ForceUnlock Action = "force_unlock"
	// ManageContacts is reading and changing an employee's personal
	// contacts, groups, imports and exports. Contacts are personal: only the
	// employee themselves may, never an administrator or operator, and to
	// anybody else they answer like a missing object (ErrNotFound).
	ManageContacts Action = "manage_contacts"

	// ManageCatalog is the provider's catalog (features, packages, add-ons,
	// terms) and device types; checked against the provider.
	ManageCatalog Action = "manage_catalog"
	// ManageNumbering is the provider's numbering work: number range
	// parameters (provider), internal number blocks (company), DN ranges and
	// extension policies (site).
	ManageNumbering Action = "manage_numbering"
	// ManageCustomerContacts is the control panel's Contacts of a customer:
	// its logins with public and private notes.
	ManageCustomerContacts Action = "manage_customer_contacts"
	// ViewNumbers is a site's number pool and extension policy.
	ViewNumbers Action = "view_numbers"
	// ViewRefusedExtensions is the provider's list of refused extension
	// codes, checked against the provider: whoever activates employees
	// (operators, company and group admins) reads it, because Activate shows
	// it next to the extension field. Changing it is ManageNumbering.
	ViewRefusedExtensions Action = "view_refused_extensions"
	// ManageDevices is a site's devices (checked on the site or the device).
	ManageDevices Action = "manage_devices"
	// ConfigureDevice is a device's Visual Device Manager (its keys,
	// sidecars and ringer), checked on the device: whoever manages the
	// site's devices (ManageDevices), and the employee using the device,
	// for their own phone, as they update themselves (self-care).
	// CheckConfigureDevice also says which of the two the actor is
	// (docs/devices.md, "The Visual Device Manager"): the employee's
	// ground is only the access layer's half of the answer, since the site
	// decides whether employees have the Visual Device Manager at all (the
	// devices package applies that), so a page must not show the link on
	// Check alone.
	ConfigureDevice Action = "configure_device"
	// ViewServiceOffering is the Service Offering tab of a company, site or
	// employee.
	ViewServiceOffering Action = "view_service_offering"
	// ImportEmployees is Import Employees and its Status page, checked on the
	// company: group admins may import into the groups they administer.
	ImportEmployees Action = "import_employees"
	// ImportGroups is Import Group, checked on the parent group.
	ImportGroups Action = "import_groups"
	// LiveSearch is the search box at the top of every page, checked on the
	// company searched: whoever sees the company may, and finds only what
	// access.Scope gives them.
	LiveSearch Action = "live_search"
	// UseSearchTool is the company side bar's platform-wide Search Tool,
	// checked on the actor's company (operators: the provider).
	UseSearchTool Action = "use_search_tool"

	// ActivateEmployee is Activate, checked on each employee and on the
	// site (a group target) the service is activated at.
	ActivateEmployee Action = "activate_employee"
	// ManageService is Service Settings and Resubscribe of an employee.
	ManageService Action = "manage_service"
	// CeaseEmployee is Cease (Deactivate) of an employee's service.
	CeaseEmployee Action = "cease_employee"
	// ViewJobs is the Status page of a company's jobs (group admins see
	// only the jobs they started; the handler narrows the list).
	ViewJobs Action = "view_jobs"
	// ManageSwitches is the provider's switches that send call records
	// (create, list, their ingest batches); checked against the provider.
	ManageSwitches Action = "manage_switches"
	// ManageBilling is the provider's rate table, rental prices, tax and
	// invoice settings, the customers' call summaries and Generate Invoice
	// (docs/billing.md); checked against the provider or a customer.
	ManageBilling Action = "manage_billing"

	// ViewFeatures is the Features and Feature Assignment tabs of a site or
	// an employee and their service data (docs/features.md).
	ViewFeatures Action = "view_features"
	// AssignFeatures makes a granted feature available or unavailable at a
	// site or to an employee; checked with CheckFeature.
	AssignFeatures Action = "assign_features"
	// ConfigureFeatures changes a feature's settings; checked with
	// CheckFeature. Employees configure their own (self-care).
	ConfigureFeatures Action = "configure_features"
	// ManageFeaturePrivileges is the "Allow Admin Privileges" check box of a
	// feature: whether group administrators may change it. Company
	// administrators (and operators) decide it.
	ManageFeaturePrivileges Action = "manage_feature_privileges"
)

// Kind is the type of object an action is on.
type Kind string

const (
	KindCompany  Kind = "company"
	KindGroup    Kind = "group"
	KindEmployee Kind = "employee"
	KindProvider Kind = "provider"
	// KindDevice is a device, decided as the site it is under.
	KindDevice Kind = "device"
)

// Target names an object.
type Target struct {
	Kind Kind
	ID   int64
}

// Company, Group, Employee and Provider build targets.
func Company(id int64) Target  { return Target{KindCompany, id} }
func Group(id int64) Target    { return Target{KindGroup, id} }
func Employee(id int64) Target { return Target{KindEmployee, id} }
func Provider(id int64) Target { return Target{KindProvider, id} }
func Device(id int64) Target   { return Target{KindDevice, id} }

// Service answers permission questions from the database.
type Service struct {
	db *store.DB
}

// New returns a Service on db.
func New(db *store.DB) *Service { return &Service{db: db} }

// resolved is what a decision needs to know about a target.
type resolved struct {
	providerID int64
	resellerID int64
	companyID  int64
	// group targets
	groupPath string
	isSite    bool
	// employee targets
	role        Role
	memberPaths []string
	// adminPaths are the groups a group-admin target administers.
	adminPaths []string
	// sitePath is the path of the site the employee's service is at ("" when
	// not activated); sitePaths adds the sites of their groups.
	sitePath string
	// deviceUser is the account using a device target (0: nobody).
	deviceUser int64
}

// Check returns nil when actor may do action on t, ErrNotFound when the actor
// may not even know t exists (or it does not), and a ForbiddenError with a
// reason when the actor sees t but may not do this to it.
func (s *Service) Check(ctx context.Context, actor Actor, action Action, t Target) (err error) {
	defer derrors.Wrap(&err, "access: %s %s %d", action, t.Kind, t.ID)
	_, err = s.check(ctx, actor, action, t)
	return err
}

// CheckConfigureDevice is Check of ConfigureDevice on device id that also
// says on which ground the actor may: asUser is true when they may only as
// the employee using the device (the domain then applies what it keeps
// for employees, such as the site's "VDM available to Employees"), false
// when they manage the site's devices.
func (s *Service) CheckConfigureDevice(ctx context.Context, actor Actor, id int64) (asUser bool, err error) {
	defer derrors.Wrap(&err, "access: %s %s %d", ConfigureDevice, KindDevice, id)
	return s.check(ctx, actor, ConfigureDevice, Device(id))
}

// check is Check without the context on its error; asUser reports that it
// allowed ConfigureDevice only because the actor uses the device.
func (s *Service) check(ctx context.Context, actor Actor, action Action, t Target) (asUser bool, err error) {
	if t.Kind == KindOperator {
		return false, s.checkOperator(ctx, actor, action, t)
	}
	r, err := s.resolve(ctx, t)
	if err != nil {
		return false, err
	}
	var adminPaths []string
	if actor.Role == RoleGroupAdmin && actor.CompanyID == r.companyID {
		if adminPaths, err = s.adminPaths(ctx, actor.AccountID); err != nil {
			return false, err
		}
	}
	err = derrors.ErrNotFound
	if visible(actor, t, r, adminPaths) {
		err = permitted(actor, action, t, r, adminPaths)
	}
	if err == nil || !usesDevice(actor, action, t, r) {
		return false, err
	}
	// The employee using the device configures it as they update
	// themselves; anybody else got the administrators' answer above (a
	// colleague's or another company's device: not found).
	if _, err := s.check(ctx, actor, UpdateEmployee, Employee(actor.AccountID)); err != nil {
		return false, err
	}
	return true, nil
}

// usesDevice reports whether action is ConfigureDevice on a device of the
// actor's own company that the actor is the employee using.
func usesDevice(a Actor, action Action, t Target, r resolved) bool {
	return action == ConfigureDevice && t.Kind == KindDevice && a.Role.IsCompanyRole() && a.CompanyID != 0 &&
		r.companyID == a.CompanyID && r.deviceUser != 0 && r.deviceUser == a.AccountID
}

// visible reports whether actor may know that t exists.
func visible(a Actor, t Target, r resolved, adminPaths []string) bool {
	if t.Kind == KindProvider {
		// Every account knows the provider it belongs to; what it may do
		// there is permitted's question.
		return r.providerID == a.ProviderID
	}
	switch a.Role {
	case RoleProvider:
		return r.providerID == a.ProviderID
	case RoleReseller:
		return a.ResellerID != 0 && r.resellerID == a.ResellerID
	}
	if a.CompanyID == 0 || r.companyID != a.CompanyID {
		return false
	}
	switch a.Role {
	case RoleCompanyAdmin:
		return true
	case RoleGroupAdmin:
		switch t.Kind {
		case KindCompany:
			return true // its name and flags, not its dashboard
		case KindGroup, KindDevice:
			return under(r.groupPath, adminPaths)
		case KindEmployee:
			return t.ID == a.AccountID || anyUnder(r.memberPaths, adminPaths)
		}
	case RoleEmployee:
		switch t.Kind {
		case KindCompany:
			return true
		case KindEmployee:
			return t.ID == a.AccountID
		}
	}
	return false
}

// permitted decides an action on a visible target.
func permitted(a Actor, action Action, t Target, r resolved, adminPaths []string) error {
	if decided, err := permittedSearch(a, action, t); decided {
		return err
	}
	if action == ManageContacts {
		if t.Kind == KindEmployee && t.ID == a.AccountID {
			return nil
		}
		return derrors.ErrNotFound
	}
	if decided, err := permittedService(a, action, t); decided {
		return err
	}
	if decided, err := permittedLifecycle(a, action, t, r, adminPaths); decided {
		return err
	}
	if decided, err := permittedPeers(a, action, t, r, adminPaths); decided {
		return err
	}
	if decided, err := permittedFeatures(a, action, t, r, adminPaths); decided {
		return err
	}
	if a.IsOperator() {
		if action == ManageResellers && a.Role != RoleProvider {
			return derrors.Forbidden("only provider operators manage resellers")
		}
		// A reseller creates companies into its own reseller; the handler pins reseller_id.
		return nil
	}
	if t.Kind == KindProvider {
		return derrors.Forbidden("only the service provider can do this")
	}
	switch action {
	case CreateCompany, ManageCompany, CreateSite, ManageResellers:
		return derrors.Forbidden("only the service provider can do this")
	case DeleteSite:
		return derrors.Forbidden("sites are created and removed by the service provider")
	case ViewCompany:
		return nil
	}
	switch a.Role {
	case RoleCompanyAdmin:
		switch action {
		case DeleteGroup, MoveGroup:
			if r.isSite {
				return derrors.Forbidden("a site is a top-level group the service provider manages; it cannot be moved or deleted here")
			}
		case DeleteEmployee:
			if t.ID == a.AccountID {
				return derrors.Forbidden("you cannot delete your own account")
			}
		case ResetPassword, ForceUnlock:
			if r.role == RoleCompanyAdmin {
				return derrors.Forbidden("company administrators are reset and unlocked by the service provider")
			}
		}
		return nil
	case RoleGroupAdmin:
		switch t.Kind {
		case KindCompany:
			if action == ImportEmployees {
				return nil // each row is checked against the row's group
			}
			return derrors.Forbidden("this needs a company administrator")
		case KindGroup:
			switch action {
			case ViewGroup, CreateGroup, UpdateGroup, ManageGroupAdmins, ManageGroupMember, CreateEmployee, ImportGroups:
				return nil
			case MoveGroup, DeleteGroup:
				if r.isSite || strictlyUnder(r.groupPath, adminPaths) {
					if r.isSite {
						return derrors.Forbidden("a site is a top-level group the service provider manages; it cannot be moved or deleted here")
					}
					return nil
				}
				return derrors.Forbidden("you can move or delete only the sub-groups of the groups you administer, not a group you were assigned")
			}
		case KindEmployee:
			if action == ViewEmployee {
				return nil
			}
			if t.ID == a.AccountID {
				switch action {
				case UpdateEmployee:
					return nil
				case DeleteEmployee:
					return derrors.Forbidden("you cannot delete your own account")
				case ResetPassword, ForceUnlock:
					return derrors.Forbidden("use Change Password for your own account; a company administrator can reset or unlock it")
				default:
					return derrors.Forbidden("you cannot change your own role or privileges")
				}
			}
			if r.role == RoleCompanyAdmin {
				return derrors.Forbidden("a group administrator cannot change a company administrator")
			}
			switch action {
			case UpdateEmployee, DeleteEmployee, ManageMemberships, ChangeEmployeeRole, ResetPassword:
				return nil
			case ForceUnlock:
				return derrors.Forbidden("ask a company administrator to unlock accounts")
			}
		}
	case RoleEmployee:
		if t.Kind == KindEmployee && t.ID == a.AccountID && action == ViewEmployee {
			return nil
		}
		if t.Kind == KindEmployee && t.ID == a.AccountID && action == UpdateEmployee {
			return nil
		}
		if t.Kind == KindEmployee && t.ID == a.AccountID && (action == ResetPassword || action == ForceUnlock) {
			return derrors.Forbidden("use Change Password for your own account; a company administrator can reset or unlock it")
		}
	}
	return derrors.Forbidden("your role does not allow this")
}

// securityAction reports whether action changes who an account is or how
// it signs in: its role, its security e-mail, its password, its lock, or
// its existence.
func securityAction(action Action) bool {
	switch action {
	case ChangeEmployeeRole, ChangeSecurityEmail, ResetPassword, ForceUnlock, DeleteEmployee:
		return true
	}
	return false
}

// permittedPeers keeps administrators from taking over each other
// (docs/security.md, "Administrators and their peers"): only the provider
// or the company's reseller makes a company admin, or changes the role,
// security e-mail, password or lock of one, or deletes one; a group admin
// changes another group admin only when every group that admin administers
// lies strictly below one of their own. One's own security e-mail changes
// only through the confirmation link. (decided false: none of these.)
func permittedPeers(a Actor, action Action, t Target, r resolved, adminPaths []string) (bool, error) {
	if a.IsOperator() {
		return false, nil
	}
	if action == GrantCompanyAdmin {
		return true, derrors.Forbidden("only the service provider makes someone a company administrator")
	}
	if t.Kind != KindEmployee {
		return false, nil
	}
	self := t.ID == a.AccountID
	if action == ChangeSecurityEmail {
		if self {
			return true, derrors.Forbidden("your e-mail address is your security e-mail: change it under My Account > Change Security Email, which sends a confirmation link")
		}
		if a.Role == RoleEmployee {
			return true, derrors.Forbidden("your role does not allow this")
		}
	}
	switch a.Role {
	case RoleCompanyAdmin:
		if r.role == RoleCompanyAdmin && securityAction(action) {
			if self && action == DeleteEmployee {
				return true, derrors.Forbidden("you cannot delete your own account")
			}
			return true, derrors.Forbidden("a company administrator's role, security e-mail, password and lock are managed by the service provider, who alone deletes one")
		}
		if action == ChangeSecurityEmail {
			return true, nil
		}
	case RoleGroupAdmin:
		if self || action == ViewEmployee {
			return false, nil
		}
		if r.role == RoleCompanyAdmin {
			return true, derrors.Forbidden("a group administrator cannot change a company administrator")
		}
		if r.role == RoleGroupAdmin && !subordinate(r.adminPaths, adminPaths) {
			return true, derrors.Forbidden("a group administrator cannot change another group administrator of the same group, of a group above theirs or of a group outside theirs")
		}
		if action == ChangeSecurityEmail {
			return true, nil
		}
	}
	return false, nil
}

// subordinate reports whether every path of target lies strictly below one
// of roots (a group admin assigned no group is no one's peer).
func subordinate(target, roots []string) bool {
	for _, p := range target {
		if !strictlyUnder(p, roots) {
			return false
		}
	}
	return true
}

// permittedService decides the numbering, catalog, device, service-offering
// and customer-contact actions on a visible target (decided false: not one
// of them).
func permittedService(a Actor, action Action, t Target) (decided bool, err error) {
	switch action {
	case ManageCatalog:
		if a.Role != RoleProvider {
			return true, derrors.Forbidden("only the service provider manages the catalog and device types")
		}
		return true, nil
	case ManageNumbering, ManageCustomerContacts:
		if a.Role == RoleProvider || (a.Role == RoleReseller && t.Kind != KindProvider) {
			return true, nil
		}
		return true, derrors.Forbidden("only the service provider can do this")
	case ManageSwitches:
		if a.Role != RoleProvider || t.Kind != KindProvider {
			return true, derrors.Forbidden("only the service provider's operators manage switches")
		}
		return true, nil
	case ManageBilling:
		if a.Role != RoleProvider {
			return true, derrors.Forbidden("only the service provider's operators rate calls and invoice customers")
		}
		return true, nil
	case ViewRefusedExtensions:
		if a.Role == RoleEmployee {
			return true, derrors.Forbidden("the refused extension codes are for administrators who activate employees")
		}
		return true, nil
	case ConfigureDevice:
		if t.Kind != KindDevice {
			return true, derrors.Forbidden("the Visual Device Manager is a device's: open it on the device")
		}
		// Its administrators are the device's; its user is check's question.
		return permittedService(a, ManageDevices, t)
	case ViewNumbers, ManageDevices, ViewServiceOffering:
		switch {
		case a.IsOperator(), a.Role == RoleCompanyAdmin && t.Kind != KindProvider:
			return true, nil
		case a.Role == RoleGroupAdmin && (t.Kind == KindGroup || t.Kind == KindDevice):
			return true, nil
		case action == ViewServiceOffering && t.Kind == KindEmployee && (a.Role == RoleGroupAdmin || t.ID == a.AccountID):
			return true, nil
		case a.Role == RoleGroupAdmin && t.Kind == KindCompany:
			return true, derrors.Forbidden("this needs a company administrator")
		}
		return true, derrors.Forbidden("your role does not allow this")
	}
	return false, nil
}

// permittedSearch decides the search actions on a visible target (decided
// false: not one of them).
func permittedSearch(a Actor, action Action, t Target) (decided bool, err error) {
	switch action {
	case LiveSearch:
		if t.Kind != KindCompany {
			return true, derrors.Forbidden("the live search runs within a company")
		}
		return true, nil
	case UseSearchTool:
		if a.IsOperator() || (a.Role == RoleCompanyAdmin && t.Kind == KindCompany) {
			return true, nil
		}
		return true, derrors.Forbidden("the Search Tool is for company administrators")
	}
	return false, nil
}

// permittedLifecycle decides the employee lifecycle actions (Business
// Portal seed: "Company Administrator - can activate Employees in their
// Company. Group Administrator - can only activate Employees who are members
// of Groups for which they have been assigned"). Nobody ceases their own
// service: it would end their own portal access.
func permittedLifecycle(a Actor, action Action, t Target, r resolved, adminPaths []string) (bool, error) {
	switch action {
	case ActivateEmployee, ManageService, CeaseEmployee, ViewJobs:
	default:
		return false, nil
	}
	if a.IsOperator() {
		return true, nil
	}
	self := t.Kind == KindEmployee && t.ID == a.AccountID
	if self && action == CeaseEmployee && a.Role != RoleEmployee {
		return true, derrors.Forbidden("you cannot cease your own service; ask another administrator")
	}
	// Ceasing ends the account's portal access, so peers may not
	// (docs/security.md, "Administrators and their peers").
	if !self && action == CeaseEmployee && t.Kind == KindEmployee {
		if a.Role == RoleCompanyAdmin && r.role == RoleCompanyAdmin {
			return true, derrors.Forbidden("a company administrator's service is ceased by the service provider")
		}
		if a.Role == RoleGroupAdmin && r.role == RoleGroupAdmin && !subordinate(r.adminPaths, adminPaths) {
			return true, derrors.Forbidden("a group administrator cannot cease another group administrator of the same group, of a group above theirs or of a group outside theirs")
		}
	}
	if a.Role != RoleCompanyAdmin && a.Role != RoleGroupAdmin {
		return true, derrors.Forbidden("your role does not allow this")
	}
	switch t.Kind {
	case KindCompany:
		if action == ViewJobs {
			return true, nil
		}
	case KindGroup:
		if action == ActivateEmployee {
			if !r.isSite {
				return true, derrors.Forbidden("a service is activated at a site, not at a group below it")
			}
			return true, nil
		}
	case KindEmployee:
		if action == ViewJobs {
			break
		}
		if a.Role == RoleCompanyAdmin {
			return true, nil
		}
		if self && !anyUnder(r.memberPaths, adminPaths) {
			return true, derrors.Forbidden("group administrators activate and manage only employees who are members of the groups they administer")
		}
		if !self && r.role == RoleCompanyAdmin {
			return true, derrors.Forbidden("a group administrator cannot change a company administrator")
		}
		return true, nil
	}
	return true, derrors.Forbidden("your role does not allow this")
}

// under reports whether path is one of roots or below one of them.
func under(path string, roots []string) bool {
	for _, root := range roots {
		if root != "" && strings.HasPrefix(path, root) {
			return true
		}
	}
	return false
}

// strictlyUnder reports whether path is below one of roots but none of them.
func strictlyUnder(path string, roots []string) bool {
	for _, root := range roots {
		if path == root {
			return false
		}
	}
	return under(path, roots)
}

func anyUnder(paths, roots []string) bool {
	for _, p := range paths {
		if under(p, roots) {
			return true
		}
	}
	return false
}

func (s *Service) resolve(ctx context.Context, t Target) (resolved, error) {
	var r resolved
	q := s.db.Q(ctx)
	var err error
	switch t.Kind {
	case KindProvider:
		err = q.QueryRow(ctx, "SELECT id FROM providers WHERE id = ?", t.ID).Scan(&r.providerID)
	case KindCompany:
		err = q.QueryRow(ctx, "SELECT provider_id, COALESCE(reseller_id, 0), id FROM companies WHERE id = ?", t.ID).
			Scan(&r.providerID, &r.resellerID, &r.companyID)
	case KindGroup:
		err = q.QueryRow(ctx, `SELECT c.provider_id, COALESCE(c.reseller_id, 0), c.id, g.path, g.is_site
			FROM org_groups g JOIN companies c ON c.id = g.company_id WHERE g.id = ?`, t.ID).
			Scan(&r.providerID, &r.resellerID, &r.companyID, &r.groupPath, &r.isSite)
	case KindDevice:
		err = q.QueryRow(ctx, `SELECT c.provider_id, COALESCE(c.reseller_id, 0), c.id, g.path, g.is_site, COALESCE(d.account_id, 0)
			FROM devices d JOIN org_groups g ON g.id = d.site_id JOIN companies c ON c.id = d.company_id WHERE d.id = ?`, t.ID).
			Scan(&r.providerID, &r.resellerID, &r.companyID, &r.groupPath, &r.isSite, &r.deviceUser)
	case KindEmployee:
		err = q.QueryRow(ctx, `SELECT c.provider_id, COALESCE(c.reseller_id, 0), c.id, a.role, COALESCE(s.path, '')
			FROM accounts a JOIN companies c ON c.id = a.company_id LEFT JOIN org_groups s ON s.id = a.site_id WHERE a.id = ?`, t.ID).
			Scan(&r.providerID, &r.resellerID, &r.companyID, &r.role, &r.sitePath)
		if err == nil {
			r.memberPaths, err = s.paths(ctx, `SELECT g.path FROM group_members m JOIN org_groups g ON g.id = m.group_id WHERE m.account_id = ?`, t.ID)
		}
		if err == nil && r.role == RoleGroupAdmin {
			r.adminPaths, err = s.adminPaths(ctx, t.ID)
		}
	default:
		return r, fmt.Errorf("unknown target kind %q", t.Kind)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return r, derrors.ErrNotFound
	}
	return r, err
}

// adminPaths returns the paths of the groups accountID administers.
func (s *Service) adminPaths(ctx context.Context, accountID int64) ([]string, error) {
	return s.paths(ctx, `SELECT g.path FROM group_admins ga JOIN org_groups g ON g.id = ga.group_id WHERE ga.account_id = ?`, accountID)
}

func (s *Service) paths(ctx context.Context, query string, id int64) ([]string, error) {
	rows, err := s.db.Q(ctx).Query(ctx, query, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var p string
		if err := rows.Scan(&p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// Scope says which objects a list may show the actor. Exactly one of the
// fields decides: All (a provider's whole estate), ResellerID, or CompanyID
// narrowed by GroupPaths (group admins) or SelfID (employees).
type Scope struct {
	ProviderID int64
	ResellerID int64
	CompanyID  int64
	// Groups limits a group admin to these subtrees; nil means the whole company.
	GroupPaths []string
	// SelfID limits an employee to their own account.
	SelfID int64
}

// Restricted reports whether the scope narrows a company to groups or self.
func (sc Scope) Restricted() bool { return sc.GroupPaths != nil || sc.SelfID != 0 }

// Scope returns the list scope of actor.
func (s *Service) Scope(ctx context.Context, actor Actor) (Scope, error) {
	sc := Scope{ProviderID: actor.ProviderID}
	switch actor.Role {
	case RoleProvider:
	case RoleReseller:
		sc.ResellerID = actor.ResellerID
	case RoleCompanyAdmin:
		sc.CompanyID = actor.CompanyID
	case RoleGroupAdmin:
		sc.CompanyID = actor.CompanyID
		paths, err := s.adminPaths(ctx, actor.AccountID)
		if err != nil {
			return sc, fmt.Errorf("access: scope: %w", err)
		}
		sc.GroupPaths = roots(paths)
		if sc.GroupPaths == nil {
			sc.GroupPaths = []string{}
		}
		sc.SelfID = actor.AccountID
	case RoleEmployee:
		sc.CompanyID = actor.CompanyID
		sc.GroupPaths = []string{}
		sc.SelfID = actor.AccountID
	default:
		return sc, derrors.ErrForbidden
	}
	return sc, nil
}

// roots drops paths already covered by a shorter one.
func roots(paths []string) []string {
	var out []string
	for _, p := range paths {
		covered := false
		for _, q := range paths {
			if q != p && strings.HasPrefix(p, q) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, p)
		}
	}
	return out
}

// CheckAuditRead decides whether actor may read an audit entry: one of a
// company (companyID) needs the company's dashboard (operators of its
// provider or reseller, its company admins); a provider-level one
// (companyID 0) is for that provider's operators only. Anything else is
// ErrNotFound, so entries never reveal that they exist.
func (s *Service) CheckAuditRead(ctx context.Context, actor Actor, providerID, companyID int64) error {
	if companyID == 0 {
		if actor.Role == RoleProvider && providerID == actor.ProviderID {
			return nil
		}
		return derrors.ErrNotFound
	}
	if err := s.Check(ctx, actor, ViewCompanyDashboard, Company(companyID)); err != nil {
		return derrors.ErrNotFound
	}
	return nil
}

// JobsStartedBy is the account whose jobs a list for actor is limited to:
// a group admin sees only the jobs they started (imports and activations
// of their own groups); everyone else who may view a company's jobs sees
// them all (0).
func JobsStartedBy(actor Actor) int64 {
	if actor.Role == RoleGroupAdmin {
		return actor.AccountID
	}
	return 0
}

// CheckJobRead decides whether actor may read a job of companyID started by
// createdBy (companyID 0: a provider-level job, for provider operators).
// Anything else is ErrNotFound.
func (s *Service) CheckJobRead(ctx context.Context, actor Actor, companyID, createdBy int64) error {
	if companyID == 0 {
		if actor.Role == RoleProvider {
			return nil
		}
		return derrors.ErrNotFound
	}
	if err := s.Check(ctx, actor, ViewJobs, Company(companyID)); err != nil {
		return derrors.ErrNotFound
	}
	if by := JobsStartedBy(actor); by != 0 && by != createdBy {
		return derrors.ErrNotFound
	}
	return nil
}

// CheckRef is Check for an object a request refers to in one of its fields
// (a parent group, a group to join, an employee to add): an object the
// actor may not see is answered as an unknown id in that field, a 422 the
// user can act on, never as a 404 of the whole request.
func (s *Service) CheckRef(ctx context.Context, actor Actor, action Action, t Target, field string) error {
	err := s.Check(ctx, actor, action, t)
	if derrors.IsNotFound(err) {
		return derrors.Invalid(field, "%s %d does not exist", t.Kind, t.ID)
	}
	return err
}

// CheckSite is Check on a site, for the actions that are about a site
// (its numbers, devices, offering): a group that is not a site answers
// ErrNotFound like an unknown one. It returns the site's company.
func (s *Service) CheckSite(ctx context.Context, actor Actor, action Action, siteID int64) (companyID int64, err error) {
	if err := s.Check(ctx, actor, action, Group(siteID)); err != nil {
		return 0, err
	}
	var isSite bool
	err = s.db.Q(ctx).QueryRow(ctx, "SELECT company_id, is_site FROM org_groups WHERE id = ?", siteID).Scan(&companyID, &isSite)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !isSite) {
		return 0, fmt.Errorf("access: %s site %d: %w", action, siteID, derrors.ErrNotFound)
	}
	return companyID, err
}

// Can answers whether actor may do action on t, for what a page shows (a
// greyed-out button, a hidden tab). It never allows a change: the domain
// method that makes the change asks Check itself (docs/architecture.md).
// A fault reading the database answers false, so a page shows less, never more.
func (s *Service) Can(ctx context.Context, actor Actor, action Action, t Target) bool {
	return s.Check(ctx, actor, action, t) == nil
}
