package sip

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/emiago/sipgo/sip"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
)

// Authenticator challenges requests and checks their digest credentials
// (RFC 3261 section 22, RFC 8760 for SHA-256). The registrar uses it now;
// call routing will use it for INVITEs.
type Authenticator struct {
	realm      string
	algorithms []digest.Algorithm
	providerID int64
	lines      Lines
	nonces     *nonces
	throttle   *throttle
	audit      *audit.Log
	log        *slog.Logger
	// proxies are the addresses of the trusted edge proxies (Config.Proxies).
	proxies map[string]bool
	// dummy is checked for unknown usernames so they cost the same work
	// and get the same answer as a wrong password.
	dummy devices.LineAuth
}

func newAuthenticator(cfg Config, lines Lines, log *audit.Log) *Authenticator {
	d := devices.LineAuth{Realm: cfg.Realm}
	d.HA1MD5 = digest.HA1(digest.MD5, "-", cfg.Realm, randomHex(16))
	d.HA1SHA256 = digest.HA1(digest.SHA256, "-", cfg.Realm, randomHex(16))
	a := &Authenticator{realm: cfg.Realm, algorithms: cfg.Algorithms, providerID: cfg.ProviderID, lines: lines, audit: log, log: cfg.Logger,
		nonces:   newNonces(cfg.NonceTTL, 200_000),
		throttle: newThrottle(cfg.MaxFailures, cfg.FailureWindow, cfg.BlockFor),
		dummy:    d, proxies: map[string]bool{}}
	for _, p := range cfg.Proxies {
		if ip := net.ParseIP(p); ip != nil {
			a.proxies[ip.String()] = true
		}
	}
	return a
}

func (a *Authenticator) offers(alg digest.Algorithm) bool {
	for _, o := range a.algorithms {
		if o == alg {
			return true
		}
	}
	return false
}

// reply is a response the caller sends instead of going on.
type reply struct {
	code    int
	reason  string
	headers []sip.Header
}

// authenticate returns the line whose credentials req carries, or the
// reply to send: a challenge (401) when there are none or they fail, 403
// when the source is blocked, 400 when they are malformed.
func (a *Authenticator) authenticate(ctx context.Context, req *sip.Request) (devices.LineAuth, *reply) {
	source := a.source(req)
	if until, blocked := a.throttle.blocked(source, time.Now()); blocked {
		secs := int(time.Until(until).Seconds()) + 1
		return devices.LineAuth{}, &reply{code: 403, reason: "Forbidden (too many failed attempts)",
			headers: []sip.Header{sip.NewHeader("Retry-After", strconv.Itoa(secs))}}
	}
	h := req.GetHeader("Authorization")
	if h == nil {
		return devices.LineAuth{}, a.challenge(false)
	}
	c, err := digest.ParseAuthorization(h.Value())
	if err != nil {
		return devices.LineAuth{}, &reply{code: 400, reason: "Bad Request (" + err.Error() + ")"}
	}
	line, err := a.lines.LineAuthByUsername(ctx, c.Username)
	known := err == nil
	if err != nil && !derrors.IsNotFound(err) {
		a.log.Error("SIP authentication: line lookup", "username", c.Username, "err", err)
		return devices.LineAuth{}, &reply{code: 500, reason: "Server Internal Error"}
	}
	if !known {
		line = a.dummy
	}
	valid := c.QOP == "auth" && a.offers(c.Algorithm) && c.Realm == line.Realm && c.Realm == a.realm &&
		digest.Verify(line.HA1(c.Algorithm), string(req.Method), c)
	if !valid || !known {
		a.fail(ctx, source, c.Username, line, known, "wrong credentials")
		return devices.LineAuth{}, a.challenge(false)
	}
	switch a.nonces.use(c.Nonce, c.NC, time.Now()) {
	case nonceStale:
		// The password was right; the nonce is old or another node's: the
		// client retries with a fresh one without asking its user.
		return devices.LineAuth{}, a.challenge(true)
	case nonceReplayed:
		a.fail(ctx, source, c.Username, line, true, "replayed nonce count")
		return devices.LineAuth{}, a.challenge(false)
	}
	return line, nil
}

// challenge offers the configured algorithms in order of preference (RFC
// 8760 section 2.4), one WWW-Authenticate header each with its own nonce.
func (a *Authenticator) challenge(stale bool) *reply {
	now := time.Now()
	rp := &reply{code: 401, reason: "Unauthorized"}
	for _, alg := range a.algorithms {
		rp.headers = append(rp.headers, sip.NewHeader("WWW-Authenticate", digest.Challenge(alg, a.realm, a.nonces.issue(now), "", stale)))
	}
	return rp
}

// fail counts a failed attempt against the source and audits it: on the
// device when the username is a line's (its company sees it), and once
// when the source gets blocked — like failed portal logins and lockouts.
func (a *Authenticator) fail(ctx context.Context, source, username string, line devices.LineAuth, known bool, why string) {
	until, nowBlocked := a.throttle.fail(source, username, time.Now())
	if a.audit == nil {
		return
	}
	var events []audit.Event
	if known {
		events = append(events, audit.Event{Event: "Failed SIP Registration", ObjectKind: "device", ObjectID: line.DeviceID,
			ObjectName: username, CompanyID: line.CompanyID, After: map[string]any{"source": source, "reason": why}})
	}
	if nowBlocked {
		events = append(events, audit.Event{Event: "Block SIP Source", ObjectKind: "sip_source", ObjectName: source,
			ProviderID: a.providerID, After: map[string]any{"source": source, "blocked_until": until, "usernames": a.throttle.usernames(source)}})
		a.log.Warn("SIP source blocked after failed authentications", "source", source, "until", until)
	}
	if len(events) == 0 {
		return
	}
	// The audit write must not hold up the SIP answer's correctness; a
	// failure to write is logged.
	if err := a.audit.RecordAlone(ctx, events); err != nil {
		a.log.Error("SIP authentication: audit", "err", err)
	}
}

