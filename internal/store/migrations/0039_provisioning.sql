-- Provisioning (docs/provisioning.md): the per-device secret a desk phone
-- fetches its configuration files with, kept encrypted with the node secret
-- (AES-GCM) so an administrator can be shown it again, and when the device
-- last fetched a file.
CREATE TABLE device_provisioning (
    device_id BIGINT NOT NULL PRIMARY KEY REFERENCES devices(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    secret_enc TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Written at most once a minute per device by the node serving it.
ALTER TABLE devices ADD COLUMN last_provisioned_at BIGINT;
