package directory_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

func TestValidateUsername(t *testing.T) {
	valid := []string{"john.smith", "01234567890", "ab", "John.Smith", "a.b.c", "x1", strings.Repeat("a", 64)}
	for _, name := range valid {
		if msg := directory.ValidateUsername(name); msg != "" {
			t.Errorf("ValidateUsername(%q) = %q, want valid", name, msg)
		}
	}
	invalid := []struct {
		name string
		want []string // every fragment must appear in the message
	}{
		{"", []string{"required"}},
		{"a", []string{"at least 2 characters"}},
		{"é", []string{"special character"}},
		{" lead", []string{"cannot start with a whitespace"}},
		{"trail ", []string{"cannot end with a whitespace"}},
		{"in ner", []string{"cannot contain a whitespace"}},
		{"tab\there", []string{"cannot contain a whitespace"}},
		{"new\nline", []string{"cannot contain a whitespace"}},
		{"nb\u00a0sp", []string{"whitespace"}},
		{`quo"te`, []string{"cannot contain", `'"'`}},
		{"apo'strophe", []string{"cannot contain", `'\''`}},
		{"less<than", []string{"cannot contain", "'<'"}},
		{"more>than", []string{"cannot contain", "'>'"}},
		{"star*", []string{"cannot contain", "'*'"}},
		{"eq=ual", []string{"cannot contain", "'='"}},
		{"john@example.com", []string{"cannot contain", "'@'"}},
		{"hy-phen", []string{"cannot contain", "'-'"}},
		{"and&and", []string{"cannot contain", "'&'"}},
		{"bang!", []string{"special character", "'!'"}},
		{"hash#", []string{"special character", "'#'"}},
		{"sl/ash", []string{"special character", "'/'"}},
		{"under_score", []string{"special character", "'_'"}},
		{"café", []string{"special character", "'é'"}},
		{strings.Repeat("a", 65), []string{"at most 64"}},
	}
	for _, c := range invalid {
		msg := directory.ValidateUsername(c.name)
		if msg == "" {
			t.Errorf("ValidateUsername(%q) accepted an invalid name", c.name)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("ValidateUsername(%q) = %q, want it to mention %q", c.name, msg, w)
			}
		}
	}
}

