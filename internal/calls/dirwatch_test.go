package calls_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// TestScanDir drops files as switches would and checks each is filed in
// done/ or failed/ with its report, and that a file still being written
// waits.
func TestScanDir(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newEstate(t, db)
		dir := t.TempDir()
		write := func(rel, content string, age time.Duration) {
			p := filepath.Join(dir, rel)
			if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
				t.Fatal(err)
			}
			old := time.Now().Add(-age)
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
		now := time.Now()
		write("fs1/a_1.cdr.json", fsDoc("file-1", "+441134960001", "07911123456", now, 2, 20)+"{broken\n", time.Minute)
		write("fs1/all-bad.json", "not json at all\n", time.Minute)
		write("fs1/fresh.json", fsDoc("file-2", "+441134960001", "07911123456", now, 2, 20), 0)
		write("nosuch/x.csv", "whatever\n", time.Minute)
		reps, err := e.env.App.Calls.ScanDir(ctx, dir, 0, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if len(reps) != 3 {
			t.Fatalf("processed %d files, want 3: %+v", len(reps), reps)
		}
		for _, c := range []struct {
			file          string
			accepted, bad int
			wantErr       bool
		}{
			{"fs1/done/a_1.cdr.json", 1, 1, false},
			{"fs1/failed/all-bad.json", 0, 1, false},
			{"nosuch/failed/x.csv", 0, 0, true},
		} {
			data, err := os.ReadFile(filepath.Join(dir, c.file+".report.json"))
			if err != nil {
				t.Errorf("%s: %v", c.file, err)
				continue
			}
			var fr calls.FileReport
			if err := json.Unmarshal(data, &fr); err != nil {
				t.Fatal(err)
			}
			if fr.Report.Accepted != c.accepted || fr.Report.Malformed != c.bad || (fr.Error != "") != c.wantErr {
				t.Errorf("%s: report %+v", c.file, fr)
			}
			if _, err := os.Stat(filepath.Join(dir, c.file)); err != nil {
				t.Errorf("%s not filed: %v", c.file, err)
			}
		}
		if _, err := os.Stat(filepath.Join(dir, "fs1/fresh.json")); err != nil {
			t.Errorf("a file still being written was taken: %v", err)
		}
		// Dropped again under the same name: filed beside the first, and
		// its records count as duplicates.
		write("fs1/a_1.cdr.json", fsDoc("file-1", "+441134960001", "07911123456", now, 2, 20), time.Minute)
		if _, err := e.env.App.Calls.ScanDir(ctx, dir, 0, 10*time.Second); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(filepath.Join(dir, "fs1/done/a_1.cdr.json.2.report.json"))
		if err != nil {
			t.Fatal(err)
		}
		var fr calls.FileReport
		if err := json.Unmarshal(data, &fr); err != nil || fr.Report.Duplicates != 1 {
			t.Errorf("second drop: %+v %v", fr, err)
		}
	})
}
