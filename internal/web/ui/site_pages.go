package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/dashboard"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

func init() { pageNames = append(pageNames, "site_dashboard") }

func (p *Pages) registerSites(auth func(string, handlerFunc)) {
	auth("GET /sites/{id}", p.siteDashboard)
	auth("GET /sites/{id}/profile", p.siteProfile)
	auth("POST /sites/{id}/profile", p.siteProfileSave)
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
	p.registerReboots(auth)
	p.registerDeviceManagement(auth)
	p.registerVDM(auth)
}

// siteFrame loads site id for the page frame (its name, its company). It
// decides nothing: callers call it only after a domain method has decided
// that the actor may see the site.
func (p *Pages) siteFrame(r *http.Request, id int64) (directory.Group, error) {
	g, err := p.app.Directory.Group(r.Context(), id)
	if err == nil && !g.IsSite {
		err = derrors.ErrNotFound
	}
	return g, err
}

// siteView is the frame of one of site g's pages: the Sites tab, the
// page's title and the site's side bar with section current.
func (p *Pages) siteView(r *http.Request, g directory.Group, current, title string) (*view, error) {
	v, err := p.newView(r, g.CompanyID, "sites", title)
	if err != nil {
		return nil, err
	}
	siteSide(v, g, current)
	return v, nil
}

// siteSide is the side bar of a site's area (docs/ui.md, "A site's
// pages"). Every section is one anybody who sees the site may open, so
// the bar is the same for every role.
func siteSide(v *view, g directory.Group, current string) {
	base := "/sites/" + itoa64(g.ID)
	v.SideLabel = "Site"
	v.Side = []sideSection{
		{Title: "Sites", Links: []navLink{{Label: "Site Selection", URL: v.Link("/sites")}}},
		{Title: g.Name, Links: []navLink{
			{Label: "Dashboard", URL: base, Current: current == "dashboard"},
			{Label: "Profile", URL: base + "/profile", Current: current == "profile"},
			{Label: "Numbers", URL: base + "/numbers", Current: current == "numbers"},
			{Label: "Extension Policy", URL: base + "/extension-policy", Current: current == "extension"},
			{Label: "Package & Limit", URL: base + "/service", Current: current == "service"},
			{Label: "Device Types", URL: base + "/device-types", Current: current == "device-types"},
			{Label: "Devices", URL: base + "/devices", Current: current == "devices"},
			{Label: "Features", URL: base + "/features", Current: current == "features"},
			{Label: "Call Logs", URL: "/call-logs?object=site&id=" + itoa64(g.ID)},
		}}}
}

// inSiteArea reports whether a group page is shown in a site's area
// (/sites/{id}/…) rather than under Employee Groups: the same profile,
// framed by the site's side bar.
func inSiteArea(r *http.Request, g directory.Group) bool {
	return g.IsSite && strings.HasPrefix(r.URL.Path, "/sites/")
}

// groupProfileURL is where a group's profile is shown and saved: in the
// site's area when it was opened there, under Employee Groups otherwise.
func groupProfileURL(r *http.Request, g directory.Group) string {
	if inSiteArea(r, g) {
		return "/sites/" + itoa64(g.ID) + "/profile"
	}
	return "/groups/" + itoa64(g.ID)
}

// siteProfile is the site's Profile: the group profile (directory decides
// who sees it), in the site's area; a group that is no site is not found.
func (p *Pages) siteProfile(w http.ResponseWriter, r *http.Request) error {
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	if !g.IsSite {
		return derrors.ErrNotFound
	}
	return p.renderGroupProfile(w, r, http.StatusOK, g, groupProfileForm(g))
}

// siteProfileSave saves the site's profile as Employee Groups does
// (directory.ModifyGroup decides) and comes back to the site's area.
func (p *Pages) siteProfileSave(w http.ResponseWriter, r *http.Request) error {
	g, err := p.group(r, access.ViewGroup)
	if err != nil {
		return err
	}
	if !g.IsSite {
		return derrors.ErrNotFound
	}
	return p.groupUpdate(w, r)
}

