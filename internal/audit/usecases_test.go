package audit_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestAuditUseCases tries reading Acme's audit log, an entry of it and its
// Recent Activity with every kind of actor, without HTTP.
func TestAuditUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		log, f := env.App.Audit, env.Fixture
		es, _, err := log.List(ctx, audit.Filter{CompanyID: f.Acme.ID, Event: "Create Employee"}, store.Page{PerPage: 1})
		if err != nil || len(es) == 0 {
			t.Fatalf("Acme's entries: %v %v", es, err)
		}
		entry := es[0].ID
		id := func(try apptest.Try, existing int64) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return existing
		}
		readers := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2"}
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "ListFor", Allowed: readers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				es, _, err := log.ListFor(ctx, a, audit.Filter{CompanyID: id(try, f.Acme.ID)}, store.Page{})
				if err == nil && len(es) == 0 {
					t.Errorf("%s: Acme's log is empty", a.Username)
				}
				return err
			}},
			{Name: "EntryFor", Allowed: readers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := log.EntryFor(ctx, a, id(try, entry))
				return err
			}},
			{Name: "RecentActivityFor", Allowed: readers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := log.RecentActivityFor(ctx, a, id(try, f.Acme.ID), 100)
				return err
			}},
		})
	})
}
