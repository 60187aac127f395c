package sip_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// rebootRig is a rig with a job worker, the reboot service and this
// node's NOTIFY sender running, a company administrator, and more phones
// of the rig's device type at its site.
type rebootRig struct {
	*rig
	jobs    *jobs.Service
	reboots *sip.Reboots
	admin   access.Actor
	phones  []phone
}

type phone struct {
	device devices.Device
	line   devices.LineCredentials
}

func newRebootRig(t *testing.T, db *store.DB, extra int, cfg sip.RebootConfig) *rebootRig {
	t.Helper()
	ctx := context.Background()
	r := &rebootRig{rig: newRig(t, db, sip.Config{})}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() {
		logger = slog.Default()
	}
	cfg.Logger = logger
	r.jobs = jobs.New(db, r.log, logger)
	r.reboots = sip.NewReboots(db, r.log, r.jobs, r.registry, cfg)
	dir := directory.New(db, r.log)
	admin, err := dir.CreateEmployee(ctx, r.device.CompanyID, r.provider, directory.EmployeeCreateRequest{Username: "boss", Role: access.RoleCompanyAdmin, FirstName: "B", LastName: "Oss"}, "")
	if err != nil {
		t.Fatal(err)
	}
	r.admin = access.Actor{AccountID: admin.ID, Username: "boss", Role: access.RoleCompanyAdmin, ProviderID: r.provider, CompanyID: r.device.CompanyID}
	r.phones = []phone{{r.device, r.line}}
	for i := range extra {
		e, err := dir.CreateEmployee(ctx, r.device.CompanyID, r.provider, directory.EmployeeCreateRequest{Username: fmt.Sprintf("emp%d", i), Role: access.RoleEmployee,
			FirstName: "E", LastName: fmt.Sprint(i)}, "")
		if err != nil {
			t.Fatal(err)
		}
		d, err := r.devices.Create(ctx, r.provider, r.device.CompanyID, devices.DeviceCreateRequest{SiteID: r.device.SiteID, TypeID: r.device.TypeID,
			MAC: fmt.Sprintf("00:15:65:00:%02X:%02X", i/256, i%256)})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.devices.AssignPrimary(ctx, r.device.CompanyID, r.device.SiteID, d.ID, e.ID); err != nil {
			t.Fatal(err)
		}
		l, err := r.devices.ProvisionPrimaryLine(ctx, r.device.CompanyID, e.ID)
		if err != nil {
			t.Fatal(err)
		}
		r.phones = append(r.phones, phone{d, l})
	}
	wctx, cancel := context.WithCancel(context.Background())
	worker := r.jobs.NewWorker(jobs.WorkerConfig{PollInterval: 50 * time.Millisecond})
	done := make(chan struct{}, 2)
	go func() { _ = worker.Run(wctx); done <- struct{}{} }()
	go func() { r.reboots.RunSender(wctx, r.edge); done <- struct{}{} }()
	t.Cleanup(func() { cancel(); <-done; <-done })
	return r
}

func (r *rebootRig) waitRegistered(t *testing.T, ps ...phone) {
	t.Helper()
	for _, p := range ps {
		waitFor(t, "the binding of "+p.line.Username, func() bool {
			bs, _ := r.registry.LineBindings(context.Background(), p.line.ID)
			return len(bs) > 0
		})
	}
}

func item(rb sip.Reboot, deviceID int64) sip.RebootItem {
	for _, it := range rb.Items {
		if it.DeviceID == deviceID {
			return it
		}
	}
	return sip.RebootItem{}
}

