package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestOneJobStatusView: activations and imports share one Status view;
// the former import addresses show the same pages (the list narrowed to
// imports), and a job its reader may not see is 404 at every address.
func TestOneJobStatusView(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		req := lifecycle.ActivateRequest{SiteID: f.Leeds.ID, UserType: lifecycle.IPCentrex, TermID: sv.Terms["Monthly"].ID,
			PackageID: sv.Packages["Basic"].ID, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: env.ID("west.one"),
				Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: sv.Types["Soft Client"].ID}}}}
		a, err := env.App.Lifecycle.Activate(context.Background(), env.Actor("acme.admin"), 0, req)
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, env)
		b.login("acme.admin", false)
		job := "/jobs/" + id(a.Job.ID)
		for _, path := range []string{job, "/imports/" + id(a.Job.ID)} {
			if p := b.get(path); p.Status != http.StatusOK || !strings.Contains(p.Body, "Activate west.one") || !strings.Contains(p.Body, `id="job-progress"`) {
				t.Errorf("%s: %d\n%s", path, p.Status, p.Body)
			}
		}
		if p := b.get("/jobs"); p.Status != http.StatusOK || !strings.Contains(p.Body, "Activate west.one") {
			t.Errorf("/jobs: %d\n%s", p.Status, p.Body)
		}
		if p := b.get("/imports"); p.Status != http.StatusOK || strings.Contains(p.Body, "Activate west.one") || !strings.Contains(p.Body, "Import Status") {
			t.Errorf("/imports lists more than the imports: %d\n%s", p.Status, p.Body)
		}
		other := newBrowser(t, env)
		other.login("sales.admin", false)
		for _, path := range []string{job, "/imports/" + id(a.Job.ID)} {
			if p := other.get(path); p.Status != http.StatusNotFound {
				t.Errorf("%s by a group admin who did not start it: %d, want 404", path, p.Status)
			}
		}
	})
}
