package devices_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSharedAppearances: an employee's line goes on up to five further
// devices of their site (an existing one with a free port or a new one),
// each with its own credentials, shown once; the refusals of the rules
// change nothing; removing one deletes its line so the registrar's lookup
// no longer finds it; the Shared Call Appearance feature gates the adding.
func TestSharedAppearances(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		env.AddCast(t)
		env.EnableLines(t)
		sv := env.SeedService(t)
		svc, f := env.App.Devices, env.Fixture
		admin := env.Actor("acme.admin")
		west, support := env.ID("west.one"), env.ID("support.one")
		westPhone := env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Advanced", "+441134960010", "T46U", "001565AA0001")
		supportPhone := env.ActivateWithPhone(t, sv, "support.one", f.Leeds.ID, "Basic", "+441134960011", "T46U", "001565AA0002")
		create := func(company, site int64, model, mac string) devices.Device {
			t.Helper()
			d, err := svc.Create(ctx, f.Provider.ID, company, devices.DeviceCreateRequest{SiteID: site, TypeID: sv.Types[model].ID, MAC: mac})
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		londonPhone := create(f.Acme.ID, f.London.ID, "T46U", "001565AA0003")
		globexPhone := create(f.Globex.ID, f.Reading.ID, "T46U", "001565AA0004")
		// A soft client is a device too: one port, taken by its user's line.
		soft := create(f.Acme.ID, f.Leeds.ID, "Soft Client", "441134960050A")
		if err := svc.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, soft.ID, env.ID("leeds.admin")); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ProvisionPrimaryLine(ctx, f.Acme.ID, env.ID("leeds.admin")); err != nil {
			t.Fatal(err)
		}

		// On another employee's phone: a line of its own, shown once.
		first, err := svc.AddSharedAppearance(ctx, admin, west, devices.SharedAppearanceRequest{DeviceID: supportPhone.ID, AlertAllAppearances: true})
		if err != nil {
			t.Fatal(err)
		}
		if first.Appearance != 1 || first.DeviceID != supportPhone.ID || first.Username != "441134960010_1" || len(first.Password) != 20 ||
			!first.AlertAllAppearances || first.AllowCallMove || first.DeviceUser != "Stan Port" {
			t.Fatalf("first appearance = %+v", first)
		}
		auth, err := svc.LineAuthByUsername(ctx, first.Username)
		if err != nil || auth.AccountID != west || auth.DeviceID != supportPhone.ID ||
			auth.HA1MD5 != digest.HA1(digest.MD5, first.Username, apptest.LinesDomain, first.Password) {
			t.Fatalf("registrar's view of the appearance: %+v %v", auth, err)
		}
		// On a new device created in the same step, named and typed as New
		// Device makes them.
		second, err := svc.AddSharedAppearance(ctx, admin, west, devices.SharedAppearanceRequest{
			NewDevice: &devices.NewDeviceRequest{Name: "Reception", TypeID: sv.Types["T42G"].ID, MAC: "00-15-65-aa-00-05"}, AllowCallMove: true})
		if err != nil {
			t.Fatal(err)
		}
		if second.Appearance != 2 || second.DeviceName != "Reception" || second.MAC != "001565AA0005" || second.DeviceUser != "" || !second.AllowCallMove {
			t.Fatalf("second appearance = %+v", second)
		}
		if d, err := svc.Device(ctx, f.Acme.ID, second.DeviceID); err != nil || d.SiteID != f.Leeds.ID {
			t.Fatalf("new device = %+v, %v", d, err)
		}

		refuse := func(name string, who access.Actor, employee int64, req devices.SharedAppearanceRequest, want string) {
			t.Helper()
			before := storetest.Counts(t, db)
			_, err := svc.AddSharedAppearance(ctx, who, employee, req)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want %q", name, err, want)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
		refuse("the primary device", admin, west, devices.SharedAppearanceRequest{DeviceID: westPhone.ID}, "primary device")
		refuse("the same device twice", admin, west, devices.SharedAppearanceRequest{DeviceID: supportPhone.ID}, "already appears on device")
		refuse("no free port", admin, west, devices.SharedAppearanceRequest{DeviceID: soft.ID}, "has no free port")
		refuse("a device of another site", admin, west, devices.SharedAppearanceRequest{DeviceID: londonPhone.ID},
			fmt.Sprintf("device %d does not exist at the employee's site", londonPhone.ID))
		refuse("both kinds", admin, west, devices.SharedAppearanceRequest{DeviceID: supportPhone.ID, NewDevice: &devices.NewDeviceRequest{}}, "not both")
		refuse("no device", admin, west, devices.SharedAppearanceRequest{}, "choose the device")
		refuse("a taken MAC", admin, west, devices.SharedAppearanceRequest{NewDevice: &devices.NewDeviceRequest{TypeID: sv.Types["T46U"].ID, MAC: globexPhone.MAC}},
			"already registered")
		refuse("without the feature", admin, support, devices.SharedAppearanceRequest{DeviceID: westPhone.ID}, "Shared Call Appearance feature is not available to Stan Port")
		// Another company's device answers exactly as a missing one.
		_, foreign := svc.AddSharedAppearance(ctx, admin, west, devices.SharedAppearanceRequest{DeviceID: globexPhone.ID})
		_, missing := svc.AddSharedAppearance(ctx, admin, west, devices.SharedAppearanceRequest{DeviceID: apptest.MissingID})
		if foreign == nil || strings.ReplaceAll(foreign.Error(), fmt.Sprint(globexPhone.ID), "N") != strings.ReplaceAll(missing.Error(), fmt.Sprint(apptest.MissingID), "N") {
			t.Errorf("another company's device: %v; a missing one: %v", foreign, missing)
		}
		// Who may not: an outsider as for a missing employee, a group
		// administrator who sees the employee but not their site, and the
		// employee themselves.
		refuse("an outsider", env.Actor("globex.admin"), west, devices.SharedAppearanceRequest{DeviceID: supportPhone.ID}, "not found")
		for _, who := range []string{"sales.admin", "west.one"} {
			_, err := svc.AddSharedAppearance(ctx, env.Actor(who), west, devices.SharedAppearanceRequest{DeviceID: supportPhone.ID})
			if !errors.Is(err, derrors.ErrForbidden) {
				t.Errorf("%s adding an appearance: %v, want a refusal", who, err)
			}
		}

		// Up to five; the sixth is refused.
		for i := 3; i <= 5; i++ {
			a, err := svc.AddSharedAppearance(ctx, admin, west, devices.SharedAppearanceRequest{
				NewDevice: &devices.NewDeviceRequest{TypeID: sv.Types["T46U"].ID, MAC: fmt.Sprintf("001565AA01%02d", i)}})
			if err != nil || a.Appearance != i {
				t.Fatalf("appearance %d: %+v %v", i, a, err)
			}
		}
		spare := create(f.Acme.ID, f.Leeds.ID, "T46U", "001565AA0199")
		refuse("a sixth", admin, west, devices.SharedAppearanceRequest{DeviceID: spare.ID}, "already has 5 shared call appearances")
		list, err := svc.EmployeeDeviceList(ctx, admin, west)
		if err != nil || list.Primary == nil || list.Primary.ID != westPhone.ID || len(list.Appearances) != 5 || list.AddRefused == "" ||
			!list.FeatureSold || !list.FeatureActive {
			t.Fatalf("devices tab = %+v, %v", list, err)
		}

		// The call engine reads the appearances with their options in the
		// employee's service data.
		sd, err := env.App.Features.ServiceDataFor(ctx, admin, features.Employee(west))
		if err != nil || len(sd.SharedAppearances) != 5 || sd.SharedAppearances[0].Username != first.Username ||
			!sd.SharedAppearances[0].AlertAllAppearances || sd.SharedAppearances[0].AllowCallMove || !sd.SharedAppearances[1].AllowCallMove {
			t.Fatalf("service data appearances = %+v, %v", sd.SharedAppearances, err)
		}

		// Options change, audited; another employee's line is not theirs.
		on := true
		m, err := svc.ModifySharedAppearance(ctx, admin, west, first.LineID, devices.SharedAppearanceUpdate{AllowCallMove: &on})
		if err != nil || !m.AllowCallMove || !m.AlertAllAppearances {
			t.Fatalf("modify: %+v %v", m, err)
		}
		supportLine, err := svc.DeviceLines(ctx, f.Acme.ID, supportPhone.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range supportLine {
			if l.AccountID == support {
				if _, err := svc.ModifySharedAppearance(ctx, admin, west, l.ID, devices.SharedAppearanceUpdate{AllowCallMove: &on}); !derrors.IsNotFound(err) {
					t.Errorf("modifying a primary line as an appearance: %v, want not found", err)
				}
			}
		}

		// Removing one deletes the line: the registrar no longer finds it,
		// and its index is the next one given.
		if err := svc.RemoveSharedAppearance(ctx, admin, west, second.LineID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.LineAuthByUsername(ctx, second.Username); !derrors.IsNotFound(err) {
			t.Errorf("removed appearance's line: %v, want not found", err)
		}
		// The freed index is the next one given: here on a spare soft client,
		// a device too (one port).
		spareSoft := create(f.Acme.ID, f.Leeds.ID, "Soft Client", "441134960051A")
		again, err := svc.AddSharedAppearance(ctx, admin, west, devices.SharedAppearanceRequest{DeviceID: spareSoft.ID})
		if err != nil || again.Appearance != 2 {
			t.Fatalf("re-added: %+v %v", again, err)
		}
		if err := svc.RemoveSharedAppearance(ctx, admin, west, apptest.MissingID); !derrors.IsNotFound(err) {
			t.Errorf("removing a missing appearance: %v", err)
		}
		// Making a device that carries the employee's appearance their
		// primary device is refused (one line of an employee per device);
		// so is making it anybody's while appearances take all its ports.
		if err := svc.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, spareSoft.ID, west); err == nil || !strings.Contains(err.Error(), "shared call appearance") {
			t.Errorf("appearance device as the owner's primary: %v", err)
		}
		if err := svc.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, spareSoft.ID, env.ID("sales.admin")); err == nil || !strings.Contains(err.Error(), "no free port") {
			t.Errorf("a full device as somebody's primary: %v", err)
		}
		// Ceasing the employee takes their appearances off the other phones;
		// a ceased employee gets none.
		if _, err := env.App.Lifecycle.Cease(ctx, admin, west); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE account_id = ?", west).Scan(&left); err != nil || left != 0 {
			t.Errorf("lines of the ceased employee: %d, %v", left, err)
		}
		if _, err := svc.LineAuthByUsername(ctx, first.Username); !derrors.IsNotFound(err) {
			t.Errorf("a ceased employee's appearance still registers: %v", err)
		}
		refuse("a ceased employee", admin, west, devices.SharedAppearanceRequest{DeviceID: supportPhone.ID}, "service is not active")
		for _, ev := range []string{"Add Shared Call Appearance", "Modify Shared Call Appearance", "Remove Shared Call Appearance"} {
			var n int
			if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE event = ? AND object_id = ?", ev, west).Scan(&n); err != nil || n == 0 {
				t.Errorf("audit %q: %d %v", ev, n, err)
			}
		}
	})
}

