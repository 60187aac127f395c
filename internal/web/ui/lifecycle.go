package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

func init() {
	pageNames = append(pageNames, "lifecycle_activate", "lifecycle_service", "lifecycle_confirm", "lifecycle_jobs", "lifecycle_job")
}

// registerLifecycle adds the employee lifecycle pages: Activate
// (one employee, or many selected on Employee Selection), the employee's
// Service Settings, Primary Number, Feature Package and Add-Ons sections,
// Resubscribe and Cease (Deactivate), and the Status pages of jobs.
//
//	GET/POST /employees/activate?employee_id=…   Activate selected employees
//	GET/POST /employees/{id}/activate            Activate one employee
//	GET/POST /employees/{id}/service             Service Settings
//	GET/POST /employees/{id}/primary-number      Primary Number
//	GET/POST /employees/{id}/feature-package     Feature Package and term
//	GET/POST /employees/{id}/add-ons             Optional Add-On Feature Packages
//	GET/POST /employees/{id}/resubscribe         confirm step, then the job
//	GET/POST /employees/{id}/cease               confirm step, then the result
//	GET      /jobs, /jobs/{id}                   Status: jobs and per-item results
//
// The handlers only translate: each change is one lifecycle method taking
// the actor (the same the API calls), which asks access and the company
// flags itself; what a page merely shows comes from lifecycle.Propose and
// lifecycle.PermissionsFor (docs/lifecycle.md).
func (p *Pages) registerLifecycle(auth func(pattern string, fn handlerFunc)) {
	auth("GET /employees/activate", p.activateManyPage)
	auth("POST /employees/activate", p.activateManySubmit)
	auth("GET /employees/{id}/activate", p.activateOnePage)
	auth("POST /employees/{id}/activate", p.activateOneSubmit)
	for _, s := range serviceSections {
		auth("GET /employees/{id}/"+s.path, p.servicePage(s))
		auth("POST /employees/{id}/"+s.path, p.serviceSave(s))
	}
	auth("GET /employees/{id}/resubscribe", p.resubscribeConfirm)
	auth("POST /employees/{id}/resubscribe", p.resubscribe)
	auth("GET /employees/{id}/cease", p.ceaseConfirm)
	auth("POST /employees/{id}/cease", p.cease)
	auth("GET /jobs", p.jobsPage)
	auth("GET /jobs/{id}", p.jobPage)
}

// option is one choice of a select, radio group or check list.
type option struct {
	Value    string
	Label    string
	Hint     string
	Selected bool
	// Soft marks a soft-client device type (its MAC is the CLI + "A").
	Soft bool
}

// activateRow is one employee of the Activate form; P is the prefix of
// their fields ("e0").
type activateRow struct {
	P        string
	Employee directory.Employee
	// Numbers are the free numbers offered, the row's choice selected.
	Numbers []option
	Device  deviceFields
	// General holds the messages about the employee as a whole.
	General []string
}

// deviceFields is the device fieldset ("lc-device" in layout.html) of
// Activate, one per employee, and of Service Settings: an existing free
// device of the site, or a new one by type and MAC, as lifecycle.DeviceChoice
// models it. Mode, DeviceID, TypeID and MAC are the form's field names.
type deviceFields struct {
	Form                        *form
	Legend                      string
	Required                    bool
	Mode, DeviceID, TypeID, MAC string
	// Devices are the devices offered (the choice selected), Types the
	// device types; a soft-client type is marked so the page fills its MAC.
	Devices, Types []option
	NewMode        bool
	// AllowNone offers "No device" (Service Settings only), NoneMode says
	// it is chosen.
	AllowNone, NoneMode bool
	// SoftMAC is the MAC a soft client gets with the employee's number.
	SoftMAC    string
	DeviceHint string
}

// newDeviceFields builds the fieldset for the fields named prefix+"mode"
// (or modeName), prefix+"device_id", prefix+"type_id" and prefix+"mac",
// selecting the form's choices; number is the employee's number.
func newDeviceFields(f *form, modeName, prefix, number string, devs, types []option) deviceFields {
	d := deviceFields{Form: f, Mode: modeName, DeviceID: prefix + "device_id", TypeID: prefix + "type_id", MAC: prefix + "mac",
		SoftMAC: softMAC(number), NewMode: f.V(modeName) != lifecycle.DeviceExisting}
	for _, x := range devs {
		x.Selected = x.Value == f.V(d.DeviceID)
		d.Devices = append(d.Devices, x)
	}
	for _, t := range types {
		t.Selected = t.Value == f.V(d.TypeID)
		d.Types = append(d.Types, t)
	}
	return d
}

