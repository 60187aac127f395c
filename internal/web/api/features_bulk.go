package api

import (
	"fmt"
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
)

// bulkFeatureRoutes are Bulk Feature Management (docs/features.md).
func bulkFeatureRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/feature-jobs", fn: func(h *Handler) handlerFunc { return h.submitFeatureJob }},
		{Method: "GET", Pattern: "/api/v1/feature-jobs", fn: func(h *Handler) handlerFunc { return h.listFeatureJobs }},
		{Method: "GET", Pattern: "/api/v1/feature-jobs/{id}", fn: func(h *Handler) handlerFunc { return h.getFeatureJob }},
		{Method: "DELETE", Pattern: "/api/v1/feature-jobs/{id}", fn: func(h *Handler) handlerFunc { return h.deleteFeatureJob }},
	}
}

func (h *Handler) submitFeatureJob(w http.ResponseWriter, r *http.Request) error {
	var req features.BulkRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	j, err := h.app.Features.SubmitBulkCopy(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/feature-jobs/%d", j.ID))
	WriteJSON(w, http.StatusCreated, j)
	return nil
}

func (h *Handler) listFeatureJobs(w http.ResponseWriter, r *http.Request) error {
	company, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	if company == 0 {
		company = actor(r).CompanyID
	}
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	pg, err := h.app.Features.BulkJobs(r.Context(), actor(r), company, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

// FeatureJob is a bulk feature job with a page of its per-setting results.
type FeatureJob struct {
	Job   jobs.Job        `json:"job"`
	Items List[jobs.Item] `json:"items"`
}

func (h *Handler) getFeatureJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	j, items, total, err := h.app.Features.BulkJob(r.Context(), actor(r), id, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, FeatureJob{Job: j, Items: list(items, total, p)})
	return nil
}

func (h *Handler) deleteFeatureJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Features.DeleteBulkJob(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
