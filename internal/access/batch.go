package access

import (
	"context"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// CheckEmployees is Check of action on each employee of ids, reading what
// the decisions need for the whole list in three statements (an
// activation of many employees asks about each). The answer for an id is
// exactly Check's: nil, ErrNotFound (missing or invisible) or a
// ForbiddenError. The error returned is a fault reading the database.
func (s *Service) CheckEmployees(ctx context.Context, actor Actor, action Action, ids []int64) (_ map[int64]error, err error) {
	defer derrors.Wrap(&err, "access: %s %d employees", action, len(ids))
	out := make(map[int64]error, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := store.Placeholders(len(ids))
	q := s.db.Q(ctx)
	rows, err := q.Query(ctx, `SELECT a.id, c.provider_id, COALESCE(c.reseller_id, 0), c.id, a.role
		FROM accounts a JOIN companies c ON c.id = a.company_id WHERE a.id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	found := map[int64]*resolved{}
	for rows.Next() {
		var id int64
		r := &resolved{}
		if err := rows.Scan(&id, &r.providerID, &r.resellerID, &r.companyID, &r.role); err != nil {
			rows.Close()
			return nil, err
		}
		found[id] = r
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	members, err := accountPaths(ctx, q, `SELECT m.account_id, g.path FROM group_members m JOIN org_groups g ON g.id = m.group_id
		WHERE m.account_id IN (`+in+`)`, args)
	if err != nil {
		return nil, err
	}
	// Group-admin targets carry the groups they administer, as resolve
	// reads them for Check (the rule about peers needs them).
	administered, err := accountPaths(ctx, q, `SELECT ga.account_id, g.path FROM group_admins ga JOIN org_groups g ON g.id = ga.group_id
		WHERE ga.account_id IN (`+in+`)`, args)
	if err != nil {
		return nil, err
	}
	for id, r := range found {
		r.memberPaths = members[id]
		if r.role == RoleGroupAdmin {
			r.adminPaths = administered[id]
		}
	}
	var adminPaths []string
	if actor.Role == RoleGroupAdmin {
		if adminPaths, err = s.adminPaths(ctx, actor.AccountID); err != nil {
			return nil, err
		}
	}
	for _, id := range ids {
		r := found[id]
		t := Employee(id)
		switch {
		case r == nil:
			out[id] = derrors.ErrNotFound
		case !visible(actor, t, *r, groupAdminPaths(actor, *r, adminPaths)):
			out[id] = derrors.ErrNotFound
		default:
			if err := permitted(actor, action, t, *r, groupAdminPaths(actor, *r, adminPaths)); err != nil {
				out[id] = fmt.Errorf("access: %s employee %d: %w", action, id, err)
			}
		}
	}
	return out, nil
}

// groupAdminPaths are the paths Check would have read for actor and r: a
// group admin's own groups, within their company only.
func groupAdminPaths(actor Actor, r resolved, paths []string) []string {
	if actor.Role == RoleGroupAdmin && actor.CompanyID == r.companyID {
		return paths
	}
	return nil
}

// accountPaths runs a query of (account id, group path) rows and groups
// the paths by account.
func accountPaths(ctx context.Context, q store.Querier, query string, args []any) (map[int64][]string, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var path string
		if err := rows.Scan(&id, &path); err != nil {
			return nil, err
		}
		out[id] = append(out[id], path)
	}
	return out, rows.Err()
}
