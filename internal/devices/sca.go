package devices

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Shared call appearances: the employee's line on further devices of their
// site, the employee's Devices tab (docs/devices.md, "Shared call
// appearances"). Each is a line of appearance 1..5 with its own
// credentials on that device, which the provisioning server writes as one
// more registration of the phone.

// MaxSharedAppearances is how many devices besides the primary one may
// carry an employee's line.
const MaxSharedAppearances = 5

// SharedAppearanceFeature is the catalog feature code that, when the
// provider sells it, an employee needs to have shared appearances added.
const SharedAppearanceFeature = "shared_call_appearance"

// FeatureState answers, for an employee, whether the provider's catalog
// has the feature code at all (sold) and whether it is active for them
// (granted by their package or add-ons and available to them and their
// site). The features package provides it (wired by the app).
type FeatureState func(ctx context.Context, employeeID int64, code string) (sold, active bool, err error)

// SharedAppearance is one shared call appearance of an employee, without
// its password.
type SharedAppearance struct {
	LineID     int64  `json:"line_id"`
	Appearance int    `json:"appearance"`
	DeviceID   int64  `json:"device_id"`
	DeviceName string `json:"device_name"`
	MAC        string `json:"mac"`
	TypeName   string `json:"type_name"`
	// DeviceUser is the name of the employee whose primary device it is;
	// "" for a device nobody uses as their primary one.
	DeviceUser string `json:"device_user"`
	Username   string `json:"username"`
	Realm      string `json:"realm"`
	// AlertAllAppearances: a click-to-dial call alerts every appearance
	// of the line, not only the primary device.
	AlertAllAppearances bool `json:"alert_all_appearances"`
	// AllowCallMove: a call in progress on another device of the line may
	// be moved to this one.
	AllowCallMove bool      `json:"allow_call_move"`
	CreatedAt     time.Time `json:"created_at"`
}

// SharedAppearanceCredentials is an appearance just added, with its SIP
// password (shown once, like a primary line's).
type SharedAppearanceCredentials struct {
	SharedAppearance
	Password string `json:"password"`
}

// EmployeeDevices is the employee's Devices tab.
type EmployeeDevices struct {
	EmployeeID int64 `json:"employee_id"`
	// SiteID is the employee's site (0: not activated, no devices).
	SiteID      int64              `json:"site_id"`
	Primary     *Device            `json:"primary"`
	Appearances []SharedAppearance `json:"shared_appearances"`
	Max         int                `json:"max_shared_appearances"`
	// FeatureSold: the provider sells the Shared Call Appearance feature,
	// so an employee needs it active (FeatureActive) to get appearances.
	FeatureSold   bool `json:"feature_sold"`
	FeatureActive bool `json:"feature_active"`
	// AddRefused says why an appearance cannot be added now ("": it can).
	AddRefused string `json:"add_refused,omitempty"`
}

// NewDeviceRequest is a device created for the appearance in the same
// step, as the Devices tab's New Device makes one (docs/devices.md).
type NewDeviceRequest struct {
	Name   string `json:"name"`
	TypeID int64  `json:"type_id"`
	MAC    string `json:"mac"`
}

// SharedAppearanceRequest adds a shared appearance on an existing device of
// the employee's site (DeviceID) or on a new one (NewDevice): exactly one.
type SharedAppearanceRequest struct {
	DeviceID            int64             `json:"device_id"`
	NewDevice           *NewDeviceRequest `json:"new_device"`
	AlertAllAppearances bool              `json:"alert_all_appearances"`
	AllowCallMove       bool              `json:"allow_call_move"`
}

// SharedAppearanceUpdate changes an appearance's options; nil keeps one.
type SharedAppearanceUpdate struct {
	AlertAllAppearances *bool `json:"alert_all_appearances"`
	AllowCallMove       *bool `json:"allow_call_move"`
}

// scaEmployee is the employee whose devices are managed.
type scaEmployee struct {
	id, companyID, providerID, siteID int64
	// name is for messages ("First Last"), username for audit entries.
	name, username string
	// status is the employee's service status (active: appearances may
	// be added).
	status string
}

