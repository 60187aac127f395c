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

	"github.com/switchboard-voice/switchboard/internal/access"
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
	db     *store.DB
	access *access.Service
}

// New returns a Log on db.
func New(db *store.DB) *Log { return &Log{db: db, access: access.New(db)} }

// Record writes e in the transaction carried by ctx, so the entry commits or
// rolls back with the change it describes.
func (l *Log) Record(ctx context.Context, e Event) error {
	return l.RecordAll(ctx, []Event{e})
}

// maxBatch bounds the entries of one multi-row INSERT on SQLite: 12
// parameters each, far below its limit of 32,766 a statement.
const maxBatch = 512

// entryColumns are audit_events' columns as RecordAll writes them: the
// three every entry of a call shares, then each entry's own.
const entryColumns = "at, actor_id, actor_username, event, object_kind, object_id, object_name, provider_id, company_id, site_id, before_json, after_json"

// RecordAll writes events in the transaction carried by ctx, each entry
// exactly as Record writes it, with a few statements for the lot instead
// of one an entry: a bulk change (an import of thousands of employees)
// records its entries at the cost of a few statements. On PostgreSQL one
// statement takes them all as one array a column (unnest), which spares
// the driver and the server thousands of parameters; on SQLite, which has
// RecordAlone records events in a transaction of their own, for an action
// that writes nothing else (a refused SIP registration, a blocked source).
func (l *Log) RecordAlone(ctx context.Context, events []Event) error {
	return l.db.Tx(ctx, func(ctx context.Context) error { return l.RecordAll(ctx, events) })
}

