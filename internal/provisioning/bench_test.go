package provisioning_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

const benchDevices = 10000

// benchEstate adds n Yealink T46G phones to Leeds, each the primary device
// of its own employee with a line and provisioning credentials, written
// directly (the service's audited path would take minutes for 10,000).
// It returns each phone's MAC and secret.
func benchEstate(b *testing.B, env *apptest.Env, n int) (macs, secrets []string) {
	ctx := context.Background()
	a, f := env.App, env.Fixture
	sealer := a.Devices.Lines.Sealer
	ty, err := a.Devices.CreateType(ctx, f.Provider.ID, devices.Type{Vendor: "Yealink", Model: "T46G"})
	if err != nil {
		b.Fatal(err)
	}
	err = a.DB.Tx(ctx, func(ctx context.Context) error {
		q := a.DB.Q(ctx)
		now := store.Now()
		for i := range n {
			var acct, dev, line int64
			if err := q.QueryRow(ctx, `INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, status, created_at, updated_at)
				VALUES (?, ?, ?, 'employee', 'Bench', ?, 'active', ?, ?) RETURNING id`, f.Provider.ID, f.Acme.ID, fmt.Sprintf("bench.%d", i),
				fmt.Sprintf("User %d", i), now, now).Scan(&acct); err != nil {
				return err
			}
			mac := fmt.Sprintf("805EC1%06X", i)
			if err := q.QueryRow(ctx, `INSERT INTO devices (company_id, site_id, type_id, mac, account_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`, f.Acme.ID, f.Leeds.ID, ty.ID, mac, acct, now, now).Scan(&dev); err != nil {
				return err
			}
			user := fmt.Sprintf("4411349%05d", i)
			pw, err := sealer.Seal(fmt.Sprintf("LinePassword%08d", i), user)
			if err != nil {
				return err
			}
			if err := q.QueryRow(ctx, `INSERT INTO lines (company_id, device_id, account_id, appearance, username, realm, password_enc, ha1_md5, ha1_sha256, created_at, updated_at)
				VALUES (?, ?, ?, 0, ?, 'voice.example.net', ?, '', '', ?, ?) RETURNING id`, f.Acme.ID, dev, acct, user, pw, now, now).Scan(&line); err != nil {
				return err
			}
			secret := fmt.Sprintf("ProvSecret%014d", i)
			sealed, err := sealer.Seal(secret, fmt.Sprintf("provisioning:%d", dev))
			if err != nil {
				return err
			}
			if _, err := q.Exec(ctx, `INSERT INTO device_provisioning (device_id, company_id, secret_enc, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`,
				dev, f.Acme.ID, sealed, now, now); err != nil {
				return err
			}
			macs, secrets = append(macs, mac), append(secrets, secret)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return macs, secrets
}

// BenchmarkFetch measures configuration fetches per second over 10,000
// phones, through the whole HTTP stack (middleware included) over
// loopback: each operation is what `curl --digest` does, a request that is
// challenged and the authenticated request for the phone's own file.
// Fetches rotate over every phone. Each phone's file is fetched once
// before the clock starts, so files come from the revision cache (phones
// rebooting without a configuration change); PROVISIONING_BENCH_COLD=1
// skips that, so the first round renders every file (a storm right after
// a change).
//
//	go test ./internal/provisioning/ -run '^$' -bench Fetch -benchtime 20000x
func BenchmarkFetch(b *testing.B) {
	db := storetest.SQLite(b)
	env := apptest.New(b, db)
	sealer, err := devices.NewSealer([]byte(strings.Repeat("b", 32)))
	if err != nil {
		b.Fatal(err)
	}
	env.App.Devices.Lines.Sealer, env.App.Devices.Lines.Domain = sealer, "voice.example.net"
	macs, secrets := benchEstate(b, env, benchDevices)
	base := env.Server.URL
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: transport}
	defer transport.CloseIdleConnections()
	size := 0
	if os.Getenv("PROVISIONING_BENCH_COLD") == "" {
		// Every phone fetched once: the files are in the revision cache,
		// as for phones rebooting without a configuration change.
		for i := range macs {
			_, body := fetch(b, client, base, "/prov/"+strings.ToLower(macs[i])+".cfg", macs[i], secrets[i], nil)
			size = len(body)
		}
	}
	b.Run("switchboard", func(b *testing.B) {
		var next atomic.Int64
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1)) % len(macs)
				path := "/prov/" + strings.ToLower(macs[i]) + ".cfg"
				res, body := fetch(b, client, base, path, macs[i], secrets[i], nil)
				if res.StatusCode != 200 || !strings.Contains(body, "account.1.password = LinePassword") {
					b.Fatalf("%s: %d %s", path, res.StatusCode, body)
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fetches/s")
	})
	// The yardstick: nginx serving a static file of the same size, one
	// request per fetch, with the same clients.
	b.Run("nginx", func(b *testing.B) {
		if size == 0 {
			size = 600
		}
		url := startNginx(b, size)
		b.SetParallelism(4)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				res, err := client.Get(url)
				if err != nil {
					b.Fatal(err)
				}
				n, _ := io.Copy(io.Discard, res.Body)
				res.Body.Close()
				if res.StatusCode != 200 || int(n) != size {
					b.Fatalf("nginx: %d, %d bytes", res.StatusCode, n)
				}
			}
		})
		b.StopTimer()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fetches/s")
	})
}

// startNginx runs nginx (if installed) on a free loopback port, serving
// one static file of size bytes, and returns its URL.
func startNginx(b *testing.B, size int) string {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx"} {
			if _, err := os.Stat(p); err == nil {
				bin = p
			}
		}
	}
	if bin == "" {
		b.Skip("nginx is not installed: no yardstick")
	}
	dir := b.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "static.cfg"), bytes.Repeat([]byte("x"), size), 0o644); err != nil {
		b.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	user := ""
	if os.Geteuid() == 0 {
		// Workers would drop to a user who cannot read the test's
		// temporary directory.
		user = "user root;"
	}
	conf := fmt.Sprintf(`daemon off;
%[3]s
worker_processes auto;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path %[1]s; proxy_temp_path %[1]s; fastcgi_temp_path %[1]s; uwsgi_temp_path %[1]s; scgi_temp_path %[1]s;
  server { listen %[2]s; root %[1]s; }
}
`, dir, addr, user)
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"))
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// SIGTERM: the master stops its workers before it exits.
	b.Cleanup(func() { _ = cmd.Process.Signal(syscall.SIGTERM); _ = cmd.Wait() })
	url := "http://" + addr + "/static.cfg"
	for range 100 {
		if res, err := http.Get(url); err == nil {
			res.Body.Close()
			return url
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatalf("nginx did not start on %s", addr)
	return ""
}
