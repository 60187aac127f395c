package lifecycle_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
)

// hire adds n employees of Acme, members of group, named prefix.0 …, in
// one batch, and returns their ids.
func hire(t testing.TB, env *apptest.Env, group directory.Group, prefix string, n int) []int64 {
	t.Helper()
	ctx := context.Background()
	reqs := make([]directory.EmployeeCreateRequest, n)
	for i := range reqs {
		reqs[i] = directory.EmployeeCreateRequest{Username: fmt.Sprintf("%s.%d", prefix, i), Role: access.RoleEmployee,
			FirstName: "Em", LastName: fmt.Sprintf("Ployee %d", i), Email: fmt.Sprintf("%s.%d@example.com", prefix, i), GroupIDs: []int64{group.ID}}
	}
	var es []directory.Employee
	err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		es, err = env.App.Directory.CreateEmployees(ctx, env.Fixture.Acme.ID, env.Fixture.Provider.ID, reqs)
		return err
	})
	if err != nil {
		t.Fatalf("hire %d: %v", n, err)
	}
	ids := make([]int64, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// softClientRequest activates ids at site as IP Centrex users with the
// default numbers and extensions and a new soft client each (whose MAC
// follows the number): nothing in it but the defaults can collide.
func softClientRequest(sv apptest.Service, site int64, ids []int64) lifecycle.ActivateRequest {
	req := lifecycle.ActivateRequest{SiteID: site, UserType: lifecycle.IPCentrex, TermID: sv.Terms["Monthly"].ID,
		PackageID: sv.Packages["Basic"].ID}
	for _, id := range ids {
		req.Employees = append(req.Employees, lifecycle.ActivateEmployee{EmployeeID: id,
			Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: sv.Types["Soft Client"].ID}})
	}
	return req
}

// memReporter is a jobs.Reporter that keeps the items in memory.
type memReporter struct {
	mu    sync.Mutex
	items map[string]string
}

func (r *memReporter) TestMode() bool                      { return false }
func (r *memReporter) SetTotal(context.Context, int) error { return nil }
func (r *memReporter) Progress(context.Context, int) error { return nil }
func (r *memReporter) Flush(context.Context) error         { return nil }
func (r *memReporter) Committed(context.Context) error     { return nil }
func (r *memReporter) Item(_ context.Context, key, status, message string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.items == nil {
		r.items = map[string]string{}
	}
	r.items[key] = status + ": " + message
	return nil
}

var _ jobs.Reporter = (*memReporter)(nil)
