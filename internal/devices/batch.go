package devices

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// DevicesOf returns the devices of companyID among ids, keyed by id, in one
// statement (an activation checks every chosen device at once).
func (s *Service) DevicesOf(ctx context.Context, companyID int64, ids []int64) (map[int64]Device, error) {
	out := map[int64]Device{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{companyID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT "+deviceColumns+" FROM devices d JOIN device_types t ON t.id = d.type_id WHERE d.company_id = ? AND d.id IN ("+
		store.Placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("devices: devices of company %d: %w", companyID, err)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out[d.ID] = d
	}
	return out, rows.Err()
}

// MACsInUse returns which of the normalised macs a device of any company
// has (MACs are unique on the platform), in one statement.
func (s *Service) MACsInUse(ctx context.Context, macs []string) (map[string]bool, error) {
	out := map[string]bool{}
	if len(macs) == 0 {
		return out, nil
	}
	args := make([]any, len(macs))
	for i, m := range macs {
		args[i] = m
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT mac FROM devices WHERE mac IN ("+store.Placeholders(len(macs))+")", args...)
	if err != nil {
		return nil, fmt.Errorf("devices: MACs in use: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		out[m] = true
	}
	return out, rows.Err()
}

// CreateMany is Create for many devices of companyID at once, in the
// transaction in ctx, returned in order: every type must be the
// provider's, every site the company's, every MAC valid and free (one
// taken is a conflict that names nobody, and nothing is created). A
// constant number of statements whatever the count.
func (s *Service) CreateMany(ctx context.Context, providerID, companyID int64, reqs []DeviceCreateRequest) (out []Device, err error) {
	defer derrors.Wrap(&err, "devices: create %d devices", len(reqs))
	if len(reqs) == 0 {
		return nil, nil
	}
	ts, err := s.Types(ctx, providerID)
	if err != nil {
		return nil, err
	}
	types := map[int64]Type{}
	for _, t := range ts {
		types[t.ID] = t
	}
	macs := make([]string, len(reqs))
	sites := map[int64]bool{}
	for i, r := range reqs {
		t, ok := types[r.TypeID]
		if !ok {
			return nil, derrors.Invalid("type_id", "device type %d does not exist", r.TypeID)
		}
		if macs[i], err = NormalizeMAC(r.MAC, t.SoftClient); err != nil {
			return nil, err
		}
		sites[r.SiteID] = true
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		siteArgs := []any{companyID, true}
		for id := range sites {
			siteArgs = append(siteArgs, id)
		}
		var n int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM org_groups WHERE company_id = ? AND is_site = ? AND id IN ("+
			store.Placeholders(len(sites))+")", siteArgs...).Scan(&n); err != nil {
			return err
		}
		if n != len(sites) {
			return derrors.Invalid("site_id", "a device's site does not exist")
		}
		now := store.Now()
		var args []any
		for i, r := range reqs {
			// Devices an activation adds are named by their MAC, as spare
			// devices are (docs/devices.md, "Devices").
			args = append(args, companyID, r.SiteID, r.TypeID, macs[i], macs[i], strings.TrimSpace(r.Label), now, now)
		}
		rows, err := q.Query(ctx, `INSERT INTO devices (company_id, site_id, type_id, name, mac, label, created_at, updated_at) VALUES `+
			store.RepeatRow(len(reqs), "(?, ?, ?, ?, ?, ?, ?, ?)")+` RETURNING id`, args...)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return derrors.Conflict("mac", "a MAC is already registered to a device; remove it there first")
			}
			return err
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			if store.IsUniqueViolation(err) {
				return derrors.Conflict("mac", "a MAC is already registered to a device; remove it there first")
			}
			return err
		}
		byID, err := s.DevicesOf(ctx, companyID, ids)
		if err != nil {
			return err
		}
		byMAC := map[string]Device{}
		for _, d := range byID {
			byMAC[d.MAC] = d
		}
		events := make([]audit.Event, len(reqs))
		out = make([]Device, len(reqs))
		for i := range reqs {
			d, ok := byMAC[macs[i]]
			if !ok {
				return fmt.Errorf("device %s was not created", macs[i])
			}
			out[i] = d
			events[i] = audit.Event{Event: "Create Device", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
				CompanyID: companyID, SiteID: d.SiteID, After: d}
		}
		return s.audit.RecordAll(ctx, events)
	})
	return out, err
}

// AssignPrimaryMany is AssignPrimary for many employees at once (device
// id → account id), in the transaction in ctx: each device must be a free
// device of siteID (or already that employee's). A constant number of
// statements whatever the count.
func (s *Service) AssignPrimaryMany(ctx context.Context, companyID, siteID int64, give map[int64]int64) (err error) {
	defer derrors.Wrap(&err, "devices: assign %d devices", len(give))
	if len(give) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		ids := make([]int64, 0, len(give))
		for id := range give {
			ids = append(ids, id)
		}
		before, err := s.DevicesOf(ctx, companyID, ids)
		if err != nil {
			return err
		}
		var cases strings.Builder
		var caseArgs, inArgs []any
		for _, id := range ids {
			d, ok := before[id]
			switch {
			case !ok:
				return derrors.Invalid("device_id", "device %d does not exist", id)
			case d.SiteID != siteID:
				return derrors.Invalid("device_id", "device %s belongs to another site; choose a device of the employee's site", d.MAC)
			case d.AccountID != nil && *d.AccountID != give[id]:
				return derrors.Conflict("device_id", "device %s is already used by another employee", d.MAC)
			}
			cases.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			caseArgs = append(caseArgs, id, give[id])
			inArgs = append(inArgs, id)
		}
		args := append(append(caseArgs, store.Now(), companyID), inArgs...)
		// Still free when written: see AssignPrimary.
		res, err := s.db.Q(ctx).Exec(ctx, "UPDATE devices SET account_id = CASE id"+cases.String()+" END, updated_at = ? WHERE company_id = ? AND account_id IS NULL AND id IN ("+
			store.Placeholders(len(ids))+")", args...)
		if err != nil {
			return err
		}
		events := make([]audit.Event, 0, len(ids))
		for _, id := range ids {
			d := before[id]
			if d.AccountID != nil {
				continue // already theirs
			}
			after := d
			acct := give[id]
			after.AccountID = &acct
			events = append(events, audit.Event{Event: "Assign Device", ObjectKind: "device", ObjectID: d.ID, ObjectName: d.MAC,
				CompanyID: companyID, SiteID: d.SiteID, Before: d, After: after})
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if int(k) != len(events) {
			return derrors.Conflict("device_id", "a device was just given to another employee: choose another")
		}
		return s.audit.RecordAll(ctx, events)
	})
}
