package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/access"
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
	companyID, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	parentID, err := queryInt(r, "parent_id")
	if err != nil {
		return err
	}
	pg, err := h.app.Directory.ListGroupsPage(r.Context(), actor(r), companyID,
		directory.GroupFilter{Q: r.URL.Query().Get("q"), SitesOnly: sitesOnly, ParentID: parentID}, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

func (h *Handler) groupTree(w http.ResponseWriter, r *http.Request) error {
	companyID, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	tree, err := h.app.Directory.GroupTree(r.Context(), actor(r), companyID)
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
	g, err := h.app.Directory.AddSite(r.Context(), actor(r), req.CompanyID, directory.SiteCreateRequest{Name: req.Name, Profile: req.Profile})
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/sites/"+strconv.FormatInt(g.ID, 10))
	WriteJSON(w, http.StatusCreated, g)
	return nil
}

// group loads the group of the path for an action of another domain
// (numbering, devices, service offering), which decides access through
// directory; wantSite selects the /sites or /groups view (a site is not
// found under /sites unless it is one).
func (h *Handler) group(r *http.Request, action access.Action, wantSite bool) (directory.Group, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Group{}, err
	}
	return h.app.Directory.GroupFor(r.Context(), actor(r), action, id, wantSite)
}

func (h *Handler) getSite(w http.ResponseWriter, r *http.Request) error {
	return h.getGroupOf(w, r, true)
}

func (h *Handler) getGroup(w http.ResponseWriter, r *http.Request) error {
	return h.getGroupOf(w, r, false)
}

func (h *Handler) getGroupOf(w http.ResponseWriter, r *http.Request, site bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	g, err := h.app.Directory.ViewGroup(r.Context(), actor(r), id, site)
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
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req directory.GroupUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err := h.app.Directory.ModifyGroup(r.Context(), actor(r), id, site, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) deleteSite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Directory.DeleteSite(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Directory.DeleteGroup(r.Context(), actor(r), id); err != nil {
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
	g, err := h.app.Directory.AddGroup(r.Context(), actor(r), req)
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
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req MoveGroupRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	g, err := h.app.Directory.MoveGroup(r.Context(), actor(r), id, req.ParentID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *Handler) groupAdmins(w http.ResponseWriter, r *http.Request) error {
	return h.linkedEmployees(w, r, directory.Administrators)
}

func (h *Handler) groupMembers(w http.ResponseWriter, r *http.Request) error {
	return h.linkedEmployees(w, r, directory.Memberships)
}

func (h *Handler) linkedEmployees(w http.ResponseWriter, r *http.Request, k directory.GroupLinks) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := directory.ParseLinkFilter(r.URL.Query().Get("filter"))
	if err != nil {
		return err
	}
	es, err := h.app.Directory.GroupEmployees(r.Context(), actor(r), id, k, f, r.URL.Query().Get("q"))
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(es, len(es), pageOf(len(es))))
	return nil
}

func (h *Handler) changeGroupAdmins(w http.ResponseWriter, r *http.Request) error {
	return h.changeGroupLinks(w, r, directory.Administrators)
}

func (h *Handler) changeGroupMembers(w http.ResponseWriter, r *http.Request) error {
	return h.changeGroupLinks(w, r, directory.Memberships)
}

func (h *Handler) changeGroupLinks(w http.ResponseWriter, r *http.Request, k directory.GroupLinks) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req directory.LinkChange
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.Directory.ChangeGroupEmployees(r.Context(), actor(r), id, k, req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MoveMembersRequest is POST /api/v1/groups/{id}/members/move.
type MoveMembersRequest struct {
	EmployeeIDs []int64 `json:"employee_ids"`
	ToGroupID   int64   `json:"to_group_id"`
}

func (h *Handler) moveGroupMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req MoveMembersRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.Directory.MoveGroupMembers(r.Context(), actor(r), id, req.ToGroupID, req.EmployeeIDs); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
