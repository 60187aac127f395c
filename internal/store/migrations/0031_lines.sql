-- Lines: an employee's SIP identity on a device (the primary line now;
-- shared call appearances later), with the credentials the phone registers
-- with. The password is kept encrypted with the node secret (AES-GCM) so it
-- can be shown again to provisioning; the digest HA1s (RFC 2617 / RFC 8760)
-- are kept so the registrar checks a REGISTER without decrypting anything.
-- See docs/sip.md.
CREATE TABLE lines (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    device_id BIGINT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    -- 0 is the primary line; 1..5 the shared call appearances.
    appearance INTEGER NOT NULL DEFAULT 0,
    username TEXT NOT NULL,
    realm TEXT NOT NULL,
    password_enc TEXT NOT NULL,
    ha1_md5 TEXT NOT NULL,
    ha1_sha256 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A SIP username identifies one line across the whole deployment.
CREATE UNIQUE INDEX lines_username ON lines (username);
CREATE UNIQUE INDEX lines_device_account ON lines (device_id, account_id);
CREATE INDEX lines_account ON lines (account_id);
