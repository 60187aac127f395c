package imports_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// allItems returns every item of a job by username, all pages.
func (h *harness) allItems(user string, id int64) map[string]jobs.Item {
	h.t.Helper()
	out := map[string]jobs.Item{}
	for page := 1; ; page++ {
		items, total, err := h.svc.Items(context.Background(), h.env.Actor(user), id, store.Page{Page: page, PerPage: store.MaxPerPage})
		if err != nil {
			h.t.Fatal(err)
		}
		for _, it := range items {
			_, name, _ := strings.Cut(it.Key, ": ")
			out[name] = it
		}
		if len(items) == 0 || page*store.MaxPerPage >= total {
			return out
		}
	}
}

// countWhere counts rows of a query.
func (h *harness) countWhere(query string, args ...any) int {
	h.t.Helper()
	var n int
	if err := h.env.App.DB.Q(context.Background()).QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		h.t.Fatalf("%s: %v", query, err)
	}
	return n
}

// manyRows is a file of n new employees prefix000… in Leeds/Sales.
func manyRows(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		fmt.Fprintf(&b, "%s%03d,First%d,Last%d,%s%d@example.com,,,Leeds/Sales\r\n", prefix, i, i, i, prefix, i)
	}
	return b.String()
}

// TestEmployeeImportRowTakenWhileRunning: usernames taken by another user
// after the job's check (here between the plan and the transaction, in two
// different chunks) are those rows' errors; the other rows are created with
// their memberships and audit entries, or, with all or nothing, none is.
func TestEmployeeImportRowTakenWhileRunning(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		h.svc.Register() // the queue runs this Service, whose hook the test sets
		f := h.env.Fixture
		const n = 600 // two chunks
		taken := []string{"imp003", "imp550"}
		takeUsernames := func(names ...string) func(ctx context.Context) {
			return func(ctx context.Context) {
				for _, u := range names {
					if _, err := h.env.App.Directory.CreateEmployee(ctx, f.Globex.ID, f.Provider.ID,
						directory.EmployeeCreateRequest{Username: u, FirstName: "Quick", LastName: "Er"}, ""); err != nil {
						t.Error(err)
					}
				}
			}
		}
		s := h.submit("acme.admin", manyRows("imp", n), imports.EmployeeOptions{SendWelcome: true})
		if s.Preview.Valid != n {
			t.Fatalf("preview = %+v", s.Preview)
		}
		mails := h.count("mail_outbox")
		imports.SetBeforeApply(h.svc, takeUsernames(taken...))
		j, _ := h.run("acme.admin", s.Job.ID)
		imports.SetBeforeApply(h.svc, nil)
		if j.Status != jobs.StatusCompleted || j.Counts[jobs.ItemOK] != n-2 || j.Counts[jobs.ItemError] != 2 {
			t.Fatalf("job = %+v", j)
		}
		items := h.allItems("acme.admin", s.Job.ID)
		for _, u := range taken {
			if it := items[u]; it.Status != jobs.ItemError || !strings.Contains(it.Message, "already taken") {
				t.Errorf("%s: %+v, want an error saying the username is taken", u, it)
			}
		}
		if it := items["imp549"]; it.Status != jobs.ItemOK || it.Message != "added" {
			t.Errorf("imp549: %+v", it)
		}
		acme := f.Acme.ID
		if got := h.countWhere("SELECT COUNT(*) FROM accounts WHERE company_id = ? AND username LIKE 'imp%'", acme); got != n-2 {
			t.Errorf("%d accounts created, want %d", got, n-2)
		}
		if got := h.countWhere(`SELECT COUNT(*) FROM group_members m JOIN accounts a ON a.id = m.account_id
			WHERE a.company_id = ? AND a.username LIKE 'imp%' AND m.group_id = ?`, acme, f.Sales.ID); got != n-2 {
			t.Errorf("%d memberships of Leeds/Sales, want %d", got, n-2)
		}
		if got := h.countWhere(`SELECT COUNT(*) FROM audit_events WHERE event = 'Create Employee' AND company_id = ?
			AND object_name LIKE 'imp%' AND actor_username = 'acme.admin'`, acme); got != n-2 {
			t.Errorf("%d Create Employee entries by acme.admin, want %d", got, n-2)
		}
		// A welcome e-mail to each created employee, none for the refused rows.
		if got := h.count("mail_outbox") - mails; got != n-2 {
			t.Errorf("%d welcome e-mails, want %d", got, n-2)
		}

		// All or nothing: the row taken meanwhile rolls every row back.
		s = h.submit("acme.admin", manyRows("aon", n), imports.EmployeeOptions{Options: imports.Options{AllOrNothing: true}})
		accounts, events := h.count("accounts"), h.countWhere("SELECT COUNT(*) FROM audit_events WHERE event = 'Create Employee'")
		imports.SetBeforeApply(h.svc, takeUsernames("aon550"))
		j, _ = h.run("acme.admin", s.Job.ID)
		imports.SetBeforeApply(h.svc, nil)
		if j.Status != jobs.StatusError || !strings.Contains(j.LastError, "nothing was imported") || !strings.Contains(j.LastError, `"aon550" is already taken`) {
			t.Errorf("all or nothing: job = %+v", j)
		}
		if got := h.count("accounts"); got != accounts+1 { // the one taken meanwhile
			t.Errorf("all or nothing: accounts %d → %d", accounts, got)
		}
		if got := h.countWhere("SELECT COUNT(*) FROM audit_events WHERE event = 'Create Employee'"); got != events+1 {
			t.Errorf("all or nothing: Create Employee entries %d → %d", events, got)
		}
		if j.Counts[jobs.ItemSkipped] != n || !strings.Contains(h.allItems("acme.admin", s.Job.ID)["aon001"].Message, "rolled back") {
			t.Errorf("all or nothing: counts %v", j.Counts)
		}
	})
}

