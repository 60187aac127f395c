package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// sipContractCalls exercise the SIP edge's endpoints for the document test:
// west.one gets a desk phone of Leeds whose line is issued.
func sipContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	a, f := c.env.App, c.env.Fixture
	sealer, err := devices.NewSealer([]byte(strings.Repeat("s", 32)))
	if err != nil {
		t.Fatal(err)
	}
	a.Devices.Lines.Sealer, a.Devices.Lines.Domain = sealer, "voice.example.net"
	types, err := a.Devices.Types(ctx, f.Provider.ID)
	if err != nil || len(types) == 0 {
		t.Fatalf("device types: %v, %v", types, err)
	}
	d, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: types[0].ID, MAC: "00:15:65:00:05:01"})
	if err != nil {
		t.Fatal(err)
	}
	west := c.env.ID("west.one")
	if err := a.Devices.AssignPrimary(ctx, f.Acme.ID, f.Leeds.ID, d.ID, west); err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprintf
	return []apiCall{
		{name: "issue line credentials", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/line-credentials", west), want: 200},
		{name: "reissue line credentials", user: "leeds.admin", method: "POST", path: p("/api/v1/employees/%d/line-credentials", west), want: 200},
		{name: "line credentials no device", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/line-credentials", c.env.ID("support.one")), want: 409},
		{name: "line credentials other company", user: "globex.admin", method: "POST", path: p("/api/v1/employees/%d/line-credentials", west), want: 404},
		{name: "line credentials must change password", user: "sip.fresh", method: "POST", path: p("/api/v1/employees/%d/line-credentials", west), want: 403,
			setup: func(t *testing.T) { freshAdmin(t, c.env, "sip.fresh") }},
		{name: "line credentials anonymous", method: "POST", path: p("/api/v1/employees/%d/line-credentials", west), want: 401},
		{name: "device with registration", user: "acme.admin", method: "GET", path: p("/api/v1/devices/%d", d.ID), want: 200},
	}
}
