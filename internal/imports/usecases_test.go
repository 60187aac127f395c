package imports_test

import (
	"context"
	"errors"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestImportActionsRefuseOutsiders: every import action, called without
// HTTP by an actor outside Acme, answers exactly as for a company that does
// not exist and changes nothing; Acme's own admin and its reseller may.
func TestImportActionsRefuseOutsiders(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		ctx := context.Background()
		svc, f := env.App.Imports(), env.Fixture
		file := []byte(header + "new.one,New,One,,,,Leeds\r\n")
		actions := map[string]func(user string, companyID int64) error{
			"submit employees": func(user string, companyID int64) error {
				_, err := svc.SubmitEmployees(ctx, env.Actor(user), companyID, file, imports.EmployeeOptions{Options: imports.Options{JobName: "e"}})
				return err
			},
			"submit groups": func(user string, companyID int64) error {
				_, err := svc.SubmitGroups(ctx, env.Actor(user), companyID, []byte("Name\r\nNew Group\r\n"),
					imports.GroupOptions{FileType: "custom", ParentID: f.Leeds.ID, Options: imports.Options{JobName: "g"}})
				return err
			},
			"list jobs": func(user string, companyID int64) error {
				_, _, err := svc.Jobs(ctx, env.Actor(user), companyID, "", store.Page{})
				return err
			},
			"open import page": func(user string, companyID int64) error {
				_, err := svc.OpenImportEmployees(ctx, env.Actor(user), companyID)
				return err
			},
		}
		const missing = 1 << 40
		for name, act := range actions {
			before := storetest.Counts(t, db)
			want := act("operator", missing)
			if !derrors.IsNotFound(want) {
				t.Fatalf("%s on a missing company: %v, want not found", name, want)
			}
			for _, user := range apptest.Outsiders {
				if err := act(user, f.Acme.ID); !derrors.IsNotFound(err) {
					t.Errorf("%s by %s: %v, want the answer for a missing company", name, user, err)
				}
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
		}
		for _, user := range []string{"acme.admin", "acme.reseller"} {
			if err := actions["list jobs"](user, f.Acme.ID); err != nil {
				t.Errorf("list jobs by %s: %v", user, err)
			}
		}
		if err := actions["submit employees"]("acme.admin", f.Acme.ID); err != nil && !errors.Is(err, derrors.ErrInvalid) {
			t.Errorf("submit employees by acme.admin: %v", err)
		}
	})
}
