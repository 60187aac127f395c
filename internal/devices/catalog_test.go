package devices_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestTypeKeysWithinTheModel: the catalog refuses a type of a model the key
// table knows with more keys than the model's configuration addresses —
// the phone would never get them — naming the model and its maximum, and
// changes nothing (docs/devices.md, "Device types").
func TestTypeKeysWithinTheModel(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		svc, f := env.App.Devices, env.Fixture
		operator := env.Actor("operator")
		// Every seeded type is within its model (SeedDefaultTypes reports
		// any refusal but a conflict).
		if err := svc.SeedDefaultTypes(ctx, f.Provider.ID); err != nil {
			t.Fatal(err)
		}
		ts, err := svc.Types(ctx, f.Provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		t48, vvx := typeNamed(t, ts, "T48G VDM"), typeNamed(t, ts, "VVX 411")
		caps := func(base devices.Capabilities, change func(*devices.Capabilities)) devices.Capabilities {
			c := base
			change(&c)
			return c
		}
		for _, tt := range []struct {
			name          string
			vendor, model string
			// addModel names the same model as a new type.
			addModel string
			c        devices.Capabilities
			want     []string
		}{
			{"T48G, a fourth key per page", "Yealink", "T48G VDM", "T48G-VDM", caps(t48.Capabilities, func(c *devices.Capabilities) { c.LineKeysPerPage = 11 }),
				[]string{"line_keys_per_page", "Yealink T48G VDM addresses at most 29 line keys", "11 per page × 3 pages gives 33", "10 per page"}},
			{"T48G paged otherwise", "Yealink", "T48G VDM", "SIP-T48G", caps(t48.Capabilities, func(c *devices.Capabilities) { c.LineKeysPerPage, c.Pages = 15, 2 }),
				[]string{"at most 29 line keys"}},
			{"VVX 411 with pages", "Polycom", "VVX 411", "VVX-411", caps(vvx.Capabilities, func(c *devices.Capabilities) { c.Pages = 3 }),
				[]string{"Polycom VVX 411 addresses at most 12 line keys", "12 per page × 3 pages gives 36"}},
			{"EXP40 with more keys", "Yealink", "T48G VDM", "T48G_VDM", caps(t48.Capabilities, func(c *devices.Capabilities) { c.SidecarKeys = 60 }),
				[]string{"sidecar_keys", "Yealink T48G VDM addresses at most 40 keys per expansion module; 60 were given"}},
			{"a module on a T42G", "Yealink", "T42G", "SIP-T42G", devices.Capabilities{LineKeysPerPage: 5, Pages: 3, SidecarModel: "EXP40", SidecarMax: 2, SidecarKeys: 40, Ports: 3},
				[]string{"sidecar_model", "Yealink T42G takes no expansion module"}},
			{"another model's name", "Yealink", "SIP-T46G", "T46G-VDM", caps(t48.Capabilities, func(c *devices.Capabilities) {}),
				[]string{"Yealink SIP-T46G addresses at most 27 line keys", "10 per page × 3 pages gives 30", "9 per page"}},
		} {
			before := storetest.Counts(t, db)
			_, err := svc.ModifyDeviceType(ctx, operator, t48.ID, devices.TypeUpdate{Vendor: tt.vendor, Model: tt.model, Capabilities: tt.c})
			if kind(err) != "invalid" || !containsAll(err.Error(), tt.want) {
				t.Errorf("%s: modify: %v, want invalid saying %q", tt.name, err, tt.want)
			}
			_, err = svc.AddDeviceType(ctx, operator, devices.Type{Vendor: tt.vendor, Model: tt.addModel, Capabilities: tt.c})
			// The error names the model as the new type names it.
			var wantAdd []string
			for _, w := range tt.want[1:] {
				wantAdd = append(wantAdd, strings.Replace(w, tt.model, tt.addModel, 1))
			}
			if kind(err) != "invalid" || !containsAll(err.Error(), wantAdd) {
				t.Errorf("%s: add: %v, want invalid saying %q", tt.name, err, wantAdd)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
		after, err := svc.ViewDeviceType(ctx, operator, t48.ID)
		if err != nil || after.Model != "T48G VDM" || after.LineKeysPerPage != 10 || after.Pages != 3 || after.SidecarKeys != 40 || !after.UpdatedAt.Equal(t48.UpdatedAt) {
			t.Errorf("the T48G VDM after the refusals: %+v, %v", after, err)
		}

		// Within the model: fewer keys, the phone's own paging, one page of
		// all its keys; a model the table does not know keeps any figures.
		for _, tt := range []struct {
			vendor, model string
			c             devices.Capabilities
		}{
			{"Yealink", "T48G VDM", caps(t48.Capabilities, func(c *devices.Capabilities) { c.LineKeysPerPage, c.Pages = 10, 2 })},
			{"Yealink", "T48G VDM", caps(t48.Capabilities, func(c *devices.Capabilities) { c.LineKeysPerPage, c.Pages = 29, 1 })},
			{"Yealink", "T48G VDM", t48.Capabilities},
			{"Yealink", "T49X", caps(t48.Capabilities, func(c *devices.Capabilities) { c.LineKeysPerPage, c.SidecarKeys = 16, 60 })},
		} {
			if _, err := svc.ModifyDeviceType(ctx, operator, t48.ID, devices.TypeUpdate{Vendor: tt.vendor, Model: tt.model, Capabilities: tt.c}); err != nil {
				t.Errorf("%s %s %d × %d: %v", tt.vendor, tt.model, tt.c.LineKeysPerPage, tt.c.Pages, err)
			}
		}
	})
}

func containsAll(s string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(s, p) {
			return false
		}
	}
	return true
}
