package catalog_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestCatalogUseCases tries each catalog and Service Offering action with
// every kind of actor, without HTTP (docs/architecture.md, "The use-case
// layer").
func TestCatalogUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc, f := env.App.Catalog, env.Fixture
		op := env.Actor("operator")
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		feature, err := svc.AddFeature(ctx, op, catalog.FeatureRequest{Code: "voicemail", Name: "Voicemail", Category: "Calls"})
		must(err)
		sitePkg, err := svc.AddPackage(ctx, op, catalog.PackageRequest{Type: catalog.TypePackage, Kind: catalog.KindSite, Name: "Site Standard",
			FeatureIDs: []int64{feature.ID}})
		must(err)
		term, err := svc.AddTerm(ctx, op, catalog.TermRequest{Name: "Monthly", Months: 1, Rank: 1})
		must(err)
		_, err = svc.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sitePkg.ID, nil)
		must(err)

		otherProvider := env.Actor("other.operator").ProviderID
		otherFeature, err := svc.CreateFeature(ctx, otherProvider, catalog.FeatureRequest{Code: "voicemail", Name: "Voicemail", Category: "Calls"})
		must(err)
		featureOf := map[int64]int64{f.Provider.ID: feature.ID, otherProvider: otherFeature.ID}
		id := func(try apptest.Try, existing int64) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return existing
		}
		managers := []string{"operator", "other.operator"}
		env.CheckUseCases(t, []apptest.UseCase{
			{Name: "CatalogToManage", Allowed: managers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				m, err := svc.CatalogToManage(ctx, a)
				for _, x := range m.Features {
					if x.ProviderID != a.ProviderID {
						t.Errorf("%s sees feature %q of another provider", a.Username, x.Code)
					}
				}
				return err
			}},
			{Name: "AddFeature", Allowed: managers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddFeature(ctx, a, catalog.FeatureRequest{Code: fmt.Sprintf("feature_%d", n), Name: "Feature", Category: "Calls"})
				return err
			}},
			{Name: "ChangeFeature", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ChangeFeature(ctx, a, id(try, feature.ID), catalog.FeatureRequest{Code: "voicemail", Name: fmt.Sprintf("Voicemail %d", n), Category: "Calls"})
				return err
			}},
			{Name: "RemoveFeature", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				target := feature.ID
				if try == apptest.Allowed {
					x, err := svc.CreateFeature(ctx, f.Provider.ID, catalog.FeatureRequest{Code: fmt.Sprintf("spare_%d", n), Name: "Spare", Category: "Calls"})
					if err != nil {
						return err
					}
					target = x.ID
				}
				return svc.RemoveFeature(ctx, a, id(try, target))
			}},
			{Name: "AddPackage", Allowed: managers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddPackage(ctx, a, catalog.PackageRequest{Type: catalog.TypeAddOn, Kind: catalog.KindEmployee, Name: fmt.Sprintf("Add-on %d", n),
					FeatureIDs: []int64{featureOf[a.ProviderID]}})
				return err
			}},
			{Name: "ChangePackage", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ChangePackage(ctx, a, id(try, sitePkg.ID), catalog.PackageUpdateRequest{Name: fmt.Sprintf("Site Standard %d", n),
					FeatureIDs: []int64{feature.ID}})
				return err
			}},
			{Name: "RemovePackage", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				target := sitePkg.ID
				if try == apptest.Allowed {
					x, err := svc.CreatePackage(ctx, f.Provider.ID, catalog.PackageRequest{Type: catalog.TypeAddOn, Kind: catalog.KindSite, Name: fmt.Sprintf("Spare %d", n),
						FeatureIDs: []int64{feature.ID}})
					if err != nil {
						return err
					}
					target = x.ID
				}
				return svc.RemovePackage(ctx, a, id(try, target))
			}},
			{Name: "AddTerm", Allowed: managers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddTerm(ctx, a, catalog.TermRequest{Name: fmt.Sprintf("Term %d", n), Months: 12, Rank: 10 + n%900})
				return err
			}},
			{Name: "ChangeTerm", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ChangeTerm(ctx, a, id(try, term.ID), catalog.TermRequest{Name: "Monthly", Months: 1, Rank: 1})
				return err
			}},
			{Name: "RemoveTerm", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				target := term.ID
				if try == apptest.Allowed {
					x, err := svc.CreateTerm(ctx, f.Provider.ID, catalog.TermRequest{Name: fmt.Sprintf("Spare %d", n), Months: 24, Rank: 20 + n%900})
					if err != nil {
						return err
					}
					target = x.ID
				}
				return svc.RemoveTerm(ctx, a, id(try, target))
			}},
			{Name: "CompanyOfferingFor", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2"},
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					_, err := svc.CompanyOfferingFor(ctx, a, id(try, f.Acme.ID))
					return err
				}},
			{Name: "SiteOfferingFor", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"},
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					o, err := svc.SiteOfferingFor(ctx, a, id(try, f.Leeds.ID))
					if err == nil && (o.Package == nil || o.Package.ID != sitePkg.ID) {
						t.Errorf("%s: Leeds's offering %+v, want package %d", a.Username, o, sitePkg.ID)
					}
					return err
				}},
			{Name: "EmployeeOfferingFor", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2",
				"sales.admin", "west.one"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.EmployeeOfferingFor(ctx, a, id(try, env.ID("west.one")))
				return err
			}},
			{Name: "AssignSiteOffering", Allowed: []string{"operator", "acme.reseller"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AssignSiteOffering(ctx, a, id(try, f.Leeds.ID), sitePkg.ID, nil)
				return err
			}},
		})

		// Reading the catalog is every account's of the provider, and only
		// its own provider's.
		for _, who := range apptest.Everyone {
			a := env.Actor(who)
			fs, err := svc.CatalogFeatures(ctx, a)
			if err != nil {
				t.Fatalf("%s: features: %v", who, err)
			}
			for _, x := range fs {
				if x.ProviderID != a.ProviderID {
					t.Errorf("%s reads feature %q of another provider", who, x.Code)
				}
			}
			if _, err := svc.ViewFeature(ctx, a, feature.ID); (a.ProviderID == f.Provider.ID) != (err == nil) {
				t.Errorf("%s: feature %d of provider %d: %v", who, feature.ID, f.Provider.ID, err)
			}
		}
	})
}
