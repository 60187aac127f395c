package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
)

const employeesPerPage = 25

func init() {
	flashes["emp-created-activate"] = "The employee has been added. Activate them now, or later from their profile."
	flashes["emp-deleted"] = "The employee has been deleted, and with them any number, extension and device they held."
}

// employeesSide is the Employees side bar: Employee Selection and Add
// Employee, and the selected employee's sections. An employee looking at
// themselves sees only their profile.
func employeesSide(v *view, e *directory.Employee, current string) {
	if v.User.Role == access.RoleEmployee {
		// An employee's own pages are the account area (account.go); what
		// is left here (their memberships) links back to it.
		v.SideLabel = "My account"
		v.Side = []sideSection{{Title: "My account", Links: []navLink{
			{Label: "My Dashboard", URL: "/employees/" + strconv.FormatInt(v.User.ID, 10) + "/dashboard", Current: current == "dashboard"},
			{Label: "Profile", URL: "/account"},
			{Label: "Password", URL: "/account/password"},
			{Label: "Security e-mail", URL: "/account/security-email"},
			{Label: "Features", URL: "/employees/" + strconv.FormatInt(v.User.ID, 10) + "/features", Current: current == "features"},
			{Label: "My Phone", URL: "/my-phone", Current: current == "phone"},
		}}}
		return
	}
	v.SideLabel = "Employees"
	v.Side = []sideSection{{Title: "Employees", Links: []navLink{
		{Label: "Employee Selection", URL: v.Link("/employees"), Current: current == "selection"},
		{Label: "Add Employee", URL: v.Link("/employees/new"), Current: current == "add"},
		{Label: "Import Employees", URL: v.Link("/employees/import"), Current: current == "import"},
		{Label: "Import Status", URL: v.Link("/imports"), Current: current == "status"},
		{Label: "Status", URL: v.Link("/jobs"), Current: current == "jobs"},
	}}}
	if e != nil {
		base := "/employees/" + strconv.FormatInt(e.ID, 10)
		v.Side = append(v.Side, sideSection{Title: e.DisplayName(), Links: []navLink{
			{Label: "Dashboard", URL: base + "/dashboard", Current: current == "dashboard"},
			{Label: "Profile", URL: base, Current: current == "profile"},
			{Label: "Group Memberships", URL: base + "/memberships", Current: current == "memberships"},
			{Label: "Admin Privileges", URL: base + "/admin-privileges", Current: current == "privileges"},
			{Label: "Service Passwords", URL: base + "/service-passwords", Current: current == "service"},
			{Label: "Features", URL: base + "/features", Current: current == "features"},
			{Label: "Devices", URL: base + "/devices", Current: current == "devices"},
		}})
		lifecycleSide(&v.Side[len(v.Side)-1], e, current)
	}
}

// ownPage reports whether an employee opens a page about themselves: the
// old "My profile" pages, which the account area replaced. Administrators
// keep their own entry under Employees, beside everybody else's.
func ownPage(r *http.Request, e directory.Employee) bool {
	a := actorOf(r)
	return a.Role == access.RoleEmployee && e.ID == a.AccountID
}

type employeesPage struct {
	Q         string
	Employees []directory.Employee
	Total     int
	Page      int
	Pages     int
	First     int
	Last      int
	PrevURL   string
	NextURL   string
}

