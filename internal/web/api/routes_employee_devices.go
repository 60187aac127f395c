package api

import (
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/devices"
)

// employeeDeviceRoutes are the employee's Devices tab: their primary device
// and shared call appearances (docs/devices.md, "Shared call appearances").
func employeeDeviceRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/employees/{id}/devices", fn: func(h *Handler) handlerFunc { return h.employeeDevices }},
		{Method: "POST", Pattern: "/api/v1/employees/{id}/shared-appearances", fn: func(h *Handler) handlerFunc { return h.addSharedAppearance }},
		{Method: "PATCH", Pattern: "/api/v1/employees/{id}/shared-appearances/{line_id}", fn: func(h *Handler) handlerFunc { return h.modifySharedAppearance }},
		{Method: "DELETE", Pattern: "/api/v1/employees/{id}/shared-appearances/{line_id}", fn: func(h *Handler) handlerFunc { return h.removeSharedAppearance }},
	}
}

func (h *Handler) employeeDevices(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	out, err := h.app.Devices.EmployeeDeviceList(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

// addSharedAppearance answers the new appearance with its SIP password,
// this once.
func (h *Handler) addSharedAppearance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req devices.SharedAppearanceRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	out, err := h.app.Devices.AddSharedAppearance(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	WriteJSON(w, http.StatusCreated, out)
	return nil
}

func (h *Handler) modifySharedAppearance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lineID, err := pathID(r, "line_id")
	if err != nil {
		return err
	}
	var req devices.SharedAppearanceUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	out, err := h.app.Devices.ModifySharedAppearance(r.Context(), actor(r), id, lineID, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) removeSharedAppearance(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lineID, err := pathID(r, "line_id")
	if err != nil {
		return err
	}
	if err := h.app.Devices.RemoveSharedAppearance(r.Context(), actor(r), id, lineID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