// source is the address failures are counted (and blocked) against: the
// sender's, or, when the sender is a trusted edge proxy, the phone's as the
// proxy recorded it in the received parameter of its Path (Kamailio's
// add_path_received) — else one attacker would block the proxy and every
// phone behind it.
func (a *Authenticator) source(req *sip.Request) string {
	src := sourceIP(req)
	if !a.proxies[src] {
		return src
	}
	if h := req.GetHeader("Path"); h != nil {
		if host := pathReceivedHost(h.Value()); host != "" {
			return host
		}
	}
	return src
}

// pathReceivedHost reads the host of the received parameter of the first
// Path entry (`<sip:proxy;lr;received=sip:203.0.113.7:5060>`, the value
// possibly escaped), or "".
func pathReceivedHost(path string) string {
	hops := splitPath(path)
	if len(hops) == 0 {
		return ""
	}
	var hop sip.Uri
	if err := sip.ParseUri(strings.Trim(hops[0], "<> "), &hop); err != nil {
		return ""
	}
	received, ok := hop.UriParams.Get("received")
	if !ok {
		return ""
	}
	if v, err := url.PathUnescape(received); err == nil {
		received = v
	}
	var rcv sip.Uri
	if err := sip.ParseUri(received, &rcv); err != nil || net.ParseIP(rcv.Host) == nil {
		return ""
	}
	return rcv.Host
}

func sourceIP(req *sip.Request) string {
	host, _, err := net.SplitHostPort(req.Source())
	if err != nil {
		return req.Source()
	}
	return host
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// nonces are the challenges this node issued, each with the highest nonce
// count used with it, so a request replayed with a count already seen is
// refused. They live in the node's memory: a nonce used on another node is
// answered stale=true there and the client simply retries (docs/sip.md).
type nonces struct {
	mu     sync.Mutex
	ttl    time.Duration
	max    int
	issued map[string]*nonceState
}

type nonceState struct {
	at time.Time
	nc uint64
}

type nonceResult int

const (
	nonceOK nonceResult = iota
	nonceStale
	nonceReplayed
)

func newNonces(ttl time.Duration, max int) *nonces {
	return &nonces{ttl: ttl, max: max, issued: map[string]*nonceState{}}
}

func (n *nonces) issue(now time.Time) string {
	v := randomHex(16)
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.issued) >= n.max {
		n.sweep(now)
		// Still full (a flood of unanswered challenges): forget some; their
		// clients will be told stale=true and retry.
		for k := range n.issued {
			if len(n.issued) < n.max*3/4 {
				break
			}
			delete(n.issued, k)
		}
	}
	n.issued[v] = &nonceState{at: now}
	return v
}

func (n *nonces) sweep(now time.Time) {
	for k, s := range n.issued {
		if now.Sub(s.at) > n.ttl {
			delete(n.issued, k)
		}
	}
}

// use checks a nonce and its count (8 hex digits) and records the count.
func (n *nonces) use(nonce, nc string, now time.Time) nonceResult {
	count, err := strconv.ParseUint(nc, 16, 32)
	if err != nil {
		return nonceReplayed
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	s, ok := n.issued[nonce]
	if !ok {
		return nonceStale
	}
	if now.Sub(s.at) > n.ttl {
		delete(n.issued, nonce)
		return nonceStale
	}
	if count <= s.nc {
		return nonceReplayed
	}
	s.nc = count
	return nonceOK
}

// throttle counts failed authentications per source address in a sliding
// window and blocks a source that reaches the limit. Per node, like the
// portal's login limiter.
type throttle struct {
	mu       sync.Mutex
	max      int
	window   time.Duration
	blockFor time.Duration
	sources  map[string]*failures
	calls    int
}

type failures struct {
	times     []time.Time
	usernames []string
	until     time.Time
}

func newThrottle(max int, window, blockFor time.Duration) *throttle {
	return &throttle{max: max, window: window, blockFor: blockFor, sources: map[string]*failures{}}
}

func (t *throttle) blocked(source string, now time.Time) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.sources[source]
	if f == nil || !now.Before(f.until) {
		return time.Time{}, false
	}
	return f.until, true
}

// fail records a failure; it reports the block's end when this failure
// blocked the source.
func (t *throttle) fail(source, username string, now time.Time) (time.Time, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls++
	if t.calls%1024 == 0 {
		for k, f := range t.sources {
			if now.After(f.until) && (len(f.times) == 0 || now.Sub(f.times[len(f.times)-1]) > t.window) {
				delete(t.sources, k)
			}
		}
	}
	f := t.sources[source]
	if f == nil {
		f = &failures{}
		t.sources[source] = f
	}
	keep := f.times[:0]
	for _, at := range f.times {
		if now.Sub(at) < t.window {
			keep = append(keep, at)
		}
	}
	f.times = append(keep, now)
	if len(f.usernames) < 20 && !contains(f.usernames, username) {
		f.usernames = append(f.usernames, username)
	}
	if len(f.times) >= t.max && !now.Before(f.until) {
		f.until = now.Add(t.blockFor)
		f.times = nil
		return f.until, true
	}
	return time.Time{}, false
}

func (t *throttle) usernames(source string) []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if f := t.sources[source]; f != nil {
		return append([]string(nil), f.usernames...)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
