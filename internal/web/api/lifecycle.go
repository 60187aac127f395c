package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
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
	e, err := h.employee(r, access.ActivateEmployee)
	if err != nil {
		return err
	}
	var b ActivateBody
	if err := decode(r, &b); err != nil {
		return err
	}
	req := lifecycle.ActivateRequest{SiteID: b.SiteID, UserType: b.UserType, Language: b.Language, TermID: b.TermID,
		PackageID: b.PackageID, AddOnIDs: b.AddOnIDs, Employees: []lifecycle.ActivateEmployee{{EmployeeID: e.ID,
			CLIFirstName: b.CLIFirstName, CLILastName: b.CLILastName, Number: b.Number, Extension: b.Extension, Device: b.Device}}}
	return h.activate(w, r, e.CompanyID, req, true)
}

func (h *Handler) activateEmployees(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	var b ActivateManyBody
	if err := decode(r, &b); err != nil {
		return err
	}
	companyID, err := h.companyFor(r, a, b.CompanyID, access.ViewCompany)
	if err != nil {
		if b.CompanyID != 0 && derrors.IsNotFound(err) {
			return derrors.ErrNotFound
		}
		return err
	}
	if err := h.app.Lifecycle.CheckActivation(r.Context(), companyID, a.IsOperator()); err != nil {
		return err
	}
	for i, e := range b.Employees {
		if err := h.app.Access.Check(r.Context(), a, access.ActivateEmployee, access.Employee(e.EmployeeID)); err != nil {
			if derrors.IsNotFound(err) {
				return derrors.Invalid("employees["+strconv.Itoa(i)+"].employee_id", "employee %d does not exist", e.EmployeeID)
			}
			return err
		}
	}
	return h.activate(w, r, companyID, b.ActivateRequest, false)
}

// activate checks the company flag and the site, validates everything the
// user typed, and enqueues the job (202).
func (h *Handler) activate(w http.ResponseWriter, r *http.Request, companyID int64, req lifecycle.ActivateRequest, single bool) error {
	a := actor(r)
	if err := h.app.Lifecycle.CheckActivation(r.Context(), companyID, a.IsOperator()); err != nil {
		return err
	}
	if req.SiteID != 0 {
		if err := h.app.Access.Check(r.Context(), a, access.ActivateEmployee, access.Group(req.SiteID)); err != nil {
			var forb *derrors.ForbiddenError
			switch {
			case derrors.IsNotFound(err):
				return derrors.Invalid("site_id", "site %d does not exist", req.SiteID)
			case errors.As(err, &forb):
				return derrors.Invalid("site_id", "%s", forb.Reason)
			}
			return err
		}
	}
	plan, err := h.app.Lifecycle.Prepare(r.Context(), companyID, req, single)
	if err != nil {
		return err
	}
	job, err := h.app.Lifecycle.Activate(r.Context(), plan)
	if err != nil {
		return err
	}
	out := ActivationResponse{Job: job}
	for _, it := range plan.Items {
		out.Employees = append(out.Employees, it.EmployeeID)
	}
	w.Header().Set("Location", "/api/v1/jobs/"+strconv.FormatInt(job.ID, 10))
	WriteJSON(w, http.StatusAccepted, out)
	return nil
}

