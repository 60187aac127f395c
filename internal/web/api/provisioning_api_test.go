package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// provisioningContractCalls exercise the provisioning credentials endpoint
// for TestResponsesMatchDocument (the files phones fetch are outside the
// API; internal/provisioning tests them).
func provisioningContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	a, f := c.env.App, c.env.Fixture
	types, err := a.Devices.Types(ctx, f.Provider.ID)
	if err != nil || len(types) == 0 {
		t.Fatalf("device types: %v, %v", types, err)
	}
	d, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: types[0].ID, MAC: "00:15:65:00:07:01"})
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/api/v1/devices/%d/provisioning-credentials", d.ID)
	return []apiCall{
		{name: "issue provisioning credentials", user: "leeds.admin", method: "POST", path: path, want: 200},
		{name: "provisioning credentials other company", user: "globex.admin", method: "POST", path: path, want: 404},
		{name: "provisioning credentials must change password", user: "prov.fresh", method: "POST", path: path, want: 403,
			setup: func(t *testing.T) { freshAdmin(t, c.env, "prov.fresh") }},
		{name: "provisioning credentials anonymous", method: "POST", path: path, want: 401},
	}
}
