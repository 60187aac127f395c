package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// vdmRoutes are the Visual Device Manager of a VDM device (docs/devices.md,
// "The Visual Device Manager"): its profile, General Settings, line keys
// page by page, soft keys, ringer and reset; and the employee's own phone.
func vdmRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/devices/{id}/vdm", fn: func(h *Handler) handlerFunc { return h.getVDM }},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/general", fn: func(h *Handler) handlerFunc { return h.setVDMGeneral }},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/pages/{page}", fn: func(h *Handler) handlerFunc { return h.setVDMPage }},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/pages/{page}/keys/{key}", fn: func(h *Handler) handlerFunc { return h.setVDMKey }},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/soft-keys", fn: func(h *Handler) handlerFunc { return h.setVDMSoftKeys }},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/ringer", fn: func(h *Handler) handlerFunc { return h.setVDMRinger }},
		{Method: "POST", Pattern: "/api/v1/devices/{id}/vdm/reset", fn: func(h *Handler) handlerFunc { return h.resetVDMKeys }},
		{Method: "GET", Pattern: "/api/v1/my-phone", fn: func(h *Handler) handlerFunc { return h.myPhone }},
	}
}

// writeVDM answers with the Visual Device Manager, the device's
// registration status filled in.
func (h *Handler) writeVDM(w http.ResponseWriter, r *http.Request, v devices.VDM) error {
	ds := []devices.Device{v.Device}
	if err := h.app.Registrations.Annotate(r.Context(), ds); err != nil {
		return err
	}
	v.Device = ds[0]
	WriteJSON(w, http.StatusOK, v)
	return nil
}

func (h *Handler) getVDM(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.app.Devices.VisualDeviceManager(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}

func (h *Handler) myPhone(w http.ResponseWriter, r *http.Request) error {
	v, err := h.app.Devices.MyPhone(r.Context(), actor(r))
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}

func (h *Handler) setVDMGeneral(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req devices.VDMGeneral
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := h.app.Devices.SetVDMGeneral(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}

// pathNumber reads a small positive number from the path ({page}, {key}).
func pathNumber(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil || n < 1 || n > 1000 {
		return 0, derrors.Invalid(name, "%s must be a number from 1", name)
	}
	return n, nil
}

// vdmKeys is the body of a page of line keys or the soft keys.
type vdmKeys struct {
	Keys []devices.Key `json:"keys"`
}

func (h *Handler) setVDMPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, err := pathNumber(r, "page")
	if err != nil {
		return err
	}
	var req vdmKeys
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := h.app.Devices.SetLineKeys(r.Context(), actor(r), id, page, req.Keys)
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}

func (h *Handler) setVDMKey(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, err := pathNumber(r, "page")
	if err != nil {
		return err
	}
	key, err := pathNumber(r, "key")
	if err != nil {
		return err
	}
	var req devices.Key
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := h.app.Devices.SetLineKey(r.Context(), actor(r), id, page, key, req)
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}

func (h *Handler) setVDMSoftKeys(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req vdmKeys
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := h.app.Devices.SetSoftKeys(r.Context(), actor(r), id, req.Keys)
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}

func (h *Handler) setVDMRinger(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req struct {
		Ringer string `json:"ringer"`
	}
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := h.app.Devices.SetRinger(r.Context(), actor(r), id, req.Ringer)
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}

func (h *Handler) resetVDMKeys(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v, err := h.app.Devices.ResetVDMKeys(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	return h.writeVDM(w, r, v)
}
