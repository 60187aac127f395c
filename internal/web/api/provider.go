package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// companyPath reads {id} as a company and checks action on it.
func (h *Handler) companyPath(r *http.Request, action access.Action) (int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	return id, h.app.Access.Check(r.Context(), actor(r), action, access.Company(id))
}

// listContacts is the Contacts of a customer. Operators see the private
// notes; the company's own administrators see the same list without them
// (the public notes are shown to them in their portal).
func (h *Handler) listContacts(w http.ResponseWriter, r *http.Request) error {
	id, err := h.companyPath(r, access.ManageCustomerContacts)
	private := err == nil
	var forb *derrors.ForbiddenError
	if errors.As(err, &forb) {
		_, err = h.companyPath(r, access.ViewCompanyDashboard)
	}
	if err != nil {
		return err
	}
	cs, err := h.app.Tenancy.Contacts(r.Context(), id)
	if err != nil {
		return err
	}
	if !private {
		for i := range cs {
			cs[i] = cs[i].Public()
		}
	}
	WriteJSON(w, http.StatusOK, list(cs, len(cs), pageOf(len(cs))))
	return nil
}

func (h *Handler) createContact(w http.ResponseWriter, r *http.Request) error {
	id, err := h.companyPath(r, access.ManageCustomerContacts)
	if err != nil {
		return err
	}
	var req app.CustomerContactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Tenancy.Company(r.Context(), id)
	if err != nil {
		return err
	}
	contact, err := h.app.AddCustomerContact(r.Context(), id, c.ProviderID, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/companies/"+strconv.FormatInt(id, 10)+"/contacts")
	WriteJSON(w, http.StatusCreated, contact)
	return nil
}

func (h *Handler) updateContact(w http.ResponseWriter, r *http.Request) error {
	id, err := h.companyPath(r, access.ManageCustomerContacts)
	if err != nil {
		return err
	}
	contactID, err := pathID(r, "contact_id")
	if err != nil {
		return err
	}
	var req tenancy.ContactUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := h.app.Tenancy.UpdateContact(r.Context(), id, contactID, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, c)
	return nil
}

// ContactPasswordRequest is the key icon's dialog: an empty or absent
// password means "Auto Generate & Email Password".
type ContactPasswordRequest struct {
	Password string `json:"password"`
}

func (h *Handler) resetContactPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := h.companyPath(r, access.ManageCustomerContacts)
	if err != nil {
		return err
	}
	contactID, err := pathID(r, "contact_id")
	if err != nil {
		return err
	}
	var req ContactPasswordRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.ResetContactPassword(r.Context(), actor(r), id, contactID, req.Password); err != nil {
		return err
	}
	msg := "The password has been changed; the contact must change it at the next login."
	if req.Password == "" {
		msg = "A new password has been generated and e-mailed to the contact."
	}
	WriteJSON(w, http.StatusOK, map[string]string{"message": msg})
	return nil
}

func (h *Handler) listInternalBlocks(w http.ResponseWriter, r *http.Request) error {
	id, err := h.companyPath(r, access.ViewCompanyDashboard)
	if err != nil {
		return err
	}
	bs, err := h.app.Numbering.InternalBlocks(r.Context(), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(bs, len(bs), pageOf(len(bs))))
	return nil
}

func (h *Handler) assignInternalBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := h.companyPath(r, access.ManageNumbering)
	if err != nil {
		return err
	}
	b, err := h.app.Numbering.AssignInternalBlock(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/companies/"+strconv.FormatInt(id, 10)+"/internal-number-blocks")
	WriteJSON(w, http.StatusCreated, b)
	return nil
}

func (h *Handler) removeInternalBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := h.companyPath(r, access.ManageNumbering)
	if err != nil {
		return err
	}
	blockID, err := pathID(r, "block_id")
	if err != nil {
		return err
	}
	if err := h.app.Numbering.RemoveInternalBlock(r.Context(), id, blockID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) numberRangeParameters(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.ManageNumbering, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	p, err := h.app.Numbering.NumberRangeParameters(r.Context(), a.ProviderID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

// NumberRangeParametersRequest is PUT /api/v1/settings/number-range-parameters.
type NumberRangeParametersRequest struct {
	Prefix    string `json:"prefix"`
	Digits    int    `json:"digits"`
	First     int64  `json:"first"`
	Last      int64  `json:"last"`
	BlockSize int64  `json:"block_size"`
}

func (h *Handler) setNumberRangeParameters(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.ManageNumbering, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	var req NumberRangeParametersRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := h.app.Numbering.SetNumberRangeParameters(r.Context(), a.ProviderID, numbering.NumberRangeParameters{
		Prefix: req.Prefix, Digits: req.Digits, First: req.First, Last: req.Last, BlockSize: req.BlockSize})
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, p)
	return nil
}

// RefusedExtension is one refused code as the API shows it: the stored
// entry and its label ("116xxx" for a prefix), the way the portal lists it.
type RefusedExtension struct {
	numbering.RefusedExtension
	Label string `json:"label"`
}

func refusedView(r numbering.RefusedExtension) RefusedExtension {
	return RefusedExtension{RefusedExtension: r, Label: r.Label()}
}

// listRefusedExtensions is the provider's list of codes no extension may
// be. Whoever activates employees reads it (Activate shows it next to the
// extension field); employees get 403.
func (h *Handler) listRefusedExtensions(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.ViewRefusedExtensions, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	rs, err := h.app.Numbering.RefusedExtensions(r.Context())
	if err != nil {
		return err
	}
	out := make([]RefusedExtension, 0, len(rs))
	for _, x := range rs {
		out = append(out, refusedView(x))
	}
	WriteJSON(w, http.StatusOK, list(out, len(out), pageOf(len(out))))
	return nil
}

// addRefusedExtension adds a code; provider operators only (the codes come
// from the public network the provider connects to).
func (h *Handler) addRefusedExtension(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.ManageNumbering, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	var req numbering.RefusedExtension
	if err := decode(r, &req); err != nil {
		return err
	}
	x, err := h.app.Numbering.AddRefusedExtension(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/settings/refused-extensions")
	WriteJSON(w, http.StatusCreated, refusedView(x))
	return nil
}

func (h *Handler) removeRefusedExtension(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	if err := h.app.Access.Check(r.Context(), a, access.ManageNumbering, access.Provider(a.ProviderID)); err != nil {
		return err
	}
	if err := h.app.Numbering.RemoveRefusedExtension(r.Context(), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listRanges(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.ViewNumbers, true)
	if err != nil {
		return err
	}
	rs, err := h.app.Numbering.Ranges(r.Context(), g.CompanyID, g.ID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(rs, len(rs), pageOf(len(rs))))
	return nil
}

func (h *Handler) addRange(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.ManageNumbering, true)
	if err != nil {
		return err
	}
	var req numbering.RangeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	rg, err := h.app.Numbering.AddRange(r.Context(), g.CompanyID, g.ID, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sites/"+strconv.FormatInt(g.ID, 10)+"/ranges")
	WriteJSON(w, http.StatusCreated, rg)
	return nil
}

func (h *Handler) removeRange(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.ManageNumbering, true)
	if err != nil {
		return err
	}
	rangeID, err := pathID(r, "range_id")
	if err != nil {
		return err
	}
	rg, err := h.app.Numbering.Range(r.Context(), g.CompanyID, rangeID)
	if err != nil {
		return err
	}
	if rg.SiteID != g.ID {
		return derrors.ErrNotFound
	}
	if err := h.app.Numbering.RemoveRange(r.Context(), g.CompanyID, rangeID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
