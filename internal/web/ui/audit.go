package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// activityRow is one line of Recent Activity or the audit log.
type activityRow struct {
	ID     int64
	Event  string
	Kind   string
	Object string
	Site   string
	// SiteURL opens the site's pages; "" when the site no longer exists.
	SiteURL string
	Actor   string
	At      time.Time
}

// activityRows names each entry's site; a site that no longer exists is
// shown as deleted.
func (p *Pages) activityRows(ctx context.Context, es []audit.Entry) ([]activityRow, error) {
	sites := map[int64]string{}
	gone := map[int64]bool{}
	out := make([]activityRow, 0, len(es))
	for _, e := range es {
		row := activityRow{ID: e.ID, Event: e.Event, Kind: kindLabel(e.ObjectKind), Object: e.ObjectName, Actor: e.ActorUsername, At: e.At}
		if row.Object == "" && e.ObjectID != 0 {
			row.Object = "#" + strconv.FormatInt(e.ObjectID, 10)
		}
		if e.SiteID != 0 {
			name, ok := sites[e.SiteID]
			if !ok {
				g, err := p.app.Directory.Group(ctx, e.SiteID)
				switch {
				case err == nil:
					name = g.Name
				case derrors.IsNotFound(err):
					name, gone[e.SiteID] = "(deleted site)", true
				default:
					return nil, err
				}
				sites[e.SiteID] = name
			}
			row.Site = name
			if !gone[e.SiteID] {
				row.SiteURL = "/sites/" + itoa64(e.SiteID)
			}
		}
		out = append(out, row)
	}
	return out, nil
}

func kindLabel(kind string) string {
	if kind == "" {
		return ""
	}
	return strings.ToUpper(kind[:1]) + kind[1:]
}

// changeRow is one changed field of an entry, its values as JSON text.
type changeRow struct {
	Field  string
	Before string
	After  string
}

type auditEntryPage struct {
	Entry   audit.Entry
	Kind    string
	Site    string
	Changes []changeRow
	// Before and After are the whole documents, pretty-printed (the
	// control panel's "View Difference displays data in JSON format").
	Before string
	After  string
	// Back is the list the entry was opened from.
	Back      string
	BackLabel string
}

