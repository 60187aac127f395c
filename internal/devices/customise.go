package devices

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Device customisation as actions (docs/devices.md): the Device Types tab
// of a site (a type's options, its mask, the VDM box, Reset), masks, and a
// device's own options and Reset. Everything is for whoever manages the
// site's devices (access.ManageDevices).

// Rebooter launches the reboots that "Reset and reboot" asks for, through
// the SIP edge's reboot jobs (app wires sip.Reboots in; nil: no reboot is
// offered). Each returns the reboot job's id.
type Rebooter interface {
	RebootDevice(ctx context.Context, actor access.Actor, deviceID int64) (int64, error)
	RebootDeviceType(ctx context.Context, actor access.Actor, siteID, typeID int64) (int64, error)
}

// MaskRef names the mask a site's device type carries.
type MaskRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// SiteType is a device type as a site's Device Types tab shows it.
type SiteType struct {
	SiteID int64 `json:"site_id"`
	Type   Type  `json:"type"`
	// Devices is how many devices of the type the site has.
	Devices int `json:"devices"`
	// Settings are the options set on the type at the site.
	Settings Settings `json:"settings"`
	// Mask is the mask the type carries; nil: none.
	Mask *MaskRef `json:"mask"`
	// VDMAvailableToEmployees: employees may open their phone's keys and
	// ringer (VDM types only; the guide's "VDM available to Employees").
	VDMAvailableToEmployees bool      `json:"vdm_available_to_employees"`
	Effective               Effective `json:"effective"`
}

// siteTypeRow is a row of site_device_types; found is false when the type
// was never customised at the site.
type siteTypeRow struct {
	found    bool
	settings Settings
	mask     *MaskRef
	maskSet  Settings
	vdm      bool
}

