package ui

import (
	"errors"
	"net/http"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/search"
	"github.com/switchboard-voice/switchboard/internal/store"
)

func init() { pageNames = append(pageNames, "search_tool") }

// registerSearch adds the company side bar's Search Tool. The live search
// box's drop-down (static/search.js) calls the API directly.
func (p *Pages) registerSearch(auth func(pattern string, fn handlerFunc)) {
	auth("GET /search-tool", p.searchTool)
}

type searchToolPage struct {
	By        string // number or name
	Number    string
	FirstName string
	LastName  string
	Company   string
	MAC       string
	Searched  bool
	Errors    map[string]string
	NumberRes *search.NumberResult
	NameRes   *search.NameResult
	DeviceRes *search.DeviceResult
}

// searchTool is the Search Tool (Business Portal, docs/glossary.md): search the platform
// by telephone number, by first and last name, or by MAC address
// (docs/search.md). A search is a GET, so its
// results can be bookmarked and the form needs no CSRF token.
func (p *Pages) searchTool(w http.ResponseWriter, r *http.Request) error {
	given, err := formCompanyID(r)
	if err != nil {
		return err
	}
	if given == 0 && actorOf(r).CompanyID == 0 {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	id, err := p.app.Search.OpenTool(r.Context(), actorOf(r), given)
	if err != nil {
		return err
	}
	v, err := p.newView(r, id, "company", "Search Tool")
	if err != nil {
		return err
	}
	v.Side = companySide(v, "search")
	q := r.URL.Query()
	d := searchToolPage{By: q.Get("by"), Number: q.Get("number"), FirstName: q.Get("first_name"), LastName: q.Get("last_name"),
		Company: q.Get("company"), MAC: q.Get("mac"), Errors: map[string]string{}}
	if d.By != "name" && d.By != "mac" {
		d.By = "number"
	}
	status := http.StatusOK
	if q.Has("search") {
		d.Searched = true
		a := actorOf(r)
		if d.By == "mac" {
			res, err := p.app.Search.FindMAC(r.Context(), a, d.MAC)
			if err == nil {
				// The field shows the MAC as searched: upper case.
				d.DeviceRes, d.MAC = &res, res.MAC
			}
			if err = fieldErrors(err, d.Errors); err != nil {
				return err
			}
		} else if d.By == "number" {
			res, err := p.app.Search.FindNumber(r.Context(), a, d.Number)
			if err == nil {
				d.NumberRes = &res
			}
			err = fieldErrors(err, d.Errors)
			if err != nil {
				return err
			}
		} else {
			res, err := p.app.Search.FindNames(r.Context(), a, search.NameQuery{FirstName: d.FirstName, LastName: d.LastName, Company: d.Company},
				store.Page{PerPage: 100})
			if err == nil {
				d.NameRes = &res
			}
			if err = fieldErrors(err, d.Errors); err != nil {
				return err
			}
		}
		if len(d.Errors) > 0 {
			status = http.StatusUnprocessableEntity
		}
	}
	v.Data = d
	p.render(w, r, status, "search_tool", v)
	return nil
}

// fieldErrors moves a validation error's messages into errs by field and
// returns any other error.
func fieldErrors(err error, errs map[string]string) error {
	var ve *derrors.ValidationError
	if !errors.As(err, &ve) {
		return err
	}
	for _, f := range ve.Fields {
		if errs[f.Field] == "" {
			errs[f.Field] = sentence(f.Message)
		}
	}
	return nil
}