// siteActivityRows is how many entries the site dashboard's Recent
// Activity shows; "View all" opens the audit log filtered to the site.
const siteActivityRows = 10

// siteDashboardPage is a site's Dashboard (docs/ui.md, "Dashboards"):
// the dashboard read, its devices and number pool and, for those who read
// the company's audit log, its recent activity.
type siteDashboardPage struct {
	Site directory.Group
	Dash dashboard.Site
	// LimitLeft is the places left under the limit (0 limit: no limit).
	LimitLeft int
	// CallGroups are the call group tiles with their links.
	CallGroups []callGroupTile
	Calls      dashCalls
	Devices    int
	// FreeDevices are the devices nobody uses yet.
	FreeDevices int
	NumbersFree int
	NumbersUsed int
	// ShowActivity: the actor reads the company's audit log (group
	// administrators do not, docs/security.md).
	ShowActivity bool
	Activity     []activityRow
	ActivityAll  string
	ActivityN    int
}

// callGroupTile is one of the Auto Attendants, Call Centres and Hunt
// Groups tiles: how many, their names, and "Create new" where the
// dashboard read says the actor may configure the feature.
type callGroupTile struct {
	features.CallGroupList
	ID        string
	ConfigURL string
	// More counts the names not listed.
	More  int
	Shown []string
}

// callGroupNamesShown bounds the names a call group tile lists.
const callGroupNamesShown = 3

// siteDashboard is a site's Dashboard. The dashboard read decides who may
// see it (404 for a site the actor does not see) and answers its figures;
// the devices (devices), the number pool (numbering) and the audit log
// (audit) come from the reads that own them.
func (p *Pages) siteDashboard(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tz := strings.TrimSpace(r.URL.Query().Get("tz"))
	dash, err := p.app.Dashboards.Site(ctx, a, id, tz)
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, id)
	if err != nil {
		return err
	}
	d := siteDashboardPage{Site: g, Dash: dash, Calls: dashboardCalls(dash.Calls, "site", id, tz)}
	if dash.PlacesLeft != nil {
		d.LimitLeft = *dash.PlacesLeft
	}
	if dash.Features != nil {
		for _, cg := range dash.Features.CallGroups {
			t := callGroupTile{CallGroupList: cg, ID: strings.ReplaceAll(cg.Code, "_", "-"),
				ConfigURL: "/sites/" + itoa64(id) + "/features/" + cg.Code}
			t.Shown = cg.Names[:min(len(cg.Names), callGroupNamesShown)]
			t.More = len(cg.Names) - len(t.Shown)
			d.CallGroups = append(d.CallGroups, t)
		}
	}
	ds, err := p.app.Devices.SiteDeviceList(ctx, a, id, false)
	if err != nil {
		return err
	}
	d.Devices = len(ds)
	for _, dev := range ds {
		if dev.AccountID == nil {
			d.FreeDevices++
		}
	}
	one := store.Page{PerPage: 1}
	if _, d.NumbersFree, err = p.app.Numbering.SitePool(ctx, a, id, numbering.PoolFilter{Status: numbering.StatusFree}, one); err != nil {
		return err
	}
	if _, d.NumbersUsed, err = p.app.Numbering.SitePool(ctx, a, id, numbering.PoolFilter{Status: numbering.StatusAssigned}, one); err != nil {
		return err
	}
	// Display only: whether to ask audit at all; ListFor decides.
	if p.app.Access.Can(ctx, a, access.ViewCompanyDashboard, access.Company(g.CompanyID)) {
		es, total, err := p.app.Audit.ListFor(ctx, a, audit.Filter{CompanyID: g.CompanyID, SiteID: g.ID}, store.Page{PerPage: siteActivityRows})
		if err != nil {
			return err
		}
		if d.Activity, err = p.activityRows(ctx, es); err != nil {
			return err
		}
		d.ShowActivity, d.ActivityN = true, total
		d.ActivityAll = "/companies/" + itoa64(g.CompanyID) + "/audit?site_id=" + itoa64(g.ID)
	}
	v, err := p.siteView(r, g, "dashboard", g.Name+": Dashboard")
	if err != nil {
		return err
	}
	v.Data = d
	p.render(w, r, http.StatusOK, "site_dashboard", v)
	return nil
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
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderSiteNumbers(w, r, http.StatusOK, id, newForm(nil))
}

