package ui_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// widths are the two screens every page of these tests is looked at on.
var widths = []struct {
	name string
	set  chromedp.Action[chromedp.Void]
}{
	{"desktop", chromedp.EmulateViewport(1366, 900)},
	{"phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2))},
}

// loginTab opens a browser tab signed in as username.
func loginTab(t *testing.T, env *apptest.Env, username string) tab {
	t.Helper()
	actx, shots := launch(t)
	bctx, cancel := chromedp.NewContext(actx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancel)
	b := tab{t: t, ctx: bctx, base: env.Server.URL, shots: shots}
	b.do("login",
		chromedp.Navigate(b.base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-username`)),
		chromedp.SendKeys(chromedp.CSS(`#f-username`), username),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), apptest.Password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#top-search`)),
	)
	return b
}

// TestBrowserEmployeesShowAssignedNumber: Employee Selection's Phone
// column is the business number (national form) and extension the
// employee was activated with, not the contact phone of their profile;
// an employee without service shows a dash.
func TestBrowserEmployeesShowAssignedNumber(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	sv := env.SeedService(t)
	f := env.Fixture
	ctx := context.Background()
	west, east := env.ID("west.one"), env.ID("sales.admin")
	// A contact phone on the profile that is not the business number.
	other := "+44 20 7946 0999"
	if _, err := env.App.Directory.ModifyEmployee(ctx, env.Actor("acme.admin"), west, directory.EmployeeUpdateRequest{Phone: &other}); err != nil {
		t.Fatal(err)
	}
	req := lifecycle.ActivateRequest{SiteID: f.Leeds.ID, UserType: lifecycle.IPCentrex, TermID: sv.Terms["Monthly"].ID,
		PackageID: sv.Packages["Basic"].ID, Single: true, Employees: []lifecycle.ActivateEmployee{{EmployeeID: west,
			Number: "+441134960085", Extension: "2085",
			Device: lifecycle.DeviceChoice{Mode: lifecycle.DeviceNew, TypeID: sv.Types["Soft Client"].ID}}}}
	if _, err := env.App.Lifecycle.Activate(ctx, env.Actor("acme.admin"), 0, req); err != nil {
		t.Fatal(err)
	}
	runJobs(t, env)

	b := loginTab(t, env, "acme.admin")
	// cell is the number as the user sees it in the row of id: the Phone
	// column on a desktop, the line under the name on a phone (where the
	// column is hidden); "" when that element is not visible.
	cell := func(id int64, col string) string {
		t.Helper()
		s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](fmt.Sprintf(
			`(() => { const c = document.getElementById('sel-%d').closest('tr').querySelector('[data-col=%s]');
			  return c.offsetParent === null ? '' : c.innerText; })()`, id, col)))
		if err != nil {
			t.Fatalf("phone cell of %d: %v", id, err)
		}
		return strings.TrimSpace(s)
	}
	for _, w := range widths {
		col := map[string]string{"desktop": "phone", "phone": "phone-sm"}[w.name]
		b.do("employees "+w.name, w.set, chromedp.Navigate(b.base+"/employees"), chromedp.WaitVisible(chromedp.CSS(`#sel-`+id(west))))
		if got := cell(west, col); got != "0113 496 0085 ext. 2085" {
			t.Errorf("%s: west.one's Phone is %q, want 0113 496 0085 ext. 2085", w.name, got)
		}
		if got := cell(east, col); got != "—" {
			t.Errorf("%s: sales.admin (no service) shows %q, want a dash", w.name, got)
		}
		b.shot("employees-numbers-" + w.name + ".png")
	}
	// The contact phone is not on the page at all.
	if body := b.text(chromedp.CSS(`main`)); strings.Contains(body, "7946 0999") || strings.Contains(body, "79460999") {
		t.Error("the list still shows the profile's contact phone")
	}
}

