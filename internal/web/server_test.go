package web_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web"
)

func get(t *testing.T, url string, header ...string) (int, http.Header, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(b)
}

func TestOperationalEndpoints(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	// A node of its own, to reach its metrics handler.
	node, err := web.New(env.App)
	if err != nil {
		t.Fatal(err)
	}
	public := httptest.NewServer(node)
	defer public.Close()
	metrics := httptest.NewServer(node.Metrics())
	defer metrics.Close()
	base := public.URL
	if code, _, body := get(t, base+"/healthz"); code != 200 || body != "ok\n" {
		t.Errorf("healthz: %d %q", code, body)
	}
	if code, _, body := get(t, base+"/readyz"); code != 200 || body != "ready\n" {
		t.Errorf("readyz: %d %q", code, body)
	}
	// The public listener has no metrics: they are on their own address.
	if code, _, body := get(t, base+"/metrics"); code != 404 || strings.Contains(body, "switchboard_http_requests_total") {
		t.Errorf("public /metrics: %d %.200q", code, body)
	}
	code, h, body := get(t, metrics.URL+"/metrics")
	if code != 200 || !strings.Contains(body, `switchboard_http_requests_total{code="200",method="GET",route="GET /readyz"} 1`) {
		t.Errorf("metrics: %d, missing the readyz request counter in:\n%.2000s", code, body)
	}
	if !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Errorf("metrics content type %q", h.Get("Content-Type"))
	}
	// A database that goes away makes the node unready, not unhealthy.
	env.App.DB.Close()
	if code, _, body := get(t, base+"/readyz"); code != 503 || !strings.Contains(body, "database unreachable") {
		t.Errorf("readyz without database: %d %q", code, body)
	}
	if code, _, _ := get(t, base+"/healthz"); code != 200 {
		t.Errorf("healthz without database: %d", code)
	}
}

func TestAPIErrorsAreProblems(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	tests := []struct {
		name   string
		path   string
		header []string
		status int
		detail string
	}{
		{"unknown API path", "/api/v1/nothing-here", nil, 404, "no API endpoint GET /api/v1/nothing-here"},
		{"no credentials", "/api/v1/auth/me", nil, 401, "log in first"},
		{"malformed authorization", "/api/v1/auth/me", []string{"Authorization", "Basic abc"}, 401, "must be 'Bearer <token>'"},
		{"unknown token", "/api/v1/auth/me", []string{"Authorization", "Bearer nope"}, 401, "unknown or has expired"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, h, body := get(t, env.Server.URL+tt.path, tt.header...)
			if code != tt.status || h.Get("Content-Type") != "application/problem+json" || !strings.Contains(body, tt.detail) {
				t.Errorf("%d %s %s", code, h.Get("Content-Type"), body)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("missing security headers: %v", h)
			}
		})
	}
}

// TestOversizedFormIsRefused: a form body past the bound is not read into
// memory; the request fails as a client error.
func TestOversizedFormIsRefused(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	body := strings.NewReader("username=a&password=" + strings.Repeat("x", 12<<20))
	res, err := http.Post(env.Server.URL+"/login", "application/x-www-form-urlencoded", body)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode < 400 || res.StatusCode >= 500 {
		t.Errorf("status %d, want a 4xx", res.StatusCode)
	}
}

// TestLoginLimitPerForwardedClient: behind a trusted proxy the login rate
// limit counts each client, not the proxy; an untrusted caller's
// X-Forwarded-For changes nothing.
func TestLoginLimitPerForwardedClient(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	login := func(base, forwardedFor string, i int) int {
		t.Helper()
		req, _ := http.NewRequest("POST", base+"/api/v1/auth/login",
			strings.NewReader(fmt.Sprintf(`{"username":"nobody%d","password":"wrong"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", forwardedFor)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	exhaust := func(base, forwardedFor string) {
		t.Helper()
		for i := range 20 {
			if code := login(base, forwardedFor, i); code == http.StatusTooManyRequests {
				t.Fatalf("attempt %d limited already", i+1)
			}
		}
		if code := login(base, forwardedFor, 21); code != http.StatusTooManyRequests {
			t.Fatalf("attempt 21 from %s: %d, want 429", forwardedFor, code)
		}
	}

	h, err := web.New(env.App)
	if err != nil {
		t.Fatal(err)
	}
	proxies, _ := web.ParseTrustedProxies("127.0.0.1")
	h.TrustProxies(proxies)
	behindProxy := httptest.NewServer(h)
	defer behindProxy.Close()
	exhaust(behindProxy.URL, "198.51.100.1")
	if code := login(behindProxy.URL, "198.51.100.2", 0); code != http.StatusUnauthorized {
		t.Errorf("another client behind the proxy: %d, want 401", code)
	}

	// The default server trusts nobody: a changed header is the same caller.
	exhaust(env.Server.URL, "198.51.100.3")
	if code := login(env.Server.URL, "198.51.100.4", 0); code != http.StatusTooManyRequests {
		t.Errorf("forged X-Forwarded-For escaped the limit: %d", code)
	}
}
