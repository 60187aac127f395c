package ui

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

// The employee's Devices tab (docs/devices.md, "Shared call appearances"):
// the primary device and up to five shared call appearances.
//
//	GET  /employees/{id}/devices                       the tab, with Add
//	POST /employees/{id}/devices                       add an appearance
//	POST /employees/{id}/devices/{line_id}/options     its two boxes
//	POST /employees/{id}/devices/{line_id}/remove      remove it

func init() {
	pageNames = append(pageNames, "employee_devices")
	flashes["sca-saved"] = "The shared appearance's options have been saved."
	flashes["sca-removed"] = "The shared appearance has been removed: its line no longer registers, and the phone drops it with its next configuration."
}

func (p *Pages) registerEmployeeDevices(auth func(string, handlerFunc)) {
	auth("GET /employees/{id}/devices", p.employeeDevices)
	auth("POST /employees/{id}/devices", p.employeeDeviceAdd)
	auth("POST /employees/{id}/devices/{line_id}/options", p.employeeDeviceOptions)
	auth("POST /employees/{id}/devices/{line_id}/remove", p.employeeDeviceRemove)
}

type employeeDevicesPage struct {
	Employee directory.Employee
	Tab      devices.EmployeeDevices
	// Free are the devices of the site an appearance may go on now; Types
	// the device types for a new one.
	Free  []option
	Types []option
	Form  *form
	// SoftMAC is a new soft client's MAC with the employee's number.
	SoftMAC string
	// NewMode: the form is on "new device".
	NewMode bool
	// Added is the appearance just added, with its password (shown once).
	Added *devices.SharedAppearanceCredentials
}

func (p *Pages) employeeDevices(w http.ResponseWriter, r *http.Request) error {
	return p.renderEmployeeDevices(w, r, http.StatusOK, newForm(url.Values{"mode": {"existing"}}), nil)
}

func (p *Pages) renderEmployeeDevices(w http.ResponseWriter, r *http.Request, code int, f *form, added *devices.SharedAppearanceCredentials) error {
	ctx, a := r.Context(), actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tab, err := p.app.Devices.EmployeeDeviceList(ctx, a, id)
	if err != nil {
		return err
	}
	e, err := p.app.Directory.Employee(ctx, id)
	if err != nil {
		return err
	}
	d := employeeDevicesPage{Employee: e, Tab: tab, Form: f, Added: added, NewMode: f.V("mode") == "new"}
	if tab.AddRefused == "" && tab.SiteID != 0 {
		// Devices of the site with a free port that do not carry the
		// employee's line already.
		rows, err := p.app.Devices.SearchSiteDevices(ctx, a, tab.SiteID, devices.DeviceFilter{MinAvailablePorts: 1})
		if err != nil {
			return err
		}
		mine := map[int64]bool{}
		if tab.Primary != nil {
			mine[tab.Primary.ID] = true
		}
		for _, x := range tab.Appearances {
			mine[x.DeviceID] = true
		}
		for _, x := range rows {
			if mine[x.ID] {
				continue
			}
			user := "no user"
			if x.User != "" {
				user = "user " + x.User
			}
			d.Free = append(d.Free, option{Value: itoa64(x.ID), Label: fmt.Sprintf("%s · %s · %s · %s · %d of %d ports free", x.Name, x.MAC, x.TypeName, user, x.AvailablePorts, x.Ports),
				Selected: f.V("device_id") == itoa64(x.ID)})
		}
		types, err := p.typeOptions(ctx, a.ProviderID)
		if err != nil {
			return err
		}
		for _, t := range types {
			t.Selected = t.Value == f.V("new.type_id")
			d.Types = append(d.Types, t)
		}
		if len(d.Free) == 0 {
			d.NewMode = true
		}
		svc, err := p.app.Lifecycle.ServiceOf(ctx, a, id)
		if err != nil {
			return err
		}
		if svc.Number != nil {
			d.SoftMAC = softMAC(svc.Number.E164)
		}
	}
	v, err := p.newView(r, e.CompanyID, "employees", "Devices · "+e.DisplayName())
	if err != nil {
		return err
	}
	employeesSide(v, &e, "devices")
	v.Data = d
	p.render(w, r, code, "employee_devices", v)
	return nil
}

func (p *Pages) employeeDeviceAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := newForm(r.PostForm)
	req := devices.SharedAppearanceRequest{AlertAllAppearances: f.V("alert_all_appearances") == "on", AllowCallMove: f.V("allow_call_move") == "on"}
	if f.V("mode") == "new" {
		// A type that is no number is no type: devices answers it.
		typeID, _ := strconv.ParseInt(f.V("new.type_id"), 10, 64)
		req.NewDevice = &devices.NewDeviceRequest{Name: f.V("new.name"), TypeID: typeID, MAC: f.V("new.mac")}
	} else {
		req.DeviceID, _ = strconv.ParseInt(f.V("device_id"), 10, 64)
	}
	added, err := p.app.Devices.AddSharedAppearance(r.Context(), actorOf(r), id, req)
	if err != nil {
		if !f.addErr(err, "device_id", "name", "type_id", "mac") {
			return err
		}
		// The new device's fields are named new.* on the page.
		for _, k := range []string{"name", "type_id", "mac"} {
			for _, m := range f.Errs[k] {
				f.add("new."+k, m)
			}
			f.drop(k)
		}
		if req.NewDevice != nil && req.NewDevice.TypeID == 0 && len(f.Errs["new.type_id"]) > 0 {
			f.drop("new.type_id")
			f.add("new.type_id", "Choose the device type.")
		}
		if req.NewDevice == nil && req.DeviceID == 0 {
			f.drop("device_id")
			f.add("device_id", "Choose the device, or choose New device.")
		}
		return p.renderEmployeeDevices(w, r, http.StatusUnprocessableEntity, f, nil)
	}
	// The password is shown this once, on the page the POST answers.
	w.Header().Set("Cache-Control", "no-store")
	return p.renderEmployeeDevices(w, r, http.StatusOK, newForm(url.Values{"mode": {"existing"}}), &added)
}

func (p *Pages) employeeDeviceOptions(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lineID, err := pathID(r, "line_id")
	if err != nil {
		return err
	}
	alert, move := r.PostForm.Get("alert_all_appearances") == "on", r.PostForm.Get("allow_call_move") == "on"
	if _, err := p.app.Devices.ModifySharedAppearance(r.Context(), actorOf(r), id, lineID,
		devices.SharedAppearanceUpdate{AlertAllAppearances: &alert, AllowCallMove: &move}); err != nil {
		return err
	}
	redirectFlash(w, r, "/employees/"+itoa64(id)+"/devices", "sca-saved")
	return nil
}

func (p *Pages) employeeDeviceRemove(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	lineID, err := pathID(r, "line_id")
	if err != nil {
		return err
	}
	if err := p.app.Devices.RemoveSharedAppearance(r.Context(), actorOf(r), id, lineID); err != nil {
		return err
	}
	redirectFlash(w, r, "/employees/"+itoa64(id)+"/devices", "sca-removed")
	return nil
}

// drop removes a field's errors from the form.
func (f *form) drop(field string) {
	delete(f.Errs, field)
	f.order = slices.DeleteFunc(f.order, func(n string) bool { return n == field })
}
