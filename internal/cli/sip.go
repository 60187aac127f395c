package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/demo"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/provisioning"
	"github.com/switchboard-voice/switchboard/internal/sip"
)

// sipFlags configure the SIP edge and the line credentials (docs/sip.md).
type sipFlags struct {
	listen, tlsCert, tlsKey, domain, keyFile, nodeID, algorithms string
	proxies                                                      string
	rebootRate                                                   float64
	rebootTimeout                                                time.Duration
}

func (f *sipFlags) register(fs *flag.FlagSet, isDemo bool) {
	def := ""
	if isDemo {
		def = "127.0.0.1:5060"
	}
	fs.StringVar(&f.listen, "sip", def, "SIP listen addresses, comma-separated: host:port (UDP and TCP), udp:host:port, tcp:host:port, tls:host:port (empty: no SIP edge)")
	fs.StringVar(&f.tlsCert, "sip-tls-cert", "", "PEM certificate of the SIP TLS listener")
	fs.StringVar(&f.tlsKey, "sip-tls-key", "", "PEM private key of the SIP TLS listener")
	fs.StringVar(&f.domain, "sip-domain", "", "the provider's SIP domain, the digest realm of line credentials (default: the host of --portal-url, else of --http, else the host name)")
	fs.StringVar(&f.keyFile, "secret-key-file", "", "file holding the node secret that encrypts line passwords; every node on one database needs the same (default: secret.key in --data, created if missing)")
	fs.StringVar(&f.algorithms, "sip-digest", "MD5", "digest algorithms the SIP edge offers, most preferred first: MD5, SHA-256 or both (e.g. SHA-256,MD5); see docs/sip.md")
	fs.StringVar(&f.nodeID, "sip-node-id", "", "this node's name in the SIP bindings whose TCP/TLS flows it holds (default: the host name)")
	fs.StringVar(&f.proxies, "sip-proxies", "", "IP addresses of trusted SIP edge proxies (Kamailio), comma-separated: failed authentications through them count against the phone's address in their Path (docs/sip.md)")
	fs.Float64Var(&f.rebootRate, "sip-reboot-rate", 500, "reboot NOTIFYs a second this node sends at most (paces bulk reboots)")
	fs.DurationVar(&f.rebootTimeout, "sip-reboot-timeout", 5*time.Minute, "how long a rebooted device has to register again (or fetch its configuration) before its reboot is an error")
}

// setupLines gives the devices service its secret key and SIP domain.
func (f *sipFlags) setupLines(a *app.App, dataDir, portalURL, httpAddr string) error {
	path := f.keyFile
	if path == "" {
		if dataDir == "" {
			return errors.New("--secret-key-file is required when --data is empty")
		}
		path = filepath.Join(dataDir, devices.SecretKeyFile)
	}
	key, err := devices.LoadOrCreateKey(path)
	if err != nil {
		return err
	}
	sealer, err := devices.NewSealer(key)
	if err != nil {
		return err
	}
	a.Devices.Lines.Sealer = sealer
	domain := strings.TrimSpace(f.domain)
	if domain == "" && portalURL != "" {
		if u, err := url.Parse(portalURL); err == nil {
			domain = u.Hostname()
		}
	}
	if domain == "" {
		if host, _, err := net.SplitHostPort(httpAddr); err == nil {
			if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
				domain = host
			}
		}
	}
	if domain == "" {
		// Listening on every address names no host: the machine's name is
		// the best guess left (docs/sip.md says to set --sip-domain).
		domain, _ = os.Hostname()
	}
	a.Devices.Lines.Domain = domain
	return a.Provisioning.SetRegistrar(registrarOf(domain, f.listen))
}

