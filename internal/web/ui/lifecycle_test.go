package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// runJobs runs every due job to its end.
func runJobs(t *testing.T, env *apptest.Env) {
	t.Helper()
	if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{Owner: "ui-test"}).RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func employeeStatus(t *testing.T, env *apptest.Env, id int64) string {
	t.Helper()
	e, err := env.App.Directory.Employee(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return e.Status
}

func setConfigAndReg(t *testing.T, env *apptest.Env, on bool) {
	t.Helper()
	if _, err := env.App.Tenancy.UpdateCompany(context.Background(), env.Fixture.Acme.ID, tenancy.CompanyUpdateRequest{ConfigAndReg: &on}); err != nil {
		t.Fatal(err)
	}
}

func mustContain(t *testing.T, what string, p page, status int, subs ...string) {
	t.Helper()
	if p.Status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, p.Status, status, p.Body)
	}
	body := htmlUnescape(p.Body)
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Fatalf("%s: the page does not say %q\n%s", what, s, body)
		}
	}
}

var jobLocation = regexp.MustCompile(`^/jobs/(\d+)\?submitted=1$`)

// activateForm is the Activate form of one employee (fields e0.…) as the
// browser posts it with the defaults.
func activateForm(env *apptest.Env, svc apptest.Service, site int64, ext string) url.Values {
	return url.Values{"site_id": {id(site)}, "user_type": {"ip_centrex"}, "language": {"en-GB"},
		"term_id": {id(svc.Terms["Monthly"].ID)}, "package_id": {id(firstEmployeePackage(svc))},
		"e0.cli_first_name": {"West"}, "e0.cli_last_name": {"One"}, "e0.number": {svc.LeedsFirst}, "e0.extension": {ext},
		"e0.device_mode": {"new"}, "e0.type_id": {id(svc.Types["Soft Client"].ID)}, "e0.mac": {""}}
}

func firstEmployeePackage(svc apptest.Service) int64 {
	var best int64
	for _, p := range svc.Packages {
		if p.Kind == "employee" && p.Type == "package" && (best == 0 || p.ID < best) {
			best = p.ID
		}
	}
	return best
}

