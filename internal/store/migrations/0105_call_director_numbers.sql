-- call_director_numbers: the outside phones (E.164) that each employee's
-- Call Director lists (docs/features.md). A phone acts for one employee of
-- a company, so the unique index settles two saves racing for one number;
-- the settings themselves stay in the employee's feature_configs document,
-- which this table follows in the same transaction.
CREATE TABLE call_director_numbers (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    account_id BIGINT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    e164 TEXT NOT NULL
);
CREATE UNIQUE INDEX call_director_numbers_e164 ON call_director_numbers (company_id, e164);
CREATE INDEX call_director_numbers_account ON call_director_numbers (account_id);
