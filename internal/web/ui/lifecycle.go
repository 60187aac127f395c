package ui

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
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

// registerLifecycle adds the employee lifecycle pages (issue 4): Activate
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
// Every handler asks access exactly as the matching API handler in
// internal/web/api/lifecycle.go does, call for call.
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
	// IDs are the selected employees, carried by the site chooser.
	IDs []int64
	// Reserved are the provider's refused extension codes, shown with their
	// reasons next to the extension field as the seed prints them at this
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

// activateEmployees resolves the selected employees of a multi-select
// activation, asking access about each as the API's activateEmployees
// does. Unknown ids (or another company's) become general messages.
func (p *Pages) activateTargets(r *http.Request, companyID int64, raw []string) ([]directory.Employee, []string, error) {
	var out []directory.Employee
	var msgs []string
	seen := map[int64]bool{}
	for _, s := range raw {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			msgs = append(msgs, fmt.Sprintf("Employee %q does not exist.", s))
			continue
		}
		if seen[id] {
			continue
		}
		seen[id] = true
		if err := p.app.Access.Check(r.Context(), actorOf(r), access.ActivateEmployee, access.Employee(id)); err != nil {
			var forb *derrors.ForbiddenError
			switch {
			case derrors.IsNotFound(err):
				msgs = append(msgs, fmt.Sprintf("Employee %d does not exist.", id))
				continue
			case errors.As(err, &forb):
				msgs = append(msgs, sentence(forb.Reason))
				continue
			}
			return nil, nil, err
		}
		e, err := p.app.Directory.Employee(r.Context(), id)
		if err != nil {
			return nil, nil, err
		}
		if e.CompanyID != companyID {
			msgs = append(msgs, fmt.Sprintf("Employee %d does not exist.", id))
			continue
		}
		out = append(out, e)
	}
	return out, msgs, nil
}

