-- Numbering: DN ranges and the site number pool, extensions and the site
-- extension policy, the refused extension codes, and the control panel's
-- number range parameters and internal number blocks.

-- dn_ranges are the telephone numbers the provider assigns to a site, first
-- and last inclusive, in E.164. size = last - first + 1.
CREATE TABLE dn_ranges (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT NOT NULL REFERENCES org_groups(id),
    start_e164 TEXT NOT NULL,
    end_e164 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX dn_ranges_site ON dn_ranges (company_id, site_id);
CREATE INDEX dn_ranges_bounds ON dn_ranges (start_e164, end_e164);

-- dn_numbers holds one row per number of every range, so assigning a number
-- is a single conditional row update and the unique e164 makes overlapping
-- ranges impossible even when two operators add them at the same moment.
-- status: available (never handed out since the range was added), assigned,
-- returned (released after a cease; free again, handed out after every
-- available number).
CREATE TABLE dn_numbers (
    id {{id}},
    e164 TEXT NOT NULL,
    range_id BIGINT NOT NULL REFERENCES dn_ranges(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT NOT NULL REFERENCES org_groups(id),
    status TEXT NOT NULL DEFAULT 'available',
    owner_kind TEXT NOT NULL DEFAULT '',
    owner_id BIGINT NOT NULL DEFAULT 0,
    owner_name TEXT NOT NULL DEFAULT '',
    assigned_at BIGINT,
    returned_at BIGINT
);
CREATE UNIQUE INDEX dn_numbers_e164 ON dn_numbers (e164);
CREATE INDEX dn_numbers_site ON dn_numbers (company_id, site_id, status, e164);
CREATE INDEX dn_numbers_range ON dn_numbers (range_id, status);
CREATE INDEX dn_numbers_owner ON dn_numbers (company_id, owner_kind, owner_id);

-- extension_policies: how a site's extensions look and how the default one
-- is derived. A site without a row uses the built-in default (4 digits, the
-- last digits of the number).
CREATE TABLE extension_policies (
    site_id BIGINT PRIMARY KEY REFERENCES org_groups(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    ext_length INTEGER NOT NULL,
    mode TEXT NOT NULL,
    range_from TEXT NOT NULL DEFAULT '',
    range_to TEXT NOT NULL DEFAULT '',
    updated_at BIGINT NOT NULL
);

-- extensions are unique within a company: the unique index is the guarantee.
CREATE TABLE extensions (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT REFERENCES org_groups(id) ON DELETE SET NULL,
    extension TEXT NOT NULL,
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    owner_name TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX extensions_company_ext ON extensions (company_id, extension);
CREATE INDEX extensions_owner ON extensions (company_id, owner_kind, owner_id);

-- refused_extensions are codes the public network reserves, which can never
-- be an extension. match_kind is 'exact' or 'prefix'; a prefix entry with a
-- non-zero total_length matches only extensions of exactly that many digits
-- (116 + any three digits). reason completes "extension X is reserved: …".
CREATE TABLE refused_extensions (
    code TEXT PRIMARY KEY,
    match_kind TEXT NOT NULL DEFAULT 'exact',
    total_length INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL DEFAULT 0
);
INSERT INTO refused_extensions (code, match_kind, total_length, reason) VALUES
    ('101', 'exact', 0, 'it is the police non-emergency number'),
    ('105', 'exact', 0, 'it is the national power networks helpline'),
    ('111', 'exact', 0, 'it is the NHS non-emergency number'),
    ('195', 'exact', 0, 'it is directory enquiries for blind and disabled people'),
    ('141', 'exact', 0, 'dialling 141 withholds your number (feature access code)'),
    ('1571', 'exact', 0, 'it is the voicemail access number (feature access code)'),
    ('18000', 'exact', 0, 'it is the access code for international key services'),
    ('116', 'prefix', 6, '116xxx numbers are services of social value');

-- number_range_parameters define, per provider, the space internal number
-- blocks are carved from: numbers first..last (digits wide, zero-padded)
-- behind prefix, in blocks of block_size.
CREATE TABLE number_range_parameters (
    provider_id BIGINT PRIMARY KEY REFERENCES providers(id),
    prefix TEXT NOT NULL DEFAULT '',
    digits INTEGER NOT NULL,
    first_number BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    block_size BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- internal_number_blocks are the blocks assigned to companies; first_label
-- and last_label keep the rendered numbers so they never change afterwards.
CREATE TABLE internal_number_blocks (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    company_id BIGINT NOT NULL REFERENCES companies(id),
    block_index BIGINT NOT NULL,
    first_number BIGINT NOT NULL,
    last_number BIGINT NOT NULL,
    first_label TEXT NOT NULL,
    last_label TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX internal_number_blocks_index ON internal_number_blocks (provider_id, block_index);
CREATE INDEX internal_number_blocks_company ON internal_number_blocks (company_id);
