package api

import (
	"net/http"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// listAudit is GET /api/v1/audit; audit.ListFor decides what the caller
// reads (docs/security.md).
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var f audit.Filter
	for name, dst := range map[string]*int64{"company_id": &f.CompanyID, "site_id": &f.SiteID, "object_id": &f.ObjectID, "actor_id": &f.ActorID} {
		if *dst, err = queryInt(r, name); err != nil {
			return err
		}
	}
	f.ObjectKind, f.Event = q.Get("object_kind"), q.Get("event")
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if s := q.Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return derrors.Invalid(name, "%s must be an RFC 3339 time such as 2026-01-31T09:00:00Z", name)
			}
			*dst = t
		}
	}
	pg, err := h.app.Audit.ListPageFor(r.Context(), a, f, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

// auditEventTypes is GET /api/v1/audit/events: the event types the caller's
// audit log can hold, as audit.EventsFor offers them.
func (h *Handler) auditEventTypes(w http.ResponseWriter, r *http.Request) error {
	events, err := h.app.Audit.EventsFor(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, map[string]any{"items": events})
	return nil
}
