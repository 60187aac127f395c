package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// PersonalKinds are the object kinds of an employee's personal self-care
// data. Their entries are the owner's alone (docs/security.md, "Personal
// data"): nobody else — company administrator, reseller or provider
// operator — sees them in any list, count, entry or difference, exactly as
// if they did not exist. Only the owner changes their contacts, so the
// owner is the entry's actor; an entry whose actor was deleted has no
// owner left and is shown to nobody.
var PersonalKinds = []string{"contact", "contact_group", "contact_import"}

// personal reports whether kind is one of PersonalKinds.
func personal(kind string) bool {
	for _, k := range PersonalKinds {
		if k == kind {
			return true
		}
	}
	return false
}

// ownerOnly is the condition keeping the personal entries of anybody but
// accountID out of a listing, and its arguments.
func ownerOnly(accountID int64) (string, []any) {
	args := make([]any, 0, len(PersonalKinds)+1)
	for _, k := range PersonalKinds {
		args = append(args, k)
	}
	return "(object_kind NOT IN (" + store.Placeholders(len(PersonalKinds)) + ") OR actor_id = ?)", append(args, accountID)
}

// ListFor is reading the audit log: the entries actor may read that match
// f, newest first, and their total. Operators read their provider's entries
// (a reseller: its companies'), company administrators their company's;
// a company named in f that the actor may not see answers ErrNotFound, and
// group administrators and employees are refused with the reason. The
// personal entries of anybody but the actor are left out (PersonalKinds).
func (l *Log) ListFor(ctx context.Context, actor access.Actor, f Filter, p store.Page) ([]Entry, int, error) {
	p.Count = true
	pg, err := l.ListPageFor(ctx, actor, f, p)
	return pg.Items, pg.Total, err
}

// ListPageFor is ListFor for the API: p.After continues a keyset walk and
// the total is counted only when p.Count asks (docs/performance.md). What
// the actor reads is decided again for every page; a cursor only positions.
func (l *Log) ListPageFor(ctx context.Context, actor access.Actor, f Filter, p store.Page) (pg Page, err error) {
	defer derrors.Wrap(&err, "audit: list for %s", actor.Username)
	pg.Total = -1
	f.ProviderID, f.CompanyIDs, f.resellerID = actor.ProviderID, nil, 0
	switch actor.Role {
	case access.RoleProvider, access.RoleReseller:
		if f.CompanyID != 0 {
			if err := l.access.Check(ctx, actor, access.ViewCompany, access.Company(f.CompanyID)); err != nil {
				return pg, err
			}
		}
		if actor.Role == access.RoleReseller {
			if actor.ResellerID == 0 {
				return pg, derrors.ErrNotFound
			}
			f.resellerID = actor.ResellerID
		}
	default:
		if err := l.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(actor.CompanyID)); err != nil {
			return pg, err
		}
		if f.CompanyID != 0 && f.CompanyID != actor.CompanyID {
			return pg, derrors.ErrNotFound
		}
		f.CompanyIDs = []int64{actor.CompanyID}
	}
	if f.Event != "" {
		// Matched whatever its case: the name is looked up in the registry
		// and the entries are read by the name as recorded. Judged after the
		// access check, so a caller who may not read the log learns nothing
		// from its filter; an event of the provider's that a company's log
		// never holds simply matches nothing.
		e, ok := LookupEvent(f.Event)
		if !ok {
			return pg, derrors.Invalid("event", "there is no audit event named %q: choose one from the list of event types", strings.TrimSpace(f.Event))
		}
		f.Event = e.Name
	}
	f.personal, f.ownerID = true, actor.AccountID
	return l.listPage(ctx, f, p)
}

// EntryFor is "View difference": one entry, if actor may read it. An entry
// of a company needs its dashboard, one with no company the provider's
// operators; a personal entry needs its owner (PersonalKinds). Anything
// else answers ErrNotFound, as an entry that does not exist.
func (l *Log) EntryFor(ctx context.Context, actor access.Actor, id int64) (e Entry, err error) {
	e, err = l.Entry(ctx, id)
	if err != nil {
		return Entry{}, err
	}
	if err := l.access.CheckAuditRead(ctx, actor, e.ProviderID, e.CompanyID); err != nil {
		return Entry{}, fmt.Errorf("audit: entry %d: %w", id, err)
	}
	if personal(e.ObjectKind) && (e.ActorID == 0 || e.ActorID != actor.AccountID) {
		return Entry{}, fmt.Errorf("audit: entry %d: %w", id, derrors.ErrNotFound)
	}
	return e, nil
}

// RecentActivityFor is the Company Dashboard's Recent Activity of
// companyID, for those who may see the dashboard. It shows provisioning
// kinds only, so no personal entry is ever among them.
func (l *Log) RecentActivityFor(ctx context.Context, actor access.Actor, companyID int64, limit int) ([]Entry, error) {
	if err := l.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(companyID)); err != nil {
		return nil, fmt.Errorf("audit: recent activity of company %d: %w", companyID, err)
	}
	return l.RecentActivity(ctx, companyID, limit)
}

// EventsFor is the list of event types the audit filters offer actor: the
// events whose entries the actor's log can ever hold. Whoever may not read
// an audit log at all is refused exactly as ListFor refuses them, and the
// provider's own events are offered to its operators only.
func (l *Log) EventsFor(ctx context.Context, actor access.Actor) ([]EventType, error) {
	switch actor.Role {
	case access.RoleProvider:
		return Events(), nil
	case access.RoleReseller:
		if actor.ResellerID == 0 {
			return nil, fmt.Errorf("audit: event types for %s: %w", actor.Username, derrors.ErrNotFound)
		}
	default:
		if err := l.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(actor.CompanyID)); err != nil {
			return nil, fmt.Errorf("audit: event types for %s: %w", actor.Username, err)
		}
	}
	var out []EventType
	for _, e := range eventTypes {
		if !e.ProviderOnly {
			out = append(out, e)
		}
	}
	return out, nil
}
