package cli

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
)

// TestServeMetricsOnTheirOwnAddress: /metrics answers on --metrics only; the
// public --http listener does not serve it.
func TestServeMetricsOnTheirOwnAddress(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var logs apptest.LogBuffer
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--data", t.TempDir(), "--http", "127.0.0.1:0", "--metrics", "127.0.0.1:0"}, io.Discard, &logs, false)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	urlOf := func(msg string) string {
		re := regexp.MustCompile(`msg="` + msg + `".* url=(\S+)`)
		deadline := time.Now().Add(30 * time.Second)
		for time.Now().Before(deadline) {
			if m := re.FindStringSubmatch(logs.String()); m != nil {
				return m[1]
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Fatalf("no %q in the log:\n%s", msg, logs.String())
		return ""
	}
	public := strings.TrimSuffix(urlOf("switchboard listening"), "/")
	metrics := urlOf("metrics listening")
	get := func(url string) (int, string) {
		res, err := http.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if code, _ := get(public + "/healthz"); code != 200 {
		t.Fatalf("healthz: %d", code)
	}
	if code, body := get(public + "/metrics"); code == 200 && strings.Contains(body, "switchboard_http_requests_total") {
		t.Errorf("the public listener serves metrics")
	}
	if code, body := get(metrics); code != 200 || !strings.Contains(body, `route="GET /healthz"`) {
		t.Errorf("metrics listener: %d %.500s", code, body)
	}
}
