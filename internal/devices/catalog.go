package devices

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Option is a customisation option of the Device Management pages
// (docs/devices.md, "Customisation options").
type Option string

// The options, in the order the guide's tables give them.
const (
	OptACD          Option = "acd"
	OptBLF          Option = "blf"
	OptCodec        Option = "codec"
	OptDC           Option = "dc"
	OptMCN          Option = "mcn"
	OptTransferType Option = "transfer_type"
	OptPowerSave    Option = "power_save"
	OptVideoCodec   Option = "video_codec"
)

// AllOptions are every option, basic ones first.
var AllOptions = []Option{OptACD, OptBLF, OptCodec, OptDC, OptMCN, OptTransferType, OptPowerSave, OptVideoCodec}

// BasicOptions are the options of the basic customisation; the advanced
// (VDM) customisation adds the others.
var BasicOptions = []Option{OptACD, OptBLF, OptCodec, OptDC, OptMCN}

// Capabilities are what a device type can do: its keys, its sidecar, the
// customisation options that apply to it, its ring tones and how many
// lines it carries.
type Capabilities struct {
	// VDM types are managed in the Visual Device Manager (advanced
	// customisation); their name ends in "VDM".
	VDM             bool   `json:"vdm"`
	LineKeysPerPage int    `json:"line_keys_per_page"`
	Pages           int    `json:"pages"`
	SoftKeys        int    `json:"soft_keys"`
	SidecarModel    string `json:"sidecar_model"`
	SidecarMax      int    `json:"sidecar_max"`
	// SidecarKeys is how many keys one sidecar carries, all its pages
	// together (the Visual Device Manager draws each sidecar as one page).
	SidecarKeys int `json:"sidecar_keys"`
	// Options are the customisation options that apply; the others are
	// shown greyed out.
	Options   []Option `json:"options"`
	RingTones []string `json:"ring_tones"`
	// Ports is how many lines (SIP registrations) a device carries: its
	// primary line and shared call appearances.
	Ports int `json:"ports"`
}

// Supports reports whether option o applies to the type.
func (c Capabilities) Supports(o Option) bool { return slices.Contains(c.Options, o) }

func (c Capabilities) isZero() bool {
	return !c.VDM && c.LineKeysPerPage == 0 && c.Pages == 0 && c.SoftKeys == 0 && c.SidecarModel == "" && c.SidecarMax == 0 && c.SidecarKeys == 0 &&
		c.Options == nil && c.RingTones == nil && c.Ports == 0
}

// defaultCapabilities are a type's when its creator gave none: a phone
// with one line and the basic options, or a soft client without options.
func defaultCapabilities(softClient bool) Capabilities {
	if softClient {
		return Capabilities{Pages: 1, Ports: 1, Options: []Option{}, RingTones: []string{}}
	}
	return Capabilities{Pages: 1, Ports: 1, Options: slices.Clone(BasicOptions), RingTones: []string{}}
}

// Limits of the catalog's numbers: generous for any desk phone.
const (
	maxLineKeysPerPage = 48
	maxPages           = 3
	maxSoftKeys        = 16
	maxSidecars        = 6
	maxSidecarKeys     = 120
	maxPorts           = 24
	maxRingTones       = 32
)

func (c *Capabilities) validate(softClient bool) error {
	v := &derrors.ValidationError{}
	c.SidecarModel = strings.TrimSpace(c.SidecarModel)
	if c.LineKeysPerPage < 0 || c.LineKeysPerPage > maxLineKeysPerPage {
		v.Add("line_keys_per_page", "line keys per page must be between 0 and %d", maxLineKeysPerPage)
	}
	if c.Pages < 1 || c.Pages > maxPages {
		v.Add("pages", "pages must be between 1 and %d (the Visual Device Manager draws up to 3 pages)", maxPages)
	}
	if c.SoftKeys < 0 || c.SoftKeys > maxSoftKeys {
		v.Add("soft_keys", "soft keys must be between 0 and %d", maxSoftKeys)
	}
	if c.SidecarMax < 0 || c.SidecarMax > maxSidecars {
		v.Add("sidecar_max", "the maximum number of sidecars must be between 0 and %d", maxSidecars)
	}
	if c.SidecarMax > 0 && c.SidecarModel == "" {
		v.Add("sidecar_model", "name the supported sidecar model, or set the maximum number of sidecars to 0")
	}
	if c.SidecarMax == 0 && c.SidecarModel != "" {
		v.Add("sidecar_max", "give the maximum number of %s sidecars (1 to %d), or leave the sidecar model empty", c.SidecarModel, maxSidecars)
	}
	if c.SidecarKeys < 0 || c.SidecarKeys > maxSidecarKeys {
		v.Add("sidecar_keys", "the keys of one sidecar must be between 0 and %d", maxSidecarKeys)
	}
	if c.SidecarMax > 0 && c.SidecarKeys == 0 {
		v.Add("sidecar_keys", "give how many keys one %s carries (all its pages; e.g. 40 for a Yealink EXP40)", c.SidecarModel)
	}
	if c.SidecarMax == 0 {
		c.SidecarKeys = 0
	}
	if c.Ports < 1 || c.Ports > maxPorts {
		v.Add("ports", "ports must be between 1 and %d", maxPorts)
	}
	seen := map[Option]bool{}
	for _, o := range c.Options {
		if !slices.Contains(AllOptions, o) {
			v.Add("options", "%q is not a customisation option (acd, blf, codec, dc, mcn, transfer_type, power_save, video_codec)", o)
			continue
		}
		if seen[o] {
			v.Add("options", "%q is listed twice", o)
		}
		seen[o] = true
		if !c.VDM && !slices.Contains(BasicOptions, o) {
			v.Add("options", "%q is an advanced (VDM) option: only a VDM type offers it", o)
		}
	}
	if softClient && len(c.Options) > 0 {
		v.Add("options", "a soft client is not provisioned by the platform: it has no customisation options")
	}
	if c.Options == nil {
		c.Options = []Option{}
	}
	slices.SortFunc(c.Options, func(a, b Option) int { return slices.Index(AllOptions, a) - slices.Index(AllOptions, b) })
	tones := make([]string, 0, len(c.RingTones))
	for _, t := range c.RingTones {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if strings.Contains(t, ",") {
			v.Add("ring_tones", "a ring tone's name cannot contain a comma: %q", t)
		}
		if slices.Contains(tones, t) {
			v.Add("ring_tones", "the ring tone %q is listed twice", t)
		}
		tones = append(tones, t)
	}
	if len(tones) > maxRingTones {
		v.Add("ring_tones", "at most %d ring tones", maxRingTones)
	}
	c.RingTones = tones
	return v.Err()
}