// employeeForDevices checks the actor may manage the employee's devices:
// the employee's service (access.ManageService: whoever administers them)
// and the devices of their site (access.ManageDevices). An employee the
// actor may not see answers ErrNotFound.
func (s *Service) employeeForDevices(ctx context.Context, actor access.Actor, employeeID int64) (scaEmployee, error) {
	e := scaEmployee{id: employeeID}
	if err := s.access.Check(ctx, actor, access.ManageService, access.Employee(employeeID)); err != nil {
		return e, err
	}
	var site sql.NullInt64
	var first, last, username string
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT a.company_id, c.provider_id, a.site_id, a.first_name, a.last_name, a.username, a.status
		FROM accounts a JOIN companies c ON c.id = a.company_id WHERE a.id = ?`, employeeID).
		Scan(&e.companyID, &e.providerID, &site, &first, &last, &username, &e.status)
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("employee %d: %w", employeeID, derrors.ErrNotFound)
	}
	if err != nil {
		return e, err
	}
	e.username = username
	e.name = accountName(username, first, last)
	e.siteID = site.Int64
	if e.siteID != 0 {
		_, err := s.access.CheckSite(ctx, actor, access.ManageDevices, e.siteID)
		if derrors.IsNotFound(err) {
			// The actor sees the employee but not their site (a group
			// administrator below it): a refusal, not a missing employee.
			return e, derrors.Forbidden("the employee's devices are managed by the administrators of their site")
		}
		if err != nil {
			return e, err
		}
	}
	return e, nil
}

// featureState reads the Shared Call Appearance feature of the employee
// (not sold when no FeatureState is wired).
func (s *Service) featureState(ctx context.Context, employeeID int64) (sold, active bool, err error) {
	if s.FeatureState == nil {
		return false, true, nil
	}
	return s.FeatureState(ctx, employeeID, SharedAppearanceFeature)
}

// EmployeeDeviceList is the employee's Devices tab: their primary device and
// shared call appearances.
func (s *Service) EmployeeDeviceList(ctx context.Context, actor access.Actor, employeeID int64) (out EmployeeDevices, err error) {
	defer derrors.Wrap(&err, "devices: devices of employee %d", employeeID)
	e, err := s.employeeForDevices(ctx, actor, employeeID)
	if err != nil {
		return out, err
	}
	out = EmployeeDevices{EmployeeID: e.id, SiteID: e.siteID, Max: MaxSharedAppearances, Appearances: []SharedAppearance{}}
	if d, err := s.PrimaryDevice(ctx, e.companyID, e.id); err == nil {
		out.Primary = &d
	} else if !derrors.IsNotFound(err) {
		return out, err
	}
	if out.Appearances, err = s.sharedAppearances(ctx, e.companyID, e.id); err != nil {
		return out, err
	}
	if out.FeatureSold, out.FeatureActive, err = s.featureState(ctx, e.id); err != nil {
		return out, err
	}
	if err := s.addRefusal(e, out.FeatureSold, out.FeatureActive, len(out.Appearances)); err != nil {
		out.AddRefused = err.Error()
	}
	return out, nil
}

// addRefusal is why no appearance can be added to the employee now (nil:
// one can), given whether the provider sells the Shared Call Appearance
// feature, whether the employee has it, and how many appearances they
// have: the one list of the rules the Devices tab shows and
// AddSharedAppearance enforces.
func (s *Service) addRefusal(e scaEmployee, sold, active bool, have int) error {
	switch {
	case e.siteID == 0 || e.status != directory.StatusActive:
		return derrors.Conflict("", "%s's service is not active: activate them before adding shared call appearances", e.name)
	case sold && !active:
		return derrors.Conflict("", "the Shared Call Appearance feature is not available to %s: give them a feature package or add-on that includes it, or make it available under Feature Assignment, first", e.name)
	case !s.linesConfigured():
		return derrors.Conflict("", "shared call appearances cannot be added yet: the service is not set up to issue SIP line credentials here (ask your service provider)")
	case have >= MaxSharedAppearances:
		return derrors.Conflict("", "%s already has %d shared call appearances, the most there can be: remove one first", e.name, MaxSharedAppearances)
	}
	return nil
}

const appearanceSelect = `SELECT l.id, l.appearance, d.id, d.name, d.mac, t.vendor || ' ' || t.model,
	COALESCE(u.first_name, ''), COALESCE(u.last_name, ''), COALESCE(u.username, ''),
	l.username, l.realm, l.alert_all_appearances, l.allow_call_move, l.created_at
	FROM lines l JOIN devices d ON d.id = l.device_id JOIN device_types t ON t.id = d.type_id
	LEFT JOIN accounts u ON u.id = d.account_id`

func scanAppearance(row interface{ Scan(...any) error }) (SharedAppearance, error) {
	var a SharedAppearance
	var first, last, username string
	var created int64
	err := row.Scan(&a.LineID, &a.Appearance, &a.DeviceID, &a.DeviceName, &a.MAC, &a.TypeName, &first, &last, &username,
		&a.Username, &a.Realm, &a.AlertAllAppearances, &a.AllowCallMove, &created)
	if a.DeviceName == "" {
		a.DeviceName = a.MAC
	}
	a.DeviceUser = accountName(username, first, last)
	a.CreatedAt = store.Time(created)
	return a, err
}

// sharedAppearances lists the employee's appearances by index.
func (s *Service) sharedAppearances(ctx context.Context, companyID, employeeID int64) ([]SharedAppearance, error) {
	rows, err := s.db.Q(ctx).Query(ctx, appearanceSelect+" WHERE l.company_id = ? AND l.account_id = ? AND l.appearance > 0 ORDER BY l.appearance, l.id",
		companyID, employeeID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SharedAppearance{}
	for rows.Next() {
		a, err := scanAppearance(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// sharedAppearance is one appearance of the employee by line id; any other
// line (a primary line, another employee's, another company's) is
// ErrNotFound.
func (s *Service) sharedAppearance(ctx context.Context, companyID, employeeID, lineID int64) (SharedAppearance, error) {
	a, err := scanAppearance(s.db.Q(ctx).QueryRow(ctx, appearanceSelect+" WHERE l.company_id = ? AND l.account_id = ? AND l.appearance > 0 AND l.id = ?",
		companyID, employeeID, lineID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("shared appearance %d: %w", lineID, derrors.ErrNotFound)
	}
	return a, err
}

// AddSharedAppearance puts the employee's line on another device of their
// site (an existing one with a free port, or a new one created in the same
// step) as their next shared call appearance, with new SIP credentials
// returned once. Refused: a sixth appearance, a device that is not one of
// the employee's site (answered as a missing one), a device with no free
// port, a device already carrying the employee's line (their primary
// device included), and — when the provider sells the Shared Call
// Appearance feature — an employee who does not have it.
func (s *Service) AddSharedAppearance(ctx context.Context, actor access.Actor, employeeID int64, req SharedAppearanceRequest) (out SharedAppearanceCredentials, err error) {
	defer derrors.Wrap(&err, "devices: add shared appearance of employee %d", employeeID)
	e, err := s.employeeForDevices(ctx, actor, employeeID)
	if err != nil {
		return out, err
	}
	switch {
	case req.DeviceID != 0 && req.NewDevice != nil:
		return out, derrors.Invalid("device_id", "choose an existing device (device_id) or a new one (new_device), not both")
	case req.DeviceID == 0 && req.NewDevice == nil:
		return out, derrors.Invalid("device_id", "choose the device: a free device of the employee's site (device_id) or a new one (new_device)")
	case req.DeviceID < 0:
		return out, derrors.Invalid("device_id", "device %d does not exist at the employee's site", req.DeviceID)
	}
	sold, active, err := s.featureState(ctx, e.id)
	if err != nil {
		return out, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		have, err := s.sharedAppearances(ctx, e.companyID, e.id)
		if err != nil {
			return err
		}
		if err := s.addRefusal(e, sold, active, len(have)); err != nil {
			return err
		}
		d, err := s.appearanceDevice(ctx, e, req)
		if err != nil {
			return err
		}
		// Take the device's row lock before counting its lines: two
		// appearances added at once cannot both take its last port.
		if _, err := q.Exec(ctx, "UPDATE devices SET updated_at = ? WHERE id = ? AND company_id = ?", store.Now(), d.ID, e.companyID); err != nil {
			return err
		}
		if d.AccountID != nil && *d.AccountID == e.id {
			return derrors.Conflict("device_id", "device %s is %s's primary device: a shared appearance goes on another device", d.Name, e.name)
		}
		var mine, used, ports int
		if err := q.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM lines WHERE device_id = ? AND account_id = ?), (SELECT COUNT(*) FROM lines WHERE device_id = ?),
			(SELECT ports FROM device_types WHERE id = ?)`, d.ID, e.id, d.ID, d.TypeID).Scan(&mine, &used, &ports); err != nil {
			return err
		}
		if mine > 0 {
			return derrors.Conflict("device_id", "%s's line already appears on device %s", e.name, d.Name)
		}
		if used >= ports {
			return derrors.Conflict("device_id", "device %s has no free port: its %d port(s) all carry lines; choose another device", d.Name, ports)
		}
		index := nextAppearance(have)
		cred, err := s.issueLine(ctx, d, e.id, index)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE lines SET alert_all_appearances = ?, allow_call_move = ? WHERE id = ?",
			req.AlertAllAppearances, req.AllowCallMove, cred.ID); err != nil {
			return err
		}
		a, err := s.sharedAppearance(ctx, e.companyID, e.id, cred.ID)
		if err != nil {
			return err
		}
		out = SharedAppearanceCredentials{SharedAppearance: a, Password: cred.Password}
		return s.audit.Record(ctx, audit.Event{Event: "Add Shared Call Appearance", ObjectKind: "employee", ObjectID: e.id, ObjectName: e.username,
			CompanyID: e.companyID, SiteID: e.siteID, After: a})
	})
	if store.IsUniqueViolation(err) {
		return out, derrors.Conflict("", "another shared appearance of %s was added at the same moment; try again", e.name)
	}
	return out, err
}

