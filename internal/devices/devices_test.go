package devices_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

func TestNormalizeMAC(t *testing.T) {
	tests := []struct {
		in   string
		soft bool
		want string
		err  string
	}{
		{"00:15:65:ab:cd:ef", false, "001565ABCDEF", ""},
		{"00-15-65-AB-CD-EF", false, "001565ABCDEF", ""},
		{"0015.65ab.cdef", false, "001565ABCDEF", ""},
		{" 001565abcdef ", false, "001565ABCDEF", ""},
		{"001565ABCDE", false, "", "12 hexadecimal digits"},
		{"001565ABCDEG", false, "", "12 hexadecimal digits"},
		{"00:00:00:00:00:00", false, "", "not the MAC of a real device"},
		{"441134960037A", true, "441134960037A", ""},
		{"441134960037a", true, "441134960037A", ""},
		{"441134960037", true, "", "followed by \"A\""},
		{"00:15:65:ab:cd:ef", true, "", "followed by \"A\""},
	}
	for _, tt := range tests {
		got, err := devices.NormalizeMAC(tt.in, tt.soft)
		if tt.err == "" && (err != nil || got != tt.want) {
			t.Errorf("NormalizeMAC(%q, %v) = %q, %v; want %q", tt.in, tt.soft, got, err, tt.want)
		}
		if tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("NormalizeMAC(%q, %v) error = %v, want %q", tt.in, tt.soft, err, tt.err)
		}
	}
}

// estate is a provider with the default device types, Acme (sites Leeds
// and London, employees ann and bob) and Globex (site Reading).
type estate struct {
	svc                    *devices.Service
	log                    *audit.Log
	provider               tenancy.Provider
	acme, globex           tenancy.Company
	leeds, london, reading directory.Group
	ann, bob               directory.Employee
}

func newEstate(t *testing.T, db *store.DB) estate {
	t.Helper()
	ctx := context.Background()
	log := audit.New(db)
	ten := tenancy.New(db, log)
	dir := directory.New(db, log)
	e := estate{svc: devices.New(db, log), log: log}
	var err error
	must := func(err error) {
		if err != nil {
			t.Helper()
			t.Fatal(err)
		}
	}
	e.provider, err = ten.CreateProvider(ctx, "P", "GB")
	must(err)
	e.acme, err = ten.CreateCompany(ctx, e.provider.ID, tenancy.CompanyCreateRequest{Name: "Acme"})
	must(err)
	e.globex, err = ten.CreateCompany(ctx, e.provider.ID, tenancy.CompanyCreateRequest{Name: "Globex"})
	must(err)
	e.leeds, err = dir.CreateSite(ctx, e.acme.ID, directory.SiteCreateRequest{Name: "Leeds"})
	must(err)
	e.london, err = dir.CreateSite(ctx, e.acme.ID, directory.SiteCreateRequest{Name: "London"})
	must(err)
	e.reading, err = dir.CreateSite(ctx, e.globex.ID, directory.SiteCreateRequest{Name: "Reading"})
	must(err)
	e.ann, err = dir.CreateEmployee(ctx, e.acme.ID, e.provider.ID, directory.EmployeeCreateRequest{Username: "ann", Role: access.RoleEmployee, FirstName: "Ann", LastName: "A"}, "")
	must(err)
	e.bob, err = dir.CreateEmployee(ctx, e.acme.ID, e.provider.ID, directory.EmployeeCreateRequest{Username: "bob", Role: access.RoleEmployee, FirstName: "Bob", LastName: "B"}, "")
	must(err)
	must(e.svc.SeedDefaultTypes(ctx, e.provider.ID))
	return e
}

func TestDeviceLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		svc, log, p, acme, globex, leeds, london, reading, ann, bob := e.svc, e.log, e.provider, e.acme, e.globex, e.leeds, e.london, e.reading, e.ann, e.bob
		if err := svc.SeedDefaultTypes(ctx, p.ID); err != nil {
			t.Fatalf("seeding twice: %v", err)
		}
		types, err := svc.Types(ctx, p.ID)
		if err != nil || len(types) != 18 { // the guide's six models, each also as VDM, five more and the soft client
			t.Fatalf("types = %v, %v", types, err)
		}
		var phone, soft devices.Type
		for _, ty := range types {
			if ty.SoftClient {
				soft = ty
			} else if phone.ID == 0 {
				phone = ty
			}
		}
		if _, err := svc.CreateType(ctx, p.ID, devices.Type{Vendor: "yealink", Model: "t46u"}); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("duplicate type (other case) = %v", err)
		}

		d, err := svc.Create(ctx, p.ID, acme.ID, devices.DeviceCreateRequest{SiteID: leeds.ID, TypeID: phone.ID, MAC: "00:15:65:ab:cd:ef", Label: "Reception"})
		if err != nil || d.MAC != "001565ABCDEF" || d.TypeName == "" {
			t.Fatalf("create = %+v, %v", d, err)
		}
		// Another company's site, a bad type, a taken MAC (even for another company).
		if _, err := svc.Create(ctx, p.ID, acme.ID, devices.DeviceCreateRequest{SiteID: reading.ID, TypeID: phone.ID, MAC: "001565000001"}); err == nil || !strings.Contains(err.Error(), "site") {
			t.Errorf("device on another company's site = %v", err)
		}
		if _, err := svc.Create(ctx, p.ID, acme.ID, devices.DeviceCreateRequest{SiteID: leeds.ID, TypeID: 9999, MAC: "001565000001"}); err == nil || !strings.Contains(err.Error(), "type") {
			t.Errorf("bad type = %v", err)
		}
		_, err = svc.Create(ctx, p.ID, globex.ID, devices.DeviceCreateRequest{SiteID: reading.ID, TypeID: phone.ID, MAC: "001565abcdef"})
		if !errors.Is(err, derrors.ErrConflict) || strings.Contains(err.Error(), "Acme") || strings.Contains(err.Error(), "Leeds") {
			t.Errorf("taken MAC = %v (must not name the other company)", err)
		}
		if _, err := svc.Device(ctx, globex.ID, d.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("another company reads the device: %v", err)
		}
		sd, err := svc.Create(ctx, p.ID, acme.ID, devices.DeviceCreateRequest{SiteID: leeds.ID, TypeID: soft.ID, MAC: "441134960037A"})
		if err != nil {
			t.Fatalf("soft client: %v", err)
		}

		// Assign: site must match, one employee per device.
		if err := svc.AssignPrimary(ctx, acme.ID, london.ID, d.ID, ann.ID); err == nil || !strings.Contains(err.Error(), "another site") {
			t.Errorf("assign across sites = %v", err)
		}
		if err := svc.AssignPrimary(ctx, acme.ID, leeds.ID, d.ID, ann.ID); err != nil {
			t.Fatal(err)
		}
		if err := svc.AssignPrimary(ctx, acme.ID, leeds.ID, d.ID, bob.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("device used twice = %v", err)
		}
		free, _ := svc.SiteDevices(ctx, acme.ID, leeds.ID, true)
		if len(free) != 1 || free[0].ID != sd.ID {
			t.Errorf("free devices = %+v", free)
		}
		if err := svc.Delete(ctx, acme.ID, d.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("deleting a device in use = %v", err)
		}
		// A change of primary device leaves the old one on the site, free;
		// another company cannot unassign it.
		if _, err := svc.UnassignForEmployee(ctx, globex.ID, ann.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("unassign through another company = %v", err)
		}
		was, err := svc.UnassignForEmployee(ctx, acme.ID, ann.ID)
		if err != nil || was.ID != d.ID || was.AccountID == nil || *was.AccountID != ann.ID {
			t.Fatalf("unassign = %+v, %v", was, err)
		}
		if kept, err := svc.Device(ctx, acme.ID, d.ID); err != nil || kept.AccountID != nil || kept.SiteID != leeds.ID {
			t.Fatalf("after unassign the device is %+v, %v; want it free on Leeds", kept, err)
		}
		if free, _ := svc.SiteDevices(ctx, acme.ID, leeds.ID, true); len(free) != 2 {
			t.Errorf("free devices after unassign = %+v", free)
		}
		if _, err := svc.UnassignForEmployee(ctx, acme.ID, ann.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("second unassign = %v", err)
		}
		if err := svc.AssignPrimary(ctx, acme.ID, leeds.ID, d.ID, ann.ID); err != nil {
			t.Fatal(err)
		}
		// Cease removes the device from the employee and the site.
		removed, err := svc.RemoveForEmployee(ctx, acme.ID, ann.ID)
		if err != nil || removed.ID != d.ID {
			t.Fatalf("remove = %+v, %v", removed, err)
		}
		if _, err := svc.Device(ctx, acme.ID, d.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("device still exists after cease: %v", err)
		}
		if _, err := svc.RemoveForEmployee(ctx, acme.ID, ann.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("second remove = %v", err)
		}
		// The MAC is free again.
		if _, err := svc.Create(ctx, p.ID, globex.ID, devices.DeviceCreateRequest{SiteID: reading.ID, TypeID: phone.ID, MAC: "001565ABCDEF"}); err != nil {
			t.Errorf("reusing a released MAC: %v", err)
		}
		// A soft client's MAC follows its number: normalised for its type,
		// unique across companies, audited, and only within the company.
		if _, err := svc.ChangeMAC(ctx, p.ID, globex.ID, sd.ID, "441134960038A"); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("change MAC through another company = %v", err)
		}
		if _, err := svc.ChangeMAC(ctx, p.ID, acme.ID, sd.ID, "001565ABCDEF"); err == nil || !strings.Contains(err.Error(), "followed by") {
			t.Errorf("a hardware MAC on a soft client = %v", err)
		}
		if _, err := svc.Create(ctx, p.ID, globex.ID, devices.DeviceCreateRequest{SiteID: reading.ID, TypeID: soft.ID, MAC: "441134960039A"}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ChangeMAC(ctx, p.ID, acme.ID, sd.ID, "441134960039a"); !errors.Is(err, derrors.ErrConflict) || strings.Contains(err.Error(), "Globex") {
			t.Errorf("a taken MAC = %v (must not name the other company)", err)
		}
		moved, err := svc.ChangeMAC(ctx, p.ID, acme.ID, sd.ID, "441134960038a")
		if err != nil || moved.MAC != "441134960038A" || moved.ID != sd.ID {
			t.Fatalf("change MAC = %+v, %v", moved, err)
		}
		if es, _, _ := log.List(ctx, audit.Filter{ObjectKind: "device"}, store.Page{}); len(es) == 0 || es[0].Event != "Modify Device" {
			t.Errorf("the MAC change is not audited first: %+v", es)
		}
		if got := devices.SoftClientMAC("+441134960038"); got != "441134960038A" {
			t.Errorf("SoftClientMAC = %q", got)
		}
		if es, _, _ := log.List(ctx, audit.Filter{ObjectKind: "device"}, store.Page{}); len(es) < 5 {
			t.Errorf("device audit entries = %d", len(es))
		}
	})
}

