package api

import (
	"net/http"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// listAudit is GET /api/v1/audit. Operators read their companies' entries
// (and their own, company-less ones); company admins read their company's.
func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	p, err := page(r)
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
	switch a.Role {
	case access.RoleProvider:
		f.ProviderID = a.ProviderID
		if f.CompanyID != 0 {
			if err := h.app.Access.Check(r.Context(), a, access.ViewCompany, access.Company(f.CompanyID)); err != nil {
				return err
			}
		}
	case access.RoleReseller:
		ids, err := h.app.Tenancy.CompanyIDs(r.Context(), a.ProviderID, a.ResellerID)
		if err != nil {
			return err
		}
		f.CompanyIDs = ids
	default:
		if err := h.app.Access.Check(r.Context(), a, access.ViewCompanyDashboard, access.Company(a.CompanyID)); err != nil {
			return err
		}
		if f.CompanyID != 0 && f.CompanyID != a.CompanyID {
			return derrors.ErrNotFound
		}
		f.CompanyIDs = []int64{a.CompanyID}
	}
	es, total, err := h.app.Audit.List(r.Context(), f, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(es, total, p))
	return nil
}
