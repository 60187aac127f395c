package imports

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// TestFaultsAreLoggedNotShown: a domain error is the row's message; any
// other error is replaced by a sentence for the user and logged whole.
func TestFaultsAreLoggedNotShown(t *testing.T) {
	var log bytes.Buffer
	s := New(Deps{Logger: slog.New(slog.NewTextHandler(&log, nil))})
	ctx := context.Background()

	conflict := derrors.Conflict("username", "the username %q is already taken", "ann")
	if got := userMessage(conflict); got != `the username "ann" is already taken` {
		t.Errorf("conflict shown as %q", got)
	}
	s.logFault(ctx, "row refused", conflict)
	if log.Len() != 0 {
		t.Errorf("a domain error was logged: %s", log.String())
	}

	fault := errors.New(`pq: insert or update on table "group_members" violates foreign key constraint "group_members_group_id_fkey"`)
	if got := userMessage(fault); strings.Contains(got, "group_members") || !strings.Contains(got, "run the import again") {
		t.Errorf("a database fault shown as %q", got)
	}
	s.logFault(ctx, "row refused", fault)
	if !strings.Contains(log.String(), "group_members_group_id_fkey") || !strings.Contains(log.String(), "import: row refused") {
		t.Errorf("the fault was not logged: %s", log.String())
	}
}
