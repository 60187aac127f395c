package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/directory"
)

func (h *Handler) listEmployees(w http.ResponseWriter, r *http.Request) error {
	companyID, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	groupID, err := queryInt(r, "group_id")
	if err != nil {
		return err
	}
	f := directory.EmployeeFilter{Q: q.Get("q"), Role: access.Role(q.Get("role")), Status: q.Get("status"), GroupID: groupID, Sort: q.Get("sort")}
	pg, err := h.app.Directory.ListEmployeesPage(r.Context(), actor(r), companyID, f, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

// EmployeeCreateBody is POST /api/v1/employees: the Add Employee form, plus
// company_id for operators.
type EmployeeCreateBody struct {
	CompanyID int64 `json:"company_id"`
	directory.EmployeeCreateRequest
}

func (h *Handler) createEmployee(w http.ResponseWriter, r *http.Request) error {
	var body EmployeeCreateBody
	if err := decode(r, &body); err != nil {
		return err
	}
	e, err := h.app.Directory.AddEmployee(r.Context(), actor(r), body.CompanyID, body.EmployeeCreateRequest)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/employees/"+strconv.FormatInt(e.ID, 10))
	WriteJSON(w, http.StatusCreated, e)
	return nil
}

// employee loads the employee of the path for an action of another domain
// (lifecycle, security), which decides access through directory.
func (h *Handler) employee(r *http.Request, action access.Action) (directory.Employee, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return directory.Employee{}, err
	}
	return h.app.Directory.EmployeeFor(r.Context(), actor(r), action, id)
}

func (h *Handler) getEmployee(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.app.Directory.ViewEmployee(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *Handler) updateEmployee(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req directory.EmployeeUpdateRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	e, err := h.app.Directory.ModifyEmployee(r.Context(), actor(r), id, req)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, e)
	return nil
}

func (h *Handler) deleteEmployee(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.app.Directory.DeleteEmployee(r.Context(), actor(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) employeeMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.linkedGroups(w, r, directory.Memberships)
}

func (h *Handler) employeeAdminPrivileges(w http.ResponseWriter, r *http.Request) error {
	return h.linkedGroups(w, r, directory.Administrators)
}

func (h *Handler) linkedGroups(w http.ResponseWriter, r *http.Request, k directory.GroupLinks) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := directory.ParseLinkFilter(r.URL.Query().Get("filter"))
	if err != nil {
		return err
	}
	gs, err := h.app.Directory.EmployeeGroups(r.Context(), actor(r), id, k, f)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(gs, len(gs), pageOf(len(gs))))
	return nil
}

func (h *Handler) changeEmployeeMemberships(w http.ResponseWriter, r *http.Request) error {
	return h.changeEmployeeLinks(w, r, directory.Memberships)
}

func (h *Handler) changeEmployeeAdminPrivileges(w http.ResponseWriter, r *http.Request) error {
	return h.changeEmployeeLinks(w, r, directory.Administrators)
}

// changeEmployeeLinks is the employee-side Save of Group Memberships or
// Admin Privileges.
func (h *Handler) changeEmployeeLinks(w http.ResponseWriter, r *http.Request, k directory.GroupLinks) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var req directory.LinkChange
	if err := decode(r, &req); err != nil {
		return err
	}
	if err := h.app.Directory.ChangeEmployeeGroups(r.Context(), actor(r), id, k, req); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