// auditTotal is the number of audit events recorded so far.
func auditTotal(t *testing.T, env *apptest.Env) int {
	t.Helper()
	_, n, err := env.App.Audit.List(context.Background(), audit.Filter{}, store.Page{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// lastEvents returns the newest n audit events, oldest first.
func lastEvents(t *testing.T, env *apptest.Env, n int) []audit.Entry {
	t.Helper()
	es, _, err := env.App.Audit.List(context.Background(), audit.Filter{}, store.Page{PerPage: n})
	if err != nil {
		t.Fatal(err)
	}
	for i, j := 0, len(es)-1; i < j; i, j = i+1, j-1 {
		es[i], es[j] = es[j], es[i]
	}
	return es
}

func count(t *testing.T, db *store.DB, query string, args ...any) int {
	t.Helper()
	var n int
	if err := db.Q(context.Background()).QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// fieldOf returns the field a validation or conflict error names.
func fieldOf(err error) string {
	var v *derrors.ValidationError
	if errors.As(err, &v) && len(v.Fields) > 0 {
		return v.Fields[0].Field
	}
	var c *derrors.ConflictError
	if errors.As(err, &c) {
		return c.Field
	}
	return ""
}

// expectFail asserts err wraps kind, names field (when given), mentions
// fragment (when given), and that the audit log did not grow.
func expectFail(t *testing.T, env *apptest.Env, before int, what string, err error, kind error, field, fragment string) {
	t.Helper()
	if !errors.Is(err, kind) {
		t.Errorf("%s: got %v, want %v", what, err, kind)
		return
	}
	if field != "" && fieldOf(err) != field {
		t.Errorf("%s: error %q names field %q, want %q", what, err, fieldOf(err), field)
	}
	if fragment != "" && !strings.Contains(err.Error(), fragment) {
		t.Errorf("%s: error %q does not mention %q", what, err, fragment)
	}
	if after := auditTotal(t, env); after != before {
		t.Errorf("%s: failed, yet the audit log grew from %d to %d", what, before, after)
	}
}

func TestCreateEmployeeValidation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		accounts := count(t, db, "SELECT COUNT(*) FROM accounts")
		before := auditTotal(t, env)
		base := func() directory.EmployeeCreateRequest {
			return directory.EmployeeCreateRequest{Username: "new.person", FirstName: "New", LastName: "Person", Email: "new@example.com"}
		}
		cases := []struct {
			name   string
			edit   func(r *directory.EmployeeCreateRequest)
			kind   error
			field  string
			needle string
		}{
			{"short username", func(r *directory.EmployeeCreateRequest) { r.Username = "a" }, derrors.ErrInvalid, "username", "at least 2"},
			{"@ in username", func(r *directory.EmployeeCreateRequest) { r.Username = "a@b" }, derrors.ErrInvalid, "username", "'@'"},
			{"leading space", func(r *directory.EmployeeCreateRequest) { r.Username = " lead" }, derrors.ErrInvalid, "username", "start with a whitespace"},
			{"bad role", func(r *directory.EmployeeCreateRequest) { r.Role = "provider" }, derrors.ErrInvalid, "role", "company_admin, group_admin or employee"},
			{"no first name", func(r *directory.EmployeeCreateRequest) { r.FirstName = "  " }, derrors.ErrInvalid, "first_name", "first name is required"},
			{"no surname", func(r *directory.EmployeeCreateRequest) { r.LastName = "" }, derrors.ErrInvalid, "last_name", "surname is required"},
			{"bad email", func(r *directory.EmployeeCreateRequest) { r.Email = "not-an-email" }, derrors.ErrInvalid, "email", "not an e-mail address"},
			{"bad phone", func(r *directory.EmployeeCreateRequest) { r.Phone = "call me" }, derrors.ErrInvalid, "phone", "phone number"},
			{"duplicate username", func(r *directory.EmployeeCreateRequest) { r.Username = "west.one" }, derrors.ErrConflict, "username", "already taken"},
			{"duplicate username in another company", func(r *directory.EmployeeCreateRequest) { r.Username = "globex.one" }, derrors.ErrConflict, "username", "already taken"},
			{"other company's group", func(r *directory.EmployeeCreateRequest) { r.GroupIDs = []int64{f.Reading.ID} }, derrors.ErrInvalid, "group_ids", "does not exist"},
			{"group listed twice", func(r *directory.EmployeeCreateRequest) { r.GroupIDs = []int64{f.Sales.ID, f.Sales.ID} }, derrors.ErrInvalid, "group_ids", "twice"},
		}
		for _, c := range cases {
			req := base()
			c.edit(&req)
			_, err := env.App.Directory.CreateEmployee(ctx, f.Acme.ID, f.Provider.ID, req, "x")
			expectFail(t, env, before, c.name, err, c.kind, c.field, c.needle)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM accounts"); got != accounts {
			t.Errorf("failed creates changed the number of accounts from %d to %d", accounts, got)
		}

		// Every broken rule is reported at once.
		err := (&directory.EmployeeCreateRequest{Username: "a", Role: "boss"}).Validate()
		var v *derrors.ValidationError
		if !errors.As(err, &v) {
			t.Fatalf("Validate: %v", err)
		}
		var fields []string
		for _, fe := range v.Fields {
			fields = append(fields, fe.Field)
		}
		sort.Strings(fields)
		if strings.Join(fields, ",") != "first_name,last_name,role,username" {
			t.Errorf("Validate fields = %v, want first_name, last_name, role and username", fields)
		}

		// A valid request succeeds, joins its groups and is audited.
		req := base()
		req.GroupIDs = []int64{f.Sales.ID}
		e, err := env.App.Directory.CreateEmployee(ctx, f.Acme.ID, f.Provider.ID, req, "x")
		if err != nil {
			t.Fatal(err)
		}
		if e.Role != access.RoleEmployee || e.Status != directory.StatusInactive {
			t.Errorf("new employee role %q status %q, want employee/inactive", e.Role, e.Status)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM group_members WHERE account_id = ? AND group_id = ?", e.ID, f.Sales.ID); n != 1 {
			t.Errorf("new employee is not a member of Sales")
		}
		ev := lastEvents(t, env, 1)[0]
		if ev.Event != "Create Employee" || ev.ObjectID != e.ID || ev.CompanyID != f.Acme.ID || len(ev.After) == 0 {
			t.Errorf("audit entry = %+v, want Create Employee of %d", ev, e.ID)
		}
		if strings.Contains(string(ev.After), "password") {
			t.Errorf("audit entry carries a password: %s", ev.After)
		}
	})
}

func TestGroupCreate(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := audit.WithActor(context.Background(), audit.Actor{ID: env.ID("acme.admin"), Username: "acme.admin"})
		f := env.Fixture
		groups := count(t, db, "SELECT COUNT(*) FROM org_groups")
		before := auditTotal(t, env)
		fails := []struct {
			name   string
			req    directory.GroupCreateRequest
			kind   error
			field  string
			needle string
		}{
			{"duplicate sibling", directory.GroupCreateRequest{ParentID: f.Leeds.ID, Name: "Sales"}, derrors.ErrConflict, "name", "already exists"},
			{"duplicate sibling, other case", directory.GroupCreateRequest{ParentID: f.Leeds.ID, Name: "sUPPORT"}, derrors.ErrConflict, "name", "already exists"},
			{"duplicate sibling, padded", directory.GroupCreateRequest{ParentID: f.Leeds.ID, Name: "  Sales  "}, derrors.ErrConflict, "name", "already exists"},
			{"no parent", directory.GroupCreateRequest{Name: "Orphans"}, derrors.ErrInvalid, "parent_id", "site"},
			{"missing parent", directory.GroupCreateRequest{ParentID: 987654, Name: "Ghost"}, derrors.ErrInvalid, "parent_id", "does not exist"},
			{"empty name", directory.GroupCreateRequest{ParentID: f.Leeds.ID, Name: "   "}, derrors.ErrInvalid, "name", "needs a name"},
			{"slash in name", directory.GroupCreateRequest{ParentID: f.Leeds.ID, Name: "A/B"}, derrors.ErrInvalid, "name", "'/'"},
			{"long name", directory.GroupCreateRequest{ParentID: f.Leeds.ID, Name: strings.Repeat("x", 65)}, derrors.ErrInvalid, "name", "64"},
			{"bad contact e-mail", directory.GroupCreateRequest{ParentID: f.Leeds.ID, Name: "Ok", Profile: directory.GroupProfile{ContactEmail: "nope"}},
				derrors.ErrInvalid, "profile.contact_email", "e-mail"},
		}
		for _, c := range fails {
			_, err := env.App.Directory.CreateGroup(ctx, c.req)
			expectFail(t, env, before, c.name, err, c.kind, c.field, c.needle)
		}
		if _, err := env.App.Directory.CreateSite(ctx, f.Acme.ID, directory.SiteCreateRequest{Name: "leeds"}); !errors.Is(err, derrors.ErrConflict) {
			t.Errorf("duplicate site name: %v, want conflict", err)
		}
		if got := count(t, db, "SELECT COUNT(*) FROM org_groups"); got != groups {
			t.Errorf("failed creates changed the number of groups from %d to %d", groups, got)
		}

		// The same name under a different parent, or in another company, is fine.
		for _, req := range []directory.GroupCreateRequest{
			{ParentID: f.London.ID, Name: "Sales"},
			{ParentID: f.SalesWest.ID, Name: "Sales"},
			{ParentID: f.Reading.ID, Name: "Sales"},
		} {
			g, err := env.App.Directory.CreateGroup(ctx, req)
			if err != nil {
				t.Errorf("create %q under %d: %v", req.Name, req.ParentID, err)
				continue
			}
			ev := lastEvents(t, env, 1)[0]
			if ev.Event != "Create Group" || ev.ObjectID != g.ID || ev.ActorUsername != "acme.admin" || ev.ObjectName != g.Path {
				t.Errorf("audit entry %+v, want Create Group %d by acme.admin", ev, g.ID)
			}
		}
		sw, err := env.App.Directory.Group(ctx, f.SalesWest.ID)
		if err != nil {
			t.Fatal(err)
		}
		if sw.Path != "Leeds/Sales/Sales West" || sw.CreatedUnder != "Leeds/Sales" || sw.Depth != 2 || sw.SiteID() != f.Leeds.ID {
			t.Errorf("Sales West = path %q under %q depth %d site %d", sw.Path, sw.CreatedUnder, sw.Depth, sw.SiteID())
		}
		leeds, _ := env.App.Directory.Group(ctx, f.Leeds.ID)
		if leeds.CreatedUnder != "none" || !leeds.IsSite || leeds.Depth != 0 {
			t.Errorf("Leeds = %+v, want a site created under none", leeds)
		}
	})
}

