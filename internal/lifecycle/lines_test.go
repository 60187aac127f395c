package lifecycle_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestActivationIssuesLines: with line credentials configured, activating
// employees (the batch path) gives each device a SIP line named after the
// employee's number, audited; a change of number in Service Settings
// renames the line (new credentials); a save that touches neither keeps
// the line and its password.
func TestActivationIssuesLines(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		key := make([]byte, 32)
		_, _ = rand.Read(key)
		sealer, err := devices.NewSealer(key)
		if err != nil {
			t.Fatal(err)
		}
		env.App.Devices.Lines.Sealer, env.App.Devices.Lines.Domain = sealer, "voice.example.net"
		sv := env.SeedService(t)
		f := env.Fixture
		admin := env.Actor("acme.admin")
		ids := hire(t, env, f.Support, "lines", 3)
		a, err := env.App.Lifecycle.Activate(ctx, admin, 0, softClientRequest(sv, f.London.ID, ids))
		if err != nil {
			t.Fatal(err)
		}
		j, err := env.App.Jobs.Job(ctx, f.Acme.ID, a.Job.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep := &memReporter{}
		if err := env.App.Lifecycle.RunActivate(ctx, &j, rep); err != nil {
			t.Fatalf("run: %v (%v)", err, rep.items)
		}
		lineOf := func(id int64) devices.Line {
			t.Helper()
			d, err := env.App.Devices.PrimaryDevice(ctx, f.Acme.ID, id)
			if err != nil {
				t.Fatal(err)
			}
			ls, err := env.App.Devices.DeviceLines(ctx, f.Acme.ID, d.ID)
			if err != nil || len(ls) != 1 {
				t.Fatalf("lines of employee %d's device = %+v, %v", id, ls, err)
			}
			return ls[0]
		}
		for _, id := range ids {
			svc, err := env.App.Lifecycle.Service(ctx, f.Acme.ID, id)
			if err != nil || svc.Number == nil {
				t.Fatalf("service of %d: %+v, %v", id, svc, err)
			}
			if l := lineOf(id); l.Username != strings.TrimPrefix(svc.Number.E164, "+") || l.Realm != "voice.example.net" || l.AccountID != id {
				t.Errorf("employee %d (number %s): line %+v", id, svc.Number.E164, l)
			}
		}
		var audited int
		if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE event = 'Issue Line Credentials'").Scan(&audited); err != nil || audited != len(ids) {
			t.Errorf("Issue Line Credentials audited %d times, want %d (%v)", audited, len(ids), err)
		}

		// A save that changes neither number nor device keeps the line.
		before := lineOf(ids[0])
		name := "Renamed"
		if _, err := env.App.Lifecycle.ChangeService(ctx, admin, ids[0], lifecycle.ServiceChange{CLIFirstName: &name}); err != nil {
			t.Fatal(err)
		}
		if l := lineOf(ids[0]); l.Username != before.Username || !l.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("line after an unrelated save = %+v, was %+v", l, before)
		}
		// A new number: the line follows it.
		free, err := env.App.Lifecycle.FreeNumbers(ctx, f.Acme.ID, f.London.ID)
		if err != nil || len(free) == 0 {
			t.Fatalf("free numbers: %v, %v", free, err)
		}
		number := free[0].E164
		if _, err := env.App.Lifecycle.ChangeService(ctx, admin, ids[0], lifecycle.ServiceChange{Number: &number}); err != nil {
			t.Fatal(err)
		}
		if l := lineOf(ids[0]); l.Username != strings.TrimPrefix(number, "+") || l.ID != before.ID {
			t.Errorf("line after the number changed to %s = %+v (was %+v)", number, l, before)
		}
	})
}
