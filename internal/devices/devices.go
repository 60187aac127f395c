// Package devices owns desk phones and soft clients: the provider's device
// types and the devices (one MAC each) under a company's sites, and which
// employee uses a device as their primary one. The provisioning work grows
// this package (configuration files, registrations, reboots).
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
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Type is a device model the provider supports, with what it can do
// (docs/devices.md, "Device types").
type Type struct {
	ID         int64  `json:"id"`
	Vendor     string `json:"vendor"`
	Model      string `json:"model"`
	SoftClient bool   `json:"soft_client"`
	Capabilities
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Name is "Vendor Model".
func (t Type) Name() string { return t.Vendor + " " + t.Model }

// Device is one phone or soft client under a site.
type Device struct {
	ID        int64  `json:"id"`
	CompanyID int64  `json:"company_id"`
	SiteID    int64  `json:"site_id"`
	TypeID    int64  `json:"type_id"`
	TypeName  string `json:"type_name"`
	// Name is the guide's "Device ID": unique within the company; a device
	// added without one is named by its MAC.
	Name      string    `json:"name"`
	MAC       string    `json:"mac"`
	Label     string    `json:"label"`
	AccountID *int64    `json:"account_id"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// LastProvisionedAt is when the phone last fetched a configuration
	// file from the provisioning server (docs/provisioning.md); nil: never.
	LastProvisionedAt *time.Time `json:"last_provisioned_at"`
	// Registration is filled in where the status is shown (API, pages);
	// nil elsewhere, so audit entries do not carry it.
	Registration *Registration `json:"registration,omitempty"`
}

// Service manages device types and devices.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
	// Lines is what issuing SIP line credentials needs (lines.go).
	Lines LineSettings
	// Reboot launches the reboot of "Reset and reboot" (customise.go).
	Reboot Rebooter
	// MonitoredEmployees is an employee's Busy Lamp Field list (the
	// features package's), which fills a phone's spare keys (vdm.go); nil:
	// no BLF keys.
	MonitoredEmployees func(ctx context.Context, accountID int64) ([]int64, error)
	numbering          *numbering.Service
	// FeatureState gates shared call appearances on the catalog feature
	// (sca.go); nil: no gate.
	FeatureState FeatureState
}

// New returns a Service.
func New(db *store.DB, log *audit.Log) *Service {
	return &Service{db: db, audit: log, access: access.New(db), numbering: numbering.New(db, log)}
}

// NormalizeMAC returns the canonical form of a hardware MAC (12 upper-case
// hex digits, separators ':', '-', '.' and spaces removed) or, for a soft
// client, of its identifier (the CLI's digits followed by "A").
func NormalizeMAC(mac string, softClient bool) (string, error) {
	s := strings.ToUpper(strings.NewReplacer(":", "", "-", "", ".", "", " ", "").Replace(strings.TrimSpace(mac)))
	if softClient {
		digits, ok := strings.CutSuffix(s, "A")
		if !ok || len(digits) < 6 || len(digits) > 15 || strings.Trim(digits, "0123456789") != "" {
			return "", derrors.Invalid("mac", "a soft client's MAC is its CLI (the number's digits) followed by \"A\", e.g. 441134960037A")
		}
		return s, nil
	}
	if len(s) != 12 || strings.Trim(s, "0123456789ABCDEF") != "" {
		return "", derrors.Invalid("mac", "%q is not a MAC address: it needs 12 hexadecimal digits, e.g. 00:15:65:AB:CD:EF", mac)
	}
	if s == "000000000000" || s == "FFFFFFFFFFFF" {
		return "", derrors.Invalid("mac", "%q is not the MAC of a real device", mac)
	}
	return s, nil
}

// SoftClientMAC is the MAC of a soft client used with the E.164 number
// e164: the employee's CLI — the number in international form without the
// "+", as the network presents it (441134960037 for +44 113 496 0037) —
// followed by "A". It is the only MAC such a soft client may have (docs/lifecycle.md,
// soft clients), so the national form (01134960037A) or
// another number's digits are refused.
func SoftClientMAC(e164 string) string {
	return strings.TrimPrefix(strings.TrimSpace(e164), "+") + "A"
}

// CreateType adds a device model.
func (s *Service) CreateType(ctx context.Context, providerID int64, t Type) (Type, error) {
	v := &derrors.ValidationError{}
	t.Vendor, t.Model = strings.TrimSpace(t.Vendor), strings.TrimSpace(t.Model)
	if t.Vendor == "" {
		v.Add("vendor", "the vendor is required (e.g. Yealink, Polycom)")
	}
	if t.Model == "" {
		v.Add("model", "the model is required (e.g. T46U, VVX 450)")
	}
	if err := v.Err(); err != nil {
		return Type{}, err
	}
	if t.Capabilities.isZero() {
		t.Capabilities = defaultCapabilities(t.SoftClient)
	}
	if err := t.Capabilities.validate(t.SoftClient); err != nil {
		return Type{}, err
	}
	if err := checkModelKeys(t.Vendor, t.Model, t.Capabilities); err != nil {
		return Type{}, err
	}
	t.CreatedAt = time.Now().UTC().Truncate(time.Millisecond)
	t.UpdatedAt = t.CreatedAt
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		c := t.Capabilities
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO device_types (provider_id, vendor, model, soft_client, vdm, line_keys_per_page, pages, soft_keys,
			sidecar_model, sidecar_max, sidecar_keys, options, ring_tones, ports, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			providerID, t.Vendor, t.Model, t.SoftClient, c.VDM, c.LineKeysPerPage, c.Pages, c.SoftKeys, c.SidecarModel, c.SidecarMax, c.SidecarKeys,
			joinOptions(c.Options), strings.Join(c.RingTones, ","), c.Ports, t.CreatedAt.UnixMilli(), t.CreatedAt.UnixMilli()).Scan(&t.ID)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("model", "the device type %s already exists", t.Name())
		}
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Device Type", ObjectKind: "device_type", ObjectID: t.ID, ObjectName: t.Name(), After: t})
	})
	if err != nil {
		return Type{}, fmt.Errorf("devices: create type: %w", err)
	}
	return t, nil
}

// typeColumns are the columns scanType reads.
const typeColumns = `t.id, t.vendor, t.model, t.soft_client, t.vdm, t.line_keys_per_page, t.pages, t.soft_keys, t.sidecar_model, t.sidecar_max,
	t.sidecar_keys, t.options, t.ring_tones, t.ports, t.created_at, t.updated_at`

func scanType(row interface{ Scan(...any) error }) (Type, error) {
	var t Type
	var options, tones string
	var created, updated int64
	c := &t.Capabilities
	err := row.Scan(&t.ID, &t.Vendor, &t.Model, &t.SoftClient, &c.VDM, &c.LineKeysPerPage, &c.Pages, &c.SoftKeys, &c.SidecarModel, &c.SidecarMax,
		&c.SidecarKeys, &options, &tones, &c.Ports, &created, &updated)
	c.Options = splitOptions(options)
	c.RingTones = splitList(tones)
	t.CreatedAt, t.UpdatedAt = store.Time(created), store.Time(updated)
	return t, err
}

// Types lists the provider's device types.
func (s *Service) Types(ctx context.Context, providerID int64) ([]Type, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+typeColumns+" FROM device_types t WHERE t.provider_id = ? ORDER BY lower(t.vendor), lower(t.model)", providerID)
	if err != nil {
		return nil, fmt.Errorf("devices: types: %w", err)
	}
	defer rows.Close()
	var out []Type
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Type returns one device type of providerID.
func (s *Service) Type(ctx context.Context, providerID, id int64) (Type, error) {
	t, err := scanType(s.db.Q(ctx).QueryRow(ctx, "SELECT "+typeColumns+" FROM device_types t WHERE t.provider_id = ? AND t.id = ?", providerID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("devices: type %d: %w", id, derrors.ErrNotFound)
	}
	return t, err
}

// DeviceCreateRequest adds a device to a site.
type DeviceCreateRequest struct {
	SiteID int64 `json:"site_id"`
	TypeID int64 `json:"type_id"`
	// Name is the Device ID; empty: the MAC.
	Name  string `json:"name"`
	MAC   string `json:"mac"`
	Label string `json:"label"`
}

// Create adds a device under a site of companyID. The caller has checked
// that the actor manages the site.
func (s *Service) Create(ctx context.Context, providerID, companyID int64, req DeviceCreateRequest) (Device, error) {
	t, err := s.Type(ctx, providerID, req.TypeID)
	if derrors.IsNotFound(err) {
		return Device{}, derrors.Invalid("type_id", "device type %d does not exist", req.TypeID)
	}
	if err != nil {
		return Device{}, err
	}
	mac, err := NormalizeMAC(req.MAC, t.SoftClient)
	if err != nil {
		return Device{}, err
	}
	name, err := deviceName(req.Name, mac)
	if err != nil {
		return Device{}, err
	}
	var d Device
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM org_groups WHERE id = ? AND company_id = ? AND is_site = ?", req.SiteID, companyID, true).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return derrors.Invalid("site_id", "site %d does not exist", req.SiteID)
		}
		now := store.Now()
		var id int64
		if err := s.nameFree(ctx, companyID, name, 0); err != nil {
			return err
		}
		err := q.QueryRow(ctx, `INSERT INTO devices (company_id, site_id, type_id, name, mac, label, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, companyID, req.SiteID, t.ID, name, mac, strings.TrimSpace(req.Label), now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			// The MAC may belong to another company: say only that it is taken.
			return derrors.Conflict("mac", "the MAC %s is already registered to a device; remove it there first", mac)
		}
		if err != nil {
			return err
		}
		if d, err = s.Device(ctx, companyID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Device", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
			CompanyID: companyID, SiteID: d.SiteID, After: d})
	})
	if err != nil {
		return Device{}, fmt.Errorf("devices: create: %w", err)
	}
	return d, nil
}

