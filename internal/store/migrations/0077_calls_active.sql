-- calls_active are the calls in progress, from the start and end events the
-- switches post (docs/cdr.md, "Channels in use"): one row per call until its
-- end event, its call record, or expires_at (a call whose end was lost stops
-- counting after the longest call the product expects).
CREATE TABLE calls_active (
    switch_id BIGINT NOT NULL,
    call_id TEXT NOT NULL,
    provider_id BIGINT NOT NULL,
    company_id BIGINT NOT NULL DEFAULT 0,
    started_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (switch_id, call_id)
);
CREATE INDEX calls_active_company ON calls_active (company_id, expires_at);
