package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
)

// serviceSection is one of the employee's service sections; each saves
// only its own fields through lifecycle.ChangeService.
type serviceSection struct {
	Key, path, Title string
}

var serviceSections = []serviceSection{
	{"settings", "service", "Service Settings"},
	{"number", "primary-number", "Primary Number"},
	{"package", "feature-package", "Feature Package"},
	{"addons", "add-ons", "Add-Ons"},
}

// serviceFields are lifecycle.ServiceChange's fields as its errors name
// them; the form's fields have the same names (the device's too).
var serviceFields = []string{"first_name", "last_name", "cli_first_name", "cli_last_name", "user_type", "language", "number",
	"extension", "package_id", "term_id", "add_on_ids", "device.mode", "device.device_id", "device.type_id", "device.mac"}

type servicePageData struct {
	Section  serviceSection
	Action   string
	Employee directory.Employee
	Svc      lifecycle.EmployeeService
	Form     *form
	// CanManage: the names may change; ManageNote says why not.
	CanManage  bool
	ManageNote string
	// CanConfig: the config & reg parts may change; ConfigNote says why not.
	CanConfig  bool
	ConfigNote string
	UserType   string
	Language   string
	// Device is the primary device's fieldset (CanConfig), DeviceLabel the
	// device as the read-only view shows it.
	Device      deviceFields
	DeviceLabel string
	UserTypes   []option
	Languages   []option
	Numbers     []option
	Terms       []option
	Packages    []pkgOption
	AddOns      []pkgOption
	Features    []catalog.Feature
	// Active, CanCease: which of Resubscribe and Deactivate to offer.
	Active   bool
	CanCease bool
}

func serviceForm(s lifecycle.EmployeeService) *form {
	f := newForm(nil)
	f.Values.Set("first_name", s.FirstName)
	f.Values.Set("last_name", s.LastName)
	f.Values.Set("cli_first_name", s.CLIFirstName)
	f.Values.Set("cli_last_name", s.CLILastName)
	if s.UserType != nil {
		f.Values.Set("user_type", string(*s.UserType))
	}
	f.Values.Set("language", s.Language)
	if s.Number != nil {
		f.Values.Set("number", s.Number.E164)
	}
	f.Values.Set("extension", s.Extension)
	if s.Package != nil {
		f.Values.Set("package_id", itoa64(s.Package.ID))
	}
	if s.Term != nil {
		f.Values.Set("term_id", itoa64(s.Term.ID))
	}
	for _, a := range s.AddOns {
		f.Values.Add("add_on_ids", itoa64(a.ID))
	}
	// The device choice starts on the current device: saved unchanged, it
	// is no change (ServiceChange.Without).
	if s.Device != nil {
		f.Values.Set("device.mode", lifecycle.DeviceExisting)
		f.Values.Set("device.device_id", itoa64(s.Device.ID))
	} else {
		// No device now ("No device for now" was saved, or none yet):
		// saved unchanged, it stays so.
		f.Values.Set("device.mode", lifecycle.DeviceNone)
	}
	return f
}

// serviceOf reads the employee of the path and their service through
// lifecycle.ServiceOf, which asks access (ErrNotFound when the actor may
// not see them).
func (p *Pages) serviceOf(r *http.Request) (directory.Employee, lifecycle.EmployeeService, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Employee{}, lifecycle.EmployeeService{}, err
	}
	svc, err := p.app.Lifecycle.ServiceOf(r.Context(), actorOf(r), id)
	if err != nil {
		return directory.Employee{}, svc, err
	}
	e, err := p.app.Directory.Employee(r.Context(), id)
	return e, svc, err
}

func (p *Pages) servicePage(s serviceSection) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		e, svc, err := p.serviceOf(r)
		if err != nil {
			return err
		}
		return p.renderService(w, r, http.StatusOK, s, e, svc, serviceForm(svc))
	}
}

