package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/tlsconfig/tlstest"
)

// TestServeHTTPS: serve terminates TLS with a certificate from files, for
// the portal and the provisioning paths alike, and a certificate written
// over the files is served to new connections without a restart.
func TestServeHTTPS(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := tlstest.WriteCert(t, certFile, keyFile, "first.test")
	firstPEM, _ := os.ReadFile(certFile)

	ctx, cancel := context.WithCancel(context.Background())
	var logs apptest.LogBuffer
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--data", t.TempDir(), "--http", "", "--https", "127.0.0.1:0", "--tls-cert", certFile, "--tls-key", keyFile},
			io.Discard, &logs, false)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	re := regexp.MustCompile(`msg="switchboard listening \(https\)" url=(\S+)`)
	base := ""
	for deadline := time.Now().Add(30 * time.Second); base == "" && time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := re.FindStringSubmatch(logs.String()); m != nil {
			base = strings.TrimSuffix(m[1], "/")
		}
	}
	if base == "" {
		t.Fatalf("no HTTPS listener in the log:\n%s", logs.String())
	}
	if strings.Contains(logs.String(), `msg="switchboard listening" `) {
		t.Errorf("--http \"\" still opened a plain HTTP listener")
	}

	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(firstPEM)
	client := func() *http.Client {
		return &http.Client{Transport: &http.Transport{DisableKeepAlives: true,
			TLSClientConfig: &tls.Config{RootCAs: roots, ServerName: "localhost"}}}
	}
	get := func(path string) (*http.Response, string) {
		t.Helper()
		res, err := client().Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	serial := func(res *http.Response) string {
		return res.TLS.PeerCertificates[0].SerialNumber.String()
	}
	res, body := get("/healthz")
	if res.StatusCode != 200 || body != "ok\n" || serial(res) != first {
		t.Fatalf("healthz over TLS: %d %q, certificate %s (want %s)", res.StatusCode, body, serial(res), first)
	}
	if res, _ := get("/prov/0004f2000abc.cfg"); res.StatusCode != http.StatusNotFound || res.TLS == nil {
		t.Errorf("provisioning path over TLS: %d, want 404 for an unknown phone", res.StatusCode)
	}
	if res, body := get("/login"); res.StatusCode != 200 || !strings.Contains(body, "<form") {
		t.Errorf("portal over TLS: %d", res.StatusCode)
	}

	second := tlstest.WriteCert(t, certFile, keyFile, "second.test")
	later := time.Now().Add(2 * time.Second)
	_ = os.Chtimes(certFile, later, later)
	_ = os.Chtimes(keyFile, later, later)
	secondPEM, _ := os.ReadFile(certFile)
	roots.AppendCertsFromPEM(secondPEM)
	got := ""
	for deadline := time.Now().Add(15 * time.Second); got != second && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		res, _ := get("/healthz")
		got = serial(res)
	}
	if got != second {
		t.Errorf("after replacing the files new connections still get %s, want %s", got, second)
	}
}

// TestServeHTTPSFlags: incomplete or contradictory flags are refused with
// what to do, before anything listens.
func TestServeHTTPSFlags(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", "c.pem", "--tls-key", "k.pem"}, "need --https"},
		{[]string{"--https", "127.0.0.1:0"}, "needs a certificate"},
		{[]string{"--https", "127.0.0.1:0", "--tls-cert", "c.pem"}, "must both be given"},
		{[]string{"--https", "127.0.0.1:0", "--tls-cert", "c.pem", "--tls-key", "k.pem", "--acme-domain", "sb.example.com"}, "not both"},
		{[]string{"--acme-domain", "sb.example.com"}, "need --https"},
	} {
		err := serve(context.Background(), append([]string{"--data", t.TempDir()}, tt.args...), io.Discard, io.Discard, false)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want one mentioning %q", tt.args, err, tt.want)
		}
	}
}

// TestServeACME: with --acme-domain serve listens for HTTPS and answers
// HTTP-01 challenges on --acme-http, redirecting everything else to
// HTTPS. No certificate authority is reachable from the tests, so no
// certificate is obtained: the handshake for a name not configured is
// refused, and the wiring is what is checked.
func TestServeACME(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var logs apptest.LogBuffer
	data := t.TempDir()
	done := make(chan error, 1)
	go func() {
		done <- serve(ctx, []string{"--data", data, "--https", "127.0.0.1:0", "--acme-domain", "sb.example.com",
			"--acme-http", "127.0.0.1:0", "--acme-email", "ops@example.com", "--acme-directory", "http://127.0.0.1:1/directory"}, io.Discard, &logs, false)
	}()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()
	urlOf := func(msg string) string {
		re := regexp.MustCompile(`msg="` + regexp.QuoteMeta(msg) + `".* url=(\S+)`)
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if m := re.FindStringSubmatch(logs.String()); m != nil {
				return strings.TrimSuffix(m[1], "/")
			}
		}
		t.Fatalf("no %q in the log:\n%s", msg, logs.String())
		return ""
	}
	challenges := urlOf("acme challenges listening")
	https := urlOf("switchboard listening (https)")
	if st, err := os.Stat(filepath.Join(data, "acme")); err != nil || !st.IsDir() {
		t.Errorf("ACME cache in the data directory: %v", err)
	}
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequest("GET", challenges+"/prov/0004f2000001.cfg", nil)
	req.Host = "sb.example.com"
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusFound || res.Header.Get("Location") != "https://sb.example.com/prov/0004f2000001.cfg" {
		t.Errorf("port 80: %d %q, want a redirect to HTTPS", res.StatusCode, res.Header.Get("Location"))
	}
	req, _ = http.NewRequest("GET", challenges+"/.well-known/acme-challenge/unknown", nil)
	req.Host = "sb.example.com"
	if res, err = noRedirect.Do(req); err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown HTTP-01 token: %d, want 404", res.StatusCode)
	}
	conn, err := tls.Dial("tcp", strings.TrimPrefix(https, "https://"), &tls.Config{ServerName: "stranger.example.org", InsecureSkipVerify: true})
	if err == nil {
		conn.Close()
		t.Errorf("a handshake for a name not configured succeeded")
	}
}
