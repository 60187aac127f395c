-- Reboots of devices over SIP (internal/sip, reboot.go; docs/sip.md,
-- "Reboot"): one row per reboot job, one per device in it, with the
-- guide's status of each device. The job itself is a row of jobs.
CREATE TABLE sip_reboots (
    job_id BIGINT PRIMARY KEY REFERENCES jobs(id) ON DELETE CASCADE,
    company_id BIGINT NOT NULL REFERENCES companies(id),
    site_id BIGINT NOT NULL,
    -- the device type of a bulk reboot; 0 for a single device
    type_id BIGINT NOT NULL DEFAULT 0,
    -- the device of a single reboot; 0 for a bulk one
    device_id BIGINT NOT NULL DEFAULT 0,
    launched_at BIGINT NOT NULL,
    -- set by Clear Job: the reboot button is offered again
    cleared_at BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX sip_reboots_site ON sip_reboots (site_id, cleared_at);

CREATE TABLE sip_reboot_items (
    job_id BIGINT NOT NULL REFERENCES sip_reboots(job_id) ON DELETE CASCADE,
    -- no reference: the list is the devices at the time of the reboot
    device_id BIGINT NOT NULL,
    device_name TEXT NOT NULL,
    -- not_started, pending, success, error
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    -- which node sends the NOTIFY: '' not yet decided, '*' any node (UDP,
    -- or through an edge proxy), else the node holding the TCP/TLS flow
    node_id TEXT NOT NULL DEFAULT '',
    -- the binding the NOTIFY goes to (its line and contact)
    line_id BIGINT NOT NULL DEFAULT 0,
    contact TEXT NOT NULL DEFAULT '',
    queued_at BIGINT NOT NULL DEFAULT 0,
    notified_at BIGINT NOT NULL DEFAULT 0,
    -- when the phone accepted the NOTIFY (2xx): only then may it succeed
    accepted_at BIGINT NOT NULL DEFAULT 0,
    finished_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (job_id, device_id)
);
CREATE INDEX sip_reboot_items_todo ON sip_reboot_items (status, node_id);

-- When a device was last seen outside SIP: a provisioning server calls
-- devices.Service.MarkSeen when the device fetches its configuration.
CREATE TABLE device_seen (
    device_id BIGINT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
