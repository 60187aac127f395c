package contacts_test

import (
	"context"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

const accessCSV = "First Name,Last Name,Home Tel,Work Tel,Cell Tel,Fax Tel\r\nHenry,Jackson,01132991002,,,\r\n"

// TestContactsActionsAreTheOwnersAlone calls every contacts action as the
// owner (it succeeds) and as everybody else who might try — the owner's
// company admin, the provider's operator and every outsider — who get the
// same answer as for an employee that does not exist, with nothing changed.
func TestContactsActionsAreTheOwnersAlone(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := apptest.New(t, db)
		env.AddCast(t)
		svc := env.App.Contacts
		owner := env.ID("west.one")
		me := env.Actor("west.one")
		c, err := svc.CreateContact(ctx, me, owner, contacts.ContactRequest{Fields: contacts.Fields{FirstName: "Jane", LastName: "Smith", HomeTel: "0113 299 1001"}})
		if err != nil {
			t.Fatal(err)
		}
		g, err := svc.CreateGroup(ctx, me, owner, "Suppliers")
		if err != nil {
			t.Fatal(err)
		}
		pending, err := svc.PreviewImport(ctx, me, owner, []byte(accessCSV), contacts.ActionIgnore)
		if err != nil {
			t.Fatal(err)
		}
		actions := []struct {
			name string
			do   func(a access.Actor) error
		}{
			{"Contact", func(a access.Actor) error { _, err := svc.Contact(ctx, a, owner, c.ID); return err }},
			{"Contacts", func(a access.Actor) error {
				_, _, err := svc.Contacts(ctx, a, owner, contacts.Filter{}, store.Page{Page: 1, PerPage: 10})
				return err
			}},
			{"Count", func(a access.Actor) error { _, err := svc.Count(ctx, a, owner); return err }},
			{"Revision", func(a access.Actor) error { _, err := svc.Revision(ctx, a, owner); return err }},
			{"CreateContact", func(a access.Actor) error {
				_, err := svc.CreateContact(ctx, a, owner, contacts.ContactRequest{Fields: contacts.Fields{FirstName: "Eve", CellTel: "07700 900123"}})
				return err
			}},
			{"UpdateContact", func(a access.Actor) error {
				_, err := svc.UpdateContact(ctx, a, owner, c.ID, contacts.ContactRequest{Fields: contacts.Fields{FirstName: "Changed"}})
				return err
			}},
			{"Group", func(a access.Actor) error { _, err := svc.Group(ctx, a, owner, g.ID); return err }},
			{"Groups", func(a access.Actor) error { _, err := svc.Groups(ctx, a, owner); return err }},
			{"CreateGroup", func(a access.Actor) error { _, err := svc.CreateGroup(ctx, a, owner, "Friends"); return err }},
			{"RenameGroup", func(a access.Actor) error { _, err := svc.RenameGroup(ctx, a, owner, g.ID, "Vendors"); return err }},
			{"AddToGroup", func(a access.Actor) error { return svc.AddToGroup(ctx, a, owner, g.ID, []int64{c.ID}) }},
			{"RemoveFromGroup", func(a access.Actor) error { return svc.RemoveFromGroup(ctx, a, owner, g.ID, []int64{c.ID}) }},
			{"PreviewImport", func(a access.Actor) error {
				_, err := svc.PreviewImport(ctx, a, owner, []byte(accessCSV), contacts.ActionDuplicate)
				return err
			}},
			{"Import", func(a access.Actor) error { _, err := svc.Import(ctx, a, owner, pending.ID); return err }},
			{"Export", func(a access.Actor) error { _, err := svc.Export(ctx, a, owner, contacts.ExportOutlook); return err }},
			// The destructive ones last, so the owner's run leaves the
			// others something to try.
			{"ConfirmImport", func(a access.Actor) error {
				id := pending.ID
				if a == me {
					// The owner's own changes above made that preview stale.
					pv, err := svc.PreviewImport(ctx, me, owner, []byte(accessCSV), contacts.ActionIgnore)
					if err != nil {
						return err
					}
					id = pv.ID
				}
				_, err := svc.ConfirmImport(ctx, a, owner, id)
				return err
			}},
			{"CancelImport", func(a access.Actor) error {
				pv, err := svc.PreviewImport(ctx, me, owner, []byte(accessCSV), contacts.ActionIgnore)
				if err != nil {
					return err
				}
				return svc.CancelImport(ctx, a, owner, pv.ID)
			}},
			{"DeleteGroup", func(a access.Actor) error { return svc.DeleteGroup(ctx, a, owner, g.ID) }},
			{"DeleteContacts", func(a access.Actor) error { _, err := svc.DeleteContacts(ctx, a, owner, []int64{c.ID}); return err }},
		}
		intruders := append([]string{"acme.admin", "leeds.admin", "sales.admin", "operator", "acme.reseller"}, apptest.Outsiders...)
		for _, act := range actions {
			for _, who := range intruders {
				if act.name == "CancelImport" {
					// Its preview is made by the owner; count after that.
					continue
				}
				before := storetest.Counts(t, db)
				rev, _ := svc.Revision(ctx, me, owner)
				err := act.do(env.Actor(who))
				if !derrors.IsNotFound(err) {
					t.Errorf("%s as %s: %v, want not found", act.name, who, err)
				}
				storetest.SameCounts(t, before, storetest.Counts(t, db))
				if after, _ := svc.Revision(ctx, me, owner); after != rev {
					t.Errorf("%s as %s moved the directory revision %d → %d", act.name, who, rev, after)
				}
			}
			if act.name == "CancelImport" {
				for _, who := range intruders {
					pv, err := svc.PreviewImport(ctx, me, owner, []byte(accessCSV), contacts.ActionIgnore)
					if err != nil {
						t.Fatal(err)
					}
					before := storetest.Counts(t, db)
					if err := svc.CancelImport(ctx, env.Actor(who), owner, pv.ID); !derrors.IsNotFound(err) {
						t.Errorf("CancelImport as %s: %v, want not found", who, err)
					}
					storetest.SameCounts(t, before, storetest.Counts(t, db))
				}
			}
			if err := act.do(me); err != nil {
				t.Errorf("%s as the owner: %v", act.name, err)
			}
		}
		if got, err := svc.Contact(ctx, me, owner, c.ID); err == nil || !derrors.IsNotFound(err) {
			t.Errorf("the owner's delete did not take: %+v, %v", got, err)
		}
	})
}
