package ui

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Bulk Feature Management (docs/features.md):
//
//	GET  /bulk-features                 the company's jobs, with +Add
//	GET  /bulk-features/new             the wizard: reference, targets, features, summary
//	POST /bulk-features                 Submit
//	GET  /bulk-features/{id}            a job's status and per-setting results
//	POST /bulk-features/{id}/delete     delete a finished job's record
func init() {
	pageNames = append(pageNames, "bulk_features", "bulk_feature_new", "bulk_feature_job")
	flashes["bulk-submitted"] = "The job has been submitted. Refresh to follow it."
	flashes["bulk-deleted"] = "The job's record has been deleted; what it copied stays."
}

func (p *Pages) registerBulkFeatures(auth func(string, handlerFunc)) {
	auth("GET /bulk-features", p.bulkFeatures)
	auth("GET /bulk-features/new", p.bulkFeatureNew)
	auth("POST /bulk-features", p.bulkFeatureSubmit)
	auth("POST /bulk-features/audio", p.bulkAudioUpload)
	auth("GET /bulk-features/{id}", p.bulkFeatureJob)
	auth("POST /bulk-features/{id}/delete", p.bulkFeatureDelete)
}

type bulkListPage struct {
	Jobs []jobs.Job
	Next string
}

func (p *Pages) bulkFeatures(w http.ResponseWriter, r *http.Request) error {
	companyID, err := pageCompany(r)
	if err != nil {
		return err
	}
	pg, err := p.app.Features.BulkJobs(r.Context(), actorOf(r), companyID, store.Page{PerPage: 50, After: r.URL.Query().Get("after")})
	if err != nil {
		return err
	}
	v, err := p.newView(r, companyID, "company", "Bulk Feature Management")
	if err != nil {
		return err
	}
	v.Side = companySide(v, "bulk")
	v.Data = bulkListPage{Jobs: pg.Items, Next: pg.Next}
	p.render(w, r, http.StatusOK, "bulk_features", v)
	return nil
}

// bulkChoice is a reference or target row of the wizard.
type bulkChoice struct {
	ID      int64
	Name    string
	Detail  string
	Checked bool
}

type bulkWizard struct {
	Kind      string
	Q, TQ     string
	Site      int64
	Ref       *bulkChoice
	Refs      []bulkChoice // reference search results
	Sites     []directory.Group
	Rows      []bulkChoice // targets of this page
	Carried   []int64      // chosen targets not on this page
	Chosen    int
	Features  []features.Feature
	Picked    map[string]bool
	Audio     []bulkAudio // the audio mapping step (bulk_audio.go)
	Mapped    int
	CanSubmit bool
	Form      *form
}

// bulkFeatureNew is the wizard. Every step is a GET of this page that
// carries what was chosen so far in the query, so Back and reload work.
func (p *Pages) bulkFeatureNew(w http.ResponseWriter, r *http.Request) error {
	return p.renderWizard(w, r, http.StatusOK, newForm(nil))
}

