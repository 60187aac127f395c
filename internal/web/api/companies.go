package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// companyFor decides which company a list or create request is about: a
// company account's own, or for operators the company_id they name. A
// company_id the caller may not see answers not found.
func (h *Handler) companyFor(r *http.Request, a access.Actor, given int64, action access.Action) (int64, error) {
	id := given
	if id == 0 {
		if a.CompanyID == 0 {
			return 0, derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
		}
		id = a.CompanyID
	}
	if err := h.app.Access.Check(r.Context(), a, action, access.Company(id)); err != nil {
		return 0, err
	}
	return id, nil
}

func (h *Handler) listResellers(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.ManageResellers, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	rs, err := h.app.Tenancy.ListResellers(r.Context(), a.ProviderID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(rs, len(rs), pageOf(len(rs))))
	return nil
}

// ResellerCreateRequest is POST /api/v1/resellers.
type ResellerCreateRequest struct {
	Name string `json:"name"`
}

func (h *Handler) createReseller(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.ManageResellers, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	var req ResellerCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := h.app.Tenancy.CreateReseller(r.Context(), a.ProviderID, req.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/resellers")
	WriteJSON(w, http.StatusCreated, res)
	return nil
}

func (h *Handler) listCompanies(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	p, err := page(r)
	if err != nil {
		return err
	}
	f := tenancy.CompanyFilter{ProviderID: a.ProviderID, Q: r.URL.Query().Get("q"), Status: r.URL.Query().Get("status")}
	if f.Status != "" && !slices.Contains(tenancy.CompanyStatuses, f.Status) {
		return derrors.Invalid("status", "status must be one of %s", strings.Join(tenancy.CompanyStatuses, ", "))
	}
	sc, err := h.app.Access.Scope(r.Context(), a)
	if err != nil {
		return err
	}
	f.ResellerID, f.CompanyID = sc.ResellerID, sc.CompanyID
	cs, total, err := h.app.Tenancy.ListCompanies(r.Context(), f, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(cs, total, p))
	return nil
}

func (h *Handler) createCompany(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.CreateCompany, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	var req tenancy.CompanyCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if a.Role == access.RoleReseller {
		if req.ResellerID != nil && *req.ResellerID != a.ResellerID {
			return derrors.Invalid("reseller_id", "a reseller creates companies under itself only")
		}
		req.ResellerID = &a.ResellerID
	}
	c, err := h.app.Tenancy.CreateCompany(r.Context(), a.ProviderID, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/companies/"+strconv.FormatInt(c.ID, 10))
	WriteJSON(w, http.StatusCreated, c)
	return nil
}

func (h *Handler) getCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Access.Check(r.Context(), actor(r), access.ViewCompany, access.Company(id)); err != nil {
		return err
	}
	c, err := h.app.Tenancy.Company(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) updateCompany(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Access.Check(r.Context(), actor(r), access.ManageCompany, access.Company(id)); err != nil {
		return err
	}
	var req tenancy.CompanyUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Tenancy.UpdateCompany(r.Context(), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) companyDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Access.Check(r.Context(), actor(r), access.ViewCompanyDashboard, access.Company(id)); err != nil {
		return err
	}
	st, err := h.app.Tenancy.DashboardStats(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st)
	return nil
}
