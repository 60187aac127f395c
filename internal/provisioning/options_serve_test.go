package provisioning_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestServeCustomisation: what the Device Management pages set reaches the
// file the phone fetches, at once (the revision changes), in the order
// product defaults ← site type ← mask ← device (docs/devices.md).
func TestServeCustomisation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := setup(t, db)
		a, f := env.App, env.Fixture
		poly := newPhone(t, env, "Polycom", "VVX 411", "0004F2000011", env.ID("west.one"))
		client, base := env.Server.Client(), env.Server.URL
		admin := env.Actor("acme.admin")
		get := func(t *testing.T, wants ...string) {
			t.Helper()
			res, body := fetch(t, client, base, "/prov/0004f2000011-switchboard.cfg", poly.cred.Username, poly.cred.Secret, nil)
			if res.StatusCode != 200 {
				t.Fatalf("device file: %d", res.StatusCode)
			}
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("device file lacks %s:\n%s", w, body)
				}
			}
		}
		on, off := true, false
		get(t, `voIpProt.server.1.transport="UDPOnly"`, `call.missedCallTracking.1.enabled="1"`, `voice.codecPref.G722="1"`)

		// The type at the site: BLF on turns the transport to TCP; G729.
		g729 := devices.CodecG729
		if _, err := a.Devices.CustomiseSiteType(ctx, admin, f.Leeds.ID, poly.device.TypeID,
			devices.SiteTypeRequest{Settings: devices.Settings{BLF: &on, Codec: &g729}}); err != nil {
			t.Fatal(err)
		}
		get(t, `voIpProt.server.1.transport="TCPOnly"`, `voice.codecPref.G729_AB="1"`, `voice.codecPref.G722="0"`)

		// A mask over the type: MCN off, BLF off wins over the type's BLF on.
		m, err := a.Devices.CreateMask(ctx, admin, f.Leeds.ID, devices.MaskRequest{Name: "Quiet", Settings: devices.Settings{MCN: &off, BLF: &off}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Devices.ApplyMask(ctx, admin, m.ID, []int64{poly.device.TypeID}); err != nil {
			t.Fatal(err)
		}
		get(t, `call.missedCallTracking.1.enabled="0"`, `voIpProt.server.1.transport="UDPOnly"`, `voice.codecPref.G729_AB="1"`)

		// The device over the mask.
		if _, err := a.Devices.CustomiseDevice(ctx, admin, poly.device.ID, devices.Settings{MCN: &on}); err != nil {
			t.Fatal(err)
		}
		get(t, `call.missedCallTracking.1.enabled="1"`)
		if _, err := a.Devices.ResetDevice(ctx, admin, poly.device.ID, false); err != nil {
			t.Fatal(err)
		}
		get(t, `call.missedCallTracking.1.enabled="0"`)

		// Reset of the type: its options and its mask go.
		if _, err := a.Devices.ResetSiteType(ctx, admin, f.Leeds.ID, poly.device.TypeID, false); err != nil {
			t.Fatal(err)
		}
		get(t, `voIpProt.server.1.transport="UDPOnly"`, `call.missedCallTracking.1.enabled="1"`, `voice.codecPref.G722="1"`)
	})
}
