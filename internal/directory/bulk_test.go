package directory_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// rowOf reads one row of query as column → value, every column the table
// has (so a column added later is compared too).
func rowOf(t *testing.T, db *store.DB, query string, args ...any) map[string]any {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatalf("%s %v: no row (%v)", query, args, rows.Err())
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	for i, c := range cols {
		if b, ok := vals[i].([]byte); ok {
			vals[i] = string(b)
		}
		out[c] = vals[i]
	}
	return out
}

// withoutKeys returns m less keys.
func withoutKeys(m map[string]any, keys ...string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for _, k := range keys {
		delete(out, k)
	}
	return out
}

// TestCreateEmployeesMatchesCreateEmployee: an employee created in a batch
// is stored exactly as CreateEmployee stores one — every account column
// (search_text included), the memberships and the audit entry.
func TestCreateEmployeesMatchesCreateEmployee(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		d := env.App.Directory
		ctx := audit.WithActor(context.Background(), audit.Actor{ID: env.ID("acme.admin"), Username: "acme.admin", ProviderID: f.Provider.ID})
		req := func(username string) directory.EmployeeCreateRequest {
			return directory.EmployeeCreateRequest{Username: username, Role: access.RoleGroupAdmin, FirstName: " Zoë ", LastName: "Ångström",
				Email: "zoe@example.com", Phone: "+44 (0)113 496-0042", GroupIDs: []int64{f.Sales.ID, f.London.ID},
				Address: directory.Address{Line1: "1 Main Street", City: "Leeds", Postcode: "LS1 1AA", Country: "GB"}}
		}
		single, err := d.CreateEmployee(ctx, f.Acme.ID, f.Provider.ID, req("single.ref"), "")
		if err != nil {
			t.Fatal(err)
		}
		reqs := []directory.EmployeeCreateRequest{req("bulk.ref"),
			{Username: "bulk.plain", FirstName: "Plain", LastName: "Person"},
			{Username: "bulk.boss", Role: access.RoleCompanyAdmin, FirstName: "Big", LastName: "Boss", GroupIDs: []int64{f.Support.ID}}}
		es, err := d.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, reqs)
		if err != nil {
			t.Fatal(err)
		}
		if len(es) != len(reqs) {
			t.Fatalf("CreateEmployees returned %d employees for %d requests", len(es), len(reqs))
		}
		if reqs[0].FirstName != " Zoë " {
			t.Errorf("CreateEmployees changed the caller's request: first name %q", reqs[0].FirstName)
		}
		for i, e := range es {
			if e.Username != reqs[i].Username {
				t.Errorf("employee %d is %q, want %q (request order)", i, e.Username, reqs[i].Username)
			}
			stored, err := d.Employee(ctx, e.ID)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stored, e) {
				t.Errorf("returned %+v, stored %+v", e, stored)
			}
			if n := count(t, db, "SELECT COUNT(*) FROM group_members WHERE account_id = ?", e.ID); n != len(reqs[i].GroupIDs) {
				t.Errorf("%s: %d memberships, want %d", e.Username, n, len(reqs[i].GroupIDs))
			}
			for _, g := range reqs[i].GroupIDs {
				if n := count(t, db, "SELECT COUNT(*) FROM group_members WHERE account_id = ? AND group_id = ?", e.ID, g); n != 1 {
					t.Errorf("%s is not a member of group %d", e.Username, g)
				}
			}
			after, err := json.Marshal(stored)
			if err != nil {
				t.Fatal(err)
			}
			ev := rowOf(t, db, "SELECT * FROM audit_events WHERE event = 'Create Employee' AND object_id = ?", e.ID)
			if ev["after_json"] != string(after) {
				t.Errorf("%s: audit after = %s, want %s", e.Username, ev["after_json"], after)
			}
		}
		if es[1].Role != access.RoleEmployee || es[1].Status != directory.StatusInactive {
			t.Errorf("default role and status = %q, %q", es[1].Role, es[1].Status)
		}

		// The same request, one way and the other: the same account row …
		ref, bulk := es[0], rowOf(t, db, "SELECT * FROM accounts WHERE id = ?", es[0].ID)
		one := rowOf(t, db, "SELECT * FROM accounts WHERE id = ?", single.ID)
		if want := strings.Replace(one["search_text"].(string), "single.ref", "bulk.ref", 1); bulk["search_text"] != want {
			t.Errorf("search_text = %q, want %q", bulk["search_text"], want)
		}
		varying := []string{"id", "username", "search_text", "created_at", "updated_at", "password_changed_at"}
		if a, b := withoutKeys(one, varying...), withoutKeys(bulk, varying...); !reflect.DeepEqual(a, b) {
			t.Errorf("account columns differ:\n single %v\n bulk   %v", a, b)
		}
		if bulk["created_at"] != bulk["updated_at"] || bulk["created_at"] != bulk["password_changed_at"] {
			t.Errorf("timestamps differ: %v", bulk)
		}
		// … and the same audit entry.
		evOne := rowOf(t, db, "SELECT * FROM audit_events WHERE event = 'Create Employee' AND object_id = ?", single.ID)
		evBulk := rowOf(t, db, "SELECT * FROM audit_events WHERE event = 'Create Employee' AND object_id = ?", ref.ID)
		if a, b := withoutKeys(evOne, "id", "at", "object_id", "object_name", "after_json"), withoutKeys(evBulk, "id", "at", "object_id", "object_name", "after_json"); !reflect.DeepEqual(a, b) {
			t.Errorf("audit entries differ:\n single %v\n bulk   %v", a, b)
		}
		if evBulk["object_name"] != "bulk.ref" || evBulk["actor_username"] != "acme.admin" {
			t.Errorf("audit entry = %v", evBulk)
		}
		var afterOne, afterBulk map[string]any
		_ = json.Unmarshal([]byte(evOne["after_json"].(string)), &afterOne)
		_ = json.Unmarshal([]byte(evBulk["after_json"].(string)), &afterBulk)
		varying = []string{"id", "username", "created_at", "updated_at"}
		if a, b := withoutKeys(afterOne, varying...), withoutKeys(afterBulk, varying...); !reflect.DeepEqual(a, b) {
			t.Errorf("audit after differs:\n single %v\n bulk   %v", a, b)
		}

		// Found by the searches that read the derived columns.
		sc := access.Scope{CompanyID: f.Acme.ID}
		for _, q := range []string{"bulk.ref", "zoë ångström", "ÅNGSTRÖM", "4960042", "0113 496"} {
			list, _, err := d.ListEmployeesIn(ctx, f.Acme.ID, sc, directory.EmployeeFilter{Q: q}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range list {
				found = found || e.ID == ref.ID
			}
			if !found {
				t.Errorf("search %q does not find bulk.ref", q)
			}
		}
	})
}

