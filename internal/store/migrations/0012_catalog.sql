-- Catalog: the provider's service offering (features, feature packages and
-- add-ons for sites and employees, terms) and what each site and employee
-- has been given.

CREATE TABLE catalog_features (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_features_code ON catalog_features (provider_id, code);
CREATE UNIQUE INDEX catalog_features_name ON catalog_features (provider_id, lower(name));

-- catalog_packages holds feature packages (pkg_type 'package') and add-ons
-- (type 'add_on'), each for sites or for employees (kind). The seed calls
-- add-ons "Add-On Feature packages": the same shape, sold on top.
CREATE TABLE catalog_packages (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    pkg_type TEXT NOT NULL,
    kind TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_packages_name ON catalog_packages (provider_id, pkg_type, kind, lower(name));

CREATE TABLE catalog_package_features (
    package_id BIGINT NOT NULL REFERENCES catalog_packages(id) ON DELETE CASCADE,
    feature_id BIGINT NOT NULL REFERENCES catalog_features(id),
    PRIMARY KEY (package_id, feature_id)
);
CREATE INDEX catalog_package_features_feature ON catalog_package_features (feature_id);

-- catalog_terms are contract terms; term_rank orders them so a change can be
-- judged an upgrade (higher rank) or a downgrade.
CREATE TABLE catalog_terms (
    id {{id}},
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    name TEXT NOT NULL,
    months INTEGER NOT NULL,
    term_rank INTEGER NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX catalog_terms_name ON catalog_terms (provider_id, lower(name));
CREATE UNIQUE INDEX catalog_terms_rank ON catalog_terms (provider_id, term_rank);

-- site_offerings: a site's feature package; site_offering_addons its add-ons.
CREATE TABLE site_offerings (
    site_id BIGINT PRIMARY KEY REFERENCES org_groups(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    package_id BIGINT NOT NULL REFERENCES catalog_packages(id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX site_offerings_company ON site_offerings (company_id);
CREATE INDEX site_offerings_package ON site_offerings (package_id);

CREATE TABLE site_offering_addons (
    site_id BIGINT NOT NULL REFERENCES org_groups(id) ON DELETE CASCADE,
    package_id BIGINT NOT NULL REFERENCES catalog_packages(id),
    PRIMARY KEY (site_id, package_id)
);
CREATE INDEX site_offering_addons_package ON site_offering_addons (package_id);

-- employee_offerings: an employee's feature package and term;
-- employee_offering_addons their add-ons.
CREATE TABLE employee_offerings (
    account_id BIGINT PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    package_id BIGINT NOT NULL REFERENCES catalog_packages(id),
    term_id BIGINT NOT NULL REFERENCES catalog_terms(id),
    updated_at BIGINT NOT NULL
);
CREATE INDEX employee_offerings_company ON employee_offerings (company_id);
CREATE INDEX employee_offerings_package ON employee_offerings (package_id);
CREATE INDEX employee_offerings_term ON employee_offerings (term_id);

CREATE TABLE employee_offering_addons (
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    package_id BIGINT NOT NULL REFERENCES catalog_packages(id),
    PRIMARY KEY (account_id, package_id)
);
CREATE INDEX employee_offering_addons_package ON employee_offering_addons (package_id);
