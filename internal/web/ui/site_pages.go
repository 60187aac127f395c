package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

func (p *Pages) registerSites(auth func(string, handlerFunc)) {
	auth("GET /sites/{id}/numbers", p.siteNumbers)
	auth("POST /sites/{id}/ranges", p.siteRangeAdd)
	auth("POST /sites/{id}/ranges/{rid}/delete", p.siteRangeRemove)
	auth("GET /sites/{id}/extension-policy", p.siteExtension)
	auth("POST /sites/{id}/extension-policy", p.siteExtensionSave)
	auth("GET /sites/{id}/service", p.siteService)
	auth("POST /sites/{id}/offering", p.siteOfferingSave)
	auth("POST /sites/{id}/employee-limit", p.siteLimitSave)
	auth("GET /sites/{id}/devices", p.siteDevices)
	auth("POST /sites/{id}/devices", p.siteDeviceAdd)
	auth("POST /devices/{id}/delete", p.deviceDelete)
}

// site loads {id} as a site after checking action on it.
func (p *Pages) site(r *http.Request, action access.Action) (directory.Group, error) {
	g, err := p.group(r, action)
	if err == nil && !g.IsSite {
		err = derrors.ErrNotFound
	}
	return g, err
}

// siteSide is the side bar of a site's pages.
func siteSide(v *view, g directory.Group, current string) {
	base := "/sites/" + itoa64(g.ID)
	v.SideLabel = "Site"
	v.Side = []sideSection{
		{Title: "Sites", Links: []navLink{{Label: "Site Selection", URL: v.Link("/sites")}}},
		{Title: g.Name, Links: []navLink{
			{Label: "Profile", URL: "/groups/" + itoa64(g.ID)},
			{Label: "Numbers", URL: base + "/numbers", Current: current == "numbers"},
			{Label: "Extension Policy", URL: base + "/extension-policy", Current: current == "extension"},
			{Label: "Package & Limit", URL: base + "/service", Current: current == "service"},
			{Label: "Devices", URL: base + "/devices", Current: current == "devices"},
			{Label: "Service Offering", URL: "/service-offering?site_id=" + itoa64(g.ID)},
		}}}
}

type siteNumbersPage struct {
	Site      directory.Group
	Status    string
	Statuses  []statusOpt
	Numbers   []numbering.Number
	Total     int
	Page      int
	Pages     int
	PrevURL   string
	NextURL   string
	Ranges    []numbering.Range
	CanManage bool
	Form      *form
}

const numbersPerPage = 50

func (p *Pages) siteNumbers(w http.ResponseWriter, r *http.Request) error {
	g, err := p.site(r, access.ViewNumbers)
	if err != nil {
		return err
	}
	return p.renderSiteNumbers(w, r, http.StatusOK, g, newForm(nil))
}

func (p *Pages) renderSiteNumbers(w http.ResponseWriter, r *http.Request, code int, g directory.Group, f *form) error {
	ctx := r.Context()
	q := r.URL.Query()
	status := q.Get("status")
	pg, _ := strconv.Atoi(q.Get("page"))
	page := store.Page{Page: max(pg, 1), PerPage: numbersPerPage}.Normalize()
	ns, total, err := p.app.Numbering.Pool(ctx, g.CompanyID, g.ID, numbering.PoolFilter{Status: numbering.Status(status)}, page)
	if err != nil {
		return err
	}
	rs, err := p.app.Numbering.Ranges(ctx, g.CompanyID, g.ID)
	if err != nil {
		return err
	}
	v, err := p.newView(r, g.CompanyID, "sites", g.Name+": Numbers")
	if err != nil {
		return err
	}
	siteSide(v, g, "numbers")
	d := siteNumbersPage{Site: g, Status: status, Numbers: ns, Total: total, Page: page.Page, Pages: max(1, (total+page.PerPage-1)/page.PerPage),
		Ranges: rs, Form: f, CanManage: p.app.Access.Check(ctx, actorOf(r), access.ManageNumbering, access.Group(g.ID)) == nil}
	for _, s := range []statusOpt{{"", "All", false}, {"free", "Free", false}, {"available", "Available", false}, {"assigned", "Assigned", false}, {"returned", "Returned", false}} {
		s.Selected = s.Value == status
		d.Statuses = append(d.Statuses, s)
	}
	link := func(n int) string {
		u := url.Values{}
		if status != "" {
			u.Set("status", status)
		}
		u.Set("page", strconv.Itoa(n))
		return "/sites/" + itoa64(g.ID) + "/numbers?" + u.Encode()
	}
	if d.Page > 1 {
		d.PrevURL = link(d.Page - 1)
	}
	if d.Page < d.Pages {
		d.NextURL = link(d.Page + 1)
	}
	v.Data = d
	p.render(w, r, code, "site_numbers", v)
	return nil
}

