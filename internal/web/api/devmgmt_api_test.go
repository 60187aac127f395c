package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// devmgmtContractCalls exercise Device Management against the document
// (TestResponsesMatchDocument): the catalog, a site's device types, masks,
// a device's options, resets and modify, with refusals.
func devmgmtContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	a, f := c.env.App, c.env.Fixture
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
	vdm, basic := byModel["T46G VDM"], byModel["VVX 301"]
	phone, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: vdm.ID, MAC: "805EC0DD0001", Name: "Contract desk"})
	if err != nil {
		t.Fatal(err)
	}
	spare, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: basic.ID, MAC: "0004F2DD0002"})
	if err != nil {
		t.Fatal(err)
	}
	yes := true
	mask, err := a.Devices.CreateMask(ctx, c.env.Actor("acme.admin"), f.Leeds.ID, devices.MaskRequest{Name: "Contract", Settings: devices.Settings{ACD: &yes}})
	if err != nil {
		t.Fatal(err)
	}
	gone, err := a.Devices.CreateMask(ctx, c.env.Actor("acme.admin"), f.Leeds.ID, devices.MaskRequest{Name: "Gone", Settings: devices.Settings{DC: &yes}})
	if err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprintf
	site := p("/api/v1/sites/%d", f.Leeds.ID)
	caps := map[string]any{"vendor": basic.Vendor, "model": basic.Model, "vdm": false, "line_keys_per_page": 6, "pages": 1, "soft_keys": 4,
		"sidecar_model": "", "sidecar_max": 0, "options": []string{"blf", "codec", "dc", "mcn"}, "ring_tones": []string{"Low Trill"}, "ports": 6}
	return []apiCall{
		{name: "device options", user: "west.one", method: "GET", path: "/api/v1/device-options", want: 200},
		{name: "add device type with capabilities", user: "operator", method: "POST", path: "/api/v1/device-types",
			body: map[string]any{"vendor": "Yealink", "model": "T48G Lab VDM", "vdm": true, "line_keys_per_page": 11, "pages": 3, "soft_keys": 4,
				"sidecar_model": "EXP40", "sidecar_max": 6, "sidecar_keys": 40, "options": []string{"blf", "power_save"}, "ring_tones": []string{"Ring1.wav"}, "ports": 6}, want: 201},
		{name: "add device type sidecar without model", user: "operator", method: "POST", path: "/api/v1/device-types",
			body: map[string]any{"vendor": "Yealink", "model": "T48G Lab 2", "pages": 1, "ports": 1, "sidecar_max": 2}, want: 422},
		{name: "device type", user: "acme.admin", method: "GET", path: p("/api/v1/device-types/%d", vdm.ID), want: 200},
		{name: "device type missing", user: "acme.admin", method: "GET", path: "/api/v1/device-types/999999", want: 404},
		{name: "modify device type", user: "operator", method: "PUT", path: p("/api/v1/device-types/%d", basic.ID), body: caps, want: 200},
		{name: "modify device type by company admin", user: "acme.admin", method: "PUT", path: p("/api/v1/device-types/%d", basic.ID), body: caps, want: 403},
		{name: "modify device type more keys than the model", user: "operator", method: "PUT", path: p("/api/v1/device-types/%d", basic.ID),
			body: map[string]any{"vendor": "Polycom", "model": "VVX 301", "line_keys_per_page": 6, "pages": 3, "ports": 6}, want: 422},
		{name: "modify device type advanced option", user: "operator", method: "PUT", path: p("/api/v1/device-types/%d", basic.ID),
			body: map[string]any{"vendor": "Polycom", "model": "VVX 301", "pages": 1, "ports": 1, "options": []string{"power_save"}}, want: 422},
		{name: "site device types", user: "leeds.admin", method: "GET", path: site + "/device-types", want: 200},
		{name: "site device types other company", user: "globex.admin", method: "GET", path: site + "/device-types", want: 404},
		{name: "site device type", user: "acme.admin", method: "GET", path: p("%s/device-types/%d", site, vdm.ID), want: 200},
		{name: "customise site type", user: "leeds.admin", method: "PUT", path: p("%s/device-types/%d", site, vdm.ID),
			body: map[string]any{"settings": map[string]any{"blf": true, "transfer_type": "blind", "codec": nil}, "vdm_available_to_employees": false}, want: 200},
		{name: "customise site type unsupported option", user: "acme.admin", method: "PUT", path: p("%s/device-types/%d", site, basic.ID),
			body: map[string]any{"settings": map[string]any{"power_save": false}}, want: 422},
		{name: "customise site type unknown option", user: "acme.admin", method: "PUT", path: p("%s/device-types/%d", site, vdm.ID),
			body: map[string]any{"settings": map[string]any{"volume": 3}}, want: 400, badRequest: true},
		{name: "customise site type by an employee", user: "west.one", method: "PUT", path: p("%s/device-types/%d", site, vdm.ID),
			body: map[string]any{"settings": map[string]any{}}, want: 404},
		{name: "masks", user: "acme.admin", method: "GET", path: site + "/device-masks", want: 200},
		{name: "create mask", user: "acme.admin", method: "POST", path: site + "/device-masks",
			body: map[string]any{"name": "Night", "settings": map[string]any{"mcn": false}}, want: 201},
		{name: "create mask taken name", user: "acme.admin", method: "POST", path: site + "/device-masks",
			body: map[string]any{"name": "contract", "settings": map[string]any{"mcn": false}}, want: 409},
		{name: "create mask without options", user: "acme.admin", method: "POST", path: site + "/device-masks",
			body: map[string]any{"name": "Empty", "settings": map[string]any{}}, want: 422},
		{name: "mask", user: "leeds.admin", method: "GET", path: p("/api/v1/device-masks/%d", mask.ID), want: 200},
		{name: "mask other company", user: "globex.admin", method: "GET", path: p("/api/v1/device-masks/%d", mask.ID), want: 404},
		{name: "modify mask", user: "acme.admin", method: "PUT", path: p("/api/v1/device-masks/%d", mask.ID),
			body: map[string]any{"name": "Contract", "settings": map[string]any{"acd": true, "codec": "G729"}}, want: 200},
		{name: "apply mask", user: "acme.admin", method: "POST", path: p("/api/v1/device-masks/%d/apply", mask.ID),
			body: map[string]any{"type_ids": []int64{vdm.ID, basic.ID}}, want: 200},
		{name: "apply mask to nothing", user: "acme.admin", method: "POST", path: p("/api/v1/device-masks/%d/apply", mask.ID),
			body: map[string]any{"type_ids": []int64{}}, want: 422},
		{name: "remove mask", user: "acme.admin", method: "DELETE", path: p("%s/device-types/%d/mask", site, basic.ID), want: 200},
		{name: "remove mask again", user: "acme.admin", method: "DELETE", path: p("%s/device-types/%d/mask", site, basic.ID), want: 422},
		{name: "delete mask", user: "acme.admin", method: "DELETE", path: p("/api/v1/device-masks/%d", gone.ID), want: 204},
		{name: "device customisation", user: "leeds.admin", method: "GET", path: p("/api/v1/devices/%d/customisation", phone.ID), want: 200},
		{name: "customise device", user: "acme.admin", method: "PUT", path: p("/api/v1/devices/%d/customisation", phone.ID),
			body: map[string]any{"power_save": false, "codec": "G711"}, want: 200},
		{name: "customise device bad codec", user: "acme.admin", method: "PUT", path: p("/api/v1/devices/%d/customisation", phone.ID),
			body: map[string]any{"codec": "G726"}, want: 422},
		{name: "reset device", user: "acme.admin", method: "POST", path: p("/api/v1/devices/%d/reset", phone.ID), body: map[string]any{"reboot": false}, want: 200},
		{name: "reset device other company", user: "globex.admin", method: "POST", path: p("/api/v1/devices/%d/reset", phone.ID), body: map[string]any{}, want: 404},
		{name: "reset site type and reboot", user: "acme.admin", method: "POST", path: p("%s/device-types/%d/reset", site, vdm.ID),
			body: map[string]any{"reboot": true}, want: 200},
		{name: "modify device", user: "acme.admin", method: "PUT", path: p("/api/v1/devices/%d", spare.ID),
			body: map[string]any{"name": "Spare 1", "type_id": basic.ID, "mac": "00:04:f2:dd:00:02"}, want: 200},
		{name: "modify device taken Device ID", user: "acme.admin", method: "PUT", path: p("/api/v1/devices/%d", spare.ID),
			body: map[string]any{"name": "contract desk", "type_id": basic.ID, "mac": "0004F2DD0002"}, want: 409},
		{name: "modify device bad MAC", user: "acme.admin", method: "PUT", path: p("/api/v1/devices/%d", spare.ID),
			body: map[string]any{"name": "Spare 1", "type_id": basic.ID, "mac": "0004F2DD"}, want: 422},
		{name: "search devices", user: "leeds.admin", method: "GET", path: p("%s/devices?name=spare&type_id=%d&available_ports=1", site, basic.ID), want: 200},
	}
}