func (p *Pages) renderSiteNumbers(w http.ResponseWriter, r *http.Request, code int, siteID int64, f *form) error {
	ctx, a := r.Context(), actorOf(r)
	q := r.URL.Query()
	status := q.Get("status")
	pg, _ := strconv.Atoi(q.Get("page"))
	page := store.Page{Page: max(pg, 1), PerPage: numbersPerPage}.Normalize()
	ns, total, err := p.app.Numbering.SitePool(ctx, a, siteID, numbering.PoolFilter{Status: numbering.Status(status)}, page)
	if err != nil {
		return err
	}
	rs, err := p.app.Numbering.SiteRanges(ctx, a, siteID)
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, siteID)
	if err != nil {
		return err
	}
	v, err := p.siteView(r, g, "numbers", g.Name+": Numbers")
	if err != nil {
		return err
	}
	d := siteNumbersPage{Site: g, Status: status, Numbers: ns, Total: total, Page: page.Page, Pages: max(1, (total+page.PerPage-1)/page.PerPage),
		Ranges: rs, Form: f, CanManage: p.app.Access.Can(ctx, a, access.ManageNumbering, access.Group(g.ID))}
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
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	if _, err := p.app.Numbering.AddSiteRange(r.Context(), actorOf(r), id, numbering.RangeRequest{Start: f.V("start"), End: f.V("end")}); err != nil {
		if f.addErr(err, "start", "end") {
			return p.renderSiteNumbers(w, r, http.StatusUnprocessableEntity, id, f)
		}
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(id)+"/numbers", "range-added")
	return nil
}

func (p *Pages) siteRangeRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rid, err := pathID(r, "rid")
	if err != nil {
		return err
	}
	if err := p.app.Numbering.DeleteSiteRange(r.Context(), actorOf(r), id, rid); err != nil {
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(id)+"/numbers", "range-removed")
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
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	pol, err := p.app.Numbering.SiteExtensionPolicy(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	f := newForm(url.Values{"length": {strconv.Itoa(pol.Length)}, "mode": {string(pol.Mode)}, "range_from": {pol.RangeFrom}, "range_to": {pol.RangeTo}})
	return p.renderSiteExtension(w, r, http.StatusOK, id, pol, f)
}

// renderSiteExtension draws the page once numbering has handed the actor
// the site's policy.
func (p *Pages) renderSiteExtension(w http.ResponseWriter, r *http.Request, code int, siteID int64, pol numbering.ExtensionPolicy, f *form) error {
	refused, err := p.app.Numbering.RefusedCodes(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, siteID)
	if err != nil {
		return err
	}
	v, err := p.siteView(r, g, "extension", g.Name+": Extension Policy")
	if err != nil {
		return err
	}
	v.Data = siteExtensionPage{Site: g, Policy: pol, Form: f, Refused: refused,
		CanEdit: p.app.Access.Can(r.Context(), actorOf(r), access.ManageNumbering, access.Group(g.ID))}
	p.render(w, r, code, "site_extension", v)
	return nil
}