// employees is Employee Selection: search by username, first name, surname
// or phone, paged.
func (p *Pages) employees(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	id, err := p.companyFor(r)
	if errors.Is(err, errChooseCompany) {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	if a.Role == access.RoleEmployee {
		http.Redirect(w, r, "/account", http.StatusSeeOther)
		return nil
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pg := store.Page{Page: max(page, 1), PerPage: employeesPerPage}.Normalize()
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	es, total, err := p.app.Directory.ListEmployees(r.Context(), a, id, directory.EmployeeFilter{Q: q}, pg)
	if err != nil {
		return err
	}
	v, err := p.newView(r, id, "employees", "Employee Selection")
	if err != nil {
		return err
	}
	v.Search = q
	employeesSide(v, nil, "selection")
	ep := employeesPage{Q: q, Employees: es, Total: total, Page: pg.Page, Pages: max(1, (total+pg.PerPage-1)/pg.PerPage)}
	if len(es) > 0 {
		ep.First, ep.Last = pg.Offset()+1, pg.Offset()+len(es)
	}
	link := func(n int) string {
		u := url.Values{}
		if q != "" {
			u.Set("q", q)
		}
		u.Set("page", strconv.Itoa(n))
		return v.Link("/employees?" + u.Encode())
	}
	if ep.Page > 1 {
		ep.PrevURL = link(ep.Page - 1)
	}
	if ep.Page < ep.Pages {
		ep.NextURL = link(ep.Page + 1)
	}
	v.Data = ep
	p.render(w, r, http.StatusOK, "employees", v)
	return nil
}

type roleOpt struct {
	Value    access.Role
	Label    string
	Selected bool
}

// roleOptions lists the roles the caller may give: company administrator
// only when directory says they may grant it (display only: AddEmployee and
// ModifyEmployee decide).
func (p *Pages) roleOptions(ctx context.Context, a access.Actor, companyID int64, current access.Role) []roleOpt {
	var out []roleOpt
	for _, role := range []access.Role{access.RoleEmployee, access.RoleGroupAdmin, access.RoleCompanyAdmin} {
		if role == access.RoleCompanyAdmin && current != role && !p.app.Directory.CanGrantCompanyAdmin(ctx, a, companyID) {
			continue
		}
		out = append(out, roleOpt{Value: role, Label: role.Label(), Selected: role == current})
	}
	return out
}

type employeeNewPage struct {
	Form      *form
	Address   addressFields
	Roles     []roleOpt
	Groups    []groupRow
	CompanyID int64
	GroupHint string
	// Refused is why the caller cannot add employees to this company at
	// all (the company's Add Employee flag is off, or their role): Save
	// and Save & Activate are then disabled, as the portal does.
	Refused string
	// EmployeeRules and AdminRules are the provider's password policies
	// (AdminRules is nil when both roles share one).
	EmployeeRules []string
	AdminRules    []string
}

// addressFields are the postal address fields of an employee
// ("address-fields" in layout.html), on Add Employee and the profile.
type addressFields struct {
	Form *form
	// Own marks the signed-in user's own address, which the browser may
	// fill in; an administrator typing someone else's gets no autofill.
	Own      bool
	Readonly bool
}

// Auto is the field's autocomplete option.
func (a addressFields) Auto(token string) string {
	if !a.Own {
		token = "off"
	}
	return "auto=" + token
}

// Mode is "readonly" when the fields are shown but not editable.
func (a addressFields) Mode() string {
	if a.Readonly {
		return "readonly"
	}
	return ""
}

// addressFieldNames are the form names of the address, which are also the
// field names the domain's errors use.
var addressFieldNames = []string{"address.line1", "address.line2", "address.city", "address.postcode", "address.country"}

// addressOf reads the address fields of a form.
func addressOf(f *form) directory.Address {
	return directory.Address{Line1: f.V("address.line1"), Line2: f.V("address.line2"), City: f.V("address.city"),
		Postcode: f.V("address.postcode"), Country: f.V("address.country")}
}

var employeeFields = append([]string{"username", "password", "password_confirm", "role", "first_name", "last_name", "email", "phone", "group_ids"},
	addressFieldNames...)

// addEmployeeRefusal is why actor cannot add any employee to companyID, as
// a sentence, or "" (display only: directory.AddEmployee decides).
func (p *Pages) addEmployeeRefusal(ctx context.Context, a access.Actor, companyID int64) (string, error) {
	reason, err := p.app.Directory.AddEmployeeRefusal(ctx, a, companyID)
	return sentence(reason), err
}

// formCompany is the company a form names (company_id, for operators), or
// 0 for the actor's own; the domain method decides whether the actor may
// act there.
func formCompany(r *http.Request) (int64, error) {
	s := r.FormValue("company_id")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, derrors.ErrNotFound
	}
	return n, nil
}

func (p *Pages) employeeNew(w http.ResponseWriter, r *http.Request) error {
	f := newForm(nil)
	if gid := r.URL.Query().Get("group_id"); gid != "" {
		f.Values.Set("group_ids", gid)
	}
	return p.renderEmployeeNew(w, r, http.StatusOK, f)
}

func (p *Pages) renderEmployeeNew(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	a := actorOf(r)
	id, err := p.companyFor(r)
	if errors.Is(err, errChooseCompany) {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	gs, err := p.scopedGroups(r.Context(), a, id)
	if err != nil {
		return err
	}
	v, err := p.newView(r, id, "employees", "Add Employee")
	if err != nil {
		return err
	}
	employeesSide(v, nil, "add")
	role := access.Role(f.V("role"))
	if role == "" {
		role = access.RoleEmployee
	}
	pg := employeeNewPage{Form: f, Address: addressFields{Form: f}, Roles: p.roleOptions(r.Context(), a, id, role), Groups: indentGroups(gs),
		CompanyID: id, GroupHint: "Optional: the groups the new employee joins."}
	if pg.Refused, err = p.addEmployeeRefusal(r.Context(), a, id); err != nil {
		return err
	}
	st, err := p.app.Identity.Settings(r.Context(), a.ProviderID)
	if err != nil {
		return err
	}
	pg.EmployeeRules = st.PolicyFor(access.RoleEmployee).Rules()
	if admin := st.PolicyFor(access.RoleGroupAdmin).Rules(); strings.Join(admin, "\n") != strings.Join(pg.EmployeeRules, "\n") {
		pg.AdminRules = admin
	}
	if a.Role == access.RoleGroupAdmin {
		pg.GroupHint = "Choose at least one of the groups you administer for the new employee to join."
	}
	v.Data = pg
	p.render(w, r, status, "employee_new", v)
	return nil
}

// employeeCreate is Save (and Save & Activate) of Add Employee: the form
// is read and handed to directory.AddEmployee, which decides everything
// the API's createEmployee does. "Save & Activate" (next=activate) goes on
// to the new employee's Activate page; Save to their profile.
func (p *Pages) employeeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	a := actorOf(r)
	companyID, err := formCompany(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	req := directory.EmployeeCreateRequest{
		Username: f.V("username"), Password: r.PostForm.Get("password"), Role: access.Role(f.V("role")),
		FirstName: f.V("first_name"), LastName: f.V("last_name"), Email: f.V("email"), Phone: f.V("phone"),
		Address: addressOf(f),
	}
	for _, s := range r.PostForm["group_ids"] {
		gid, err := strconv.ParseInt(s, 10, 64)
		if err != nil || gid <= 0 {
			f.add("group_ids", "Choose groups from the list.")
			continue
		}
		req.GroupIDs = append(req.GroupIDs, gid)
	}
	confirm := r.PostForm.Get("password_confirm")
	req.PasswordConfirm = &confirm
	if f.Invalid() {
		return p.renderEmployeeNew(w, r, http.StatusUnprocessableEntity, f)
	}
	e, err := p.app.Directory.AddEmployee(r.Context(), a, companyID, req)
	if err != nil {
		var forb *derrors.ForbiddenError
		switch {
		case f.addErr(err, employeeFields...):
			return p.renderEmployeeNew(w, r, http.StatusUnprocessableEntity, f)
		case errors.As(err, &forb):
			f.General = append(f.General, sentence(forb.Reason))
			return p.renderEmployeeNew(w, r, http.StatusForbidden, f)
		}
		return err
	}
	if r.PostForm.Get("next") == "activate" {
		redirectFlash(w, r, "/employees/"+strconv.FormatInt(e.ID, 10)+"/activate", "emp-created-activate")
		return nil
	}
	redirectFlash(w, r, "/employees/"+strconv.FormatInt(e.ID, 10), "emp-created")
	return nil
}

// employee loads the employee of the path for an action on them, which
// directory decides (pages of other domains use it for theirs).
func (p *Pages) employee(r *http.Request, action access.Action) (directory.Employee, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Employee{}, err
	}
	return p.app.Directory.EmployeeFor(r.Context(), actorOf(r), action, id)
}

type employeeProfilePage struct {
	Employee      directory.Employee
	Form          *form
	Address       addressFields
	CanEdit       bool
	CanChangeRole bool
	// CanChangeEmail leaves the security e-mail editable: one's own (Save
	// then points to the confirmation link) or another's that access lets
	// the caller write (docs/security.md).
	CanChangeEmail bool
	// CanDelete shows the Delete panel: access allows DeleteEmployee, as
	// the API's DELETE asks.
	CanDelete bool
	Roles     []roleOpt
	Self      bool
	Security  securityPanel
}

var profileFields = append([]string{"role", "first_name", "last_name", "email", "phone"}, addressFieldNames...)

func employeeForm(e directory.Employee) *form {
	return newForm(url.Values{
		"role": {string(e.Role)}, "first_name": {e.FirstName}, "last_name": {e.LastName}, "email": {e.Email}, "phone": {e.Phone},
		"address.line1": {e.Address.Line1}, "address.line2": {e.Address.Line2}, "address.city": {e.Address.City},
		"address.postcode": {e.Address.Postcode}, "address.country": {e.Address.Country},
	})
}

func (p *Pages) employeeProfile(w http.ResponseWriter, r *http.Request) error {
	e, err := p.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	if ownPage(r, e) {
		// An employee's "My profile" is now the account area.
		http.Redirect(w, r, "/account", http.StatusMovedPermanently)
		return nil
	}
	return p.renderEmployeeProfile(w, r, http.StatusOK, e, employeeForm(e))
}

func (p *Pages) renderEmployeeProfile(w http.ResponseWriter, r *http.Request, status int, e directory.Employee, f *form) error {
	a := actorOf(r)
	tab := "employees"
	if a.Role == access.RoleEmployee {
		tab = "profile"
	}
	v, err := p.newView(r, e.CompanyID, tab, e.DisplayName())
	if err != nil {
		return err
	}
	employeesSide(v, &e, "profile")
	// What the page offers (display only: the actions decide).
	pg := employeeProfilePage{Employee: e, Form: f, Self: e.ID == a.AccountID,
		CanEdit:       p.app.Access.Can(r.Context(), a, access.UpdateEmployee, access.Employee(e.ID)),
		CanChangeRole: p.app.Access.Can(r.Context(), a, access.ChangeEmployeeRole, access.Employee(e.ID)),
		CanDelete:     p.app.Access.Can(r.Context(), a, access.DeleteEmployee, access.Employee(e.ID)),
	}
	pg.CanChangeEmail = pg.Self || p.app.Access.Can(r.Context(), a, access.ChangeSecurityEmail, access.Employee(e.ID))
	pg.Address = addressFields{Form: f, Own: pg.Self, Readonly: !pg.CanEdit}
	if pg.CanChangeRole {
		pg.Roles = p.roleOptions(r.Context(), a, e.CompanyID, access.Role(f.V("role")))
	}
	if pg.Security, err = p.employeeSecurity(r, e); err != nil {
		return err
	}
	if r.URL.Query().Get("msg") == "pw-reset" && e.Email != "" {
		// The address comes from the employee, never from the URL.
		v.Flash = "The password has been reset and sent to " + e.Email + "."
	}
	v.Data = pg
	p.render(w, r, status, "employee_profile", v)
	return nil
}

// employeeUpdate is Save on the Profile: directory.ModifyEmployee, as the
// API's updateEmployee.
func (p *Pages) employeeUpdate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	e, err := p.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	str := func(name string) *string { s := f.V(name); return &s }
	addr := addressOf(f)
	req := directory.EmployeeUpdateRequest{FirstName: str("first_name"), LastName: str("last_name"), Email: str("email"), Phone: str("phone"),
		Address: &addr}
	if _, ok := r.PostForm["role"]; ok {
		role := access.Role(f.V("role"))
		req.Role = &role
	} else {
		f.Values.Set("role", string(e.Role))
	}
	if _, err := p.app.Directory.ModifyEmployee(r.Context(), actorOf(r), e.ID, req); err != nil {
		if f.addErr(err, profileFields...) {
			return p.renderEmployeeProfile(w, r, http.StatusUnprocessableEntity, e, f)
		}
		return err
	}
	redirectFlash(w, r, "/employees/"+strconv.FormatInt(e.ID, 10), "emp-updated")
	return nil
}

