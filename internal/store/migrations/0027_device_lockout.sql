-- Lockout by device (docs/security.md, "Lockout"): a browser that has logged
-- in to an account before carries a signed device cookie, and its failures
-- count apart from everyone else's, so strangers guessing a username cannot
-- lock its owner out of the browsers they use. device is '' for failures
-- and locks of clients without a valid device cookie, and the device
-- cookie's nonce otherwise.
ALTER TABLE login_failures ADD COLUMN device TEXT NOT NULL DEFAULT '';
DROP INDEX login_failures_username;
CREATE INDEX login_failures_username ON login_failures (username, device, at);

CREATE TABLE login_locks_by_device (
    username TEXT NOT NULL,
    device TEXT NOT NULL DEFAULT '',
    locked_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL,
    PRIMARY KEY (username, device)
);
INSERT INTO login_locks_by_device (username, device, locked_at, locked_until)
    SELECT username, '', locked_at, locked_until FROM login_locks;
DROP TABLE login_locks;
ALTER TABLE login_locks_by_device RENAME TO login_locks;

-- Server-side secrets shared by every node of a deployment (the key that
-- signs device cookies). Created on first use with a random value.
CREATE TABLE server_secrets (
    name TEXT NOT NULL PRIMARY KEY,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Self-service password resets are recorded as typed and answered at once;
-- the look-up of the account and the e-mail happen afterwards
-- (identity.ProcessResetRequests), so known and unknown logins cost the
-- same to ask for.
CREATE TABLE password_reset_requests (
    id {{id}},
    login TEXT NOT NULL,
    requested_at BIGINT NOT NULL
);