func (s *Service) siteTypeRow(ctx context.Context, siteID, typeID int64) (siteTypeRow, error) {
	r := siteTypeRow{vdm: true}
	var raw string
	var maskID sql.NullInt64
	var maskName, maskRaw sql.NullString
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT st.settings, st.mask_id, m.name, m.settings, st.vdm_for_employees FROM site_device_types st
		LEFT JOIN device_masks m ON m.id = st.mask_id WHERE st.site_id = ? AND st.type_id = ?`, siteID, typeID).
		Scan(&raw, &maskID, &maskName, &maskRaw, &r.vdm)
	if errors.Is(err, sql.ErrNoRows) {
		return r, nil
	}
	if err != nil {
		return r, err
	}
	r.found = true
	if r.settings, err = decodeSettings(raw); err != nil {
		return r, err
	}
	if maskID.Valid {
		r.mask = &MaskRef{ID: maskID.Int64, Name: maskName.String}
		if r.maskSet, err = decodeSettings(maskRaw.String); err != nil {
			return r, err
		}
	}
	return r, nil
}

// layers are the levels above the product defaults for a device of the
// type at the site: the type's own options, then its mask (docs/devices.md,
// "Effective settings", says why the mask sits above the type).
func (r siteTypeRow) layers() []Layer {
	ls := []Layer{{SourceType, r.settings}}
	if r.mask != nil {
		ls = append(ls, Layer{SourceMask, r.maskSet})
	}
	return ls
}

func (s *Service) siteType(ctx context.Context, providerID, siteID int64, t Type) (SiteType, error) {
	r, err := s.siteTypeRow(ctx, siteID, t.ID)
	if err != nil {
		return SiteType{}, err
	}
	st := SiteType{SiteID: siteID, Type: t, Settings: r.settings, Mask: r.mask, VDMAvailableToEmployees: r.vdm, Effective: Resolve(t, r.layers()...)}
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM devices WHERE site_id = ? AND type_id = ?", siteID, t.ID).Scan(&st.Devices); err != nil {
		return SiteType{}, err
	}
	return st, nil
}

// providerOf is the provider of a company.
func (s *Service) providerOf(ctx context.Context, companyID int64) (int64, error) {
	var providerID int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT provider_id FROM companies WHERE id = ?", companyID).Scan(&providerID)
	return providerID, err
}

// SiteDeviceTypes is the Device Types tab: the types present at the site
// (with a device there, or customised there), in catalog order.
func (s *Service) SiteDeviceTypes(ctx context.Context, actor access.Actor, siteID int64) ([]SiteType, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return nil, fmt.Errorf("devices: device types of site %d: %w", siteID, err)
	}
	providerID, err := s.providerOf(ctx, companyID)
	if err != nil {
		return nil, fmt.Errorf("devices: device types of site %d: %w", siteID, err)
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+typeColumns+` FROM device_types t WHERE t.provider_id = ? AND (
		EXISTS (SELECT 1 FROM devices d WHERE d.site_id = ? AND d.type_id = t.id) OR
		EXISTS (SELECT 1 FROM site_device_types st WHERE st.site_id = ? AND st.type_id = t.id))
		ORDER BY lower(t.vendor), lower(t.model)`, providerID, siteID, siteID)
	if err != nil {
		return nil, fmt.Errorf("devices: device types of site %d: %w", siteID, err)
	}
	var ts []Type
	for rows.Next() {
		t, err := scanType(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]SiteType, 0, len(ts))
	for _, t := range ts {
		st, err := s.siteType(ctx, providerID, siteID, t)
		if err != nil {
			return nil, fmt.Errorf("devices: device types of site %d: %w", siteID, err)
		}
		out = append(out, st)
	}
	return out, nil
}

// siteTypeTarget checks the actor may manage the site's devices and loads
// the type (of the site's provider; another provider's is not found).
func (s *Service) siteTypeTarget(ctx context.Context, actor access.Actor, siteID, typeID int64) (companyID, providerID int64, t Type, err error) {
	if companyID, err = s.access.CheckSite(ctx, actor, access.ManageDevices, siteID); err != nil {
		return 0, 0, Type{}, err
	}
	if providerID, err = s.providerOf(ctx, companyID); err != nil {
		return 0, 0, Type{}, err
	}
	t, err = s.Type(ctx, providerID, typeID)
	return companyID, providerID, t, err
}

// SiteDeviceType is one type of the Device Types tab.
func (s *Service) SiteDeviceType(ctx context.Context, actor access.Actor, siteID, typeID int64) (SiteType, error) {
	_, providerID, t, err := s.siteTypeTarget(ctx, actor, siteID, typeID)
	if err != nil {
		return SiteType{}, fmt.Errorf("devices: device type %d of site %d: %w", typeID, siteID, err)
	}
	return s.siteType(ctx, providerID, siteID, t)
}

// SiteTypeRequest customises a device type at a site: the options set on
// it (the whole set: an option left out goes back to its default) and, for
// a VDM type, whether employees may use the VDM (nil: unchanged).
type SiteTypeRequest struct {
	Settings                Settings `json:"settings"`
	VDMAvailableToEmployees *bool    `json:"vdm_available_to_employees"`
}

// CustomiseSiteType saves a type's options at the site ("choose from the
// customisation options, click Save and arrange to reboot the devices").
func (s *Service) CustomiseSiteType(ctx context.Context, actor access.Actor, siteID, typeID int64, req SiteTypeRequest) (SiteType, error) {
	companyID, providerID, t, err := s.siteTypeTarget(ctx, actor, siteID, typeID)
	if err != nil {
		return SiteType{}, fmt.Errorf("devices: customise device type %d at site %d: %w", typeID, siteID, err)
	}
	if t.SoftClient {
		return SiteType{}, derrors.Invalid("type_id", "the %s is not provisioned by the platform: it has no options to customise", t.Name())
	}
	if err := req.Settings.normalize(&t); err != nil {
		return SiteType{}, err
	}
	if req.VDMAvailableToEmployees != nil && !t.VDM {
		return SiteType{}, derrors.Invalid("vdm_available_to_employees", "only a VDM type has the Visual Device Manager; the %s is not one", t.Name())
	}
	var after SiteType
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.siteType(ctx, providerID, siteID, t)
		if err != nil {
			return err
		}
		vdm := before.VDMAvailableToEmployees
		if req.VDMAvailableToEmployees != nil {
			vdm = *req.VDMAvailableToEmployees
		}
		if err := s.saveSiteType(ctx, companyID, siteID, typeID, encodeSettings(req.Settings), maskIDOf(before.Mask), vdm); err != nil {
			return err
		}
		if after, err = s.siteType(ctx, providerID, siteID, t); err != nil {
			return err
		}
		return s.recordSiteType(ctx, typeCustomised, companyID, siteID, t, before, after)
	})
	if err != nil {
		return SiteType{}, fmt.Errorf("devices: customise device type %d at site %d: %w", typeID, siteID, err)
	}
	return after, nil
}

func maskIDOf(m *MaskRef) *int64 {
	if m == nil {
		return nil
	}
	return &m.ID
}

// saveSiteType writes the type's row at the site and marks its devices
// changed (their phones fetch the new configuration).
func (s *Service) saveSiteType(ctx context.Context, companyID, siteID, typeID int64, settings string, maskID *int64, vdm bool) error {
	q := s.db.Q(ctx)
	now := store.Now()
	res, err := q.Exec(ctx, "UPDATE site_device_types SET settings = ?, mask_id = ?, vdm_for_employees = ?, updated_at = ? WHERE site_id = ? AND type_id = ?",
		settings, maskID, vdm, now, siteID, typeID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		if _, err := q.Exec(ctx, `INSERT INTO site_device_types (site_id, type_id, company_id, settings, mask_id, vdm_for_employees, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, siteID, typeID, companyID, settings, maskID, vdm, now); err != nil {
			return err
		}
	}
	return s.touchDevices(ctx, "site_id = ? AND type_id = ?", siteID, typeID)
}

