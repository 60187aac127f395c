package access_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// outcome is what Check answers for one cell of the matrix.
type outcome int

const (
	Y outcome = iota + 1 // allowed
	F                    // visible but forbidden (*derrors.ForbiddenError)
	N                    // not found: the actor may not know the object exists
)

func (o outcome) String() string {
	switch o {
	case Y:
		return "allow"
	case F:
		return "forbidden"
	case N:
		return "notfound"
	}
	return "?"
}

func classify(err error) outcome {
	var fe *derrors.ForbiddenError
	switch {
	case err == nil:
		return Y
	case errors.As(err, &fe):
		return F
	case errors.Is(err, derrors.ErrNotFound):
		return N
	}
	return 0
}

// matrixActors are the columns of the grid, in order.
var matrixActors = []string{"operator", "acme.admin", "leeds.admin", "sales.admin", "west.one"}

// cell is one row of the grid: an action on a named target, and the expected
// outcome for each actor in matrixActors order.
//
// Relations in the fixture tree (see apptest.Fixture):
//
//	leeds.admin administers the Leeds site: Sales, Sales West and Support are
//	descendants, London is a sibling site, Reading is Globex's.
//	sales.admin administers Sales: Sales West is a descendant, Leeds an
//	ancestor, Support a sibling, London a cousin site.
//	west.one is an employee, member of Sales West.
type cell struct {
	action access.Action
	target string
	// operator, company admin, leeds.admin, sales.admin, west.one
	op, ca, leeds, sales, emp outcome
}