// ID is the fieldset's HTML id: the mode field's, where its errors link.
func (d deviceFields) ID() string { return fieldID(d.Mode) }

// NoneID is the id of the note that replaces the device list when there
// is no device to choose (errors on the device link to it).
func (d deviceFields) NoneID() string { return fieldID(d.DeviceID) }

// HasErr reports whether any of the device's fields has an error.
func (d deviceFields) HasErr() bool {
	return len(d.Form.E(d.Mode)) > 0 || len(d.Form.E(d.DeviceID)) > 0 || len(d.Form.E(d.TypeID)) > 0 || len(d.Form.E(d.MAC)) > 0
}

// deviceOptions lists devices as the device select offers them.
func deviceOptions(ds []devices.Device) []option {
	var out []option
	for _, x := range ds {
		label := x.MAC + " · " + x.TypeName
		if x.Label != "" {
			label += " · " + x.Label
		}
		out = append(out, option{Value: itoa64(x.ID), Label: label})
	}
	return out
}

// typeOptions lists the provider's device types, soft clients marked.
func (p *Pages) typeOptions(ctx context.Context, providerID int64) ([]option, error) {
	ts, err := p.app.Devices.Types(ctx, providerID)
	if err != nil {
		return nil, err
	}
	var out []option
	for _, t := range ts {
		out = append(out, option{Value: itoa64(t.ID), Label: t.Name(), Soft: t.SoftClient})
	}
	return out, nil
}

type activatePage struct {
	Form      *form
	Multi     bool
	Action    string
	CompanyID int64
	// Refused is why the company may not activate (the flag is off).
	Refused string
	// NoSite explains that the actor may activate at no site.
	NoSite    string
	Sites     []option
	SiteID    int64
	SiteName  string
	Limit     lifecycle.SiteLimit
	UserTypes []option
	Languages []option
	Terms     []option
	Packages  []pkgOption
	AddOns    []pkgOption
	Rows      []activateRow
	// free, devs and types are the site's free numbers and devices and the
	// device types, offered in every row.
	free, devs, types []option
	// IDs are the selected employees, carried by the site chooser.
	IDs []int64
	// Reserved are the provider's refused extension codes, shown with their
	// reasons next to the extension field as the portal prints them at this
	// step; ExtensionHint names them in each extension field's hint.
	Reserved      []numbering.RefusedExtension
	ExtensionHint string
}

// extensionHint is the hint of Activate's extension fields, naming the
// refused codes (the note beside the field gives their reasons).
func extensionHint(refused []numbering.RefusedExtension) string {
	h := "Pre-filled from the site's extension policy. Leave blank to take the policy's; if you choose another number, change or clear it."
	if len(refused) == 0 {
		return h
	}
	labels := make([]string, len(refused))
	for i, x := range refused {
		labels[i] = x.Label()
	}
	if len(labels) == 1 {
		return h + " " + labels[0] + " cannot be used."
	}
	return h + " " + strings.Join(labels[:len(labels)-1], ", ") + " and " + labels[len(labels)-1] + " cannot be used."
}

// pkgOption is a feature package or add-on with its features.
type pkgOption struct {
	ID       int64
	Name     string
	Desc     string
	Features string
	Selected bool
}

func pkgOptions(ps []catalog.Package, f *form, name string) []pkgOption {
	out := make([]pkgOption, 0, len(ps))
	for _, x := range ps {
		var feats []string
		for _, ft := range x.Features {
			feats = append(feats, ft.Name)
		}
		list := strings.Join(feats, ", ")
		if list == x.Name {
			list = "" // an add-on of one feature of the same name
		}
		out = append(out, pkgOption{ID: x.ID, Name: x.Name, Desc: x.Description, Features: list,
			Selected: f.Has(name, itoa64(x.ID))})
	}
	return out
}

// companyParam reads the company_id an operator's page names (0: none;
// the domain then takes the actor's own company).
func companyParam(r *http.Request) (int64, error) {
	s := r.FormValue("company_id")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return 0, derrors.ErrNotFound
	}
	return n, nil
}

// selectedEmployees reads the employee ids of a multi-select activation;
// unreadable ones become general messages.
func selectedEmployees(raw []string) ([]lifecycle.ActivateEmployee, []string) {
	var out []lifecycle.ActivateEmployee
	var msgs []string
	seen := map[int64]bool{}
	for _, s := range raw {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			msgs = append(msgs, fmt.Sprintf("Employee %q does not exist.", s))
			continue
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, lifecycle.ActivateEmployee{EmployeeID: id})
		}
	}
	return out, msgs
}

