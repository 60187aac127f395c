package provisioning_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/provisioning"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

var nonceRE = regexp.MustCompile(`nonce="([^"]+)"`)

// fetch GETs base+path, answering a digest challenge with user and secret
// (none when user is ""); extra headers go on the last request.
func fetch(t testing.TB, client *http.Client, base, path, user, secret string, header http.Header) (*http.Response, string) {
	t.Helper()
	do := func(auth string) *http.Response {
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range header {
			req.Header[k] = v
		}
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := do("")
	if res.StatusCode == http.StatusUnauthorized && user != "" {
		m := nonceRE.FindStringSubmatch(res.Header.Get("WWW-Authenticate"))
		// Read to the end, so the connection is kept for the next request.
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if m == nil {
			t.Fatalf("challenge without nonce: %q", res.Header.Get("WWW-Authenticate"))
		}
		res = do(authorization(user, secret, m[1], path))
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return res, string(body)
}

func authorization(user, secret, nonce, uri string) string {
	return authorizationCount(user, secret, nonce, uri, 1)
}

// authorizationCount answers nonce with the nonce count nc.
func authorizationCount(user, secret, nonce, uri string, nc int) string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	c := digest.Credentials{Username: user, Realm: provisioning.Realm, Nonce: nonce, URI: uri, Algorithm: digest.MD5,
		CNonce: hex.EncodeToString(b), NC: fmt.Sprintf("%08x", nc), QOP: "auth"}
	c.Response = digest.Response(digest.HA1(digest.MD5, user, provisioning.Realm, secret), "GET", c)
	return fmt.Sprintf(`Digest username="%s", realm="%s", nonce="%s", uri="%s", algorithm=MD5, response="%s", qop=auth, nc=%s, cnonce="%s"`,
		c.Username, c.Realm, c.Nonce, c.URI, c.Response, c.NC, c.CNonce)
}

type phone struct {
	device devices.Device
	cred   provisioning.Credentials
	line   devices.LineCredentials
}

// newPhone adds a desk phone of vendor/model with MAC mac to Leeds, gives
// it to employee (0: a spare) with a line and provisioning credentials.
func newPhone(t *testing.T, env *apptest.Env, vendor, model, mac string, employee int64) phone {
	t.Helper()
	ctx := context.Background()
	a, f := env.App, env.Fixture
	var typeID int64
	ts, err := a.Devices.Types(ctx, f.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, ty := range ts {
		if ty.Vendor == vendor && ty.Model == model {
			typeID = ty.ID
		}
	}
	if typeID == 0 {
		ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: vendor, Model: model})
		if err != nil {
			t.Fatal(err)
		}
		typeID = ty.ID
	}
	d, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: typeID, MAC: mac})
	if err != nil {
		t.Fatal(err)
	}
	p := phone{device: d}
	if employee != 0 {
		if err := a.Devices.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, d.ID, employee); err != nil {
			t.Fatal(err)
		}
		if p.line, err = a.Devices.ProvisionPrimaryLine(ctx, f.Acme.ID, employee); err != nil {
			t.Fatal(err)
		}
	}
	if p.cred, err = a.Provisioning.ProvisionCredentials(ctx, f.Acme.ID, d.ID); err != nil {
		t.Fatal(err)
	}
	return p
}

func setup(t *testing.T, db *store.DB) *apptest.Env {
	env := apptest.New(t, db)
	sealer, err := devices.NewSealer([]byte(strings.Repeat("p", 32)))
	if err != nil {
		t.Fatal(err)
	}
	env.App.Devices.Lines.Sealer, env.App.Devices.Lines.Domain = sealer, "voice.example.net"
	if err := env.App.Provisioning.SetRegistrar(provisioning.Registrar{Domain: "voice.example.net", Address: "edge.example.net", Port: 5060, Transport: "udp"}); err != nil {
		t.Fatal(err)
	}
	return env
}

