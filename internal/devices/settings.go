package devices

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// Settings are the options set at one level of customisation (a site's
// device type, a mask, a device). A nil option is not set there: it is
// inherited from the level below (docs/devices.md, "Effective settings").
type Settings struct {
	ACD          *bool   `json:"acd,omitempty"`
	BLF          *bool   `json:"blf,omitempty"`
	Codec        *string `json:"codec,omitempty"`
	DC           *bool   `json:"dc,omitempty"`
	MCN          *bool   `json:"mcn,omitempty"`
	TransferType *string `json:"transfer_type,omitempty"`
	PowerSave    *bool   `json:"power_save,omitempty"`
	VideoCodec   *string `json:"video_codec,omitempty"`
}

// The values of the choice options.
const (
	CodecG722 = "G722"
	CodecG711 = "G711"
	CodecG729 = "G729"

	TransferConsultative = "consultative"
	TransferBlind        = "blind"

	VideoH264 = "H264"
	VideoH263 = "H263"
)

// Set lists the options set at this level.
func (s Settings) Set() []Option {
	var out []Option
	for _, o := range AllOptions {
		if s.isSet(o) {
			out = append(out, o)
		}
	}
	return out
}

// Empty reports whether no option is set.
func (s Settings) Empty() bool { return len(s.Set()) == 0 }

func (s Settings) isSet(o Option) bool {
	switch o {
	case OptACD:
		return s.ACD != nil
	case OptBLF:
		return s.BLF != nil
	case OptCodec:
		return s.Codec != nil
	case OptDC:
		return s.DC != nil
	case OptMCN:
		return s.MCN != nil
	case OptTransferType:
		return s.TransferType != nil
	case OptPowerSave:
		return s.PowerSave != nil
	case OptVideoCodec:
		return s.VideoCodec != nil
	}
	return false
}

// normalize checks the values and puts the choices in their canonical
// spelling; t, when not nil, is the type the settings are for: an option
// that does not apply to it is refused (the page greys it out).
func (s *Settings) normalize(t *Type) error {
	v := &derrors.ValidationError{}
	choice := func(field string, p **string, allowed ...string) {
		if *p == nil {
			return
		}
		got := strings.TrimSpace(**p)
		for _, a := range allowed {
			if strings.EqualFold(got, a) {
				*p = &a
				return
			}
		}
		v.Add(field, "%q is not a choice of %s: choose %s", got, OptionInfos[Option(field)].Label, strings.Join(allowed, " or "))
	}
	choice(string(OptCodec), &s.Codec, CodecG722, CodecG711, CodecG729)
	choice(string(OptTransferType), &s.TransferType, TransferConsultative, TransferBlind)
	choice(string(OptVideoCodec), &s.VideoCodec, VideoH264, VideoH263)
	if t != nil {
		for _, o := range s.Set() {
			if !t.Supports(o) {
				v.Add(string(o), "%s does not apply to the %s: leave it unset", OptionInfos[o].Label, t.Name())
			}
		}
	}
	return v.Err()
}

