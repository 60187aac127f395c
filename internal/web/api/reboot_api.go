package api

import "net/http"

// rebootRoutes are the reboots over the SIP edge (docs/sip.md, "Reboot").
func rebootRoutes() []Route {
	return []Route{
		{Method: "POST", Pattern: "/api/v1/devices/{id}/reboot", fn: func(h *Handler) handlerFunc { return h.rebootDevice }},
		{Method: "POST", Pattern: "/api/v1/sites/{id}/device-types/{type_id}/reboot", fn: func(h *Handler) handlerFunc { return h.rebootDeviceType }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/reboots", fn: func(h *Handler) handlerFunc { return h.siteReboots }},
		{Method: "GET", Pattern: "/api/v1/reboots/{id}", fn: func(h *Handler) handlerFunc { return h.reboot }},
		{Method: "DELETE", Pattern: "/api/v1/reboots/{id}", fn: func(h *Handler) handlerFunc { return h.clearReboot }},
	}
}

// rebootDevice launches the reboot of one device.
func (h *Handler) rebootDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rb, err := h.app.Reboots.RebootDevice(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusAccepted, rb)
	return nil
}

// rebootDeviceType launches the reboot of a device type's devices at a site.
func (h *Handler) rebootDeviceType(w http.ResponseWriter, r *http.Request) error {
	siteID, err := pathID(r, "id")
	if err != nil {
		return err
	}
	typeID, err := pathID(r, "type_id")
	if err != nil {
		return err
	}
	rb, err := h.app.Reboots.RebootDeviceType(r.Context(), actor(r), siteID, typeID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusAccepted, rb)
	return nil
}

// siteReboots lists the site's reboots that still hold their button.
func (h *Handler) siteReboots(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rbs, err := h.app.Reboots.SiteReboots(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(rbs, len(rbs), pageOf(len(rbs))))
	return nil
}

// reboot is the Reboot Status of one reboot.
func (h *Handler) reboot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rb, err := h.app.Reboots.View(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, rb)
	return nil
}

// clearReboot is Clear Job.
func (h *Handler) clearReboot(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Reboots.Clear(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