// siteTypeChange is what happened to a device type at a site, for its
// audit entry.
type siteTypeChange int

const (
	typeCustomised siteTypeChange = iota
	typeReset
	maskApplied
	maskRemoved
)

func (s *Service) recordSiteType(ctx context.Context, change siteTypeChange, companyID, siteID int64, t Type, before, after SiteType) error {
	event := "Customise Device Type"
	switch change {
	case typeReset:
		event = "Reset Device Type"
	case maskApplied:
		event = "Apply Device Mask"
	case maskRemoved:
		event = "Remove Device Mask"
	}
	var siteName string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT name FROM org_groups WHERE id = ?", siteID).Scan(&siteName); err != nil {
		return err
	}
	type state struct {
		Settings                Settings `json:"settings"`
		Mask                    *MaskRef `json:"mask"`
		VDMAvailableToEmployees bool     `json:"vdm_available_to_employees"`
	}
	return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: "device_type", ObjectID: t.ID, ObjectName: t.Name() + " at " + siteName,
		CompanyID: companyID, SiteID: siteID,
		Before: state{before.Settings, before.Mask, before.VDMAvailableToEmployees},
		After:  state{after.Settings, after.Mask, after.VDMAvailableToEmployees}})
}

// ResetResult is what a Reset did: the reboot it launched ("Reset and
// reboot"), or why the reboot was not launched; the reset itself stands
// either way (a reboot needs registered phones and no reboot of the same
// devices in progress).
type ResetResult struct {
	RebootJobID   int64  `json:"reboot_job_id,omitempty"`
	RebootRefused string `json:"reboot_refused,omitempty"`
}

// ResetSiteType puts a type's options at the site back to the product
// defaults and takes its mask away (the guide's Bulk Reset); the VDM box
// is not a customisation and stays. reboot launches a reboot of the type's
// devices afterwards.
func (s *Service) ResetSiteType(ctx context.Context, actor access.Actor, siteID, typeID int64, reboot bool) (ResetResult, error) {
	companyID, providerID, t, err := s.siteTypeTarget(ctx, actor, siteID, typeID)
	if err != nil {
		return ResetResult{}, fmt.Errorf("devices: reset device type %d at site %d: %w", typeID, siteID, err)
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.siteType(ctx, providerID, siteID, t)
		if err != nil {
			return err
		}
		if err := s.saveSiteType(ctx, companyID, siteID, typeID, "", nil, before.VDMAvailableToEmployees); err != nil {
			return err
		}
		after, err := s.siteType(ctx, providerID, siteID, t)
		if err != nil {
			return err
		}
		return s.recordSiteType(ctx, typeReset, companyID, siteID, t, before, after)
	})
	if err != nil {
		return ResetResult{}, fmt.Errorf("devices: reset device type %d at site %d: %w", typeID, siteID, err)
	}
	if !reboot {
		return ResetResult{}, nil
	}
	return s.rebootAfterReset(func() (int64, error) { return s.Reboot.RebootDeviceType(ctx, actor, siteID, typeID) })
}

func (s *Service) rebootAfterReset(launch func() (int64, error)) (ResetResult, error) {
	if s.Reboot == nil {
		return ResetResult{RebootRefused: "this node cannot reboot devices; reboot them from the Devices tab or by hand"}, nil
	}
	job, err := launch()
	if err != nil {
		c := derrors.Classify(err)
		if c.Kind == derrors.KindInvalid || c.Kind == derrors.KindConflict {
			return ResetResult{RebootRefused: c.Message}, nil
		}
		return ResetResult{}, fmt.Errorf("devices: reboot after reset: %w", err)
	}
	return ResetResult{RebootJobID: job}, nil
}

// DeviceCustomisation is a device's own options and what it is configured
// with.
type DeviceCustomisation struct {
	Device Device `json:"device"`
	Type   Type   `json:"type"`
	// Settings are the options set on the device itself.
	Settings Settings `json:"settings"`
	// Inherited is what the device gets from its type at the site and the
	// mask, before its own options.
	Inherited Effective `json:"inherited"`
	Effective Effective `json:"effective"`
	Mask      *MaskRef  `json:"mask"`
}

