package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

// SiteCreateBody is POST /api/v1/sites.
type SiteCreateBody struct {
	CompanyID int64                  `json:"company_id"`
	Name      string                 `json:"name"`
	Profile   directory.GroupProfile `json:"profile"`
}

func (h *Handler) listSites(w http.ResponseWriter, r *http.Request) error {
	return h.listGroupsOf(w, r, true)
}

func (h *Handler) listGroups(w http.ResponseWriter, r *http.Request) error {
	return h.listGroupsOf(w, r, false)
}

func (h *Handler) listGroupsOf(w http.ResponseWriter, r *http.Request, sitesOnly bool) error {
	a := actor(r)
	given, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	companyID, err := h.companyFor(r, a, given, access.ViewCompany)
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	parentID, err := queryInt(r, "parent_id")
	if err != nil {
		return err
	}
	sc, err := h.app.Access.Scope(r.Context(), a)
	if err != nil {
		return err
	}
	gs, total, err := h.app.Directory.ListGroups(r.Context(), companyID, sc,
		directory.GroupFilter{Q: r.URL.Query().Get("q"), SitesOnly: sitesOnly, ParentID: parentID}, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(gs, total, p))
	return nil
}

func (h *Handler) groupTree(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	given, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	companyID, err := h.companyFor(r, a, given, access.ViewCompany)
	if err != nil {
		return err
	}
	sc, err := h.app.Access.Scope(r.Context(), a)
	if err != nil {
		return err
	}
	tree, err := h.app.Directory.Tree(r.Context(), companyID, sc)
	if err != nil {
		return err
	}
	if tree == nil {
		tree = []*directory.TreeNode{}
	}
	WriteJSON(w, http.StatusOK, map[string]any{"items": tree})
	return nil
}

func (h *Handler) createSite(w http.ResponseWriter, r *http.Request) error {
	var req SiteCreateBody
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.CompanyID == 0 {
		return derrors.Invalid("company_id", "company_id is required")
	}
	if err := h.app.Access.Check(r.Context(), actor(r), access.CreateSite, access.Company(req.CompanyID)); err != nil {
		return err
	}
	g, err := h.app.Directory.CreateSite(r.Context(), req.CompanyID, directory.SiteCreateRequest{Name: req.Name, Profile: req.Profile})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sites/"+strconv.FormatInt(g.ID, 10))
	WriteJSON(w, http.StatusCreated, g)
	return nil
}

// group loads a group after checking action on it; wantSite selects the
// /sites or /groups view (a site is not found under /sites unless it is one).
func (h *Handler) group(r *http.Request, action access.Action, wantSite bool) (directory.Group, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Group{}, err
	}
	if err := h.app.Access.Check(r.Context(), actor(r), action, access.Group(id)); err != nil {
		return directory.Group{}, err
	}
	g, err := h.app.Directory.Group(r.Context(), id)
	if err != nil {
		return g, err
	}
	if wantSite && !g.IsSite {
		return g, derrors.ErrNotFound
	}
	return g, nil
}

func (h *Handler) getSite(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.ViewGroup, true)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.ViewGroup, false)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) updateSite(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, true)
}

func (h *Handler) updateGroup(w http.ResponseWriter, r *http.Request) error {
	return h.update(w, r, false)
}