func (p *Pages) renderService(w http.ResponseWriter, r *http.Request, status int, s serviceSection, e directory.Employee,
	svc lifecycle.EmployeeService, f *form) error {
	ctx := r.Context()
	a := actorOf(r)
	v, err := p.newView(r, e.CompanyID, "employees", s.Title+" · "+e.DisplayName())
	if err != nil {
		return err
	}
	employeesSide(v, &e, s.Key)
	d := servicePageData{Section: s, Action: "/employees/" + itoa64(e.ID) + "/" + s.path, Employee: e, Svc: svc, Form: f,
		Active: svc.Status == directory.StatusActive}
	perm, err := p.app.Lifecycle.PermissionsFor(ctx, a, svc)
	if err != nil {
		return err
	}
	d.CanManage, d.ManageNote, d.CanConfig, d.ConfigNote = perm.Manage, perm.ManageNote, perm.Config, perm.ConfigNote
	d.CanCease = d.Active && perm.CeaseAccess
	if svc.UserType != nil {
		d.UserType = svc.UserType.Label()
	}
	for _, t := range lifecycle.UserTypes {
		d.UserTypes = append(d.UserTypes, option{Value: string(t), Label: t.Label()})
	}
	for _, l := range lifecycle.Languages {
		d.Languages = append(d.Languages, option{Value: l.Code, Label: l.Label})
		if l.Code == svc.Language {
			d.Language = l.Label
		}
	}
	if d.Language == "" {
		d.Language = svc.Language
	}
	d.DeviceLabel = "None"
	if svc.Device != nil {
		d.DeviceLabel = svc.Device.MAC + " · " + svc.Device.TypeName
	}
	if err := p.serviceOptions(r, s, svc, f, &d); err != nil {
		return err
	}
	v.Data = d
	p.render(w, r, status, "lifecycle_service", v)
	return nil
}

// serviceOptions lists what section s offers to choose: the devices, the
// numbers, or the packages, add-ons and terms.
func (p *Pages) serviceOptions(r *http.Request, s serviceSection, svc lifecycle.EmployeeService, f *form, d *servicePageData) error {
	ctx, a := r.Context(), actorOf(r)
	e := d.Employee
	switch s.Key {
	case "settings":
		if d.CanConfig && svc.Site != nil {
			// The current device first, then the site's free ones.
			var devs []option
			if svc.Device != nil {
				devs = append(devs, option{Value: itoa64(svc.Device.ID), Label: d.DeviceLabel + " (current)"})
			}
			ds, err := p.app.Devices.SiteDevices(ctx, e.CompanyID, svc.Site.ID, true)
			if err != nil {
				return err
			}
			devs = append(devs, deviceOptions(ds)...)
			types, err := p.typeOptions(ctx, a.ProviderID)
			if err != nil {
				return err
			}
			number := ""
			if svc.Number != nil {
				number = svc.Number.E164
			}
			d.Device = newDeviceFields(f, "device.mode", "device.", number, devs, types)
			d.Device.Legend = "Primary device"
			// "No device" frees the phone for a moment (the convert-to-VDM
			// procedure, docs/devices.md).
			d.Device.AllowNone = true
			d.Device.NoneMode = f.V("device.mode") == lifecycle.DeviceNone
			d.Device.NewMode = d.Device.NewMode && !d.Device.NoneMode
			d.Device.DeviceHint = "The current device, or a free device of " + svc.Site.Name + ". The replaced device stays on the site, free for somebody else."
		}
	case "number":
		if d.CanConfig && svc.Site != nil {
			if svc.Number != nil {
				d.Numbers = append(d.Numbers, option{Value: svc.Number.E164, Label: svc.Number.National + " (current)"})
			}
			ns, err := p.app.Lifecycle.FreeNumbers(ctx, e.CompanyID, svc.Site.ID)
			if err != nil {
				return err
			}
			for _, n := range ns {
				d.Numbers = append(d.Numbers, option{Value: n.E164, Label: n.National + " (" + n.E164 + ")"})
			}
		}
	case "package", "addons":
		o, err := p.app.Catalog.Catalog(ctx, a.ProviderID)
		if err != nil {
			return err
		}
		d.Packages = pkgOptions(o.EmployeePackages, f, "package_id")
		d.AddOns = pkgOptions(o.EmployeeAddOns, f, "add_on_ids")
		if svc.Package != nil {
			for _, x := range o.EmployeePackages {
				if x.ID == svc.Package.ID {
					d.Features = x.Features
				}
			}
		}
		terms, err := p.app.Catalog.Terms(ctx, a.ProviderID)
		if err != nil {
			return err
		}
		rank := -1
		for _, t := range terms {
			if svc.Term != nil && t.ID == svc.Term.ID {
				rank = t.Rank
			}
		}
		for _, t := range terms {
			if t.Rank >= rank {
				d.Terms = append(d.Terms, option{Value: itoa64(t.ID), Label: t.Name})
			}
		}
	}
	return nil
}

