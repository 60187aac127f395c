package ui_test

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// upload posts a multipart form with a file, as the import pages do.
func (b *browser) upload(path string, fields map[string]string, file string) page {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, ok := fields["csrf_token"]; !ok {
		_ = mw.WriteField("csrf_token", b.csrf)
	}
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", "import.csv")
	if err != nil {
		b.t.Fatal(err)
	}
	_, _ = fw.Write([]byte(file))
	_ = mw.Close()
	req, err := http.NewRequest("POST", b.env.Server.URL+path, &body)
	if err != nil {
		b.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return b.do(req)
}

func TestImportPages(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		b := newBrowser(t, env)
		b.login("acme.admin", false)

		pg := b.get("/employees/import")
		if pg.Status != http.StatusOK || !strings.Contains(pg.Body, `enctype="multipart/form-data"`) || !strings.Contains(pg.Body, "Run in Test Mode") {
			t.Fatalf("import employees page: %d\n%s", pg.Status, pg.Body)
		}
		if tpl := b.get("/employees/import/template"); tpl.Status != 200 || !strings.HasPrefix(tpl.Body, "\ufeffUsername,") || tpl.Header.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Errorf("template: %d %q", tpl.Status, tpl.Header.Get("Content-Type"))
		}
		// A header problem re-renders the form with the columns found.
		bad := b.upload("/employees/import", map[string]string{"job_name": "bad", "method": "add", "priority": "medium", "encoding": "auto"}, "Username,First Name\r\nx.y,X\r\n")
		if bad.Status != http.StatusUnprocessableEntity || !strings.Contains(htmlUnescape(bad.Body), `"Last Name"`) {
			t.Errorf("bad file: %d\n%s", bad.Status, bad.Body)
		}
		// A good file schedules the job and redirects to its status page.
		ok := b.upload("/employees/import", map[string]string{"job_name": "UI import", "method": "add", "priority": "high", "encoding": "auto", "test_mode": "on"},
			"Username,First Name,Last Name\r\nui.one,Ui,One\r\nwest.one,Wendy,West\r\n")
		if ok.Status != http.StatusSeeOther || !strings.HasPrefix(ok.Location, "/imports/") {
			t.Fatalf("upload: %d %s\n%s", ok.Status, ok.Location, ok.Body)
		}
		if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		job := b.get(ok.Location)
		for _, want := range []string{"UI import", "Completed", "Would add", "Would skip", "exists", "Test Mode"} {
			if !strings.Contains(job.Body, want) {
				t.Errorf("job page lacks %q:\n%s", want, job.Body)
			}
		}
		if st := b.get("/imports"); st.Status != 200 || !strings.Contains(st.Body, "UI import") || !strings.Contains(st.Body, "<progress") {
			t.Errorf("status page: %d\n%s", st.Status, st.Body)
		}
		// Import Group: form, then a custom CSV under Leeds.
		if g := b.get("/groups/import"); g.Status != 200 || !strings.Contains(g.Body, "Parent Group") || !strings.Contains(g.Body, "Leeds/Sales") {
			t.Errorf("import group page: %d\n%s", g.Status, g.Body)
		}
		gup := b.upload("/groups/import", map[string]string{"job_name": "UI groups", "file_type": "custom", "parent_id": id(env.Fixture.Leeds.ID),
			"method": "add", "priority": "low", "encoding": "auto"}, "Name\r\nUi Group\r\n")
		if gup.Status != http.StatusSeeOther {
			t.Fatalf("group upload: %d\n%s", gup.Status, gup.Body)
		}
		if noParent := b.upload("/groups/import", map[string]string{"job_name": "x", "file_type": "custom", "encoding": "auto"}, "Name\r\nA\r\n"); noParent.Status != http.StatusUnprocessableEntity ||
			!strings.Contains(noParent.Body, "parent group") {
			t.Errorf("no parent: %d\n%s", noParent.Status, noParent.Body)
		}
		if gx := b.get("/groups/import/template?file_type=xml"); gx.Status != 200 || !strings.Contains(gx.Body, "<groups>") {
			t.Errorf("xml template: %d", gx.Status)
		}
		// Without the CSRF token the upload is refused.
		if nocsrf := b.upload("/employees/import", map[string]string{"csrf_token": "wrong", "job_name": "x"}, "a"); nocsrf.Status != http.StatusForbidden {
			t.Errorf("upload without CSRF: %d", nocsrf.Status)
		}

		// Globex has no Config & Reg: the page is informational.
		g := newBrowser(t, env)
		g.login("globex.admin", false)
		if pg := g.get("/employees/import"); pg.Status != 200 || !strings.Contains(pg.Body, "informational only") || strings.Contains(pg.Body, `enctype="multipart/form-data"`) {
			t.Errorf("globex import page: %d\n%s", pg.Status, pg.Body)
		}
		// Another company's job is not found; an employee may not import.
		if other := g.get(ok.Location); other.Status != http.StatusNotFound {
			t.Errorf("globex.admin opens Acme's job: %d", other.Status)
		}
		e := newBrowser(t, env)
		e.login("west.one", false)
		if pg := e.get("/employees/import"); pg.Status != http.StatusForbidden {
			t.Errorf("employee import page: %d", pg.Status)
		}
	})
}
