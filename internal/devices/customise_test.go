package devices_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func typeNamed(t *testing.T, ts []devices.Type, model string) devices.Type {
	t.Helper()
	for _, x := range ts {
		if x.Model == model {
			return x
		}
	}
	t.Fatalf("no device type %s", model)
	return devices.Type{}
}

// TestCustomisationUseCases tries each Device Management action with every
// kind of actor (docs/architecture.md, "The use-case layer").
func TestCustomisationUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc, f := env.App.Devices, env.Fixture
		if err := svc.SeedDefaultTypes(ctx, f.Provider.ID); err != nil {
			t.Fatal(err)
		}
		ts, err := svc.Types(ctx, f.Provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		vvx, t46 := typeNamed(t, ts, "VVX 411 VDM"), typeNamed(t, ts, "T46G")
		phone, err := svc.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: vvx.ID, MAC: "0004F2000101", Name: "Reception"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: t46.ID, MAC: "805EC0000101"}); err != nil {
			t.Fatal(err)
		}
		mask, err := svc.CreateMask(ctx, env.Actor("acme.admin"), f.Leeds.ID, devices.MaskRequest{Name: "Agents", Settings: devices.Settings{ACD: ptr(true)}})
		if err != nil {
			t.Fatal(err)
		}
		id := func(try apptest.Try, existing int64) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return existing
		}
		siteManagers := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"}
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "ModifyDeviceType", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				c := t46.Capabilities
				c.SoftKeys = n % 8
				_, err := svc.ModifyDeviceType(ctx, a, id(try, t46.ID), devices.TypeUpdate{Vendor: t46.Vendor, Model: t46.Model, Capabilities: c})
				return err
			}},
			{Name: "SiteDeviceTypes", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				sts, err := svc.SiteDeviceTypes(ctx, a, id(try, f.Leeds.ID))
				if err == nil && len(sts) < 2 {
					t.Errorf("%s: Leeds shows %d types", a.Username, len(sts))
				}
				return err
			}},
			{Name: "CustomiseSiteType", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.CustomiseSiteType(ctx, a, id(try, f.Leeds.ID), vvx.ID, devices.SiteTypeRequest{Settings: devices.Settings{BLF: ptr(n%2 == 0)}})
				return err
			}},
			{Name: "ResetSiteType", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ResetSiteType(ctx, a, id(try, f.Leeds.ID), t46.ID, false)
				return err
			}},
			{Name: "CreateMask", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.CreateMask(ctx, a, id(try, f.Leeds.ID), devices.MaskRequest{Name: fmt.Sprintf("Mask %d", n), Settings: devices.Settings{DC: ptr(true)}})
				return err
			}},
			{Name: "ModifyMask", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ModifyMask(ctx, a, id(try, mask.ID), devices.MaskRequest{Name: "Agents", Settings: devices.Settings{ACD: ptr(true), MCN: ptr(n%2 == 0)}})
				return err
			}},
			{Name: "ApplyMask", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ApplyMask(ctx, a, id(try, mask.ID), []int64{vvx.ID, t46.ID})
				return err
			}},
			{Name: "RemoveMask", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				if try == apptest.Allowed {
					if _, err := svc.ApplyMask(ctx, a, mask.ID, []int64{t46.ID}); err != nil {
						return err
					}
				}
				_, err := svc.RemoveMask(ctx, a, id(try, f.Leeds.ID), t46.ID)
				return err
			}},
			{Name: "DeleteMask", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				target := mask.ID
				if try == apptest.Allowed {
					m, err := svc.CreateMask(ctx, a, f.Leeds.ID, devices.MaskRequest{Name: fmt.Sprintf("Gone %d", n), Settings: devices.Settings{DC: ptr(true)}})
					if err != nil {
						return err
					}
					target = m.ID
				}
				return svc.DeleteMask(ctx, a, id(try, target))
			}},
			{Name: "CustomiseDevice", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.CustomiseDevice(ctx, a, id(try, phone.ID), devices.Settings{PowerSave: ptr(n%2 == 0)})
				return err
			}},
			{Name: "ResetDevice", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ResetDevice(ctx, a, id(try, phone.ID), false)
				return err
			}},
			{Name: "SearchSiteDevices", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SearchSiteDevices(ctx, a, id(try, f.Leeds.ID), devices.DeviceFilter{Name: "recep"})
				return err
			}},
			{Name: "ModifyDevice", Allowed: siteManagers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ModifyDevice(ctx, a, id(try, phone.ID), devices.DeviceUpdate{Name: fmt.Sprintf("Desk %d", n), TypeID: vvx.ID, MAC: "0004F2000101"})
				return err
			}},
		})
	})
}

