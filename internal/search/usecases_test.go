package search_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/search"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSearchUseCases tries the live search and the Search Tool with every
// kind of actor, without HTTP: the scope is the actor's, computed inside,
// and what an actor may not see never shows.
func TestSearchUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		numbered(t, env)
		ctx := context.Background()
		svc, f := env.App.Search, env.Fixture
		company := func(try apptest.Try) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return f.Acme.ID
		}
		acmeAccounts := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "sales.admin", "west.one"}
		// Who may use the Search Tool at all (each within their own scope).
		toolUsers := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "globex.admin", "reseller.admin", "other.reseller", "other.operator"}
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "LiveSearch", Allowed: acmeAccounts, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				res, err := svc.LiveSearch(ctx, a, company(try), "o", 0)
				for _, h := range res.Employees {
					if a.Role == access.RoleEmployee && h.ID != a.AccountID {
						t.Errorf("%s finds %s", a.Username, h.Username)
					}
				}
				return err
			}},
			{Name: "OpenTool", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.OpenTool(ctx, a, company(try))
				return err
			}},
			{Name: "FindNumber", Allowed: toolUsers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				res, err := svc.FindNumber(ctx, a, "0113 496 0037")
				if err == nil && res.Company != nil && res.Company.ID == f.Acme.ID && a.CompanyID != f.Acme.ID && a.Role == access.RoleCompanyAdmin {
					t.Errorf("%s finds Acme's number", a.Username)
				}
				return err
			}},
			{Name: "FindNames", Allowed: toolUsers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				res, err := svc.FindNames(ctx, a, search.NameQuery{LastName: "West"}, store.Page{})
				if err == nil && a.ProviderID != f.Provider.ID && res.Total != 0 {
					t.Errorf("%s finds %d of another provider's employees", a.Username, res.Total)
				}
				return err
			}},
		})
		// An outsider who may use the tool finds nothing of Acme's.
		for _, who := range []string{"globex.admin", "reseller.admin", "other.reseller", "other.operator"} {
			res, err := svc.FindNumber(ctx, env.Actor(who), "0113 496 0037")
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			if res.Company != nil || res.Owner != nil {
				t.Errorf("%s: Acme's number answers %+v", who, res)
			}
		}
	})
}
