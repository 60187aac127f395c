package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// The keyset walks of the group, site, device, number, personal contact,
// company and outbox lists (docs/performance.md, "List endpoints at 1,000,000 rows"), in the
// manner of the employee list's (employees_keyset_test.go).

type keysetItem struct {
	ID int64 `json:"id"`
}

type keysetPageBody struct {
	Items []keysetItem `json:"items"`
	Total *int         `json:"total"`
	Page  *int         `json:"page"`
	Next  string       `json:"next"`
}

// keysetList is one list under test: its path, who walks it, how to fill
// it (round 0, with rows whose sort keys tie) and how to add rows between
// pages (round 1…).
type keysetList struct {
	name  string
	path  string
	owner string
	add   func(t *testing.T, round int)
	// spansTenants: the owner's list holds other companies' rows too (the
	// provider's customer list, Globex included).
	spansTenants bool
}

// keysetLists fills Acme and returns the five lists.
func keysetLists(t *testing.T, env *apptest.Env, db *store.DB) []keysetList {
	t.Helper()
	f := env.Fixture
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: env.ID("acme.admin"), Username: "acme.admin", ProviderID: f.Provider.ID})
	a := env.App
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// tied names ten of n rows "<prefix>NNN" (every third), more than a
	// page of 7, so a page boundary always falls inside the tie.
	tied := func(format string) string {
		names := make([]string, 10)
		for i := range names {
			names[i] = "'" + fmt.Sprintf(format, 2+3*i) + "'"
		}
		return strings.Join(names, ", ")
	}
	// Groups: teams under Sales, ten of them forced onto one sort key
	// (group names are unique among siblings, so only the id can order
	// them), and more teams under other groups between pages.
	groupParents := []directory.Group{f.Support, f.SalesWest, f.London}
	addGroups := func(t *testing.T, round int) {
		if round == 0 {
			apptest.AddGroups(t, db, f.Sales, 30)
			_, err := storetest.Exec(ctx, db, "UPDATE org_groups SET sort_path = 'leeds/sales/team tie' WHERE company_id = ? AND name IN ("+tied("Team %03d")+")", f.Acme.ID)
			must(err)
			return
		}
		if round <= len(groupParents) {
			apptest.AddGroups(t, db, groupParents[round-1], 3)
		}
	}
	// Sites: 32 more sites, ten sharing a sort key by the same trick.
	addSites := func(t *testing.T, round int) {
		n := 32
		if round > 0 {
			n = 2
		}
		for i := 0; i < n; i++ {
			_, err := a.Directory.CreateSite(ctx, f.Acme.ID, directory.SiteCreateRequest{Name: fmt.Sprintf("Site %d-%02d", round, (i*7)%n)})
			must(err)
		}
		if round == 0 {
			_, err := storetest.Exec(ctx, db, "UPDATE org_groups SET sort_path = 'site tie' WHERE company_id = ? AND name IN ("+tied("Site 0-%02d")+")", f.Acme.ID)
			must(err)
		}
	}
	// Devices: MACs are unique (devices_mac), so no two share a key; they
	// are added out of MAC order.
	deskType, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Walk", Model: "T1"})
	must(err)
	addDevices := func(t *testing.T, round int) {
		n := 30
		if round > 0 {
			n = 3
		}
		for i := 0; i < n; i++ {
			_, err := a.Devices.Create(ctx, f.Provider.ID, f.Acme.ID, devices.DeviceCreateRequest{SiteID: f.Leeds.ID, TypeID: deskType.ID,
				MAC: fmt.Sprintf("00156500%02X%02X", round, (i*37)%256)})
			must(err)
		}
	}
	// Numbers: unique too (dn_numbers_e164); a range at set-up, small
	// ranges between pages.
	addNumbers := func(t *testing.T, round int) {
		req := numbering.RangeRequest{Start: "+441134960000", End: "+441134960039"}
		if round > 0 {
			req = numbering.RangeRequest{Start: fmt.Sprintf("+4411349610%d0", round), End: fmt.Sprintf("+4411349610%d2", round)}
		}
		_, err := a.Numbering.AddRange(ctx, f.Acme.ID, f.Leeds.ID, req)
		must(err)
	}
	// Contacts: west.one's, with names that repeat and name-less contacts
	// sorted by their company, so most keys tie.
	westCtx := audit.WithActor(context.Background(), audit.Actor{ID: env.ID("west.one"), Username: "west.one", ProviderID: f.Provider.ID})
	addContacts := func(t *testing.T, round int) {
		n := 30
		if round > 0 {
			n = 3
		}
		for i := 0; i < n; i++ {
			fl := contacts.Fields{FirstName: []string{"Ann", "bob", ""}[i%3], LastName: []string{"Smith", "smith", ""}[i%3]}
			if fl.FirstName == "" {
				fl.Company = []string{"Initech", "initech"}[i%2]
			}
			_, err := a.Contacts.CreateContact(westCtx, env.Actor("west.one"), env.ID("west.one"), contacts.ContactRequest{Fields: fl})
			must(err)
		}
	}
	// Companies: the provider's customers, names unique per provider
	// (companies_name).
	addCompanies := func(t *testing.T, round int) {
		n := 20
		if round > 0 {
			n = 2
		}
		for i := 0; i < n; i++ {
			_, err := a.Tenancy.CreateCompany(ctx, f.Provider.ID, tenancy.CompanyCreateRequest{Name: fmt.Sprintf("Walk Co %d-%02d", round, (i*7)%n)})
			must(err)
		}
	}
	// The outbox: the provider's mail, newest first by id (no ties).
	addMail := func(t *testing.T, round int) {
		n := 25
		if round > 0 {
			n = 2
		}
		for i := 0; i < n; i++ {
			_, err := a.Mail.Enqueue(ctx, mail.Message{Kind: "welcome", To: fmt.Sprintf("walk%d-%d@example.com", round, i), Subject: "Walk",
				Text: "walk", ProviderID: f.Provider.ID, CompanyID: f.Acme.ID})
			must(err)
		}
	}
	return []keysetList{
		{name: "groups", path: "/api/v1/groups", owner: "acme.admin", add: addGroups},
		{name: "sites", path: "/api/v1/sites", owner: "acme.admin", add: addSites},
		{name: "devices", path: fmt.Sprintf("/api/v1/sites/%d/devices", f.Leeds.ID), owner: "acme.admin", add: addDevices},
		{name: "numbers", path: fmt.Sprintf("/api/v1/sites/%d/numbers", f.Leeds.ID), owner: "acme.admin", add: addNumbers},
		{name: "contacts", path: "/api/v1/contacts", owner: "west.one", add: addContacts},
		{name: "companies", path: "/api/v1/companies", owner: "operator", add: addCompanies, spansTenants: true},
		{name: "outbox", path: "/api/v1/mail/outbox", owner: "operator", add: addMail},
	}
}

