package provisioning

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// keysModel is a VDM model as the golden files of the keys use it: line
// keys per page × pages, and the keys of one sidecar (0: the model takes
// none; a VVX Color Expansion Module has 28 keys on each of 3 pages, an
// EXP40 40). The layouts are deliberately larger than the seeded catalog's
// (docs/devices.md) — three pages on a VVX, 30 and 33 keys on a T46G and
// T48G — so that the goldens keep proving the server writes no key past
// a model's buttons, as for a type an operator has given too many.
type keysModel struct {
	vendor, model, mac     string
	perPage, pages, module int
}

var keysModels = []keysModel{
	{"Polycom", "VVX 301 VDM", "0004F2A1B2C3", 6, 3, 0},
	{"Polycom", "VVX 411 VDM", "0004F2A1B2C3", 12, 3, 84},
	{"Polycom", "VVX 601 VDM", "0004F2A1B2C3", 16, 3, 84},
	{"Yealink", "T42G VDM", "805EC0A1B2C3", 6, 3, 0},
	{"Yealink", "T46G VDM", "805EC0A1B2C3", 10, 3, 40},
	{"Yealink", "T48G VDM", "805EC0A1B2C3", 11, 3, 40},
}

// The fixed device's lines: its primary line and a shared call appearance.
const (
	primaryLineID = 101
	sharedLineID  = 102
)

// fixedKeysDevice is the golden files' device with a second line, a shared
// appearance, so that a Line key can name either.
func fixedKeysDevice(m keysModel) (DeviceInfo, Config) {
	d, c := fixedDevice(m.vendor, m.model, m.mac)
	c.Lines = slices.Clone(c.Lines)
	c.Lines[0].ID = primaryLineID
	c.Lines = append(c.Lines, Line{ID: sharedLineID, Username: "441134960050", Password: "Sh4redAppearance7Pw9",
		Realm: "voice.example.net", Label: "Sales", DisplayName: "Sales"})
	return d, c
}

// fixedLayout is a rich layout of every kind of key for the model: both
// lines, speed dials (one written with separators), BLF keys, a None and
// Default keys on the phone; a BLF and a speed dial on one sidecar when
// the model takes one; a function, a custom macro, a speed dial and a
// default soft key; a ring tone of the vendor's.
func fixedLayout(m keysModel) devices.KeyLayout {
	keys := make([]devices.Key, m.perPage*m.pages)
	for i := range keys {
		keys[i] = devices.Key{Action: devices.KeyDefault}
	}
	keys[0] = devices.Key{Action: devices.KeyLine, LineID: primaryLineID, Label: "Ada Lovelace"}
	keys[1] = devices.Key{Action: devices.KeyLine, LineID: sharedLineID, Label: "Sales"}
	keys[2] = devices.Key{Action: devices.KeySpeedDial, Label: "Reception", Value: "+44 (113) 496-0000"}
	keys[3] = devices.Key{Action: devices.KeyBLF, Label: "Grace Hopper", Value: "441134960038"}
	keys[4] = devices.Key{Action: devices.KeyBLF, Label: "Alan Turing", Value: "441134960039"}
	keys[5] = devices.Key{Action: devices.KeyNone}
	// Page 2's first key.
	keys[m.perPage] = devices.Key{Action: devices.KeySpeedDial, Label: "Voicemail", Value: "1571"}
	kl := devices.KeyLayout{PhoneKeys: keys, SidecarKeys: [][]devices.Key{}}
	if m.module > 0 {
		side := make([]devices.Key, m.module)
		for i := range side {
			side[i] = devices.Key{Action: devices.KeyDefault}
		}
		side[0] = devices.Key{Action: devices.KeyBLF, Label: "Katherine Johnson", Value: "441134960041"}
		side[1] = devices.Key{Action: devices.KeySpeedDial, Label: "Night desk", Value: "0113 496 0999"}
		kl.SidecarModel = "EXP40"
		if m.vendor == "Polycom" {
			kl.SidecarModel = "VVX Color Expansion Module"
		}
		kl.SidecarKeys = append(kl.SidecarKeys, side)
	}
	macro, ringer := "*55$Tinvite$", "Ring3.wav"
	if m.vendor == "Polycom" {
		macro, ringer = "$Cdialtone$*55$Tinvite$", "Medium Trill"
	}
	kl.SoftKeys = []devices.Key{
		{Action: devices.KeyFunction, Label: "Call Pull", Value: "*11"},
		{Action: devices.KeyCustom, Label: "Night Service", Value: macro},
		{Action: devices.KeySpeedDial, Label: "Helpdesk", Value: "+442079460000"},
		{Action: devices.KeyDefault},
	}
	kl.Ringer = ringer
	return kl
}