func TestGroupUpdateAndRename(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		before := auditTotal(t, env)
		rename := "Sales East"
		_, err := env.App.Directory.UpdateGroup(ctx, f.Sales.ID, directory.GroupUpdateRequest{Name: &rename})
		expectFail(t, env, before, "rename", err, derrors.ErrInvalid, "name", "cannot be changed")
		_, err = env.App.Directory.UpdateGroup(ctx, f.Sales.ID, directory.GroupUpdateRequest{Profile: &directory.GroupProfile{ContactPhone: "abc"}})
		expectFail(t, env, before, "bad phone", err, derrors.ErrInvalid, "profile.contact_phone", "phone")
		_, err = env.App.Directory.UpdateGroup(ctx, f.Sales.ID, directory.GroupUpdateRequest{Profile: &directory.GroupProfile{Address: directory.Address{Postcode: strings.Repeat("9", 33)}}})
		expectFail(t, env, before, "long postcode", err, derrors.ErrInvalid, "profile.address.postcode", "at most 32 characters")
		_, err = env.App.Directory.UpdateGroup(ctx, 987654, directory.GroupUpdateRequest{})
		expectFail(t, env, before, "missing group", err, derrors.ErrNotFound, "", "")
		if g, _ := env.App.Directory.Group(ctx, f.Sales.ID); g.Name != "Sales" || g.Profile.ContactPhone != "" {
			t.Errorf("failed updates changed Sales: %+v", g)
		}

		same := "Sales"
		g, err := env.App.Directory.UpdateGroup(ctx, f.Sales.ID, directory.GroupUpdateRequest{Name: &same,
			Profile: &directory.GroupProfile{ContactFirstName: " Ann ", ContactEmail: "ann@example.com", Address: directory.Address{City: "Leeds"}}})
		if err != nil {
			t.Fatal(err)
		}
		if g.Profile.ContactFirstName != "Ann" || g.Profile.Address.City != "Leeds" || g.Name != "Sales" {
			t.Errorf("updated profile = %+v", g.Profile)
		}
		ev := lastEvents(t, env, 1)[0]
		if ev.Event != "Modify Group" || ev.ObjectID != f.Sales.ID || len(ev.Before) == 0 || len(ev.After) == 0 {
			t.Errorf("audit entry %+v, want Modify Group with before and after", ev)
		}
		if !strings.Contains(string(ev.After), "ann@example.com") || strings.Contains(string(ev.Before), "ann@example.com") {
			t.Errorf("audit before/after do not show the change: %s -> %s", ev.Before, ev.After)
		}
	})
}

