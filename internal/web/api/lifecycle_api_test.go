package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

type svcView struct {
	Status       string `json:"status"`
	StatusReason string `json:"status_reason"`
	Extension    string `json:"extension"`
	Number       *struct {
		E164     string `json:"e164"`
		National string `json:"national"`
	} `json:"number"`
	Package *struct{ Name string } `json:"package"`
	Term    *struct{ Name string } `json:"term"`
	Device  *struct {
		ID  int64  `json:"id"`
		MAC string `json:"mac"`
	} `json:"device"`
	PortalAccess bool `json:"portal_access"`
}

func runJobs(t *testing.T, env *apptest.Env) {
	t.Helper()
	if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func service(t *testing.T, env *apptest.Env, tok string, id int64) svcView {
	t.Helper()
	res := env.Do(t, tok, "GET", fmt.Sprintf("/api/v1/employees/%d/service", id), nil)
	if res.Status != 200 {
		t.Fatalf("service: %d %s", res.Status, res.Body)
	}
	var v svcView
	res.JSON(t, &v)
	return v
}

func numberStatus(t *testing.T, env *apptest.Env, e164 string) string {
	t.Helper()
	var st string
	if err := env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT status FROM dn_numbers WHERE e164 = ?", e164).Scan(&st); err != nil {
		t.Fatal(err)
	}
	return st
}