// matrix is written out by hand from the rules in the access package doc and
// docs/security.md, not computed from the implementation.
var matrix = []cell{
	// ---- provider-level actions, checked against the provider ----
	//                                    op ca leeds sales emp
	// Every account knows its own provider exists; only operators act on it.
	{access.ManageResellers, "provider", Y, F, F, F, F},
	{access.CreateCompany, "provider", Y, F, F, F, F},
	{access.ViewCompany, "provider", Y, F, F, F, F},

	// ---- company actions: own company ----
	{access.ViewCompany, "Acme", Y, Y, Y, Y, Y},
	{access.ManageCompany, "Acme", Y, F, F, F, F},
	{access.ViewCompanyDashboard, "Acme", Y, Y, F, F, F},
	{access.CreateSite, "Acme", Y, F, F, F, F},
	{access.CreateEmployee, "Acme", Y, Y, F, F, F},
	{access.GrantCompanyAdmin, "Acme", Y, F, F, F, F},
	{access.GrantCompanyAdmin, "Globex", Y, N, N, N, N},
	{access.CreateCompany, "Acme", Y, F, F, F, F},
	// ---- company actions: other company ----
	{access.ViewCompany, "Globex", Y, N, N, N, N},
	{access.ManageCompany, "Globex", Y, N, N, N, N},
	{access.ViewCompanyDashboard, "Globex", Y, N, N, N, N},
	{access.CreateSite, "Globex", Y, N, N, N, N},
	{access.CreateEmployee, "Globex", Y, N, N, N, N},

	// ---- group actions on Leeds: site; own for leeds.admin, ancestor for sales.admin ----
	{access.ViewGroup, "Leeds", Y, Y, Y, N, N},
	{access.CreateGroup, "Leeds", Y, Y, Y, N, N},
	{access.UpdateGroup, "Leeds", Y, Y, Y, N, N},
	{access.MoveGroup, "Leeds", Y, F, F, N, N},
	{access.DeleteGroup, "Leeds", Y, F, F, N, N},
	{access.DeleteSite, "Leeds", Y, F, F, N, N},
	{access.ManageGroupAdmins, "Leeds", Y, Y, Y, N, N},
	{access.ManageGroupMember, "Leeds", Y, Y, Y, N, N},
	{access.CreateEmployee, "Leeds", Y, Y, Y, N, N},

	// ---- Sales: descendant for leeds.admin, own (assigned) for sales.admin ----
	{access.ViewGroup, "Sales", Y, Y, Y, Y, N},
	{access.CreateGroup, "Sales", Y, Y, Y, Y, N},
	{access.UpdateGroup, "Sales", Y, Y, Y, Y, N},
	{access.MoveGroup, "Sales", Y, Y, Y, F, N},
	{access.DeleteGroup, "Sales", Y, Y, Y, F, N},
	{access.ManageGroupAdmins, "Sales", Y, Y, Y, Y, N},
	{access.ManageGroupMember, "Sales", Y, Y, Y, Y, N},
	{access.CreateEmployee, "Sales", Y, Y, Y, Y, N},

	// ---- Sales West: descendant for both group admins; west.one's own group ----
	{access.ViewGroup, "Sales West", Y, Y, Y, Y, N},
	{access.CreateGroup, "Sales West", Y, Y, Y, Y, N},
	{access.UpdateGroup, "Sales West", Y, Y, Y, Y, N},
	{access.MoveGroup, "Sales West", Y, Y, Y, Y, N},
	{access.DeleteGroup, "Sales West", Y, Y, Y, Y, N},
	{access.ManageGroupAdmins, "Sales West", Y, Y, Y, Y, N},
	{access.ManageGroupMember, "Sales West", Y, Y, Y, Y, N},
	{access.CreateEmployee, "Sales West", Y, Y, Y, Y, N},

	// ---- Support: descendant for leeds.admin, sibling for sales.admin ----
	{access.ViewGroup, "Support", Y, Y, Y, N, N},
	{access.CreateGroup, "Support", Y, Y, Y, N, N},
	{access.UpdateGroup, "Support", Y, Y, Y, N, N},
	{access.MoveGroup, "Support", Y, Y, Y, N, N},
	{access.DeleteGroup, "Support", Y, Y, Y, N, N},
	{access.ManageGroupAdmins, "Support", Y, Y, Y, N, N},
	{access.ManageGroupMember, "Support", Y, Y, Y, N, N},
	{access.CreateEmployee, "Support", Y, Y, Y, N, N},

	// ---- London: a sibling site for leeds.admin ----
	{access.ViewGroup, "London", Y, Y, N, N, N},
	{access.CreateGroup, "London", Y, Y, N, N, N},
	{access.UpdateGroup, "London", Y, Y, N, N, N},
	{access.MoveGroup, "London", Y, F, N, N, N},
	{access.DeleteGroup, "London", Y, F, N, N, N},
	{access.DeleteSite, "London", Y, F, N, N, N},
	{access.ManageGroupAdmins, "London", Y, Y, N, N, N},
	{access.ManageGroupMember, "London", Y, Y, N, N, N},
	{access.CreateEmployee, "London", Y, Y, N, N, N},

	// ---- Reading: Globex's site ----
	{access.ViewGroup, "Reading", Y, N, N, N, N},
	{access.CreateGroup, "Reading", Y, N, N, N, N},
	{access.UpdateGroup, "Reading", Y, N, N, N, N},
	{access.MoveGroup, "Reading", Y, N, N, N, N},
	{access.DeleteGroup, "Reading", Y, N, N, N, N},
	{access.DeleteSite, "Reading", Y, N, N, N, N},
	{access.ManageGroupAdmins, "Reading", Y, N, N, N, N},
	{access.ManageGroupMember, "Reading", Y, N, N, N, N},
	{access.CreateEmployee, "Reading", Y, N, N, N, N},

	// ---- employees: acme.admin (company admin, member of no group) ----
	{access.ViewEmployee, "acme.admin", Y, Y, N, N, N},
	{access.UpdateEmployee, "acme.admin", Y, Y, N, N, N},
	// Only the provider changes a company admin's role, the admin's own included.
	{access.ChangeEmployeeRole, "acme.admin", Y, F, N, N, N},
	{access.ChangeSecurityEmail, "acme.admin", Y, F, N, N, N},
	{access.DeleteEmployee, "acme.admin", Y, F, N, N, N},
	{access.ManageMemberships, "acme.admin", Y, Y, N, N, N},
	{access.ResetPassword, "acme.admin", Y, F, N, N, N},
	{access.ForceUnlock, "acme.admin", Y, F, N, N, N},

	// ---- leeds.admin: self for leeds.admin, member of the ancestor Leeds for sales.admin ----
	{access.ViewEmployee, "leeds.admin", Y, Y, Y, N, N},
	{access.UpdateEmployee, "leeds.admin", Y, Y, Y, N, N},
	{access.ChangeEmployeeRole, "leeds.admin", Y, Y, F, N, N},
	{access.DeleteEmployee, "leeds.admin", Y, Y, F, N, N},
	{access.ManageMemberships, "leeds.admin", Y, Y, F, N, N},
	{access.ResetPassword, "leeds.admin", Y, Y, F, N, N},
	{access.ForceUnlock, "leeds.admin", Y, Y, F, N, N},
	{access.ChangeSecurityEmail, "leeds.admin", Y, Y, F, N, N},

	// ---- sales.admin: member of a descendant for leeds.admin, self for sales.admin ----
	{access.ViewEmployee, "sales.admin", Y, Y, Y, Y, N},
	{access.UpdateEmployee, "sales.admin", Y, Y, Y, Y, N},
	{access.ChangeEmployeeRole, "sales.admin", Y, Y, Y, F, N},
	{access.DeleteEmployee, "sales.admin", Y, Y, Y, F, N},
	{access.ManageMemberships, "sales.admin", Y, Y, Y, F, N},
	{access.ResetPassword, "sales.admin", Y, Y, Y, F, N},
	{access.ForceUnlock, "sales.admin", Y, Y, F, F, N},
	{access.ChangeSecurityEmail, "sales.admin", Y, Y, Y, F, N},

	// ---- west.one: in both admins' subtrees; self for west.one ----
	{access.ViewEmployee, "west.one", Y, Y, Y, Y, Y},
	{access.UpdateEmployee, "west.one", Y, Y, Y, Y, Y},
	{access.ChangeEmployeeRole, "west.one", Y, Y, Y, Y, F},
	{access.DeleteEmployee, "west.one", Y, Y, Y, Y, F},
	{access.ManageMemberships, "west.one", Y, Y, Y, Y, F},
	{access.ResetPassword, "west.one", Y, Y, Y, Y, F},
	{access.ForceUnlock, "west.one", Y, Y, F, F, F},
	{access.ChangeSecurityEmail, "west.one", Y, Y, Y, Y, F},

	// ---- support.one: descendant for leeds.admin, sibling for sales.admin ----
	{access.ViewEmployee, "support.one", Y, Y, Y, N, N},
	{access.UpdateEmployee, "support.one", Y, Y, Y, N, N},
	{access.ChangeEmployeeRole, "support.one", Y, Y, Y, N, N},
	{access.DeleteEmployee, "support.one", Y, Y, Y, N, N},
	{access.ManageMemberships, "support.one", Y, Y, Y, N, N},
	{access.ResetPassword, "support.one", Y, Y, Y, N, N},
	{access.ForceUnlock, "support.one", Y, Y, F, N, N},

	// ---- london.one: member of a sibling site ----
	{access.ViewEmployee, "london.one", Y, Y, N, N, N},
	{access.UpdateEmployee, "london.one", Y, Y, N, N, N},
	{access.ChangeEmployeeRole, "london.one", Y, Y, N, N, N},
	{access.DeleteEmployee, "london.one", Y, Y, N, N, N},
	{access.ManageMemberships, "london.one", Y, Y, N, N, N},
	{access.ResetPassword, "london.one", Y, Y, N, N, N},
	{access.ForceUnlock, "london.one", Y, Y, N, N, N},

	// ---- globex.one: other company ----
	{access.ViewEmployee, "globex.one", Y, N, N, N, N},
	{access.UpdateEmployee, "globex.one", Y, N, N, N, N},
	{access.ChangeEmployeeRole, "globex.one", Y, N, N, N, N},
	{access.DeleteEmployee, "globex.one", Y, N, N, N, N},
	{access.ManageMemberships, "globex.one", Y, N, N, N, N},
	{access.ResetPassword, "globex.one", Y, N, N, N, N},
	{access.ForceUnlock, "globex.one", Y, N, N, N, N},

	// ---- personal contacts: the employee themselves only; to anybody else,
	// administrators and operators included, they do not exist ----
	{access.ManageContacts, "acme.admin", N, Y, N, N, N},
	{access.ManageContacts, "leeds.admin", N, N, Y, N, N},
	{access.ManageContacts, "sales.admin", N, N, N, Y, N},
	{access.ManageContacts, "west.one", N, N, N, N, Y},
	{access.ManageContacts, "support.one", N, N, N, N, N},
	{access.ManageContacts, "globex.one", N, N, N, N, N},
	{access.ManageContacts, "Acme", N, N, N, N, N},

	// ---- catalog, numbering, devices, service offering, customer contacts ----
	//                                              op ca leeds sales emp
	{access.ManageCatalog, "provider", Y, F, F, F, F},
	{access.ManageNumbering, "provider", Y, F, F, F, F},
	{access.ManageNumbering, "Acme", Y, F, F, F, F},
	{access.ManageNumbering, "Leeds", Y, F, F, N, N},
	{access.ManageNumbering, "Globex", Y, N, N, N, N},
	{access.ViewRefusedExtensions, "provider", Y, Y, Y, Y, F},
	{access.ManageCustomerContacts, "Acme", Y, F, F, F, F},
	{access.ManageCustomerContacts, "Globex", Y, N, N, N, N},
	{access.ManageBilling, "provider", Y, F, F, F, F},
	{access.ManageBilling, "Acme", Y, F, F, F, F},
	{access.ManageBilling, "Globex", Y, N, N, N, N},
	{access.ViewNumbers, "Leeds", Y, Y, Y, N, N},
	{access.ViewNumbers, "Sales", Y, Y, Y, Y, N},
	{access.ViewNumbers, "London", Y, Y, N, N, N},
	{access.ViewNumbers, "Reading", Y, N, N, N, N},
	{access.ManageDevices, "Leeds", Y, Y, Y, N, N},
	{access.ManageDevices, "London", Y, Y, N, N, N},
	{access.ManageDevices, "Reading", Y, N, N, N, N},
	// ConfigureDevice is a device's (TestConfigureDevice); on anything
	// else it is refused to whoever sees the target.
	{access.ConfigureDevice, "Leeds", F, F, F, N, N},
	{access.ViewServiceOffering, "Acme", Y, Y, F, F, F},
	{access.ViewServiceOffering, "Globex", Y, N, N, N, N},
	{access.ViewServiceOffering, "Leeds", Y, Y, Y, N, N},
	{access.ViewServiceOffering, "Reading", Y, N, N, N, N},
	{access.ViewServiceOffering, "west.one", Y, Y, Y, Y, Y},
	{access.ViewServiceOffering, "support.one", Y, Y, Y, N, N},
	{access.ViewServiceOffering, "globex.one", Y, N, N, N, N},

	// ---- imports: group admins import into (and under) their own groups ----
	{access.ImportEmployees, "Acme", Y, Y, Y, Y, F},
	{access.ImportEmployees, "Globex", Y, N, N, N, N},
	{access.ImportGroups, "Leeds", Y, Y, Y, N, N},
	{access.ImportGroups, "Sales", Y, Y, Y, Y, N},
	{access.ImportGroups, "London", Y, Y, N, N, N},
	{access.ImportGroups, "Reading", Y, N, N, N, N},

	// ---- search: the live search within the company's scope; the
	// platform-wide Search Tool for company admins and operators ----
	{access.LiveSearch, "Acme", Y, Y, Y, Y, Y},
	{access.LiveSearch, "Globex", Y, N, N, N, N},
	{access.LiveSearch, "Leeds", F, F, F, N, N},
	{access.UseSearchTool, "Acme", Y, Y, F, F, F},
	{access.UseSearchTool, "Globex", Y, N, N, N, N},
	{access.UseSearchTool, "provider", Y, F, F, F, F},

	// ---- employee lifecycle: Activate (on the employee and on the site),
	// Service Settings / Resubscribe, Cease, and the jobs Status page ----
	{access.ActivateEmployee, "Leeds", Y, Y, Y, N, N},
	{access.ActivateEmployee, "London", Y, Y, N, N, N},
	{access.ActivateEmployee, "Sales", Y, F, F, F, N},
	{access.ActivateEmployee, "Reading", Y, N, N, N, N},
	{access.ActivateEmployee, "acme.admin", Y, Y, N, N, N},
	{access.ActivateEmployee, "leeds.admin", Y, Y, Y, N, N},
	{access.ActivateEmployee, "sales.admin", Y, Y, Y, Y, N},
	{access.ActivateEmployee, "west.one", Y, Y, Y, Y, F},
	{access.ActivateEmployee, "support.one", Y, Y, Y, N, N},
	{access.ActivateEmployee, "london.one", Y, Y, N, N, N},
	{access.ActivateEmployee, "globex.one", Y, N, N, N, N},
	{access.ManageService, "west.one", Y, Y, Y, Y, F},
	{access.ManageService, "support.one", Y, Y, Y, N, N},
	{access.ManageService, "london.one", Y, Y, N, N, N},
	{access.ManageService, "globex.one", Y, N, N, N, N},
	{access.CeaseEmployee, "acme.admin", Y, F, N, N, N},
	{access.CeaseEmployee, "leeds.admin", Y, Y, F, N, N},
	{access.CeaseEmployee, "west.one", Y, Y, Y, Y, F},
	{access.CeaseEmployee, "globex.one", Y, N, N, N, N},
	{access.ViewJobs, "Acme", Y, Y, Y, Y, F},
	{access.ViewJobs, "Globex", Y, N, N, N, N},

	// ---- features (docs/features.md, "Who may change what"): a site's for
	// the admins of the site itself; an employee's for the admins of their
	// site, and the employee's own to view and configure (self-care) but
	// not to assign; Allow Admin Privileges for company admins only. The
	// per-feature box is CheckFeature's (TestCheckFeature). ----
	{access.ViewFeatures, "Leeds", Y, Y, Y, N, N},
	{access.ViewFeatures, "Sales", F, F, F, F, N},
	{access.ViewFeatures, "London", Y, Y, N, N, N},
	{access.ViewFeatures, "Reading", Y, N, N, N, N},
	{access.ViewFeatures, "west.one", Y, Y, Y, F, Y},
	{access.ViewFeatures, "london.one", Y, Y, N, N, N},
	{access.ViewFeatures, "sales.admin", Y, Y, Y, Y, N},
	{access.ViewFeatures, "globex.one", Y, N, N, N, N},
	{access.AssignFeatures, "Leeds", Y, Y, Y, N, N},
	{access.AssignFeatures, "London", Y, Y, N, N, N},
	{access.AssignFeatures, "west.one", Y, Y, Y, F, F},
	{access.AssignFeatures, "sales.admin", Y, Y, Y, F, N},
	{access.ConfigureFeatures, "Leeds", Y, Y, Y, N, N},
	{access.ConfigureFeatures, "west.one", Y, Y, Y, F, Y},
	{access.ConfigureFeatures, "support.one", Y, Y, Y, N, N},
	{access.ConfigureFeatures, "sales.admin", Y, Y, Y, Y, N},
	{access.ConfigureFeatures, "acme.admin", Y, Y, N, N, N},
	{access.ConfigureFeatures, "globex.one", Y, N, N, N, N},
	{access.ManageFeaturePrivileges, "Leeds", Y, Y, F, N, N},
	{access.ManageFeaturePrivileges, "west.one", Y, Y, F, F, F},
	{access.ManageFeaturePrivileges, "Reading", Y, N, N, N, N},
}

