package directory

import (
	"context"
	"errors"
	"fmt"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The group and site actions, each whole as the employee actions are
// (actions.go, docs/architecture.md).

// GroupFor loads group id for actor after access allowed action on it;
// wantSite answers ErrNotFound for a group that is not a site (the /sites
// views). Other domains' pages and handlers use it to load the site or
// group an action of theirs is about.
func (s *Service) GroupFor(ctx context.Context, actor access.Actor, action access.Action, id int64, wantSite bool) (Group, error) {
	if err := s.access.Check(ctx, actor, action, access.Group(id)); err != nil {
		return Group{}, fmt.Errorf("directory: group %d: %w", id, err)
	}
	g, err := s.Group(ctx, id)
	if err != nil {
		return g, err
	}
	if wantSite && !g.IsSite {
		return Group{}, fmt.Errorf("directory: site %d: %w", id, derrors.ErrNotFound)
	}
	return g, nil
}

// ViewGroup is a group's (or, with wantSite, a site's) Profile.
func (s *Service) ViewGroup(ctx context.Context, actor access.Actor, id int64, wantSite bool) (Group, error) {
	return s.GroupFor(ctx, actor, access.ViewGroup, id, wantSite)
}

// ListGroups is Group Selection: a page of companyID's groups (0: the
// actor's company) within the actor's scope, ordered by path.
func (s *Service) ListGroups(ctx context.Context, actor access.Actor, companyID int64, f GroupFilter, p store.Page) ([]Group, int, error) {
	companyID, sc, err := s.scopeIn(ctx, actor, companyID)
	if err != nil {
		return nil, 0, err
	}
	return s.ListGroupsIn(ctx, companyID, sc, f, p)
}

// ListGroupsPage is ListGroups for the API: p.After continues a keyset
// walk in path order, and the total is counted only when p.Count asks
// (docs/performance.md). The scope is computed again for every page; a
// cursor only positions.
func (s *Service) ListGroupsPage(ctx context.Context, actor access.Actor, companyID int64, f GroupFilter, p store.Page) (GroupPage, error) {
	companyID, sc, err := s.scopeIn(ctx, actor, companyID)
	if err != nil {
		return GroupPage{Total: -1}, err
	}
	return s.listGroups(ctx, companyID, sc, f, &p)
}

// GroupsInScope is every group of companyID (0: the actor's company) the
// actor's scope holds, ordered by path: the group pickers of the forms.
func (s *Service) GroupsInScope(ctx context.Context, actor access.Actor, companyID int64) ([]Group, error) {
	companyID, sc, err := s.scopeIn(ctx, actor, companyID)
	if err != nil {
		return nil, err
	}
	return s.AllGroups(ctx, companyID, sc)
}

// GroupTree is the group tree of companyID (0: the actor's company) within
// the actor's scope.
func (s *Service) GroupTree(ctx context.Context, actor access.Actor, companyID int64) ([]*TreeNode, error) {
	companyID, sc, err := s.scopeIn(ctx, actor, companyID)
	if err != nil {
		return nil, err
	}
	return s.Tree(ctx, companyID, sc)
}

// scopeIn resolves the company a list is of and the actor's scope in it.
func (s *Service) scopeIn(ctx context.Context, actor access.Actor, companyID int64) (int64, access.Scope, error) {
	companyID, err := companyOf(actor, companyID)
	if err != nil {
		return 0, access.Scope{}, err
	}
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(companyID)); err != nil {
		return 0, access.Scope{}, fmt.Errorf("directory: groups of company %d: %w", companyID, err)
	}
	sc, err := s.access.Scope(ctx, actor)
	return companyID, sc, err
}

// AddSite is the provider's Add Site on a company.
func (s *Service) AddSite(ctx context.Context, actor access.Actor, companyID int64, req SiteCreateRequest) (Group, error) {
	if companyID == 0 {
		return Group{}, derrors.Invalid("company_id", "company_id is required")
	}
	if err := s.access.Check(ctx, actor, access.CreateSite, access.Company(companyID)); err != nil {
		return Group{}, fmt.Errorf("directory: add site: %w", err)
	}
	return s.CreateSite(ctx, companyID, req)
}

// AddGroup is Add Group: CreateGroup is checked on the parent the new group
// goes under (one the actor may not see is an unknown parent_id).
func (s *Service) AddGroup(ctx context.Context, actor access.Actor, req GroupCreateRequest) (Group, error) {
	if req.ParentID == 0 {
		return Group{}, derrors.Invalid("parent_id", "parent_id is required: a group is created under an existing group or site (sites are created by the service provider)")
	}
	if err := s.access.CheckRef(ctx, actor, access.CreateGroup, access.Group(req.ParentID), "parent_id"); err != nil {
		return Group{}, fmt.Errorf("directory: add group: %w", err)
	}
	return s.CreateGroup(ctx, req)
}

// ModifyGroup is Save on a group's (with site, a site's) Profile.
func (s *Service) ModifyGroup(ctx context.Context, actor access.Actor, id int64, site bool, req GroupUpdateRequest) (Group, error) {
	if _, err := s.GroupFor(ctx, actor, access.UpdateGroup, id, site); err != nil {
		return Group{}, err
	}
	return s.UpdateGroup(ctx, id, req)
}

// MoveGroup puts a group, with everything under it, under newParentID:
// MoveGroup is checked on the group and CreateGroup on the new parent.
func (s *Service) MoveGroup(ctx context.Context, actor access.Actor, id, newParentID int64) (Group, error) {
	if _, err := s.GroupFor(ctx, actor, access.MoveGroup, id, false); err != nil {
		return Group{}, err
	}
	if newParentID == 0 {
		return Group{}, derrors.Invalid("parent_id", "parent_id is required: the group to move this group under")
	}
	if err := s.access.CheckRef(ctx, actor, access.CreateGroup, access.Group(newParentID), "parent_id"); err != nil {
		return Group{}, fmt.Errorf("directory: move group %d: %w", id, err)
	}
	return s.moveGroup(ctx, id, newParentID)
}