// nextAppearance is the lowest appearance index 1..5 the employee does
// not use.
func nextAppearance(have []SharedAppearance) int {
	used := map[int]bool{}
	for _, a := range have {
		used[a.Appearance] = true
	}
	for i := 1; i <= MaxSharedAppearances; i++ {
		if !used[i] {
			return i
		}
	}
	return MaxSharedAppearances + 1
}

// appearanceDevice is the device an appearance goes on: an existing device
// of the employee's site — one of another site or company answers exactly
// as a missing one — or a new one created under the site (New Device's
// rules; a new soft client's MAC left empty is the employee's CLI followed
// by "A").
func (s *Service) appearanceDevice(ctx context.Context, e scaEmployee, req SharedAppearanceRequest) (Device, error) {
	if req.NewDevice == nil {
		d, err := s.Device(ctx, e.companyID, req.DeviceID)
		if derrors.IsNotFound(err) || (err == nil && d.SiteID != e.siteID) {
			return Device{}, derrors.Invalid("device_id", "device %d does not exist at the employee's site", req.DeviceID)
		}
		return d, err
	}
	nd := *req.NewDevice
	if nd.TypeID != 0 && strings.TrimSpace(nd.MAC) == "" && s.Lines.NumberOf != nil {
		if t, err := s.Type(ctx, e.providerID, nd.TypeID); err == nil && t.SoftClient {
			number, err := s.Lines.NumberOf(ctx, e.companyID, e.id)
			if err != nil {
				return Device{}, err
			}
			if number != "" {
				nd.MAC = SoftClientMAC(number)
			}
		}
	}
	return s.Create(ctx, e.providerID, e.companyID, DeviceCreateRequest{SiteID: e.siteID, TypeID: nd.TypeID, Name: nd.Name, MAC: nd.MAC})
}