// getKeyset GETs path and decodes a 200 list, failing otherwise.
func getKeyset(t *testing.T, env *apptest.Env, token, path string) keysetPageBody {
	t.Helper()
	res := env.Do(t, token, "GET", path, nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET %s = %d %s", path, res.Status, res.Body)
	}
	var pg keysetPageBody
	res.JSON(t, &pg)
	return pg
}

// walkKeyset follows next from the first page of 7 and returns the ids in
// the order seen; between is called between pages (may be nil).
func walkKeyset(t *testing.T, env *apptest.Env, token, path string, between func(page int)) []int64 {
	t.Helper()
	var ids []int64
	after := ""
	for page := 1; ; page++ {
		p := path + sep(path) + "per_page=7"
		if after != "" {
			p += "&after=" + url.QueryEscape(after)
		}
		pg := getKeyset(t, env, token, p)
		if pg.Total != nil {
			t.Fatalf("GET %s: total given without count=true", p)
		}
		if after != "" && pg.Page != nil {
			t.Fatalf("GET %s: page given on a page reached with after", p)
		}
		for _, it := range pg.Items {
			ids = append(ids, it.ID)
		}
		if pg.Next == "" {
			return ids
		}
		if len(pg.Items) != 7 {
			t.Fatalf("GET %s: %d items and a next cursor", p, len(pg.Items))
		}
		if page > 100 {
			t.Fatal("walk does not end")
		}
		if between != nil {
			between(page)
		}
		after = pg.Next
	}
}

func sep(path string) string {
	if strings.Contains(path, "?") {
		return "&"
	}
	return "?"
}

// TestListKeysetWalks: walking each list by cursor finds every row exactly
// once, in the order of one big page, rows with tied sort keys included;
// filters hold along the walk; rows added between pages make the walk
// neither skip nor repeat the rows that were there; count=true gives the
// total.
func TestListKeysetWalks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		lists := keysetLists(t, env, db)
		for _, l := range lists {
			l.add(t, 0)
		}
		filtered := map[string][]string{
			"groups":    {"q=team", fmt.Sprintf("parent_id=%d", f.Sales.ID)},
			"sites":     {"q=site 0"},
			"devices":   {"free=true"},
			"numbers":   {"status=available", "status=free"},
			"contacts":  {"search=smith"},
			"companies": {"q=walk co 0", "status=active"},
			"outbox":    {"status=queued", fmt.Sprintf("company_id=%d", f.Acme.ID)},
		}
		for _, l := range lists {
			token := env.Token(t, l.owner)
			for _, query := range append([]string{""}, filtered[l.name]...) {
				path := l.path
				if query != "" {
					path += "?" + strings.ReplaceAll(query, " ", "+")
				}
				all := getKeyset(t, env, token, path+sep(path)+"per_page=500&count=true")
				if all.Total == nil || *all.Total != len(all.Items) || all.Next != "" {
					t.Fatalf("%s: one page of %d, total %v, next %q", path, len(all.Items), all.Total, all.Next)
				}
				if len(all.Items) < 15 && query == "" {
					t.Fatalf("%s: only %d rows; the walk would prove little", path, len(all.Items))
				}
				got := walkKeyset(t, env, token, path, nil)
				if len(got) != len(all.Items) {
					t.Fatalf("%s: walk found %d, want %d", path, len(got), len(all.Items))
				}
				for i, it := range all.Items {
					if got[i] != it.ID {
						t.Fatalf("%s: walk row %d is %d, want %d", path, i, got[i], it.ID)
					}
				}
			}

			// Rows added between pages: every row present at the start is
			// seen exactly once.
			before := getKeyset(t, env, token, l.path+"?per_page=500")
			got := walkKeyset(t, env, token, l.path, func(page int) { l.add(t, page) })
			seen := map[int64]int{}
			for _, id := range got {
				seen[id]++
				if seen[id] > 1 {
					t.Errorf("%s: id %d seen twice in a walk with inserts", l.name, id)
				}
			}
			for _, it := range before.Items {
				if seen[it.ID] != 1 {
					t.Errorf("%s: id %d seen %d times in a walk with inserts, want 1", l.name, it.ID, seen[it.ID])
				}
			}
		}
	})
}

