package imports_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

type harness struct {
	t   *testing.T
	env *apptest.Env
	svc *imports.Service
	w   *jobs.Worker
}

func newHarness(t *testing.T, db *store.DB) *harness {
	env := apptest.New(t, db)
	return &harness{t: t, env: env, svc: env.App.Imports(), w: env.App.Jobs.NewWorker(jobs.WorkerConfig{})}
}

func (h *harness) submit(user, csv string, o imports.EmployeeOptions) imports.Submitted {
	h.t.Helper()
	if o.JobName == "" {
		o.JobName = "test import"
	}
	s, err := h.svc.SubmitEmployees(context.Background(), h.env.Actor(user), h.env.Fixture.Acme.ID, []byte(csv), o)
	if err != nil {
		h.t.Fatalf("submit: %v", err)
	}
	return s
}

// run runs due jobs and returns the job and its items by key prefix.
func (h *harness) run(user string, id int64) (imports.Job, map[string]jobs.Item) {
	h.t.Helper()
	if _, err := h.w.RunDue(context.Background()); err != nil {
		h.t.Fatal(err)
	}
	return h.result(user, id)
}

func (h *harness) result(user string, id int64) (imports.Job, map[string]jobs.Item) {
	h.t.Helper()
	ctx := context.Background()
	j, err := h.svc.Job(ctx, h.env.Actor(user), id)
	if err != nil {
		h.t.Fatal(err)
	}
	items, _, err := h.svc.Items(ctx, h.env.Actor(user), id, store.Page{PerPage: 500})
	if err != nil {
		h.t.Fatal(err)
	}
	out := map[string]jobs.Item{}
	for _, it := range items {
		_, name, _ := strings.Cut(it.Key, ": ")
		out[name] = it
	}
	return j, out
}

func (h *harness) employee(username string) (directory.Employee, bool) {
	h.t.Helper()
	var id int64
	err := h.env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT id FROM accounts WHERE username = ?", username).Scan(&id)
	if err != nil {
		return directory.Employee{}, false
	}
	e, err := h.env.App.Directory.Employee(context.Background(), id)
	if err != nil {
		h.t.Fatal(err)
	}
	return e, true
}

func (h *harness) count(table string) int {
	var n int
	if err := h.env.App.DB.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		h.t.Fatal(err)
	}
	return n
}

const header = "Username,First Name,Last Name,Email,Phone,Role,Group\r\n"

