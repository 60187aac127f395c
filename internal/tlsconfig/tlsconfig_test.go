package tlsconfig_test

import (
	"crypto/tls"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/tlsconfig"
	"github.com/switchboard-voice/switchboard/internal/tlsconfig/tlstest"
)

// TestFileCertificateReloads: replacing the files makes the next look
// (after the interval) serve the new certificate; a broken pair keeps the
// previous one.
func TestFileCertificateReloads(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	first := tlstest.WriteCert(t, certFile, keyFile, "first.test")
	f, err := tlsconfig.LoadFiles(certFile, keyFile, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	clock := time.Now()
	tlsconfig.SetClock(f, func() time.Time { return clock })
	serial := func() string {
		t.Helper()
		c, err := f.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil {
			t.Fatal(err)
		}
		return tlstest.Serial(t, c)
	}
	if got := serial(); got != first {
		t.Fatalf("serving %s, want the first certificate %s", got, first)
	}
	second := tlstest.WriteCert(t, certFile, keyFile, "second.test")
	touchLater(t, certFile, keyFile)
	if got := serial(); got != first {
		t.Errorf("within the interval: serving %s, want still the first %s", got, first)
	}
	clock = clock.Add(tlsconfig.RecheckInterval)
	if got := serial(); got != second {
		t.Errorf("after the interval: serving %s, want the second %s", got, second)
	}
	// Half written: a key that does not match. The second stays.
	if err := os.WriteFile(keyFile, []byte("-----BEGIN EC PRIVATE KEY-----\nbroken\n-----END EC PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	touchLater(t, keyFile)
	clock = clock.Add(tlsconfig.RecheckInterval)
	if got := serial(); got != second {
		t.Errorf("broken key: serving %s, want the second %s kept", got, second)
	}
}

// touchLater moves the files' modification time forward, as a renewal
// written within the same clock tick would not.
func touchLater(t *testing.T, names ...string) {
	t.Helper()
	at := time.Now().Add(time.Duration(len(names)) * time.Second)
	for _, n := range names {
		if err := os.Chtimes(n, at, at); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadFilesErrors(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	tlstest.WriteCert(t, certFile, keyFile, "a.test")
	for _, tt := range []struct{ name, cert, key, want string }{
		{"no key", certFile, "", "--tls-key"},
		{"missing file", filepath.Join(dir, "none.pem"), keyFile, "no such file"},
		{"swapped", keyFile, certFile, "load certificate"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tlsconfig.LoadFiles(tt.cert, tt.key, nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// TestACMEWiring checks the ACME settings and the port-80 handler without
// a certificate authority (none is reachable from the tests): HTTP-01
// challenge paths are autocert's, everything else is redirected to HTTPS,
// and a handshake for a name not configured is refused before any
// request to the authority.
func TestACMEWiring(t *testing.T) {
	for _, tt := range []struct {
		name string
		acme tlsconfig.ACME
		want string
	}{
		{"no domain", tlsconfig.ACME{CacheDir: t.TempDir()}, "at least one domain"},
		{"not a domain", tlsconfig.ACME{Domains: []string{"https://x.test/"}, CacheDir: t.TempDir()}, "not a domain name"},
		{"no cache", tlsconfig.ACME{Domains: []string{"sb.example.com"}}, "--acme-cache"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.acme.Manager(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
	if got := tlsconfig.ParseDomains(" SB.example.com, ,prov.example.com"); strings.Join(got, "|") != "sb.example.com|prov.example.com" {
		t.Errorf("ParseDomains: %q", got)
	}
	cache := filepath.Join(t.TempDir(), "acme")
	m, err := tlsconfig.ACME{Domains: []string{"sb.example.com"}, CacheDir: cache, Email: "ops@example.com",
		DirectoryURL: "http://127.0.0.1:1/directory"}.Manager()
	if err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(cache); err != nil || !st.IsDir() || st.Mode().Perm() != 0o700 {
		t.Errorf("cache directory: %v %v", st, err)
	}
	if m.Email != "ops@example.com" || m.Client == nil || m.Client.DirectoryURL != "http://127.0.0.1:1/directory" {
		t.Errorf("manager settings: email %q client %+v", m.Email, m.Client)
	}
	h := tlsconfig.ChallengeHandler(m)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://sb.example.com/prov/0004f2000001.cfg", nil))
	if rec.Code != http.StatusFound || rec.Header().Get("Location") != "https://sb.example.com/prov/0004f2000001.cfg" {
		t.Errorf("plain request on port 80: %d %q, want a redirect to HTTPS", rec.Code, rec.Header().Get("Location"))
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "http://sb.example.com/.well-known/acme-challenge/unknown-token", nil))
	if rec.Code != http.StatusNotFound {
		t.Errorf("unknown HTTP-01 token: %d, want 404 from autocert (not a redirect)", rec.Code)
	}
	cfg := tlsconfig.ACMEServer(m)
	if cfg.MinVersion != tls.VersionTLS12 || !strings.Contains(strings.Join(cfg.NextProtos, ","), "acme-tls/1") {
		t.Errorf("TLS settings: min %x protos %v", cfg.MinVersion, cfg.NextProtos)
	}
	if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "stranger.example.org"}); err == nil {
		t.Errorf("a handshake for a name not configured got a certificate")
	}
}
