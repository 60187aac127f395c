// Package app wires the domain services together once, so the HTTP layer,
// the CLI and tests share one set.
package app

import (
	"log/slog"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
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
}

// New builds the services on db.
func New(db *store.DB, logger *slog.Logger, version string) *App {
	if logger == nil {
		logger = slog.Default()
	}
	log := audit.New(db)
	return &App{
		DB:        db,
		Logger:    logger,
		Version:   version,
		Audit:     log,
		Access:    access.New(db),
		Identity:  identity.New(db, log),
		Tenancy:   tenancy.New(db, log),
		Directory: directory.New(db, log),
	}
}
