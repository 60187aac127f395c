package api

import "net/http"

// sipRoutes are the SIP edge's: a line's credentials (docs/sip.md).
func sipRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/employees/{id}/line-credentials", fn: func(h *Handler) handlerFunc { return h.issueLineCredentials }},
	}
}

// issueLineCredentials (re)issues the SIP credentials of the employee's
// primary line and shows the password, this once.
func (h *Handler) issueLineCredentials(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.app.Devices.IssuePrimaryLine(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, c)
	return nil
}
