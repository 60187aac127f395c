package provisioning_test

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestServeKeys: the layout the KeyLayout hook gives reaches the files a
// phone fetches; a file is rendered again when the device's updated_at
// moves (what the Visual Device Manager does with every change of a
// layout), and not before — the layout is part of a file's revision only
// through it (docs/provisioning.md, "Caching and staleness"); the files
// hold no secret of the colleague a BLF key watches.
func TestServeKeys(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := setup(t, db)
		a := env.App
		poly := newPhone(t, env, "Polycom", "VVX 411 VDM", "0004F2000021", env.ID("west.one"))
		yea := newPhone(t, env, "Yealink", "T46G VDM", "805EC0000021", env.ID("support.one"))
		var mu sync.Mutex
		layouts := map[int64]devices.KeyLayout{}
		set := func(id int64, kl devices.KeyLayout) {
			mu.Lock()
			layouts[id] = kl
			mu.Unlock()
		}
		a.Provisioning.KeyLayout = func(ctx context.Context, id int64) (devices.KeyLayout, error) {
			mu.Lock()
			defer mu.Unlock()
			return layouts[id], nil
		}
		// Each watches the other.
		layout := func(own phone, other phone, ringer string) devices.KeyLayout {
			return devices.KeyLayout{
				PhoneKeys: []devices.Key{{Action: devices.KeyLine, LineID: own.line.ID},
					{Action: devices.KeyBLF, Label: "Colleague", Value: other.line.Username}, {Action: devices.KeyDefault}},
				SoftKeys: []devices.Key{{Action: devices.KeyFunction, Label: "Call Pull", Value: "*11"}},
				Ringer:   ringer,
			}
		}
		set(poly.device.ID, layout(poly, yea, "Beeble"))
		set(yea.device.ID, layout(yea, poly, "Ring4.wav"))
		touch := func(t *testing.T, id int64) {
			t.Helper()
			err := db.Tx(ctx, func(ctx context.Context) error {
				_, err := db.Q(ctx).Exec(ctx, "UPDATE devices SET updated_at = ? WHERE id = ?", store.Now()+1, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		client, base := env.Server.Client(), env.Server.URL
		get := func(t *testing.T, p phone, file string, wants ...string) string {
			t.Helper()
			res, body := fetch(t, client, base, "/prov/"+file, p.cred.Username, p.cred.Secret, nil)
			if res.StatusCode != 200 {
				t.Fatalf("%s: %d %s", file, res.StatusCode, body)
			}
			for _, w := range wants {
				if !strings.Contains(body, w) {
					t.Errorf("%s lacks %s:\n%s", file, w, body)
				}
			}
			return body
		}
		pb := get(t, poly, "0004f2000021-switchboard.cfg", `lineKey.reassignment.enabled="1"`, `lineKey.1.category="Line"`,
			`lineKey.1.index="1"`, `lineKey.2.category="BLF"`, `attendant.resourceList.1.address="`+yea.line.Username+`@voice.example.net"`,
			`softkey.1.action="*11$Tinvite$"`, `reg.1.ringType="ringer10"`)
		yb := get(t, yea, "805ec0000021.cfg", "linekey.1.type = 15", "linekey.1.line = 1", "linekey.2.type = 16",
			"linekey.2.value = "+poly.line.Username, "linekey.3.type = 15", "linekey.3.line = 3", "programablekey.1.value = *11",
			"phone_setting.ring_type = Ring4.wav")
		for body, other := range map[string]phone{pb: yea, yb: poly} {
			if strings.Contains(body, other.line.Password) || strings.Contains(body, other.cred.Secret) {
				t.Errorf("a file holds a secret of the watched colleague %s", other.device.MAC)
			}
		}

		// A new layout without the device's updated_at moving: the cached
		// file is still good for its revision.
		set(poly.device.ID, layout(poly, yea, "Triplet"))
		get(t, poly, "0004f2000021-switchboard.cfg", `reg.1.ringType="ringer10"`)
		// The Visual Device Manager moves updated_at with the change.
		touch(t, poly.device.ID)
		get(t, poly, "0004f2000021-switchboard.cfg", `reg.1.ringType="ringer11"`)

		// An empty layout (the device is no longer a VDM device) writes no key.
		set(yea.device.ID, devices.KeyLayout{})
		touch(t, yea.device.ID)
		if body := get(t, yea, "805ec0000021.cfg"); strings.Contains(body, "linekey.") || strings.Contains(body, "ring_type") {
			t.Errorf("an empty layout wrote keys:\n%s", body)
		}
	})
}
