package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// ServiceOffering is the Service Offering tab of one object: exactly one of
// Company, Site and Employee is set, as Object says.
type ServiceOffering struct {
	Object   string                    `json:"object"`
	Company  *catalog.CompanyOffering  `json:"company,omitempty"`
	Site     *catalog.SiteOffering     `json:"site,omitempty"`
	Employee *catalog.EmployeeOffering `json:"employee,omitempty"`
}

// serviceOffering answers per object as the Business Portal's table
// says: ?company_id= (all site and employee packages and add-ons),
// ?site_id= (its package and add-ons and what employees may have),
// ?employee_id= (their package, add-ons and term). A company account that
// names nothing gets its own company.
func (h *Handler) serviceOffering(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	var ids [3]int64
	named := 0
	for i, name := range []string{"company_id", "site_id", "employee_id"} {
		n, err := queryInt(r, name)
		if err != nil {
			return err
		}
		if ids[i] = n; n != 0 {
			named++
		}
	}
	if named > 1 {
		return derrors.Invalid("company_id", "name one object: company_id, site_id or employee_id")
	}
	switch {
	case ids[1] != 0:
		o, err := h.app.Catalog.SiteOfferingFor(r.Context(), a, ids[1])
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, ServiceOffering{Object: "site", Site: &o})
	case ids[2] != 0:
		o, err := h.app.Catalog.EmployeeOfferingFor(r.Context(), a, ids[2])
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, ServiceOffering{Object: "employee", Employee: &o})
	default:
		o, err := h.app.Catalog.CompanyOfferingFor(r.Context(), a, ids[0])
		if err != nil {
			return err
		}
		WriteJSON(w, http.StatusOK, ServiceOffering{Object: "company", Company: &o})
	}
	return nil
}

// siteOffering is a site's feature package and add-ons, and what employees
// may have under it: the site row of the Service Offering tab. Whoever may
// see the site's Service Offering reads it: operators, the company's
// administrators and the group administrators of the site itself.
func (h *Handler) siteOffering(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := h.app.Catalog.SiteOfferingFor(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, o)
	return nil
}

// SiteOfferingRequest is PUT /api/v1/sites/{id}/offering: the whole
// assignment, replacing what the site had (no add-ons when absent).
type SiteOfferingRequest struct {
	PackageID int64   `json:"package_id"`
	AddOnIDs  []int64 `json:"add_on_ids"`
}

// setSiteOffering gives a site its feature package and add-ons. They are
// sold under the customer's contract, so it is the control panel's, like
// the site's employee limit: operators only (ManageCompany); the company's
// administrators read it and get a 403 naming the service provider.
func (h *Handler) setSiteOffering(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req SiteOfferingRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	o, err := h.app.Catalog.AssignSiteOffering(r.Context(), actor(r), id, req.PackageID, req.AddOnIDs)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, o)
	return nil
}

// The catalog is what the provider offers every customer, so every account
// of the provider may read it; changing it is the provider's.

func (h *Handler) listFeatures(w http.ResponseWriter, r *http.Request) error {
	fs, err := h.app.Catalog.CatalogFeatures(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(fs, len(fs), pageOf(len(fs))))
	return nil
}