func cloneLayout(kl devices.KeyLayout) devices.KeyLayout {
	out := kl
	out.PhoneKeys = slices.Clone(kl.PhoneKeys)
	out.SoftKeys = slices.Clone(kl.SoftKeys)
	out.SidecarKeys = nil
	for _, m := range kl.SidecarKeys {
		out.SidecarKeys = append(out.SidecarKeys, slices.Clone(m))
	}
	return out
}

// keysFiles are the files a layout is written to, by name and kind.
func keysFiles(m keysModel) map[string]string {
	mac := strings.ToLower(m.mac)
	if m.vendor == "Polycom" {
		return map[string]string{mac + "-switchboard.cfg": fileDevice, mac + "-directory.xml": fileDirectory}
	}
	return map[string]string{mac + ".cfg": fileDevice}
}

// TestKeysGolden renders the device file (and the Polycom directory, which
// holds the speed dials) of every VDM model with the fixed layout and
// compares them with testdata/keys (-update rewrites them: review the
// difference key by key against docs/provisioning.md, "Keys").
func TestKeysGolden(t *testing.T) {
	for _, m := range keysModels {
		d, c := fixedKeysDevice(m)
		kl := fixedLayout(m)
		c.Keys = &kl
		dir := filepath.Join("testdata", "keys", strings.ToLower(m.vendor+"-"+strings.ReplaceAll(m.model, " ", "")))
		for name, kind := range keysFiles(m) {
			t.Run(m.model+"/"+name, func(t *testing.T) {
				got, err := Render(d, c, kind)
				if err != nil {
					t.Fatal(err)
				}
				if m.vendor == "Polycom" {
					checkWellFormed(t, got.Body)
				}
				path := filepath.Join(dir, name)
				if *update {
					if err := os.MkdirAll(dir, 0o755); err != nil {
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

// layoutKeys renders the files of the device with layout kl and reads them
// back as key → value; a Polycom directory's speed-dial entries count as
// keys "directory.sd<N>.<field>".
func layoutKeys(t *testing.T, m keysModel, kl *devices.KeyLayout) map[string]string {
	t.Helper()
	d, c := fixedKeysDevice(m)
	c.Keys = kl
	r, err := Render(d, c, fileDevice)
	if err != nil {
		t.Fatal(err)
	}
	out := keys(t, m.vendor, r.Body)
	if m.vendor == "Polycom" {
		r, err := Render(d, c, fileDirectory)
		if err != nil {
			t.Fatal(err)
		}
		var doc struct {
			Items []struct {
				FN string `xml:"fn"`
				LN string `xml:"ln"`
				CT string `xml:"ct"`
				SD string `xml:"sd"`
			} `xml:"item_list>item"`
		}
		if err := xml.Unmarshal(r.Body, &doc); err != nil {
			t.Fatal(err)
		}
		for _, it := range doc.Items {
			if it.SD == "" {
				continue
			}
			out["directory.sd"+it.SD+".fn"] = it.FN
			out["directory.sd"+it.SD+".ct"] = it.CT
		}
	}
	return out
}

func changedKeys(before, after map[string]string) []string {
	var changed []string
	for k, v := range before {
		if w, ok := after[k]; !ok || w != v {
			changed = append(changed, k)
		}
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			changed = append(changed, k)
		}
	}
	slices.Sort(changed)
	return changed
}

// TestKeysTouchTheirKeys changes one key of the fixed layout at a time (and
// the ringer, and the sidecar count) and checks that exactly the keys
// docs/provisioning.md ("Keys") names for it changed, for a Polycom VVX 601
// VDM and a Yealink T46G VDM.
func TestKeysTouchTheirKeys(t *testing.T) {
	poly, yea := keysModels[2], keysModels[4]
	// Phone key 8 (index 7) is a Default key of page 1 on both models; on
	// the T46G it is a Line key (account 8) at the factory.
	const k8 = 7
	side := func(kl *devices.KeyLayout) []devices.Key { return kl.SidecarKeys[0] }
	ylk := func(x int, fields ...string) []string {
		var out []string
		for _, f := range fields {
			out = append(out, fmt.Sprintf("linekey.%d.%s", x, f))
		}
		return out
	}
	cases := []struct {
		name             string
		modify           func(kl *devices.KeyLayout)
		polycom, yealink []string
	}{
		{"default key to speed dial", func(kl *devices.KeyLayout) {
			kl.PhoneKeys[k8] = devices.Key{Action: devices.KeySpeedDial, Label: "Desk", Value: "2000"}
		},
			[]string{"lineKey.8.category", "lineKey.8.index", "directory.sd8.fn", "directory.sd8.ct"},
			ylk(8, "type", "line", "value", "label")},
		{"default key to none", func(kl *devices.KeyLayout) { kl.PhoneKeys[k8] = devices.Key{Action: devices.KeyNone} },
			// A Polycom key at its default is already unassigned.
			nil,
			ylk(8, "type", "line")},
		{"none key to default", func(kl *devices.KeyLayout) { kl.PhoneKeys[5] = devices.Key{Action: devices.KeyDefault} },
			nil,
			ylk(6, "type", "line")},
		{"line key to the shared appearance", func(kl *devices.KeyLayout) { kl.PhoneKeys[0].LineID = sharedLineID },
			[]string{"lineKey.1.index"},
			ylk(1, "line")},
		{"line key label", func(kl *devices.KeyLayout) { kl.PhoneKeys[1].Label = "Sales desk" },
			// Polycom labels a line key with the line's own label.
			nil,
			ylk(2, "label")},
		{"speed dial number", func(kl *devices.KeyLayout) { kl.PhoneKeys[2].Value = "+441134960001" },
			[]string{"directory.sd3.ct"},
			ylk(3, "value")},
		{"speed dial label", func(kl *devices.KeyLayout) { kl.PhoneKeys[2].Label = "Front desk" },
			[]string{"directory.sd3.fn"},
			ylk(3, "label")},
		{"BLF label", func(kl *devices.KeyLayout) { kl.PhoneKeys[3].Label = "Rear Admiral Hopper" },
			[]string{"attendant.resourceList.1.label"},
			ylk(4, "label")},
		{"BLF colleague", func(kl *devices.KeyLayout) { kl.PhoneKeys[4].Value = "441134960077" },
			[]string{"attendant.resourceList.2.address"},
			ylk(5, "value")},
		{"BLF key added", func(kl *devices.KeyLayout) {
			kl.PhoneKeys[k8] = devices.Key{Action: devices.KeyBLF, Label: "Mary Jackson", Value: "441134960042"}
		},
			// The sidecar's BLF moves to the next entry of the list.
			[]string{"lineKey.8.category", "attendant.resourceList.3.address", "attendant.resourceList.3.label",
				"attendant.resourceList.4.address", "attendant.resourceList.4.label"},
			ylk(8, "type", "line", "value", "label")},
		{"sidecar key", func(kl *devices.KeyLayout) { side(kl)[1].Value = "01134960998" },
			[]string{"directory.sd18.ct"},
			[]string{"expansion_module.1.key.2.value"}},
		{"sidecar key reset", func(kl *devices.KeyLayout) { side(kl)[0] = devices.Key{Action: devices.KeyDefault} },
			[]string{"lineKey.17.category", "attendant.resourceList.3.address", "attendant.resourceList.3.label"},
			[]string{"expansion_module.1.key.1.type", "expansion_module.1.key.1.value", "expansion_module.1.key.1.label"}},
		{"soft key function code", func(kl *devices.KeyLayout) { kl.SoftKeys[0].Value = "*12" },
			[]string{"softkey.1.action"},
			[]string{"programablekey.1.value"}},
		{"soft key label", func(kl *devices.KeyLayout) { kl.SoftKeys[2].Label = "IT" },
			[]string{"softkey.3.label"},
			[]string{"programablekey.3.label"}},
		{"custom soft key reset", func(kl *devices.KeyLayout) { kl.SoftKeys[1] = devices.Key{Action: devices.KeyDefault} },
			[]string{"softkey.2.enable", "softkey.2.label", "softkey.2.action", "softkey.2.use.idle"},
			// Its macro was the only one: Enhanced DSS Keys go off.
			[]string{"programablekey.2.type", "programablekey.2.line", "programablekey.2.value", "programablekey.2.label",
				"features.enhanced_dss_keys.enable", "edk.edklist.2.enable", "edk.edklist.2.mname", "edk.edklist.2.action"}},
		{"custom soft key macro", func(kl *devices.KeyLayout) { kl.SoftKeys[1].Value = "*56$Tinvite$" },
			[]string{"softkey.2.action"},
			[]string{"edk.edklist.2.action"}},
		{"default soft key to none", func(kl *devices.KeyLayout) { kl.SoftKeys[3] = devices.Key{Action: devices.KeyNone} },
			nil,
			[]string{"programablekey.4.type", "programablekey.4.line"}},
		{"default soft key to a function", func(kl *devices.KeyLayout) {
			kl.SoftKeys[3] = devices.Key{Action: devices.KeyFunction, Label: "Park", Value: "*13"}
		},
			[]string{"softkey.4.enable", "softkey.4.label", "softkey.4.action", "softkey.4.use.idle"},
			[]string{"programablekey.4.type", "programablekey.4.line", "programablekey.4.value", "programablekey.4.label"}},
		{"ringer", func(kl *devices.KeyLayout) {
			kl.Ringer = "Ring5.wav"
			if kl.SidecarModel != "EXP40" {
				kl.Ringer = "Beeble"
			}
		},
			[]string{"reg.1.ringType", "reg.2.ringType", "np.normal.ringing.calls.tonePattern"},
			[]string{"phone_setting.ring_type"}},
		{"ringer reset", func(kl *devices.KeyLayout) { kl.Ringer = "" },
			[]string{"reg.1.ringType", "reg.2.ringType", "np.normal.ringing.calls.tonePattern"},
			[]string{"phone_setting.ring_type"}},
	}
	for _, m := range []keysModel{poly, yea} {
		base := fixedLayout(m)
		before := layoutKeys(t, m, &base)
		for _, tc := range cases {
			t.Run(m.vendor+"/"+tc.name, func(t *testing.T) {
				kl := cloneLayout(base)
				tc.modify(&kl)
				want := tc.polycom
				if m.vendor == "Yealink" {
					want = tc.yealink
				}
				want = slices.Clone(want)
				slices.Sort(want)
				if got := changedKeys(before, layoutKeys(t, m, &kl)); !slices.Equal(got, want) {
					t.Errorf("changed keys = %v, want %v", got, want)
				}
			})
		}
		t.Run(m.vendor+"/second sidecar", func(t *testing.T) {
			kl := cloneLayout(base)
			more := make([]devices.Key, m.module)
			for i := range more {
				more[i] = devices.Key{Action: devices.KeyDefault}
			}
			kl.SidecarKeys = append(kl.SidecarKeys, more)
			var want []string
			if m.vendor == "Polycom" {
				// Its keys follow the first module's (after the phone's
				// 16 buttons), each a resource list slot too.
				first := 16 + m.module
				for x := first + 1; x <= first+m.module; x++ {
					want = append(want, fmt.Sprintf("lineKey.%d.category", x), fmt.Sprintf("lineKey.%d.index", x))
					for _, f := range []string{"address", "label", "type"} {
						want = append(want, fmt.Sprintf("attendant.resourceList.%d.%s", x, f))
					}
				}
			} else {
				for y := 1; y <= m.module; y++ {
					for _, f := range []string{"type", "line", "value", "label"} {
						want = append(want, fmt.Sprintf("expansion_module.2.key.%d.%s", y, f))
					}
				}
			}
			slices.Sort(want)
			if got := changedKeys(before, layoutKeys(t, m, &kl)); !slices.Equal(got, want) {
				t.Errorf("changed keys = %v, want %v", got, want)
			}
		})
		t.Run(m.vendor+"/no layout", func(t *testing.T) {
			// Without a layout no key of this file's is written at all.
			none := layoutKeys(t, m, nil)
			for k := range before {
				if _, ok := none[k]; !ok {
					continue
				}
				if strings.HasPrefix(k, "lineKey.") || strings.HasPrefix(k, "linekey.") || strings.HasPrefix(k, "softkey.") ||
					strings.HasPrefix(k, "programablekey.") || strings.HasPrefix(k, "expansion_module.") ||
					strings.HasPrefix(k, "attendant.") || strings.HasPrefix(k, "directory.") || strings.Contains(k, "ring") {
					t.Errorf("%s is written without a layout", k)
				}
			}
		})
	}
}

// TestKeysValues checks the values the table of docs/provisioning.md gives
// for each kind of key, on the fixed layout.
func TestKeysValues(t *testing.T) {
	poly := layoutKeys(t, keysModels[2], ptr(fixedLayout(keysModels[2])))
	yea := layoutKeys(t, keysModels[4], ptr(fixedLayout(keysModels[4])))
	for k, want := range map[string]string{
		"lineKey.reassignment.enabled": "1",
		"lineKey.1.category":           "Line", "lineKey.1.index": "1",
		"lineKey.2.category": "Line", "lineKey.2.index": "2",
		"lineKey.3.category": "SpeedDial", "lineKey.3.index": "3",
		"directory.sd3.ct": "+441134960000", "directory.sd3.fn": "Reception",
		"lineKey.4.category": "BLF", "lineKey.4.index": "0",
		"attendant.resourceList.1.address": "441134960038@voice.example.net", "attendant.resourceList.1.label": "Grace Hopper",
		"attendant.resourceList.1.type": "normal", "attendant.resourceList.4.address": "",
		"lineKey.6.category": "Unassigned", "lineKey.6.index": "0",
		"lineKey.7.category": "Unassigned",
		// The expansion module's keys follow the phone's 16 buttons.
		"lineKey.17.category": "BLF", "lineKey.18.category": "SpeedDial", "lineKey.18.index": "18",
		"directory.sd18.ct": "01134960999", "directory.sd18.fn": "Night desk",
		"feature.enhancedFeatureKeys.enabled": "1",
		"softkey.1.action":                    "*11$Tinvite$", "softkey.1.label": "Call Pull", "softkey.1.enable": "1",
		"softkey.2.action": "$Cdialtone$*55$Tinvite$", "softkey.3.action": "+442079460000$Tinvite$",
		"softkey.4.enable": "0", "softkey.4.action": "",
		"reg.1.ringType": "ringer4", "reg.2.ringType": "ringer4", "np.normal.ringing.calls.tonePattern": "ringer4",
	} {
		if got, ok := poly[k]; !ok || got != want {
			t.Errorf("Polycom %s = %q (written %v), want %q", k, got, ok, want)
		}
	}
	for k, want := range map[string]string{
		"linekey.1.type": "15", "linekey.1.line": "1", "linekey.1.label": "Ada Lovelace", "linekey.1.value": "%NULL%",
		"linekey.2.type": "15", "linekey.2.line": "2",
		"linekey.3.type": "13", "linekey.3.value": "+441134960000", "linekey.3.label": "Reception",
		"linekey.4.type": "16", "linekey.4.value": "441134960038", "linekey.4.line": "1",
		"linekey.6.type": "0",
		// Default keys go back to the factory: Line on account X up to 16.
		"linekey.7.type": "15", "linekey.7.line": "7", "linekey.7.label": "%NULL%",
		"linekey.17.type": "0", "linekey.11.type": "13", "linekey.11.value": "1571",
		"expansion_module.1.key.1.type": "16", "expansion_module.1.key.2.value": "01134960999", "expansion_module.1.key.3.type": "0",
		"programablekey.1.type": "13", "programablekey.1.value": "*11",
		"programablekey.2.type": "13", "programablekey.2.value": "!sb2", "features.enhanced_dss_keys.enable": "1",
		"edk.edklist.2.enable": "1", "edk.edklist.2.mname": "sb2", "edk.edklist.2.action": "*55$Tinvite$",
		"edk.edklist.1.enable": "0", "edk.edklist.1.mname": "%NULL%", "edk.edklist.1.action": "%NULL%",
		"programablekey.4.type": "30", "phone_setting.ring_type": "Ring3.wav",
	} {
		if got, ok := yea[k]; !ok || got != want {
			t.Errorf("Yealink %s = %q (written %v), want %q", k, got, ok, want)
		}
	}
	// A VVX 601 has 16 buttons: the type's pages 2 and 3 (the Voicemail
	// speed dial is page 2's first key) have no location.
	for k, v := range poly {
		if v == "1571" || k == "lineKey.101.category" {
			t.Errorf("a VVX 601 got %s = %s", k, v)
		}
	}
	if _, ok := poly["lineKey.100.category"]; !ok {
		t.Error("a VVX 601 did not get its module's last key, 100")
	}
	// The T46G takes 27 line keys: the type's third page promises 30.
	if _, ok := yea["linekey.28.type"]; ok {
		t.Error("a T46G got line key 28")
	}
	if _, ok := yea["linekey.27.type"]; !ok {
		t.Error("a T46G did not get line key 27")
	}
}

func ptr[T any](v T) *T { return &v }

// TestKeysShortLayout: buttons a layout does not reach (a type with fewer
// pages than the model has keys) are written at their default, not left
// with what the phone was once told.
func TestKeysShortLayout(t *testing.T) {
	for _, m := range []keysModel{keysModels[2], keysModels[4]} {
		kl := fixedLayout(m)
		kl.PhoneKeys = kl.PhoneKeys[:5]
		got := layoutKeys(t, m, &kl)
		want := map[string]string{"lineKey.16.category": "Unassigned", "lineKey.16.index": "0",
			"linekey.27.type": "0", "linekey.16.type": "15", "linekey.16.line": "16"}
		for k, v := range want {
			if strings.HasPrefix(k, "lineKey") != (m.vendor == "Polycom") {
				continue
			}
			if got[k] != v {
				t.Errorf("%s %s = %q, want %q", m.model, k, got[k], v)
			}
		}
	}
}

// TestApplyKeys: the hook's layout reaches the configuration; no hook, an
// empty layout (not a Visual Device Manager device) or a soft client
// writes none; the hook's error is the fetch's.
func TestApplyKeys(t *testing.T) {
	ctx := context.Background()
	d, _ := fixedDevice("Yealink", "T46G VDM", "805EC0A1B2C3")
	kl := fixedLayout(keysModels[4])
	s := &Service{}
	var c Config
	if err := s.applyKeys(ctx, d, &c); err != nil || c.Keys != nil {
		t.Fatalf("no hook: keys %v, err %v", c.Keys, err)
	}
	var asked int64
	s.KeyLayout = func(ctx context.Context, id int64) (devices.KeyLayout, error) { asked = id; return kl, nil }
	if err := s.applyKeys(ctx, d, &c); err != nil || c.Keys == nil || asked != d.ID {
		t.Fatalf("hook: keys %v, asked %d, err %v", c.Keys, asked, err)
	}
	c = Config{}
	soft := d
	soft.SoftClient = true
	if err := s.applyKeys(ctx, soft, &c); err != nil || c.Keys != nil {
		t.Fatalf("soft client: keys %v, err %v", c.Keys, err)
	}
	s.KeyLayout = func(ctx context.Context, id int64) (devices.KeyLayout, error) { return devices.KeyLayout{}, nil }
	if err := s.applyKeys(ctx, d, &c); err != nil || c.Keys != nil {
		t.Fatalf("empty layout: keys %v, err %v", c.Keys, err)
	}
	for _, notVDM := range []error{derrors.ErrNotFound, derrors.ErrInvalid} {
		s.KeyLayout = func(ctx context.Context, id int64) (devices.KeyLayout, error) {
			return devices.KeyLayout{}, fmt.Errorf("devices: key layout of %d: %w", id, notVDM)
		}
		if err := s.applyKeys(ctx, d, &c); err != nil || c.Keys != nil {
			t.Fatalf("%v: keys %v, err %v", notVDM, c.Keys, err)
		}
	}
	boom := errors.New("boom")
	s.KeyLayout = func(ctx context.Context, id int64) (devices.KeyLayout, error) { return devices.KeyLayout{}, boom }
	if err := s.applyKeys(ctx, d, &c); !errors.Is(err, boom) {
		t.Fatalf("hook error: %v", err)
	}
}

func TestDialString(t *testing.T) {
	for in, want := range map[string]string{
		"+44 (113) 496-0000": "+441134960000",
		" 0113.496.0999 ":    "01134960999",
		"*11":                "*11",
		"#21#":               "#21#",
		"1+1":                "11",
		"":                   "",
	} {
		if got := dialString(in); got != want {
			t.Errorf("dialString(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestKeysDetachedSidecar: a module detached since the phone last had it
// is written with every key at its default, or the phone would keep what
// its keys last did; one never attached is not written.
func TestKeysDetachedSidecar(t *testing.T) {
	for _, c := range []struct {
		m                 keysModel
		first, last, past string
		want              string
	}{
		{keysModels[1], "lineKey.97.category", "lineKey.180.category", "lineKey.181.category", "Unassigned"},
		{keysModels[4], "expansion_module.2.key.1.type", "expansion_module.2.key.40.type", "expansion_module.2.key.41.type", "0"},
	} {
		kl := fixedLayout(c.m)
		if got := layoutKeys(t, c.m, &kl); got[c.first] != "" {
			t.Errorf("%s: a module never attached is written: %s = %q", c.m.model, c.first, got[c.first])
		}
		kl.DetachedSidecars, kl.SidecarKeyCount = 1, c.m.module
		got := layoutKeys(t, c.m, &kl)
		if got[c.first] != c.want || got[c.last] != c.want || got[c.past] != "" {
			t.Errorf("%s: detached module: %s = %q, %s = %q, %s = %q; want %q, %q and nothing", c.m.model,
				c.first, got[c.first], c.last, got[c.last], c.past, got[c.past], c.want, c.want)
		}
		// The attached module is written as before.
		if c.m.vendor == "Yealink" && got["expansion_module.1.key.1.value"] != "441134960041" {
			t.Errorf("%s: the attached module's BLF key: %q", c.m.model, got["expansion_module.1.key.1.value"])
		}
	}
}
