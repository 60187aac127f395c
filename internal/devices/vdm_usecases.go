package devices

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The Visual Device Manager as actions of an actor (docs/devices.md, "The
// Visual Device Manager", "Who may"): access.ConfigureDevice, whoever
// manages the site's devices and the employee using the device, the latter
// only when the site's type has "VDM available to Employees" ticked
// (vdmOpen). Only a device of a VDM type has one.

// vdmTarget checks the actor may open device id's Visual Device Manager
// and loads it.
func (s *Service) vdmTarget(ctx context.Context, actor access.Actor, id int64) (vdmState, error) {
	self, err := s.access.CheckConfigureDevice(ctx, actor, id)
	if err != nil {
		return vdmState{}, err
	}
	companyID, err := s.CompanyOf(ctx, id)
	if err != nil {
		return vdmState{}, err
	}
	st, err := s.loadVDM(ctx, companyID, id)
	if err != nil {
		return vdmState{}, err
	}
	return st, s.vdmOpen(ctx, st, self)
}

// vdmOpen checks the loaded device has a Visual Device Manager the actor
// may open: a VDM type, and for the employee using it, one their site's
// type makes available to employees.
func (s *Service) vdmOpen(ctx context.Context, st vdmState, self bool) error {
	if !st.t.VDM {
		return derrors.Conflict("", "the %s is not a VDM type, so it has no Visual Device Manager: convert the device to a VDM type first (the %s VDM type, chosen under Modify on the Devices tab while nobody uses the device)",
			st.t.Name(), st.t.Name())
	}
	if self {
		r, err := s.siteTypeRow(ctx, st.d.SiteID, st.t.ID)
		if err != nil {
			return err
		}
		if !r.vdm {
			return derrors.Forbidden("your administrator has not made the Visual Device Manager of the %s available to employees at your site: ask them to change your phone's keys or ringer", st.t.Name())
		}
	}
	return nil
}

// VisualDeviceManager is device id's Visual Device Manager: its profile,
// General Settings, line keys page by page, soft keys and ringer.
func (s *Service) VisualDeviceManager(ctx context.Context, actor access.Actor, id int64) (VDM, error) {
	st, err := s.vdmTarget(ctx, actor, id)
	if err != nil {
		return VDM{}, fmt.Errorf("devices: visual device manager of %d: %w", id, err)
	}
	v, err := s.view(ctx, st)
	if err != nil {
		return VDM{}, fmt.Errorf("devices: visual device manager of %d: %w", id, err)
	}
	return v, nil
}

// MyPhone is the Visual Device Manager of the actor's own phone (their
// primary device), for self-care. ErrNotFound when they have none.
func (s *Service) MyPhone(ctx context.Context, actor access.Actor) (VDM, error) {
	if err := s.access.Check(ctx, actor, access.UpdateEmployee, access.Employee(actor.AccountID)); err != nil {
		return VDM{}, fmt.Errorf("devices: my phone: %w", err)
	}
	d, err := s.PrimaryDevice(ctx, actor.CompanyID, actor.AccountID)
	if err != nil {
		return VDM{}, fmt.Errorf("devices: my phone: %w", err)
	}
	return s.VisualDeviceManager(ctx, actor, d.ID)
}

// vdmChange is what a change of the Visual Device Manager is about, for
// its audit entry.
type vdmChange int

const (
	vdmGeneral vdmChange = iota
	vdmLineKeys
	vdmSoftKeys
	vdmRinger
	vdmResetKeys
)

// changeVDM is the shape of every change: check, lock the device's row,
// read what is stored, let edit change it (validating), store it, mark the
// device changed so the phone fetches a new configuration, and audit.
func (s *Service) changeVDM(ctx context.Context, actor access.Actor, id int64, change vdmChange, edit func(st vdmState, c *vdmConfig) error) (VDM, error) {
	event := "Reset Device Keys"
	switch change {
	case vdmGeneral:
		event = "Modify Device General Settings"
	case vdmLineKeys:
		event = "Modify Device Line Keys"
	case vdmSoftKeys:
		event = "Modify Device Soft Keys"
	case vdmRinger:
		event = "Modify Device Ringer"
	}
	self, err := s.access.CheckConfigureDevice(ctx, actor, id)
	if err != nil {
		return VDM{}, fmt.Errorf("devices: %s %d: %w", strings.ToLower(event), id, err)
	}
	var after VDM
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		companyID, err := s.CompanyOf(ctx, id)
		if err != nil {
			return err
		}
		if err := s.lockVDM(ctx, companyID, id); err != nil {
			return err
		}
		// Loaded once, under the lock: what is checked is what is changed.
		st, err := s.loadVDM(ctx, companyID, id)
		if err != nil {
			return err
		}
		if err := s.vdmOpen(ctx, st, self); err != nil {
			return err
		}
		before := st.cfg.clone()
		next := st.cfg.clone()
		if err := edit(st, &next); err != nil {
			return err
		}
		if err := checkLinesOnce(st.t, next); err != nil {
			return err
		}
		if _, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET vdm_config = ?, updated_at = ? WHERE id = ? AND company_id = ?",
			next.encode(), store.Now(), id, companyID); err != nil {
			return err
		}
		st.cfg = next
		if after, err = s.view(ctx, st); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: event, ObjectKind: "device", ObjectID: st.d.ID, ObjectName: st.d.Name,
			CompanyID: st.d.CompanyID, SiteID: st.d.SiteID, Before: auditVDM(change, before), After: auditVDM(change, next)})
	})
	if err != nil {
		return VDM{}, fmt.Errorf("devices: %s %d: %w", strings.ToLower(event), id, err)
	}
	return after, nil
}

