package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

type auditPage struct {
	Items []struct {
		ID int64 `json:"id"`
	} `json:"items"`
	Total *int   `json:"total"`
	Next  string `json:"next"`
}

// walkAudit follows next through GET /api/v1/audit in pages of 4, calling
// between after each page but the last.
func walkAudit(t *testing.T, env *apptest.Env, token, query string, between func()) []int64 {
	t.Helper()
	var ids []int64
	after := ""
	for page := 1; page < 500; page++ {
		path := "/api/v1/audit?per_page=4" + query
		if after != "" {
			path += "&after=" + url.QueryEscape(after)
		}
		res := env.Do(t, token, "GET", path, nil)
		if res.Status != http.StatusOK {
			t.Fatalf("GET %s = %d %s", path, res.Status, res.Body)
		}
		var pg auditPage
		res.JSON(t, &pg)
		for _, e := range pg.Items {
			ids = append(ids, e.ID)
		}
		if pg.Next == "" {
			return ids
		}
		if between != nil {
			between()
		}
		after = pg.Next
	}
	t.Fatal("walk does not end")
	return nil
}

// TestAuditKeysetWalk: walking the audit log by cursor finds every entry
// once, newest first as one big page, also while new entries are written
// between pages; a cursor taken by another company's admin, a reseller or
// a peer lists only what their own walk lists; a bad cursor is 400.
func TestAuditKeysetWalk(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		addEmployees(t, env, "aud", 5)
		token := env.Token(t, "acme.admin")
		res := env.Do(t, token, "GET", "/api/v1/audit?per_page=500&count=true", nil)
		var all auditPage
		res.JSON(t, &all)
		if all.Total == nil || *all.Total != len(all.Items) || len(all.Items) < 10 || all.Next != "" {
			t.Fatalf("one page: %d entries, total %v, next %q", len(all.Items), all.Total, all.Next)
		}
		got := walkAudit(t, env, token, "", nil)
		if len(got) != len(all.Items) {
			t.Fatalf("walk found %d entries, want %d", len(got), len(all.Items))
		}
		for i, e := range all.Items {
			if got[i] != e.ID {
				t.Fatalf("walk entry %d is %d, want %d", i, got[i], e.ID)
			}
		}

		// New entries between pages are newer than the walk: every entry
		// there at the start is still seen exactly once.
		n := 0
		got = walkAudit(t, env, token, "", func() {
			n++
			addEmployees(t, env, "audins"+strings.Repeat("x", n)+".", 1)
		})
		seen := map[int64]int{}
		for _, id := range got {
			seen[id]++
		}
		for _, e := range all.Items {
			if seen[e.ID] != 1 {
				t.Errorf("entry %d seen %d times in a walk with inserts, want 1", e.ID, seen[e.ID])
			}
		}

		res = env.Do(t, token, "GET", "/api/v1/audit?per_page=1", nil)
		var first auditPage
		res.JSON(t, &first)
		for _, u := range append([]string{"acme.admin2", "acme.reseller", "operator"}, apptest.Outsiders...) {
			tok := env.Token(t, u)
			own := env.Do(t, tok, "GET", "/api/v1/audit?per_page=500", nil)
			withCursor := env.Do(t, tok, "GET", "/api/v1/audit?per_page=500&after="+url.QueryEscape(first.Next), nil)
			if own.Status != withCursor.Status {
				t.Errorf("%s: %d with acme.admin's cursor, %d without", u, withCursor.Status, own.Status)
				continue
			}
			if own.Status != http.StatusOK {
				continue
			}
			var mine, theirs auditPage
			own.JSON(t, &mine)
			withCursor.JSON(t, &theirs)
			ok := map[int64]bool{}
			for _, e := range mine.Items {
				ok[e.ID] = true
			}
			for _, e := range theirs.Items {
				if !ok[e.ID] {
					t.Errorf("%s with acme.admin's cursor reads entry %d, outside their own log", u, e.ID)
				}
			}
		}

		empCursor := env.Do(t, token, "GET", "/api/v1/employees?per_page=1", nil)
		var ep employeePage
		empCursor.JSON(t, &ep)
		for _, after := range []string{"%%%", ep.Next} {
			res := env.Do(t, token, "GET", "/api/v1/audit?after="+url.QueryEscape(after), nil)
			if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "after") {
				t.Errorf("audit after=%q = %d %s, want 400 naming after", after, res.Status, res.Body)
			}
		}
	})
}
