package ui

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

// registerCatalog adds the provider's Catalog page: features, feature
// packages and add-ons, terms (each listed, added, edited and deleted as
// the catalog API allows) and device types (listed and added).
//
//	GET      /catalog                                       the lists and the add forms
//	POST     /catalog/{features,packages,terms}             add
//	GET/POST /catalog/{features,packages,terms}/{id}        edit one entry
//	POST     /catalog/{features,packages,terms}/{id}/delete delete one entry
func (p *Pages) registerCatalog(auth func(string, handlerFunc)) {
	auth("GET /catalog", p.catalogPage)
	auth("POST /catalog/features", p.catalogFeatureCreate)
	auth("POST /catalog/packages", p.catalogPackageCreate)
	auth("POST /catalog/terms", p.catalogTermCreate)
	for _, kind := range []string{catalogFeature, catalogPackage, catalogTerm} {
		auth("GET /catalog/"+kind+"s/{id}", p.catalogEdit(kind))
		auth("POST /catalog/"+kind+"s/{id}", p.catalogSave(kind))
		auth("POST /catalog/"+kind+"s/{id}/delete", p.catalogDelete(kind))
	}
	auth("POST /device-types", p.deviceTypeCreate)
}

// The kinds of catalog entry the page edits.
const (
	catalogFeature = "feature"
	catalogPackage = "package"
	catalogTerm    = "term"
)

// The form fields of each kind, named as the catalog's errors name them.
var (
	featureFields = []string{"code", "name", "category", "description"}
	packageFields = []string{"name", "description", "feature_ids"}
	termFields    = []string{"name", "months", "rank"}
)

type catalogView struct {
	Features []catalog.Feature
	Packages []catalog.Package
	Terms    []catalog.Term
	Types    []devices.Type
	// One form per section; the one submitted carries its errors.
	Feature, Package, Term, DeviceType *form
	// Edit, when set, makes the page the edit page of one entry.
	Edit *catalogEntry
	// InUse is why an entry's Delete is disabled (catalog.CatalogToManage
	// asks the check the delete makes).
	InUse catalog.InUse
}

// EditRefused is why the entry being edited cannot be deleted, or "".
func (cv catalogView) EditRefused() string {
	if cv.Edit == nil {
		return ""
	}
	return cv.Refused(cv.Edit.Kind, cv.Edit.ID)
}

// deleteCell is the Delete of one entry in a list.
type deleteCell struct {
	Kind, Name, Refused, CSRF string
	ID                        int64
}

// Delete is the Delete cell of entry id of kind.
func (cv catalogView) Delete(kind string, id int64, name, csrf string) deleteCell {
	return deleteCell{Kind: kind, ID: id, Name: name, Refused: cv.Refused(kind, id), CSRF: csrf}
}

// Refused is why the entry id of kind cannot be deleted, or "".
func (cv catalogView) Refused(kind string, id int64) string {
	switch kind {
	case catalogFeature:
		return sentence(cv.InUse.Features[id])
	case catalogPackage:
		return sentence(cv.InUse.Packages[id])
	}
	return sentence(cv.InUse.Terms[id])
}

// catalogEntry is the edit page of one feature, package or term.
type catalogEntry struct {
	Kind string
	ID   int64
	// Name is the entry's saved name, for the heading.
	Name string
	// For says what a package is for ("Employee add-on"); it is fixed once
	// the package exists.
	For  string
	Form *form
}

// Action is where the edit form posts (and, with "/delete", the delete).
func (e *catalogEntry) Action() string { return "/catalog/" + e.Kind + "s/" + itoa64(e.ID) }

// Label names the kind of entry in headings.
func (e *catalogEntry) Label() string {
	if e.Kind == catalogPackage {
		return strings.ToLower(e.For[:1]) + e.For[1:]
	}
	return e.Kind
}

// packageForm is what the "catalog-package-fields" template draws: the
// package's fields and the features to choose from.
type packageForm struct {
	Form     *form
	Features []catalog.Feature
}

// PackageFields pairs f with the provider's features.
func (cv catalogView) PackageFields(f *form) packageForm {
	return packageForm{Form: f, Features: cv.Features}
}

// packageFor names what a package is for, as the list shows it.
func packageFor(x catalog.Package) string {
	s := "Employee "
	if x.Kind == catalog.KindSite {
		s = "Site "
	}
	if x.Type == catalog.TypeAddOn {
		return s + "add-on"
	}
	return s + "feature package"
}

