package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestLineCredentials: who manages the devices of an employee's site
// (re)issues their line's SIP credentials and sees the password once; the
// registrar's HA1s follow; others are refused and change nothing; outsiders
// get the answer of a missing employee. The device shows its registration.
func TestLineCredentials(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		env.AddCast(t)
		a, f := env.App, env.Fixture
		sealer, err := devices.NewSealer([]byte(strings.Repeat("k", 32)))
		if err != nil {
			t.Fatal(err)
		}
		a.Devices.Lines.Sealer, a.Devices.Lines.Domain = sealer, "voice.example.net"
		svc := env.SeedService(t)
		d, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: svc.Types["T46U"].ID, MAC: "001565000001"})
		if err != nil {
			t.Fatal(err)
		}
		west := env.ID("west.one")
		if err := a.Devices.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, d.ID, west); err != nil {
			t.Fatal(err)
		}
		path := fmt.Sprintf("/api/v1/employees/%d/line-credentials", west)
		tokens := map[string]string{}
		for _, u := range append([]string{"acme.admin", "leeds.admin", "sales.admin", "west.one", "support.one"}, apptest.Outsiders...) {
			tokens[u] = env.Token(t, u)
		}

		res := env.Do(t, tokens["acme.admin"], "POST", path, nil)
		if res.Status != http.StatusOK || res.Header.Get("Cache-Control") != "no-store" {
			t.Fatalf("issue: %d %s", res.Status, res.Body)
		}
		var first devices.LineCredentials
		res.JSON(t, &first)
		if first.DeviceID != d.ID || first.AccountID != west || first.Realm != "voice.example.net" || len(first.Password) != 20 || first.Username == "" {
			t.Fatalf("credentials = %+v", first)
		}
		auth, err := a.Devices.LineAuthByUsername(ctx, first.Username)
		if err != nil || auth.HA1MD5 != digest.HA1(digest.MD5, first.Username, first.Realm, first.Password) ||
			auth.HA1SHA256 != digest.HA1(digest.SHA256, first.Username, first.Realm, first.Password) {
			t.Fatalf("stored HA1s do not match the password shown: %+v, %v", auth, err)
		}
		if back, err := a.Devices.LineCredentialsOf(ctx, f.Acme.ID, first.ID); err != nil || back.Password != first.Password {
			t.Fatalf("decrypted password = %q, %v", back.Password, err)
		}
		// Reissued by the site's group admin: same line, new password, the
		// old one no longer matches.
		res = env.Do(t, tokens["leeds.admin"], "POST", path, nil)
		var second devices.LineCredentials
		res.JSON(t, &second)
		if res.Status != http.StatusOK || second.ID != first.ID || second.Password == first.Password {
			t.Fatalf("reissue: %d %+v", res.Status, second)
		}
		if auth, _ := a.Devices.LineAuthByUsername(ctx, second.Username); auth.HA1MD5 == digest.HA1(digest.MD5, first.Username, first.Realm, first.Password) {
			t.Fatal("the old password still matches after a reissue")
		}
		es, _, err := a.Audit.List(ctx, audit.Filter{Event: "Issue Line Credentials"}, store.Page{})
		if err != nil || len(es) != 2 {
			t.Fatalf("audit entries = %d, %v", len(es), err)
		}
		for _, e := range es {
			if strings.Contains(string(e.After), first.Password) || strings.Contains(string(e.After), second.Password) || strings.Contains(string(e.After), "ha1") {
				t.Fatalf("the audit entry holds a secret: %s", e.After)
			}
		}

		// Refusals change nothing: a group admin of a sub-group and the
		// employee see the employee but not the site's devices (404, as
		// access answers for a device out of sight); outsiders get exactly
		// the answer for an employee that does not exist.
		before := storetest.Counts(t, db)
		for _, u := range []string{"sales.admin", "west.one"} {
			if res := env.Do(t, tokens[u], "POST", path, nil); res.Status != http.StatusNotFound {
				t.Errorf("%s: %d %s, want 404", u, res.Status, res.Body)
			}
		}
		for _, u := range apptest.Outsiders {
			missing := env.Do(t, tokens[u], "POST", "/api/v1/employees/999999/line-credentials", nil)
			res := env.Do(t, tokens[u], "POST", path, nil)
			if res.Status != http.StatusNotFound || string(res.Body) != string(missing.Body) {
				t.Errorf("%s: %d %s; a missing employee: %d %s", u, res.Status, res.Body, missing.Status, missing.Body)
			}
		}
		// An employee without a primary device: 409, nothing issued.
		if res := env.Do(t, tokens["acme.admin"], "POST", fmt.Sprintf("/api/v1/employees/%d/line-credentials", env.ID("support.one")), nil); res.Status != http.StatusConflict {
			t.Errorf("no device: %d %s, want 409", res.Status, res.Body)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		// The device shows its registration status.
		var got devices.Device
		res = env.Do(t, tokens["acme.admin"], "GET", fmt.Sprintf("/api/v1/devices/%d", d.ID), nil)
		res.JSON(t, &got)
		if got.Registration == nil || got.Registration.Status != "not_registered" || got.Registration.Since != nil {
			t.Fatalf("unregistered device: %s", res.Body)
		}
		_, err = a.Registrations.Apply(ctx, sip.Change{LineID: second.ID, DeviceID: d.ID, AOR: "sip:" + second.Username + "@voice.example.net",
			Contacts: []sip.ContactExpiry{{URI: "sip:" + second.Username + "@192.0.2.7:5060", Expires: 600}}, UserAgent: "Yealink SIP-T46U 108.86.0.45",
			Transport: "UDP", SourceAddr: "192.0.2.7", SourcePort: 5060, NodeID: "n1", CallID: "c1", CSeq: 1}, 10, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		res = env.Do(t, tokens["leeds.admin"], "GET", fmt.Sprintf("/api/v1/sites/%d/devices", f.Leeds.ID), nil)
		var page struct{ Items []devices.Device }
		res.JSON(t, &page)
		if len(page.Items) != 1 || page.Items[0].Registration == nil || page.Items[0].Registration.Status != "registered" ||
			page.Items[0].Registration.UserAgent != "Yealink SIP-T46U 108.86.0.45" || page.Items[0].Registration.Since == nil {
			t.Fatalf("site devices: %s", res.Body)
		}
		res = env.Do(t, tokens["leeds.admin"], "GET", fmt.Sprintf("/api/v1/devices/%d/registrations", d.ID), nil)
		var regs struct{ Items []sip.Binding }
		res.JSON(t, &regs)
		if res.Status != http.StatusOK || len(regs.Items) != 1 || regs.Items[0].Contact != "sip:"+second.Username+"@192.0.2.7:5060" ||
			regs.Items[0].NodeID != "n1" || regs.Items[0].SourcePort != 5060 {
			t.Fatalf("registrations: %d %s", res.Status, res.Body)
		}
		for _, u := range append([]string{"sales.admin", "west.one"}, apptest.Outsiders...) {
			if res := env.Do(t, tokens[u], "GET", fmt.Sprintf("/api/v1/devices/%d/registrations", d.ID), nil); res.Status != http.StatusNotFound {
				t.Errorf("%s reads the registrations: %d", u, res.Status)
			}
		}
		// Given to nobody, the device's line stops working.
		if _, err := a.Devices.UnassignForEmployee(ctx, f.Acme.ID, west); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Devices.LineAuthByUsername(ctx, second.Username); err == nil {
			t.Fatal("the line still authenticates after the device was taken from the employee")
		}
	})
}
