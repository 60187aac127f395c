package api_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

type employeePage struct {
	Items []struct {
		ID       int64  `json:"id"`
		Username string `json:"username"`
	} `json:"items"`
	Total *int   `json:"total"`
	Next  string `json:"next"`
}

// addEmployees adds n employees to Acme whose names repeat, so every sort
// has ties that only the id breaks.
func addEmployees(t *testing.T, env *apptest.Env, prefix string, n int) {
	t.Helper()
	f := env.Fixture
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: env.ID("acme.admin"), Username: "acme.admin", ProviderID: f.Provider.ID})
	reqs := make([]directory.EmployeeCreateRequest, n)
	for i := range reqs {
		reqs[i] = directory.EmployeeCreateRequest{Username: fmt.Sprintf("%s%03d", prefix, i),
			FirstName: []string{"Ann", "bob", "Émile"}[i%3], LastName: []string{"Smith", "smith", "Young", "Ng"}[i%4]}
	}
	if _, err := env.App.Directory.CreateEmployees(ctx, f.Acme.ID, f.Provider.ID, reqs); err != nil {
		t.Fatal(err)
	}
}

// walkEmployees follows next from the first page; between pages it calls
// between (may be nil). It returns the ids in the order seen.
func walkEmployees(t *testing.T, env *apptest.Env, token, query string, between func(page int)) []int64 {
	t.Helper()
	var ids []int64
	after := ""
	for page := 1; ; page++ {
		path := "/api/v1/employees?per_page=7&" + query
		if after != "" {
			path += "&after=" + url.QueryEscape(after)
		}
		res := env.Do(t, token, "GET", path, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, res.Status, res.Body)
		}
		var pg employeePage
		res.JSON(t, &pg)
		if pg.Total != nil {
			t.Fatalf("GET %s: total given without count=true", path)
		}
		for _, e := range pg.Items {
			ids = append(ids, e.ID)
		}
		if pg.Next == "" {
			return ids
		}
		if len(pg.Items) != 7 {
			t.Fatalf("GET %s: %d items and a next cursor", path, len(pg.Items))
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

// TestEmployeeKeysetWalk: walking GET /api/v1/employees by cursor finds
// every employee exactly once, in the order of one big page, for every sort;
// inserts between pages do not make the walk skip or repeat the rows that
// were there; count=true gives the total.
func TestEmployeeKeysetWalk(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		addEmployees(t, env, "walk", 40)
		token := env.Token(t, "acme.admin")
		for _, sort := range []string{"", "last_name", "-last_name", "first_name", "-first_name", "username", "-username", "status", "-status", "created_at", "-created_at"} {
			q := "sort=" + sort
			res := env.Do(t, token, "GET", "/api/v1/employees?per_page=500&count=true&"+q, nil)
			var all employeePage
			res.JSON(t, &all)
			if all.Total == nil || *all.Total != len(all.Items) || all.Next != "" {
				t.Fatalf("sort %q: one page of %d, total %v, next %q", sort, len(all.Items), all.Total, all.Next)
			}
			got := walkEmployees(t, env, token, q, nil)
			if len(got) != len(all.Items) {
				t.Fatalf("sort %q: walk found %d, want %d", sort, len(got), len(all.Items))
			}
			for i, e := range all.Items {
				if got[i] != e.ID {
					t.Fatalf("sort %q: walk row %d is %d, want %d (%s)", sort, i, got[i], e.ID, e.Username)
				}
			}
		}

		// Inserts between pages: every row present at the start is seen once.
		res := env.Do(t, token, "GET", "/api/v1/employees?per_page=500", nil)
		var before employeePage
		res.JSON(t, &before)
		n := 0
		got := walkEmployees(t, env, token, "sort=username", func(page int) {
			n++
			addEmployees(t, env, fmt.Sprintf("ins%d.", n), 3)
		})
		seen := map[int64]int{}
		for _, id := range got {
			seen[id]++
			if seen[id] > 1 {
				t.Errorf("id %d seen twice in a walk with inserts", id)
			}
		}
		for _, e := range before.Items {
			if seen[e.ID] != 1 {
				t.Errorf("%s seen %d times in a walk with inserts, want 1", e.Username, seen[e.ID])
			}
		}
	})
}

// TestEmployeeCursorRefused: a cursor that is not ours, or made for
// another sort, is 400 naming after and what to do; count must be a boolean.
func TestEmployeeCursorRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		addEmployees(t, env, "bad", 10)
		token := env.Token(t, "acme.admin")
		res := env.Do(t, token, "GET", "/api/v1/employees?per_page=2&sort=username", nil)
		var pg employeePage
		res.JSON(t, &pg)
		if pg.Next == "" {
			t.Fatal("no next cursor on a first page of 2")
		}
		forged := base64.RawURLEncoding.EncodeToString([]byte(`{"s":"username","k":[1],"i":"x"}`))
		cases := []struct{ query, want string }{
			{"after=not-a-cursor!", "after: not a cursor"},
			{"after=" + forged + "&sort=username", "after: not a cursor"},
			{"after=" + url.QueryEscape(pg.Next) + "&sort=-status", "made for sort"},
			{"after=" + url.QueryEscape(pg.Next), "made for sort"},
			{"after=" + strings.Repeat("a", 2000), "at most 1024 characters"},
			{"count=yes", "count must be true or false"},
		}
		for _, c := range cases {
			res := env.Do(t, token, "GET", "/api/v1/employees?"+c.query, nil)
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), c.want) {
				t.Errorf("GET ?%s = %d %s, want 400 with %q", clipQ(c.query), res.Status, res.Body, c.want)
			}
		}
	})
}

func clipQ(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}

// TestEmployeeCursorTenantIsolation: a cursor only positions. Taken by a
// peer, a group admin, a reseller admin or an outsider, it lists only what
// that caller's own walk lists; never a row of someone else's scope.
func TestEmployeeCursorTenantIsolation(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		addEmployees(t, env, "iso", 12)
		// A cursor from the very start of acme.admin's walk, sort username.
		res := env.Do(t, env.Token(t, "acme.admin"), "GET", "/api/v1/employees?per_page=1&sort=username", nil)
		var first employeePage
		res.JSON(t, &first)
		if first.Next == "" {
			t.Fatal("no cursor")
		}
		users := append([]string{"acme.admin2", "leeds.admin", "leeds.admin2", "sales.admin", "west.one"}, apptest.Outsiders...)
		for _, u := range users {
			token := env.Token(t, u)
			own := env.Do(t, token, "GET", "/api/v1/employees?per_page=500&sort=username", nil)
			mine := map[int64]bool{}
			if own.Status == http.StatusOK {
				var pg employeePage
				own.JSON(t, &pg)
				for _, e := range pg.Items {
					mine[e.ID] = true
				}
			}
			res := env.Do(t, token, "GET", "/api/v1/employees?per_page=500&sort=username&after="+url.QueryEscape(first.Next), nil)
			if res.Status != own.Status {
				t.Errorf("%s with acme.admin's cursor: %d, without: %d", u, res.Status, own.Status)
				continue
			}
			if res.Status != http.StatusOK {
				continue
			}
			var pg employeePage
			res.JSON(t, &pg)
			for _, e := range pg.Items {
				if !mine[e.ID] {
					t.Errorf("%s with acme.admin's cursor sees %s, outside their own list", u, e.Username)
				}
			}
		}
	})
}