func ptr[T any](v T) *T { return &v }

// TestCustomisationRules: the product defaults, greyed-out options, the
// order of the levels, masks over several types, resets, and the Devices
// tab's rules (Device ID, MAC, search, delete while in use).
func TestCustomisationRules(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		svc, f := env.App.Devices, env.Fixture
		admin := env.Actor("acme.admin")
		if err := svc.SeedDefaultTypes(ctx, f.Provider.ID); err != nil {
			t.Fatal(err)
		}
		ts, err := svc.Types(ctx, f.Provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		vdm601, vvx301, t42vdm, soft := typeNamed(t, ts, "VVX 601 VDM"), typeNamed(t, ts, "VVX 301"), typeNamed(t, ts, "T42G VDM"), typeNamed(t, ts, "Soft Client")

		// New Device: the Device ID is unique in the company, the MAC on the
		// platform; a MAC is shown upper case; no Device ID: the MAC.
		spare, err := svc.AddDevice(ctx, admin, f.Leeds.ID, devices.DeviceCreateRequest{TypeID: vvx301.ID, MAC: "00:04:f2:aa:bb:01"})
		if err != nil || spare.MAC != "0004F2AABB01" || spare.Name != "0004F2AABB01" {
			t.Fatalf("spare device: %+v, %v", spare, err)
		}
		desk, err := svc.AddDevice(ctx, admin, f.Leeds.ID, devices.DeviceCreateRequest{TypeID: vdm601.ID, MAC: "0004f2aabb02", Name: "Front Desk"})
		if err != nil {
			t.Fatal(err)
		}
		before := storetest.Counts(t, db)
		for _, tc := range []struct {
			req  devices.DeviceCreateRequest
			want string
		}{
			{devices.DeviceCreateRequest{TypeID: vvx301.ID, MAC: "0004f2aabb03", Name: "front desk"}, "conflict"},
			{devices.DeviceCreateRequest{TypeID: vvx301.ID, MAC: "00-04-F2-AA-BB-02"}, "conflict"},
			{devices.DeviceCreateRequest{TypeID: vvx301.ID, MAC: "0004f2aabb0"}, "invalid"},
			{devices.DeviceCreateRequest{TypeID: vvx301.ID, MAC: "0004f2aabbzz"}, "invalid"},
		} {
			if _, err := svc.AddDevice(ctx, admin, f.Leeds.ID, tc.req); kind(err) != tc.want {
				t.Errorf("AddDevice(%+v) = %v, want %s", tc.req, err, tc.want)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		// Defaults, and the options a type lacks.
		st, err := svc.SiteDeviceType(ctx, admin, f.Leeds.ID, vvx301.ID)
		if err != nil {
			t.Fatal(err)
		}
		e := st.Effective
		if e.ACD || e.BLF || e.DC || !e.MCN || !slices.Equal(e.AudioCodecs, []string{"G722", "G711A", "G729"}) {
			t.Errorf("product defaults = %+v", e)
		}
		before = storetest.Counts(t, db)
		if _, err := svc.CustomiseSiteType(ctx, admin, f.Leeds.ID, vvx301.ID, devices.SiteTypeRequest{Settings: devices.Settings{PowerSave: ptr(false)}}); kind(err) != "invalid" {
			t.Errorf("power save on a basic type: %v, want invalid", err)
		}
		if _, err := svc.CustomiseSiteType(ctx, admin, f.Leeds.ID, vvx301.ID, devices.SiteTypeRequest{VDMAvailableToEmployees: ptr(false)}); kind(err) != "invalid" {
			t.Errorf("the VDM box on a basic type: %v, want invalid", err)
		}
		if _, err := svc.CustomiseSiteType(ctx, admin, f.Leeds.ID, vvx301.ID, devices.SiteTypeRequest{Settings: devices.Settings{Codec: ptr("G726")}}); kind(err) != "invalid" {
			t.Errorf("an unknown codec: %v, want invalid", err)
		}
		if _, err := svc.CustomiseSiteType(ctx, admin, f.Leeds.ID, soft.ID, devices.SiteTypeRequest{Settings: devices.Settings{}}); kind(err) != "invalid" {
			t.Errorf("customising the soft client: %v, want invalid", err)
		}
		if _, err := svc.CustomiseDevice(ctx, admin, desk.ID, devices.Settings{Codec: ptr("H264")}); kind(err) != "invalid" {
			t.Errorf("a video codec as the audio codec: %v, want invalid", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		// The VDM type: its own defaults and the VDM box.
		st, err = svc.CustomiseSiteType(ctx, admin, f.Leeds.ID, vdm601.ID, devices.SiteTypeRequest{
			Settings: devices.Settings{TransferType: ptr("Blind"), Codec: ptr("g711")}, VDMAvailableToEmployees: ptr(false)})
		if err != nil {
			t.Fatal(err)
		}
		if st.Effective.TransferType != devices.TransferBlind || st.Effective.Codec != devices.CodecG711 || st.VDMAvailableToEmployees ||
			!st.Effective.PowerSave || st.Effective.VideoCodec != devices.VideoH264 || st.Effective.Sources[devices.OptTransferType] != devices.SourceType {
			t.Errorf("VDM type customised = %+v", st)
		}

		// A mask over two types: it wins over the type's own options; the
		// one a type lacks (video) is left out for it.
		m, err := svc.CreateMask(ctx, admin, f.Leeds.ID, devices.MaskRequest{Name: "HD video", Settings: devices.Settings{VideoCodec: ptr("h263"), Codec: ptr("G722")}})
		if err != nil {
			t.Fatal(err)
		}
		applied, err := svc.ApplyMask(ctx, admin, m.ID, []int64{vdm601.ID, t42vdm.ID})
		if err != nil || len(applied) != 2 {
			t.Fatalf("apply: %v, %v", applied, err)
		}
		for _, a := range applied {
			if a.Mask == nil || a.Mask.Name != "HD video" || a.Effective.Codec != devices.CodecG722 {
				t.Errorf("%s after the mask: %+v", a.Type.Name(), a)
			}
		}
		if applied[0].Effective.VideoCodec != devices.VideoH263 || applied[1].Effective.VideoCodec != devices.VideoH264 ||
			applied[1].Effective.Sources[devices.OptVideoCodec] != devices.SourceDefault {
			t.Errorf("video codec: 601 %s, T42G %s", applied[0].Effective.VideoCodec, applied[1].Effective.VideoCodec)
		}
		// The device over the mask; its reset goes back to the type's.
		c, err := svc.CustomiseDevice(ctx, admin, desk.ID, devices.Settings{Codec: ptr("G729"), ACD: ptr(true)})
		if err != nil || c.Effective.Codec != devices.CodecG729 || !c.Effective.ACD || c.Effective.Sources[devices.OptCodec] != devices.SourceDevice ||
			c.Inherited.Codec != devices.CodecG722 || c.Effective.TransferType != devices.TransferBlind {
			t.Fatalf("device customised: %+v, %v", c, err)
		}
		if _, err := svc.ResetDevice(ctx, admin, desk.ID, false); err != nil {
			t.Fatal(err)
		}
		if c, err = svc.ViewDeviceCustomisation(ctx, admin, desk.ID); err != nil || !c.Settings.Empty() || c.Effective.Codec != devices.CodecG722 {
			t.Errorf("after the device reset: %+v, %v", c, err)
		}
		// Reset of the type: defaults, no mask; the VDM box stays.
		if _, err := svc.ResetSiteType(ctx, admin, f.Leeds.ID, vdm601.ID, false); err != nil {
			t.Fatal(err)
		}
		st, err = svc.SiteDeviceType(ctx, admin, f.Leeds.ID, vdm601.ID)
		if err != nil || st.Mask != nil || !st.Settings.Empty() || st.VDMAvailableToEmployees || st.Effective.TransferType != devices.TransferConsultative {
			t.Errorf("after the type reset: %+v, %v", st, err)
		}
		// Reset and reboot: the reboot goes through the SIP reboot jobs.
		res, err := svc.ResetSiteType(ctx, admin, f.Leeds.ID, vdm601.ID, true)
		if err != nil || (res.RebootJobID == 0 && res.RebootRefused == "") {
			t.Errorf("reset and reboot: %+v, %v", res, err)
		}

		// The Devices tab: search by name, type, available ports.
		rows, err := svc.SearchSiteDevices(ctx, admin, f.Leeds.ID, devices.DeviceFilter{Name: "front"})
		if err != nil || len(rows) != 1 || rows[0].ID != desk.ID || rows[0].User != "" || rows[0].AvailablePorts != 16 {
			t.Errorf("search by name: %+v, %v", rows, err)
		}
		if rows, err = svc.SearchSiteDevices(ctx, admin, f.Leeds.ID, devices.DeviceFilter{TypeID: vvx301.ID}); err != nil || len(rows) != 1 || rows[0].ID != spare.ID {
			t.Errorf("search by type: %+v, %v", rows, err)
		}
		if rows, err = svc.SearchSiteDevices(ctx, admin, f.Leeds.ID, devices.DeviceFilter{MinAvailablePorts: 10}); err != nil || len(rows) != 1 || rows[0].ID != desk.ID {
			t.Errorf("search by available ports: %+v, %v", rows, err)
		}
		// Delete while in use: refused with the reason.
		if err := svc.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, desk.ID, env.ID("west.one")); err != nil {
			t.Fatal(err)
		}
		rows, _ = svc.SearchSiteDevices(ctx, admin, f.Leeds.ID, devices.DeviceFilter{Name: "front"})
		if len(rows) != 1 || rows[0].User == "" || rows[0].DeleteRefused == "" {
			t.Errorf("a used device: %+v", rows)
		}
		before = storetest.Counts(t, db)
		var ce *derrors.ConflictError
		if err := svc.DeleteDevice(ctx, admin, desk.ID); !errorsAs(err, &ce) || ce.Message == "" {
			t.Errorf("deleting a used device: %v, want a conflict with the reason", err)
		}
		if _, err := svc.ModifyDevice(ctx, admin, desk.ID, devices.DeviceUpdate{Name: "Front Desk", TypeID: vvx301.ID, MAC: desk.MAC}); kind(err) != "conflict" {
			t.Errorf("changing the type of a used device: %v, want conflict", err)
		}
		if _, err := svc.ModifyDevice(ctx, admin, desk.ID, devices.DeviceUpdate{Name: spare.Name, TypeID: vdm601.ID, MAC: desk.MAC}); kind(err) != "conflict" {
			t.Errorf("taking another device's name: %v, want conflict", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		// A spare named by its MAC follows its MAC.
		moved, err := svc.ModifyDevice(ctx, admin, spare.ID, devices.DeviceUpdate{Name: spare.Name, TypeID: vvx301.ID, MAC: "0004f2aabb09"})
		if err != nil || moved.Name != "0004F2AABB09" {
			t.Errorf("spare with a new MAC: %+v, %v", moved, err)
		}
		if err := svc.DeleteDevice(ctx, admin, spare.ID); err != nil {
			t.Errorf("deleting a spare: %v", err)
		}
	})
}

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// kind is "invalid" or "conflict" for a refusal the caller can act on.
func kind(err error) string {
	switch derrors.Classify(err).Kind {
	case derrors.KindInvalid:
		return "invalid"
	case derrors.KindConflict:
		return "conflict"
	}
	return fmt.Sprint(err)
}

// TestDevicesWrittenWithoutAName: rows written by code that predates the
// Device ID (name ”) coexist and are named by their MAC.
func TestDevicesWrittenWithoutAName(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		svc, f := env.App.Devices, env.Fixture
		ty, err := svc.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Yealink", Model: "T46G"})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, mac := range []string{"805EC0BB0001", "805EC0BB0002"} {
			var id int64
			if err := db.Tx(ctx, func(ctx context.Context) error {
				return db.Q(ctx).QueryRow(ctx, `INSERT INTO devices (company_id, site_id, type_id, mac, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0) RETURNING id`,
					f.Acme.ID, f.Leeds.ID, ty.ID, mac).Scan(&id)
			}); err != nil {
				t.Fatalf("insert without a name: %v", err)
			}
			ids = append(ids, id)
		}
		d, err := svc.Device(ctx, f.Acme.ID, ids[1])
		if err != nil || d.Name != "805EC0BB0002" {
			t.Errorf("device without a name: %+v, %v", d, err)
		}
	})
}
