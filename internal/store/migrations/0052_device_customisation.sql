-- Device customisation (docs/devices.md, "Customisation"). settings columns
-- hold the options set at that level as JSON (an option absent is
-- inherited from the level below): product defaults ← site type ← mask ←
-- device.
ALTER TABLE devices ADD COLUMN settings TEXT NOT NULL DEFAULT '';

-- Masks: a named set of options a site's administrators apply to several
-- of the site's device types at once.
CREATE TABLE device_masks (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT NOT NULL REFERENCES org_groups(id),
    name TEXT NOT NULL,
    settings TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX device_masks_name ON device_masks (site_id, lower(name));

-- A device type's customisation at a site, the mask it carries, and
-- whether employees may open the Visual Device Manager of their phone.
CREATE TABLE site_device_types (
    site_id BIGINT NOT NULL REFERENCES org_groups(id),
    type_id BIGINT NOT NULL REFERENCES device_types(id),
    company_id BIGINT NOT NULL REFERENCES companies(id),
    settings TEXT NOT NULL DEFAULT '',
    mask_id BIGINT REFERENCES device_masks(id),
    vdm_for_employees {{bool}} NOT NULL DEFAULT {{true}},
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (site_id, type_id)
);
CREATE INDEX site_device_types_mask ON site_device_types (mask_id);
