package dashboard_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// estate is the apptest estate with features sold and traffic: Leeds has
// Site Essentials and the Call Centre add-on, a hunt group and an auto
// attendant; west.one (Standard with the Call Recording add-on) and
// support.one (Standard) are active at Leeds; west.one holds +44 113 496
// 0011 and london.one +44 20 7946 0012 for the last 40 days of traffic.
type estate struct {
	env *apptest.Env
	db  *store.DB
	ctx context.Context
}

func setup(t *testing.T, db *store.DB, traffic int) *estate {
	t.Helper()
	env := apptest.New(t, db)
	env.AddCast(t)
	sv := env.SeedService(t)
	ctx := context.Background()
	a, f := env.App, env.Fixture
	if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, []int64{sv.Packages["Call Centre"].ID}); err != nil {
		t.Fatal(err)
	}
	for user, addOns := range map[string][]int64{"west.one": {sv.Packages["Call Recording"].ID}, "support.one": nil} {
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, env.ID(user), sv.Packages["Standard"].ID, addOns, sv.Terms["Monthly"].ID); err != nil {
			t.Fatal(err)
		}
	}
	// Activation is lifecycle's business; the dashboards only read its
	// outcome (the site of the service and the status).
	exec(t, db, "UPDATE accounts SET site_id = ?, status = 'active' WHERE id IN (?, ?)", f.Leeds.ID, env.ID("west.one"), env.ID("support.one"))
	exec(t, db, "UPDATE org_groups SET employee_limit = 25 WHERE id = ?", f.Leeds.ID)
	leeds := features.Site(f.Leeds.ID)
	admin := env.Actor("acme.admin")
	for code, body := range map[string]string{
		features.CodeHuntGroups:    `{"groups":[{"name":"Sales line","extension":"3001"},{"name":"Support line","extension":"3002"}]}`,
		features.CodeAutoAttendant: `{"attendants":[{"name":"Main menu","extension":"3000"}]}`,
	} {
		if _, err := a.Features.Configure(ctx, admin, leeds, code, []byte(body)); err != nil {
			t.Fatalf("configure %s: %v", code, err)
		}
	}
	if _, err := a.Features.Configure(ctx, admin, features.Employee(env.ID("west.one")), features.CodeCallRecording, []byte(`{"mode":"always","announce":true}`)); err != nil {
		t.Fatal(err)
	}
	if traffic > 0 {
		seedTraffic(t, env, db, traffic)
	}
	return &estate{env: env, db: db, ctx: ctx}
}