// auditEntry is "View difference": one entry's metadata and changed fields.
// audit.EntryFor decides who reads it, for both faces.
func (p *Pages) auditEntry(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := p.app.Audit.EntryFor(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	d := e.WithDiff()
	v, err := p.newView(r, e.CompanyID, "company", "View difference · "+e.Event)
	if err != nil {
		return err
	}
	pg := auditEntryPage{Entry: e, Kind: kindLabel(e.ObjectKind), Before: prettyJSON(e.Before), After: prettyJSON(e.After)}
	for _, c := range d.Changes {
		field := c.Field
		if field == "" {
			field = "(value)"
		}
		pg.Changes = append(pg.Changes, changeRow{Field: field, Before: string(c.Before), After: string(c.After)})
	}
	rows, err := p.activityRows(r.Context(), []audit.Entry{e})
	if err != nil {
		return err
	}
	pg.Site = rows[0].Site
	switch {
	case v.Company != nil && v.Provider:
		v.Side = companySide(v, "audit")
		pg.Back, pg.BackLabel = "/companies/"+itoa64(e.CompanyID)+"/audit", "Back to the audit log"
	case v.Company != nil:
		v.Side = companySide(v, "")
		pg.Back, pg.BackLabel = v.Link("/dashboard"), "Back to the dashboard"
	default:
		v.Tab = "customers"
		providerSide(v, "")
		pg.Back, pg.BackLabel = "/customers", "Back to Customers"
	}
	v.Data = pg
	p.render(w, r, http.StatusOK, "audit_entry", v)
	return nil
}

// prettyJSON indents a JSON document for reading; empty stays empty.
func prettyJSON(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var b bytes.Buffer
	if err := json.Indent(&b, raw, "", "  "); err != nil {
		return string(raw)
	}
	return b.String()
}

// eventGroup is one <optgroup> of the event filter.
type eventGroup struct {
	Label  string
	Events []eventOption
}

type eventOption struct {
	Name     string
	Label    string
	Selected bool
}

// eventGroups lays out the event types the domain offers the actor
// (audit.EventsFor) for the filter's select, grouped as the registry
// groups them, with chosen selected. A registered event the list does not
// hold (typed into the URL) is still shown selected, so the filter on the
// page is always the filter applied.
func eventGroups(events []audit.EventType, chosen string) []eventGroup {
	var out []eventGroup
	index := map[string]int{}
	found := false
	for _, e := range events {
		i, ok := index[e.Group]
		if !ok {
			i = len(out)
			index[e.Group] = i
			out = append(out, eventGroup{Label: e.Group})
		}
		sel := e.Name == chosen
		found = found || sel
		out[i].Events = append(out[i].Events, eventOption{Name: e.Name, Label: e.Label, Selected: sel})
	}
	if chosen != "" && !found && audit.Known(chosen) {
		out = append(out, eventGroup{Label: "Other", Events: []eventOption{{Name: chosen, Label: chosen, Selected: true}}})
	}
	return out
}

const auditPerPage = 50

type auditLogPage struct {
	Form    *form
	Events  []eventGroup
	Rows    []activityRow
	Total   int
	Page    int
	Pages   int
	First   int
	Last    int
	PrevURL string
	NextURL string
	Self    string
	// Site narrows the log to one site's entries (site_id, the site
	// dashboard's "View all"); SiteID 0 is the whole company.
	SiteID int64
	Site   string
}

// companyAudit is a customer's audit log, as the control panel shows it to
// operators; audit.ListFor decides what the caller reads (the API's rule:
// the provider's operators and the company's reseller, and the company's
// own administrators).
func (p *Pages) companyAudit(w http.ResponseWriter, r *http.Request) error {
	a := actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	event := strings.TrimSpace(q.Get("event"))
	if e, ok := audit.LookupEvent(event); ok {
		// Display only: the list shows the name as the registry spells it
		// (the domain matches whatever the case).
		event = e.Name
	}
	f := newForm(url.Values{"event": {event}, "from": {q.Get("from")}, "to": {q.Get("to")}})
	filter := audit.Filter{CompanyID: id, Event: f.V("event")}
	if s := q.Get("site_id"); s != "" {
		if filter.SiteID, err = strconv.ParseInt(s, 10, 64); err != nil || filter.SiteID <= 0 {
			return derrors.ErrNotFound
		}
	}
	if s := f.V("from"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			f.add("from", "Enter the date as YYYY-MM-DD.")
		}
		filter.From = t
	}
	if s := f.V("to"); s != "" {
		t, err := time.Parse(time.DateOnly, s)
		if err != nil {
			f.add("to", "Enter the date as YYYY-MM-DD.")
		}
		// The day named is included.
		filter.To = t.AddDate(0, 0, 1)
	}
	if !filter.From.IsZero() && !filter.To.IsZero() && !filter.To.After(filter.From) {
		f.add("to", "The end date must not be before the start date.")
	}
	page, _ := strconv.Atoi(q.Get("page"))
	pg := store.Page{Page: max(page, 1), PerPage: auditPerPage}.Normalize()
	self := "/companies/" + itoa64(id) + "/audit"
	lp := auditLogPage{Form: f, Page: pg.Page, Pages: 1, Self: self, SiteID: filter.SiteID}
	status := http.StatusOK
	var es []audit.Entry
	var total int
	if !f.Invalid() {
		es, total, err = p.app.Audit.ListFor(r.Context(), a, filter, pg)
		if err != nil && !f.addErr(err, "event", "from", "to") {
			return err
		}
	}
	if f.Invalid() {
		// The page still must not show a company the caller may not read.
		if _, _, err := p.app.Audit.ListFor(r.Context(), a, audit.Filter{CompanyID: id}, store.Page{PerPage: 1}); err != nil {
			return err
		}
		status = http.StatusUnprocessableEntity
	} else {
		if lp.Rows, err = p.activityRows(r.Context(), es); err != nil {
			return err
		}
		lp.Total, lp.Pages = total, max(1, (total+pg.PerPage-1)/pg.PerPage)
		if len(es) > 0 {
			lp.First, lp.Last = pg.Offset()+1, pg.Offset()+len(es)
		}
		link := func(n int) string {
			u := url.Values{}
			for _, k := range []string{"event", "from", "to"} {
				if s := f.V(k); s != "" {
					u.Set(k, s)
				}
			}
			if filter.SiteID != 0 {
				u.Set("site_id", itoa64(filter.SiteID))
			}
			u.Set("page", strconv.Itoa(n))
			return self + "?" + u.Encode()
		}
		if lp.Page > 1 {
			lp.PrevURL = link(lp.Page - 1)
		}
		if lp.Page < lp.Pages {
			lp.NextURL = link(lp.Page + 1)
		}
	}
	if filter.SiteID != 0 {
		// The site's name, once audit has decided the caller reads the
		// company's log; a site of another company is not found.
		g, err := p.app.Directory.Group(r.Context(), filter.SiteID)
		if err != nil || !g.IsSite || g.CompanyID != id {
			if err == nil || derrors.IsNotFound(err) {
				err = derrors.ErrNotFound
			}
			return err
		}
		lp.Site = g.Name
	}
	events, err := p.app.Audit.EventsFor(r.Context(), a)
	if err != nil {
		return err
	}
	lp.Events = eventGroups(events, f.V("event"))
	v, err := p.newView(r, id, "company", "Audit Log")
	if err != nil {
		return err
	}
	v.Side = companySide(v, "audit")
	v.Data = lp
	p.render(w, r, status, "audit_log", v)
	return nil
}
