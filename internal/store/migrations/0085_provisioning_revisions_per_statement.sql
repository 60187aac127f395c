-- The provisioning-revision triggers of migrations 0057 and 0078 fired once
-- per row on PostgreSQL: a statement writing a million devices ran a
-- million upserts of the same provisioning_revisions row, each waiting on
-- the row lock the one before took, and did not finish in reasonable time.
-- On PostgreSQL they become statement-level triggers over the statement's
-- transition tables: one upsert per company the statement touched. The
-- revision moves in the same transaction as before, for the same changes
-- (a device's last-seen time alone still does not move it); it moves once
-- per statement rather than once per row, which is all a reader of it needs
-- (docs/provisioning.md, "Caching and staleness"). PostgreSQL allows
-- transition tables only on a trigger of one event, hence a trigger per
-- event. SQLite has no statement-level triggers and keeps its per-row ones
-- (its inserts are not contended: one writer).
{{if postgres}}
-- provisioning_bump_new / _old / _both bump every company of the rows the
-- statement inserted, deleted or updated (before and after: a row moved to
-- another company changes both).
CREATE FUNCTION provisioning_bump_new() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO provisioning_revisions (company_id, revision)
        SELECT DISTINCT company_id, 1 FROM provisioning_new WHERE company_id IS NOT NULL
        ON CONFLICT (company_id) DO UPDATE SET revision = provisioning_revisions.revision + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION provisioning_bump_old() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO provisioning_revisions (company_id, revision)
        SELECT DISTINCT company_id, 1 FROM provisioning_old WHERE company_id IS NOT NULL
        ON CONFLICT (company_id) DO UPDATE SET revision = provisioning_revisions.revision + 1;
    RETURN NULL;
END $$;

CREATE FUNCTION provisioning_bump_both() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO provisioning_revisions (company_id, revision)
        SELECT company_id, 1 FROM (SELECT company_id FROM provisioning_old UNION SELECT company_id FROM provisioning_new) c
        WHERE company_id IS NOT NULL
        ON CONFLICT (company_id) DO UPDATE SET revision = provisioning_revisions.revision + 1;
    RETURN NULL;
END $$;

-- A device's update moves the revision unless only its last-seen time
-- changed (written while phones fetch): the WHEN of the per-row trigger,
-- as a join of the rows before and after.
CREATE FUNCTION provisioning_bump_devices_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO provisioning_revisions (company_id, revision)
        SELECT company_id, 1 FROM (
            SELECT o.company_id FROM provisioning_old o JOIN provisioning_new n ON n.id = o.id
                WHERE o.last_provisioned_at IS NOT DISTINCT FROM n.last_provisioned_at
            UNION
            SELECT n.company_id FROM provisioning_old o JOIN provisioning_new n ON n.id = o.id
                WHERE o.last_provisioned_at IS NOT DISTINCT FROM n.last_provisioned_at) c
        WHERE company_id IS NOT NULL
        ON CONFLICT (company_id) DO UPDATE SET revision = provisioning_revisions.revision + 1;
    RETURN NULL;
END $$;

DROP TRIGGER devices_provisioning_revision_write ON devices;
DROP TRIGGER devices_provisioning_revision ON devices;
CREATE TRIGGER devices_provisioning_revision_insert AFTER INSERT ON devices
    REFERENCING NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_new();
CREATE TRIGGER devices_provisioning_revision_update AFTER UPDATE ON devices
    REFERENCING OLD TABLE AS provisioning_old NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_devices_update();
CREATE TRIGGER devices_provisioning_revision_delete AFTER DELETE ON devices
    REFERENCING OLD TABLE AS provisioning_old
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_old();

DROP TRIGGER device_provisioning_revision ON device_provisioning;
CREATE TRIGGER device_provisioning_revision_insert AFTER INSERT ON device_provisioning
    REFERENCING NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_new();
CREATE TRIGGER device_provisioning_revision_update AFTER UPDATE ON device_provisioning
    REFERENCING OLD TABLE AS provisioning_old NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_both();
CREATE TRIGGER device_provisioning_revision_delete AFTER DELETE ON device_provisioning
    REFERENCING OLD TABLE AS provisioning_old
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_old();

DROP TRIGGER lines_provisioning_revision ON lines;
CREATE TRIGGER lines_provisioning_revision_insert AFTER INSERT ON lines
    REFERENCING NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_new();
CREATE TRIGGER lines_provisioning_revision_update AFTER UPDATE ON lines
    REFERENCING OLD TABLE AS provisioning_old NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_both();
CREATE TRIGGER lines_provisioning_revision_delete AFTER DELETE ON lines
    REFERENCING OLD TABLE AS provisioning_old
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_old();

DROP TRIGGER device_masks_provisioning_revision ON device_masks;
CREATE TRIGGER device_masks_provisioning_revision_insert AFTER INSERT ON device_masks
    REFERENCING NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_new();
CREATE TRIGGER device_masks_provisioning_revision_update AFTER UPDATE ON device_masks
    REFERENCING OLD TABLE AS provisioning_old NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_both();
CREATE TRIGGER device_masks_provisioning_revision_delete AFTER DELETE ON device_masks
    REFERENCING OLD TABLE AS provisioning_old
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_old();

DROP TRIGGER site_device_types_provisioning_revision ON site_device_types;
CREATE TRIGGER site_device_types_provisioning_revision_insert AFTER INSERT ON site_device_types
    REFERENCING NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_new();
CREATE TRIGGER site_device_types_provisioning_revision_update AFTER UPDATE ON site_device_types
    REFERENCING OLD TABLE AS provisioning_old NEW TABLE AS provisioning_new
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_both();
CREATE TRIGGER site_device_types_provisioning_revision_delete AFTER DELETE ON site_device_types
    REFERENCING OLD TABLE AS provisioning_old
    FOR EACH STATEMENT EXECUTE FUNCTION provisioning_bump_old();
{{end}}
