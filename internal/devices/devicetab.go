package devices

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The Devices tab of a site (docs/devices.md, "Devices"): search, New
// Device, modify, delete.

const maxDeviceName = 64

// deviceName is the Device ID of a new or renamed device: as given, or
// the MAC when none is.
func deviceName(name, mac string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return mac, nil
	}
	if len([]rune(name)) > maxDeviceName {
		return "", derrors.Invalid("name", "the Device ID is at most %d characters", maxDeviceName)
	}
	if strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return "", derrors.Invalid("name", "the Device ID cannot contain control characters")
	}
	return name, nil
}

// nameFree refuses a Device ID another device of the company (other than
// exceptID) already has, case-insensitively.
func (s *Service) nameFree(ctx context.Context, companyID int64, name string, exceptID int64) error {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM devices WHERE company_id = ? AND lower(name) = lower(?) AND id <> ?",
		companyID, name, exceptID).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return derrors.Conflict("name", "another device of the company already has the Device ID %q; choose another", name)
	}
	return nil
}

// DeviceFilter is the Devices tab's search.
type DeviceFilter struct {
	// Name matches part of the Device ID or the MAC, case-insensitively.
	Name string
	// TypeID keeps devices of one type (0: any).
	TypeID int64
	// MinAvailablePorts keeps devices with at least that many ports free
	// (0: any).
	MinAvailablePorts int
	// Free keeps devices nobody uses as their primary device.
	Free bool
}

// DeviceRow is a device as the Devices tab lists it.
type DeviceRow struct {
	Device
	// User is the name of the employee using the device; "" for a spare
	// device (the tab shows "none").
	User string `json:"user"`
	// Ports and AvailablePorts: lines the type carries, and how many of
	// them no line uses yet.
	Ports          int `json:"ports"`
	AvailablePorts int `json:"available_ports"`
	// VDM: the device's type is managed in the Visual Device Manager.
	VDM bool `json:"vdm"`
	// DeleteRefused says why the device cannot be deleted now ("" : it can).
	DeleteRefused string `json:"delete_refused,omitempty"`
}

// SearchSiteDevices is the Devices tab: the site's devices matching f, by
// Device ID.
func (s *Service) SearchSiteDevices(ctx context.Context, actor access.Actor, siteID int64, f DeviceFilter) ([]DeviceRow, error) {
	_, where, args, err := s.deviceSearch(ctx, actor, siteID, f)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).Query(ctx, deviceRowSelect+" WHERE "+strings.Join(where, " AND ")+" ORDER BY lower(d.name), d.id", args...)
	if err != nil {
		return nil, fmt.Errorf("devices: devices of site %d: %w", siteID, err)
	}
	defer rows.Close()
	out := []DeviceRow{}
	for rows.Next() {
		r, err := scanDeviceRow(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeviceRowPage is one page of the Devices tab's search.
type DeviceRowPage struct {
	Items []DeviceRow
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page; "" on the last.
	Next string
}

// SearchSiteDevicesPage is SearchSiteDevices a page at a time, in MAC order
// (keyset on devices_site, docs/performance.md), for the API.
func (s *Service) SearchSiteDevicesPage(ctx context.Context, actor access.Actor, siteID int64, f DeviceFilter, p store.Page) (out DeviceRowPage, err error) {
	_, where, args, err := s.deviceSearch(ctx, actor, siteID, f)
	if err != nil {
		return out, err
	}
	defer derrors.Wrap(&err, "devices: devices of site %d", siteID)
	out.Total = -1
	q := s.db.Q(ctx)
	cond := " WHERE " + strings.Join(where, " AND ")
	if p.Count {
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM devices d JOIN device_types t ON t.id = d.type_id"+cond, args...).Scan(&out.Total); err != nil {
			return out, err
		}
	}
	after, afterArgs, tail, err := deviceOrder.Window(p)
	if err != nil {
		return out, err
	}
	rows, err := q.Query(ctx, deviceRowSelect+cond+after+tail, append(args, afterArgs...)...)
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
		r, err := scanDeviceRow(rows)
		if err != nil {
			return out, err
		}
		out.Items = append(out.Items, r)
	}
	return out, rows.Err()
}

const usedPorts = "(SELECT COUNT(*) FROM lines l WHERE l.device_id = d.id)"

const deviceRowSelect = "SELECT " + deviceColumns + `, t.ports, t.vdm, ` + usedPorts + `,
	COALESCE(a.first_name, ''), COALESCE(a.last_name, ''), COALESCE(a.username, '')
	FROM devices d JOIN device_types t ON t.id = d.type_id LEFT JOIN accounts a ON a.id = d.account_id`

// deviceSearch checks the actor manages the site's devices and turns f
// into conditions on devices d and device_types t.
func (s *Service) deviceSearch(ctx context.Context, actor access.Actor, siteID int64, f DeviceFilter) (int64, []string, []any, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("devices: devices of site %d: %w", siteID, err)
	}
	if f.MinAvailablePorts < 0 {
		return 0, nil, nil, derrors.Invalid("available_ports", "available ports is a number of ports, 0 or more")
	}
	where := []string{"d.company_id = ?", "d.site_id = ?"}
	args := []any{companyID, siteID}
	if q := strings.TrimSpace(f.Name); q != "" {
		where = append(where, `(lower(d.name) LIKE ? ESCAPE '\' OR lower(d.mac) LIKE ? ESCAPE '\')`)
		pat := "%" + store.Like(strings.ToLower(q)) + "%"
		args = append(args, pat, pat)
	}
	if f.TypeID != 0 {
		where = append(where, "d.type_id = ?")
		args = append(args, f.TypeID)
	}
	if f.Free {
		where = append(where, "d.account_id IS NULL")
	}
	if f.MinAvailablePorts > 0 {
		where = append(where, "t.ports - "+usedPorts+" >= ?")
		args = append(args, f.MinAvailablePorts)
	}
	return companyID, where, args, nil
}