func (p *Pages) activateManyPage(w http.ResponseWriter, r *http.Request) error {
	companyID, err := companyParam(r)
	if err != nil {
		return err
	}
	if companyID == 0 && actorOf(r).CompanyID == 0 {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	es, msgs := selectedEmployees(r.URL.Query()["employee_id"])
	siteID, _ := strconv.ParseInt(r.URL.Query().Get("site_id"), 10, 64)
	f := newForm(nil)
	f.General = msgs
	if len(es) == 0 {
		f.General = append(f.General, "Select at least one employee to activate: tick the box next to each on Employee Selection.")
	}
	req := lifecycle.ActivateRequest{SiteID: siteID, Employees: es}
	return p.renderActivate(w, r, http.StatusOK, companyID, req, nil, f, true)
}

func (p *Pages) activateOnePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	siteID, _ := strconv.ParseInt(r.URL.Query().Get("site_id"), 10, 64)
	req := lifecycle.ActivateRequest{SiteID: siteID, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: id}}}
	return p.renderActivate(w, r, http.StatusOK, 0, req, nil, newForm(nil), true)
}

// renderActivate draws the Activate form for req. The domain proposes
// what the form offers (lifecycle.Propose: the sites the actor may
// activate at, and with defaults the blank values filled in as Prepare
// would resolve them); the page only lists the options. rows[k] is the
// form row ("e3") of req's employee k; nil numbers the employees the actor
// may activate from e0 on.
func (p *Pages) renderActivate(w http.ResponseWriter, r *http.Request, status int, companyID int64, req lifecycle.ActivateRequest,
	rows []int, f *form, defaults bool) error {
	ctx := r.Context()
	if !defaults {
		// Keep what was typed: the proposal then only answers the site
		// list, the limit and the flag.
		req.SiteID, _ = strconv.ParseInt(f.V("site_id"), 10, 64)
		req.UserType, req.Language, req.TermID, req.PackageID = "", "", 0, 0
		for i := range req.Employees {
			req.Employees[i] = lifecycle.ActivateEmployee{EmployeeID: req.Employees[i].EmployeeID}
		}
	}
	prop, err := p.app.Lifecycle.Propose(ctx, actorOf(r), companyID, req)
	if err != nil {
		return err
	}
	if rows == nil {
		rows = make([]int, len(req.Employees))
		j := 0
		for i := range rows {
			rows[i] = -1
			if prop.Employees[i].ID != 0 {
				rows[i], j = j, j+1
			}
		}
	}
	if defaults {
		fillActivateForm(f, prop, rows)
	}
	v, d, err := p.activateFrame(r, prop, f, req.Single)
	if err != nil {
		return err
	}
	if err := p.activateOptions(r, prop, f, &d); err != nil {
		return err
	}
	p.activateRows(prop, rows, f, &d)
	v.Data = d
	p.render(w, r, status, "lifecycle_activate", v)
	return nil
}

// fillActivateForm puts the proposal's values in the form's blank fields.
func fillActivateForm(f *form, prop lifecycle.Proposal, rows []int) {
	set := func(name, value string) {
		if f.V(name) == "" && value != "" {
			f.Values.Set(name, value)
		}
	}
	req := prop.Request
	if req.SiteID != 0 {
		f.Values.Set("site_id", itoa64(req.SiteID))
	}
	set("user_type", string(req.UserType))
	set("language", req.Language)
	if req.TermID != 0 {
		set("term_id", itoa64(req.TermID))
	}
	if req.PackageID != 0 {
		set("package_id", itoa64(req.PackageID))
	}
	for i, e := range req.Employees {
		if rows[i] < 0 {
			continue
		}
		pfx := "e" + strconv.Itoa(rows[i]) + "."
		set(pfx+"cli_first_name", e.CLIFirstName)
		set(pfx+"cli_last_name", e.CLILastName)
		set(pfx+"number", e.Number)
		set(pfx+"extension", e.Extension)
		set(pfx+"device_mode", e.Device.Mode)
		if e.Device.DeviceID != 0 {
			set(pfx+"device_id", itoa64(e.Device.DeviceID))
		}
	}
}

