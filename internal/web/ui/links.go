package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

// linksPage is the seed's check-box list with a three-way filter: Group
// Admins and Group Members of a group, Group Memberships and Admin
// Privileges of an employee. Save adds the ticked and removes the cleared.
type linksPage struct {
	Heading string
	Intro   string
	// Action is where Save posts; Self is the page's own path for the filter form.
	Action  string
	Self    string
	Filter  string
	Filters []filterOpt
	// Search shows the search field (Group Members).
	Search      bool
	Q           string
	SearchLabel string
	Rows        []linkRow
	// Columns heads the table: the first is the check box column's label.
	Columns []string
	CanEdit bool
	Note    string
	Errors  []string
	Empty   string
	// CompanyID is posted back by operators.
	CompanyID int64
}

type filterOpt struct {
	Value   string
	Label   string
	Checked bool
}

type linkRow struct {
	ID      int64
	Label   string
	URL     string
	Cells   []string
	Checked bool
	Depth   int
}

// filters builds the three radio options; labels are the seed's words.
func filters(current directory.LinkFilter, all, linked, notLinked string) []filterOpt {
	return []filterOpt{
		{Value: "all", Label: all, Checked: current == directory.LinkAll || current == ""},
		{Value: "linked", Label: linked, Checked: current == directory.LinkLinked},
		{Value: "not_linked", Label: notLinked, Checked: current == directory.LinkNotLinked},
	}
}

// parseFilter reads ?filter= the way the API does; a bad value falls back to all.
func parseFilter(r *http.Request) directory.LinkFilter {
	f, err := directory.ParseLinkFilter(r.FormValue("filter"))
	if err != nil {
		return directory.LinkAll
	}
	return f
}

// linkChange is what a Save of a check-box list asks for: among the rows
// that were shown, the ticked ones not yet linked are added and the cleared
// ones that were linked are removed.
func linkChange(r *http.Request, current map[int64]bool) (add, remove []int64, err error) {
	ids := func(name string) (map[int64]bool, []int64, error) {
		set := map[int64]bool{}
		var order []int64
		for _, s := range r.PostForm[name] {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				return nil, nil, derrors.Invalid(name, "the list was not sent correctly; reload the page and try again")
			}
			if !set[id] {
				set[id] = true
				order = append(order, id)
			}
		}
		return set, order, nil
	}
	_, shown, err := ids("shown")
	if err != nil {
		return nil, nil, err
	}
	ticked, _, err := ids("linked")
	if err != nil {
		return nil, nil, err
	}
	for _, id := range shown {
		switch {
		case ticked[id] && !current[id]:
			add = append(add, id)
		case !ticked[id] && current[id]:
			remove = append(remove, id)
		}
	}
	return add, remove, nil
}

// backTo is the list page to return to after a Save, keeping its filter,
// search and (for operators) company.
func backTo(self string, r *http.Request) string {
	q := url.Values{}
	for _, k := range []string{"filter", "q", "company_id"} {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return self
	}
	return self + "?" + q.Encode()
}