// TestAssignPrimaryRace: two employees asking for the same free device at
// once. On PostgreSQL the second transaction reads the device as free
// before the first commits, then waits on the row lock in its UPDATE; when
// it goes on, the device is taken and it must be refused, not overwrite the
// first employee's device. The second assignment is started only once the
// first holds the row, and the test waits (polling pg_stat_activity, no
// timing) until the second is blocked on that lock before committing.
func TestAssignPrimaryRace(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	e := newEstate(t, db)
	svc, p, acme, leeds, ann, bob := e.svc, e.provider, e.acme, e.leeds, e.ann, e.bob
	types, _ := svc.Types(ctx, p.ID)
	d, err := svc.Create(ctx, p.ID, acme.ID, devices.DeviceCreateRequest{SiteID: leeds.ID, TypeID: types[0].ID, MAC: "001565ABCD01"})
	if err != nil {
		t.Fatal(err)
	}

	bobDone := make(chan error, 1)
	err = db.Tx(ctx, func(txCtx context.Context) error {
		if err := svc.AssignPrimary(txCtx, acme.ID, leeds.ID, d.ID, ann.ID); err != nil {
			return err
		}
		go func() { bobDone <- svc.AssignPrimary(ctx, acme.ID, leeds.ID, d.ID, bob.ID) }()
		for {
			var waiting int
			if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE 'UPDATE devices SET account_id%'").Scan(&waiting); err != nil {
				return err
			}
			if waiting > 0 {
				return nil
			}
			select {
			case err := <-bobDone:
				t.Fatalf("the second assignment finished while the first held the device: %v", err)
			default:
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := <-bobDone; !errors.Is(err, derrors.ErrConflict) {
		t.Errorf("the second assignment of a device just taken = %v, want a conflict", err)
	}
	got, err := svc.Device(ctx, acme.ID, d.ID)
	if err != nil || got.AccountID == nil || *got.AccountID != ann.ID {
		t.Errorf("the device belongs to %v, want ann (%d): %v", got.AccountID, ann.ID, err)
	}
}
