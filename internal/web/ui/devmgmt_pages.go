package ui

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

// A site's Device Management (docs/devices.md): the Device Types tab with
// masks, a type's customisation page, a device's page (modify, customise,
// reset), and the catalog's device type edit page.
//
//	GET  /sites/{id}/device-types                     Device Types tab (types, masks)
//	GET  /sites/{id}/device-types/{type_id}           a type's customisation at the site
//	POST /sites/{id}/device-types/{type_id}           save it
//	POST /sites/{id}/device-types/{type_id}/reset     Reset (reboot=1: and reboot)
//	POST /sites/{id}/device-types/{type_id}/unmask    take the mask off
//	POST /sites/{id}/device-masks                     save a mask
//	POST /device-masks/{id}/apply                     apply it to the types ticked
//	POST /device-masks/{id}/delete                    delete it
//	GET  /devices/{id}                                a device: modify, customise, reset
//	POST /devices/{id}                                modify it
//	POST /devices/{id}/customise                      save its own options
//	POST /devices/{id}/reset                          Reset (reboot=1: and reboot)
//	GET  /device-types/{id}                           the catalog's edit page of a type
//	POST /device-types/{id}                           save it
func init() {
	pageNames = append(pageNames, "site_device_types", "site_device_type", "device_page", "device_type_edit")
	for k, v := range map[string]string{
		"type-customised":  "The device type's options have been saved. Reboot its devices for them to take the new configuration.",
		"type-reset":       "The device type has been reset to the defaults. Reboot its devices for them to take the default configuration.",
		"type-reset-boot":  "The device type has been reset to the defaults and its devices are being rebooted.",
		"mask-saved":       "The mask has been saved. Apply it to device types with the mask icon.",
		"mask-applied":     "The mask has been applied. Reboot the devices of those types for them to take it.",
		"mask-removed":     "The mask has been taken off the device type.",
		"mask-deleted":     "The mask has been deleted.",
		"device-saved":     "The device has been saved.",
		"device-custom":    "The device's options have been saved. Reboot it for it to take the new configuration.",
		"device-reset":     "The device has been reset to its type's settings. Reboot it for it to take them.",
		"device-reset-bt":  "The device has been reset to its type's settings and is being rebooted.",
		"devtype-saved":    "The device type has been saved.",
		"reboot-not-taken": "The reset has been saved, but the devices could not be rebooted now: reboot them from the Devices tab.",
	} {
		flashes[k] = v
	}
}

func (p *Pages) registerDeviceManagement(auth func(string, handlerFunc)) {
	auth("GET /sites/{id}/device-types", p.siteDeviceTypes)
	auth("GET /sites/{id}/device-types/{type_id}", p.siteDeviceType)
	auth("POST /sites/{id}/device-types/{type_id}", p.siteDeviceTypeSave)
	auth("POST /sites/{id}/device-types/{type_id}/reset", p.siteDeviceTypeReset)
	auth("POST /sites/{id}/device-types/{type_id}/unmask", p.siteDeviceTypeUnmask)
	auth("POST /sites/{id}/device-masks", p.maskCreate)
	auth("POST /device-masks/{id}/apply", p.maskApply)
	auth("POST /device-masks/{id}/delete", p.maskDelete)
	auth("GET /devices/{id}", p.devicePage)
	auth("POST /devices/{id}", p.deviceSave)
	auth("POST /devices/{id}/customise", p.deviceCustomise)
	auth("POST /devices/{id}/reset", p.deviceReset)
	auth("GET /device-types/{id}", p.deviceTypeEdit)
	auth("POST /device-types/{id}", p.deviceTypeSave)
}

// optionField is one customisation option on a form: the guide's label and
// help, its choices, what it is without a value here (Inherited), and
// whether it applies to the type (greyed out when it does not).
type optionField struct {
	Name      string
	Info      devices.OptionInfo
	Supported bool
	Value     string
	Inherited string
	Errs      []string
}

// ID is the form control's id.
func (o optionField) ID() string { return fieldID(o.Name) }

