-- One row per site that has had a reboot launched (internal/sip,
-- reboot.go): a launch updates its site's row first, so on PostgreSQL two
-- launches at the same site at the same moment take turns, and the second
-- sees the first's job when it checks what is already running (SQLite's
-- single writer serialises them anyway). Without it both could pass the
-- check and reboot the same devices twice.
CREATE TABLE sip_reboot_locks (
    site_id BIGINT PRIMARY KEY,
    locked_at BIGINT NOT NULL DEFAULT 0
);
