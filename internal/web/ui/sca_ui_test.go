package ui_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestEmployeeDevicesPage: the Devices tab's forms without a browser: a
// refused add (a MAC registered to another device) answers 422 with the
// form and the reason on its field; the tab is refused to a group
// administrator below the employee's site and missing to another company.
func TestEmployeeDevicesPage(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	env.AddCast(t)
	env.EnableLines(t)
	sv := env.SeedService(t)
	f := env.Fixture
	west := env.ID("west.one")
	env.ActivateWithPhone(t, sv, "west.one", f.Leeds.ID, "Advanced", "+441134960010", "T46G", "805EC0000010")
	stan := env.ActivateWithPhone(t, sv, "support.one", f.Leeds.ID, "Basic", "+441134960011", "T46G", "805EC0000011")
	path := "/employees/" + strconv.FormatInt(west, 10) + "/devices"
	b := newBrowser(t, env)
	b.login("acme.admin", false)
	mustContain(t, "tab", b.get(path), http.StatusOK, "Add a shared appearance")
	p := b.post(path, url.Values{"mode": {"new"}, "new.name": {"Reception"}, "new.type_id": {strconv.FormatInt(sv.Types["T46G"].ID, 10)}, "new.mac": {stan.MAC}}, false)
	mustContain(t, "taken MAC", p, http.StatusUnprocessableEntity, `<a href="#f-new-mac">`)
	mustContain(t, "taken MAC", p, http.StatusUnprocessableEntity, `id="f-new-mac-err"`)
	p = b.post(path, url.Values{"mode": {"existing"}}, false)
	mustContain(t, "no device chosen", p, http.StatusUnprocessableEntity, "Choose the device")
	p = b.post(path, url.Values{"mode": {"existing"}, "device_id": {strconv.FormatInt(stan.ID, 10)}}, false)
	mustContain(t, "added", p, http.StatusOK, `id="sca-password"`)
	if !strings.Contains(p.Body, "441134960010_1") {
		t.Errorf("added page lacks the username")
	}
	for who, want := range map[string]int{"sales.admin": http.StatusForbidden, "globex.admin": http.StatusNotFound} {
		o := newBrowser(t, env)
		o.login(who, false)
		if got := o.get(path); got.Status != want {
			t.Errorf("%s opening the tab: %d, want %d", who, got.Status, want)
		}
	}
}
