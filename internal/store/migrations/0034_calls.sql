-- Call records: the switches that send them, each ingest batch with its
-- report, the calls themselves, their hourly and daily roll-ups, and the
-- history of who held each number and extension (so a call is attributed
-- to whoever held the number when it was made). See docs/cdr.md.

-- call_switches are the provider's switches. Each authenticates its
-- uploads with its name and a token (only its SHA-256 is kept). format is
-- what its uploads are read as unless a request says otherwise; time_zone
-- (IANA) is the zone of switches that write local times; region reads
-- national numbers; company_id, when set, is the company whose extensions
-- the switch's records use when nothing else in a record names one.
CREATE TABLE call_switches (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    name TEXT NOT NULL,
    format TEXT NOT NULL,
    time_zone TEXT NOT NULL DEFAULT 'UTC',
    region TEXT NOT NULL DEFAULT '',
    company_id BIGINT REFERENCES companies(id),
    token_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_ingest_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX call_switches_name ON call_switches (provider_id, name);
CREATE UNIQUE INDEX call_switches_token ON call_switches (token_hash);

-- call_ingest_batches is one upload (HTTP request, file, command) and what
-- became of its records; problems is a JSON array of {line, reason} for
-- the malformed ones (the first 1,000; malformed counts them all).
CREATE TABLE call_ingest_batches (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    switch_id BIGINT NOT NULL REFERENCES call_switches(id),
    source TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    format TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    accepted INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    malformed INTEGER NOT NULL DEFAULT 0,
    ignored INTEGER NOT NULL DEFAULT 0,
    problems TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX call_ingest_batches_switch ON call_ingest_batches (switch_id, received_at);
CREATE INDEX call_ingest_batches_provider ON call_ingest_batches (provider_id, received_at);

-- calls: one row per call record. Times are UTC milliseconds. The small
-- enumerations are codes (docs/cdr.md lists them) to keep 10 million rows
-- small: direction 1 outbound, 2 inbound; status 1 answered, 2 unanswered;
-- traffic 1 international, 2 premium rate, 3 non-geographic, 4 mobile,
-- 5 national, 6 off-net, 7 on-net. company_id, site_id and employee_id are
-- 0 when the call could not be attributed (it still counts for the
-- provider). business_number is the attributed party's number or
-- extension. (switch_id, record_id) is the idempotency key.
CREATE TABLE calls (
    id {{id}},
    provider_id BIGINT NOT NULL,
    switch_id BIGINT NOT NULL,
    record_id TEXT NOT NULL,
    batch_id BIGINT NOT NULL,
    start_at BIGINT NOT NULL,
    answer_at BIGINT NOT NULL DEFAULT 0,
    end_at BIGINT NOT NULL,
    duration INTEGER NOT NULL,
    billsec INTEGER NOT NULL,
    calling_raw TEXT NOT NULL,
    called_raw TEXT NOT NULL,
    calling TEXT NOT NULL,
    called TEXT NOT NULL,
    direction SMALLINT NOT NULL,
    traffic SMALLINT NOT NULL,
    status SMALLINT NOT NULL,
    company_id BIGINT NOT NULL DEFAULT 0,
    site_id BIGINT NOT NULL DEFAULT 0,
    employee_id BIGINT NOT NULL DEFAULT 0,
    business_number TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX calls_record ON calls (switch_id, record_id);
-- The Call Logs list pages by time within a scope: each scope has its own
-- (scope, start_at) index so the first page is an index range scan.
CREATE INDEX calls_company_time ON calls (company_id, start_at);
CREATE INDEX calls_site_time ON calls (site_id, start_at);
CREATE INDEX calls_employee_time ON calls (employee_id, start_at);
CREATE INDEX calls_provider_time ON calls (provider_id, start_at);

-- call_rollups keep the counts the graphs, type split and summaries read:
-- per bucket (granularity 1 = hour, 2 = UTC day), company, site,
-- employee, direction, traffic and status; seconds are billable seconds.
-- Ingest adds to them in the transaction that inserts the calls.
CREATE TABLE call_rollups (
    granularity SMALLINT NOT NULL,
    bucket_start BIGINT NOT NULL,
    provider_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL,
    employee_id BIGINT NOT NULL,
    direction SMALLINT NOT NULL,
    traffic SMALLINT NOT NULL,
    status SMALLINT NOT NULL,
    calls BIGINT NOT NULL,
    seconds BIGINT NOT NULL,
    PRIMARY KEY (granularity, company_id, site_id, employee_id, bucket_start, direction, traffic, status, provider_id)
);
CREATE INDEX call_rollups_provider ON call_rollups (granularity, provider_id, bucket_start);
CREATE INDEX call_rollups_site ON call_rollups (granularity, site_id, bucket_start);
CREATE INDEX call_rollups_employee ON call_rollups (granularity, employee_id, bucket_start);

-- number_history: who held a telephone number (kind 'number', key E.164)
-- or an extension (kind 'extension', key the digits, unique within the
-- company) from valid_from until valid_to (0: still holds it). Filled by
-- calls.Service.SyncAssignments from numbering's current state.
CREATE TABLE number_history (
    id {{id}},
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    company_id BIGINT NOT NULL,
    site_id BIGINT NOT NULL DEFAULT 0,
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    valid_from BIGINT NOT NULL,
    valid_to BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX number_history_number ON number_history (kind, number, valid_from);
CREATE INDEX number_history_open ON number_history (company_id, valid_to);

-- Backfill: whoever holds a number or an extension now has held it since
-- it was assigned.
INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
    SELECT 'number', e164, company_id, site_id, owner_kind, owner_id, COALESCE(assigned_at, 0)
    FROM dn_numbers WHERE status = 'assigned';
INSERT INTO number_history (kind, number, company_id, site_id, owner_kind, owner_id, valid_from)
    SELECT 'extension', extension, company_id, COALESCE(site_id, 0), owner_kind, owner_id, created_at
    FROM extensions;
