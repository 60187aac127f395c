package ui

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
)

func init() {
	pageNames = append(pageNames, "imports_employees", "imports_groups")
}

// registerImports adds Import Employees, Import Group and the Status pages.
//
//	GET/POST /employees/import        Import Employees (informational without Config & Reg)
//	GET      /employees/import/template
//	GET/POST /groups/import           Import Group
//	GET      /groups/import/template?file_type=custom|outlook|xml
//	GET      /imports                 Status (the jobs view) of the import jobs
//	GET      /imports/{id}            one job's progress and per-row results (the jobs view)
func (p *Pages) registerImports(auth func(pattern string, fn handlerFunc)) {
	auth("GET /employees/import", p.importEmployeesPage)
	auth("POST /employees/import", p.importEmployeesSubmit)
	auth("GET /employees/import/template", p.importEmployeesTemplate)
	auth("GET /groups/import", p.importGroupsPage)
	auth("POST /groups/import", p.importGroupsSubmit)
	auth("GET /groups/import/template", p.importGroupsTemplate)
	auth("GET /imports", p.importStatus)
	auth("GET /imports/{id}", p.importJob)
}

type importPage struct {
	Form      *form
	CompanyID int64
	Enabled   bool
	Parents   []groupRow
	Problems  []imports.Problem
	Columns   string
}

func (p *Pages) importCompany(w http.ResponseWriter, r *http.Request) (int64, bool, error) {
	id, err := pageCompany(r)
	if errors.Is(err, errChooseCompany) {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return 0, false, nil
	}
	return id, err == nil, err
}

// importTarget is the company a submitted import names (company_id, or the
// actor's own). It asks no permission: imports.SubmitEmployees and
// SubmitGroups decide. An operator without a company is sent to the
// customer list.
func (p *Pages) importTarget(w http.ResponseWriter, r *http.Request) (int64, bool, error) {
	id, err := formCompany(r)
	if err != nil {
		return 0, false, err
	}
	if id == 0 {
		id = actorOf(r).CompanyID
	}
	if id == 0 {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return 0, false, nil
	}
	return id, true, nil
}

// visibleForm refuses to show a submitted import form again, with its
// problems, in the frame of a company the actor may not import into
// (display only: the submission itself is decided by imports).
func (p *Pages) visibleForm(r *http.Request, companyID int64) error {
	if !p.app.Access.Can(r.Context(), actorOf(r), access.ImportEmployees, access.Company(companyID)) {
		return derrors.ErrNotFound
	}
	return nil
}

func (p *Pages) importEmployeesPage(w http.ResponseWriter, r *http.Request) error {
	id, ok, err := p.importCompany(w, r)
	if !ok {
		return err
	}
	f := newForm(nil)
	f.Values.Set("priority", "medium")
	f.Values.Set("method", "add")
	f.Values.Set("encoding", "auto")
	return p.renderImportEmployees(w, r, http.StatusOK, id, f, nil)
}

func (p *Pages) renderImportEmployees(w http.ResponseWriter, r *http.Request, status int, companyID int64, f *form, problems []imports.Problem) error {
	enabled, err := p.app.Imports().OpenImportEmployees(r.Context(), actorOf(r), companyID)
	if err != nil {
		return err
	}
	v, err := p.newView(r, companyID, "employees", "Import Employees")
	if err != nil {
		return err
	}
	employeesSide(v, nil, "import")
	v.Data = importPage{Form: f, CompanyID: companyID, Enabled: enabled, Problems: problems,
		Columns: "Username, First Name, Last Name, Email, Phone, Role, Group, Address Line 1, Address Line 2, City, Postcode, Country"}
	p.render(w, r, status, "imports_employees", v)
	return nil
}

// uploaded reads the file field of a multipart form (the CSRF check has
// parsed it already).
func uploaded(r *http.Request) ([]byte, error) {
	file, _, err := r.FormFile("file")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	}
	if err != nil {
		return nil, derrors.Invalid("file", "the file could not be read; choose it again")
	}
	defer file.Close()
	b, err := io.ReadAll(io.LimitReader(file, imports.MaxFileSize+1))
	if err != nil {
		return nil, derrors.Invalid("file", "the file could not be read; choose it again")
	}
	return b, nil
}

// importOptions reads the More Options of an import form.
func importOptions(f *form) imports.Options {
	o := imports.Options{JobName: f.V("job_name"), Method: imports.Method(f.V("method")), Priority: jobs.Priority(f.V("priority")),
		Encoding: imports.Encoding(f.V("encoding")), TestMode: f.V("test_mode") == "on", AllOrNothing: f.V("all_or_nothing") == "on"}
	if f.V("schedule") == "later" {
		t, err := time.ParseInLocation("2006-01-02T15:04", f.V("run_at"), time.UTC)
		if err != nil {
			f.add("run_at", "Choose the date and time to start the import.")
		} else {
			o.RunAt = t
		}
	}
	return o
}

var importFields = []string{"file", "job_name", "method", "priority", "encoding", "run_at", "file_type", "parent_id"}

