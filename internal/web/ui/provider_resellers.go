package ui

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// registerResellers adds the provider's Resellers page: the resellers, a
// form to add one, and on each a form to add an administrator login
// (tenancy.AddReseller, tenancy.AddResellerAdmin; provider operators only).
//
//	GET  /resellers               the list and the forms
//	POST /resellers               add a reseller
//	POST /resellers/admins        add an administrator to the reseller chosen
func (p *Pages) registerResellers(auth func(string, handlerFunc)) {
	auth("GET /resellers", p.resellers)
	auth("POST /resellers", p.resellerAdd)
	auth("POST /resellers/admins", p.resellerAdminAdd)
}

func init() {
	pageNames = append(pageNames, "resellers")
	flashes["reseller-added"] = "The reseller has been added."
	flashes["reseller-admin-added"] = "The reseller administrator has been added. Give them their username and password."
}

type resellersPage struct {
	Resellers []tenancy.Reseller
	// Form is the add-reseller form, Admin the add-administrator one.
	Form  *form
	Admin *form
}

// Chosen reports whether the add-administrator form names reseller id.
func (d resellersPage) Chosen(id int64) bool { return d.Admin.V("reseller_id") == itoa64(id) }

func (p *Pages) resellers(w http.ResponseWriter, r *http.Request) error {
	return p.renderResellers(w, r, http.StatusOK, resellersPage{})
}

func (p *Pages) renderResellers(w http.ResponseWriter, r *http.Request, status int, d resellersPage) error {
	rs, err := p.app.Tenancy.Resellers(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	d.Resellers = rs
	if d.Form == nil {
		d.Form = newForm(nil)
	}
	if d.Admin == nil {
		d.Admin = newForm(nil)
	}
	v, err := p.newView(r, 0, "customers", "Resellers")
	if err != nil {
		return err
	}
	providerSide(v, "resellers")
	v.Data = d
	p.render(w, r, status, "resellers", v)
	return nil
}

func (p *Pages) resellerAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	if _, err := p.app.Tenancy.AddReseller(r.Context(), actorOf(r), f.V("name")); err != nil {
		if f.addErr(err, "name") {
			return p.renderResellers(w, r, http.StatusUnprocessableEntity, resellersPage{Form: f})
		}
		return err
	}
	redirectFlash(w, r, "/resellers", "reseller-added")
	return nil
}

func (p *Pages) resellerAdminAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	// A reseller that is no number is none: tenancy answers it as an
	// unknown reseller, after deciding whether the actor may add one.
	id, _ := strconv.ParseInt(f.V("reseller_id"), 10, 64)
	req := tenancy.ResellerAdminRequest{Username: f.V("username"), Password: f.V("password")}
	if _, err := p.app.Tenancy.AddResellerAdmin(r.Context(), actorOf(r), id, req); err != nil {
		// The reseller is a field of this form: one the actor cannot
		// see is an unknown choice, as any other unknown id in a field.
		if derrors.IsNotFound(err) {
			f.add("reseller_id", "Choose one of the resellers listed.")
		} else if !f.addErr(err, "username", "password") {
			return err
		}
		return p.renderResellers(w, r, http.StatusUnprocessableEntity, resellersPage{Admin: f})
	}
	redirectFlash(w, r, "/resellers", "reseller-admin-added")
	return nil
}