// TestCreateEmployeesRefusals: each refused request is named with its
// reason, and nothing of the batch is written.
func TestCreateEmployeesRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		d := env.App.Directory
		ok := func(username string) directory.EmployeeCreateRequest {
			return directory.EmployeeCreateRequest{Username: username, FirstName: "Ok", LastName: "Person", GroupIDs: []int64{f.Sales.ID}}
		}
		reqs := []directory.EmployeeCreateRequest{
			ok("fine.one"),
			ok("twice.here"),
			ok("west.one"),   // taken in this company
			ok("globex.one"), // taken in another company
			ok("twice.here"), // asked for twice in the batch
			{Username: "bad.mail", FirstName: "Bad", LastName: "Mail", Email: "not-an-email"},
			{Username: "bad-name", FirstName: "Bad", LastName: "Name"},
			{Username: "other.group", FirstName: "O", LastName: "G", GroupIDs: []int64{f.Reading.ID}},
			{Username: "same.group", FirstName: "S", LastName: "G", GroupIDs: []int64{f.Sales.ID, f.Sales.ID}},
			{Username: "no.group", FirstName: "N", LastName: "G", GroupIDs: []int64{1 << 40}},
			ok("fine.two"),
		}
		want := []struct {
			index         int
			kind          error
			field, needle string
		}{
			{2, derrors.ErrConflict, "username", `"west.one" is already taken`},
			{3, derrors.ErrConflict, "username", `"globex.one" is already taken`},
			{4, derrors.ErrConflict, "username", "entry 2 of the same batch"},
			{5, derrors.ErrInvalid, "email", "not an e-mail address"},
			{6, derrors.ErrInvalid, "username", "'-'"},
			{7, derrors.ErrInvalid, "group_ids", "does not exist"},
			{8, derrors.ErrInvalid, "group_ids", "listed twice"},
			{9, derrors.ErrInvalid, "group_ids", "does not exist"},
		}
		accounts, members, events := count(t, db, "SELECT COUNT(*) FROM accounts"), count(t, db, "SELECT COUNT(*) FROM group_members"), auditTotal(t, env)
		unchanged := func(what string) {
			t.Helper()
			if count(t, db, "SELECT COUNT(*) FROM accounts") != accounts || count(t, db, "SELECT COUNT(*) FROM group_members") != members ||
				auditTotal(t, env) != events {
				t.Errorf("%s: the refused batch wrote something", what)
			}
		}
		check := func(err error) {
			t.Helper()
			var be *directory.BatchError
			if !errors.As(err, &be) {
				t.Fatalf("CreateEmployees: %v, want a *BatchError", err)
			}
			if be.Total != len(reqs) || len(be.Rows) != len(want) {
				t.Fatalf("BatchError total %d rows %+v, want %d rows of %d", be.Total, be.Rows, len(want), len(reqs))
			}
			for i, w := range want {
				r := be.Rows[i]
				if r.Index != w.index || r.Username != reqs[w.index].Username || !errors.Is(r.Err, w.kind) ||
					fieldOf(r.Err) != w.field || !strings.Contains(r.Err.Error(), w.needle) {
					t.Errorf("refused row %d = {%d %q %v (field %q)}, want entry %d, %v on %s mentioning %q",
						i, r.Index, r.Username, r.Err, fieldOf(r.Err), w.index, w.kind, w.field, w.needle)
				}
			}
			if !errors.Is(err, derrors.ErrConflict) || !errors.Is(err, derrors.ErrInvalid) {
				t.Errorf("errors.Is does not see the rows' reasons in %v", err)
			}
			if !strings.Contains(err.Error(), `entry 3 ("west.one")`) {
				t.Errorf("error %q does not name the refused entries", err)
			}
		}
		_, err := d.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, reqs)
		check(err)
		unchanged("alone")

		// Refused inside a caller's transaction: nothing was written and no
		// statement failed, so the transaction goes on (on PostgreSQL a
		// failed statement would have aborted it) and creates the others.
		err = db.Tx(ctx, func(ctx context.Context) error {
			_, err := d.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, reqs)
			check(err)
			unchanged("in a transaction")
			var be *directory.BatchError
			errors.As(err, &be)
			var rest []directory.EmployeeCreateRequest
			for i, r := range reqs {
				if !slicesContainsIndex(be.Rows, i) {
					rest = append(rest, r)
				}
			}
			_, err = d.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, rest)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range []string{"fine.one", "twice.here", "fine.two"} {
			if n := count(t, db, "SELECT COUNT(*) FROM accounts WHERE username = ? AND company_id = ?", u, f.Acme.ID); n != 1 {
				t.Errorf("%s was not created after the refused rows were dropped", u)
			}
		}

		// CreateEmployee gives one refused request's reason as before.
		_, err = d.CreateEmployee(ctx, f.Acme.ID, f.Provider.ID, ok("fine.one"), "")
		var c *derrors.ConflictError
		if !errors.As(err, &c) || c.Field != "username" || err.Error() != `directory: create employee "fine.one": the username "fine.one" is already taken; choose another` {
			t.Errorf("CreateEmployee of a taken username: %v", err)
		}
		if es, err := d.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, nil); err != nil || len(es) != 0 {
			t.Errorf("an empty batch: %v %v", es, err)
		}
	})
}

