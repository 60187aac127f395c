package ui

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
)

const (
	jobsPerPage     = 50
	jobItemsPerPage = 100
)

// jobKinds is the kind filter of the Status page: "imports" keeps the
// import jobs (the former Import Status page), "" every job.
func jobKinds(kind string) []string {
	if kind == "imports" {
		return []string{"import_employees", "import_groups"}
	}
	return nil
}

// countRow is how many items of a job ended with one result.
type countRow struct {
	Status string
	N      int
}

// jobItem is one per-item result of a job.
type jobItem struct {
	Key, Status, Label, Message string
}

// jobItemLabel is an item status as the page shows it ("Would activate").
func jobItemLabel(s string) string {
	switch s {
	case jobs.ItemOK:
		return "Done"
	case "":
		return ""
	}
	return statusLabel(strings.ReplaceAll(s, "_", " "))
}

// jobRow is one job as the Status pages show it.
type jobRow struct {
	ID          int64
	Name        string
	Kind        string
	Status      string
	StatusLabel string
	Done, Total int
	Percent     int
	CreatedAt   time.Time
	By          string
	Running     bool
	LastError   string
	TestMode    bool
	Priority    string
	RunAt       time.Time
	// Scheduled: the job was set to start later than it was created.
	Scheduled bool
	// Method is an import's method: Add New or Update Current.
	Method string
}

// importMethod names the method an import job's arguments give, or "".
func importMethod(j jobs.Job) string {
	var h struct {
		Method string `json:"method"`
	}
	_ = json.Unmarshal(j.Args, &h)
	switch h.Method {
	case "add":
		return "Add New"
	case "update":
		return "Update Current"
	}
	return ""
}

// jobKindLabel names a job kind as the portal does.
func jobKindLabel(kind string) string {
	switch kind {
	case lifecycle.KindActivate:
		return "Activate"
	case lifecycle.KindResubscribe:
		return "Resubscribe"
	case "import_employees":
		return "Import Employees"
	case "import_groups":
		return "Import Group"
	}
	return statusLabel(strings.ReplaceAll(kind, "_", " "))
}

// jobRows turns jobs into rows, naming who started each.
func (p *Pages) jobRows(ctx context.Context, js []jobs.Job) []jobRow {
	names := map[int64]string{}
	out := make([]jobRow, 0, len(js))
	for _, j := range js {
		by, ok := names[j.CreatedBy]
		if !ok && j.CreatedBy != 0 {
			if e, err := p.app.Directory.Employee(ctx, j.CreatedBy); err == nil {
				by = e.Username
			}
			names[j.CreatedBy] = by
		}
		pct := 0
		if j.Total > 0 {
			pct = min(100, j.Done*100/j.Total)
		} else if j.Status == jobs.StatusCompleted {
			pct = 100
		}
		out = append(out, jobRow{ID: j.ID, Name: j.Name, Kind: jobKindLabel(j.Kind), Status: string(j.Status), StatusLabel: j.Status.Label(),
			Done: j.Done, Total: j.Total, Percent: pct, CreatedAt: j.CreatedAt, By: by, LastError: j.LastError, TestMode: j.TestMode,
			Running:  j.Status == jobs.StatusNotStarted || j.Status == jobs.StatusInProgress,
			Priority: string(j.Priority), RunAt: j.RunAt, Scheduled: j.RunAt.Sub(j.CreatedAt) > time.Minute, Method: importMethod(j)})
	}
	return out
}

type jobsPageData struct {
	// Kind is the kind filter: "imports" (Import Employees and Import
	// Group) or "" for every job.
	Kind    string
	Jobs    []jobRow
	Total   int
	Own     bool
	PrevURL string
	NextURL string
	Running bool
}

// jobsPage is Status: the company's jobs, newest first, as the API's
// listJobs shows them (group administrators: the jobs they started).
func (p *Pages) jobsPage(w http.ResponseWriter, r *http.Request) error {
	return p.jobsList(w, r, r.URL.Query().Get("kind"))
}

