// Package sip is Switchboard's SIP edge, built on github.com/emiago/sipgo:
// one transport layer (UDP, TCP and TLS listeners) that phones and soft
// clients talk to, with the registrar on it now. Call routing (a proxy or
// B2BUA) is meant to be added as another handler on the same Edge, next to
// the registrar, sharing its listeners and its authenticator (see
// docs/sip.md).
package sip

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
)

// Listen is one listening socket: network udp, tcp or tls, and host:port.
type Listen struct {
	Network string
	Addr    string
}

// ParseListen reads a comma-separated list of listen addresses. Each is
// "udp:host:port", "tcp:host:port", "tls:host:port" or a bare "host:port",
// which means UDP and TCP on the same port (the usual SIP set-up).
func ParseListen(s string) ([]Listen, error) {
	var out []Listen
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		network, addr := "", item
		if n, rest, ok := strings.Cut(item, ":"); ok {
			switch strings.ToLower(n) {
			case "udp", "tcp", "tls":
				network, addr = strings.ToLower(n), rest
			}
		}
		if _, _, err := net.SplitHostPort(addr); err != nil {
			return nil, fmt.Errorf("SIP listen address %q: want [udp:|tcp:|tls:]host:port", item)
		}
		if network == "" {
			out = append(out, Listen{"udp", addr}, Listen{"tcp", addr})
			continue
		}
		out = append(out, Listen{network, addr})
	}
	return out, nil
}

// Config configures an Edge.
type Config struct {
	Listen []Listen
	// TLSCert and TLSKey are PEM files, needed by a tls listener.
	TLSCert, TLSKey string
	// NodeID names this node in the bindings whose TCP/TLS flow it holds
	// (default: the host name).
	NodeID string
	// Realm is the digest realm of the challenges: the provider's SIP
	// domain, the realm every line's credentials were issued with.
	Realm string
	// Algorithms are the digest algorithms offered, most preferred first
	// (default MD5 alone: many deployed clients refuse a 401 in which any
	// challenge is SHA-256 — baresip 1.0 — or read only the first — sipp
	// 3.6; see docs/sip.md).
	Algorithms []digest.Algorithm
	// ProviderID scopes the audit entries about sources (blocked attempts).
	ProviderID int64
	// Registration limits; zero values take the defaults (60 s, 3600 s,
	// 3600 s, 10 contacts a line).
	MinExpires, MaxExpires, DefaultExpires time.Duration
	MaxContacts                            int
	// NonceTTL is how long a challenge's nonce is accepted (default 5 min).
	NonceTTL time.Duration
	// MaxFailures failed authentications from one source within
	// FailureWindow block it for BlockFor (defaults 10, 1 min, 5 min).
	MaxFailures             int
	FailureWindow, BlockFor time.Duration
	// Proxies are the IP addresses of trusted edge proxies (Kamailio, see
	// docs/sip.md): for a request from one of them failures count against
	// the phone's address in the received parameter of the proxy's Path.
	Proxies []string
	Logger  *slog.Logger
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.MinExpires, 60*time.Second)
	def(&c.MaxExpires, time.Hour)
	def(&c.DefaultExpires, time.Hour)
	def(&c.NonceTTL, 5*time.Minute)
	def(&c.FailureWindow, time.Minute)
	def(&c.BlockFor, 5*time.Minute)
	if len(c.Algorithms) == 0 {
		c.Algorithms = []digest.Algorithm{digest.MD5}
	}
	if c.MaxContacts <= 0 {
		c.MaxContacts = 10
	}
	if c.MaxFailures <= 0 {
		c.MaxFailures = 10
	}
	if c.NodeID == "" {
		c.NodeID, _ = os.Hostname()
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
}

// ParseAlgorithms reads a comma-separated list of digest algorithms
// (MD5, SHA-256), most preferred first.
func ParseAlgorithms(s string) ([]digest.Algorithm, error) {
	var out []digest.Algorithm
	for _, name := range strings.Split(s, ",") {
		if name = strings.TrimSpace(name); name == "" {
			continue
		}
		a, err := digest.ParseAlgorithm(name)
		if err != nil || (a != digest.MD5 && a != digest.SHA256) {
			return nil, fmt.Errorf("SIP digest algorithm %q: choose MD5 and/or SHA-256", name)
		}
		out = append(out, a)
	}
	if len(out) == 0 {
		return nil, errors.New("name at least one SIP digest algorithm (MD5, SHA-256)")
	}
	return out, nil
}

// Lines is where the edge finds the credentials of a SIP username
// (devices.Service).
type Lines interface {
	LineAuthByUsername(ctx context.Context, username string) (devices.LineAuth, error)
}

// Edge is the SIP transport layer of a node and the handlers on it.
type Edge struct {
	cfg       Config
	ua        *sipgo.UserAgent
	srv       *sipgo.Server
	client    *sipgo.Client
	auth      *Authenticator
	registrar *Registrar

	stopped chan struct{}
	mu      sync.Mutex
	bound   []Listen
	closers []func() error
	wg      sync.WaitGroup
}