func (p *Pages) importEmployeesSubmit(w http.ResponseWriter, r *http.Request) error {
	id, ok, err := p.importTarget(w, r)
	if !ok {
		return err
	}
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return derrors.Invalid("file", "the form could not be read")
		}
	}
	f := newForm(r.PostForm)
	file, err := uploaded(r)
	if err != nil {
		f.addErr(err, importFields...)
	}
	o := imports.EmployeeOptions{Options: importOptions(f), FileType: f.V("file_type"),
		GenerateUsernames: f.V("generate_usernames") == "on", SendWelcome: f.V("send_welcome") == "on"}
	if f.Invalid() {
		if err := p.visibleForm(r, id); err != nil {
			return err
		}
		return p.renderImportEmployees(w, r, http.StatusUnprocessableEntity, id, f, nil)
	}
	s, err := p.app.Imports().SubmitEmployees(r.Context(), actorOf(r), id, file, o)
	if err != nil {
		var forb *derrors.ForbiddenError
		if errors.As(err, &forb) {
			f.General = append(f.General, sentence(forb.Reason))
			return p.renderImportEmployees(w, r, http.StatusForbidden, id, f, nil)
		}
		if f.addErr(err, importFields...) {
			return p.renderImportEmployees(w, r, http.StatusUnprocessableEntity, id, f, nil)
		}
		return err
	}
	http.Redirect(w, r, "/imports/"+strconv.FormatInt(s.Job.ID, 10)+"?submitted=1", http.StatusSeeOther)
	return nil
}

func (p *Pages) importEmployeesTemplate(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="employee-import-template.csv"`)
	_, err := w.Write(imports.EmployeeTemplate())
	return err
}

func (p *Pages) importGroupsTemplate(w http.ResponseWriter, r *http.Request) error {
	ft := r.URL.Query().Get("file_type")
	b, ct, err := imports.GroupTemplate(ft)
	if err != nil {
		return err
	}
	name := "group-import-template.csv"
	if ft == imports.GroupFileXML {
		name = "group-import-template.xml"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	_, err = w.Write(b)
	return err
}

func (p *Pages) importGroupsPage(w http.ResponseWriter, r *http.Request) error {
	id, ok, err := p.importCompany(w, r)
	if !ok {
		return err
	}
	f := newForm(nil)
	f.Values.Set("priority", "medium")
	f.Values.Set("method", "add")
	f.Values.Set("encoding", "auto")
	f.Values.Set("file_type", "custom")
	return p.renderImportGroups(w, r, http.StatusOK, id, f)
}

func (p *Pages) renderImportGroups(w http.ResponseWriter, r *http.Request, status int, companyID int64, f *form) error {
	v, err := p.newView(r, companyID, "groups", "Import Group")
	if err != nil {
		return err
	}
	groupsSide(v, nil, "import")
	gs, err := p.scopedGroups(r.Context(), actorOf(r), companyID)
	if err != nil {
		return err
	}
	var parents []directory.Group
	for _, g := range gs {
		// The parents offered (display only: SubmitGroups decides).
		if p.app.Access.Can(r.Context(), actorOf(r), access.ImportGroups, access.Group(g.ID)) {
			parents = append(parents, g)
		}
	}
	v.Data = importPage{Form: f, CompanyID: companyID, Enabled: true, Parents: indentGroups(parents),
		Columns: "Name, Parent, Contact First Name, Contact Last Name, Contact Email, Contact Phone, Address Line 1, Address Line 2, City, Postcode, Country"}
	p.render(w, r, status, "imports_groups", v)
	return nil
}

func (p *Pages) importGroupsSubmit(w http.ResponseWriter, r *http.Request) error {
	id, ok, err := p.importTarget(w, r)
	if !ok {
		return err
	}
	if r.MultipartForm == nil {
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			return derrors.Invalid("file", "the form could not be read")
		}
	}
	f := newForm(r.PostForm)
	file, err := uploaded(r)
	if err != nil {
		f.addErr(err, importFields...)
	}
	parent, _ := strconv.ParseInt(f.V("parent_id"), 10, 64)
	o := imports.GroupOptions{Options: importOptions(f), FileType: f.V("file_type"), ParentID: parent}
	if f.Invalid() {
		if err := p.visibleForm(r, id); err != nil {
			return err
		}
		return p.renderImportGroups(w, r, http.StatusUnprocessableEntity, id, f)
	}
	s, err := p.app.Imports().SubmitGroups(r.Context(), actorOf(r), id, file, o)
	if err != nil {
		if f.addErr(err, importFields...) {
			return p.renderImportGroups(w, r, http.StatusUnprocessableEntity, id, f)
		}
		return err
	}
	http.Redirect(w, r, "/imports/"+strconv.FormatInt(s.Job.ID, 10)+"?submitted=1", http.StatusSeeOther)
	return nil
}

// importStatus and importJob are the Status view of jobs (jobsPage,
// jobPage) kept at their former addresses: the import jobs, and one job.
func (p *Pages) importStatus(w http.ResponseWriter, r *http.Request) error {
	return p.jobsList(w, r, "imports")
}

func (p *Pages) importJob(w http.ResponseWriter, r *http.Request) error {
	return p.jobPage(w, r)
}