// employeeLinkKind describes the Group Memberships or Admin Privileges section.
type employeeLinkKind struct {
	section string // side-bar key and path segment
	path    string
	links   directory.GroupLinks
	msg     string
}

func (p *Pages) memberships() employeeLinkKind {
	return employeeLinkKind{"memberships", "memberships", directory.Memberships, "memberships"}
}

func (p *Pages) privileges() employeeLinkKind {
	return employeeLinkKind{"privileges", "admin-privileges", directory.Administrators, "privileges"}
}

func (p *Pages) employeeMemberships(w http.ResponseWriter, r *http.Request) error {
	e, err := p.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	return p.renderEmployeeLinks(w, r, http.StatusOK, e, p.memberships(), nil)
}

func (p *Pages) employeeAdminPrivileges(w http.ResponseWriter, r *http.Request) error {
	e, err := p.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	return p.renderEmployeeLinks(w, r, http.StatusOK, e, p.privileges(), nil)
}

func (p *Pages) renderEmployeeLinks(w http.ResponseWriter, r *http.Request, status int, e directory.Employee, k employeeLinkKind, errs []string) error {
	a := actorOf(r)
	filter := parseFilter(r)
	gs, err := p.app.Directory.EmployeeGroups(r.Context(), a, e.ID, k.links, filter)
	if err != nil {
		return err
	}
	v, err := p.newView(r, e.CompanyID, "employees", "")
	if err != nil {
		return err
	}
	employeesSide(v, &e, k.section)
	self := "/employees/" + strconv.FormatInt(e.ID, 10) + "/" + k.path
	lp := linksPage{Action: self, Self: self, Filter: string(filter), Errors: errs, Columns: []string{"Group", "Type"}}
	// Whether the lists can be saved (display only: the action decides).
	refusal, err := p.app.Directory.Refusal(r.Context(), a, access.ManageMemberships, access.Employee(e.ID))
	if err != nil {
		return err
	}
	lp.CanEdit, lp.Note = refusal == "", sentence(refusal)
	name := e.DisplayName()
	if k.section == "memberships" {
		v.Title = "Group Memberships · " + name
		lp.Heading = "Group Memberships"
		lp.Intro = "Tick each group " + name + " should be a member of; clear the box to remove them from the group."
		lp.Filters = filters(filter, "All Groups", "Groups of which this employee is a member", "Groups of which this employee is not a member")
	} else {
		v.Title = "Admin Privileges · " + name
		lp.Heading = "Admin Privileges"
		lp.Intro = "Tick each group " + name + " should administer; the privilege extends to every sub-group, never upward."
		lp.Filters = filters(filter, "All Groups", "Groups this employee administrates", "Groups this employee does not administrate")
		switch e.Role {
		case access.RoleGroupAdmin:
		case access.RoleCompanyAdmin:
			lp.CanEdit = false
			lp.Note = name + " is a Company Administrator and so administers every group of the company already. Admin privileges are assigned only to Group Administrators."
		default:
			lp.CanEdit = false
			lp.Note = name + " is an Employee, who has no administrative capabilities. To assign groups, first change the role to Group Administrator under Profile."
		}
	}
	lp.Empty = "No groups match this filter."
	minDepth := -1
	for _, g := range gs {
		if minDepth < 0 || g.Depth < minDepth {
			minDepth = g.Depth
		}
	}
	for _, g := range gs {
		kind := "Group"
		if g.IsSite {
			kind = "Site"
		}
		lp.Rows = append(lp.Rows, linkRow{ID: g.ID, Label: g.Path, URL: "/groups/" + strconv.FormatInt(g.ID, 10),
			Cells: []string{kind}, Checked: g.Linked, Depth: g.Depth - minDepth})
	}
	if v.Operator {
		lp.CompanyID = e.CompanyID
	}
	v.Data = lp
	p.render(w, r, status, "links", v)
	return nil
}