// TestEmployeeDeviceListUseCase: the Devices tab is for whoever manages the
// employee's site's devices; everybody else is refused without a change.
func TestEmployeeDeviceListUseCase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		env.EnableLines(t)
		sv := env.SeedService(t)
		west := env.ID("west.one")
		env.ActivateWithPhone(t, sv, "west.one", env.Fixture.Leeds.ID, "Advanced", "+441134960010", "T46U", "001565AA0001")
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "EmployeeDeviceList", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"},
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					id := west
					if try == apptest.Missing {
						id = apptest.MissingID
					}
					out, err := env.App.Devices.EmployeeDeviceList(context.Background(), a, id)
					if err == nil && out.Primary == nil {
						t.Errorf("%s: no primary device shown", a.Username)
					}
					return err
				}},
		})
	})
}

// TestAddRefusalIsTheTabsRefusal: what the Devices tab says stands in the
// way of adding an appearance is the refusal AddSharedAppearance answers,
// word for word, and the refusal changes nothing.
func TestAddRefusalIsTheTabsRefusal(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		env.EnableLines(t)
		sv := env.SeedService(t)
		svc, f := env.App.Devices, env.Fixture
		admin := env.Actor("acme.admin")
		env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Advanced", "+441134960010", "T46U", "001565AB0001")
		env.ActivateWithPhone(t, sv, "support.one", f.Leeds.ID, "Basic", "+441134960011", "T46U", "001565AB0002")
		spare, err := svc.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: sv.Types["T46U"].ID, MAC: "001565AB0003"})
		if err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name     string
			employee string
			noLines  bool
			want     string
		}{
			{"not activated", "leeds.admin", false, "service is not active"},
			{"without the feature", "support.one", false, "Shared Call Appearance feature is not available"},
			{"no SIP line credentials here", "west.one", true, "not set up to issue SIP line credentials"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				if c.noLines {
					sealer := svc.Lines.Sealer
					svc.Lines.Sealer = nil
					defer func() { svc.Lines.Sealer = sealer }()
				}
				tab, err := svc.EmployeeDeviceList(ctx, admin, env.ID(c.employee))
				if err != nil {
					t.Fatal(err)
				}
				before := storetest.Counts(t, db)
				_, err = svc.AddSharedAppearance(ctx, admin, env.ID(c.employee), devices.SharedAppearanceRequest{DeviceID: spare.ID})
				if err == nil || !strings.Contains(tab.AddRefused, c.want) || derrors.Classify(err).Message != tab.AddRefused {
					t.Errorf("the tab says %q; adding answers %v; want both %q", tab.AddRefused, err, c.want)
				}
				storetest.SameCounts(t, before, storetest.Counts(t, db))
			})
		}
		// With nothing in the way the tab offers the add.
		if tab, err := svc.EmployeeDeviceList(ctx, admin, env.ID("west.one")); err != nil || tab.AddRefused != "" {
			t.Errorf("west.one's tab: refused %q, %v", tab.AddRefused, err)
		}
	})
}
