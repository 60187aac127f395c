package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
)

func (p *Pages) registerCatalog(auth func(string, handlerFunc)) {
	auth("GET /catalog", p.catalogPage)
	auth("POST /catalog/features", p.catalogFeatureCreate)
	auth("POST /catalog/features/{id}/delete", p.catalogDelete("feature"))
	auth("POST /catalog/packages", p.catalogPackageCreate)
	auth("POST /catalog/packages/{id}/delete", p.catalogDelete("package"))
	auth("POST /catalog/terms", p.catalogTermCreate)
	auth("POST /catalog/terms/{id}/delete", p.catalogDelete("term"))
	auth("POST /device-types", p.deviceTypeCreate)
}

type catalogView struct {
	Features []catalog.Feature
	Packages []catalog.Package
	Terms    []catalog.Term
	Types    []devices.Type
	// One form per section; the one submitted carries its errors.
	Feature, Package, Term, DeviceType *form
}

func (p *Pages) requireCatalog(r *http.Request) (int64, error) {
	a := actorOf(r)
	return a.ProviderID, p.app.Access.Check(r.Context(), a, access.ManageCatalog, access.Provider(a.ProviderID))
}

func (p *Pages) catalogPage(w http.ResponseWriter, r *http.Request) error {
	if _, err := p.requireCatalog(r); err != nil {
		return err
	}
	return p.renderCatalog(w, r, http.StatusOK, catalogView{})
}

func (p *Pages) renderCatalog(w http.ResponseWriter, r *http.Request, status int, cv catalogView) error {
	ctx, providerID := r.Context(), actorOf(r).ProviderID
	var err error
	if cv.Features, err = p.app.Catalog.Features(ctx, providerID); err != nil {
		return err
	}
	if cv.Packages, err = p.app.Catalog.Packages(ctx, providerID, catalog.PackageFilter{}); err != nil {
		return err
	}
	if cv.Terms, err = p.app.Catalog.Terms(ctx, providerID); err != nil {
		return err
	}
	if cv.Types, err = p.app.Devices.Types(ctx, providerID); err != nil {
		return err
	}
	for _, f := range []**form{&cv.Feature, &cv.Package, &cv.Term, &cv.DeviceType} {
		if *f == nil {
			*f = newForm(nil)
		}
	}
	v, err := p.newView(r, 0, "customers", "Catalog")
	if err != nil {
		return err
	}
	serviceSide(v, "catalog")
	v.Data = cv
	p.render(w, r, status, "catalog", v)
	return nil
}

func (p *Pages) catalogFeatureCreate(w http.ResponseWriter, r *http.Request) error {
	providerID, err := p.requireCatalog(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	_, err = p.app.Catalog.CreateFeature(r.Context(), providerID, catalog.FeatureRequest{Code: f.V("code"), Name: f.V("name"),
		Category: f.V("category"), Description: f.V("description")})
	return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.Feature = f }, "code", "name", "category", "description")
}

func (p *Pages) catalogPackageCreate(w http.ResponseWriter, r *http.Request) error {
	providerID, err := p.requireCatalog(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	var ids []int64
	for _, s := range f.Values["feature_ids"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			ids = append(ids, id)
		}
	}
	kind, typ, _ := strings.Cut(f.V("kind_type"), ":")
	_, err = p.app.Catalog.CreatePackage(r.Context(), providerID, catalog.PackageRequest{Type: catalog.Type(typ), Kind: catalog.Kind(kind),
		Name: f.V("name"), Description: f.V("description"), FeatureIDs: ids})
	return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.Package = f }, "name", "description", "feature_ids")
}

func (p *Pages) catalogTermCreate(w http.ResponseWriter, r *http.Request) error {
	providerID, err := p.requireCatalog(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	months, err1 := strconv.Atoi(strings.TrimSpace(f.V("months")))
	rank, err2 := strconv.Atoi(strings.TrimSpace(f.V("rank")))
	if err1 != nil {
		f.add("months", "Enter the number of months as a whole number.")
	}
	if err2 != nil {
		f.add("rank", "Enter the rank as a whole number.")
	}
	if f.Invalid() {
		return p.renderCatalog(w, r, http.StatusUnprocessableEntity, catalogView{Term: f})
	}
	_, err = p.app.Catalog.CreateTerm(r.Context(), providerID, catalog.TermRequest{Name: f.V("name"), Months: months, Rank: rank})
	return p.catalogDone(w, r, err, f, func(cv *catalogView) { cv.Term = f }, "name", "months", "rank")
}

func (p *Pages) deviceTypeCreate(w http.ResponseWriter, r *http.Request) error {
	providerID, err := p.requireCatalog(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	_, err = p.app.Devices.CreateType(r.Context(), providerID, devices.Type{Vendor: f.V("vendor"), Model: f.V("model"), SoftClient: f.V("soft_client") != ""})
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

// catalogDelete removes a feature, package or term; one still in use is
// refused with the catalog's reason, shown as an error page with a way back.
func (p *Pages) catalogDelete(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		providerID, err := p.requireCatalog(r)
		if err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		switch kind {
		case "feature":
			err = p.app.Catalog.DeleteFeature(r.Context(), providerID, id)
		case "package":
			err = p.app.Catalog.DeletePackage(r.Context(), providerID, id)
		default:
			err = p.app.Catalog.DeleteTerm(r.Context(), providerID, id)
		}
		if err != nil {
			return err
		}
		redirectFlash(w, r, "/catalog", "catalog-deleted")
		return nil
	}
}