// targets names the fixture's objects for the grid.
func targets(env *apptest.Env) map[string]access.Target {
	f := env.Fixture
	m := map[string]access.Target{
		"provider":   access.Provider(f.Provider.ID),
		"Acme":       access.Company(f.Acme.ID),
		"Globex":     access.Company(f.Globex.ID),
		"Leeds":      access.Group(f.Leeds.ID),
		"Sales":      access.Group(f.Sales.ID),
		"Sales West": access.Group(f.SalesWest.ID),
		"Support":    access.Group(f.Support.ID),
		"London":     access.Group(f.London.ID),
		"Reading":    access.Group(f.Reading.ID),
	}
	for username, a := range f.Accounts {
		if username != "operator" {
			m[username] = access.Employee(a.ID)
		}
	}
	return m
}

func TestCheckMatrix(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		tg := targets(env)
		for _, c := range matrix {
			target, ok := tg[c.target]
			if !ok {
				t.Fatalf("matrix names unknown target %q", c.target)
			}
			want := []outcome{c.op, c.ca, c.leeds, c.sales, c.emp}
			for i, username := range matrixActors {
				err := env.App.Access.Check(ctx, env.Actor(username), c.action, target)
				if got := classify(err); got != want[i] {
					t.Errorf("%s %s on %s: got %s (%v), want %s", username, c.action, c.target, got, err, want[i])
				}
			}
		}
	})
}

