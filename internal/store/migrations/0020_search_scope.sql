-- Live search for group administrators (docs/search.md). A group
-- admin's number look-ups either scan a prefix of the company's numbers and
-- test each owner against the admin's groups, or start from the admin's
-- members and look at each one's numbers. Both indexes below hold
-- everything those look-ups read, so neither touches the table rows of
-- numbers it then rejects.
CREATE INDEX dn_numbers_search_owner ON dn_numbers (company_id, status, owner_kind, e164, owner_id);
DROP INDEX dn_numbers_owner;
CREATE INDEX dn_numbers_owner ON dn_numbers (company_id, owner_kind, owner_id, status, e164);
