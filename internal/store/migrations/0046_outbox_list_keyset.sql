-- The provider's outbox pages by keyset, newest first on the id
-- (docs/performance.md): one index per provider that ends in the id.
CREATE INDEX mail_outbox_provider ON mail_outbox (provider_id, id);
