package derrors_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

type lockedError struct{}

func (lockedError) Error() string { return "the account is locked until 10:30" }
func (lockedError) Unwrap() error { return derrors.ErrLocked }

func TestClassify(t *testing.T) {
	for _, tc := range []struct {
		name   string
		err    error
		kind   derrors.Kind
		status int
		msg    string
		field  string
	}{
		{"validation", fmt.Errorf("directory: create group: %w", derrors.Invalid("name", "the group needs a name")), derrors.KindInvalid, 422, "name: the group needs a name", "name"},
		{"conflict", fmt.Errorf("tenancy: %w", derrors.Conflict("name", "a company named %q exists", "Acme")), derrors.KindConflict, 409, `a company named "Acme" exists`, "name"},
		{"plain conflict", fmt.Errorf("numbering: take: %w", derrors.ErrConflict), derrors.KindConflict, 409, "numbering: take: conflict", ""},
		{"forbidden with reason", derrors.Forbidden("the company does not allow adding employees"), derrors.KindForbidden, 403, "the company does not allow adding employees", ""},
		{"forbidden", fmt.Errorf("x: %w", derrors.ErrForbidden), derrors.KindForbidden, 403, "", ""},
		{"not found", fmt.Errorf("directory: group 7: %w", derrors.ErrNotFound), derrors.KindNotFound, 404, "", ""},
		{"locked", fmt.Errorf("identity: authenticate: %w", lockedError{}), derrors.KindLocked, 423, "the account is locked until 10:30", ""},
		{"unauthenticated", derrors.Unauthenticated("log in again"), derrors.KindUnauthenticated, 401, "log in again", ""},
		{"database closed", fmt.Errorf("directory: create group: %w", errors.New("sql: database is closed")), derrors.KindInternal, 500, "", ""},
		{"connection gone", fmt.Errorf("store: begin: %w", sql.ErrConnDone), derrors.KindInternal, 500, "", ""},
		{"deadline", fmt.Errorf("q: %w", context.DeadlineExceeded), derrors.KindInternal, 500, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := derrors.Classify(tc.err)
			if c.Kind != tc.kind || c.Status != tc.status || c.Message != tc.msg {
				t.Errorf("Classify = %+v, want kind %d, status %d, message %q", c, tc.kind, tc.status, tc.msg)
			}
			if tc.field != "" && (len(c.Fields) != 1 || c.Fields[0].Field != tc.field) {
				t.Errorf("fields %+v, want one on %q", c.Fields, tc.field)
			}
			if tc.kind == derrors.KindInternal && (c.Message != "" || len(c.Fields) > 0) {
				t.Errorf("a fault carries text to the user: %+v", c)
			}
		})
	}
}
