package features_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// BenchmarkBulkJob1000 is one bulk feature job, end to end through the job
// runner: five features of west.one (call forwarding, voicemail, remote
// office, busy lamp field, simultaneous ring) and both voicemail greetings
// (a recording copied into each target's library) to 1,000 employees of
// Leeds on the Standard package — 7,000 items (docs/performance.md,
// "Bulk Feature Management"). Each iteration copies to 1,000 new
// employees, so every item does the full work. SQLite; with
// SWITCHBOARD_BENCH_ENGINE=postgres on SWITCHBOARD_TEST_POSTGRES.
func BenchmarkBulkJob1000(b *testing.B) {
	targets := 1000
	if n, err := strconv.Atoi(os.Getenv("SWITCHBOARD_BENCH_TARGETS")); err == nil && n > 0 {
		targets = n // a smaller job to profile
	}
	var db *store.DB
	if os.Getenv("SWITCHBOARD_BENCH_ENGINE") == "postgres" {
		db = storetest.Postgres(b)
	} else {
		db = storetest.SQLite(b)
	}
	fx := benchFixtureOn(b, db)
	ctx, a := fx.ctx, fx.env.App
	admin := fx.env.Actor("acme.admin")
	west := features.Employee(fx.env.ID("west.one"))
	rec, err := a.Audio.Upload(ctx, admin, audio.Owner{Kind: "employee", ID: west.ID}, "Greeting", apptest.ToneWAV())
	if err != nil {
		b.Fatal(err)
	}
	codes := []string{features.CodeCallForwarding, features.CodeVoicemail, features.CodeRemoteOffice, features.CodeBusyLampField, features.CodeSimultaneousRing}
	maps := []features.AudioMapping{{Slot: "voicemail.busy_greeting", AudioID: rec.ID}, {Slot: "voicemail.no_answer_greeting", AudioID: rec.ID}}
	worker := a.Jobs.NewWorker(jobs.WorkerConfig{})
	round := 0
	var cpu time.Duration // the process's CPU time during the jobs: the figure the machine's load does not inflate
	for b.Loop() {
		b.StopTimer()
		round++
		ids := benchEmployees(b, fx, round, targets)
		b.StartTimer()
		start := cpuTime()
		j, err := a.Features.SubmitBulkCopy(ctx, admin, features.BulkRequest{Kind: features.OwnerEmployee, ReferenceID: west.ID,
			TargetIDs: ids, Features: codes, Audio: maps})
		if err != nil {
			b.Fatal(err)
		}
		if n, err := worker.RunDue(context.Background()); err != nil || n != 1 {
			b.Fatalf("ran %d jobs: %v", n, err)
		}
		b.StopTimer()
		cpu += cpuTime() - start
		got, err := a.Jobs.Job(ctx, fx.env.Fixture.Acme.ID, j.ID)
		if err != nil || got.Status != jobs.StatusCompleted {
			b.Fatalf("job %s %q, %v", got.Status, got.LastError, err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(targets), "targets/op")
	b.ReportMetric(cpu.Seconds()/float64(round), "cpu-s/op")
}

// cpuTime is the CPU time (user and system) the process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// benchEmployees adds n employees of Acme at Leeds on the Standard package
// (rows written directly: creating them is not what is measured).
func benchEmployees(b *testing.B, fx *fixture, round, n int) []int64 {
	b.Helper()
	ctx, f := fx.ctx, fx.env.Fixture
	var ids []int64
	err := fx.env.App.DB.Tx(ctx, func(ctx context.Context) error {
		q := fx.env.App.DB.Q(ctx)
		const batch = 200
		for from := 0; from < n; from += batch {
			var vals []string
			var args []any
			for i := from; i < min(from+batch, n); i++ {
				vals = append(vals, "(?, ?, ?, 'employee', 'Bench', ?, 'active', '', ?, 0, 0)")
				args = append(args, f.Provider.ID, f.Acme.ID, fmt.Sprintf("bench%d.%d", round, i), fmt.Sprintf("Target %d", i), f.Leeds.ID)
			}
			rows, err := q.Query(ctx, "INSERT INTO accounts (provider_id, company_id, username, role, first_name, last_name, status, search_text, site_id, created_at, updated_at) VALUES "+
				strings.Join(vals, ", ")+" RETURNING id", args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
		}
		for _, id := range ids {
			if _, err := q.Exec(ctx, "INSERT INTO employee_offerings (account_id, company_id, package_id, term_id, updated_at) VALUES (?, ?, ?, ?, 0)",
				id, f.Acme.ID, fx.sv.Packages["Standard"].ID, fx.sv.Terms["Monthly"].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return ids
}