func (p *Pages) employeeMembershipsSave(w http.ResponseWriter, r *http.Request) error {
	return p.employeeLinksSave(w, r, p.memberships())
}

func (p *Pages) employeeAdminPrivilegesSave(w http.ResponseWriter, r *http.Request) error {
	return p.employeeLinksSave(w, r, p.privileges())
}

// employeeLinksSave is Save of Group Memberships or Admin Privileges: the
// ticked boxes against the current links, handed to
// directory.ChangeEmployeeGroups as the API's changeEmployeeLinks does.
func (p *Pages) employeeLinksSave(w http.ResponseWriter, r *http.Request, k employeeLinkKind) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	a := actorOf(r)
	e, err := p.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	current, err := p.app.Directory.EmployeeGroups(r.Context(), a, e.ID, k.links, directory.LinkAll)
	if err != nil {
		return err
	}
	linked := map[int64]bool{}
	for _, g := range current {
		linked[g.ID] = g.Linked
	}
	addIDs, removeIDs, err := linkChange(r, linked)
	if err != nil {
		return err
	}
	back := backTo("/employees/"+strconv.FormatInt(e.ID, 10)+"/"+k.path, r)
	if len(addIDs) == 0 && len(removeIDs) == 0 {
		redirectFlash(w, r, back, "nothing")
		return nil
	}
	change := directory.LinkChange{Add: addIDs, Remove: removeIDs}
	if err := p.app.Directory.ChangeEmployeeGroups(r.Context(), a, e.ID, k.links, change); err != nil {
		f := newForm(nil)
		if f.addErr(err) {
			return p.renderEmployeeLinks(w, r, http.StatusUnprocessableEntity, e, k, f.General)
		}
		return err
	}
	redirectFlash(w, r, back, k.msg)
	return nil
}

