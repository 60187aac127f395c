package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestDashboardPagesIsolation: the site and employee dashboard pages answer
// every actor who may not see the site or employee with the page of a
// missing one, and show the insiders theirs.
func TestDashboardPagesIsolation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		site, emp := "/sites/"+id(f.Leeds.ID), "/employees/"+id(env.ID("west.one"))+"/dashboard"
		missingSite, missingEmp := "/sites/987654", "/employees/987654/dashboard"
		for _, c := range []struct {
			user           string
			site, employee bool
		}{
			{"acme.admin", true, true}, {"leeds.admin", true, true}, {"sales.admin", false, true}, {"west.one", false, true},
			{"london.one", false, false}, {"globex.admin", false, false}, {"globex.one", false, false},
			{"reseller.admin", false, false}, {"other.operator", false, false}, {"operator", true, true},
		} {
			b := newBrowser(t, env)
			b.login(c.user, false)
			for _, pg := range []struct {
				path, missing, marker string
				allowed               bool
			}{{site, missingSite, `id="site-calls"`, c.site}, {emp, missingEmp, `id="recent-missed"`, c.employee}} {
				got := b.get(pg.path)
				if pg.allowed {
					if got.Status != http.StatusOK || !strings.Contains(got.Body, pg.marker) {
						t.Errorf("%s %s: %d, want the dashboard", c.user, pg.path, got.Status)
					}
					continue
				}
				none := b.get(pg.missing)
				if got.Status != http.StatusNotFound || none.Status != http.StatusNotFound ||
					strings.ReplaceAll(got.Body, pg.path, "") != strings.ReplaceAll(none.Body, pg.missing, "") {
					t.Errorf("%s %s: %d; a missing one: %d (the pages must be the same)", c.user, pg.path, got.Status, none.Status)
				}
			}
		}
	})
}