// TestMatrixCoversEveryAction keeps the grid honest when an action is added.
func TestMatrixCoversEveryAction(t *testing.T) {
	all := []access.Action{
		access.ManageResellers, access.CreateCompany, access.ViewCompany, access.ManageCompany,
		access.ViewCompanyDashboard, access.CreateSite, access.DeleteSite, access.ViewGroup, access.CreateGroup,
		access.UpdateGroup, access.MoveGroup, access.DeleteGroup, access.ManageGroupAdmins, access.ManageGroupMember,
		access.ViewEmployee, access.CreateEmployee, access.UpdateEmployee, access.ChangeEmployeeRole,
		access.DeleteEmployee, access.ManageMemberships, access.ResetPassword, access.ForceUnlock,
		access.ManageContacts,
		access.ManageCatalog, access.ManageNumbering, access.ManageCustomerContacts, access.ViewNumbers,
		access.ViewRefusedExtensions, access.ManageDevices, access.ConfigureDevice, access.ViewServiceOffering, access.ManageBilling,
		access.ImportEmployees, access.ImportGroups,
		access.LiveSearch, access.UseSearchTool,
		access.ActivateEmployee, access.ManageService, access.CeaseEmployee, access.ViewJobs,
		access.ViewFeatures, access.AssignFeatures, access.ConfigureFeatures, access.ManageFeaturePrivileges,
	}
	seen := map[access.Action]bool{}
	for _, c := range matrix {
		seen[c.action] = true
	}
	for _, a := range all {
		if !seen[a] {
			t.Errorf("the access matrix has no row for %s", a)
		}
	}
}

