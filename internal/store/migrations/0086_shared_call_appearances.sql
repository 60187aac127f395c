-- Shared call appearances (docs/devices.md, "Shared call appearances"): a
-- line of appearance 1..5 carries the employee's line on another device;
-- these are its two choices, which the call engine reads (service data).
-- Both are off by default; a primary line (appearance 0) never uses them.
-- An appearance index is the employee's once (two adds at the same moment
-- cannot both take the same one).
ALTER TABLE lines ADD COLUMN alert_all_appearances {{bool}} NOT NULL DEFAULT {{false}};
ALTER TABLE lines ADD COLUMN allow_call_move {{bool}} NOT NULL DEFAULT {{false}};
CREATE UNIQUE INDEX lines_account_appearance ON lines (account_id, appearance) WHERE appearance > 0;
