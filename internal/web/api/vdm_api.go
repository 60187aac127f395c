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
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/general", fn: vdmChange(setVDMGeneral)},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/pages/{page}", fn: vdmChange(setVDMPage)},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/pages/{page}/keys/{key}", fn: vdmChange(setVDMKey)},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/soft-keys", fn: vdmChange(setVDMSoftKeys)},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/vdm/ringer", fn: vdmChange(setVDMRinger)},
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

// pathNumber reads a number from the path ({page}, {key}); whether the
// device has that page or key is the domain's to say, after it has
// checked who asks.
func pathNumber(r *http.Request, name string) (int, error) {
	n, err := strconv.Atoi(r.PathValue(name))
	if err != nil {
		return 0, derrors.Invalid(name, "%s must be a number from 1", name)
	}
	return n, nil
}

// vdmKeys is the body of a page of line keys or the soft keys.
type vdmKeys struct {
	Keys []devices.Key `json:"keys"`
}

// vdmChange is the handler of a change to a device's Visual Device
// Manager: the device from the path, the body decoded into T, the use case
// (change), and the manager as it is after.
func vdmChange[T any](change func(h *Handler, r *http.Request, id int64, body T) (devices.VDM, error)) func(h *Handler) handlerFunc {
	return func(h *Handler) handlerFunc {
		return func(w http.ResponseWriter, r *http.Request) error {
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			var body T
			if err := decode(r, &body); err != nil {
				return err
			}
			v, err := change(h, r, id, body)
			if err != nil {
				return err
			}
			return h.writeVDM(w, r, v)
		}
	}
}

func setVDMGeneral(h *Handler, r *http.Request, id int64, req devices.VDMGeneral) (devices.VDM, error) {
	return h.app.Devices.SetVDMGeneral(r.Context(), actor(r), id, req)
}

func setVDMPage(h *Handler, r *http.Request, id int64, req vdmKeys) (devices.VDM, error) {
	page, err := pathNumber(r, "page")
	if err != nil {
		return devices.VDM{}, err
	}
	return h.app.Devices.SetLineKeys(r.Context(), actor(r), id, page, req.Keys)
}

func setVDMKey(h *Handler, r *http.Request, id int64, req devices.Key) (devices.VDM, error) {
	page, err := pathNumber(r, "page")
	if err != nil {
		return devices.VDM{}, err
	}
	key, err := pathNumber(r, "key")
	if err != nil {
		return devices.VDM{}, err
	}
	return h.app.Devices.SetLineKey(r.Context(), actor(r), id, page, key, req)
}

func setVDMSoftKeys(h *Handler, r *http.Request, id int64, req vdmKeys) (devices.VDM, error) {
	return h.app.Devices.SetSoftKeys(r.Context(), actor(r), id, req.Keys)
}

// vdmRinger is the body of a change of ringer.
type vdmRinger struct {
	Ringer string `json:"ringer"`
}

func setVDMRinger(h *Handler, r *http.Request, id int64, req vdmRinger) (devices.VDM, error) {
	return h.app.Devices.SetRinger(r.Context(), actor(r), id, req.Ringer)
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
