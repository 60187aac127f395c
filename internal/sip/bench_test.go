package sip_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/sip/digest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// benchLines adds n employees of the rig's company, each with a desk phone
// and its line, and returns the lines with their passwords.
func benchLines(b *testing.B, r *rig, n int) []devices.LineCredentials {
	b.Helper()
	ctx := context.Background()
	dir := directory.New(r.db, r.log)
	out := make([]devices.LineCredentials, 0, n)
	// In transactions of 250 lines: one commit per line (four writes each)
	// made setting up 5,000 lines on PostgreSQL take minutes.
	for start := 0; start < n; start += 250 {
		err := r.db.Tx(ctx, func(ctx context.Context) error {
			for i := start; i < min(start+250, n); i++ {
				e, err := dir.CreateEmployee(ctx, r.device.CompanyID, r.provider, directory.EmployeeCreateRequest{Username: fmt.Sprintf("bench%05d", i),
					Role: access.RoleEmployee, FirstName: "Bench", LastName: fmt.Sprint(i)}, "")
				if err != nil {
					return err
				}
				d, err := r.devices.Create(ctx, r.provider, r.device.CompanyID, devices.DeviceCreateRequest{SiteID: r.device.SiteID, TypeID: r.device.TypeID,
					MAC: fmt.Sprintf("0015669%05X", i)})
				if err != nil {
					return err
				}
				if err := r.devices.AssignPrimary(ctx, r.device.CompanyID, r.device.SiteID, d.ID, e.ID); err != nil {
					return err
				}
				l, err := r.devices.ProvisionPrimaryLine(ctx, r.device.CompanyID, e.ID)
				if err != nil {
					return err
				}
				out = append(out, l)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return out
}

func benchDB(b *testing.B) *store.DB {
	if os.Getenv(storetest.EnvPostgres) != "" && os.Getenv("SWITCHBOARD_BENCH_ENGINE") == "postgres" {
		return storetest.Postgres(b)
	}
	return storetest.SQLite(b)
}

// BenchmarkRegisterDigest: complete digest registrations (REGISTER → 401 →
// REGISTER with credentials → 200, the binding written to the database)
// from parallel UDP clients over loopback, one line each, through the
// whole registrar. SWITCHBOARD_BENCH_ENGINE=postgres runs it on PostgreSQL.
func BenchmarkRegisterDigest(b *testing.B) {
	r := newRig(b, benchDB(b), sip.Config{})
	lines := benchLines(b, r, 200)
	var next atomic.Int64
	b.SetParallelism(8)
	b.ResetTimer()
	start, cpuStart := time.Now(), cpuTime()
	b.RunParallel(func(pb *testing.PB) {
		l := lines[int(next.Add(1)-1)%len(lines)]
		c, err := dialUDP(r.udp)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.conn.Close()
		cseq := 0
		callID := randHex(8)
		for pb.Next() {
			cseq++
			res, err := c.roundTrip(registerMessage(l.Username, c.local(), callID, cseq, ""))
			if err != nil || res.code != 401 {
				b.Errorf("challenge: %d %v", res.code, err)
				return
			}
			cseq++
			auth, _ := (&uac{user: l.Username}).authorization(res.get("WWW-Authenticate"), l.Password, 1)
			res, err = c.roundTrip(registerMessage(l.Username, c.local(), callID, cseq, auth))
			if err != nil || res.code != 200 {
				b.Errorf("register: %d %s %v", res.code, res.reason, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "registrations/s")
	// The machine may be shared: the CPU time a registration costs (the
	// registrar, the database and these clients together) is the figure
	// that does not depend on what else runs.
	b.ReportMetric(float64((cpuTime()-cpuStart).Microseconds())/float64(b.N), "cpu-µs/registration")
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSippRegister: sipp registers b.N distinct users with digest
// authentication as fast as the registrar answers (run with -benchtime
// 5000x for 5,000 users; docs/performance.md).
func BenchmarkSippRegister(b *testing.B) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		b.Skip("sipp not installed (apt-get install sip-tester)")
	}
	r := newRig(b, benchDB(b), sip.Config{})
	lines := benchLines(b, r, b.N)
	dir := sippRegisterFiles(b, lines)
	b.ResetTimer()
	ok, rate := sippRegister(b, bin, r.udp, dir, b.N)
	b.ReportMetric(float64(b.N-ok), "failed")
	b.ReportMetric(rate, "registrations/s")
}

// BenchmarkSippRegisterVsKamailio: the same sipp load — b.N distinct users
// registering with digest — against Switchboard's registrar (bindings in
// the database) and then, in the same run, against Kamailio as a plain
// registrar (deploy/kamailio/bench/registrar.cfg: auth against the same
// HA1s held in memory, bindings in memory). It reports both rates and
// Switchboard's share of Kamailio's (docs/performance.md).
func BenchmarkSippRegisterVsKamailio(b *testing.B) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		b.Skip("sipp not installed (apt-get install sip-tester)")
	}
	r := newRig(b, benchDB(b), sip.Config{})
	lines := benchLines(b, r, b.N)
	dir := sippRegisterFiles(b, lines)

	// Kamailio's credentials: the lines' MD5 HA1s, in a db_text table its
	// htable loads at start.
	kdir := b.TempDir()
	dbDir := filepath.Join(kdir, "db")
	if err := os.Mkdir(dbDir, 0o700); err != nil {
		b.Fatal(err)
	}
	var table strings.Builder
	table.WriteString("key_name(string) key_type(int) value_type(int) key_value(string) expires(int)\n")
	for _, l := range lines {
		fmt.Fprintf(&table, "%s:0:0:%s:0\n", l.Username, digest.HA1(digest.MD5, l.Username, realm, l.Password))
	}
	if err := os.WriteFile(filepath.Join(dbDir, "credentials"), []byte(table.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	port := freePort(b)
	_, kamPID := runKamailio(b, kdir, "bench/registrar.cfg", port, [][2]string{
		{"listen=udp:127.0.0.1:5060", fmt.Sprintf("listen=udp:127.0.0.1:%d", port)},
		{"text:///var/lib/kamailio/bench-db", "text://" + dbDir},
	})

	b.ResetTimer()
	// The CPU each server spends, besides the rates: on a shared machine
	// the rates mostly tell how much of the cores sipp got. Switchboard's
	// is this process's (the registrar; sipp and PostgreSQL are other
	// processes), Kamailio's that of its processes.
	cpu0 := cpuTime()
	okSB, rateSB := sippRegister(b, bin, r.udp, dir, b.N)
	cpuSB := cpuTime() - cpu0
	kcpu0 := processTreeCPU(kamPID)
	okK, rateK := sippRegister(b, bin, fmt.Sprintf("127.0.0.1:%d", port), dir, b.N)
	cpuK := processTreeCPU(kamPID) - kcpu0
	b.StopTimer()
	b.ReportMetric(float64(cpuSB.Microseconds())/float64(okSB), "switchboard-cpu-µs/reg")
	b.ReportMetric(float64(cpuK.Microseconds())/float64(okK), "kamailio-cpu-µs/reg")
	b.ReportMetric(rateSB, "switchboard-reg/s")
	b.ReportMetric(rateK, "kamailio-reg/s")
	b.ReportMetric(rateSB/rateK, "ratio")
	b.ReportMetric(float64(b.N-okSB), "switchboard-failed")
	b.ReportMetric(float64(b.N-okK), "kamailio-failed")
}

// sippRegisterFiles writes sipp's injection file (every line with its
// password and digest credentials) and the register.xml scenario (3600 s
// asked and granted, UDP) into a new directory and returns it.
func sippRegisterFiles(b *testing.B, lines []devices.LineCredentials) string {
	b.Helper()
	dir := b.TempDir()
	var csv strings.Builder
	csv.WriteString("SEQUENTIAL\n")
	for _, l := range lines {
		fmt.Fprintf(&csv, "%s;%s;%s;[authentication username=%s password=%s];\n", l.Username, l.Password, realm, l.Username, l.Password)
	}
	if err := os.WriteFile(filepath.Join(dir, "users.csv"), []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	text, err := os.ReadFile(filepath.Join("testdata", "register.xml"))
	if err != nil {
		b.Fatal(err)
	}
	text = []byte(strings.NewReplacer("{{expires}}", "3600", "{{want_expires}}", "(3600|3599)", "{{transport}}", "UDP").Replace(string(text)))
	if err := os.WriteFile(filepath.Join(dir, "register.xml"), text, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// sippRegister runs sipp with the files of dir against addr: n
// registrations, 200 in flight, as fast as answered. It returns how many
// succeeded and the rate of successful registrations per second.
func sippRegister(b *testing.B, bin, addr, dir string, n int) (int, float64) {
	b.Helper()
	start := time.Now()
	cmd := exec.Command(bin, addr, "-sf", "register.xml", "-inf", "users.csv", "-m", fmt.Sprint(n), "-r", "100000", "-l", "200",
		"-t", "u1", "-i", "127.0.0.1", "-p", fmt.Sprint(freePort(b)), "-nostdin", "-timeout", "120s", "-timeout_error",
		"-trace_err", "-error_file", filepath.Join(dir, "errors.log"))
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	elapsed := time.Since(start)
	// Exit status 1 is "some calls failed" (a handful do on an overloaded
	// machine): counted below. Anything else is sipp failing as a whole.
	if exit, ok := err.(*exec.ExitError); err != nil && (!ok || exit.ExitCode() != 1) {
		errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
		b.Fatalf("sipp against %s: %v\n%s\n%s", addr, err, tail(string(out), 1500), tail(string(errs), 1500))
	}
	ok := successfulCalls(string(out))
	if ok < n*99/100 {
		errs, _ := os.ReadFile(filepath.Join(dir, "errors.log"))
		b.Fatalf("sipp against %s: only %d of %d registrations succeeded\n%s\n%s", addr, ok, n, tail(string(out), 1500), tail(string(errs), 1500))
	}
	return ok, float64(ok) / elapsed.Seconds()
}

// successfulCalls reads the cumulative "Successful call" count of sipp's
// final statistics screen.
func successfulCalls(screen string) int {
	n := 0
	for _, line := range strings.Split(screen, "\n") {
		if strings.Contains(line, "Successful call") {
			fields := strings.FieldsFunc(line, func(r rune) bool { return r == '|' || r == ' ' })
			if len(fields) > 0 {
				fmt.Sscan(fields[len(fields)-1], &n)
			}
		}
	}
	return n
}
