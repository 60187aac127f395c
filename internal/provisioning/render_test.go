package provisioning

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"flag"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata from the current renderers")

// fixedDevice is the device the golden files are rendered for.
func fixedDevice(vendor, model, mac string) (DeviceInfo, Config) {
	d := DeviceInfo{ID: 7, CompanyID: 1, MAC: mac, Vendor: vendor, Model: model, AccountID: 3, FirstName: "Ada", LastName: "Lovelace"}
	c := Config{
		Registrar: Registrar{Domain: "voice.example.net", Address: "voice.example.net", Port: 5060, Transport: TransportUDP},
		Lines: []Line{{Username: "441134960037", Password: "Xy7pQ2rT9kLm3NvB8wZc", Realm: "voice.example.net",
			Label: "Ada Lovelace", DisplayName: "Ada Lovelace"}},
		Codecs: append([]string(nil), DefaultCodecs...),
		Directory: []Contact{
			{FirstName: "Charles", LastName: "Babbage", Numbers: []string{"+441134960100", "+447700900123"}},
			{FirstName: "Mary & Co", LastName: "Somerville <HQ>", Numbers: []string{"+442079460811"}},
		},
	}
	if vendor == "Yealink" {
		c.PhonebookURL = "https://prov.example.net/prov/" + strings.ToLower(mac) + "/SECRETPATH/" + strings.ToLower(mac) + "-phonebook.xml"
	}
	return d, c
}

type goldenCase struct {
	vendor, model, mac string
	files              map[string]string // file name → kind
}

func goldenCases() []goldenCase {
	var out []goldenCase
	for _, m := range []string{"VVX 301", "VVX 411", "VVX 601"} {
		out = append(out, goldenCase{"Polycom", m, "0004F2A1B2C3", map[string]string{
			"0004f2a1b2c3.cfg": fileMaster, "0004f2a1b2c3-switchboard.cfg": fileDevice, "0004f2a1b2c3-directory.xml": fileDirectory}})
	}
	for _, m := range []string{"T41P", "T42G", "T46G", "T48G"} {
		out = append(out, goldenCase{"Yealink", m, "805EC0A1B2C3", map[string]string{
			yealinkCommonFile(m): fileCommon, "805ec0a1b2c3.cfg": fileDevice, "805ec0a1b2c3-phonebook.xml": filePhonebook}})
	}
	return out
}

// TestGolden renders every file of a fixed device per vendor and model and
// compares it with testdata (go test -run TestGolden -update rewrites them;
// review the difference key by key against docs/provisioning.md).
func TestGolden(t *testing.T) {
	for _, gc := range goldenCases() {
		d, c := fixedDevice(gc.vendor, gc.model, gc.mac)
		dir := filepath.Join("testdata", strings.ToLower(gc.vendor)+"-"+strings.ToLower(strings.ReplaceAll(gc.model, " ", "")))
		for _, name := range slices.Sorted(maps.Keys(gc.files)) {
			kind := gc.files[name]
			t.Run(gc.vendor+" "+gc.model+"/"+name, func(t *testing.T) {
				if kind == fileCommon && name == "" {
					t.Fatalf("%s has no common file", gc.model)
				}
				got, err := Render(d, c, kind)
				if err != nil {
					t.Fatal(err)
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
				if strings.HasSuffix(name, ".xml") || gc.vendor == "Polycom" {
					checkWellFormed(t, got.Body)
				}
			})
		}
	}
}

func checkWellFormed(t *testing.T, b []byte) {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(b))
	for {
		_, err := dec.Token()
		if err != nil {
			if err == io.EOF {
				return
			}
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
}

// keys reads a rendered settings file back into key → value: a Polycom
// XML file's attributes, a Yealink file's "key = value" lines.
func keys(t *testing.T, vendor string, body []byte) map[string]string {
	t.Helper()
	out := map[string]string{}
	if vendor == "Polycom" {
		dec := xml.NewDecoder(bytes.NewReader(body))
		for {
			tok, err := dec.Token()
			if err != nil {
				break
			}
			if se, ok := tok.(xml.StartElement); ok {
				for _, a := range se.Attr {
					if a.Name.Space == "" && strings.Contains(a.Name.Local, ".") {
						out[a.Name.Local] = a.Value
					}
				}
			}
		}
		return out
	}
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, " = ")
		if !ok {
			t.Fatalf("not a key = value line: %q", line)
		}
		out[k] = v
	}
	return out
}

