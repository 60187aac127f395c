package sip_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/sip"
)

// BenchmarkSippBulkReboot: b.N sipp phones of one type at one site
// register and stay; a bulk reboot at the default pacing sends each its
// NOTIFY, which sipp answers; once every NOTIFY was accepted a second sipp
// run registers every phone again, and the clock stops when every device
// is Success (docs/performance.md). Run with -benchtime 2000x.
func BenchmarkSippBulkReboot(b *testing.B) {
	bin, err := exec.LookPath("sipp")
	if err != nil {
		b.Skip("sipp not installed (apt-get install sip-tester)")
	}
	ctx := context.Background()
	r := newRig(b, benchDB(b), sip.Config{})
	lines := benchLines(b, r, b.N-1)
	lines = append(lines, r.line)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	js := jobs.New(r.db, r.log, logger)
	reboots := sip.NewReboots(r.db, r.log, js, r.registry, sip.RebootConfig{Logger: logger})
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	go func() { _ = js.NewWorker(jobs.WorkerConfig{}).Run(wctx) }()
	go reboots.RunSender(wctx, r.edge)

	dir := b.TempDir()
	var csv strings.Builder
	csv.WriteString("SEQUENTIAL\n")
	for _, l := range lines {
		fmt.Fprintf(&csv, "%s;%s;%s;[authentication username=%s password=%s];\n", l.Username, l.Password, realm, l.Username, l.Password)
	}
	write := func(name, scenario string, repl ...string) {
		text, err := os.ReadFile(filepath.Join("testdata", scenario))
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.NewReplacer(repl...).Replace(string(text))), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "users.csv"), []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	write("wait.xml", "register_and_wait.xml", "{{expires}}", "3600", "{{want_expires}}", "(3600|3599)", "{{transport}}", "UDP", "{{hold}}", "120000")
	write("ooc.xml", "notify_ooc.xml", "{{event}}", "check-sync")
	write("again.xml", "register.xml", "{{expires}}", "3600", "{{want_expires}}", "(3600|3599)", "{{transport}}", "UDP")
	sippCmd := func(ctx context.Context, scenario string, rate int, extra ...string) *exec.Cmd {
		args := append([]string{r.udp, "-sf", scenario, "-inf", "users.csv", "-m", fmt.Sprint(b.N), "-r", fmt.Sprint(rate), "-l", fmt.Sprint(b.N),
			"-t", "u1", "-i", "127.0.0.1", "-p", fmt.Sprint(freePort(b)), "-nostdin", "-timeout", "180s"}, extra...)
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		return cmd
	}
	phones, stop := context.WithCancel(ctx)
	defer stop()
	// The phones register at 500/s (untimed): in a burst of 5,000 on a
	// loaded machine some gave up before their answer came.
	wait := sippCmd(phones, "wait.xml", 500, "-oocsf", "ooc.xml")
	if err := wait.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { stop(); _ = wait.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st, err := r.registry.DeviceStatus(ctx, []int64{lines[0].DeviceID, lines[len(lines)-1].DeviceID})
		var n int
		if err == nil {
			_ = r.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(DISTINCT device_id) FROM sip_bindings WHERE expires_at > ?", time.Now().UnixMilli()).Scan(&n)
		}
		if n == b.N && st != nil {
			break
		}
		if time.Now().After(deadline) {
			b.Fatalf("only %d of %d phones registered", n, b.N)
		}
		time.Sleep(200 * time.Millisecond)
	}
	admin := access.Actor{Role: access.RoleProvider, ProviderID: r.provider, Username: "bench"}
	b.ResetTimer()
	start := time.Now()
	rb, err := reboots.RebootDeviceType(ctx, admin, r.device.SiteID, r.device.TypeID)
	if err != nil {
		b.Fatal(err)
	}
	var accepted time.Duration
	var passes int
	var lastPass time.Time
	for {
		var sent, ok int
		_ = r.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM sip_reboot_items WHERE job_id = ? AND accepted_at > 0", rb.JobID).Scan(&sent)
		_ = r.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM sip_reboot_items WHERE job_id = ? AND status <> 'not_started' AND status <> 'pending'", rb.JobID).Scan(&ok)
		if sent+ok >= b.N && accepted == 0 {
			accepted = time.Since(start)
		}
		// Every phone comes back: a new registration each; phones whose
		// REGISTER got lost on the loaded machine try again, as real phones
		// do, a few seconds later (up to three passes).
		if accepted > 0 && passes < 3 && time.Since(lastPass) > 3*time.Second {
			passes++
			again := sippCmd(ctx, "again.xml", 2000)
			// Exit status 1 is "some calls failed": the next pass retries.
			if out, err := again.CombinedOutput(); err != nil {
				if exit, ok := err.(*exec.ExitError); !ok || exit.ExitCode() != 1 {
					b.Fatalf("sipp re-register: %v\n%s", err, tail(string(out), 1500))
				}
			}
			lastPass = time.Now()
		}
		v, err := reboots.View(ctx, admin, rb.JobID)
		if err == nil && v.Finished {
			b.ReportMetric(accepted.Seconds(), "s-all-notified")
			b.ReportMetric(time.Since(start).Seconds(), "s-all-ended")
			b.ReportMetric(float64(v.Counts[sip.RebootSuccess]), "success")
			b.ReportMetric(float64(b.N-v.Counts[sip.RebootSuccess]), "error")
			return
		}
		if time.Since(start) > 6*time.Minute {
			b.Fatalf("reboot not finished: %v", v.Counts)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
