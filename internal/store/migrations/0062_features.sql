-- Telephony features of sites and employees (docs/features.md).
--
-- feature_assignments: a site's or an employee's choice about one feature
-- its package and add-ons grant. No row means the defaults: available, and
-- group administrators allowed to change it. Exactly one of site_id and
-- account_id is set; the row goes with its owner.
CREATE TABLE feature_assignments (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT REFERENCES org_groups(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id) ON DELETE CASCADE,
    feature_id BIGINT NOT NULL REFERENCES catalog_features(id) ON DELETE CASCADE,
    available {{bool}} NOT NULL DEFAULT {{true}},
    allow_group_admins {{bool}} NOT NULL DEFAULT {{true}},
    updated_at BIGINT NOT NULL,
    CHECK ((site_id IS NULL) <> (account_id IS NULL))
);
CREATE UNIQUE INDEX feature_assignments_site ON feature_assignments (site_id, feature_id);
CREATE UNIQUE INDEX feature_assignments_account ON feature_assignments (account_id, feature_id);
CREATE INDEX feature_assignments_company ON feature_assignments (company_id);

-- feature_configs: the configuration document of a site or an employee (a
-- JSON object, feature code → settings) and its revision, which grows by
-- one with every change of the document or of the owner's assignments.
CREATE TABLE feature_configs (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT REFERENCES org_groups(id) ON DELETE CASCADE,
    account_id BIGINT REFERENCES accounts(id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    settings TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    CHECK ((site_id IS NULL) <> (account_id IS NULL))
);
CREATE UNIQUE INDEX feature_configs_site ON feature_configs (site_id);
CREATE UNIQUE INDEX feature_configs_account ON feature_configs (account_id);

-- call_groups: the identity of each hunt group and auto attendant of a
-- site, the id its number and extension are held by in numbering (owner
-- kind 'egf'). Their settings live in the site's document.
CREATE TABLE call_groups (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    feature_code TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX call_groups_site ON call_groups (site_id);