// registrarOf is where provisioned phones register (docs/provisioning.md):
// the SIP domain, and the first --sip listener, UDP preferred, then TCP,
// then TLS; a listener on every address (or none) is reached by the domain.
func registrarOf(domain, listen string) provisioning.Registrar {
	r := provisioning.Registrar{Domain: domain, Address: domain, Port: 5060, Transport: provisioning.TransportUDP}
	ls, err := sip.ParseListen(listen)
	if err != nil || len(ls) == 0 {
		return r
	}
	best := ls[0]
	rank := map[string]int{"udp": 0, "tcp": 1, "tls": 2}
	for _, l := range ls {
		if rank[l.Network] < rank[best.Network] {
			best = l
		}
	}
	host, port, err := net.SplitHostPort(best.Addr)
	if err != nil {
		return r
	}
	if ip := net.ParseIP(host); host != "" && (ip == nil || !ip.IsUnspecified()) {
		r.Address = host
	}
	if p, err := strconv.Atoi(port); err == nil && p > 0 {
		r.Port = p
	}
	r.Transport = strings.ToUpper(best.Network)
	return r
}

// start runs the SIP edge when --sip names listeners. In the demo an
// address already in use is logged and the demo goes on without SIP.
func (f *sipFlags) start(ctx context.Context, a *app.App, logger *slog.Logger, isDemo bool) (*sip.Edge, error) {
	if f.rebootRate <= 0 || f.rebootTimeout <= 0 {
		return nil, errors.New("--sip-reboot-rate and --sip-reboot-timeout must be positive")
	}
	a.Reboots.Configure(sip.RebootConfig{Rate: f.rebootRate, Timeout: f.rebootTimeout, Logger: logger})
	if strings.TrimSpace(f.listen) == "" {
		return nil, nil
	}
	listen, err := sip.ParseListen(f.listen)
	if err != nil {
		return nil, err
	}
	algorithms, err := sip.ParseAlgorithms(f.algorithms)
	if err != nil {
		return nil, err
	}
	var proxies []string
	for _, p := range strings.Split(f.proxies, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if net.ParseIP(p) == nil {
			return nil, fmt.Errorf("--sip-proxies: %q is not an IP address", p)
		}
		proxies = append(proxies, p)
	}
	var providerID int64
	if p, err := a.Tenancy.FirstProvider(ctx); err == nil {
		providerID = p.ID
	} else if !derrors.IsNotFound(err) {
		return nil, err
	}
	edge, err := sip.New(sip.Config{Listen: listen, TLSCert: f.tlsCert, TLSKey: f.tlsKey, NodeID: f.nodeID, Algorithms: algorithms,
		Realm: a.Devices.Lines.Domain, ProviderID: providerID, Proxies: proxies, Logger: logger}, a.Devices, a.Registrations, a.Audit)
	if err != nil {
		return nil, err
	}
	if err := edge.Start(ctx); err != nil {
		if isDemo {
			logger.Warn("the demo runs without its SIP edge", "err", err)
			return nil, nil
		}
		return nil, err
	}
	// This node sends the reboot NOTIFYs of the flows it holds.
	go a.Reboots.RunSender(ctx, edge)
	for _, l := range edge.Bound() {
		logger.Info("SIP edge listening", "network", l.Network, "addr", l.Addr, "domain", a.Devices.Lines.Domain)
	}
	return edge, nil
}

func printDemoLine(ctx context.Context, a *app.App, edge *sip.Edge, w io.Writer) {
	if edge == nil {
		return
	}
	l, err := demo.SampleLine(ctx, a)
	if err != nil {
		return
	}
	addr := ""
	for _, b := range edge.Bound() {
		if b.Network == "udp" {
			addr = b.Addr
		}
	}
	fmt.Fprintf(w, "SIP edge on %s (domain %s). Register a soft client as %s:\n  username %s  password %s\n  (docs/sip.md shows baresip)\n\n",
		addr, l.Realm, l.Employee, l.Username, l.Password)
}

// printDemoPhone prints one demo desk phone's provisioning credentials, so
// a newcomer can fetch a real configuration file (docs/provisioning.md).
func printDemoPhone(ctx context.Context, a *app.App, base string, w io.Writer) {
	p, err := demo.SamplePhone(ctx, a)
	if err != nil {
		return
	}
	fmt.Fprintf(w, "Provisioning: %s's %s (MAC %s) fetches its configuration with\n  curl --digest -u %s:%s %sprov/%s\n  (docs/provisioning.md lists the files)\n\n",
		p.Employee, p.Type, p.MAC, p.MAC, p.Secret, base, p.File)
}
