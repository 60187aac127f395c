-- Provisioning revisions (docs/provisioning.md, "Caching and staleness"):
-- one counter per company, moved by triggers in the same transaction as
-- every change a phone's configuration is made of (its device, the type,
-- its provisioning secret, its lines, its user's name, the user's contact
-- directory). A node serving phones keeps devices and rendered files in
-- memory and reads this one row, at most every half second per company, to
-- learn that they changed. A table added later that feeds the
-- configuration adds the same triggers (provisioning_bump on PostgreSQL,
-- the two statements of the SQLite triggers below; no INSERT OR IGNORE there: an
-- upsert that fires the trigger would impose its own conflict policy on it).
CREATE TABLE provisioning_revisions (
    company_id BIGINT NOT NULL PRIMARY KEY REFERENCES companies(id) ON DELETE CASCADE,
    revision BIGINT NOT NULL DEFAULT 0
);
INSERT INTO provisioning_revisions (company_id, revision) SELECT id, 1 FROM companies;

{{if postgres}}
CREATE FUNCTION provisioning_bump(company BIGINT) RETURNS void LANGUAGE sql AS $$
    INSERT INTO provisioning_revisions (company_id, revision) VALUES (company, 1)
    ON CONFLICT (company_id) DO UPDATE SET revision = provisioning_revisions.revision + 1
$$;

CREATE FUNCTION provisioning_bump_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.company_id IS NOT NULL THEN
        PERFORM provisioning_bump(OLD.company_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.company_id IS NOT NULL
        AND (TG_OP = 'INSERT' OR OLD.company_id IS DISTINCT FROM NEW.company_id) THEN
        PERFORM provisioning_bump(NEW.company_id);
    END IF;
    RETURN NULL;
END $$;

-- Any change of a device moves the revision (columns added later
-- included) except the last-seen time written while phones fetch.
CREATE TRIGGER devices_provisioning_revision_write AFTER INSERT OR DELETE
    ON devices FOR EACH ROW EXECUTE FUNCTION provisioning_bump_row();
CREATE TRIGGER devices_provisioning_revision AFTER UPDATE ON devices FOR EACH ROW
    WHEN (OLD.last_provisioned_at IS NOT DISTINCT FROM NEW.last_provisioned_at)
    EXECUTE FUNCTION provisioning_bump_row();
CREATE TRIGGER device_provisioning_revision AFTER INSERT OR UPDATE OR DELETE
    ON device_provisioning FOR EACH ROW EXECUTE FUNCTION provisioning_bump_row();
CREATE TRIGGER lines_provisioning_revision AFTER INSERT OR UPDATE OR DELETE
    ON lines FOR EACH ROW EXECUTE FUNCTION provisioning_bump_row();
CREATE TRIGGER accounts_provisioning_revision AFTER UPDATE OF first_name, last_name
    ON accounts FOR EACH ROW EXECUTE FUNCTION provisioning_bump_row();

CREATE FUNCTION provisioning_bump_directory() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM provisioning_bump(a.company_id) FROM accounts a WHERE a.id = NEW.account_id AND a.company_id IS NOT NULL;
    RETURN NULL;
END $$;
CREATE TRIGGER contact_directories_provisioning_revision AFTER INSERT OR UPDATE
    ON contact_directories FOR EACH ROW EXECUTE FUNCTION provisioning_bump_directory();

CREATE FUNCTION provisioning_bump_type() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM provisioning_bump(c.company_id) FROM (SELECT DISTINCT company_id FROM devices WHERE type_id = NEW.id) c;
    RETURN NULL;
END $$;
CREATE TRIGGER device_types_provisioning_revision AFTER UPDATE
    ON device_types FOR EACH ROW EXECUTE FUNCTION provisioning_bump_type();
{{end}}

{{if sqlite}}
CREATE TRIGGER devices_provisioning_revision_insert AFTER INSERT ON devices BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
CREATE TRIGGER devices_provisioning_revision_update AFTER UPDATE ON devices
WHEN OLD.last_provisioned_at IS NEW.last_provisioned_at BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id IN (OLD.company_id, NEW.company_id);
END;
CREATE TRIGGER devices_provisioning_revision_delete AFTER DELETE ON devices BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = OLD.company_id;
END;

CREATE TRIGGER device_provisioning_revision_insert AFTER INSERT ON device_provisioning BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
CREATE TRIGGER device_provisioning_revision_update AFTER UPDATE ON device_provisioning BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id IN (OLD.company_id, NEW.company_id);
END;
CREATE TRIGGER device_provisioning_revision_delete AFTER DELETE ON device_provisioning BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = OLD.company_id;
END;

CREATE TRIGGER lines_provisioning_revision_insert AFTER INSERT ON lines BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
CREATE TRIGGER lines_provisioning_revision_update AFTER UPDATE ON lines BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id IN (OLD.company_id, NEW.company_id);
END;
CREATE TRIGGER lines_provisioning_revision_delete AFTER DELETE ON lines BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = OLD.company_id;
END;

CREATE TRIGGER accounts_provisioning_revision AFTER UPDATE OF first_name, last_name ON accounts
WHEN NEW.company_id IS NOT NULL BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;

CREATE TRIGGER contact_directories_provisioning_revision_insert AFTER INSERT ON contact_directories BEGIN
    INSERT INTO provisioning_revisions (company_id, revision)
        SELECT a.company_id, 0 FROM accounts a WHERE a.id = NEW.account_id AND a.company_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM provisioning_revisions r WHERE r.company_id = a.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1
        WHERE company_id = (SELECT company_id FROM accounts WHERE id = NEW.account_id);
END;
CREATE TRIGGER contact_directories_provisioning_revision_update AFTER UPDATE ON contact_directories BEGIN
    INSERT INTO provisioning_revisions (company_id, revision)
        SELECT a.company_id, 0 FROM accounts a WHERE a.id = NEW.account_id AND a.company_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM provisioning_revisions r WHERE r.company_id = a.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1
        WHERE company_id = (SELECT company_id FROM accounts WHERE id = NEW.account_id);
END;

CREATE TRIGGER device_types_provisioning_revision AFTER UPDATE ON device_types BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1
        WHERE company_id IN (SELECT company_id FROM devices WHERE type_id = NEW.id);
END;
{{end}}