func TestMoveGroup(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		op := env.Actor("operator")
		ctx := context.Background()
		f := env.Fixture
		deep, err := env.App.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: f.SalesWest.ID, Name: "Deep"})
		if err != nil {
			t.Fatal(err)
		}
		// A group called "Sales West" under Support makes a later move clash.
		clash, err := env.App.Directory.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: f.London.ID, Name: "sales west"})
		if err != nil {
			t.Fatal(err)
		}
		before := auditTotal(t, env)
		fails := []struct {
			name          string
			id, newParent int64
			kind          error
			field, needle string
		}{
			{"under itself", f.Sales.ID, f.Sales.ID, derrors.ErrInvalid, "parent_id", "under itself"},
			{"under own child", f.Sales.ID, f.SalesWest.ID, derrors.ErrInvalid, "parent_id", "sub-groups"},
			{"under own grandchild", f.Sales.ID, deep.ID, derrors.ErrInvalid, "parent_id", "sub-groups"},
			{"a site", f.Leeds.ID, f.London.ID, derrors.ErrInvalid, "parent_id", "site"},
			{"into another company", f.Sales.ID, f.Reading.ID, derrors.ErrInvalid, "parent_id", "does not exist"},
			{"under a missing parent", f.Sales.ID, 987654, derrors.ErrInvalid, "parent_id", "does not exist"},
			{"name clash", f.SalesWest.ID, f.London.ID, derrors.ErrConflict, "name", "already exists"},
			{"missing group", 987654, f.Leeds.ID, derrors.ErrNotFound, "", ""},
		}
		for _, c := range fails {
			_, err := env.App.Directory.MoveGroup(ctx, op, c.id, c.newParent)
			expectFail(t, env, before, c.name, err, c.kind, c.field, c.needle)
		}
		if g, _ := env.App.Directory.Group(ctx, deep.ID); g.Path != "Leeds/Sales/Sales West/Deep" {
			t.Errorf("failed moves changed Deep's path to %q", g.Path)
		}
		_ = clash

		// Moving to the current parent changes nothing.
		if _, err := env.App.Directory.MoveGroup(ctx, op, f.SalesWest.ID, f.Sales.ID); err != nil {
			t.Errorf("move to the same parent: %v", err)
		}

		// Sales West (with Deep) moves under Support: the whole subtree follows.
		moved, err := env.App.Directory.MoveGroup(ctx, op, f.SalesWest.ID, f.Support.ID)
		if err != nil {
			t.Fatal(err)
		}
		if moved.Path != "Leeds/Support/Sales West" || moved.ParentID == nil || *moved.ParentID != f.Support.ID {
			t.Errorf("moved group = path %q parent %v", moved.Path, moved.ParentID)
		}
		d, _ := env.App.Directory.Group(ctx, deep.ID)
		if d.Path != "Leeds/Support/Sales West/Deep" || d.CreatedUnder != "Leeds/Support/Sales West" || d.Depth != 3 {
			t.Errorf("descendant after move: path %q under %q depth %d", d.Path, d.CreatedUnder, d.Depth)
		}
		sup, _ := env.App.Directory.Group(ctx, f.Support.ID)
		if !strings.HasPrefix(d.IDPath(), sup.IDPath()) || !strings.HasPrefix(moved.IDPath(), sup.IDPath()) {
			t.Errorf("id paths not rewritten: %q, %q under %q", moved.IDPath(), d.IDPath(), sup.IDPath())
		}
		ev := lastEvents(t, env, 1)[0]
		if ev.Event != "Move Group" || ev.ObjectID != f.SalesWest.ID || !strings.Contains(string(ev.Before), "Leeds/Sales/Sales West") ||
			!strings.Contains(string(ev.After), "Leeds/Support/Sales West") {
			t.Errorf("audit entry = %+v %s %s", ev, ev.Before, ev.After)
		}

		// Access follows the move: sales.admin loses Sales West and its member.
		if err := env.App.Access.Check(ctx, env.Actor("sales.admin"), access.ViewGroup, access.Group(deep.ID)); !derrors.IsNotFound(err) {
			t.Errorf("sales.admin on Deep after move: %v, want not found", err)
		}
		if err := env.App.Access.Check(ctx, env.Actor("sales.admin"), access.ViewEmployee, access.Employee(env.ID("west.one"))); !derrors.IsNotFound(err) {
			t.Errorf("sales.admin on west.one after move: %v, want not found", err)
		}
		if err := env.App.Access.Check(ctx, env.Actor("leeds.admin"), access.ViewGroup, access.Group(deep.ID)); err != nil {
			t.Errorf("leeds.admin on Deep after move: %v", err)
		}

		// Across sites: Sales moves to London, its site changes.
		s, err := env.App.Directory.MoveGroup(ctx, op, f.Sales.ID, f.London.ID)
		if err != nil {
			t.Fatal(err)
		}
		if s.Path != "London/Sales" || s.SiteID() != f.London.ID {
			t.Errorf("Sales after move to London: %q site %d", s.Path, s.SiteID())
		}
		// The other subtree under Leeds is untouched.
		if d, _ := env.App.Directory.Group(ctx, deep.ID); d.Path != "Leeds/Support/Sales West/Deep" {
			t.Errorf("unrelated subtree changed: %q", d.Path)
		}
	})
}

