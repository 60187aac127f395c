// Package audit records every mutating action — who, when, what, on which
// object of which company and site, and the object's JSON before and after —
// and reads the log back with filters.
package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/store"
)

// Actor is who did something, as the log names them.
type Actor struct {
	ID         int64
	Username   string
	ProviderID int64
}

type actorKey struct{}

// WithActor returns ctx carrying the actor that Record will attribute events to.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx; the zero Actor means the system itself
// (a job, the demo loader, a CLI command).
func ActorFrom(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Event is one change to record. Before and After are marshalled to JSON;
// they must never hold secrets (the domain types carry none).
type Event struct {
	Event      string // "Create Group", "Modify Employee", …
	ObjectKind string // "company", "site", "group", "employee", …
	ObjectID   int64
	ObjectName string
	// ProviderID scopes an entry with no company; entries of a company take
	// the company's provider, and otherwise the actor's is used.
	ProviderID int64
	CompanyID  int64
	SiteID     int64
	Before     any
	After      any
}

// Entry is a recorded event.
type Entry struct {
	ID            int64           `json:"id"`
	At            time.Time       `json:"at"`
	ActorID       int64           `json:"actor_id,omitempty"`
	ActorUsername string          `json:"actor_username"`
	Event         string          `json:"event"`
	ObjectKind    string          `json:"object_kind"`
	ObjectID      int64           `json:"object_id"`
	ObjectName    string          `json:"object_name"`
	ProviderID    int64           `json:"-"`
	CompanyID     int64           `json:"company_id,omitempty"`
	SiteID        int64           `json:"site_id,omitempty"`
	Before        json.RawMessage `json:"before,omitempty"`
	After         json.RawMessage `json:"after,omitempty"`
}

// Log writes and reads audit entries.
type Log struct {
	db *store.DB
}

// New returns a Log on db.
func New(db *store.DB) *Log { return &Log{db: db} }

// Record writes e in the transaction carried by ctx, so the entry commits or
// rolls back with the change it describes.
func (l *Log) Record(ctx context.Context, e Event) error {
	before, err := marshal(e.Before)
	if err != nil {
		return fmt.Errorf("audit: marshal before: %w", err)
	}
	after, err := marshal(e.After)
	if err != nil {
		return fmt.Errorf("audit: marshal after: %w", err)
	}
	a := ActorFrom(ctx)
	username := a.Username
	if username == "" {
		username = "system"
	}
	provider := e.ProviderID
	if provider == 0 {
		provider = a.ProviderID
	}
	_, err = l.db.Q(ctx).Exec(ctx, `INSERT INTO audit_events
		(at, actor_id, actor_username, event, object_kind, object_id, object_name, provider_id, company_id, site_id, before_json, after_json)
		VALUES (?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT provider_id FROM companies WHERE id = ?), ?), ?, ?, ?, ?)`,
		store.Now(), nullID(a.ID), username, e.Event, e.ObjectKind, e.ObjectID, e.ObjectName,
		e.CompanyID, nullID(provider), nullID(e.CompanyID), nullID(e.SiteID), before, after)
	if err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Event, err)
	}
	return nil
}

func marshal(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	b, err := json.Marshal(v)
	return string(b), err
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// Filter narrows a listing. CompanyIDs, when non-nil, restricts to those
// companies (the caller's scope); an empty non-nil slice matches nothing.
type Filter struct {
	// ProviderID, when set, keeps the provider's entries only.
	ProviderID int64
	CompanyIDs []int64
	CompanyID  int64
	SiteID     int64
	ObjectKind string
	ObjectID   int64
	ActorID    int64
	Event      string
	From, To   time.Time
}

// List returns entries newest first and the total matching.
func (l *Log) List(ctx context.Context, f Filter, p store.Page) ([]Entry, int, error) {
	var where []string
	var args []any
	if f.CompanyIDs != nil {
		if len(f.CompanyIDs) == 0 {
			return nil, 0, nil
		}
		where = append(where, "company_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(f.CompanyIDs)), ",")+")")
		for _, id := range f.CompanyIDs {
			args = append(args, id)
		}
	}
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.ProviderID != 0 {
		add("provider_id = ?", f.ProviderID)
	}
	if f.CompanyID != 0 {
		add("company_id = ?", f.CompanyID)
	}
	if f.SiteID != 0 {
		add("site_id = ?", f.SiteID)
	}
	if f.ObjectKind != "" {
		add("object_kind = ?", f.ObjectKind)
	}
	if f.ObjectID != 0 {
		add("object_id = ?", f.ObjectID)
	}
	if f.ActorID != 0 {
		add("actor_id = ?", f.ActorID)
	}
	if f.Event != "" {
		add("event = ?", f.Event)
	}
	if !f.From.IsZero() {
		add("at >= ?", f.From.UnixMilli())
	}
	if !f.To.IsZero() {
		add("at < ?", f.To.UnixMilli())
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	q := l.db.Q(ctx)
	var total int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM audit_events"+cond, args...).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("audit: count: %w", err)
	}
	out, err := l.query(ctx, cond, args, p.Limit(), p.Offset())
	return out, total, err
}

// query reads entries matching cond, newest first.
func (l *Log) query(ctx context.Context, cond string, args []any, limit, offset int) ([]Entry, error) {
	rows, err := l.db.Q(ctx).Query(ctx, `SELECT id, at, COALESCE(actor_id, 0), actor_username, event, object_kind, object_id, object_name,
		COALESCE(provider_id, 0), COALESCE(company_id, 0), COALESCE(site_id, 0), before_json, after_json FROM audit_events`+cond+
		" ORDER BY at DESC, id DESC LIMIT ? OFFSET ?", append(args, limit, offset)...)
	if err != nil {
		return nil, fmt.Errorf("audit: list: %w", err)
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at int64
		var before, after string
		if err := rows.Scan(&e.ID, &at, &e.ActorID, &e.ActorUsername, &e.Event, &e.ObjectKind, &e.ObjectID, &e.ObjectName,
			&e.ProviderID, &e.CompanyID, &e.SiteID, &before, &after); err != nil {
			return nil, fmt.Errorf("audit: scan: %w", err)
		}
		e.At = store.Time(at)
		if before != "" {
			e.Before = json.RawMessage(before)
		}
		if after != "" {
			e.After = json.RawMessage(after)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Retention is how long audit entries are kept.
const Retention = 2 * 365 * 24 * time.Hour

// Purge deletes entries older than before and returns how many went.
func (l *Log) Purge(ctx context.Context, before time.Time) (int64, error) {
	var n int64
	err := l.db.Tx(ctx, func(ctx context.Context) error {
		res, err := l.db.Q(ctx).Exec(ctx, "DELETE FROM audit_events WHERE at < ?", before.UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("audit: purge: %w", err)
	}
	return n, nil
}
