package ui_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSettingsEditorErrors: the settings editor (JSON) is one field, so a
// refused save lists every message on it, each with the setting it is
// about, and changes nothing.
func TestSettingsEditorErrors(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		// A schedule of two periods opens in the editor (the form holds
		// one period a schedule).
		leedsWithFeature(t, env, features.CodeTimeSchedules,
			`{"schedules":[{"name":"Office","periods":[{"days":["mon"],"start":"09:00","end":"12:00"},{"days":["mon"],"start":"13:00","end":"17:00"}]}]}`)
		ts := "/sites/" + id(f.Leeds.ID) + "/features/time_schedules"
		admin := newBrowser(t, env)
		admin.login("acme.admin", false)
		mustContain(t, "the editor", admin.get(ts), http.StatusOK, `name="editor" value="json"`)
		before := storetest.Counts(t, db)
		pg := admin.post(ts, url.Values{"editor": {"json"}, "settings": {`{"schedules":[{"name":"","periods":[{"days":["mon"],"start":"09:00","end":"25:00"}]}]}`}}, false)
		body := strings.ToLower(pg.Body)
		if pg.Status != http.StatusUnprocessableEntity || !strings.Contains(body, `<div id="f-settings-err"><p class="err">`) {
			t.Fatalf("a refused save in the editor: %d, want 422 with the errors on the editor", pg.Status)
		}
		for _, setting := range []string{"schedules[0].name: ", "schedules[0].periods[0].end: "} {
			if !strings.Contains(body, `<p class="err">`+setting) {
				t.Errorf("the editor's errors do not name %q", setting)
			}
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
	})
}
