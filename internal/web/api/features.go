package api

import (
	"encoding/json"
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/features"
)

// The features endpoints only translate: the features service decides who
// may (access.CheckFeature), validates and audits (docs/features.md).

func (h *Handler) serviceDataSchema(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/schema+json")
	w.WriteHeader(http.StatusOK)
	_, err := w.Write(features.ServiceDataSchema())
	return err
}

// featureOwner reads the {id} of a site or employee path.
func featureOwner(r *http.Request, kind features.OwnerKind) (features.Owner, error) {
	id, err := pathID(r, "id")
	return features.Owner{Kind: kind, ID: id}, err
}

// FeatureTab is the Features / Feature Assignment tab.
type FeatureTab struct {
	Items []features.Feature `json:"items"`
}

func (h *Handler) listOwnerFeatures(w http.ResponseWriter, r *http.Request, kind features.OwnerKind) error {
	o, err := featureOwner(r, kind)
	if err != nil {
		return err
	}
	fs, err := h.app.Features.Features(r.Context(), actor(r), o, r.URL.Query().Get("category"))
	if err != nil {
		return err
	}
	if fs == nil {
		fs = []features.Feature{}
	}
	WriteJSON(w, http.StatusOK, FeatureTab{Items: fs})
	return nil
}

func (h *Handler) siteFeatures(w http.ResponseWriter, r *http.Request) error {
	return h.listOwnerFeatures(w, r, features.OwnerSite)
}

func (h *Handler) employeeFeatures(w http.ResponseWriter, r *http.Request) error {
	return h.listOwnerFeatures(w, r, features.OwnerEmployee)
}

// FeatureAssignmentRequest is PUT …/features/{feature_id}/assignment.
type FeatureAssignmentRequest struct {
	Available *bool `json:"available"`
}

// FeaturePrivilegesRequest is PUT …/features/{feature_id}/admin-privileges.
type FeaturePrivilegesRequest struct {
	AllowGroupAdmins *bool `json:"allow_group_admins"`
}

func (h *Handler) setFeatureChoice(w http.ResponseWriter, r *http.Request, kind features.OwnerKind, privileges bool) error {
	o, err := featureOwner(r, kind)
	if err != nil {
		return err
	}
	featureID, err := pathID(r, "feature_id")
	if err != nil {
		return err
	}
	var f features.Feature
	if privileges {
		var req FeaturePrivilegesRequest
		if err := decode(r, &req); err != nil {
			return err
		}
		f, err = h.app.Features.SetAdminPrivileges(r.Context(), actor(r), o, featureID, req.AllowGroupAdmins)
	} else {
		var req FeatureAssignmentRequest
		if err := decode(r, &req); err != nil {
			return err
		}
		f, err = h.app.Features.SetAvailable(r.Context(), actor(r), o, featureID, req.Available)
	}
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, f)
	return nil
}

func (h *Handler) siteFeatureAssignment(w http.ResponseWriter, r *http.Request) error {
	return h.setFeatureChoice(w, r, features.OwnerSite, false)
}

func (h *Handler) employeeFeatureAssignment(w http.ResponseWriter, r *http.Request) error {
	return h.setFeatureChoice(w, r, features.OwnerEmployee, false)
}

func (h *Handler) siteFeaturePrivileges(w http.ResponseWriter, r *http.Request) error {
	return h.setFeatureChoice(w, r, features.OwnerSite, true)
}

func (h *Handler) employeeFeaturePrivileges(w http.ResponseWriter, r *http.Request) error {
	return h.setFeatureChoice(w, r, features.OwnerEmployee, true)
}

func (h *Handler) featureConfig(w http.ResponseWriter, r *http.Request, kind features.OwnerKind) error {
	o, err := featureOwner(r, kind)
	if err != nil {
		return err
	}
	c, err := h.app.Features.FeatureConfig(r.Context(), actor(r), o, r.PathValue("code"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) siteFeatureConfig(w http.ResponseWriter, r *http.Request) error {
	return h.featureConfig(w, r, features.OwnerSite)
}

func (h *Handler) employeeFeatureConfig(w http.ResponseWriter, r *http.Request) error {
	return h.featureConfig(w, r, features.OwnerEmployee)
}

// configure replaces one feature's settings: the body is the settings
// object itself, which the features service decodes against the feature.
func (h *Handler) configure(w http.ResponseWriter, r *http.Request, kind features.OwnerKind) error {
	o, err := featureOwner(r, kind)
	if err != nil {
		return err
	}
	var body json.RawMessage
	if err := decode(r, &body); err != nil {
		return err
	}
	c, err := h.app.Features.Configure(r.Context(), actor(r), o, r.PathValue("code"), body)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

func (h *Handler) configureSiteFeature(w http.ResponseWriter, r *http.Request) error {
	return h.configure(w, r, features.OwnerSite)
}

func (h *Handler) configureEmployeeFeature(w http.ResponseWriter, r *http.Request) error {
	return h.configure(w, r, features.OwnerEmployee)
}

func (h *Handler) serviceData(w http.ResponseWriter, r *http.Request, kind features.OwnerKind) error {
	o, err := featureOwner(r, kind)
	if err != nil {
		return err
	}
	sd, err := h.app.Features.ServiceDataFor(r.Context(), actor(r), o)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, sd)
	return nil
}

func (h *Handler) siteServiceData(w http.ResponseWriter, r *http.Request) error {
	return h.serviceData(w, r, features.OwnerSite)
}

func (h *Handler) employeeServiceData(w http.ResponseWriter, r *http.Request) error {
	return h.serviceData(w, r, features.OwnerEmployee)
}

// ColleagueList is GET /api/v1/employees/{id}/blf-colleagues.
type ColleagueList struct {
	Items []features.Colleague `json:"items"`
}

func (h *Handler) blfColleagues(w http.ResponseWriter, r *http.Request) error {
	o, err := featureOwner(r, features.OwnerEmployee)
	if err != nil {
		return err
	}
	cs, err := h.app.Features.BLFColleagues(r.Context(), actor(r), o)
	if err != nil {
		return err
	}
	if cs == nil {
		cs = []features.Colleague{}
	}
	WriteJSON(w, http.StatusOK, ColleagueList{Items: cs})
	return nil
}
