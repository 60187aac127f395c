package cli

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/demo"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// TestImportCDR imports a switch's file from the command line: the good
// records are stored, the malformed one is listed with file and line, and
// the exit status says some were not imported.
func TestImportCDR(t *testing.T) {
	dir := t.TempDir()
	if code, out, errOut := run(t, "create-operator", "--data", dir, "--username", "alice", "--password", "Str0ng!pass"); code != 0 {
		t.Fatalf("create-operator: %d %q %q", code, out, errOut)
	}
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(dir, "switchboard.db"))
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil, "test")
	var opID int64
	if err := db.Q(ctx).QueryRow(ctx, "SELECT id FROM accounts WHERE username = 'alice'").Scan(&opID); err != nil {
		t.Fatal(err)
	}
	op, err := a.Identity.Account(ctx, opID)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := a.Calls.CreateSwitch(ctx, op.Actor(), calls.SwitchCreateRequest{Name: "bw1", Format: "broadworks-csv"}); err != nil {
		t.Fatal(err)
	}
	db.Close()

	file := filepath.Join("..", "calls", "testdata", "broadworks.csv")
	code, out, errOut := run(t, "import-cdr", file, "--switch", "bw1", "--data", dir)
	if code != 1 || !strings.Contains(out, "3 accepted, 0 duplicates, 2 malformed, 3 ignored") ||
		!strings.Contains(out, file+":5: direction \"Sideways\"") || !strings.Contains(errOut, "2 malformed records were not imported") {
		t.Errorf("import-cdr: %d\n%s\n%s", code, out, errOut)
	}
	// Again: everything is a duplicate.
	if _, out, _ := run(t, "import-cdr", "--data", dir, "--switch", "bw1", file); !strings.Contains(out, "0 accepted, 3 duplicates") {
		t.Errorf("second import: %s", out)
	}
	if code, _, errOut := run(t, "import-cdr", file, "--switch", "nosuch", "--data", dir); code != 1 || !strings.Contains(errOut, `no switch is named "nosuch"`) {
		t.Errorf("unknown switch: %d %q", code, errOut)
	}
	if code, _, errOut := run(t, "import-cdr", file, "--switch", "bw1", "--format", "cisco", "--data", dir); code != 1 || !strings.Contains(errOut, "unknown call record format") {
		t.Errorf("unknown format: %d %q", code, errOut)
	}
	if _, err := os.Stat(file); err != nil {
		t.Errorf("import-cdr must leave its file alone: %v", err)
	}
	// Bulk generation needs employees who hold numbers, and says so.
	if code, _, errOut := run(t, "generate-calls", "--bulk", "--switch", "bw1", "--calls", "10", "--data", dir); code != 1 || !strings.Contains(errOut, "no employee holds a number yet") {
		t.Errorf("generate-calls --bulk without holders: %d %q", code, errOut)
	}
}

// TestDemoCallsAreRated: the demo's month of calls is rated against the
// demo rate card, so its Summary and invoices show charges.
func TestDemoCallsAreRated(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	a := app.New(db, nil, "test")
	sealer, err := devices.NewSealer(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	a.Devices.Lines.Sealer, a.Devices.Lines.Domain = sealer, "127.0.0.1"
	if err := demo.Seed(ctx, a, "Demo-pass1!"); err != nil {
		t.Fatal(err)
	}
	if err := demoCalls(ctx, a, 400); err != nil {
		t.Fatal(err)
	}
	var rates, charged, unrated int64
	if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM billing_rates").Scan(&rates); err != nil {
		t.Fatal(err)
	}
	if err := db.Q(ctx).QueryRow(ctx, "SELECT COALESCE(SUM(charge_micros), 0), COALESCE(SUM(unrated), 0) FROM billing_usage").Scan(&charged, &unrated); err != nil {
		t.Fatal(err)
	}
	rows, _ := db.Q(ctx).Query(ctx, "SELECT traffic, direction, SUM(unrated) FROM billing_usage GROUP BY traffic, direction HAVING SUM(unrated) > 0")
	for rows.Next() {
		var tr, dir, n int64
		_ = rows.Scan(&tr, &dir, &n)
		t.Logf("unrated traffic %d direction %d: %d", tr, dir, n)
	}
	rows.Close()
	if rates == 0 || charged == 0 || unrated != 0 {
		t.Errorf("demo: %d rates, %d micros charged, %d unrated calls; want a rate card that prices every answered outbound call", rates, charged, unrated)
	}
}