const deviceColumns = `d.id, d.company_id, d.site_id, d.type_id, t.vendor || ' ' || t.model, d.name, d.mac, d.label, d.account_id, d.created_at, d.updated_at, d.last_provisioned_at`

func scanDevice(row interface{ Scan(...any) error }) (Device, error) {
	var d Device
	var account sql.NullInt64
	var created, updated int64
	var provisioned sql.NullInt64
	err := row.Scan(&d.ID, &d.CompanyID, &d.SiteID, &d.TypeID, &d.TypeName, &d.Name, &d.MAC, &d.Label, &account, &created, &updated, &provisioned)
	if account.Valid {
		d.AccountID = &account.Int64
	}
	if provisioned.Valid {
		at := store.Time(provisioned.Int64)
		d.LastProvisionedAt = &at
	}
	d.CreatedAt, d.UpdatedAt = store.Time(created), store.Time(updated)
	if d.Name == "" {
		// Written without a name: named by its MAC (docs/devices.md).
		d.Name = d.MAC
	}
	return d, err
}

// Device returns one device of companyID.
func (s *Service) Device(ctx context.Context, companyID, id int64) (Device, error) {
	d, err := scanDevice(s.db.Q(ctx).QueryRow(ctx, "SELECT "+deviceColumns+" FROM devices d JOIN device_types t ON t.id = d.type_id WHERE d.company_id = ? AND d.id = ?", companyID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("devices: device %d: %w", id, derrors.ErrNotFound)
	}
	return d, err
}

// SiteDevices lists a site's devices; free=true keeps only unassigned ones
// (the "existing device" choice of Activate).
func (s *Service) SiteDevices(ctx context.Context, companyID, siteID int64, free bool) ([]Device, error) {
	cond := ""
	if free {
		cond = " AND d.account_id IS NULL"
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+deviceColumns+" FROM devices d JOIN device_types t ON t.id = d.type_id WHERE d.company_id = ? AND d.site_id = ?"+cond+" ORDER BY d.mac, d.id", companyID, siteID)
	if err != nil {
		return nil, fmt.Errorf("devices: site devices: %w", err)
	}
	defer rows.Close()
	var out []Device
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// deviceOrder is the order of a site's device list: by MAC (unique; the
// id only completes the key), walked on devices_site (migration 0044).
var deviceOrder = store.Keyset{Name: "mac", Keys: []store.SortKey{{Expr: "d.mac"}}, ID: "d.id"}

// DevicePage is one page of a site's devices.
type DevicePage struct {
	Items []Device
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// SiteDevicesPage is one page of SiteDevices in MAC order: p.After continues
// after a device (keyset) and the total is counted only when p.Count asks
// (docs/performance.md).
func (s *Service) SiteDevicesPage(ctx context.Context, companyID, siteID int64, free bool, p store.Page) (out DevicePage, err error) {
	defer derrors.Wrap(&err, "devices: site devices")
	out.Total = -1
	where := " WHERE d.company_id = ? AND d.site_id = ?"
	if free {
		where += " AND d.account_id IS NULL"
	}
	q := s.db.Q(ctx)
	if p.Count {
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM devices d"+where, companyID, siteID).Scan(&out.Total); err != nil {
			return out, err
		}
	}
	after, afterArgs, tail, err := deviceOrder.Window(p)
	if err != nil {
		return out, err
	}
	rows, err := q.Query(ctx, "SELECT "+deviceColumns+" FROM devices d JOIN device_types t ON t.id = d.type_id"+where+after+tail,
		append([]any{companyID, siteID}, afterArgs...)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	for rows.Next() {
		if len(out.Items) == p.Limit() {
			last := out.Items[len(out.Items)-1]
			out.Next = deviceOrder.Cursor([]any{last.MAC}, last.ID)
			break
		}
		d, err := scanDevice(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, d)
	}
	return out, rows.Err()
}

// PrimaryDevice returns the device an employee uses, or ErrNotFound.
func (s *Service) PrimaryDevice(ctx context.Context, companyID, accountID int64) (Device, error) {
	d, err := scanDevice(s.db.Q(ctx).QueryRow(ctx, "SELECT "+deviceColumns+" FROM devices d JOIN device_types t ON t.id = d.type_id WHERE d.company_id = ? AND d.account_id = ?", companyID, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("devices: primary device of %d: %w", accountID, derrors.ErrNotFound)
	}
	return d, err
}

// AssignPrimary makes device id the employee's primary device. It must be a
// free device of the employee's site.
func (s *Service) AssignPrimary(ctx context.Context, companyID, siteID, id, accountID int64) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		d, err := s.Device(ctx, companyID, id)
		if derrors.IsNotFound(err) {
			return derrors.Invalid("device_id", "device %d does not exist", id)
		}
		if err != nil {
			return err
		}
		if d.SiteID != siteID {
			return derrors.Invalid("device_id", "device %s belongs to another site; choose a device of the employee's site", d.MAC)
		}
		if d.AccountID != nil && *d.AccountID != accountID {
			return derrors.Conflict("device_id", "device %s is already used by another employee", d.MAC)
		}
		if err := s.noAppearanceOn(ctx, d, accountID); err != nil {
			return err
		}
		// The device must still be free when written: on PostgreSQL another
		// transaction may have given it away since the read above, and this
		// UPDATE, having waited for its row lock, sees that commit.
		res, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET account_id = ?, updated_at = ? WHERE id = ? AND company_id = ? AND (account_id IS NULL OR account_id = ?)",
			accountID, store.Now(), id, companyID, accountID)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return derrors.Conflict("device_id", "device %s is already used by another employee", d.MAC)
		}
		after := d
		after.AccountID = &accountID
		return s.audit.Record(ctx, audit.Event{Event: "Assign Device", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
			CompanyID: companyID, SiteID: d.SiteID, Before: d, After: after})
	})
}