// TestBulkReboot reboots every phone of a device type at a site, with real
// phones (sipp): one answers the NOTIFY and registers again (Success), one
// answers and is then seen fetching its configuration (Success), one
// answers 200 but never comes back and one never answers the NOTIFY
// (both Reboot attempt timeout: a 200 alone is not a reboot), and one is
// not registered (Device not registered, sent nothing). The reboot holds
// the button until it is cleared.
func TestBulkReboot(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRebootRig(t, db, 4, sip.RebootConfig{Rate: 20, Timeout: 8 * time.Second, NotifyTimeout: 2 * time.Second, Poll: 50 * time.Millisecond})
		back, fetches, silent200, deaf, unregistered := r.phones[0], r.phones[1], r.phones[2], r.phones[3], r.phones[4]
		hold := []string{"expires", "600", "want_expires", "(600|599)", "hold", "8000", "event", "check-sync"}
		runs := []sippRun{
			startSipp(t, r.udp, "udp", "register_and_wait.xml", "notify_ooc.xml", back.line.Username, back.line.Password, hold...),
			startSipp(t, r.udp, "udp", "register_and_wait.xml", "notify_ooc.xml", fetches.line.Username, fetches.line.Password, hold...),
			startSipp(t, r.tcp, "tcp", "register_and_wait.xml", "notify_ooc.xml", silent200.line.Username, silent200.line.Password, hold...),
			startSipp(t, r.udp, "udp", "register_and_wait.xml", "notify_ignore.xml", deaf.line.Username, deaf.line.Password, hold...),
		}
		r.waitRegistered(t, back, fetches, silent200, deaf)

		rb, err := r.reboots.RebootDeviceType(ctx, r.admin, r.device.SiteID, r.device.TypeID)
		if err != nil {
			t.Fatal(err)
		}
		if len(rb.Items) != 5 || rb.Finished || rb.Counts[sip.RebootNotStarted] != 5 {
			t.Fatalf("launched reboot = %+v", rb)
		}
		// A second reboot of the same devices waits for this one.
		if _, err := r.reboots.RebootDeviceType(ctx, r.admin, r.device.SiteID, r.device.TypeID); !errors.Is(err, derrors.ErrConflict) {
			t.Fatalf("second reboot while running: %v", err)
		}
		view := func() sip.Reboot {
			t.Helper()
			rb, err := r.reboots.View(ctx, r.admin, rb.JobID)
			if err != nil {
				t.Fatal(err)
			}
			return rb
		}
		waitFor(t, "the NOTIFYs", func() bool {
			v := view()
			return item(v, back.device.ID).Status == sip.RebootPending && item(v, fetches.device.ID).Status == sip.RebootPending
		})
		// The phone comes back: a new REGISTER after its NOTIFY.
		sipp(t, r.udp, "udp", "register.xml", back.line.Username, back.line.Password, "expires", "600", "want_expires", "(600|599)")
		// The other fetches its configuration.
		if err := r.devices.MarkSeen(ctx, fetches.device.ID, time.Now()); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the reboot to finish", func() bool { return view().Finished })
		v := view()
		for _, tc := range []struct {
			name           string
			p              phone
			status, reason string
		}{
			{"re-registered", back, sip.RebootSuccess, ""},
			{"fetched its configuration", fetches, sip.RebootSuccess, ""},
			{"answered 200 and never came back", silent200, sip.RebootError, sip.ReasonTimeout},
			{"never answered", deaf, sip.RebootError, sip.ReasonTimeout},
			{"not registered", unregistered, sip.RebootError, sip.ReasonNotRegistered},
		} {
			it := item(v, tc.p.device.ID)
			if it.Status != tc.status || it.Reason != tc.reason {
				t.Errorf("%s: %s %q, want %s %q", tc.name, it.Status, it.Reason, tc.status, tc.reason)
			}
			if sent := it.NotifiedAt != nil; sent != (tc.p != unregistered) {
				t.Errorf("%s: NOTIFY sent = %v", tc.name, sent)
			}
		}
		for _, run := range runs {
			if err := run.wait(); err != nil {
				t.Fatal(err)
			}
		}
		// The job completed with an item per device.
		waitFor(t, "the job to complete", func() bool {
			j, err := r.jobs.Job(ctx, jobs.AllCompanies, rb.JobID)
			return err == nil && j.Status == jobs.StatusCompleted
		})
		counts, err := r.jobs.ItemCounts(ctx, jobs.AllCompanies, rb.JobID)
		if err != nil || counts[jobs.ItemOK] != 2 || counts[jobs.ItemError] != 3 {
			t.Errorf("job items = %v, %v", counts, err)
		}
		// Devices in error hold the button until Clear Job.
		if held, _ := r.reboots.SiteReboots(ctx, r.admin, r.device.SiteID); len(held) != 1 {
			t.Fatalf("site reboots = %+v", held)
		}
		if err := r.reboots.Clear(ctx, r.admin, rb.JobID); err != nil {
			t.Fatal(err)
		}
		if err := r.reboots.Clear(ctx, r.admin, rb.JobID); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("clear twice: %v", err)
		}
		if held, _ := r.reboots.SiteReboots(ctx, r.admin, r.device.SiteID); len(held) != 0 {
			t.Fatalf("site reboots after Clear Job = %+v", held)
		}
		if n := auditCount(t, r.rig, "Reboot Devices"); n != 1 {
			t.Errorf("Reboot Devices audited %d times", n)
		}
		if n := auditCount(t, r.rig, "Clear Reboot Job"); n != 1 {
			t.Errorf("Clear Reboot Job audited %d times", n)
		}
	})
}