// customisation reads device id of companyID with its levels.
func (s *Service) customisation(ctx context.Context, companyID, id int64) (DeviceCustomisation, error) {
	d, err := s.Device(ctx, companyID, id)
	if err != nil {
		return DeviceCustomisation{}, err
	}
	providerID, err := s.providerOf(ctx, companyID)
	if err != nil {
		return DeviceCustomisation{}, err
	}
	t, err := s.Type(ctx, providerID, d.TypeID)
	if err != nil {
		return DeviceCustomisation{}, err
	}
	var raw string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT settings FROM devices WHERE id = ?", id).Scan(&raw); err != nil {
		return DeviceCustomisation{}, err
	}
	own, err := decodeSettings(raw)
	if err != nil {
		return DeviceCustomisation{}, err
	}
	r, err := s.siteTypeRow(ctx, d.SiteID, d.TypeID)
	if err != nil {
		return DeviceCustomisation{}, err
	}
	layers := r.layers()
	return DeviceCustomisation{Device: d, Type: t, Settings: own, Mask: r.mask,
		Inherited: Resolve(t, layers...), Effective: Resolve(t, append(layers, Layer{SourceDevice, own})...)}, nil
}

// EffectiveSettings is what device id of companyID is configured with, for
// the provisioning server (no actor: the device itself is asking).
func (s *Service) EffectiveSettings(ctx context.Context, companyID, id int64) (Effective, Type, error) {
	c, err := s.customisation(ctx, companyID, id)
	if err != nil {
		return Effective{}, Type{}, fmt.Errorf("devices: settings of device %d: %w", id, err)
	}
	return c.Effective, c.Type, nil
}

// ViewDeviceCustomisation is a device's customisation, for whoever manages
// its site's devices.
func (s *Service) ViewDeviceCustomisation(ctx context.Context, actor access.Actor, id int64) (DeviceCustomisation, error) {
	d, err := s.ViewDevice(ctx, actor, id)
	if err != nil {
		return DeviceCustomisation{}, err
	}
	return s.customisation(ctx, d.CompanyID, id)
}

// CustomiseDevice saves a device's own options (the whole set), which
// override its type's at the site and its type's mask.
func (s *Service) CustomiseDevice(ctx context.Context, actor access.Actor, id int64, settings Settings) (DeviceCustomisation, error) {
	d, err := s.ViewDevice(ctx, actor, id)
	if err != nil {
		return DeviceCustomisation{}, fmt.Errorf("devices: customise device %d: %w", id, err)
	}
	before, err := s.customisation(ctx, d.CompanyID, id)
	if err != nil {
		return DeviceCustomisation{}, err
	}
	if before.Type.SoftClient {
		return DeviceCustomisation{}, derrors.Invalid("", "a %s is not provisioned by the platform: it has no options to customise", before.Type.Name())
	}
	if err := settings.normalize(&before.Type); err != nil {
		return DeviceCustomisation{}, err
	}
	return s.saveDeviceSettings(ctx, false, before, settings)
}

// ResetDevice clears a device's own options: it goes back to its type's
// at the site (the guide's per-device Reset); reboot launches its reboot.
func (s *Service) ResetDevice(ctx context.Context, actor access.Actor, id int64, reboot bool) (ResetResult, error) {
	d, err := s.ViewDevice(ctx, actor, id)
	if err != nil {
		return ResetResult{}, fmt.Errorf("devices: reset device %d: %w", id, err)
	}
	before, err := s.customisation(ctx, d.CompanyID, id)
	if err != nil {
		return ResetResult{}, err
	}
	if _, err := s.saveDeviceSettings(ctx, true, before, Settings{}); err != nil {
		return ResetResult{}, err
	}
	if !reboot {
		return ResetResult{}, nil
	}
	return s.rebootAfterReset(func() (int64, error) { return s.Reboot.RebootDevice(ctx, actor, id) })
}

func (s *Service) saveDeviceSettings(ctx context.Context, reset bool, before DeviceCustomisation, settings Settings) (DeviceCustomisation, error) {
	event := "Customise Device"
	if reset {
		event = "Reset Device"
	}
	d := before.Device
	var after DeviceCustomisation
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET settings = ?, updated_at = ? WHERE id = ? AND company_id = ?",
			encodeSettings(settings), store.Now(), d.ID, d.CompanyID); err != nil {
			return err
		}
		var err error
		if after, err = s.customisation(ctx, d.CompanyID, d.ID); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: "device", ObjectID: d.ID, ObjectName: d.Name,
			CompanyID: d.CompanyID, SiteID: d.SiteID, Before: before.Settings, After: after.Settings})
	})
	if err != nil {
		return DeviceCustomisation{}, fmt.Errorf("devices: %s %d: %w", event, d.ID, err)
	}
	return after, nil
}