func optionFormName(o devices.Option) string { return "opt_" + string(o) }

// settingsValue is option o of s as the form's value ("" when not set).
func settingsValue(s devices.Settings, o devices.Option) string {
	b := func(p *bool) string {
		if p == nil {
			return ""
		}
		return strconv.FormatBool(*p)
	}
	str := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	switch o {
	case devices.OptACD:
		return b(s.ACD)
	case devices.OptBLF:
		return b(s.BLF)
	case devices.OptCodec:
		return str(s.Codec)
	case devices.OptDC:
		return b(s.DC)
	case devices.OptMCN:
		return b(s.MCN)
	case devices.OptTransferType:
		return str(s.TransferType)
	case devices.OptPowerSave:
		return b(s.PowerSave)
	case devices.OptVideoCodec:
		return str(s.VideoCodec)
	}
	return ""
}

// settingsForm reads the options of a submitted form; an option greyed
// out is not submitted and stays unset.
func deviceSettingsForm(f *form, options []devices.Option) devices.Settings {
	var s devices.Settings
	for _, o := range options {
		v := strings.TrimSpace(f.V(optionFormName(o)))
		if v == "" {
			continue
		}
		b := v == "true"
		isBool := v == "true" || v == "false"
		switch o {
		case devices.OptACD:
			s.ACD = boolOpt(isBool, b, f, o)
		case devices.OptBLF:
			s.BLF = boolOpt(isBool, b, f, o)
		case devices.OptDC:
			s.DC = boolOpt(isBool, b, f, o)
		case devices.OptMCN:
			s.MCN = boolOpt(isBool, b, f, o)
		case devices.OptPowerSave:
			s.PowerSave = boolOpt(isBool, b, f, o)
		case devices.OptCodec:
			s.Codec = &v
		case devices.OptTransferType:
			s.TransferType = &v
		case devices.OptVideoCodec:
			s.VideoCodec = &v
		}
	}
	return s
}

func boolOpt(ok, b bool, f *form, o devices.Option) *bool {
	if !ok {
		f.add(optionFormName(o), "Choose one of the listed values for "+devices.OptionInfos[o].Label+".")
		return nil
	}
	return &b
}

// optionFields builds the option controls of a form for a type: only the
// basic options for a basic type, all of them for a VDM type; own is what
// is set at this level, below what it would be without it.
func optionFields(t devices.Type, f *form, below devices.Effective) []optionField {
	opts := devices.BasicOptions
	if t.VDM {
		opts = devices.AllOptions
	}
	var out []optionField
	for _, o := range opts {
		name := optionFormName(o)
		src := below.Sources[o]
		if src == devices.SourceDefault {
			src = "product default"
		}
		out = append(out, optionField{Name: name, Info: devices.OptionInfos[o], Supported: t.Supports(o), Value: f.V(name),
			Inherited: below.Value(o) + " (" + src + ")", Errs: f.E(name)})
	}
	return out
}

// settingsValues are s as form values.
func settingsValues(s devices.Settings) url.Values {
	vals := url.Values{}
	for _, o := range devices.AllOptions {
		if v := settingsValue(s, o); v != "" {
			vals.Set(optionFormName(o), v)
		}
	}
	return vals
}

func optionErrFields() []string {
	out := make([]string, 0, len(devices.AllOptions))
	for _, o := range devices.AllOptions {
		out = append(out, string(o))
	}
	return out
}

// moveOptionErrs files the domain's option errors (named after the option)
// under the form controls (opt_…).
func moveOptionErrs(f *form) {
	for _, o := range devices.AllOptions {
		if errs, ok := f.Errs[string(o)]; ok {
			delete(f.Errs, string(o))
			for _, e := range errs {
				f.add(optionFormName(o), e)
			}
		}
	}
}

// deviceTabs are the two tabs of a site's Device Management.
type deviceTabs struct {
	SiteID  int64
	Current string
}

// --- Device Types tab ---

type siteDeviceTypesPage struct {
	Site    directory.Group
	Tabs    deviceTabs
	Types   []devices.SiteType
	Options []devices.OptionInfo
	Masks   []maskRow
	Mask    *form
	Fields  []optionField
}

