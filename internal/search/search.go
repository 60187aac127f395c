// Package search finds employees, sites and telephone numbers: the live
// search box at the top of every page (Business Portal, "Live Search
// Function") and the company's Search Tool, which searches the whole
// platform by telephone number or by name ("Search Tool").
//
// The live search stays inside what the actor may administer (an
// access.Scope) and is built for large companies: every look-up is a range
// scan on a B-tree index (migration 0017) that already yields rows in the
// order shown, so it reads only the few rows the drop-down needs. It matches
// the start of a username, first name, surname, "first last" or
// "last first"; the start of an assigned number in E.164, international or
// national form, or its end ("4960037"); the start of an extension; and any
// part of a site's name.
//
// The Search Tool is platform-wide, as the portal has it: a match in a
// company the actor may not view answers "You do not have permission to view
// this" and nothing else.
package search

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service answers searches.
type Service struct {
	db        *store.DB
	access    *access.Service
	numbering *numbering.Service
}

// New returns a Service.
func New(db *store.DB, acc *access.Service, num *numbering.Service) *Service {
	return &Service{db: db, access: acc, numbering: num}
}

// MaxQuery is the longest search text accepted, in characters.
const MaxQuery = 100

// DefaultLimit is how many employees the live search returns by default;
// MaxLimit bounds what a caller may ask for.
const (
	DefaultLimit = 10
	MaxLimit     = 50
)

// NumberRef is a telephone number in both of the forms the portal shows.
type NumberRef struct {
	E164     string `json:"e164"`
	National string `json:"national"`
}

// Ref names an object.
type Ref struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// EmployeeHit is one employee the live search found.
type EmployeeHit struct {
	ID        int64      `json:"id"`
	Username  string     `json:"username"`
	FirstName string     `json:"first_name"`
	LastName  string     `json:"last_name"`
	Role      string     `json:"role"`
	Status    string     `json:"status"`
	Site      *Ref       `json:"site"`
	Number    *NumberRef `json:"number"`
	Extension string     `json:"extension"`
	// Matched says what the query matched: username, name, number or
	// extension.
	Matched string `json:"matched"`
}

// SiteHit is one site the live search found.
type SiteHit struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// LiveResult is the live search's answer, grouped as the drop-down shows it.
type LiveResult struct {
	Query     string        `json:"query"`
	Employees []EmployeeHit `json:"employees"`
	Sites     []SiteHit     `json:"sites"`
	// More is true when more employees match than were returned: the
	// Employee Selection page lists them all.
	More bool `json:"more"`
}

// normalizeQuery trims q, folds runs of spaces and commas to one space, and
// checks its length.
func normalizeQuery(q string) (string, error) {
	q = strings.Join(strings.FieldsFunc(q, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }), " ")
	if q == "" {
		return "", derrors.Invalid("q", "type something to search for: a username, a name, a telephone number or a site name")
	}
	if utf8.RuneCountInString(q) > MaxQuery {
		return "", derrors.Invalid("q", "the search text must be at most %d characters long", MaxQuery)
	}
	return q, nil
}

// phoneLike reports whether q looks like (part of) a telephone number, and
// returns its digits.
func phoneLike(q string) (string, bool) {
	if strings.Trim(q, "0123456789 +-().") != "" {
		return "", false
	}
	d := onlyDigits(q)
	return d, d != ""
}

func onlyDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// numberPrefixes returns the E.164 prefixes a typed number fragment stands
// for in a region whose country calling code is cc: "+44 113" and
// "0044 113" are E.164 already, "0113 496" is national (the trunk 0 becomes
// the country code), and bare digits may be either the international form
// without '+' ("44113496") or the national significant number ("113496").
func numberPrefixes(q, digits string, cc int) []string {
	q = strings.TrimSpace(q)
	national := func(d string) string { return fmt.Sprintf("+%d%s", cc, d) }
	switch {
	case strings.HasPrefix(q, "+"):
		return []string{"+" + digits}
	case strings.HasPrefix(digits, "00"):
		return []string{"+" + digits[2:]}
	case strings.HasPrefix(digits, "0"):
		if cc == 0 {
			return nil
		}
		return []string{national(digits[1:])}
	}
	out := []string{"+" + digits}
	if cc != 0 && national(digits) != out[0] {
		out = append(out, national(digits))
	}
	return out
}

// upperBound returns the smallest string greater than every string that
// starts with prefix, for a range scan (prefix <= x < bound): the last
// character incremented. ok is false when there is none (then only the
// lower bound applies).
func upperBound(prefix string) (string, bool) {
	rs := []rune(prefix)
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] < utf8.MaxRune {
			rs[i]++
			return string(rs[:i+1]), true
		}
	}
	return "", false
}

