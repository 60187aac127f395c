package sip

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// A reboot is a durable job (kind JobKindReboot) over a list of devices,
// each with the Business Portal's status: Not Started, Pending (the NOTIFY
// was sent), Success (the device was seen again after its NOTIFY was
// accepted) or Error with a reason. The job, on whichever node claims it,
// decides who must send each NOTIFY and watches the devices come back; the
// NOTIFYs themselves leave from the senders (RunSender) that every node
// with a SIP edge runs, each for the flows it holds, paced. See
// docs/sip.md, "Reboot".

// JobKindReboot is the job kind of a reboot.
const JobKindReboot = "sip.reboot"

// Reboot statuses of a device.
const (
	RebootNotStarted = "not_started"
	RebootPending    = "pending"
	RebootSuccess    = "success"
	RebootError      = "error"
)

// The guide's reasons of an Error.
const (
	ReasonNotRegistered = "Device not registered"
	ReasonTimeout       = "Reboot attempt timeout"
	ReasonInternal      = "Internal Server Error"
)

// anyNode in an item's node_id: any node with a SIP edge may send its
// NOTIFY (a UDP binding, or one behind an edge proxy).
const anyNode = "*"

// RebootLabel is the guide's name of a reboot status.
func RebootLabel(status string) string {
	switch status {
	case RebootNotStarted:
		return "Not Started"
	case RebootPending:
		return "Pending"
	case RebootSuccess:
		return "Success"
	case RebootError:
		return "Error"
	}
	return status
}

// RebootConfig tunes reboots; zero values take the defaults.
type RebootConfig struct {
	// Rate is how many NOTIFYs a second this node sends (default 500; see
	// docs/performance.md, "SIP bulk reboot", for why).
	Rate float64
	// Timeout is how long a device has to come back after its NOTIFY
	// (default 5 minutes: a desk phone takes one to three to reboot). The
	// launching node's value travels with the job.
	Timeout time.Duration
	// NotifyTimeout bounds the wait for the answer to one NOTIFY (default
	// 32 s, SIP's transaction time-out, or Timeout when shorter).
	NotifyTimeout time.Duration
	// Poll is how often the job and the senders look at the items
	// (default 500 ms).
	Poll   time.Duration
	Logger *slog.Logger
}

