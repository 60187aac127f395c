package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

func (h *Handler) listResellers(w http.ResponseWriter, r *http.Request) error {
	rs, err := h.app.Tenancy.Resellers(r.Context(), actor(r))
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
	var req ResellerCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	res, err := h.app.Tenancy.AddReseller(r.Context(), actor(r), req.Name)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/resellers")
	WriteJSON(w, http.StatusCreated, res)
	return nil
}

// createResellerAdmin is POST /api/v1/resellers/{id}/admins: a login for
// the reseller's administrator (provider operators only).
func (h *Handler) createResellerAdmin(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req tenancy.ResellerAdminRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	acc, err := h.app.Tenancy.AddResellerAdmin(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/resellers")
	WriteJSON(w, http.StatusCreated, accountInfo(acc))
	return nil
}

func (h *Handler) listCompanies(w http.ResponseWriter, r *http.Request) error {
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	f := tenancy.CompanyFilter{Q: r.URL.Query().Get("q"), Status: r.URL.Query().Get("status")}
	pg, err := h.app.Tenancy.CompaniesPage(r.Context(), actor(r), f, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

func (h *Handler) createCompany(w http.ResponseWriter, r *http.Request) error {
	var req tenancy.CompanyCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Tenancy.AddCompany(r.Context(), actor(r), req)
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
	c, err := h.app.Tenancy.ViewCompany(r.Context(), actor(r), id)
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
	var req tenancy.CompanyUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Tenancy.ModifyCompany(r.Context(), actor(r), id, req)
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
	st, err := h.app.Tenancy.Dashboard(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st)
	return nil
}
