package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

func setAddEmployee(t *testing.T, env *apptest.Env, companyID int64, on bool) {
	t.Helper()
	if _, err := env.App.Tenancy.UpdateCompany(context.Background(), companyID, tenancy.CompanyUpdateRequest{AddEmployee: &on}); err != nil {
		t.Fatal(err)
	}
}

func countAccounts(t *testing.T, env *apptest.Env) int {
	t.Helper()
	var n int
	if err := env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM accounts").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

var newEmployeeLocation = regexp.MustCompile(`^/employees/(\d+)(/activate)?\?msg=(emp-created(?:-activate)?)$`)

// TestAddEmployeeFlagAddressAndSaveActivate: with the company's Add Employee
// flag on, the form offers Save and Save & Activate and the address fields;
// the address is stored, a bad one is refused field by field, and Save &
// Activate lands on the new employee's Activate page. With the flag off
// both buttons are disabled with the API's own reason, and a post is still
// refused and creates nothing.
func TestAddEmployeeFlagAddressAndSaveActivate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		b := newBrowser(t, env)
		b.login("acme.admin", false)

		p := b.get("/employees/new")
		mustContain(t, "add employee form", p, http.StatusOK, `id="btn-save"`, `id="btn-save-activate"`, "Save & Activate",
			"Address details", `name="address.line1"`, `name="address.postcode"`, `id="f-address-country" name="address.country" value="" autocomplete="off"`)
		if strings.Contains(p.Body, "disabled") || strings.Contains(p.Body, `id="add-refused"`) {
			t.Fatalf("the form is disabled with the flag on:\n%s", p.Body)
		}

		form := func(username, next string) url.Values {
			return url.Values{"username": {username}, "password": {"Good-Pass-1!"}, "password_confirm": {"Good-Pass-1!"},
				"first_name": {"Nina"}, "last_name": {"New"}, "group_ids": {id(f.Leeds.ID)}, "next": {next},
				"address.line1": {" 1 Park Row "}, "address.line2": {"Floor 2"}, "address.city": {"Leeds"},
				"address.postcode": {"LS1 5AB"}, "address.country": {"United Kingdom"}}
		}

		// A bad address: each message next to its field, the typed values
		// kept, nobody created.
		accounts := countAccounts(t, env)
		bad := form("nina.bad", "activate")
		bad.Set("address.line1", strings.Repeat("x", 129))
		bad.Set("address.postcode", "LS1\n5AB")
		p = b.post("/employees/new", bad, false)
		mustContain(t, "bad address", p, http.StatusUnprocessableEntity,
			`id="f-address-line1-err"`, "Address line 1 must be at most 128 characters.",
			`id="f-address-postcode-err"`, "The postcode must be one line of text", `href="#f-address-postcode"`,
			`name="address.city" value="Leeds"`)
		if got := countAccounts(t, env); got != accounts {
			t.Fatalf("a refused Add Employee changed the accounts from %d to %d", accounts, got)
		}

		// Save & Activate: created with the address, then the Activate page.
		p = b.post("/employees/new", form("nina.new", "activate"), false)
		m := newEmployeeLocation.FindStringSubmatch(p.Location)
		if p.Status != http.StatusSeeOther || m == nil || m[2] != "/activate" || m[3] != "emp-created-activate" {
			t.Fatalf("save & activate: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		nina := findEmployee(t, env, "nina.new")
		if id(nina.ID) != m[1] {
			t.Fatalf("redirected to employee %s, created %d", m[1], nina.ID)
		}
		want := directory.Address{Line1: "1 Park Row", Line2: "Floor 2", City: "Leeds", Postcode: "LS1 5AB", Country: "United Kingdom"}
		if nina.Address != want || nina.Status != directory.StatusInactive {
			t.Fatalf("nina.new: address %+v status %s, want %+v inactive", nina.Address, nina.Status, want)
		}
		mustContain(t, "activate page after save", b.get(p.Location), http.StatusOK,
			"The employee has been added. Activate them now, or later from their profile.", `id="btn-activate"`, `name="e0.cli_first_name" value="Nina"`)
		// The profile shows the address in the same fields, and offers
		// Activate now to whoever left with Save.
		mustContain(t, "profile address", b.get("/employees/"+id(nina.ID)), http.StatusOK,
			`name="address.line1" value="1 Park Row"`, `name="address.postcode" value="LS1 5AB"`, `id="activate-now"`)

		// Save: created, then the profile.
		p = b.post("/employees/new", form("nina.two", ""), false)
		if m := newEmployeeLocation.FindStringSubmatch(p.Location); p.Status != http.StatusSeeOther || m == nil || m[2] != "" || m[3] != "emp-created" {
			t.Fatalf("save: %d %q\n%s", p.Status, p.Location, p.Body)
		}

		// Flag off: the page says why, with the API's words, and both
		// buttons are disabled.
		setAddEmployee(t, env, f.Acme.ID, false)
		res := env.Do(t, env.Token(t, "acme.admin"), "POST", "/api/v1/employees", map[string]any{"username": "api.flagoff",
			"first_name": "Api", "last_name": "Off"})
		var prob struct{ Detail string }
		res.JSON(t, &prob)
		if res.Status != http.StatusForbidden || !strings.Contains(prob.Detail, "Add Employee") {
			t.Fatalf("API add with the flag off: %d %s", res.Status, res.Body)
		}
		reason := strings.ToUpper(prob.Detail[:1]) + prob.Detail[1:] + "."
		p = b.get("/employees/new")
		mustContain(t, "flag off", p, http.StatusOK, `id="add-refused"`, reason,
			`id="btn-save" disabled aria-disabled="true"`, `id="btn-save-activate" disabled aria-disabled="true"`)

		// A post is refused all the same, with the reason, creating nobody.
		accounts = countAccounts(t, env)
		p = b.post("/employees/new", form("nina.off", "activate"), false)
		mustContain(t, "flag off (post)", p, http.StatusForbidden, reason, `id="btn-save-activate" disabled`, `name="username" value="nina.off"`)
		if got := countAccounts(t, env); got != accounts {
			t.Fatalf("Add Employee with the flag off changed the accounts from %d to %d", accounts, got)
		}

		// The provider's operator is not bound by the flag, as in the API.
		op := newBrowser(t, env)
		op.login("operator", false)
		p = op.get("/employees/new?company_id=" + id(f.Acme.ID))
		mustContain(t, "operator, flag off", p, http.StatusOK, `id="btn-save-activate"`)
		if strings.Contains(p.Body, `id="btn-save-activate" disabled`) {
			t.Fatal("the operator's Save & Activate is disabled")
		}

		// Flag on again: enabled.
		setAddEmployee(t, env, f.Acme.ID, true)
		if p := b.get("/employees/new"); strings.Contains(p.Body, "disabled") {
			t.Fatalf("the form stays disabled with the flag back on:\n%s", p.Body)
		}
		if _, err := env.App.Directory.Employee(ctx, nina.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestProfileAddressErrors: the profile's address fields report their own
// errors too (the shared fields, the same rules).
func TestProfileAddressErrors(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	west := env.ID("west.one")
	p := b.post("/employees/"+id(west), url.Values{"first_name": {"Wendy"}, "last_name": {"West"}, "email": {"west.one@example.com"},
		"address.city": {strings.Repeat("c", 129)}}, false)
	mustContain(t, "profile address", p, http.StatusUnprocessableEntity, `id="f-address-city-err"`, "The town or city must be at most 128 characters.")
	if e := findEmployee(t, env, "west.one"); e.Address != (directory.Address{}) {
		t.Fatalf("a refused profile save stored the address %+v", e.Address)
	}
}

// TestDeleteEmployee deletes an active employee through the confirm step:
// the page names what goes, the post needs the CSRF token, and afterwards
// the number is back in the pool, the device is gone, the employee is not
// found and the audit log has the deletion by the administrator.
func TestDeleteEmployee(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		svc := env.SeedService(t)
		ctx := context.Background()
		f := env.Fixture
		west := env.ID("west.one")
		b := newBrowser(t, env)
		b.login("acme.admin", false)
		if p := b.post("/employees/"+id(west)+"/activate", activateForm(env, svc, f.Leeds.ID, ""), false); p.Status != http.StatusSeeOther {
			t.Fatalf("activate: %d\n%s", p.Status, p.Body)
		}
		runJobs(t, env)
		if st := employeeStatus(t, env, west); st != directory.StatusActive {
			t.Fatalf("west.one is %s", st)
		}

		profile := "/employees/" + id(west)
		mustContain(t, "profile", b.get(profile), http.StatusOK, `id="btn-delete" href="`+profile+`/delete"`)
		mustContain(t, "confirm", b.get(profile+"/delete"), http.StatusOK, "Delete employee", "this cannot be undone",
			"returns the telephone number 0113 496 0000 to the number pool of the site Leeds", "frees extension 0000",
			"deletes the device 441134960000A", "removes them from every group", "Select Delete to proceed",
			`class="btn danger" id="btn-ok">Delete</button>`, `action="`+profile+`/delete"`)

		// Without the session's CSRF token nothing happens.
		if p := b.post(profile+"/delete", url.Values{"csrf_token": {"forged"}}, false); p.Status != http.StatusForbidden {
			t.Fatalf("delete with a forged CSRF token: %d", p.Status)
		}
		if _, err := env.App.Directory.Employee(ctx, west); err != nil {
			t.Fatalf("a forged delete removed west.one: %v", err)
		}

		p := b.post(profile+"/delete", nil, false)
		if p.Status != http.StatusSeeOther || p.Location != "/employees?msg=emp-deleted" {
			t.Fatalf("delete: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		list := b.get(p.Location)
		mustContain(t, "list after delete", list, http.StatusOK, "The employee has been deleted")
		if strings.Contains(list.Body, `href="`+profile+`"`) {
			t.Fatal("the employee list still links west.one")
		}
		if _, err := env.App.Directory.Employee(ctx, west); !derrors.IsNotFound(err) {
			t.Fatalf("west.one after delete: %v", err)
		}
		n, err := env.App.Numbering.Lookup(ctx, f.Provider.ID, svc.LeedsFirst)
		if err != nil || n.Status != numbering.StatusReturned {
			t.Fatalf("the number after delete: %+v %v", n, err)
		}
		devs, err := env.App.Devices.SiteDevices(ctx, f.Acme.ID, f.Leeds.ID, false)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range devs {
			if d.MAC == "441134960000A" {
				t.Fatalf("the soft client is still on the site: %+v", d)
			}
		}
		es, _, err := env.App.Audit.List(ctx, audit.Filter{CompanyID: f.Acme.ID, Event: "Delete Employee", ObjectID: west}, store.Page{})
		if err != nil || len(es) != 1 || es[0].ActorUsername != "acme.admin" || es[0].ObjectName != "west.one" {
			t.Fatalf("audit of the delete: %+v %v", es, err)
		}

		// Gone: the pages answer not found.
		for _, path := range []string{profile, profile + "/delete"} {
			if p := b.get(path); p.Status != http.StatusNotFound {
				t.Errorf("GET %s after delete: %d", path, p.Status)
			}
		}
		if p := b.post(profile+"/delete", nil, false); p.Status != http.StatusNotFound {
			t.Fatalf("deleting twice: %d", p.Status)
		}
	})
}

// TestDeleteEmployeeAccess: Delete asks access as the API's DELETE does. A
// group administrator deletes within their groups only (outside them the
// employee does not exist for them), never a company administrator;
// nobody deletes themselves; another company's employee is not found.
func TestDeleteEmployeeAccess(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	ctx := context.Background()
	f := env.Fixture
	exists := func(username string) {
		t.Helper()
		if _, err := env.App.Directory.Employee(ctx, env.ID(username)); err != nil {
			t.Fatalf("%s: %v", username, err)
		}
	}
	emp := func(username string) string { return "/employees/" + id(env.ID(username)) }

	// sales.admin administers Sales: west.one (Sales West) is theirs,
	// support.one (Support) is not.
	sales := newBrowser(t, env)
	sales.login("sales.admin", false)
	for _, who := range []string{"support.one", "london.one", "acme.admin"} {
		if p := sales.get(emp(who) + "/delete"); p.Status != http.StatusNotFound {
			t.Errorf("sales.admin GET delete of %s: %d", who, p.Status)
		}
		if p := sales.post(emp(who)+"/delete", nil, false); p.Status != http.StatusNotFound {
			t.Errorf("sales.admin POST delete of %s: %d", who, p.Status)
		}
		exists(who)
	}
	// Their own account: no button, and a refusal with the reason.
	if p := sales.get(emp("sales.admin")); strings.Contains(p.Body, `id="btn-delete"`) {
		t.Fatal("sales.admin is offered to delete themselves")
	}
	mustContain(t, "delete self", sales.get(emp("sales.admin")+"/delete"), http.StatusForbidden, "You cannot delete your own account.")
	mustContain(t, "delete self (post)", sales.post(emp("sales.admin")+"/delete", nil, false), http.StatusForbidden, "You cannot delete your own account.")
	exists("sales.admin")

	// A company administrator in a group admin's group: seen, not deleted.
	if err := env.App.Directory.ChangeMembers(ctx, []directory.Link{{GroupID: f.Sales.ID, AccountID: env.ID("acme.admin")}}, nil); err != nil {
		t.Fatal(err)
	}
	if p := sales.get(emp("acme.admin")); p.Status != http.StatusOK || strings.Contains(p.Body, `id="btn-delete"`) {
		t.Fatalf("sales.admin's view of the company admin: %d, delete offered: %v", p.Status, strings.Contains(p.Body, `id="btn-delete"`))
	}
	mustContain(t, "group admin deletes company admin", sales.post(emp("acme.admin")+"/delete", nil, false), http.StatusForbidden,
		"A group administrator cannot change a company administrator.")
	exists("acme.admin")

	// Within scope the group admin may.
	mustContain(t, "in scope", sales.get(emp("west.one")), http.StatusOK, `id="btn-delete"`)
	if p := sales.post(emp("west.one")+"/delete", nil, false); p.Status != http.StatusSeeOther || p.Location != "/employees?msg=emp-deleted" {
		t.Fatalf("sales.admin deletes west.one: %d %q\n%s", p.Status, p.Location, p.Body)
	}

	// An employee sees no button on their own profile and may not.
	one := newBrowser(t, env)
	one.login("support.one", false)
	if p := one.get(emp("support.one")); p.Status != http.StatusMovedPermanently || p.Location != "/account" {
		t.Fatalf("support.one's own profile: %d %q", p.Status, p.Location)
	}
	if p := one.get("/account"); p.Status != http.StatusOK || strings.Contains(p.Body, `id="btn-delete"`) {
		t.Fatalf("support.one's account: %d", p.Status)
	}
	if p := one.post(emp("support.one")+"/delete", nil, false); p.Status != http.StatusForbidden {
		t.Fatalf("support.one deletes themselves: %d", p.Status)
	}
	exists("support.one")

	// Another company's employee is exactly like a missing one.
	acme := newBrowser(t, env)
	acme.login("acme.admin", false)
	for _, path := range []string{emp("globex.one") + "/delete", "/employees/987654/delete"} {
		if p := acme.get(path); p.Status != http.StatusNotFound {
			t.Errorf("GET %s: %d", path, p.Status)
		}
		if p := acme.post(path, nil, false); p.Status != http.StatusNotFound {
			t.Errorf("POST %s: %d", path, p.Status)
		}
	}
	exists("globex.one")
	if p := acme.get(emp("acme.admin")); strings.Contains(p.Body, `id="btn-delete"`) {
		t.Fatal("acme.admin is offered to delete themselves")
	}
}
