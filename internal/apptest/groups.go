package apptest

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// AddGroups inserts n groups "Team 001"… under parent directly, in one
// statement: n CreateGroup calls, each with its audit entry, would make
// set-up dominate the test.
func AddGroups(t testing.TB, db *store.DB, parent directory.Group, n int) {
	t.Helper()
	ctx := context.Background()
	vals := make([]string, 0, n)
	args := make([]any, 0, 3*n)
	for i := 1; i <= n; i++ {
		vals = append(vals, "(?, ?, ?, 0, 0)")
		args = append(args, parent.CompanyID, parent.ID, fmt.Sprintf("Team %03d", i))
	}
	err := db.Tx(ctx, func(ctx context.Context) error {
		q := db.Q(ctx)
		if _, err := q.Exec(ctx, "INSERT INTO org_groups (company_id, parent_id, name, created_at, updated_at) VALUES "+strings.Join(vals, ", "), args...); err != nil {
			return err
		}
		// The paths directory.CreateGroup writes: ids, and lower-cased names
		// (the key of the group lists).
		_, err := q.Exec(ctx, `UPDATE org_groups SET path = CAST(? AS TEXT) || CAST(id AS TEXT) || '/',
			sort_path = (SELECT p.sort_path FROM org_groups p WHERE p.id = ?) || '/' || lower(name)
			WHERE parent_id = ? AND path = ''`, parent.IDPath(), parent.ID, parent.ID)
		return err
	})
	if err != nil {
		t.Fatalf("add %d groups: %v", n, err)
	}
}