// TestEmployeeImportChunkFallsBackRowByRow: a row the database itself
// refuses while its chunk is written (here a trigger; in life a username
// taken by a concurrent transaction after the check) makes the chunk go
// again row by row: that row is reported and the others are created.
func TestEmployeeImportChunkFallsBackRowByRow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		stmts := []string{`CREATE TRIGGER refuse_boom BEFORE INSERT ON accounts WHEN NEW.username = 'boom.row'
			BEGIN SELECT RAISE(ABORT, 'boom refused'); END`}
		if db.Dialect() == store.Postgres {
			stmts = []string{`CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
				BEGIN IF NEW.username = 'boom.row' THEN RAISE EXCEPTION 'boom refused'; END IF; RETURN NEW; END $$`,
				`CREATE TRIGGER refuse_boom BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION refuse_boom()`}
		}
		if err := db.Tx(ctx, func(ctx context.Context) error {
			for _, s := range stmts {
				if _, err := db.Q(ctx).Exec(ctx, s); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		csv := header + "ok.one,Ok,One,,,,Leeds/Sales\r\nboom.row,Boom,Row,,,,Leeds/Sales\r\nok.two,Ok,Two,,,,\r\n"
		accounts := h.count("accounts")
		s := h.submit("acme.admin", csv, imports.EmployeeOptions{})
		j, items := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted || j.Counts[jobs.ItemOK] != 2 || j.Counts[jobs.ItemError] != 1 {
			t.Fatalf("job = %+v, items %+v", j, items)
		}
		// The database's own words (which could name tables and
		// constraints) stay in the log; the row says what to do.
		if it := items["boom.row"]; it.Status != jobs.ItemError || strings.Contains(it.Message, "boom refused") || !strings.Contains(it.Message, "run the import again") {
			t.Errorf("boom.row = %+v", it)
		}
		if got := h.count("accounts"); got != accounts+2 {
			t.Errorf("accounts %d → %d, want 2 more", accounts, got)
		}
		for _, u := range []string{"ok.one", "ok.two"} {
			if items[u].Status != jobs.ItemOK || h.countWhere("SELECT COUNT(*) FROM audit_events WHERE event = 'Create Employee' AND object_name = ?", u) != 1 {
				t.Errorf("%s: %+v, or not audited once", u, items[u])
			}
		}
		if e, ok := h.employee("ok.one"); !ok || h.countWhere("SELECT COUNT(*) FROM group_members WHERE account_id = ? AND group_id = ?", e.ID, h.env.Fixture.Sales.ID) != 1 {
			t.Error("ok.one is not a member of Leeds/Sales")
		}

		// All or nothing: the refused row rolls the others back.
		csv = header + "ok.three,Ok,Three,,,,\r\nboom.row,Boom,Row,,,,\r\n"
		s = h.submit("acme.admin", csv, imports.EmployeeOptions{Options: imports.Options{AllOrNothing: true}})
		accounts = h.count("accounts")
		j, _ = h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusError || strings.Contains(j.LastError, "boom refused") || !strings.Contains(j.LastError, "nothing was imported") || h.count("accounts") != accounts {
			t.Errorf("all or nothing: job %+v, accounts %d → %d", j, accounts, h.count("accounts"))
		}
	})
}

// TestEmployeeImportOldArguments: a job queued with its rows as JSON (before
// jobs carried the file's text) still runs.
func TestEmployeeImportOldArguments(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		f := h.env.Fixture
		args, err := json.Marshal(map[string]any{"company_id": f.Acme.ID, "provider_id": f.Provider.ID, "method": "add",
			"options": map[string]any{"job_name": "old", "method": "add", "priority": "medium", "file_type": "custom"}, "has_username_column": true,
			"rows": []map[string]any{{"line": 2, "username": "old.format", "first_name": "Old", "last_name": "Format", "email": "", "phone": "",
				"role": "", "group": "Leeds/Sales", "address": map[string]string{}}}})
		if err != nil {
			t.Fatal(err)
		}
		j, err := h.env.App.Jobs.Enqueue(context.Background(), jobs.Job{CompanyID: f.Acme.ID, Kind: imports.KindEmployees, Name: "old",
			Args: args, MaxAttempts: 1, CreatedBy: h.env.ID("acme.admin")})
		if err != nil {
			t.Fatal(err)
		}
		got, items := h.run("acme.admin", j.ID)
		if got.Status != jobs.StatusCompleted || items["old.format"].Status != jobs.ItemOK {
			t.Fatalf("job = %+v, items %+v", got, items)
		}
		if e, ok := h.employee("old.format"); !ok || e.LastName != "Format" {
			t.Errorf("old.format = %+v %v", e, ok)
		}
	})
}