func (p *Pages) siteExtensionSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	// A length that is no number is none (0), which numbering refuses as
	// any other bad length, after deciding whether the actor may change
	// the policy at all; the form then says what was wrong.
	length, lengthErr := strconv.Atoi(strings.TrimSpace(f.V("length")))
	if lengthErr != nil {
		length = 0
	}
	pol := numbering.ExtensionPolicy{Length: length, Mode: numbering.ExtensionMode(f.V("mode")), RangeFrom: f.V("range_from"), RangeTo: f.V("range_to")}
	if _, err = p.app.Numbering.ChangeExtensionPolicy(r.Context(), actorOf(r), id, pol); err == nil {
		redirectFlash(w, r, "/sites/"+itoa64(id)+"/extension-policy", "policy-saved")
		return nil
	}
	if !f.addErr(err, "length", "mode", "range_from", "range_to") {
		return err
	}
	if lengthErr != nil && len(f.Errs["length"]) > 0 {
		f.Errs["length"] = []string{"Enter the extension length as a whole number."}
	}
	cur, err := p.app.Numbering.SiteExtensionPolicy(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	return p.renderSiteExtension(w, r, http.StatusUnprocessableEntity, id, cur, f)
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
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderSiteService(w, r, http.StatusOK, id, nil, nil)
}

// renderSiteService draws the page; a nil form is filled from what the site
// has now.
func (p *Pages) renderSiteService(w http.ResponseWriter, r *http.Request, code int, siteID int64, offering, limit *form) error {
	ctx, a := r.Context(), actorOf(r)
	o, err := p.app.Catalog.SiteOfferingFor(ctx, a, siteID)
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, siteID)
	if err != nil {
		return err
	}
	l, err := p.app.Lifecycle.SiteLimitFor(ctx, a, siteID)
	if err != nil {
		return err
	}
	d := siteServicePage{Site: g, Offering: o, Limit: l, OfferingForm: offering, LimitForm: limit,
		CanEdit: p.app.Access.Can(ctx, a, access.ManageCompany, access.Company(g.CompanyID))}
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
		all, err := p.app.Catalog.Catalog(ctx, a.ProviderID)
		if err != nil {
			return err
		}
		d.Packages = pkgOptions(all.SitePackages, d.OfferingForm, "package_id")
		d.AddOns = pkgOptions(all.SiteAddOns, d.OfferingForm, "add_on_ids")
	}
	v, err := p.siteView(r, g, "service", g.Name+": Package & Limit")
	if err != nil {
		return err
	}
	v.Data = d
	p.render(w, r, code, "site_service", v)
	return nil
}

// siteOfferingSave mirrors PUT /api/v1/sites/{id}/offering.
func (p *Pages) siteOfferingSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	// The choices come from the page's lists: no package (or one that is
	// no id) is none, which catalog.AssignSiteOffering asks for, after
	// deciding whether the actor may change the site at all; an add-on
	// that is no id cannot come from the check boxes and is left out.
	f := newForm(r.PostForm)
	pkgText := strings.TrimSpace(f.V("package_id"))
	pkg, pkgErr := strconv.ParseInt(pkgText, 10, 64)
	if pkgErr != nil {
		pkg = 0
	}
	var addOns []int64
	for _, s := range f.Values["add_on_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			addOns = append(addOns, id)
		}
	}
	if _, err = p.app.Catalog.AssignSiteOffering(r.Context(), actorOf(r), id, pkg, addOns); err == nil {
		redirectFlash(w, r, "/sites/"+itoa64(id)+"/service", "site-offering-saved")
		return nil
	}
	if !f.addErr(err, sitePackageFields...) {
		return err
	}
	if pkgText != "" && pkgErr != nil && len(f.Errs["package_id"]) > 0 {
		f.Errs["package_id"] = []string{"Choose one of the site feature packages listed."}
	}
	return p.renderSiteService(w, r, http.StatusUnprocessableEntity, id, f, nil)
}

// siteLimitSave mirrors PUT /api/v1/sites/{id}/employee-limit:
// lifecycle.ChangeSiteLimit decides who may, before it reads the number.
func (p *Pages) siteLimitSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	var limit *int
	if n, err := strconv.Atoi(strings.TrimSpace(f.V("employee_limit"))); err == nil {
		limit = &n
	}
	if _, err = p.app.Lifecycle.ChangeSiteLimit(r.Context(), actorOf(r), id, limit); err == nil {
		redirectFlash(w, r, "/sites/"+itoa64(id)+"/service", "site-limit-saved")
		return nil
	}
	if !f.addErr(err, siteLimitFields...) {
		return err
	}
	if limit == nil {
		f.Errs["employee_limit"] = []string{"Enter the employee limit as a whole number: 0 for no limit."}
	}
	return p.renderSiteService(w, r, http.StatusUnprocessableEntity, id, nil, f)
}