// TestListCursorRefused: on each list a cursor that is not ours, or one of
// another list, is 400 problem+json naming after and what to do; count
// must be a boolean.
func TestListCursorRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		lists := keysetLists(t, env, db)
		// An employee list cursor: well formed, but of another order.
		addEmployees(t, env, "cur", 4)
		emp := getKeyset(t, env, env.Token(t, "acme.admin"), "/api/v1/employees?per_page=1")
		if emp.Next == "" {
			t.Fatal("no employee cursor")
		}
		for _, l := range lists {
			l.add(t, 0)
			token := env.Token(t, l.owner)
			cases := []struct{ query, want string }{
				{"after=not-a-cursor!", "after: not a cursor"},
				{"after=" + url.QueryEscape(emp.Next), "made for sort"},
				{"after=" + strings.Repeat("a", 2000), "at most 1024 characters"},
				{"count=yes", "count must be true or false"},
			}
			for _, c := range cases {
				res := env.Do(t, token, "GET", l.path+"?"+c.query, nil)
				if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), c.want) {
					t.Errorf("%s ?%s = %d %s, want 400 with %q", l.name, clipQ(c.query), res.Status, res.Body, c.want)
				}
				if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Errorf("%s ?%s: Content-Type %q, want application/problem+json", l.name, clipQ(c.query), ct)
				}
			}
		}
	})
}

// TestListCursorTenantIsolation: a cursor only positions. Taken by a peer,
// a group admin, a colleague or an outsider, it lists only what that
// caller's own list holds (or the same refusal), and outsiders never get a
// row of Acme's.
func TestListCursorTenantIsolation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		lists := keysetLists(t, env, db)
		users := append([]string{"acme.admin", "acme.admin2", "leeds.admin", "leeds.admin2", "sales.admin", "west.one", "london.one", "acme.reseller"}, apptest.Outsiders...)
		outsider := map[string]bool{}
		for _, u := range apptest.Outsiders {
			outsider[u] = true
		}
		tokens := map[string]string{}
		for _, u := range users {
			tokens[u] = env.Token(t, u)
		}
		for _, l := range lists {
			l.add(t, 0)
			ownerToken := env.Token(t, l.owner)
			owned := map[int64]bool{}
			for _, it := range getKeyset(t, env, ownerToken, l.path+"?per_page=500").Items {
				owned[it.ID] = true
			}
			if l.spansTenants {
				// The operator's list holds Globex, which globex.admin and
				// globex.one may see; every other row is not theirs.
				delete(owned, env.Fixture.Globex.ID)
			}
			// A cursor from the very start of the owner's walk.
			first := getKeyset(t, env, ownerToken, l.path+"?per_page=1")
			if first.Next == "" {
				t.Fatalf("%s: no cursor", l.name)
			}
			for _, u := range users {
				if u == l.owner {
					continue
				}
				own := env.Do(t, tokens[u], "GET", l.path+"?per_page=500", nil)
				mine := map[int64]bool{}
				if own.Status == http.StatusOK {
					var pg keysetPageBody
					own.JSON(t, &pg)
					for _, it := range pg.Items {
						mine[it.ID] = true
					}
				}
				res := env.Do(t, tokens[u], "GET", l.path+"?per_page=500&after="+url.QueryEscape(first.Next), nil)
				if res.Status != own.Status {
					t.Errorf("%s: %s with %s's cursor: %d, without: %d", l.name, u, l.owner, res.Status, own.Status)
					continue
				}
				if res.Status != http.StatusOK {
					continue
				}
				var pg keysetPageBody
				res.JSON(t, &pg)
				for _, it := range pg.Items {
					if !mine[it.ID] {
						t.Errorf("%s: %s with %s's cursor sees id %d, outside their own list", l.name, u, l.owner, it.ID)
					}
					if outsider[u] && owned[it.ID] {
						t.Errorf("%s: outsider %s with %s's cursor sees Acme's id %d", l.name, u, l.owner, it.ID)
					}
				}
			}
		}
	})
}