func (p *Pages) siteRangeAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	g, err := p.site(r, access.ManageNumbering)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	if _, err := p.app.Numbering.AddRange(r.Context(), g.CompanyID, g.ID, numbering.RangeRequest{Start: f.V("start"), End: f.V("end")}); err != nil {
		if f.addErr(err, "start", "end") {
			return p.renderSiteNumbers(w, r, http.StatusUnprocessableEntity, g, f)
		}
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(g.ID)+"/numbers", "range-added")
	return nil
}

func (p *Pages) siteRangeRemove(w http.ResponseWriter, r *http.Request) error {
	g, err := p.site(r, access.ManageNumbering)
	if err != nil {
		return err
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		return err
	}
	rg, err := p.app.Numbering.Range(r.Context(), g.CompanyID, rid)
	if err != nil {
		return err
	}
	if rg.SiteID != g.ID {
		return derrors.ErrNotFound
	}
	if err := p.app.Numbering.RemoveRange(r.Context(), g.CompanyID, rid); err != nil {
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(g.ID)+"/numbers", "range-removed")
	return nil
}

type siteExtensionPage struct {
	Site    directory.Group
	Policy  numbering.ExtensionPolicy
	CanEdit bool
	Form    *form
	Refused []numbering.RefusedExtension
}

func (p *Pages) siteExtension(w http.ResponseWriter, r *http.Request) error {
	g, err := p.site(r, access.ViewNumbers)
	if err != nil {
		return err
	}
	pol, err := p.app.Numbering.ExtensionPolicy(r.Context(), g.CompanyID, g.ID)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"length": {strconv.Itoa(pol.Length)}, "mode": {string(pol.Mode)}, "range_from": {pol.RangeFrom}, "range_to": {pol.RangeTo}})
	return p.renderSiteExtension(w, r, http.StatusOK, g, pol, f)
}

func (p *Pages) renderSiteExtension(w http.ResponseWriter, r *http.Request, code int, g directory.Group, pol numbering.ExtensionPolicy, f *form) error {
	refused, err := p.app.Numbering.RefusedExtensions(r.Context())
	if err != nil {
		return err
	}
	v, err := p.newView(r, g.CompanyID, "sites", g.Name+": Extension Policy")
	if err != nil {
		return err
	}
	siteSide(v, g, "extension")
	v.Data = siteExtensionPage{Site: g, Policy: pol, Form: f, Refused: refused,
		CanEdit: p.app.Access.Check(r.Context(), actorOf(r), access.ManageNumbering, access.Group(g.ID)) == nil}
	p.render(w, r, code, "site_extension", v)
	return nil
}

func (p *Pages) siteExtensionSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	g, err := p.site(r, access.ManageNumbering)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	length, err := strconv.Atoi(strings.TrimSpace(f.V("length")))
	if err != nil {
		f.add("length", "Enter the extension length as a whole number.")
	}
	pol := numbering.ExtensionPolicy{Length: length, Mode: numbering.ExtensionMode(f.V("mode")), RangeFrom: f.V("range_from"), RangeTo: f.V("range_to")}
	if !f.Invalid() {
		if _, err = p.app.Numbering.SetExtensionPolicy(r.Context(), g.CompanyID, g.ID, pol); err == nil {
			redirectFlash(w, r, "/sites/"+itoa64(g.ID)+"/extension-policy", "policy-saved")
			return nil
		}
		if !f.addErr(err, "length", "mode", "range_from", "range_to") {
			return err
		}
	}
	cur, err := p.app.Numbering.ExtensionPolicy(r.Context(), g.CompanyID, g.ID)
	if err != nil {
		return err
	}
	return p.renderSiteExtension(w, r, http.StatusUnprocessableEntity, g, cur, f)
}