// TestBrowserGroupMembersPaged: Group Members shows a page of employees
// at a time; ticks and clears made on one page survive Next, Previous and
// a search until one Save applies them all.
func TestBrowserGroupMembersPaged(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	f := env.Fixture
	ctx := context.Background()
	var reqs []directory.EmployeeCreateRequest
	for i := range 60 {
		reqs = append(reqs, directory.EmployeeCreateRequest{Username: fmt.Sprintf("staff%02d", i), FirstName: "Staff",
			LastName: fmt.Sprintf("Member %02d", i), Role: "employee"})
	}
	if _, err := env.App.Directory.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, reqs); err != nil {
		t.Fatal(err)
	}
	members := func() map[int64]bool {
		t.Helper()
		ms, err := env.App.Directory.GroupMembers(ctx, f.Sales.ID, allScope(env), directory.LinkLinked, "")
		if err != nil {
			t.Fatal(err)
		}
		out := map[int64]bool{}
		for _, m := range ms {
			out[m.ID] = true
		}
		return out
	}
	before := members()
	var member int64 // someone in Sales already, to clear
	for id := range before {
		member = id
	}
	if member == 0 {
		t.Fatal("the fixture's Sales has no member")
	}

	b := loginTab(t, env, "acme.admin")
	page := "/groups/" + id(f.Sales.ID) + "/members"
	rows := func() int {
		n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('#links-form tbody input[name=linked]').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ticked := func(id int64) bool {
		on, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.getElementById('row-%d').checked`, id)))
		if err != nil {
			t.Fatalf("box of %d: %v", id, err)
		}
		return on
	}
	// firstUnticked is the first box on the page that is not ticked.
	firstUnticked := func() int64 {
		s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(document.querySelector('#links-form tbody input[name=linked]:not(:checked)')||{}).value||''`))
		if err != nil || s == "" {
			t.Fatalf("no unticked box on the page (%v)", err)
		}
		n, _ := strconv.ParseInt(s, 10, 64)
		return n
	}
	box := func(id int64) chromedp.CSS { return chromedp.CSS(`#row-` + strconv.FormatInt(id, 10)) }
	// submit clicks a button that loads the next page and waits for that
	// page, not for an element the old page already has.
	submit := func(step string, button chromedp.CSS, then chromedp.CSS) {
		t.Helper()
		if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`document.body.dataset.old = '1'; true`)); err != nil {
			t.Fatal(err)
		}
		b.do(step, chromedp.Click(button), chromedp.WaitVisible(chromedp.CSS(`body:not([data-old])`)), chromedp.WaitVisible(then))
	}

	for _, w := range widths {
		b.do("members "+w.name, w.set, chromedp.Navigate(b.base+page), chromedp.WaitVisible(chromedp.CSS(`#links-form`)))
		b.shot("group-members-paged-" + w.name + ".png")
	}
	if n := rows(); n != 25 {
		t.Fatalf("page 1 has %d rows, want 25", n)
	}
	if got := b.text(chromedp.CSS(`#links-count`)); !strings.Contains(got, "Showing 1–25 of") || !strings.Contains(got, "page 1 of 3") {
		t.Errorf("count line %q", got)
	}
	// Page 1: tick one.
	first := firstUnticked()
	b.do("tick on page 1", chromedp.Click(box(first)))
	if got := b.text(chromedp.CSS(`#pending-note`)); !strings.Contains(got, "1 to add, 0 to remove") {
		t.Errorf("pending note after a tick: %q", got)
	}
	// Next → page 2: tick one more.
	submit("next", `#btn-next`, `#btn-prev`)
	second := firstUnticked()
	if second == first {
		t.Fatal("page 2 shows page 1's rows")
	}
	b.do("tick on page 2", chromedp.Click(box(second)))
	// Previous → page 1 still has the first tick.
	submit("previous", `#btn-prev`, box(first))
	if !ticked(first) {
		t.Error("the tick on page 1 was lost after Next and Previous")
	}
	if got := b.text(chromedp.CSS(`#pending-note`)); !strings.Contains(got, "2 to add, 0 to remove") {
		t.Errorf("pending note back on page 1: %q", got)
	}
	// Search for an existing member and clear the box.
	var name string
	for _, u := range []string{"west.one", "sales.admin"} {
		if env.ID(u) == member {
			name = u
		}
	}
	if name == "" {
		e, err := env.App.Directory.Employee(ctx, member)
		if err != nil {
			t.Fatal(err)
		}
		name = e.Username
	}
	b.do("type search", chromedp.SetValue(chromedp.CSS(`#f-q`), name))
	submit("search", `#btn-search`, box(member))
	if got := b.text(chromedp.CSS(`#links-count`)); !strings.Contains(got, "of 1") {
		t.Errorf("after searching %s: %q", name, got)
	}
	if !ticked(member) {
		t.Fatalf("%s is a member but not ticked", name)
	}
	b.do("clear member", chromedp.Click(box(member)))
	if ticked(member) {
		t.Fatalf("%s is still ticked after the click", name)
	}
	if got := b.text(chromedp.CSS(`#pending-note`)); !strings.Contains(got, "2 to add, 1 to remove") {
		t.Errorf("pending note after clearing %s: %q", name, got)
	}
	for _, w := range widths {
		b.do("pending "+w.name, w.set)
		b.shot("group-members-pending-" + w.name + ".png")
	}
	submit("save", `#btn-save`, `.flash`)
	if got := b.text(chromedp.CSS(`.flash`)); !strings.Contains(got, "members have been updated") {
		t.Errorf("flash after Save: %q", got)
	}
	after := members()
	if !after[first] || !after[second] || after[member] || len(after) != len(before)+1 {
		t.Errorf("members after Save: %v (before %v; want +%d +%d -%d)", after, before, first, second, member)
	}
}

