package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestDeviceManagementPages: the pages decide nothing themselves — a bad
// option or a taken Device ID comes back on the form, another company's
// site, device and mask are not found, the catalog's type page is the
// operators' — and a device in use shows Delete disabled with the reason.
func TestDeviceManagementPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		a, f := env.App, env.Fixture
		if err := a.Devices.SeedDefaultTypes(ctx, f.Provider.ID); err != nil {
			t.Fatal(err)
		}
		ts, err := a.Devices.Types(ctx, f.Provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		byModel := map[string]devices.Type{}
		for _, x := range ts {
			byModel[x.Model] = x
		}
		basic := byModel["VVX 301"]
		used, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: basic.ID, MAC: "0004F2CC0001", Name: "Used"})
		if err != nil {
			t.Fatal(err)
		}
		if err := a.Devices.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, used.ID, env.ID("west.one")); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, env)
		b.login("leeds.admin", false)
		site := fmt.Sprintf("/sites/%d", f.Leeds.ID)

		// The basic type's page greys out nothing it offers and offers no
		// advanced option; an advanced option posted anyway is refused on
		// the form.
		p := b.get(fmt.Sprintf("%s/device-types/%d", site, basic.ID))
		if p.Status != http.StatusOK || strings.Contains(p.Body, "f-opt-power-save") || !strings.Contains(p.Body, "contact your Network Administrator") {
			t.Fatalf("basic type page: %d\n%s", p.Status, p.Body)
		}
		p = b.post(fmt.Sprintf("%s/device-types/%d", site, basic.ID), url.Values{"opt_power_save": {"false"}}, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Power Save does not apply to the Polycom VVX 301") {
			t.Errorf("advanced option on a basic type: %d\n%s", p.Status, p.Body)
		}
		// New Device with a taken Device ID: on the form, nothing added.
		p = b.post(site+"/devices", url.Values{"name": {"used"}, "type_id": {id(basic.ID)}, "mac": {"0004f2cc0002"}}, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "already has the Device ID") {
			t.Errorf("taken Device ID: %d\n%s", p.Status, p.Body)
		}
		// The Devices tab: the used device's Delete is disabled with the reason;
		// the search finds it by name.
		p = b.get(site + "/devices?name=use")
		if !strings.Contains(p.Body, "disabled") || !strings.Contains(p.Body, "Cannot be deleted: it is the primary device of an employee") {
			t.Errorf("devices tab:\n%s", p.Body)
		}
		if p = b.get(site + "/devices?name=nothing-like-it"); !strings.Contains(p.Body, "No device matches the search.") {
			t.Errorf("search without match:\n%s", p.Body)
		}
		// The catalog's type page is the operators'.
		if p = b.get(fmt.Sprintf("/device-types/%d", basic.ID)); p.Status != http.StatusForbidden && p.Status != http.StatusNotFound {
			t.Errorf("a group admin opens the catalog's type page: %d", p.Status)
		}
		op := newBrowser(t, env)
		op.login("operator", false)
		if p = op.get(fmt.Sprintf("/device-types/%d", basic.ID)); p.Status != http.StatusOK || !strings.Contains(p.Body, "Ring tones") {
			t.Fatalf("operator's type page: %d\n%s", p.Status, p.Body)
		}
		form := url.Values{"vendor": {"Polycom"}, "model": {"VVX 301"}, "line_keys_per_page": {"6"},
			"pages": {"3"}, "soft_keys": {"4"}, "sidecar_model": {""}, "sidecar_max": {"0"}, "ports": {"6"}, "options": {"blf", "codec"}, "ring_tones": {"Low Trill\nBeeble"}}
		// Pages of keys past the model's buttons would never reach the phone.
		before := storetest.Counts(t, db)
		p = op.post(fmt.Sprintf("/device-types/%d", basic.ID), form, false)
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Polycom VVX 301 addresses at most 6 line keys") {
			t.Errorf("operator saves 6 × 3 keys on a VVX 301: %d\n%s", p.Status, p.Body)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		form.Set("pages", "1")
		p = op.post(fmt.Sprintf("/device-types/%d", basic.ID), form, false)
		if p.Status != http.StatusSeeOther {
			t.Fatalf("operator saves the type: %d\n%s", p.Status, p.Body)
		}
		if got, _ := a.Devices.Type(ctx, f.Provider.ID, basic.ID); len(got.Options) != 2 || len(got.RingTones) != 2 {
			t.Errorf("after saving: %+v", got)
		}

		// Another company's administrator finds none of it.
		other := newBrowser(t, env)
		other.login("globex.admin", false)
		m, err := a.Devices.CreateMask(ctx, env.Actor("acme.admin"), f.Leeds.ID, devices.MaskRequest{Name: "Acme only", Settings: devices.Settings{DC: new(bool)}})
		if err != nil {
			t.Fatal(err)
		}
		before = storetest.Counts(t, db)
		for _, path := range []string{site + "/device-types", fmt.Sprintf("%s/device-types/%d", site, basic.ID), fmt.Sprintf("/devices/%d", used.ID)} {
			if p := other.get(path); p.Status != http.StatusNotFound {
				t.Errorf("globex.admin GET %s: %d", path, p.Status)
			}
		}
		for _, path := range []string{fmt.Sprintf("/device-masks/%d/delete", m.ID), fmt.Sprintf("/devices/%d/reset", used.ID), fmt.Sprintf("%s/device-types/%d/reset", site, basic.ID)} {
			if p := other.post(path, nil, false); p.Status != http.StatusNotFound {
				t.Errorf("globex.admin POST %s: %d", path, p.Status)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}
