package lifecycle_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// missingEmployee is an id no employee has.
const missingEmployee = 987654

// refusal is what a forbidden actor must get: ErrNotFound, as for a
// missing employee, or a ForbiddenError where the actor sees the employee.
type refusal int

const (
	asMissing refusal = iota
	asForbidden
)

// forbiddenActors are the actors that may not act on london.one (a member
// of London), with the answer each must get: an employee of Acme, a group
// admin of another part of Acme, every outsider, and london.one on
// themselves (they see themselves, so they are told why).
func forbiddenActors() map[string]refusal {
	m := map[string]refusal{"west.one": asMissing, "sales.admin": asMissing, "leeds.admin2": asMissing, "london.one": asForbidden}
	for _, name := range apptest.Outsiders {
		m[name] = asMissing
	}
	return m
}

// TestLifecycleActionsRefuseAsMissing runs each lifecycle action through
// the domain, without HTTP, on both engines: the allowed actor succeeds;
// every forbidden actor gets the answer of a missing employee (or a
// ForbiddenError where it sees the employee), and nothing changes, audit
// included.
func TestLifecycleActionsRefuseAsMissing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		env.AddCast(t)
		f := env.Fixture
		ctx := context.Background()
		lc := env.App.Lifecycle
		target := env.ID("london.one")
		refusedBy := func(t *testing.T, actors map[string]refusal, action string, do func(actor string, id int64) error) {
			t.Helper()
			before := storetest.Counts(t, db)
			missing := do("acme.admin", missingEmployee)
			if !errors.Is(missing, derrors.ErrNotFound) {
				t.Fatalf("%s of a missing employee: %v, want ErrNotFound", action, missing)
			}
			for name, want := range actors {
				err := do(name, target)
				var forb *derrors.ForbiddenError
				switch {
				case want == asMissing && !errors.Is(err, derrors.ErrNotFound):
					t.Errorf("%s by %s: %v, want ErrNotFound as for a missing employee", action, name, err)
				case want == asForbidden && !errors.As(err, &forb):
					t.Errorf("%s by %s: %v, want a ForbiddenError", action, name, err)
				}
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
		refused := func(t *testing.T, action string, do func(actor string, id int64) error) {
			t.Helper()
			refusedBy(t, forbiddenActors(), action, do)
		}
		activation := func(id int64) lifecycle.ActivateRequest {
			req := softClientRequest(sv, f.London.ID, []int64{id})
			req.Single = true
			return req
		}

		// Activate (and Prepare, Propose: the same checks).
		refused(t, "activate", func(actor string, id int64) error {
			_, err := lc.Activate(ctx, env.Actor(actor), 0, activation(id))
			return err
		})
		refused(t, "prepare", func(actor string, id int64) error {
			_, err := lc.Prepare(ctx, env.Actor(actor), 0, activation(id))
			return err
		})
		refused(t, "propose", func(actor string, id int64) error {
			_, err := lc.Propose(ctx, env.Actor(actor), 0, lifecycle.ActivateRequest{Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: id}}})
			return err
		})
		a, err := lc.Activate(ctx, env.Actor("acme.admin"), 0, activation(target))
		if err != nil {
			t.Fatalf("activate by acme.admin: %v", err)
		}
		if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
			t.Fatal(err)
		}

		// The job: its starter and the company's admins see it; the
		// others as if it did not exist.
		for _, name := range []string{"acme.admin", "acme.admin2", "operator", "acme.reseller"} {
			if _, err := env.App.Jobs.JobFor(ctx, env.Actor(name), a.Job.ID); err != nil {
				t.Errorf("job read by %s: %v", name, err)
			}
		}
		for _, name := range append([]string{"west.one", "sales.admin", "leeds.admin", "london.one"}, apptest.Outsiders...) {
			if _, err := env.App.Jobs.JobFor(ctx, env.Actor(name), a.Job.ID); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("job read by %s: %v, want ErrNotFound", name, err)
			}
			if _, _, err := env.App.Jobs.ItemsFor(ctx, env.Actor(name), a.Job.ID, store.Page{}); !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("job items read by %s: %v, want ErrNotFound", name, err)
			}
		}

		// Service Settings, Resubscribe, Cease on the now active employee.
		name := "Lo"
		viewers := forbiddenActors()
		delete(viewers, "london.one") // an employee sees their own service
		refusedBy(t, viewers, "view service", func(actor string, id int64) error {
			_, err := lc.ServiceOf(ctx, env.Actor(actor), id)
			return err
		})
		if _, err := lc.ServiceOf(ctx, env.Actor("london.one"), target); err != nil {
			t.Errorf("own service: %v", err)
		}
		refused(t, "change service", func(actor string, id int64) error {
			_, err := lc.ChangeService(ctx, env.Actor(actor), id, lifecycle.ServiceChange{CLIFirstName: &name})
			return err
		})
		refused(t, "resubscribe", func(actor string, id int64) error {
			_, err := lc.Resubscribe(ctx, env.Actor(actor), id)
			return err
		})
		refused(t, "cease", func(actor string, id int64) error {
			_, err := lc.Cease(ctx, env.Actor(actor), id)
			return err
		})
		for _, allowed := range []string{"acme.admin", "operator", "acme.reseller"} {
			if _, err := lc.ChangeService(ctx, env.Actor(allowed), target, lifecycle.ServiceChange{CLIFirstName: &name}); err != nil {
				t.Errorf("change service by %s: %v", allowed, err)
			}
		}
		if _, err := lc.Resubscribe(ctx, env.Actor("acme.admin2"), target); err != nil {
			t.Fatalf("resubscribe by acme.admin2: %v", err)
		}
		if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		svc, err := lc.Cease(ctx, env.Actor("acme.reseller"), target)
		if err != nil || svc.Status != "inactive" {
			t.Fatalf("cease by acme.reseller: %v (%s)", err, svc.Status)
		}
	})
}

