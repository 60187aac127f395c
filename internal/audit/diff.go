package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Change is one field that differs between an entry's before and after.
// Nested objects are flattened with dots ("address.city").
type Change struct {
	Field  string          `json:"field"`
	Before json.RawMessage `json:"before"`
	After  json.RawMessage `json:"after"`
}

// EntryWithDiff is an entry and its "view difference": only the changed fields.
type EntryWithDiff struct {
	Entry
	Changes []Change `json:"changes"`
}

// WithDiff computes the entry's changed fields.
func (e Entry) WithDiff() EntryWithDiff {
	return EntryWithDiff{Entry: e, Changes: Diff(e.Before, e.After)}
}

// Diff returns the leaves that differ between two JSON documents, sorted by
// field. A missing side is JSON null.
func Diff(before, after json.RawMessage) []Change {
	b, a := flatten(before), flatten(after)
	keys := map[string]bool{}
	for k := range b {
		keys[k] = true
	}
	for k := range a {
		keys[k] = true
	}
	changes := []Change{}
	for k := range keys {
		bv, av := b[k], a[k]
		if bv == nil {
			bv = json.RawMessage("null")
		}
		if av == nil {
			av = json.RawMessage("null")
		}
		if !bytes.Equal(bv, av) {
			changes = append(changes, Change{Field: k, Before: bv, After: av})
		}
	}
	sort.Slice(changes, func(i, j int) bool { return changes[i].Field < changes[j].Field })
	return changes
}

// flatten maps each leaf of a JSON object to its compact JSON value. A
// document that is not an object is one leaf named "".
func flatten(doc json.RawMessage) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	if len(doc) == 0 {
		return out
	}
	var walk func(prefix string, raw json.RawMessage)
	walk = func(prefix string, raw json.RawMessage) {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(raw, &obj); err == nil && obj != nil {
			for k, v := range obj {
				name := k
				if prefix != "" {
					name = prefix + "." + k
				}
				walk(name, v)
			}
			return
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, raw); err != nil {
			buf.Reset()
			buf.Write(raw)
		}
		out[prefix] = buf.Bytes()
	}
	walk("", doc)
	return out
}

// Entry returns one audit entry.
func (l *Log) Entry(ctx context.Context, id int64) (Entry, error) {
	es, err := l.query(ctx, " WHERE id = ?", []any{id}, 1, 0)
	if err != nil {
		return Entry{}, err
	}
	if len(es) == 0 {
		return Entry{}, fmt.Errorf("audit: entry %d: %w", id, derrors.ErrNotFound)
	}
	return es[0], nil
}

// securityEvents are audited but are not provisioning activity.
var securityEvents = []string{"Request Password Reset", "Lock Account", "Request Security Email Change", "Change Password",
	"Reset Password (self-service)", "Change Security Email", "Force Unlock", "Reset Password", "Modify Service Passwords"}

// RecentActivity returns the company's last limit provisioning events
// (sites, groups, employees), newest first, as the Company Dashboard shows.
func (l *Log) RecentActivity(ctx context.Context, companyID int64, limit int) ([]Entry, error) {
	cond := " WHERE company_id = ? AND object_kind IN ('site', 'group', 'employee', 'company') AND event NOT IN (" +
		store.Placeholders(len(securityEvents)) + ")"
	args := []any{companyID}
	for _, e := range securityEvents {
		args = append(args, e)
	}
	return l.query(ctx, cond, args, limit, 0)
}