// MACInUse reports whether a device other than exceptID (0: any device)
// of any company has the normalised MAC: MACs are unique on the platform.
func (s *Service) MACInUse(ctx context.Context, mac string, exceptID int64) (bool, error) {
	var n int
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM devices WHERE mac = ? AND id <> ?", mac, exceptID).Scan(&n)
	return n > 0, err
}

// ChangeMAC gives device id of companyID another MAC (normalised for its
// type), audited as Modify Device. Lifecycle uses it when an employee's
// number changes and their soft client keeps going: its MAC is the CLI
// followed by "A", so it follows the number. A MAC already registered to
// another device (of any company) is a conflict that names nobody.
func (s *Service) ChangeMAC(ctx context.Context, providerID, companyID, id int64, mac string) (Device, error) {
	var after Device
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Device(ctx, companyID, id)
		if err != nil {
			return err
		}
		t, err := s.Type(ctx, providerID, before.TypeID)
		if err != nil {
			return err
		}
		norm, err := NormalizeMAC(mac, t.SoftClient)
		if err != nil {
			return err
		}
		if norm == before.MAC {
			after = before
			return nil
		}
		if taken, err := s.MACInUse(ctx, norm, id); err != nil {
			return err
		} else if taken {
			return derrors.Conflict("mac", "the MAC %s is already registered to another device; remove it there first", norm)
		}
		// A device named by its MAC keeps being named by it.
		_, err = s.db.Q(ctx).Exec(ctx, "UPDATE devices SET mac = ?, name = CASE WHEN name = ? THEN ? ELSE name END, updated_at = ? WHERE id = ? AND company_id = ?",
			norm, before.MAC, norm, store.Now(), id, companyID)
		if store.IsUniqueViolation(err) {
			// Registered by a concurrent transaction since the check above.
			return derrors.Conflict("mac", "the MAC %s is already registered to another device; remove it there first", norm)
		}
		if err != nil {
			return err
		}
		if after, err = s.Device(ctx, companyID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Device", ObjectKind: "device", ObjectID: id, ObjectName: after.MAC,
			CompanyID: companyID, SiteID: after.SiteID, Before: before, After: after})
	})
	if err != nil {
		return Device{}, fmt.Errorf("devices: change MAC of device %d: %w", id, err)
	}
	return after, nil
}