// A forbidden answer carries a reason a person can act on.
func TestForbiddenReasons(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		cases := []struct {
			user   string
			action access.Action
			target access.Target
			reason string
		}{
			{"acme.admin", access.CreateSite, access.Company(f.Acme.ID), "service provider"},
			{"acme.admin", access.ManageCompany, access.Company(f.Acme.ID), "service provider"},
			{"acme.admin", access.DeleteSite, access.Group(f.Leeds.ID), "service provider"},
			{"acme.admin", access.MoveGroup, access.Group(f.London.ID), "site"},
			{"acme.admin", access.DeleteEmployee, access.Employee(env.ID("acme.admin")), "your own account"},
			{"leeds.admin", access.ViewCompanyDashboard, access.Company(f.Acme.ID), "company administrator"},
			{"sales.admin", access.DeleteGroup, access.Group(f.Sales.ID), "sub-groups"},
			{"sales.admin", access.ChangeEmployeeRole, access.Employee(env.ID("sales.admin")), "your own role"},
			{"acme.admin", access.ResetPassword, access.Employee(env.ID("acme.admin")), "service provider"},
			{"leeds.admin", access.ForceUnlock, access.Employee(env.ID("west.one")), "company administrator"},
			{"west.one", access.ResetPassword, access.Employee(env.ID("west.one")), "Change Password"},
		}
		for _, c := range cases {
			err := env.App.Access.Check(ctx, env.Actor(c.user), c.action, c.target)
			var fe *derrors.ForbiddenError
			if !errors.As(err, &fe) {
				t.Errorf("%s %s: got %v, want a ForbiddenError", c.user, c.action, err)
				continue
			}
			if !errors.Is(err, derrors.ErrForbidden) {
				t.Errorf("%s %s: %v does not unwrap to ErrForbidden", c.user, c.action, err)
			}
			if !strings.Contains(fe.Reason, c.reason) {
				t.Errorf("%s %s: reason %q does not mention %q", c.user, c.action, fe.Reason, c.reason)
			}
		}
	})
}