func TestActivateAndServicePages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		svc := env.SeedService(t)
		if _, ok := svc.Terms["Monthly"]; !ok || svc.Types["Soft Client"].ID == 0 || firstEmployeePackage(svc) == 0 {
			t.Fatalf("the service fixture lacks Monthly, Soft Client or an employee package: %+v %+v", svc.Terms, svc.Types)
		}
		ctx := context.Background()
		f := env.Fixture
		west := env.ID("west.one")
		b := newBrowser(t, env)
		b.login("acme.admin", false)

		// The Activate form is pre-filled: site, CLI names, the next free
		// number, the policy's extension, a new device.
		p := b.get("/employees/" + id(west) + "/activate")
		mustContain(t, "activate form", p, http.StatusOK, `<option value="+441134960000" selected>`, `name="e0.extension" value="0000"`,
			`name="e0.cli_first_name" value="`+env.Fixture.Accounts["west.one"].FirstName+`"`, "For a soft client it is the number's digits followed by A: 441134960000A", "Leeds")
		// The proposed package is the entry-level one (Basic, the fewest
		// features), not the first by name (Advanced).
		mustContain(t, "default package", p, http.StatusOK, `name="package_id" value="`+id(svc.Packages["Basic"].ID)+`" checked`)
		if strings.Contains(p.Body, `name="package_id" value="`+id(svc.Packages["Advanced"].ID)+`" checked`) {
			t.Fatal("the Activate form proposes Advanced")
		}

		// A refused extension: its reason next to the field, nothing changed.
		p = b.post("/employees/"+id(west)+"/activate", activateForm(env, svc, f.Leeds.ID, "1571"), false)
		mustContain(t, "refused extension", p, http.StatusUnprocessableEntity, "Extension 1571 is reserved: it is the voicemail access number", `id="f-e0-extension-err"`)
		if st := employeeStatus(t, env, west); st != directory.StatusInactive {
			t.Fatalf("after a refused activation west.one is %s", st)
		}
		if js, _, _ := env.App.Jobs.List(ctx, jobs.Filter{CompanyID: f.Acme.ID}, store.Page{}); len(js) != 0 {
			t.Fatalf("a refused activation enqueued %d jobs", len(js))
		}

		// Activate: redirect to the job's Status page; the worker runs it.
		p = b.post("/employees/"+id(west)+"/activate", activateForm(env, svc, f.Leeds.ID, ""), false)
		m := jobLocation.FindStringSubmatch(p.Location)
		if p.Status != http.StatusSeeOther || m == nil {
			t.Fatalf("activate: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		mustContain(t, "job submitted", b.get(p.Location), http.StatusOK, "Activate west.one", "Not Started", "The job has been submitted")
		if st := employeeStatus(t, env, west); st != directory.StatusPending {
			t.Fatalf("west.one is %s while the job waits", st)
		}
		runJobs(t, env)
		mustContain(t, "job done", b.get("/jobs/"+m[1]), http.StatusOK, "Completed", "1 of 1", "activated at Leeds with +441134960000, extension 0000")
		mustContain(t, "status list", b.get("/jobs"), http.StatusOK, "Activate west.one", "Completed", "acme.admin")
		if st := employeeStatus(t, env, west); st != directory.StatusActive {
			t.Fatalf("west.one is %s after the job", st)
		}

		// The sections.
		mustContain(t, "primary number", b.get("/employees/"+id(west)+"/primary-number"), http.StatusOK,
			"+441134960000", "0113 496 0000", "441134960000A", "Soft Client")
		mustContain(t, "feature package", b.get("/employees/"+id(west)+"/feature-package"), http.StatusOK, "Monthly", "A term can be upgraded")
		mustContain(t, "add-ons", b.get("/employees/"+id(west)+"/add-ons"), http.StatusOK, "Add-ons and applications")
		// A soft client is for IP Centrex users only: Business Trunking
		// with the soft client kept is refused on the user type, unchanged.
		p = b.post("/employees/"+id(west)+"/service", url.Values{"first_name": {"West"}, "last_name": {"One"}, "cli_first_name": {"Wes"},
			"cli_last_name": {"One"}, "user_type": {"business_trunking"}, "language": {"en-GB"}}, false)
		mustContain(t, "centrex only", p, http.StatusUnprocessableEntity, "a soft client is for IP Centrex users only")
		if s, err := env.App.Lifecycle.Service(ctx, f.Acme.ID, west); err != nil || s.CLIFirstName == "Wes" || s.UserType == nil || *s.UserType != lifecycle.IPCentrex {
			t.Fatalf("after a refused Save: %+v %v", s, err)
		}
		p = b.post("/employees/"+id(west)+"/service", url.Values{"first_name": {"West"}, "last_name": {"One"}, "cli_first_name": {"Wes"},
			"cli_last_name": {"One"}, "user_type": {"ip_centrex"}, "language": {"fr-FR"}}, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=service-saved") {
			t.Fatalf("service settings: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		s, err := env.App.Lifecycle.Service(ctx, f.Acme.ID, west)
		if err != nil || s.CLIFirstName != "Wes" || s.Language != "fr-FR" {
			t.Fatalf("after Save: %+v %v", s, err)
		}
		// A bad extension names the field and changes nothing.
		p = b.post("/employees/"+id(west)+"/primary-number", url.Values{"number": {svc.LeedsFirst}, "extension": {"1571"}}, false)
		mustContain(t, "primary number 1571", p, http.StatusUnprocessableEntity, "1571 is reserved")

		// Config & reg off: read-only with the reason; names still save.
		setConfigAndReg(t, env, false)
		p = b.get("/employees/" + id(west) + "/service")
		mustContain(t, "read-only", p, http.StatusOK, "The service provider has not enabled configuration changes (config & reg) for this company",
			`name="user_type_label" value="IP Centrex User"`)
		if strings.Contains(p.Body, `<select id="f-user-type"`) {
			t.Fatal("the user type is editable without config & reg")
		}
		p = b.post("/employees/"+id(west)+"/service", url.Values{"first_name": {"West"}, "last_name": {"One"}, "cli_first_name": {"Westy"},
			"cli_last_name": {"One"}, "user_type": {"additional_line"}}, false)
		mustContain(t, "user type without config & reg", p, http.StatusForbidden, "has not enabled configuration changes")
		p = b.post("/employees/"+id(west)+"/service", url.Values{"first_name": {"West"}, "last_name": {"One"}, "cli_first_name": {"Westy"},
			"cli_last_name": {"One"}}, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("names without config & reg: %d\n%s", p.Status, p.Body)
		}
		mustContain(t, "cease refused", b.get("/employees/"+id(west)+"/cease"), http.StatusOK, "has not enabled configuration changes")
		mustContain(t, "cease refused (post)", b.post("/employees/"+id(west)+"/cease", nil, false), http.StatusForbidden, "has not enabled configuration changes")
		setConfigAndReg(t, env, true)

		// Resubscribe → a job.
		mustContain(t, "resubscribe confirm", b.get("/employees/"+id(west)+"/resubscribe"), http.StatusOK, "Select Resubscribe to proceed")
		p = b.post("/employees/"+id(west)+"/resubscribe", nil, false)
		if p.Status != http.StatusSeeOther || !jobLocation.MatchString(p.Location) {
			t.Fatalf("resubscribe: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		runJobs(t, env)

		// Cease: the consequences, then the result; the number is free again.
		mustContain(t, "cease confirm", b.get("/employees/"+id(west)+"/cease"), http.StatusOK,
			"returns the telephone number 0113 496 0000 to the number pool of Leeds", "441134960000A", "Select Deactivate to proceed")
		mustContain(t, "ceased", b.post("/employees/"+id(west)+"/cease", nil, false), http.StatusOK, "is now Inactive",
			"0113 496 0000 is back in the site's number pool")
		n, err := env.App.Numbering.Lookup(ctx, f.Provider.ID, svc.LeedsFirst)
		if err != nil || n.Status != numbering.StatusReturned {
			t.Fatalf("the number after Cease: %+v %v", n, err)
		}
		mustContain(t, "cease again", b.post("/employees/"+id(west)+"/cease", nil, false), http.StatusConflict, "no active service")
	})
}

func TestActivateSelected(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	svc := env.SeedService(t)
	f := env.Fixture
	support, london := env.ID("support.one"), env.ID("london.one")
	b := newBrowser(t, env)
	b.login("acme.admin", false)

	// Employee Selection has a box per employee and Activate selected.
	mustContain(t, "selection", b.get("/employees"), http.StatusOK, `id="sel-`+id(support)+`"`, "Activate selected")

	p := b.get("/employees/activate?employee_id=" + id(support) + "&employee_id=" + id(london) + "&site_id=" + id(f.London.ID))
	mustContain(t, "activate two", p, http.StatusOK, "Activate 2 employees", `<option value="+442079460000" selected>`,
		`<option value="+442079460001" selected>`, `name="e1.extension" value="0001"`)

	// The same extension twice: the error is on the second employee.
	vals := url.Values{"site_id": {id(f.London.ID)}, "user_type": {"ip_centrex"}, "language": {"en-GB"},
		"term_id": {id(svc.Terms["Monthly"].ID)}, "package_id": {id(firstEmployeePackage(svc))}}
	for i, who := range []int64{support, london} {
		e := "e" + id(int64(i)) + "."
		vals.Set(e+"employee_id", id(who))
		vals.Set(e+"cli_first_name", "Name")
		vals.Set(e+"cli_last_name", "Surname")
		vals.Set(e+"extension", "2000")
		vals.Set(e+"device_mode", "new")
		vals.Set(e+"type_id", id(svc.Types["Soft Client"].ID))
	}
	p = b.post("/employees/activate", vals, false)
	mustContain(t, "duplicate extension", p, http.StatusUnprocessableEntity, `id="f-e1-extension-err"`, "Extension 2000 is chosen for more than one employee")
	if st := employeeStatus(t, env, support); st != directory.StatusInactive {
		t.Fatalf("support.one is %s after a refused activation", st)
	}
	vals.Set("e1.extension", "")
	p = b.post("/employees/activate", vals, false)
	if p.Status != http.StatusSeeOther || !jobLocation.MatchString(p.Location) {
		t.Fatalf("activate selected: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	runJobs(t, env)
	mustContain(t, "job", b.get(strings.TrimSuffix(p.Location, "?submitted=1")), http.StatusOK, "Activate 2 employees at London", "Completed", "2 of 2")
	for _, who := range []int64{support, london} {
		if st := employeeStatus(t, env, who); st != directory.StatusActive {
			t.Fatalf("employee %d is %s", who, st)
		}
	}
}

func TestLifecyclePagesAccess(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	svc := env.SeedService(t)
	f := env.Fixture
	west, globexOne := env.ID("west.one"), env.ID("globex.one")

	// A group administrator of a group that is no site: the page says
	// why, and a posted site answers like a missing one.
	sales := newBrowser(t, env)
	sales.login("sales.admin", false)
	mustContain(t, "no site", sales.get("/employees/"+id(west)+"/activate"), http.StatusOK, "you administer no site of this company")
	p := sales.post("/employees/"+id(west)+"/activate", activateForm(env, svc, f.Leeds.ID, ""), false)
	mustContain(t, "no site (post)", p, http.StatusUnprocessableEntity, "Site "+id(f.Leeds.ID)+" does not exist.")
	if st := employeeStatus(t, env, west); st != directory.StatusInactive {
		t.Fatalf("west.one is %s", st)
	}

	// The site's administrator may.
	leeds := newBrowser(t, env)
	leeds.login("leeds.admin", false)
	mustContain(t, "leeds admin", leeds.get("/employees/"+id(west)+"/activate"), http.StatusOK, `<option value="`+id(f.Leeds.ID)+`" selected>Leeds</option>`)

	// Another company's employee and job are exactly like missing ones.
	acme := newBrowser(t, env)
	acme.login("acme.admin", false)
	for _, path := range []string{"/activate", "/service", "/primary-number", "/feature-package", "/add-ons", "/resubscribe", "/cease"} {
		if p := acme.get("/employees/" + id(globexOne) + path); p.Status != http.StatusNotFound {
			t.Errorf("another company's employee %s: %d", path, p.Status)
		}
		if p := acme.post("/employees/"+id(globexOne)+path, url.Values{}, false); p.Status != http.StatusNotFound {
			t.Errorf("POST another company's employee %s: %d", path, p.Status)
		}
	}
	p = acme.get("/employees/activate?employee_id=" + id(globexOne))
	mustContain(t, "select another company's", p, http.StatusOK, "Employee "+id(globexOne)+" does not exist.")

	yes := true
	if _, err := env.App.Tenancy.UpdateCompany(context.Background(), f.Globex.ID, tenancy.CompanyUpdateRequest{AddEmployee: &yes}); err != nil {
		t.Fatal(err)
	}
	globex := newBrowser(t, env)
	globex.login("globex.admin", false)
	p = globex.post("/employees/"+id(globexOne)+"/activate", url.Values{"site_id": {id(f.Reading.ID)}, "user_type": {"ip_centrex"},
		"term_id": {id(svc.Terms["Monthly"].ID)}, "package_id": {id(firstEmployeePackage(svc))}, "e0.device_mode": {"new"},
		"e0.type_id": {id(svc.Types["Soft Client"].ID)}}, false)
	m := jobLocation.FindStringSubmatch(p.Location)
	if m == nil {
		t.Fatalf("globex activation: %d %s\n%s", p.Status, p.Location, p.Body)
	}
	if p := acme.get("/jobs/" + m[1]); p.Status != http.StatusNotFound {
		t.Fatalf("another company's job: %d", p.Status)
	}
	if p := globex.get("/jobs/" + m[1]); p.Status != http.StatusOK {
		t.Fatalf("own job: %d", p.Status)
	}
	if p := acme.get("/jobs"); strings.Contains(p.Body, "globex.one") {
		t.Fatal("Acme's Status lists Globex's job")
	}

	// Add-employee flag off: the form says so and Activate is disabled.
	no := false
	if _, err := env.App.Tenancy.UpdateCompany(context.Background(), f.Acme.ID, tenancy.CompanyUpdateRequest{AddEmployee: &no}); err != nil {
		t.Fatal(err)
	}
	p = acme.get("/employees/" + id(west) + "/activate")
	mustContain(t, "flag off", p, http.StatusOK, "The service provider has not enabled Add Employee and activation for this company", `id="btn-activate" disabled`)
	p = acme.post("/employees/"+id(west)+"/activate", activateForm(env, svc, f.Leeds.ID, ""), false)
	mustContain(t, "flag off (post)", p, http.StatusForbidden, "has not enabled Add Employee")
}

// TestServiceSettingsPrimaryDevice changes an active employee's primary
// device on the Service Settings page: per-field errors from the same rules
// as Activate, the old device left free on the site, and a read-only view
// without config & reg.
func TestServiceSettingsPrimaryDevice(t *testing.T) {
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
		mk := func(site int64, mac string) devices.Device {
			t.Helper()
			d, err := env.App.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: site, TypeID: svc.Types["T46U"].ID, MAC: mac})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		spare, london := mk(f.Leeds.ID, "001565AADD10"), mk(f.London.ID, "001565AADD11")
		settings := "/employees/" + id(west) + "/service"
		p := b.get(settings)
		mustContain(t, "device choice", p, http.StatusOK, `name="device.mode" value="existing" class="lc-mode" checked`,
			"441134960000A · Switchboard Soft Client (current)", "001565AADD10 · Yealink T46U", "Primary device")
		if strings.Contains(p.Body, "001565AADD11") {
			t.Fatal("a device of another site is offered")
		}
		save := func(dev url.Values) page {
			t.Helper()
			vals := url.Values{"first_name": {"West"}, "last_name": {"One"}, "cli_first_name": {"West"}, "cli_last_name": {"One"},
				"user_type": {"ip_centrex"}, "language": {"en-GB"}}
			for k, v := range dev {
				vals[k] = v
			}
			return b.post(settings, vals, false)
		}
		// Refusals name the device's field and change nothing.
		p = save(url.Values{"device.mode": {"existing"}, "device.device_id": {id(london.ID)}})
		mustContain(t, "device of another site", p, http.StatusUnprocessableEntity, `id="f-device-device-id-err"`, "belongs to another site")
		p = save(url.Values{"device.mode": {"new"}, "device.type_id": {id(svc.Types["T46U"].ID)}, "device.mac": {"zz"}})
		mustContain(t, "bad MAC", p, http.StatusUnprocessableEntity, `id="f-device-mac-err"`, "is not a MAC address", `name="device.mac" value="zz"`)
		p = save(url.Values{"device.mode": {"new"}, "device.type_id": {id(svc.Types["T46U"].ID)}, "device.mac": {"00:15:65:aa:dd:10"}})
		mustContain(t, "taken MAC", p, http.StatusUnprocessableEntity, `id="f-device-mac-err"`, "already registered")
		if s, _ := env.App.Lifecycle.Service(ctx, f.Acme.ID, west); s.Device == nil || s.Device.MAC != "441134960000A" {
			t.Fatalf("a refused change moved the device: %+v", s.Device)
		}

		// Another free device of the site; the soft client stays, free.
		p = save(url.Values{"device.mode": {"existing"}, "device.device_id": {id(spare.ID)}})
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "msg=service-saved") {
			t.Fatalf("device change: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		s, err := env.App.Lifecycle.Service(ctx, f.Acme.ID, west)
		if err != nil || s.Device == nil || s.Device.ID != spare.ID {
			t.Fatalf("after the change: %+v %v", s.Device, err)
		}
		free, err := env.App.Devices.SiteDevices(ctx, f.Acme.ID, f.Leeds.ID, true)
		if err != nil || len(free) != 1 || free[0].MAC != "441134960000A" {
			t.Fatalf("free devices of Leeds after the change: %+v %v", free, err)
		}
		mustContain(t, "primary number", b.get("/employees/"+id(west)+"/primary-number"), http.StatusOK, "001565AADD10 · Yealink T46U")

		// Without config & reg: read-only, and a posted device is refused
		// with the reason; the current device posted back is no change.
		setConfigAndReg(t, env, false)
		p = b.get(settings)
		mustContain(t, "read-only device", p, http.StatusOK, `name="device_label" value="001565AADD10 · Yealink T46U"`)
		if strings.Contains(p.Body, `name="device.mode"`) {
			t.Fatal("the device can be changed without config & reg")
		}
		p = save(url.Values{"device.mode": {"existing"}, "device.device_id": {id(free[0].ID)}})
		mustContain(t, "device without config & reg", p, http.StatusForbidden, "has not enabled configuration changes")
		if p = save(url.Values{"device.mode": {"existing"}, "device.device_id": {id(spare.ID)}}); p.Status != http.StatusSeeOther {
			t.Fatalf("the current device without config & reg: %d\n%s", p.Status, p.Body)
		}
	})
}
