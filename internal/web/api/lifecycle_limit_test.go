package api_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSiteLimitUnderConcurrency starts more activations than a site has
// places at the same moment, on both engines: exactly the limit get a place
// and the rest are refused with the limit's reason. First as concurrent
// requests (each Prepare passed before any Activate committed, so only the
// check inside Activate's transaction can refuse), then as concurrent job
// workers after the limit was lowered under pending activations (only the
// check inside the job's transaction can refuse).
func TestSiteLimitUnderConcurrency(t *testing.T) {
	const limit, extra = 3, 3
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		ctx := context.Background()
		admin := env.Token(t, "acme.admin")
		lc := env.App.Lifecycle
		hire := func(name string) int64 {
			t.Helper()
			res := env.Do(t, admin, "POST", "/api/v1/employees", map[string]any{"username": name, "password": "Str0ng-Pass!x",
				"first_name": "Con", "last_name": "Current", "group_ids": []int64{f.Support.ID}})
			if res.Status != 201 {
				t.Fatalf("add %s: %d %s", name, res.Status, res.Body)
			}
			var e struct{ ID int64 }
			res.JSON(t, &e)
			return e.ID
		}
		// Each employee its own number and device, so nothing but the limit
		// can refuse them.
		acme := env.Actor("acme.admin")
		plan := func(site int64, number string, id int64, mac string) lifecycle.ActivateRequest {
			t.Helper()
			req := lifecycle.ActivateRequest{SiteID: site, UserType: lifecycle.IPCentrex, Single: true,
				TermID: sv.Terms["Monthly"].ID, PackageID: sv.Packages["Basic"].ID, Employees: []lifecycle.ActivateEmployee{{
					EmployeeID: id, Number: number, Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: sv.Types["T46U"].ID, MAC: mac}}}}
			if _, err := lc.Prepare(ctx, acme, 0, req); err != nil {
				t.Fatalf("prepare %s: %v", number, err)
			}
			return req
		}
		isLimit := func(err error, n int) bool {
			var ve *derrors.ValidationError
			return errors.As(err, &ve) && len(ve.Fields) == 1 && ve.Fields[0].Field == "site_id" &&
				strings.Contains(ve.Fields[0].Message, fmt.Sprintf("has reached its employee limit of %d", n))
		}

		// Concurrent requests: Leeds has `limit` places.
		if _, err := lc.SetSiteLimit(ctx, f.Acme.ID, f.Leeds.ID, limit); err != nil {
			t.Fatal(err)
		}
		plans := make([]lifecycle.ActivateRequest, limit+extra)
		for i := range plans {
			plans[i] = plan(f.Leeds.ID, fmt.Sprintf("+44113496%04d", 50+i), hire(fmt.Sprintf("req.%d", i)), fmt.Sprintf("001565BB00%02d", i))
		}
		errs := make([]error, len(plans))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range plans {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				_, errs[i] = lc.Activate(ctx, acme, 0, plans[i])
			}()
		}
		close(start)
		wg.Wait()
		ok := 0
		for i, err := range errs {
			switch {
			case err == nil:
				ok++
			case !isLimit(err, limit):
				t.Errorf("activation %d refused for another reason: %v", i, err)
			}
		}
		if ok != limit {
			t.Fatalf("%d of %d concurrent activations got a place at a site with %d", ok, len(plans), limit)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM accounts WHERE site_id = ? AND status = 'pending'", f.Leeds.ID); n != limit {
			t.Fatalf("%d employees pending at Leeds, want %d", n, limit)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM jobs WHERE kind = 'activate_employees'"); n != limit {
			t.Fatalf("%d activation jobs, want %d", n, limit)
		}
		runJobs(t, env)
		if n := countRows(t, env, "SELECT COUNT(*) FROM accounts WHERE site_id = ? AND status = 'active'", f.Leeds.ID); n != limit {
			t.Fatalf("%d employees active at Leeds, want %d", n, limit)
		}

		// Concurrent workers: London's activations are pending (no limit
		// yet), then the provider lowers the limit below them.
		for i := 0; i < limit+extra; i++ {
			p := plan(f.London.ID, fmt.Sprintf("+44207946%04d", 70+i), hire(fmt.Sprintf("job.%d", i)), fmt.Sprintf("001565BB01%02d", i))
			if _, err := lc.Activate(ctx, acme, 0, p); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := lc.SetSiteLimit(ctx, f.Acme.ID, f.London.ID, limit); err != nil {
			t.Fatal(err)
		}
		var wwg sync.WaitGroup
		werrs := make([]error, 3)
		for i := range werrs {
			wwg.Add(1)
			go func() {
				defer wwg.Done()
				_, werrs[i] = env.App.Jobs.NewWorker(jobs.WorkerConfig{Slots: 2, Owner: fmt.Sprintf("worker-%d", i)}).RunDue(ctx)
			}()
		}
		wwg.Wait()
		for _, err := range werrs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM accounts WHERE site_id = ? AND status = 'active'", f.London.ID); n != limit {
			t.Fatalf("%d employees active at London, want %d", n, limit)
		}
		// The refused ones show Error with the reason and are back where
		// they were (no site), holding nothing.
		if n := countRows(t, env, "SELECT COUNT(*) FROM accounts WHERE username LIKE 'job.%' AND status = 'error' AND site_id IS NULL AND status_reason LIKE ?",
			fmt.Sprintf("%%has reached its employee limit of %d%%", limit)); n != extra {
			t.Fatalf("%d employees refused with the limit's reason, want %d", n, extra)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM job_items WHERE status = 'error' AND message LIKE '%employee limit%'"); n != extra {
			t.Errorf("%d job items report the limit, want %d", n, extra)
		}
		if n := countRows(t, env, "SELECT COUNT(*) FROM dn_numbers WHERE site_id = ? AND status = 'assigned'", f.London.ID); n != limit {
			t.Errorf("%d London numbers assigned, want %d", n, limit)
		}
	})
}
