package directory_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// sortPaths reads every group's stored sort key.
func sortPaths(t *testing.T, db *store.DB) map[int64]string {
	t.Helper()
	ctx := context.Background()
	rows, err := db.Q(ctx).Query(ctx, "SELECT id, sort_path FROM org_groups")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var p string
		if err := rows.Scan(&id, &p); err != nil {
			t.Fatal(err)
		}
		out[id] = p
	}
	return out
}

// TestGroupSortPath: the key of the group lists is the lower-cased name
// path, as CreateGroup writes it, as a move rewrites it for the whole
// subtree, and as migration 0044 computes it for groups that existed
// before it (its statements run again here on a wiped column).
func TestGroupSortPath(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		d := env.App.Directory
		ctx := audit.WithActor(context.Background(), audit.Actor{ID: env.ID("acme.admin"), Username: "acme.admin", ProviderID: f.Provider.ID})
		east, err := d.CreateGroup(ctx, directory.GroupCreateRequest{ParentID: f.SalesWest.ID, Name: "East Desk"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.MoveGroup(ctx, env.Actor("acme.admin"), f.SalesWest.ID, f.Support.ID); err != nil {
			t.Fatal(err)
		}
		want := func() map[int64]string {
			out := map[int64]string{}
			for _, c := range []int64{f.Acme.ID, f.Globex.ID} {
				gs, err := d.AllGroups(context.Background(), c, access.Scope{CompanyID: c})
				if err != nil {
					t.Fatal(err)
				}
				for _, g := range gs {
					out[g.ID] = strings.ToLower(g.Path)
				}
			}
			return out
		}()
		if want[east.ID] != "leeds/support/sales west/east desk" {
			t.Fatalf("East Desk's path after the move: %q", want[east.ID])
		}
		check := func(when string) {
			got := sortPaths(t, db)
			if len(got) != len(want) {
				t.Fatalf("%s: %d groups, want %d", when, len(got), len(want))
			}
			for id, w := range want {
				if got[id] != w {
					t.Errorf("%s: group %d sort_path %q, want %q", when, id, got[id], w)
				}
			}
		}
		check("after create and move")

		body, err := os.ReadFile("../store/migrations/0044_list_keysets.sql")
		if err != nil {
			t.Fatal(err)
		}
		sql := string(body)
		start, end := strings.Index(sql, "CREATE TABLE group_sort_backfill"), strings.Index(sql, "DROP TABLE group_sort_backfill;")
		if start < 0 || end < start {
			t.Fatal("the backfill statements are not in migration 0044")
		}
		if _, err := storetest.Exec(context.Background(), db, "UPDATE org_groups SET sort_path = ''"); err != nil {
			t.Fatal(err)
		}
		for _, st := range strings.Split(sql[start:end+len("DROP TABLE group_sort_backfill;")], ";") {
			if strings.TrimSpace(st) == "" {
				continue
			}
			if _, err := storetest.Exec(context.Background(), db, st); err != nil {
				t.Fatalf("%s: %v", st, err)
			}
		}
		check("after the migration's backfill")
	})
}