// A group admin never changes a company administrator, even one who is a
// member of a group they administer.
func TestGroupAdminCannotChangeCompanyAdmin(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		ca := env.ID("acme.admin")
		if err := env.App.Directory.ChangeMembers(ctx, []directory.Link{{GroupID: env.Fixture.Support.ID, AccountID: ca}}, nil); err != nil {
			t.Fatal(err)
		}
		leeds := env.Actor("leeds.admin")
		want := map[access.Action]outcome{
			access.ViewEmployee:       Y,
			access.UpdateEmployee:     F,
			access.ChangeEmployeeRole: F,
			access.DeleteEmployee:     F,
			access.ManageMemberships:  F,
		}
		for action, w := range want {
			err := env.App.Access.Check(ctx, leeds, action, access.Employee(ca))
			if got := classify(err); got != w {
				t.Errorf("leeds.admin %s on a company admin in Support: got %s (%v), want %s", action, got, err, w)
			}
		}
		// sales.admin does not administer Support: still invisible.
		if got := classify(env.App.Access.Check(ctx, env.Actor("sales.admin"), access.ViewEmployee, access.Employee(ca))); got != N {
			t.Errorf("sales.admin view acme.admin (member of sibling Support): got %s, want notfound", got)
		}
	})
}

// An id that does not exist and another company's object give the same
// class of error, and the same text once the id is blanked out.
func TestNonexistentLooksLikeOtherCompany(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		const missing = 987654321
		kinds := []struct {
			action          access.Action
			other, nonexist access.Target
		}{
			{access.ViewCompany, access.Company(f.Globex.ID), access.Company(missing)},
			{access.ManageCompany, access.Company(f.Globex.ID), access.Company(missing)},
			{access.ViewGroup, access.Group(f.Reading.ID), access.Group(missing)},
			{access.DeleteGroup, access.Group(f.Reading.ID), access.Group(missing)},
			{access.ViewEmployee, access.Employee(env.ID("globex.one")), access.Employee(missing)},
			{access.DeleteEmployee, access.Employee(env.ID("globex.one")), access.Employee(missing)},
		}
		for _, user := range []string{"acme.admin", "leeds.admin", "sales.admin", "west.one"} {
			for _, k := range kinds {
				a := env.Actor(user)
				errOther := env.App.Access.Check(ctx, a, k.action, k.other)
				errMissing := env.App.Access.Check(ctx, a, k.action, k.nonexist)
				if classify(errOther) != N || classify(errMissing) != N {
					t.Errorf("%s %s: other company %v, missing %v; want both notfound", user, k.action, errOther, errMissing)
					continue
				}
				if reflect.TypeOf(errors.Unwrap(errOther)) != reflect.TypeOf(errors.Unwrap(errMissing)) {
					t.Errorf("%s %s: error types differ: %T vs %T", user, k.action, errors.Unwrap(errOther), errors.Unwrap(errMissing))
				}
				o := strings.Replace(errOther.Error(), fmt.Sprint(k.other.ID), "ID", 1)
				m := strings.Replace(errMissing.Error(), fmt.Sprint(k.nonexist.ID), "ID", 1)
				if o != m {
					t.Errorf("%s %s: messages differ: %q vs %q", user, k.action, o, m)
				}
			}
		}
		// Operators, too, get not found for an id that does not exist.
		for _, tg := range []access.Target{access.Company(missing), access.Group(missing), access.Employee(missing), access.Provider(missing)} {
			if got := classify(env.App.Access.Check(ctx, env.Actor("operator"), access.ViewCompany, tg)); got != N {
				t.Errorf("operator on missing %s: got %s, want notfound", tg.Kind, got)
			}
		}
	})
}

