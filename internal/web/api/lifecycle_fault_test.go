package api_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// breakTable makes every statement on table fail from now on, as a
// database fault in the middle of a request would (the session and access
// look-ups before it still work).
func breakTable(t *testing.T, env *apptest.Env, table string) {
	t.Helper()
	ctx := context.Background()
	if err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
		_, err := env.App.DB.Q(ctx).Exec(ctx, "ALTER TABLE "+table+" RENAME TO "+table+"_gone")
		return err
	}); err != nil {
		t.Fatal(err)
	}
}

// TestActivateDatabaseFaultIs500: when the database fails while an
// activation is checked, the answer is a 500 with a generic sentence, never
// a field error such as "device 12 does not exist".
func TestActivateDatabaseFaultIs500(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		token := env.Token(t, "acme.admin")
		breakTable(t, env, "devices")
		res := env.Do(t, token, "POST", "/api/v1/employees/"+strconv.FormatInt(env.ID("west.one"), 10)+"/activate", map[string]any{
			"site_id": env.Fixture.Leeds.ID, "user_type": "ip_centrex", "term_id": sv.Terms["Monthly"].ID,
			"package_id": sv.Packages["Basic"].ID, "device": map[string]any{"mode": "existing", "device_id": 12}})
		if res.Status != 500 {
			t.Fatalf("activate with the devices table failing: %d %s, want 500", res.Status, res.Body)
		}
		if strings.Contains(string(res.Body), "does not exist") || strings.Contains(string(res.Body), "device_id") {
			t.Errorf("the fault is shown as a field error: %s", res.Body)
		}
	})
}
