package api

import "net/http"

// siteDashboard is a site's dashboard in the viewer's zone (tz).
func (h *Handler) siteDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.app.Dashboards.Site(r.Context(), actor(r), id, r.URL.Query().Get("tz"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}

// employeeDashboard is an employee's dashboard in the viewer's zone (tz).
func (h *Handler) employeeDashboard(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.app.Dashboards.Employee(r.Context(), actor(r), id, r.URL.Query().Get("tz"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}
