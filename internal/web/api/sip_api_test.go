package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/sip"
)

// lineUsername is the SIP username of the line on device id.
func lineUsername(t *testing.T, c *contract, id int64) string {
	t.Helper()
	var name string
	if err := c.env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT username FROM lines WHERE device_id = ?", id).Scan(&name); err != nil {
		t.Fatal(err)
	}
	return name
}

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
		{name: "device registrations", user: "leeds.admin", method: "GET", path: p("/api/v1/devices/%d/registrations", d.ID), want: 200,
			setup: func(t *testing.T) {
				l, err := a.Devices.LineAuthByUsername(ctx, lineUsername(t, c, d.ID))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := a.Registrations.Apply(ctx, sip.Change{LineID: l.LineID, DeviceID: d.ID, AOR: "sip:" + l.Username + "@voice.example.net",
					Contacts: []sip.ContactExpiry{{URI: "sip:" + l.Username + "@192.0.2.7:5060", Expires: 600}}, UserAgent: "Yealink SIP-T46U",
					Transport: "TCP", SourceAddr: "192.0.2.7", SourcePort: 5060, NodeID: "n1", Path: "<sip:lb.example.net;lr>", CallID: "c1", CSeq: 1}, 10, time.Now()); err != nil {
					t.Fatal(err)
				}
			}},
		{name: "device registrations of a group below", user: "sales.admin", method: "GET", path: p("/api/v1/devices/%d/registrations", d.ID), want: 404},
		{name: "device registrations other company", user: "globex.admin", method: "GET", path: p("/api/v1/devices/%d/registrations", d.ID), want: 404},
		{name: "device registrations must change password", user: "sip.fresh", method: "GET", path: p("/api/v1/devices/%d/registrations", d.ID), want: 403},
		{name: "device registrations anonymous", method: "GET", path: p("/api/v1/devices/%d/registrations", d.ID), want: 401},
	}
}