func TestDeleteGroup(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		op := env.Actor("operator")
		ctx := context.Background()
		f := env.Fixture
		before := auditTotal(t, env)
		err := env.App.Directory.DeleteGroup(ctx, op, f.Sales.ID)
		expectFail(t, env, before, "delete with children", err, derrors.ErrConflict, "", "sub-group")
		err = env.App.Directory.DeleteGroup(ctx, op, f.Leeds.ID)
		expectFail(t, env, before, "delete site with children", err, derrors.ErrConflict, "", "sub-group")
		err = env.App.Directory.DeleteGroup(ctx, op, 987654)
		expectFail(t, env, before, "delete missing", err, derrors.ErrNotFound, "", "")

		west := env.ID("west.one")
		if err := env.App.Directory.DeleteGroup(ctx, op, f.SalesWest.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Directory.Group(ctx, f.SalesWest.ID); !derrors.IsNotFound(err) {
			t.Errorf("deleted group still there: %v", err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM group_members WHERE account_id = ?", west); n != 0 {
			t.Errorf("west.one still has %d memberships", n)
		}
		if _, err := env.App.Directory.Employee(ctx, west); err != nil {
			t.Errorf("the member's account went with the group: %v", err)
		}
		ev := lastEvents(t, env, 1)[0]
		if ev.Event != "Delete Group" || ev.ObjectID != f.SalesWest.ID || len(ev.Before) == 0 {
			t.Errorf("audit entry = %+v", ev)
		}
		// Sales has no children now and goes, with its admin assignment.
		if err := env.App.Directory.DeleteGroup(ctx, op, f.Sales.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM group_admins WHERE account_id = ?", env.ID("sales.admin")); n != 0 {
			t.Errorf("sales.admin still administers %d groups", n)
		}
	})
}

