-- Group Selection, the site list, a site's devices and number pool and the
-- personal contacts page by keyset (docs/performance.md): each order has an
-- index on (owner, sort keys…, id), so a page is a range scan of at most a
-- page of entries, whatever the size of the list.
--
-- Groups are listed in the order of their name path ("Leeds/Sales/East"),
-- which the id path cannot give; sort_path keeps it, lower-cased by the
-- database as the other list keys are, kept by directory when a group is
-- created or moved (names never change).
ALTER TABLE org_groups ADD COLUMN sort_path TEXT NOT NULL DEFAULT '';
CREATE TABLE group_sort_backfill AS
WITH RECURSIVE t(id, np) AS (
    SELECT id, lower(name) FROM org_groups WHERE parent_id IS NULL
    UNION ALL
    SELECT g.id, t.np || '/' || lower(g.name) FROM org_groups g JOIN t ON g.parent_id = t.id
)
SELECT id, np FROM t;
CREATE UNIQUE INDEX group_sort_backfill_id ON group_sort_backfill (id);
UPDATE org_groups SET sort_path = COALESCE((SELECT b.np FROM group_sort_backfill b WHERE b.id = org_groups.id), '');
DROP TABLE group_sort_backfill;
CREATE INDEX groups_list ON org_groups (company_id, sort_path, id);
CREATE INDEX groups_list_sites ON org_groups (company_id, is_site, sort_path, id);
DROP INDEX groups_parent;
CREATE INDEX groups_parent ON org_groups (parent_id, sort_path, id);

-- Devices by MAC (unique, the id only completes the key).
DROP INDEX devices_site;
CREATE INDEX devices_site ON devices (company_id, site_id, mac, id);

-- The number pool by number, all of it or one status.
CREATE INDEX dn_numbers_site_list ON dn_numbers (company_id, site_id, e164, id);
DROP INDEX dn_numbers_site;
CREATE INDEX dn_numbers_site ON dn_numbers (company_id, site_id, status, e164, id);

-- Personal contacts by the name shown (the company for a contact without
-- one), then first name.
DROP INDEX contacts_owner_name;
CREATE INDEX contacts_owner_name ON contacts (account_id,
    lower(CASE WHEN last_name = '' AND first_name = '' THEN company ELSE last_name END), lower(first_name), id);