func (p *Pages) renderWizard(w http.ResponseWriter, r *http.Request, status int, f *form) error {
	ctx, a := r.Context(), actorOf(r)
	companyID, err := pageCompany(r)
	if err != nil {
		return err
	}
	q := r.Form
	if q == nil {
		q = r.URL.Query()
	}
	d := bulkWizard{Kind: q.Get("kind"), Q: strings.TrimSpace(q.Get("q")), TQ: strings.TrimSpace(q.Get("tq")), Picked: map[string]bool{}, Form: f}
	if d.Kind != "site" {
		d.Kind = "employee"
	}
	d.Site, _ = strconv.ParseInt(q.Get("site"), 10, 64)
	ref, _ := strconv.ParseInt(q.Get("ref"), 10, 64)
	chosen := map[int64]bool{}
	for _, s := range q["target"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && id != ref {
			chosen[id] = true
		}
	}
	// Unticking a row of the shown page removes it: the page lists which
	// rows it showed.
	for _, s := range q["shown"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil && !contains(q["target"], s) {
			delete(chosen, id)
		}
	}
	for _, c := range q["feature"] {
		d.Picked[c] = true
	}
	sites, _, err := p.app.Directory.ListGroups(ctx, a, companyID, directory.GroupFilter{SitesOnly: true}, store.Page{PerPage: store.MaxPerPage})
	if err != nil {
		return err
	}
	d.Sites = sites
	list := func(search string, site int64, per int) ([]bulkChoice, error) {
		var out []bulkChoice
		if d.Kind == "site" {
			for _, s := range sites {
				if search == "" || strings.Contains(strings.ToLower(s.Name), strings.ToLower(search)) {
					out = append(out, bulkChoice{ID: s.ID, Name: s.Name})
				}
			}
			return out, nil
		}
		es, _, err := p.app.Directory.ListEmployees(ctx, a, companyID, directory.EmployeeFilter{Q: search, GroupID: site}, store.Page{Page: 1, PerPage: per})
		for _, e := range es {
			out = append(out, bulkChoice{ID: e.ID, Name: strings.TrimSpace(e.FirstName + " " + e.LastName), Detail: e.Username})
		}
		return out, err
	}
	if ref == 0 {
		if d.Refs, err = list(d.Q, 0, 20); err != nil {
			return err
		}
	} else {
		owner := features.Owner{Kind: features.OwnerKind(d.Kind), ID: ref}
		fs, err := p.app.Features.Features(ctx, a, owner, "")
		if err != nil {
			return err
		}
		for _, x := range fs {
			if x.Configured && features.Copyable(owner.Kind, x.Code) {
				d.Features = append(d.Features, x)
			}
		}
		name, _, err := p.featureOwnerFrame(r, owner)
		if err != nil {
			return err
		}
		d.Ref = &bulkChoice{ID: ref, Name: name}
		rows, err := list(d.TQ, d.Site, 50)
		if err != nil {
			return err
		}
		onPage := map[int64]bool{}
		for _, c := range rows {
			if c.ID == ref {
				continue
			}
			c.Checked = chosen[c.ID]
			onPage[c.ID] = true
			d.Rows = append(d.Rows, c)
		}
		for id := range chosen {
			if !onPage[id] {
				d.Carried = append(d.Carried, id)
			}
		}
		d.Chosen = len(chosen)
		if d.Audio, err = p.wizardAudio(r, owner, fs, q, f); err != nil {
			return err
		}
		for _, x := range d.Audio {
			if x.Selected != "" {
				d.Mapped++
			}
		}
		d.CanSubmit = d.Chosen > 0 && (len(d.Picked) > 0 || d.Mapped > 0)
	}
	v, err := p.newView(r, companyID, "company", "New bulk feature job")
	if err != nil {
		return err
	}
	v.Side = companySide(v, "bulk")
	v.Data = d
	p.render(w, r, status, "bulk_feature_new", v)
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// bulkFeatureSubmit mirrors POST /api/v1/feature-jobs.
func (p *Pages) bulkFeatureSubmit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return derrors.Invalid("", "the form could not be read")
	}
	f := newForm(r.PostForm)
	req := features.BulkRequest{Kind: features.OwnerKind(f.V("kind")), Features: r.PostForm["feature"],
		Audio: wizardMappings(features.OwnerKind(f.V("kind")), r.PostForm)}
	req.ReferenceID, _ = strconv.ParseInt(f.V("ref"), 10, 64)
	for _, s := range r.PostForm["target"] {
		if id, err := strconv.ParseInt(s, 10, 64); err == nil {
			req.TargetIDs = append(req.TargetIDs, id)
		}
	}
	j, err := p.app.Features.SubmitBulkCopy(r.Context(), actorOf(r), req)
	if err == nil {
		redirectFlash(w, r, "/bulk-features/"+itoa64(j.ID), "bulk-submitted")
		return nil
	}
	if !f.addErr(err) {
		return err
	}
	return p.renderWizard(w, r, http.StatusUnprocessableEntity, f)
}

type bulkJobPage struct {
	Job   jobs.Job
	Items []jobs.Item
	Total int
	Page  int
	More  bool
}

func (p *Pages) bulkFeatureJob(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	pg := store.Page{Page: max(page, 1), PerPage: 100}
	j, items, total, err := p.app.Features.BulkJob(r.Context(), actorOf(r), id, pg)
	if err != nil {
		return err
	}
	v, err := p.newView(r, j.CompanyID, "company", j.Name)
	if err != nil {
		return err
	}
	v.Side = companySide(v, "bulk")
	v.Data = bulkJobPage{Job: j, Items: items, Total: total, Page: pg.Page, More: pg.Page*pg.PerPage < total}
	p.render(w, r, http.StatusOK, "bulk_feature_job", v)
	return nil
}

func (p *Pages) bulkFeatureDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := p.app.Features.DeleteBulkJob(r.Context(), actorOf(r), id); err != nil {
		return err
	}
	redirectFlash(w, r, "/bulk-features", "bulk-deleted")
	return nil
}
