-- Call Logs (docs/cdr.md, "Call Logs"): roll-ups per viewing scope so a
-- graph, type split or top 10 reads the same few rows whether the scope
-- made a thousand calls or ten million, and the list's sort by duration.

-- call_scope_rollups: calls and billable seconds per scope (scope_kind 1
-- provider, 2 company, 3 site, 4 employee; scope_id its id), per bucket
-- (granularity 1 = UTC hour, 2 = UTC day), direction, traffic and status.
-- A call counts once in each scope it belongs to; an unattributed call
-- only in its provider's. Each bucket also has an "all traffic" row
-- (direction, traffic and status 0) for the unfiltered graph.
CREATE TABLE call_scope_rollups (
    scope_kind SMALLINT NOT NULL,
    scope_id BIGINT NOT NULL,
    granularity SMALLINT NOT NULL,
    bucket_start BIGINT NOT NULL,
    direction SMALLINT NOT NULL,
    traffic SMALLINT NOT NULL,
    status SMALLINT NOT NULL,
    calls BIGINT NOT NULL,
    seconds BIGINT NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status)
);

-- call_number_days: per scope (provider, company, site: an employee's
-- top 10 reads their own calls), UTC day and number, how often it called
-- (role 1, the calling number) or was called (role 2, the destination),
-- by direction, traffic and status: what Top 10 reads. Each number also
-- has an "all traffic" row (direction, traffic, status 0) that an
-- unfiltered top 10 reads alone.
CREATE TABLE call_number_days (
    scope_kind SMALLINT NOT NULL,
    scope_id BIGINT NOT NULL,
    day BIGINT NOT NULL,
    role SMALLINT NOT NULL,
    number TEXT NOT NULL,
    direction SMALLINT NOT NULL,
    traffic SMALLINT NOT NULL,
    status SMALLINT NOT NULL,
    calls BIGINT NOT NULL,
    seconds BIGINT NOT NULL,
    PRIMARY KEY (scope_kind, scope_id, role, day, number, direction, traffic, status)
);
-- CompactNumberDays works a day at a time.
CREATE INDEX call_number_days_day ON call_number_days (day);

-- The list sorted by duration (billable seconds) pages through these.
CREATE INDEX calls_provider_billsec ON calls (provider_id, billsec);
CREATE INDEX calls_company_billsec ON calls (company_id, billsec);
CREATE INDEX calls_site_billsec ON calls (site_id, billsec);
CREATE INDEX calls_employee_billsec ON calls (employee_id, billsec);

-- Backfill from the calls already stored.
INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
    SELECT 1, provider_id, 1, (start_at / 3600000) * 3600000, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls GROUP BY provider_id, (start_at / 3600000) * 3600000, direction, traffic, status;
INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
    SELECT 2, company_id, 1, (start_at / 3600000) * 3600000, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE company_id <> 0 GROUP BY company_id, (start_at / 3600000) * 3600000, direction, traffic, status;
INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
    SELECT 3, site_id, 1, (start_at / 3600000) * 3600000, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE site_id <> 0 GROUP BY site_id, (start_at / 3600000) * 3600000, direction, traffic, status;
INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
    SELECT 4, employee_id, 1, (start_at / 3600000) * 3600000, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE employee_id <> 0 GROUP BY employee_id, (start_at / 3600000) * 3600000, direction, traffic, status;
INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
    SELECT scope_kind, scope_id, 2, (bucket_start / 86400000) * 86400000, direction, traffic, status, SUM(calls), SUM(seconds)
    FROM call_scope_rollups WHERE granularity = 1
    GROUP BY scope_kind, scope_id, (bucket_start / 86400000) * 86400000, direction, traffic, status;
INSERT INTO call_scope_rollups (scope_kind, scope_id, granularity, bucket_start, direction, traffic, status, calls, seconds)
    SELECT scope_kind, scope_id, granularity, bucket_start, 0, 0, 0, SUM(calls), SUM(seconds)
    FROM call_scope_rollups GROUP BY scope_kind, scope_id, granularity, bucket_start;

INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
    SELECT 1, provider_id, (start_at / 86400000) * 86400000, 1, calling, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE calling <> '' GROUP BY provider_id, (start_at / 86400000) * 86400000, calling, direction, traffic, status;
INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
    SELECT 1, provider_id, (start_at / 86400000) * 86400000, 2, called, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE called <> '' GROUP BY provider_id, (start_at / 86400000) * 86400000, called, direction, traffic, status;
INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
    SELECT 2, company_id, (start_at / 86400000) * 86400000, 1, calling, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE company_id <> 0 AND calling <> '' GROUP BY company_id, (start_at / 86400000) * 86400000, calling, direction, traffic, status;
INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
    SELECT 2, company_id, (start_at / 86400000) * 86400000, 2, called, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE company_id <> 0 AND called <> '' GROUP BY company_id, (start_at / 86400000) * 86400000, called, direction, traffic, status;
INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
    SELECT 3, site_id, (start_at / 86400000) * 86400000, 1, calling, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE site_id <> 0 AND calling <> '' GROUP BY site_id, (start_at / 86400000) * 86400000, calling, direction, traffic, status;
INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
    SELECT 3, site_id, (start_at / 86400000) * 86400000, 2, called, direction, traffic, status, COUNT(*), SUM(billsec)
    FROM calls WHERE site_id <> 0 AND called <> '' GROUP BY site_id, (start_at / 86400000) * 86400000, called, direction, traffic, status;

INSERT INTO call_number_days (scope_kind, scope_id, day, role, number, direction, traffic, status, calls, seconds)
    SELECT scope_kind, scope_id, day, role, number, 0, 0, 0, SUM(calls), SUM(seconds)
    FROM call_number_days GROUP BY scope_kind, scope_id, day, role, number;

-- call_number_days_compacted records how far CompactNumberDays has pruned
-- finished days to their top numbers (docs/cdr.md, "Top 10 at scale").
CREATE TABLE call_number_days_compacted (
    through BIGINT NOT NULL PRIMARY KEY,
    compacted_at BIGINT NOT NULL
);