func joinOptions(os []Option) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = string(o)
	}
	return strings.Join(parts, ",")
}

func splitOptions(s string) []Option {
	out := []Option{}
	for _, p := range splitList(s) {
		out = append(out, Option(p))
	}
	return out
}

func splitList(s string) []string {
	out := []string{}
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// ViewDeviceType is one device type of the actor's provider.
func (s *Service) ViewDeviceType(ctx context.Context, actor access.Actor, id int64) (Type, error) {
	return s.Type(ctx, actor.ProviderID, id)
}

// TypeUpdate is a device type as an operator edits it: its name and
// capabilities. Whether it is a soft client does not change (its devices'
// MACs are of another kind).
type TypeUpdate struct {
	Vendor string `json:"vendor"`
	Model  string `json:"model"`
	Capabilities
}

// ModifyDeviceType changes a device type of the provider's catalog:
// provider operators only (access.ManageCatalog). Devices of the type are
// marked changed, so phones fetch configuration rendered from the new
// capabilities (an option taken away no longer applies).
func (s *Service) ModifyDeviceType(ctx context.Context, actor access.Actor, id int64, req TypeUpdate) (Type, error) {
	if err := s.access.Check(ctx, actor, access.ManageCatalog, access.Provider(actor.ProviderID)); err != nil {
		return Type{}, fmt.Errorf("devices: modify device type %d: %w", id, err)
	}
	var after Type
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Type(ctx, actor.ProviderID, id)
		if err != nil {
			return err
		}
		v := &derrors.ValidationError{}
		req.Vendor, req.Model = strings.TrimSpace(req.Vendor), strings.TrimSpace(req.Model)
		if req.Vendor == "" {
			v.Add("vendor", "the vendor is required (e.g. Yealink, Polycom)")
		}
		if req.Model == "" {
			v.Add("model", "the model is required (e.g. T46G, VVX 411 VDM)")
		}
		if err := v.Err(); err != nil {
			return err
		}
		if err := req.Capabilities.validate(before.SoftClient); err != nil {
			return err
		}
		if err := checkModelKeys(req.Vendor, req.Model, req.Capabilities); err != nil {
			return err
		}
		after = before
		after.Vendor, after.Model, after.Capabilities = req.Vendor, req.Model, req.Capabilities
		after.UpdatedAt = time.Now().UTC().Truncate(time.Millisecond)
		c := after.Capabilities
		_, err = s.db.Q(ctx).Exec(ctx, `UPDATE device_types SET vendor = ?, model = ?, vdm = ?, line_keys_per_page = ?, pages = ?, soft_keys = ?,
			sidecar_model = ?, sidecar_max = ?, sidecar_keys = ?, options = ?, ring_tones = ?, ports = ?, updated_at = ? WHERE id = ? AND provider_id = ?`,
			after.Vendor, after.Model, c.VDM, c.LineKeysPerPage, c.Pages, c.SoftKeys, c.SidecarModel, c.SidecarMax, c.SidecarKeys,
			joinOptions(c.Options), strings.Join(c.RingTones, ","), c.Ports, after.UpdatedAt.UnixMilli(), id, actor.ProviderID)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("model", "the device type %s already exists", after.Name())
		}
		if err != nil {
			return err
		}
		if err := s.touchDevices(ctx, "type_id = ?", id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Device Type", ObjectKind: "device_type", ObjectID: id, ObjectName: after.Name(),
			Before: before, After: after})
	})
	if err != nil {
		return Type{}, fmt.Errorf("devices: modify device type %d: %w", id, err)
	}
	return after, nil
}