// TestMultiActivationRefusesEachEmployeeAsMissing: in a multi-select
// activation an employee the actor may not activate is a field error of
// its row, worded exactly as for an id that does not exist; an outsider
// naming the company gets ErrNotFound; nothing changes.
func TestMultiActivationRefusesEachEmployeeAsMissing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		env.AddCast(t)
		f := env.Fixture
		ctx := context.Background()
		before := storetest.Counts(t, db)
		london := env.ID("london.one")
		for _, id := range []int64{london, missingEmployee} {
			_, err := env.App.Lifecycle.Activate(ctx, env.Actor("sales.admin"), 0, softClientRequest(sv, f.Leeds.ID, []int64{id}))
			var ve *derrors.ValidationError
			if !errors.As(err, &ve) || !hasField(ve, "employees[0].employee_id", fmt.Sprintf("employee %d does not exist", id)) {
				t.Errorf("activation of %d by sales.admin: %v, want employees[0].employee_id: employee %d does not exist", id, err, id)
			}
		}
		for _, name := range apptest.Outsiders {
			_, err := env.App.Lifecycle.Activate(ctx, env.Actor(name), f.Acme.ID, softClientRequest(sv, f.London.ID, []int64{london}))
			if !errors.Is(err, derrors.ErrNotFound) {
				t.Errorf("activation in Acme by %s: %v, want ErrNotFound", name, err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}

func hasField(ve *derrors.ValidationError, field, msg string) bool {
	for _, fe := range ve.Fields {
		if fe.Field == field && fe.Message == msg {
			return true
		}
	}
	return false
}

// TestClosedDatabaseIsNeverAFieldError: with the database closed under
// them, every lifecycle action fails with the fault, never with a field
// error, a conflict or a not-found answer the user would act on.
func TestClosedDatabaseIsNeverAFieldError(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		ctx := context.Background()
		admin := env.Actor("acme.admin")
		west := env.ID("west.one")
		req := softClientRequest(sv, env.Fixture.Leeds.ID, []int64{west})
		db.Close()
		name := "W"
		for action, err := range map[string]error{
			"activate": func() error { _, err := env.App.Lifecycle.Activate(ctx, admin, 0, req); return err }(),
			"change": func() error {
				_, err := env.App.Lifecycle.ChangeService(ctx, admin, west, lifecycle.ServiceChange{CLIFirstName: &name})
				return err
			}(),
			"cease": func() error { _, err := env.App.Lifecycle.Cease(ctx, admin, west); return err }(),
			"resub": func() error { _, err := env.App.Lifecycle.Resubscribe(ctx, admin, west); return err }(),
		} {
			if err == nil || errors.Is(err, derrors.ErrInvalid) || errors.Is(err, derrors.ErrNotFound) || errors.Is(err, derrors.ErrConflict) {
				t.Errorf("%s on a closed database: %v, want the fault itself", action, err)
			}
		}
	})
}