func (p *Pages) serviceSave(s serviceSection) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return derrors.Invalid("", "the form could not be read")
		}
		ctx := r.Context()
		e, cur, err := p.serviceOf(r)
		if err != nil {
			return err
		}
		f := newForm(r.PostForm)
		c := readServiceChange(r, f, s)
		if f.Invalid() {
			return p.renderService(w, r, http.StatusUnprocessableEntity, s, e, cur, f)
		}
		if _, err := p.app.Lifecycle.ChangeService(ctx, actorOf(r), e.ID, c); err != nil {
			var forb *derrors.ForbiddenError
			if errors.As(err, &forb) {
				f.General = append(f.General, sentence(forb.Reason))
				return p.renderService(w, r, http.StatusForbidden, s, e, cur, f)
			}
			if f.addErr(err, serviceFields...) {
				return p.renderService(w, r, http.StatusUnprocessableEntity, s, e, cur, f)
			}
			return err
		}
		redirectFlash(w, r, "/employees/"+itoa64(e.ID)+"/"+s.path, "service-saved")
		return nil
	}
}

type lcConfirmPage struct {
	Employee directory.Employee
	Heading  string
	Intro    string
	Items    []string
	Action   string
	Button   string
	Danger   bool
	Refused  string
	Done     bool
}

func (p *Pages) renderConfirm(w http.ResponseWriter, r *http.Request, status int, e directory.Employee, side string, d lcConfirmPage) error {
	v, err := p.newView(r, e.CompanyID, "employees", d.Heading+" · "+e.DisplayName())
	if err != nil {
		return err
	}
	employeesSide(v, &e, side)
	d.Employee = e
	v.Data = d
	p.render(w, r, status, "lifecycle_confirm", v)
	return nil
}

func resubscribeData(e directory.Employee) lcConfirmPage {
	return lcConfirmPage{Heading: "Resubscribe", Action: "/employees/" + itoa64(e.ID) + "/resubscribe", Button: "Resubscribe",
		Intro: "Resubscribe applies the features your service provider has added to the company and site to " + e.DisplayName() +
			". The employee shows Pending while the job runs, then Active again."}
}

func (p *Pages) resubscribeConfirm(w http.ResponseWriter, r *http.Request) error {
	e, svc, err := p.serviceOf(r)
	if err != nil {
		return err
	}
	perm, err := p.app.Lifecycle.PermissionsFor(r.Context(), actorOf(r), svc)
	if err != nil {
		return err
	}
	if !perm.Manage {
		return derrors.Forbidden("%s", perm.ManageNote)
	}
	d := resubscribeData(e)
	if e.Status != directory.StatusActive {
		d.Refused = "Only an active employee can be resubscribed; " + e.DisplayName() + " is " + statusLabel(e.Status) + "."
	}
	return p.renderConfirm(w, r, http.StatusOK, e, "resubscribe", d)
}

func (p *Pages) resubscribe(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	job, err := p.app.Lifecycle.Resubscribe(r.Context(), actorOf(r), id)
	if err != nil {
		e, eerr := p.app.Directory.Employee(r.Context(), id)
		if eerr != nil {
			return err
		}
		var con *derrors.ConflictError
		if errors.As(err, &con) {
			d := resubscribeData(e)
			d.Refused = sentence(con.Message)
			return p.renderConfirm(w, r, http.StatusConflict, e, "resubscribe", d)
		}
		return err
	}
	http.Redirect(w, r, "/jobs/"+itoa64(job.ID)+"?submitted=1", http.StatusSeeOther)
	return nil
}

// ceaseData lists what a deactivation does, as the portal does, naming the
// employee's own number and device.
func ceaseData(e directory.Employee, svc lifecycle.EmployeeService) lcConfirmPage {
	number, device := "the telephone number", "the device and its MAC address"
	if svc.Number != nil {
		number = "the telephone number " + svc.Number.National
	}
	if svc.Device != nil {
		device = "the device " + svc.Device.MAC + " (" + svc.Device.TypeName + ")"
	}
	site := "the site"
	if svc.Site != nil {
		site = svc.Site.Name
	}
	return lcConfirmPage{Heading: "Deactivate", Action: "/employees/" + itoa64(e.ID) + "/cease", Button: "Deactivate", Danger: true,
		Intro: "Deactivating (ceasing) " + e.DisplayName() + "'s service:",
		Items: []string{
			"revokes the user licence and turns the service off;",
			"revokes their access to the Business Portal and any add-ons;",
			"returns " + number + " to the number pool of " + site + ";",
			"removes " + device + " from the employee and from " + site + "'s devices.",
			"The employee's details stay. To use the service again they must be activated again, with a new number.",
			"Deactivating a user on a 1 or 2 year term does not change your billing: to reduce your licences, contact your service provider.",
		}}
}

