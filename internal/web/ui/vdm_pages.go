package ui

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// The Visual Device Manager of a VDM device (docs/devices.md, "The Visual
// Device Manager"): Device Profile, General Settings and the Option Keys
// tabs (Line Keys page by page with the sidecars, Soft Keys, Ringer); a key
// opens its own edit page. Employees reach their own phone from My Phone.
//
//	GET  /devices/{id}/vdm                               the VDM (?tab=line|soft|ringer&page=N)
//	POST /devices/{id}/vdm/general                       save General Settings
//	GET  /devices/{id}/vdm/pages/{page}/keys/{key}       edit a line key
//	POST /devices/{id}/vdm/pages/{page}/keys/{key}       save it
//	GET  /devices/{id}/vdm/soft-keys/{key}               edit a soft key
//	POST /devices/{id}/vdm/soft-keys/{key}               save it
//	POST /devices/{id}/vdm/ringer                        save the ringer
//	POST /devices/{id}/vdm/reset                         every key back to its default
//	GET  /my-phone                                       the employee's own phone, or why not
func init() {
	pageNames = append(pageNames, "vdm", "vdm_key", "my_phone")
	for k, v := range map[string]string{
		"vdm-general": "The General Settings have been saved. Reboot the phone for it to take them.",
		"vdm-key":     "The key has been saved. Reboot the phone for it to show the new key.",
		"vdm-ringer":  "The ringer has been saved. Reboot the phone for it to take it.",
		"vdm-reset":   "Every line key and soft key is back to its default. Reboot the phone for it to take them.",
	} {
		flashes[k] = v
	}
}

func (p *Pages) registerVDM(auth func(string, handlerFunc)) {
	auth("GET /devices/{id}/vdm", p.vdmPage)
	auth("POST /devices/{id}/vdm/general", p.vdmGeneralSave)
	auth("GET /devices/{id}/vdm/pages/{page}/keys/{key}", p.vdmLineKey)
	auth("POST /devices/{id}/vdm/pages/{page}/keys/{key}", p.vdmLineKeySave)
	auth("GET /devices/{id}/vdm/soft-keys/{key}", p.vdmSoftKey)
	auth("POST /devices/{id}/vdm/soft-keys/{key}", p.vdmSoftKeySave)
	auth("POST /devices/{id}/vdm/ringer", p.vdmRingerSave)
	auth("POST /devices/{id}/vdm/reset", p.vdmReset)
	auth("GET /my-phone", p.myPhone)
}

// vdmPageData is the Visual Device Manager page.
type vdmPageData struct {
	V    devices.VDM
	Base string
	// Self: the employee's own phone (the self-care frame).
	Self    bool
	Tab     string
	Current devices.VDMPage
	// Left and Right are the current page's keys as the phone draws them:
	// the first half down the left of the screen, the rest down the right.
	Left, Right []devices.VDMKey
	General     *form
	GeneralErrs []string
	SidecarOpts []int
	SiteName    string
}

// keyText is what a key shows on the drawing: its resolved action and
// label.
func keyText(k devices.Key) string {
	switch k.Action {
	case devices.KeyLine:
		return "Line: " + k.Label
	case devices.KeySpeedDial:
		return "Speed dial: " + k.Label
	case devices.KeyBLF:
		return "BLF: " + k.Label
	case devices.KeyFunction:
		return k.Label + " (" + k.Value + ")"
	case devices.KeyCustom:
		return "Custom: " + k.Label
	case devices.KeyNone:
		return "None"
	}
	return "Default"
}

// vdmKeyRef is one key of the drawing with where its edit page is.
type vdmKeyRef struct {
	Base string
	Page int
	K    devices.VDMKey
}

func vdmKeyLink(base string, page int, k devices.VDMKey) vdmKeyRef { return vdmKeyRef{base, page, k} }

