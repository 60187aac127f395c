// Package cli is the switchboard command: flag parsing (each flag with a
// SWITCHBOARD_* environment twin), logging set-up and the subcommands.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/switchboard-voice/switchboard/internal/app"
	"github.com/switchboard-voice/switchboard/internal/demo"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/web"
)

// Version is set at build time with -ldflags "-X …/cli.Version=v1.2.3".
var Version = "dev"

const usage = `switchboard — hosted-voice administration platform

Usage:
  switchboard serve            run the HTTP server on --db (SQLite in --data by default)
  switchboard demo             run on a fresh embedded database filled with a demo provider
  switchboard migrate          apply database migrations and exit
  switchboard create-operator  create a provider operator (the first login of a new deployment)
  switchboard import-cdr       import call record files of a switch (FILE… --switch NAME)
  switchboard generate-calls   generate realistic calls for the employees (--switch NAME --calls N)
  switchboard unlock-account USERNAME
                               lift the lockout of any account, a provider operator's included
  switchboard version          print the version

Run 'switchboard <command> -h' for the flags of a command. Every flag has an
environment twin: --http is SWITCHBOARD_HTTP, --demo-password is
SWITCHBOARD_DEMO_PASSWORD, and so on.
`

// Main runs the command line and returns the process exit code.
func Main(args []string, stdout, stderr io.Writer) int {
	if len(args) < 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var err error
	switch args[0] {
	case "serve":
		err = serve(ctx, args[1:], stdout, stderr, false)
	case "demo":
		err = serve(ctx, args[1:], stdout, stderr, true)
	case "migrate":
		err = migrate(ctx, args[1:], stdout, stderr)
	case "create-operator":
		err = createOperator(ctx, args[1:], stdout, stderr)
	case "import-cdr":
		err = importCDR(ctx, args[1:], stdout, stderr)
	case "generate-calls":
		err = generateCalls(ctx, args[1:], stdout, stderr)
	case "unlock-account":
		err = unlockAccount(ctx, args[1:], stdout, stderr)
	case "version", "-v", "--version":
		fmt.Fprintln(stdout, "switchboard", Version)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
	default:
		fmt.Fprintf(stderr, "switchboard: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "switchboard:", err)
		return 1
	}
	return 0
}

// common are the flags every database command shares.
type common struct {
	db        string
	data      string
	logFormat string
	logLevel  string
}

func (c *common) register(fs *flag.FlagSet, dataDefault string) {
	fs.StringVar(&c.db, "db", "", "database: postgres://user:pass@host/db, or a SQLite file path (default: switchboard.db in --data)")
	fs.StringVar(&c.data, "data", dataDefault, "directory for the embedded SQLite database and other state")
	fs.StringVar(&c.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.logLevel, "log-level", "info", "log level: debug, info, warn or error")
}

func (c *common) dsn() string {
	if c.db != "" {
		return c.db
	}
	return filepath.Join(c.data, "switchboard.db")
}

func (c *common) logger(w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.logLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: level}
	switch c.logFormat {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("--log-format must be text or json, not %q", c.logFormat)
}

// parse parses args, then fills every flag not given on the command line from
// openApp opens the database a one-shot command works on (migrated, as
// open leaves it) and wires the services on it; closeApp closes it.
func (c common) openApp(ctx context.Context, stderr io.Writer) (a *app.App, closeApp func(), err error) {
	logger, err := c.logger(stderr)
	if err != nil {
		return nil, nil, err
	}
	db, err := open(ctx, c, logger)
	if err != nil {
		return nil, nil, err
	}
	return app.New(db, logger, Version), func() { db.Close() }, nil
}

// its environment twin (SWITCHBOARD_ + the flag name in upper case, '-' → '_').
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		env := "SWITCHBOARD_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("%s: %w", env, e)
			}
		}
	})
	return err
}