func (p *Pages) catalogPage(w http.ResponseWriter, r *http.Request) error {
	return p.renderCatalog(w, r, http.StatusOK, catalogView{})
}

func (p *Pages) renderCatalog(w http.ResponseWriter, r *http.Request, status int, cv catalogView) error {
	// The page changes the catalog, so only who may change it opens it
	// (catalog.CatalogToManage).
	ctx, a := r.Context(), actorOf(r)
	m, err := p.app.Catalog.CatalogToManage(ctx, a)
	if err != nil {
		return err
	}
	cv.Features, cv.Packages, cv.Terms, cv.InUse = m.Features, m.Packages, m.Terms, m.InUse
	if cv.Types, err = p.app.Devices.DeviceTypes(ctx, a); err != nil {
		return err
	}
	// Four forms share the page: each gets its own element ids.
	for prefix, f := range map[string]**form{"feature": &cv.Feature, "package": &cv.Package, "term": &cv.Term, "device-type": &cv.DeviceType} {
		if *f == nil {
			*f = newForm(nil)
		}
		(*f).Prefix = prefix
	}
	title := "Catalog"
	if cv.Edit != nil {
		title = "Edit " + cv.Edit.Name + " · Catalog"
	}
	v, err := p.newView(r, 0, "customers", title)
	if err != nil {
		return err
	}
	providerSide(v, "catalog")
	v.Data = cv
	p.render(w, r, status, "catalog", v)
	return nil
}

func (p *Pages) catalogFeatureCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	_, err := p.app.Catalog.AddFeature(r.Context(), actorOf(r), featureRequest(f))
	return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.Feature = f }, featureFields...)
}

func featureRequest(f *form) catalog.FeatureRequest {
	return catalog.FeatureRequest{Code: f.V("code"), Name: f.V("name"), Category: f.V("category"), Description: f.V("description")}
}

// featureIDs reads the ticked features; a value that is no id cannot come
// from the page's check boxes and is left out.
func featureIDs(f *form) []int64 {
	var ids []int64
	for _, s := range f.Values["feature_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	return ids
}

// termRequest reads a term's fields, putting a non-number on its field.
func termRequest(f *form) catalog.TermRequest {
	months, err1 := strconv.Atoi(strings.TrimSpace(f.V("months")))
	rank, err2 := strconv.Atoi(strings.TrimSpace(f.V("rank")))
	if err1 != nil {
		f.add("months", "Enter the number of months as a whole number.")
	}
	if err2 != nil {
		f.add("rank", "Enter the rank as a whole number.")
	}
	return catalog.TermRequest{Name: f.V("name"), Months: months, Rank: rank}
}

func (p *Pages) catalogPackageCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	kind, typ, _ := strings.Cut(f.V("kind_type"), ":")
	_, err := p.app.Catalog.AddPackage(r.Context(), actorOf(r), catalog.PackageRequest{Type: catalog.Type(typ), Kind: catalog.Kind(kind),
		Name: f.V("name"), Description: f.V("description"), FeatureIDs: featureIDs(f)})
	return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.Package = f }, packageFields...)
}

func (p *Pages) catalogTermCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	req := termRequest(f)
	if f.Invalid() {
		return p.renderCatalog(w, r, http.StatusUnprocessableEntity, catalogView{Term: f})
	}
	_, err := p.app.Catalog.AddTerm(r.Context(), actorOf(r), req)
	return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.Term = f }, termFields...)
}

func (p *Pages) deviceTypeCreate(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	_, err := p.app.Devices.AddDeviceType(r.Context(), actorOf(r), devices.Type{Vendor: f.V("vendor"), Model: f.V("model"), SoftClient: f.V("soft_client") != ""})
	if err == nil {
		redirectFlash(w, r, "/catalog#device-types", "devtype-added")
		return nil
	}
	return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.DeviceType = f }, "vendor", "model")
}

// catalogDone redirects after a successful change, or shows the catalog
// again with the submitted form's errors.
func (p *Pages) catalogDone(w http.ResponseWriter, r *http.Request, err error, f *form, put func(*catalogView), fields ...string) error {
	if err == nil {
		redirectFlash(w, r, "/catalog", "catalog-saved")
		return nil
	}
	if !f.addErr(err, fields...) {
		return err
	}
	var cv catalogView
	put(&cv)
	return p.renderCatalog(w, r, http.StatusUnprocessableEntity, cv)
}

