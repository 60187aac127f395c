package lifecycle_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestConvertToVDM is the guide's convert-to-VDM procedure
// (docs/devices.md, "Convert a phone to its VDM type"): the Devices tab
// refuses to change the type of a phone in use; "no device" in the
// employee's Service Settings frees it (their line leaves the phone, their
// number and package stay); the type changes to the VDM one; giving the
// phone back issues their line again.
func TestConvertToVDM(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		env.EnableLines(t)
		sv := env.SeedService(t)
		a, f := env.App, env.Fixture
		admin := env.Actor("acme.admin")
		west := env.ID("west.one")
		phone := env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Standard", "+441134960010", "T46G", "805EC0000001")
		lines := func() []devices.Line {
			t.Helper()
			ls, err := a.Devices.DeviceLines(ctx, f.Acme.ID, phone.ID)
			if err != nil {
				t.Fatal(err)
			}
			return ls
		}
		if ls := lines(); len(ls) != 1 || ls[0].AccountID != west || ls[0].Username != "441134960010" {
			t.Fatalf("line after activation: %+v", ls)
		}
		toVDM := devices.DeviceUpdate{Name: phone.Name, TypeID: sv.Types["T46G VDM"].ID, MAC: phone.MAC}

		// 1. The Devices tab refuses: the phone is in use.
		before := storetest.Counts(t, db)
		if _, err := a.Devices.ModifyDevice(ctx, admin, phone.ID, toVDM); err == nil || !strings.Contains(err.Error(), "cannot change while the device is in use") {
			t.Fatalf("type change of a phone in use: %v", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		// 2. Service Settings: no device for a moment.
		svc, err := a.Lifecycle.ChangeService(ctx, admin, west, lifecycle.ServiceChange{Device: &lifecycle.DeviceChoice{Mode: lifecycle.DeviceNone}})
		if err != nil {
			t.Fatal(err)
		}
		if svc.Device != nil || svc.Number == nil || svc.Number.E164 != "+441134960010" || svc.Package == nil || svc.Package.Name != "Standard" || svc.Status != "active" {
			t.Fatalf("service without a device: %+v", svc)
		}
		if ls := lines(); len(ls) != 0 {
			t.Fatalf("the freed phone still carries %+v", ls)
		}
		if d, err := a.Devices.Device(ctx, f.Acme.ID, phone.ID); err != nil || d.AccountID != nil || d.SiteID != f.Leeds.ID {
			t.Fatalf("freed phone = %+v, %v", d, err)
		}
		// Saying "no device" again is no device change (the save itself is
		// audited as any Service Settings save).
		before = storetest.Counts(t, db)
		if _, err := a.Lifecycle.ChangeService(ctx, admin, west, lifecycle.ServiceChange{Device: &lifecycle.DeviceChoice{Mode: lifecycle.DeviceNone}}); err != nil {
			t.Fatal(err)
		}
		after := storetest.Counts(t, db)
		delete(before, "audit_events")
		delete(after, "audit_events")
		storetest.SameCounts(t, before, after)

		// 3. The type changes to the VDM one.
		d, err := a.Devices.ModifyDevice(ctx, admin, phone.ID, toVDM)
		if err != nil || d.TypeName != "Yealink T46G VDM" {
			t.Fatalf("type change of the freed phone: %+v %v", d, err)
		}

		// 4. The phone goes back to the employee, with a new line.
		svc, err = a.Lifecycle.ChangeService(ctx, admin, west, lifecycle.ServiceChange{Device: &lifecycle.DeviceChoice{Mode: lifecycle.DeviceExisting, DeviceID: phone.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if svc.Device == nil || svc.Device.ID != phone.ID || svc.Device.TypeName != "Yealink T46G VDM" {
			t.Fatalf("service after giving the phone back: %+v", svc.Device)
		}
		if ls := lines(); len(ls) != 1 || ls[0].AccountID != west || ls[0].Username != "441134960010" {
			t.Fatalf("line after giving the phone back: %+v", ls)
		}

		// Activate has no "no device": a device is mandatory there.
		ids := hire(t, env, f.Support, "nodevice", 1)
		_, err = a.Lifecycle.Activate(ctx, admin, 0, lifecycle.ActivateRequest{SiteID: f.Leeds.ID, UserType: lifecycle.IPCentrex, TermID: sv.Terms["Monthly"].ID,
			PackageID: sv.Packages["Basic"].ID, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: ids[0], Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNone}}}})
		if err == nil || !strings.Contains(err.Error(), "a device is mandatory") {
			t.Errorf("activation without a device: %v", err)
		}
	})
}
