-- SIP registrations (bindings of a line's address of record to contacts),
-- written by the registrar of any node (internal/sip) so every node sees
-- them. An ended binding stays (expires_at in the past) for a while so the
-- status can say since when a device is not registered; see docs/sip.md.
CREATE TABLE sip_bindings (
    id {{id}},
    line_id BIGINT NOT NULL REFERENCES lines(id) ON DELETE CASCADE,
    -- the line's device, copied so the status of a device is one lookup
    device_id BIGINT NOT NULL,
    aor TEXT NOT NULL,
    contact TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    user_agent TEXT NOT NULL DEFAULT '',
    transport TEXT NOT NULL,
    source_addr TEXT NOT NULL,
    source_port INTEGER NOT NULL,
    -- the node holding the TCP/TLS connection the phone registered over
    node_id TEXT NOT NULL DEFAULT '',
    -- RFC 3327 Path, as received (comma-separated route set)
    path TEXT NOT NULL DEFAULT '',
    call_id TEXT NOT NULL,
    cseq BIGINT NOT NULL,
    registered_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX sip_bindings_contact ON sip_bindings (line_id, contact);
CREATE INDEX sip_bindings_device ON sip_bindings (device_id, expires_at);
CREATE INDEX sip_bindings_expiry ON sip_bindings (expires_at);