func (h *Handler) createFeature(w http.ResponseWriter, r *http.Request) error {
	var req catalog.FeatureRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	f, err := h.app.Catalog.AddFeature(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/catalog/features/"+strconv.FormatInt(f.ID, 10))
	WriteJSON(w, http.StatusCreated, f)
	return nil
}

func (h *Handler) getFeature(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := h.app.Catalog.ViewFeature(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, f)
	return nil
}

func (h *Handler) replaceFeature(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req catalog.FeatureRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	f, err := h.app.Catalog.ChangeFeature(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, f)
	return nil
}

func (h *Handler) deleteFeature(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Catalog.RemoveFeature(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listPackages(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ps, err := h.app.Catalog.CatalogPackages(r.Context(), actor(r),
		catalog.PackageFilter{Type: catalog.Type(q.Get("type")), Kind: catalog.Kind(q.Get("kind"))})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(ps, len(ps), pageOf(len(ps))))
	return nil
}

func (h *Handler) createPackage(w http.ResponseWriter, r *http.Request) error {
	var req catalog.PackageRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := h.app.Catalog.AddPackage(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/catalog/packages/"+strconv.FormatInt(p.ID, 10))
	WriteJSON(w, http.StatusCreated, p)
	return nil
}

func (h *Handler) getPackage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.app.Catalog.ViewPackage(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) replacePackage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req catalog.PackageUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := h.app.Catalog.ChangePackage(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) deletePackage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Catalog.RemovePackage(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// packageFeatures is what the portal shows when a package is clicked.
func (h *Handler) packageFeatures(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	fs, err := h.app.Catalog.ViewPackageFeatures(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(fs, len(fs), pageOf(len(fs))))
	return nil
}

func (h *Handler) listTerms(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.app.Catalog.CatalogTerms(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(ts, len(ts), pageOf(len(ts))))
	return nil
}

func (h *Handler) createTerm(w http.ResponseWriter, r *http.Request) error {
	var req catalog.TermRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := h.app.Catalog.AddTerm(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/catalog/terms")
	WriteJSON(w, http.StatusCreated, t)
	return nil
}

func (h *Handler) replaceTerm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req catalog.TermRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := h.app.Catalog.ChangeTerm(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, t)
	return nil
}

func (h *Handler) deleteTerm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Catalog.RemoveTerm(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listDeviceTypes(w http.ResponseWriter, r *http.Request) error {
	ts, err := h.app.Devices.DeviceTypes(r.Context(), actor(r))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(ts, len(ts), pageOf(len(ts))))
	return nil
}

// DeviceTypeRequest is POST /api/v1/device-types: the capabilities are
// optional (none given: a one-line phone with the basic options, or a soft
// client without options).
type DeviceTypeRequest struct {
	Vendor     string `json:"vendor"`
	Model      string `json:"model"`
	SoftClient bool   `json:"soft_client"`
	devices.Capabilities
}

func (h *Handler) createDeviceType(w http.ResponseWriter, r *http.Request) error {
	var req DeviceTypeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	t, err := h.app.Devices.AddDeviceType(r.Context(), actor(r), devices.Type{Vendor: req.Vendor, Model: req.Model, SoftClient: req.SoftClient, Capabilities: req.Capabilities})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/device-types")
	WriteJSON(w, http.StatusCreated, t)
	return nil
}

// siteNumbers is a site's number pool, filtered by ?status=.
func (h *Handler) siteNumbers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	pg, err := h.app.Numbering.SitePoolPage(r.Context(), actor(r), id, numbering.PoolFilter{Status: numbering.Status(r.URL.Query().Get("status"))}, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

func (h *Handler) extensionPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := h.app.Numbering.SiteExtensionPolicy(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

// ExtensionPolicyRequest is PUT /api/v1/sites/{id}/extension-policy.
type ExtensionPolicyRequest struct {
	Length    int                     `json:"length"`
	Mode      numbering.ExtensionMode `json:"mode"`
	RangeFrom string                  `json:"range_from"`
	RangeTo   string                  `json:"range_to"`
}

// setExtensionPolicy is the provider's: the policy belongs to how the site's
// numbers were planned (docs/decisions.md); company admins read it.
func (h *Handler) setExtensionPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req ExtensionPolicyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := h.app.Numbering.ChangeExtensionPolicy(r.Context(), actor(r), id,
		numbering.ExtensionPolicy{Length: req.Length, Mode: req.Mode, RangeFrom: req.RangeFrom, RangeTo: req.RangeTo})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

func (h *Handler) siteDevices(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	free := false
	switch r.URL.Query().Get("free") {
	case "", "false":
	case "true":
		free = true
	default:
		return derrors.Invalid("free", "free must be true or false")
	}
	q := r.URL.Query()
	f := devices.DeviceFilter{Free: free, Name: q.Get("name")}
	if v := q.Get("type_id"); v != "" {
		if f.TypeID, err = strconv.ParseInt(v, 10, 64); err != nil || f.TypeID < 1 {
			return derrors.Invalid("type_id", "type_id must be a device type's id")
		}
	}
	if v := q.Get("available_ports"); v != "" {
		if f.MinAvailablePorts, err = strconv.Atoi(v); err != nil {
			return derrors.Invalid("available_ports", "available_ports must be a whole number of ports")
		}
	}
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	pg, err := h.app.Devices.SearchSiteDevicesPage(r.Context(), actor(r), id, f, p)
	if err != nil {
		return cursorProblem(err)
	}
	ds := make([]devices.Device, len(pg.Items))
	for i := range pg.Items {
		ds[i] = pg.Items[i].Device
	}
	if err := h.app.Registrations.Annotate(r.Context(), ds); err != nil {
		return err
	}
	for i := range pg.Items {
		pg.Items[i].Device = ds[i]
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

// DeviceRequest is POST /api/v1/sites/{id}/devices.
type DeviceRequest struct {
	TypeID int64  `json:"type_id"`
	Name   string `json:"name"`
	MAC    string `json:"mac"`
	Label  string `json:"label"`
}

func (h *Handler) createDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req DeviceRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	d, err := h.app.Devices.AddDevice(r.Context(), actor(r), id,
		devices.DeviceCreateRequest{TypeID: req.TypeID, Name: req.Name, MAC: req.MAC, Label: req.Label})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/devices/"+strconv.FormatInt(d.ID, 10))
	WriteJSON(w, http.StatusCreated, d)
	return nil
}

func (h *Handler) getDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := h.app.Devices.ViewDevice(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	ds := []devices.Device{d}
	if err := h.app.Registrations.Annotate(r.Context(), ds); err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, ds[0])
	return nil
}

func (h *Handler) deleteDevice(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Devices.DeleteDevice(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