// ModifySharedAppearance changes the options of one of the employee's
// appearances.
func (s *Service) ModifySharedAppearance(ctx context.Context, actor access.Actor, employeeID, lineID int64, u SharedAppearanceUpdate) (out SharedAppearance, err error) {
	defer derrors.Wrap(&err, "devices: modify shared appearance %d of employee %d", lineID, employeeID)
	e, err := s.employeeForDevices(ctx, actor, employeeID)
	if err != nil {
		return out, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.sharedAppearance(ctx, e.companyID, e.id, lineID)
		if err != nil {
			return err
		}
		after := before
		if u.AlertAllAppearances != nil {
			after.AlertAllAppearances = *u.AlertAllAppearances
		}
		if u.AllowCallMove != nil {
			after.AllowCallMove = *u.AllowCallMove
		}
		out = after
		if after == before {
			return nil
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE lines SET alert_all_appearances = ?, allow_call_move = ?, updated_at = ? WHERE id = ?",
			after.AlertAllAppearances, after.AllowCallMove, store.Now(), lineID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Shared Call Appearance", ObjectKind: "employee", ObjectID: e.id, ObjectName: e.username,
			CompanyID: e.companyID, SiteID: e.siteID, Before: before, After: after})
	})
	return out, err
}

// RemoveSharedAppearance takes one of the employee's appearances off its
// device: the line and its credentials are deleted, so the registrar stops
// accepting them and the phone's next configuration no longer has it.
func (s *Service) RemoveSharedAppearance(ctx context.Context, actor access.Actor, employeeID, lineID int64) (err error) {
	defer derrors.Wrap(&err, "devices: remove shared appearance %d of employee %d", lineID, employeeID)
	e, err := s.employeeForDevices(ctx, actor, employeeID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.sharedAppearance(ctx, e.companyID, e.id, lineID)
		if err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM lines WHERE id = ? AND company_id = ?", lineID, e.companyID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Remove Shared Call Appearance", ObjectKind: "employee", ObjectID: e.id, ObjectName: e.username,
			CompanyID: e.companyID, SiteID: e.siteID, Before: before})
	})
}

