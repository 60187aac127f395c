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
	"sync"
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
// a change). PROVISIONING_BENCH_POSTGRES=1 runs it on PostgreSQL.
// PROVISIONING_BENCH_KEYS=1 gives every phone a Visual Device Manager
// layout (benchLayout) through the KeyLayout hook; without it the hook is
// nil, as today.
//
//	go test ./internal/provisioning/ -run '^$' -bench Fetch -benchtime 50000x
func BenchmarkFetch(b *testing.B) {
	var db *store.DB
	if os.Getenv("PROVISIONING_BENCH_POSTGRES") != "" {
		// The same on PostgreSQL (SWITCHBOARD_TEST_POSTGRES): cached
		// fetches read no database, so this measures the cold path and
		// the revision reads.
		db = storetest.Postgres(b)
	} else {
		db = storetest.SQLite(b)
	}
	env := apptest.New(b, db)
	sealer, err := devices.NewSealer([]byte(strings.Repeat("b", 32)))
	if err != nil {
		b.Fatal(err)
	}
	env.App.Devices.Lines.Sealer, env.App.Devices.Lines.Domain = sealer, "voice.example.net"
	macs, secrets := benchEstate(b, env, benchDevices)
	if os.Getenv("PROVISIONING_BENCH_KEYS") != "" {
		env.App.Provisioning.KeyLayout = func(ctx context.Context, id int64) (devices.KeyLayout, error) { return benchLayout(id), nil }
	}
	base := env.Server.URL
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	client := &http.Client{Transport: transport}
	defer transport.CloseIdleConnections()
	size := 0
	phones := make([]phoneState, len(macs))
	if os.Getenv("PROVISIONING_BENCH_COLD") == "" {
		// Every phone fetched once: the files are in the revision cache,
		// as for phones rebooting without a configuration change.
		for i := range macs {
			_, body := phones[i].fetch(b, client, base, "/prov/"+strings.ToLower(macs[i])+".cfg", macs[i], secrets[i])
			size = len(body)
		}
		challenges.Store(0)
	}
	b.Run("switchboard", func(b *testing.B) {
		var next atomic.Int64
		b.SetParallelism(4)
		cpu := cpuSeconds()
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
		reportRates(b, cpuSeconds()-cpu)
	})
	// A phone holding the nonce of its last challenge answers the next
	// file's request with it and the next nonce count (RFC 7616 section
	// 3.3): one request per fetch, as for the second and later files of
	// a boot. The server accepts each count once.
	b.Run("switchboard-nonce-reused", func(b *testing.B) {
		var next atomic.Int64
		b.SetParallelism(4)
		cpu := cpuSeconds()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1)) % len(macs)
				path := "/prov/" + strings.ToLower(macs[i]) + ".cfg"
				res, body := phones[i].fetch(b, client, base, path, macs[i], secrets[i])
				if res.StatusCode != 200 || !strings.Contains(body, "account.1.password = LinePassword") {
					b.Fatalf("%s: %d %s", path, res.StatusCode, body)
				}
			}
		})
		b.StopTimer()
		reportRates(b, cpuSeconds()-cpu)
		b.ReportMetric(float64(challenges.Load())/float64(b.N), "challenges/fetch")
		challenges.Store(0)
	})
	// The yardstick: nginx serving a static file of the same size, one
	// request per fetch, with the same clients.
	b.Run("nginx", func(b *testing.B) {
		if size == 0 {
			size = 600
		}
		url, pid := startNginx(b, size)
		b.SetParallelism(4)
		cpu := cpuSeconds() + processCPUSeconds(pid)
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
		reportRates(b, cpuSeconds()+processCPUSeconds(pid)-cpu)
	})
}

// cpuSeconds is the CPU time (user and system) this process used so far.
func cpuSeconds() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