// DeleteGroup is Delete on a group that has no sub-groups.
func (s *Service) DeleteGroup(ctx context.Context, actor access.Actor, id int64) error {
	if _, err := s.GroupFor(ctx, actor, access.DeleteGroup, id, false); err != nil {
		return err
	}
	return s.deleteGroup(ctx, id)
}

// Deletion is whether a page offers Delete on a group: Allowed when the
// actor may delete it, and Refused, when it may but cannot now, says why —
// the reason DeleteGroup would refuse with.
type Deletion struct {
	Allowed bool
	Refused string
}

// GroupDeletion is what the group's page offers actor for Delete, asked as
// DeleteGroup asks (display only: DeleteGroup decides again).
func (s *Service) GroupDeletion(ctx context.Context, actor access.Actor, id int64) (Deletion, error) {
	g, err := s.GroupFor(ctx, actor, access.DeleteGroup, id, false)
	switch {
	case errors.Is(err, derrors.ErrForbidden), derrors.IsNotFound(err):
		return Deletion{}, nil
	case err != nil:
		return Deletion{}, err
	}
	reason, err := s.deleteRefusal(ctx, g)
	if err != nil {
		return Deletion{}, err
	}
	return Deletion{Allowed: true, Refused: reason}, nil
}

// DeleteSite is the provider's Delete on a site that has no groups.
func (s *Service) DeleteSite(ctx context.Context, actor access.Actor, id int64) error {
	if _, err := s.GroupFor(ctx, actor, access.DeleteSite, id, true); err != nil {
		return err
	}
	return s.deleteGroup(ctx, id)
}

// GroupEmployees is a group's Group Admins or Group Members list: the
// employees in the actor's scope with whether each is linked (q searches
// the members list).
func (s *Service) GroupEmployees(ctx context.Context, actor access.Actor, groupID int64, k GroupLinks, f LinkFilter, q string) ([]LinkedEmployee, error) {
	g, err := s.ViewGroup(ctx, actor, groupID, false)
	if err != nil {
		return nil, err
	}
	sc, err := s.access.Scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	if k == Administrators {
		return s.GroupAdmins(ctx, g.ID, sc, f)
	}
	return s.GroupMembers(ctx, g.ID, sc, f, q)
}

// GroupEmployeesPage is one page of GroupEmployees and the number of
// employees on all pages, for the Business Portal's paged Group Members.
// The list is read whole (one query for the employees, one for the links)
// and cut here, so the page and the total always agree.
func (s *Service) GroupEmployeesPage(ctx context.Context, actor access.Actor, groupID int64, k GroupLinks, f LinkFilter, q string, p store.Page) ([]LinkedEmployee, int, error) {
	all, err := s.GroupEmployees(ctx, actor, groupID, k, f, q)
	if err != nil {
		return nil, 0, err
	}
	p = p.Normalize()
	from := min(p.Offset(), len(all))
	to := min(from+p.Limit(), len(all))
	return all[from:to], len(all), nil
}

// checkEmployeeRef asks access about an employee a group-side change adds
// or removes: changing someone's group links is managing them, except
// one's own membership, which any admin of the group may change. One the
// actor may not see is an unknown id in field.
func (s *Service) checkEmployeeRef(ctx context.Context, actor access.Actor, k GroupLinks, id int64, field string) error {
	action := access.ManageMemberships
	if id == actor.AccountID && k == Memberships {
		action = access.ViewEmployee
	}
	return s.access.CheckRef(ctx, actor, action, access.Employee(id), field)
}

// ChangeGroupEmployees is Save on a group's Group Admins or Group Members:
// the action on the group, then each employee added or removed.
func (s *Service) ChangeGroupEmployees(ctx context.Context, actor access.Actor, groupID int64, k GroupLinks, c LinkChange) error {
	g, err := s.GroupFor(ctx, actor, k.groupAction(), groupID, false)
	if err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	links := func(ids []int64, field string) ([]Link, error) {
		var out []Link
		for _, id := range ids {
			if err := s.checkEmployeeRef(ctx, actor, k, id, field); err != nil {
				return nil, err
			}
			out = append(out, Link{GroupID: g.ID, AccountID: id})
		}
		return out, nil
	}
	add, err := links(c.Add, "add")
	if err != nil {
		return err
	}
	remove, err := links(c.Remove, "remove")
	if err != nil {
		return err
	}
	return k.apply(s, ctx, add, remove)
}

// MoveGroupMembers is Move on a group's members: out of fromGroup into
// toGroup in one step, ManageGroupMember checked on both groups and each
// employee managed by the actor.
func (s *Service) MoveGroupMembers(ctx context.Context, actor access.Actor, fromGroup, toGroup int64, employeeIDs []int64) error {
	if _, err := s.GroupFor(ctx, actor, access.ManageGroupMember, fromGroup, false); err != nil {
		return err
	}
	if toGroup == 0 {
		return derrors.Invalid("to_group_id", "to_group_id is required")
	}
	if err := s.access.CheckRef(ctx, actor, access.ManageGroupMember, access.Group(toGroup), "to_group_id"); err != nil {
		return fmt.Errorf("directory: move members: %w", err)
	}
	for _, id := range employeeIDs {
		if err := s.checkEmployeeRef(ctx, actor, Memberships, id, "employee_ids"); err != nil {
			return err
		}
	}
	return s.MoveMembers(ctx, fromGroup, toGroup, employeeIDs)
}