// RemoveSharedAppearancesOf deletes every shared appearance of an employee
// whose service ends (Cease, delete): their line must stop working on the
// other phones too. It runs in the caller's transaction, audited per
// appearance.
func (s *Service) RemoveSharedAppearancesOf(ctx context.Context, companyID, employeeID int64) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		have, err := s.sharedAppearances(ctx, companyID, employeeID)
		if err != nil || len(have) == 0 {
			return err
		}
		var name string
		var site sql.NullInt64
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT username, site_id FROM accounts WHERE id = ?", employeeID).Scan(&name, &site); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM lines WHERE company_id = ? AND account_id = ? AND appearance > 0", companyID, employeeID); err != nil {
			return err
		}
		events := make([]audit.Event, 0, len(have))
		for _, a := range have {
			events = append(events, audit.Event{Event: "Remove Shared Call Appearance", ObjectKind: "employee", ObjectID: employeeID, ObjectName: name,
				CompanyID: companyID, SiteID: site.Int64, Before: a})
		}
		return s.audit.RecordAll(ctx, events)
	})
}

// SharedAppearancesOf lists an employee's appearances for the system (the
// service data a call engine reads): no actor, the caller decided.
func (s *Service) SharedAppearancesOf(ctx context.Context, companyID, employeeID int64) ([]SharedAppearance, error) {
	out, err := s.sharedAppearances(ctx, companyID, employeeID)
	if err != nil {
		return nil, fmt.Errorf("devices: shared appearances of %d: %w", employeeID, err)
	}
	return out, nil
}

// noAppearanceOn refuses to make device d the primary device of an
// employee whose shared appearance it carries (one device carries one
// line of an employee), or whose ports other lines all take.
func (s *Service) noAppearanceOn(ctx context.Context, d Device, accountID int64) error {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE device_id = ? AND account_id = ? AND appearance > 0", d.ID, accountID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return derrors.Conflict("device_id", "device %s carries a shared call appearance of this employee: remove it on their Devices tab before making it their primary device", d.Name)
	}
	// The primary line needs a port too: shared appearances of others
	// may have taken them all.
	var others, ports int
	if err := s.db.Q(ctx).QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM lines WHERE device_id = ? AND account_id <> ?), (SELECT ports FROM device_types WHERE id = ?)`,
		d.ID, accountID, d.TypeID).Scan(&others, &ports); err != nil {
		return err
	}
	if others >= ports {
		return derrors.Conflict("device_id", "device %s has no free port for the employee's line: its %d port(s) carry shared appearances; remove one first", d.Name, ports)
	}
	return nil
}
