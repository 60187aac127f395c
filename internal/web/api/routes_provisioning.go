package api

import "net/http"

// provisioningRoutes are the provisioning server's JSON side: a device's
// provisioning credentials (docs/provisioning.md). The files phones fetch
// are under /prov/, outside the API.
func provisioningRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/devices/{id}/provisioning-credentials", fn: func(h *Handler) handlerFunc { return h.issueProvisioningCredentials }},
	}
}

// issueProvisioningCredentials (re)issues the device's provisioning secret
// and shows it, this once.
func (h *Handler) issueProvisioningCredentials(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.app.Provisioning.IssueCredentials(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusOK, c)
	return nil
}
