package devices_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestDeviceUseCases tries each device action with every kind of actor,
// without HTTP (docs/architecture.md, "The use-case layer").
func TestDeviceUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc, f := env.App.Devices, env.Fixture
		desk, err := svc.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Yealink", Model: "T46U"})
		if err != nil {
			t.Fatal(err)
		}
		phone, err := svc.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: desk.ID, MAC: "00:15:65:00:00:01"})
		if err != nil {
			t.Fatal(err)
		}
		id := func(try apptest.Try, existing int64) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return existing
		}
		mac := func(n int) string { return fmt.Sprintf("00:15:65:01:%02X:%02X", n/256%256, n%256) }
		siteManagers := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"}
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "AddDeviceType", Allowed: []string{"operator", "other.operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddDeviceType(ctx, a, devices.Type{Vendor: "Polycom", Model: fmt.Sprintf("VVX %d", n)})
				return err
			}},
			{Name: "SiteDeviceList", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				ds, err := svc.SiteDeviceList(ctx, a, id(try, f.Leeds.ID), false)
				if err == nil && len(ds) == 0 {
					t.Errorf("%s: Leeds shows no device", a.Username)
				}
				return err
			}},
			{Name: "AddDevice", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddDevice(ctx, a, id(try, f.Leeds.ID), devices.DeviceCreateRequest{TypeID: desk.ID, MAC: mac(n)})
				return err
			}},
			{Name: "ViewDevice", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ViewDevice(ctx, a, id(try, phone.ID))
				return err
			}},
			{Name: "DeleteDevice", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				target := phone.ID
				if try == apptest.Allowed {
					d, err := svc.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: desk.ID, MAC: mac(n)})
					if err != nil {
						return err
					}
					target = d.ID
				}
				return svc.DeleteDevice(ctx, a, id(try, target))
			}},
		})

		// A group that is not a site has no devices of its own.
		if _, err := svc.SiteDeviceList(ctx, env.Actor("operator"), f.Sales.ID, false); apptest.Refusal(err) != "not found" {
			t.Errorf("devices of the group Sales: %v, want not found", err)
		}
		// Device types are every account's of the provider to read, and
		// only its own provider's.
		for _, who := range apptest.Everyone {
			ts, err := svc.DeviceTypes(ctx, env.Actor(who))
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			mine := env.Actor(who).ProviderID == f.Provider.ID
			for _, x := range ts {
				if x.ID == desk.ID && !mine {
					t.Errorf("%s reads device type %d of another provider", who, x.ID)
				}
			}
		}
	})
}
