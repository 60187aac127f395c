-- Refused extensions belong to a provider (docs/numbering.md): the codes come
-- from the public network the provider connects to, so one provider's
-- operator must not change what another provider's companies may use. The
-- deployment-wide list becomes the template each new provider starts from.
ALTER TABLE refused_extensions RENAME TO refused_extension_defaults;
CREATE TABLE refused_extensions (
    provider_id BIGINT NOT NULL REFERENCES providers(id),
    code TEXT NOT NULL,
    match_kind TEXT NOT NULL DEFAULT 'exact',
    total_length INTEGER NOT NULL DEFAULT 0,
    reason TEXT NOT NULL,
    created_at BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (provider_id, code)
);
INSERT INTO refused_extensions (provider_id, code, match_kind, total_length, reason, created_at)
    SELECT p.id, d.code, d.match_kind, d.total_length, d.reason, d.created_at
    FROM providers p CROSS JOIN refused_extension_defaults d;
