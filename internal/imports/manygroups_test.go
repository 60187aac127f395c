package imports_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestImportsSeeEveryGroup: with more groups than one page holds, imports
// still find the groups past the first page — Leeds/Team 600 and London
// come after the first store.MaxPerPage in path order.
func TestImportsSeeEveryGroup(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		h := newHarness(t, db)
		ctx := context.Background()
		f := h.env.Fixture
		apptest.AddGroups(t, db, f.Leeds, 650)
		if n := h.count("org_groups"); n <= store.MaxPerPage+100 {
			t.Fatalf("only %d groups: the test needs more than a page", n)
		}
		team600, ok := h.group("Leeds/Team 600")
		if !ok {
			t.Fatal("Leeds/Team 600 was not created")
		}

		// Employees naming groups past the first page.
		csv := header + "ann.many,Ann,Many,,,employee,Leeds/Team 600\r\n" + "bob.many,Bob,Many,,,employee,london\r\n"
		s := h.submit("acme.admin", csv, imports.EmployeeOptions{Options: imports.Options{Method: imports.MethodAdd}})
		if s.Preview.Valid != 2 || len(s.Preview.Problems) != 0 {
			t.Fatalf("employee preview = %+v", s.Preview)
		}
		j, items := h.run("acme.admin", s.Job.ID)
		if j.Status != jobs.StatusCompleted || items["ann.many"].Status != jobs.ItemOK || items["bob.many"].Status != jobs.ItemOK {
			t.Fatalf("employee job = %+v, items %+v", j, items)
		}
		for user, group := range map[string]int64{"ann.many": team600.ID, "bob.many": f.London.ID} {
			e, ok := h.employee(user)
			if !ok {
				t.Fatalf("%s was not created", user)
			}
			var n int
			if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM group_members WHERE account_id = ? AND group_id = ?", e.ID, group).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n != 1 {
				t.Errorf("%s is not a member of group %d", user, group)
			}
		}

		// Groups under a parent past the first page, and an existing group
		// there recognised as existing rather than added again.
		s = h.submitGroups("acme.admin", "Name\r\nNight Shift\r\n", imports.GroupOptions{ParentID: team600.ID})
		if j, _ := h.run("acme.admin", s.Job.ID); j.Status != jobs.StatusCompleted || j.Counts[jobs.ItemOK] != 1 {
			t.Errorf("import under Team 600 = %+v", j)
		}
		if _, ok := h.group("Leeds/Team 600/Night Shift"); !ok {
			t.Error("Leeds/Team 600/Night Shift was not created")
		}
		before := h.count("org_groups")
		s = h.submitGroups("acme.admin", "Name,Parent\r\nTeam 650,\r\nEarly,Team 600\r\n", imports.GroupOptions{})
		j, items = h.run("acme.admin", s.Job.ID)
		if it := items["Leeds/Team 650"]; it.Status != jobs.ItemSkipped || it.Message != "exists" {
			t.Errorf("Leeds/Team 650 = %+v, want skipped: exists", it)
		}
		if it := items["Leeds/Team 600/Early"]; it.Status != jobs.ItemOK {
			t.Errorf("Leeds/Team 600/Early = %+v, want ok", it)
		}
		if got := h.count("org_groups"); got != before+1 {
			t.Errorf("groups grew from %d to %d, want one more (job %+v)", before, got, j)
		}
	})
}