// prefixCond is a range condition on expr for prefix, with an exact
// substring test so that a collation which orders strings differently from
// their code points can never add a false match.
func prefixCond(expr, prefix string) (string, []any) {
	cond := expr + " >= ?"
	args := []any{prefix}
	if hi, ok := upperBound(prefix); ok {
		cond += " AND " + expr + " < ?"
		args = append(args, hi)
	}
	cond += " AND substr(" + expr + ", 1, ?) = ?"
	args = append(args, utf8.RuneCountInString(prefix), prefix)
	return cond, args
}

const hitColumns = `a.id, a.username, a.first_name, a.last_name, a.role, a.status, COALESCE(a.site_id, 0), COALESCE(s.name, '')`

// siteJoin adds the site (alias s) of the account a to a hit's row.
const siteJoin = ` LEFT JOIN org_groups s ON s.id = a.site_id`

func scanHit(row interface{ Scan(...any) error }, extra ...any) (EmployeeHit, error) {
	var h EmployeeHit
	var siteID int64
	var siteName string
	err := row.Scan(append([]any{&h.ID, &h.Username, &h.FirstName, &h.LastName, &h.Role, &h.Status, &siteID, &siteName}, extra...)...)
	if siteID != 0 {
		h.Site = &Ref{ID: siteID, Name: siteName}
	}
	return h, err
}

// Live runs the live search q over companyID's employees and sites within
// sc, returning at most limit employees (DefaultLimit when 0).
func (s *Service) Live(ctx context.Context, companyID int64, sc access.Scope, q string, limit int) (res LiveResult, err error) {
	defer derrors.Wrap(&err, "search: live %q in company %d", q, companyID)
	q, err = normalizeQuery(q)
	if err != nil {
		return LiveResult{}, err
	}
	switch {
	case limit == 0:
		limit = DefaultLimit
	case limit < 1 || limit > MaxLimit:
		return LiveResult{}, derrors.Invalid("limit", "limit must be between 1 and %d", MaxLimit)
	}
	res = LiveResult{Query: q, Employees: []EmployeeHit{}, Sites: []SiteHit{}}
	region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return LiveResult{}, err
	}
	lower := strings.ToLower(q)
	scope, err := s.resolveScope(ctx, companyID, sc)
	if err != nil {
		return LiveResult{}, err
	}
	hits := map[int64]EmployeeHit{}
	more := false
	find := func(l lookup) error {
		found, m, err := s.find(ctx, companyID, scope, l, limit)
		if err != nil {
			return err
		}
		more = more || m
		for _, h := range found {
			if _, dup := hits[h.ID]; !dup {
				h.Matched = l.matched
				hits[h.ID] = h
			}
		}
		return nil
	}
	byName := func(matched, expr, prefix string) error {
		cond, args := prefixCond(expr, prefix)
		return find(lookup{matched: matched, owner: "a.id", where: "a.company_id = ? AND " + cond,
			args: append([]any{companyID}, args...), key: expr})
	}
	if !strings.Contains(lower, " ") {
		if err := byName("username", "lower(a.username)", lower); err != nil {
			return LiveResult{}, err
		}
	}
	if err := byName("name", "lower(a.first_name || ' ' || a.last_name)", lower); err != nil {
		return LiveResult{}, err
	}
	if err := byName("name", "lower(a.last_name || ' ' || a.first_name)", lower); err != nil {
		return LiveResult{}, err
	}
	if digits, ok := phoneLike(q); ok {
		byNumber := func(cond string, args ...any) error {
			return find(lookup{matched: "number", table: "dn_numbers n", owner: "n.owner_id",
				where: "n.company_id = ? AND n.status = 'assigned' AND n.owner_kind = 'user' AND " + cond,
				args:  append([]any{companyID}, args...), key: "n.e164"})
		}
		if len(digits) >= 2 {
			for _, p := range numberPrefixes(q, digits, phonenumbers.GetCountryCodeForRegion(region)) {
				cond, args := prefixCond("n.e164", p)
				if err := byNumber(cond, args...); err != nil {
					return LiveResult{}, err
				}
			}
		}
		// The end of a number ("4960037", "0037"): an equality look-up on
		// the last four digits, then the whole tail.
		if len(digits) >= 3 && !strings.HasPrefix(strings.TrimSpace(q), "+") {
			tail := "substr(n.e164, length(n.e164) - 3)"
			var cond string
			var args []any
			if len(digits) >= 4 {
				cond, args = tail+" = ?", []any{digits[len(digits)-4:]}
			} else {
				marks := make([]string, 10)
				for i := range marks {
					marks[i] = "?"
					args = append(args, fmt.Sprintf("%d%s", i, digits))
				}
				cond = tail + " IN (" + strings.Join(marks, ", ") + ")"
			}
			cond += " AND length(n.e164) > ? AND substr(n.e164, length(n.e164) - ?) = ?"
			args = append(args, len(digits), len(digits)-1, digits)
			if err := byNumber(cond, args...); err != nil {
				return LiveResult{}, err
			}
		}
		if len(digits) <= 8 && !strings.HasPrefix(strings.TrimSpace(q), "+") {
			cond, args := prefixCond("x.extension", digits)
			err := find(lookup{matched: "extension", table: "extensions x", owner: "x.owner_id",
				where: "x.company_id = ? AND x.owner_kind = 'user' AND " + cond,
				args:  append([]any{companyID}, args...), key: "x.extension"})
			if err != nil {
				return LiveResult{}, err
			}
		}
	}
	for _, h := range hits {
		res.Employees = append(res.Employees, h)
	}
	sort.Slice(res.Employees, func(i, j int) bool {
		a, b := res.Employees[i], res.Employees[j]
		if la, lb := strings.ToLower(a.LastName), strings.ToLower(b.LastName); la != lb {
			return la < lb
		}
		if fa, fb := strings.ToLower(a.FirstName), strings.ToLower(b.FirstName); fa != fb {
			return fa < fb
		}
		return a.ID < b.ID
	})
	if len(res.Employees) > limit {
		res.Employees, more = res.Employees[:limit], true
	}
	res.More = more
	if err := s.fillNumbers(ctx, companyID, region, res.Employees); err != nil {
		return LiveResult{}, err
	}
	if res.Sites, err = s.sites(ctx, companyID, sc, lower, limit); err != nil {
		return LiveResult{}, err
	}
	return res, nil
}

