package imports_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// BenchmarkImport10kEmployees uploads a 10,000-row CSV (parse, check every
// row against the directory, schedule) and runs the job (check again, then
// create 10,000 accounts with their group membership and audit entries in
// one transaction). Set SWITCHBOARD_TEST_POSTGRES for PostgreSQL.
func BenchmarkImport10kEmployees(b *testing.B) {
	var csv strings.Builder
	csv.WriteString("Username,First Name,Last Name,Email,Phone,Group\r\n")
	for i := range 10_000 {
		fmt.Fprintf(&csv, "bench.user%05d,First%d,Last%d,user%d@example.com,0113 496 %04d,Leeds/Sales\r\n", i, i, i, i, i%10000)
	}
	file := []byte(csv.String())
	engines := map[string]func(testing.TB) *store.DB{"sqlite": storetest.SQLite}
	if os.Getenv(storetest.EnvPostgres) != "" {
		engines["postgres"] = storetest.Postgres
	}
	for name, open := range engines {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				env := apptest.New(b, open(b))
				svc := env.App.Imports()
				w := env.App.Jobs.NewWorker(jobs.WorkerConfig{})
				ctx := context.Background()
				b.StartTimer()
				s, err := svc.SubmitEmployees(ctx, env.Actor("acme.admin"), env.Fixture.Acme.ID, file, imports.EmployeeOptions{Options: imports.Options{JobName: "bench"}})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := w.RunDue(ctx); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				j, err := svc.Job(ctx, env.Actor("acme.admin"), s.Job.ID)
				if err != nil || j.Counts[jobs.ItemOK] != 10_000 {
					b.Fatalf("job %+v: %v", j, err)
				}
				b.StartTimer()
			}
		})
	}
}
