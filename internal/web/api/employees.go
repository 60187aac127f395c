package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

func (h *Handler) listEmployees(w http.ResponseWriter, r *http.Request) error {
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
	q := r.URL.Query()
	groupID, err := queryInt(r, "group_id")
	if err != nil {
		return err
	}
	f := directory.EmployeeFilter{Q: q.Get("q"), Role: access.Role(q.Get("role")), Status: q.Get("status"), GroupID: groupID, Sort: q.Get("sort")}
	if f.Role != "" && !f.Role.IsCompanyRole() {
		return derrors.Invalid("role", "role must be company_admin, group_admin or employee")
	}
	switch f.Status {
	case "", directory.StatusInactive, directory.StatusPending, directory.StatusActive, directory.StatusError:
	default:
		return derrors.Invalid("status", "status must be inactive, pending, active or error")
	}
	if !directory.ValidSort(f.Sort) {
		return derrors.Invalid("sort", "sort must be one of username, first_name, last_name, status, created_at (prefix '-' for descending)")
	}
	sc, err := h.app.Access.Scope(r.Context(), a)
	if err != nil {
		return err
	}
	es, total, err := h.app.Directory.ListEmployees(r.Context(), companyID, sc, f, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(es, total, p))
	return nil
}

// EmployeeCreateBody is POST /api/v1/employees: the Add Employee form, plus
// company_id for operators.
type EmployeeCreateBody struct {
	CompanyID int64 `json:"company_id"`
	directory.EmployeeCreateRequest
}

func (h *Handler) createEmployee(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	var body EmployeeCreateBody
	if err := decode(r, &body); err != nil {
		return err
	}
	req := body.EmployeeCreateRequest
	companyID := body.CompanyID
	if companyID == 0 {
		companyID = a.CompanyID
	}
	if companyID == 0 {
		return derrors.Invalid("company_id", "company_id is required: operators work across companies, so name the company")
	}
	if a.CompanyID != 0 && companyID != a.CompanyID {
		return derrors.ErrNotFound
	}
	if req.Role == "" {
		req.Role = access.RoleEmployee
	}
	if err := h.app.AuthorizeAddEmployee(r.Context(), a, companyID, req.Role, req.GroupIDs); err != nil {
		return err
	}
	e, err := h.app.AddEmployee(r.Context(), companyID, a.ProviderID, req)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/employees/"+strconv.FormatInt(e.ID, 10))
	WriteJSON(w, http.StatusCreated, e)
	return nil
}

func (h *Handler) employee(r *http.Request, action access.Action) (directory.Employee, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Employee{}, err
	}
	if err := h.app.Access.Check(r.Context(), actor(r), action, access.Employee(id)); err != nil {
		return directory.Employee{}, err
	}
	return h.app.Directory.Employee(r.Context(), id)
}

func (h *Handler) getEmployee(w http.ResponseWriter, r *http.Request) error {
	e, err := h.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *Handler) updateEmployee(w http.ResponseWriter, r *http.Request) error {
	e, err := h.employee(r, access.UpdateEmployee)
	if err != nil {
		return err
	}
	var req directory.EmployeeUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	e, err = h.app.ModifyEmployee(r.Context(), actor(r), e, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *Handler) deleteEmployee(w http.ResponseWriter, r *http.Request) error {
	e, err := h.employee(r, access.DeleteEmployee)
	if err != nil {
		return err
	}
	if err := h.app.Directory.DeleteEmployee(r.Context(), e.ID); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) employeeMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.linkedGroups(w, r, h.app.Directory.Memberships)
}

func (h *Handler) employeeAdminPrivileges(w http.ResponseWriter, r *http.Request) error {
	return h.linkedGroups(w, r, h.app.Directory.AdminPrivileges)
}

func (h *Handler) linkedGroups(w http.ResponseWriter, r *http.Request,
	fetch func(context.Context, int64, access.Scope, directory.LinkFilter) ([]directory.LinkedGroup, error)) error {
	e, err := h.employee(r, access.ViewEmployee)
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
	gs, err := fetch(r.Context(), e.ID, sc, f)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(gs, len(gs), pageOf(len(gs))))
	return nil
}

func (h *Handler) changeEmployeeMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.changeEmployeeLinks(w, r, access.ManageGroupMember, h.app.Directory.ChangeMembers)
}

func (h *Handler) changeEmployeeAdminPrivileges(w http.ResponseWriter, r *http.Request) error {
	return h.changeEmployeeLinks(w, r, access.ManageGroupAdmins, h.app.Directory.ChangeGroupAdmins)
}

// changeEmployeeLinks is the employee-side Save of Group Memberships or Admin
// Privileges: the caller must manage the employee and every group touched.
func (h *Handler) changeEmployeeLinks(w http.ResponseWriter, r *http.Request, groupAction access.Action,
	apply func(ctx context.Context, add, remove []directory.Link) error) error {
	e, err := h.employee(r, access.ManageMemberships)
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
	links := func(ids []int64, field string) ([]directory.Link, error) {
		var out []directory.Link
		for _, gid := range ids {
			if err := h.app.Access.CheckRef(r.Context(), actor(r), groupAction, access.Group(gid), field); err != nil {
				return nil, err
			}
			out = append(out, directory.Link{GroupID: gid, AccountID: e.ID})
		}
		return out, nil
	}
	add, err := links(req.Add, "add")
	if err != nil {
		return err
	}
	remove, err := links(req.Remove, "remove")
	if err != nil {
		return err
	}
	if err := apply(r.Context(), add, remove); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