// TestRebootDevice reboots one device: unregistered, it ends at once in
// Device not registered; a running reboot cannot be cleared; another
// company's administrator finds neither the device nor the reboot.
func TestRebootDevice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRebootRig(t, db, 0, sip.RebootConfig{Rate: 20, Timeout: 3 * time.Second, NotifyTimeout: time.Second, Poll: 50 * time.Millisecond})
		ten := tenancy.New(db, r.log)
		other, err := ten.CreateCompany(ctx, r.provider, tenancy.CompanyCreateRequest{Name: "Globex"})
		if err != nil {
			t.Fatal(err)
		}
		oa, err := directory.New(db, r.log).CreateEmployee(ctx, other.ID, r.provider, directory.EmployeeCreateRequest{Username: "globex.boss", Role: access.RoleCompanyAdmin, FirstName: "G", LastName: "B"}, "")
		if err != nil {
			t.Fatal(err)
		}
		outsider := access.Actor{AccountID: oa.ID, Username: "globex.boss", Role: access.RoleCompanyAdmin, ProviderID: r.provider, CompanyID: other.ID}
		before := storetest.Counts(t, db)
		if _, err := r.reboots.RebootDevice(ctx, outsider, r.device.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Fatalf("another company's reboot: %v", err)
		}
		if _, err := r.reboots.RebootDeviceType(ctx, outsider, r.device.SiteID, r.device.TypeID); !errors.Is(err, derrors.ErrNotFound) {
			t.Fatalf("another company's bulk reboot: %v", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))

		rb, err := r.reboots.RebootDevice(ctx, r.admin, r.device.ID)
		if err != nil {
			t.Fatal(err)
		}
		if rb.DeviceID != r.device.ID || len(rb.Items) != 1 {
			t.Fatalf("reboot = %+v", rb)
		}
		if err := r.reboots.Clear(ctx, r.admin, rb.JobID); err != nil && !errors.Is(err, derrors.ErrConflict) {
			t.Fatalf("clear a running reboot: %v", err)
		}
		if _, err := r.reboots.View(ctx, outsider, rb.JobID); !errors.Is(err, derrors.ErrNotFound) {
			t.Fatalf("another company's view: %v", err)
		}
		waitFor(t, "the reboot to finish", func() bool {
			v, err := r.reboots.View(ctx, r.admin, rb.JobID)
			return err == nil && v.Finished
		})
		v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
		if it := v.Items[0]; it.Status != sip.RebootError || it.Reason != sip.ReasonNotRegistered || it.NotifiedAt != nil {
			t.Fatalf("unregistered device = %+v", it)
		}
		if err := r.reboots.Clear(ctx, outsider, rb.JobID); !errors.Is(err, derrors.ErrNotFound) {
			t.Fatalf("another company clears: %v", err)
		}
	})
}

