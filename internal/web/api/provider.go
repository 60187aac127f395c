package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// listContacts is the Contacts of a customer (tenancy.CustomerContacts
// decides who reads the private notes).
func (h *Handler) listContacts(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := h.app.Tenancy.CustomerContacts(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(cs, len(cs), pageOf(len(cs))))
	return nil
}

func (h *Handler) createContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req tenancy.CustomerContactRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	contact, err := h.app.Tenancy.AddCustomerContact(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/companies/"+strconv.FormatInt(id, 10)+"/contacts")
	WriteJSON(w, http.StatusCreated, contact)
	return nil
}

func (h *Handler) updateContact(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
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
	c, err := h.app.Tenancy.ModifyCustomerContact(r.Context(), actor(r), id, contactID, req)
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
	id, err := pathID(r, "id")
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
	if err := h.app.Tenancy.ResetContactPassword(r.Context(), actor(r), id, contactID, req.Password); err != nil {
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
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	bs, err := h.app.Numbering.CompanyBlocks(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(bs, len(bs), pageOf(len(bs))))
	return nil
}

func (h *Handler) assignInternalBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	b, err := h.app.Numbering.AddInternalBlock(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/companies/"+strconv.FormatInt(id, 10)+"/internal-number-blocks")
	WriteJSON(w, http.StatusCreated, b)
	return nil
}

func (h *Handler) removeInternalBlock(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	blockID, err := pathID(r, "block_id")
	if err != nil {
		return err
	}
	if err := h.app.Numbering.DeleteInternalBlock(r.Context(), actor(r), id, blockID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) numberRangeParameters(w http.ResponseWriter, r *http.Request) error {
	p, err := h.app.Numbering.RangeParameters(r.Context(), actor(r))
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
	var req NumberRangeParametersRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	p, err := h.app.Numbering.ChangeRangeParameters(r.Context(), actor(r), numbering.NumberRangeParameters{
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
	rs, err := h.app.Numbering.RefusedCodes(r.Context(), actor(r))
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
	var req numbering.RefusedExtension
	if err := decode(r, &req); err != nil {
		return err
	}
	x, err := h.app.Numbering.AddRefusedCode(r.Context(), actor(r), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/settings/refused-extensions")
	WriteJSON(w, http.StatusCreated, refusedView(x))
	return nil
}

func (h *Handler) removeRefusedExtension(w http.ResponseWriter, r *http.Request) error {
	if err := h.app.Numbering.DeleteRefusedCode(r.Context(), actor(r), r.PathValue("code")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) listRanges(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rs, err := h.app.Numbering.SiteRanges(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(rs, len(rs), pageOf(len(rs))))
	return nil
}

func (h *Handler) addRange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req numbering.RangeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	rg, err := h.app.Numbering.AddSiteRange(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sites/"+strconv.FormatInt(id, 10)+"/ranges")
	WriteJSON(w, http.StatusCreated, rg)
	return nil
}

func (h *Handler) removeRange(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rangeID, err := pathID(r, "range_id")
	if err != nil {
		return err
	}
	if err := h.app.Numbering.DeleteSiteRange(r.Context(), actor(r), id, rangeID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
