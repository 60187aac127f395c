package access_test

import (
	"context"
	"sort"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestCheckEmployeesAgreesWithCheck: the batch answer for every actor of
// the cast, every employee (and a missing id) and every lifecycle action
// is Check's, one by one.
func TestCheckEmployeesAgreesWithCheck(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc := access.New(db)
		var names []string
		ids := []int64{987654}
		for name, a := range env.Fixture.Accounts {
			names = append(names, name)
			ids = append(ids, a.ID)
		}
		sort.Strings(names)
		for _, action := range []access.Action{access.ActivateEmployee, access.ManageService, access.CeaseEmployee, access.ViewEmployee} {
			for _, name := range names {
				actor := env.Actor(name)
				got, err := svc.CheckEmployees(ctx, actor, action, ids)
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range ids {
					want := svc.Check(ctx, actor, action, access.Employee(id))
					if classify(got[id]) != classify(want) {
						t.Errorf("%s %s on %d: batch %v, one by one %v", name, action, id, got[id], want)
					}
				}
			}
		}
	})
}
