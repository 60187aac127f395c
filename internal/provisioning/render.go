package provisioning

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// The files of each vendor, as the phone asks for them (docs/provisioning.md
// gives the layout and where it comes from). mac is lower-case here.
//
//	Polycom UC Software  <mac>.cfg              master: lists CONFIG_FILES
//	                     <mac>-switchboard.cfg  the device's settings
//	                     <mac>-directory.xml    the contact directory
//	Yealink T4x          y0000000000xx.cfg      common file of the model
//	                     <mac>.cfg              the device's settings
//	                     <mac>-phonebook.xml    the remote phone book

// File kinds.
const (
	fileMaster    = "master"    // Polycom <mac>.cfg
	fileDevice    = "device"    // Polycom <mac>-switchboard.cfg, Yealink <mac>.cfg
	fileDirectory = "directory" // Polycom <mac>-directory.xml
	filePhonebook = "phonebook" // Yealink <mac>-phonebook.xml
	fileCommon    = "common"    // Yealink y0000000000xx.cfg
)

// parseFile splits a requested name into the MAC it names (normalised, ""
// for a common file) and a suffix: ".cfg", "-switchboard.cfg",
// "-directory.xml", "-phonebook.xml", or the common file's name.
func parseFile(name string) (mac, rest string, ok bool) {
	lower := strings.ToLower(name)
	if isYealinkCommon(lower) {
		return "", lower, true
	}
	mac = deviceMAC(lower)
	if mac == "" {
		return "", "", false
	}
	switch rest = lower[12:]; rest {
	case ".cfg", "-switchboard.cfg", "-directory.xml", "-phonebook.xml":
		return mac, rest, true
	}
	return "", "", false
}

// kindOf is the kind of file rest names for a device of the family.
func kindOf(family, rest string) string {
	switch {
	case family == vendorPolycom && rest == ".cfg":
		return fileMaster
	case family == vendorPolycom && rest == "-switchboard.cfg", family == vendorYealink && rest == ".cfg":
		return fileDevice
	case family == vendorPolycom && rest == "-directory.xml":
		return fileDirectory
	case family == vendorYealink && rest == "-phonebook.xml":
		return filePhonebook
	case family == vendorYealink && isYealinkCommon(rest):
		return fileCommon
	}
	return ""
}

// yealinkModels maps the T4x models (named as devices.NormaliseModel names
// them) to the number of their common file, from the model table of the
// Yealink SIP-T4X auto provisioning guide.
var yealinkModels = map[string]string{
	"T41P": "36",
	"T42G": "29",
	"T46G": "28",
	"T48G": "35",
}

// yealinkCommonFile is the common file of the model, or "" when the model
// has none the server knows.
func yealinkCommonFile(model string) string {
	id, ok := yealinkModels[devices.NormaliseModel(model)]
	if !ok {
		return ""
	}
	return "y0000000000" + id + ".cfg"
}

func isYealinkCommon(name string) bool {
	return len(name) == len("y000000000000.cfg") && strings.HasPrefix(name, "y0000000000") && strings.HasSuffix(name, ".cfg") &&
		strings.Trim(name[11:13], "0123456789") == ""
}

// Rendered is one file's body and type.
type Rendered struct {
	Body        []byte
	ContentType string
}

// Render renders the file of kind for device d from c. It only ever writes
// d's own line credentials (c) — never anything of another device.
func Render(d DeviceInfo, c Config, kind string) (Rendered, error) {
	mac := strings.ToLower(d.MAC)
	switch d.family() + "/" + kind {
	case vendorPolycom + "/" + fileMaster:
		return xmlFile(polycomMaster(mac)), nil
	case vendorPolycom + "/" + fileDevice:
		return xmlFile(polycomConfig(polycomSettings(c, d.Model))), nil
	case vendorPolycom + "/" + fileDirectory:
		return xmlFile(polycomDirectory(polycomSpeedDials(c, d.Model), c.Directory)), nil
	case vendorYealink + "/" + fileCommon:
		return textFile(yealinkCfg(yealinkCommon(c))), nil
	case vendorYealink + "/" + fileDevice:
		return textFile(yealinkCfg(yealinkDevice(c, d.Model))), nil
	case vendorYealink + "/" + filePhonebook:
		return xmlFile(yealinkPhonebook(c.Directory)), nil
	}
	return Rendered{}, fmt.Errorf("provisioning: no %s file for a %s %s", kind, d.Vendor, d.Model)
}

func xmlFile(b []byte) Rendered {
	return Rendered{Body: b, ContentType: "application/xml; charset=utf-8"}
}
func textFile(b []byte) Rendered { return Rendered{Body: b, ContentType: "text/plain; charset=utf-8"} }