func TestEmployeeImportAddThenUpdate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		csv := header +
			"ann.new,Ann,New,ann@example.com,0113 496 0001,employee,Leeds/Sales\r\n" +
			"bob.new,Bob,New,,,group_admin,leeds/support\r\n" +
			"west.one,Wendy,West,,,,\r\n"
		s := h.submit("acme.admin", csv, imports.EmployeeOptions{Options: imports.Options{Method: imports.MethodAdd}, SendWelcome: true})
		if s.Preview.Rows != 3 || s.Preview.Valid != 3 || len(s.Preview.Problems) != 0 {
			t.Fatalf("preview = %+v", s.Preview)
		}
		mailBefore := h.count("mail_outbox")
		j, items := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted || j.Done != 3 || j.Total != 3 {
			t.Fatalf("job = %+v", j)
		}
		if items["ann.new"].Status != jobs.ItemOK || items["bob.new"].Status != jobs.ItemOK {
			t.Errorf("items = %+v", items)
		}
		if it := items["west.one"]; it.Status != jobs.ItemSkipped || it.Message != "exists" {
			t.Errorf("west.one = %+v, want skipped: exists", it)
		}
		ann, ok := h.employee("ann.new")
		if !ok || ann.Status != directory.StatusInactive || ann.Email != "ann@example.com" || ann.CompanyID != h.env.Fixture.Acme.ID {
			t.Fatalf("ann = %+v %v", ann, ok)
		}
		if bob, _ := h.employee("bob.new"); bob.Role != access.RoleGroupAdmin {
			t.Errorf("bob role = %s", bob.Role)
		}
		// Imported accounts have no password: they cannot log in.
		if _, err := h.env.App.Identity.Authenticate(context.Background(), "ann.new", ""); err == nil {
			t.Error("an imported account logged in without a password")
		}
		// One welcome mail: Ann has an address, Bob has none.
		if got := h.count("mail_outbox") - mailBefore; got != 1 {
			t.Errorf("welcome mails = %d, want 1", got)
		}
		// Membership of the Group column's group.
		members, _, err := h.env.App.Directory.ListEmployeesIn(context.Background(), h.env.Fixture.Acme.ID, access.Scope{CompanyID: h.env.Fixture.Acme.ID},
			directory.EmployeeFilter{GroupID: h.env.Fixture.Sales.ID}, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, m := range members {
			found = found || m.Username == "ann.new"
		}
		if !found {
			t.Error("ann.new is not a member of Leeds/Sales")
		}

		// Update Current Users: changes names, never adds.
		upd := header + "ann.new,Annie,,,,,\r\n" + "nobody.here,No,Body,,,,\r\n" + "west.one,,,,,,\r\n"
		s = h.submit("acme.admin", upd, imports.EmployeeOptions{Options: imports.Options{Method: imports.MethodUpdate}})
		_, items = h.run("acme.admin", s.Job.ID)
		if items["ann.new"].Status != jobs.ItemOK || items["nobody.here"].Status != jobs.ItemSkipped || items["west.one"].Message != "no change" {
			t.Errorf("update items = %+v", items)
		}
		if ann, _ := h.employee("ann.new"); ann.FirstName != "Annie" || ann.LastName != "New" {
			t.Errorf("ann after update = %+v", ann)
		}
		if _, ok := h.employee("nobody.here"); ok {
			t.Error("Update Current Users added an employee")
		}
		// Every change is audited, attributed to the submitter.
		var n int
		if err := db.Q(context.Background()).QueryRow(context.Background(),
			"SELECT COUNT(*) FROM audit_events WHERE event IN ('Create Employee', 'Modify Employee') AND actor_username = 'acme.admin'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 3 {
			t.Errorf("audited employee changes by acme.admin = %d, want 3", n)
		}
	})
}

func TestEmployeeImportTestModeChangesNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		csv := header + "ann.new,Ann,New,,,,\r\n" + "west.one,Wendy,West,,,,\r\n" + "bad-name,Bad,Name,,,,\r\n"
		s := h.submit("acme.admin", csv, imports.EmployeeOptions{Options: imports.Options{TestMode: true}})
		if s.Preview.Invalid != 1 || s.Preview.Problems[0].Row != 4 || s.Preview.Problems[0].Field != "username" {
			t.Errorf("preview = %+v", s.Preview)
		}
		accounts, events := h.count("accounts"), h.count("audit_events")
		j, items := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted || !j.TestMode {
			t.Fatalf("job = %+v", j)
		}
		if items["ann.new"].Status != "would_add" || items["west.one"].Status != "would_skip" || items["west.one"].Message != "exists" ||
			items["bad-name"].Status != jobs.ItemError {
			t.Errorf("items = %+v", items)
		}
		if h.count("accounts") != accounts {
			t.Error("test mode added accounts")
		}
		// Only the job's own Complete Job entry is new.
		if got := h.count("audit_events") - events; got != 1 {
			t.Errorf("test mode wrote %d audit entries, want 1 (Complete Job)", got)
		}
	})
}

