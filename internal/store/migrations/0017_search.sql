-- Search: the indexes behind the live search box. Every live
-- search look-up is a range scan on one of these B-tree indexes, already in
-- the order the results are shown, so it stops after the few rows the
-- drop-down needs however large the company is (docs/search.md).
--
-- Names: the start of the username, of "first last" (first name, or first
-- name and the start of the surname) and of "last first" (surname, or
-- surname and the start of the first name), lower-cased, per company.
CREATE INDEX accounts_search_username ON accounts (company_id, lower(username));
CREATE INDEX accounts_search_first_last ON accounts (company_id, lower(first_name || ' ' || last_name));
CREATE INDEX accounts_search_last_first ON accounts (company_id, lower(last_name || ' ' || first_name));

-- Numbers: the start of the E.164 form (what "+44 113 496", "0113 496" and
-- "44113496" become), and the last four digits, which find a number from
-- its end ("4960037", "0037") with one equality look-up.
CREATE INDEX dn_numbers_search_prefix ON dn_numbers (company_id, status, e164);
CREATE INDEX dn_numbers_search_tail ON dn_numbers (company_id, status, substr(e164, length(e164) - 3));