// sitePackageFields and siteLimitFields are the form fields of the Package
// & Limit page, named as the services' errors name them.
var (
	sitePackageFields = []string{"package_id", "add_on_ids"}
	siteLimitFields   = []string{"employee_limit"}
)

// siteServicePage is a site's Package & Limit page: the site feature
// package and add-ons, and the employee limit. Both are sold under the
// customer's contract, so the company's and the site's administrators read
// them and operators change them (CanEdit).
type siteServicePage struct {
	Site     directory.Group
	Offering catalog.SiteOffering
	Limit    lifecycle.SiteLimit
	CanEdit  bool
	// The operator's choices: the provider's site packages and add-ons.
	Packages []pkgOption
	AddOns   []pkgOption
	// One form each; the one submitted carries its errors.
	OfferingForm, LimitForm *form
}

func (p *Pages) siteService(w http.ResponseWriter, r *http.Request) error {
	g, err := p.site(r, access.ViewServiceOffering)
	if err != nil {
		return err
	}
	return p.renderSiteService(w, r, http.StatusOK, g, nil, nil)
}

// renderSiteService draws the page; a nil form is filled from what the site
// has now.
func (p *Pages) renderSiteService(w http.ResponseWriter, r *http.Request, code int, g directory.Group, offering, limit *form) error {
	ctx := r.Context()
	o, err := p.app.Catalog.ForSite(ctx, g.CompanyID, g.ID)
	if err != nil {
		return err
	}
	l, err := p.app.Lifecycle.SiteLimit(ctx, g.CompanyID, g.ID)
	if err != nil {
		return err
	}
	d := siteServicePage{Site: g, Offering: o, Limit: l, OfferingForm: offering, LimitForm: limit,
		CanEdit: p.app.Access.Check(ctx, actorOf(r), access.ManageCompany, access.Company(g.CompanyID)) == nil}
	if d.OfferingForm == nil {
		d.OfferingForm = newForm(nil)
		if o.Package != nil {
			d.OfferingForm.Values.Set("package_id", itoa64(o.Package.ID))
		}
		for _, a := range o.AddOns {
			d.OfferingForm.Values.Add("add_on_ids", itoa64(a.ID))
		}
	}
	if d.LimitForm == nil {
		d.LimitForm = newForm(url.Values{"employee_limit": {strconv.Itoa(l.EmployeeLimit)}})
	}
	if d.CanEdit {
		c, err := p.app.Tenancy.Company(ctx, g.CompanyID)
		if err != nil {
			return err
		}
		all, err := p.app.Catalog.Catalog(ctx, c.ProviderID)
		if err != nil {
			return err
		}
		d.Packages = pkgOptions(all.SitePackages, d.OfferingForm, "package_id")
		d.AddOns = pkgOptions(all.SiteAddOns, d.OfferingForm, "add_on_ids")
	}
	v, err := p.newView(r, g.CompanyID, "sites", g.Name+": Package & Limit")
	if err != nil {
		return err
	}
	siteSide(v, g, "service")
	v.Data = d
	p.render(w, r, code, "site_service", v)
	return nil
}

// siteEditable loads {id} as a site whose package and limit the caller may
// change: one they see (others are not found) of a company whose contract
// they manage (others are refused with the reason).
func (p *Pages) siteEditable(r *http.Request) (directory.Group, error) {
	g, err := p.site(r, access.ViewServiceOffering)
	if err != nil {
		return g, err
	}
	return g, p.app.Access.Check(r.Context(), actorOf(r), access.ManageCompany, access.Company(g.CompanyID))
}

// siteOfferingSave mirrors PUT /api/v1/sites/{id}/offering.
func (p *Pages) siteOfferingSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	g, err := p.siteEditable(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	var pkg int64
	if s := strings.TrimSpace(f.V("package_id")); s == "" {
		f.add("package_id", "Choose the site's feature package.")
	} else if pkg, err = strconv.ParseInt(s, 10, 64); err != nil {
		f.add("package_id", "Choose one of the site feature packages listed.")
	}
	var addOns []int64
	for _, s := range f.Values["add_on_ids"] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			f.add("add_on_ids", "Choose add-ons from the list.")
			break
		}
		addOns = append(addOns, id)
	}
	if !f.Invalid() {
		if _, err = p.app.Catalog.SetSiteOffering(r.Context(), g.CompanyID, g.ID, pkg, addOns); err == nil {
			redirectFlash(w, r, "/sites/"+itoa64(g.ID)+"/service", "site-offering-saved")
			return nil
		}
		if !f.addErr(err, sitePackageFields...) {
			return err
		}
	}
	return p.renderSiteService(w, r, http.StatusUnprocessableEntity, g, f, nil)
}

