-- The seeded VVX and Yealink types once had pages of line keys their
-- phones cannot address (docs/devices.md, "Device types (the catalog)"): a VVX numbers
-- only its own buttons, one page; a Yealink's page holds one key fewer
-- than its buttons, the last turning the page. Types that still hold the
-- old seeded layout take the new one; a type an operator changed keeps
-- the operator's figures. Plain SQL, the same on both engines.
WITH v(vendor, model, old_keys, old_pages, new_keys, new_pages) AS (VALUES
    ('polycom', 'vvx 301', 6, 3, 6, 1),
    ('polycom', 'vvx 411', 12, 3, 12, 1),
    ('polycom', 'vvx 601', 16, 3, 16, 1),
    ('polycom', 'vvx 450', 12, 3, 12, 1),
    ('polycom', 'vvx 250', 4, 3, 4, 1),
    ('yealink', 't42g', 6, 3, 5, 3),
    ('yealink', 't46g', 10, 3, 9, 3),
    ('yealink', 't48g', 11, 3, 10, 3)
)
UPDATE device_types SET
    line_keys_per_page = (SELECT v.new_keys FROM v WHERE v.vendor = lower(device_types.vendor)
        AND (v.model = lower(device_types.model) OR v.model || ' vdm' = lower(device_types.model))),
    pages = (SELECT v.new_pages FROM v WHERE v.vendor = lower(device_types.vendor)
        AND (v.model = lower(device_types.model) OR v.model || ' vdm' = lower(device_types.model)))
WHERE EXISTS (SELECT 1 FROM v WHERE v.vendor = lower(device_types.vendor)
    AND (v.model = lower(device_types.model) OR v.model || ' vdm' = lower(device_types.model))
    AND v.old_keys = device_types.line_keys_per_page AND v.old_pages = device_types.pages);
