package sip_test

import (
	"bufio"
	"context"
	"errors"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestNotifyOverTheFlow: sipp registers (over UDP, then TCP) and stays up;
// the edge sends the binding a check-sync NOTIFY over the phone's own flow
// and sipp answers it 200 (its out-of-call scenario checks the Event). A
// TCP binding held by another node is not this node's to reach.
func TestNotifyOverTheFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRig(t, db, sip.Config{})
		for _, tc := range []struct{ transport, addr, event string }{
			{"udp", r.udp, "check-sync"},
			{"tcp", r.tcp, "check-sync;reboot=true"},
		} {
			run := startSipp(t, tc.addr, tc.transport, "register_and_wait.xml", "notify_ooc.xml", r.line.Username, r.line.Password,
				"expires", "600", "want_expires", "(600|599)", "hold", "4000", "event", tc.event)
			var bs []sip.Binding
			waitFor(t, "sipp's binding over "+tc.transport, func() bool {
				bs, _ = r.registry.LineBindings(ctx, r.line.ID)
				for _, b := range bs {
					if b.SourcePort == run.port && b.Transport == map[string]string{"udp": "UDP", "tcp": "TCP"}[tc.transport] {
						return true
					}
				}
				return false
			})
			var b sip.Binding
			for _, x := range bs {
				if x.SourcePort == run.port {
					b = x
				}
			}
			nctx, cancel := context.WithTimeout(ctx, 3*time.Second)
			res, err := r.edge.Notify(nctx, b, tc.event)
			cancel()
			if err != nil || res.StatusCode != 200 {
				t.Fatalf("NOTIFY over %s: %v, %v", tc.transport, res, err)
			}
			// Over UDP it left from the socket the phone registered to, so
			// the phone's NAT lets it in.
			if via := res.Via(); tc.transport == "udp" && via.Host+":"+strconv.Itoa(via.Port) != r.udp {
				t.Errorf("NOTIFY sent from %s:%d, want the registrar's socket %s", via.Host, via.Port, r.udp)
			}
			if err := run.wait(); err != nil {
				t.Fatal(err)
			}
			if tc.transport == "tcp" {
				b.NodeID = "node-b"
				if _, err := r.edge.Notify(ctx, b, tc.event); !errors.Is(err, sip.ErrFlowElsewhere) {
					t.Fatalf("NOTIFY of another node's TCP flow: %v", err)
				}
			}
		}
	})
}

// TestNotifyReusesTheTCPConnection: a phone that registered over TCP and
// listens nowhere still gets the NOTIFY, on the connection it opened.
func TestNotifyReusesTheTCPConnection(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) { notifyOverHeldConnection(t, db) })
}

func notifyOverHeldConnection(t *testing.T, db *store.DB) {
	ctx := context.Background()
	r := newRig(t, db, sip.Config{})
	conn, err := net.Dial("tcp", r.tcp)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	rd := bufio.NewReader(conn)
	readMessage := func() string {
		t.Helper()
		_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		var b strings.Builder
		for {
			line, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("read: %v (got %q)", err, b.String())
			}
			b.WriteString(line)
			if line == "\r\n" {
				return b.String()
			}
		}
	}
	user, local := r.line.Username, conn.LocalAddr().String()
	register := func(cseq int, auth string) response {
		msg := strings.Replace(registerMessage(user, local, "tcp-flow", cseq, auth), "SIP/2.0/UDP", "SIP/2.0/TCP", 1)
		if _, err := conn.Write([]byte(msg)); err != nil {
			t.Fatal(err)
		}
		return parseResponse(t, readMessage())
	}
	res := register(1, "")
	auth, _ := (&uac{user: user}).authorization(res.get("WWW-Authenticate"), r.line.Password, 1)
	if res := register(2, auth); res.code != 200 {
		t.Fatalf("REGISTER over TCP: %d %s", res.code, res.reason)
	}
	bs, err := r.registry.LineBindings(ctx, r.line.ID)
	if err != nil || len(bs) != 1 {
		t.Fatalf("bindings = %+v, %v", bs, err)
	}
	done := make(chan *sipResult, 1)
	go func() {
		res, err := r.edge.Notify(ctx, bs[0], "check-sync")
		if err != nil {
			done <- &sipResult{0, err}
			return
		}
		done <- &sipResult{res.StatusCode, nil}
	}()
	notify := readMessage()
	if !strings.HasPrefix(notify, "NOTIFY sip:"+user+"@"+local) || !strings.Contains(notify, "\r\nEvent: check-sync\r\n") {
		t.Fatalf("NOTIFY = %q", notify)
	}
	var answer strings.Builder
	answer.WriteString("SIP/2.0 200 OK\r\n")
	for _, line := range strings.Split(notify, "\r\n")[1:] {
		for _, h := range []string{"Via:", "From:", "To:", "Call-ID:", "CSeq:"} {
			if strings.HasPrefix(line, h) {
				answer.WriteString(line + "\r\n")
			}
		}
	}
	answer.WriteString("Content-Length: 0\r\n\r\n")
	if _, err := conn.Write([]byte(answer.String())); err != nil {
		t.Fatal(err)
	}
	if got := <-done; got.err != nil || got.code != 200 {
		t.Fatalf("Notify = %d, %v", got.code, got.err)
	}
}

type sipResult struct {
	code int
	err  error
}
