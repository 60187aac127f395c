package devices

import (
	"fmt"
	"testing"
)

// TestKeyModelOf checks the one table of per-model key counts that both the
// Visual Device Manager and the provisioning server read (docs/devices.md,
// "Device types").
func TestKeyModelOf(t *testing.T) {
	for _, tt := range []struct {
		vendor, model       string
		known               bool
		family              string
		typeKeys, phoneKeys int
		moduleKeys, sidecar int
		wantSidecar         int
	}{
		// The names people write resolve to the table's entry.
		{"Yealink", "T48G VDM", true, FamilyYealink, 30, 29, 40, 60, 40},
		{"yealink", "SIP-T48G", true, FamilyYealink, 20, 20, 40, 40, 40},
		{"Yealink", "t46g_vdm", true, FamilyYealink, 27, 27, 40, 40, 40},
		{"Yealink", "T42G", true, FamilyYealink, 18, 15, 0, 40, 0},
		{"Poly", "VVX 411 VDM", true, FamilyPolycom, 36, 12, 84, 90, 84},
		{"Polycom", "vvx-601", true, FamilyPolycom, 16, 16, 84, 84, 84},
		// A model the table does not know has no limit of its own, but a
		// VVX module is 84 keys on every VVX.
		{"Yealink", "T54W", false, FamilyYealink, 30, 30, 0, 60, 60},
		{"Polycom", "VVX 350", false, FamilyPolycom, 36, 36, 84, 90, 84},
		{"Cisco", "8841", false, "", 10, 10, 0, 20, 20},
		// The same model name under another vendor is not that model.
		{"Polycom", "T48G", false, FamilyPolycom, 30, 30, 84, 40, 40},
	} {
		m := KeyModelOf(tt.vendor, tt.model)
		if m.Known() != tt.known || m.Family != tt.family || m.ModuleKeys != tt.moduleKeys {
			t.Errorf("%s %s: %+v known %v, want known %v family %q module keys %d", tt.vendor, tt.model, m, m.Known(), tt.known, tt.family, tt.moduleKeys)
		}
		if got := m.PhoneKeys(tt.typeKeys); got != tt.phoneKeys {
			t.Errorf("%s %s: %d of %d phone keys addressed, want %d", tt.vendor, tt.model, got, tt.typeKeys, tt.phoneKeys)
		}
		if got := m.SidecarKeys(tt.sidecar); got != tt.wantSidecar {
			t.Errorf("%s %s: %d of %d sidecar keys addressed, want %d", tt.vendor, tt.model, got, tt.sidecar, tt.wantSidecar)
		}
	}
}

// TestVDMOffersWhatThePhoneGets: a type stored with more keys than its
// model addresses (before the catalog refused such figures) offers only
// the model's keys in the Visual Device Manager, on the phone and on each
// sidecar, as the provisioning server writes only those.
func TestVDMOffersWhatThePhoneGets(t *testing.T) {
	for _, tt := range []struct {
		typ                   Type
		phone, sidecar, pages string
	}{
		{Type{Vendor: "Polycom", Model: "VVX 411 VDM", Capabilities: Capabilities{LineKeysPerPage: 12, Pages: 3, SidecarModel: "EM", SidecarMax: 3, SidecarKeys: 90}},
			"12", "84", "[12 0 0 84]"},
		{Type{Vendor: "Yealink", Model: "T46G", Capabilities: Capabilities{LineKeysPerPage: 10, Pages: 3, SidecarModel: "EXP43", SidecarMax: 3, SidecarKeys: 60}},
			"27", "40", "[10 10 7 40]"},
		{Type{Vendor: "Yealink", Model: "T42G", Capabilities: Capabilities{LineKeysPerPage: 5, Pages: 3, SidecarModel: "EXP40", SidecarMax: 3, SidecarKeys: 40}},
			"15", "0", "[5 5 5 0]"},
		{Type{Vendor: "Yealink", Model: "T54W", Capabilities: Capabilities{LineKeysPerPage: 10, Pages: 3, SidecarModel: "EXP50", SidecarMax: 3, SidecarKeys: 60}},
			"30", "60", "[10 10 10 60]"},
	} {
		if got := fmt.Sprint(phoneKeyCount(tt.typ)); got != tt.phone {
			t.Errorf("%s: %s phone keys, want %s", tt.typ.Name(), got, tt.phone)
		}
		if got := fmt.Sprint(sidecarKeyCount(tt.typ)); got != tt.sidecar {
			t.Errorf("%s: %s keys per sidecar, want %s", tt.typ.Name(), got, tt.sidecar)
		}
		var pages []int
		for p := 1; p <= tt.typ.Pages+1; p++ {
			pages = append(pages, pageKeys(tt.typ, p))
		}
		if got := fmt.Sprint(pages); got != tt.pages {
			t.Errorf("%s: pages of %s keys, want %s", tt.typ.Name(), got, tt.pages)
		}
		l := resolveLayout(tt.typ, vdmConfig{Sidecars: 1, LineKeys: map[string]Key{}}, nil, nil, nil)
		if got := fmt.Sprint(len(l.PhoneKeys)); got != tt.phone {
			t.Errorf("%s: %s phone keys in the layout, want %s", tt.typ.Name(), got, tt.phone)
		}
		if tt.sidecar != "0" && (len(l.SidecarKeys) != 1 || fmt.Sprint(len(l.SidecarKeys[0])) != tt.sidecar) {
			t.Errorf("%s: sidecars in the layout %d, want one of %s keys", tt.typ.Name(), len(l.SidecarKeys), tt.sidecar)
		}
		if tt.sidecar == "0" && len(l.SidecarKeys) != 0 {
			t.Errorf("%s: %d sidecars in the layout of a model that takes none", tt.typ.Name(), len(l.SidecarKeys))
		}
	}
}
