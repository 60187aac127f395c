package provisioning

import (
	"context"
	"fmt"
	"slices"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// The device's customisation options (docs/devices.md) as each vendor's
// keys (docs/provisioning.md, "Customisation options" cites where each key
// comes from). An option that does not apply to the device's type writes
// no key: the phone keeps its own default. One that applies is always
// written, at its default too, because a Yealink phone keeps a value it
// was once given until it is told another.

// applyOptions puts the device's effective settings into c: the codec
// order, the transport BLF asks for, and the options the renderers write.
func (s *Service) applyOptions(ctx context.Context, d DeviceInfo, c *Config) error {
	if d.family() == "" {
		return nil
	}
	eff, _, err := s.devices.EffectiveSettings(ctx, d.CompanyID, d.ID)
	if err != nil {
		return fmt.Errorf("provisioning: settings of device %s: %w", d.MAC, err)
	}
	ApplySettings(c, eff)
	return nil
}

// ApplySettings makes c carry the effective settings eff.
func ApplySettings(c *Config, eff devices.Effective) {
	c.Options = &eff
	if applies(*c, devices.OptCodec) {
		c.Codecs = append([]string(nil), eff.AudioCodecs...)
	}
	// BLF: "the SIP transport is changed from UDP to TCP to ensure that the
	// complete and larger BLF signalling is communicated successfully". A
	// registrar reached over TLS already runs over TCP and stays TLS.
	if applies(*c, devices.OptBLF) && eff.BLF && c.Registrar.Transport == TransportUDP {
		c.Registrar.Transport = TransportTCP
	}
}

func applies(c Config, o devices.Option) bool {
	return c.Options != nil && slices.Contains(c.Options.Applies, o)
}

func bit(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

// The power-save schedule the guide describes: dimmed further 19:00–07:00,
// seven days a week, so office hours are 07:00 for 12 hours every day.
var weekDays = []string{"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}

const (
	officeStartHour = 7
	officeHours     = 12
)

// natKeepAlive is the keep-alive interval (seconds) a phone behind NAT
// sends; over a Direct Connection there is no NAT binding to keep open.
const natKeepAlive = 30

// polycomOptions adds the Polycom UC Software keys of the options.
func polycomOptions(c Config, add func(k, v string)) {
	if c.Options == nil {
		return
	}
	e := *c.Options
	if applies(c, devices.OptACD) {
		add("feature.acdLoginLogout.enabled", bit(e.ACD))
		add("feature.acdAgentAvailability.enabled", bit(e.ACD))
	}
	if applies(c, devices.OptMCN) {
		for i := range c.Lines {
			add("call.missedCallTracking."+strconv.Itoa(i+1)+".enabled", bit(e.MCN))
		}
	}
	if applies(c, devices.OptDC) {
		interval := natKeepAlive
		if e.DC {
			interval = 0
		}
		add("nat.keepalive.interval", strconv.Itoa(interval))
	}
	if applies(c, devices.OptTransferType) {
		v := "Consultative"
		if e.TransferType == devices.TransferBlind {
			v = "Blind"
		}
		add("call.defaultTransferType", v)
	}
	if applies(c, devices.OptPowerSave) {
		add("powerSaving.enable", bit(e.PowerSave))
		for _, day := range weekDays {
			add("powerSaving.officeHours.startHour."+day, strconv.Itoa(officeStartHour))
		}
		for _, day := range weekDays {
			add("powerSaving.officeHours.duration."+day, strconv.Itoa(officeHours))
		}
	}
	if applies(c, devices.OptVideoCodec) {
		pref := map[string]int{}
		for i, v := range e.VideoCodecs {
			pref[v] = i + 1
		}
		add("video.codecPref.H264", strconv.Itoa(pref[devices.VideoH264]))
		add("video.codecPref.H263", strconv.Itoa(pref[devices.VideoH263]))
	}
}

// yealinkAccountOptions adds account n's keys of the options.
func yealinkAccountOptions(c Config, n int, add func(k, v string)) {
	if c.Options == nil {
		return
	}
	e := *c.Options
	p := "account." + strconv.Itoa(n) + "."
	if applies(c, devices.OptMCN) {
		add(p+"missed_calllog", bit(e.MCN))
	}
	if applies(c, devices.OptACD) && n == 1 {
		// The agent signs in with the primary line.
		add(p+"acd.enable", bit(e.ACD))
	}
	if applies(c, devices.OptDC) {
		add(p+"nat.udp_update_enable", bit(!e.DC))
	}
}

// yealinkOptions adds the device-wide Yealink keys of the options.
func yealinkOptions(c Config, add func(k, v string)) {
	if c.Options == nil {
		return
	}
	e := *c.Options
	if applies(c, devices.OptTransferType) {
		// 1: attended (consultative), 2: blind.
		v := "1"
		if e.TransferType == devices.TransferBlind {
			v = "2"
		}
		add("transfer.dsskey_deal_type", v)
	}
	if applies(c, devices.OptPowerSave) {
		add("features.power_saving.enable", bit(e.PowerSave))
		for _, day := range weekDays {
			add("features.power_saving.office_hour."+day, strconv.Itoa(officeStartHour)+","+strconv.Itoa(officeStartHour+officeHours))
		}
	}
}
