package sip_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSharedAppearanceRegisters: the line of a shared call appearance
// registers with its own credentials from the phone that carries it (a
// binding of that line), and once the appearance is removed the registrar
// answers its REGISTER as for an unknown user.
func TestSharedAppearanceRegisters(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRig(t, db, sip.Config{})
		ann, company, site := r.line.AccountID, r.device.CompanyID, r.device.SiteID
		if _, err := storetest.Exec(ctx, db, "UPDATE accounts SET site_id = ?, status = 'active' WHERE id = ?", site, ann); err != nil {
			t.Fatal(err)
		}
		bob, err := directory.New(db, r.log).CreateEmployee(ctx, company, r.provider, directory.EmployeeCreateRequest{Username: "bob", Role: access.RoleEmployee, FirstName: "Bob", LastName: "B"}, "")
		if err != nil {
			t.Fatal(err)
		}
		bobPhone, err := r.devices.Create(ctx, r.provider, company, devices.DeviceCreateRequest{SiteID: site, TypeID: r.device.TypeID, MAC: "00:15:65:12:34:57"})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.devices.AssignPrimary(ctx, company, site, bobPhone.ID, bob.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := r.devices.ProvisionPrimaryLine(ctx, company, bob.ID); err != nil {
			t.Fatal(err)
		}
		operator := access.Actor{Username: "operator", Role: access.RoleProvider, ProviderID: r.provider}
		sca, err := r.devices.AddSharedAppearance(ctx, operator, ann, devices.SharedAppearanceRequest{DeviceID: bobPhone.ID})
		if err != nil {
			t.Fatal(err)
		}

		c := newUAC(t, r.udp, sca.Username)
		auth, _ := c.authorization(c.register("").headers["www-authenticate"][0], sca.Password, 1)
		if res := c.register("", auth); res.code != 200 {
			t.Fatalf("REGISTER of the shared appearance: %d %s", res.code, res.reason)
		}
		if bs, err := r.registry.LineBindings(ctx, sca.LineID); err != nil || len(bs) != 1 {
			t.Fatalf("bindings of the appearance's line: %+v %v", bs, err)
		}
		// The owner's primary password does not open the appearance's line.
		wrong, _ := c.authorization(c.register("").headers["www-authenticate"][0], r.line.Password, 1)
		if res := c.register("", wrong); res.code != 401 {
			t.Fatalf("the primary line's password on the appearance: %d, want 401", res.code)
		}

		if err := r.devices.RemoveSharedAppearance(ctx, operator, ann, sca.LineID); err != nil {
			t.Fatal(err)
		}
		gone, _ := c.authorization(c.register("").headers["www-authenticate"][0], sca.Password, 1)
		if res := c.register("", gone); res.code != 401 {
			t.Fatalf("REGISTER of a removed appearance: %d %s, want 401", res.code, res.reason)
		}
	})
}