func (p *Pages) ceaseConfirm(w http.ResponseWriter, r *http.Request) error {
	e, svc, err := p.serviceOf(r)
	if err != nil {
		return err
	}
	perm, err := p.app.Lifecycle.PermissionsFor(r.Context(), actorOf(r), svc)
	if err != nil {
		return err
	}
	if !perm.CeaseAccess {
		return derrors.Forbidden("%s", perm.CeaseNote)
	}
	d := ceaseData(e, svc)
	if !perm.Cease {
		d.Refused = perm.CeaseNote
	} else if svc.Status != directory.StatusActive && svc.Status != directory.StatusError {
		d.Refused = e.DisplayName() + " has no active service to deactivate (status " + statusLabel(svc.Status) + ")."
	}
	return p.renderConfirm(w, r, http.StatusOK, e, "cease", d)
}

func (p *Pages) cease(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	e, before, err := p.serviceOf(r)
	if err != nil {
		return err
	}
	d := ceaseData(e, before)
	if _, err := p.app.Lifecycle.Cease(ctx, actorOf(r), e.ID); err != nil {
		var con *derrors.ConflictError
		var forb *derrors.ForbiddenError
		if errors.As(err, &forb) && forb.Reason == lifecycle.ReasonConfigAndReg {
			d.Refused = sentence(forb.Reason)
			return p.renderConfirm(w, r, http.StatusForbidden, e, "cease", d)
		}
		if errors.As(err, &con) {
			d.Refused = sentence(con.Message)
			return p.renderConfirm(w, r, http.StatusConflict, e, "cease", d)
		}
		return err
	}
	if e, err = p.app.Directory.Employee(ctx, e.ID); err != nil {
		return err
	}
	d.Done = true
	d.Heading = "Deactivated"
	d.Intro = e.DisplayName() + " is now Inactive. Done:"
	d.Items = []string{"the licence and Business Portal access are revoked;"}
	if before.Number != nil {
		d.Items = append(d.Items, before.Number.National+" is back in the site's number pool;")
	}
	if before.Extension != "" {
		d.Items = append(d.Items, "extension "+before.Extension+" is free again;")
	}
	if before.Device != nil {
		d.Items = append(d.Items, "the device "+before.Device.MAC+" is removed from the employee and the site.")
	}
	return p.renderConfirm(w, r, http.StatusOK, e, "cease", d)
}

// readServiceChange reads section s's fields of the form into a change;
// a value that is not an id is a field error on the form.
func readServiceChange(r *http.Request, f *form, s serviceSection) lifecycle.ServiceChange {
	str := func(name string) *string {
		if _, ok := r.PostForm[name]; !ok {
			return nil
		}
		v := f.V(name)
		return &v
	}
	num := func(name string) *int64 {
		if _, ok := r.PostForm[name]; !ok {
			return nil
		}
		n, err := strconv.ParseInt(strings.TrimSpace(f.V(name)), 10, 64)
		if err != nil || n <= 0 {
			f.add(name, "Choose a value from the list.")
			return nil
		}
		return &n
	}
	var c lifecycle.ServiceChange
	switch s.Key {
	case "settings":
		c.FirstName, c.LastName = str("first_name"), str("last_name")
		c.CLIFirstName, c.CLILastName = str("cli_first_name"), str("cli_last_name")
		if t := str("user_type"); t != nil {
			ut := lifecycle.UserType(*t)
			c.UserType = &ut
		}
		c.Language = str("language")
		if mode := str("device.mode"); mode != nil {
			dc := lifecycle.DeviceChoice{Mode: *mode}
			switch dc.Mode {
			case lifecycle.DeviceExisting:
				if id := num("device.device_id"); id != nil {
					dc.DeviceID = *id
				}
			case lifecycle.DeviceNew:
				if id := num("device.type_id"); id != nil {
					dc.TypeID = *id
				}
				dc.MAC = f.V("device.mac")
			}
			c.Device = &dc
		}
	case "number":
		c.Number, c.Extension = str("number"), str("extension")
	case "package":
		c.PackageID, c.TermID = num("package_id"), num("term_id")
	case "addons":
		if f.V("add_ons_shown") == "1" {
			ids := []int64{}
			for _, v := range r.PostForm["add_on_ids"] {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n <= 0 {
					f.add("add_on_ids", "Choose add-ons from the list.")
					continue
				}
				ids = append(ids, n)
			}
			c.AddOnIDs = &ids
		}
	}
	return c
}