func (p *Pages) activateManyPage(w http.ResponseWriter, r *http.Request) error {
	companyID, err := p.companyFor(r, access.ViewCompany)
	if errors.Is(err, errChooseCompany) {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	es, msgs, err := p.activateTargets(r, companyID, r.URL.Query()["employee_id"])
	if err != nil {
		return err
	}
	f := newForm(nil)
	f.Values.Set("site_id", r.URL.Query().Get("site_id"))
	f.General = msgs
	if len(es) == 0 {
		f.General = append(f.General, "Select at least one employee to activate: tick the box next to each on Employee Selection.")
	}
	return p.renderActivate(w, r, http.StatusOK, companyID, es, true, f, true)
}

func (p *Pages) activateOnePage(w http.ResponseWriter, r *http.Request) error {
	e, err := p.employee(r, access.ActivateEmployee)
	if err != nil {
		return err
	}
	f := newForm(nil)
	f.Values.Set("site_id", r.URL.Query().Get("site_id"))
	return p.renderActivate(w, r, http.StatusOK, e.CompanyID, []directory.Employee{e}, false, f, true)
}

// activationSites lists the sites of companyID the actor may activate at,
// asking access about each site as the API does on submit.
func (p *Pages) activationSites(ctx context.Context, a access.Actor, companyID int64) ([]directory.Group, error) {
	gs, err := p.scopedGroups(ctx, a, companyID)
	if err != nil {
		return nil, err
	}
	var out []directory.Group
	for _, g := range gs {
		if g.IsSite && p.app.Access.Check(ctx, a, access.ActivateEmployee, access.Group(g.ID)) == nil {
			out = append(out, g)
		}
	}
	return out, nil
}

// renderActivate draws the Activate form for es. With defaults, the form's
// blank values are filled in: CLI names, the site's next free numbers, the
// site policy's extensions and a device choice.
func (p *Pages) renderActivate(w http.ResponseWriter, r *http.Request, status int, companyID int64, es []directory.Employee,
	multi bool, f *form, defaults bool) error {
	ctx := r.Context()
	a := actorOf(r)
	title := "Activate"
	if !multi && len(es) == 1 {
		title = "Activate · " + es[0].DisplayName()
	}
	v, err := p.newView(r, companyID, "employees", title)
	if err != nil {
		return err
	}
	d := activatePage{Form: f, Multi: multi, CompanyID: companyID}
	if d.Reserved, err = p.app.Numbering.RefusedExtensions(ctx); err != nil {
		return err
	}
	d.ExtensionHint = extensionHint(d.Reserved)
	if multi {
		employeesSide(v, nil, "selection")
		d.Action = "/employees/activate"
	} else {
		employeesSide(v, &es[0], "activate")
		d.Action = "/employees/" + itoa64(es[0].ID) + "/activate"
	}
	for _, e := range es {
		d.IDs = append(d.IDs, e.ID)
	}
	if err := p.app.Lifecycle.CheckActivation(ctx, companyID, a.IsOperator()); err != nil {
		var forb *derrors.ForbiddenError
		if !errors.As(err, &forb) {
			return err
		}
		d.Refused = sentence(forb.Reason)
	}
	sites, err := p.activationSites(ctx, a, companyID)
	if err != nil {
		return err
	}
	if len(sites) == 0 {
		d.NoSite = "You cannot activate anyone here: a service is activated at a site, and you administer no site of this company. Ask a company administrator, or one who administers the employee's site."
	}
	siteID, _ := strconv.ParseInt(f.V("site_id"), 10, 64)
	if siteID == 0 && len(es) > 0 && defaults {
		if svc, err := p.app.Lifecycle.Service(ctx, companyID, es[0].ID); err == nil && svc.Site != nil {
			siteID = svc.Site.ID
		}
	}
	found := false
	for _, g := range sites {
		if g.ID == siteID {
			found = true
		}
	}
	if !found && len(sites) > 0 && (defaults || siteID == 0) {
		siteID = sites[0].ID
		found = true
	}
	for _, g := range sites {
		d.Sites = append(d.Sites, option{Value: itoa64(g.ID), Label: g.Name, Selected: g.ID == siteID})
		if g.ID == siteID {
			d.SiteName = g.Name
		}
	}
	if found {
		d.SiteID = siteID
		f.Values.Set("site_id", itoa64(siteID))
	}
	if defaults {
		if f.V("user_type") == "" {
			f.Values.Set("user_type", string(lifecycle.IPCentrex))
		}
		if f.V("language") == "" {
			f.Values.Set("language", "en-GB")
		}
	}
	for _, t := range lifecycle.UserTypes {
		d.UserTypes = append(d.UserTypes, option{Value: string(t), Label: t.Label(), Selected: f.V("user_type") == string(t)})
	}
	for _, l := range lifecycle.Languages {
		d.Languages = append(d.Languages, option{Value: l.Code, Label: l.Label, Selected: f.V("language") == l.Code})
	}
	terms, err := p.app.Catalog.Terms(ctx, a.ProviderID)
	if err != nil {
		return err
	}
	if defaults && f.V("term_id") == "" && len(terms) > 0 {
		f.Values.Set("term_id", itoa64(terms[0].ID))
	}
	for _, t := range terms {
		d.Terms = append(d.Terms, option{Value: itoa64(t.ID), Label: t.Name, Selected: f.V("term_id") == itoa64(t.ID)})
	}
	var types []option
	if d.SiteID != 0 {
		limit, err := p.app.Lifecycle.SiteLimit(ctx, companyID, d.SiteID)
		if err != nil {
			return err
		}
		d.Limit = limit
		o, err := p.app.Catalog.ForSite(ctx, companyID, d.SiteID)
		if err != nil {
			return err
		}
		// The site's proposed package (the entry-level one; see
		// DefaultEmployeePackage), not whichever comes first by name.
		if pkg, ok := o.DefaultEmployeePackage(); defaults && f.V("package_id") == "" && ok {
			f.Values.Set("package_id", itoa64(pkg.ID))
		}
		d.Packages = pkgOptions(o.EmployeePackages, f, "package_id")
		d.AddOns = pkgOptions(o.EmployeeAddOns, f, "add_on_ids")
		if types, err = p.typeOptions(ctx, a.ProviderID); err != nil {
			return err
		}
	}
	var free []option
	var devs []option
	if d.SiteID != 0 {
		ns, err := p.app.Lifecycle.FreeNumbers(ctx, companyID, d.SiteID)
		if err != nil {
			return err
		}
		for _, n := range ns {
			free = append(free, option{Value: n.E164, Label: n.National + " (" + n.E164 + ")"})
		}
		ds, err := p.app.Devices.SiteDevices(ctx, companyID, d.SiteID, true)
		if err != nil {
			return err
		}
		devs = deviceOptions(ds)
	}
	takenNumber, takenExt, takenDevice := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range es {
		pfx := "e" + strconv.Itoa(i)
		if n := f.V(pfx + ".number"); n != "" {
			takenNumber[n] = true
		}
	}
	for i, e := range es {
		row := activateRow{P: "e" + strconv.Itoa(i), Employee: e}
		name := func(s string) string { return row.P + "." + s }
		f.Values.Set(name("employee_id"), itoa64(e.ID))
		if defaults {
			svc, err := p.app.Lifecycle.Service(ctx, companyID, e.ID)
			if err != nil {
				return err
			}
			if f.V(name("cli_first_name")) == "" {
				f.Values.Set(name("cli_first_name"), firstNonEmpty(svc.CLIFirstName, e.FirstName))
			}
			if f.V(name("cli_last_name")) == "" {
				f.Values.Set(name("cli_last_name"), firstNonEmpty(svc.CLILastName, e.LastName))
			}
			if f.V(name("number")) == "" && d.SiteID != 0 {
				for _, n := range free {
					if !takenNumber[n.Value] {
						takenNumber[n.Value] = true
						f.Values.Set(name("number"), n.Value)
						break
					}
				}
			}
			if f.V(name("extension")) == "" && f.V(name("number")) != "" {
				if x, err := p.app.Numbering.DefaultExtension(ctx, companyID, d.SiteID, f.V(name("number"))); err == nil && !takenExt[x] {
					f.Values.Set(name("extension"), x)
				}
			}
			if f.V(name("device_mode")) == "" {
				mode := lifecycle.DeviceNew
				for _, x := range devs {
					if !takenDevice[x.Value] {
						takenDevice[x.Value] = true
						mode = lifecycle.DeviceExisting
						f.Values.Set(name("device_id"), x.Value)
						break
					}
				}
				f.Values.Set(name("device_mode"), mode)
			}
		}
		takenExt[f.V(name("extension"))] = true
		cur := f.V(name("number"))
		listed := false
		for _, n := range free {
			n.Selected = n.Value == cur
			listed = listed || n.Selected
			row.Numbers = append(row.Numbers, n)
		}
		if cur != "" && !listed {
			row.Numbers = append([]option{{Value: cur, Label: cur, Selected: true}}, row.Numbers...)
		}
		row.Device = newDeviceFields(f, name("device_mode"), row.P+".", cur, devs, types)
		row.Device.Legend, row.Device.Required, row.Device.DeviceHint = "Device", true, "A free device of the site."
		row.General = f.E(name("employee_id"))
		d.Rows = append(d.Rows, row)
	}
	v.Data = d
	p.render(w, r, status, "lifecycle_activate", v)
	return nil
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if strings.TrimSpace(s) != "" {
			return s
		}
	}
	return ""
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
	companyID, err := p.companyFor(r, access.ViewCompany)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	var raw []string
	for i := 0; i < lifecycle.MaxActivations+1; i++ {
		s := f.V("e" + strconv.Itoa(i) + ".employee_id")
		if s == "" {
			break
		}
		raw = append(raw, s)
	}
	es, msgs, err := p.activateTargets(r, companyID, raw)
	if err != nil {
		return err
	}
	if len(msgs) > 0 || len(es) != len(raw) {
		f.General = append(f.General, msgs...)
		return p.renderActivate(w, r, http.StatusUnprocessableEntity, companyID, es, true, f, false)
	}
	return p.activateSubmit(w, r, companyID, es, true, f)
}

