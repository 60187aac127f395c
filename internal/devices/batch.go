package devices

import (
	"context"
	"fmt"

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
