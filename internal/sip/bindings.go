package sip

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Registry keeps the registrations (bindings) in the database, so every
// node sees every phone's contacts and the portal shows their status.
type Registry struct {
	db     *store.DB
	access *access.Service
	// Keep is how long an ended binding stays, so the status can say since
	// when a device is not registered.
	Keep time.Duration
}

// NewRegistry returns a Registry on db.
func NewRegistry(db *store.DB) *Registry {
	return &Registry{db: db, access: access.New(db), Keep: 7 * 24 * time.Hour}
}

// Binding is one contact registered for a line's address of record.
type Binding struct {
	LineID       int64     `json:"line_id"`
	DeviceID     int64     `json:"device_id"`
	AOR          string    `json:"aor"`
	Contact      string    `json:"contact"`
	ExpiresAt    time.Time `json:"expires_at"`
	UserAgent    string    `json:"user_agent"`
	Transport    string    `json:"transport"`
	SourceAddr   string    `json:"source_addr"`
	SourcePort   int       `json:"source_port"`
	NodeID       string    `json:"node_id"`
	Path         string    `json:"path,omitempty"`
	CallID       string    `json:"-"`
	CSeq         uint32    `json:"-"`
	RegisteredAt time.Time `json:"registered_at"`
}

// Change is what one REGISTER asks of a line's bindings.
type Change struct {
	LineID, DeviceID int64
	AOR              string
	// RemoveAll is "Contact: *" with Expires: 0.
	RemoveAll bool
	// Contacts are the contacts with the expiry granted to each; an expiry
	// of 0 removes the contact.
	Contacts []ContactExpiry
	// The rest describes the request, copied into each binding written.
	UserAgent, Transport, SourceAddr string
	SourcePort                       int
	NodeID, Path, CallID             string
	CSeq                             uint32
}

// ContactExpiry is one contact of a REGISTER and the seconds granted.
type ContactExpiry struct {
	URI     string
	Expires int
}

// ErrTooManyContacts is returned when a change would leave a line with
// more live contacts than allowed; nothing is changed.
type ErrTooManyContacts struct{ Max int }

func (e ErrTooManyContacts) Error() string {
	return fmt.Sprintf("sip: a line may have at most %d registered contacts", e.Max)
}

