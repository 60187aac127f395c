package devices

import (
	"context"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// MarkSeen records that device id was seen at t outside SIP — it fetched
// its configuration from the provisioning server, which calls this. A
// reboot counts a device seen after its NOTIFY as rebooted, like a new
// REGISTER (docs/sip.md, "Reboot"). It is a system call (the device
// authenticated to the provisioning server), not an administrative change,
// so it is not audited.
func (s *Service) MarkSeen(ctx context.Context, id int64, t time.Time) error {
	ms := t.UnixMilli()
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		_, err := s.db.Q(ctx).Exec(ctx, `INSERT INTO device_seen (device_id, seen_at) VALUES (?, ?)
			ON CONFLICT (device_id) DO UPDATE SET seen_at = excluded.seen_at WHERE device_seen.seen_at < excluded.seen_at`, id, ms)
		return err
	})
	if err != nil {
		return fmt.Errorf("devices: mark device %d seen: %w", id, err)
	}
	return nil
}

// LastSeen is when device id was last marked seen (the zero time if never).
func (s *Service) LastSeen(ctx context.Context, id int64) (time.Time, error) {
	var ms int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(seen_at), 0) FROM device_seen WHERE device_id = ?", id).Scan(&ms)
	if err != nil {
		return time.Time{}, fmt.Errorf("devices: device %d last seen: %w", id, err)
	}
	if ms == 0 {
		return time.Time{}, nil
	}
	return store.Time(ms), nil
}
