-- A site's device-type options and masks feed the phones' files
-- (docs/devices.md), so changing them moves the company's provisioning
-- revision like any other input (docs/provisioning.md, "Caching and
-- staleness"; the triggers of migration 0057).
{{if postgres}}
CREATE TRIGGER device_masks_provisioning_revision AFTER INSERT OR UPDATE OR DELETE
    ON device_masks FOR EACH ROW EXECUTE FUNCTION provisioning_bump_row();
CREATE TRIGGER site_device_types_provisioning_revision AFTER INSERT OR UPDATE OR DELETE
    ON site_device_types FOR EACH ROW EXECUTE FUNCTION provisioning_bump_row();
{{end}}

{{if sqlite}}
CREATE TRIGGER device_masks_provisioning_revision_insert AFTER INSERT ON device_masks BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
CREATE TRIGGER device_masks_provisioning_revision_update AFTER UPDATE ON device_masks BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id IN (OLD.company_id, NEW.company_id);
END;
CREATE TRIGGER device_masks_provisioning_revision_delete AFTER DELETE ON device_masks BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = OLD.company_id;
END;
CREATE TRIGGER site_device_types_provisioning_revision_insert AFTER INSERT ON site_device_types BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
CREATE TRIGGER site_device_types_provisioning_revision_update AFTER UPDATE ON site_device_types BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id IN (OLD.company_id, NEW.company_id);
END;
CREATE TRIGGER site_device_types_provisioning_revision_delete AFTER DELETE ON site_device_types BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = OLD.company_id;
END;
{{end}}
