-- Employee lifecycle (Activate, Service Settings, Resubscribe, Cease):
-- a site's employee limit, set by the provider (0 means no limit), and
-- whether an account may log in to the portal. Cease revokes portal access
-- ("users access to the BP and any add-ons is revoked"); activation gives it
-- back. Status alone cannot decide it: administrators who were never
-- activated are 'inactive' too and must still log in.
ALTER TABLE org_groups ADD COLUMN employee_limit INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN portal_access {{bool}} NOT NULL DEFAULT {{true}};
