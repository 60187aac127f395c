// Package jobs runs Switchboard's durable background work — activations,
// cease, imports, bulk feature changes, bulk reboots — as rows in the jobs
// table, enqueued in the transaction of the change that needs them and run by
// workers on any node.
//
// Why not River: docs/decisions.md explains why we prefer a well-kept queue library, and River
// (v0.51.1 on the Go proxy) serves PostgreSQL well, but its SQLite driver
// (riversqlite) describes itself as early testing, wants one *sql.DB pool of
// its own (SetMaxOpenConns(1)) where store.DB keeps a reader pool and a single
// writer it does not expose, and brings a second migration system
// (rivermigrate, river_migration) and a job schema River owns: no company_id
// to scope reads by tenant, its own state names instead of the portal's Not
// Started / In Progress / Completed / Error, timestamps instead of our Unix
// milliseconds, and nothing for per-item results or test mode, which we would
// have to keep in tables of our own beside it anyway. Joining our db.Tx would
// also mean exposing the *sql.Tx that rides in ctx. So this package is a
// small lease-based queue on store.DB, modelled on the mail outbox, with one
// test suite run on SQLite and PostgreSQL.
//
// # Lifecycle
//
// A job is not_started until a worker claims it (highest priority first, then
// run_at, then id) by taking a lease: lease_owner and lease_until, claimed
// with FOR UPDATE SKIP LOCKED on PostgreSQL so two nodes never claim the same
// row, and through the single writer on SQLite. While the handler runs the
// worker renews the lease; when it returns the job becomes completed or error
// (or, for a RetryableError, waits in_progress until its back-off ends). A job
// whose lease expires while in progress — its worker crashed or lost the
// database — is claimed again by any worker and run from the start, so
// handlers must be idempotent: an employee already activated is reported as
// skipped, not activated twice. Each claim counts as an attempt; after
// MaxAttempts the job ends in error.
//
// # Tenancy
//
// Every read takes a company id: a positive id sees only that company's jobs,
// ProviderLevel (0) sees only provider-level jobs (no company), and
// AllCompanies is the explicit, operator-only view of every job. The access
// package decides who may pass which; this package never widens a scope.
package jobs