// Apply makes the change and returns the line's live bindings after it
// (what the 200 OK lists). maxContacts bounds them: a change that would
// leave more live contacts than before and more than maxContacts is
// refused and changes nothing.
//
// The live bindings are read first, on the read pool, and the answer is
// computed from them, so the write transaction holds only the statements
// that change rows: on SQLite every registration of every node goes
// through its one writer, and that is what bounds the REGISTER rate
// (docs/performance.md). Two registrations of one line at the same moment
// may therefore both pass the contacts bound, by one each.
func (r *Registry) Apply(ctx context.Context, c Change, maxContacts int, now time.Time) ([]Binding, error) {
	live, err := r.live(ctx, c.LineID, now)
	if err != nil {
		return nil, fmt.Errorf("sip: register line %d: %w", c.LineID, err)
	}
	byContact := make(map[string]Binding, len(live)+len(c.Contacts))
	if !c.RemoveAll {
		for _, b := range live {
			byContact[b.Contact] = b
		}
	}
	for _, ct := range c.Contacts {
		old, exists := byContact[ct.URI]
		if exists && old.CallID == c.CallID && old.CSeq >= c.CSeq {
			// Same Call-ID, older CSeq: it arrived out of order and changes
			// nothing (RFC 3261 section 10.3, step 7); the SQL below agrees.
			continue
		}
		if ct.Expires == 0 {
			delete(byContact, ct.URI)
			continue
		}
		b := Binding{LineID: c.LineID, DeviceID: c.DeviceID, AOR: c.AOR, Contact: ct.URI,
			ExpiresAt: now.Add(time.Duration(ct.Expires) * time.Second).Truncate(time.Millisecond), UserAgent: c.UserAgent,
			Transport: c.Transport, SourceAddr: c.SourceAddr, SourcePort: c.SourcePort, NodeID: c.NodeID, Path: c.Path,
			CallID: c.CallID, CSeq: c.CSeq, RegisteredAt: now.Truncate(time.Millisecond)}
		if exists {
			// Still live: it keeps the time it was first registered (the
			// status's "since").
			b.RegisteredAt = old.RegisteredAt
		}
		byContact[ct.URI] = b
	}
	if len(byContact) > maxContacts && len(byContact) > len(live) {
		return nil, fmt.Errorf("sip: register line %d: %w", c.LineID, ErrTooManyContacts{Max: maxContacts})
	}
	err = r.db.Tx(ctx, func(ctx context.Context) error {
		q := r.db.Q(ctx)
		ms := now.UnixMilli()
		if c.RemoveAll {
			if _, err := q.Exec(ctx, "UPDATE sip_bindings SET expires_at = ?, updated_at = ? WHERE line_id = ? AND expires_at > ?", ms, ms, c.LineID, ms); err != nil {
				return err
			}
		}
		for _, ct := range c.Contacts {
			if ct.Expires == 0 {
				if _, err := q.Exec(ctx, "UPDATE sip_bindings SET expires_at = ?, updated_at = ? WHERE line_id = ? AND contact = ? AND expires_at > ?",
					ms, ms, c.LineID, ct.URI, ms); err != nil {
					return err
				}
				continue
			}
			expires := now.Add(time.Duration(ct.Expires) * time.Second).UnixMilli()
			if _, err := q.Exec(ctx, `INSERT INTO sip_bindings (line_id, device_id, aor, contact, expires_at, user_agent, transport,
				source_addr, source_port, node_id, path, call_id, cseq, registered_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (line_id, contact) DO UPDATE SET
					registered_at = CASE WHEN sip_bindings.expires_at > excluded.updated_at THEN sip_bindings.registered_at ELSE excluded.registered_at END,
					expires_at = excluded.expires_at, aor = excluded.aor, user_agent = excluded.user_agent, transport = excluded.transport,
					source_addr = excluded.source_addr, source_port = excluded.source_port, node_id = excluded.node_id, path = excluded.path,
					call_id = excluded.call_id, cseq = excluded.cseq, updated_at = excluded.updated_at
				WHERE NOT (sip_bindings.call_id = excluded.call_id AND sip_bindings.cseq >= excluded.cseq)`,
				c.LineID, c.DeviceID, c.AOR, ct.URI, expires, c.UserAgent, c.Transport, c.SourceAddr, c.SourcePort, c.NodeID, c.Path,
				c.CallID, int64(c.CSeq), ms, ms); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("sip: register line %d: %w", c.LineID, err)
	}
	out := make([]Binding, 0, len(byContact))
	for _, b := range byContact {
		out = append(out, b)
	}
	slices.SortFunc(out, func(a, b Binding) int {
		if c := a.RegisteredAt.Compare(b.RegisteredAt); c != 0 {
			return c
		}
		return strings.Compare(a.Contact, b.Contact)
	})
	return out, nil
}

// Purge deletes the bindings that ended more than Keep ago; every node's
// edge runs it now and then (it is idempotent).
func (r *Registry) Purge(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := r.db.Tx(ctx, func(ctx context.Context) error {
		res, err := r.db.Q(ctx).Exec(ctx, "DELETE FROM sip_bindings WHERE expires_at < ?", now.Add(-r.Keep).UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("sip: purge bindings: %w", err)
	}
	return n, nil
}

const bindingColumns = "line_id, device_id, aor, contact, expires_at, user_agent, transport, source_addr, source_port, node_id, path, call_id, cseq, registered_at"

func (r *Registry) live(ctx context.Context, lineID int64, now time.Time) ([]Binding, error) {
	return r.query(ctx, "SELECT "+bindingColumns+" FROM sip_bindings WHERE line_id = ? AND expires_at > ? ORDER BY registered_at, contact", lineID, now.UnixMilli())
}

// LineBindings lists the live bindings of a line.
func (r *Registry) LineBindings(ctx context.Context, lineID int64) ([]Binding, error) {
	return r.live(ctx, lineID, time.Now())
}

// DeviceBindings lists the live bindings of a device's lines — where the
// phone is, over what, through which node — for whoever manages the
// device (the support view of its registration).
func (r *Registry) DeviceBindings(ctx context.Context, actor access.Actor, deviceID int64) ([]Binding, error) {
	if err := r.access.Check(ctx, actor, access.ManageDevices, access.Device(deviceID)); err != nil {
		return nil, err
	}
	bs, err := r.query(ctx, "SELECT "+bindingColumns+" FROM sip_bindings WHERE device_id = ? AND expires_at > ? ORDER BY registered_at, contact", deviceID, store.Now())
	if err != nil {
		return nil, fmt.Errorf("sip: bindings of device %d: %w", deviceID, err)
	}
	return bs, nil
}

func (r *Registry) query(ctx context.Context, query string, args ...any) ([]Binding, error) {
	rows, err := r.db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Binding
	for rows.Next() {
		var b Binding
		var expires, registered, cseq int64
		if err := rows.Scan(&b.LineID, &b.DeviceID, &b.AOR, &b.Contact, &expires, &b.UserAgent, &b.Transport, &b.SourceAddr, &b.SourcePort,
			&b.NodeID, &b.Path, &b.CallID, &cseq, &registered); err != nil {
			return nil, err
		}
		b.ExpiresAt, b.RegisteredAt, b.CSeq = store.Time(expires), store.Time(registered), uint32(cseq)
		out = append(out, b)
	}
	return out, rows.Err()
}

// Status values of a device's registration, as the Business Portal shows
// them.
const (
	StatusRegistered    = devices.RegistrationRegistered
	StatusNotRegistered = devices.RegistrationNotRegistered
)

// Status is a device's registration status.
type Status = devices.Registration

// Annotate fills in the registration status of each device.
func (r *Registry) Annotate(ctx context.Context, ds []devices.Device) error {
	ids := make([]int64, len(ds))
	for i, d := range ds {
		ids[i] = d.ID
	}
	st, err := r.DeviceStatus(ctx, ids)
	if err != nil {
		return err
	}
	for i := range ds {
		s := st[ds[i].ID]
		ds[i].Registration = &s
	}
	return nil
}

// DeviceStatus returns the registration status of each device id.
func (r *Registry) DeviceStatus(ctx context.Context, ids []int64) (map[int64]Status, error) {
	out := make(map[int64]Status, len(ids))
	for _, id := range ids {
		out[id] = Status{Status: StatusNotRegistered}
	}
	now := store.Now()
	for start := 0; start < len(ids); start += 500 {
		chunk := ids[start:min(start+500, len(ids))]
		args := make([]any, 0, len(chunk))
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := r.db.Q(ctx).Query(ctx, "SELECT device_id, expires_at, registered_at, updated_at, user_agent FROM sip_bindings WHERE device_id IN ("+
			store.Placeholders(len(chunk))+")", args...)
		if err != nil {
			return nil, fmt.Errorf("sip: device status: %w", err)
		}
		type acc struct {
			liveSince, lastEnd, newest int64
			ua                         string
			n                          int
		}
		accs := map[int64]*acc{}
		for rows.Next() {
			var id, expires, registered, updated int64
			var ua string
			if err := rows.Scan(&id, &expires, &registered, &updated, &ua); err != nil {
				rows.Close()
				return nil, err
			}
			a := accs[id]
			if a == nil {
				a = &acc{}
				accs[id] = a
			}
			if expires > now {
				a.n++
				if a.liveSince == 0 || registered < a.liveSince {
					a.liveSince = registered
				}
				if updated >= a.newest {
					a.newest, a.ua = updated, ua
				}
			} else if expires > a.lastEnd {
				a.lastEnd = expires
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		for id, a := range accs {
			s := Status{Status: StatusNotRegistered}
			if a.n > 0 {
				t := store.Time(a.liveSince)
				s = Status{Status: StatusRegistered, Since: &t, UserAgent: a.ua, Contacts: a.n}
			} else if a.lastEnd > 0 {
				t := store.Time(a.lastEnd)
				s.Since = &t
			}
			out[id] = s
		}
	}
	return out, nil
}