// auditVDM is the part of the stored settings an event changed.
func auditVDM(change vdmChange, c vdmConfig) any {
	switch change {
	case vdmGeneral:
		return map[string]any{"sidecars": c.Sidecars, "blf_start": c.BLFStart}
	case vdmLineKeys:
		return map[string]any{"line_keys": c.LineKeys}
	case vdmSoftKeys:
		return map[string]any{"soft_keys": c.SoftKeys}
	case vdmRinger:
		return map[string]any{"ringer": c.Ringer}
	}
	return map[string]any{"line_keys": c.LineKeys, "soft_keys": c.SoftKeys}
}

// SetVDMGeneral saves the General Settings: how many sidecars of the
// type's model are attached, and whether BLF keys start on the phone or on
// the sidecar. Detaching a sidecar drops what was set on its keys.
func (s *Service) SetVDMGeneral(ctx context.Context, actor access.Actor, id int64, g VDMGeneral) (VDM, error) {
	return s.changeVDM(ctx, actor, id, vdmGeneral, func(st vdmState, c *vdmConfig) error {
		t := st.t
		v := &derrors.ValidationError{}
		switch {
		case g.Sidecars != 0 && !takesSidecars(t):
			v.Add("sidecars", "the %s takes no sidecar", t.Name())
		case g.Sidecars < 0 || g.Sidecars > t.SidecarMax:
			v.Add("sidecars", "the %s takes 0 to %d %s sidecars", t.Name(), t.SidecarMax, t.SidecarModel)
		}
		if g.BLFStart == "" {
			g.BLFStart = BLFStartPhone
		}
		if g.BLFStart != BLFStartPhone && g.BLFStart != BLFStartSidecar {
			v.Add("blf_start", "the BLF start position is phone (phone first) or sidecar (sidecar first), not %q", g.BLFStart)
		}
		if err := v.Err(); err != nil {
			return err
		}
		c.SidecarsWritten = max(c.SidecarsWritten, c.Sidecars, g.Sidecars)
		c.Sidecars, c.BLFStart = g.Sidecars, g.BLFStart
		for name := range c.LineKeys {
			if n, ok := strings.CutPrefix(name, "sidecar"); ok {
				if sc, err := strconv.Atoi(strings.SplitN(n, "/", 2)[0]); err == nil && sc > g.Sidecars {
					delete(c.LineKeys, name)
				}
			}
		}
		return nil
	})
}

// SetLineKey sets key k of line key page p (the phone's pages first, then
// each attached sidecar's).
func (s *Service) SetLineKey(ctx context.Context, actor access.Actor, id int64, p, k int, key Key) (VDM, error) {
	return s.changeVDM(ctx, actor, id, vdmLineKeys, func(st vdmState, c *vdmConfig) error {
		sl, err := pageSlot(st.t, *c, p, k)
		if err != nil {
			return err
		}
		rules, err := s.numberRules(ctx, st.d.CompanyID)
		if err != nil {
			return err
		}
		v := &derrors.ValidationError{}
		stored, isDefault, err := s.lineKey(ctx, st, rules, v, "key", key)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		setKey(c.LineKeys, sl.name(), stored, isDefault)
		return nil
	})
}

