package provisioning_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSharedAppearanceOnTheOtherPhone: a shared call appearance is one
// more registration of the phone that carries it, after the phone user's
// own line, with the appearance's own credentials and its owner's name —
// and no other secret: not the owner's primary password, not another
// phone's provisioning secret. Removed, it leaves the phone's file.
func TestSharedAppearanceOnTheOtherPhone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := setup(t, db)
		sv := env.SeedService(t)
		a, f := env.App, env.Fixture
		west := env.ID("west.one")
		poly := env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Advanced", "+441134960010", "VVX 411", "0004F2000001")
		yea := env.ActivateWithPhone(t, sv, "support.one", f.Leeds.ID, "Basic", "+441134960011", "T46G", "805EC0000001")
		lineOf := func(d devices.Device) devices.LineCredentials {
			t.Helper()
			ls, err := a.Devices.DeviceLines(ctx, f.Acme.ID, d.ID)
			if err != nil || len(ls) != 1 {
				t.Fatalf("lines of %s: %+v %v", d.MAC, ls, err)
			}
			c, err := a.Devices.LineCredentialsOf(ctx, f.Acme.ID, ls[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		westLine, supportLine := lineOf(poly), lineOf(yea)
		polyCred, err := a.Provisioning.ProvisionCredentials(ctx, f.Acme.ID, poly.ID)
		if err != nil {
			t.Fatal(err)
		}
		yeaCred, err := a.Provisioning.ProvisionCredentials(ctx, f.Acme.ID, yea.ID)
		if err != nil {
			t.Fatal(err)
		}
		sca, err := a.Devices.AddSharedAppearance(ctx, env.Actor("acme.admin"), west, devices.SharedAppearanceRequest{DeviceID: yea.ID})
		if err != nil {
			t.Fatal(err)
		}
		client, base := env.Server.Client(), env.Server.URL

		res, body := fetch(t, client, base, "/prov/805ec0000001.cfg", yeaCred.Username, yeaCred.Secret, nil)
		if res.StatusCode != 200 {
			t.Fatalf("Yealink file: %d %s", res.StatusCode, body)
		}
		for _, want := range []string{
			"account.1.auth_name = " + supportLine.Username, "account.1.password = " + supportLine.Password, "account.1.label = Stan Port",
			"account.2.auth_name = " + sca.Username, "account.2.password = " + sca.Password, "account.2.label = Wendy West",
			"account.2.display_name = Wendy West", "account.2.sip_server.1.address = voice.example.net"} {
			if !strings.Contains(body, want) {
				t.Errorf("the phone carrying the appearance lacks %q:\n%s", want, body)
			}
		}
		for name, secret := range map[string]string{"west's primary line password": westLine.Password, "the other phone's provisioning secret": polyCred.Secret} {
			if strings.Contains(body, secret) {
				t.Errorf("the phone carrying the appearance holds %s", name)
			}
		}
		if strings.Contains(body, "account.3.") {
			t.Errorf("a third account on a phone of two lines:\n%s", body)
		}
		// The owner's own phone has their primary line only.
		_, pbody := fetch(t, client, base, "/prov/0004f2000001-switchboard.cfg", polyCred.Username, polyCred.Secret, nil)
		if !strings.Contains(pbody, `reg.1.auth.userId="`+westLine.Username+`"`) || strings.Contains(pbody, sca.Password) || strings.Contains(pbody, "reg.2.") {
			t.Errorf("the owner's phone:\n%s", pbody)
		}

		if err := a.Devices.RemoveSharedAppearance(ctx, env.Actor("acme.admin"), west, sca.LineID); err != nil {
			t.Fatal(err)
		}
		_, body = fetch(t, client, base, "/prov/805ec0000001.cfg", yeaCred.Username, yeaCred.Secret, nil)
		if strings.Contains(body, sca.Password) || strings.Contains(body, "account.2.") {
			t.Errorf("the removed appearance is still on the phone:\n%s", body)
		}
	})
}
