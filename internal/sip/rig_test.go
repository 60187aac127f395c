package sip_test

import (
	"context"
	"crypto/rand"
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

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

const realm = "sip.test.invalid"

// rig is a registrar on random loopback ports with one company, one
// employee, their desk phone and its line.
type rig struct {
	db            *store.DB
	log           *audit.Log
	devices       *devices.Service
	registry      *sip.Registry
	edge          *sip.Edge
	udp, tcp, tls string
	device        devices.Device
	line          devices.LineCredentials
	provider      int64
}

func newRig(t testing.TB, db *store.DB, cfg sip.Config) *rig {
	t.Helper()
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	r := &rig{db: db, log: audit.New(db)}
	ten := tenancy.New(db, r.log)
	dir := directory.New(db, r.log)
	r.devices = devices.New(db, r.log)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	sealer, err := devices.NewSealer(key)
	must(err)
	r.devices.Lines = devices.LineSettings{Sealer: sealer, Domain: realm}
	p, err := ten.CreateProvider(ctx, "P", "GB")
	must(err)
	r.provider = p.ID
	c, err := ten.CreateCompany(ctx, p.ID, tenancy.CompanyCreateRequest{Name: "Acme"})
	must(err)
	site, err := dir.CreateSite(ctx, c.ID, directory.SiteCreateRequest{Name: "Leeds"})
	must(err)
	ann, err := dir.CreateEmployee(ctx, c.ID, p.ID, directory.EmployeeCreateRequest{Username: "ann", Role: access.RoleEmployee, FirstName: "Ann", LastName: "A"}, "")
	must(err)
	must(r.devices.SeedDefaultTypes(ctx, p.ID))
	types, err := r.devices.Types(ctx, p.ID)
	must(err)
	r.device, err = r.devices.Create(ctx, p.ID, c.ID, devices.DeviceCreateRequest{SiteID: site.ID, TypeID: types[0].ID, MAC: "00:15:65:12:34:56"})
	must(err)
	must(r.devices.AssignPrimary(ctx, c.ID, site.ID, r.device.ID, ann.ID))
	r.line, err = r.devices.ProvisionPrimaryLine(ctx, c.ID, ann.ID)
	must(err)

	r.registry = sip.NewRegistry(db)
	if cfg.Listen == nil {
		cfg.Listen = []sip.Listen{{Network: "udp", Addr: "127.0.0.1:0"}, {Network: "tcp", Addr: "127.0.0.1:0"}}
	}
	cfg.Realm = realm
	cfg.ProviderID = p.ID
	cfg.NodeID = "node-a"
	if testing.Verbose() {
		cfg.Logger = slog.Default()
	} else {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	r.edge, err = sip.New(cfg, r.devices, r.registry, r.log)
	must(err)
	sctx, cancel := context.WithCancel(context.Background())
	must(r.edge.Start(sctx))
	t.Cleanup(func() { cancel(); r.edge.Close() })
	for _, l := range r.edge.Bound() {
		switch l.Network {
		case "udp":
			r.udp = l.Addr
		case "tcp":
			r.tcp = l.Addr
		case "tls":
			r.tls = l.Addr
		}
	}
	return r
}

// peer finds a SIP test peer's binary; in CI a missing peer fails the test.
func peer(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed: CI must run the SIP peer tests (apt-get install sip-tester baresip, see .ci/run)", name)
		}
		t.Skipf("%s not installed (apt-get install sip-tester baresip)", name)
	}
	return path
}

// freePort returns a loopback port free for UDP and TCP at the moment.
func freePort(t testing.TB) int {
	t.Helper()
	for range 20 {
		l, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.LocalAddr().(*net.UDPAddr).Port
		l.Close()
		if tl, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			tl.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// sipp runs one call of scenario against addr with the injection fields
// user;password;domain;[authentication …], the scenario's {{name}}
// placeholders filled from keys, and returns its local port. A failed
// scenario fails the test with sipp's output.
func sipp(t *testing.T, addr, transport, scenario, user, password string, keys ...string) int {
	t.Helper()
	run := startSipp(t, addr, transport, scenario, "", user, password, keys...)
	if err := run.wait(); err != nil {
		t.Fatal(err)
	}
	return run.port
}

// sippRun is a sipp process started by startSipp.
type sippRun struct {
	port int
	wait func() error
}

// startSipp starts sipp in the background (see sipp); ooc, when not
// empty, is the out-of-call scenario that answers requests the phone
// receives (sipp -oocsf).
func startSipp(t *testing.T, addr, transport, scenario, ooc, user, password string, keys ...string) sippRun {
	t.Helper()
	bin := peer(t, "sipp")
	dir := t.TempDir()
	csv := filepath.Join(dir, "users.csv")
	if err := os.WriteFile(csv, []byte("SEQUENTIAL\n"+user+";"+password+";"+realm+";[authentication username="+user+" password="+password+"];\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// The scenarios' {{name}} placeholders are filled from keys here:
	// sipp's own -key values do not reach regexp attributes.
	keys = append(keys, "transport", strings.ToUpper(transport))
	fill := func(name string) string {
		text, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(keys); i += 2 {
			text = []byte(strings.ReplaceAll(string(text), "{{"+keys[i]+"}}", keys[i+1]))
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, text, 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	port := freePort(t)
	tr := "u1"
	if transport == "tcp" {
		tr = "t1"
	}
	args := []string{addr, "-sf", fill(scenario), "-inf", csv, "-m", "1", "-l", "1", "-t", tr, "-i", "127.0.0.1", "-p", fmt.Sprint(port),
		"-timeout", "30s", "-timeout_error", "-nostdin", "-trace_err", "-error_file", filepath.Join(dir, "errors.log")}
	if ooc != "" {
		args = append(args, "-oocsf", fill(ooc))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = dir
	out := &apptest.LogBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	return sippRun{port: port, wait: func() error {
		defer cancel()
		if err := cmd.Wait(); err != nil {
			errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
			return fmt.Errorf("sipp %s: %v\n%s\n%s", scenario, err, tail(out.String(), 1500), errs)
		}
		return nil
	}}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func auditCount(t *testing.T, r *rig, event string) int {
	t.Helper()
	var n int
	if err := r.db.Q(context.Background()).QueryRow(context.Background(), "SELECT COUNT(*) FROM audit_events WHERE event = ?", event).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if strings.Contains(v, s) {
			return true
		}
	}
	return false
}