func TestMemberships(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		d := env.App.Directory
		west, support := env.ID("west.one"), env.ID("support.one")
		isMember := func(acct, group int64) bool {
			return count(t, db, "SELECT COUNT(*) FROM group_members WHERE account_id = ? AND group_id = ?", acct, group) == 1
		}

		// Add and remove.
		n0 := auditTotal(t, env)
		if err := d.ChangeMembers(ctx, []directory.Link{{GroupID: f.Sales.ID, AccountID: support}}, nil); err != nil {
			t.Fatal(err)
		}
		if !isMember(support, f.Sales.ID) {
			t.Error("support.one was not added to Sales")
		}
		if ev := lastEvents(t, env, 1)[0]; ev.Event != "Add Group Member" || !strings.Contains(string(ev.After), "support.one") {
			t.Errorf("audit entry = %+v %s", ev, ev.After)
		}
		// Adding again is a no-op and writes nothing.
		if err := d.ChangeMembers(ctx, []directory.Link{{GroupID: f.Sales.ID, AccountID: support}}, nil); err != nil {
			t.Fatal(err)
		}
		if got := auditTotal(t, env); got != n0+1 {
			t.Errorf("audit grew to %d, want %d", got, n0+1)
		}
		if err := d.ChangeMembers(ctx, nil, []directory.Link{{GroupID: f.Sales.ID, AccountID: support}}); err != nil {
			t.Fatal(err)
		}
		if isMember(support, f.Sales.ID) {
			t.Error("support.one was not removed from Sales")
		}
		if ev := lastEvents(t, env, 1)[0]; ev.Event != "Remove Group Member" || !strings.Contains(string(ev.Before), "support.one") {
			t.Errorf("audit entry = %+v %s", ev, ev.Before)
		}

		// An account of another company is refused, and nothing of the batch applies.
		before := auditTotal(t, env)
		err := d.ChangeMembers(ctx, []directory.Link{{GroupID: f.Sales.ID, AccountID: support}, {GroupID: f.Sales.ID, AccountID: env.ID("globex.one")}}, nil)
		expectFail(t, env, before, "member from another company", err, derrors.ErrInvalid, "employee_ids", "does not exist")
		if isMember(support, f.Sales.ID) {
			t.Error("a failed batch still added support.one")
		}

		// Move members.
		err = d.MoveMembers(ctx, f.SalesWest.ID, f.SalesWest.ID, []int64{west})
		expectFail(t, env, before, "move to same group", err, derrors.ErrInvalid, "to_group_id", "already")
		err = d.MoveMembers(ctx, f.SalesWest.ID, f.Support.ID, nil)
		expectFail(t, env, before, "move nobody", err, derrors.ErrInvalid, "employee_ids", "at least one")
		err = d.MoveMembers(ctx, f.SalesWest.ID, f.Support.ID, []int64{west, support})
		expectFail(t, env, before, "move a non-member", err, derrors.ErrInvalid, "employee_ids", "not a member")
		if !isMember(west, f.SalesWest.ID) || isMember(west, f.Support.ID) {
			t.Error("a failed move changed west.one's memberships")
		}
		if err := d.MoveMembers(ctx, f.SalesWest.ID, f.Support.ID, []int64{west}); err != nil {
			t.Fatal(err)
		}
		if isMember(west, f.SalesWest.ID) || !isMember(west, f.Support.ID) {
			t.Error("west.one was not moved from Sales West to Support")
		}
		evs := lastEvents(t, env, 2)
		if evs[0].Event != "Remove Group Member" || evs[1].Event != "Add Group Member" {
			t.Errorf("move audit = %s, %s; want remove then add", evs[0].Event, evs[1].Event)
		}

		// Memberships as seen by a company admin, with the three filters.
		sc, _ := env.App.Access.Scope(ctx, env.Actor("acme.admin"))
		all, err := d.Memberships(ctx, west, sc, directory.LinkAll)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != 5 { // Leeds, London, Sales, Sales West, Support
			t.Errorf("memberships (all) = %d groups, want 5", len(all))
		}
		linked, _ := d.Memberships(ctx, west, sc, directory.LinkLinked)
		if len(linked) != 1 || linked[0].ID != f.Support.ID || !linked[0].Linked {
			t.Errorf("memberships (linked) = %+v, want Support", linked)
		}
		notLinked, _ := d.Memberships(ctx, west, sc, directory.LinkNotLinked)
		if len(notLinked) != 4 {
			t.Errorf("memberships (not linked) = %d, want 4", len(notLinked))
		}
		// Seen by sales.admin, only the Sales subtree is listed.
		ssc, _ := env.App.Access.Scope(ctx, env.Actor("sales.admin"))
		mine, _ := d.Memberships(ctx, west, ssc, directory.LinkAll)
		if len(mine) != 2 {
			t.Errorf("memberships in sales.admin's scope = %d groups, want Sales and Sales West", len(mine))
		}

		for in, want := range map[string]directory.LinkFilter{"": directory.LinkAll, "member": directory.LinkLinked,
			"administers": directory.LinkLinked, "not_member": directory.LinkNotLinked, "unassigned": directory.LinkNotLinked} {
			if got, err := directory.ParseLinkFilter(in); err != nil || got != want {
				t.Errorf("ParseLinkFilter(%q) = %q, %v; want %q", in, got, err, want)
			}
		}
		if _, err := directory.ParseLinkFilter("some"); fieldOf(err) != "filter" {
			t.Errorf("ParseLinkFilter(some) = %v, want an error on filter", err)
		}
	})
}