// vdmFrame builds the page frame: the site's Devices side bar for an
// administrator, the self-care one for the employee's own phone. It
// decides nothing: the read before it did.
func (p *Pages) vdmFrame(r *http.Request, v devices.VDM, title string) (*view, bool, string, error) {
	ctx, a := r.Context(), actorOf(r)
	self := v.User != nil && v.User.ID == a.AccountID && !p.app.Access.Can(ctx, a, access.ManageDevices, access.Device(v.Device.ID))
	if self {
		vw, err := p.newView(r, v.Device.CompanyID, "profile", title)
		if err != nil {
			return nil, false, "", err
		}
		e, err := p.app.Directory.Employee(ctx, a.AccountID)
		if err != nil {
			return nil, false, "", err
		}
		employeesSide(vw, &e, "phone")
		return vw, true, "", nil
	}
	g, err := p.siteFrame(r, v.Device.SiteID)
	if err != nil {
		return nil, false, "", err
	}
	vw, err := p.siteView(r, g, "devices", title+" · "+g.Name+": Devices")
	if err != nil {
		return nil, false, "", err
	}
	return vw, false, g.Name, nil
}

func (p *Pages) vdmPage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderVDM(w, r, http.StatusOK, id, nil, nil)
}

func (p *Pages) renderVDM(w http.ResponseWriter, r *http.Request, code int, id int64, general *form, generalErrs []string) error {
	ctx := r.Context()
	v, err := p.app.Devices.VisualDeviceManager(ctx, actorOf(r), id)
	if err != nil {
		return err
	}
	ds := []devices.Device{v.Device}
	if err := p.app.Registrations.Annotate(ctx, ds); err != nil {
		return err
	}
	v.Device = ds[0]
	vw, self, siteName, err := p.vdmFrame(r, v, v.Device.Name+": Visual Device Manager")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data := vdmPageData{V: v, Base: "/devices/" + itoa64(id) + "/vdm", Self: self, Tab: q.Get("tab"), SiteName: siteName, General: general, GeneralErrs: generalErrs}
	switch data.Tab {
	case "soft", "ringer":
	default:
		data.Tab = "line"
	}
	page, _ := strconv.Atoi(q.Get("page"))
	if page < 1 || page > len(v.Pages) {
		page = 1
	}
	if len(v.Pages) > 0 {
		data.Current = v.Pages[page-1]
		half := (len(data.Current.Keys) + 1) / 2
		data.Left, data.Right = data.Current.Keys[:half], data.Current.Keys[half:]
	}
	if data.General == nil {
		data.General = newForm(url.Values{"sidecars": {strconv.Itoa(v.General.Sidecars)}, "blf_start": {v.General.BLFStart}})
	}
	for n := 0; n <= v.Type.SidecarMax && v.Type.SidecarModel != ""; n++ {
		data.SidecarOpts = append(data.SidecarOpts, n)
	}
	vw.Data = data
	p.render(w, r, code, "vdm", vw)
	return nil
}

func (p *Pages) vdmGeneralSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	n, err := strconv.Atoi(strings.TrimSpace(f.V("sidecars")))
	if err != nil {
		n = -1
	}
	_, err = p.app.Devices.SetVDMGeneral(r.Context(), actorOf(r), id, devices.VDMGeneral{Sidecars: n, BLFStart: f.V("blf_start")})
	if err == nil {
		redirectFlash(w, r, "/devices/"+itoa64(id)+"/vdm", "vdm-general")
		return nil
	}
	if !f.addErr(err, "sidecars", "blf_start") {
		return err
	}
	return p.renderVDM(w, r, http.StatusUnprocessableEntity, id, f, nil)
}

// vdmKeyData is a key's edit page.
type vdmKeyData struct {
	V    devices.VDM
	Base string
	// Soft: a soft key (Function, Custom); otherwise a line key (Line).
	Soft  bool
	Title string
	Key   devices.VDMKey
	Form  *form
	Back  string
	Self  bool
}

