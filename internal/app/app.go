// Package app wires the domain services together once, so the HTTP layer,
// the CLI and tests share one set.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audio"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/billing"
	"github.com/switchboard-voice/switchboard/internal/calls"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/dashboard"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/features"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/provisioning"
	"github.com/switchboard-voice/switchboard/internal/schedule"
	"github.com/switchboard-voice/switchboard/internal/search"
	"github.com/switchboard-voice/switchboard/internal/sip"
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
	Numbering *numbering.Service
	Catalog   *catalog.Service
	Devices   *devices.Service
	// Jobs runs durable background work; handlers are registered by the
	// packages that own each job kind (see RegisterJobs).
	Jobs *jobs.Service
	// Lifecycle activates, changes, resubscribes and ceases employees'
	// service; New registers its job handlers on Jobs.
	Lifecycle *lifecycle.Service
	// Contacts are the employees' personal contacts (self-care portal).
	Contacts *contacts.Service
	// Search is the live search box and the platform-wide Search Tool.
	Search *search.Service
	// Calls ingests call records from the switches (docs/cdr.md).
	Calls *calls.Service
	// Audio keeps the recordings features play (docs/audio.md).
	Audio *audio.Library
	// Billing rates calls, keeps balances and makes invoices (docs/billing.md).
	Billing *billing.Service
	// Registrations are the SIP edge's bindings and the devices' status.
	Registrations *sip.Registry
	// Provisioning serves desk phones their configuration files.
	Provisioning *provisioning.Service
	// Reboots reboots devices over the SIP edge (docs/sip.md, "Reboot").
	Reboots *sip.Reboots
	// Features assigns and configures sites' and employees' telephony
	// features (docs/features.md).
	Features *features.Service
	// Dashboards reads the site and employee dashboards (docs/ui.md, "Dashboards").
	Dashboards *dashboard.Service
}

// New builds the services on db. Mail is held in the outbox until UseRelay
// names an SMTP relay.
func New(db *store.DB, logger *slog.Logger, version string) *App {
	if logger == nil {
		logger = slog.Default()
	}
	log := audit.New(db)
	a := &App{
		DB:            db,
		Logger:        logger,
		Version:       version,
		Audit:         log,
		Access:        access.New(db),
		Identity:      identity.New(db, log),
		Tenancy:       tenancy.New(db, log),
		Directory:     directory.New(db, log),
		Numbering:     numbering.New(db, log),
		Catalog:       catalog.New(db, log),
		Devices:       devices.New(db, log),
		Jobs:          jobs.New(db, log, logger),
		Contacts:      contacts.New(db, log),
		Calls:         calls.New(db, log, logger),
		Registrations: sip.NewRegistry(db),
	}
	a.Billing = billing.New(db, log)
	a.Calls.SetCharger(a.Billing)
	a.Devices.Lines.NumberOf = a.employeeNumber
	a.Provisioning = provisioning.New(db, log, a.Devices, logger)
	a.Provisioning.KeyLayout = a.Devices.KeyLayout
	a.Reboots = sip.NewReboots(db, log, a.Jobs, a.Registrations, sip.RebootConfig{Logger: logger})
	a.Reboots.Lines = a.Devices
	a.Devices.Reboot = deviceRebooter{a.Reboots}
	a.UseRelay(nil)
	a.Tenancy.Identity, a.Tenancy.AddLogin = a.Identity, a.Directory.CreateAndWelcome
	a.Search = search.New(db, a.Access, a.Numbering)
	a.Features = features.New(db, log, a.Numbering, a.Catalog)
	a.Audio = audio.NewLibrary(db, log)
	a.Features.Audio = a.Audio
	// A recording a feature plays is readable by whoever configures that
	// feature, whichever library it is in (audio.Library.ItemFor).
	a.Audio.Uses = a.Features
	a.Devices.MonitoredEmployees = a.Features.MonitoredEmployees
	a.Devices.FeatureState = a.Features.EmployeeFeatureState
	a.Features.Appearances = a.sharedAppearances
	a.Provisioning.Directory = a.phoneDirectory
	a.Features.UseJobs(features.BulkDeps{Jobs: a.Jobs, Account: func(ctx context.Context, id int64) (access.Actor, string, error) {
		acct, err := a.Identity.Account(ctx, id)
		if err != nil {
			return access.Actor{}, "", err
		}
		return acct.Actor(), acct.Username, nil
	}})
	a.Lifecycle = lifecycle.New(db, log, logger, a.Directory, a.Numbering, a.Catalog, a.Devices, a.Jobs)
	a.Directory.BeforeDelete = a.Lifecycle.ReleaseForDelete
	a.Dashboards = dashboard.New(db, a.Calls, a.Features, a.Lifecycle)
	a.Directory.Identity, a.Directory.Companies = a.Identity, a.Tenancy
	imports.New(a.ImportDeps()).Register()
	return a
}

// employeeNumber is the employee's first number, the SIP username of their
// primary line ("" when they have none).
func (a *App) employeeNumber(ctx context.Context, companyID, accountID int64) (string, error) {
	ns, err := a.Numbering.OwnerNumbers(ctx, companyID, numbering.Owner{Kind: numbering.OwnerUser, ID: accountID})
	if err != nil || len(ns) == 0 {
		return "", err
	}
	return ns[0].E164, nil
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
		schedule.Task{Name: "mail-retention", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Mail.Purge(ctx)
			return fmt.Sprintf("cleaned %d outbox messages", n), err
		}},
		schedule.Task{Name: "session-cleanup", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Identity.PurgeExpired(ctx)
			return fmt.Sprintf("removed %d expired sessions, tokens and login records", n), err
		}},
		schedule.Task{Name: "channels-cleanup", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Calls.PurgeEndedChannels(ctx)
			return fmt.Sprintf("ended %d calls in progress whose end was never told", n), err
		}},
		schedule.Task{Name: "number-history", Every: time.Minute, Run: func(ctx context.Context) (string, error) {
			return "number history in step with numbering", a.Calls.SyncAssignments(ctx, 0, time.Now())
		}},
		schedule.Task{Name: "call-top-numbers", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Calls.CompactNumberDays(ctx, time.Now().Add(-24*time.Hour))
			return fmt.Sprintf("pruned %d call number roll-ups of finished days to their top numbers", n), err
		}},
		schedule.Task{Name: "contact-import-cleanup", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Contacts.PurgeExpiredImports(ctx)
			return fmt.Sprintf("discarded %d expired contact import previews", n), err
		}},
	)
}

// deviceRebooter lets devices launch the reboot of "Reset and reboot"
// through the SIP edge's reboot jobs (devices cannot import sip).
type deviceRebooter struct{ r *sip.Reboots }

func (d deviceRebooter) RebootDevice(ctx context.Context, actor access.Actor, deviceID int64) (int64, error) {
	rb, err := d.r.RebootDevice(ctx, actor, deviceID)
	return rb.JobID, err
}

func (d deviceRebooter) RebootDeviceType(ctx context.Context, actor access.Actor, siteID, typeID int64) (int64, error) {
	rb, err := d.r.RebootDeviceType(ctx, actor, siteID, typeID)
	return rb.JobID, err
}
