package sip_test

import (
	"context"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestSippRegister registers a real SIP peer (sipp) with digest
// authentication over UDP and TCP: the good password gets a binding with
// what the request said, the maximum expiry is enforced, and un-REGISTER
// removes it; a wrong password and an unknown user get the same fresh
// challenge and no binding; an expiry below the minimum is 423.
func TestSippRegister(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRig(t, db, sip.Config{MinExpires: 2 * time.Second, MaxExpires: time.Hour})
		user, pw := r.line.Username, r.line.Password

		// Good password over UDP.
		port := sipp(t, r.udp, "udp", "register.xml", user, pw, "expires", "600", "want_expires", "(600|599)")
		bs, err := r.registry.LineBindings(ctx, r.line.ID)
		if err != nil || len(bs) != 1 {
			t.Fatalf("bindings after REGISTER = %+v, %v", bs, err)
		}
		b := bs[0]
		if b.Transport != "UDP" || b.SourcePort != port || b.SourceAddr != "127.0.0.1" || b.UserAgent != "sipp register scenario" ||
			b.NodeID != "node-a" || b.AOR != "sip:"+user+"@"+realm || b.DeviceID != r.device.ID {
			t.Errorf("binding = %+v", b)
		}
		if left := time.Until(b.ExpiresAt); left < 590*time.Second || left > 601*time.Second {
			t.Errorf("binding expires in %v, want 600 s", left)
		}
		st, err := r.registry.DeviceStatus(ctx, []int64{r.device.ID})
		if err != nil || st[r.device.ID].Status != sip.StatusRegistered || st[r.device.ID].UserAgent != "sipp register scenario" || st[r.device.ID].Since == nil {
			t.Fatalf("status = %+v, %v", st, err)
		}

		// A second contact over TCP (another appearance of the same line),
		// asking more than the maximum: granted the maximum.
		sipp(t, r.tcp, "tcp", "register.xml", user, pw, "expires", "7200", "want_expires", "(3600|3599)")
		bs, _ = r.registry.LineBindings(ctx, r.line.ID)
		if len(bs) != 2 || bs[1].Transport != "TCP" {
			t.Fatalf("bindings after the TCP REGISTER = %+v", bs)
		}

		// Below the minimum: 423 with Min-Expires, nothing changes.
		sipp(t, r.udp, "udp", "register_too_brief.xml", user, pw, "expires", "1", "min", "2")

		// Wrong password and unknown user: the same fresh challenge, an
		// audit entry for the line's device, no binding.
		before := auditCount(t, r, "Failed SIP Registration")
		sipp(t, r.udp, "udp", "register_bad_password.xml", user, pw+"x")
		sipp(t, r.udp, "udp", "register_bad_password.xml", "nobody"+user, pw)
		if n := auditCount(t, r, "Failed SIP Registration"); n != before+1 {
			t.Errorf("Failed SIP Registration entries = %d, want %d", n, before+1)
		}
		if bs, _ := r.registry.LineBindings(ctx, r.line.ID); len(bs) != 2 {
			t.Errorf("bindings after failed attempts = %+v", bs)
		}

		// un-REGISTER with "*": every binding ends; the status says since when.
		sipp(t, r.udp, "udp", "unregister.xml", user, pw)
		if bs, _ := r.registry.LineBindings(ctx, r.line.ID); len(bs) != 0 {
			t.Fatalf("bindings after un-REGISTER = %+v", bs)
		}
		st, _ = r.registry.DeviceStatus(ctx, []int64{r.device.ID})
		if s := st[r.device.ID]; s.Status != sip.StatusNotRegistered || s.Since == nil || time.Since(*s.Since) > time.Minute {
			t.Fatalf("status after un-REGISTER = %+v", s)
		}

		// Expiry: a binding of the minimum (2 s) lapses by itself.
		sipp(t, r.udp, "udp", "register.xml", user, pw, "expires", "2", "want_expires", "(2|1)")
		if st, _ := r.registry.DeviceStatus(ctx, []int64{r.device.ID}); st[r.device.ID].Status != sip.StatusRegistered {
			t.Fatalf("status right after a 2 s registration = %+v", st[r.device.ID])
		}
		waitFor(t, "the 2 s binding to expire", func() bool {
			st, _ := r.registry.DeviceStatus(ctx, []int64{r.device.ID})
			return st[r.device.ID].Status == sip.StatusNotRegistered
		})
	})
}