func (p *Pages) activateOneSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	e, err := p.employee(r, access.ActivateEmployee)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	f.Values.Set("e0.employee_id", itoa64(e.ID))
	return p.activateSubmit(w, r, e.CompanyID, []directory.Employee{e}, false, f)
}

// activateSubmit is the API's activate: the company flag, the site, then
// Prepare (every field checked at once) and the job.
func (p *Pages) activateSubmit(w http.ResponseWriter, r *http.Request, companyID int64, es []directory.Employee, multi bool, f *form) error {
	ctx := r.Context()
	a := actorOf(r)
	again := func(status int) error { return p.renderActivate(w, r, status, companyID, es, multi, f, false) }
	if err := p.app.Lifecycle.CheckActivation(ctx, companyID, a.IsOperator()); err != nil {
		var forb *derrors.ForbiddenError
		if errors.As(err, &forb) {
			return again(http.StatusForbidden)
		}
		return err
	}
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
	req := lifecycle.ActivateRequest{SiteID: id("site_id"), UserType: lifecycle.UserType(f.V("user_type")), Language: f.V("language"),
		TermID: id("term_id"), PackageID: id("package_id")}
	for _, s := range f.Values["add_on_ids"] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			f.add("add_on_ids", "Choose add-ons from the list.")
			continue
		}
		req.AddOnIDs = append(req.AddOnIDs, n)
	}
	for i, e := range es {
		pfx := "e" + strconv.Itoa(i) + "."
		ae := lifecycle.ActivateEmployee{EmployeeID: e.ID, CLIFirstName: f.V(pfx + "cli_first_name"), CLILastName: f.V(pfx + "cli_last_name"),
			Number: f.V(pfx + "number"), Extension: f.V(pfx + "extension"), Device: lifecycle.DeviceChoice{Mode: f.V(pfx + "device_mode")}}
		switch ae.Device.Mode {
		case lifecycle.DeviceExisting:
			ae.Device.DeviceID = id(pfx + "device_id")
		case lifecycle.DeviceNew:
			ae.Device.TypeID = id(pfx + "type_id")
			ae.Device.MAC = f.V(pfx + "mac")
		}
		req.Employees = append(req.Employees, ae)
	}
	if req.SiteID != 0 {
		if err := p.app.Access.Check(ctx, a, access.ActivateEmployee, access.Group(req.SiteID)); err != nil {
			var forb *derrors.ForbiddenError
			switch {
			case derrors.IsNotFound(err):
				f.add("site_id", fmt.Sprintf("Site %d does not exist.", req.SiteID))
			case errors.As(err, &forb):
				f.add("site_id", sentence(forb.Reason))
			default:
				return err
			}
		}
	}
	if f.Invalid() {
		return again(http.StatusUnprocessableEntity)
	}
	plan, err := p.app.Lifecycle.Prepare(ctx, companyID, req, false)
	if err == nil {
		job, aerr := p.app.Lifecycle.Activate(ctx, plan)
		if aerr == nil {
			http.Redirect(w, r, "/jobs/"+itoa64(job.ID)+"?submitted=1", http.StatusSeeOther)
			return nil
		}
		err = aerr
	}
	if !addActivateErr(f, err) {
		return err
	}
	return again(http.StatusUnprocessableEntity)
}

var apiEmployeeField = regexp.MustCompile(`^employees\[(\d+)\]\.(.+)$`)

// activateFieldName maps a field of lifecycle.Prepare's errors to the form's.
func activateFieldName(field string) string {
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
	return "e" + m[1] + "." + rest
}

// addActivateErr puts a validation or conflict error on the form, each
// message next to its field (per employee), and reports whether it could.
func addActivateErr(f *form, err error) bool {
	var val *derrors.ValidationError
	var con *derrors.ConflictError
	add := func(field, msg string) {
		if name := activateFieldName(field); name != "" {
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