// touchDevices marks the devices matching cond changed: the provisioning
// server's revision of a device includes its updated_at, so its phone
// fetches files rendered from the new settings (docs/provisioning.md).
func (s *Service) touchDevices(ctx context.Context, cond string, args ...any) error {
	_, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET updated_at = ? WHERE "+cond, append([]any{store.Now()}, args...)...)
	return err
}

// The ring tones of the families, as their phones name them.
var (
	polycomRingTones = []string{"Low Trill", "Low Double Trill", "Medium Trill", "Medium Double Trill", "High Trill", "High Double Trill",
		"Highest Trill", "Highest Double Trill", "Beeble", "Triplet", "Ringback-Style", "Silent Ring"}
	yealinkRingTones = []string{"Ring1.wav", "Ring2.wav", "Ring3.wav", "Ring4.wav", "Ring5.wav", "Ring6.wav", "Ring7.wav", "Ring8.wav",
		"Silent.wav", "Splash.wav"}
)

// sidecarKeys are the keys of one expansion module, all its pages
// (docs/devices.md gives the vendors' figures).
var sidecarKeys = map[string]int{"VVX Color Expansion Module": 84, "EXP40": 40, "EXP43": 60, "EXP50": 60}

// seedTypes is the demo's and new deployments' catalog: the guide's
// models, each also as a VDM type, and the soft client (docs/devices.md
// gives where each number comes from).
func seedTypes() []Type {
	basic := BasicOptions
	vdm := append(slices.Clone(BasicOptions), OptTransferType, OptPowerSave)
	video := append(slices.Clone(vdm), OptVideoCodec)
	type model struct {
		vendor, model     string
		keys, pages, soft int
		sidecar           string
		sidecars, ports   int
		tones             []string
		vdmOptions        []Option
		basicOptions      []Option
		vdmType           bool
	}
	ms := []model{
		// A VVX addresses only its own buttons (then its expansion
		// modules): one page. A Yealink with more keys than buttons turns
		// a page's last button into the page switch, so a page holds one
		// key fewer than the phone has buttons (docs/devices.md).
		{"Polycom", "VVX 301", 6, 1, 4, "", 0, 6, polycomRingTones, vdm, basic, true},
		{"Polycom", "VVX 411", 12, 1, 4, "VVX Color Expansion Module", 3, 12, polycomRingTones, vdm, basic, true},
		{"Polycom", "VVX 601", 16, 1, 4, "VVX Color Expansion Module", 3, 16, polycomRingTones, video, basic, true},
		{"Yealink", "T42G", 5, 3, 4, "", 0, 3, yealinkRingTones, vdm, basic, true},
		{"Yealink", "T46G", 9, 3, 4, "EXP40", 6, 6, yealinkRingTones, vdm, basic, true},
		{"Yealink", "T48G", 10, 3, 4, "EXP40", 6, 6, yealinkRingTones, vdm, basic, true},
		// Models the platform provisions with the basic options only.
		{"Yealink", "T46U", 10, 3, 4, "EXP43", 3, 16, yealinkRingTones, nil, basic, false},
		{"Yealink", "T54W", 10, 3, 4, "EXP50", 3, 16, yealinkRingTones, nil, basic, false},
		{"Yealink", "T31P", 2, 1, 4, "", 0, 2, yealinkRingTones, nil, basic, false},
		{"Polycom", "VVX 450", 12, 1, 4, "VVX Color Expansion Module", 3, 12, polycomRingTones, nil, basic, false},
		{"Polycom", "VVX 250", 4, 1, 4, "", 0, 4, polycomRingTones, nil, basic, false},
	}
	var out []Type
	for _, m := range ms {
		c := Capabilities{LineKeysPerPage: m.keys, Pages: m.pages, SoftKeys: m.soft, SidecarModel: m.sidecar, SidecarMax: m.sidecars, SidecarKeys: sidecarKeys[m.sidecar],
			Options: slices.Clone(m.basicOptions), RingTones: m.tones, Ports: m.ports}
		out = append(out, Type{Vendor: m.vendor, Model: m.model, Capabilities: c})
		if m.vdmType {
			c.VDM, c.Options = true, slices.Clone(m.vdmOptions)
			out = append(out, Type{Vendor: m.vendor, Model: m.model + " VDM", Capabilities: c})
		}
	}
	out = append(out, Type{Vendor: "Switchboard", Model: "Soft Client", SoftClient: true,
		Capabilities: Capabilities{Pages: 1, Ports: 1, Options: []Option{}, RingTones: []string{}}})
	return out
}

// SeedDefaultTypes adds the catalog's device types (seedTypes), for the
// demo, the test fixtures and new deployments; a type that exists is left
// as its operators keep it.
func (s *Service) SeedDefaultTypes(ctx context.Context, providerID int64) error {
	for _, t := range seedTypes() {
		if _, err := s.CreateType(ctx, providerID, t); err != nil && !errors.Is(err, derrors.ErrConflict) {
			return err
		}
	}
	return nil
}