type siteDevicesPage struct {
	Site    directory.Group
	Tabs    deviceTabs
	Devices []devices.DeviceRow
	Types   []devices.Type
	Form    *form
	Search  *form
	// Searched: a search was made (the empty list says "no match").
	Searched bool
	Reboot   rebootPanel
}

func (p *Pages) siteDevices(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderSiteDevices(w, r, http.StatusOK, id, newForm(nil))
}

func (p *Pages) renderSiteDevices(w http.ResponseWriter, r *http.Request, code int, siteID int64, f *form) error {
	// The Devices tab's search: by device name, device type or available
	// ports (docs/devices.md, "Devices").
	q := r.URL.Query()
	search := newForm(url.Values{"name": {q.Get("name")}, "type_id": {q.Get("type_id")}, "available_ports": {q.Get("available_ports")}})
	filter := devices.DeviceFilter{Name: q.Get("name")}
	if v := q.Get("type_id"); v != "" {
		filter.TypeID, _ = strconv.ParseInt(v, 10, 64)
	}
	if v := strings.TrimSpace(q.Get("available_ports")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			search.add("available_ports", "Enter the number of free ports as a whole number, e.g. 1.")
		}
		filter.MinAvailablePorts = max(n, 0)
	}
	rows, err := p.app.Devices.SearchSiteDevices(r.Context(), actorOf(r), siteID, filter)
	if err != nil {
		return err
	}
	ds := make([]devices.Device, len(rows))
	for i := range rows {
		ds[i] = rows[i].Device
	}
	if err := p.app.Registrations.Annotate(r.Context(), ds); err != nil {
		return err
	}
	for i := range rows {
		rows[i].Device = ds[i]
	}
	g, err := p.siteFrame(r, siteID)
	if err != nil {
		return err
	}
	ts, err := p.app.Devices.DeviceTypes(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	v, err := p.siteView(r, g, "devices", g.Name+": Devices")
	if err != nil {
		return err
	}
	panel, err := p.rebootPanel(r, siteID, ds)
	if err != nil {
		return err
	}
	v.Data = siteDevicesPage{Site: g, Tabs: deviceTabs{siteID, "devices"}, Devices: rows, Types: ts, Form: f, Search: search,
		Searched: q.Get("name") != "" || q.Get("type_id") != "" || q.Get("available_ports") != "", Reboot: panel}
	p.render(w, r, code, "site_devices", v)
	return nil
}

func (p *Pages) siteDeviceAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	// A type that is no number is no type: devices answers it as an unknown
	// type, after deciding whether the actor may add devices here at all.
	typeID, err := strconv.ParseInt(f.V("type_id"), 10, 64)
	if err != nil {
		typeID = 0
	}
	if _, err := p.app.Devices.AddDevice(r.Context(), actorOf(r), id,
		devices.DeviceCreateRequest{TypeID: typeID, Name: f.V("name"), MAC: f.V("mac"), Label: f.V("label")}); err != nil {
		if f.addErr(err, "type_id", "name", "mac", "label") {
			if typeID == 0 && len(f.Errs["type_id"]) > 0 {
				f.Errs["type_id"] = []string{"Choose the device type."}
			}
			return p.renderSiteDevices(w, r, http.StatusUnprocessableEntity, id, f)
		}
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(id)+"/devices", "device-added")
	return nil
}

func (p *Pages) deviceDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := p.app.Devices.ViewDevice(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if err := p.app.Devices.DeleteDevice(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(d.SiteID)+"/devices", "device-deleted")
	return nil
}