func TestGroupAdmins(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		d := env.App.Directory
		before := auditTotal(t, env)
		for _, c := range []struct{ user, label string }{
			{"west.one", "an Employee"},
			{"acme.admin", "a Company Administrator"},
		} {
			err := d.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: f.Support.ID, AccountID: env.ID(c.user)}}, nil)
			expectFail(t, env, before, "assign "+c.user, err, derrors.ErrInvalid, "add", c.label)
			if err != nil && !strings.Contains(err.Error(), "Group Administrator") {
				t.Errorf("assign %s: %q does not name the role needed", c.user, err)
			}
		}
		if n := count(t, db, "SELECT COUNT(*) FROM group_admins WHERE group_id = ?", f.Support.ID); n != 0 {
			t.Errorf("Support has %d admins after refused assignments", n)
		}

		// A group admin can be assigned; GroupAdmins lists only group-admin accounts.
		sales := env.ID("sales.admin")
		if err := d.ChangeGroupAdmins(ctx, []directory.Link{{GroupID: f.Support.ID, AccountID: sales}}, nil); err != nil {
			t.Fatal(err)
		}
		if ev := lastEvents(t, env, 1)[0]; ev.Event != "Assign Group Admin" || ev.ObjectID != f.Support.ID {
			t.Errorf("audit entry = %+v", ev)
		}
		sc, _ := env.App.Access.Scope(ctx, env.Actor("acme.admin"))
		admins, err := d.GroupAdmins(ctx, f.Support.ID, sc, directory.LinkAll)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range admins {
			if a.Role != access.RoleGroupAdmin {
				t.Errorf("GroupAdmins lists %s with role %s", a.Username, a.Role)
			}
			if a.Linked {
				names = append(names, a.Username)
			}
		}
		if len(admins) != 2 || strings.Join(names, ",") != "sales.admin" {
			t.Errorf("GroupAdmins(Support) = %d accounts, linked %v; want 2 and sales.admin", len(admins), names)
		}
		privs, _ := d.AdminPrivileges(ctx, sales, sc, directory.LinkLinked)
		if len(privs) != 2 {
			t.Errorf("sales.admin administers %d groups, want Sales and Support", len(privs))
		}

		// Demoting a group admin removes every assignment.
		role := access.RoleEmployee
		if _, err := d.UpdateEmployee(ctx, sales, directory.EmployeeUpdateRequest{Role: &role}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM group_admins WHERE account_id = ?", sales); n != 0 {
			t.Errorf("demoted sales.admin still administers %d groups", n)
		}
		if err := env.App.Access.Check(ctx, access.Actor{AccountID: sales, Role: access.RoleGroupAdmin, CompanyID: f.Acme.ID, ProviderID: f.Provider.ID},
			access.ViewGroup, access.Group(f.Sales.ID)); !derrors.IsNotFound(err) {
			t.Errorf("demoted admin still sees Sales: %v", err)
		}
		// Promoting keeps no stale assignments either.
		role = access.RoleGroupAdmin
		if _, err := d.UpdateEmployee(ctx, sales, directory.EmployeeUpdateRequest{Role: &role}); err != nil {
			t.Fatal(err)
		}
		if n := count(t, db, "SELECT COUNT(*) FROM group_admins WHERE account_id = ?", sales); n != 0 {
			t.Errorf("re-promoted admin has %d assignments, want 0", n)
		}
	})
}

func TestUpdateAndDeleteEmployee(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		op := env.Actor("operator")
		ctx := context.Background()
		d := env.App.Directory
		west := env.ID("west.one")
		before := auditTotal(t, env)
		str := func(s string) *string { return &s }
		bad := access.Role("provider")
		fails := []struct {
			name   string
			req    directory.EmployeeUpdateRequest
			field  string
			needle string
		}{
			{"rename", directory.EmployeeUpdateRequest{Username: str("west.two")}, "username", "cannot be changed"},
			{"role", directory.EmployeeUpdateRequest{Role: &bad}, "role", "company_admin"},
			{"empty first name", directory.EmployeeUpdateRequest{FirstName: str(" ")}, "first_name", "required"},
			{"bad email", directory.EmployeeUpdateRequest{Email: str("x@")}, "email", "e-mail"},
		}
		for _, c := range fails {
			_, err := d.UpdateEmployee(ctx, west, c.req)
			expectFail(t, env, before, c.name, err, derrors.ErrInvalid, c.field, c.needle)
		}
		if e, _ := d.Employee(ctx, west); e.FirstName != "Wendy" || e.Username != "west.one" || e.Role != access.RoleEmployee {
			t.Errorf("failed updates changed west.one: %+v", e)
		}
		e, err := d.UpdateEmployee(ctx, west, directory.EmployeeUpdateRequest{Username: str("west.one"), Phone: str("+44 113 496 0001")})
		if err != nil {
			t.Fatal(err)
		}
		if e.Phone != "+44 113 496 0001" || e.FirstName != "Wendy" {
			t.Errorf("partial update = %+v", e)
		}
		if ev := lastEvents(t, env, 1)[0]; ev.Event != "Modify Employee" || ev.ObjectID != west {
			t.Errorf("audit entry = %+v", ev)
		}

		// Deleting removes the account, its memberships and sessions.
		if _, _, err := env.App.Identity.CreateSession(ctx, identityReq(west)); err != nil {
			t.Fatal(err)
		}
		if err := d.DeleteEmployee(ctx, op, west); err != nil {
			t.Fatal(err)
		}
		if _, err := d.Employee(ctx, west); !derrors.IsNotFound(err) {
			t.Errorf("deleted employee: %v", err)
		}
		for _, tbl := range []string{"group_members", "sessions"} {
			if n := count(t, db, "SELECT COUNT(*) FROM "+tbl+" WHERE account_id = ?", west); n != 0 {
				t.Errorf("%d %s rows left for a deleted employee", n, tbl)
			}
		}
		if ev := lastEvents(t, env, 1)[0]; ev.Event != "Delete Employee" || ev.ObjectName != "west.one" {
			t.Errorf("audit entry = %+v", ev)
		}
		n := auditTotal(t, env)
		if err := d.DeleteEmployee(ctx, op, west); !derrors.IsNotFound(err) {
			t.Errorf("delete twice: %v", err)
		}
		if auditTotal(t, env) != n {
			t.Error("a failed delete was audited")
		}
		// An operator is not an employee.
		if _, err := d.Employee(ctx, env.ID("operator")); !derrors.IsNotFound(err) {
			t.Errorf("operator as employee: %v", err)
		}
	})
}

