package numbering_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestNumberingUseCases tries each numbering action with every kind of
// actor, without HTTP (docs/architecture.md, "The use-case layer").
func TestNumberingUseCases(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc, f := env.App.Numbering, env.Fixture
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		params := numbering.NumberRangeParameters{Prefix: "8", Digits: 6, First: 100000, Last: 199999, BlockSize: 1000}
		_, err := svc.SetNumberRangeParameters(ctx, f.Provider.ID, params)
		must(err)
		block, err := svc.AssignInternalBlock(ctx, f.Acme.ID)
		must(err)
		rg, err := svc.AddRange(ctx, f.Acme.ID, f.Leeds.ID, numbering.RangeRequest{Start: "+441134960000", End: "+441134960019"})
		must(err)
		_, err = svc.AddRefusedExtension(ctx, f.Provider.ID, numbering.RefusedExtension{Code: "999", Reason: "it is the emergency number"})
		must(err)

		company := func(try apptest.Try) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return f.Acme.ID
		}
		site := func(try apptest.Try) int64 {
			if try == apptest.Missing {
				return apptest.MissingID
			}
			return f.Leeds.ID
		}
		operators := []string{"operator", "acme.reseller"}
		acmeAdmins := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2"}
		leedsViewers := []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2"}
		env.CheckUseCases(t, []apptest.UseCase{
			// The provider's own settings: another provider's operator has
			// none (not found) and sets its own.
			{Name: "RangeParameters", Allowed: []string{"operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.RangeParameters(ctx, a)
				return err
			}},
			{Name: "ChangeRangeParameters", Allowed: []string{"operator", "other.operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ChangeRangeParameters(ctx, a, params)
				return err
			}},
			{Name: "CompanyBlocks", Allowed: acmeAdmins, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.CompanyBlocks(ctx, a, company(try))
				return err
			}},
			{Name: "AddInternalBlock", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddInternalBlock(ctx, a, company(try))
				return err
			}},
			{Name: "DeleteInternalBlock", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				id := block.ID
				if try == apptest.Allowed {
					b, err := svc.AssignInternalBlock(ctx, f.Acme.ID)
					if err != nil {
						return err
					}
					id = b.ID
				}
				return svc.DeleteInternalBlock(ctx, a, company(try), id)
			}},
			{Name: "RefusedCodes", Allowed: []string{"operator", "acme.reseller", "acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2",
				"sales.admin", "globex.admin", "reseller.admin", "other.reseller", "other.operator"},
				Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
					_, err := svc.RefusedCodes(ctx, a)
					return err
				}},
			{Name: "RefusedCodesToManage", Allowed: []string{"operator", "other.operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.RefusedCodesToManage(ctx, a)
				return err
			}},
			{Name: "AddRefusedCode", Allowed: []string{"operator", "other.operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.AddRefusedCode(ctx, a, numbering.RefusedExtension{Code: fmt.Sprintf("7%03d", n), Reason: "it is reserved"})
				return err
			}},
			{Name: "DeleteRefusedCode", Allowed: []string{"operator", "other.operator"}, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				code := "999"
				if try == apptest.Allowed {
					code = fmt.Sprintf("6%03d", n)
					if _, err := svc.AddRefusedExtension(ctx, a.ProviderID, numbering.RefusedExtension{Code: code, Reason: "it is reserved"}); err != nil {
						return err
					}
				}
				return svc.DeleteRefusedCode(ctx, a, code)
			}},
			{Name: "SiteRanges", Allowed: leedsViewers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SiteRanges(ctx, a, site(try))
				return err
			}},
			{Name: "SitePool", Allowed: leedsViewers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, _, err := svc.SitePool(ctx, a, site(try), numbering.PoolFilter{}, store.Page{})
				return err
			}},
			{Name: "SiteExtensionPolicy", Allowed: leedsViewers, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.SiteExtensionPolicy(ctx, a, site(try))
				return err
			}},
			{Name: "ChangeExtensionPolicy", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				_, err := svc.ChangeExtensionPolicy(ctx, a, site(try), numbering.ExtensionPolicy{Length: 4, Mode: numbering.ModeLastDigits})
				return err
			}},
			{Name: "AddSiteRange", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				start := fmt.Sprintf("+4411347%05d", n*10)
				end := fmt.Sprintf("+4411347%05d", n*10+9)
				_, err := svc.AddSiteRange(ctx, a, site(try), numbering.RangeRequest{Start: start, End: end})
				return err
			}},
			{Name: "DeleteSiteRange", Allowed: operators, Run: func(t *testing.T, a access.Actor, try apptest.Try, n int) error {
				id := rg.ID
				if try == apptest.Allowed {
					r, err := svc.AddRange(ctx, f.Acme.ID, f.Leeds.ID, numbering.RangeRequest{Start: fmt.Sprintf("+4411348%05d", n*10),
						End: fmt.Sprintf("+4411348%05d", n*10+9)})
					if err != nil {
						return err
					}
					id = r.ID
				}
				return svc.DeleteSiteRange(ctx, a, site(try), id)
			}},
		})

		// A range is removed only through its own site.
		if err := svc.DeleteSiteRange(ctx, env.Actor("operator"), f.London.ID, rg.ID); !apptestNotFound(err) {
			t.Errorf("removing Leeds's range through London: %v, want not found", err)
		}
	})
}

func apptestNotFound(err error) bool { return apptest.Refusal(err) == "not found" }

// TestRefusedCodesBelongToTheirProvider proves one provider's operator
// changes only their own provider's refused extensions: the codes another
// provider's companies may use are untouched, and the other list is neither
// shown nor removable (docs/numbering.md).
func TestRefusedCodesBelongToTheirProvider(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc, f := env.App.Numbering, env.Fixture
		other := env.Actor("other.operator")
		if _, err := svc.AddRefusedCode(ctx, other, numbering.RefusedExtension{Code: "4321", Reason: "it is the other network's code"}); err != nil {
			t.Fatal(err)
		}
		if err := svc.ValidateExtension(ctx, f.Acme.ID, 0, "4321", numbering.Owner{}); err != nil {
			t.Errorf("Acme refused 4321, which only the other provider refuses: %v", err)
		}
		ours, err := svc.RefusedCodesToManage(ctx, env.Actor("operator"))
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range ours {
			if r.Code == "4321" {
				t.Errorf("the operator sees the other provider's code: %+v", r)
			}
		}
		before := storetest.Counts(t, db)
		if err := svc.DeleteRefusedCode(ctx, other, "1571"); err != nil {
			t.Fatalf("the other operator removes their own copy of 1571: %v", err)
		}
		if err := svc.ValidateExtension(ctx, f.Acme.ID, 0, "1571", numbering.Owner{}); err == nil {
			t.Error("Acme may use 1571 after another provider removed it from its own list")
		}
		after := storetest.Counts(t, db)
		if after["refused_extensions"] != before["refused_extensions"]-1 {
			t.Errorf("refused_extensions %d → %d, want one fewer", before["refused_extensions"], after["refused_extensions"])
		}
	})
}
