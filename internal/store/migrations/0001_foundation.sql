-- Foundation: tenancy hierarchy, accounts, groups, sessions, audit.
-- Timestamps are Unix milliseconds (UTC) in BIGINT columns on both engines.

CREATE TABLE providers (
    id {{id}},
    name TEXT NOT NULL,
    default_region TEXT NOT NULL DEFAULT 'GB',
    created_at BIGINT NOT NULL
);

CREATE TABLE resellers (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX resellers_name ON resellers (provider_id, lower(name));

CREATE TABLE companies (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    reseller_id BIGINT REFERENCES resellers(id),
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'active',
    balance_minor BIGINT NOT NULL DEFAULT 0,
    debit_limit_minor BIGINT NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'GBP',
    channel_limit INTEGER NOT NULL DEFAULT 0,
    config_and_reg {{bool}} NOT NULL DEFAULT {{false}},
    add_employee {{bool}} NOT NULL DEFAULT {{false}},
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX companies_name ON companies (provider_id, lower(name));
CREATE INDEX companies_reseller ON companies (reseller_id);

-- org_groups holds sites (top-level, is_site) and the groups under them, any depth.
-- path is the materialised chain of ids, '/3/17/42/', so "is X under Y" is a
-- prefix test on both engines.
CREATE TABLE org_groups (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    parent_id BIGINT REFERENCES org_groups(id),
    name TEXT NOT NULL,
    is_site {{bool}} NOT NULL DEFAULT {{false}},
    path TEXT NOT NULL DEFAULT '',
    contact_first_name TEXT NOT NULL DEFAULT '',
    contact_last_name TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    contact_phone TEXT NOT NULL DEFAULT '',
    address_line1 TEXT NOT NULL DEFAULT '',
    address_line2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX groups_sibling_name ON org_groups (company_id, COALESCE(parent_id, 0), lower(name));
CREATE INDEX groups_path ON org_groups (company_id, path);
CREATE INDEX groups_parent ON org_groups (parent_id);

-- accounts are every login: provider operators, reseller admins and the
-- company's employees (company admins, group admins, employees).
CREATE TABLE accounts (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    reseller_id BIGINT REFERENCES resellers(id),
    company_id BIGINT REFERENCES companies(id),
    username TEXT NOT NULL,
    password_hash TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL,
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address_line1 TEXT NOT NULL DEFAULT '',
    address_line2 TEXT NOT NULL DEFAULT '',
    city TEXT NOT NULL DEFAULT '',
    postcode TEXT NOT NULL DEFAULT '',
    country TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'inactive',
    -- search_text is what the Employee Selection search matches, lower-cased:
    -- username, names, "first last" and the phone's digits, tab-separated.
    search_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX accounts_username ON accounts (username);
CREATE INDEX accounts_company ON accounts (company_id, role);
CREATE INDEX accounts_company_last_name ON accounts (company_id, lower(last_name));

CREATE TABLE group_members (
    group_id BIGINT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_members_account ON group_members (account_id);

CREATE TABLE group_admins (
    group_id BIGINT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (group_id, account_id)
);
CREATE INDEX group_admins_account ON group_admins (account_id);

-- sessions are browser sessions and API bearer tokens; only a SHA-256 of the
-- secret is stored.
CREATE TABLE sessions (
    id {{id}},
    token_hash TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    client_addr TEXT NOT NULL DEFAULT '',
    user_agent TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    idle_timeout_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX sessions_token ON sessions (token_hash);
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE audit_events (
    id {{id}},
    at BIGINT NOT NULL,
    actor_id BIGINT,
    actor_username TEXT NOT NULL DEFAULT '',
    event TEXT NOT NULL,
    object_kind TEXT NOT NULL,
    object_id BIGINT NOT NULL DEFAULT 0,
    object_name TEXT NOT NULL DEFAULT '',
    -- provider_id scopes every entry, including those with no company
    -- (operator and provider-level events).
    provider_id BIGINT,
    company_id BIGINT,
    site_id BIGINT,
    before_json TEXT NOT NULL DEFAULT '',
    after_json TEXT NOT NULL DEFAULT ''
);
CREATE INDEX audit_company_at ON audit_events (company_id, at);
CREATE INDEX audit_at ON audit_events (at);
CREATE INDEX audit_provider_at ON audit_events (provider_id, at);