func TestGeneratedUsernames(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		if _, err := h.env.App.Directory.CreateEmployee(ctx, h.env.Fixture.Globex.ID, h.env.Fixture.Provider.ID,
			directory.EmployeeCreateRequest{Username: "john.smith", FirstName: "John", LastName: "Smith"}, ""); err != nil {
			t.Fatal(err)
		}
		// No Username column at all, and a file with one that is empty on a row.
		csv := "First Name,Last Name\r\nJohn,Smith\r\nJohn,Smith\r\nJosé,Núñez-O'Brien\r\n!!,??\r\n"
		s := h.submit("acme.admin", csv, imports.EmployeeOptions{GenerateUsernames: true})
		j, items := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted {
			t.Fatalf("job = %+v", j)
		}
		for _, u := range []string{"john.smith2", "john.smith3", "jose.nunezobrien"} {
			if items[u].Status != jobs.ItemOK {
				t.Errorf("%s: %+v (items %+v)", u, items[u], items)
			}
			if _, ok := h.employee(u); !ok {
				t.Errorf("%s was not created", u)
			}
		}
		csv2 := header + ",John,Smith,,,,\r\njohn.smith4,Johnny,Smith,,,,\r\n"
		s = h.submit("acme.admin", csv2, imports.EmployeeOptions{GenerateUsernames: true})
		_, items = h.run("acme.admin", s.Job.ID)
		if items["john.smith5"].Status != jobs.ItemOK || items["john.smith4"].Status != jobs.ItemOK {
			t.Errorf("de-duplication against the file: %+v", items)
		}
		// Without the option, the missing column is a header error.
		_, err := h.svc.SubmitEmployees(ctx, h.env.Actor("acme.admin"), h.env.Fixture.Acme.ID, []byte(csv), imports.EmployeeOptions{Options: imports.Options{JobName: "x"}})
		if !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), `"Username"`) || !strings.Contains(err.Error(), `"First Name"`) {
			t.Errorf("no Username column: %v", err)
		}
	})
}

func utf16le(s string) []byte {
	out := []byte{0xFF, 0xFE}
	for _, r := range s {
		out = append(out, byte(r), byte(r>>8))
	}
	return out
}

func TestEncodings(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		a, acme := h.env.Actor("acme.admin"), h.env.Fixture.Acme.ID
		cases := []struct {
			name string
			file []byte
			enc  imports.Encoding
			user string
			last string
			err  string
		}{
			{"utf-16le bom", utf16le(header + "zoe.u16,Zoë,Ångström,,,,\r\n"), imports.EmployeeOptions{}.Encoding, "zoe.u16", "Ångström", ""},
			{"utf-16 chosen", utf16le(header + "zoe.u16b,Zoë,Ångström,,,,\r\n"), imports.EncodingUTF16, "zoe.u16b", "Ångström", ""},
			{"windows-1252", []byte(header + "rene.w,Ren\xe9,M\xfcller,,,,\r\n"), imports.EncodingWin1252, "rene.w", "Müller", ""},
			{"utf-8 bom", append([]byte{0xEF, 0xBB, 0xBF}, header+"ida.bom,Ida,Øst,,,,\r\n"...), imports.EncodingAuto, "ida.bom", "Øst", ""},
			{"1252 bytes as auto", []byte(header + "rene.x,Ren\xe9,M\xfcller,,,,\r\n"), imports.EncodingAuto, "", "", "Windows-1252"},
			{"1252 bytes as utf-8", []byte(header + "rene.x,Ren\xe9,M\xfcller,,,,\r\n"), imports.EncodingUTF8, "", "", "line 2"},
			{"utf-16 as utf-8", utf16le(header), imports.EncodingUTF8, "", "", "UTF-16"},
			{"odd utf-16", []byte{0x41, 0x42, 0x43}, imports.EncodingUTF16, "", "", "odd number"},
		}
		for _, c := range cases {
			s, err := h.svc.SubmitEmployees(ctx, a, acme, c.file, imports.EmployeeOptions{Options: imports.Options{JobName: c.name, Encoding: c.enc}})
			if c.err != "" {
				var v *derrors.ValidationError
				if !errors.As(err, &v) || !strings.Contains(err.Error(), c.err) {
					t.Errorf("%s: %v, want a validation error mentioning %q", c.name, err, c.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			h.run("acme.admin", s.Job.ID)
			if e, ok := h.employee(c.user); !ok || e.LastName != c.last {
				t.Errorf("%s: %+v %v, want surname %q", c.name, e, ok, c.last)
			}
		}
	})
}

func TestBadFilesAndAllOrNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		a, acme := h.env.Actor("acme.admin"), h.env.Fixture.Acme.ID
		for name, c := range map[string]struct{ file, want string }{
			"missing last name": {"Username,First Name\r\na.b,A\r\n", `"Last Name"`},
			"unknown column":    {"Username,First Name,Last Name,Shoe Size\r\na.b,A,B,9\r\n", `"Shoe Size"`},
			"twice":             {"Username,First Name,Last Name,Surname\r\n", "appears twice"},
			"empty":             {"", "choose the file"},
			"blank":             {"\r\n\r\n", "empty"},
			"no rows":           {header, "no rows"},
			"bad quotes":        {header + "a\"b,c,d\r\n", "line 2"},
		} {
			_, err := h.svc.SubmitEmployees(ctx, a, acme, []byte(c.file), imports.EmployeeOptions{Options: imports.Options{JobName: name}})
			if !errors.Is(err, derrors.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want it to mention %s", name, err, c.want)
			}
		}
		bad := header +
			"good.one,Good,One,,,,\r\n" +
			"good.one,Dup,Row,,,,\r\n" + // duplicate username in the file
			"bad@name,Bad,Name,,,,\r\n" + // bad username
			"good.two,Good,Two,,,,Leeds/Nowhere\r\n" + // unknown group path
			"good.three,Good,Three,not-an-email,,,\r\n" +
			"globex.one,Taken,Elsewhere,,,,\r\n" // another company's username
		accounts := h.count("accounts")
		s := h.submit("acme.admin", bad, imports.EmployeeOptions{Options: imports.Options{AllOrNothing: true}})
		if s.Preview.Valid != 1 || s.Preview.Invalid != 5 {
			t.Errorf("preview = %+v", s.Preview)
		}
		j, items := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusError || !strings.Contains(j.LastError, "nothing was imported") || h.count("accounts") != accounts {
			t.Errorf("all or nothing: job %+v, accounts %d → %d", j, accounts, h.count("accounts"))
		}
		if j.Counts[jobs.ItemSkipped] != 1 || j.Counts[jobs.ItemError] != 5 || len(items) != 5 {
			t.Errorf("all or nothing: counts %v, items %+v", j.Counts, items)
		}
		s = h.submit("acme.admin", bad, imports.EmployeeOptions{})
		j, items = h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted || h.count("accounts") != accounts+1 {
			t.Errorf("valid rows: job %+v, accounts %d → %d", j, accounts, h.count("accounts"))
		}
		if j.Counts[jobs.ItemOK] != 1 || j.Counts[jobs.ItemError] != 5 {
			t.Errorf("counts = %v", j.Counts)
		}
		for _, want := range []string{"line 2", "not an e-mail", "already taken", "Leeds/Nowhere", "cannot contain"} {
			ok := false
			for _, it := range items {
				ok = ok || strings.Contains(it.Message, want)
			}
			if !ok {
				t.Errorf("no item message mentions %q: %+v", want, items)
			}
		}
	})
}

