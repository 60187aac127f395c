-- The device catalog (docs/devices.md, "Device types"): what each model can
-- do. options lists the customisation options that apply to the type
-- (comma-separated: acd, blf, codec, dc, mcn, transfer_type, power_save,
-- video_codec); ring_tones the model's ring tones (comma-separated); ports
-- how many lines (SIP registrations) a device of the type carries.
ALTER TABLE device_types ADD COLUMN vdm {{bool}} NOT NULL DEFAULT {{false}};
ALTER TABLE device_types ADD COLUMN line_keys_per_page INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device_types ADD COLUMN pages INTEGER NOT NULL DEFAULT 1;
ALTER TABLE device_types ADD COLUMN soft_keys INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device_types ADD COLUMN sidecar_model TEXT NOT NULL DEFAULT '';
ALTER TABLE device_types ADD COLUMN sidecar_max INTEGER NOT NULL DEFAULT 0;
ALTER TABLE device_types ADD COLUMN options TEXT NOT NULL DEFAULT 'acd,blf,codec,dc,mcn';
ALTER TABLE device_types ADD COLUMN ring_tones TEXT NOT NULL DEFAULT '';
ALTER TABLE device_types ADD COLUMN ports INTEGER NOT NULL DEFAULT 1;
ALTER TABLE device_types ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
UPDATE device_types SET options = '', updated_at = created_at WHERE soft_client = {{true}};
UPDATE device_types SET updated_at = created_at WHERE updated_at = 0;

-- A device's name is the guide's "Device ID": unique within the company
-- (case-insensitive). A device added without one is named by its MAC, as
-- the guide's spare devices are; a row written without a name ('', by
-- code that predates it) is shown by its MAC too, and is left out of the
-- uniqueness.
ALTER TABLE devices ADD COLUMN name TEXT NOT NULL DEFAULT '';
UPDATE devices SET name = mac;
CREATE UNIQUE INDEX devices_name ON devices (company_id, lower(name)) WHERE name <> '';
