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
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Mask is a named set of options of a site, applied to several of its
// device types at once (docs/devices.md, "Masks").
type Mask struct {
	ID        int64     `json:"id"`
	CompanyID int64     `json:"company_id"`
	SiteID    int64     `json:"site_id"`
	Name      string    `json:"name"`
	Settings  Settings  `json:"settings"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// TypeIDs are the site's device types that carry the mask.
	TypeIDs []int64 `json:"type_ids"`
}

// MaskRequest creates or changes a mask.
type MaskRequest struct {
	Name     string   `json:"name"`
	Settings Settings `json:"settings"`
}

const maxMaskName = 60

func (r *MaskRequest) validate() error {
	v := &derrors.ValidationError{}
	r.Name = strings.TrimSpace(r.Name)
	switch {
	case r.Name == "":
		v.Add("name", "give the mask a name, e.g. Call centre desks")
	case len([]rune(r.Name)) > maxMaskName:
		v.Add("name", "the name is at most %d characters", maxMaskName)
	}
	if err := r.Settings.normalize(nil); err != nil {
		var ve *derrors.ValidationError
		if errors.As(err, &ve) {
			v.Fields = append(v.Fields, ve.Fields...)
		}
	}
	if len(v.Fields) == 0 && r.Settings.Empty() {
		v.Add("settings", "a mask sets at least one option")
	}
	return v.Err()
}

func (s *Service) mask(ctx context.Context, id int64) (Mask, error) {
	var m Mask
	var raw string
	var created, updated int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT id, company_id, site_id, name, settings, created_at, updated_at FROM device_masks WHERE id = ?", id).
		Scan(&m.ID, &m.CompanyID, &m.SiteID, &m.Name, &raw, &created, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("devices: mask %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return m, err
	}
	m.CreatedAt, m.UpdatedAt = store.Time(created), store.Time(updated)
	if m.Settings, err = decodeSettings(raw); err != nil {
		return m, err
	}
	m.TypeIDs = []int64{}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT type_id FROM site_device_types WHERE mask_id = ? ORDER BY type_id", id)
	if err != nil {
		return m, err
	}
	defer rows.Close()
	for rows.Next() {
		var t int64
		if err := rows.Scan(&t); err != nil {
			return m, err
		}
		m.TypeIDs = append(m.TypeIDs, t)
	}
	return m, rows.Err()
}

// maskTarget loads mask id after asking access for its site: a mask of a
// site the actor may not manage is not found, like a missing one.
func (s *Service) maskTarget(ctx context.Context, actor access.Actor, id int64) (Mask, error) {
	var siteID int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT site_id FROM device_masks WHERE id = ?", id).Scan(&siteID)
	if errors.Is(err, sql.ErrNoRows) {
		return Mask{}, fmt.Errorf("devices: mask %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return Mask{}, err
	}
	if _, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID); err != nil {
		return Mask{}, fmt.Errorf("devices: mask %d: %w", id, err)
	}
	return s.mask(ctx, id)
}

// Masks are a site's masks by name.
func (s *Service) Masks(ctx context.Context, actor access.Actor, siteID int64) ([]Mask, error) {
	if _, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID); err != nil {
		return nil, fmt.Errorf("devices: masks of site %d: %w", siteID, err)
	}
	ids, err := s.db.Q(ctx).IDs(ctx, "SELECT id FROM device_masks WHERE site_id = ? ORDER BY lower(name), id", siteID)
	if err != nil {
		return nil, fmt.Errorf("devices: masks of site %d: %w", siteID, err)
	}
	out := make([]Mask, 0, len(ids))
	for _, id := range ids {
		m, err := s.mask(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// ViewMask is one mask.
func (s *Service) ViewMask(ctx context.Context, actor access.Actor, id int64) (Mask, error) {
	return s.maskTarget(ctx, actor, id)
}

// CreateMask saves a set of options as a mask of the site.
func (s *Service) CreateMask(ctx context.Context, actor access.Actor, siteID int64, req MaskRequest) (Mask, error) {
	companyID, err := s.access.CheckSite(ctx, actor, access.ManageDevices, siteID)
	if err != nil {
		return Mask{}, fmt.Errorf("devices: create mask at site %d: %w", siteID, err)
	}
	if err := req.validate(); err != nil {
		return Mask{}, err
	}
	var m Mask
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		now := store.Now()
		var id int64
		err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO device_masks (company_id, site_id, name, settings, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, companyID, siteID, req.Name, encodeSettings(req.Settings), now, now).Scan(&id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "the site already has a mask named %q", req.Name)
		}
		if err != nil {
			return err
		}
		if m, err = s.mask(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Device Mask", ObjectKind: "device_mask", ObjectID: id, ObjectName: m.Name,
			CompanyID: companyID, SiteID: siteID, After: m})
	})
	if err != nil {
		return Mask{}, fmt.Errorf("devices: create mask at site %d: %w", siteID, err)
	}
	return m, nil
}

// ModifyMask changes a mask; the types carrying it take the change.
func (s *Service) ModifyMask(ctx context.Context, actor access.Actor, id int64, req MaskRequest) (Mask, error) {
	before, err := s.maskTarget(ctx, actor, id)
	if err != nil {
		return Mask{}, err
	}
	if err := req.validate(); err != nil {
		return Mask{}, err
	}
	var after Mask
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, "UPDATE device_masks SET name = ?, settings = ?, updated_at = ? WHERE id = ?",
			req.Name, encodeSettings(req.Settings), store.Now(), id)
		if store.IsUniqueViolation(err) {
			return derrors.Conflict("name", "the site already has a mask named %q", req.Name)
		}
		if err != nil {
			return err
		}
		if err := s.touchMaskDevices(ctx, id); err != nil {
			return err
		}
		if after, err = s.mask(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Device Mask", ObjectKind: "device_mask", ObjectID: id, ObjectName: after.Name,
			CompanyID: after.CompanyID, SiteID: after.SiteID, Before: before, After: after})
	})
	if err != nil {
		return Mask{}, fmt.Errorf("devices: modify mask %d: %w", id, err)
	}
	return after, nil
}

// touchMaskDevices marks changed the devices of the types carrying mask id.
func (s *Service) touchMaskDevices(ctx context.Context, id int64) error {
	return s.touchDevices(ctx, "EXISTS (SELECT 1 FROM site_device_types st WHERE st.mask_id = ? AND st.site_id = devices.site_id AND st.type_id = devices.type_id)", id)
}

// DeleteMask deletes a mask; the types that carried it lose its options.
func (s *Service) DeleteMask(ctx context.Context, actor access.Actor, id int64) error {
	before, err := s.maskTarget(ctx, actor, id)
	if err != nil {
		return err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if err := s.touchMaskDevices(ctx, id); err != nil {
			return err
		}
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "UPDATE site_device_types SET mask_id = NULL, updated_at = ? WHERE mask_id = ?", store.Now(), id); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM device_masks WHERE id = ?", id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Device Mask", ObjectKind: "device_mask", ObjectID: id, ObjectName: before.Name,
			CompanyID: before.CompanyID, SiteID: before.SiteID, Before: before})
	})
	if err != nil {
		return fmt.Errorf("devices: delete mask %d: %w", id, err)
	}
	return nil
}

// ApplyMask makes each of the site's device types typeIDs carry mask id
// (a type carries one mask: applying another replaces it). The options a
// type lacks are left out for it, as the page greys them out.
func (s *Service) ApplyMask(ctx context.Context, actor access.Actor, id int64, typeIDs []int64) ([]SiteType, error) {
	m, err := s.maskTarget(ctx, actor, id)
	if err != nil {
		return nil, err
	}
	if len(typeIDs) == 0 {
		return nil, derrors.Invalid("type_ids", "choose at least one device type to apply the mask %q to", m.Name)
	}
	providerID, err := s.providerOf(ctx, m.CompanyID)
	if err != nil {
		return nil, err
	}
	var out []SiteType
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		seen := map[int64]bool{}
		for _, typeID := range typeIDs {
			if seen[typeID] {
				continue
			}
			seen[typeID] = true
			t, err := s.Type(ctx, providerID, typeID)
			if derrors.IsNotFound(err) {
				return derrors.Invalid("type_ids", "device type %d does not exist", typeID)
			}
			if err != nil {
				return err
			}
			if t.SoftClient {
				return derrors.Invalid("type_ids", "the %s has no options: a mask cannot be applied to it", t.Name())
			}
			before, err := s.siteType(ctx, providerID, m.SiteID, t)
			if err != nil {
				return err
			}
			if err := s.saveSiteType(ctx, m.CompanyID, m.SiteID, typeID, encodeSettings(before.Settings), &m.ID, before.VDMAvailableToEmployees); err != nil {
				return err
			}
			after, err := s.siteType(ctx, providerID, m.SiteID, t)
			if err != nil {
				return err
			}
			if err := s.recordSiteType(ctx, maskApplied, m.CompanyID, m.SiteID, t, before, after); err != nil {
				return err
			}
			out = append(out, after)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("devices: apply mask %d: %w", id, err)
	}
	return out, nil
}

// RemoveMask takes the mask off a site's device type; its own options stay.
func (s *Service) RemoveMask(ctx context.Context, actor access.Actor, siteID, typeID int64) (SiteType, error) {
	companyID, providerID, t, err := s.siteTypeTarget(ctx, actor, siteID, typeID)
	if err != nil {
		return SiteType{}, fmt.Errorf("devices: remove mask of device type %d at site %d: %w", typeID, siteID, err)
	}
	var after SiteType
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.siteType(ctx, providerID, siteID, t)
		if err != nil {
			return err
		}
		if before.Mask == nil {
			return derrors.Invalid("", "the %s carries no mask at this site", t.Name())
		}
		if err := s.saveSiteType(ctx, companyID, siteID, typeID, encodeSettings(before.Settings), nil, before.VDMAvailableToEmployees); err != nil {
			return err
		}
		if after, err = s.siteType(ctx, providerID, siteID, t); err != nil {
			return err
		}
		return s.recordSiteType(ctx, maskRemoved, companyID, siteID, t, before, after)
	})
	if err != nil {
		return SiteType{}, fmt.Errorf("devices: remove mask of device type %d at site %d: %w", typeID, siteID, err)
	}
	return after, nil
}