// TestServe fetches a phone's files as the phone would: digest with its MAC
// and secret, or its secret path; wrong credentials, unknown MACs (then
// throttled), ETags, the revision cache and the last-seen time.
func TestServe(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := setup(t, db)
		a, f := env.App, env.Fixture
		west := env.ID("west.one")
		poly := newPhone(t, env, "Polycom", "VVX 411", "0004F2000001", west)
		yea := newPhone(t, env, "Yealink", "T46G", "805EC0000001", env.ID("support.one"))
		client, base := env.Server.Client(), env.Server.URL
		mac := "0004f2000001"

		// The master file lists the device file; the device file carries
		// the line and the registrar.
		res, body := fetch(t, client, base, "/prov/"+mac+".cfg", poly.cred.Username, poly.cred.Secret, nil)
		if res.StatusCode != 200 || !strings.Contains(body, `CONFIG_FILES="`+mac+`-switchboard.cfg"`) {
			t.Fatalf("master: %d %s", res.StatusCode, body)
		}
		res, body = fetch(t, client, base, "/prov/"+mac+"-switchboard.cfg", strings.ToLower(poly.cred.Username), poly.cred.Secret, nil)
		for _, want := range []string{`reg.1.auth.userId="` + poly.line.Username + `"`, `reg.1.auth.password="` + poly.line.Password + `"`,
			`reg.1.address="` + poly.line.Username + `@voice.example.net"`, `voIpProt.server.1.address="edge.example.net"`,
			`voIpProt.server.1.transport="UDPOnly"`, `reg.1.label="Wendy West"`} {
			if !strings.Contains(body, want) {
				t.Errorf("device file lacks %s:\n%s", want, body)
			}
		}
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || etag == "" {
			t.Fatalf("device file: %d, ETag %q", res.StatusCode, etag)
		}
		// Unchanged: 304. A new contact changes the directory's revision.
		res, _ = fetch(t, client, base, "/prov/"+mac+"-switchboard.cfg", poly.cred.Username, poly.cred.Secret, http.Header{"If-None-Match": {etag}})
		if res.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match with the current ETag: %d", res.StatusCode)
		}
		res, body = fetch(t, client, base, "/prov/"+mac+"-directory.xml", poly.cred.Username, poly.cred.Secret, nil)
		if res.StatusCode != 200 || strings.Contains(body, "<item>") {
			t.Fatalf("empty directory: %d %s", res.StatusCode, body)
		}
		dirTag := res.Header.Get("ETag")
		if _, err := a.Contacts.CreateContact(ctx, env.Actor("west.one"), west, contacts.ContactRequest{Fields: contacts.Fields{
			FirstName: "Ada", LastName: "Lovelace", WorkTel: "+44 113 496 0999"}}); err != nil {
			t.Fatal(err)
		}
		res, body = fetch(t, client, base, "/prov/"+mac+"-directory.xml", poly.cred.Username, poly.cred.Secret, http.Header{"If-None-Match": {dirTag}})
		if res.StatusCode != 200 || !strings.Contains(body, "<ln>Lovelace</ln>") || !strings.Contains(body, "<ct>+441134960999</ct>") {
			t.Errorf("directory after a new contact: %d %s", res.StatusCode, body)
		}

		// The Yealink: its model's common file and its own, with the phone
		// book at its secret path.
		ymac := "805ec0000001"
		res, body = fetch(t, client, base, "/prov/y000000000028.cfg", yea.cred.Username, yea.cred.Secret, nil)
		if res.StatusCode != 200 || !strings.Contains(body, "account.1.codec.1.payload_type = G722") {
			t.Errorf("common file: %d %s", res.StatusCode, body)
		}
		if res, _ = fetch(t, client, base, "/prov/y000000000029.cfg", yea.cred.Username, yea.cred.Secret, nil); res.StatusCode != 404 {
			t.Errorf("another model's common file: %d", res.StatusCode)
		}
		res, body = fetch(t, client, base, "/prov/"+ymac+".cfg", yea.cred.Username, yea.cred.Secret, nil)
		if res.StatusCode != 200 || !strings.Contains(body, "account.1.password = "+yea.line.Password) ||
			!strings.Contains(body, "remote_phonebook.data.1.url = "+base+yea.cred.Path+ymac+"-phonebook.xml") {
			t.Errorf("yealink device file: %d %s", res.StatusCode, body)
		}
		res, body = fetch(t, client, base, yea.cred.Path+ymac+"-phonebook.xml", "", "", nil)
		if res.StatusCode != 200 || !strings.Contains(body, "<YealinkIPPhoneDirectory>") {
			t.Errorf("phone book at the secret path: %d %s", res.StatusCode, body)
		}

		// Another device's secret, a wrong secret, no credentials: refused.
		for name, cred := range map[string][2]string{
			"other device's credentials": {yea.cred.Username, yea.cred.Secret},
			"right MAC, other secret":    {poly.cred.Username, yea.cred.Secret},
			"none":                       {"", ""},
		} {
			if res, body := fetch(t, client, base, "/prov/"+mac+"-switchboard.cfg", cred[0], cred[1], nil); res.StatusCode != 401 || strings.Contains(body, poly.line.Password) {
				t.Errorf("%s: %d", name, res.StatusCode)
			}
		}
		if res, _ := fetch(t, client, base, "/prov/"+mac+"/"+yea.cred.Secret+"/"+mac+".cfg", "", "", nil); res.StatusCode != 404 {
			t.Errorf("secret path with another device's secret: %d", res.StatusCode)
		}
		if res, body := fetch(t, client, base, poly.cred.Path+mac+"-switchboard.cfg", "", "", nil); res.StatusCode != 200 || !strings.Contains(body, poly.line.Password) {
			t.Errorf("secret path: %d", res.StatusCode)
		}

		// Reissued credentials: the old secret stops working at once.
		fresh, err := a.Provisioning.IssueCredentials(ctx, env.Actor("leeds.admin"), poly.device.ID)
		if err != nil || fresh.Secret == poly.cred.Secret {
			t.Fatalf("reissue: %+v %v", fresh, err)
		}
		if res, _ := fetch(t, client, base, "/prov/"+mac+".cfg", poly.cred.Username, poly.cred.Secret, nil); res.StatusCode != 401 {
			t.Errorf("old secret after reissue: %d", res.StatusCode)
		}
		if res, _ := fetch(t, client, base, "/prov/"+mac+".cfg", fresh.Username, fresh.Secret, nil); res.StatusCode != 200 {
			t.Errorf("new secret: %d", res.StatusCode)
		}

		// The device shows when it last fetched a file (written in
		// batches; flushed here rather than waited for).
		a.Provisioning.FlushLastSeen()
		d, err := a.Devices.ViewDevice(ctx, env.Actor("acme.admin"), poly.device.ID)
		if err != nil || d.LastProvisionedAt == nil || time.Since(*d.LastProvisionedAt) > time.Minute {
			t.Errorf("last provisioned = %v, %v", d.LastProvisionedAt, err)
		}
		// ... and counts as seen for a reboot waiting for it to come back.
		if seen, err := a.Devices.LastSeen(ctx, poly.device.ID); err != nil || time.Since(seen) > time.Minute {
			t.Errorf("last seen = %v, %v", seen, err)
		}
		api := env.Do(t, env.Token(t, "acme.admin"), "GET", fmt.Sprintf("/api/v1/devices/%d", poly.device.ID), nil)
		if api.Status != 200 || !strings.Contains(string(api.Body), `"last_provisioned_at":"`) {
			t.Errorf("device API: %d %s", api.Status, api.Body)
		}

		// Unknown MACs are 404, and a source asking for many is blocked:
		// ten strikes within a minute, the wrong credentials above included.
		if res, _ := fetch(t, client, base, "/prov/0004f2ff0000.cfg", "", "", nil); res.StatusCode != 404 {
			t.Fatalf("unknown MAC: %d", res.StatusCode)
		}
		for i := 1; ; i++ {
			res, _ := fetch(t, client, base, fmt.Sprintf("/prov/0004f2ff%04x.cfg", i), "", "", nil)
			if res.StatusCode == http.StatusTooManyRequests {
				break
			}
			if res.StatusCode != 404 || i > 10 {
				t.Fatalf("unknown MAC %d: %d", i, res.StatusCode)
			}
		}
		res, _ = fetch(t, client, base, "/prov/"+mac+".cfg", fresh.Username, fresh.Secret, nil)
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Errorf("after 10 unknown MACs: %d, Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
		_ = f
	})
}

