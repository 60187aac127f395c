package directory_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestEmployeesCarryTheirService: an activated employee is listed (paged
// and whole) and read with the business number and extension they hold,
// the number also in the national form; one without service has neither,
// whatever contact phone the profile has; and a number of another
// company never attaches to an Acme employee.
func TestEmployeesCarryTheirService(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		f := env.Fixture
		ctx := context.Background()
		west, london := env.ID("west.one"), env.ID("london.one")
		req := lifecycle.ActivateRequest{SiteID: f.Leeds.ID, UserType: lifecycle.IPCentrex, TermID: sv.Terms["Monthly"].ID,
			PackageID: sv.Packages["Basic"].ID, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: west,
				Number: "+441134960085", Extension: "2085",
				Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: sv.Types["Soft Client"].ID}}}}
		if _, err := env.App.Lifecycle.Activate(ctx, env.Actor("acme.admin"), 0, req); err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{Owner: "directory-test"}).RunDue(ctx); err != nil {
			t.Fatal(err)
		}
		phone := "+44 20 7946 0999"
		if _, err := env.App.Directory.ModifyEmployee(ctx, env.Actor("acme.admin"), london, directory.EmployeeUpdateRequest{Phone: &phone}); err != nil {
			t.Fatal(err)
		}
		// A Globex number owned, wrongly, by london.one's id must not show.
		err := db.Tx(ctx, func(ctx context.Context) error {
			_, err := db.Q(ctx).Exec(ctx, `UPDATE dn_numbers SET status = 'assigned', owner_kind = 'user', owner_id = ? WHERE e164 = ?`,
				london, sv.ReadingFirst)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}

		want := map[int64][3]string{west: {"+441134960085", "0113 496 0085", "2085"}, london: {"", "", ""}}
		check := func(how string, es []directory.Employee) {
			t.Helper()
			seen := 0
			for _, e := range es {
				w, ok := want[e.ID]
				if !ok {
					continue
				}
				seen++
				if got := [3]string{e.Number, e.NumberNational, e.Extension}; got != w {
					t.Errorf("%s: %s has number, national, extension %q, want %q", how, e.Username, got, w)
				}
			}
			if seen != len(want) {
				t.Errorf("%s: saw %d of the %d employees", how, seen, len(want))
			}
		}
		var page []directory.Employee
		page, _, err = env.App.Directory.ListEmployees(ctx, env.Actor("acme.admin"), f.Acme.ID, directory.EmployeeFilter{}, store.Page{PerPage: 50})
		if err != nil {
			t.Fatal(err)
		}
		check("ListEmployees", page)
		linked, err := env.App.Directory.GroupEmployees(ctx, env.Actor("acme.admin"), f.Sales.ID, directory.Memberships, directory.LinkAll, "")
		if err != nil {
			t.Fatal(err)
		}
		var whole []directory.Employee
		for _, l := range linked {
			whole = append(whole, l.Employee)
		}
		check("GroupEmployees", whole)
		// Employee Selection's search finds the number shown, in national
		// or international form, and the extension; never another
		// company's number.
		for _, c := range []struct {
			q    string
			want int64
		}{{"0113 496 0085", west}, {"+44 113 496 0085", west}, {"2085", west}, {"0118 496 0000", 0}} {
			es, _, err := env.App.Directory.ListEmployees(ctx, env.Actor("acme.admin"), f.Acme.ID, directory.EmployeeFilter{Q: c.q}, store.Page{})
			if err != nil {
				t.Fatal(err)
			}
			var ids []int64
			for _, e := range es {
				ids = append(ids, e.ID)
			}
			if (c.want == 0 && len(ids) != 0) || (c.want != 0 && (len(ids) != 1 || ids[0] != c.want)) {
				t.Errorf("search %q finds %v, want [%d]", c.q, ids, c.want)
			}
		}
		var one []directory.Employee
		for _, id := range []int64{west, london} {
			e, err := env.App.Directory.Employee(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			one = append(one, e)
		}
		check("Employee", one)
	})
}

// TestGroupEmployeesPage: the pages of Group Members cover the whole list
// once, in order, with the total of all pages; a page past the end is
// empty with the same total.
func TestGroupEmployeesPage(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		ctx := context.Background()
		a := env.Actor("acme.admin")
		all, err := env.App.Directory.GroupEmployees(ctx, a, f.Sales.ID, directory.Memberships, directory.LinkAll, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(all) < 4 {
			t.Fatalf("the fixture has %d employees; the test needs at least 4", len(all))
		}
		var got []int64
		for n := 1; n <= 3; n++ {
			es, total, err := env.App.Directory.GroupEmployeesPage(ctx, a, f.Sales.ID, directory.Memberships, directory.LinkAll, "", store.Page{Page: n, PerPage: 2})
			if err != nil {
				t.Fatal(err)
			}
			if total != len(all) {
				t.Errorf("page %d: total %d, want %d", n, total, len(all))
			}
			for _, e := range es {
				got = append(got, e.ID)
			}
		}
		for i := range min(6, len(all)) {
			if i >= len(got) || got[i] != all[i].ID {
				t.Fatalf("pages give %v, the list starts %v", got, all[:min(6, len(all))])
			}
		}
		es, total, err := env.App.Directory.GroupEmployeesPage(ctx, a, f.Sales.ID, directory.Memberships, directory.LinkAll, "", store.Page{Page: 99, PerPage: 2})
		if err != nil || len(es) != 0 || total != len(all) {
			t.Errorf("page past the end: %d rows, total %d, %v", len(es), total, err)
		}
		// Outsiders see no page of it.
		env.AddCast(t)
		if _, _, err := env.App.Directory.GroupEmployeesPage(ctx, env.Actor("globex.admin"), f.Sales.ID, directory.Memberships, directory.LinkAll, "", store.Page{}); !errors.Is(err, derrors.ErrNotFound) {
			t.Errorf("globex.admin reading a page of Acme's Group Members: %v, want ErrNotFound", err)
		}
	})
}