// siteLimitSave mirrors PUT /api/v1/sites/{id}/employee-limit.
func (p *Pages) siteLimitSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	g, err := p.siteEditable(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	limit, err := strconv.Atoi(strings.TrimSpace(f.V("employee_limit")))
	if err != nil {
		f.add("employee_limit", "Enter the employee limit as a whole number: 0 for no limit.")
	} else if _, err = p.app.Lifecycle.SetSiteLimit(r.Context(), g.CompanyID, g.ID, limit); err == nil {
		redirectFlash(w, r, "/sites/"+itoa64(g.ID)+"/service", "site-limit-saved")
		return nil
	} else if !f.addErr(err, siteLimitFields...) {
		return err
	}
	return p.renderSiteService(w, r, http.StatusUnprocessableEntity, g, nil, f)
}

type siteDevicesPage struct {
	Site    directory.Group
	Devices []devices.Device
	Types   []devices.Type
	Form    *form
}

func (p *Pages) siteDevices(w http.ResponseWriter, r *http.Request) error {
	g, err := p.site(r, access.ManageDevices)
	if err != nil {
		return err
	}
	return p.renderSiteDevices(w, r, http.StatusOK, g, newForm(nil))
}

func (p *Pages) renderSiteDevices(w http.ResponseWriter, r *http.Request, code int, g directory.Group, f *form) error {
	ds, err := p.app.Devices.SiteDevices(r.Context(), g.CompanyID, g.ID, false)
	if err != nil {
		return err
	}
	if err := p.app.Registrations.Annotate(r.Context(), ds); err != nil {
		return err
	}
	c, err := p.app.Tenancy.Company(r.Context(), g.CompanyID)
	if err != nil {
		return err
	}
	ts, err := p.app.Devices.Types(r.Context(), c.ProviderID)
	if err != nil {
		return err
	}
	v, err := p.newView(r, g.CompanyID, "sites", g.Name+": Devices")
	if err != nil {
		return err
	}
	siteSide(v, g, "devices")
	v.Data = siteDevicesPage{Site: g, Devices: ds, Types: ts, Form: f}
	p.render(w, r, code, "site_devices", v)
	return nil
}

func (p *Pages) siteDeviceAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	g, err := p.site(r, access.ManageDevices)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	typeID, err := strconv.ParseInt(f.V("type_id"), 10, 64)
	if err != nil {
		f.add("type_id", "Choose the device type.")
		return p.renderSiteDevices(w, r, http.StatusUnprocessableEntity, g, f)
	}
	c, err := p.app.Tenancy.Company(r.Context(), g.CompanyID)
	if err != nil {
		return err
	}
	if _, err := p.app.Devices.Create(r.Context(), c.ProviderID, g.CompanyID,
		devices.DeviceCreateRequest{SiteID: g.ID, TypeID: typeID, MAC: f.V("mac"), Label: f.V("label")}); err != nil {
		if f.addErr(err, "type_id", "mac", "label") {
			return p.renderSiteDevices(w, r, http.StatusUnprocessableEntity, g, f)
		}
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(g.ID)+"/devices", "device-added")
	return nil
}

func (p *Pages) deviceDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.app.Access.Check(r.Context(), actorOf(r), access.ManageDevices, access.Device(id)); err != nil {
		return err
	}
	companyID, err := p.app.Devices.CompanyOf(r.Context(), id)
	if err != nil {
		return err
	}
	d, err := p.app.Devices.Device(r.Context(), companyID, id)
	if err != nil {
		return err
	}
	if err := p.app.Devices.Delete(r.Context(), companyID, id); err != nil {
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(d.SiteID)+"/devices", "device-deleted")
	return nil
}
