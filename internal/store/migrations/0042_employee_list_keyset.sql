-- Employee Selection pages by keyset (docs/performance.md): each sort order
-- of the employee list is one index on (company_id, sort keys…, id), so the
-- first page and any page after a cursor are a range scan of at most a page
-- of entries, whatever the size of the company. The default order
-- (surname, first name) replaces the index on the surname alone.
DROP INDEX accounts_company_last_name;
CREATE INDEX accounts_list_name ON accounts (company_id, lower(last_name), lower(first_name), id);
CREATE INDEX accounts_list_first_name ON accounts (company_id, lower(first_name), id);
CREATE INDEX accounts_list_username ON accounts (company_id, username, id);
CREATE INDEX accounts_list_status ON accounts (company_id, status, id);
CREATE INDEX accounts_list_created ON accounts (company_id, created_at, id);
