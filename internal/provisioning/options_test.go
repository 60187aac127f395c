package provisioning

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// TestOptionsTouchTheirKeys sets one customisation option at a time away
// from its default, through the same resolution the server uses, and
// checks that exactly the keys docs/provisioning.md names for it changed
// in the device's settings file, for a Polycom and a Yealink VDM type.
func TestOptionsTouchTheirKeys(t *testing.T) {
	on, off := true, false
	str := func(s string) *string { return &s }
	codecKeys := []string{}
	for i := 1; i <= 4; i++ {
		for _, k := range []string{"enable", "payload_type", "priority"} {
			codecKeys = append(codecKeys, "account.1.codec."+string(rune('0'+i))+"."+k)
		}
	}
	cases := []struct {
		name             string
		set              devices.Settings
		polycom, yealink []string
	}{
		{"ACD on", devices.Settings{ACD: &on},
			[]string{"feature.acdLoginLogout.enabled", "feature.acdAgentAvailability.enabled"},
			[]string{"account.1.acd.enable"}},
		{"BLF on", devices.Settings{BLF: &on},
			[]string{"voIpProt.server.1.transport"},
			[]string{"account.1.sip_server.1.transport_type"}},
		{"codec G711", devices.Settings{Codec: str(devices.CodecG711)},
			[]string{"voice.codecPref.G722", "voice.codecPref.G711_A", "voice.codecPref.G711_Mu"},
			codecKeys},
		{"codec G729", devices.Settings{Codec: str(devices.CodecG729)},
			[]string{"voice.codecPref.G722", "voice.codecPref.G711_A", "voice.codecPref.G729_AB"},
			codecKeys},
		{"DC on", devices.Settings{DC: &on},
			[]string{"nat.keepalive.interval"},
			[]string{"account.1.nat.udp_update_enable"}},
		{"MCN off", devices.Settings{MCN: &off},
			[]string{"call.missedCallTracking.1.enabled"},
			[]string{"account.1.missed_calllog"}},
		{"transfer blind", devices.Settings{TransferType: str(devices.TransferBlind)},
			[]string{"call.defaultTransferType"},
			[]string{"transfer.dsskey_deal_type"}},
		{"power save off", devices.Settings{PowerSave: &off},
			[]string{"powerSaving.enable"},
			[]string{"features.power_saving.enable"}},
		// The Yealink T4xG phones have no video: the option does not apply.
		{"video H263", devices.Settings{VideoCodec: str(devices.VideoH263)},
			[]string{"video.codecPref.H264", "video.codecPref.H263"},
			nil},
	}
	types := map[string]devices.Type{
		"Polycom": {Vendor: "Polycom", Model: "VVX 601 VDM", Capabilities: devices.Capabilities{VDM: true,
			Options: []devices.Option{devices.OptACD, devices.OptBLF, devices.OptCodec, devices.OptDC, devices.OptMCN,
				devices.OptTransferType, devices.OptPowerSave, devices.OptVideoCodec}}},
		"Yealink": {Vendor: "Yealink", Model: "T46G VDM", Capabilities: devices.Capabilities{VDM: true,
			Options: []devices.Option{devices.OptACD, devices.OptBLF, devices.OptCodec, devices.OptDC, devices.OptMCN,
				devices.OptTransferType, devices.OptPowerSave}}},
	}
	for _, vendor := range []string{"Polycom", "Yealink"} {
		ty := types[vendor]
		render := func(t *testing.T, s devices.Settings) map[string]string {
			t.Helper()
			model, mac := "VVX 601 VDM", "0004F2A1B2C3"
			if vendor == "Yealink" {
				model, mac = "T46G VDM", "805EC0A1B2C3"
			}
			d, c := fixedDevice(vendor, model, mac)
			ApplySettings(&c, devices.Resolve(ty, devices.Layer{Source: devices.SourceDevice, Settings: s}))
			r, err := Render(d, c, fileDevice)
			if err != nil {
				t.Fatal(err)
			}
			return keys(t, vendor, r.Body)
		}
		t.Run(vendor+"/defaults", func(t *testing.T) {
			k := render(t, devices.Settings{})
			// The defaults are written, not left to the phone.
			want := map[string]string{"Polycom/powerSaving.enable": "1", "Polycom/call.defaultTransferType": "Consultative",
				"Polycom/call.missedCallTracking.1.enabled": "1", "Polycom/nat.keepalive.interval": "30",
				"Polycom/feature.acdLoginLogout.enabled": "0", "Polycom/video.codecPref.H264": "1", "Polycom/video.codecPref.H263": "2",
				"Polycom/voIpProt.server.1.transport": "UDPOnly", "Polycom/powerSaving.officeHours.startHour.sunday": "7",
				"Polycom/powerSaving.officeHours.duration.monday": "12",
				"Yealink/features.power_saving.enable":            "1", "Yealink/transfer.dsskey_deal_type": "1",
				"Yealink/account.1.missed_calllog": "1", "Yealink/account.1.nat.udp_update_enable": "1", "Yealink/account.1.acd.enable": "0",
				"Yealink/features.power_saving.office_hour.saturday": "7,19", "Yealink/account.1.sip_server.1.transport_type": "0"}
			for vk, v := range want {
				v0, key, _ := strings.Cut(vk, "/")
				if v0 != vendor {
					continue
				}
				if k[key] != v {
					t.Errorf("%s = %q, want %q", key, k[key], v)
				}
			}
			if vendor == "Yealink" {
				for key := range k {
					if strings.HasPrefix(key, "video.") {
						t.Errorf("a Yealink T46G got the video key %s", key)
					}
				}
			}
		})
		for _, tc := range cases {
			t.Run(vendor+"/"+tc.name, func(t *testing.T) {
				b, a := render(t, devices.Settings{}), render(t, tc.set)
				var changed []string
				for k := range b {
					if a[k] != b[k] {
						changed = append(changed, k)
					}
				}
				for k := range a {
					if _, ok := b[k]; !ok {
						changed = append(changed, k)
					}
				}
				want := tc.polycom
				if vendor == "Yealink" {
					want = tc.yealink
				}
				want = slices.Clone(want)
				slices.Sort(changed)
				slices.Sort(want)
				if !slices.Equal(changed, want) {
					t.Errorf("changed keys = %v, want %v", changed, want)
				}
			})
		}
	}
}