// sites finds the sites whose name contains q (a company has few sites, so
// this reads them all). A group admin finds the sites they administer; an
// employee none.
func (s *Service) sites(ctx context.Context, companyID int64, sc access.Scope, lower string, limit int) ([]SiteHit, error) {
	out := []SiteHit{}
	if sc.Restricted() && len(sc.GroupPaths) == 0 {
		return out, nil
	}
	query := "SELECT g.id, g.name, g.path FROM org_groups g WHERE g.company_id = ? AND g.is_site = ? AND " + s.db.Contains("lower(g.name)") + " ORDER BY lower(g.name), g.id"
	rows, err := s.db.Q(ctx).Query(ctx, query, companyID, true, lower)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() && len(out) < limit {
		var h SiteHit
		var path string
		if err := rows.Scan(&h.ID, &h.Name, &path); err != nil {
			return nil, err
		}
		if sc.Restricted() && !underAny(path, sc.GroupPaths) {
			continue
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

func underAny(path string, roots []string) bool {
	for _, r := range roots {
		if r != "" && strings.HasPrefix(path, r) {
			return true
		}
	}
	return false
}

// fillNumbers sets each hit's first assigned number and its extension.
func (s *Service) fillNumbers(ctx context.Context, companyID int64, region string, hits []EmployeeHit) error {
	if len(hits) == 0 {
		return nil
	}
	at := map[int64]int{}
	marks := make([]string, len(hits))
	args := []any{companyID}
	for i, h := range hits {
		at[h.ID] = i
		marks[i] = "?"
		args = append(args, h.ID)
	}
	in := " IN (" + strings.Join(marks, ", ") + ")"
	q := s.db.Q(ctx)
	rows, err := q.Query(ctx, "SELECT owner_id, e164 FROM dn_numbers WHERE company_id = ? AND owner_kind = 'user' AND status = 'assigned' AND owner_id"+in+
		" ORDER BY e164", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var e164 string
		if err := rows.Scan(&id, &e164); err != nil {
			return err
		}
		if h := &hits[at[id]]; h.Number == nil {
			h.Number = &NumberRef{E164: e164, National: numbering.National(e164, region)}
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	xrows, err := q.Query(ctx, "SELECT owner_id, extension FROM extensions WHERE company_id = ? AND owner_kind = 'user' AND owner_id"+in+" ORDER BY extension", args...)
	if err != nil {
		return err
	}
	defer xrows.Close()
	for xrows.Next() {
		var id int64
		var ext string
		if err := xrows.Scan(&id, &ext); err != nil {
			return err
		}
		if h := &hits[at[id]]; h.Extension == "" {
			h.Extension = ext
		}
	}
	return xrows.Err()
}

// companyRegion is the region national numbers of companyID are read in.
func (s *Service) companyRegion(ctx context.Context, companyID int64) (string, error) {
	var region string
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT p.default_region FROM companies c JOIN providers p ON p.id = c.provider_id WHERE c.id = ?", companyID).Scan(&region)
	if errors.Is(err, sql.ErrNoRows) {
		return "", fmt.Errorf("company %d: %w", companyID, derrors.ErrNotFound)
	}
	return region, err
}
