// Package app wires the domain services together once, so the HTTP layer,
// the CLI and tests share one set.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/schedule"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/tenancy"
)

// App holds the services of one Switchboard node.
type App struct {
	DB        *store.DB
	Logger    *slog.Logger
	Version   string
	Audit     *audit.Log
	Access    *access.Service
	Identity  *identity.Service
	Tenancy   *tenancy.Service
	Directory *directory.Service
	Mail      *mail.Service
}

// New builds the services on db. Mail is held in the outbox until UseRelay
// names an SMTP relay.
func New(db *store.DB, logger *slog.Logger, version string) *App {
	if logger == nil {
		logger = slog.Default()
	}
	log := audit.New(db)
	a := &App{
		DB:        db,
		Logger:    logger,
		Version:   version,
		Audit:     log,
		Access:    access.New(db),
		Identity:  identity.New(db, log),
		Tenancy:   tenancy.New(db, log),
		Directory: directory.New(db, log),
	}
	a.UseRelay(nil)
	return a
}

// UseRelay makes mail go out through relay (nil: keep it in the outbox).
func (a *App) UseRelay(relay *mail.Relay) {
	a.Mail = mail.New(a.DB, a.Logger, relay)
	a.Identity.Mail = a.Mail
}

// Maintenance returns the periodic tasks every node offers to run (each
// runs once per period across all nodes).
func (a *App) Maintenance() *schedule.Scheduler {
	return schedule.New(a.DB, a.Logger,
		schedule.Task{Name: "audit-retention", Every: 24 * time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Audit.Purge(ctx, time.Now().Add(-audit.Retention))
			return fmt.Sprintf("purged %d audit entries older than 2 years", n), err
		}},
		schedule.Task{Name: "session-cleanup", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Identity.PurgeExpired(ctx)
			return fmt.Sprintf("removed %d expired sessions, tokens and login records", n), err
		}},
	)
}
