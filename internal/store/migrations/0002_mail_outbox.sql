-- Outgoing e-mail. Every message is written here first, in the transaction
-- of the change that causes it, and a sender claims due rows with a lease,
-- so nothing is lost when the relay is down or the process restarts.
CREATE TABLE mail_outbox (
    id {{id}},
    created_at BIGINT NOT NULL,
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    text_body TEXT NOT NULL,
    html_body TEXT NOT NULL DEFAULT '',
    provider_id BIGINT,
    company_id BIGINT,
    account_id BIGINT,
    -- sensitive messages (a generated password, a single-use link) have
    -- their bodies removed once delivered or a day after they were held.
    sensitive {{bool}} NOT NULL DEFAULT {{false}},
    -- queued: waiting to be sent (or held, when no relay is configured);
    -- sent; failed: gave up after the last attempt.
    status TEXT NOT NULL DEFAULT 'queued',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at);
CREATE INDEX mail_outbox_created ON mail_outbox (created_at);
