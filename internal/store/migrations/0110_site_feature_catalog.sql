-- The site features of the Contacts, Management and Portals & Bridges
-- categories (docs/features.md) join every catalog seeded before them, so a
-- provider can sell them. They are added to no package: what a package holds
-- is the provider's decision (a new install's default packages hold them).
-- A provider that already has a feature of the same code or name keeps its
-- own.
WITH v(code, name, category, description) AS (VALUES
    ('company_contacts', 'Company Contacts', 'Contacts', 'Shared contacts of the whole company in the directory of the site''s phones.'),
    ('group_contacts', 'Group Contacts', 'Contacts', 'The site''s own shared contacts in its phones'' directory.'),
    ('site_phone_services', 'Site Phone Services', 'Contacts', 'XML services offered on every phone of the site.'),
    ('call_capacity', 'Call Capacity', 'Management', 'The most calls the site may have at once, in and out.'),
    ('calling_plans', 'Calling Plans', 'Management', 'Which calls the site''s phones may make and receive, with authorisation codes.'),
    ('group_calling_line_id', 'Group Calling Line ID', 'Management', 'The site''s number and name shown to the people its employees call.'),
    ('call_director_portal', 'Call Director Portal', 'Portals & Bridges', 'A number employees call from any phone to dial out as their business line.'),
    ('my_room', 'My Room Audio Conferencing', 'Portals & Bridges', 'The site''s audio conferencing bridge with PINs and a moderator.'),
    ('voice_portal', 'Voice Portal', 'Portals & Bridges', 'A number to reach voicemail and change settings by phone.')
)
INSERT INTO catalog_features (provider_id, code, name, category, description, created_at, updated_at)
SELECT p.provider_id, v.code, v.name, v.category, v.description, p.ts, p.ts
FROM v, (SELECT provider_id, MAX(created_at) AS ts FROM catalog_features GROUP BY provider_id) p
WHERE NOT EXISTS (SELECT 1 FROM catalog_features f WHERE f.provider_id = p.provider_id AND (f.code = v.code OR lower(f.name) = lower(v.name)));
