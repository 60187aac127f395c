package api

import "net/http"

// sipRoutes are the SIP edge's: a line's credentials and a device's
// registrations (docs/sip.md).
func sipRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/employees/{id}/line-credentials", fn: func(h *Handler) handlerFunc { return h.issueLineCredentials }},
		{Method: "GET", Pattern: "/api/v1/devices/{id}/registrations", fn: func(h *Handler) handlerFunc { return h.deviceRegistrations }},
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

// deviceRegistrations lists the device's live registrations (bindings).
func (h *Handler) deviceRegistrations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	bs, err := h.app.Registrations.DeviceBindings(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(bs, len(bs), pageOf(len(bs))))
	return nil
}
