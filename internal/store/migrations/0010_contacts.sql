-- Personal contacts: each employee's own address book (the self-care portal's
-- Contacts page), the groups they sort it into, pending CSV/vCard imports
-- awaiting Confirm, and the per-employee directory revision phones use to
-- know when to refetch their directory file.

CREATE TABLE contacts (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    first_name TEXT NOT NULL DEFAULT '',
    last_name TEXT NOT NULL DEFAULT '',
    company TEXT NOT NULL DEFAULT '',
    job_title TEXT NOT NULL DEFAULT '',
    -- Numbers as the user entered them, and their E.164 form ('' when the
    -- text does not parse as a number in the provider's default region).
    home_tel TEXT NOT NULL DEFAULT '',
    work_tel TEXT NOT NULL DEFAULT '',
    cell_tel TEXT NOT NULL DEFAULT '',
    fax_tel TEXT NOT NULL DEFAULT '',
    other_tel TEXT NOT NULL DEFAULT '',
    home_e164 TEXT NOT NULL DEFAULT '',
    work_e164 TEXT NOT NULL DEFAULT '',
    cell_e164 TEXT NOT NULL DEFAULT '',
    fax_e164 TEXT NOT NULL DEFAULT '',
    other_e164 TEXT NOT NULL DEFAULT '',
    email TEXT NOT NULL DEFAULT '',
    email2 TEXT NOT NULL DEFAULT '',
    web_page TEXT NOT NULL DEFAULT '',
    home_street TEXT NOT NULL DEFAULT '',
    home_city TEXT NOT NULL DEFAULT '',
    home_region TEXT NOT NULL DEFAULT '',
    home_postcode TEXT NOT NULL DEFAULT '',
    home_country TEXT NOT NULL DEFAULT '',
    business_street TEXT NOT NULL DEFAULT '',
    business_city TEXT NOT NULL DEFAULT '',
    business_region TEXT NOT NULL DEFAULT '',
    business_postcode TEXT NOT NULL DEFAULT '',
    business_country TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    -- search_text is what "Search for.." matches, lower-cased and
    -- tab-separated: names, company, e-mails and every number's digit forms
    -- (as entered, E.164, national), so any way of writing a number finds it.
    search_text TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX contacts_owner_name ON contacts (account_id, lower(last_name), lower(first_name));

CREATE TABLE contact_groups (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX contact_groups_name ON contact_groups (account_id, lower(name));

CREATE TABLE contact_group_members (
    group_id BIGINT NOT NULL REFERENCES contact_groups(id) ON DELETE CASCADE,
    contact_id BIGINT NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, contact_id)
);
CREATE INDEX contact_group_members_contact ON contact_group_members (contact_id);

-- contact_imports holds a previewed import until the employee confirms or
-- cancels it, or it expires. plan_json is exactly what Confirm will apply;
-- base_revision is the directory revision the plan was computed against.
CREATE TABLE contact_imports (
    id {{id}},
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    action TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    base_revision BIGINT NOT NULL DEFAULT 0,
    added INTEGER NOT NULL DEFAULT 0,
    updated INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    ignored INTEGER NOT NULL DEFAULT 0,
    existing INTEGER NOT NULL DEFAULT 0,
    details_json TEXT NOT NULL DEFAULT '',
    columns_json TEXT NOT NULL DEFAULT '',
    plan_json TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX contact_imports_owner ON contact_imports (account_id);
CREATE INDEX contact_imports_expiry ON contact_imports (expires_at);

-- contact_directories keeps one revision per employee, bumped in the same
-- transaction as every change to that employee's contacts or groups.
CREATE TABLE contact_directories (
    account_id BIGINT NOT NULL PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    revision BIGINT NOT NULL DEFAULT 0,
    updated_at BIGINT NOT NULL
);
