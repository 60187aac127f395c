-- Account security: provider-wide settings, password age and history,
-- lockout, service passwords, and single-use tokens for resets and e-mail
-- changes.

ALTER TABLE providers ADD COLUMN admin_password_policy TEXT NOT NULL DEFAULT 'business_portal';
ALTER TABLE providers ADD COLUMN employee_password_policy TEXT NOT NULL DEFAULT 'self_care';
ALTER TABLE providers ADD COLUMN lockout_threshold INTEGER NOT NULL DEFAULT 3;
ALTER TABLE providers ADD COLUMN lockout_window_ms BIGINT NOT NULL DEFAULT 14400000;
ALTER TABLE providers ADD COLUMN lockout_duration_ms BIGINT NOT NULL DEFAULT 14400000;
ALTER TABLE providers ADD COLUMN reset_token_ttl_ms BIGINT NOT NULL DEFAULT 3600000;
ALTER TABLE providers ADD COLUMN company_admin_self_reset {{bool}} NOT NULL DEFAULT {{false}};
ALTER TABLE providers ADD COLUMN portal_url TEXT NOT NULL DEFAULT '';

ALTER TABLE accounts ADD COLUMN password_changed_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN must_change_password {{bool}} NOT NULL DEFAULT {{false}};
ALTER TABLE accounts ADD COLUMN previous_password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN application_password_hash TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN voicemail_pin_hash TEXT NOT NULL DEFAULT '';

-- Lockout state is kept per username typed, whether or not an account has
-- it, so an unknown username locks exactly like a real one and the answers
-- never reveal which usernames exist.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at BIGINT NOT NULL,
    client_addr TEXT NOT NULL DEFAULT ''
);
CREATE INDEX login_failures_username ON login_failures (username, at);

CREATE TABLE login_locks (
    username TEXT NOT NULL PRIMARY KEY,
    locked_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL
);

-- Single-use secrets sent by e-mail: password resets and security e-mail
-- changes. Only a SHA-256 of the secret is stored.
CREATE TABLE account_tokens (
    id {{id}},
    token_hash TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    new_email TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX account_tokens_hash ON account_tokens (token_hash);
CREATE INDEX account_tokens_account ON account_tokens (account_id, purpose);
