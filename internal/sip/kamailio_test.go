package sip_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// kamailioBinary finds Kamailio (Debian installs it in /usr/sbin, often
// not on a user's PATH); in CI a missing Kamailio fails the test.
func kamailioBinary(t testing.TB) string {
	t.Helper()
	if path, err := exec.LookPath("kamailio"); err == nil {
		return path
	}
	if _, err := os.Stat("/usr/sbin/kamailio"); err == nil {
		return "/usr/sbin/kamailio"
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("kamailio is not installed: CI must run the edge-proxy test (apt-get install kamailio, see .ci/run)")
	}
	t.Skip("kamailio not installed (apt-get install kamailio)")
	return ""
}

// startKamailio runs the repository's Kamailio configuration
// (deploy/kamailio/kamailio.cfg) in the foreground on 127.0.0.1:port with
// the given nodes as its dispatcher set, from a temporary directory, and
// returns its log. It stops with the test.
func startKamailio(t testing.TB, port int, nodes ...string) *apptest.LogBuffer {
	t.Helper()
	dir := t.TempDir()
	list := filepath.Join(dir, "dispatcher.list")
	var nodeList strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&nodeList, "1 sip:%s\n", n)
	}
	if err := os.WriteFile(list, []byte(nodeList.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	log, _ := runKamailio(t, dir, "kamailio.cfg", port, [][2]string{
		{"listen=udp:0.0.0.0:5060", fmt.Sprintf("listen=udp:127.0.0.1:%d", port)},
		{"listen=tcp:0.0.0.0:5060", fmt.Sprintf("listen=tcp:127.0.0.1:%d", port)},
		{"/etc/kamailio/dispatcher.list", list},
		{"children=4", "children=2"},
		{"tcp_children=4", "tcp_children=1"},
	})
	return log
}

// runKamailio runs deploy/kamailio/<name> with the replacements made (each
// must be found: the file and the test must not drift apart) from dir,
// in the foreground, until it answers on 127.0.0.1:port; it stops with the
// test. It returns Kamailio's log and the process id of its main process.
func runKamailio(t testing.TB, dir, name string, port int, replacements [][2]string) (*apptest.LogBuffer, int) {
	t.Helper()
	bin := kamailioBinary(t)
	cfg, err := os.ReadFile(filepath.Join("..", "..", "deploy", "kamailio", name))
	if err != nil {
		t.Fatal(err)
	}
	text := string(cfg)
	for _, rep := range replacements {
		if !strings.Contains(text, rep[0]) {
			t.Fatalf("deploy/kamailio/%s no longer has %q, which the test replaces", name, rep[0])
		}
		text = strings.Replace(text, rep[0], rep[1], 1)
	}
	path := filepath.Join(dir, filepath.Base(name))
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out := &apptest.LogBuffer{}
	cmd := exec.Command(bin, "-DD", "-E", "-f", path, "-Y", dir, "-w", dir, "-m", "256", "-M", "16")
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			t.Logf("kamailio:\n%s", tail(out.String(), 4000))
		}
	})
	// Ready when it answers an OPTIONS (200 from the proxy, 405 from the
	// benchmark's registrar).
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Second)
	for {
		if optionsAnswered(addr) {
			return out, cmd.Process.Pid
		}
		if time.Now().After(deadline) {
			t.Fatalf("kamailio did not answer on %s:\n%s", addr, tail(out.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// processTreeCPU is the CPU time (user and system) used so far by process
// pid and its children, read from /proc (Kamailio works in forked children).
func processTreeCPU(pid int) time.Duration {
	entries, _ := os.ReadDir("/proc")
	var ticks int64
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// The fields after the command name (which may hold spaces): state
		// ppid … utime is the 14th field of the line, stime the 15th.
		text := string(stat)
		end := strings.LastIndexByte(text, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(text[end+1:])
		if len(fields) < 13 {
			continue
		}
		var self, ppid int
		fmt.Sscan(e.Name(), &self)
		fmt.Sscan(fields[1], &ppid)
		if self != pid && ppid != pid {
			continue
		}
		var utime, stime int64
		fmt.Sscan(fields[11], &utime)
		fmt.Sscan(fields[12], &stime)
		ticks += utime + stime
	}
	// Linux reports them in clock ticks of 1/100 s (USER_HZ).
	return time.Duration(ticks) * 10 * time.Millisecond
}

// optionsAnswered sends one OPTIONS over UDP and reports whether a final
// answer came back.
func optionsAnswered(addr string) bool {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	local := c.LocalAddr().String()
	msg := "OPTIONS sip:" + addr + " SIP/2.0\r\nVia: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + randHex(6) + ";rport\r\n" +
		"Max-Forwards: 70\r\nFrom: <sip:probe@" + local + ">;tag=" + randHex(4) + "\r\nTo: <sip:" + addr + ">\r\n" +
		"Call-ID: " + randHex(8) + "\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n"
	if _, err := c.Write([]byte(msg)); err != nil {
		return false
	}
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	return err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 ") && !strings.HasPrefix(string(buf[:n]), "SIP/2.0 1")
}

// TestKamailioTwoNodes runs the scale-out of docs/sip.md: Kamailio with the
// repository's configuration in front of two Switchboard nodes sharing one
// PostgreSQL database. A sipp phone registers through Kamailio (digest,
// challenged by whichever node Kamailio picks); both nodes see the binding
// with the Path Kamailio added; a reboot sends its NOTIFY to Kamailio
// (the Path), Kamailio relays it to the phone, the phone answers and
// registers again through Kamailio, and the reboot ends in Success.
func TestKamailioTwoNodes(t *testing.T) {
	db := storetest.Postgres(t)
	kamailioBinary(t)
	ctx := context.Background()
	r := newRebootRig(t, db, 0, sip.RebootConfig{Rate: 50, Timeout: 8 * time.Second, NotifyTimeout: 2 * time.Second, Poll: 50 * time.Millisecond})
	// Node B: another node on the same database, with its own registry,
	// edge and NOTIFY sender.
	registryB := sip.NewRegistry(db)
	nodeB, err := sip.New(sip.Config{Listen: []sip.Listen{{Network: "udp", Addr: "127.0.0.1:0"}}, Realm: realm, ProviderID: r.provider, NodeID: "node-b",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, r.devices, registryB, r.log)
	if err != nil {
		t.Fatal(err)
	}
	bctx, cancel := context.WithCancel(context.Background())
	if err := nodeB.Start(bctx); err != nil {
		t.Fatal(err)
	}
	senderB := make(chan struct{})
	go func() { r.reboots.RunSender(bctx, nodeB); close(senderB) }()
	t.Cleanup(func() { cancel(); <-senderB; nodeB.Close() })

	port := freePort(t)
	kam := startKamailio(t, port, r.udp, nodeB.Bound()[0].Addr)
	proxy := fmt.Sprintf("127.0.0.1:%d", port)

	// The phone stays up long enough for its reboot (about half a second
	// here).
	hold := []string{"expires", "600", "want_expires", "(600|599)", "hold", "2500", "event", "check-sync"}
	run := startSipp(t, proxy, "udp", "register_and_wait.xml", "notify_ooc.xml", r.line.Username, r.line.Password, hold...)
	r.waitRegistered(t, r.phones[0])

	// Both nodes see the binding, with Kamailio's Path carrying the phone's
	// real address.
	for name, reg := range map[string]*sip.Registry{"node A": r.registry, "node B": registryB} {
		bs, err := reg.LineBindings(ctx, r.line.ID)
		if err != nil || len(bs) != 1 {
			t.Fatalf("%s: bindings = %+v, %v", name, bs, err)
		}
		b := bs[0]
		if !strings.Contains(b.Path, proxy) || !strings.Contains(b.Path, "received=") {
			t.Errorf("%s: Path = %q, want Kamailio's (%s) with the phone's received address", name, b.Path, proxy)
		}
		if b.SourceAddr+":"+fmt.Sprint(b.SourcePort) != proxy {
			t.Errorf("%s: source = %s:%d, want the proxy %s", name, b.SourceAddr, b.SourcePort, proxy)
		}
	}
	for name, reg := range map[string]*sip.Registry{"node A": r.registry, "node B": registryB} {
		st, err := reg.DeviceStatus(ctx, []int64{r.device.ID})
		if err != nil || st[r.device.ID].Status != sip.StatusRegistered {
			t.Errorf("%s: device status = %+v, %v", name, st, err)
		}
	}

	rb, err := r.reboots.RebootDevice(ctx, r.admin, r.device.ID)
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the NOTIFY", func() bool {
		v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
		return v.Items[0].Status == sip.RebootPending
	})
	// The phone comes back through Kamailio.
	sipp(t, proxy, "udp", "register.xml", r.line.Username, r.line.Password, "expires", "600", "want_expires", "(600|599)")
	waitFor(t, "the reboot to finish", func() bool {
		v, _ := r.reboots.View(ctx, r.admin, rb.JobID)
		return v.Finished
	})
	if v, _ := r.reboots.View(ctx, r.admin, rb.JobID); !v.AllSucceeded {
		t.Fatalf("reboot through Kamailio = %+v", v.Items)
	}
	if err := run.wait(); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(kam.String(), "NOTIFY relayed to the phone at") {
		t.Errorf("Kamailio did not log relaying the NOTIFY:\n%s", tail(kam.String(), 3000))
	}
}