func open(ctx context.Context, c common, logger *slog.Logger) (*store.DB, error) {
	db, err := store.Open(ctx, c.dsn())
	if err != nil {
		return nil, err
	}
	n, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		logger.Info("database migrated", "applied", n, "engine", db.Dialect().String())
	}
	return db, nil
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer, isDemo bool) error {
	name := "serve"
	if isDemo {
		name = "demo"
	}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	dataDefault := "data"
	if isDemo {
		dataDefault = ""
	}
	c.register(fs, dataDefault)
	addr := fs.String("http", "127.0.0.1:8080", "HTTP listen address")
	demoPassword := fs.String("demo-password", "Demo-Pass-2026!", "password of every demo account (demo only)")
	shutdownTimeout := fs.Duration("shutdown-timeout", 15*time.Second, "how long in-flight requests may take to finish on shutdown")
	portalURL := fs.String("portal-url", "", "public base URL of the portal, used in e-mailed links (default: http://<--http>)")
	cdrDir := fs.String("cdr-dir", "", "directory of call record files to ingest: one folder per switch, named as the switch (docs/cdr.md)")
	demoCallCount := fs.Int("calls", 0, "demo only: generate this many calls over the last month")
	trustedProxies := fs.String("trusted-proxies", "", "comma-separated addresses or networks of reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (default: none; the headers are ignored)")
	var tlsf httpsFlags
	tlsf.register(fs)
	metricsAddr := fs.String("metrics", "", "listen address of the Prometheus /metrics endpoint, kept apart from --http (e.g. 127.0.0.1:9100; default: none, metrics are not served)")
	var relay mail.Relay
	fs.StringVar(&relay.Host, "smtp-host", "", "SMTP relay host; empty keeps e-mail in the outbox (readable by provider operators)")
	fs.IntVar(&relay.Port, "smtp-port", 587, "SMTP relay port")
	fs.StringVar(&relay.TLS, "smtp-tls", mail.TLSStartTLS, "SMTP TLS: starttls, implicit or none")
	fs.StringVar(&relay.Username, "smtp-username", "", "SMTP user name (optional)")
	fs.StringVar(&relay.Password, "smtp-password", "", "SMTP password (optional; prefer SWITCHBOARD_SMTP_PASSWORD)")
	fs.StringVar(&relay.From, "smtp-from", "Switchboard <noreply@localhost>", "From address of e-mail")
	var sipf sipFlags
	sipf.register(fs, isDemo)
	if err := parse(fs, args); err != nil {
		return err
	}
	if !isDemo && *demoCallCount > 0 {
		return errors.New("--calls is for switchboard demo; on a real database use switchboard generate-calls")
	}
	proxies, err := web.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return err
	}
	if err := tlsf.check(); err != nil {
		return err
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	if isDemo && c.db == "" && c.data == "" {
		dir, err := os.MkdirTemp("", "switchboard-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.data = dir
	}
	db, err := open(ctx, c, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	a := app.New(db, logger, Version)
	if relay.Host != "" {
		if err := relay.Validate(); err != nil {
			return fmt.Errorf("SMTP relay: %w", err)
		}
		a.UseRelay(&relay)
	}
	if err := sipf.setupLines(a, c.data, *portalURL, *addr); err != nil {
		return err
	}
	if isDemo {
		seeded, err := demo.Seeded(ctx, a)
		if err != nil {
			return err
		}
		if !seeded {
			start := time.Now()
			if err := demo.Seed(ctx, a, *demoPassword); err != nil {
				return fmt.Errorf("demo data: %w", err)
			}
			logger.Info("demo data loaded", "took", time.Since(start).Round(time.Millisecond))
			if *demoCallCount > 0 {
				if err := demoCalls(ctx, a, *demoCallCount); err != nil {
					return fmt.Errorf("demo calls: %w", err)
				}
			}
		}
	}
	edge, err := sipf.start(ctx, a, logger, isDemo)
	if err != nil {
		return err
	}
	if edge != nil {
		defer edge.Close()
	}
	handler, err := web.New(a)
	if err != nil {
		return err
	}
	handler.TrustProxies(proxies)
	// Plain HTTP for the demo and behind a TLS-terminating proxy; HTTPS
	// terminated here with --https (docs/deploy.md, "HTTPS"). --http ""
	// with --https serves HTTPS only.
	var ln net.Listener
	if *addr != "" {
		if ln, err = net.Listen("tcp", *addr); err != nil {
			return err
		}
	} else if tlsf.addr == "" {
		return errors.New("--http is empty and --https is not set: nothing to listen on")
	}
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second,
		WriteTimeout: 120 * time.Second, IdleTimeout: 120 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 4)
	tlsSrv, tlsURL, err := tlsf.start(handler, c.data, logger, errc)
	if err != nil {
		return err
	}
	if tlsSrv != nil {
		defer tlsSrv.Close()
	}
	url := tlsURL
	if ln != nil {
		url = "http://" + ln.Addr().String() + "/"
	}
	if *portalURL == "" {
		*portalURL = url
	}
	a.Identity.PortalURL = strings.TrimRight(*portalURL, "/")
	if ln != nil {
		logger.Info("switchboard listening", "url", url, "engine", db.Dialect().String(), "version", Version)
	}
	if isDemo {
		fmt.Fprintf(stdout, "\nSwitchboard demo is running at %s\n\nDemo accounts (password %q):\n", url, *demoPassword)
		for _, acct := range demo.Accounts {
			where := ""
			if acct.Company != "" {
				where = ", " + acct.Company
			}
			fmt.Fprintf(stdout, "  %-14s %s%s\n", acct.Username, acct.Role, where)
		}
		fmt.Fprintf(stdout, "\nData: %s (press Ctrl+C to stop)\n\n", c.dsn())
		printDemoLine(ctx, a, edge, stdout)
		printDemoPhone(ctx, a, url, stdout)
	}
	if !a.Mail.HasRelay() {
		logger.Info("no SMTP relay configured: e-mail is kept in the outbox (see --smtp-host)")
	}
	// Background work stops with its own context, after HTTP has drained.
	workCtx, stopWork := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	workers.Add(4)
	go func() { defer workers.Done(); a.Mail.Run(workCtx, 5*time.Second) }()
	go func() { defer workers.Done(); a.Calls.RunNumberAggregator(workCtx, 10*time.Second) }()
	go func() { defer workers.Done(); a.Identity.RunResetRequests(workCtx, 10*time.Second, logger) }()
	go func() { defer workers.Done(); a.Maintenance().Run(workCtx, time.Minute) }()
	jobWorker := a.Jobs.NewWorker(jobs.WorkerConfig{})
	go func() {
		if err := jobWorker.Run(workCtx); err != nil && workCtx.Err() == nil {
			logger.Error("job worker stopped", "err", err)
		}
	}()
	if *cdrDir != "" {
		workers.Add(1)
		go func() { defer workers.Done(); a.Calls.WatchDir(workCtx, *cdrDir, 0, 5*time.Second, 10*time.Second) }()
		logger.Info("watching for call record files", "dir", *cdrDir)
	}
	defer func() { stopWork(); workers.Wait() }()

	if ln != nil {
		go func() { errc <- srv.Serve(ln) }()
	}
	if *metricsAddr != "" {
		mln, err := net.Listen("tcp", *metricsAddr)
		if err != nil {
			return fmt.Errorf("metrics listener: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", handler.Metrics())
		msrv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
		defer msrv.Close()
		go func() {
			if err := msrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- fmt.Errorf("metrics listener: %w", err)
			}
		}()
		logger.Info("metrics listening", "url", "http://"+mln.Addr().String()+"/metrics")
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests", "timeout", *shutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), *shutdownTimeout)
	defer cancel()
	if tlsSrv != nil {
		if err := tlsSrv.Shutdown(sctx); err != nil {
			return fmt.Errorf("shutdown: %w", err)
		}
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Jobs in flight finish (or are handed back for another node) before the
	// database closes.
	if err := jobWorker.Stop(sctx); err != nil {
		logger.Warn("job worker stop", "err", err)
	}
	stopWork()
	workers.Wait()
	logger.Info("stopped")
	return nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var c common
	c.register(fs, "data")
	if err := parse(fs, args); err != nil {
		return err
	}
	logger, err := c.logger(stderr)
	if err != nil {
		return err
	}
	db, err := open(ctx, c, logger)
	if err != nil {
		return err
	}
	defer db.Close()
	v, err := db.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema version %d (%s)\n", v, db.Dialect())
	return nil
}
