package demo_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/demo"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

func TestSeed(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a := app.New(db, nil, "test")
		sealer, err := devices.NewSealer(make([]byte, 32))
		if err != nil {
			t.Fatal(err)
		}
		a.Devices.Lines.Sealer, a.Devices.Lines.Domain = sealer, "127.0.0.1"
		if seeded, err := demo.Seeded(ctx, a); err != nil || seeded {
			t.Fatalf("Seeded on an empty database = %v, %v", seeded, err)
		}
		const pw = "Demo-Pass-2026!"
		if err := demo.Seed(ctx, a, pw); err != nil {
			t.Fatal(err)
		}
		if seeded, err := demo.Seeded(ctx, a); err != nil || !seeded {
			t.Fatalf("Seeded after Seed = %v, %v", seeded, err)
		}
		// Every active employee with a device has a line a soft client can
		// register with: its username is the employee's number.
		var lines, missing int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines").Scan(&lines); err != nil {
			t.Fatal(err)
		}
		if err := db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM devices d JOIN accounts a ON a.id = d.account_id
			WHERE a.status = 'active' AND NOT EXISTS (SELECT 1 FROM lines l WHERE l.device_id = d.id)`).Scan(&missing); err != nil {
			t.Fatal(err)
		}
		if lines == 0 || missing != 0 {
			t.Errorf("demo lines = %d, active employees with a device but no line = %d", lines, missing)
		}
		// The VDM phones have keys configured (docs/devices.md, "The Visual
		// Device Manager"): a sidecar with speed dials, a function soft key.
		var vdmPhones int
		var vdmID int64
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*), COALESCE(MIN(id), 0) FROM devices WHERE vdm_config <> ''").Scan(&vdmPhones, &vdmID); err != nil {
			t.Fatal(err)
		}
		if vdmPhones < 2 {
			t.Errorf("%d demo phones with Visual Device Manager keys, want the two VDM phones", vdmPhones)
		}
		if kl, err := a.Devices.KeyLayout(ctx, vdmID); err != nil || len(kl.SidecarKeys) != 1 || kl.SidecarKeys[0][0].Action != devices.KeySpeedDial ||
			kl.SoftKeys[0].Value != "*11" {
			t.Errorf("the demo's T46G VDM keys: %+v, %v", kl, err)
		}
		// Every desk phone type of the catalog has a phone to fetch.
		var missingTypes int
		if err := db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM device_types t WHERE t.soft_client = ? AND t.vendor IN ('Yealink', 'Polycom')
			AND NOT EXISTS (SELECT 1 FROM devices d WHERE d.type_id = t.id)`, false).Scan(&missingTypes); err != nil || missingTypes != 0 {
			t.Errorf("desk phone types of the catalog without a demo phone: %d, %v", missingTypes, err)
		}
		// One desk phone also carries a colleague's shared call appearance.
		var shared int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE appearance > 0").Scan(&shared); err != nil || shared != 1 {
			t.Errorf("demo shared appearances = %d, %v; want 1", shared, err)
		}
		l, err := demo.SampleLine(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		auth, err := a.Devices.LineAuthByUsername(ctx, l.Username)
		if err != nil || auth.HA1MD5 != digest.HA1(digest.MD5, l.Username, "127.0.0.1", l.Password) || strings.Trim(l.Username, "0123456789") != "" {
			t.Errorf("sample line %+v: auth %+v, %v", l, auth, err)
		}
		for _, acct := range demo.Accounts {
			if _, err := a.Identity.Authenticate(ctx, acct.Username, pw); err != nil {
				t.Errorf("%s cannot log in: %v", acct.Username, err)
			}
		}
		p, _ := a.Tenancy.FirstProvider(ctx)
		cs, _, err := a.Tenancy.ListCompanies(ctx, tenancy.CompanyFilter{ProviderID: p.ID}, store.Page{})
		if err != nil || len(cs) != 2 {
			t.Fatalf("companies = %v, %v", cs, err)
		}
		counts := map[string]int{}
		for _, c := range cs {
			_, n, err := a.Directory.ListEmployeesIn(ctx, c.ID, access.Scope{CompanyID: c.ID}, directory.EmployeeFilter{}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			counts[c.Name] = n
		}
		if counts["Acme Ltd"] < 190 || counts["Acme Ltd"] > 220 || counts["Globex plc"] >= counts["Acme Ltd"]/4 {
			t.Errorf("employees per company = %v, want about 200 for Acme and a smaller Globex", counts)
		}
		// leeds.admin administers exactly the Leeds site and sees only its people.
		leeds, err := a.Identity.Authenticate(ctx, "leeds.admin", pw)
		if err != nil {
			t.Fatal(err)
		}
		sc, err := a.Access.Scope(ctx, leeds.Actor())
		if err != nil {
			t.Fatal(err)
		}
		groups, _, err := a.Directory.ListGroupsIn(ctx, leeds.CompanyID, sc, directory.GroupFilter{SitesOnly: true}, store.Page{})
		if err != nil || len(groups) != 1 || groups[0].Name != "Leeds" {
			t.Fatalf("leeds.admin sites = %+v, %v", groups, err)
		}
		_, n, err := a.Directory.ListEmployeesIn(ctx, leeds.CompanyID, sc, directory.EmployeeFilter{}, store.Page{})
		if err != nil || n < 50 || n >= counts["Acme Ltd"] {
			t.Errorf("leeds.admin sees %d employees (%v), want the Leeds site's people only", n, err)
		}

		// Every demo site has its feature package (the Service Offering tab
		// shows it), the busy ones the Call Centre add-on, and most an
		// employee limit above the staff they hold.
		wantAddOns := map[string]string{"Leeds": "Call Centre", "London": "", "Manchester": "", "Reading": "", "Bristol": "Call Centre"}
		sites := 0
		for _, c := range cs {
			gs, _, err := a.Directory.ListGroupsIn(ctx, c.ID, access.Scope{CompanyID: c.ID}, directory.GroupFilter{SitesOnly: true}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			for _, g := range gs {
				sites++
				o, err := a.Catalog.ForSite(ctx, c.ID, g.ID)
				if err != nil || o.Package == nil || o.Package.Name != "Site Essentials" {
					t.Errorf("%s: package %+v, %v", g.Name, o.Package, err)
					continue
				}
				var addOns []string
				for _, x := range o.AddOns {
					addOns = append(addOns, x.Name)
				}
				if got := strings.Join(addOns, ", "); got != wantAddOns[g.Name] {
					t.Errorf("%s: add-ons %q, want %q", g.Name, got, wantAddOns[g.Name])
				}
				l, err := a.Lifecycle.SiteLimit(ctx, c.ID, g.ID)
				if err != nil || (l.EmployeeLimit != 0 && l.Employees > l.EmployeeLimit) || (g.Name == "Leeds" && l.EmployeeLimit != 120) {
					t.Errorf("%s: limit %+v, %v", g.Name, l, err)
				}
			}
		}
		if sites != len(wantAddOns) {
			t.Errorf("%d demo sites, want %d", sites, len(wantAddOns))
		}
	})
}