// deleteAction is Delete's confirm step. It lists what
// directory.DeleteEmployee does, with lifecycle.ReleaseForDelete run in the
// same transaction, naming the employee's own number, extension, offering
// and device as the Deactivate step does.
func deleteAction(e directory.Employee, svc lifecycle.EmployeeService) employeeAction {
	site := "their site"
	if svc.Site != nil {
		site = "the site " + svc.Site.Name
	}
	var items []string
	if svc.Number != nil {
		items = append(items, "returns the telephone number "+svc.Number.National+" to the number pool of "+site+";")
	}
	if svc.Extension != "" {
		items = append(items, "frees extension "+svc.Extension+";")
	}
	if svc.Package != nil {
		items = append(items, "ends their feature package "+svc.Package.Name+", its term and any add-ons;")
	}
	if svc.Device != nil {
		items = append(items, "deletes the device "+svc.Device.MAC+" ("+svc.Device.TypeName+") from the employee and from the devices of "+site+";")
	}
	items = append(items,
		"removes them from every group and takes away any administrator privileges;",
		"logs them out everywhere and deletes their login with everything personal to it, such as their service passwords and personal contacts;",
		"keeps the audit log's entries about them and about the changes they made.")
	return employeeAction{Employee: e, Heading: "Delete employee", Danger: true, Button: "Delete",
		Action:  "/employees/" + strconv.FormatInt(e.ID, 10) + "/delete",
		Warning: "Deleting " + e.DisplayName() + " (" + e.Username + ") removes the account for good: this cannot be undone. It:",
		Items:   items}
}

