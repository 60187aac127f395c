package provisioning

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// A device's keys, sidecars, soft keys and ringer (the Visual Device
// Manager's devices.KeyLayout) as each vendor's keys. docs/provisioning.md,
// "Keys", gives the table and where each key and value code comes from.
//
// The rule of the customisation options holds here too: once a device has
// a layout, every key of it is written, a key at its default included,
// because a phone keeps a value it was once given until it is told
// another — a key reset in the portal must be reset on the phone.

// applyKeys reads the device's key layout through the KeyLayout hook. A nil
// hook, a soft client or a device the hook gives an empty layout — or
// answers is not found or invalid for, not being a Visual Device Manager
// device — writes no key at all; any other error fails the fetch.
func (s *Service) applyKeys(ctx context.Context, d DeviceInfo, c *Config) error {
	if s.KeyLayout == nil || d.family() == "" {
		return nil
	}
	kl, err := s.KeyLayout(ctx, d.ID)
	if errors.Is(err, derrors.ErrNotFound) || errors.Is(err, derrors.ErrInvalid) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("provisioning: keys of device %s: %w", d.MAC, err)
	}
	if hasKeys(kl) {
		c.Keys = &kl
	}
	return nil
}

func hasKeys(kl devices.KeyLayout) bool {
	return len(kl.PhoneKeys) > 0 || len(kl.SidecarKeys) > 0 || len(kl.SoftKeys) > 0 || kl.Ringer != ""
}

