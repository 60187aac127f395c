-- An employee's service, set by Activate and Service Settings (Business
-- Portal seed): the site (the emergency location), user type, language and
-- calling-line-ID names; why activation failed when status is 'error'; when
-- the service started and ended. The number and extension live in
-- numbering (numbers / extensions owned by the account), the feature
-- package, add-ons and term in catalog (employee offerings), the primary
-- device in devices.
ALTER TABLE accounts ADD COLUMN site_id BIGINT REFERENCES org_groups(id);
ALTER TABLE accounts ADD COLUMN user_type TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'en-GB';
ALTER TABLE accounts ADD COLUMN cli_first_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN cli_last_name TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN status_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE accounts ADD COLUMN activated_at BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN ceased_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX accounts_site ON accounts (site_id);
