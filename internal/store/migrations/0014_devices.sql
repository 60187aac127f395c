-- Devices, kept small until the provisioning work grows them: provider-defined
-- device types, and devices (a MAC under a site) that an employee may use as
-- their primary device.
CREATE TABLE device_types (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    vendor TEXT NOT NULL,
    model TEXT NOT NULL,
    -- A soft client (desktop or mobile app) has no hardware MAC: its
    -- identifier is the user's CLI followed by "A", as the seed describes.
    soft_client {{bool}} NOT NULL DEFAULT {{false}},
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX device_types_model ON device_types (provider_id, lower(vendor), lower(model));

CREATE TABLE devices (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT NOT NULL REFERENCES org_groups(id),
    type_id BIGINT NOT NULL REFERENCES device_types(id),
    mac TEXT NOT NULL,
    label TEXT NOT NULL DEFAULT '',
    account_id BIGINT REFERENCES accounts(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A MAC identifies one phone across the whole deployment.
CREATE UNIQUE INDEX devices_mac ON devices (mac);
CREATE INDEX devices_site ON devices (company_id, site_id);
CREATE INDEX devices_account ON devices (account_id);