func slicesContainsIndex(rows []directory.RowError, i int) bool {
	for _, r := range rows {
		if r.Index == i {
			return true
		}
	}
	return false
}

// TestCreateEmployeesLargeBatch spans several multi-row statements of
// different sizes: every account gets its own id, membership and entry.
func TestCreateEmployeesLargeBatch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		const n = 1300 // on SQLite 512 + 512 + 256 + 16 + 4 accounts a statement, on PostgreSQL one
		reqs := make([]directory.EmployeeCreateRequest, n)
		for i := range reqs {
			reqs[i] = directory.EmployeeCreateRequest{Username: fmt.Sprintf("many%04d", i), FirstName: "Many", LastName: fmt.Sprintf("L%d", i),
				Phone: fmt.Sprintf("0113 496 %04d", i), GroupIDs: []int64{[]int64{f.Sales.ID, f.Support.ID}[i%2]}}
		}
		accounts, events := count(t, db, "SELECT COUNT(*) FROM accounts"), auditTotal(t, env)
		es, err := env.App.Directory.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, reqs)
		if err != nil {
			t.Fatal(err)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM accounts") - accounts; got != n {
			t.Errorf("%d accounts created, want %d", got, n)
		}
		if got := auditTotal(t, env) - events; got != n {
			t.Errorf("%d audit entries, want %d", got, n)
		}
		ids := map[int64]bool{}
		for i, e := range es {
			ids[e.ID] = true
			var username, search string
			var group int64
			if err := db.Q(ctx).QueryRow(ctx, `SELECT a.username, a.search_text, m.group_id FROM accounts a JOIN group_members m ON m.account_id = a.id
				WHERE a.id = ?`, e.ID).Scan(&username, &search, &group); err != nil {
				t.Fatalf("%s: %v", reqs[i].Username, err)
			}
			if username != reqs[i].Username || group != reqs[i].GroupIDs[0] || !strings.HasSuffix(search, fmt.Sprintf("\t0113496%04d", i)) {
				t.Fatalf("entry %d: id %d holds %q in group %d (search %q), want %q in %d", i, e.ID, username, group, search, reqs[i].Username, reqs[i].GroupIDs[0])
			}
		}
		if len(ids) != n {
			t.Errorf("%d distinct ids for %d employees", len(ids), n)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM audit_events WHERE event = 'Create Employee' AND object_name LIKE 'many%'"); got != n {
			t.Errorf("%d Create Employee entries, want %d", got, n)
		}
	})
}