// UnassignForEmployee takes the employee's primary device away from them
// and leaves it on its site as a free device (a change of primary device in
// Service Settings: the phone is still on a desk of the site and can be
// given to somebody else). It returns the device as it was, or ErrNotFound
// when the employee had none.
func (s *Service) UnassignForEmployee(ctx context.Context, companyID, accountID int64) (Device, error) {
	var d Device
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.PrimaryDevice(ctx, companyID, accountID); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET account_id = NULL, updated_at = ? WHERE id = ? AND company_id = ?",
			store.Now(), d.ID, companyID); err != nil {
			return err
		}
		if err := s.dropLines(ctx, d.ID, accountID); err != nil {
			return err
		}
		after := d
		after.AccountID = nil
		return s.audit.Record(ctx, audit.Event{Event: "Unassign Device", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
			CompanyID: companyID, SiteID: d.SiteID, Before: d, After: after})
	})
	return d, err
}

// RemoveForEmployee takes the employee's device away from them and from the
// site (Cease: "the device and its MAC removed from the employee and the
// site"). It returns the removed device, or ErrNotFound when there was none.
func (s *Service) RemoveForEmployee(ctx context.Context, companyID, accountID int64) (Device, error) {
	var d Device
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if d, err = s.PrimaryDevice(ctx, companyID, accountID); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM devices WHERE id = ?", d.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Device", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
			CompanyID: companyID, SiteID: d.SiteID, Before: d})
	})
	return d, err
}

// Delete removes a device of companyID that no employee uses.
func (s *Service) Delete(ctx context.Context, companyID, id int64) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		d, err := s.Device(ctx, companyID, id)
		if err != nil {
			return err
		}
		var lines int
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE device_id = ?", id).Scan(&lines); err != nil {
			return err
		}
		if reason := deleteRefusal(d, lines); reason != "" {
			return derrors.Conflict("", "device %s cannot be deleted: %s", d.Name, reason)
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM devices WHERE id = ?", id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Device", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
			CompanyID: companyID, SiteID: d.SiteID, Before: d})
	})
}
