package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// devmgmtRoutes are a site's Device Management (docs/devices.md): the
// device catalog's capabilities, a site's device types with their options,
// masks, a device's own options, resets, and the Devices tab's modify.
func devmgmtRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/device-options", fn: func(h *Handler) handlerFunc { return h.deviceOptions }},
		{Method: "GET", Pattern: "/api/v1/device-types/{id}", fn: func(h *Handler) handlerFunc { return h.getDeviceType }},
		{Method: "PUT", Pattern: "/api/v1/device-types/{id}", fn: func(h *Handler) handlerFunc { return h.replaceDeviceType }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/device-types", fn: func(h *Handler) handlerFunc { return h.siteDeviceTypes }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/device-types/{type_id}", fn: func(h *Handler) handlerFunc { return h.siteDeviceType }},
		{Method: "PUT", Pattern: "/api/v1/sites/{id}/device-types/{type_id}", fn: func(h *Handler) handlerFunc { return h.customiseSiteType }},
		{Method: "POST", Pattern: "/api/v1/sites/{id}/device-types/{type_id}/reset", fn: func(h *Handler) handlerFunc { return h.resetSiteType }},
		{Method: "DELETE", Pattern: "/api/v1/sites/{id}/device-types/{type_id}/mask", fn: func(h *Handler) handlerFunc { return h.removeMask }},
		{Method: "GET", Pattern: "/api/v1/sites/{id}/device-masks", fn: func(h *Handler) handlerFunc { return h.listMasks }},
		{Method: "POST", Pattern: "/api/v1/sites/{id}/device-masks", fn: func(h *Handler) handlerFunc { return h.createMask }},
		{Method: "GET", Pattern: "/api/v1/device-masks/{id}", fn: func(h *Handler) handlerFunc { return h.getMask }},
		{Method: "PUT", Pattern: "/api/v1/device-masks/{id}", fn: func(h *Handler) handlerFunc { return h.replaceMask }},
		{Method: "DELETE", Pattern: "/api/v1/device-masks/{id}", fn: func(h *Handler) handlerFunc { return h.deleteMask }},
		{Method: "POST", Pattern: "/api/v1/device-masks/{id}/apply", fn: func(h *Handler) handlerFunc { return h.applyMask }},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}", fn: func(h *Handler) handlerFunc { return h.replaceDevice }},
		{Method: "GET", Pattern: "/api/v1/devices/{id}/customisation", fn: func(h *Handler) handlerFunc { return h.deviceCustomisation }},
		{Method: "PUT", Pattern: "/api/v1/devices/{id}/customisation", fn: func(h *Handler) handlerFunc { return h.customiseDevice }},
		{Method: "POST", Pattern: "/api/v1/devices/{id}/reset", fn: func(h *Handler) handlerFunc { return h.resetDevice }},
	}
}

func (h *Handler) deviceOptions(w http.ResponseWriter, r *http.Request) error {
	os := devices.OptionList()
	WriteJSON(w, http.StatusOK, list(os, len(os), pageOf(len(os))))
	return nil
}

func (h *Handler) getDeviceType(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := h.app.Devices.ViewDeviceType(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) replaceDeviceType(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req devices.TypeUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := h.app.Devices.ModifyDeviceType(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, t)
	return nil
}

// siteTypeIDs reads {id} (the site) and {type_id}.
func siteTypeIDs(r *http.Request) (siteID, typeID int64, err error) {
	if siteID, err = pathID(r, "id"); err != nil {
		return 0, 0, err
	}
	typeID, err = pathID(r, "type_id")
	return siteID, typeID, err
}

func (h *Handler) siteDeviceTypes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sts, err := h.app.Devices.SiteDeviceTypes(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(sts, len(sts), pageOf(len(sts))))
	return nil
}

func (h *Handler) siteDeviceType(w http.ResponseWriter, r *http.Request) error {
	siteID, typeID, err := siteTypeIDs(r)
	if err != nil {
		return err
	}
	st, err := h.app.Devices.SiteDeviceType(r.Context(), actor(r), siteID, typeID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *Handler) customiseSiteType(w http.ResponseWriter, r *http.Request) error {
	siteID, typeID, err := siteTypeIDs(r)
	if err != nil {
		return err
	}
	var req devices.SiteTypeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	st, err := h.app.Devices.CustomiseSiteType(r.Context(), actor(r), siteID, typeID, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st)
	return nil
}

// ResetRequest is POST …/reset: whether to reboot the devices afterwards.
type ResetRequest struct {
	Reboot bool `json:"reboot"`
}

// decodeReset reads an optional body: no body is a reset without reboot.
func decodeReset(r *http.Request) (ResetRequest, error) {
	var req ResetRequest
	if r.ContentLength == 0 && r.Header.Get("Content-Type") == "" {
		return req, nil
	}
	err := decode(r, &req)
	return req, err
}

func (h *Handler) resetSiteType(w http.ResponseWriter, r *http.Request) error {
	siteID, typeID, err := siteTypeIDs(r)
	if err != nil {
		return err
	}
	req, err := decodeReset(r)
	if err != nil {
		return err
	}
	res, err := h.app.Devices.ResetSiteType(r.Context(), actor(r), siteID, typeID, req.Reboot)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *Handler) removeMask(w http.ResponseWriter, r *http.Request) error {
	siteID, typeID, err := siteTypeIDs(r)
	if err != nil {
		return err
	}
	st, err := h.app.Devices.RemoveMask(r.Context(), actor(r), siteID, typeID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, st)
	return nil
}

func (h *Handler) listMasks(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	ms, err := h.app.Devices.Masks(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(ms, len(ms), pageOf(len(ms))))
	return nil
}

func (h *Handler) createMask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req devices.MaskRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	m, err := h.app.Devices.CreateMask(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/device-masks/"+strconv.FormatInt(m.ID, 10))
	WriteJSON(w, http.StatusCreated, m)
	return nil
}

func (h *Handler) getMask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := h.app.Devices.ViewMask(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, m)
	return nil
}

func (h *Handler) replaceMask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req devices.MaskRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	m, err := h.app.Devices.ModifyMask(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, m)
	return nil
}

func (h *Handler) deleteMask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Devices.DeleteMask(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ApplyMaskRequest is POST /api/v1/device-masks/{id}/apply.
type ApplyMaskRequest struct {
	TypeIDs []int64 `json:"type_ids"`
}

func (h *Handler) applyMask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req ApplyMaskRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if len(req.TypeIDs) > maxApplyTypes {
		return derrors.Invalid("type_ids", "at most %d device types at once", maxApplyTypes)
	}
	sts, err := h.app.Devices.ApplyMask(r.Context(), actor(r), id, req.TypeIDs)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(sts, len(sts), pageOf(len(sts))))
	return nil
}

// maxApplyTypes bounds one apply (the OpenAPI document states it).
const maxApplyTypes = 100

func (h *Handler) replaceDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req devices.DeviceUpdate
	if err := decode(r, &req); err != nil {
		return err
	}
	d, err := h.app.Devices.ModifyDevice(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, d)
	return nil
}

func (h *Handler) deviceCustomisation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.app.Devices.ViewDeviceCustomisation(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) customiseDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req devices.Settings
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Devices.CustomiseDevice(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) resetDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	req, err := decodeReset(r)
	if err != nil {
		return err
	}
	res, err := h.app.Devices.ResetDevice(r.Context(), actor(r), id, req.Reboot)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}