// jobsList is the Status page of kind's jobs ("imports", or "" for all).
func (p *Pages) jobsList(w http.ResponseWriter, r *http.Request, kind string) error {
	a := actorOf(r)
	given, err := companyParam(r)
	if err != nil {
		return err
	}
	if given == 0 && a.CompanyID == 0 {
		http.Redirect(w, r, "/customers", http.StatusSeeOther)
		return nil
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pg := store.Page{Page: max(n, 1), PerPage: jobsPerPage}
	f := jobs.Filter{Kinds: jobKinds(kind)}
	js, total, companyID, err := p.app.Jobs.ListFor(r.Context(), a, given, f, pg)
	if err != nil {
		return err
	}
	title, side := "Status", "jobs"
	if kind == "imports" {
		title, side = "Import Status", "status"
	}
	v, err := p.newView(r, companyID, "employees", title)
	if err != nil {
		return err
	}
	employeesSide(v, nil, side)
	d := jobsPageData{Jobs: p.jobRows(r.Context(), js), Total: total, Own: a.Role == access.RoleGroupAdmin, Kind: kind}
	for _, j := range d.Jobs {
		d.Running = d.Running || j.Running
	}
	link := func(n int) string {
		q := "/jobs?page=" + strconv.Itoa(n)
		if kind != "" {
			q += "&kind=" + kind
		}
		return v.Link(q)
	}
	if pg.Page > 1 {
		d.PrevURL = link(pg.Page - 1)
	}
	if pg.Page*jobsPerPage < total {
		d.NextURL = link(pg.Page + 1)
	}
	v.Data = d
	p.render(w, r, http.StatusOK, "lifecycle_jobs", v)
	return nil
}

type jobPageData struct {
	Job jobRow
	// Counts are the items by result, as the import reports show them.
	Counts    []countRow
	Items     []jobItem
	Total     int
	Submitted bool
	PrevURL   string
	NextURL   string
}

// jobPage is one job's progress and per-item results. It finds the job
// exactly as the API's job does: anything the actor may not read is 404.
func (p *Pages) jobPage(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	a := actorOf(r)
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	j, err := p.app.Jobs.JobFor(ctx, a, id)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pg := store.Page{Page: max(n, 1), PerPage: jobItemsPerPage}
	items, total, err := p.app.Jobs.ItemsFor(ctx, a, j.ID, pg)
	if err != nil {
		return err
	}
	counts, err := p.app.Jobs.ItemCountsFor(ctx, a, j.ID)
	if err != nil {
		return err
	}
	v, err := p.newView(r, j.CompanyID, "employees", j.Name)
	if err != nil {
		return err
	}
	employeesSide(v, nil, "jobs")
	d := jobPageData{Job: p.jobRows(ctx, []jobs.Job{j})[0], Total: total, Submitted: r.URL.Query().Get("submitted") == "1"}
	for _, st := range []string{jobs.ItemOK, jobs.ItemSkipped, jobs.ItemError, "would_add", "would_update", "would_skip"} {
		if n := counts[st]; n > 0 {
			d.Counts = append(d.Counts, countRow{Status: jobItemLabel(st), N: n})
		}
	}
	for _, it := range items {
		d.Items = append(d.Items, jobItem{Key: it.Key, Status: it.Status, Label: jobItemLabel(it.Status), Message: it.Message})
	}
	base := "/jobs/" + itoa64(j.ID) + "?page="
	if pg.Page > 1 {
		d.PrevURL = base + strconv.Itoa(pg.Page-1)
	}
	if pg.Page*jobItemsPerPage < total {
		d.NextURL = base + strconv.Itoa(pg.Page+1)
	}
	v.Data = d
	p.render(w, r, http.StatusOK, "lifecycle_job", v)
	return nil
}
