package provisioning_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/provisioning"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestChangesReachTheNextFetch: the node keeps devices and files in memory
// (docs/provisioning.md, "Caching and staleness"), yet a change made on
// the node is in the very next fetch: a new name gives a new file and a
// new ETag, a deleted device is 404.
func TestChangesReachTheNextFetch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := setup(t, db)
		a, f := env.App, env.Fixture
		west := env.ID("west.one")
		p := newPhone(t, env, "Yealink", "T46G", "805EC0000101", west)
		spare := newPhone(t, env, "Yealink", "T46G", "805EC0000102", 0)
		client, base := env.Server.Client(), env.Server.URL

		res, body := fetch(t, client, base, "/prov/805ec0000101.cfg", p.cred.Username, p.cred.Secret, nil)
		etag := res.Header.Get("ETag")
		if res.StatusCode != 200 || !strings.Contains(body, "account.1.display_name = Wendy West") {
			t.Fatalf("first fetch: %d %s", res.StatusCode, body)
		}
		first := "Wilma"
		if _, err := a.Directory.UpdateEmployee(ctx, west, directory.EmployeeUpdateRequest{FirstName: &first}); err != nil {
			t.Fatal(err)
		}
		res, body = fetch(t, client, base, "/prov/805ec0000101.cfg", p.cred.Username, p.cred.Secret, http.Header{"If-None-Match": {etag}})
		if res.StatusCode != 200 || !strings.Contains(body, "account.1.display_name = Wilma West") || res.Header.Get("ETag") == etag {
			t.Errorf("after the rename: %d, ETag %q (was %q)\n%s", res.StatusCode, res.Header.Get("ETag"), etag, body)
		}

		if res, _ := fetch(t, client, base, "/prov/805ec0000102.cfg", spare.cred.Username, spare.cred.Secret, nil); res.StatusCode != 200 {
			t.Fatalf("spare phone: %d", res.StatusCode)
		}
		if err := a.Devices.Delete(ctx, f.Acme.ID, spare.device.ID); err != nil {
			t.Fatal(err)
		}
		if res, _ := fetch(t, client, base, "/prov/805ec0000102.cfg", spare.cred.Username, spare.cred.Secret, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("deleted phone: %d, want 404", res.StatusCode)
		}
	})
}

// TestCachedFetchReadsNoDatabase counts the statements a fetch runs: none
// for a known phone whose company did not change, one revision read after
// this node committed something, and the device read again after a change
// of its company.
func TestCachedFetchReadsNoDatabase(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		env := setup(t, db)
		a := env.App
		p := newPhone(t, env, "Yealink", "T46G", "805EC0000201", env.ID("west.one"))
		mux := http.NewServeMux()
		a.Provisioning.Register(mux)
		statements := func() int64 {
			t.Helper()
			sctx, counter := store.WithStatementCounter(ctx)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest("GET", "/prov/805ec0000201.cfg", nil).WithContext(sctx))
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("challenge: %d", rec.Code)
			}
			nonce := nonceRE.FindStringSubmatch(rec.Header().Get("WWW-Authenticate"))[1]
			req := httptest.NewRequest("GET", "/prov/805ec0000201.cfg", nil).WithContext(sctx)
			req.Header.Set("Authorization", authorization(p.cred.Username, p.cred.Secret, nonce, "/prov/805ec0000201.cfg"))
			rec = httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != 200 {
				t.Fatalf("fetch: %d %s", rec.Code, rec.Body)
			}
			return counter.N()
		}
		statements() // reads the device and renders the file
		if n := statements(); n != 0 {
			t.Errorf("a cached fetch ran %d statements, want none", n)
		}
		// A commit on this node that does not touch the company's
		// configuration: one read of the revision, then none again.
		if _, err := storetest.Exec(ctx, db, "UPDATE devices SET last_provisioned_at = 1 WHERE id = ?", p.device.ID); err != nil {
			t.Fatal(err)
		}
		if n := statements(); n != 1 {
			t.Errorf("after an unrelated commit a fetch ran %d statements, want 1 (the revision)", n)
		}
		if n := statements(); n != 0 {
			t.Errorf("then %d statements, want none", n)
		}
		// Any other change of the device row moves the company's
		// revision (a trigger): the device is read again.
		if _, err := storetest.Exec(ctx, db, "UPDATE devices SET label = 'Reception' WHERE id = ?", p.device.ID); err != nil {
			t.Fatal(err)
		}
		if n := statements(); n < 2 {
			t.Errorf("after a change of the device a fetch ran %d statements, want the revision and the device read again", n)
		}
	})
}