func TestScheduledImportWaitsForItsTime(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		now := time.Now()
		h.env.App.Jobs.SetClock(func() time.Time { return now })
		s := h.submit("acme.admin", header+"later.one,Later,One,,,,\r\n", imports.EmployeeOptions{Options: imports.Options{RunAt: now.Add(2 * time.Hour), Priority: jobs.PriorityHigh}})
		if n, err := h.w.RunDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("ran %d jobs before their time (%v)", n, err)
		}
		if j, _ := h.result("acme.admin", s.Job.ID); j.Status != jobs.StatusNotStarted || j.Priority != jobs.PriorityHigh {
			t.Errorf("job = %+v", j)
		}
		now = now.Add(2*time.Hour + time.Second)
		if j, _ := h.run("acme.admin", s.Job.ID); j.Status != jobs.StatusCompleted {
			t.Errorf("job after its time = %+v", j)
		}
		if _, ok := h.employee("later.one"); !ok {
			t.Error("the scheduled import did not add the employee")
		}
		// A scheduled job can be cancelled before it starts.
		s = h.submit("acme.admin", header+"never.one,Never,One,,,,\r\n", imports.EmployeeOptions{Options: imports.Options{RunAt: now.Add(time.Hour)}})
		if j, err := h.svc.Cancel(context.Background(), h.env.Actor("acme.admin"), s.Job.ID); err != nil || j.Status != jobs.StatusCancelled {
			t.Errorf("cancel: %+v %v", j, err)
		}
	})
}

