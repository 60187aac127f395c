package imports_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// The crash child reads its database and job from these.
const (
	crashDSN = "SWITCHBOARD_TEST_CRASH_DSN"
	crashJob = "SWITCHBOARD_TEST_CRASH_JOB"
)

// TestImportCrashAfterCommit kills a process right after an employee
// import's transaction commits, before the worker ends the job, and checks
// that recovery leaves a record matching the data: every row imported, the
// job completed with one OK item per row. The test binary runs itself as
// the child that imports and dies (SIGKILL, no deferred code runs).
func TestImportCrashAfterCommit(t *testing.T) {
	if dsn := os.Getenv(crashDSN); dsn != "" {
		crashChild(t, dsn)
		return
	}
	const rows = 50
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			dsn, db := crashDatabase(t, engine)
			env := apptest.New(t, db)
			ctx := context.Background()
			var csv strings.Builder
			csv.WriteString(header)
			for i := range rows {
				fmt.Fprintf(&csv, "crash.%02d,Cra,Sh%02d,,,employee,Leeds/Sales\r\n", i, i)
			}
			s, err := env.App.Imports().SubmitEmployees(ctx, env.Actor("acme.admin"), 0, []byte(csv.String()),
				imports.EmployeeOptions{Options: imports.Options{JobName: "crash", Method: imports.MethodAdd}})
			if err != nil {
				t.Fatal(err)
			}

			cmd := exec.Command(os.Args[0], "-test.run=^TestImportCrashAfterCommit$", "-test.count=1")
			cmd.Env = append(os.Environ(), crashDSN+"="+dsn, crashJob+"="+strconv.FormatInt(s.Job.ID, 10))
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(err.Error(), "killed") {
				t.Fatalf("the child was not killed after the commit: %v\n%s", err, out)
			}

			var imported int
			if err := db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM accounts WHERE username LIKE 'crash.%'").Scan(&imported); err != nil {
				t.Fatal(err)
			}
			if imported != rows {
				t.Fatalf("%d rows imported before the crash, want %d (the hook runs after the commit)", imported, rows)
			}

			// Another node recovers the job once the dead worker's lease ends.
			env.App.Jobs.SetClock(func() time.Time { return time.Now().Add(time.Hour) })
			if _, err := env.App.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
				t.Fatal(err)
			}
			h := &harness{t: t, env: env, svc: env.App.Imports()}
			j, items := h.result("acme.admin", s.Job.ID)
			if j.Status != jobs.StatusCompleted || j.Done != rows || j.Total != rows || j.LastError != "" {
				t.Errorf("recovered job = %s %d/%d %q, want completed %d/%d", j.Status, j.Done, j.Total, j.LastError, rows, rows)
			}
			if len(items) != rows || j.Counts[jobs.ItemOK] != rows {
				t.Errorf("recovered job has %d items, counts %v; want %d OK", len(items), j.Counts, rows)
			}
			for name, it := range items {
				if it.Status != jobs.ItemOK || it.Message != "added" {
					t.Errorf("item %s = %s %q, want ok added", name, it.Status, it.Message)
				}
			}
		})
	}
}

// crashChild runs the import job and kills its own process right after the
// import's transaction ends.
func crashChild(t *testing.T, dsn string) {
	ctx := context.Background()
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	a := app.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), "test")
	svc := imports.New(a.ImportDeps())
	imports.SetAfterCommit(svc, func(context.Context) {
		p, _ := os.FindProcess(os.Getpid())
		_ = p.Kill()
		select {} // the signal ends the process before anything else runs
	})
	svc.Register()
	if _, err := a.Jobs.NewWorker(jobs.WorkerConfig{}).RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	t.Fatalf("job %s ran to its end without reaching the crash point", os.Getenv(crashJob))
}

// crashDatabase is a migrated database that a second process can open by
// the returned DSN: a file for SQLite, a fresh schema for PostgreSQL (which
// must fail, not skip, in CI when it is missing, as storetest.Postgres does).
func crashDatabase(t *testing.T, engine string) (string, *store.DB) {
	ctx := context.Background()
	var dsn string
	switch engine {
	case "sqlite":
		dsn = filepath.Join(t.TempDir(), "crash.db")
	default:
		base := os.Getenv(storetest.EnvPostgres)
		if base == "" {
			storetest.Postgres(t) // fails in CI, skips elsewhere
			return "", nil
		}
		admin, err := sql.Open("pgx", base)
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		buf := make([]byte, 6)
		_, _ = rand.Read(buf)
		schema := "t_" + hex.EncodeToString(buf)
		if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if a, err := sql.Open("pgx", base); err == nil {
				_, _ = a.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
				a.Close()
			}
		})
		u, err := url.Parse(base)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		dsn = u.String()
	}
	db, err := store.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return dsn, db
}
