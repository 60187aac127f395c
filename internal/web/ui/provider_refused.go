package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
)

// registerRefused adds the provider's Refused Extensions page: the codes the
// public network reserves, which no extension may be, each with the reason
// administrators are shown on Activate.
//
//	GET  /settings/refused-extensions                the list and the add form
//	POST /settings/refused-extensions                add a code
//	POST /settings/refused-extensions/{code}/delete  remove one
func (p *Pages) registerRefused(auth func(string, handlerFunc)) {
	auth("GET /settings/refused-extensions", p.refusedExtensions)
	auth("POST /settings/refused-extensions", p.refusedExtensionAdd)
	auth("POST /settings/refused-extensions/{code}/delete", p.refusedExtensionRemove)
}

// refusedFields are the add form's fields, named as numbering's errors name them.
var refusedFields = []string{"code", "length", "reason"}

type refusedPage struct {
	Codes []numbering.RefusedExtension
	Form  *form
}

func (p *Pages) refusedExtensions(w http.ResponseWriter, r *http.Request) error {
	// The page changes the list, so it is the provider's
	// (numbering.RefusedCodesToManage); administrators read the list on
	// Activate and on a site's Extension Policy.
	return p.renderRefused(w, r, http.StatusOK, newForm(nil))
}

func (p *Pages) renderRefused(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	codes, err := p.app.Numbering.RefusedCodesToManage(r.Context(), actorOf(r))
	if err != nil {
		return err
	}
	v, err := p.newView(r, 0, "customers", "Refused Extensions")
	if err != nil {
		return err
	}
	providerSide(v, "refused-extensions")
	v.Data = refusedPage{Codes: codes, Form: f}
	p.render(w, r, status, "refused_extensions", v)
	return nil
}

// refusedExtensionAdd mirrors POST /api/v1/settings/refused-extensions.
func (p *Pages) refusedExtensionAdd(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	x := numbering.RefusedExtension{Code: f.V("code"), Reason: f.V("reason")}
	switch f.V("match") {
	case "exact":
	case "prefix":
		x.Prefix = true
		if s := strings.TrimSpace(f.V("length")); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				f.add("length", "Enter the length as a whole number, or leave it empty for any length.")
			}
			x.Length = n
		}
	default:
		f.add("match", "Choose whether the code is refused exactly or as the start of longer extensions.")
	}
	if !f.Invalid() {
		_, err := p.app.Numbering.AddRefusedCode(r.Context(), actorOf(r), x)
		if err == nil {
			redirectFlash(w, r, "/settings/refused-extensions", "refused-added")
			return nil
		}
		if !f.addErr(err, refusedFields...) {
			return err
		}
	}
	return p.renderRefused(w, r, http.StatusUnprocessableEntity, f)
}

// refusedExtensionRemove mirrors DELETE /api/v1/settings/refused-extensions/{code}.
func (p *Pages) refusedExtensionRemove(w http.ResponseWriter, r *http.Request) error {
	if err := p.app.Numbering.DeleteRefusedCode(r.Context(), actorOf(r), r.PathValue("code")); err != nil {
		return err
	}
	redirectFlash(w, r, "/settings/refused-extensions", "refused-removed")
	return nil
}
