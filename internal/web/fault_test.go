package web_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web"
	"github.com/switchboard-voice/switchboard/internal/web/api"
	"github.com/switchboard-voice/switchboard/internal/web/request"
	"github.com/switchboard-voice/switchboard/internal/web/ui"
)

// TestDatabaseFaultIsInternal closes the database under authenticated
// requests that would otherwise succeed and expects both faces to answer
// 500 with the generic sentence, the fault logged whole — never a field
// error or "does not exist".
func TestDatabaseFaultIsInternal(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		var logged bytes.Buffer
		env.App.Logger = slog.New(slog.NewTextHandler(&logged, nil))
		admin := env.Fixture.Accounts["acme.admin"]
		target := strconv.FormatInt(env.ID("support.one"), 10)
		leeds := strconv.FormatInt(env.Fixture.Leeds.ID, 10)

		apiMux := http.NewServeMux()
		api.New(env.App).Register(apiMux)
		pages, err := ui.New(env.App)
		if err != nil {
			t.Fatal(err)
		}
		uiMux := http.NewServeMux()
		pages.Register(uiMux)

		type call struct {
			name, method, path, contentType, body string
			mux                                   *http.ServeMux
		}
		form := func(v url.Values) string { return v.Encode() }
		calls := []call{
			{"api create group", "POST", "/api/v1/groups", "application/json", `{"parent_id":` + leeds + `,"name":"Fault Finding"}`, apiMux},
			{"api modify employee", "PATCH", "/api/v1/employees/" + target, "application/json", `{"first_name":"Ada"}`, apiMux},
			{"ui create group", "POST", "/groups/new", "application/x-www-form-urlencoded", form(url.Values{"parent_id": {leeds}, "name": {"Fault Finding"}}), uiMux},
			{"ui modify employee", "POST", "/employees/" + target, "application/x-www-form-urlencoded",
				form(url.Values{"first_name": {"Ada"}, "last_name": {"One"}, "email": {"ada@acme.example"}}), uiMux},
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			t.Run(c.name, func(t *testing.T) {
				logged.Reset()
				req := httptest.NewRequest(c.method, c.path, strings.NewReader(c.body))
				req.Header.Set("Content-Type", c.contentType)
				req = req.WithContext(request.WithAuth(context.Background(), request.Auth{Account: admin}))
				rec := httptest.NewRecorder()
				c.mux.ServeHTTP(rec, req)
				body := rec.Body.String()
				if rec.Code != http.StatusInternalServerError {
					t.Fatalf("status %d, want 500; body: %.400s", rec.Code, body)
				}
				if strings.Contains(body, "closed") || strings.Contains(body, "does not exist") {
					t.Errorf("the fault's text reached the client: %.400s", body)
				}
				if !strings.Contains(strings.ToLower(body), "something went wrong") {
					t.Errorf("no generic sentence in %.400s", body)
				}
				if !strings.Contains(logged.String(), "database is closed") {
					t.Errorf("the fault was not logged whole: %s", logged.String())
				}
			})
		}
	})
}

// TestClientCloseIsNotAFault: a request whose client has gone (its context
// cancelled) is logged as a client close and counted under status 499, not
// as a 500 fault — on the API and on the pages.
func TestClientCloseIsNotAFault(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	var logged bytes.Buffer
	env.App.Logger = slog.New(slog.NewTextHandler(&logged, nil))
	token := env.Token(t, "acme.admin")
	node, err := web.New(env.App)
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/api/v1/groups", "/employees"} {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		req := httptest.NewRequest("GET", path, nil).WithContext(ctx)
		if strings.HasPrefix(path, "/api/") {
			req.Header.Set("Authorization", "Bearer "+token)
		} else {
			req.AddCookie(&http.Cookie{Name: request.SessionCookie, Value: token})
		}
		node.ServeHTTP(httptest.NewRecorder(), req)
	}
	if strings.Contains(logged.String(), "level=ERROR") {
		t.Errorf("a client close was logged as an error:\n%s", logged.String())
	}
	if !strings.Contains(logged.String(), "client closed the request") {
		t.Errorf("the client close was not logged:\n%s", logged.String())
	}
	met := httptest.NewRecorder()
	node.Metrics().ServeHTTP(met, httptest.NewRequest("GET", "/metrics", nil))
	if n := strings.Count(met.Body.String(), `switchboard_http_requests_total{code="499"`); n == 0 || strings.Contains(met.Body.String(), `code="500"`) {
		t.Errorf("metrics do not count the closes as 499:\n%s", met.Body.String())
	}
}