// scanDeviceRow reads one row of deviceRowSelect.
func scanDeviceRow(rows interface{ Scan(...any) error }) (DeviceRow, error) {
	var r DeviceRow
	var lines int
	var first, last, username string
	d, err := scanDevice(scanPrefix{rows, []any{&r.Ports, &r.VDM, &lines, &first, &last, &username}})
	if err != nil {
		return r, err
	}
	r.Device = d
	r.AvailablePorts = max(r.Ports-lines, 0)
	if d.AccountID != nil {
		r.User = accountName(username, first, last)
	}
	r.DeleteRefused = deleteRefusal(d, lines)
	return r, nil
}

// scanPrefix scans a device's columns followed by extra ones.
type scanPrefix struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (p scanPrefix) Scan(dest ...any) error { return p.row.Scan(append(dest, p.extra...)...) }

// deleteRefusal is why a device cannot be deleted: it is in use.
func deleteRefusal(d Device, lines int) string {
	switch {
	case d.AccountID != nil:
		return "it is the primary device of an employee: change the employee's device in Service Settings (or cease the employee) first"
	case lines > 0:
		return "it carries another employee's line (a shared call appearance): remove the appearance first"
	}
	return ""
}

// DeviceUpdate modifies a device: its Device ID, type and MAC. The type
// changes only while nobody uses the device (the guide converts a used
// device to another type by freeing it first).
type DeviceUpdate struct {
	Name   string `json:"name"`
	TypeID int64  `json:"type_id"`
	MAC    string `json:"mac"`
	Label  string `json:"label"`
}

// ModifyDevice changes a device of a site the actor manages.
func (s *Service) ModifyDevice(ctx context.Context, actor access.Actor, id int64, req DeviceUpdate) (Device, error) {
	before, err := s.ViewDevice(ctx, actor, id)
	if err != nil {
		return Device{}, fmt.Errorf("devices: modify device %d: %w", id, err)
	}
	providerID, err := s.providerOf(ctx, before.CompanyID)
	if err != nil {
		return Device{}, err
	}
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
	name := strings.TrimSpace(req.Name)
	if name == "" || name == before.MAC {
		// A device named by its MAC stays named by it.
		name = ""
	}
	if name, err = deviceName(name, mac); err != nil {
		return Device{}, err
	}
	var after Device
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var lines int
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM lines WHERE device_id = ?", id).Scan(&lines); err != nil {
			return err
		}
		if t.ID != before.TypeID {
			if reason := deleteRefusal(before, lines); reason != "" {
				return derrors.Conflict("type_id", "the device type cannot change while the device is in use: %s", reason)
			}
		}
		if err := s.nameFree(ctx, before.CompanyID, name, id); err != nil {
			return err
		}
		if taken, err := s.MACInUse(ctx, mac, id); err != nil {
			return err
		} else if taken {
			return derrors.Conflict("mac", "the MAC %s is already registered to another device; remove it there first", mac)
		}
		_, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET name = ?, type_id = ?, mac = ?, label = ?, updated_at = ? WHERE id = ? AND company_id = ?",
			name, t.ID, mac, strings.TrimSpace(req.Label), store.Now(), id, before.CompanyID)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("", "the Device ID or MAC was just taken by another device; try again")
		}
		if err != nil {
			return err
		}
		if t.ID != before.TypeID {
			if err := s.restartVDM(ctx, id); err != nil {
				return err
			}
		}
		if after, err = s.Device(ctx, before.CompanyID, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Device", ObjectKind: "device", ObjectID: id, ObjectName: after.Name,
			CompanyID: after.CompanyID, SiteID: after.SiteID, Before: before, After: after})
	})
	if err != nil {
		return Device{}, fmt.Errorf("devices: modify device %d: %w", id, err)
	}
	return after, nil
}

// restartVDM starts a device whose type changed from its new type's
// defaults: its keys, sidecars and ringer were set for the old model's
// layout (docs/devices.md, "The Visual Device Manager"). What it keeps is
// how many expansion modules its configuration has addressed
// (sidecars_written), so the next files still reset their keys: the phone
// keeps a module's keys until told otherwise.
func (s *Service) restartVDM(ctx context.Context, id int64) error {
	var raw string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT vdm_config FROM devices WHERE id = ?", id).Scan(&raw); err != nil {
		return err
	}
	old, err := decodeVDM(raw)
	if err != nil {
		return err
	}
	next := vdmConfig{BLFStart: BLFStartPhone, SidecarsWritten: max(old.SidecarsWritten, old.Sidecars)}
	_, err = s.db.Q(ctx).Exec(ctx, "UPDATE devices SET vdm_config = ? WHERE id = ?", next.encode(), id)
	return err
}