type maskRow struct {
	devices.Mask
	// Summary lists the options the mask sets.
	Summary string
	// Carried names the types carrying the mask.
	Carried []string
}

func (p *Pages) siteDeviceTypes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderSiteDeviceTypes(w, r, http.StatusOK, id, newForm(nil))
}

func (p *Pages) renderSiteDeviceTypes(w http.ResponseWriter, r *http.Request, code int, siteID int64, mf *form) error {
	ctx, a := r.Context(), actorOf(r)
	sts, err := p.app.Devices.SiteDeviceTypes(ctx, a, siteID)
	if err != nil {
		return err
	}
	ms, err := p.app.Devices.Masks(ctx, a, siteID)
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, siteID)
	if err != nil {
		return err
	}
	v, err := p.siteView(r, g, "device-types", g.Name+": Device Types")
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, st := range sts {
		names[st.Type.ID] = st.Type.Name()
	}
	page := siteDeviceTypesPage{Site: g, Tabs: deviceTabs{siteID, "types"}, Types: sts, Options: devices.OptionList(), Mask: mf}
	for _, m := range ms {
		row := maskRow{Mask: m}
		var parts []string
		for _, o := range m.Settings.Set() {
			e := devices.Resolve(devices.Type{Capabilities: devices.Capabilities{Options: devices.AllOptions}}, devices.Layer{Source: devices.SourceMask, Settings: m.Settings})
			parts = append(parts, devices.OptionInfos[o].Label+" "+e.Value(o))
		}
		row.Summary = strings.Join(parts, ", ")
		for _, t := range m.TypeIDs {
			if n, ok := names[t]; ok {
				row.Carried = append(row.Carried, n)
			}
		}
		page.Masks = append(page.Masks, row)
	}
	// The mask form offers every option: a mask applies to several types.
	all := devices.Type{Capabilities: devices.Capabilities{VDM: true, Options: devices.AllOptions}}
	page.Fields = optionFields(all, mf, devices.Defaults())
	for i := range page.Fields {
		page.Fields[i].Inherited = ""
	}
	v.Data = page
	p.render(w, r, code, "site_device_types", v)
	return nil
}

func (p *Pages) maskCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	s := deviceSettingsForm(f, devices.AllOptions)
	_, err = p.app.Devices.CreateMask(r.Context(), actorOf(r), id, devices.MaskRequest{Name: f.V("name"), Settings: s})
	if err == nil && !f.Invalid() {
		redirectFlash(w, r, "/sites/"+itoa64(id)+"/device-types#masks", "mask-saved")
		return nil
	}
	if err != nil && !f.addErr(err, append(optionErrFields(), "name", "settings")...) {
		return err
	}
	moveOptionErrs(f)
	return p.renderSiteDeviceTypes(w, r, http.StatusUnprocessableEntity, id, f)
}

func (p *Pages) maskApply(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var typeIDs []int64
	for _, v := range r.PostForm["type_id"] {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			typeIDs = append(typeIDs, n)
		}
	}
	m, err := p.app.Devices.ViewMask(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if _, err := p.app.Devices.ApplyMask(r.Context(), actorOf(r), id, typeIDs); err != nil {
		f := newForm(nil)
		if !f.addErr(err) {
			return err
		}
		return p.renderSiteDeviceTypes(w, r, http.StatusUnprocessableEntity, m.SiteID, f)
	}
	redirectFlash(w, r, "/sites/"+itoa64(m.SiteID)+"/device-types", "mask-applied")
	return nil
}

func (p *Pages) maskDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	m, err := p.app.Devices.ViewMask(r.Context(), actorOf(r), id)
	if err != nil {
		return err
	}
	if err := p.app.Devices.DeleteMask(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(m.SiteID)+"/device-types#masks", "mask-deleted")
	return nil
}

// --- a type's customisation at a site ---