// keyForm is a key's setting as the edit form's values.
func keyForm(k devices.Key) *form {
	vals := url.Values{"action": {string(k.Action)}, "label": {k.Label}}
	switch k.Action {
	case devices.KeyLine:
		vals.Set("line_id", itoa64(k.LineID))
	case devices.KeyFunction:
		vals.Set("function", k.Value)
	case devices.KeyCustom:
		vals.Set("macro", k.Value)
	case devices.KeySpeedDial:
		vals.Set("number", k.Value)
	}
	return newForm(vals)
}

// formKey reads the edit form into a key: each action takes its own
// fields, so a value typed under another action is ignored.
func formKey(f *form) devices.Key {
	k := devices.Key{Action: devices.KeyAction(f.V("action"))}
	switch k.Action {
	case devices.KeyLine:
		k.LineID, _ = strconv.ParseInt(f.V("line_id"), 10, 64)
	case devices.KeySpeedDial:
		k.Label, k.Value = f.V("label"), f.V("number")
	case devices.KeyFunction:
		k.Value = f.V("function")
	case devices.KeyCustom:
		k.Label, k.Value = f.V("label"), f.V("macro")
	}
	return k
}

// keyFieldErrors puts a refused key's errors on the edit form, the
// domain's field names (keys[0].value …) mapped to the form's.
func keyFieldErrors(f *form, err error) bool {
	var val *derrors.ValidationError
	if !errors.As(err, &val) {
		return f.addErr(err)
	}
	for _, fe := range val.Fields {
		field := fe.Field
		if i := strings.LastIndex(field, "."); i >= 0 {
			field = field[i+1:]
		}
		switch field {
		case "action", "label", "line_id":
		case "value":
			field = map[string]string{string(devices.KeySpeedDial): "number", string(devices.KeyFunction): "function", string(devices.KeyCustom): "macro"}[f.V("action")]
		default:
			field = ""
		}
		if field == "" {
			f.General = append(f.General, sentence(fe.Message))
			continue
		}
		f.add(field, sentence(fe.Message))
	}
	return true
}

func vdmKeyPath(r *http.Request) (id int64, page, key int, err error) {
	if id, err = pathID(r, "id"); err != nil {
		return
	}
	if page, err = strconv.Atoi(r.PathValue("page")); err != nil || page < 1 {
		return 0, 0, 0, derrors.ErrNotFound
	}
	if key, err = strconv.Atoi(r.PathValue("key")); err != nil || key < 1 {
		return 0, 0, 0, derrors.ErrNotFound
	}
	return id, page, key, nil
}

func (p *Pages) vdmLineKey(w http.ResponseWriter, r *http.Request) error {
	id, page, key, err := vdmKeyPath(r)
	if err != nil {
		return err
	}
	return p.renderVDMKey(w, r, http.StatusOK, id, page, key, nil)
}

