-- The customer list (operators, reseller admins) pages by keyset on
-- (lower(name), id) (docs/performance.md): one index per scope that ends in
-- the id, so PostgreSQL, like SQLite, walks it in the list's exact order.
CREATE INDEX companies_list ON companies (provider_id, lower(name), id);
DROP INDEX companies_reseller;
CREATE INDEX companies_reseller ON companies (reseller_id, lower(name), id);
