package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// vdmContractCalls exercise the Visual Device Manager against the document
// (TestResponsesMatchDocument): west.one's T46G VDM at Leeds, read and
// changed by an administrator and by west.one, with refusals.
func vdmContractCalls(t *testing.T, c *contract) []apiCall {
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
	add := func(model, mac string) devices.Device {
		d, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: byModel[model].ID, MAC: mac})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	west := c.env.ID("west.one")
	phone, err := a.Devices.PrimaryDevice(ctx, f.Acme.ID, west)
	if err != nil || phone.TypeID != byModel["T46G VDM"].ID {
		phone = add("T46G VDM", "805EC0EE0001")
		if _, err := a.Devices.UnassignForEmployee(ctx, f.Acme.ID, west); err != nil {
			t.Fatal(err)
		}
		if err := a.Devices.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, phone.ID, west); err != nil {
			t.Fatal(err)
		}
	}
	basic, small := add("T46G", "805EC0EE0002"), add("T42G VDM", "805EC0EE0003")
	yes := true
	if _, err := a.Devices.CustomiseSiteType(ctx, c.env.Actor("acme.admin"), f.Leeds.ID, phone.TypeID, devices.SiteTypeRequest{VDMAvailableToEmployees: &yes}); err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprintf
	vdm := p("/api/v1/devices/%d/vdm", phone.ID)
	page := make([]map[string]any, 9)
	for i := range page {
		page[i] = map[string]any{"action": "default"}
	}
	page[0] = map[string]any{"action": "speed_dial", "label": "Reception", "value": "0113 496 0000"}
	soft := []map[string]any{{"action": "function", "value": "call_pull"}, {"action": "custom", "label": "Night", "value": "2281$Tinvite$"}, {}, {"action": "none"}}
	return []apiCall{
		{name: "vdm", user: "leeds.admin", method: "GET", path: vdm, want: 200},
		{name: "vdm other company", user: "globex.admin", method: "GET", path: vdm, want: 404},
		{name: "vdm of a type that is not VDM", user: "acme.admin", method: "GET", path: p("/api/v1/devices/%d/vdm", basic.ID), want: 409},
		{name: "general settings", user: "acme.admin", method: "PUT", path: vdm + "/general", body: map[string]any{"sidecars": 1, "blf_start": "sidecar"}, want: 200},
		{name: "general settings sidecar on a phone without", user: "acme.admin", method: "PUT", path: p("/api/v1/devices/%d/vdm/general", small.ID),
			body: map[string]any{"sidecars": 1, "blf_start": "phone"}, want: 422},
		{name: "general settings unknown start", user: "acme.admin", method: "PUT", path: vdm + "/general", body: map[string]any{"blf_start": "middle"}, want: 422, badRequest: true},
		{name: "line keys of a page", user: "leeds.admin", method: "PUT", path: vdm + "/pages/1", body: map[string]any{"keys": page}, want: 200},
		{name: "line keys of a page too short", user: "leeds.admin", method: "PUT", path: vdm + "/pages/2", body: map[string]any{"keys": page[:3]}, want: 422},
		{name: "sidecar key", user: "acme.admin", method: "PUT", path: vdm + "/pages/4/keys/2", body: map[string]any{"action": "speed_dial", "label": "Ops", "value": "+442079460001"}, want: 200},
		{name: "None on a Yealink", user: "acme.admin", method: "PUT", path: vdm + "/pages/1/keys/2", body: map[string]any{"action": "none"}, want: 422},
		{name: "soft keys", user: "acme.admin", method: "PUT", path: vdm + "/soft-keys", body: map[string]any{"keys": soft}, want: 200},
		{name: "soft keys unknown field", user: "acme.admin", method: "PUT", path: vdm + "/soft-keys", body: map[string]any{"keys": soft, "colour": "red"}, want: 400, badRequest: true},
		{name: "ringer by the employee", user: "west.one", method: "PUT", path: vdm + "/ringer", body: map[string]any{"ringer": "Ring3.wav"}, want: 200},
		{name: "ringer unknown", user: "acme.admin", method: "PUT", path: vdm + "/ringer", body: map[string]any{"ringer": "Low Trill"}, want: 422},
		{name: "my phone", user: "west.one", method: "GET", path: "/api/v1/my-phone", want: 200},
		{name: "my phone without one", user: "acme.admin", method: "GET", path: "/api/v1/my-phone", want: 404},
		{name: "vdm of a colleague's phone", user: "support.one", method: "GET", path: vdm, want: 404},
		{name: "reset keys", user: "acme.admin", method: "POST", path: vdm + "/reset", want: 200},
		{name: "restricted to administrators", user: "west.one", method: "GET", path: vdm, want: 403, setup: func(t *testing.T) {
			no := false
			if _, err := a.Devices.CustomiseSiteType(ctx, c.env.Actor("acme.admin"), f.Leeds.ID, phone.TypeID, devices.SiteTypeRequest{VDMAvailableToEmployees: &no}); err != nil {
				t.Fatal(err)
			}
		}},
	}
}