type siteDeviceTypePage struct {
	Site   directory.Group
	Tabs   deviceTabs
	ST     devices.SiteType
	Fields []optionField
	Form   *form
	// Below is what the type would be without its own options (defaults
	// and its mask); Inherited of each field says it.
	CanReboot bool
}

func (p *Pages) siteTypeIDs(r *http.Request) (int64, int64, error) {
	siteID, err := pathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	typeID, err := pathID(r, "type_id")
	return siteID, typeID, err
}

func (p *Pages) siteDeviceType(w http.ResponseWriter, r *http.Request) error {
	siteID, typeID, err := p.siteTypeIDs(r)
	if err != nil {
		return err
	}
	return p.renderSiteDeviceType(w, r, http.StatusOK, siteID, typeID, nil)
}

func (p *Pages) renderSiteDeviceType(w http.ResponseWriter, r *http.Request, code int, siteID, typeID int64, f *form) error {
	st, err := p.app.Devices.SiteDeviceType(r.Context(), actorOf(r), siteID, typeID)
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, siteID)
	if err != nil {
		return err
	}
	if f == nil {
		vals := settingsValues(st.Settings)
		if st.VDMAvailableToEmployees {
			vals.Set("vdm_available_to_employees", "1")
		}
		f = newForm(vals)
	}
	v, err := p.siteView(r, g, "device-types", st.Type.Name()+" · "+g.Name+": Device Types")
	if err != nil {
		return err
	}
	// Without its own options the type is at the product defaults, then
	// its mask.
	var below []devices.Layer
	if st.Mask != nil {
		below = append(below, devices.Layer{Source: devices.SourceMask, Settings: maskSettingsOf(st)})
	}
	v.Data = siteDeviceTypePage{Site: g, Tabs: deviceTabs{siteID, "types"}, ST: st, Form: f,
		Fields: optionFields(st.Type, f, devices.Resolve(st.Type, below...)), CanReboot: st.Devices > 0}
	p.render(w, r, code, "site_device_type", v)
	return nil
}

// maskSettingsOf recovers the options a type's mask gives it from the
// effective settings' sources.
func maskSettingsOf(st devices.SiteType) devices.Settings {
	var s devices.Settings
	e := st.Effective
	for o, src := range e.Sources {
		if src != devices.SourceMask {
			continue
		}
		switch o {
		case devices.OptACD:
			s.ACD = &e.ACD
		case devices.OptBLF:
			s.BLF = &e.BLF
		case devices.OptCodec:
			s.Codec = &e.Codec
		case devices.OptDC:
			s.DC = &e.DC
		case devices.OptMCN:
			s.MCN = &e.MCN
		case devices.OptTransferType:
			s.TransferType = &e.TransferType
		case devices.OptPowerSave:
			s.PowerSave = &e.PowerSave
		case devices.OptVideoCodec:
			s.VideoCodec = &e.VideoCodec
		}
	}
	return s
}

func (p *Pages) siteDeviceTypeSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	siteID, typeID, err := p.siteTypeIDs(r)
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	req := devices.SiteTypeRequest{Settings: deviceSettingsForm(f, devices.AllOptions)}
	if f.V("vdm_box") != "" {
		on := f.V("vdm_available_to_employees") != ""
		req.VDMAvailableToEmployees = &on
	}
	if !f.Invalid() {
		if _, err = p.app.Devices.CustomiseSiteType(r.Context(), actorOf(r), siteID, typeID, req); err == nil {
			redirectFlash(w, r, "/sites/"+itoa64(siteID)+"/device-types/"+itoa64(typeID), "type-customised")
			return nil
		}
		if !f.addErr(err, optionErrFields()...) {
			return err
		}
	}
	moveOptionErrs(f)
	return p.renderSiteDeviceType(w, r, http.StatusUnprocessableEntity, siteID, typeID, f)
}