// SetLineKeys sets every key of line key page p at once: keys holds one
// entry per key of the page, key 1 first.
func (s *Service) SetLineKeys(ctx context.Context, actor access.Actor, id int64, p int, keys []Key) (VDM, error) {
	return s.changeVDM(ctx, actor, id, vdmLineKeys, func(st vdmState, c *vdmConfig) error {
		if _, err := pageSlot(st.t, *c, p, 1); err != nil {
			return err
		}
		if n := pageKeys(st.t, p); len(keys) != n {
			return derrors.Invalid("keys", "page %d has %d keys: give %d (Default for a key left as it comes)", p, n, n)
		}
		rules, err := s.numberRules(ctx, st.d.CompanyID)
		if err != nil {
			return err
		}
		v := &derrors.ValidationError{}
		for i, key := range keys {
			stored, isDefault, err := s.lineKey(ctx, st, rules, v, fmt.Sprintf("keys[%d]", i), key)
			if err != nil {
				return err
			}
			sl, _ := pageSlot(st.t, *c, p, i+1)
			setKey(c.LineKeys, sl.name(), stored, isDefault)
		}
		return v.Err()
	})
}

// SetSoftKeys sets the soft keys: one entry per soft key of the type.
func (s *Service) SetSoftKeys(ctx context.Context, actor access.Actor, id int64, keys []Key) (VDM, error) {
	return s.changeVDM(ctx, actor, id, vdmSoftKeys, func(st vdmState, c *vdmConfig) error {
		if n := st.t.SoftKeys; len(keys) != n {
			return derrors.Invalid("keys", "the %s has %d soft keys: give %d (Default for a key left as it comes)", st.t.Name(), n, n)
		}
		rules, err := s.numberRules(ctx, st.d.CompanyID)
		if err != nil {
			return err
		}
		v := &derrors.ValidationError{}
		for i, key := range keys {
			stored, isDefault, err := s.softKey(ctx, rules, v, fmt.Sprintf("keys[%d]", i), key)
			if err != nil {
				return err
			}
			setKey(c.SoftKeys, strconv.Itoa(i+1), stored, isDefault)
		}
		return v.Err()
	})
}

// SetSoftKey sets soft key k (1 first); the others keep what is set. It
// changes one key under the device's lock, so two people editing different
// keys at once both keep their change.
func (s *Service) SetSoftKey(ctx context.Context, actor access.Actor, id int64, k int, key Key) (VDM, error) {
	return s.changeVDM(ctx, actor, id, vdmSoftKeys, func(st vdmState, c *vdmConfig) error {
		if n := st.t.SoftKeys; k < 1 || k > n {
			return derrors.Invalid("key", "the %s has soft keys 1 to %d", st.t.Name(), n)
		}
		rules, err := s.numberRules(ctx, st.d.CompanyID)
		if err != nil {
			return err
		}
		v := &derrors.ValidationError{}
		stored, isDefault, err := s.softKey(ctx, rules, v, "key", key)
		if err != nil {
			return err
		}
		if err := v.Err(); err != nil {
			return err
		}
		setKey(c.SoftKeys, strconv.Itoa(k), stored, isDefault)
		return nil
	})
}

// SetRinger sets the phone's ringer: one of its type's ring tones, or ""
// for the phone's own.
func (s *Service) SetRinger(ctx context.Context, actor access.Actor, id int64, ringer string) (VDM, error) {
	return s.changeVDM(ctx, actor, id, vdmRinger, func(st vdmState, c *vdmConfig) error {
		ringer = strings.TrimSpace(ringer)
		if ringer != "" && !slices.Contains(st.t.RingTones, ringer) {
			return derrors.Invalid("ringer", "%q is not a ring tone of the %s (%s)", ringer, st.t.Name(), strings.Join(st.t.RingTones, ", "))
		}
		c.Ringer = ringer
		return nil
	})
}

// ResetVDMKeys puts every line key and soft key back to its default (the
// sidecars, BLF start and ringer stay).
func (s *Service) ResetVDMKeys(ctx context.Context, actor access.Actor, id int64) (VDM, error) {
	return s.changeVDM(ctx, actor, id, vdmResetKeys, func(st vdmState, c *vdmConfig) error {
		c.LineKeys, c.SoftKeys = map[string]Key{}, map[string]Key{}
		return nil
	})
}

func setKey(m map[string]Key, name string, k Key, isDefault bool) {
	if isDefault {
		delete(m, name)
		return
	}
	m[name] = k
}