func (h *Handler) update(w http.ResponseWriter, r *http.Request, site bool) error {
	g, err := h.group(r, access.UpdateGroup, site)
	if err != nil {
		return err
	}
	var req directory.GroupUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err = h.app.Directory.UpdateGroup(r.Context(), g.ID, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) deleteSite(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.DeleteSite, true)
	if err != nil {
		return err
	}
	if err := h.app.Directory.DeleteGroup(r.Context(), g.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.DeleteGroup, false)
	if err != nil {
		return err
	}
	if err := h.app.Directory.DeleteGroup(r.Context(), g.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) createGroup(w http.ResponseWriter, r *http.Request) error {
	var req directory.GroupCreateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ParentID == 0 {
		return derrors.Invalid("parent_id", "parent_id is required: a group is created under an existing group or site (sites are created by the service provider)")
	}
	if err := h.app.Access.CheckRef(r.Context(), actor(r), access.CreateGroup, access.Group(req.ParentID), "parent_id"); err != nil {
		return err
	}
	g, err := h.app.Directory.CreateGroup(r.Context(), req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/groups/"+strconv.FormatInt(g.ID, 10))
	WriteJSON(w, http.StatusCreated, g)
	return nil
}

// MoveGroupRequest is POST /api/v1/groups/{id}/move.
type MoveGroupRequest struct {
	ParentID int64 `json:"parent_id"`
}

func (h *Handler) moveGroup(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.MoveGroup, false)
	if err != nil {
		return err
	}
	var req MoveGroupRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ParentID == 0 {
		return derrors.Invalid("parent_id", "parent_id is required: the group to move this group under")
	}
	if err := h.app.Access.CheckRef(r.Context(), actor(r), access.CreateGroup, access.Group(req.ParentID), "parent_id"); err != nil {
		return err
	}
	g, err = h.app.Directory.MoveGroup(r.Context(), g.ID, req.ParentID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) groupAdmins(w http.ResponseWriter, r *http.Request) error {
	return h.linkedEmployees(w, r, h.app.Directory.GroupAdmins)
}

func (h *Handler) groupMembers(w http.ResponseWriter, r *http.Request) error {
	return h.linkedEmployees(w, r, func(ctx context.Context, id int64, sc access.Scope, f directory.LinkFilter) ([]directory.LinkedEmployee, error) {
		return h.app.Directory.GroupMembers(ctx, id, sc, f, r.URL.Query().Get("q"))
	})
}

func (h *Handler) linkedEmployees(w http.ResponseWriter, r *http.Request,
	fetch func(context.Context, int64, access.Scope, directory.LinkFilter) ([]directory.LinkedEmployee, error)) error {
	g, err := h.group(r, access.ViewGroup, false)
	if err != nil {
		return err
	}
	f, err := directory.ParseLinkFilter(r.URL.Query().Get("filter"))
	if err != nil {
		return err
	}
	sc, err := h.app.Access.Scope(r.Context(), actor(r))
	if err != nil {
		return err
	}
	es, err := fetch(r.Context(), g.ID, sc, f)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(es, len(es), pageOf(len(es))))
	return nil
}

func (h *Handler) changeGroupAdmins(w http.ResponseWriter, r *http.Request) error {
	return h.changeGroupLinks(w, r, access.ManageGroupAdmins, h.app.Directory.ChangeGroupAdmins)
}

func (h *Handler) changeGroupMembers(w http.ResponseWriter, r *http.Request) error {
	return h.changeGroupLinks(w, r, access.ManageGroupMember, h.app.Directory.ChangeMembers)
}

func (h *Handler) changeGroupLinks(w http.ResponseWriter, r *http.Request, action access.Action,
	apply func(ctx context.Context, add, remove []directory.Link) error) error {
	g, err := h.group(r, action, false)
	if err != nil {
		return err
	}
	var req directory.LinkChange
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	var add, remove []directory.Link
	for _, id := range req.Add {
		if err := h.employeeInScope(r, id, "add"); err != nil {
			return err
		}
		add = append(add, directory.Link{GroupID: g.ID, AccountID: id})
	}
	for _, id := range req.Remove {
		if err := h.employeeInScope(r, id, "remove"); err != nil {
			return err
		}
		remove = append(remove, directory.Link{GroupID: g.ID, AccountID: id})
	}
	if err := apply(r.Context(), add, remove); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// employeeInScope refuses an employee id the caller may not manage, naming
// the field, without saying whether the id exists elsewhere.
func (h *Handler) employeeInScope(r *http.Request, id int64, field string) error {
	return h.app.Access.CheckRef(r.Context(), actor(r), access.ViewEmployee, access.Employee(id), field)
}

// MoveMembersRequest is POST /api/v1/groups/{id}/members/move.
type MoveMembersRequest struct {
	EmployeeIDs []int64 `json:"employee_ids"`
	ToGroupID   int64   `json:"to_group_id"`
}

func (h *Handler) moveGroupMembers(w http.ResponseWriter, r *http.Request) error {
	g, err := h.group(r, access.ManageGroupMember, false)
	if err != nil {
		return err
	}
	var req MoveMembersRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.ToGroupID == 0 {
		return derrors.Invalid("to_group_id", "to_group_id is required")
	}
	if err := h.app.Access.CheckRef(r.Context(), actor(r), access.ManageGroupMember, access.Group(req.ToGroupID), "to_group_id"); err != nil {
		return err
	}
	for _, id := range req.EmployeeIDs {
		if err := h.employeeInScope(r, id, "employee_ids"); err != nil {
			return err
		}
	}
	if err := h.app.Directory.MoveMembers(r.Context(), g.ID, req.ToGroupID, req.EmployeeIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