// TestGroupMembersSelectionWithoutScript: without JavaScript the selection
// still travels: Search and the pager post the form, whose ticks come back
// in the next page's address and hidden fields, and one Save applies the
// whole selection. An employee of another company in the carried
// selection is refused like an unknown id, and changes nothing.
func TestGroupMembersSelectionWithoutScript(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		ctx := context.Background()
		b := newBrowser(t, env)
		b.login("acme.admin", false)
		self := "/groups/" + id(f.Sales.ID) + "/members"
		london, support := env.ID("london.one"), env.ID("support.one")

		// Tick london.one, then search for support.one.
		p := b.post(self, url.Values{"shown": {id(london)}, "linked": {id(london)}, "go": {"search"}, "q": {"support"}, "filter": {"all"}}, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "add="+id(london)) || !strings.Contains(p.Location, "q=support") {
			t.Fatalf("Search with a tick: %d %q", p.Status, p.Location)
		}
		p = b.get(p.Location)
		if p.Status != http.StatusOK || !strings.Contains(p.Body, `name="add" value="`+id(london)+`"`) ||
			!strings.Contains(p.Body, `id="row-`+id(support)+`"`) || strings.Contains(p.Body, `id="row-`+id(london)+`"`) {
			t.Fatalf("the searched page does not carry the tick:\n%s", p.Body)
		}
		if !strings.Contains(p.Body, `<span id="pending-add">1</span> to add`) {
			t.Errorf("the page does not say one change is unsaved")
		}

		// A hand-made selection that names another company's employee is
		// refused as an unknown id and changes nothing.
		for _, name := range []string{"globex.one"} {
			before := storetest.Counts(t, db)
			p = b.post(self, url.Values{"add": {id(env.ID(name))}, "shown": {id(support)}, "linked": {id(support)}}, false)
			if p.Status == http.StatusSeeOther || strings.Contains(p.Body, "Globex") || strings.Contains(p.Body, name) {
				t.Errorf("Save adding %s: %d\n%s", name, p.Status, p.Body)
			}
			if !strings.Contains(p.Body, "Employee "+id(env.ID(name))+" does not exist.") {
				t.Errorf("Save adding %s does not answer as for an unknown id:\n%s", name, p.Body)
			}
			storetest.SameCounts(t, before, storetest.Counts(t, db))
			unknown := b.post(self, url.Values{"add": {"999999"}, "shown": {id(support)}, "linked": {id(support)}}, false)
			if unknown.Status != p.Status {
				t.Errorf("another company's employee answers %d, an unknown id %d", p.Status, unknown.Status)
			}
		}
		// A selection that cannot be read is a clear error.
		if p = b.get(self + "?add=abc"); p.Status != http.StatusOK || !strings.Contains(p.Body, "could not be read") {
			t.Errorf("a garbled selection in the address: %d", p.Status)
		}

		// Save on the searched page: support.one ticked here, london.one
		// carried from before.
		p = b.post(self, url.Values{"add": {id(london)}, "shown": {id(support)}, "linked": {id(support)}, "q": {"support"}}, false)
		if p.Status != http.StatusSeeOther || !strings.Contains(p.Location, "members-updated") {
			t.Fatalf("Save: %d %q\n%s", p.Status, p.Location, p.Body)
		}
		ms, err := env.App.Directory.GroupMembers(ctx, f.Sales.ID, allScope(env), directory.LinkLinked, "")
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]bool{}
		for _, m := range ms {
			got[m.ID] = true
		}
		if !got[london] || !got[support] {
			t.Errorf("members after Save: %v, want london.one and support.one among them", got)
		}
	})
}