func TestListEmployeesScopeAndSearch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		d := env.App.Directory
		phone := "+44 20 7946 0321"
		if _, err := d.UpdateEmployee(ctx, env.ID("london.one"), directory.EmployeeUpdateRequest{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		list := func(user string, filter directory.EmployeeFilter) []string {
			t.Helper()
			sc, err := env.App.Access.Scope(ctx, env.Actor(user))
			if err != nil {
				t.Fatal(err)
			}
			es, total, err := d.ListEmployeesIn(ctx, f.Acme.ID, sc, filter, store.Page{})
			if err != nil {
				t.Fatalf("list as %s: %v", user, err)
			}
			if total != len(es) {
				t.Errorf("list as %s: total %d for %d rows", user, total, len(es))
			}
			var names []string
			for _, e := range es {
				names = append(names, e.Username)
			}
			sort.Strings(names)
			return names
		}
		scopes := []struct {
			user string
			want string
		}{
			{"acme.admin", "acme.admin,leeds.admin,london.one,sales.admin,support.one,west.one"},
			{"leeds.admin", "leeds.admin,sales.admin,support.one,west.one"},
			{"sales.admin", "sales.admin,west.one"},
			{"west.one", "west.one"},
		}
		for _, c := range scopes {
			if got := strings.Join(list(c.user, directory.EmployeeFilter{}), ","); got != c.want {
				t.Errorf("ListEmployees as %s = %s, want %s", c.user, got, c.want)
			}
		}
		searches := []struct {
			user, q, want string
		}{
			{"acme.admin", "west", "west.one"},    // username
			{"acme.admin", "WENDY", "west.one"},   // first name, any case
			{"acme.admin", "port", "support.one"}, // surname "Port" (and username support.one)
			{"acme.admin", "shah", "leeds.admin"}, // surname
			{"acme.admin", "7946", "london.one"},  // phone
			{"acme.admin", "Stan Port", "support.one"},
			{"acme.admin", "nobody", ""},
			{"acme.admin", "%", ""}, // LIKE wildcards are literal
			{"acme.admin", "_", ""},
			{"sales.admin", "port", ""}, // support.one is outside sales.admin's scope
			{"leeds.admin", "7946", ""}, // london.one is outside leeds.admin's scope
			{"acme.admin", "gina", ""},  // another company
			{"leeds.admin", "e", "leeds.admin,sales.admin,support.one,west.one"},
		}
		for _, c := range searches {
			if got := strings.Join(list(c.user, directory.EmployeeFilter{Q: c.q}), ","); got != c.want {
				t.Errorf("search %q as %s = %q, want %q", c.q, c.user, got, c.want)
			}
		}
		if got := strings.Join(list("acme.admin", directory.EmployeeFilter{Role: access.RoleGroupAdmin}), ","); got != "leeds.admin,sales.admin" {
			t.Errorf("role filter = %s", got)
		}
		if got := strings.Join(list("acme.admin", directory.EmployeeFilter{GroupID: f.SalesWest.ID}), ","); got != "west.one" {
			t.Errorf("group filter = %s", got)
		}
		sc, _ := env.App.Access.Scope(ctx, env.Actor("acme.admin"))
		es, _, err := d.ListEmployeesIn(ctx, f.Acme.ID, sc, directory.EmployeeFilter{Sort: "-username"}, store.Page{PerPage: 2})
		if err != nil || len(es) != 2 || es[0].Username != "west.one" || es[1].Username != "support.one" {
			t.Errorf("sorted page = %v, %v", es, err)
		}
		if _, _, err := d.ListEmployeesIn(ctx, f.Acme.ID, sc, directory.EmployeeFilter{Sort: "password"}, store.Page{}); fieldOf(err) != "sort" {
			t.Errorf("bad sort: %v", err)
		}
	})
}

// identityReq builds a browser session request for acct.
func identityReq(acct int64) identity.NewSessionRequest {
	return identity.NewSessionRequest{AccountID: acct, Kind: identity.KindBrowser}
}
