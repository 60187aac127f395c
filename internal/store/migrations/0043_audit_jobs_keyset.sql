-- The audit log pages by keyset, newest first on (at, id) (docs/performance.md):
-- the indexes end in id so that PostgreSQL, like SQLite (whose index entries
-- end in the rowid), walks them in that exact order and stops after a page.
DROP INDEX audit_company_at;
DROP INDEX audit_provider_at;
CREATE INDEX audit_company_at ON audit_events (company_id, at, id);
CREATE INDEX audit_provider_at ON audit_events (provider_id, at, id);
-- The job lists (Status, imports) page the same way on (created_at, id).
DROP INDEX jobs_company;
CREATE INDEX jobs_company ON jobs (company_id, created_at, id);