// dialString is a speed dial's number as the phone dials it: the digits,
// a leading +, * and # kept; spaces, dashes, dots and brackets people
// write between the digits dropped.
func dialString(v string) string {
	var b strings.Builder
	for i, r := range strings.TrimSpace(v) {
		switch {
		case r >= '0' && r <= '9', r == '*', r == '#':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// lineIndex is the registration number (reg.N / account.N, 1-based) of the
// device line id in c, 0 when the device does not register it.
func lineIndex(c Config, id int64) int {
	if id == 0 {
		return 0
	}
	for i, l := range c.Lines {
		if l.ID == id {
			return i + 1
		}
	}
	return 0
}

// --- Polycom UC Software ---

// polycomRinger maps the catalog's Polycom ring tones (docs/devices.md) to
// the UC Software ringer names.
var polycomRinger = map[string]string{
	"silent ring": "ringer1", "low trill": "ringer2", "low double trill": "ringer3", "medium trill": "ringer4",
	"medium double trill": "ringer5", "high trill": "ringer6", "high double trill": "ringer7", "highest trill": "ringer8",
	"highest double trill": "ringer9", "beeble": "ringer10", "triplet": "ringer11", "ringback-style": "ringer12",
}

// polycomDefaultRinger is the parameters' default: the first ringer that
// is not silent (Low Trill).
const polycomDefaultRinger = "ringer2"

func polycomRingerOf(tone string) string {
	t := strings.ToLower(strings.TrimSpace(tone))
	if r, ok := polycomRinger[t]; ok {
		return r
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(t, "ringer")); err == nil && strings.HasPrefix(t, "ringer") && n >= 1 && n <= 24 {
		return t
	}
	// "" (the phone's own) or a tone UC Software does not name: the default.
	return polycomDefaultRinger
}

// positionedKey is a key with its location: lineKey.x on a Polycom.
type positionedKey struct {
	devices.Key
	x int
}

// polycomPositions places the phone's keys, then each expansion module's,
// at the locations of their buttons, as devices.KeyModelOf gives them (the
// Visual Device Manager offers no key past them). A model the table does
// not know gets every key of its layout.
func polycomPositions(kl devices.KeyLayout, model string) []positionedKey {
	m := devices.KeyModelOf(devices.FamilyPolycom, model)
	phone := kl.PhoneKeys
	own := len(phone)
	if m.Known() {
		own = m.LineKeys
		phone = phone[:min(len(phone), own)]
	}
	// Buttons the layout does not reach are reset too.
	for len(phone) < own {
		phone = append(phone[:len(phone):len(phone)], devices.Key{Action: devices.KeyDefault})
	}
	var out []positionedKey
	for i, k := range phone {
		out = append(out, positionedKey{k, i + 1})
	}
	for mi, keys := range modulesToWrite(kl) {
		keys = keys[:m.SidecarKeys(len(keys))]
		for i, k := range keys {
			out = append(out, positionedKey{k, own + mi*m.ModuleKeys + i + 1})
		}
	}
	return out
}

// modulesToWrite are the attached expansion modules' keys, then a module
// of default keys for each one detached since (KeyLayout.DetachedSidecars):
// a phone keeps a module's keys until told otherwise.
func modulesToWrite(kl devices.KeyLayout) [][]devices.Key {
	if kl.DetachedSidecars == 0 {
		return kl.SidecarKeys
	}
	reset := slices.Repeat([]devices.Key{{Action: devices.KeyDefault}}, kl.SidecarKeyCount)
	out := slices.Clip(kl.SidecarKeys)
	for range kl.DetachedSidecars {
		out = append(out, reset)
	}
	return out
}

// polycomKeys adds the Polycom keys of c.Keys: flexible line key
// assignment for the phone's and the expansion modules' keys, the BLF
// resource list, the enhanced-feature soft keys and the ringer. Speed
// dials are contacts of the directory file whose speed-dial index is the
// key's location (polycomSpeedDials).
func polycomKeys(c Config, model string, add func(k, v string)) {
	if c.Keys == nil {
		return
	}
	kl := *c.Keys
	all := polycomPositions(kl, model)
	reassign := false
	for _, k := range all {
		if k.Action != devices.KeyDefault {
			reassign = true
		}
	}
	// All keys at their default: the phone lays its keys out itself.
	add("lineKey.reassignment.enabled", bit(reassign))
	for _, k := range all {
		p := "lineKey." + strconv.Itoa(k.x) + "."
		category, index := "Unassigned", 0
		switch k.Action {
		case devices.KeyLine:
			if n := lineIndex(c, k.LineID); n > 0 {
				category, index = "Line", n
			}
		case devices.KeySpeedDial:
			// The key's location is its directory entry's speed-dial
			// index: changing one key renumbers no other.
			if dialString(k.Value) != "" {
				category, index = "SpeedDial", k.x
			}
		case devices.KeyBLF:
			// BLF keys take the resource list's entries in order (their
			// index can only be 0).
			if k.Value != "" {
				category = "BLF"
			}
		}
		add(p+"category", category)
		add(p+"index", strconv.Itoa(index))
	}
	// The resource list has a slot per key that could be a BLF key; the
	// slots past the used ones are emptied, or the phone would keep
	// watching whoever they held before.
	n := 0
	for _, k := range all {
		if k.Action == devices.KeyBLF && k.Value != "" {
			n++
			p := "attendant.resourceList." + strconv.Itoa(n) + "."
			add(p+"address", k.Value+"@"+c.Registrar.Domain)
			add(p+"label", k.Label)
			add(p+"type", "normal")
		}
	}
	for n++; n <= len(all); n++ {
		p := "attendant.resourceList." + strconv.Itoa(n) + "."
		add(p+"address", "")
		add(p+"label", "")
		add(p+"type", "normal")
	}
	efk := false
	for _, k := range kl.SoftKeys {
		switch k.Action {
		case devices.KeyFunction, devices.KeyCustom, devices.KeySpeedDial:
			efk = true
		}
	}
	add("feature.enhancedFeatureKeys.enabled", bit(efk))
	for i, k := range kl.SoftKeys {
		p := "softkey." + strconv.Itoa(i+1) + "."
		action := ""
		switch k.Action {
		case devices.KeyFunction:
			// A function is its feature code, dialled.
			if code := dialString(k.Value); code != "" {
				action = code + "$Tinvite$"
			}
		case devices.KeySpeedDial:
			if number := dialString(k.Value); number != "" {
				action = number + "$Tinvite$"
			}
		case devices.KeyCustom:
			action = k.Value
		}
		label := k.Label
		if action == "" {
			label = ""
		}
		on := action != ""
		add(p+"enable", bit(on))
		add(p+"label", label)
		add(p+"action", action)
		// Offered on the idle screen, not in a call.
		add(p+"use.idle", bit(on))
		add(p+"use.active", "0")
	}
	ringer := polycomRingerOf(kl.Ringer)
	for i := range c.Lines {
		add("reg."+strconv.Itoa(i+1)+".ringType", ringer)
	}
	add("np.normal.ringing.calls.tonePattern", ringer)
}

// polycomSpeedDials are the directory entries of the speed-dial keys, with
// their speed-dial index: the key's location, the lineKey index of its
// SpeedDial key.
func polycomSpeedDials(c Config, model string) []speedDial {
	if c.Keys == nil {
		return nil
	}
	var out []speedDial
	for _, k := range polycomPositions(*c.Keys, model) {
		if k.Action == devices.KeySpeedDial {
			if number := dialString(k.Value); number != "" {
				out = append(out, speedDial{Label: k.Label, Number: number, Index: k.x})
			}
		}
	}
	return out
}

type speedDial struct {
	Label, Number string
	Index         int
}

// --- Yealink T4x ---

// The DSS key type codes.
const (
	yealinkNA        = "0"
	yealinkDND       = "5"
	yealinkSpeedDial = "13"
	yealinkLine      = "15"
	yealinkBLF       = "16"
	yealinkHistory   = "28"
	yealinkMenu      = "30"
	yealinkDirectory = "61"
)

// yealinkSoftKeyDefaults are the idle screen's four soft keys at the
// factory: History, Directory, DND, Menu.
var yealinkSoftKeyDefaults = []string{yealinkHistory, yealinkDirectory, yealinkDND, yealinkMenu}

// yealinkMacroName names the Enhanced DSS Keys macros of the custom soft
// keys: "sb1" is soft key 1's (a macro name begins with a letter).
const yealinkMacroName = "sb"

// yealinkNull clears a value: a blank value would leave the phone's.
const yealinkNull = "%NULL%"

// yealinkDefaultRinger is the factory ring tone.
const yealinkDefaultRinger = "Ring1.wav"

func orNull(v string) string {
	if v == "" {
		return yealinkNull
	}
	return v
}

// yealinkKey is the type, account, value and label of a line or expansion
// key; dflt is the key's factory type and account.
func yealinkKey(c Config, k devices.Key, dfltType, dfltLine string) (typ, line, value, label string) {
	switch k.Action {
	case devices.KeyLine:
		if n := lineIndex(c, k.LineID); n > 0 {
			return yealinkLine, strconv.Itoa(n), yealinkNull, orNull(k.Label)
		}
	case devices.KeySpeedDial:
		if number := dialString(k.Value); number != "" {
			return yealinkSpeedDial, "1", number, orNull(k.Label)
		}
	case devices.KeyBLF:
		// The user part: the phone subscribes to it at its account's
		// server, the SIP domain.
		if k.Value != "" {
			return yealinkBLF, "1", k.Value, orNull(k.Label)
		}
	case devices.KeyDefault:
		return dfltType, dfltLine, yealinkNull, yealinkNull
	}
	// None, a line the phone does not register, an empty value.
	return yealinkNA, "1", yealinkNull, yealinkNull
}

// yealinkKeys adds the Yealink keys of c.Keys for the model.
func yealinkKeys(c Config, model string, add func(k, v string)) {
	if c.Keys == nil {
		return
	}
	kl := *c.Keys
	m := devices.KeyModelOf(devices.FamilyYealink, model)
	keys := kl.PhoneKeys
	if m.Known() {
		// The Visual Device Manager offers no key past the model's count
		// (devices.KeyModelOf); keys it does not reach are reset too.
		keys = keys[:min(len(keys), m.LineKeys)]
		for len(keys) < m.LineKeys {
			keys = append(keys[:len(keys):len(keys)], devices.Key{Action: devices.KeyDefault})
		}
	}
	for i, k := range keys {
		x := i + 1
		dfltType, dfltLine := yealinkNA, "1"
		if x <= m.FactoryLines {
			dfltType, dfltLine = yealinkLine, strconv.Itoa(x)
		}
		typ, line, value, label := yealinkKey(c, k, dfltType, dfltLine)
		p := "linekey." + strconv.Itoa(x) + "."
		add(p+"type", typ)
		add(p+"line", line)
		add(p+"value", value)
		add(p+"label", label)
	}
	for mi, module := range modulesToWrite(kl) {
		for i, k := range module[:m.SidecarKeys(len(module))] {
			typ, line, value, label := yealinkKey(c, k, yealinkNA, "1")
			p := "expansion_module." + strconv.Itoa(mi+1) + ".key." + strconv.Itoa(i+1) + "."
			add(p+"type", typ)
			add(p+"line", line)
			add(p+"value", value)
			add(p+"label", label)
		}
	}
	edk := false
	soft := kl.SoftKeys
	if len(soft) > len(yealinkSoftKeyDefaults) {
		// Programmable keys 1–4 are the soft keys; the others are the
		// navigation and feature keys.
		soft = soft[:len(yealinkSoftKeyDefaults)]
	}
	for i, k := range soft {
		x := strconv.Itoa(i + 1)
		typ, line, value, label := yealinkNA, "1", yealinkNull, yealinkNull
		// Soft key X's macro, if it is a custom one, is Enhanced DSS Keys
		// list entry X, named yealinkMacroName(X); the key invokes it.
		macro, macroName := yealinkNull, yealinkNull
		switch k.Action {
		case devices.KeyDefault:
			typ, line = yealinkSoftKeyDefaults[i], yealinkNull
		case devices.KeyFunction, devices.KeySpeedDial:
			// A function is its feature code, dialled.
			if number := dialString(k.Value); number != "" {
				typ, value, label = yealinkSpeedDial, number, orNull(k.Label)
			}
		case devices.KeyCustom:
			if k.Value != "" {
				macro, macroName, edk = k.Value, yealinkMacroName+x, true
				typ, value, label = yealinkSpeedDial, "!"+macroName, orNull(k.Label)
			}
		}
		p := "programablekey." + x + "."
		add(p+"type", typ)
		add(p+"line", line)
		add(p+"value", value)
		add(p+"label", label)
		e := "edk.edklist." + x + "."
		add(e+"enable", bit(macro != yealinkNull))
		add(e+"mname", macroName)
		add(e+"action", macro)
	}
	add("features.enhanced_dss_keys.enable", bit(edk))
	ringer := strings.TrimSpace(kl.Ringer)
	if ringer == "" {
		ringer = yealinkDefaultRinger
	}
	add("phone_setting.ring_type", ringer)
}
