package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestRebootPages: the site's Devices page offers a reboot per device type
// and per device; a bulk reboot leads to its Reboot Status (launch time,
// devices, statuses, refresh), the Devices page shows the Reboot Status
// link instead of the button until Clear Job, and another company's
// administrator finds no such reboot.
func TestRebootPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		a, f := env.App, env.Fixture
		ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Reboot", Model: "UI"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: ty.ID, MAC: "00:15:65:00:07:01", Label: "Lobby"}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, env)
		b.login("leeds.admin", false)
		devicesPage := fmt.Sprintf("/sites/%d/devices", f.Leeds.ID)
		bulk := fmt.Sprintf("/sites/%d/device-types/%d/reboot", f.Leeds.ID, ty.ID)
		if p := b.get(devicesPage); p.Status != http.StatusOK || !strings.Contains(p.Body, "Bulk Reboot") || !strings.Contains(p.Body, `action="`+bulk+`"`) {
			t.Fatalf("devices page: %d\n%s", p.Status, p.Body)
		}
		p := b.post(bulk, nil, false)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, "/reboots/") {
			t.Fatalf("bulk reboot: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		status := strings.SplitN(p.Location, "?", 2)[0]
		if p := b.get(status); p.Status != http.StatusOK || !strings.Contains(p.Body, "Reboot UI") || !strings.Contains(p.Body, "Lobby (001565000701)") ||
			!strings.Contains(p.Body, "Not Started") || !strings.Contains(p.Body, "Refresh") || strings.Contains(p.Body, "Clear Job") {
			t.Fatalf("reboot status: %d\n%s", p.Status, p.Body)
		}
		if _, err := a.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		if p := b.get(status); !strings.Contains(p.Body, "Device not registered") || !strings.Contains(p.Body, "Clear Job") {
			t.Fatalf("finished reboot status:\n%s", p.Body)
		}
		if p := b.get(devicesPage); !strings.Contains(p.Body, `href="`+status+`"`) || strings.Contains(p.Body, `action="`+bulk+`"`) {
			t.Fatalf("devices page while the reboot holds the button:\n%s", p.Body)
		}
		other := newBrowser(t, env)
		other.login("globex.admin", false)
		if p := other.get(status); p.Status != http.StatusNotFound {
			t.Fatalf("another company's reboot status: %d", p.Status)
		}
		if p := other.post(status+"/clear", nil, false); p.Status != http.StatusNotFound {
			t.Fatalf("another company clears: %d", p.Status)
		}
		b.get(status)
		p = b.post(status+"/clear", nil, false)
		if p.Status != http.StatusSeeOther || !strings.HasPrefix(p.Location, devicesPage) {
			t.Fatalf("clear job: %d %s\n%s", p.Status, p.Location, p.Body)
		}
		if p := b.get(p.Location); !strings.Contains(p.Body, `action="`+bulk+`"`) || !strings.Contains(p.Body, "The reboot job has been cleared.") {
			t.Fatalf("devices page after Clear Job:\n%s", p.Body)
		}
	})
}
