package sip

import (
	"testing"
	"time"

	"github.com/emiago/sipgo/sip"
)

func TestNonces(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	n := newNonces(time.Minute, 4)
	a := n.issue(now)
	tests := []struct {
		nonce, nc string
		at        time.Duration
		want      nonceResult
	}{
		{a, "00000001", 0, nonceOK},
		{a, "00000001", time.Second, nonceReplayed}, // the same count again
		{a, "00000003", 2 * time.Second, nonceOK},   // counts may skip
		{a, "00000002", 3 * time.Second, nonceReplayed},
		{a, "zz", 3 * time.Second, nonceReplayed},
		{"never-issued", "00000001", 0, nonceStale},
		{a, "00000004", 61 * time.Second, nonceStale}, // expired
		{a, "00000005", 62 * time.Second, nonceStale}, // and forgotten
	}
	for i, tt := range tests {
		if got := n.use(tt.nonce, tt.nc, now.Add(tt.at)); got != tt.want {
			t.Errorf("step %d: use(%s, %s) = %v, want %v", i, tt.nonce, tt.nc, got, tt.want)
		}
	}
	// A full table forgets expired nonces first, then some live ones, and
	// never grows past its bound.
	for range 20 {
		n.issue(now.Add(2 * time.Minute))
	}
	if len(n.issued) > 4 {
		t.Fatalf("nonces kept = %d, bound 4", len(n.issued))
	}
}

func TestThrottle(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	th := newThrottle(3, time.Minute, 5*time.Minute)
	if _, blocked := th.fail("192.0.2.1", "a", now); blocked {
		t.Fatal("blocked after 1")
	}
	// A failure outside the window no longer counts.
	th.fail("192.0.2.1", "b", now.Add(30*time.Second))
	if _, blocked := th.fail("192.0.2.1", "c", now.Add(70*time.Second)); blocked {
		t.Fatal("blocked with only 2 failures in the window")
	}
	until, blocked := th.fail("192.0.2.1", "c", now.Add(80*time.Second))
	if !blocked || !until.Equal(now.Add(80*time.Second+5*time.Minute)) {
		t.Fatalf("3rd failure in the window: blocked=%v until %v", blocked, until)
	}
	if _, b := th.blocked("192.0.2.1", now.Add(2*time.Minute)); !b {
		t.Fatal("not blocked during the block")
	}
	if _, b := th.blocked("192.0.2.2", now.Add(2*time.Minute)); b {
		t.Fatal("another source is blocked")
	}
	if _, b := th.blocked("192.0.2.1", until); b {
		t.Fatal("still blocked when the block ends")
	}
	if got := th.usernames("192.0.2.1"); len(got) != 3 {
		t.Fatalf("usernames tried = %v", got)
	}
}

// TestSourceBehindProxy: the address failures count against — the phone's
// from a trusted proxy's Path (escaped or not), the sender's otherwise.
func TestSourceBehindProxy(t *testing.T) {
	cfg := Config{Realm: "r", Proxies: []string{"10.0.0.5"}}
	cfg.defaults()
	a := newAuthenticator(cfg, nil, nil)
	for _, tc := range []struct {
		name, from, path, want string
	}{
		{"trusted proxy, received", "10.0.0.5:5060", "<sip:10.0.0.5:5060;lr;received=sip:203.0.113.7:41000>", "203.0.113.7"},
		{"trusted proxy, escaped received", "10.0.0.5:5060", "<sip:10.0.0.5;lr;received=sip:203.0.113.8:5060%3Btransport%3Dtcp>", "203.0.113.8"},
		{"trusted proxy, no received", "10.0.0.5:5060", "<sip:10.0.0.5;lr>", "10.0.0.5"},
		{"trusted proxy, no Path", "10.0.0.5:5060", "", "10.0.0.5"},
		{"untrusted sender with a Path", "198.51.100.9:5060", "<sip:10.0.0.5;lr;received=sip:203.0.113.7:41000>", "198.51.100.9"},
	} {
		req := sip.NewRequest(sip.REGISTER, sip.Uri{Scheme: "sip", Host: "r"})
		if tc.path != "" {
			req.AppendHeader(sip.NewHeader("Path", tc.path))
		}
		req.SetSource(tc.from)
		if got := a.source(req); got != tc.want {
			t.Errorf("%s: source = %q, want %q", tc.name, got, tc.want)
		}
	}
}
