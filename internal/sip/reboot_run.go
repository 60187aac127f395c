package sip

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// run is the reboot job's handler. It is idempotent: run again after its
// worker died, it finds the decisions and statuses already stored and goes
// on watching.
func (r *Reboots) run(ctx context.Context, j *jobs.Job, rep jobs.Reporter) error {
	var args rebootArgs
	if err := j.DecodeArgs(&args); err != nil {
		return err
	}
	timeout := time.Duration(args.TimeoutMS) * time.Millisecond
	if timeout <= 0 {
		timeout = r.cfg.Timeout
	}
	rate := args.Rate
	if rate <= 0 {
		rate = r.cfg.Rate
	}
	total, err := r.decide(ctx, j.ID)
	if err != nil {
		return fmt.Errorf("sip: reboot %d: %w", j.ID, err)
	}
	if err := rep.SetTotal(ctx, total); err != nil {
		return err
	}
	// A NOTIFY not sent within the time-out plus the time the whole list
	// takes at the launching node's pace: its node is gone.
	sendWithin := timeout + time.Duration(float64(total)/rate*float64(time.Second))
	reported := map[int64]bool{}
	for {
		open, err := r.resolve(ctx, j.ID, timeout, sendWithin, reported, rep)
		if err != nil {
			return fmt.Errorf("sip: reboot %d: %w", j.ID, err)
		}
		if open == 0 {
			return rep.Flush(ctx)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(r.cfg.Poll):
		}
	}
}

