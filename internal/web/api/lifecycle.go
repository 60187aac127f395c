package api

import (
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
)

// ActivateBody is POST /api/v1/employees/{id}/activate: the Activate form
// of one employee.
type ActivateBody struct {
	SiteID       int64                  `json:"site_id"`
	UserType     lifecycle.UserType     `json:"user_type"`
	Language     string                 `json:"language"`
	TermID       int64                  `json:"term_id"`
	PackageID    int64                  `json:"package_id"`
	AddOnIDs     []int64                `json:"add_on_ids"`
	CLIFirstName string                 `json:"cli_first_name"`
	CLILastName  string                 `json:"cli_last_name"`
	Number       string                 `json:"number"`
	Extension    string                 `json:"extension"`
	Device       lifecycle.DeviceChoice `json:"device"`
}

// ActivateManyBody is POST /api/v1/employees/activate: a multi-select
// activation, plus company_id for operators.
type ActivateManyBody struct {
	CompanyID int64 `json:"company_id"`
	lifecycle.ActivateRequest
}

// ActivationResponse is what an activation answers: the job that runs it
// and the employees now Pending.
type ActivationResponse struct {
	Job       jobs.Job `json:"job"`
	Employees []int64  `json:"employee_ids"`
}

func (h *Handler) activateEmployee(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b ActivateBody
	if err := decode(r, &b); err != nil {
		return err
	}
	req := lifecycle.ActivateRequest{SiteID: b.SiteID, UserType: b.UserType, Language: b.Language, TermID: b.TermID,
		PackageID: b.PackageID, AddOnIDs: b.AddOnIDs, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: id,
			CLIFirstName: b.CLIFirstName, CLILastName: b.CLILastName, Number: b.Number, Extension: b.Extension, Device: b.Device}}}
	return h.activate(w, r, 0, req)
}

func (h *Handler) activateEmployees(w http.ResponseWriter, r *http.Request) error {
	var b ActivateManyBody
	if err := decode(r, &b); err != nil {
		return err
	}
	return h.activate(w, r, b.CompanyID, b.ActivateRequest)
}

// activate runs lifecycle.Activate and answers 202 with the job.
func (h *Handler) activate(w http.ResponseWriter, r *http.Request, companyID int64, req lifecycle.ActivateRequest) error {
	a, err := h.app.Lifecycle.Activate(r.Context(), actor(r), companyID, req)
	if err != nil {
		return err
	}
	out := ActivationResponse{Job: a.Job}
	for _, it := range a.Plan.Items {
		out.Employees = append(out.Employees, it.EmployeeID)
	}
	w.Header().Set("Location", "/api/v1/jobs/"+strconv.FormatInt(a.Job.ID, 10))
	WriteJSON(w, http.StatusAccepted, out)
	return nil
}

func (h *Handler) employeeService(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	s, err := h.app.Lifecycle.ServiceOf(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) changeEmployeeService(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var c lifecycle.ServiceChange
	if err := decode(r, &c); err != nil {
		return err
	}
	s, err := h.app.Lifecycle.ChangeService(r.Context(), actor(r), id, c)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) resubscribeEmployee(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	job, err := h.app.Lifecycle.Resubscribe(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/jobs/"+strconv.FormatInt(job.ID, 10))
	WriteJSON(w, http.StatusAccepted, ActivationResponse{Job: job, Employees: []int64{id}})
	return nil
}

func (h *Handler) ceaseEmployee(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	s, err := h.app.Lifecycle.Cease(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) siteEmployeeLimit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	l, err := h.app.Lifecycle.SiteLimitFor(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, l)
	return nil
}

// EmployeeLimitBody is PUT /api/v1/sites/{id}/employee-limit.
type EmployeeLimitBody struct {
	EmployeeLimit *int `json:"employee_limit"`
}

func (h *Handler) setSiteEmployeeLimit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b EmployeeLimitBody
	if err := decode(r, &b); err != nil {
		return err
	}
	l, err := h.app.Lifecycle.ChangeSiteLimit(r.Context(), actor(r), id, b.EmployeeLimit)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) listJobs(w http.ResponseWriter, r *http.Request) error {
	given, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	p, err := keysetPage(r)
	if err != nil {
		return err
	}
	f := jobs.Filter{Kind: r.URL.Query().Get("kind"), Status: jobs.Status(r.URL.Query().Get("status"))}
	pg, _, err := h.app.Jobs.ListPageFor(r.Context(), actor(r), given, f, p)
	if err != nil {
		return cursorProblem(err)
	}
	WriteJSON(w, http.StatusOK, keysetList(pg.Items, pg.Total, pg.Next, p))
	return nil
}

func orEmpty(js []jobs.Job) []jobs.Job {
	if js == nil {
		return []jobs.Job{}
	}
	return js
}

func (h *Handler) getJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := h.app.Jobs.JobFor(r.Context(), actor(r), id)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, j)
	return nil
}

func (h *Handler) jobItems(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	items, total, err := h.app.Jobs.ItemsFor(r.Context(), actor(r), id, p)
	if err != nil {
		return err
	}
	if items == nil {
		items = []jobs.Item{}
	}
	WriteJSON(w, http.StatusOK, list(items, total, p))
	return nil
}