// no arrays, a VALUES row an entry, maxBatch a statement.
func (l *Log) RecordAll(ctx context.Context, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	if err := checkKnown(events); err != nil {
		return err
	}
	a := ActorFrom(ctx)
	username := a.Username
	if username == "" {
		username = "system"
	}
	now := store.Now()
	q := l.db.Q(ctx)
	type entry struct {
		Event
		before, after string
	}
	entries := make([]entry, len(events))
	for i, e := range events {
		before, err := marshal(e.Before)
		if err != nil {
			return fmt.Errorf("audit: marshal before: %w", err)
		}
		after, err := marshal(e.After)
		if err != nil {
			return fmt.Errorf("audit: marshal after: %w", err)
		}
		if e.ProviderID == 0 {
			e.ProviderID = a.ProviderID
		}
		entries[i] = entry{e, before, after}
	}
	// An entry of a company takes the company's provider: one entry asks in
	// its INSERT, a batch looks its companies up once.
	if len(entries) == 1 {
		e := entries[0]
		_, err := q.Exec(ctx, "INSERT INTO audit_events ("+entryColumns+
			") VALUES (?, ?, ?, ?, ?, ?, ?, COALESCE((SELECT provider_id FROM companies WHERE id = ?), ?), ?, ?, ?, ?)",
			now, nullID(a.ID), username, e.Event.Event, e.ObjectKind, e.ObjectID, e.ObjectName,
			e.CompanyID, nullID(e.ProviderID), nullID(e.CompanyID), nullID(e.SiteID), e.before, e.after)
		if err != nil {
			return fmt.Errorf("audit: record %s: %w", e.Event.Event, err)
		}
		return nil
	}
	providers, err := l.companyProviders(ctx, events)
	if err != nil {
		return fmt.Errorf("audit: record %d entries (%s, …): %w", len(events), events[0].Event, err)
	}
	for i, e := range entries {
		if p, ok := providers[e.CompanyID]; ok {
			entries[i].ProviderID = p
		}
	}
	if l.db.Dialect() == store.Postgres {
		n := len(entries)
		kinds, names, event, before, after := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		objects, provs, companies, sites := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
		for i, e := range entries {
			event[i], kinds[i], objects[i], names[i] = e.Event.Event, e.ObjectKind, e.ObjectID, e.ObjectName
			provs[i], companies[i], sites[i], before[i], after[i] = e.ProviderID, e.CompanyID, e.SiteID, e.before, e.after
		}
		// NULLIF(…, 0) is nullID: no provider, company or site is NULL.
		_, err := q.Exec(ctx, "INSERT INTO audit_events ("+entryColumns+`)
			SELECT ?::bigint, ?::bigint, ?::text, u.event, u.kind, u.object, u.name, NULLIF(u.provider, 0), NULLIF(u.company, 0),
			NULLIF(u.site, 0), u.before, u.after
			FROM unnest(?::text[], ?::text[], ?::bigint[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[])
			AS u(event, kind, object, name, provider, company, site, before, after)`,
			now, nullID(a.ID), username, event, kinds, objects, names, provs, companies, sites, before, after)
		if err != nil {
			return fmt.Errorf("audit: record %d entries (%s, …): %w", n, events[0].Event, err)
		}
		return nil
	}
	for len(entries) > 0 {
		n := store.BatchSize(len(entries), maxBatch)
		args := make([]any, 0, n*12)
		for _, e := range entries[:n] {
			args = append(args, now, nullID(a.ID), username, e.Event.Event, e.ObjectKind, e.ObjectID, e.ObjectName,
				nullID(e.ProviderID), nullID(e.CompanyID), nullID(e.SiteID), e.before, e.after)
		}
		if _, err := q.Exec(ctx, "INSERT INTO audit_events ("+entryColumns+") VALUES "+
			store.RepeatRow(n, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"), args...); err != nil {
			return fmt.Errorf("audit: record %d entries (%s, …): %w", n, entries[0].Event.Event, err)
		}
		entries = entries[n:]
	}
	return nil
}

// companyProviders maps the companies of events to their providers.
func (l *Log) companyProviders(ctx context.Context, events []Event) (map[int64]int64, error) {
	out := map[int64]int64{}
	var ids []any
	seen := map[int64]bool{}
	for _, e := range events {
		if e.CompanyID != 0 && !seen[e.CompanyID] {
			seen[e.CompanyID] = true
			ids = append(ids, e.CompanyID)
		}
	}
	for len(ids) > 0 {
		n := min(len(ids), 500)
		rows, err := l.db.Q(ctx).Query(ctx, "SELECT id, provider_id FROM companies WHERE id IN ("+store.Placeholders(n)+")", ids[:n]...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, provider int64
			if err := rows.Scan(&id, &provider); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = provider
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		ids = ids[n:]
	}
	return out, nil
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

	// Set by ListFor from the actor: a reseller's companies only, and
	// no personal entry of anybody but ownerID (PersonalKinds).
	resellerID int64
	personal   bool
	ownerID    int64
}

// List returns entries newest first and the total matching. It decides no
// permission: requests read through ListFor, which does.
func (l *Log) List(ctx context.Context, f Filter, p store.Page) ([]Entry, int, error) {
	p.Count = true
	pg, err := l.listPage(ctx, f, p)
	return pg.Items, pg.Total, err
}

// Page is one page of entries.
type Page struct {
	Items []Entry
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// newestFirst is the keyset order of every listing: (at, id) descending,
// walked on the (…, at, id) indexes (docs/performance.md).
var newestFirst = store.Keyset{Name: "newest", Keys: []store.SortKey{{Expr: "at", Int: true}}, ID: "id", Desc: true}

// listPage is List with keyset paging: p.After continues after an entry and
// the total is counted only when p.Count asks.
func (l *Log) listPage(ctx context.Context, f Filter, p store.Page) (Page, error) {
	var where []string
	var args []any
	if f.CompanyIDs != nil {
		if len(f.CompanyIDs) == 0 {
			return Page{}, nil
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
	if f.resellerID != 0 {
		add("company_id IN (SELECT id FROM companies WHERE reseller_id = ?)", f.resellerID)
	}
	if f.personal {
		cond, owner := ownerOnly(f.ownerID)
		where, args = append(where, cond), append(args, owner...)
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
	out := Page{Total: -1}
	if p.Count {
		if err := l.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events"+cond, args...).Scan(&out.Total); err != nil {
			return out, fmt.Errorf("audit: count: %w", err)
		}
	}
	pageCond, pageArgs, offset := cond, args, p.Offset()
	if p.After != "" {
		c, a, err := newestFirst.After(p.After)
		if err != nil {
			return out, err
		}
		if cond == "" {
			pageCond = " WHERE " + c
		} else {
			pageCond = cond + " AND " + c
		}
		pageArgs, offset = append(append([]any{}, args...), a...), 0
	}
	// One entry more than the page tells whether a next page exists.
	es, err := l.query(ctx, pageCond, pageArgs, p.Limit()+1, offset)
	if err != nil {
		return out, err
	}
	if len(es) > p.Limit() {
		es = es[:p.Limit()]
		last := es[len(es)-1]
		out.Next = newestFirst.Cursor([]any{last.At.UnixMilli()}, last.ID)
	}
	out.Items = es
	return out, nil
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