// renderVDMKey shows the edit page of line key (page, key), or of soft key
// key when page is 0.
func (p *Pages) renderVDMKey(w http.ResponseWriter, r *http.Request, code int, id int64, page, key int, f *form) error {
	v, err := p.app.Devices.VisualDeviceManager(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	base := "/devices/" + itoa64(id) + "/vdm"
	data := vdmKeyData{V: v, Base: base, Soft: page == 0}
	if page == 0 {
		if key > len(v.SoftKeys) {
			return derrors.ErrNotFound
		}
		data.Key, data.Title, data.Back = v.SoftKeys[key-1], fmt.Sprintf("Soft key %d", key), base+"?tab=soft"
	} else {
		if page > len(v.Pages) || key > len(v.Pages[page-1].Keys) {
			return derrors.ErrNotFound
		}
		data.Key, data.Title = v.Pages[page-1].Keys[key-1], fmt.Sprintf("%s, key %d", v.Pages[page-1].Title, key)
		data.Back = base + "?tab=line&page=" + strconv.Itoa(page)
	}
	if f == nil {
		f = keyForm(data.Key.Set)
	}
	data.Form = f
	vw, self, _, err := p.vdmFrame(r, v, data.Title+" · "+v.Device.Name)
	if err != nil {
		return err
	}
	data.Self = self
	vw.Data = data
	p.render(w, r, code, "vdm_key", vw)
	return nil
}

func (p *Pages) vdmLineKeySave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, page, key, err := vdmKeyPath(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	_, err = p.app.Devices.SetLineKey(r.Context(), actorOf(r), id, page, key, formKey(f))
	if err == nil {
		redirectFlash(w, r, fmt.Sprintf("/devices/%d/vdm?tab=line&page=%d", id, page), "vdm-key")
		return nil
	}
	if !keyFieldErrors(f, err) {
		return err
	}
	return p.renderVDMKey(w, r, http.StatusUnprocessableEntity, id, page, key, f)
}

func (p *Pages) vdmSoftKey(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	key, err := strconv.Atoi(r.PathValue("key"))
	if err != nil || key < 1 {
		return derrors.ErrNotFound
	}
	return p.renderVDMKey(w, r, http.StatusOK, id, 0, key, nil)
}

func (p *Pages) vdmSoftKeySave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	key, err := strconv.Atoi(r.PathValue("key"))
	if err != nil || key < 1 {
		return derrors.ErrNotFound
	}
	f := newForm(r.PostForm)
	_, err = p.app.Devices.SetSoftKey(r.Context(), actorOf(r), id, key, formKey(f))
	if err == nil {
		redirectFlash(w, r, fmt.Sprintf("/devices/%d/vdm?tab=soft", id), "vdm-key")
		return nil
	}
	if !keyFieldErrors(f, err) {
		return err
	}
	return p.renderVDMKey(w, r, http.StatusUnprocessableEntity, id, 0, key, f)
}

func (p *Pages) vdmRingerSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := p.app.Devices.SetRinger(r.Context(), actorOf(r), id, r.PostForm.Get("ringer")); err != nil {
		return err
	}
	redirectFlash(w, r, fmt.Sprintf("/devices/%d/vdm?tab=ringer", id), "vdm-ringer")
	return nil
}

func (p *Pages) vdmReset(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := p.app.Devices.ResetVDMKeys(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	redirectFlash(w, r, fmt.Sprintf("/devices/%d/vdm", id), "vdm-reset")
	return nil
}

// myPhoneData is My Phone when the employee cannot open their phone's
// keys: why.
type myPhoneData struct {
	Reason string
}

// myPhone opens the employee's own phone, or says why it cannot: no phone,
// a phone that is not of a VDM type, or a type their administrator keeps
// to administrators.
func (p *Pages) myPhone(w http.ResponseWriter, r *http.Request) error {
	ctx, a := r.Context(), actorOf(r)
	v, err := p.app.Devices.MyPhone(ctx, a)
	if err == nil {
		http.Redirect(w, r, "/devices/"+itoa64(v.Device.ID)+"/vdm", http.StatusSeeOther)
		return nil
	}
	reason := ""
	c := derrors.Classify(err)
	switch {
	case derrors.IsNotFound(err):
		reason = "You have no desk phone yet: your administrator gives you one with your service."
	case c.Kind == derrors.KindForbidden || c.Kind == derrors.KindConflict:
		reason = sentence(c.Message)
	default:
		return err
	}
	vw, err := p.newView(r, a.CompanyID, "profile", "My Phone")
	if err != nil {
		return err
	}
	e, err := p.app.Directory.Employee(ctx, a.AccountID)
	if err != nil {
		return err
	}
	employeesSide(vw, &e, "phone")
	vw.Data = myPhoneData{Reason: reason}
	p.render(w, r, http.StatusOK, "my_phone", vw)
	return nil
}