// activateFrame builds the page frame and the parts of the page that do
// not depend on the site.
func (p *Pages) activateFrame(r *http.Request, prop lifecycle.Proposal, f *form, single bool) (*view, activatePage, error) {
	d := activatePage{Form: f, Multi: !single, CompanyID: prop.CompanyID, Refused: prop.Blocked, Limit: prop.Limit}
	title := "Activate"
	var first *directory.Employee
	for i := range prop.Employees {
		if prop.Employees[i].ID != 0 {
			first = &prop.Employees[i]
			break
		}
	}
	if single && first != nil {
		title = "Activate · " + first.DisplayName()
	}
	v, err := p.newView(r, prop.CompanyID, "employees", title)
	if err != nil {
		return nil, d, err
	}
	if d.Reserved, err = p.app.Numbering.RefusedCodes(r.Context(), actorOf(r)); err != nil {
		return nil, d, err
	}
	d.ExtensionHint = extensionHint(d.Reserved)
	if single && first != nil {
		employeesSide(v, first, "activate")
		d.Action = "/employees/" + itoa64(first.ID) + "/activate"
	} else {
		employeesSide(v, nil, "selection")
		d.Action = "/employees/activate"
	}
	for i, e := range prop.Employees {
		if msg, refused := prop.Refused[i]; refused {
			f.General = append(f.General, msg)
			continue
		}
		d.IDs = append(d.IDs, e.ID)
	}
	if len(prop.Sites) == 0 {
		d.NoSite = "You cannot activate anyone here: a service is activated at a site, and you administer no site of this company. Ask a company administrator, or one who administers the employee's site."
	}
	siteID, _ := strconv.ParseInt(f.V("site_id"), 10, 64)
	for _, g := range prop.Sites {
		d.Sites = append(d.Sites, option{Value: itoa64(g.ID), Label: g.Name, Selected: g.ID == siteID})
		if g.ID == siteID {
			d.SiteID, d.SiteName = g.ID, g.Name
		}
	}
	for _, t := range lifecycle.UserTypes {
		d.UserTypes = append(d.UserTypes, option{Value: string(t), Label: t.Label(), Selected: f.V("user_type") == string(t)})
	}
	for _, l := range lifecycle.Languages {
		d.Languages = append(d.Languages, option{Value: l.Code, Label: l.Label, Selected: f.V("language") == l.Code})
	}
	return v, d, nil
}

// activateOptions lists the terms, and the site's packages, add-ons,
// device types, free numbers and free devices.
func (p *Pages) activateOptions(r *http.Request, prop lifecycle.Proposal, f *form, d *activatePage) error {
	ctx, a := r.Context(), actorOf(r)
	terms, err := p.app.Catalog.Terms(ctx, a.ProviderID)
	if err != nil {
		return err
	}
	for _, t := range terms {
		d.Terms = append(d.Terms, option{Value: itoa64(t.ID), Label: t.Name, Selected: f.V("term_id") == itoa64(t.ID)})
	}
	if d.SiteID == 0 {
		return nil
	}
	o, err := p.app.Catalog.ForSite(ctx, prop.CompanyID, d.SiteID)
	if err != nil {
		return err
	}
	d.Packages = pkgOptions(o.EmployeePackages, f, "package_id")
	d.AddOns = pkgOptions(o.EmployeeAddOns, f, "add_on_ids")
	if d.types, err = p.typeOptions(ctx, a.ProviderID); err != nil {
		return err
	}
	ns, err := p.app.Lifecycle.FreeNumbers(ctx, prop.CompanyID, d.SiteID)
	if err != nil {
		return err
	}
	for _, n := range ns {
		d.free = append(d.free, option{Value: n.E164, Label: n.National + " (" + n.E164 + ")"})
	}
	ds, err := p.app.Devices.SiteDevices(ctx, prop.CompanyID, d.SiteID, true)
	if err != nil {
		return err
	}
	d.devs = deviceOptions(ds)
	return nil
}

// activateRows builds one fieldset per employee the actor may activate.
func (p *Pages) activateRows(prop lifecycle.Proposal, rows []int, f *form, d *activatePage) {
	for i, e := range prop.Employees {
		if e.ID == 0 || rows[i] < 0 {
			continue
		}
		row := activateRow{P: "e" + strconv.Itoa(rows[i]), Employee: e}
		name := func(s string) string { return row.P + "." + s }
		f.Values.Set(name("employee_id"), itoa64(e.ID))
		cur := f.V(name("number"))
		listed := false
		for _, n := range d.free {
			n.Selected = n.Value == cur
			listed = listed || n.Selected
			row.Numbers = append(row.Numbers, n)
		}
		if cur != "" && !listed {
			row.Numbers = append([]option{{Value: cur, Label: cur, Selected: true}}, row.Numbers...)
		}
		row.Device = newDeviceFields(f, name("device_mode"), row.P+".", cur, d.devs, d.types)
		row.Device.Legend, row.Device.Required, row.Device.DeviceHint = "Device", true, "A free device of the site."
		row.General = f.E(name("employee_id"))
		d.Rows = append(d.Rows, row)
	}
}

