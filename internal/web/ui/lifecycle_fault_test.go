package ui_test

import (
	"context"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestActivateDatabaseFaultIs500: when the database fails while the
// Activate form is checked, the page is the 500 error page, never the form
// again with a field message such as "device 12 does not exist".
func TestActivateDatabaseFaultIs500(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		sv := env.SeedService(t)
		b := newBrowser(t, env)
		b.login("acme.admin", false)
		ctx := context.Background()
		if err := env.App.DB.Tx(ctx, func(ctx context.Context) error {
			_, err := env.App.DB.Q(ctx).Exec(ctx, "ALTER TABLE devices RENAME TO devices_gone")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		form := activateForm(env, sv, env.Fixture.Leeds.ID, "")
		form.Set("e0.device_mode", "existing")
		form.Set("e0.device_id", "12")
		p := b.post("/employees/"+id(env.ID("west.one"))+"/activate", form, false)
		if p.Status != 500 {
			t.Fatalf("activate with the devices table failing: %d, want 500\n%s", p.Status, p.Body)
		}
		if strings.Contains(p.Body, "does not exist") {
			t.Errorf("the fault is shown as a field error:\n%s", p.Body)
		}
	})
}
