package cli

import (
	"crypto/tls"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"time"

	"github.com/switchboard-voice/switchboard/internal/tlsconfig"
)

// httpsFlags are serve's HTTPS listener (docs/deploy.md, "HTTPS"): the
// portal, the API and the phones' provisioning paths alike, with a
// certificate from files (re-read when they change) or over ACME.
type httpsFlags struct {
	addr          string
	certFile      string
	keyFile       string
	acmeDomains   string
	acmeCache     string
	acmeEmail     string
	acmeHTTP      string
	acmeDirectory string
}

func (f *httpsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.addr, "https", "", "HTTPS listen address (e.g. :443): serve terminates TLS itself, with --tls-cert/--tls-key or --acme-domain; --http keeps serving plain HTTP (set it to \"\" to serve HTTPS only)")
	fs.StringVar(&f.certFile, "tls-cert", "", "PEM file of the HTTPS certificate chain; re-read when it changes, without a restart")
	fs.StringVar(&f.keyFile, "tls-key", "", "PEM file of the HTTPS certificate's private key")
	fs.StringVar(&f.acmeDomains, "acme-domain", "", "comma-separated domain names to obtain HTTPS certificates for over ACME (Let's Encrypt) instead of --tls-cert")
	fs.StringVar(&f.acmeCache, "acme-cache", "", "directory keeping the ACME account and certificates (default: <--data>/acme)")
	fs.StringVar(&f.acmeEmail, "acme-email", "", "e-mail address given to the certificate authority for expiry notices (optional)")
	fs.StringVar(&f.acmeHTTP, "acme-http", ":80", "listen address answering ACME HTTP-01 challenges and redirecting other requests to HTTPS (with --acme-domain; \"\" for none)")
	fs.StringVar(&f.acmeDirectory, "acme-directory", "", "ACME directory URL (default: Let's Encrypt production; e.g. its staging directory for trials)")
}

// check refuses contradictory or incomplete flags before anything starts.
func (f *httpsFlags) check() error {
	files := f.certFile != "" || f.keyFile != ""
	acme := f.acmeDomains != ""
	switch {
	case f.addr == "" && (files || acme):
		return errors.New("--tls-cert, --tls-key and --acme-domain need --https (the address to serve HTTPS on, e.g. :443)")
	case f.addr == "":
		return nil
	case files && acme:
		return errors.New("--https takes either --tls-cert/--tls-key or --acme-domain, not both")
	case !files && !acme:
		return errors.New("--https needs a certificate: --tls-cert and --tls-key (PEM files), or --acme-domain to obtain one over ACME")
	case files && (f.certFile == "" || f.keyFile == ""):
		return errors.New("--tls-cert and --tls-key must both be given (the certificate chain and its private key, PEM)")
	}
	return nil
}

// start listens for HTTPS (and, with ACME, for its HTTP-01 challenges)
// when --https is set, serving handler; listener errors go to errc. It
// returns the server and its URL, or nil when --https is not set.
func (f *httpsFlags) start(handler http.Handler, dataDir string, logger *slog.Logger, errc chan<- error) (*http.Server, string, error) {
	if f.addr == "" {
		return nil, "", nil
	}
	var cfg *tls.Config
	source := ""
	if f.acmeDomains != "" {
		cache := f.acmeCache
		if cache == "" {
			if dataDir == "" {
				return nil, "", errors.New("--acme-domain needs --acme-cache (or --data) to keep the ACME account and certificates in")
			}
			cache = filepath.Join(dataDir, "acme")
		}
		m, err := tlsconfig.ACME{Domains: tlsconfig.ParseDomains(f.acmeDomains), CacheDir: cache, Email: f.acmeEmail, DirectoryURL: f.acmeDirectory}.Manager()
		if err != nil {
			return nil, "", err
		}
		cfg, source = tlsconfig.ACMEServer(m), "acme"
		if f.acmeHTTP != "" {
			ln, err := net.Listen("tcp", f.acmeHTTP)
			if err != nil {
				return nil, "", fmt.Errorf("ACME HTTP-01 listener: %w", err)
			}
			hsrv := &http.Server{Handler: tlsconfig.ChallengeHandler(m), ReadHeaderTimeout: 10 * time.Second,
				ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
			go func() {
				if err := hsrv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					errc <- fmt.Errorf("ACME HTTP-01 listener: %w", err)
				}
			}()
			logger.Info("acme challenges listening", "url", "http://"+ln.Addr().String()+"/", "domains", f.acmeDomains)
		}
	} else {
		certs, err := tlsconfig.LoadFiles(f.certFile, f.keyFile, logger)
		if err != nil {
			return nil, "", err
		}
		cfg, source = tlsconfig.Server(certs.GetCertificate), "files"
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return nil, "", fmt.Errorf("HTTPS listener: %w", err)
	}
	srv := &http.Server{Handler: handler, TLSConfig: cfg, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	go func() {
		if err := srv.ServeTLS(ln, "", ""); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("HTTPS listener: %w", err)
		}
	}()
	url := "https://" + ln.Addr().String() + "/"
	logger.Info("switchboard listening (https)", "url", url, "certificate", source)
	return srv, url, nil
}
