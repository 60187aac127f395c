-- The Visual Device Manager (docs/devices.md, "The Visual Device Manager").
--
-- device_types.sidecar_keys: how many keys one sidecar of the type's model
-- carries (all its pages). The catalog's figures are the vendors' (the
-- docs give them); a type without a sidecar model has 0.
ALTER TABLE device_types ADD COLUMN sidecar_keys INTEGER NOT NULL DEFAULT 0;
UPDATE device_types SET sidecar_keys = 84 WHERE sidecar_model = 'VVX Color Expansion Module';
UPDATE device_types SET sidecar_keys = 40 WHERE sidecar_model = 'EXP40';
UPDATE device_types SET sidecar_keys = 60 WHERE sidecar_model IN ('EXP43', 'EXP50');
UPDATE device_types SET sidecar_keys = 40 WHERE sidecar_max > 0 AND sidecar_keys = 0;

-- devices.vdm_config: what the Visual Device Manager stores for the device, one
-- JSON document (sidecars, BLF start, the keys set explicitly, the ringer);
-- '' is nothing set (every key at its default). It lives on the device row
-- so that a change moves the device's updated_at and the company's
-- provisioning revision like any other change of the device.
ALTER TABLE devices ADD COLUMN vdm_config TEXT NOT NULL DEFAULT '';