func TestTenantScopingAndRights(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		f := h.env.Fixture
		s := h.submit("acme.admin", header+"scoped.one,Scoped,One,,,,\r\n", imports.EmployeeOptions{Options: imports.Options{TestMode: true}})
		h.run("acme.admin", s.Job.ID)
		// Another company's admin: the job and its items do not exist.
		if _, err := h.svc.Job(ctx, h.env.Actor("globex.admin"), s.Job.ID); !derrors.IsNotFound(err) {
			t.Errorf("globex.admin job: %v", err)
		}
		if _, _, err := h.svc.Items(ctx, h.env.Actor("globex.admin"), s.Job.ID, store.Page{}); !derrors.IsNotFound(err) {
			t.Errorf("globex.admin items: %v", err)
		}
		if _, _, err := h.svc.Jobs(ctx, h.env.Actor("globex.admin"), f.Acme.ID, "", store.Page{}); !derrors.IsNotFound(err) {
			t.Errorf("globex.admin list Acme: %v", err)
		}
		if list, total, err := h.svc.Jobs(ctx, h.env.Actor("globex.admin"), f.Globex.ID, "", store.Page{}); err != nil || total != 0 || len(list) != 0 {
			t.Errorf("globex.admin own list: %v %d %v", list, total, err)
		}
		// Globex has no config & reg: Import Employees is refused with the reason.
		_, err := h.svc.SubmitEmployees(ctx, h.env.Actor("globex.admin"), f.Globex.ID, []byte(header+"g.x,G,X,,,,\r\n"), imports.EmployeeOptions{Options: imports.Options{JobName: "g"}})
		var fe *derrors.ForbiddenError
		if !errors.As(err, &fe) || !strings.Contains(fe.Reason, "Config & Reg") {
			t.Errorf("globex import: %v", err)
		}
		// An employee may not import; a group admin sees only their own jobs
		// and imports only into their groups.
		if _, _, err := h.svc.Jobs(ctx, h.env.Actor("west.one"), f.Acme.ID, "", store.Page{}); !errors.Is(err, derrors.ErrForbidden) {
			t.Errorf("west.one list: %v", err)
		}
		if _, err := h.svc.Job(ctx, h.env.Actor("sales.admin"), s.Job.ID); !derrors.IsNotFound(err) {
			t.Errorf("sales.admin sees acme.admin's job: %v", err)
		}
		gs := h.submit("sales.admin", header+"in.sales,In,Sales,,,,Leeds/Sales/Sales West\r\nin.support,In,Support,,,,Leeds/Support\r\nno.group,No,Group,,,,\r\nboss.x,Boss,X,,,company_admin,Leeds/Sales\r\n",
			imports.EmployeeOptions{})
		j, items := h.run("sales.admin", gs.Job.ID)
		if j.Counts[jobs.ItemOK] != 1 || items["in.sales"].Status != jobs.ItemOK || items["in.support"].Status != jobs.ItemError ||
			items["no.group"].Status != jobs.ItemError || items["boss.x"].Status != jobs.ItemError {
			t.Errorf("group admin import: %+v %+v", j, items)
		}
		list, total, err := h.svc.Jobs(ctx, h.env.Actor("sales.admin"), f.Acme.ID, "", store.Page{})
		if err != nil || total != 1 || list[0].ID != gs.Job.ID {
			t.Errorf("sales.admin list = %+v %d %v", list, total, err)
		}
		if _, total, _ := h.svc.Jobs(ctx, h.env.Actor("acme.admin"), f.Acme.ID, imports.KindEmployees, store.Page{}); total != 2 {
			t.Errorf("acme.admin sees %d employee import jobs, want 2", total)
		}
	})
}

func (h *harness) submitGroups(user, file string, o imports.GroupOptions) imports.Submitted {
	h.t.Helper()
	if o.JobName == "" {
		o.JobName = "groups"
	}
	if o.ParentID == 0 {
		o.ParentID = h.env.Fixture.Leeds.ID
	}
	s, err := h.svc.SubmitGroups(context.Background(), h.env.Actor(user), h.env.Fixture.Acme.ID, []byte(file), o)
	if err != nil {
		h.t.Fatalf("submit groups: %v", err)
	}
	return s
}