func TestScope(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		scope := func(user string) access.Scope {
			t.Helper()
			sc, err := env.App.Access.Scope(ctx, env.Actor(user))
			if err != nil {
				t.Fatalf("scope %s: %v", user, err)
			}
			return sc
		}

		if sc := scope("operator"); !reflect.DeepEqual(sc, access.Scope{ProviderID: f.Provider.ID}) || sc.Restricted() {
			t.Errorf("operator scope = %+v, want the whole provider", sc)
		}
		ca := scope("acme.admin")
		if ca.CompanyID != f.Acme.ID || ca.GroupPaths != nil || ca.SelfID != 0 || ca.Restricted() {
			t.Errorf("company admin scope = %+v, want the whole of Acme", ca)
		}

		leeds := scope("leeds.admin")
		if leeds.CompanyID != f.Acme.ID || !reflect.DeepEqual(leeds.GroupPaths, []string{f.Leeds.IDPath()}) ||
			leeds.SelfID != env.ID("leeds.admin") || !leeds.Restricted() {
			t.Errorf("leeds.admin scope = %+v, want Acme narrowed to %q and self", leeds, f.Leeds.IDPath())
		}
		sales := scope("sales.admin")
		if sales.CompanyID != f.Acme.ID || !reflect.DeepEqual(sales.GroupPaths, []string{f.Sales.IDPath()}) ||
			sales.SelfID != env.ID("sales.admin") {
			t.Errorf("sales.admin scope = %+v, want Acme narrowed to %q", sales, f.Sales.IDPath())
		}

		emp := scope("west.one")
		if emp.CompanyID != f.Acme.ID || emp.GroupPaths == nil || len(emp.GroupPaths) != 0 ||
			emp.SelfID != env.ID("west.one") || !emp.Restricted() {
			t.Errorf("employee scope = %+v, want self only (empty, non-nil group paths)", emp)
		}

		// A group admin given a sub-group of a group they already administer
		// keeps one root; given a second, disjoint group, gets two.
		lid := env.ID("leeds.admin")
		if err := env.App.Directory.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: f.SalesWest.ID, AccountID: lid}}, nil); err != nil {
			t.Fatal(err)
		}
		if got := scope("leeds.admin").GroupPaths; !reflect.DeepEqual(got, []string{f.Leeds.IDPath()}) {
			t.Errorf("leeds.admin with Leeds and Sales West: paths %v, want only %q", got, f.Leeds.IDPath())
		}
		if err := env.App.Directory.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: f.London.ID, AccountID: lid}}, nil); err != nil {
			t.Fatal(err)
		}
		got := scope("leeds.admin").GroupPaths
		if len(got) != 2 || !contains(got, f.Leeds.IDPath()) || !contains(got, f.London.IDPath()) {
			t.Errorf("leeds.admin with Leeds and London: paths %v, want both sites", got)
		}

		// A group admin with no assignment sees nothing but themselves.
		if err := env.App.Directory.ChangeGroupAdmins(ctx, nil, []directory.Link{{GroupID: f.Sales.ID, AccountID: env.ID("sales.admin")}}); err != nil {
			t.Fatal(err)
		}
		bare := scope("sales.admin")
		if bare.GroupPaths == nil || len(bare.GroupPaths) != 0 || bare.SelfID != env.ID("sales.admin") {
			t.Errorf("unassigned group admin scope = %+v, want empty non-nil paths and self", bare)
		}
		if got := classify(env.App.Access.Check(ctx, env.Actor("sales.admin"), access.ViewGroup, access.Group(f.Sales.ID))); got != N {
			t.Errorf("unassigned sales.admin view Sales: got %s, want notfound", got)
		}

		// An unknown role has no scope.
		if _, err := env.App.Access.Scope(ctx, access.Actor{AccountID: 1, Role: "janitor"}); !errors.Is(err, derrors.ErrForbidden) {
			t.Errorf("scope of an unknown role: %v, want ErrForbidden", err)
		}
	})
}

