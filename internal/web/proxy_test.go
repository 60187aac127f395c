package web

import (
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/web/request"
)

func TestClientBehindProxies(t *testing.T) {
	proxies, err := ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,::1")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, remote string
		xff          []string
		want         string
	}{
		{"no header", "10.1.1.1:5000", nil, "10.1.1.1:5000"},
		{"untrusted peer's header is ignored", "203.0.113.9:5000", []string{"198.51.100.1"}, "203.0.113.9:5000"},
		{"one trusted proxy", "10.1.1.1:5000", []string{"198.51.100.1"}, "198.51.100.1:0"},
		{"the client cannot hide behind a forged hop", "10.1.1.1:5000", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1:0"},
		{"a chain of trusted proxies", "10.1.1.1:5000", []string{"198.51.100.1, 192.0.2.7", "10.2.2.2"}, "198.51.100.1:0"},
		{"every hop trusted", "10.1.1.1:5000", []string{"10.3.3.3"}, "10.3.3.3:0"},
		{"a malformed hop stops the walk", "10.1.1.1:5000", []string{"198.51.100.1, garbage, 10.2.2.2"}, "10.2.2.2:0"},
		{"IPv6 proxy", "[::1]:5000", []string{"2001:db8::5"}, "[2001:db8::5]:0"},
		{"IPv4-mapped peer", "[::ffff:10.1.1.1]:5000", []string{"198.51.100.1"}, "198.51.100.1:0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Server{proxies: proxies}
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			for _, v := range tc.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := s.clientBehindProxies(r).RemoteAddr; got != tc.want {
				t.Errorf("RemoteAddr = %q, want %q", got, tc.want)
			}
			if r.RemoteAddr != tc.remote {
				t.Errorf("the original request was changed: %q", r.RemoteAddr)
			}
		})
	}
	// Without trusted proxies the header never counts.
	r := httptest.NewRequest("GET", "/", nil)
	r.RemoteAddr = "10.1.1.1:5000"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	if got := (&Server{}).clientBehindProxies(r).RemoteAddr; got != "10.1.1.1:5000" {
		t.Errorf("no proxies trusted: RemoteAddr = %q", got)
	}
}

// TestForwardedProtoOnlyFromTrustedProxies: X-Forwarded-Proto decides the
// cookies' Secure flag, so only a trusted proxy may say "https".
func TestForwardedProtoOnlyFromTrustedProxies(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, remote string
		proxies      []netip.Prefix
		https        bool
	}{
		{"no proxies trusted", "10.1.1.1:5000", nil, false},
		{"untrusted client", "203.0.113.9:5000", proxies, false},
		{"trusted proxy", "10.1.1.1:5000", proxies, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.remote
			r.Header.Set("X-Forwarded-Proto", "https")
			got := (&Server{proxies: tc.proxies}).clientBehindProxies(r)
			if request.IsHTTPS(got) != tc.https {
				t.Errorf("IsHTTPS = %v, want %v", !tc.https, tc.https)
			}
			w := httptest.NewRecorder()
			request.SetSessionCookie(w, got, "token", time.Now().Add(time.Hour), false)
			if secure := strings.Contains(w.Header().Get("Set-Cookie"), "Secure"); secure != tc.https {
				t.Errorf("cookie %q: Secure = %v, want %v", w.Header().Get("Set-Cookie"), secure, tc.https)
			}
			if r.Header.Get("X-Forwarded-Proto") != "https" {
				t.Error("the original request was changed")
			}
		})
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "proxy.example.com", "10.0.0.1/8/2"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		}
	}
	got, err := ParseTrustedProxies("10.1.2.3/8,,127.0.0.1")
	if err != nil || len(got) != 2 || got[0].String() != "10.0.0.0/8" || got[1].String() != "127.0.0.1/32" {
		t.Errorf("got %v, %v", got, err)
	}
}
