package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/calls"
)

// parseWithFiles parses args where file names and flags may come in any
// order (switchboard import-cdr FILE --switch NAME), returning the files.
func parseWithFiles(fs *flag.FlagSet, args []string) ([]string, error) {
	var files []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	return files, parse(fs, nil)
}

// importCDR is switchboard import-cdr FILE… --switch NAME [--format F]: the
// files are ingested as the switch's records, exactly as the HTTP endpoint
// and the watched directory ingest them.
func importCDR(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("import-cdr", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: switchboard import-cdr FILE… --switch NAME [--format F] [--provider ID]")
		fs.PrintDefaults()
	}
	var c common
	c.register(fs, "data")
	switchName := fs.String("switch", "", "name of the switch the records come from (required)")
	format := fs.String("format", "", "freeswitch-json, freeswitch-csv, asterisk-csv or broadworks-csv (default: the switch's format)")
	providerID := fs.Int64("provider", 0, "provider of the switch, when several providers have a switch of that name")
	files, err := parseWithFiles(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 || *switchName == "" {
		fs.Usage()
		return errors.New("give the file(s) to import and --switch")
	}
	var f calls.Format
	if *format != "" {
		if f, err = calls.ParseFormat(*format); err != nil {
			return err
		}
	}
	a, closeApp, err := c.openApp(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeApp()
	sw, err := a.Calls.SwitchByName(ctx, *providerID, *switchName)
	if err != nil {
		return err
	}
	if err := a.Calls.SyncAssignments(ctx, 0, time.Now()); err != nil {
		return err
	}
	malformed := 0
	for _, name := range files {
		file, err := os.Open(name)
		if err != nil {
			return err
		}
		rep, err := a.Calls.Ingest(ctx, sw, calls.SourceCommand, name, f, file)
		file.Close()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s (batch %d)\n", rep.Summary(), rep.BatchID)
		for _, p := range rep.Problems {
			fmt.Fprintf(stdout, "  %s:%d: %s\n", name, p.Line, p.Reason)
		}
		if rep.Malformed > len(rep.Problems) {
			fmt.Fprintf(stdout, "  … and %d more malformed records\n", rep.Malformed-len(rep.Problems))
		}
		malformed += rep.Malformed
	}
	// No node may be running: the number roll-ups (Top 10) of what was
	// stored are added before the command ends.
	if _, err := a.Calls.AggregateNumbers(ctx); err != nil {
		return err
	}
	if malformed > 0 {
		return fmt.Errorf("%d malformed records were not imported (listed above); the rest were", malformed)
	}
	return nil
}

// generateCalls is switchboard generate-calls --switch NAME --calls N: a
// realistic month of traffic for the employees who hold numbers, stored
// through the ingest path as the switch's records.
func generateCalls(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("generate-calls", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs, "data")
	switchName := fs.String("switch", "", "name of the switch the calls are recorded as (required)")
	n := fs.Int("calls", 10000, "number of calls")
	days := fs.Int("days", 30, "days before now the calls spread over")
	seed := fs.Uint64("seed", 0, "seed, for repeatable traffic (default: random)")
	company := fs.Int64("company", 0, "only this company's employees (default: every company of the switch's provider)")
	providerID := fs.Int64("provider", 0, "provider of the switch, when several providers have a switch of that name")
	bulk := fs.Bool("bulk", false, "write the calls straight into the tables and roll-ups (for millions of calls; docs/cdr.md)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *switchName == "" {
		return errors.New("--switch is required: the calls are recorded as that switch's (an operator adds switches: POST /api/v1/switches)")
	}
	a, closeApp, err := c.openApp(ctx, stderr)
	if err != nil {
		return err
	}
	defer closeApp()
	sw, err := a.Calls.SwitchByName(ctx, *providerID, *switchName)
	if err != nil {
		return err
	}
	start := time.Now()
	if *bulk {
		if err := a.Calls.SyncAssignments(ctx, 0, time.Now()); err != nil {
			return err
		}
		holders, err := a.Calls.Holders(ctx, sw.ProviderID, *company)
		if err != nil {
			return err
		}
		made, err := a.Calls.GenerateBulk(ctx, sw, holders, calls.GenerateOptions{Calls: *n, Days: *days, Seed: *seed})
		if err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Fprintf(stdout, "%d calls written in %s (%.0f calls/s)\n", made, took.Round(time.Millisecond), float64(made)/took.Seconds())
		return nil
	}
	rep, err := a.Calls.GenerateCalls(ctx, sw, calls.GenerateOptions{Calls: *n, Days: *days, Seed: *seed, CompanyID: *company})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s in %s\n", rep.Summary(), time.Since(start).Round(time.Millisecond))
	return nil
}

// demoCalls fills the demo with a month of traffic recorded as the switch
// "demo-switch" (created for the demo's operator).
func demoCalls(ctx context.Context, a *app.App, n int) error {
	p, err := a.Tenancy.FirstProvider(ctx)
	if err != nil {
		return err
	}
	sw, err := a.Calls.SwitchByName(ctx, p.ID, "demo-switch")
	if err != nil {
		var opID int64
		if err := a.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM accounts WHERE provider_id = ? AND role = 'provider' ORDER BY id LIMIT 1", p.ID).Scan(&opID); err != nil {
			return fmt.Errorf("demo calls: the demo's operator: %w", err)
		}
		op, err := a.Identity.Account(ctx, opID)
		if err != nil {
			return err
		}
		if sw, _, err = a.Calls.CreateSwitch(ctx, op.Actor(), calls.SwitchCreateRequest{Name: "demo-switch", Format: string(calls.FormatFreeSWITCHJSON),
			TimeZone: "Europe/London"}); err != nil {
			return err
		}
		// A rate card from before the month of calls, so they are rated.
		if err := a.Billing.SeedDemo(ctx, op.Actor(), time.Now().AddDate(0, 0, -60)); err != nil {
			return err
		}
	}
	const days = 30
	if err := a.Calls.SyncAssignments(ctx, 0, time.Now()); err != nil {
		return err
	}
	// The demo's staff were activated a moment ago; their month of calls
	// needs them to have held their numbers for the month.
	if err := a.Calls.BackdateHistory(ctx, p.ID, time.Now().AddDate(0, 0, -days-1)); err != nil {
		return err
	}
	rep, err := a.Calls.GenerateCalls(ctx, sw, calls.GenerateOptions{Calls: n, Days: days})
	if err != nil {
		return err
	}
	a.Logger.Info("demo calls generated", "accepted", rep.Accepted, "malformed", rep.Malformed)
	return nil
}