func (h *Handler) employeeService(w http.ResponseWriter, r *http.Request) error {
	e, err := h.employee(r, access.ViewEmployee)
	if err != nil {
		return err
	}
	s, err := h.app.Lifecycle.Service(r.Context(), e.CompanyID, e.ID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) changeEmployeeService(w http.ResponseWriter, r *http.Request) error {
	e, err := h.employee(r, access.ManageService)
	if err != nil {
		return err
	}
	var c lifecycle.ServiceChange
	if err := decode(r, &c); err != nil {
		return err
	}
	cur, err := h.app.Lifecycle.Service(r.Context(), e.CompanyID, e.ID)
	if err != nil {
		return err
	}
	c = c.Without(cur)
	if c.NeedsConfigAndReg() {
		if err := h.app.Lifecycle.CheckConfigAndReg(r.Context(), e.CompanyID, actor(r).IsOperator()); err != nil {
			return err
		}
	}
	s, err := h.app.Lifecycle.ChangeService(r.Context(), e.CompanyID, e.ID, c)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

func (h *Handler) resubscribeEmployee(w http.ResponseWriter, r *http.Request) error {
	e, err := h.employee(r, access.ManageService)
	if err != nil {
		return err
	}
	job, err := h.app.Lifecycle.Resubscribe(r.Context(), e.CompanyID, e.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/jobs/"+strconv.FormatInt(job.ID, 10))
	WriteJSON(w, http.StatusAccepted, ActivationResponse{Job: job, Employees: []int64{e.ID}})
	return nil
}

func (h *Handler) ceaseEmployee(w http.ResponseWriter, r *http.Request) error {
	e, err := h.employee(r, access.CeaseEmployee)
	if err != nil {
		return err
	}
	if err := h.app.Lifecycle.CheckConfigAndReg(r.Context(), e.CompanyID, actor(r).IsOperator()); err != nil {
		return err
	}
	s, err := h.app.Lifecycle.Cease(r.Context(), e.CompanyID, e.ID)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, s)
	return nil
}

// site resolves path id as a site the actor may see, and its company.
func (h *Handler) siteOf(r *http.Request) (int64, int64, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, 0, err
	}
	if err := h.app.Access.Check(r.Context(), actor(r), access.ViewGroup, access.Group(id)); err != nil {
		return 0, 0, err
	}
	g, err := h.app.Directory.Group(r.Context(), id)
	if err != nil {
		return 0, 0, err
	}
	if !g.IsSite {
		return 0, 0, derrors.ErrNotFound
	}
	return g.CompanyID, id, nil
}

func (h *Handler) siteEmployeeLimit(w http.ResponseWriter, r *http.Request) error {
	companyID, siteID, err := h.siteOf(r)
	if err != nil {
		return err
	}
	l, err := h.app.Lifecycle.SiteLimit(r.Context(), companyID, siteID)
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
	companyID, siteID, err := h.siteOf(r)
	if err != nil {
		return err
	}
	if err := h.app.Access.Check(r.Context(), actor(r), access.ManageCompany, access.Company(companyID)); err != nil {
		return err
	}
	var b EmployeeLimitBody
	if err := decode(r, &b); err != nil {
		return err
	}
	if b.EmployeeLimit == nil {
		return derrors.Invalid("employee_limit", "give the employee limit (0 for no limit)")
	}
	l, err := h.app.Lifecycle.SetSiteLimit(r.Context(), companyID, siteID, *b.EmployeeLimit)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, l)
	return nil
}

func (h *Handler) listJobs(w http.ResponseWriter, r *http.Request) error {
	a := actor(r)
	given, err := queryInt(r, "company_id")
	if err != nil {
		return err
	}
	companyID, err := h.companyFor(r, a, given, access.ViewJobs)
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	f := jobs.Filter{CompanyID: companyID, Kind: r.URL.Query().Get("kind"), Status: jobs.Status(r.URL.Query().Get("status"))}
	if f.Status != "" && !f.Status.Valid() {
		return derrors.Invalid("status", "status must be not_started, in_progress, completed, error or cancelled")
	}
	f.CreatedBy = access.JobsStartedBy(a)
	js, total, err := h.app.Jobs.List(r.Context(), f, p)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, list(orEmpty(js), total, p))
	return nil
}

func orEmpty(js []jobs.Job) []jobs.Job {
	if js == nil {
		return []jobs.Job{}
	}
	return js
}

// job loads path id as a job the actor may see: one of a company they may
// view jobs of (group admins: one they started); anything else is 404.
func (h *Handler) job(r *http.Request) (jobs.Job, error) {
	a := actor(r)
	id, err := pathID(r, "id")
	if err != nil {
		return jobs.Job{}, err
	}
	scope := a.CompanyID
	if a.IsOperator() {
		scope = jobs.AllCompanies
	}
	if scope == 0 {
		return jobs.Job{}, derrors.ErrNotFound
	}
	j, err := h.app.Jobs.Job(r.Context(), scope, id)
	if err != nil {
		return j, err
	}
	if err := h.app.Access.CheckJobRead(r.Context(), a, j.CompanyID, j.CreatedBy); err != nil {
		return jobs.Job{}, err
	}
	return j, nil
}

func (h *Handler) getJob(w http.ResponseWriter, r *http.Request) error {
	j, err := h.job(r)
	if err != nil {
		return err
	}
	WriteJSON(w, http.StatusOK, j)
	return nil
}

func (h *Handler) jobItems(w http.ResponseWriter, r *http.Request) error {
	j, err := h.job(r)
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	items, total, err := h.app.Jobs.Items(r.Context(), jobs.AllCompanies, j.ID, p)
	if err != nil {
		return err
	}
	if items == nil {
		items = []jobs.Item{}
	}
	WriteJSON(w, http.StatusOK, list(items, total, p))
	return nil
}