// employeeDeleteConfirm is the confirm step of Delete ("irreversible after
// confirmation"); it is shown only to whom the action would allow.
func (p *Pages) employeeDeleteConfirm(w http.ResponseWriter, r *http.Request) error {
	e, err := p.employee(r, access.DeleteEmployee)
	if err != nil {
		return err
	}
	svc, err := p.app.Lifecycle.Service(r.Context(), e.CompanyID, e.ID)
	if err != nil {
		return err
	}
	return p.renderEmployeeAction(w, r, http.StatusOK, e, deleteAction(e, svc))
}

// employeeDelete is Delete: directory.DeleteEmployee, as the API's
// deleteEmployee, which releases the employee's service and records
// "Delete Employee" in the audit log in one transaction.
func (p *Pages) employeeDelete(w http.ResponseWriter, r *http.Request) error {
	e, err := p.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	if err := p.app.Directory.DeleteEmployee(r.Context(), actorOf(r), e.ID); err != nil {
		f := newForm(nil)
		if !f.addErr(err) {
			return err
		}
		svc, serr := p.app.Lifecycle.Service(r.Context(), e.CompanyID, e.ID)
		if serr != nil {
			return err
		}
		ea := deleteAction(e, svc)
		ea.Errors = f.General
		status := http.StatusUnprocessableEntity
		if errors.Is(err, derrors.ErrConflict) {
			status = http.StatusConflict
		}
		return p.renderEmployeeAction(w, r, status, e, ea)
	}
	target := "/employees"
	if actorOf(r).IsOperator() {
		target += "?company_id=" + strconv.FormatInt(e.CompanyID, 10)
	}
	redirectFlash(w, r, target, "emp-deleted")
	return nil
}
