package access_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestCheckFeature is the "Allow Admin Privileges" rule of
// docs/features.md for the whole cast: with the box of call forwarding
// cleared on Leeds and on west.one, group administrators of Leeds (and
// their peer) are refused with the reason, while company administrators,
// operators and the employee configuring their own still may; the box
// changes nothing for anybody who could not see the site or the employee.
func TestCheckFeature(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		a, f := env.App, env.Fixture
		sv := env.SeedService(t)
		if _, err := a.Catalog.SetSiteOffering(ctx, f.Acme.ID, f.Leeds.ID, sv.Packages["Site Essentials"].ID, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Catalog.SetEmployeeOffering(ctx, f.Acme.ID, env.ID("west.one"), sv.Packages["Basic"].ID, nil, sv.Terms["Monthly"].ID); err != nil {
			t.Fatal(err)
		}
		var cf int64
		fs, err := a.Catalog.Features(ctx, f.Provider.ID)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range fs {
			if x.Code == features.CodeCallForwarding {
				cf = x.ID
			}
		}
		west := env.ID("west.one")
		check := func(who string, action access.Action, tg access.Target) outcome {
			return classify(a.Access.CheckFeature(ctx, env.Actor(who), action, tg, cf))
		}
		everyone := func(tick bool) map[string][3]outcome {
			g := Y
			if !tick {
				g = F
			}
			// assign on Leeds, assign on west.one, configure west.one
			m := map[string][3]outcome{
				"operator": {Y, Y, Y}, "acme.reseller": {Y, Y, Y}, "acme.admin": {Y, Y, Y}, "acme.admin2": {Y, Y, Y},
				"leeds.admin": {g, g, g}, "leeds.admin2": {g, g, g},
				"sales.admin": {N, F, F}, "west.one": {N, F, Y},
			}
			for _, o := range apptest.Outsiders {
				m[o] = [3]outcome{N, N, N}
			}
			return m
		}
		verify := func(tick bool) {
			for who, want := range everyone(tick) {
				got := [3]outcome{check(who, access.AssignFeatures, access.Group(f.Leeds.ID)),
					check(who, access.AssignFeatures, access.Employee(west)), check(who, access.ConfigureFeatures, access.Employee(west))}
				if got != want {
					t.Errorf("box ticked %v: %s got %v, want %v", tick, who, got, want)
				}
			}
		}
		verify(true)
		admin := env.Actor("acme.admin")
		for _, o := range []features.Owner{features.Site(f.Leeds.ID), features.Employee(west)} {
			if _, err := a.Features.SetAdminPrivileges(ctx, admin, o, cf, ptr(false)); err != nil {
				t.Fatal(err)
			}
		}
		verify(false)
		// Viewing is not changing: the box does not hide the feature.
		if got := classify(a.Access.CheckFeature(ctx, env.Actor("leeds.admin"), access.ViewFeatures, access.Employee(west), cf)); got != Y {
			t.Errorf("leeds.admin viewing west.one's features with the box cleared: %s", got)
		}
	})
}

func ptr[T any](v T) *T { return &v }
