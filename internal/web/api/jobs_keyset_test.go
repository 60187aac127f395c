package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestJobsKeysetWalk: walking GET /api/v1/jobs and GET /api/v1/imports by
// cursor finds every job once, newest first as one big page, also while jobs are added between
// pages; another company's admin or a group admin holding acme.admin's
// cursor lists only their own jobs; a bad cursor is 400.
func TestJobsKeysetWalk(t *testing.T) {
	for _, list := range []struct{ path, kind string }{{"/api/v1/jobs", "activate_employees"}, {"/api/v1/imports", "import_employees"}} {
		t.Run(strings.TrimPrefix(list.path, "/api/v1/"), func(t *testing.T) { testJobsKeysetWalk(t, list.path, list.kind) })
	}
}

func testJobsKeysetWalk(t *testing.T, list, kind string) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		env.AddCast(t)
		f := env.Fixture
		enqueue := func(n int) {
			t.Helper()
			ctx := audit.WithActor(context.Background(), audit.Actor{ID: env.ID("acme.admin"), Username: "acme.admin", ProviderID: f.Provider.ID})
			for range n {
				if _, err := env.App.Jobs.Enqueue(ctx, jobs.Job{CompanyID: f.Acme.ID, Kind: kind}); err != nil {
					t.Fatal(err)
				}
			}
		}
		enqueue(11)
		token := env.Token(t, "acme.admin")
		walk := func(token string, between func()) []int64 {
			t.Helper()
			var ids []int64
			after := ""
			for page := 1; page < 100; page++ {
				path := list + "?per_page=3"
				if after != "" {
					path += "&after=" + url.QueryEscape(after)
				}
				res := env.Do(t, token, "GET", path, nil)
				if res.Status != http.StatusOK {
					t.Fatalf("GET %s = %d %s", path, res.Status, res.Body)
				}
				var pg auditPage
				res.JSON(t, &pg)
				for _, j := range pg.Items {
					ids = append(ids, j.ID)
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
		var all auditPage
		env.Do(t, token, "GET", list+"?per_page=500&count=true", nil).JSON(t, &all)
		if all.Total == nil || *all.Total != len(all.Items) || len(all.Items) < 11 {
			t.Fatalf("one page: %d jobs, total %v", len(all.Items), all.Total)
		}
		got := walk(token, nil)
		if len(got) != len(all.Items) {
			t.Fatalf("walk found %d jobs, want %d", len(got), len(all.Items))
		}
		for i, j := range all.Items {
			if got[i] != j.ID {
				t.Fatalf("walk job %d is %d, want %d", i, got[i], j.ID)
			}
		}
		seen := map[int64]int{}
		for _, id := range walk(token, func() { enqueue(2) }) {
			seen[id]++
		}
		for _, j := range all.Items {
			if seen[j.ID] != 1 {
				t.Errorf("job %d seen %d times in a walk with inserts, want 1", j.ID, seen[j.ID])
			}
		}

		var first auditPage
		env.Do(t, token, "GET", list+"?per_page=1", nil).JSON(t, &first)
		for _, u := range []string{"globex.admin", "sales.admin"} {
			tok := env.Token(t, u)
			var own, theirs auditPage
			env.Do(t, tok, "GET", list+"?per_page=500", nil).JSON(t, &own)
			res := env.Do(t, tok, "GET", list+"?per_page=500&after="+url.QueryEscape(first.Next), nil)
			if res.Status != http.StatusOK {
				t.Fatalf("%s with a cursor: %d %s", u, res.Status, res.Body)
			}
			res.JSON(t, &theirs)
			ok := map[int64]bool{}
			for _, j := range own.Items {
				ok[j.ID] = true
			}
			for _, j := range theirs.Items {
				if !ok[j.ID] {
					t.Errorf("%s with acme.admin's cursor sees job %d, outside their own list", u, j.ID)
				}
			}
		}
		res := env.Do(t, token, "GET", list+"?after=nope", nil)
		if res.Status != http.StatusBadRequest || !strings.Contains(string(res.Body), "after") {
			t.Errorf("jobs after=nope = %d %s, want 400 naming after", res.Status, res.Body)
		}
	})
}