func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	if err := db.Tx(context.Background(), func(ctx context.Context) error {
		_, err := db.Q(ctx).Exec(ctx, query, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// seedTraffic stores n generated calls of the last 40 days through ingest.
func seedTraffic(t *testing.T, env *apptest.Env, db *store.DB, n int) {
	t.Helper()
	ctx := context.Background()
	f := env.Fixture
	since := time.Now().AddDate(0, 0, -60).UnixMilli()
	for _, h := range []struct {
		number string
		site   int64
		user   string
	}{{"+441134960011", f.Leeds.ID, "west.one"}, {"+442079460012", f.London.ID, "london.one"}} {
		exec(t, db, `INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
			VALUES ('number', ?, ?, ?, 'user', ?, ?)`, h.number, f.Acme.ID, h.site, env.ID(h.user), since)
	}
	sw, _, err := env.App.Calls.CreateSwitch(ctx, env.Actor("operator"), calls.SwitchCreateRequest{Name: "gen", Format: "freeswitch-json"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	calls.WriteTraffic(&buf, []string{"+441134960011", "+442079460012"}, calls.GenerateOptions{Calls: n, Days: 40, End: time.Now().Add(-time.Minute), Seed: 7}, time.UTC)
	if rep, err := env.App.Calls.Ingest(ctx, sw, calls.SourceCommand, "test", "", &buf); err != nil || rep.Accepted != n {
		t.Fatalf("ingest: %+v %v", rep, err)
	}
}

// TestDashboardsDecideAccess: a site's dashboard is read by whoever may
// view the site, an employee's by whoever may view the employee; every
// other actor — outsiders included — gets exactly the answer of a missing
// site or employee, and reading changes nothing.
func TestDashboardsDecideAccess(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 0)
		f := e.env.Fixture
		missing := func(try apptest.Try, id int64) int64 {
			if try == apptest.Missing {
				return id + 100000
			}
			return id
		}
		e.env.CheckUseCases(t, []apptest.UseCase{
			{Name: "site dashboard", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"},
				Run: func(t *testing.T, actor access.Actor, try apptest.Try, _ int) error {
					_, err := e.env.App.Dashboards.Site(e.ctx, actor, missing(try, f.Leeds.ID), "Europe/London")
					return err
				}},
			{Name: "employee dashboard", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "sales.admin", "west.one"},
				Run: func(t *testing.T, actor access.Actor, try apptest.Try, _ int) error {
					_, err := e.env.App.Dashboards.Employee(e.ctx, actor, missing(try, e.env.ID("west.one")), "")
					return err
				}},
			{Name: "recent calls", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "sales.admin", "west.one"},
				Run: func(t *testing.T, actor access.Actor, try apptest.Try, _ int) error {
					_, err := e.env.App.Calls.RecentCalls(e.ctx, actor, missing(try, e.env.ID("west.one")), "")
					return err
				}},
		})
		// A group admin sees only their own sites: sales.admin administers a
		// group below Leeds, not the site; leeds.admin does not see London.
		for _, c := range []struct {
			user string
			site int64
		}{{"sales.admin", f.Leeds.ID}, {"leeds.admin", f.London.ID}, {"west.one", f.Leeds.ID}} {
			if _, err := e.env.App.Dashboards.Site(e.ctx, e.env.Actor(c.user), c.site, ""); !derrors.IsNotFound(err) {
				t.Errorf("%s reads site %d's dashboard: %v, want not found", c.user, c.site, err)
			}
		}
		// An employee sees only themself.
		if _, err := e.env.App.Dashboards.Employee(e.ctx, e.env.Actor("west.one"), e.env.ID("support.one"), ""); !derrors.IsNotFound(err) {
			t.Errorf("west.one reads support.one's dashboard: %v", err)
		}
		// A zone that is none is a field error, after access.
		_, err := e.env.App.Dashboards.Site(e.ctx, e.env.Actor("acme.admin"), f.Leeds.ID, "Mars/Olympus")
		var verr *derrors.ValidationError
		if !errors.As(err, &verr) || verr.Fields[0].Field != "tz" {
			t.Errorf("bad zone: %v", err)
		}
		if _, err := e.env.App.Dashboards.Site(e.ctx, e.env.Actor("globex.admin"), f.Leeds.ID, "Mars/Olympus"); !derrors.IsNotFound(err) {
			t.Errorf("an outsider with a bad zone learns the site exists: %v", err)
		}
	})
}