func countRows(t *testing.T, env *apptest.Env, q string, args ...any) int {
	t.Helper()
	var n int
	if err := env.App.DB.Q(context.Background()).QueryRow(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func wantProblem(t *testing.T, res apptest.Response, status int, field, fragment string) {
	t.Helper()
	if res.Status != status {
		t.Fatalf("status %d, want %d: %s", res.Status, status, res.Body)
	}
	if field != "" && !strings.Contains(string(res.Body), `"field":"`+field+`"`) {
		t.Errorf("no error on field %s: %s", field, res.Body)
	}
	if fragment != "" && !strings.Contains(string(res.Body), fragment) {
		t.Errorf("body lacks %q: %s", fragment, res.Body)
	}
}

// TestEmployeeLifecycle is add → activate (job) → change number → cease →
// re-activate with a new number → delete, through the API on both engines.
func TestEmployeeLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		admin := env.Token(t, "acme.admin")

		// Add.
		res := env.Do(t, admin, "POST", "/api/v1/employees", map[string]any{"username": "new.hire", "password": "Str0ng-Pass!x",
			"first_name": "Nia", "last_name": "Hire", "email": "nia@example.com", "group_ids": []int64{f.Support.ID}})
		if res.Status != 201 {
			t.Fatalf("add: %d %s", res.Status, res.Body)
		}
		var e struct{ ID int64 }
		res.JSON(t, &e)
		base := fmt.Sprintf("/api/v1/employees/%d", e.ID)
		body := map[string]any{"site_id": f.Leeds.ID, "user_type": "ip_centrex", "term_id": sv.Terms["Monthly"].ID,
			"package_id": sv.Packages["Basic"].ID, "add_on_ids": []int64{sv.Packages["Call Recording"].ID},
			"device": map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": "00:15:65:aa:bb:01"}}

		// Activate: pending at once, active after the job.
		res = env.Do(t, admin, "POST", base+"/activate", body)
		if res.Status != 202 {
			t.Fatalf("activate: %d %s", res.Status, res.Body)
		}
		if s := service(t, env, admin, e.ID); s.Status != "pending" {
			t.Fatalf("status after enqueue = %s, want pending", s.Status)
		}
		runJobs(t, env)
		s := service(t, env, admin, e.ID)
		if s.Status != "active" || s.Number == nil || s.Number.E164 != sv.LeedsFirst || s.Extension != "0000" || s.Device == nil ||
			s.Package == nil || s.Package.Name != "Basic" {
			t.Fatalf("after activation: %+v", s)
		}
		if s.Number.National != "0113 496 0000" {
			t.Errorf("national = %q", s.Number.National)
		}
		res = env.Do(t, admin, "GET", "/api/v1/jobs?kind=activate_employees", nil)
		if res.Status != 200 || !strings.Contains(string(res.Body), `"status":"completed"`) {
			t.Fatalf("jobs: %d %s", res.Status, res.Body)
		}

		// Change number (old one returned), extension, term upgrade; no downgrade.
		res = env.Do(t, admin, "PATCH", base+"/service", map[string]any{"number": "0113 496 0050", "extension": "4050",
			"term_id": sv.Terms["12 months"].ID})
		if res.Status != 200 {
			t.Fatalf("change: %d %s", res.Status, res.Body)
		}
		if got := numberStatus(t, env, sv.LeedsFirst); got != "returned" {
			t.Errorf("old number status = %s, want returned", got)
		}
		wantProblem(t, env.Do(t, admin, "PATCH", base+"/service", map[string]any{"term_id": sv.Terms["Monthly"].ID}), 422, "term_id", "upgraded")
		wantProblem(t, env.Do(t, admin, "PATCH", base+"/service", map[string]any{"number": "020 7946 0001"}), 422, "number", "London")
		s = service(t, env, admin, e.ID)
		if s.Number.E164 != "+441134960050" || s.Extension != "4050" || s.Term.Name != "12 months" {
			t.Fatalf("after change: %+v", s)
		}
		mac := s.Device.MAC

		// The employee can log in; after the cease they cannot.
		empTok := env.Do(t, "", "POST", "/api/v1/auth/login", map[string]any{"username": "new.hire", "password": "Str0ng-Pass!x"})
		if empTok.Status != 200 {
			t.Fatalf("login before cease: %d %s", empTok.Status, empTok.Body)
		}
		// Cease.
		res = env.Do(t, admin, "POST", base+"/cease", nil)
		if res.Status != 200 {
			t.Fatalf("cease: %d %s", res.Status, res.Body)
		}
		s = service(t, env, admin, e.ID)
		if s.Status != "inactive" || s.Number != nil || s.Extension != "" || s.Package != nil || s.Device != nil || s.PortalAccess {
			t.Fatalf("after cease: %+v", s)
		}
		if got := numberStatus(t, env, "+441134960050"); got != "returned" {
			t.Errorf("ceased number = %s, want returned", got)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM devices WHERE mac = ?", mac); n != 0 {
			t.Errorf("the device is still under the site")
		}
		wantProblem(t, env.Do(t, "", "POST", "/api/v1/auth/login", map[string]any{"username": "new.hire", "password": "Str0ng-Pass!x"}), 401, "", "revoked")
		wantProblem(t, env.Do(t, admin, "POST", base+"/cease", nil), 409, "", "no active service")

		// Re-activate: a new number (the returned ones go to the back of the queue).
		body["device"] = map[string]any{"mode": "new", "type_id": sv.Types["Soft Client"].ID}
		res = env.Do(t, admin, "POST", base+"/activate", body)
		if res.Status != 202 {
			t.Fatalf("re-activate: %d %s", res.Status, res.Body)
		}
		runJobs(t, env)
		s = service(t, env, admin, e.ID)
		if s.Status != "active" || s.Number.E164 != "+441134960001" || s.Device.MAC != "441134960001A" || !s.PortalAccess {
			t.Fatalf("after re-activation: %+v", s)
		}

		// Resubscribe: pending, then active.
		res = env.Do(t, admin, "POST", base+"/resubscribe", nil)
		if res.Status != 202 {
			t.Fatalf("resubscribe: %d %s", res.Status, res.Body)
		}
		if s := service(t, env, admin, e.ID); s.Status != "pending" {
			t.Fatalf("resubscribe status = %s", s.Status)
		}
		runJobs(t, env)
		if s := service(t, env, admin, e.ID); s.Status != "active" {
			t.Fatalf("after resubscribe = %s", s.Status)
		}

		// Delete releases everything in the same transaction.
		if res := env.Do(t, admin, "DELETE", base, nil); res.Status != 204 {
			t.Fatalf("delete: %d %s", res.Status, res.Body)
		}
		if got := numberStatus(t, env, "+441134960001"); got != "returned" {
			t.Errorf("deleted employee's number = %s", got)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM devices WHERE mac = '441134960001A'"); n != 0 {
			t.Error("deleted employee's device remains")
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM extensions WHERE owner_id = ?", e.ID); n != 0 {
			t.Error("deleted employee's extension remains")
		}
	})
}

