package directory_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// manyGroups is more than one page can hold, so anything read through a
// capped page would lose the groups after the first store.MaxPerPage.
const manyGroups = 650

func countNodes(ns []*directory.TreeNode) int {
	n := len(ns)
	for _, c := range ns {
		n += countNodes(c.Children)
	}
	return n
}

func TestAllGroupsBeyondOnePage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		d := env.App.Directory
		apptest.AddGroups(t, db, f.Leeds, manyGroups)
		want := count(t, db, "SELECT COUNT(*) FROM org_groups WHERE company_id = ?", f.Acme.ID)
		if want != manyGroups+5 || want <= store.MaxPerPage {
			t.Fatalf("Acme has %d groups, want %d (more than a page of %d)", want, manyGroups+5, store.MaxPerPage)
		}
		sc, err := env.App.Access.Scope(ctx, env.Actor("acme.admin"))
		if err != nil {
			t.Fatal(err)
		}

		all, err := d.AllGroups(ctx, f.Acme.ID, sc)
		if err != nil {
			t.Fatal(err)
		}
		if len(all) != want {
			t.Fatalf("AllGroups = %d groups, want %d", len(all), want)
		}
		seen := map[string]bool{}
		for i, g := range all {
			seen[g.Path] = true
			if g.CompanyID != f.Acme.ID {
				t.Errorf("AllGroups lists %s of company %d", g.Path, g.CompanyID)
			}
			if i > 0 && strings.ToLower(all[i-1].Path) > strings.ToLower(g.Path) {
				t.Errorf("AllGroups is not in path order: %s before %s", all[i-1].Path, g.Path)
			}
		}
		// Both lie past the first page in path order.
		for _, p := range []string{"Leeds/Team 600", "Leeds/Team 650", "London"} {
			if !seen[p] {
				t.Errorf("AllGroups misses %s", p)
			}
		}

		// The tree holds every group, London included as a root.
		tree, err := d.Tree(ctx, f.Acme.ID, sc)
		if err != nil {
			t.Fatal(err)
		}
		if got := countNodes(tree); got != want {
			t.Errorf("Tree holds %d groups, want %d", got, want)
		}
		var roots []string
		for _, r := range tree {
			roots = append(roots, r.Path)
			if r.Path == "Leeds" && len(r.Children) != manyGroups+2 {
				t.Errorf("Leeds has %d children in the tree, want %d", len(r.Children), manyGroups+2)
			}
		}
		if strings.Join(roots, ",") != "Leeds,London" {
			t.Errorf("tree roots = %v, want Leeds and London", roots)
		}

		// Scope still applies: sales.admin sees only the Sales subtree.
		ssc, err := env.App.Access.Scope(ctx, env.Actor("sales.admin"))
		if err != nil {
			t.Fatal(err)
		}
		mine, err := d.AllGroups(ctx, f.Acme.ID, ssc)
		if err != nil {
			t.Fatal(err)
		}
		if len(mine) != 2 || mine[0].Path != "Leeds/Sales" || mine[1].Path != "Leeds/Sales/Sales West" {
			t.Errorf("AllGroups in sales.admin's scope = %d groups, want Sales and Sales West", len(mine))
		}
		if st, err := d.Tree(ctx, f.Acme.ID, ssc); err != nil || countNodes(st) != 2 {
			t.Errorf("Tree in sales.admin's scope = %d groups, %v; want 2", countNodes(st), err)
		}
		// Another company's groups never appear.
		gsc := access.Scope{CompanyID: f.Globex.ID}
		if gs, err := d.AllGroups(ctx, f.Globex.ID, gsc); err != nil || len(gs) != 1 || gs[0].Path != "Reading" {
			t.Errorf("AllGroups(Globex) = %d groups, %v; want Reading only", len(gs), err)
		}

		// The membership list covers every group as well.
		ms, err := d.Memberships(ctx, env.ID("west.one"), sc, directory.LinkAll)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != want {
			t.Errorf("Memberships (all) = %d groups, want %d", len(ms), want)
		}

		// ListGroups, which requests page through, stays bounded however
		// large a page is asked for, and reports the real total.
		page, total, err := d.ListGroupsIn(ctx, f.Acme.ID, sc, directory.GroupFilter{}, store.Page{PerPage: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != store.MaxPerPage || total != want {
			t.Errorf("ListGroups(huge page) = %d groups of %d, want %d of %d", len(page), total, store.MaxPerPage, want)
		}
		rest, total, err := d.ListGroupsIn(ctx, f.Acme.ID, sc, directory.GroupFilter{}, store.Page{Page: 2, PerPage: store.MaxPerPage})
		if err != nil {
			t.Fatal(err)
		}
		if len(rest) != want-store.MaxPerPage || total != want || rest[len(rest)-1].Path != "London" {
			t.Errorf("ListGroups page 2 = %d groups of %d, want %d ending with London", len(rest), total, want-store.MaxPerPage)
		}
	})
}

func TestGroupMembersBeyondOnePage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		ctx := context.Background()
		f := env.Fixture
		const n = store.MaxPerPage + 20
		// Inserted directly, in one transaction, for the reason addGroups gives.
		err := db.Tx(ctx, func(ctx context.Context) error {
			q := db.Q(ctx)
			vals := make([]string, 0, n)
			args := make([]any, 0, 4*n)
			for i := 0; i < n; i++ {
				vals = append(vals, "(?, ?, ?, 'employee', 'Many', ?, 'active', 0, 0)")
				args = append(args, f.Provider.ID, f.Acme.ID, fmt.Sprintf("many.%03d", i), fmt.Sprintf("Member %03d", i))
			}
			if _, err := q.Exec(ctx, "INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, status, created_at, updated_at) VALUES "+
				strings.Join(vals, ", "), args...); err != nil {
				return err
			}
			_, err := q.Exec(ctx, "INSERT INTO group_members (group_id, account_id, created_at) SELECT ?, id, 0 FROM accounts WHERE username LIKE 'many.%'", f.SalesWest.ID)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		sc, err := env.App.Access.Scope(ctx, env.Actor("acme.admin"))
		if err != nil {
			t.Fatal(err)
		}
		members, err := env.App.Directory.GroupMembers(ctx, f.SalesWest.ID, sc, directory.LinkLinked, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(members) != n+1 { // and west.one
			t.Errorf("GroupMembers(Sales West, linked) = %d, want %d", len(members), n+1)
		}
		all, err := env.App.Directory.GroupMembers(ctx, f.SalesWest.ID, sc, directory.LinkAll, "")
		if err != nil {
			t.Fatal(err)
		}
		if want := count(t, db, "SELECT COUNT(*) FROM accounts WHERE company_id = ?", f.Acme.ID); len(all) != want {
			t.Errorf("GroupMembers(Sales West, all) = %d, want every one of Acme's %d accounts", len(all), want)
		}
		// The paged list is unchanged: one page is at most MaxPerPage.
		page, total, err := env.App.Directory.ListEmployeesIn(ctx, f.Acme.ID, sc, directory.EmployeeFilter{GroupID: f.SalesWest.ID}, store.Page{PerPage: 1 << 30})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) != store.MaxPerPage || total != n+1 {
			t.Errorf("ListEmployees(huge page) = %d of %d, want %d of %d", len(page), total, store.MaxPerPage, n+1)
		}
	})
}
