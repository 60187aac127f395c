package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

const importBoundary = "imp0rtB0undary"

var multipartHeader = map[string]string{"Content-Type": "multipart/form-data; boundary=" + importBoundary}

// multipartBody builds a multipart/form-data body: the file part (when
// file is not "") and the fields.
func multipartBody(file string, fields ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(fields); i += 2 {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", importBoundary, fields[i], fields[i+1])
	}
	if file != "" {
		fmt.Fprintf(&b, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"import.csv\"\r\nContent-Type: application/octet-stream\r\n\r\n%s\r\n", importBoundary, file)
	}
	fmt.Fprintf(&b, "--%s--\r\n", importBoundary)
	return b.String()
}

// importContractCalls exercises every import operation for
// TestResponsesMatchDocument.
func importContractCalls(t *testing.T, c *contract) []apiCall {
	env := c.env
	f := env.Fixture
	ctx := context.Background()
	p := fmt.Sprintf
	// A company admin whose password must change: 403 on every operation.
	pcUser := "london.one#pc"
	pcSetup := func(t *testing.T) {
		if err := env.App.Identity.RequirePasswordChange(ctx, env.ID("london.one")); err != nil {
			t.Fatal(err)
		}
	}
	pcTeardown := func(t *testing.T) {
		if _, err := storetest.Exec(ctx, env.App.DB, "UPDATE accounts SET must_change_password = ? WHERE id = ?", false, env.ID("london.one")); err != nil {
			t.Fatal(err)
		}
	}
	latest := func(key string) func(t *testing.T) {
		return func(t *testing.T) {
			var id int64
			if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT MAX(id) FROM jobs WHERE kind IN ('import_employees', 'import_groups')").Scan(&id); err != nil {
				t.Fatal(err)
			}
			c.ids[key] = id
		}
	}
	runJobs := func(t *testing.T) {
		if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		latest("@a(import)")(t)
	}
	emp := "Username,First Name,Last Name,Email,Group\r\napi.one,Api,One,api.one@example.com,Leeds/Sales\r\nwest.one,Wendy,West,,\r\n"
	mh := multipartHeader
	bogus := map[string]string{"Authorization": "Bearer not-a-token", "Content-Type": mh["Content-Type"]}
	return []apiCall{
		{name: "import template", user: "acme.admin", method: "GET", path: "/api/v1/imports/employees/template", want: 200},
		{name: "import template anonymous", method: "GET", path: "/api/v1/imports/employees/template", want: 401},
		{name: "group template xml", user: "acme.admin", method: "GET", path: "/api/v1/imports/groups/template?file_type=custom", want: 200},
		{name: "group template bad type", user: "acme.admin", method: "GET", path: "/api/v1/imports/groups/template?file_type=vcard", want: 422, badRequest: true},
		{name: "group template anonymous", method: "GET", path: "/api/v1/imports/groups/template", want: 401},

		{name: "import employees", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody(emp, "job_name", "API import", "method", "add", "priority", "high", "send_welcome", "true", "encoding", "auto"), want: 201},
		{name: "import employees test mode operator", user: "operator", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody(emp, "job_name", "dry run", "company_id", p("%d", f.Acme.ID), "test_mode", "true", "all_or_nothing", "true", "file_type", "custom"), want: 201},
		{name: "import employees missing column", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody("Username,First Name\r\na.b,A\r\n", "job_name", "bad"), want: 422},
		{name: "import employees no file", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody("", "job_name", "bad"), want: 422, badRequest: true},
		{name: "import employees no config and reg", user: "globex.admin", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody(emp, "job_name", "x"), want: 403},
		{name: "import employees employee", user: "west.one", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody(emp, "job_name", "x"), want: 403},
		{name: "import employees other company", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody(emp, "job_name", "x", "company_id", p("%d", f.Globex.ID)), want: 404},
		{name: "import employees json", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees", body: map[string]any{"job_name": "x"}, want: 415, badRequest: true},
		{name: "import employees no boundary", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees",
			header: map[string]string{"Content-Type": "multipart/form-data"}, body: "x", want: 400, badRequest: true},
		{name: "import employees unknown field", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody(emp, "job_name", "x", "colour", "red"), want: 400, badRequest: true},
		{name: "import employees bad bearer", method: "POST", path: "/api/v1/imports/employees", header: bogus, body: multipartBody(emp, "job_name", "x"), want: 401},

		{name: "import groups", user: "acme.admin", method: "POST", path: "/api/v1/imports/groups", header: mh,
			body: multipartBody("Name,Parent\r\nApi Group,\r\nApi Child,Api Group\r\n", "job_name", "groups", "parent_id", p("%d", f.Leeds.ID)), want: 201},
		{name: "import groups xml", user: "sales.admin", method: "POST", path: "/api/v1/imports/groups", header: mh,
			body: multipartBody(`<groups><group name="Api X"/></groups>`, "job_name", "xml", "file_type", "xml", "parent_id", p("%d", f.Sales.ID), "method", "update"), want: 201},
		{name: "import groups parent not managed", user: "sales.admin", method: "POST", path: "/api/v1/imports/groups", header: mh,
			body: multipartBody("Name\r\nA\r\n", "job_name", "g", "parent_id", p("%d", f.Support.ID)), want: 422},
		{name: "import groups other company", user: "acme.admin", method: "POST", path: "/api/v1/imports/groups", header: mh,
			body: multipartBody("Name\r\nA\r\n", "job_name", "g", "parent_id", p("%d", f.Reading.ID), "company_id", p("%d", f.Globex.ID)), want: 404},
		{name: "import groups json", user: "acme.admin", method: "POST", path: "/api/v1/imports/groups", body: map[string]any{}, want: 415, badRequest: true},
		{name: "import groups no boundary", user: "acme.admin", method: "POST", path: "/api/v1/imports/groups",
			header: map[string]string{"Content-Type": "multipart/form-data"}, body: "x", want: 400, badRequest: true},
		{name: "import groups anonymous", method: "POST", path: "/api/v1/imports/groups", header: mh, body: multipartBody("Name\r\nA\r\n", "parent_id", "1"), want: 401},

		{name: "list imports", user: "acme.admin", method: "GET", path: "/api/v1/imports?kind=import_employees", want: 200, setup: runJobs},
		{name: "list imports group admin", user: "sales.admin", method: "GET", path: "/api/v1/imports", want: 200},
		{name: "list imports operator", user: "operator", method: "GET", path: p("/api/v1/imports?company_id=%d", f.Acme.ID), want: 200},
		{name: "list imports bad kind", user: "acme.admin", method: "GET", path: "/api/v1/imports?kind=x", want: 422, badRequest: true},
		{name: "list imports employee", user: "west.one", method: "GET", path: "/api/v1/imports", want: 403},
		{name: "list imports other company", user: "acme.admin", method: "GET", path: p("/api/v1/imports?company_id=%d", f.Globex.ID), want: 404},
		{name: "list imports anonymous", method: "GET", path: "/api/v1/imports", want: 401},

		{name: "get import", user: "acme.admin", method: "GET", path: "/api/v1/imports/@a(import)", want: 200},
		{name: "get import other company", user: "globex.admin", method: "GET", path: "/api/v1/imports/@a(import)", want: 404},
		{name: "get import employee", user: "west.one", method: "GET", path: "/api/v1/imports/@a(import)", want: 403},
		{name: "get import anonymous", method: "GET", path: "/api/v1/imports/@a(import)", want: 401},
		{name: "import items", user: "acme.admin", method: "GET", path: "/api/v1/imports/@a(import)/items?per_page=10", want: 200},
		{name: "import items bad page", user: "acme.admin", method: "GET", path: "/api/v1/imports/@a(import)/items?per_page=1000", want: 400, badRequest: true},
		{name: "import items other company", user: "globex.admin", method: "GET", path: "/api/v1/imports/@a(import)/items", want: 404},
		{name: "import items employee", user: "west.one", method: "GET", path: "/api/v1/imports/@a(import)/items", want: 403},
		{name: "import items anonymous", method: "GET", path: "/api/v1/imports/@a(import)/items", want: 401},

		{name: "cancel finished import", user: "acme.admin", method: "POST", path: "/api/v1/imports/@a(import)/cancel", want: 409},
		{name: "schedule import", user: "acme.admin", method: "POST", path: "/api/v1/imports/employees", header: mh,
			body: multipartBody(emp, "job_name", "later", "run_at", "2099-01-01T09:00:00Z", "priority", "low"), want: 201},
		{name: "cancel scheduled import", user: "acme.admin", method: "POST", path: "/api/v1/imports/@a(scheduled)/cancel", want: 200, setup: latest("@a(scheduled)")},
		{name: "cancel import other company", user: "globex.admin", method: "POST", path: "/api/v1/imports/@a(scheduled)/cancel", want: 404},
		{name: "cancel import employee", user: "west.one", method: "POST", path: "/api/v1/imports/@a(scheduled)/cancel", want: 403},
		{name: "cancel import anonymous", method: "POST", path: "/api/v1/imports/@a(scheduled)/cancel", want: 401},

		// A session whose password must change is refused everywhere.
		{name: "import template password change", user: pcUser, method: "GET", path: "/api/v1/imports/employees/template", want: 403, setup: pcSetup},
		{name: "group template password change", user: pcUser, method: "GET", path: "/api/v1/imports/groups/template", want: 403},
		{name: "import groups password change", user: pcUser, method: "POST", path: "/api/v1/imports/groups", header: mh,
			body: multipartBody("Name\r\nA\r\n", "job_name", "g", "parent_id", p("%d", f.London.ID)), want: 403},
		{name: "list imports password change", user: pcUser, method: "GET", path: "/api/v1/imports", want: 403, setup: func(t *testing.T) {}},
		{name: "end password change", user: "acme.admin", method: "GET", path: "/api/v1/imports/employees/template", want: 200, setup: pcTeardown},
	}
}
