package api_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/jobs"
)

// rebootContractCalls exercise the reboot endpoints for the document test:
// Leeds gets a device type of its own with one phone (bulk reboot), a type
// with none (nothing to reboot), and phones rebooted one at a time, none
// of them registered; one reboot is run to its end so it can be cleared.
func rebootContractCalls(t *testing.T, c *contract) []apiCall {
	ctx := context.Background()
	a, f := c.env.App, c.env.Fixture
	newType := func(model string) devices.Type {
		ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Reboot", Model: model})
		if err != nil {
			t.Fatal(err)
		}
		return ty
	}
	bulk, empty := newType("Bulk"), newType("Empty")
	newDevice := func(ty devices.Type, mac string) devices.Device {
		d, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: ty.ID, MAC: mac})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// The single reboot's device is of a type of its own: a device in a
	// running reboot is refused by another (the bulk one below).
	single := newDevice(newType("Single"), "00:15:65:00:06:01")
	newDevice(bulk, "00:15:65:00:06:02")
	ended := newDevice(bulk, "00:15:65:00:06:03")
	// A reboot of an unregistered phone, run to its end (Device not
	// registered) so that Clear Job is allowed.
	rb, err := a.Reboots.RebootDevice(ctx, c.env.Actor("acme.admin"), ended.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	p := fmt.Sprintf
	return []apiCall{
		{name: "reboot device", user: "acme.admin", method: "POST", path: p("/api/v1/devices/%d/reboot", single.ID), want: 202},
		{name: "reboot device again while it runs", user: "leeds.admin", method: "POST", path: p("/api/v1/devices/%d/reboot", single.ID), want: 409},
		{name: "reboot device other company", user: "globex.admin", method: "POST", path: p("/api/v1/devices/%d/reboot", single.ID), want: 404},
		{name: "reboot device group below", user: "sales.admin", method: "POST", path: p("/api/v1/devices/%d/reboot", single.ID), want: 404},
		{name: "reboot device anonymous", method: "POST", path: p("/api/v1/devices/%d/reboot", single.ID), want: 401},
		{name: "reboot device type", user: "leeds.admin", method: "POST", path: p("/api/v1/sites/%d/device-types/%d/reboot", f.Leeds.ID, bulk.ID), want: 202},
		{name: "reboot device type none at the site", user: "acme.admin", method: "POST", path: p("/api/v1/sites/%d/device-types/%d/reboot", f.Leeds.ID, empty.ID), want: 422},
		{name: "reboot device type other company", user: "globex.admin", method: "POST", path: p("/api/v1/sites/%d/device-types/%d/reboot", f.Leeds.ID, bulk.ID), want: 404},
		{name: "site reboots", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d/reboots", f.Leeds.ID), want: 200},
		{name: "site reboots other company", user: "globex.admin", method: "GET", path: p("/api/v1/sites/%d/reboots", f.Leeds.ID), want: 404},
		{name: "reboot status", user: "leeds.admin", method: "GET", path: p("/api/v1/reboots/%d", rb.JobID), want: 200},
		{name: "reboot status other company", user: "globex.admin", method: "GET", path: p("/api/v1/reboots/%d", rb.JobID), want: 404},
		{name: "reboot status unknown", user: "acme.admin", method: "GET", path: "/api/v1/reboots/999999", want: 404},
		{name: "clear reboot other company", user: "globex.admin", method: "DELETE", path: p("/api/v1/reboots/%d", rb.JobID), want: 404},
		{name: "clear reboot", user: "acme.admin", method: "DELETE", path: p("/api/v1/reboots/%d", rb.JobID), want: 204},
		{name: "clear reboot twice", user: "acme.admin", method: "DELETE", path: p("/api/v1/reboots/%d", rb.JobID), want: 409},
	}
}
