package sip_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"

	"github.com/switchboard-voice/switchboard/internal/sip"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestBaresipRegisters runs baresip, a real soft client, headless with a
// config directory of its own: it registers the line with digest
// authentication over UDP, the binding appears with baresip's user agent
// and the device shows Registered; stopped, it un-registers.
func TestBaresipRegisters(t *testing.T) {
	bin := peer(t, "baresip")
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		r := newRig(t, db, sip.Config{})
		dir := t.TempDir()
		config := fmt.Sprintf(`poll_method epoll
sip_listen 127.0.0.1:%d
module_path /usr/lib/baresip/modules
module_app account.so
module g711.so
module aufile.so
module ausine.so
audio_player aufile,/dev/null
audio_source ausine,440
`, freePort(t))
		account := fmt.Sprintf("<sip:%s@%s;transport=udp>;auth_pass=%s;regint=600\n", r.line.Username, r.udp, r.line.Password)
		for name, text := range map[string]string{"config": config, "accounts": account} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
		}
		out := &apptest.LogBuffer{}
		cmd := exec.Command(bin, "-f", dir, "-t", "60")
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		stopped := false
		t.Cleanup(func() {
			if !stopped {
				_ = cmd.Process.Kill()
				<-done
			}
		})
		deadline := time.Now().Add(20 * time.Second)
		var bs []sip.Binding
		for time.Now().Before(deadline) {
			var err error
			if bs, err = r.registry.LineBindings(ctx, r.line.ID); err != nil {
				t.Fatal(err)
			}
			if len(bs) > 0 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(bs) != 1 {
			t.Fatalf("baresip did not register (bindings %+v); its output:\n%s", bs, tail(out.String(), 3000))
		}
		if !strings.Contains(bs[0].UserAgent, "baresip") || bs[0].Transport != "UDP" || !strings.HasPrefix(bs[0].Contact, "sip:"+r.line.Username) || !strings.Contains(bs[0].Contact, "@127.0.0.1:") {
			t.Errorf("baresip's binding = %+v", bs[0])
		}
		st, err := r.registry.DeviceStatus(ctx, []int64{r.device.ID})
		if err != nil || st[r.device.ID].Status != sip.StatusRegistered || !strings.Contains(st[r.device.ID].UserAgent, "baresip") {
			t.Fatalf("device status = %+v, %v", st, err)
		}
		// SIGTERM: baresip un-registers on its way out.
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			t.Fatalf("baresip did not stop; its output:\n%s", tail(out.String(), 2000))
		}
		stopped = true
		waitFor(t, "baresip's un-REGISTER", func() bool {
			bs, _ := r.registry.LineBindings(ctx, r.line.ID)
			return len(bs) == 0
		})
	})
}
