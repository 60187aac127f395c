package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSoftClientRules checks the soft client rule (docs/lifecycle.md) (Activate step
// 18: "use the CLI followed by the letter A (Centrex only)") through the
// API on both engines: a typed MAC must be exactly the CLI (the number's
// international digits) followed by "A", a free soft client of another
// number is refused, only IP Centrex users get one, and a kept soft client
// follows a number change in Service Settings.
func TestSoftClientRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		ctx := context.Background()
		admin := env.Token(t, "acme.admin")
		soft, desk := sv.Types["Soft Client"].ID, sv.Types["T46U"].ID
		support, west, london := env.ID("support.one"), env.ID("west.one"), env.ID("london.one")
		activate := func(userType, number string, device map[string]any) map[string]any {
			return map[string]any{"site_id": f.Leeds.ID, "user_type": userType, "term_id": sv.Terms["Monthly"].ID,
				"package_id": sv.Packages["Basic"].ID, "number": number, "device": device}
		}
		softNew := func(mac string) map[string]any { return map[string]any{"mode": "new", "type_id": soft, "mac": mac} }
		existing := func(id int64) map[string]any { return map[string]any{"mode": "existing", "device_id": id} }
		mkSoft := func(mac string) int64 {
			t.Helper()
			d, err := env.App.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, deviceReq(f.Leeds.ID, soft, mac))
			if err != nil {
				t.Fatal(err)
			}
			return d.ID
		}
		// Free soft clients on the site: one of another number, one of the
		// number 0113 496 0020.
		otherSoft := mkSoft("441134960099A")
		soft20 := mkSoft("441134960020A")

		audits := countRows(t, env, "SELECT COUNT(*) FROM audit_events")
		path := fmt.Sprintf("/api/v1/employees/%d/activate", support)
		cases := []struct {
			name      string
			body      map[string]any
			field, in string
		}{
			{"another number's CLI", activate("ip_centrex", "0113 496 0010", softNew("441134960011A")), "device.mac", "it must be 441134960010A"},
			{"the national form", activate("ip_centrex", "0113 496 0010", softNew("01134960010A")), "device.mac", "with 0113 496 0010 it must be 441134960010A"},
			{"with the plus", activate("ip_centrex", "0113 496 0010", softNew("+441134960010A")), "device.mac", "it must be 441134960010A"},
			{"without the A", activate("ip_centrex", "0113 496 0010", softNew("441134960010")), "device.mac", "it must be 441134960010A"},
			{"a hardware MAC", activate("ip_centrex", "0113 496 0010", softNew("00:15:65:aa:bb:cc")), "device.mac", "it must be 441134960010A"},
			{"business trunking", activate("business_trunking", "0113 496 0010", softNew("")), "device.type_id", "IP Centrex users only"},
			{"additional line", activate("additional_line", "0113 496 0010", softNew("441134960010A")), "device.type_id", "not for an Additional Line"},
			{"a free soft client of another number", activate("ip_centrex", "0113 496 0010", existing(otherSoft)), "device.device_id", "soft client of another number"},
			{"a soft client for business trunking", activate("business_trunking", "0113 496 0020", existing(soft20)), "device.device_id", "IP Centrex users only"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				wantProblem(t, env.Do(t, admin, "POST", path, c.body), 422, c.field, c.in)
			})
		}
		// Many at once: each employee's error under their own index.
		many := map[string]any{"site_id": f.Leeds.ID, "user_type": "ip_centrex", "term_id": sv.Terms["Monthly"].ID,
			"package_id": sv.Packages["Basic"].ID, "employees": []map[string]any{
				{"employee_id": support, "number": "0113 496 0010", "device": softNew("441134960012A")},
				{"employee_id": west, "number": "0113 496 0012", "device": softNew("441134960010A")}}}
		res := env.Do(t, admin, "POST", "/api/v1/employees/activate", many)
		wantProblem(t, res, 422, "employees[0].device.mac", "441134960010A")
		wantProblem(t, res, 422, "employees[1].device.mac", "441134960012A")
		if got := countRows(t, env, "SELECT COUNT(*) FROM audit_events"); got != audits {
			t.Errorf("refused activations wrote %d audit entries", got-audits)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM accounts WHERE id IN (?, ?) AND status = 'inactive'", support, west); n != 2 {
			t.Fatalf("a refused activation changed a status")
		}

		// Accepted: the CLI followed by "A", separators and case aside; the
		// free soft client of the number for an IP Centrex user.
		if res := env.Do(t, admin, "POST", path, activate("ip_centrex", "0113 496 0010", softNew("44 113 496 0010 a"))); res.Status != 202 {
			t.Fatalf("activate with the CLI: %d %s", res.Status, res.Body)
		}
		if res := env.Do(t, admin, "POST", fmt.Sprintf("/api/v1/employees/%d/activate", west),
			activate("ip_centrex", "0113 496 0020", existing(soft20))); res.Status != 202 {
			t.Fatalf("activate with the number's own soft client: %d %s", res.Status, res.Body)
		}
		// A desk phone for another user type is fine.
		if res := env.Do(t, admin, "POST", fmt.Sprintf("/api/v1/employees/%d/activate", london), map[string]any{"site_id": f.London.ID,
			"user_type": "business_trunking", "term_id": sv.Terms["Monthly"].ID, "package_id": sv.Packages["Basic"].ID,
			"device": map[string]any{"mode": "new", "type_id": desk, "mac": "001565AAEE01"}}); res.Status != 202 {
			t.Fatalf("business trunking with a desk phone: %d %s", res.Status, res.Body)
		}
		runJobs(t, env)
		s := service(t, env, admin, support)
		if s.Status != "active" || s.Device == nil || s.Device.MAC != "441134960010A" {
			t.Fatalf("after activation: %+v %+v", s, s.Device)
		}
		if w := service(t, env, admin, west); w.Status != "active" || w.Device == nil || w.Device.ID != soft20 {
			t.Fatalf("west.one after activation: %+v %+v", w, w.Device)
		}
		softID := s.Device.ID

		// Service Settings: a number change moves the kept soft client's MAC
		// to the new CLI, audited as a device change in the same save.
		svc := fmt.Sprintf("/api/v1/employees/%d/service", support)
		if res := env.Do(t, admin, "PATCH", svc, map[string]any{"number": "0113 496 0030"}); res.Status != 200 {
			t.Fatalf("number change: %d %s", res.Status, res.Body)
		}
		s = service(t, env, admin, support)
		if s.Number == nil || s.Number.E164 != "+441134960030" || s.Device == nil || s.Device.ID != softID || s.Device.MAC != "441134960030A" {
			t.Fatalf("after the number change: %+v %+v", s.Number, s.Device)
		}
		if n := countRows(t, env, `SELECT COUNT(*) FROM audit_events WHERE event = 'Modify Device' AND object_id = ?
			AND before_json LIKE '%441134960010A%' AND after_json LIKE '%441134960030A%'`, softID); n != 1 {
			t.Error("the soft client's new MAC is not audited as a device change")
		}
		if got := numberStatus(t, env, "+441134960010"); got != "returned" {
			t.Errorf("the old number is %s", got)
		}

		// The new CLI's MAC already taken: refused on the number, nothing changes.
		taken := mkSoft("441134960031A")
		audits = countRows(t, env, "SELECT COUNT(*) FROM audit_events")
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"number": "0113 496 0031", "cli_first_name": "Stanley"}), 422, "number",
			"would become 441134960031A")
		s = service(t, env, admin, support)
		if s.Number.E164 != "+441134960030" || s.Device.MAC != "441134960030A" || numberStatus(t, env, "+441134960031") != "available" {
			t.Fatalf("a refused number change changed something: %+v %+v", s.Number, s.Device)
		}
		if got := countRows(t, env, "SELECT COUNT(*) FROM audit_events"); got != audits {
			t.Errorf("a refused number change wrote %d audit entries", got-audits)
		}
		// Given another device in the same save, the number is free to take:
		// the soft client is replaced, so it keeps its MAC, free on the site.
		if res := env.Do(t, admin, "PATCH", svc, map[string]any{"number": "0113 496 0031", "device": existing(taken)}); res.Status != 200 {
			t.Fatalf("number and its own soft client: %d %s", res.Status, res.Body)
		}
		s = service(t, env, admin, support)
		if s.Device.ID != taken || s.Device.MAC != "441134960031A" {
			t.Fatalf("after number and device: %+v", s.Device)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM devices WHERE id = ? AND mac = '441134960030A' AND account_id IS NULL", softID); n != 1 {
			t.Error("the replaced soft client changed its MAC or was not freed")
		}

		// Service Settings typed MACs follow the same rule.
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"device": softNew("441134960030A")}), 422, "device.mac",
			"it must be 441134960031A")
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"number": "0113 496 0032", "device": softNew("441134960031A")}), 422,
			"device.mac", "it must be 441134960032A")
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"device": existing(softID)}), 422, "device.device_id",
			"soft client of another number")

		// Centrex only: a user type change keeping the soft client is
		// refused; with a desk phone in the same save it is not.
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"user_type": "business_trunking"}), 422, "user_type",
			"IP Centrex users only")
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"user_type": "additional_line", "device": softNew("")}), 422,
			"device.type_id", "IP Centrex users only")
		if res := env.Do(t, admin, "PATCH", svc, map[string]any{"user_type": "business_trunking",
			"device": map[string]any{"mode": "new", "type_id": desk, "mac": "001565AAEE02"}}); res.Status != 200 {
			t.Fatalf("business trunking with a desk phone: %d %s", res.Status, res.Body)
		}
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"device": softNew("")}), 422, "device.type_id",
			"not for a Business Trunking User")
		wantProblem(t, env.Do(t, admin, "PATCH", svc, map[string]any{"device": existing(taken)}), 422, "device.device_id",
			"IP Centrex users only")
		// A desk phone does not follow the number.
		if res := env.Do(t, admin, "PATCH", svc, map[string]any{"number": "0113 496 0033"}); res.Status != 200 {
			t.Fatalf("number change with a desk phone: %d %s", res.Status, res.Body)
		}
		if s := service(t, env, admin, support); s.Device.MAC != "001565AAEE02" || s.Number.E164 != "+441134960033" {
			t.Fatalf("after a number change with a desk phone: %+v %+v", s.Number, s.Device)
		}
		if !strings.Contains(string(env.Do(t, admin, "GET", svc, nil).Body), `"user_type":"business_trunking"`) {
			t.Error("the user type did not change")
		}
	})
}