// softMAC is a soft client's MAC for number: its digits followed by "A".
func softMAC(number string) string {
	var b strings.Builder
	for _, c := range number {
		if c >= '0' && c <= '9' {
			b.WriteRune(c)
		}
	}
	if b.Len() == 0 {
		return ""
	}
	return b.String() + "A"
}

func (p *Pages) activateManySubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	companyID, err := companyParam(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	var req lifecycle.ActivateRequest
	var rows []int
	// Rows are e0, e1, …; a row a re-drawn page left out (an employee the
	// actor may not activate) leaves a gap, so every index is looked at.
	for i := 0; i <= lifecycle.MaxActivations; i++ {
		s := f.V("e" + strconv.Itoa(i) + ".employee_id")
		if s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			f.General = append(f.General, fmt.Sprintf("Employee %q does not exist.", s))
			continue
		}
		req.Employees = append(req.Employees, lifecycle.ActivateEmployee{EmployeeID: id})
		rows = append(rows, i)
	}
	return p.activateSubmit(w, r, companyID, req, rows, f)
}

func (p *Pages) activateOneSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	f.Values.Set("e0.employee_id", itoa64(id))
	req := lifecycle.ActivateRequest{Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: id}}}
	return p.activateSubmit(w, r, 0, req, []int{0}, f)
}

// activateSubmit reads the form into req and calls lifecycle.Activate: a
// refusal or a broken rule draws the form again with each message next to
// its field. rows[k] is the form row of req's employee k.
func (p *Pages) activateSubmit(w http.ResponseWriter, r *http.Request, companyID int64, req lifecycle.ActivateRequest, rows []int, f *form) error {
	again := func(status int) error { return p.renderActivate(w, r, status, companyID, req, rows, f, false) }
	full := readActivateForm(f, req, rows)
	if f.Invalid() {
		return again(http.StatusUnprocessableEntity)
	}
	a, err := p.app.Lifecycle.Activate(r.Context(), actorOf(r), companyID, full)
	if err == nil {
		http.Redirect(w, r, "/jobs/"+itoa64(a.Job.ID)+"?submitted=1", http.StatusSeeOther)
		return nil
	}
	var forb *derrors.ForbiddenError
	if errors.As(err, &forb) && forb.Reason == lifecycle.ReasonActivation {
		return again(http.StatusForbidden)
	}
	if !addActivateErr(f, rows, err) {
		return err
	}
	return again(http.StatusUnprocessableEntity)
}

// readActivateForm reads the form's fields into a copy of req (whose
// employees are given, employee k in form row rows[k]); a value that is
// not an id is a field error on the form.
func readActivateForm(f *form, req lifecycle.ActivateRequest, rows []int) lifecycle.ActivateRequest {
	id := func(name string) int64 {
		s := strings.TrimSpace(f.V(name))
		if s == "" {
			return 0
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f.add(name, "Choose a value from the list.")
		}
		return n
	}
	out := req
	out.SiteID, out.UserType, out.Language = id("site_id"), lifecycle.UserType(f.V("user_type")), f.V("language")
	out.TermID, out.PackageID = id("term_id"), id("package_id")
	for _, s := range f.Values["add_on_ids"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f.add("add_on_ids", "Choose add-ons from the list.")
			continue
		}
		out.AddOnIDs = append(out.AddOnIDs, n)
	}
	out.Employees = make([]lifecycle.ActivateEmployee, len(req.Employees))
	for k, e := range req.Employees {
		pfx := "e" + strconv.Itoa(rows[k]) + "."
		ae := lifecycle.ActivateEmployee{EmployeeID: e.EmployeeID, CLIFirstName: f.V(pfx + "cli_first_name"), CLILastName: f.V(pfx + "cli_last_name"),
			Number: f.V(pfx + "number"), Extension: f.V(pfx + "extension"), Device: lifecycle.DeviceChoice{Mode: f.V(pfx + "device_mode")}}
		switch ae.Device.Mode {
		case lifecycle.DeviceExisting:
			ae.Device.DeviceID = id(pfx + "device_id")
		case lifecycle.DeviceNew:
			ae.Device.TypeID = id(pfx + "type_id")
			ae.Device.MAC = f.V(pfx + "mac")
		}
		out.Employees[k] = ae
	}
	return out
}

