package provisioning_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/demo"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/provisioning"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestDemoHasNoForeignSecrets renders every file of every desk phone of
// the demo and checks that none holds a secret of another device: another
// device's provisioning secret or a password of a line that is not its —
// half of them with keys naming every line of the demo.
// demoDevice is a device of the demo, as the tests below walk them.
type demoDevice struct {
	id, company int64
	mac, vendor string
	model       string
}

// seedDemo builds a node with the demo seeded, line credentials sealed and
// a registrar set, and lists the demo's devices.
func seedDemo(t *testing.T, db *store.DB) (*app.App, []demoDevice) {
	t.Helper()
	ctx := context.Background()
	a := app.New(db, nil, "test")
	sealer, err := devices.NewSealer([]byte(strings.Repeat("d", 32)))
	if err != nil {
		t.Fatal(err)
	}
	a.Devices.Lines.Sealer, a.Devices.Lines.Domain = sealer, "127.0.0.1"
	if err := a.Provisioning.SetRegistrar(provisioning.Registrar{Domain: "127.0.0.1", Port: 5060}); err != nil {
		t.Fatal(err)
	}
	if err := demo.Seed(ctx, a, "Demo-Pass-2026!"); err != nil {
		t.Fatal(err)
	}
	var devs []demoDevice
	rows, err := db.Q(ctx).Query(ctx, `SELECT d.id, d.company_id, d.mac, t.vendor, t.model FROM devices d JOIN device_types t ON t.id = d.type_id ORDER BY d.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var d demoDevice
		if err := rows.Scan(&d.id, &d.company, &d.mac, &d.vendor, &d.model); err != nil {
			t.Fatal(err)
		}
		devs = append(devs, d)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return a, devs
}

// demoFiles are the names a phone of the demo may fetch.
func demoFiles(mac string) []string {
	mac = strings.ToLower(mac)
	return []string{mac + ".cfg", mac + "-switchboard.cfg", mac + "-directory.xml", mac + "-phonebook.xml",
		"y000000000028.cfg", "y000000000029.cfg", "y000000000035.cfg", "y000000000036.cfg"}
}

// TestDemoPhonesGetTheirKeys fetches the configuration of every desk phone
// of the demo through the node as it is wired (the devices service resolving
// the keys the Visual Device Manager stores) and checks that every speed
// dial and function key the phone's layout holds is in the files it gets.
func TestDemoPhonesGetTheirKeys(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, devs := seedDemo(t, db)
		mux := http.NewServeMux()
		a.Provisioning.Register(mux)
		checked := 0
		for _, d := range devs {
			c, err := a.Provisioning.CredentialsOf(ctx, d.company, d.id)
			if err != nil {
				continue
			}
			kl, err := a.Devices.KeyLayout(ctx, d.id)
			if err != nil {
				t.Fatalf("%s: key layout: %v", d.mac, err)
			}
			var all strings.Builder
			for _, f := range demoFiles(d.mac) {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", "http://prov.test"+c.Path+f, nil))
				if rec.Code == http.StatusOK {
					all.WriteString(rec.Body.String())
				}
			}
			keys := append(slices.Concat(kl.PhoneKeys, kl.SoftKeys), slices.Concat(kl.SidecarKeys...)...)
			for _, k := range keys {
				if k.Action != devices.KeySpeedDial && k.Action != devices.KeyFunction {
					continue
				}
				checked++
				if !strings.Contains(all.String(), strings.TrimPrefix(k.Value, "+")) {
					t.Errorf("%s %s: the %s key %q (%s) is in no file the phone gets", d.model, d.mac, k.Action, k.Label, k.Value)
				}
			}
		}
		if checked == 0 {
			t.Error("no phone of the demo has a speed dial or function key")
		}
	})
}

func TestDemoHasNoForeignSecrets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		a, devs := seedDemo(t, db)
		// Every secret of the demo, by the device it belongs to.
		owner := map[string]int64{}
		creds := map[int64]provisioning.Credentials{}
		for _, d := range devs {
			if c, err := a.Provisioning.CredentialsOf(ctx, d.company, d.id); err == nil {
				creds[d.id] = c
				owner[c.Secret] = d.id
			}
			ls, err := a.Devices.DeviceLines(ctx, d.company, d.id)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				c, err := a.Devices.LineCredentialsOf(ctx, d.company, l.ID)
				if err != nil {
					t.Fatal(err)
				}
				owner[c.Password] = d.id
			}
		}
		// Half the phones get keys watching every line of their company
		// (BLF) and speed-dialling each of them: a key names a colleague's
		// line, never its secrets.
		usernames := map[int64][]string{}
		var lineIDs []int64
		for _, d := range devs {
			ls, err := a.Devices.DeviceLines(ctx, d.company, d.id)
			if err != nil {
				t.Fatal(err)
			}
			for _, l := range ls {
				usernames[d.company] = append(usernames[d.company], l.Username)
				lineIDs = append(lineIDs, l.ID)
			}
		}
		companyOf := map[int64]int64{}
		for _, d := range devs {
			companyOf[d.id] = d.company
		}
		a.Provisioning.KeyLayout = func(ctx context.Context, id int64) (devices.KeyLayout, error) {
			if id%2 == 1 {
				return devices.KeyLayout{}, nil
			}
			kl := devices.KeyLayout{Ringer: "Ring2.wav"}
			for _, l := range lineIDs {
				kl.PhoneKeys = append(kl.PhoneKeys, devices.Key{Action: devices.KeyLine, LineID: l})
			}
			for _, u := range usernames[companyOf[id]] {
				kl.PhoneKeys = append(kl.PhoneKeys, devices.Key{Action: devices.KeyBLF, Value: u, Label: u},
					devices.Key{Action: devices.KeySpeedDial, Value: u, Label: u})
			}
			kl.SoftKeys = []devices.Key{{Action: devices.KeyFunction, Label: "Call Pull", Value: "*11"}}
			return kl, nil
		}
		desks, keyed := 0, 0
		mux := http.NewServeMux()
		a.Provisioning.Register(mux)
		for _, d := range devs {
			c, ok := creds[d.id]
			if !ok {
				continue
			}
			desks++
			served := 0
			for _, f := range demoFiles(d.mac) {
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, httptest.NewRequest("GET", "http://prov.test"+c.Path+f, nil))
				if rec.Code == http.StatusNotFound {
					continue
				}
				if rec.Code != http.StatusOK {
					t.Fatalf("%s %s: %d %s", d.mac, f, rec.Code, rec.Body)
				}
				served++
				body := rec.Body.String()
				if strings.Contains(body, "lineKey.reassignment.enabled") || strings.Contains(body, "programablekey.1.") {
					keyed++
				}
				for secret, of := range owner {
					if of != d.id && strings.Contains(body, secret) {
						t.Errorf("%s of device %s holds a secret of device %d", f, d.mac, of)
					}
				}
			}
			// Every phone gets its own file and its directory; a Yealink
			// model the T4x guide gives a common file gets that too.
			if served < 2 {
				t.Errorf("%s %s %s: only %d files served", d.vendor, d.model, d.mac, served)
			}
		}
		if keyed == 0 {
			t.Error("no file of the demo was rendered with keys")
		}
		if desks < 4 {
			t.Fatalf("the demo has %d desk phones with provisioning credentials, want several", desks)
		}
	})
}