// TestOptionsGolden renders the device file of a Polycom and a Yealink VDM
// phone at the product defaults and fully customised, and compares them
// with testdata/options (-update rewrites them: review the difference key
// by key against docs/provisioning.md, "Customisation options").
func TestOptionsGolden(t *testing.T) {
	on, off := true, false
	str := func(s string) *string { return &s }
	custom := devices.Settings{ACD: &on, BLF: &on, Codec: str(devices.CodecG711), DC: &on, MCN: &off,
		TransferType: str(devices.TransferBlind), PowerSave: &off, VideoCodec: str(devices.VideoH263)}
	all := []devices.Option{devices.OptACD, devices.OptBLF, devices.OptCodec, devices.OptDC, devices.OptMCN, devices.OptTransferType, devices.OptPowerSave}
	for _, tc := range []struct {
		vendor, model, mac string
		options            []devices.Option
	}{
		{"Polycom", "VVX 601 VDM", "0004F2A1B2C3", append(slices.Clone(all), devices.OptVideoCodec)},
		{"Yealink", "T46G VDM", "805EC0A1B2C3", all},
	} {
		ty := devices.Type{Vendor: tc.vendor, Model: tc.model, Capabilities: devices.Capabilities{VDM: true, Options: tc.options}}
		for name, s := range map[string]devices.Settings{"defaults": {}, "customised": custom} {
			t.Run(tc.model+"/"+name, func(t *testing.T) {
				d, c := fixedDevice(tc.vendor, tc.model, tc.mac)
				ApplySettings(&c, devices.Resolve(ty, devices.Layer{Source: devices.SourceDevice, Settings: s}))
				got, err := Render(d, c, fileDevice)
				if err != nil {
					t.Fatal(err)
				}
				path := filepath.Join("testdata", "options", strings.ToLower(tc.vendor+"-"+strings.ReplaceAll(tc.model, " ", ""))+"-"+name+".cfg")
				if *update {
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, got.Body, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				want, err := os.ReadFile(path)
				if err != nil {
					t.Fatalf("%v (run with -update to create it)", err)
				}
				if !bytes.Equal(got.Body, want) {
					t.Errorf("%s differs from the golden file:\n--- got\n%s\n--- want\n%s", path, got.Body, want)
				}
			})
		}
	}
}
