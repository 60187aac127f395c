package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// employeeDevicesContract runs the Devices tab's calls on a node with a
// database of its own (activated employees with phones): west.one (the
// Advanced package, with Shared Call Appearance) and support.one (Basic)
// at Leeds.
func employeeDevicesContract(t *testing.T, c *contract, db *store.DB) {
	fresh := storetest.SQLite(t)
	if db.Dialect() == store.Postgres {
		fresh = storetest.Postgres(t)
	}
	env := apptest.New(t, fresh)
	env.EnableLines(t)
	sv := env.SeedService(t)
	f := env.Fixture
	westPhone := env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Advanced", "+441134960010", "T46U", "001565AC0001")
	supportPhone := env.ActivateWithPhone(t, sv, "support.one", f.Leeds.ID, "Basic", "+441134960011", "T46U", "001565AC0002")
	ec := &contract{t: t, env: env, doc: c.doc, router: c.router, tokens: map[string]string{}, seen: c.seen, ids: map[string]int64{}}
	west := env.ID("west.one")
	p := fmt.Sprintf
	tab := p("/api/v1/employees/%d/devices", west)
	add := p("/api/v1/employees/%d/shared-appearances", west)
	var added devices.SharedAppearanceCredentials
	one := func() string { return p("%s/%d", add, added.LineID) }
	textPlain := map[string]string{"Content-Type": "text/plain"}
	calls := []apiCall{
		{name: "devices tab", user: "acme.admin", method: "GET", path: tab, want: 200},
		{name: "devices tab of a group below", user: "sales.admin", method: "GET", path: tab, want: 403},
		{name: "devices tab other company", user: "globex.admin", method: "GET", path: tab, want: 404},
		{name: "devices tab anonymous", method: "GET", path: tab, want: 401},
		{name: "add on an existing phone", user: "leeds.admin", method: "POST", path: add, body: map[string]any{"device_id": supportPhone.ID, "alert_all_appearances": true}, want: 201},
		{name: "add on a new phone", user: "acme.admin", method: "POST", path: add,
			body: map[string]any{"new_device": map[string]any{"name": "Reception", "type_id": sv.Types["T42G"].ID, "mac": "001565AC0003"}}, want: 201},
		{name: "add on the primary device", user: "acme.admin", method: "POST", path: add, body: map[string]any{"device_id": westPhone.ID}, want: 409},
		{name: "add without a device", user: "acme.admin", method: "POST", path: add, body: map[string]any{}, want: 422},
		{name: "add unknown field", user: "acme.admin", method: "POST", path: add, body: `{"device":1}`, want: 400, badRequest: true},
		{name: "add not json", user: "acme.admin", method: "POST", path: add, body: `{}`, header: textPlain, want: 415, badRequest: true},
		{name: "add other company", user: "globex.admin", method: "POST", path: add, body: map[string]any{"device_id": supportPhone.ID}, want: 404},
		{name: "add as the employee", user: "west.one", method: "POST", path: add, body: map[string]any{"device_id": supportPhone.ID}, want: 403},
		{name: "add anonymous", method: "POST", path: add, body: map[string]any{"device_id": supportPhone.ID}, want: 401},
		{name: "modify", user: "acme.admin", method: "PATCH", path: "", body: map[string]any{"allow_call_move": true}, want: 200,
			setup: func(t *testing.T) {
				res := env.Do(t, env.Token(t, "acme.admin"), "GET", tab, nil)
				var d devices.EmployeeDevices
				res.JSON(t, &d)
				if len(d.Appearances) != 2 {
					t.Fatalf("appearances = %+v", d.Appearances)
				}
				added.LineID = d.Appearances[0].LineID
			}},
		{name: "modify bad body", user: "acme.admin", method: "PATCH", path: "", body: `{"allow_call_move":"yes"}`, want: 400, badRequest: true},
		{name: "modify not json", user: "acme.admin", method: "PATCH", path: "", body: `{}`, header: textPlain, want: 415, badRequest: true},
		{name: "modify other company", user: "globex.admin", method: "PATCH", path: "", body: map[string]any{"allow_call_move": true}, want: 404},
		{name: "modify anonymous", method: "PATCH", path: "", body: map[string]any{"allow_call_move": true}, want: 401},
		{name: "remove other company", user: "globex.admin", method: "DELETE", path: "", want: 404},
		{name: "remove as a group admin below", user: "sales.admin", method: "DELETE", path: "", want: 403},
		{name: "remove anonymous", method: "DELETE", path: "", want: 401},
		{name: "remove", user: "acme.admin", method: "DELETE", path: "", want: 204},
		{name: "remove again", user: "acme.admin", method: "DELETE", path: "", want: 404},
		{name: "modify removed", user: "acme.admin", method: "PATCH", path: "", body: map[string]any{"allow_call_move": true}, want: 404},
	}
	for _, call := range calls {
		t.Run("employee-devices/"+call.name, func(t *testing.T) {
			if call.setup != nil {
				call.setup(t)
				call.setup = nil
			}
			if call.path == "" {
				call.path = one()
			}
			ec.do(t, call)
		})
	}
	if res := env.Do(t, env.Token(t, "acme.admin"), "GET", tab, nil); res.Status != http.StatusOK {
		t.Fatalf("tab at the end: %d", res.Status)
	}
}
