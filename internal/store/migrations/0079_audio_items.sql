-- audio_items are the greetings, announcements and music on hold uploaded
-- for a site's or an employee's features (docs/audio.md): the telephony
-- forms only (8 kHz and 16 kHz 16-bit mono WAV); the upload itself is not
-- kept.
CREATE TABLE audio_items (
    id {{id}},
    company_id BIGINT NOT NULL REFERENCES companies(id),
    owner_kind TEXT NOT NULL,
    owner_id BIGINT NOT NULL,
    name TEXT NOT NULL,
    source_format TEXT NOT NULL,
    duration_ms BIGINT NOT NULL,
{{if postgres}}
    narrowband BYTEA NOT NULL,
    wideband BYTEA NOT NULL,
{{end}}
{{if sqlite}}
    narrowband BLOB NOT NULL,
    wideband BLOB NOT NULL,
{{end}}
    created_at BIGINT NOT NULL,
    created_by BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX audio_items_owner ON audio_items (company_id, owner_kind, owner_id, id);
