package audit_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// personalEstate gives west.one (an employee) and acme.admin (a company
// admin) a personal contact, a contact group, and a contact each, made as
// the owner, exactly as the self-care portal makes them.
func personalEstate(t *testing.T, env *apptest.Env) {
	t.Helper()
	for _, owner := range []string{"west.one", "acme.admin"} {
		acc := env.Fixture.Accounts[owner]
		ctx := audit.WithActor(context.Background(), audit.Actor{ID: acc.ID, Username: acc.Username, ProviderID: env.Fixture.Provider.ID})
		g, err := env.App.Contacts.CreateGroup(ctx, acc.Actor(), acc.ID, "Family of "+owner)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.App.Contacts.CreateContact(ctx, acc.Actor(), acc.ID, contacts.ContactRequest{
			Fields:   contacts.Fields{FirstName: "Secret", LastName: "Friend of " + owner, CellTel: "+447700900123"},
			GroupIDs: []int64{g.ID}}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestPersonalEntriesOwnerOnly: the audit entries about an employee's
// personal contacts and contact groups are read by that employee only, in
// the listing, the count and "View difference"; a company admin,
// the company's reseller and the provider's operator never see them, and
// they see their own.
func TestPersonalEntriesOwnerOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		personalEstate(t, env)
		ctx := context.Background()
		log := env.App.Audit
		all, _, err := log.List(ctx, audit.Filter{}, store.Page{PerPage: 100})
		if err != nil {
			t.Fatal(err)
		}
		owned := map[int64]int64{} // personal entry id -> owner
		for _, e := range all {
			if e.ObjectKind == "contact" || e.ObjectKind == "contact_group" {
				owned[e.ID] = e.ActorID
			}
		}
		if len(owned) != 4 {
			t.Fatalf("%d personal entries recorded, want 4", len(owned))
		}
		for _, who := range []string{"acme.admin", "acme.admin2", "acme.reseller", "operator"} {
			a := env.Actor(who)
			for _, kind := range []string{"", "contact", "contact_group"} {
				es, total, err := log.ListFor(ctx, a, audit.Filter{ObjectKind: kind}, store.Page{PerPage: 100})
				if err != nil {
					t.Fatalf("%s: list %q: %v", who, kind, err)
				}
				seen := 0
				for _, e := range es {
					if owner, ok := owned[e.ID]; ok {
						if owner != a.AccountID {
							t.Errorf("%s: list %q shows %s's personal entry %d (%s)", who, kind, e.ActorUsername, e.ID, e.After)
						}
						seen++
					}
					if strings.Contains(string(e.After)+string(e.Before), "Secret") && owned[e.ID] != a.AccountID {
						t.Errorf("%s: entry %d holds a personal field: %s", who, e.ID, e.After)
					}
				}
				if kind != "" && total != seen {
					t.Errorf("%s: list %q counts %d, shows %d personal entries", who, kind, total, seen)
				}
				if want := map[bool]int{true: 2, false: 0}[who == "acme.admin"]; kind == "" && seen != want {
					t.Errorf("%s: sees %d personal entries, want %d (their own)", who, seen, want)
				}
			}
			for id, owner := range owned {
				e, err := log.EntryFor(ctx, a, id)
				switch {
				case owner == a.AccountID && err != nil:
					t.Errorf("%s: own entry %d: %v", who, id, err)
				case owner != a.AccountID && !derrors.IsNotFound(err):
					t.Errorf("%s: entry %d of another's contacts: %v %s, want not found", who, id, err, e.After)
				}
			}
		}
		// The filter on an actor does not reach them either.
		es, _, err := log.ListFor(ctx, env.Actor("operator"), audit.Filter{ActorID: env.ID("west.one")}, store.Page{})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			if _, ok := owned[e.ID]; ok {
				t.Errorf("operator filtering on west.one sees %s %d", e.ObjectKind, e.ID)
			}
		}
	})
}

// TestListForRefuses: who may not read a company's audit log is refused
// like a missing company, or with a reason when they can see it, and
// reading changes nothing.
func TestListForRefuses(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		personalEstate(t, env)
		ctx := context.Background()
		acme := env.Fixture.Acme.ID
		before := storetest.Counts(t, db)
		for _, who := range []string{"operator", "acme.reseller", "acme.admin"} {
			es, _, err := env.App.Audit.ListFor(ctx, env.Actor(who), audit.Filter{CompanyID: acme}, store.Page{})
			if err != nil || len(es) == 0 {
				t.Errorf("%s: Acme's log: %d entries, %v", who, len(es), err)
			}
			for _, e := range es {
				if e.CompanyID != acme {
					t.Errorf("%s: entry %d of company %d in Acme's log", who, e.ID, e.CompanyID)
				}
			}
		}
		for _, who := range []string{"leeds.admin", "west.one"} {
			_, _, err := env.App.Audit.ListFor(ctx, env.Actor(who), audit.Filter{}, store.Page{})
			var fe *derrors.ForbiddenError
			if !errors.As(err, &fe) || fe.Reason == "" {
				t.Errorf("%s: list: %v, want forbidden with a reason", who, err)
			}
		}
		for _, who := range apptest.Outsiders {
			_, _, err := env.App.Audit.ListFor(ctx, env.Actor(who), audit.Filter{CompanyID: acme}, store.Page{})
			_, _, missing := env.App.Audit.ListFor(ctx, env.Actor(who), audit.Filter{CompanyID: apptest.MissingID}, store.Page{})
			if got, want := apptest.Refusal(err), apptest.Refusal(missing); got == "" || got != want {
				t.Errorf("%s: Acme's log: %v, want the answer for a missing company: %v", who, err, missing)
			}
			es, _, err := env.App.Audit.ListFor(ctx, env.Actor(who), audit.Filter{}, store.Page{PerPage: 100})
			if err != nil {
				continue
			}
			for _, e := range es {
				if e.CompanyID == acme {
					t.Errorf("%s: sees Acme's entry %d", who, e.ID)
				}
			}
		}
		// The reseller of another provider does not read Acme's entries
		// by id either.
		acmeEntries, _, _ := env.App.Audit.List(ctx, audit.Filter{CompanyID: acme}, store.Page{PerPage: 1})
		for _, who := range apptest.Outsiders {
			if _, err := env.App.Audit.EntryFor(ctx, env.Actor(who), acmeEntries[0].ID); !derrors.IsNotFound(err) {
				t.Errorf("%s: Acme's entry: %v, want not found", who, err)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}
