package devices

import (
	"fmt"
	"strings"
	"testing"
)

// TestResolveLayout checks the resolution rules on a small phone (2 keys ×
// 2 pages, a 3-key sidecar) without a database (docs/devices.md,
// "Resolution").
func TestResolveLayout(t *testing.T) {
	typ := Type{Vendor: "Polycom", Model: "Lab", Capabilities: Capabilities{VDM: true, LineKeysPerPage: 2, Pages: 2, SoftKeys: 2,
		SidecarModel: "EM", SidecarMax: 2, SidecarKeys: 3, RingTones: []string{"Beeble"}}}
	lines := []Line{{ID: 7}, {ID: 8, Appearance: 1}}
	label := func(l Line) string { return fmt.Sprintf("L%d", l.ID) }
	blf := []blfEntry{{"u1", "Ann"}, {"u2", "Bob"}, {"u3", "Cy"}}
	str := func(ks []Key) string {
		var out []string
		for _, k := range ks {
			switch k.Action {
			case KeyLine:
				out = append(out, fmt.Sprintf("line%d", k.LineID))
			case KeyBLF:
				out = append(out, "blf:"+k.Value)
			case KeySpeedDial:
				out = append(out, "sd:"+k.Value)
			default:
				out = append(out, string(k.Action))
			}
		}
		return strings.Join(out, " ")
	}
	sd := Key{Action: KeySpeedDial, Label: "X", Value: "+441134960000"}
	for _, tt := range []struct {
		name           string
		cfg            vdmConfig
		blf            []blfEntry
		phone, sidecar string
	}{
		{"nothing set: lines then BLF", vdmConfig{BLFStart: BLFStartPhone}, blf, "line7 line8 blf:u1 blf:u2", ""},
		{"BLF list shorter than the spare keys", vdmConfig{BLFStart: BLFStartPhone}, blf[:1], "line7 line8 blf:u1 default", ""},
		{"a speed dial on key 1 pushes the lines on", vdmConfig{LineKeys: map[string]Key{"phone/1": sd}}, nil, "sd:+441134960000 line7 line8 default", ""},
		{"None is skipped by lines and BLF", vdmConfig{LineKeys: map[string]Key{"phone/2": {Action: KeyNone}}}, blf, "line7 none line8 blf:u1", ""},
		{"a line placed by hand", vdmConfig{LineKeys: map[string]Key{"phone/4": {Action: KeyLine, LineID: 7}}}, blf, "line8 blf:u1 blf:u2 line7", ""},
		{"a line that left the device frees its key", vdmConfig{LineKeys: map[string]Key{"phone/1": {Action: KeyLine, LineID: 99}}}, nil, "line7 line8 default default", ""},
		{"a sidecar, BLF from the phone", vdmConfig{Sidecars: 1, BLFStart: BLFStartPhone}, blf, "line7 line8 blf:u1 blf:u2", "blf:u3 default default"},
		{"a sidecar, BLF from the sidecar", vdmConfig{Sidecars: 1, BLFStart: BLFStartSidecar}, blf, "line7 line8 default default", "blf:u1 blf:u2 blf:u3"},
		{"sidecar first, then the phone", vdmConfig{Sidecars: 1, BLFStart: BLFStartSidecar}, append(blf, blfEntry{"u4", "Di"}), "line7 line8 blf:u4 default", "blf:u1 blf:u2 blf:u3"},
		{"more sidecars than the type takes", vdmConfig{Sidecars: 5}, nil, "line7 line8 default default", "default default default|default default default"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.cfg
			if c.BLFStart == "" {
				c.BLFStart = BLFStartPhone
			}
			l := resolveLayout(typ, c, lines, label, tt.blf)
			if got := str(l.PhoneKeys); got != tt.phone {
				t.Errorf("phone keys %q, want %q", got, tt.phone)
			}
			var side []string
			for _, s := range l.SidecarKeys {
				side = append(side, str(s))
			}
			if got := strings.Join(side, "|"); got != tt.sidecar {
				t.Errorf("sidecar keys %q, want %q", got, tt.sidecar)
			}
			if len(l.SoftKeys) != 2 || l.SidecarKeys == nil {
				t.Errorf("soft keys %d, sidecars %v", len(l.SoftKeys), l.SidecarKeys)
			}
		})
	}
}
