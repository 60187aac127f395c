package sip

import (
	"testing"
	"time"
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
