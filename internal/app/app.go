// Package app wires the domain services together once, so the HTTP layer,
// the CLI and tests share one set.
package app

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/catalog"
	"github.com/switchboard-voice/switchboard/internal/contacts"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/devices"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/imports"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/numbering"
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
	// Registrations are the SIP edge's bindings and the devices' status.
	Registrations *sip.Registry
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
		Numbering: numbering.New(db, log),
		Catalog:   catalog.New(db, log),
		Devices:   devices.New(db, log),
		Jobs:      jobs.New(db, log, logger),
		Contacts:  contacts.New(db, log),

		Registrations: sip.NewRegistry(db),
	}
	a.Devices.Lines.NumberOf = a.employeeNumber
	a.UseRelay(nil)
	a.Search = search.New(db, a.Access, a.Numbering)
	a.Lifecycle = lifecycle.New(db, log, logger, a.Directory, a.Numbering, a.Catalog, a.Devices, a.Jobs)
	a.Directory.BeforeDelete = a.Lifecycle.ReleaseForDelete
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
		schedule.Task{Name: "contact-import-cleanup", Every: time.Hour, Run: func(ctx context.Context) (string, error) {
			n, err := a.Contacts.PurgeExpiredImports(ctx)
			return fmt.Sprintf("discarded %d expired contact import previews", n), err
		}},
	)
}

// AddEmployee is the whole Add Employee action once access has allowed it:
// every field checked at once (the password against the provider's policy
// for the role), the account created, and the welcome e-mail queued in the
// same transaction. With no password given, one is generated, e-mailed, and
// must be changed at first login.
func (a *App) AddEmployee(ctx context.Context, companyID, providerID int64, req directory.EmployeeCreateRequest) (directory.Employee, error) {
	v := &derrors.ValidationError{}
	if err := req.Validate(); err != nil {
		v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
	}
	generated := ""
	if req.Password == "" {
		if req.Email == "" {
			v.Add("password", "give a password, or an e-mail address so a generated one can be sent")
		}
		st, err := a.Identity.Settings(ctx, providerID)
		if err != nil {
			return directory.Employee{}, err
		}
		if generated, err = identity.GeneratePassword(st.PolicyFor(req.Role)); err != nil {
			return directory.Employee{}, err
		}
		req.Password = generated
	} else if err := a.Identity.CheckPassword(ctx, providerID, req.Role, "password", req.Password, []string{req.Phone}); err != nil {
		v.Fields = append(v.Fields, err.(*derrors.ValidationError).Fields...)
	}
	if err := v.Err(); err != nil {
		return directory.Employee{}, err
	}
	hash, err := a.Identity.HashPassword(req.Password)
	if err != nil {
		return directory.Employee{}, err
	}
	var e directory.Employee
	err = a.DB.Tx(ctx, func(ctx context.Context) error {
		var err error
		if e, err = a.Directory.CreateEmployee(ctx, companyID, providerID, req, hash); err != nil {
			return err
		}
		if generated != "" {
			if err := a.Identity.RequirePasswordChange(ctx, e.ID); err != nil {
				return err
			}
		}
		return a.Identity.SendWelcome(ctx, e.ID, generated)
	})
	return e, err
}

// AuthorizeAddEmployee asks access about each part of an Add Employee
// request: the company (or, for a group admin, every group the new employee
// joins) and the role given. A group that the actor may not see is answered
// as a field error naming it, like any other unknown id.
func (a *App) AuthorizeAddEmployee(ctx context.Context, actor access.Actor, companyID int64, role access.Role, groupIDs []int64) error {
	if !actor.IsOperator() {
		c, err := a.Tenancy.Company(ctx, companyID)
		if err != nil {
			return err
		}
		if !c.AddEmployee {
			if err := a.Access.Check(ctx, actor, access.ViewCompany, access.Company(companyID)); err != nil {
				return err
			}
			return derrors.Forbidden("the service provider has not enabled Add Employee for this company")
		}
	}
	if actor.Role == access.RoleGroupAdmin && len(groupIDs) == 0 {
		return derrors.Invalid("group_ids", "name at least one group you administer for the new employee to join")
	}
	if len(groupIDs) == 0 || role == access.RoleCompanyAdmin {
		// Company-wide employee management is also what makes a company admin.
		if err := a.Access.Check(ctx, actor, access.CreateEmployee, access.Company(companyID)); err != nil {
			return err
		}
	}
	for _, gid := range groupIDs {
		if err := a.Access.CheckRef(ctx, actor, access.CreateEmployee, access.Group(gid), "group_ids"); err != nil {
			return err
		}
	}
	return nil
}

// ModifyEmployee applies an employee profile change once access allowed
// access.UpdateEmployee on e: a role change also needs ChangeEmployeeRole,
// and making someone a company admin needs company-wide powers. Nobody
// changes their own e-mail here: it is the security e-mail, which changes
// only through a confirmed link (identity.RequestSecurityEmailChange).
func (a *App) ModifyEmployee(ctx context.Context, actor access.Actor, e directory.Employee, req directory.EmployeeUpdateRequest) (directory.Employee, error) {
	if req.RoleChange(e) {
		if err := a.Access.Check(ctx, actor, access.ChangeEmployeeRole, access.Employee(e.ID)); err != nil {
			return e, err
		}
		if *req.Role == access.RoleCompanyAdmin {
			if err := a.Access.Check(ctx, actor, access.CreateEmployee, access.Company(e.CompanyID)); err != nil {
				return e, derrors.Forbidden("only a company administrator can make someone a company administrator")
			}
		}
	}
	if e.ID == actor.AccountID && req.Email != nil && !strings.EqualFold(strings.TrimSpace(*req.Email), e.Email) {
		return e, derrors.Invalid("email", "your e-mail address is your security e-mail: change it under My Account > Change Security Email, which sends a confirmation link")
	}
	return a.Directory.UpdateEmployee(ctx, e.ID, req)
}