func (p *Pages) siteDeviceTypeReset(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	siteID, typeID, err := p.siteTypeIDs(r)
	if err != nil {
		return err
	}
	reboot := r.PostForm.Get("reboot") != ""
	res, err := p.app.Devices.ResetSiteType(r.Context(), actorOf(r), siteID, typeID, reboot)
	if err != nil {
		return err
	}
	msg := "type-reset"
	switch {
	case res.RebootRefused != "":
		msg = "reboot-not-taken"
	case res.RebootJobID != 0:
		msg = "type-reset-boot"
	}
	redirectFlash(w, r, "/sites/"+itoa64(siteID)+"/device-types/"+itoa64(typeID), msg)
	return nil
}

func (p *Pages) siteDeviceTypeUnmask(w http.ResponseWriter, r *http.Request) error {
	siteID, typeID, err := p.siteTypeIDs(r)
	if err != nil {
		return err
	}
	if _, err := p.app.Devices.RemoveMask(r.Context(), actorOf(r), siteID, typeID); err != nil {
		return err
	}
	redirectFlash(w, r, "/sites/"+itoa64(siteID)+"/device-types", "mask-removed")
	return nil
}

// --- a device ---

type devicePage struct {
	Site   directory.Group
	Tabs   deviceTabs
	C      devices.DeviceCustomisation
	Types  []devices.Type
	Edit   *form
	Custom *form
	Fields []optionField
}

func (p *Pages) devicePage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderDevicePage(w, r, http.StatusOK, id, nil, nil)
}

func (p *Pages) renderDevicePage(w http.ResponseWriter, r *http.Request, code int, id int64, edit, custom *form) error {
	ctx, a := r.Context(), actorOf(r)
	c, err := p.app.Devices.ViewDeviceCustomisation(ctx, a, id)
	if err != nil {
		return err
	}
	g, err := p.siteFrame(r, c.Device.SiteID)
	if err != nil {
		return err
	}
	ts, err := p.app.Devices.DeviceTypes(ctx, a)
	if err != nil {
		return err
	}
	if edit == nil {
		name := c.Device.Name
		edit = newForm(url.Values{"name": {name}, "type_id": {itoa64(c.Device.TypeID)}, "mac": {c.Device.MAC}, "label": {c.Device.Label}})
	}
	if custom == nil {
		custom = newForm(settingsValues(c.Settings))
	}
	v, err := p.siteView(r, g, "devices", c.Device.Name+" · "+g.Name+": Devices")
	if err != nil {
		return err
	}
	v.Data = devicePage{Site: g, Tabs: deviceTabs{g.ID, "devices"}, C: c, Types: ts, Edit: edit, Custom: custom,
		Fields: optionFields(c.Type, custom, c.Inherited)}
	p.render(w, r, code, "device_page", v)
	return nil
}

func (p *Pages) deviceSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	typeID, _ := strconv.ParseInt(f.V("type_id"), 10, 64)
	_, err = p.app.Devices.ModifyDevice(r.Context(), actorOf(r), id, devices.DeviceUpdate{Name: f.V("name"), TypeID: typeID, MAC: f.V("mac"), Label: f.V("label")})
	if err == nil {
		redirectFlash(w, r, "/devices/"+itoa64(id), "device-saved")
		return nil
	}
	if !f.addErr(err, "name", "type_id", "mac", "label") {
		return err
	}
	return p.renderDevicePage(w, r, http.StatusUnprocessableEntity, id, f, nil)
}

func (p *Pages) deviceCustomise(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	s := deviceSettingsForm(f, devices.AllOptions)
	if !f.Invalid() {
		if _, err = p.app.Devices.CustomiseDevice(r.Context(), actorOf(r), id, s); err == nil {
			redirectFlash(w, r, "/devices/"+itoa64(id)+"#customise", "device-custom")
			return nil
		}
		if !f.addErr(err, optionErrFields()...) {
			return err
		}
	}
	moveOptionErrs(f)
	return p.renderDevicePage(w, r, http.StatusUnprocessableEntity, id, nil, f)
}

func (p *Pages) deviceReset(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	res, err := p.app.Devices.ResetDevice(r.Context(), actorOf(r), id, r.PostForm.Get("reboot") != "")
	if err != nil {
		return err
	}
	msg := "device-reset"
	switch {
	case res.RebootRefused != "":
		msg = "reboot-not-taken"
	case res.RebootJobID != 0:
		msg = "device-reset-bt"
	}
	redirectFlash(w, r, "/devices/"+itoa64(id)+"#customise", msg)
	return nil
}

