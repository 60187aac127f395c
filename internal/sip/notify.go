package sip

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emiago/sipgo"
	"github.com/emiago/sipgo/sip"
)

// ErrFlowElsewhere is returned when a binding's TCP or TLS connection is
// held by another node: only that node can reach the phone over it.
var ErrFlowElsewhere = errors.New("sip: the phone's connection is held by another node")

// Notify sends an out-of-dialog NOTIFY with the Event value event (e.g.
// "check-sync", or "check-sync;reboot=true" for Yealink) to the contact of
// binding b, over the phone's own flow: from this node's listening socket to
// the address the REGISTER came from for UDP, over the connection the
// phone opened for TCP and TLS, and through the edge proxy when the
// binding has a Path. It returns the phone's final response. This is the
// transport step of a reboot (docs/sip.md); deciding success is the job's.
func (e *Edge) Notify(ctx context.Context, b Binding, event string) (*sip.Response, error) {
	return e.NotifyAuth(ctx, b, event, nil)
}

// Credentials returns the SIP username and password a request to a phone
// answers the phone's digest challenge with: its line's.
type Credentials func(ctx context.Context) (username, password string, err error)

// NotifyAuth is Notify answering a 401 or 407 from the phone (phones that
// authenticate what they are sent) with creds, when not nil.
func (e *Edge) NotifyAuth(ctx context.Context, b Binding, event string, creds Credentials) (*sip.Response, error) {
	reliable := b.Transport != "UDP"
	if reliable && b.Path == "" && b.NodeID != e.cfg.NodeID {
		return nil, fmt.Errorf("%w (%s)", ErrFlowElsewhere, b.NodeID)
	}
	var target sip.Uri
	if err := sip.ParseUri(b.Contact, &target); err != nil {
		return nil, fmt.Errorf("sip: notify %s: contact: %w", b.Contact, err)
	}
	req := sip.NewRequest(sip.NOTIFY, target)
	var to sip.Uri
	if err := sip.ParseUri(b.AOR, &to); err != nil {
		return nil, fmt.Errorf("sip: notify: AOR %s: %w", b.AOR, err)
	}
	from := &sip.FromHeader{Address: sip.Uri{Scheme: "sip", User: "switchboard", Host: e.cfg.Realm}}
	from.Params.Add("tag", sip.GenerateTagN(16))
	req.AppendHeader(from)
	req.AppendHeader(&sip.ToHeader{Address: to})
	req.AppendHeader(sip.NewHeader("Event", event))
	req.AppendHeader(sip.NewHeader("Subscription-State", "terminated"))
	req.SetTransport(b.Transport)
	dest := net.JoinHostPort(b.SourceAddr, strconv.Itoa(b.SourcePort))
	if b.Path != "" {
		// The Path is the route back to the phone (RFC 3327): it becomes the
		// request's Route set, and the first hop is where it goes.
		for _, hop := range splitPath(b.Path) {
			req.AppendHeader(sip.NewHeader("Route", hop))
		}
		var first sip.Uri
		if err := sip.ParseUri(strings.Trim(splitPath(b.Path)[0], "<>"), &first); err != nil {
			return nil, fmt.Errorf("sip: notify: Path %s: %w", b.Path, err)
		}
		port := first.Port
		if port == 0 {
			port = 5060
		}
		dest = net.JoinHostPort(first.Host, strconv.Itoa(port))
		// Over UDP the request leaves from this node's listening socket,
		// the address the proxy knows the node by (its dispatcher list): a
		// node that never heard from the proxy would otherwise send from a
		// new ephemeral port, and the proxy would take it for a phone.
		if laddr, ok := e.udpListener(); ok && !reliable {
			req.Laddr = laddr
		}
	}
	req.SetDestination(dest)
	req.SetBody(nil)
	res, err := e.client.Do(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("sip: notify %s via %s: %w", b.Contact, dest, err)
	}
	if (res.StatusCode == sip.StatusUnauthorized || res.StatusCode == sip.StatusProxyAuthRequired) && creds != nil {
		user, password, err := creds(ctx)
		if err != nil {
			return res, fmt.Errorf("sip: notify %s: credentials for the challenge: %w", b.Contact, err)
		}
		res, err = e.client.DoDigestAuth(ctx, req, res, sipgo.DigestAuth{Username: user, Password: password})
		if err != nil {
			return nil, fmt.Errorf("sip: notify %s via %s, authenticated: %w", b.Contact, dest, err)
		}
	}
	return res, nil
}

// udpListener is the address of this node's first UDP listener.
func (e *Edge) udpListener() (sip.Addr, bool) {
	for _, l := range e.Bound() {
		if l.Network != "udp" {
			continue
		}
		host, port, err := net.SplitHostPort(l.Addr)
		if err != nil {
			continue
		}
		p, _ := strconv.Atoi(port)
		if ip := net.ParseIP(host); ip != nil && p > 0 {
			return sip.Addr{IP: ip, Port: p}, true
		}
	}
	return sip.Addr{}, false
}

// splitPath splits a stored Path (comma-separated name-addrs) into hops,
// keeping commas inside angle brackets.
func splitPath(path string) []string {
	var out []string
	depth, start := 0, 0
	for i, c := range path {
		switch c {
		case '<':
			depth++
		case '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, strings.TrimSpace(path[start:i]))
				start = i + 1
			}
		}
	}
	if last := strings.TrimSpace(path[start:]); last != "" {
		out = append(out, last)
	}
	return out
}

func newClient(ua *sipgo.UserAgent, cfg Config) (*sipgo.Client, error) {
	return sipgo.NewClient(ua, sipgo.WithClientLogger(cfg.Logger.With("component", "sipgo")))
}
