-- Durable background jobs (activations, cease, imports, bulk changes). A job
-- is written here in the transaction of the change that needs it; workers on
-- any node claim due rows with a lease (FOR UPDATE SKIP LOCKED on
-- PostgreSQL), renew the lease while running, and a job whose lease expires
-- while in progress (its worker died) is claimed again. See internal/jobs.
CREATE TABLE jobs (
    id {{id}},
    -- NULL for provider-level jobs; otherwise every read is scoped by it.
    company_id BIGINT REFERENCES companies(id),
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    args TEXT NOT NULL DEFAULT '{}',
    -- not_started, in_progress, completed, error, cancelled. A job waiting
    -- to retry stays in_progress with lease_until = 0 and a later run_at.
    status TEXT NOT NULL DEFAULT 'not_started',
    -- 1 low, 2 medium, 3 high: claimed highest first.
    priority INTEGER NOT NULL DEFAULT 2,
    run_at BIGINT NOT NULL,
    test_mode {{bool}} NOT NULL DEFAULT {{false}},
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 3,
    lease_owner TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0,
    -- The account that asked for the job (no foreign key: accounts can be
    -- deleted, the job's history stays).
    created_by BIGINT,
    created_at BIGINT NOT NULL,
    started_at BIGINT NOT NULL DEFAULT 0,
    finished_at BIGINT NOT NULL DEFAULT 0,
    progress_done INTEGER NOT NULL DEFAULT 0,
    progress_total INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT ''
);
CREATE INDEX jobs_due ON jobs (status, run_at);
CREATE INDEX jobs_company ON jobs (company_id, created_at);

-- Per-item results of a job's latest attempt (one row per employee, import
-- row, device…), shown to the user while and after the job runs.
CREATE TABLE job_items (
    job_id BIGINT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    item_key TEXT NOT NULL,
    -- pending, ok, error, skipped, or would_<action> in test mode.
    status TEXT NOT NULL,
    message TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, seq)
);