// TestActivationValidation checks each activation field is refused with a
// specific reason and changes nothing.
func TestActivationValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		ctx := context.Background()
		admin := env.Token(t, "acme.admin")
		support := env.ID("support.one")
		base := fmt.Sprintf("/api/v1/employees/%d/activate", support)
		good := func() map[string]any {
			return map[string]any{"site_id": f.Leeds.ID, "user_type": "ip_centrex", "term_id": sv.Terms["Monthly"].ID,
				"package_id": sv.Packages["Basic"].ID,
				"device":     map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": "001565AABB02"}}
		}
		// A device already registered and an extension already used.
		if _, err := env.App.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, deviceReq(f.London.ID, sv.Types["T46U"].ID, "001565AABB99")); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Numbering.ReserveExtension(ctx, f.Acme.ID, f.Leeds.ID, "0007", ownerOf(env.ID("west.one"))); err != nil {
			t.Fatal(err)
		}
		audits := countRows(t, env, "SELECT COUNT(*) FROM audit_events")
		with := func(k string, v any) map[string]any { b := good(); b[k] = v; return b }
		dev := func(m map[string]any) map[string]any { return with("device", m) }
		cases := []struct {
			name      string
			body      map[string]any
			field, in string
		}{
			{"number not in pool", with("number", "0113 496 1234"), "number", "not in the company's number pool"},
			{"number of another site", with("number", "020 7946 0005"), "number", "London"},
			{"number of another company", with("number", "0118 496 0005"), "number", "not in the company's number pool"},
			{"taken extension", with("extension", "0007"), "extension", "already used by"},
			{"refused extension", with("extension", "1571"), "extension", "voicemail"},
			{"site package", with("package_id", sv.Packages["Site Essentials"].ID), "package_id", "site"},
			{"add-on as package", with("package_id", sv.Packages["Call Recording"].ID), "package_id", "not a feature package"},
			{"missing device", with("device", map[string]any{}), "device.mode", "mandatory"},
			{"bad MAC", dev(map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": "zz"}), "device.mac", "not a MAC"},
			{"MAC taken", dev(map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": "00-15-65-aa-bb-99"}), "device.mac", "already registered"},
			{"device of another site", dev(map[string]any{"mode": "existing", "device_id": 1}), "device.device_id", "another site"},
			{"bad user type", with("user_type", "pbx"), "user_type", "user type"},
			{"unknown term", with("term_id", 99999), "term_id", "does not exist"},
			{"site of another company", with("site_id", f.Reading.ID), "site_id", "does not exist"},
			{"group not site", with("site_id", f.Support.ID), "site_id", "site"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantProblem(t, env.Do(t, admin, "POST", base, c.body), 422, c.field, c.in)
			})
		}
		if got := countRows(t, env, "SELECT COUNT(*) FROM audit_events"); got != audits {
			t.Errorf("refused activations wrote %d audit entries", got-audits)
		}
		if s := service(t, env, admin, support); s.Status != "inactive" {
			t.Errorf("status after refusals = %s", s.Status)
		}

		// The site's employee limit: the provider sets it, activation past it is refused.
		op := env.Token(t, "operator")
		lim := fmt.Sprintf("/api/v1/sites/%d/employee-limit", f.Leeds.ID)
		wantProblem(t, env.Do(t, admin, "PUT", lim, map[string]any{"employee_limit": 1}), 403, "", "service provider")
		if res := env.Do(t, op, "PUT", lim, map[string]any{"employee_limit": 1}); res.Status != 200 {
			t.Fatalf("set limit: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, admin, "POST", base, good()); res.Status != 202 {
			t.Fatalf("first activation: %d %s", res.Status, res.Body)
		}
		west := good()
		west["device"] = map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": "001565AABB03"}
		wantProblem(t, env.Do(t, admin, "POST", fmt.Sprintf("/api/v1/employees/%d/activate", env.ID("west.one")), west), 422, "site_id", "employee limit of 1")
		runJobs(t, env)

		// A race: the chosen number is taken before the job runs → error with the reason.
		if res := env.Do(t, op, "PUT", lim, map[string]any{"employee_limit": 0}); res.Status != 200 {
			t.Fatal(res.Status)
		}
		west["number"] = "0113 496 0042"
		if res := env.Do(t, admin, "POST", fmt.Sprintf("/api/v1/employees/%d/activate", env.ID("west.one")), west); res.Status != 202 {
			t.Fatalf("west: %d %s", res.Status, res.Body)
		}
		if _, err := env.App.Numbering.Assign(ctx, f.Acme.ID, "+441134960042", ownerOf(env.ID("london.one"))); err != nil {
			t.Fatal(err)
		}
		runJobs(t, env)
		s := service(t, env, admin, env.ID("west.one"))
		if s.Status != "error" || !strings.Contains(s.StatusReason, "already assigned") || s.Device != nil || s.Number != nil {
			t.Fatalf("after the race: %+v", s)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM devices WHERE mac = '001565AABB03'"); n != 0 {
			t.Error("the failed activation left its device")
		}
	})
}

// TestLifecycleRefusals covers the company flags, group admin limits and
// tenant isolation.
func TestLifecycleRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		body := func(site int64, mac string) map[string]any {
			return map[string]any{"site_id": site, "user_type": "ip_centrex", "term_id": sv.Terms["Monthly"].ID,
				"package_id": sv.Packages["Basic"].ID, "device": map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": mac}}
		}
		act := func(user string, emp string, site int64, mac string) apptest.Response {
			return env.Do(t, env.Token(t, user), "POST", fmt.Sprintf("/api/v1/employees/%d/activate", env.ID(emp)), body(site, mac))
		}
		// Globex has neither flag.
		wantProblem(t, act("globex.admin", "globex.one", f.Reading.ID, "001565AABB10"), 403, "", "Add Employee")
		wantProblem(t, env.Do(t, env.Token(t, "globex.admin"), "POST", "/api/v1/employees", map[string]any{"username": "gx.two",
			"first_name": "G", "last_name": "X", "password": "Str0ng-Pass!x"}), 403, "", "has not enabled Add Employee for this company")
		// Group admins: members of their groups, at a site they administer.
		wantProblem(t, act("leeds.admin", "london.one", f.London.ID, "001565AABB11"), 404, "", "")
		wantProblem(t, act("leeds.admin", "support.one", f.London.ID, "001565AABB12"), 422, "site_id", "does not exist")
		wantProblem(t, act("sales.admin", "west.one", f.Leeds.ID, "001565AABB13"), 422, "site_id", "does not exist")
		wantProblem(t, act("leeds.admin", "acme.admin", f.Leeds.ID, "001565AABB14"), 404, "", "")
		if res := act("leeds.admin", "support.one", f.Leeds.ID, "001565AABB15"); res.Status != 202 {
			t.Fatalf("leeds.admin activating support.one: %d %s", res.Status, res.Body)
		}
		// Another company's employee and site answer like missing ones.
		wantProblem(t, act("acme.admin", "globex.one", f.Leeds.ID, "001565AABB16"), 404, "", "")
		globexJob := env.Do(t, env.Token(t, "operator"), "GET", fmt.Sprintf("/api/v1/jobs?company_id=%d", f.Globex.ID), nil)
		if globexJob.Status != 200 {
			t.Fatal(globexJob.Status)
		}
		runJobs(t, env)
		// A job of Acme is 404 to Globex.
		var jl struct{ Items []struct{ ID int64 } }
		env.Do(t, env.Token(t, "acme.admin"), "GET", "/api/v1/jobs", nil).JSON(t, &jl)
		if len(jl.Items) == 0 {
			t.Fatal("no Acme job")
		}
		wantProblem(t, env.Do(t, env.Token(t, "globex.admin"), "GET", fmt.Sprintf("/api/v1/jobs/%d", jl.Items[0].ID), nil), 404, "", "")
		wantProblem(t, env.Do(t, env.Token(t, "sales.admin"), "GET", fmt.Sprintf("/api/v1/jobs/%d", jl.Items[0].ID), nil), 404, "", "")

		// Config & reg off: names change, the rest and cease are refused.
		op := env.Token(t, "operator")
		if res := env.Do(t, op, "PATCH", fmt.Sprintf("/api/v1/companies/%d", f.Acme.ID), map[string]any{"config_and_reg": false}); res.Status != 200 {
			t.Fatalf("flag off: %d %s", res.Status, res.Body)
		}
		admin := env.Token(t, "acme.admin")
		svc := fmt.Sprintf("/api/v1/employees/%d/service", env.ID("support.one"))
		if res := env.Do(t, admin, "PATCH", svc, map[string]any{"cli_first_name": "Stanley"}); res.Status != 200 {
			t.Fatalf("names with the flag off: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"extension": "4444"}), 403, "", "config & reg")
		wantProblem(t, env.Do(t, admin, "POST", fmt.Sprintf("/api/v1/employees/%d/cease", env.ID("support.one")), nil), 403, "", "config & reg")
		if res := env.Do(t, op, "POST", fmt.Sprintf("/api/v1/employees/%d/cease", env.ID("support.one")), nil); res.Status != 200 {
			t.Fatalf("operator cease: %d %s", res.Status, res.Body)
		}
		// Nobody ceases themselves.
		wantProblem(t, env.Do(t, admin, "POST", fmt.Sprintf("/api/v1/employees/%d/cease", env.ID("acme.admin")), nil), 403, "", "your own service")
	})
}

// TestChangePrimaryDevice changes an active employee's primary device in
// Service Settings: another free device of the site, or a new one (a soft
// client's MAC built from the CLI), validated as Activate validates one, the
// old device kept on the site as a free device, config & reg enforced, and
// the change audited with the service before and after.
func TestChangePrimaryDevice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		ctx := context.Background()
		admin := env.Token(t, "acme.admin")
		support, west := env.ID("support.one"), env.ID("west.one")
		for _, e := range []struct {
			id  int64
			mac string
		}{{support, "001565AACC01"}, {west, "001565AACC02"}} {
			res := env.Do(t, admin, "POST", fmt.Sprintf("/api/v1/employees/%d/activate", e.id), map[string]any{"site_id": f.Leeds.ID,
				"user_type": "ip_centrex", "term_id": sv.Terms["Monthly"].ID, "package_id": sv.Packages["Basic"].ID,
				"device": map[string]any{"mode": "new", "type_id": sv.Types["T46U"].ID, "mac": e.mac}})
			if res.Status != 202 {
				t.Fatalf("activate %d: %d %s", e.id, res.Status, res.Body)
			}
			runJobs(t, env) // before the next, so each gets its own next free number
		}
		first := service(t, env, admin, support)
		if first.Status != "active" || first.Device == nil || first.Device.MAC != "001565AACC01" {
			t.Fatalf("after activation: %+v", first)
		}
		westDevice := service(t, env, admin, west).Device
		mk := func(company, site int64, mac string) int64 {
			t.Helper()
			d, err := env.App.Devices.Create(ctx, f.Provider.ID, company, deviceReq(site, sv.Types["T46U"].ID, mac))
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		spare := mk(f.Acme.ID, f.Leeds.ID, "001565AACC10")
		londonDevice := mk(f.Acme.ID, f.London.ID, "001565AACC11")
		globexDevice := mk(f.Globex.ID, f.Reading.ID, "001565AACC12")

		path := fmt.Sprintf("/api/v1/employees/%d/service", support)
		existing := func(id int64) map[string]any {
			return map[string]any{"device": map[string]any{"mode": "existing", "device_id": id}}
		}
		newDevice := func(typeID int64, mac string) map[string]any {
			return map[string]any{"device": map[string]any{"mode": "new", "type_id": typeID, "mac": mac}}
		}
		audits := countRows(t, env, "SELECT COUNT(*) FROM audit_events")
		cases := []struct {
			name      string
			body      map[string]any
			field, in string
		}{
			{"no mode", map[string]any{"device": map[string]any{}}, "device.mode", "mandatory"},
			{"no device id", existing(0), "device.device_id", "choose the device"},
			{"device of another site", existing(londonDevice), "device.device_id", "another site"},
			{"device of another company", existing(globexDevice), "device.device_id", "does not exist"},
			{"device of another employee", existing(westDevice.ID), "device.device_id", "already used by another employee"},
			{"no type", newDevice(0, ""), "device.type_id", "choose the device type"},
			{"unknown type", newDevice(99999, "001565AACC20"), "device.type_id", "does not exist"},
			{"no MAC", newDevice(sv.Types["T46U"].ID, ""), "device.mac", "MAC address"},
			{"bad MAC", newDevice(sv.Types["T46U"].ID, "zz"), "device.mac", "not a MAC"},
			{"MAC of another company", newDevice(sv.Types["T46U"].ID, "00-15-65-aa-cc-12"), "device.mac", "already registered"},
			{"bad soft client MAC", newDevice(sv.Types["Soft Client"].ID, "12A"), "device.mac", "CLI"},
			{"a bad number and a bad device, reported together", map[string]any{"number": "0113 496 1234", "device": map[string]any{"mode": "existing", "device_id": londonDevice}}, "device.device_id", "not in the company's number pool"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				res := env.Do(t, admin, "PATCH", path, c.body)
				wantProblem(t, res, 422, c.field, c.in)
				if strings.Contains(string(res.Body), "Globex") || strings.Contains(string(res.Body), "Reading") {
					t.Errorf("the refusal names another company: %s", res.Body)
				}
			})
		}
		if got := countRows(t, env, "SELECT COUNT(*) FROM audit_events"); got != audits {
			t.Errorf("refused device changes wrote %d audit entries", got-audits)
		}
		if s := service(t, env, admin, support); s.Device == nil || s.Device.ID != first.Device.ID {
			t.Fatalf("a refused change moved the device: %+v", s.Device)
		}

		// Another free device of the site: the old one stays on the site, free.
		res := env.Do(t, admin, "PATCH", path, existing(spare))
		if res.Status != 200 {
			t.Fatalf("existing device: %d %s", res.Status, res.Body)
		}
		if s := service(t, env, admin, support); s.Device == nil || s.Device.ID != spare {
			t.Fatalf("after the change: %+v", s.Device)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM devices WHERE id = ? AND site_id = ? AND account_id IS NULL", first.Device.ID, f.Leeds.ID); n != 1 {
			t.Error("the old device is not kept free on the site")
		}
		if n := countRows(t, env, `SELECT COUNT(*) FROM audit_events WHERE event = 'Modify Employee Service' AND object_id = ?
			AND before_json LIKE '%001565AACC01%' AND after_json LIKE '%001565AACC10%'`, support); n != 1 {
			t.Error("the change is not audited with the device before and after")
		}
		// The old device can now be chosen by another employee's change.
		if res := env.Do(t, admin, "PATCH", fmt.Sprintf("/api/v1/employees/%d/service", west), existing(first.Device.ID)); res.Status != 200 {
			t.Fatalf("the freed device for west.one: %d %s", res.Status, res.Body)
		}

		// A new soft client: its MAC is the employee's CLI followed by "A".
		res = env.Do(t, admin, "PATCH", path, newDevice(sv.Types["Soft Client"].ID, ""))
		if res.Status != 200 {
			t.Fatalf("new soft client: %d %s", res.Status, res.Body)
		}
		s := service(t, env, admin, support)
		if want := strings.TrimPrefix(s.Number.E164, "+") + "A"; s.Device == nil || s.Device.MAC != want {
			t.Fatalf("soft client MAC = %+v, want %s", s.Device, want)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM devices WHERE id = ? AND account_id IS NULL", spare); n != 1 {
			t.Error("the replaced device is not free")
		}
		// A number and a device changed together: the soft client's MAC
		// follows the new number.
		res = env.Do(t, admin, "PATCH", path, map[string]any{"number": "0113 496 0060",
			"device": map[string]any{"mode": "new", "type_id": sv.Types["Soft Client"].ID}})
		if res.Status != 200 {
			t.Fatalf("number and device: %d %s", res.Status, res.Body)
		}
		if s := service(t, env, admin, support); s.Number.E164 != "+441134960060" || s.Device == nil || s.Device.MAC != "441134960060A" {
			t.Fatalf("after number and device: %+v %+v", s.Number, s.Device)
		}

		// An employee with no active service has no device to change.
		wantProblem(t, env.Do(t, admin, "PATCH", fmt.Sprintf("/api/v1/employees/%d/service", env.ID("london.one")), existing(londonDevice)),
			422, "", "activate the employee first")

		// Without config & reg the change is refused with the reason; the
		// current device posted back is no change.
		op := env.Token(t, "operator")
		if res := env.Do(t, op, "PATCH", fmt.Sprintf("/api/v1/companies/%d", f.Acme.ID), map[string]any{"config_and_reg": false}); res.Status != 200 {
			t.Fatalf("flag off: %d %s", res.Status, res.Body)
		}
		cur := service(t, env, admin, support).Device
		wantProblem(t, env.Do(t, admin, "PATCH", path, existing(spare)), 403, "", "config & reg")
		body := existing(cur.ID)
		body["cli_first_name"] = "Sam"
		if res := env.Do(t, admin, "PATCH", path, body); res.Status != 200 {
			t.Fatalf("the current device with the flag off: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, op, "PATCH", path, existing(spare)); res.Status != 200 {
			t.Fatalf("the operator changes the device without the flag: %d %s", res.Status, res.Body)
		}
	})
}