// New builds an Edge whose registrar authenticates against lines and keeps
// its bindings in registry.
func New(cfg Config, lines Lines, registry *Registry, log *audit.Log) (*Edge, error) {
	cfg.defaults()
	if strings.TrimSpace(cfg.Realm) == "" {
		return nil, errors.New("sip: the SIP domain (realm) is required")
	}
	// sipgo logs through the node's logger (its format and level).
	stackLog := cfg.Logger.With("component", "sipgo")
	ua, err := sipgo.NewUA(sipgo.WithUserAgent("Switchboard"),
		sipgo.WithUserAgentTransportLayerOptions(sip.WithTransportLayerLogger(stackLog)),
		sipgo.WithUserAgentTransactionLayerOptions(sip.WithTransactionLayerLogger(stackLog)))
	if err != nil {
		return nil, fmt.Errorf("sip: %w", err)
	}
	srv, err := sipgo.NewServer(ua, sipgo.WithServerLogger(stackLog))
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sip: %w", err)
	}
	client, err := newClient(ua, cfg)
	if err != nil {
		ua.Close()
		return nil, fmt.Errorf("sip: %w", err)
	}
	e := &Edge{cfg: cfg, ua: ua, srv: srv, client: client, stopped: make(chan struct{})}
	e.auth = newAuthenticator(cfg, lines, log)
	e.registrar = &Registrar{cfg: cfg, auth: e.auth, registry: registry, log: cfg.Logger}
	srv.OnRegister(e.registrar.handle)
	// Phones send OPTIONS as a keep-alive or to probe the server.
	srv.OnOptions(func(req *sip.Request, tx sip.ServerTransaction) {
		res := sip.NewResponseFromRequest(req, 200, "OK", nil)
		res.AppendHeader(sip.NewHeader("Allow", "REGISTER, OPTIONS"))
		_ = tx.Respond(res)
	})
	return e, nil
}

// Server is the sipgo server the handlers are registered on, for a later
// handler (call routing) to add its methods to the same transport.
func (e *Edge) Server() *sipgo.Server { return e.srv }

// Start binds every listener (an address in use is an error returned here)
// and serves them until ctx ends or Close is called.
func (e *Edge) Start(ctx context.Context) error {
	var tlsConf *tls.Config
	for _, l := range e.cfg.Listen {
		if l.Network == "tls" && tlsConf == nil {
			if e.cfg.TLSCert == "" || e.cfg.TLSKey == "" {
				return errors.New("sip: a tls listener needs --sip-tls-cert and --sip-tls-key")
			}
			cert, err := tls.LoadX509KeyPair(e.cfg.TLSCert, e.cfg.TLSKey)
			if err != nil {
				return fmt.Errorf("sip: TLS certificate: %w", err)
			}
			tlsConf = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		}
	}
	type server struct {
		l     Listen
		serve func() error
	}
	var servers []server
	fail := func(err error) error {
		e.Close()
		return err
	}
	for _, l := range e.cfg.Listen {
		switch l.Network {
		case "udp":
			conn, err := net.ListenPacket("udp", l.Addr)
			if err != nil {
				return fail(fmt.Errorf("sip: %w", err))
			}
			e.track(Listen{"udp", conn.LocalAddr().String()}, conn.Close)
			servers = append(servers, server{l, func() error { return e.srv.ServeUDP(conn) }})
		case "tcp":
			ln, err := net.Listen("tcp", l.Addr)
			if err != nil {
				return fail(fmt.Errorf("sip: %w", err))
			}
			e.track(Listen{"tcp", ln.Addr().String()}, ln.Close)
			servers = append(servers, server{l, func() error { return e.srv.ServeTCP(ln) }})
		case "tls":
			ln, err := tls.Listen("tcp", l.Addr, tlsConf)
			if err != nil {
				return fail(fmt.Errorf("sip: %w", err))
			}
			e.track(Listen{"tls", ln.Addr().String()}, ln.Close)
			servers = append(servers, server{l, func() error { return e.srv.ServeTLS(ln) }})
		default:
			return fail(fmt.Errorf("sip: unknown network %q", l.Network))
		}
	}
	for _, s := range servers {
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			if err := s.serve(); err != nil && !errors.Is(err, net.ErrClosed) && ctx.Err() == nil {
				e.cfg.Logger.Debug("SIP listener stopped", "network", s.l.Network, "addr", s.l.Addr, "err", err)
			}
		}()
	}
	go func() {
		<-ctx.Done()
		e.Close()
	}()
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		e.purge(ctx)
	}()
	return nil
}

// purge removes long-ended bindings every ten minutes until the edge stops.
func (e *Edge) purge(ctx context.Context) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-e.stopped:
			return
		case now := <-t.C:
			if n, err := e.registrar.registry.Purge(ctx, now); err != nil {
				e.cfg.Logger.Warn("SIP: purge ended bindings", "err", err)
			} else if n > 0 {
				e.cfg.Logger.Debug("SIP: purged ended bindings", "count", n)
			}
		}
	}
}

func (e *Edge) track(l Listen, closer func() error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.bound = append(e.bound, l)
	e.closers = append(e.closers, closer)
}

// Bound lists the listeners with their actual addresses (a port 0 given
// is the port the system chose).
func (e *Edge) Bound() []Listen {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]Listen(nil), e.bound...)
}

// Close stops every listener and the transport layer.
func (e *Edge) Close() {
	e.mu.Lock()
	closers := e.closers
	e.closers = nil
	e.mu.Unlock()
	if closers == nil {
		return
	}
	close(e.stopped)
	for _, c := range closers {
		_ = c()
	}
	_ = e.srv.Close()
	_ = e.ua.Close()
	e.wg.Wait()
}