// --- the catalog's device type page ---

type deviceTypeEditPage struct {
	Type    devices.Type
	Form    *form
	Options []devices.OptionInfo
}

func (p *Pages) deviceTypeEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return p.renderDeviceTypeEdit(w, r, http.StatusOK, id, nil)
}

func (p *Pages) renderDeviceTypeEdit(w http.ResponseWriter, r *http.Request, code int, id int64, f *form) error {
	// A management page: who may not change the catalog is refused by the
	// catalog's own read (catalog.CatalogToManage).
	ctx, a := r.Context(), actorOf(r)
	if _, err := p.app.Catalog.CatalogToManage(ctx, a); err != nil {
		return err
	}
	t, err := p.app.Devices.ViewDeviceType(ctx, a, id)
	if err != nil {
		return err
	}
	if f == nil {
		vals := url.Values{"vendor": {t.Vendor}, "model": {t.Model}, "line_keys_per_page": {strconv.Itoa(t.LineKeysPerPage)},
			"pages": {strconv.Itoa(t.Pages)}, "soft_keys": {strconv.Itoa(t.SoftKeys)}, "sidecar_model": {t.SidecarModel},
			"sidecar_max": {strconv.Itoa(t.SidecarMax)}, "sidecar_keys": {strconv.Itoa(t.SidecarKeys)}, "ports": {strconv.Itoa(t.Ports)}, "ring_tones": {strings.Join(t.RingTones, "\n")}}
		if t.VDM {
			vals.Set("vdm", "1")
		}
		for _, o := range t.Options {
			vals.Add("options", string(o))
		}
		f = newForm(vals)
	}
	v, err := p.newView(r, 0, "customers", "Edit "+t.Name()+" · Catalog")
	if err != nil {
		return err
	}
	providerSide(v, "catalog")
	v.Data = deviceTypeEditPage{Type: t, Form: f, Options: devices.OptionList()}
	p.render(w, r, code, "device_type_edit", v)
	return nil
}

var deviceTypeFields = []string{"vendor", "model", "line_keys_per_page", "pages", "soft_keys", "sidecar_model", "sidecar_max", "sidecar_keys", "options", "ring_tones", "ports"}

func (p *Pages) deviceTypeSave(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	num := func(name string) int {
		n, err := strconv.Atoi(strings.TrimSpace(f.V(name)))
		if err != nil {
			f.add(name, "Enter a whole number.")
		}
		return n
	}
	// A form from before the field existed leaves it out: 0, which the
	// catalog's validation explains when the type has a sidecar.
	optionalNum := func(name string) int {
		if strings.TrimSpace(f.V(name)) == "" {
			return 0
		}
		return num(name)
	}
	req := devices.TypeUpdate{Vendor: f.V("vendor"), Model: f.V("model"), Capabilities: devices.Capabilities{
		VDM: f.V("vdm") != "", LineKeysPerPage: num("line_keys_per_page"), Pages: num("pages"), SoftKeys: num("soft_keys"),
		SidecarModel: f.V("sidecar_model"), SidecarMax: num("sidecar_max"), SidecarKeys: optionalNum("sidecar_keys"), Ports: num("ports"), Options: []devices.Option{}}}
	for _, o := range r.PostForm["options"] {
		req.Options = append(req.Options, devices.Option(o))
	}
	for _, line := range strings.Split(f.V("ring_tones"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			req.RingTones = append(req.RingTones, line)
		}
	}
	if !f.Invalid() {
		if _, err = p.app.Devices.ModifyDeviceType(r.Context(), actorOf(r), id, req); err == nil {
			redirectFlash(w, r, "/catalog#device-types", "devtype-saved")
			return nil
		}
		if !f.addErr(err, deviceTypeFields...) {
			return err
		}
	}
	return p.renderDeviceTypeEdit(w, r, http.StatusUnprocessableEntity, id, f)
}