// decide looks up the live binding of each device not yet decided: a
// device without one ends "Device not registered" (it is sent nothing);
// the others get the node that must send their NOTIFY — any node for UDP
// or behind an edge proxy, the node holding the connection for TCP/TLS —
// and wait, Not Started, for a sender. It returns how many devices the
// reboot has.
func (r *Reboots) decide(ctx context.Context, jobID int64) (int, error) {
	var total int
	if err := r.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM sip_reboot_items WHERE job_id = ?", jobID).Scan(&total); err != nil {
		return 0, err
	}
	rows, err := r.db.Q(ctx).Query(ctx, "SELECT device_id FROM sip_reboot_items WHERE job_id = ? AND status = ? AND node_id = '' ORDER BY device_id", jobID, RebootNotStarted)
	if err != nil {
		return 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for start := 0; start < len(ids); start += 200 {
		chunk := ids[start:min(start+200, len(ids))]
		now := time.Now()
		// The newest live binding of each device: where the phone is now.
		newest := map[int64]Binding{}
		args := make([]any, 0, len(chunk)+1)
		for _, id := range chunk {
			args = append(args, id)
		}
		args = append(args, now.UnixMilli())
		bs, err := r.registry.query(ctx, "SELECT "+bindingColumns+" FROM sip_bindings WHERE device_id IN ("+store.Placeholders(len(chunk))+") AND expires_at > ?", args...)
		if err != nil {
			return 0, err
		}
		for _, b := range bs {
			if old, ok := newest[b.DeviceID]; !ok || b.RegisteredAt.After(old.RegisteredAt) {
				newest[b.DeviceID] = b
			}
		}
		err = r.db.Tx(ctx, func(ctx context.Context) error {
			q := r.db.Q(ctx)
			ms := now.UnixMilli()
			for _, id := range chunk {
				b, ok := newest[id]
				if !ok {
					if _, err := q.Exec(ctx, "UPDATE sip_reboot_items SET status = ?, reason = ?, finished_at = ? WHERE job_id = ? AND device_id = ? AND status = ?",
						RebootError, ReasonNotRegistered, ms, jobID, id, RebootNotStarted); err != nil {
						return err
					}
					continue
				}
				node := b.NodeID
				if b.Transport == "UDP" || b.Path != "" {
					node = anyNode
				}
				if _, err := q.Exec(ctx, "UPDATE sip_reboot_items SET node_id = ?, line_id = ?, contact = ?, queued_at = ? WHERE job_id = ? AND device_id = ? AND status = ? AND node_id = ''",
					node, b.LineID, b.Contact, ms, jobID, id, RebootNotStarted); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return total, nil
}

// resolve settles what can be settled now — Success for a device seen
// after its accepted NOTIFY, Reboot attempt timeout for one that was not
// within the time-out or whose NOTIFY no node sent in time — reports the
// devices that ended since the last call, and returns how many are open.
func (r *Reboots) resolve(ctx context.Context, jobID int64, timeout, sendWithin time.Duration, reported map[int64]bool, rep jobs.Reporter) (int, error) {
	now := time.Now()
	ms := now.UnixMilli()
	err := r.db.Tx(ctx, func(ctx context.Context) error {
		q := r.db.Q(ctx)
		// Seen again: a REGISTER (a binding written, not removed) of the
		// device after the NOTIFY left, or a configuration fetch.
		if _, err := q.Exec(ctx, `UPDATE sip_reboot_items SET status = ?, finished_at = ? WHERE job_id = ? AND status = ? AND accepted_at > 0 AND (
				EXISTS (SELECT 1 FROM sip_bindings b WHERE b.device_id = sip_reboot_items.device_id AND b.updated_at >= sip_reboot_items.notified_at AND b.expires_at > b.updated_at)
				OR EXISTS (SELECT 1 FROM device_seen s WHERE s.device_id = sip_reboot_items.device_id AND s.seen_at >= sip_reboot_items.notified_at))`,
			RebootSuccess, ms, jobID, RebootPending); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE sip_reboot_items SET status = ?, reason = ?, finished_at = ? WHERE job_id = ? AND status = ? AND notified_at < ?",
			RebootError, ReasonTimeout, ms, jobID, RebootPending, now.Add(-timeout).UnixMilli()); err != nil {
			return err
		}
		_, err := q.Exec(ctx, "UPDATE sip_reboot_items SET status = ?, reason = ?, finished_at = ? WHERE job_id = ? AND status = ? AND node_id <> '' AND queued_at < ?",
			RebootError, ReasonTimeout, ms, jobID, RebootNotStarted, now.Add(-sendWithin).UnixMilli())
		return err
	})
	if err != nil {
		return 0, err
	}
	rows, err := r.db.Q(ctx).Query(ctx, "SELECT device_id, device_name, status, reason FROM sip_reboot_items WHERE job_id = ?", jobID)
	if err != nil {
		return 0, err
	}
	type ended struct {
		name, status, reason string
	}
	var open int
	var done []ended
	for rows.Next() {
		var id int64
		var e ended
		if err := rows.Scan(&id, &e.name, &e.status, &e.reason); err != nil {
			rows.Close()
			return 0, err
		}
		switch {
		case e.status == RebootNotStarted || e.status == RebootPending:
			open++
		case !reported[id]:
			reported[id] = true
			done = append(done, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, e := range done {
		status := jobs.ItemOK
		if e.status != RebootSuccess {
			status = jobs.ItemError
		}
		if err := rep.Item(ctx, e.name, status, e.reason); err != nil {
			return 0, err
		}
	}
	return open, nil
}

// RunSender sends the NOTIFYs of every reboot that this node may send —
// items for any node, and those whose TCP/TLS flow this node holds — at
// the configured rate, until ctx ends. Every node with a SIP edge runs
// one; two nodes never send the same NOTIFY (each claims an item by
// moving it from Not Started to Pending first).
func (r *Reboots) RunSender(ctx context.Context, e *Edge) {
	interval := time.Duration(float64(time.Second) / r.cfg.Rate)
	// Items are claimed a tenth of a second's worth at a time, in one
	// transaction: a write per NOTIFY in the pacing loop would fall behind
	// the rate on SQLite's single writer under load.
	batch := max(1, int(r.cfg.Rate/10))
	next := time.Now()
	var inflight sync.WaitGroup
	defer inflight.Wait()
	for ctx.Err() == nil {
		due, err := r.claim(ctx, e.cfg.NodeID, batch)
		if err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("SIP reboot: claim the NOTIFYs to send", "err", err)
		}
		if len(due) == 0 {
			select {
			case <-ctx.Done():
			case <-time.After(r.cfg.Poll):
			}
			continue
		}
		for _, it := range due {
			if wait := time.Until(next); wait > 0 {
				select {
				case <-ctx.Done():
					return
				case <-time.After(wait):
				}
			}
			next = maxTime(next, time.Now()).Add(interval)
			it.sentAt = time.Now()
			inflight.Add(1)
			go func() {
				defer inflight.Done()
				r.send(ctx, e, it)
			}()
		}
	}
}

// claim moves up to limit of the items this node may send — node_id `*`
// or its own, oldest first — from Not Started to Pending, in one statement,
// and returns them. The status condition makes the claim exclusive: on
// PostgreSQL an item another node's sender updated first is re-checked and
// skipped, on SQLite the writes are serial; either way no item is sent
// twice. (One statement, not an UPDATE per item: on a loaded machine the
// per-item round trips made the sender fall behind its rate.)
func (r *Reboots) claim(ctx context.Context, node string, limit int) ([]dueItem, error) {
	var out []dueItem
	err := r.db.Tx(ctx, func(ctx context.Context) error {
		out = out[:0]
		q := r.db.Q(ctx)
		rows, err := q.Query(ctx, `UPDATE sip_reboot_items SET status = ?, notified_at = ?
			WHERE status = ? AND (job_id, device_id) IN (SELECT job_id, device_id FROM sip_reboot_items
				WHERE status = ? AND node_id IN (?, ?) ORDER BY queued_at, job_id, device_id LIMIT ?)
			RETURNING job_id, device_id, line_id, contact`,
			RebootPending, time.Now().UnixMilli(), RebootNotStarted, RebootNotStarted, anyNode, node, limit)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var it dueItem
			if err := rows.Scan(&it.jobID, &it.deviceID, &it.lineID, &it.contact); err != nil {
				return err
			}
			out = append(out, it)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		if len(out) == 0 {
			return nil
		}
		// The vendor of each device decides its Event.
		args := make([]any, len(out))
		for i, it := range out {
			args[i] = it.deviceID
		}
		vrows, err := q.Query(ctx, "SELECT d.id, COALESCE(t.vendor, '') FROM devices d LEFT JOIN device_types t ON t.id = d.type_id WHERE d.id IN ("+
			store.Placeholders(len(args))+")", args...)
		if err != nil {
			return err
		}
		defer vrows.Close()
		vendors := map[int64]string{}
		for vrows.Next() {
			var id int64
			var vendor string
			if err := vrows.Scan(&id, &vendor); err != nil {
				return err
			}
			vendors[id] = vendor
		}
		if err := vrows.Err(); err != nil {
			return err
		}
		for i := range out {
			out[i].vendor = vendors[out[i].deviceID]
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// Oldest first, as claimed (RETURNING keeps no order).
	slices.SortFunc(out, func(a, b dueItem) int {
		if c := cmp.Compare(a.jobID, b.jobID); c != 0 {
			return c
		}
		return cmp.Compare(a.deviceID, b.deviceID)
	})
	return out, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

type dueItem struct {
	jobID, deviceID, lineID int64
	contact, vendor         string
	// sentAt is when the NOTIFY left: the time a device must be seen
	// after (claiming set an earlier one, up to a tenth of a second).
	sentAt time.Time
}

// RebootEvent is the Event of the reboot NOTIFY for a vendor's phones:
// Yealink reboots on check-sync only with reboot=true; the others reboot
// (or re-read their configuration and reboot when it changed) on
// check-sync.
func RebootEvent(vendor string) string {
	if strings.EqualFold(strings.TrimSpace(vendor), "Yealink") {
		return "check-sync;reboot=true"
	}
	return "check-sync"
}

// send sends one claimed NOTIFY and records what became of it: accepted
// (the device stays Pending until it is seen again), no answer (Reboot
// attempt timeout), or refused or failed (Internal Server Error).
func (r *Reboots) send(ctx context.Context, e *Edge, it dueItem) {
	fail := func(reason string) {
		if _, err := r.exec(ctx, "UPDATE sip_reboot_items SET status = ?, reason = ?, finished_at = ? WHERE job_id = ? AND device_id = ? AND status = ?",
			RebootError, reason, time.Now().UnixMilli(), it.jobID, it.deviceID, RebootPending); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("SIP reboot: record a failed NOTIFY", "job", it.jobID, "device", it.deviceID, "err", err)
		}
	}
	bs, err := r.registry.query(ctx, "SELECT "+bindingColumns+" FROM sip_bindings WHERE line_id = ? AND contact = ? AND expires_at > ?", it.lineID, it.contact, time.Now().UnixMilli())
	if err != nil {
		r.cfg.Logger.Warn("SIP reboot: read the binding", "job", it.jobID, "device", it.deviceID, "err", err)
		fail(ReasonInternal)
		return
	}
	if len(bs) == 0 {
		// It un-registered between the decision and the send.
		fail(ReasonNotRegistered)
		return
	}
	nctx, cancel := context.WithTimeout(ctx, r.cfg.NotifyTimeout)
	defer cancel()
	var creds Credentials
	if r.Lines != nil {
		creds = func(ctx context.Context) (string, string, error) {
			var companyID int64
			if err := r.db.Q(ctx).QueryRow(ctx, "SELECT company_id FROM sip_reboots WHERE job_id = ?", it.jobID).Scan(&companyID); err != nil {
				return "", "", err
			}
			l, err := r.Lines.LineCredentialsOf(ctx, companyID, it.lineID)
			return l.Username, l.Password, err
		}
	}
	res, err := e.NotifyAuth(nctx, bs[0], RebootEvent(it.vendor), creds)
	switch {
	case err == nil && res.StatusCode >= 200 && res.StatusCode < 300:
		if _, err := r.exec(ctx, "UPDATE sip_reboot_items SET accepted_at = ?, notified_at = ? WHERE job_id = ? AND device_id = ? AND status = ?",
			time.Now().UnixMilli(), it.sentAt.UnixMilli(), it.jobID, it.deviceID, RebootPending); err != nil && ctx.Err() == nil {
			r.cfg.Logger.Warn("SIP reboot: record an accepted NOTIFY", "job", it.jobID, "device", it.deviceID, "err", err)
		}
	case err != nil && (nctx.Err() != nil || errors.Is(err, sip.ErrTransactionTimeout)):
		if ctx.Err() == nil {
			fail(ReasonTimeout)
		}
	case err != nil:
		r.cfg.Logger.Info("SIP reboot: NOTIFY failed", "job", it.jobID, "device", it.deviceID, "err", err)
		fail(ReasonInternal)
	default:
		r.cfg.Logger.Info("SIP reboot: NOTIFY refused", "job", it.jobID, "device", it.deviceID, "status", res.StatusCode, "reason", res.Reason)
		fail(ReasonInternal)
	}
}

// exec runs one write statement in its own transaction (on SQLite writes
// go through the single writer).
func (r *Reboots) exec(ctx context.Context, query string, args ...any) (res sql.Result, err error) {
	err = r.db.Tx(ctx, func(ctx context.Context) error {
		res, err = r.db.Q(ctx).Exec(ctx, query, args...)
		return err
	})
	return res, err
}