var apiEmployeeField = regexp.MustCompile(`^employees\[(\d+)\]\.(.+)$`)

// activateFieldName maps a field of lifecycle.Prepare's errors to the
// form's; rows[k] is the form row of the request's employee k.
func activateFieldName(field string, rows []int) string {
	m := apiEmployeeField.FindStringSubmatch(field)
	if m == nil {
		switch field {
		case "site_id", "user_type", "language", "term_id", "package_id", "add_on_ids":
			return field
		}
		return ""
	}
	rest := m[2]
	switch rest {
	case "device.device_id":
		rest = "device_id"
	case "device.type_id":
		rest = "type_id"
	case "device.mac":
		rest = "mac"
	case "device.mode":
		rest = "device_mode"
	}
	k, _ := strconv.Atoi(m[1])
	if k < 0 || k >= len(rows) {
		return ""
	}
	return "e" + strconv.Itoa(rows[k]) + "." + rest
}

// addActivateErr puts a validation or conflict error on the form, each
// message next to its field (per employee), and reports whether it could.
func addActivateErr(f *form, rows []int, err error) bool {
	var val *derrors.ValidationError
	var con *derrors.ConflictError
	add := func(field, msg string) {
		if single := len(rows) == 1 && !strings.HasPrefix(field, "employees["); single && isRowField(field) {
			field = "employees[0]." + field
		}
		if name := activateFieldName(field, rows); name != "" {
			f.add(name, sentence(msg))
		} else {
			f.General = append(f.General, sentence(msg))
		}
	}
	switch {
	case errors.As(err, &val):
		for _, fe := range val.Fields {
			add(fe.Field, fe.Message)
		}
		return true
	case errors.As(err, &con):
		add(con.Field, con.Message)
		return true
	}
	return false
}

// isRowField reports whether field (as a single activation names it) is
// one of an employee's row.
func isRowField(field string) bool {
	switch field {
	case "employee_id", "cli_first_name", "cli_last_name", "number", "extension", "device.device_id", "device.type_id", "device.mac", "device.mode":
		return true
	}
	return false
}

// selectView is one labelled select as the "lc-select" template draws it.
type selectView struct {
	Name, ID, Label, Hint string
	Errs                  []string
	Options               []option
	Required              bool
}

// DescribedBy lists the ids of the hint and error texts.
func (s selectView) DescribedBy() string {
	return fieldView{ID: s.ID, Hint: s.Hint, Errs: s.Errs}.DescribedBy()
}

// AnySelected reports whether an option is chosen (otherwise the select
// starts with a "Choose…" option).
func (s selectView) AnySelected() bool {
	for _, o := range s.Options {
		if o.Selected {
			return true
		}
	}
	return false
}

// Sel builds a required select of f's field name; options marked Selected
// keep their mark, others are selected when they hold the form's value.
func (f *form) Sel(name, label string, opts []option, hint string) selectView {
	s := selectView{Name: name, ID: fieldID(name), Label: label, Hint: hint, Errs: f.E(name), Required: true}
	for _, o := range opts {
		o.Selected = o.Selected || (o.Value != "" && f.Has(name, o.Value))
		s.Options = append(s.Options, o)
	}
	return s
}

// lifecycleSide adds the employee's service sections to their side-bar
// section: Activate while they have no service, Resubscribe and
// Deactivate while it is active. The pages themselves ask access.
func lifecycleSide(s *sideSection, e *directory.Employee, current string) {
	base := "/employees/" + itoa64(e.ID)
	if e.Status == directory.StatusInactive || e.Status == directory.StatusError {
		s.Links = append(s.Links, navLink{Label: "Activate", URL: base + "/activate", Current: current == "activate"})
	}
	for _, x := range serviceSections {
		s.Links = append(s.Links, navLink{Label: x.Title, URL: base + "/" + x.path, Current: current == x.Key})
	}
	if e.Status == directory.StatusActive || current == "resubscribe" || current == "cease" {
		s.Links = append(s.Links,
			navLink{Label: "Resubscribe", URL: base + "/resubscribe", Current: current == "resubscribe"},
			navLink{Label: "Deactivate", URL: base + "/cease", Current: current == "cease"})
	}
}