// group looks a group up by path among all of Acme's groups.
func (h *harness) group(path string) (directory.Group, bool) {
	h.t.Helper()
	gs, err := h.env.App.Directory.AllGroups(context.Background(), h.env.Fixture.Acme.ID, access.Scope{CompanyID: h.env.Fixture.Acme.ID})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, g := range gs {
		if g.Path == path {
			return g, true
		}
	}
	return directory.Group{}, false
}

func TestGroupImportFormats(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		custom := "Name,Parent,Contact First Name,Contact Last Name,Contact Email\r\n" +
			"Marketing,,Mo,Ket,mo@example.com\r\n" +
			"Digital,Marketing,,,\r\n" +
			"Sales,,,,\r\n" + // exists under Leeds
			"Orphan,Nowhere,,,\r\n" +
			"Bad/Name,,,,\r\n"
		s := h.submitGroups("acme.admin", custom, imports.GroupOptions{FileType: imports.GroupFileCustom, Options: imports.Options{TestMode: true}})
		if s.Preview.Rows != 5 || s.Preview.Invalid != 2 {
			t.Errorf("preview = %+v", s.Preview)
		}
		groups := h.count("org_groups")
		_, items := h.run("acme.admin", s.Job.ID)
		if items["Leeds/Marketing"].Status != "would_add" || items["Leeds/Marketing/Digital"].Status != "would_add" || items["Leeds/Sales"].Status != "would_skip" {
			t.Errorf("test mode items = %+v", items)
		}
		if h.count("org_groups") != groups {
			t.Fatal("test mode created groups")
		}
		s = h.submitGroups("acme.admin", custom, imports.GroupOptions{FileType: imports.GroupFileCustom})
		j, _ := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted || j.Counts[jobs.ItemOK] != 2 || j.Counts[jobs.ItemSkipped] != 1 || j.Counts[jobs.ItemError] != 2 {
			t.Errorf("custom job = %+v", j)
		}
		if g, ok := h.group("Leeds/Marketing"); !ok || g.Profile.ContactEmail != "mo@example.com" {
			t.Errorf("Leeds/Marketing = %+v %v", g, ok)
		}
		if _, ok := h.group("Leeds/Marketing/Digital"); !ok {
			t.Error("the nested group was not created")
		}
		// Update Current Groups overwrites the profile, never adds.
		s = h.submitGroups("acme.admin", "Name,Contact Email\r\nMarketing,new@example.com\r\nBrand New,\r\n",
			imports.GroupOptions{FileType: imports.GroupFileCustom, Options: imports.Options{Method: imports.MethodUpdate}})
		_, items = h.run("acme.admin", s.Job.ID)
		if g, _ := h.group("Leeds/Marketing"); g.Profile.ContactEmail != "new@example.com" || items["Leeds/Brand New"].Status != jobs.ItemSkipped {
			t.Errorf("update: %+v %+v", g.Profile, items)
		}
		// Outlook: one group per category.
		outlook := "First Name,Last Name,E-mail Address,Business Phone,Job Title,Categories\r\n" +
			"Ola,Look,ola@example.com,0113 496 0002,Boss,Partners;Suppliers\r\n" +
			"Pat,Two,pat@example.com,,,Partners\r\n" +
			"No,Cat,,,,\r\n"
		s = h.submitGroups("acme.admin", outlook, imports.GroupOptions{FileType: imports.GroupFileOutlook, Options: imports.Options{Encoding: imports.EncodingUTF8}})
		h.run("acme.admin", s.Job.ID)
		if g, ok := h.group("Leeds/Partners"); !ok || g.Profile.ContactFirstName != "Ola" {
			t.Errorf("Partners = %+v %v", g, ok)
		}
		if _, ok := h.group("Leeds/Suppliers"); !ok {
			t.Error("Suppliers was not created")
		}
		// XML, nested, under London.
		xmlFile := `<?xml version="1.0" encoding="UTF-8"?><groups><group name="Ops"><contact first_name="Xa" email="xa@example.com"/>` +
			`<address city="London"/><group name="Night"/></group><group name="Day" parent="Ops"/></groups>`
		s = h.submitGroups("acme.admin", xmlFile, imports.GroupOptions{FileType: imports.GroupFileXML, ParentID: h.env.Fixture.London.ID})
		h.run("acme.admin", s.Job.ID)
		for _, p := range []string{"London/Ops", "London/Ops/Night", "London/Ops/Day"} {
			if _, ok := h.group(p); !ok {
				t.Errorf("%s was not created from XML", p)
			}
		}
		if g, _ := h.group("London/Ops"); g.Profile.Address.City != "London" || g.Profile.ContactEmail != "xa@example.com" {
			t.Errorf("London/Ops profile = %+v", g.Profile)
		}
	})
}

func TestGroupImportRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		f := h.env.Fixture
		try := func(user string, parent int64, fileType, file string) error {
			_, err := h.svc.SubmitGroups(ctx, h.env.Actor(user), f.Acme.ID, []byte(file), imports.GroupOptions{FileType: fileType, ParentID: parent,
				Options: imports.Options{JobName: "g"}})
			return err
		}
		for name, c := range map[string]struct {
			user   string
			parent int64
			typ    string
			file   string
			want   string
		}{
			"no name column":      {"acme.admin", f.Leeds.ID, "custom", "Parent,City\r\nx,y\r\n", `"Name"`},
			"outlook no category": {"acme.admin", f.Leeds.ID, "outlook", "First Name,Last Name\r\na,b\r\n", `"Categories"`},
			"xml doctype":         {"acme.admin", f.Leeds.ID, "xml", `<!DOCTYPE groups [<!ENTITY x SYSTEM "file:///etc/passwd">]><groups><group name="&x;"/></groups>`, "DOCTYPE"},
			"xml wrong root":      {"acme.admin", f.Leeds.ID, "xml", `<contacts/>`, "<groups>"},
			"xml broken":          {"acme.admin", f.Leeds.ID, "xml", `<groups><group name="a">`, "XML"},
			"xml deep":            {"acme.admin", f.Leeds.ID, "xml", "<groups>" + strings.Repeat("<group name=\"a\">", 20) + strings.Repeat("</group>", 20) + "</groups>", "deep"},
			"parent not managed":  {"sales.admin", f.Support.ID, "custom", "Name\r\nA\r\n", "parent_id"},
			"parent other co":     {"acme.admin", f.Reading.ID, "custom", "Name\r\nA\r\n", "parent_id"},
			"bad type":            {"acme.admin", f.Leeds.ID, "vcard", "Name\r\nA\r\n", "file_type"},
		} {
			err := try(c.user, c.parent, c.typ, c.file)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: %v, want it to mention %s", name, err, c.want)
			}
		}
		// A group admin imports under a group they administer.
		s := h.submitGroups("sales.admin", "Name\r\nEast\r\n", imports.GroupOptions{ParentID: f.Sales.ID})
		h.run("sales.admin", s.Job.ID)
		if _, ok := h.group("Leeds/Sales/East"); !ok {
			t.Error("sales.admin's group was not created")
		}
	})
}

func TestTemplates(t *testing.T) {
	b := imports.EmployeeTemplate()
	if !strings.HasPrefix(string(b), "\ufeffUsername,First Name,Last Name,Email,Phone,Role,Group") || !strings.Contains(string(b), "\r\n") {
		t.Errorf("employee template = %q", b)
	}
	rows, _, err := imports.ParseEmployees(string(b), false)
	if err != nil || len(rows) != 1 || rows[0].Group != "Leeds/Sales" {
		t.Errorf("the template does not read back: %v %+v", err, rows)
	}
	for _, ft := range []string{"custom", "outlook", "xml"} {
		b, _, err := imports.GroupTemplate(ft)
		if err != nil {
			t.Fatal(err)
		}
		text, err := imports.Decode(b, imports.EncodingAuto)
		if err != nil {
			t.Fatal(err)
		}
		if specs, err := imports.ParseGroups(text, ft); err != nil || len(specs) == 0 {
			t.Errorf("%s template does not read back: %v", ft, err)
		}
	}
	if u := imports.UsernameBase("  Åsa-Lena ", "d'Ærø"); u != "asalena.daero" {
		t.Errorf("UsernameBase = %q", u)
	}
}