func encodeSettings(s Settings) string {
	if s.Empty() {
		return ""
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func decodeSettings(raw string) (Settings, error) {
	var s Settings
	if raw == "" {
		return s, nil
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("devices: stored settings: %w", err)
	}
	return s, nil
}

// Effective is what a device (or every device of a type at a site) is
// configured with: every option's value after the levels are applied, the
// codec orders the choices mean, which options apply to the type, and
// where each value comes from ("default", "type", "mask", "device").
type Effective struct {
	ACD          bool   `json:"acd"`
	BLF          bool   `json:"blf"`
	Codec        string `json:"codec"`
	DC           bool   `json:"dc"`
	MCN          bool   `json:"mcn"`
	TransferType string `json:"transfer_type"`
	PowerSave    bool   `json:"power_save"`
	VideoCodec   string `json:"video_codec"`
	// AudioCodecs and VideoCodecs are the preference orders the codec
	// choices stand for, most preferred first.
	AudioCodecs []string          `json:"audio_codecs"`
	VideoCodecs []string          `json:"video_codecs"`
	Applies     []Option          `json:"applies"`
	Sources     map[Option]string `json:"sources"`
}

// Where an effective value comes from.
const (
	SourceDefault = "default"
	SourceType    = "type"
	SourceMask    = "mask"
	SourceDevice  = "device"
)

// Layer is one level of customisation, lowest first.
type Layer struct {
	Source   string
	Settings Settings
}

// Defaults are the product defaults (the guide's "Reset … would default
// the following settings").
func Defaults() Effective {
	e := Effective{Codec: CodecG722, MCN: true, TransferType: TransferConsultative, PowerSave: true, VideoCodec: VideoH264}
	e.codecOrders()
	return e
}

// AudioCodecOrder is the preference order a codec choice applies
// (docs/devices.md, "Codec").
func AudioCodecOrder(choice string) []string {
	switch choice {
	case CodecG711:
		return []string{"G711A", "G711U", "G729"}
	case CodecG729:
		return []string{"G729"}
	}
	return []string{"G722", "G711A", "G729"}
}

// VideoCodecOrder is the preference order a video codec choice applies.
func VideoCodecOrder(choice string) []string {
	if choice == VideoH263 {
		return []string{VideoH263, VideoH264}
	}
	return []string{VideoH264, VideoH263}
}

func (e *Effective) codecOrders() {
	e.AudioCodecs = AudioCodecOrder(e.Codec)
	e.VideoCodecs = VideoCodecOrder(e.VideoCodec)
}

// Resolve applies the layers, lowest first, over the product defaults for
// a device of type t: an option that does not apply to t keeps its default
// whatever a layer says (a mask applied to several types sets options some
// of them lack).
func Resolve(t Type, layers ...Layer) Effective {
	e := Defaults()
	e.Applies = slices.Clone(t.Options)
	if e.Applies == nil {
		e.Applies = []Option{}
	}
	e.Sources = map[Option]string{}
	for _, o := range AllOptions {
		e.Sources[o] = SourceDefault
	}
	for _, l := range layers {
		s := l.Settings
		for _, o := range s.Set() {
			if !t.Supports(o) {
				continue
			}
			e.Sources[o] = l.Source
			switch o {
			case OptACD:
				e.ACD = *s.ACD
			case OptBLF:
				e.BLF = *s.BLF
			case OptCodec:
				e.Codec = *s.Codec
			case OptDC:
				e.DC = *s.DC
			case OptMCN:
				e.MCN = *s.MCN
			case OptTransferType:
				e.TransferType = *s.TransferType
			case OptPowerSave:
				e.PowerSave = *s.PowerSave
			case OptVideoCodec:
				e.VideoCodec = *s.VideoCodec
			}
		}
	}
	e.codecOrders()
	return e
}

// Value is option o's effective value as the pages show it.
func (e Effective) Value(o Option) string {
	onOff := func(b bool) string {
		if b {
			return "On"
		}
		return "Off"
	}
	switch o {
	case OptACD:
		return onOff(e.ACD)
	case OptBLF:
		return onOff(e.BLF)
	case OptCodec:
		return strings.Join(e.AudioCodecs, " → ")
	case OptDC:
		return onOff(e.DC)
	case OptMCN:
		return onOff(e.MCN)
	case OptTransferType:
		if e.TransferType == TransferBlind {
			return "Blind"
		}
		return "Consultative"
	case OptPowerSave:
		return onOff(e.PowerSave)
	case OptVideoCodec:
		return strings.Join(e.VideoCodecs, " → ")
	}
	return ""
}

// Choice is one value of an option as the pages offer it.
type Choice struct {
	Value string `json:"value"`
	Label string `json:"label"`
	Help  string `json:"help"`
}

// OptionInfo is an option as the guide describes it: its label, what it
// is for, its choices with their own help, its default, and whether the
// guide advises contacting the network administrator before changing it.
type OptionInfo struct {
	Option       Option   `json:"option"`
	Label        string   `json:"label"`
	Help         string   `json:"help"`
	Choices      []Choice `json:"choices"`
	Default      string   `json:"default"`
	NetworkAdmin bool     `json:"network_admin"`
	Advanced     bool     `json:"advanced"`
}

// networkAdminAdvice is the guide's sentence on the options that touch the
// network.
const networkAdminAdvice = "You are advised to contact your Network Administrator before making any changes to this customisation."

// OptionInfos are the options' descriptions, worded after the guide's
// tables (docs/devices.md, "Customisation options").
var OptionInfos = map[Option]OptionInfo{
	OptACD: {Option: OptACD, Label: "ACD", Default: "false",
		Help: "To apply Call Centre Agent ACD State soft keys to the device that allow Call Centre Agents to Sign In/Out of Call Centres that they are assigned to and set their ACD state e.g. Available, Wrap-Up, and Unavailable.",
		Choices: []Choice{
			{"true", "ACD On", "This applies a configuration that will enable additional soft keys on the device for the Call Centre Agent to set their Call Centre ACD state."},
			{"false", "ACD Off (default)", "This applies a configuration that does not include the additional ACD soft keys for Users that are not a Call Centre Agent or who do not wish to use this functionality."},
		}},
	OptBLF: {Option: OptBLF, Label: "BLF", Default: "false", NetworkAdmin: true,
		Help: "To apply Busy Lamp Field feature integration with devices. When this option is enabled the SIP transport is changed from UDP to TCP to ensure that the complete and larger BLF signalling is communicated successfully. " + networkAdminAdvice,
		Choices: []Choice{
			{"true", "BLF On", "This applies Busy Lamp Field feature integration with the device and changes the signalling transport."},
			{"false", "BLF Off (default)", "Leave this option off or set to off when Busy Lamp Field integration is not required."},
		}},
	OptCodec: {Option: OptCodec, Label: "Codec", Default: CodecG722, NetworkAdmin: true,
		Help: "To apply a particular voice codec to reduce bandwidth consumption. Leave blank or click reset to use the default (applies G722 preference). " + networkAdminAdvice,
		Choices: []Choice{
			{CodecG722, "Codec G722 (default)", "This applies the G722 HD Voice codec which is set by default. It consumes the same bandwidth as G711 and can offer a more realistic voice quality."},
			{CodecG711, "Codec G711", "This applies a G711 codec preference."},
			{CodecG729, "Codec G729", "This applies only the G729 codec to ensure that a lower bandwidth is consumed at the cost of voice quality."},
		}},
	OptDC: {Option: OptDC, Label: "DC", Default: "false", NetworkAdmin: true,
		Help: "This applies a configuration to the device that allows it to operate and communicate with the platform over a private Direct Connection deployment e.g. a MPLS deployment that privately connects with the platform rather than via an Internet breakout point. " + networkAdminAdvice,
		Choices: []Choice{
			{"true", "DC On", "This applies a configuration to the device that is designed for deployments where the device will operate over a private Direct Connection deployment."},
			{"false", "DC Off (default)", "This applies a standard deployment option when the device communicates with the platform via normal access methods over the Internet and not a Direct Connect deployment."},
		}},
	OptMCN: {Option: OptMCN, Label: "MCN", Default: "true",
		Help: "To disable Missed Call Notifications on the device.",
		Choices: []Choice{
			{"false", "MCN Off", "This disables Missed Call Notifications on the device."},
			{"true", "MCN On (default)", "Leave the check box unticked for Missed Call Notifications to be enabled – the default behaviour."},
		}},
	OptTransferType: {Option: OptTransferType, Label: "Transfer Type", Default: TransferConsultative, Advanced: true,
		Help: "This will allow the administrator to determine whether Consultative or Blind Transfer is used by default for all transfer types.",
		Choices: []Choice{
			{TransferConsultative, "Consultative (default)", "When the user selects the transfer soft key during a call, once they have entered the number it will dial the party they are transferring to. The user can then consult with the party before handing over the call and putting the phone down."},
			{TransferBlind, "Blind", "When the user selects the transfer soft key during a call it will transfer the call straight through with no consultation."},
		}},
	OptPowerSave: {Option: OptPowerSave, Label: "Power Save", Default: "true", Advanced: true,
		Help: "This will allow an administrator to turn off the Power Save mode.",
		Choices: []Choice{
			{"true", "Power Save On (default)", "If the phone becomes inactive, it ever so slightly reduces the brightness of its screen in order to conserve energy. In addition, during the hours of 19.00 – 07.00, 7 days a week, the screen further reduces its brightness and will look like it has turned off. This does not affect calls or features: touching a button or the screen, picking up the handset or receiving a call immediately brings the screen back to full brightness."},
			{"false", "Power Save Off", "This disables the power saving mode."},
		}},
	OptVideoCodec: {Option: OptVideoCodec, Label: "Video Codec", Default: VideoH264, NetworkAdmin: true, Advanced: true,
		Help: "To apply a particular video codec to reduce bandwidth consumption. Leave blank or click reset to use the default (applies H264 preference). " + networkAdminAdvice,
		Choices: []Choice{
			{VideoH264, "Codec H264 (default)", "This applies a H264 codec preference."},
			{VideoH263, "Codec H263", "This applies a H263 codec preference."},
		}},
}

// OptionList is the options' descriptions in the guide's order.
func OptionList() []OptionInfo {
	out := make([]OptionInfo, len(AllOptions))
	for i, o := range AllOptions {
		out[i] = OptionInfos[o]
	}
	return out
}
