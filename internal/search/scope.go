package search

import (
	"context"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// How a look-up reaches the few employees a restricted actor may see among
// everything the index range holds. Two ways exist and each is cheap in a
// different case:
//
//   - scan the index range in display order and test each row's owner
//     against the scope, stopping as soon as enough are found: cheap when
//     the scope holds a fair share of the matches, dear when the prefix
//     matches thousands of rows outside it ("0113 404" typed by the admin
//     of a team at another site);
//   - start from the scope's members and test each one against the match:
//     cost grows with the scope, not with the company.
//
// A small scope always starts from its members. A larger one scans, but at
// most scanWindow rows of the range; when the window is exhausted before
// enough rows were found, the look-up is answered from the members (SQLite,
// scopes up to memberScope) or by scanning the rest of the range. The cost of a search
// is then bounded by roughly min(matches, scope) rows instead of by the
// number of matches in the whole company.
//
// The figures are variables only so that the tests can drive every path
// with the small fixture.
var (
	// directScope is the scope size up to which look-ups start from the
	// members straight away.
	directScope = 300
	// scanWindow bounds how many rows of an index range are tested
	// against a larger scope before switching to its members.
	scanWindow = 500
	// memberScope is the largest scope SQLite answers from its members
	// after an exhausted window; beyond it the range scan continues
	// unbounded. PostgreSQL always continues the scan: testing a row
	// against its hash of the scope's members costs less than testing a
	// member against the match.
	memberScope = 10_000
)

// searchScope is an access.Scope resolved for one search.
type searchScope struct {
	restricted bool
	selfID     int64
	// groupIDs are the groups of a group admin's subtrees; none means the
	// scope is the actor alone.
	groupIDs []int64
	// size is how many accounts the scope holds, at most (an account in two
	// of the groups is counted twice).
	size int
}

// resolveScope turns sc into group ids and a size with two indexed queries,
// so that no searched row pays for matching group paths.
func (s *Service) resolveScope(ctx context.Context, companyID int64, sc access.Scope) (searchScope, error) {
	out := searchScope{restricted: sc.Restricted(), selfID: sc.SelfID, size: 1}
	if len(sc.GroupPaths) == 0 {
		return out, nil
	}
	conds := make([]string, len(sc.GroupPaths))
	args := []any{companyID}
	for i, p := range sc.GroupPaths {
		conds[i] = `path LIKE ? ESCAPE '\'`
		args = append(args, store.Like(p)+"%")
	}
	q := s.db.Q(ctx)
	rows, err := q.Query(ctx, "SELECT id FROM org_groups WHERE company_id = ? AND ("+strings.Join(conds, " OR ")+") ORDER BY id", args...)
	if err != nil {
		return searchScope{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return searchScope{}, err
		}
		out.groupIDs = append(out.groupIDs, id)
	}
	if err := rows.Err(); err != nil {
		return searchScope{}, err
	}
	rows.Close()
	if len(out.groupIDs) == 0 {
		return out, nil
	}
	in, inArgs := out.groupsIn()
	var members int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM group_members WHERE group_id IN "+in, inArgs...).Scan(&members); err != nil {
		return searchScope{}, err
	}
	out.size += members
	return out, nil
}

func (sc searchScope) groupsIn() (string, []any) {
	args := make([]any, len(sc.groupIDs))
	for i, id := range sc.groupIDs {
		args[i] = id
	}
	return "(" + store.Placeholders(len(args)) + ")", args
}

// scopeFilter limits rows whose account is in column idCol to the scope: a
// join to place right after the table idCol belongs to, and a condition.
//
// PostgreSQL gets a condition only: a correlated EXISTS on the account's
// memberships, which it plans as a semi-join probing the index row by row
// (cheapest when a bounded scan stops after a few dozen rows), or for a
// scan of a whole range an uncorrelated IN, which it turns into a hash of
// the scope's members built once per statement.
//
// SQLite runs a correlated sub-query as a sub-program per row, and would
// materialise an IN before the first row, both dear in the modernc driver;
// so it joins the account's memberships in the scope directly (through
// group_members_account: the unary + keeps it from probing the primary key
// once per group), and only a row that has one asks the sub-query whether
// it is the account's first membership in the scope, so that an account in
// two of the groups comes back once.
func (s *Service) scopeFilter(sc searchScope, idCol string, wholeRange bool) (join string, joinArgs []any, cond string, condArgs []any) {
	if len(sc.groupIDs) == 0 {
		return "", nil, idCol + " = ?", []any{sc.selfID}
	}
	in, groupArgs := sc.groupsIn()
	if s.db.Dialect() == store.Postgres {
		if wholeRange {
			return "", nil, "(" + idCol + " = ? OR " + idCol + " IN (SELECT m.account_id FROM group_members m WHERE m.group_id IN " + in + "))", append([]any{sc.selfID}, groupArgs...)
		}
		return "", nil, "(" + idCol + " = ? OR EXISTS (SELECT 1 FROM group_members m WHERE m.account_id = " + idCol + " AND m.group_id IN " + in + "))", append([]any{sc.selfID}, groupArgs...)
	}
	inScope := func(col string) string {
		eqs := make([]string, len(sc.groupIDs))
		for i := range eqs {
			eqs[i] = "+" + col + " = ?"
		}
		return "(" + strings.Join(eqs, " OR ") + ")"
	}
	join = " LEFT JOIN group_members m ON m.account_id = " + idCol + " AND " + inScope("m.group_id")
	cond = "((m.account_id IS NULL AND " + idCol + " = ?) OR (m.account_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM group_members m2" +
		" WHERE m2.account_id = m.account_id AND m2.group_id < m.group_id AND " + inScope("m2.group_id") + ")))"
	return join, groupArgs, cond, append([]any{sc.selfID}, groupArgs...)
}