// Setting is one key and value of a vendor's configuration.
type Setting struct{ Key, Value string }

// --- Polycom UC Software ---

// polycomMaster is the per-phone master configuration file: the phone reads
// CONFIG_FILES from it and fetches them from the same place; the empty
// directories mean "next to this file" (the directory file among them).
func polycomMaster(mac string) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString("<!-- Switchboard provisioning: master configuration file -->\n")
	fmt.Fprintf(&b, `<APPLICATION APP_FILE_PATH="sip.ld" CONFIG_FILES="%s-switchboard.cfg" MISC_FILES="" LOG_FILE_DIRECTORY="" OVERRIDES_DIRECTORY="" CONTACTS_DIRECTORY="" LICENSE_DIRECTORY="" USER_PROFILES_DIRECTORY="" CALL_LISTS_DIRECTORY=""/>`+"\n", mac)
	return b.Bytes()
}

var polycomTransport = map[string]string{TransportUDP: "UDPOnly", TransportTCP: "TCPOnly", TransportTLS: "TLS"}

// polycomCodecs are the voice.codecPref parameter names of the codecs.
var polycomCodecs = []Setting{{CodecG722, "G722"}, {CodecG711A, "G711_A"}, {CodecG711U, "G711_Mu"}, {CodecG729, "G729_AB"}}

func polycomSettings(c Config, model string) []Setting {
	r := c.Registrar
	var out []Setting
	add := func(k, v string) { out = append(out, Setting{k, v}) }
	add("voIpProt.server.1.address", r.Address)
	add("voIpProt.server.1.port", strconv.Itoa(r.Port))
	add("voIpProt.server.1.transport", polycomTransport[r.Transport])
	for i, l := range c.Lines {
		p := "reg." + strconv.Itoa(i+1) + "."
		add(p+"address", l.Username+"@"+r.Domain)
		add(p+"auth.userId", l.Username)
		add(p+"auth.password", l.Password)
		add(p+"displayName", l.DisplayName)
		add(p+"label", l.Label)
		add(p+"type", "private")
	}
	// A preference of 0 disables a codec; 1 is the most preferred.
	for _, codec := range polycomCodecs {
		pref := slices.Index(c.Codecs, codec.Key) + 1
		add("voice.codecPref."+codec.Value, strconv.Itoa(pref))
	}
	polycomOptions(c, add)
	polycomKeys(c, model, add)
	return out
}

// polycomConfig writes settings as a polycomConfig document: the phone
// reads every attribute whatever element holds it, so settings are grouped
// by their first name part.
func polycomConfig(settings []Setting) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString("<!-- Switchboard provisioning: device configuration -->\n")
	b.WriteString(`<polycomConfig xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="polycomConfig.xsd">` + "\n")
	var groups []string
	byGroup := map[string][]Setting{}
	for _, s := range settings {
		g, _, _ := strings.Cut(s.Key, ".")
		if _, ok := byGroup[g]; !ok {
			groups = append(groups, g)
		}
		byGroup[g] = append(byGroup[g], s)
	}
	for _, g := range groups {
		b.WriteString("  <" + g)
		for _, s := range byGroup[g] {
			b.WriteString("\n    " + s.Key + `="`)
			xmlEscape(&b, s.Value)
			b.WriteString(`"`)
		}
		b.WriteString("/>\n")
	}
	b.WriteString("</polycomConfig>\n")
	return b.Bytes()
}

// polycomDirectory is the local contact directory: the speed-dial keys'
// entries first (first name the key's label, contact its number, sd the
// speed-dial index a SpeedDial line key names, label the key's), then an
// item per contact with last name, first name and contact (its first
// number).
func polycomDirectory(sds []speedDial, cs []Contact) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n")
	b.WriteString("<directory>\n  <item_list>\n")
	for _, sd := range sds {
		b.WriteString("    <item>\n")
		for _, e := range [][2]string{{"fn", sd.Label}, {"ct", sd.Number}, {"sd", strconv.Itoa(sd.Index)}, {"lb", sd.Label}} {
			b.WriteString("      <" + e[0] + ">")
			xmlEscape(&b, e[1])
			b.WriteString("</" + e[0] + ">\n")
		}
		b.WriteString("    </item>\n")
	}
	for _, c := range cs {
		b.WriteString("    <item>\n")
		for _, e := range [][2]string{{"ln", c.LastName}, {"fn", c.FirstName}, {"ct", c.Numbers[0]}} {
			b.WriteString("      <" + e[0] + ">")
			xmlEscape(&b, e[1])
			b.WriteString("</" + e[0] + ">\n")
		}
		b.WriteString("    </item>\n")
	}
	b.WriteString("  </item_list>\n</directory>\n")
	return b.Bytes()
}

