package api

import (
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/search"
)

// liveSearch is GET /api/v1/search?q=: the search box at the top of every
// page, within what the caller may administer.
func (h *Handler) liveSearch(w http.ResponseWriter, r *http.Request) error {
	companyID, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	limit, err := queryRange(r, "limit", 1, search.MaxLimit)
	if err != nil {
		return err
	}
	res, err := h.app.Search.LiveSearch(r.Context(), actor(r), companyID, r.URL.Query().Get("q"), int(limit))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

// searchNumber is GET /api/v1/search/numbers?number=: the Search Tool's
// search by telephone number.
func (h *Handler) searchNumber(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	res, err := h.app.Search.FindNumber(r.Context(), a, r.URL.Query().Get("number"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

// searchNames is GET /api/v1/search/names?first_name=&last_name=&company=:
// the Search Tool's search by first and last name, with wildcards.
func (h *Handler) searchNames(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	res, err := h.app.Search.FindNames(r.Context(), a, search.NameQuery{FirstName: q.Get("first_name"), LastName: q.Get("last_name"),
		Company: q.Get("company")}, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}

// searchDevice is GET /api/v1/search/devices?mac=: the Search Tool's
// search by MAC address.
func (h *Handler) searchDevice(w http.ResponseWriter, r *http.Request) error {
	res, err := h.app.Search.FindMAC(r.Context(), actor(r), r.URL.Query().Get("mac"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, res)
	return nil
}