// processCPUSeconds is the CPU time used so far by the processes whose
// parent is pid, and pid itself (nginx's master and workers), from /proc.
func processCPUSeconds(pid int) float64 {
	entries, _ := os.ReadDir("/proc")
	total := 0.0
	for _, e := range entries {
		stat, err := os.ReadFile(filepath.Join("/proc", e.Name(), "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name (which may hold spaces): state,
		// ppid, … utime is the 14th field, stime the 15th.
		i := bytes.LastIndexByte(stat, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(stat[i+1:]))
		if len(f) < 13 {
			continue
		}
		var ppid, utime, stime int
		fmt.Sscan(f[1], &ppid)
		fmt.Sscan(f[11], &utime)
		fmt.Sscan(f[12], &stime)
		if e.Name() == fmt.Sprint(pid) || ppid == pid {
			total += float64(utime+stime) / 100 // USER_HZ, 100 on Linux
		}
	}
	return total
}

// reportRates reports fetches per second of wall time and per CPU-second
// (the load generator's and the server's together): on a machine shared
// with other work the wall-time rate says how much CPU the scheduler gave,
// the CPU rate what a fetch costs.
func reportRates(b *testing.B, cpu float64) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fetches/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu, "fetches/cpu-s")
	}
}

// phoneState is what a phone keeps between fetches: the nonce of its last
// challenge and the count it last sent with it.
type phoneState struct {
	mu    sync.Mutex
	nonce string
	nc    int
}

// challenges counts the challenges phones had to answer in the
// nonce-reusing benchmark (a stale or refused nonce).
var challenges atomic.Int64

// fetch GETs path with the phone's nonce and next count, answering a
// challenge (first fetch, stale nonce) with a fresh one.
func (p *phoneState) fetch(b testing.TB, client *http.Client, base, path, user, secret string) (*http.Response, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for range 3 {
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			b.Fatal(err)
		}
		if p.nonce != "" {
			p.nc++
			req.Header.Set("Authorization", authorizationCount(user, secret, p.nonce, path, p.nc))
		}
		res, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusUnauthorized {
			return res, string(body)
		}
		m := nonceRE.FindStringSubmatch(res.Header.Get("WWW-Authenticate"))
		if m == nil {
			b.Fatalf("challenge without nonce: %q", res.Header.Get("WWW-Authenticate"))
		}
		challenges.Add(1)
		p.nonce, p.nc = m[1], 0
	}
	b.Fatalf("%s: still challenged after answering", path)
	return nil, ""
}

// startNginx runs nginx (if installed) on a free loopback port, serving
// one static file of size bytes, and returns its URL and the master's
// process id.
func startNginx(b *testing.B, size int) (string, int) {
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
			return url, cmd.Process.Pid
		}
		time.Sleep(20 * time.Millisecond)
	}
	b.Fatalf("nginx did not start on %s", addr)
	return "", 0
}

// benchLayout is a T46G's full layout for device id, built in memory (the
// devices service reads it with one query): its line, BLF keys watching
// the neighbouring phones' lines, speed dials, the rest at their default;
// an EXP40 of BLF keys; four soft keys; a ring tone.
func benchLayout(id int64) devices.KeyLayout {
	user := func(i int64) string { return fmt.Sprintf("4411349%05d", (i+benchDevices)%benchDevices) }
	kl := devices.KeyLayout{PhoneKeys: make([]devices.Key, 30), SidecarModel: "EXP40", SidecarKeys: [][]devices.Key{make([]devices.Key, 40)},
		Ringer: "Ring3.wav"}
	for i := range kl.PhoneKeys {
		switch {
		case i < 10:
			kl.PhoneKeys[i] = devices.Key{Action: devices.KeyBLF, Label: "Colleague", Value: user(id + int64(i) + 1)}
		case i < 15:
			kl.PhoneKeys[i] = devices.Key{Action: devices.KeySpeedDial, Label: "Speed dial", Value: "+44113496" + fmt.Sprintf("%04d", i)}
		default:
			kl.PhoneKeys[i] = devices.Key{Action: devices.KeyDefault}
		}
	}
	for i := range kl.SidecarKeys[0] {
		kl.SidecarKeys[0][i] = devices.Key{Action: devices.KeyBLF, Label: "Colleague", Value: user(id - int64(i) - 1)}
	}
	kl.SoftKeys = []devices.Key{{Action: devices.KeyFunction, Label: "Call Pull", Value: "*11"},
		{Action: devices.KeyCustom, Label: "Night", Value: "*55$Tinvite$"}, {Action: devices.KeySpeedDial, Label: "Help", Value: "2000"},
		{Action: devices.KeyDefault}}
	return kl
}
