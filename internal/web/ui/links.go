package ui

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

// linksPage is the portal's check-box list with a three-way filter: Group
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
	// Paged marks a list shown a page at a time (Group Admins and Group
	// Members): the search, the pager and Save are then one form, and the
	// unsaved selection of other pages travels in Add and Remove.
	Paged                 bool
	Page, Pages, Total    int
	First, Last           int
	PrevURL, NextURL      string
	Add, Remove           string
	AddCount, RemoveCount int
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
	// Saved is the link as stored, which the script compares the box with
	// to count unsaved changes.
	Saved bool
	// Sub repeats a column that a phone hides (hide-sm) under the label.
	Sub   string
	Depth int
}

// filters builds the three radio options; labels are the portal's words.
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
	for _, k := range []string{"filter", "q", "page", "company_id"} {
		if v := r.PostForm.Get(k); v != "" {
			q.Set(k, v)
		}
	}
	if len(q) == 0 {
		return self
	}
	return self + "?" + q.Encode()
}

// pending is the unsaved change of a paged check-box list: the ids to add
// and to remove. It travels between pages in the form (hidden add and
// remove fields) and in the page address, so that ticks made on one page
// survive Previous, Next and a new search until Save.
type pending struct{ add, remove map[int64]bool }

// readPending reads the comma-separated add and remove lists of vals.
func readPending(vals url.Values) (pending, error) {
	pd := pending{add: map[int64]bool{}, remove: map[int64]bool{}}
	for name, set := range map[string]map[int64]bool{"add": pd.add, "remove": pd.remove} {
		for _, v := range vals[name] {
			for _, s := range strings.Split(v, ",") {
				if s = strings.TrimSpace(s); s == "" {
					continue
				}
				id, err := strconv.ParseInt(s, 10, 64)
				if err != nil || id <= 0 {
					return pending{}, derrors.Invalid(name, "the selection was not sent correctly; reload the page and tick the boxes again")
				}
				set[id] = true
			}
		}
	}
	return pd, nil
}

// tick folds the boxes of the page that was shown into pd: a box that
// differs from the saved state is a change, one that matches it is none
// (whatever an earlier page said).
func (pd pending) tick(r *http.Request, current map[int64]bool) error {
	shown, err := postedIDs(r, "shown")
	if err != nil {
		return err
	}
	ticked, err := postedIDs(r, "linked")
	if err != nil {
		return err
	}
	for id := range shown {
		delete(pd.add, id)
		delete(pd.remove, id)
		switch {
		case ticked[id] && !current[id]:
			pd.add[id] = true
		case !ticked[id] && current[id]:
			pd.remove[id] = true
		}
	}
	return nil
}

// change is pd against the saved state: only real additions and removals.
func (pd pending) change(current map[int64]bool) (add, remove []int64) {
	for id := range pd.add {
		if !current[id] {
			add = append(add, id)
		}
	}
	for id := range pd.remove {
		if current[id] {
			remove = append(remove, id)
		}
	}
	slices.Sort(add)
	slices.Sort(remove)
	return add, remove
}

// checked is whether the box of id shows ticked: its saved state unless
// the pending selection changes it.
func (pd pending) checked(id int64, linked bool) bool {
	return pd.add[id] || (linked && !pd.remove[id])
}

// joinIDs writes an id set as the sorted comma-separated list readPending reads.
func joinIDs(set map[int64]bool) string {
	ids := make([]int64, 0, len(set))
	for id := range set {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// query is the page address's part that carries the selection.
func (pd pending) query(q url.Values) url.Values {
	if s := joinIDs(pd.add); s != "" {
		q.Set("add", s)
	}
	if s := joinIDs(pd.remove); s != "" {
		q.Set("remove", s)
	}
	return q
}

func postedIDs(r *http.Request, name string) (map[int64]bool, error) {
	set := map[int64]bool{}
	for _, s := range r.PostForm[name] {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return nil, derrors.Invalid(name, "the list was not sent correctly; reload the page and try again")
		}
		set[id] = true
	}
	return set, nil
}
