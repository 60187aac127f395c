package cli

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
)

func TestParseFillsFlagsFromEnvironment(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		env      map[string]string
		wantHTTP string
		wantData string
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", "data"},
		{"env twin", nil, map[string]string{"SWITCHBOARD_HTTP": ":9000", "SWITCHBOARD_DATA": "/srv/sb"}, ":9000", "/srv/sb"},
		{"flag beats env", []string{"--http", ":7000"}, map[string]string{"SWITCHBOARD_HTTP": ":9000"}, ":7000", "data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			fs := flag.NewFlagSet("t", flag.ContinueOnError)
			var c common
			c.register(fs, "data")
			addr := fs.String("http", "127.0.0.1:8080", "")
			if err := parse(fs, tt.args); err != nil {
				t.Fatal(err)
			}
			if *addr != tt.wantHTTP || c.data != tt.wantData {
				t.Errorf("http=%q data=%q, want %q %q", *addr, c.data, tt.wantHTTP, tt.wantData)
			}
		})
	}
}

func TestParseRejectsBadEnvironmentValue(t *testing.T) {
	t.Setenv("SWITCHBOARD_SHUTDOWN_TIMEOUT", "soon")
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.Duration("shutdown-timeout", 0, "")
	err := parse(fs, nil)
	if err == nil || !strings.Contains(err.Error(), "SWITCHBOARD_SHUTDOWN_TIMEOUT") {
		t.Fatalf("err = %v, want one naming the variable", err)
	}
}

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Main(args, &out, &errb)
	return code, out.String(), errb.String()
}

func TestCommands(t *testing.T) {
	if code, out, _ := run(t, "version"); code != 0 || !strings.HasPrefix(out, "switchboard ") {
		t.Errorf("version: %d %q", code, out)
	}
	if code, _, errOut := run(t, "frobnicate"); code != 2 || !strings.Contains(errOut, `unknown command "frobnicate"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
	dir := t.TempDir()
	if code, out, errOut := run(t, "migrate", "--data", dir); code != 0 || !strings.Contains(out, "schema version") {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}
}

func TestCreateOperatorBootstrapsAnEmptyDatabase(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "create-operator", "--data", dir, "--username", "alice", "--password", "Str0ng!pass", "--provider-name", "Example Voice")
	if code != 0 {
		t.Fatalf("create-operator: %d %q %q", code, out, errOut)
	}
	if !strings.Contains(out, `"alice"`) || !strings.Contains(out, "Example Voice") {
		t.Errorf("output %q", out)
	}
	// A weak password is refused with the rules it breaks, and nothing is created.
	code, _, errOut = run(t, "create-operator", "--data", dir, "--username", "bob", "--password", "weak")
	if code != 1 || !strings.Contains(errOut, "uppercase") {
		t.Errorf("weak password: %d %q", code, errOut)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := app.New(db, nil, "test")
	if _, err := a.Identity.Authenticate(ctx, "alice", "Str0ng!pass"); err != nil {
		t.Errorf("alice cannot log in: %v", err)
	}
	if _, err := a.Identity.Authenticate(ctx, "bob", "weak"); err == nil {
		t.Error("bob exists although his password was refused")
	}
}

func TestMainPrintsUsageWithoutCommand(t *testing.T) {
	var errb bytes.Buffer
	if code := Main(nil, io.Discard, &errb); code != 2 || !strings.Contains(errb.String(), "Usage:") {
		t.Errorf("code %d, stderr %q", code, errb.String())
	}
}

// TestUnlockAccount: the last operator, locked out by wrong passwords, is
// unlocked from the command line, and the audit log says who did it.
func TestUnlockAccount(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := run(t, "create-operator", "--data", dir, "--username", "last.op", "--password", "Str0ng!pass"); code != 0 {
		t.Fatalf("create-operator: %d %q %q", code, out, errOut)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	a := app.New(db, nil, "test")
	for i := 0; i < 3; i++ {
		_, _ = a.Identity.Authenticate(ctx, "last.op", "wrong")
	}
	if _, err := a.Identity.Authenticate(ctx, "last.op", "Str0ng!pass"); !errors.Is(err, derrors.ErrLocked) {
		t.Fatalf("the operator is not locked: %v", err)
	}

	code, out, errOut := run(t, "unlock-account", "--data", dir, "last.op")
	if code != 0 || !strings.Contains(out, "unlocked last.op") {
		t.Fatalf("unlock-account: %d %q %q", code, out, errOut)
	}
	if _, err := a.Identity.Authenticate(ctx, "last.op", "Str0ng!pass"); err != nil {
		t.Fatalf("login after unlock-account: %v", err)
	}
	es, _, err := a.Audit.List(ctx, audit.Filter{Event: "Force Unlock"}, store.Page{})
	if err != nil || len(es) != 1 || es[0].ActorUsername != identity.CommandLine.Username || es[0].ObjectName != "last.op" {
		t.Fatalf("audit of the unlock: %+v %v", es, err)
	}

	// Nothing to unlock is said, not an error; an unknown username and a
	// missing argument are errors that change nothing.
	if code, out, _ := run(t, "unlock-account", "--data", dir, "last.op"); code != 0 || !strings.Contains(out, "not locked") {
		t.Errorf("unlocking an unlocked account: %d %q", code, out)
	}
	if code, _, errOut := run(t, "unlock-account", "--data", dir, "nobody"); code != 1 || !strings.Contains(errOut, `no account has the username "nobody"`) {
		t.Errorf("unknown username: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "unlock-account", "--data", dir); code != 1 || !strings.Contains(errOut, "USERNAME") {
		t.Errorf("no username: %d %q", code, errOut)
	}
	if es, _, _ := a.Audit.List(ctx, audit.Filter{Event: "Force Unlock"}, store.Page{}); len(es) != 1 {
		t.Errorf("%d Force Unlock entries, want 1", len(es))
	}
}
