package provisioning_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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
func TestDemoHasNoForeignSecrets(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
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
		// Every secret of the demo, by the device it belongs to.
		owner := map[string]int64{}
		type dev struct {
			id, company int64
			mac, vendor string
			model       string
		}
		var devs []dev
		rows, err := db.Q(ctx).Query(ctx, `SELECT d.id, d.company_id, d.mac, t.vendor, t.model FROM devices d JOIN device_types t ON t.id = d.type_id ORDER BY d.id`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var d dev
			if err := rows.Scan(&d.id, &d.company, &d.mac, &d.vendor, &d.model); err != nil {
				t.Fatal(err)
			}
			devs = append(devs, d)
		}
		rows.Close()
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
			mac := strings.ToLower(d.mac)
			files := []string{mac + ".cfg", mac + "-switchboard.cfg", mac + "-directory.xml", mac + "-phonebook.xml",
				"y000000000028.cfg", "y000000000029.cfg", "y000000000035.cfg", "y000000000036.cfg"}
			served := 0
			for _, f := range files {
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
			if served < 3 {
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