// entry loads a feature, package or term of the provider for its edit
// page, the form holding vals (a submitted form) or, when nil, the entry's
// saved values. Another provider's entry is not found.
func (p *Pages) entry(ctx context.Context, a access.Actor, kind string, id int64, vals url.Values) (*catalogEntry, error) {
	e := &catalogEntry{Kind: kind, ID: id}
	var saved url.Values
	switch kind {
	case catalogFeature:
		x, err := p.app.Catalog.ViewFeature(ctx, a, id)
		if err != nil {
			return nil, err
		}
		e.Name = x.Name
		saved = url.Values{"code": {x.Code}, "name": {x.Name}, "category": {x.Category}, "description": {x.Description}}
	case catalogPackage:
		x, err := p.app.Catalog.ViewPackage(ctx, a, id)
		if err != nil {
			return nil, err
		}
		e.Name, e.For = x.Name, packageFor(x)
		saved = url.Values{"name": {x.Name}, "description": {x.Description}}
		for _, ft := range x.Features {
			saved.Add("feature_ids", itoa64(ft.ID))
		}
	default:
		x, err := p.app.Catalog.ViewTerm(ctx, a, id)
		if err != nil {
			return nil, err
		}
		e.Name = x.Name
		saved = url.Values{"name": {x.Name}, "months": {strconv.Itoa(x.Months)}, "rank": {strconv.Itoa(x.Rank)}}
	}
	if vals == nil {
		vals = saved
	}
	e.Form = newForm(vals)
	return e, nil
}

// catalogEdit is the edit page of one entry.
func (p *Pages) catalogEdit(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		e, err := p.entry(r.Context(), actorOf(r), kind, id, nil)
		if err != nil {
			return err
		}
		return p.renderCatalog(w, r, http.StatusOK, catalogView{Edit: e})
	}
}

// catalogSave replaces an entry through the catalog's Update methods (the
// API's PUT): each error is shown next to its field and nothing changes.
func (p *Pages) catalogSave(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := r.ParseForm(); err != nil {
			return derrors.Invalid("", "the form could not be read")
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		ctx, a := r.Context(), actorOf(r)
		e, err := p.entry(ctx, a, kind, id, r.PostForm)
		if err != nil {
			return err
		}
		f := e.Form
		var fields []string
		switch kind {
		case catalogFeature:
			fields = featureFields
			_, err = p.app.Catalog.ChangeFeature(ctx, a, id, featureRequest(f))
		case catalogPackage:
			fields = packageFields
			_, err = p.app.Catalog.ChangePackage(ctx, a, id, catalog.PackageUpdateRequest{Name: f.V("name"),
				Description: f.V("description"), FeatureIDs: featureIDs(f)})
		default:
			fields = termFields
			req := termRequest(f)
			if f.Invalid() {
				return p.renderCatalog(w, r, http.StatusUnprocessableEntity, catalogView{Edit: e})
			}
			_, err = p.app.Catalog.ChangeTerm(ctx, a, id, req)
		}
		return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.Edit = e }, fields...)
	}
}

// catalogDelete removes a feature, package or term. One still in use is
// refused with the catalog's reason, shown on the entry's edit page (409).
func (p *Pages) catalogDelete(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		ctx, a := r.Context(), actorOf(r)
		switch kind {
		case catalogFeature:
			err = p.app.Catalog.RemoveFeature(ctx, a, id)
		case catalogPackage:
			err = p.app.Catalog.RemovePackage(ctx, a, id)
		default:
			err = p.app.Catalog.RemoveTerm(ctx, a, id)
		}
		var con *derrors.ConflictError
		if errors.As(err, &con) {
			e, lerr := p.entry(ctx, a, kind, id, nil)
			if lerr != nil {
				return lerr
			}
			e.Form.General = append(e.Form.General, "It cannot be deleted: "+sentence(con.Message))
			return p.renderCatalog(w, r, http.StatusConflict, catalogView{Edit: e})
		}
		if err != nil {
			return err
		}
		redirectFlash(w, r, "/catalog", "catalog-deleted")
		return nil
	}
}