func contains(xs []string, x string) bool {
	for _, s := range xs {
		if s == x {
			return true
		}
	}
	return false
}

// TestConfigureDevice: a device's Visual Device Manager is for whoever
// manages the site's devices and for the employee using the device; to a
// colleague, a peer outside the site and another company the device does
// not exist. CheckConfigureDevice says which ground allowed it.
func TestConfigureDevice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		sv := env.SeedService(t)
		f := env.Fixture
		west := env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Advanced", "+441134960010", "T46U", "001565AC0001")
		support := env.ActivateWithPhone(t, sv, "support.one", f.Leeds.ID, "Basic", "+441134960011", "T46U", "001565AC0002")
		ctx := context.Background()
		const admin, user = "admin", "user"
		cases := []struct {
			actor  string
			device int64
			want   outcome
			ground string
		}{
			{"operator", west.ID, Y, admin},
			{"acme.admin", west.ID, Y, admin},
			{"leeds.admin", west.ID, Y, admin},
			{"west.one", west.ID, Y, user},
			{"support.one", support.ID, Y, user},
			{"west.one", support.ID, N, ""},
			{"sales.admin", west.ID, N, ""},
			{"leeds.admin2", west.ID, Y, admin},
			{"acme.reseller", west.ID, Y, admin},
			{"globex.admin", west.ID, N, ""},
			{"globex.one", west.ID, N, ""},
		}
		for _, c := range cases {
			asUser, err := env.App.Access.CheckConfigureDevice(ctx, env.Actor(c.actor), c.device)
			if got := classify(err); got != c.want {
				t.Errorf("%s configures device %d: got %s (%v), want %s", c.actor, c.device, got, err, c.want)
				continue
			}
			if c.want == Y && asUser != (c.ground == user) {
				t.Errorf("%s configures device %d: as the user = %v, want the %s ground", c.actor, c.device, asUser, c.ground)
			}
			if err := env.App.Access.Check(ctx, env.Actor(c.actor), access.ConfigureDevice, access.Device(c.device)); classify(err) != c.want {
				t.Errorf("%s: Check and CheckConfigureDevice disagree: %v", c.actor, err)
			}
		}
	})
}
