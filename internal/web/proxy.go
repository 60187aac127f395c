package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/web/request"
)

// ParseTrustedProxies reads a comma-separated list of addresses and
// networks ("10.0.0.0/8, 192.0.2.7, ::1") naming the reverse proxies and
// load balancers allowed to tell the client's address in X-Forwarded-For.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if strings.Contains(item, "/") {
			p, err := netip.ParsePrefix(item)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is not an address or a network such as 10.0.0.0/8", item)
			}
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(item)
		if err != nil {
			return nil, fmt.Errorf("trusted proxy %q is not an address or a network such as 10.0.0.0/8", item)
		}
		out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
	}
	return out, nil
}

// TrustProxies makes the server take the client's address from
// X-Forwarded-For, and the scheme from X-Forwarded-Proto, when the
// connection comes from one of proxies. Without it (the default) both
// headers are ignored: anyone could write them, and the login rate limit,
// the sessions' recorded address, the request log and the cookies' Secure
// flag would believe them.
func (s *Server) TrustProxies(proxies []netip.Prefix) { s.proxies = proxies }

// clientBehindProxies returns r as the application should see it. When r
// came through trusted proxies, RemoteAddr becomes the client's address:
// X-Forwarded-For is read from the right (each proxy appends the address it
// saw), skipping trusted hops, and the first address that is not a trusted
// proxy is the client; a malformed entry ends the walk at the last hop known
// to be good. From anyone else X-Forwarded-Proto is dropped: it decides the
// cookies' Secure flag (request.IsHTTPS), and a client must not be able to
// claim HTTPS it did not use. r itself is never changed.
func (s *Server) clientBehindProxies(r *http.Request) *http.Request {
	peer, err := netip.ParseAddr(request.ClientAddr(r))
	if err != nil || !s.trusted(peer) {
		if _, claimed := r.Header["X-Forwarded-Proto"]; !claimed {
			return r
		}
		r2 := r.WithContext(r.Context())
		r2.Header = r.Header.Clone()
		r2.Header.Del("X-Forwarded-Proto")
		return r2
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		client = a.Unmap()
		if !s.trusted(client) {
			break
		}
	}
	if client == peer {
		return r
	}
	r2 := r.WithContext(r.Context())
	r2.RemoteAddr = net.JoinHostPort(client.String(), "0")
	return r2
}

func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}
