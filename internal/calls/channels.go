package calls

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// MaxCallDuration is how long a call in progress counts without its end
// event or call record: a lost end event must not hold a channel forever.
const MaxCallDuration = 12 * time.Hour

// ChannelEvent is a switch telling that a call started or ended.
type ChannelEvent struct {
	// Event is "start" or "end".
	Event string `json:"event"`
	// ID is the call's unique id, the same its call record will carry
	// (FreeSWITCH's uuid, Asterisk's uniqueid), so the record ends it too.
	ID      string `json:"id"`
	Calling string `json:"calling,omitempty"`
	Called  string `json:"called,omitempty"`
	// Direction is "outbound", "inbound" or empty (decided from the numbers).
	Direction string    `json:"direction,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// ChannelEvents is one post of a switch: events in order, or, with
// Snapshot, the whole list of the calls it has in progress now (every
// other call of the switch ends).
type ChannelEvents struct {
	Events   []ChannelEvent `json:"events"`
	Snapshot bool           `json:"snapshot,omitempty"`
}

// ChannelReport says what became of a post.
type ChannelReport struct {
	Started int `json:"started"`
	Ended   int `json:"ended"`
	// Unattributed counts started calls no customer's number is part of.
	Unattributed int `json:"unattributed"`
}

// MaxChannelEvents bounds one post.
const MaxChannelEvents = 10_000

// RecordChannels stores a switch's call start and end events. A start is
// attributed to the customer whose number or extension is a party, by the
// same rules as call records (docs/cdr.md); a start sent twice is one call.
// Bad input (an unknown event, an empty id) refuses the whole post, naming
// the event, and changes nothing.
func (s *Service) RecordChannels(ctx context.Context, sw Switch, in ChannelEvents) (rep ChannelReport, err error) {
	defer derrors.Wrap(&err, "calls: channel events from %s", sw.Name)
	if len(in.Events) > MaxChannelEvents {
		return rep, derrors.Invalid("events", "send at most %d events at once", MaxChannelEvents)
	}
	v := &derrors.ValidationError{}
	ing := &ingester{s: s, sw: sw}
	var starts []call
	var ends []string
	ch := part{}
	keys := map[string]bool{}
	want := func(n Number) {
		if keys[n.Norm] || n.Norm == "" {
			return
		}
		keys[n.Norm] = true
		switch n.kind {
		case kindE164:
			ch.numbers = append(ch.numbers, n.Norm)
		case kindExtension:
			ch.exts = append(ch.exts, n.Norm)
		}
	}
	if err := ing.prepare(ctx); err != nil {
		return rep, err
	}
	now := time.Now().UTC()
	for i, e := range in.Events {
		field := fmt.Sprintf("events[%d]", i)
		id := strings.TrimSpace(e.ID)
		if id == "" || len(id) > 200 {
			v.Add(field+".id", "every event needs the call's unique id (at most 200 characters)")
			continue
		}
		switch e.Event {
		case "start":
			at := e.At.UTC()
			if at.IsZero() || at.After(now.Add(time.Minute)) {
				at = now
			}
			rec := Record{ID: id, Calling: e.Calling, Called: e.Called, Start: at, End: at}
			switch e.Direction {
			case "outbound":
				rec.Hint = HintOutbound
			case "inbound":
				rec.Hint = HintInbound
			case "":
			default:
				v.Add(field+".direction", "direction is outbound, inbound or empty, not %q", truncate(e.Direction, 20))
				continue
			}
			c := call{rec: rec, calling: s.numbers.normalise(e.Calling, ing.region), called: s.numbers.normalise(e.Called, ing.region)}
			want(c.calling)
			want(c.called)
			starts = append(starts, c)
		case "end":
			ends = append(ends, id)
		default:
			v.Add(field+".event", "event is start or end, not %q", truncate(e.Event, 20))
		}
	}
	if err := v.Err(); err != nil {
		return rep, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		h, err := s.loadHolders(ctx, ch.numbers, ch.exts)
		if err != nil {
			return err
		}
		if in.Snapshot {
			if _, err := q.Exec(ctx, "DELETE FROM calls_active WHERE switch_id = ?", sw.ID); err != nil {
				return err
			}
		}
		for _, c := range starts {
			ing.attribute(&c, h)
			if c.companyID == 0 {
				rep.Unattributed++
			}
			if _, err := q.Exec(ctx, `INSERT INTO calls_active (switch_id, call_id, provider_id, company_id, started_at, expires_at)
				VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (switch_id, call_id) DO NOTHING`, sw.ID, c.rec.ID, sw.ProviderID, c.companyID,
				c.rec.Start.UnixMilli(), c.rec.Start.Add(MaxCallDuration).UnixMilli()); err != nil {
				return err
			}
			rep.Started++
		}
		n, err := s.endCalls(ctx, sw.ID, ends)
		rep.Ended = int(n)
		return err
	})
	return rep, err
}

// endCalls removes the switch's calls in progress named by ids.
func (s *Service) endCalls(ctx context.Context, switchID int64, ids []string) (int64, error) {
	var n int64
	if len(ids) == 0 {
		return 0, nil
	}
	// Most switches post no channel events: one look spares ingest a
	// delete per 500 records.
	var active bool
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM calls_active WHERE switch_id = ?)", switchID).Scan(&active); err != nil {
		return 0, fmt.Errorf("end calls: %w", err)
	}
	if !active {
		return 0, nil
	}
	for rest := ids; len(rest) > 0; {
		k := store.BatchSize(len(rest), 500)
		args := []any{switchID}
		for _, id := range rest[:k] {
			args = append(args, id)
		}
		res, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM calls_active WHERE switch_id = ? AND call_id IN ("+store.Placeholders(k)+")", args...)
		if err != nil {
			return n, fmt.Errorf("end calls: %w", err)
		}
		m, _ := res.RowsAffected()
		n += m
		rest = rest[k:]
	}
	return n, nil
}

// ChannelsInUse is how many calls company has in progress now, against its
// channel limit; whoever may view the company may read it.
func (s *Service) ChannelsInUse(ctx context.Context, actor access.Actor, companyID int64) (n int, err error) {
	defer derrors.Wrap(&err, "calls: channels in use of company %d", companyID)
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(companyID)); err != nil {
		return 0, err
	}
	err = s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM calls_active WHERE company_id = ? AND expires_at > ?", companyID, store.Now()).Scan(&n)
	return n, err
}

// PurgeEndedChannels removes calls in progress whose end was never told and
// which have outlived MaxCallDuration (a maintenance task).
func (s *Service) PurgeEndedChannels(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM calls_active WHERE expires_at <= ?", store.Now())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