// TestIssueCredentialsUseCase: whoever manages the device's site issues its
// provisioning credentials; everyone else is refused like for a missing
// device, and nothing changes.
func TestIssueCredentialsUseCase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := setup(t, db)
		env.AddCast(t)
		p := newPhone(t, env, "Yealink", "T42G", "805EC0000002", 0)
		ctx := context.Background()
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "IssueCredentials", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"},
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					id := p.device.ID
					if try == apptest.Missing {
						id = apptest.MissingID
					}
					c, err := env.App.Provisioning.IssueCredentials(ctx, a, id)
					if err == nil && (c.Username != "805EC0000002" || len(c.Secret) != 24) {
						t.Errorf("credentials = %+v", c)
					}
					return err
				}},
		})
		// Over the API: shown once, never cached; an outsider gets the
		// answer of a missing device.
		path := fmt.Sprintf("/api/v1/devices/%d/provisioning-credentials", p.device.ID)
		res := env.Do(t, env.Token(t, "leeds.admin"), "POST", path, nil)
		var c provisioning.Credentials
		res.JSON(t, &c)
		if res.Status != 200 || res.Header.Get("Cache-Control") != "no-store" || c.Username != "805EC0000002" || c.Path != "/prov/805ec0000002/"+c.Secret+"/" {
			t.Errorf("API issue: %d %s", res.Status, res.Body)
		}
		if got, err := env.App.Provisioning.CredentialsOf(ctx, env.Fixture.Acme.ID, p.device.ID); err != nil || got.Secret != c.Secret {
			t.Errorf("stored secret = %q, %v; want the one shown", got.Secret, err)
		}
		if res := env.Do(t, env.Token(t, "globex.admin"), "POST", path, nil); res.Status != 404 {
			t.Errorf("outsider: %d %s", res.Status, res.Body)
		}
	})
}