// TestRebootOnTwoNodes: a phone registered over TCP with node B is
// rebooted from node B, the node holding its connection, while node A's
// sender (same database) leaves it alone; a UDP phone registered with
// node A may be sent from either.
func TestRebootOnTwoNodes(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRebootRig(t, db, 1, sip.RebootConfig{Rate: 20, Timeout: 8 * time.Second, NotifyTimeout: 2 * time.Second, Poll: 50 * time.Millisecond})
		nodeB, err := sip.New(sip.Config{Listen: []sip.Listen{{Network: "tcp", Addr: "127.0.0.1:0"}}, Realm: realm, ProviderID: r.provider, NodeID: "node-b",
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, r.devices, r.registry, r.log)
		if err != nil {
			t.Fatal(err)
		}
		bctx, cancel := context.WithCancel(context.Background())
		if err := nodeB.Start(bctx); err != nil {
			t.Fatal(err)
		}
		senderB := make(chan struct{})
		go func() { r.reboots.RunSender(bctx, nodeB); close(senderB) }()
		t.Cleanup(func() { cancel(); <-senderB; nodeB.Close() })
		tcpB := nodeB.Bound()[0].Addr

		onB, onA := r.phones[0], r.phones[1]
		hold := []string{"expires", "600", "want_expires", "(600|599)", "hold", "8000", "event", "check-sync"}
		runs := []sippRun{
			startSipp(t, tcpB, "tcp", "register_and_wait.xml", "notify_ooc.xml", onB.line.Username, onB.line.Password, hold...),
			startSipp(t, r.udp, "udp", "register_and_wait.xml", "notify_ooc.xml", onA.line.Username, onA.line.Password, hold...),
		}
		r.waitRegistered(t, onB, onA)
		if bs, _ := r.registry.LineBindings(ctx, onB.line.ID); len(bs) != 1 || bs[0].NodeID != "node-b" || bs[0].Transport != "TCP" {
			t.Fatalf("node B's binding = %+v", bs)
		}
		rb, err := r.reboots.RebootDeviceType(ctx, r.admin, r.device.SiteID, r.device.TypeID)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "both NOTIFYs", func() bool {
			v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
			return item(v, onB.device.ID).Status == sip.RebootPending && item(v, onA.device.ID).Status == sip.RebootPending
		})
		sipp(t, tcpB, "tcp", "register.xml", onB.line.Username, onB.line.Password, "expires", "600", "want_expires", "(600|599)")
		sipp(t, r.udp, "udp", "register.xml", onA.line.Username, onA.line.Password, "expires", "600", "want_expires", "(600|599)")
		waitFor(t, "the reboot to finish", func() bool {
			v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
			return v.Finished
		})
		v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
		if !v.AllSucceeded {
			t.Fatalf("reboot on two nodes = %+v", v.Items)
		}
		for _, run := range runs {
			if err := run.wait(); err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestRebootAnswersTheChallenge: a phone that challenges its reboot NOTIFY
// gets it again, authenticated with its line's credentials, accepts it
// (sipp checks the answer against the password) and comes back.
func TestRebootAnswersTheChallenge(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRebootRig(t, db, 0, sip.RebootConfig{Rate: 20, Timeout: 8 * time.Second, NotifyTimeout: 2 * time.Second, Poll: 50 * time.Millisecond})
		r.reboots.Lines = r.devices
		run := startSipp(t, r.udp, "udp", "register_and_wait.xml", "notify_auth_ooc.xml", r.line.Username, r.line.Password,
			"expires", "600", "want_expires", "(600|599)", "hold", "8000", "user", r.line.Username, "password", r.line.Password, "realm", "phone.test.invalid")
		r.waitRegistered(t, r.phones[0])
		rb, err := r.reboots.RebootDevice(ctx, r.admin, r.device.ID)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the NOTIFY", func() bool {
			v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
			return v.Items[0].Status != sip.RebootNotStarted
		})
		sipp(t, r.udp, "udp", "register.xml", r.line.Username, r.line.Password, "expires", "600", "want_expires", "(600|599)")
		waitFor(t, "the reboot to finish", func() bool {
			v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
			return v.Finished
		})
		if v, _ := r.reboots.View(ctx, r.admin, rb.JobID); !v.AllSucceeded {
			t.Fatalf("challenged reboot = %+v", v.Items)
		}
		if err := run.wait(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestConcurrentRebootLaunches: eight launches of the same device type at
// a site at the same moment, and a reboot of one of its devices, on both
// engines: at most one bulk reboot is created, the other launches are 409, and
// no device is ever in two running reboots — the single-device reboot is
// either refused or ran before the bulk one took the device (its item had
// finished when the other was launched). Every device of the reboots
// settles (none stays Not Started or Pending: no status lost).
func TestConcurrentRebootLaunches(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRebootRig(t, db, 5, sip.RebootConfig{Rate: 100, Timeout: 2 * time.Second, NotifyTimeout: time.Second, Poll: 50 * time.Millisecond})
		const launches = 8
		type result struct {
			single bool
			rb     sip.Reboot
			err    error
		}
		results := make(chan result, launches+1)
		start := make(chan struct{})
		for i := range launches + 1 {
			go func() {
				<-start
				res := result{single: i == launches}
				if res.single {
					res.rb, res.err = r.reboots.RebootDevice(ctx, r.admin, r.phones[3].device.ID)
				} else {
					res.rb, res.err = r.reboots.RebootDeviceType(ctx, r.admin, r.device.SiteID, r.device.TypeID)
				}
				results <- res
			}()
		}
		close(start)
		var bulk, all []sip.Reboot
		for range launches + 1 {
			res := <-results
			switch {
			case res.err == nil:
				all = append(all, res.rb)
				if !res.single {
					bulk = append(bulk, res.rb)
				}
			case errors.Is(res.err, derrors.ErrConflict):
			default:
				t.Fatalf("launch: %v", res.err)
			}
		}
		// One bulk reboot, or none when the single-device reboot came first
		// and still had the device (the bulk launches are then refused).
		if len(bulk) > 1 || len(all) == 0 {
			t.Fatalf("%d bulk reboots and %d in all launched at once", len(bulk), len(all))
		}
		for _, rb := range all {
			waitFor(t, "the reboots to finish", func() bool {
				v, err := r.reboots.View(ctx, r.admin, rb.JobID)
				return err == nil && v.Finished
			})
			v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
			for _, it := range v.Items {
				if it.Status != sip.RebootError || it.Reason != sip.ReasonNotRegistered || it.FinishedAt == nil {
					t.Errorf("job %d, device %d: %s %q, want Error: Device not registered", rb.JobID, it.DeviceID, it.Status, it.Reason)
				}
			}
		}
		// A device in two reboots: the later launched after the earlier's
		// item for it had finished.
		var overlaps int
		if err := db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM sip_reboot_items a JOIN sip_reboots ra ON ra.job_id = a.job_id
			JOIN sip_reboot_items b ON b.device_id = a.device_id AND b.job_id <> a.job_id JOIN sip_reboots rb ON rb.job_id = b.job_id
			WHERE ra.launched_at <= rb.launched_at AND a.job_id < b.job_id AND a.finished_at > rb.launched_at`).Scan(&overlaps); err != nil || overlaps != 0 {
			t.Fatalf("devices in two running reboots = %d, %v", overlaps, err)
		}
		if n := auditCount(t, r.rig, "Reboot Devices") + auditCount(t, r.rig, "Reboot Device"); n != len(all) {
			t.Errorf("launches audited %d times, want %d", n, len(all))
		}
	})
}

// TestRebootRefusesABusyDevice: while a bulk reboot has not finished with
// a device, a reboot of that device alone is refused, naming it.
func TestRebootRefusesABusyDevice(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRebootRig(t, db, 1, sip.RebootConfig{Rate: 20, Timeout: 8 * time.Second, NotifyTimeout: 2 * time.Second, Poll: 50 * time.Millisecond})
		// A registered phone that ignores its NOTIFY keeps its item Pending.
		run := startSipp(t, r.udp, "udp", "register_and_wait.xml", "notify_ignore.xml", r.line.Username, r.line.Password,
			"expires", "600", "want_expires", "(600|599)", "hold", "3000", "event", "check-sync")
		r.waitRegistered(t, r.phones[0])
		if _, err := r.reboots.RebootDeviceType(ctx, r.admin, r.device.SiteID, r.device.TypeID); err != nil {
			t.Fatal(err)
		}
		before := storetest.Counts(t, db)
		_, err := r.reboots.RebootDevice(ctx, r.admin, r.device.ID)
		var conflict *derrors.ConflictError
		if !errors.As(err, &conflict) || !strings.Contains(conflict.Message, "00:15:65:12:34:56") && !strings.Contains(conflict.Message, "001565123456") {
			t.Fatalf("reboot of a device in a running bulk reboot: %v", err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if err := run.wait(); err != nil {
			t.Fatal(err)
		}
	})
}

// TestRebootAfterReset: the reboot a Reset asks for is launched even while
// an earlier reboot of the device that ended in error holds the button; a
// device a running reboot has is left to it (nothing created); another
// company's administrator finds no device.
func TestRebootAfterReset(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRebootRig(t, db, 0, sip.RebootConfig{Rate: 20, Timeout: 8 * time.Second, NotifyTimeout: 2 * time.Second, Poll: 50 * time.Millisecond})
		if _, err := r.reboots.RebootAfterReset(ctx, access.Actor{Role: access.RoleCompanyAdmin, ProviderID: r.provider, CompanyID: r.device.CompanyID + 1000, AccountID: 1}, r.device.ID); !errors.Is(err, derrors.ErrNotFound) {
			t.Fatalf("another company's reset reboot: %v", err)
		}
		// An earlier reboot, finished in error (not registered), holds the
		// button…
		first, err := r.reboots.RebootDevice(ctx, r.admin, r.device.ID)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, "the first reboot to finish", func() bool {
			v, err := r.reboots.View(ctx, r.admin, first.JobID)
			return err == nil && v.Finished
		})
		if _, err := r.reboots.RebootDevice(ctx, r.admin, r.device.ID); !errors.Is(err, derrors.ErrConflict) {
			t.Fatalf("second manual reboot: %v, want 409", err)
		}
		// …but not the reboot after a reset. The phone ignores its NOTIFY,
		// so that reboot stays Pending for a while.
		run := startSipp(t, r.udp, "udp", "register_and_wait.xml", "notify_ignore.xml", r.line.Username, r.line.Password,
			"expires", "600", "want_expires", "(600|599)", "hold", "3000", "event", "check-sync")
		r.waitRegistered(t, r.phones[0])
		job, err := r.reboots.RebootAfterReset(ctx, r.admin, r.device.ID)
		if err != nil || job == 0 {
			t.Fatalf("reboot after reset: %d, %v", job, err)
		}
		// A second reset while that reboot runs: left to it.
		before := storetest.Counts(t, db)
		if again, err := r.reboots.RebootAfterReset(ctx, r.admin, r.device.ID); err != nil || again != 0 {
			t.Fatalf("reset during a running reboot: %d, %v", again, err)
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		if err := run.wait(); err != nil {
			t.Fatal(err)
		}
	})
}