func (c *RebootConfig) defaults() {
	if c.Rate <= 0 {
		c.Rate = 500
	}
	if c.Timeout <= 0 {
		c.Timeout = 5 * time.Minute
	}
	if c.NotifyTimeout <= 0 {
		c.NotifyTimeout = 32 * time.Second
	}
	c.NotifyTimeout = min(c.NotifyTimeout, c.Timeout)
	if c.Poll <= 0 {
		c.Poll = 500 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// Reboots launches reboots, runs their jobs and shows their status.
type Reboots struct {
	db       *store.DB
	access   *access.Service
	audit    *audit.Log
	jobs     *jobs.Service
	registry *Registry
	cfg      RebootConfig
	// Lines, when set, answers a phone's challenge to its reboot NOTIFY
	// with the line's credentials (devices.Service).
	Lines LineSecrets
}

// LineSecrets reads a line's credentials with its password.
type LineSecrets interface {
	LineCredentialsOf(ctx context.Context, companyID, id int64) (devices.LineCredentials, error)
}

// NewReboots returns the reboot service and registers its job kind on js.
func NewReboots(db *store.DB, log *audit.Log, js *jobs.Service, registry *Registry, cfg RebootConfig) *Reboots {
	cfg.defaults()
	r := &Reboots{db: db, access: access.New(db), audit: log, jobs: js, registry: registry, cfg: cfg}
	js.Register(JobKindReboot, r.run)
	return r
}

// Configure replaces the configuration (the command line's flags).
func (r *Reboots) Configure(cfg RebootConfig) {
	cfg.defaults()
	r.cfg = cfg
}

// Config is the configuration in use.
func (r *Reboots) Config() RebootConfig { return r.cfg }

// RebootItem is one device of a reboot.
type RebootItem struct {
	DeviceID   int64      `json:"device_id"`
	Device     string     `json:"device"`
	Status     string     `json:"status"`
	Reason     string     `json:"reason,omitempty"`
	NotifiedAt *time.Time `json:"notified_at"`
	FinishedAt *time.Time `json:"finished_at"`
}

// Label is the guide's name of the item's status.
func (i RebootItem) Label() string { return RebootLabel(i.Status) }

// Reboot is a reboot job with its devices' statuses (the Reboot Status view).
type Reboot struct {
	JobID      int64      `json:"job_id"`
	CompanyID  int64      `json:"company_id"`
	SiteID     int64      `json:"site_id"`
	TypeID     int64      `json:"type_id,omitempty"`
	DeviceID   int64      `json:"device_id,omitempty"`
	LaunchedAt time.Time  `json:"launched_at"`
	ClearedAt  *time.Time `json:"cleared_at"`
	// Finished: no device is Not Started or Pending any more.
	Finished bool `json:"finished"`
	// AllSucceeded: finished and every device is Success; the reboot
	// button is offered again without Clear Job.
	AllSucceeded bool           `json:"all_succeeded"`
	Counts       map[string]int `json:"counts"`
	Items        []RebootItem   `json:"items"`
}

type rebootArgs struct {
	TimeoutMS int64   `json:"timeout_ms"`
	Rate      float64 `json:"rate"`
}

// RebootDevice reboots one device, as a job: whoever manages the device.
func (r *Reboots) RebootDevice(ctx context.Context, actor access.Actor, deviceID int64) (_ Reboot, err error) {
	defer derrors.Wrap(&err, "sip: reboot device %d", deviceID)
	if err := r.access.Check(ctx, actor, access.ManageDevices, access.Device(deviceID)); err != nil {
		return Reboot{}, err
	}
	var companyID, siteID int64
	var name string
	err = r.db.Q(ctx).QueryRow(ctx, "SELECT company_id, site_id, "+deviceNameSQL+" FROM devices d WHERE d.id = ?", deviceID).Scan(&companyID, &siteID, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return Reboot{}, derrors.ErrNotFound
	}
	if err != nil {
		return Reboot{}, err
	}
	return r.launch(ctx, companyID, siteID, 0, deviceID, []rebootDevice{{deviceID, name}},
		audit.Event{Event: "Reboot Device", ObjectKind: "device", ObjectID: deviceID, ObjectName: name, CompanyID: companyID, SiteID: siteID})
}

// RebootAfterReset reboots device deviceID because an action just changed
// what it must load — the devices' Reset calls it, inside its own
// transaction so that the reset and the reboot commit together: whoever
// manages the device (as RebootDevice), audited as Reboot Device. A
// device that another reboot has not finished with is left to that one
// (nothing is created, no error); an earlier reboot of the device that
// finished with errors does not hold this one back. An unregistered device
// gets its reboot all the same, which ends Device not registered (the
// Reboot Status says so). It returns the job id, 0 when nothing was
// launched.
func (r *Reboots) RebootAfterReset(ctx context.Context, actor access.Actor, deviceID int64) (jobID int64, err error) {
	defer derrors.Wrap(&err, "sip: reboot device %d after a reset", deviceID)
	if err := r.access.Check(ctx, actor, access.ManageDevices, access.Device(deviceID)); err != nil {
		return 0, err
	}
	var companyID, siteID int64
	var name string
	err = r.db.Q(ctx).QueryRow(ctx, "SELECT company_id, site_id, "+deviceNameSQL+" FROM devices d WHERE d.id = ?", deviceID).Scan(&companyID, &siteID, &name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, derrors.ErrNotFound
	}
	if err != nil {
		return 0, err
	}
	rb, err := r.launchWith(ctx, companyID, siteID, 0, deviceID, []rebootDevice{{deviceID, name}},
		audit.Event{Event: "Reboot Device", ObjectKind: "device", ObjectID: deviceID, ObjectName: name, CompanyID: companyID, SiteID: siteID}, true)
	var busy deviceBusyError
	if errors.As(err, &busy) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return rb.JobID, nil
}

// RebootDeviceType reboots every device of device type typeID at site
// siteID, as one job: whoever manages the site's devices.
func (r *Reboots) RebootDeviceType(ctx context.Context, actor access.Actor, siteID, typeID int64) (_ Reboot, err error) {
	defer derrors.Wrap(&err, "sip: reboot device type %d at site %d", typeID, siteID)
	companyID, err := r.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return Reboot{}, err
	}
	var typeName string
	err = r.db.Q(ctx).QueryRow(ctx, `SELECT t.vendor || ' ' || t.model FROM device_types t JOIN companies c ON c.provider_id = t.provider_id
		WHERE t.id = ? AND c.id = ?`, typeID, companyID).Scan(&typeName)
	if errors.Is(err, sql.ErrNoRows) {
		return Reboot{}, derrors.ErrNotFound
	}
	if err != nil {
		return Reboot{}, err
	}
	rows, err := r.db.Q(ctx).Query(ctx, "SELECT d.id, "+deviceNameSQL+" FROM devices d WHERE d.site_id = ? AND d.type_id = ? ORDER BY d.id", siteID, typeID)
	if err != nil {
		return Reboot{}, err
	}
	var list []rebootDevice
	for rows.Next() {
		var d rebootDevice
		if err := rows.Scan(&d.id, &d.name); err != nil {
			rows.Close()
			return Reboot{}, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return Reboot{}, err
	}
	if len(list) == 0 {
		return Reboot{}, derrors.Invalid("type_id", "the site has no %s devices to reboot", typeName)
	}
	var siteName string
	_ = r.db.Q(ctx).QueryRow(ctx, "SELECT name FROM org_groups WHERE id = ?", siteID).Scan(&siteName)
	return r.launch(ctx, companyID, siteID, typeID, 0, list,
		audit.Event{Event: "Reboot Devices", ObjectKind: "device_type", ObjectID: typeID, ObjectName: typeName + " at " + siteName,
			CompanyID: companyID, SiteID: siteID})
}

// deviceNameSQL names a device in a reboot's list: its label, else its MAC.
const deviceNameSQL = "CASE WHEN d.label <> '' THEN d.label || ' (' || d.mac || ')' ELSE d.mac END"

type rebootDevice struct {
	id   int64
	name string
}

// launch stores the reboot and its job in one transaction. A reboot of the
// same scope (the device, or the type at the site) that is not cleared and
// did not succeed everywhere holds the button: it must finish, or be
// cleared, first (the guide's Clear Job). A device is in one running
// reboot at most: a launch that includes a device another reboot has not
// finished with is refused, naming it. Launches at one site take turns
// (the site's row of sip_reboot_locks), so two at the same moment cannot
// both pass these checks.
func (r *Reboots) launch(ctx context.Context, companyID, siteID, typeID, deviceID int64, list []rebootDevice, ev audit.Event) (Reboot, error) {
	return r.launchWith(ctx, companyID, siteID, typeID, deviceID, list, ev, false)
}

// deviceBusyError is launch's refusal of a device another reboot has not
// finished with.
type deviceBusyError struct{ error }

func (e deviceBusyError) Unwrap() error { return e.error }

// launchWith is launch; afterChange skips the button's hold by an earlier
// reboot of the same scope that finished with errors (a reboot asked for by
// a change such as Reset must happen; the earlier one keeps its status
// until cleared).
func (r *Reboots) launchWith(ctx context.Context, companyID, siteID, typeID, deviceID int64, list []rebootDevice, ev audit.Event, afterChange bool) (Reboot, error) {
	var jobID int64
	err := r.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := r.db.Q(ctx).Exec(ctx, `INSERT INTO sip_reboot_locks (site_id, locked_at) VALUES (?, ?)
			ON CONFLICT (site_id) DO UPDATE SET locked_at = excluded.locked_at`, siteID, time.Now().UnixMilli()); err != nil {
			return err
		}
		var held int
		if err := r.db.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM sip_reboots x WHERE x.site_id = ? AND x.type_id = ? AND x.device_id = ? AND x.cleared_at = 0
			AND EXISTS (SELECT 1 FROM sip_reboot_items i WHERE i.job_id = x.job_id AND i.status <> ?)`,
			siteID, typeID, deviceID, RebootSuccess).Scan(&held); err != nil {
			return err
		}
		if held > 0 && !afterChange {
			return derrors.Conflict("reboot", "a reboot of these devices is still running or has devices in error: wait for it to finish, or clear it (Clear Job), then reboot again")
		}
		for start := 0; start < len(list); start += 500 {
			chunk := list[start:min(start+500, len(list))]
			args := []any{siteID, RebootNotStarted, RebootPending}
			for _, d := range chunk {
				args = append(args, d.id)
			}
			var busy string
			err := r.db.Q(ctx).QueryRow(ctx, `SELECT i.device_name FROM sip_reboot_items i JOIN sip_reboots x ON x.job_id = i.job_id
				WHERE x.site_id = ? AND i.status IN (?, ?) AND i.device_id IN (`+store.Placeholders(len(chunk))+`) ORDER BY i.device_id LIMIT 1`, args...).Scan(&busy)
			if err == nil {
				return deviceBusyError{derrors.Conflict("reboot", "the device %s is being rebooted by another reboot: wait for it to finish, then reboot again", busy)}
			}
			if !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		// The launch time is taken after the checks: a running reboot may
		// finish a device while this launch waits for the site, and the
		// checks above read what had finished when they ran, so every item
		// they found finished ended before this moment.
		now := time.Now().UTC().Truncate(time.Millisecond)
		args := fmt.Sprintf(`{"timeout_ms":%d,"rate":%g}`, r.cfg.Timeout.Milliseconds(), r.cfg.Rate)
		j, err := r.jobs.Enqueue(ctx, jobs.Job{CompanyID: companyID, Kind: JobKindReboot, Name: ev.Event + ": " + ev.ObjectName,
			Priority: jobs.PriorityHigh, Args: []byte(args)})
		if err != nil {
			return err
		}
		jobID = j.ID
		q := r.db.Q(ctx)
		if _, err := q.Exec(ctx, "INSERT INTO sip_reboots (job_id, company_id, site_id, type_id, device_id, launched_at) VALUES (?, ?, ?, ?, ?, ?)",
			jobID, companyID, siteID, typeID, deviceID, now.UnixMilli()); err != nil {
			return err
		}
		for start := 0; start < len(list); start += 200 {
			chunk := list[start:min(start+200, len(list))]
			vals := make([]string, len(chunk))
			args := make([]any, 0, 4*len(chunk))
			for i, d := range chunk {
				vals[i] = "(?, ?, ?, ?)"
				args = append(args, jobID, d.id, d.name, RebootNotStarted)
			}
			if _, err := q.Exec(ctx, "INSERT INTO sip_reboot_items (job_id, device_id, device_name, status) VALUES "+strings.Join(vals, ", "), args...); err != nil {
				return err
			}
		}
		ev.After = map[string]any{"job_id": jobID, "devices": len(list)}
		return r.audit.Record(ctx, ev)
	})
	if err != nil {
		return Reboot{}, err
	}
	return r.load(ctx, jobID)
}

// View is reboot jobID with its devices' statuses, for whoever manages
// the devices of its site; another company's answers ErrNotFound.
func (r *Reboots) View(ctx context.Context, actor access.Actor, jobID int64) (_ Reboot, err error) {
	defer derrors.Wrap(&err, "sip: reboot %d", jobID)
	if err := r.check(ctx, actor, jobID); err != nil {
		return Reboot{}, err
	}
	return r.load(ctx, jobID)
}

// check allows actor to manage the devices of reboot jobID's site.
func (r *Reboots) check(ctx context.Context, actor access.Actor, jobID int64) error {
	var siteID, companyID int64
	err := r.db.Q(ctx).QueryRow(ctx, "SELECT site_id, company_id FROM sip_reboots WHERE job_id = ?", jobID).Scan(&siteID, &companyID)
	if errors.Is(err, sql.ErrNoRows) {
		return derrors.ErrNotFound
	}
	if err != nil {
		return err
	}
	c, err := r.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return err
	}
	if c != companyID {
		return derrors.ErrNotFound
	}
	return nil
}

// Clear is the guide's Clear Job: a finished reboot no longer holds its
// reboot button. A reboot still running cannot be cleared.
func (r *Reboots) Clear(ctx context.Context, actor access.Actor, jobID int64) (err error) {
	defer derrors.Wrap(&err, "sip: clear reboot %d", jobID)
	if err := r.check(ctx, actor, jobID); err != nil {
		return err
	}
	return r.db.Tx(ctx, func(ctx context.Context) error {
		rb, err := r.load(ctx, jobID)
		if err != nil {
			return err
		}
		if rb.ClearedAt != nil {
			return derrors.Conflict("reboot", "this reboot job was already cleared")
		}
		if !rb.Finished {
			return derrors.Conflict("reboot", "the reboot is still running: %d devices are Not Started or Pending; clear it when it has finished", rb.Counts[RebootNotStarted]+rb.Counts[RebootPending])
		}
		now := time.Now().UnixMilli()
		if _, err := r.db.Q(ctx).Exec(ctx, "UPDATE sip_reboots SET cleared_at = ? WHERE job_id = ?", now, jobID); err != nil {
			return err
		}
		return r.audit.Record(ctx, audit.Event{Event: "Clear Reboot Job", ObjectKind: "job", ObjectID: jobID, ObjectName: fmt.Sprintf("reboot %d", jobID),
			CompanyID: rb.CompanyID, SiteID: rb.SiteID, After: map[string]any{"counts": rb.Counts}})
	})
}

// SiteReboots lists the reboots of a site that still hold their button
// (not cleared, and not all succeeded), newest first: where the Devices
// page shows a Reboot Status link instead of the reboot button.
func (r *Reboots) SiteReboots(ctx context.Context, actor access.Actor, siteID int64) (_ []Reboot, err error) {
	defer derrors.Wrap(&err, "sip: reboots of site %d", siteID)
	if _, err := r.access.CheckSite(ctx, actor, access.ManageDevices, siteID); err != nil {
		return nil, err
	}
	ids, err := r.db.Q(ctx).IDs(ctx, `SELECT x.job_id FROM sip_reboots x WHERE x.site_id = ? AND x.cleared_at = 0
		AND EXISTS (SELECT 1 FROM sip_reboot_items i WHERE i.job_id = x.job_id AND i.status <> ?) ORDER BY x.job_id DESC`, siteID, RebootSuccess)
	if err != nil {
		return nil, err
	}
	out := make([]Reboot, 0, len(ids))
	for _, id := range ids {
		rb, err := r.load(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, rb)
	}
	return out, nil
}

func (r *Reboots) load(ctx context.Context, jobID int64) (Reboot, error) {
	rb := Reboot{JobID: jobID, Counts: map[string]int{}}
	var launched, cleared int64
	err := r.db.Q(ctx).QueryRow(ctx, "SELECT company_id, site_id, type_id, device_id, launched_at, cleared_at FROM sip_reboots WHERE job_id = ?", jobID).
		Scan(&rb.CompanyID, &rb.SiteID, &rb.TypeID, &rb.DeviceID, &launched, &cleared)
	if errors.Is(err, sql.ErrNoRows) {
		return Reboot{}, derrors.ErrNotFound
	}
	if err != nil {
		return Reboot{}, err
	}
	rb.LaunchedAt = store.Time(launched)
	if cleared > 0 {
		t := store.Time(cleared)
		rb.ClearedAt = &t
	}
	rows, err := r.db.Q(ctx).Query(ctx, "SELECT device_id, device_name, status, reason, notified_at, finished_at FROM sip_reboot_items WHERE job_id = ? ORDER BY device_name, device_id", jobID)
	if err != nil {
		return Reboot{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var it RebootItem
		var notified, finished int64
		if err := rows.Scan(&it.DeviceID, &it.Device, &it.Status, &it.Reason, &notified, &finished); err != nil {
			return Reboot{}, err
		}
		if notified > 0 {
			t := store.Time(notified)
			it.NotifiedAt = &t
		}
		if finished > 0 {
			t := store.Time(finished)
			it.FinishedAt = &t
		}
		rb.Counts[it.Status]++
		rb.Items = append(rb.Items, it)
	}
	if err := rows.Err(); err != nil {
		return Reboot{}, err
	}
	rb.Finished = rb.Counts[RebootNotStarted]+rb.Counts[RebootPending] == 0
	rb.AllSucceeded = rb.Finished && rb.Counts[RebootSuccess] == len(rb.Items)
	return rb, nil
}