// members is a sub-query listing the scope's account ids (column id).
func (sc searchScope) members() (string, []any) {
	if len(sc.groupIDs) == 0 {
		return "SELECT id FROM accounts WHERE id = ?", []any{sc.selfID}
	}
	in, args := sc.groupsIn()
	return "SELECT account_id AS id FROM group_members WHERE group_id IN " + in + " UNION SELECT id FROM accounts WHERE id = ?", append(args, sc.selfID)
}

// lookup is one indexed look-up of the live search: the rows of table
// (accounts itself when empty) matching where, in the order of key, each
// standing for the account in column owner.
type lookup struct {
	matched string
	table   string // "dn_numbers n"; "" for accounts a
	owner   string // "n.owner_id"; "a.id" for accounts
	where   string // the company and the match, on table's alias (or a)
	args    []any
	key     string // the index's order
}

// from joins the account a and its site to the looked-up table, listing
// first, when given, the table the rows are driven from.
func (l lookup) from(first string) string {
	tables := []string{}
	if first != "" {
		tables = append(tables, first)
	}
	if l.table != "" {
		tables = append(tables, l.table)
	}
	tables = append(tables, "accounts a")
	// CROSS JOIN keeps this order on SQLite (its planner never reorders
	// around it); PostgreSQL plans it as an ordinary inner join.
	return strings.Join(tables, " CROSS JOIN ") + siteJoin
}

// find runs one look-up for the employees of companyID in sc, returning at
// most limit of them and whether there are more.
func (s *Service) find(ctx context.Context, companyID int64, sc searchScope, l lookup, limit int) ([]EmployeeHit, bool, error) {
	join := "a.company_id = ?"
	if l.table != "" {
		join = "a.id = " + l.owner + " AND " + join
	}
	if !sc.restricted {
		return s.hits(ctx, "SELECT "+hitColumns+" FROM "+l.from("")+" WHERE "+l.where+" AND "+join+" ORDER BY "+l.key+" LIMIT ?",
			append(l.args, companyID, limit+1), limit)
	}
	if sc.size > directScope {
		found, more, complete, err := s.scan(ctx, companyID, sc, l, limit)
		if err != nil || complete {
			return found, more, err
		}
		if sc.size > memberScope || s.db.Dialect() == store.Postgres {
			sj, sjArgs, cond, condArgs := s.scopeFilter(sc, l.owner, true)
			from := "accounts a" + sj
			if l.table != "" {
				from = l.table + sj + " CROSS JOIN accounts a"
			}
			args := append(append(sjArgs, l.args...), companyID)
			return s.hits(ctx, "SELECT "+hitColumns+" FROM "+from+siteJoin+" WHERE "+l.where+" AND "+join+" AND "+cond+" ORDER BY "+l.key+" LIMIT ?",
				append(append(args, condArgs...), limit+1), limit)
		}
	}
	members, memberArgs := sc.members()
	return s.hits(ctx, "SELECT "+hitColumns+" FROM "+l.from("("+members+") sc")+" WHERE "+l.owner+" = sc.id AND "+l.where+" AND "+join+" ORDER BY "+l.key+" LIMIT ?",
		append(append(memberArgs, l.args...), companyID, limit+1), limit)
}

// scan tests at most scanWindow rows of the look-up's range against the
// scope. complete is false when the window ran out before limit+1 rows of
// the scope were found: the range may hold more of them further on.
//
// The outer query has no ORDER BY on purpose: sorting would make both
// engines test every row of the window before returning the first. Both
// stream the window's sub-query in its index order, so the rows found are
// the first of the range in practice; were they not, they would still all
// match and be in the scope (Live sorts what it shows by name anyway).
func (s *Service) scan(ctx context.Context, companyID int64, sc searchScope, l lookup, limit int) (found []EmployeeHit, more, complete bool, err error) {
	sj, sjArgs, cond, condArgs := s.scopeFilter(sc, "w.id", false)
	window := "SELECT " + l.owner + " AS id FROM " + l.table
	if l.table == "" {
		window = "SELECT a.id AS id FROM accounts a"
	}
	window += " WHERE " + l.where + " ORDER BY " + l.key + " LIMIT ?"
	windowArgs := append(l.args[:len(l.args):len(l.args)], scanWindow)
	args := append(append(windowArgs, sjArgs...), companyID)
	found, more, err = s.hits(ctx, "SELECT "+hitColumns+" FROM ("+window+") w"+sj+" CROSS JOIN accounts a"+siteJoin+
		" WHERE a.id = w.id AND a.company_id = ? AND "+cond+" LIMIT ?",
		append(append(args, condArgs...), limit+1), limit)
	if err != nil || more {
		return found, more, true, err
	}
	// Fewer than asked for: complete only if the window held the whole
	// range (counted from the index alone).
	var n int
	err = s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM ("+window+") w", windowArgs...).Scan(&n)
	return found, false, n < scanWindow, err
}

// hits runs a query of hitColumns ending in LIMIT limit+1.
func (s *Service) hits(ctx context.Context, query string, args []any, limit int) ([]EmployeeHit, bool, error) {
	rows, err := s.db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []EmployeeHit
	for rows.Next() {
		h, err := scanHit(rows)
		if err != nil {
			return nil, false, err
		}
		if len(out) == limit {
			return out, true, nil
		}
		out = append(out, h)
	}
	return out, false, rows.Err()
}