// --- Yealink T4x ---

var yealinkTransport = map[string]string{TransportUDP: "0", TransportTCP: "1", TransportTLS: "2"}

// yealinkCodecs are the payload_type values of the codecs.
var yealinkCodecs = []Setting{{CodecG722, "G722"}, {CodecG711A, "PCMA"}, {CodecG711U, "PCMU"}, {CodecG729, "G729"}}

// yealinkCodecSettings lists account n's codecs: the preferred ones first,
// enabled with their rank, then the others disabled.
func yealinkCodecSettings(n int, codecs []string) []Setting {
	var out []Setting
	order := make([]Setting, 0, len(yealinkCodecs))
	for _, name := range codecs {
		if i := slices.IndexFunc(yealinkCodecs, func(s Setting) bool { return s.Key == name }); i >= 0 {
			order = append(order, yealinkCodecs[i])
		}
	}
	enabled := len(order)
	for _, c := range yealinkCodecs {
		if !slices.Contains(codecs, c.Key) {
			order = append(order, c)
		}
	}
	for i, c := range order {
		p := fmt.Sprintf("account.%d.codec.%d.", n, i+1)
		on, prio := "1", strconv.Itoa(i+1)
		if i >= enabled {
			on, prio = "0", "0"
		}
		out = append(out, Setting{p + "enable", on}, Setting{p + "payload_type", c.Value}, Setting{p + "priority", prio})
	}
	return out
}

// yealinkCommon is the common file of a model: the product defaults every
// phone of the model shares (the codec order of the first account).
func yealinkCommon(c Config) []Setting {
	return yealinkCodecSettings(1, DefaultCodecs)
}

func yealinkDevice(c Config, model string) []Setting {
	r := c.Registrar
	var out []Setting
	add := func(k, v string) { out = append(out, Setting{k, v}) }
	for i, l := range c.Lines {
		p := "account." + strconv.Itoa(i+1) + "."
		add(p+"enable", "1")
		add(p+"label", l.Label)
		add(p+"display_name", l.DisplayName)
		add(p+"auth_name", l.Username)
		add(p+"user_name", l.Username)
		add(p+"password", l.Password)
		add(p+"sip_server.1.address", r.Domain)
		add(p+"sip_server.1.port", strconv.Itoa(r.Port))
		add(p+"sip_server.1.transport_type", yealinkTransport[r.Transport])
		if r.Address != r.Domain {
			// The phone sends to the edge, addressing the domain.
			add(p+"outbound_proxy_enable", "1")
			add(p+"outbound_proxy.1.address", r.Address)
			add(p+"outbound_proxy.1.port", strconv.Itoa(r.Port))
		}
		// The common file carries the product default; a device whose
		// codecs were customised carries its own (the MAC file wins).
		if i > 0 || !slices.Equal(c.Codecs, DefaultCodecs) {
			out = append(out, yealinkCodecSettings(i+1, c.Codecs)...)
		}
		yealinkAccountOptions(c, i+1, add)
	}
	yealinkOptions(c, add)
	yealinkKeys(c, model, add)
	if c.PhonebookURL != "" {
		add("remote_phonebook.data.1.url", c.PhonebookURL)
		add("remote_phonebook.data.1.name", "Contacts")
	}
	return out
}

func yealinkCfg(settings []Setting) []byte {
	var b bytes.Buffer
	b.WriteString("#!version:1.0.0.1\n")
	b.WriteString("## Switchboard provisioning\n")
	for _, s := range settings {
		// One setting a line: a line break in a value would start another.
		v := strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return ' '
			}
			return r
		}, s.Value)
		b.WriteString(s.Key + " = " + v + "\n")
	}
	return b.Bytes()
}

// yealinkPhonebook is a remote phone book: an entry per contact with all
// its numbers.
func yealinkPhonebook(cs []Contact) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	b.WriteString("<YealinkIPPhoneDirectory>\n")
	for _, c := range cs {
		b.WriteString("  <DirectoryEntry>\n    <Name>")
		xmlEscape(&b, c.Name())
		b.WriteString("</Name>\n")
		for _, n := range c.Numbers {
			b.WriteString("    <Telephone>")
			xmlEscape(&b, n)
			b.WriteString("</Telephone>\n")
		}
		b.WriteString("  </DirectoryEntry>\n")
	}
	b.WriteString("</YealinkIPPhoneDirectory>\n")
	return b.Bytes()
}

func xmlEscape(b *bytes.Buffer, s string) {
	_ = xml.EscapeText(b, []byte(s))
}
