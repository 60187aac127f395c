package directory

import (
	"context"
	"fmt"
	"sort"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// LinkFilter is the portal's three-way radio: all, linked only, not linked.
type LinkFilter string

const (
	LinkAll       LinkFilter = "all"
	LinkLinked    LinkFilter = "linked"
	LinkNotLinked LinkFilter = "not_linked"
)

// ParseLinkFilter accepts the API's words for the three filters of a list:
// "all"; "member"/"administers"/"assigned"/"linked"; "not_member"/
// "not_administers"/"unassigned"/"not_linked".
func ParseLinkFilter(s string) (LinkFilter, error) {
	switch s {
	case "", "all":
		return LinkAll, nil
	case "linked", "member", "members", "administers", "assigned":
		return LinkLinked, nil
	case "not_linked", "not_member", "non_members", "not_administers", "unassigned":
		return LinkNotLinked, nil
	}
	return "", derrors.Invalid("filter", "filter must be all, member (administers) or not_member (not_administers)")
}

func (f LinkFilter) keep(linked bool) bool {
	return f == LinkAll || f == "" || (f == LinkLinked) == linked
}

// link tables: which table joins groups and accounts, and how the audit log
// names the change.
type linkKind struct {
	table       string
	addEvent    string
	removeEvent string
}

var (
	memberLink = linkKind{"group_members", "Add Group Member", "Remove Group Member"}
	adminLink  = linkKind{"group_admins", "Assign Group Admin", "Remove Group Admin"}
)

// LinkChange adds and removes links in one request, as a Save of the portal's
// check-box lists does.
type LinkChange struct {
	Add    []int64 `json:"add"`
	Remove []int64 `json:"remove"`
}

// Validate rejects an empty change and an id both added and removed.
func (c LinkChange) Validate() error {
	if len(c.Add) == 0 && len(c.Remove) == 0 {
		return derrors.Invalid("add", "nothing to change: give ids in add or remove")
	}
	in := map[int64]bool{}
	for _, id := range c.Add {
		in[id] = true
	}
	for _, id := range c.Remove {
		if in[id] {
			return derrors.Invalid("remove", "%d is both added and removed", id)
		}
	}
	return nil
}

// Linked is a group or employee with whether it is linked (member, or admin).
type LinkedEmployee struct {
	Employee
	Linked bool `json:"linked"`
}

// LinkedGroup is a group with whether the employee is linked to it.
type LinkedGroup struct {
	Group
	Linked bool `json:"linked"`
}

// GroupAdmins lists the group-admin accounts in scope with whether each
// administers groupID. Only accounts whose role is group admin are listed:
// company admins administer everything implicitly and employees cannot.
func (s *Service) GroupAdmins(ctx context.Context, groupID int64, sc access.Scope, f LinkFilter) ([]LinkedEmployee, error) {
	return s.linkedEmployees(ctx, adminLink, groupID, sc, EmployeeFilter{Role: access.RoleGroupAdmin}, f)
}

// GroupMembers lists the employees in scope with whether each is a member of groupID.
func (s *Service) GroupMembers(ctx context.Context, groupID int64, sc access.Scope, f LinkFilter, q string) ([]LinkedEmployee, error) {
	return s.linkedEmployees(ctx, memberLink, groupID, sc, EmployeeFilter{Q: q}, f)
}

func (s *Service) linkedEmployees(ctx context.Context, k linkKind, groupID int64, sc access.Scope, ef EmployeeFilter, f LinkFilter) ([]LinkedEmployee, error) {
	g, err := s.Group(ctx, groupID)
	if err != nil {
		return nil, err
	}
	linked, err := s.linkedAccounts(ctx, k, groupID)
	if err != nil {
		return nil, err
	}
	emps, err := s.allEmployees(ctx, g.CompanyID, sc, ef)
	if err != nil {
		return nil, err
	}
	var out []LinkedEmployee
	for _, e := range emps {
		if f.keep(linked[e.ID]) {
			out = append(out, LinkedEmployee{Employee: e, Linked: linked[e.ID]})
		}
	}
	return out, nil
}

func (s *Service) linkedAccounts(ctx context.Context, k linkKind, groupID int64) (map[int64]bool, error) {
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT account_id FROM "+k.table+" WHERE group_id = ?", groupID)
	if err != nil {
		return nil, fmt.Errorf("directory: %s of %d: %w", k.table, groupID, err)
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// Memberships lists the groups in scope with whether employeeID is a member.
func (s *Service) Memberships(ctx context.Context, employeeID int64, sc access.Scope, f LinkFilter) ([]LinkedGroup, error) {
	return s.linkedGroups(ctx, memberLink, employeeID, sc, f)
}

// AdminPrivileges lists the groups in scope with whether employeeID administers each.
func (s *Service) AdminPrivileges(ctx context.Context, employeeID int64, sc access.Scope, f LinkFilter) ([]LinkedGroup, error) {
	return s.linkedGroups(ctx, adminLink, employeeID, sc, f)
}

func (s *Service) linkedGroups(ctx context.Context, k linkKind, employeeID int64, sc access.Scope, f LinkFilter) ([]LinkedGroup, error) {
	e, err := s.Employee(ctx, employeeID)
	if err != nil {
		return nil, err
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT group_id FROM "+k.table+" WHERE account_id = ?", employeeID)
	if err != nil {
		return nil, err
	}
	linked := map[int64]bool{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		linked[id] = true
	}
	rows.Close()
	groups, err := s.AllGroups(ctx, e.CompanyID, sc)
	if err != nil {
		return nil, err
	}
	var out []LinkedGroup
	for _, g := range groups {
		if f.keep(linked[g.ID]) {
			out = append(out, LinkedGroup{Group: g, Linked: linked[g.ID]})
		}
	}
	return out, nil
}

// Link is one group–account pair.
type Link struct{ GroupID, AccountID int64 }

// ChangeGroupAdmins adds and removes group-admin assignments. Every account
// added must have the group admin role.
func (s *Service) ChangeGroupAdmins(ctx context.Context, add, remove []Link) error {
	return s.changeLinks(ctx, adminLink, add, remove)
}

// ChangeMembers adds and removes group memberships.
func (s *Service) ChangeMembers(ctx context.Context, add, remove []Link) error {
	return s.changeLinks(ctx, memberLink, add, remove)
}

// MoveMembers takes employees out of fromGroup and puts them in toGroup in one step.
func (s *Service) MoveMembers(ctx context.Context, fromGroup, toGroup int64, employeeIDs []int64) error {
	if fromGroup == toGroup {
		return derrors.Invalid("to_group_id", "the employees are already in this group")
	}
	if len(employeeIDs) == 0 {
		return derrors.Invalid("employee_ids", "choose at least one employee to move")
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		members, err := s.linkedAccounts(ctx, memberLink, fromGroup)
		if err != nil {
			return err
		}
		var add, remove []Link
		for _, id := range employeeIDs {
			if !members[id] {
				return derrors.Invalid("employee_ids", "employee %d is not a member of the group being moved from", id)
			}
			remove = append(remove, Link{fromGroup, id})
			add = append(add, Link{toGroup, id})
		}
		return s.changeLinks(ctx, memberLink, add, remove)
	})
}

func (s *Service) changeLinks(ctx context.Context, k linkKind, add, remove []Link) error {
	return s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		now := store.Now()
		groups := map[int64]Group{}
		group := func(id int64) (Group, error) {
			if g, ok := groups[id]; ok {
				return g, nil
			}
			g, err := s.Group(ctx, id)
			groups[id] = g
			return g, err
		}
		apply := func(l Link, adding bool) error {
			g, err := group(l.GroupID)
			if err != nil {
				return err
			}
			e, err := s.Employee(ctx, l.AccountID)
			if err != nil && !derrors.IsNotFound(err) {
				return err // a fault, not the caller's mistake
			}
			if err != nil || e.CompanyID != g.CompanyID {
				return derrors.Invalid("employee_ids", "employee %d does not exist", l.AccountID)
			}
			if adding && k == adminLink && e.Role != access.RoleGroupAdmin {
				return derrors.Invalid("add", "%s is a%s %s; only accounts whose role is Group Administrator can be assigned to a group (change the role under Profile first)",
					e.Username, article(e.Role.Label()), e.Role.Label())
			}
			var exists int
			if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM "+k.table+" WHERE group_id = ? AND account_id = ?", l.GroupID, l.AccountID).Scan(&exists); err != nil {
				return err
			}
			event := k.removeEvent
			if adding {
				if exists > 0 {
					return nil
				}
				event = k.addEvent
				_, err = q.Exec(ctx, "INSERT INTO "+k.table+" (group_id, account_id, created_at) VALUES (?, ?, ?)", l.GroupID, l.AccountID, now)
			} else {
				if exists == 0 {
					return nil
				}
				_, err = q.Exec(ctx, "DELETE FROM "+k.table+" WHERE group_id = ? AND account_id = ?", l.GroupID, l.AccountID)
			}
			if err != nil {
				return err
			}
			type change struct {
				Group    string `json:"group"`
				GroupID  int64  `json:"group_id"`
				Username string `json:"username"`
			}
			c := change{g.Path, g.ID, e.Username}
			ev := audit.Event{Event: event, ObjectKind: "group", ObjectID: g.ID, ObjectName: g.Path, CompanyID: g.CompanyID, SiteID: g.SiteID()}
			if adding {
				ev.After = c
			} else {
				ev.Before = c
			}
			return s.audit.Record(ctx, ev)
		}
		// Removals first, so a move within one call never trips a limit.
		for _, l := range sortLinks(remove) {
			if err := apply(l, false); err != nil {
				return err
			}
		}
		for _, l := range sortLinks(add) {
			if err := apply(l, true); err != nil {
				return err
			}
		}
		return nil
	})
}

func sortLinks(ls []Link) []Link {
	out := append([]Link(nil), ls...)
	sort.Slice(out, func(i, j int) bool {
		if out[i].GroupID != out[j].GroupID {
			return out[i].GroupID < out[j].GroupID
		}
		return out[i].AccountID < out[j].AccountID
	})
	return out
}

func article(s string) string {
	if s != "" && (s[0] == 'E' || s[0] == 'A' || s[0] == 'I' || s[0] == 'O' || s[0] == 'U') {
		return "n"
	}
	return ""
}
