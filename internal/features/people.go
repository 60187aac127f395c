package features

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The employee pickers of the Configure forms (hunt group members, call
// centre agents, mailboxes of auto attendant keys, BLF keys) search the
// company's employees a page at a time instead of listing everybody, so a
// company of thousands works (docs/features.md, "Pages").

// PeoplePage is one page of the employees a picker offers.
type PeoplePage struct {
	Items []Colleague `json:"items"`
	// Next continues after the last item (store.Page.After); "" on the
	// last page.
	Next string `json:"next"`
}

// MaxPeoplePerPage bounds one page of a picker.
const MaxPeoplePerPage = 100

// peopleKeyset is the employee list's name order, whose index (company,
// surname, first name, id) makes every page a range scan.
var peopleKeyset = store.Keyset{Name: "people", ID: "a.id",
	Keys: []store.SortKey{{Expr: "lower(a.last_name)"}, {Expr: "lower(a.first_name)"}}}

// People is one page of the employees of the owner's company a feature of
// o may name, by surname, matching q (a name, username, extension or
// number; "" matches all). Whoever may configure o's features may read it:
// settings accept any employee of the company, so the picker offers the
// same (an employee's own BLF too, as BLFColleagues explains); an employee
// is not offered to themselves.
func (s *Service) People(ctx context.Context, actor access.Actor, o Owner, q string, p store.Page) (out PeoplePage, err error) {
	defer derrors.Wrap(&err, "features: people for %s %d", o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ConfigureFeatures, o.target()); err != nil {
		return out, err
	}
	w, err := s.load(ctx, o)
	if err != nil {
		return out, err
	}
	if p.PerPage <= 0 || p.PerPage > MaxPeoplePerPage {
		p.PerPage = 25
	}
	where, args := "a.company_id = ?", []any{w.companyID}
	if o.Kind == OwnerEmployee {
		where, args = where+" AND a.id <> ?", append(args, o.ID)
	}
	// The Employees list's search: a name, username, extension or number.
	if cond, qargs := directory.SearchCondition(s.db, w.companyID, q); cond != "" {
		where, args = where+" AND "+cond, append(args, qargs...)
	}
	cond, wargs, tail, err := peopleKeyset.Window(store.Page{PerPage: p.PerPage, After: p.After})
	if err != nil {
		return out, derrors.Invalid("after", "%s", err.Error())
	}
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT a.id, a.first_name, a.last_name, a.username,
		COALESCE((SELECT MIN(x.extension) FROM extensions x WHERE x.company_id = a.company_id AND x.owner_kind = 'user' AND x.owner_id = a.id), ''),
		lower(a.last_name), lower(a.first_name) FROM accounts a WHERE `+where+cond+tail, append(args, wargs...)...)
	if err != nil {
		return out, err
	}
	defer rows.Close()
	var lastKeys []any
	for rows.Next() {
		var c Colleague
		var first, last, username, ext, k1, k2 string
		if err := rows.Scan(&c.ID, &first, &last, &username, &ext, &k1, &k2); err != nil {
			return out, err
		}
		if len(out.Items) == p.PerPage {
			out.Next = peopleKeyset.Cursor(lastKeys, out.Items[len(out.Items)-1].ID)
			break
		}
		c.Name = personName(first, last, username)
		if ext != "" {
			c.Name += " (" + ext + ")"
		}
		out.Items = append(out.Items, c)
		lastKeys = []any{k1, k2}
	}
	if out.Items == nil {
		out.Items = []Colleague{}
	}
	return out, rows.Err()
}

// PeopleNamed names the employees ids of the owner's company (the ones a
// form already holds); an id of another company or of nobody is left out,
// like a missing one.
func (s *Service) PeopleNamed(ctx context.Context, actor access.Actor, o Owner, ids []int64) (out map[int64]string, err error) {
	defer derrors.Wrap(&err, "features: names for %s %d", o.Kind, o.ID)
	if err := s.access.Check(ctx, actor, access.ConfigureFeatures, o.target()); err != nil {
		return nil, err
	}
	w, err := s.load(ctx, o)
	if err != nil {
		return nil, err
	}
	out = map[int64]string{}
	for len(ids) > 0 {
		chunk := ids[:min(len(ids), 500)]
		ids = ids[len(chunk):]
		marks := strings.TrimSuffix(strings.Repeat("?,", len(chunk)), ",")
		args := []any{w.companyID}
		for _, id := range chunk {
			args = append(args, id)
		}
		rows, err := s.db.Q(ctx).Query(ctx, `SELECT a.id, a.first_name, a.last_name, a.username,
			COALESCE((SELECT MIN(x.extension) FROM extensions x WHERE x.company_id = a.company_id AND x.owner_kind = 'user' AND x.owner_id = a.id), '')
			FROM accounts a WHERE a.company_id = ? AND a.id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id int64
			var first, last, username, ext string
			if err := rows.Scan(&id, &first, &last, &username, &ext); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = personName(first, last, username)
			if ext != "" {
				out[id] += " (" + ext + ")"
			}
		}
		if err := rows.Close(); err != nil {
			return nil, fmt.Errorf("names: %w", err)
		}
	}
	return out, nil
}

// personName is "Surname, First", or whichever is set, or the username.
func personName(first, last, username string) string {
	switch {
	case first != "" && last != "":
		return last + ", " + first
	case first+last != "":
		return first + last
	}
	return username
}
