package apptest

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
)

// LinesDomain is the SIP domain EnableLines configures.
const LinesDomain = "voice.example.net"

// EnableLines gives the node a secret key and a SIP domain, so it issues
// SIP line credentials (docs/sip.md, "Line credentials").
func (e *Env) EnableLines(t testing.TB) {
	t.Helper()
	sealer, err := devices.NewSealer([]byte(strings.Repeat("k", 32)))
	if err != nil {
		t.Fatal(err)
	}
	e.App.Devices.Lines.Sealer, e.App.Devices.Lines.Domain = sealer, LinesDomain
}

// ActivateWithPhone activates username at site as an IP Centrex user with
// the feature package pkg (a name of sv.Packages), the number and a new
// desk phone of model (a key of sv.Types) with mac, runs the activation
// job, and returns the phone.
func (e *Env) ActivateWithPhone(t testing.TB, sv Service, username string, site int64, pkg, number, model, mac string) devices.Device {
	t.Helper()
	ctx := context.Background()
	req := lifecycle.ActivateRequest{SiteID: site, UserType: lifecycle.IPCentrex, TermID: sv.Terms["Monthly"].ID,
		PackageID: sv.Packages[pkg].ID, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: e.ID(username),
			Number: number, Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: sv.Types[model].ID, MAC: mac}}}}
	if _, err := e.App.Lifecycle.Activate(ctx, e.Actor("acme.admin"), 0, req); err != nil {
		t.Fatalf("apptest: activate %s: %v", username, err)
	}
	if _, err := e.App.Jobs.NewWorker(jobs.WorkerConfig{Owner: "apptest"}).RunDue(ctx); err != nil {
		t.Fatalf("apptest: run activation of %s: %v", username, err)
	}
	d, err := e.App.Devices.PrimaryDevice(ctx, e.Fixture.Accounts[username].CompanyID, e.ID(username))
	if err != nil {
		t.Fatalf("apptest: %s was not activated with a phone: %v", username, err)
	}
	return d
}