// TestOtherNodeSeesChanges: two nodes on one database; what an
// administrator changes through one is served by the other within
// provisioning.RevisionCheckInterval.
func TestOtherNodeSeesChanges(t *testing.T) {
	storetest.EnginesTwoNodes(t, func(t *testing.T, db1, db2 *store.DB) {
		ctx := context.Background()
		env := setup(t, db1)
		a, f := env.App, env.Fixture
		west := env.ID("west.one")
		p := newPhone(t, env, "Yealink", "T46G", "805EC0000301", west)
		spare := newPhone(t, env, "Yealink", "T46G", "805EC0000302", 0)

		node2 := app.New(db2, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
		node2.Devices.Lines.Sealer, node2.Devices.Lines.Domain = a.Devices.Lines.Sealer, a.Devices.Lines.Domain
		if err := node2.Provisioning.SetRegistrar(a.Provisioning.CurrentRegistrar()); err != nil {
			t.Fatal(err)
		}
		mux := http.NewServeMux()
		node2.Provisioning.Register(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		defer node2.Provisioning.FlushLastSeen()
		client := srv.Client()

		res, body := fetch(t, client, srv.URL, "/prov/805ec0000301.cfg", p.cred.Username, p.cred.Secret, nil)
		if res.StatusCode != 200 || !strings.Contains(body, "Wendy West") {
			t.Fatalf("node 2, first fetch: %d %s", res.StatusCode, body)
		}
		etag := res.Header.Get("ETag")
		if res, _ := fetch(t, client, srv.URL, "/prov/805ec0000302.cfg", spare.cred.Username, spare.cred.Secret, nil); res.StatusCode != 200 {
			t.Fatalf("node 2, spare phone: %d", res.StatusCode)
		}

		first := "Wilma"
		if _, err := a.Directory.UpdateEmployee(ctx, west, directory.EmployeeUpdateRequest{FirstName: &first}); err != nil {
			t.Fatal(err)
		}
		if err := a.Devices.Delete(ctx, f.Acme.ID, spare.device.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(provisioning.RevisionCheckInterval + 20*time.Millisecond)
		res, body = fetch(t, client, srv.URL, "/prov/805ec0000301.cfg", p.cred.Username, p.cred.Secret, nil)
		if res.StatusCode != 200 || !strings.Contains(body, "Wilma West") || res.Header.Get("ETag") == etag {
			t.Errorf("node 2 after the bound: %d, ETag %q (was %q)\n%s", res.StatusCode, res.Header.Get("ETag"), etag, body)
		}
		if res, _ := fetch(t, client, srv.URL, "/prov/805ec0000302.cfg", spare.cred.Username, spare.cred.Secret, nil); res.StatusCode != http.StatusNotFound {
			t.Errorf("node 2, deleted phone after the bound: %d, want 404", res.StatusCode)
		}
	})
}

// TestDigestReplayRefused: an authenticated request sent again (same
// nonce, same count) is challenged afresh; the next count is accepted.
func TestDigestReplayRefused(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := setup(t, db)
		p := newPhone(t, env, "Yealink", "T46G", "805EC0000401", env.ID("west.one"))
		client, base := env.Server.Client(), env.Server.URL
		path := "/prov/805ec0000401.cfg"
		res, _ := fetch(t, client, base, path, "", "", nil)
		nonce := nonceRE.FindStringSubmatch(res.Header.Get("WWW-Authenticate"))[1]
		send := func(auth string) *http.Response {
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set("Authorization", auth)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return res
		}
		auth := authorizationCount(p.cred.Username, p.cred.Secret, nonce, path, 1)
		if res := send(auth); res.StatusCode != 200 {
			t.Fatalf("first use: %d", res.StatusCode)
		}
		res = send(auth)
		if res.StatusCode != http.StatusUnauthorized || !strings.Contains(res.Header.Get("WWW-Authenticate"), "stale=true") {
			t.Errorf("replay: %d %q, want 401 with stale=true", res.StatusCode, res.Header.Get("WWW-Authenticate"))
		}
		if res := send(authorizationCount(p.cred.Username, p.cred.Secret, nonce, path, 2)); res.StatusCode != 200 {
			t.Errorf("next count: %d", res.StatusCode)
		}
		if res := send(authorizationCount(p.cred.Username, p.cred.Secret, nonce, path, 2)); res.StatusCode != http.StatusUnauthorized {
			t.Errorf("count 2 again: %d", res.StatusCode)
		}
	})
}