// count runs a COUNT query on the raw calls table: the dashboards read
// roll-ups and an index, the test counts the rows themselves.
func count(t *testing.T, db *store.DB, query string, args ...any) int64 {
	t.Helper()
	var n int64
	if err := db.Q(context.Background()).QueryRow(context.Background(), query, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestSiteDashboard: the figures of Leeds as each kind of administrator
// sees them, checked against the rows they summarise.
func TestSiteDashboard(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 400)
		f := e.env.Fixture
		d, err := e.env.App.Dashboards.Site(e.ctx, e.env.Actor("acme.admin"), f.Leeds.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if d.Site.Name != "Leeds" || d.ActiveEmployees != 2 || d.EmployeeLimit != 25 || d.PlacesLeft == nil || *d.PlacesLeft != 23 {
			t.Errorf("tiles: %+v (places left %v)", d, d.PlacesLeft)
		}
		if d.Features == nil {
			t.Fatal("no features for the company admin")
		}
		got := map[string]features.CallGroupList{}
		for _, g := range d.Features.CallGroups {
			got[g.Code] = g
		}
		if g := got[features.CodeHuntGroups]; g.Count != 2 || g.Names[0] != "Sales line" || !g.CanCreate {
			t.Errorf("hunt groups: %+v", g)
		}
		if g := got[features.CodeAutoAttendant]; g.Count != 1 || g.Names[0] != "Main menu" || !g.CanCreate {
			t.Errorf("auto attendants: %+v", g)
		}
		if g := got[features.CodeCallCentre]; !g.Sold || g.Count != 0 || !g.CanCreate {
			t.Errorf("call centres (sold as an add-on, none yet): %+v", g)
		}
		if d.Features.Granted == 0 || d.Features.Active != d.Features.Granted || len(d.Features.Features) != d.Features.Active {
			t.Errorf("feature summary: %d granted, %d available, %d active, %d listed", d.Features.Granted, d.Features.Available, d.Features.Active, len(d.Features.Features))
		}
		rec := d.Features.Recording
		if rec == nil || rec.Recorded != 1 || len(rec.Employees) != 1 || rec.Employees[0].Username != "west.one" || rec.Employees[0].Mode != "always" {
			t.Fatalf("voice recording: %+v", rec)
		}
		// The month's calls, against the raw rows.
		now := time.Now().UTC()
		from := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli()
		to := time.Date(now.Year(), now.Month()+1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
		if want := count(t, db, "SELECT COUNT(*) FROM calls WHERE site_id = ? AND start_at >= ? AND start_at < ?", f.Leeds.ID, from, to); d.Calls.Calls != want {
			t.Errorf("the month's calls: %d, the table holds %d", d.Calls.Calls, want)
		}
		if want := count(t, db, "SELECT COUNT(*) FROM calls WHERE site_id = ? AND start_at >= ? AND start_at < ? AND direction = 2 AND status = 2", f.Leeds.ID, from, to); d.Calls.Missed != want {
			t.Errorf("the month's missed calls: %d, the table holds %d", d.Calls.Missed, want)
		}
		if days := len(d.Calls.Graph.Points); days < 28 || days > 31 {
			t.Errorf("the graph has %d days", days)
		}

		// The site's group admin sees the same, and may create call groups
		// while the company admin allows it.
		ga, err := e.env.App.Dashboards.Site(e.ctx, e.env.Actor("leeds.admin"), f.Leeds.ID, "")
		if err != nil || ga.Features == nil || ga.Calls.Calls != d.Calls.Calls || !ga.Features.CallGroups[2].CanCreate {
			t.Fatalf("leeds.admin: %+v %v", ga.Features, err)
		}
		// Allow Admin Privileges cleared on Hunt Groups: no "create new" for
		// the group admin; still for the company admin.
		hg := featureID(t, e, features.CodeHuntGroups)
		if _, err := e.env.App.Features.SetAdminPrivileges(e.ctx, e.env.Actor("acme.admin"), features.Site(f.Leeds.ID), hg, ptr(false)); err != nil {
			t.Fatal(err)
		}
		ga, _ = e.env.App.Dashboards.Site(e.ctx, e.env.Actor("leeds.admin"), f.Leeds.ID, "")
		if g := ga.Features.CallGroups[2]; g.Code != features.CodeHuntGroups || g.CanCreate || g.Count != 2 {
			t.Errorf("hunt groups for leeds.admin without the privilege: %+v", g)
		}
		// Call Recording made unavailable to west.one: nobody is recorded;
		// made unavailable at the site: no Voice Recording section.
		cr := featureID(t, e, features.CodeCallRecording)
		if _, err := e.env.App.Features.SetAvailable(e.ctx, e.env.Actor("acme.admin"), features.Employee(e.env.ID("west.one")), cr, ptr(false)); err != nil {
			t.Fatal(err)
		}
		d, _ = e.env.App.Dashboards.Site(e.ctx, e.env.Actor("acme.admin"), f.Leeds.ID, "")
		if d.Features.Recording == nil || d.Features.Recording.Recorded != 0 {
			t.Errorf("recording unavailable to west.one: %+v", d.Features.Recording)
		}
		if _, err := e.env.App.Features.SetAvailable(e.ctx, e.env.Actor("acme.admin"), features.Site(f.Leeds.ID), cr, ptr(false)); err != nil {
			t.Fatal(err)
		}
		d, _ = e.env.App.Dashboards.Site(e.ctx, e.env.Actor("acme.admin"), f.Leeds.ID, "")
		if d.Features.Recording != nil {
			t.Errorf("recording unavailable at the site, yet a section: %+v", d.Features.Recording)
		}
		// An employee whose activation is under way takes a place under
		// the limit but is not active yet.
		if _, err := storetest.Exec(e.ctx, db, "UPDATE accounts SET status = 'pending', site_id = ? WHERE id = ?", f.Leeds.ID, e.env.ID("leeds.admin")); err != nil {
			t.Fatal(err)
		}
		d, err = e.env.App.Dashboards.Site(e.ctx, e.env.Actor("acme.admin"), f.Leeds.ID, "")
		if err != nil || d.ActiveEmployees != 2 || d.PlacesTaken != 3 || *d.PlacesLeft != 22 {
			t.Errorf("with one pending: %d active, %d places taken, %v left, %v", d.ActiveEmployees, d.PlacesTaken, d.PlacesLeft, err)
		}
	})
}

func featureID(t *testing.T, e *estate, code string) int64 {
	t.Helper()
	fs, err := e.env.App.Catalog.Features(e.ctx, e.env.Fixture.Provider.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Code == code {
			return f.ID
		}
	}
	t.Fatalf("no feature %s", code)
	return 0
}

func ptr[T any](v T) *T { return &v }

// TestEmployeeDashboard: west.one's missed, dialled and received calls are
// the newest of each kind, in the viewer's zone; the quick links are their
// active features with settings, configured first; an administrator who
// may see the employee but not their features gets the calls only.
func TestEmployeeDashboard(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		e := setup(t, db, 400)
		id := e.env.ID("west.one")
		d, err := e.env.App.Dashboards.Employee(e.ctx, e.env.Actor("west.one"), id, "America/New_York")
		if err != nil {
			t.Fatal(err)
		}
		if d.Employee.Username != "west.one" || d.Employee.SiteName != "Leeds" || d.Recent.TimeZone != "America/New_York" {
			t.Errorf("employee: %+v, zone %s", d.Employee, d.Recent.TimeZone)
		}
		since := time.Now().Add(-calls.RecentWindow).UnixMilli()
		for _, l := range []struct {
			name  string
			got   []calls.RecentCall
			where string
			col   string
		}{
			{"missed", d.Recent.Missed, "direction = 2 AND status = 2", "calling"},
			{"dialled", d.Recent.Dialled, "direction = 1", "called"},
			{"received", d.Recent.Received, "direction = 2 AND status = 1", "calling"},
		} {
			rows, err := db.Q(e.ctx).Query(e.ctx, "SELECT id, "+l.col+", start_at FROM calls WHERE employee_id = ? AND start_at >= ? AND "+l.where+" ORDER BY start_at DESC", id, since)
			if err != nil {
				t.Fatal(err)
			}
			var want []int64
			numbers, starts := map[int64]string{}, []int64{}
			for rows.Next() {
				var cid, start int64
				var n string
				if err := rows.Scan(&cid, &n, &start); err != nil {
					t.Fatal(err)
				}
				want, starts = append(want, cid), append(starts, start)
				numbers[cid] = n
			}
			rows.Close()
			if len(want) < calls.RecentShown {
				t.Fatalf("%s: the traffic has only %d such calls; the test needs more", l.name, len(want))
			}
			if len(l.got) != calls.RecentShown {
				t.Fatalf("%s: %d calls, want %d", l.name, len(l.got), calls.RecentShown)
			}
			// Newest first (two calls of one instant may come in either order).
			for i, c := range l.got {
				n, ok := numbers[c.ID]
				if !ok || c.Time.UnixMilli() != starts[i] || c.Number != n || c.Time.Location().String() != "America/New_York" {
					t.Errorf("%s[%d] = %+v, want a call at %d (call %d)", l.name, i, c, starts[i], want[i])
				}
			}
		}
		if len(d.Features) == 0 || len(d.Features) > 6 {
			t.Fatalf("quick links: %+v", d.Features)
		}
		if first := d.Features[0]; first.Code != features.CodeCallRecording || !first.Configured || !first.CanConfigure {
			t.Errorf("the configured feature comes first: %+v", d.Features)
		}
		// sales.admin administers Sales (west.one's group is below it) but
		// not a site: calls yes, features no (docs/features.md).
		sa, err := e.env.App.Dashboards.Employee(e.ctx, e.env.Actor("sales.admin"), id, "")
		if err != nil || sa.Features != nil || len(sa.Recent.Missed) != calls.RecentShown {
			t.Errorf("sales.admin: features %+v, %d missed, %v", sa.Features, len(sa.Recent.Missed), err)
		}
	})
}