// TestChangesTouchTheirKeys changes one input at a time and checks that
// exactly the keys it should changed in the device's settings file.
func TestChangesTouchTheirKeys(t *testing.T) {
	type change struct {
		name   string
		modify func(c *Config)
		// keys that must change, per vendor
		polycom, yealink []string
	}
	changes := []change{
		{"registrar address", func(c *Config) { c.Registrar.Address = "edge1.example.net" },
			[]string{"voIpProt.server.1.address"},
			// Yealink addresses the domain and sends via an outbound proxy.
			[]string{"account.1.outbound_proxy_enable", "account.1.outbound_proxy.1.address", "account.1.outbound_proxy.1.port"}},
		{"registrar domain and address", func(c *Config) { c.Registrar.Domain, c.Registrar.Address = "sip.example.org", "sip.example.org" },
			[]string{"voIpProt.server.1.address", "reg.1.address"},
			[]string{"account.1.sip_server.1.address"}},
		{"registrar port", func(c *Config) { c.Registrar.Port = 5080 },
			[]string{"voIpProt.server.1.port"},
			[]string{"account.1.sip_server.1.port"}},
		{"transport TCP", func(c *Config) { c.Registrar.Transport = TransportTCP },
			[]string{"voIpProt.server.1.transport"},
			[]string{"account.1.sip_server.1.transport_type"}},
		{"transport TLS", func(c *Config) { c.Registrar.Transport = TransportTLS },
			[]string{"voIpProt.server.1.transport"},
			[]string{"account.1.sip_server.1.transport_type"}},
		{"line password", func(c *Config) { c.Lines[0].Password = "Other7Password8Here9" },
			[]string{"reg.1.auth.password"},
			[]string{"account.1.password"}},
		{"line username", func(c *Config) { c.Lines[0].Username = "441134960099" },
			[]string{"reg.1.address", "reg.1.auth.userId"},
			[]string{"account.1.user_name", "account.1.auth_name"}},
		{"line label", func(c *Config) { c.Lines[0].Label = "Desk 4" },
			[]string{"reg.1.label"},
			[]string{"account.1.label"}},
		{"codec order", func(c *Config) { c.Codecs = []string{CodecG711A, CodecG722} },
			[]string{"voice.codecPref.G722", "voice.codecPref.G711_A", "voice.codecPref.G729_AB"},
			// The common file holds the default; the device's own order
			// now comes with the device.
			[]string{"account.1.codec.1.enable", "account.1.codec.1.payload_type", "account.1.codec.1.priority",
				"account.1.codec.2.enable", "account.1.codec.2.payload_type", "account.1.codec.2.priority",
				"account.1.codec.3.enable", "account.1.codec.3.payload_type", "account.1.codec.3.priority",
				"account.1.codec.4.enable", "account.1.codec.4.payload_type", "account.1.codec.4.priority"}},
	}
	for _, vendor := range []string{"Polycom", "Yealink"} {
		for _, ch := range changes {
			t.Run(vendor+"/"+ch.name, func(t *testing.T) {
				model, mac := "VVX 411", "0004F2A1B2C3"
				want := ch.polycom
				if vendor == "Yealink" {
					model, mac, want = "T46G", "805EC0A1B2C3", ch.yealink
				}
				d, c := fixedDevice(vendor, model, mac)
				before, err := Render(d, c, fileDevice)
				if err != nil {
					t.Fatal(err)
				}
				c.Lines = slices.Clone(c.Lines)
				ch.modify(&c)
				after, err := Render(d, c, fileDevice)
				if err != nil {
					t.Fatal(err)
				}
				b, a := keys(t, vendor, before.Body), keys(t, vendor, after.Body)
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
				slices.Sort(changed)
				slices.Sort(want)
				if !slices.Equal(changed, want) {
					t.Errorf("changed keys = %v, want %v", changed, want)
				}
			})
		}
	}
}

func TestParseFile(t *testing.T) {
	for _, tc := range []struct {
		name, mac, rest string
		ok              bool
	}{
		{"0004f2a1b2c3.cfg", "0004F2A1B2C3", ".cfg", true},
		{"0004F2A1B2C3-directory.xml", "0004F2A1B2C3", "-directory.xml", true},
		{"805ec0a1b2c3-phonebook.xml", "805EC0A1B2C3", "-phonebook.xml", true},
		{"y000000000028.cfg", "", "y000000000028.cfg", true},
		{"000000000000.cfg", "", "", false},
		{"sip.ld", "", "", false},
		{"0004f2a1b2c3-license.cfg", "", "", false},
		{"y00000000002x.cfg", "", "", false},
	} {
		mac, rest, ok := parseFile(tc.name)
		if mac != tc.mac || rest != tc.rest || ok != tc.ok {
			t.Errorf("parseFile(%q) = %q, %q, %v; want %q, %q, %v", tc.name, mac, rest, ok, tc.mac, tc.rest, tc.ok)
		}
	}
}

func TestNonces(t *testing.T) {
	n := newNonceKey()
	nonce := n.issue()
	if !n.valid(nonce) {
		t.Fatal("a fresh nonce is not valid")
	}
	if n.valid(nonce[:len(nonce)-2] + "AA") {
		t.Error("a tampered nonce is valid")
	}
	if newNonceKey().valid(nonce) {
		t.Error("another node's nonce is valid")
	}
	issued := n.now()
	n.now = func() time.Time { return issued.Add(nonceLifetime + time.Second) }
	if n.valid(nonce) {
		t.Error("an expired nonce is valid")
	}
}
