// Package tlsconfig is how `serve` terminates HTTPS itself
// (docs/deploy.md, "HTTPS"): a certificate and key from PEM files, read
// again when the files change so a renewed certificate is served without a
// restart, or certificates obtained over ACME (Let's Encrypt) with
// golang.org/x/crypto/acme/autocert.
package tlsconfig

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// RecheckInterval is how often, at most, the certificate files are looked
// at (their size and modification time) during handshakes: a renewed
// certificate is served to new connections within this interval.
const RecheckInterval = time.Second

// Server returns the TLS settings of the HTTPS listener around
// getCertificate: TLS 1.2 or later, HTTP/2 and HTTP/1.1.
func Server(getCertificate func(*tls.ClientHelloInfo) (*tls.Certificate, error)) *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: getCertificate, NextProtos: []string{"h2", "http/1.1"}}
}

// FileCertificate serves the certificate in a pair of PEM files and reads
// them again when either changes. A pair that does not load (a renewal
// caught half written, a key that does not match) is logged and the
// previous certificate is kept until the files load again.
type FileCertificate struct {
	certFile, keyFile string
	logger            *slog.Logger
	interval          time.Duration
	now               func() time.Time

	mu        sync.Mutex
	cert      *tls.Certificate
	loaded    [2]fileStamp // of the pair now served
	failed    [2]fileStamp // of the last pair that did not load (logged once)
	checkedAt time.Time
}

type fileStamp struct {
	size    int64
	modTime time.Time
}

// LoadFiles reads the pair; an error names what is wrong with which file,
// so `serve` refuses to start rather than serve no certificate.
func LoadFiles(certFile, keyFile string, logger *slog.Logger) (*FileCertificate, error) {
	if certFile == "" || keyFile == "" {
		return nil, errors.New("tls: --tls-cert and --tls-key must both be given (PEM files of the certificate chain and its private key)")
	}
	if logger == nil {
		logger = slog.Default()
	}
	f := &FileCertificate{certFile: certFile, keyFile: keyFile, logger: logger, interval: RecheckInterval, now: time.Now}
	stamps, err := f.stamps()
	if err != nil {
		return nil, err
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: load certificate %s and key %s: %w", certFile, keyFile, err)
	}
	f.cert, f.loaded, f.checkedAt = &cert, stamps, f.now()
	return f, nil
}

func (f *FileCertificate) stamps() ([2]fileStamp, error) {
	var out [2]fileStamp
	for i, name := range []string{f.certFile, f.keyFile} {
		st, err := os.Stat(name)
		if err != nil {
			return out, fmt.Errorf("tls: %w", err)
		}
		out[i] = fileStamp{size: st.Size(), modTime: st.ModTime()}
	}
	return out, nil
}

// GetCertificate is tls.Config.GetCertificate: the current certificate,
// after looking whether the files changed if they were not looked at
// within the interval.
func (f *FileCertificate) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if now.Sub(f.checkedAt) < f.interval {
		return f.cert, nil
	}
	f.checkedAt = now
	stamps, err := f.stamps()
	if err != nil {
		if stamps != f.failed {
			f.logger.Warn("tls: certificate files unreadable; serving the previous certificate", "err", err)
			f.failed = stamps
		}
		return f.cert, nil
	}
	if stamps == f.loaded {
		return f.cert, nil
	}
	cert, err := tls.LoadX509KeyPair(f.certFile, f.keyFile)
	if err != nil {
		if stamps != f.failed {
			f.logger.Warn("tls: changed certificate files do not load; serving the previous certificate", "cert", f.certFile, "key", f.keyFile, "err", err)
			f.failed = stamps
		}
		return f.cert, nil
	}
	f.cert, f.loaded = &cert, stamps
	f.logger.Info("tls: certificate reloaded", "cert", f.certFile)
	return f.cert, nil
}

// ACME are the settings of certificates obtained automatically.
type ACME struct {
	// Domains the node may obtain certificates for (every name phones and
	// browsers use); a handshake for any other name is refused, so a
	// stranger cannot make the node ask for certificates.
	Domains []string
	// CacheDir keeps the account key and the certificates across restarts
	// (Let's Encrypt limits how often one may ask).
	CacheDir string
	// Email is given to the certificate authority for expiry notices.
	Email string
	// DirectoryURL is the ACME directory; empty: Let's Encrypt production.
	DirectoryURL string
}

// ParseDomains splits a comma-separated --acme-domain value.
func ParseDomains(s string) []string {
	var out []string
	for _, d := range strings.Split(s, ",") {
		if d = strings.ToLower(strings.TrimSpace(d)); d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Manager checks the settings and returns the autocert manager: its
// GetCertificate for the HTTPS listener (answering TLS-ALPN-01 challenges
// there), its HTTPHandler for port 80 (HTTP-01 challenges; every other
// request redirected to HTTPS).
func (c ACME) Manager() (*autocert.Manager, error) {
	if len(c.Domains) == 0 {
		return nil, errors.New("tls: --acme-domain needs at least one domain name, e.g. switchboard.example.com")
	}
	for _, d := range c.Domains {
		if strings.ContainsAny(d, "/: ") || !strings.Contains(d, ".") {
			return nil, fmt.Errorf("tls: --acme-domain %q is not a domain name (e.g. switchboard.example.com)", d)
		}
	}
	if c.CacheDir == "" {
		return nil, errors.New("tls: --acme-cache must name a directory to keep the ACME account and certificates in")
	}
	if err := os.MkdirAll(c.CacheDir, 0o700); err != nil {
		return nil, fmt.Errorf("tls: ACME cache directory: %w", err)
	}
	m := &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(c.CacheDir),
		HostPolicy: autocert.HostWhitelist(c.Domains...),
		Email:      c.Email,
	}
	if c.DirectoryURL != "" {
		m.Client = &acme.Client{DirectoryURL: c.DirectoryURL}
	}
	return m, nil
}

// ACMEServer is the TLS configuration of an ACME-managed listener: the
// manager's (which also offers the acme-tls/1 protocol) with TLS 1.2 or
// later.
func ACMEServer(m *autocert.Manager) *tls.Config {
	cfg := m.TLSConfig()
	cfg.MinVersion = tls.VersionTLS12
	return cfg
}

// ChallengeHandler is what listens on port 80 next to an ACME-managed
// HTTPS listener: HTTP-01 challenges answered, everything else
// redirected to HTTPS.
func ChallengeHandler(m *autocert.Manager) http.Handler { return m.HTTPHandler(nil) }
