-- An employee's Busy Lamp Field list fills their phone's spare keys (docs/devices.md,
-- "The Visual Device Manager", Resolution), so a change of an employee's feature
-- document moves the company's provisioning revision like the other inputs of a
-- phone's configuration (docs/provisioning.md, "Caching and staleness"; migration 0057).
-- Sites' documents do not feed the keys.
{{if postgres}}
CREATE TRIGGER feature_configs_provisioning_revision_write AFTER INSERT OR UPDATE
    ON feature_configs FOR EACH ROW WHEN (NEW.account_id IS NOT NULL) EXECUTE FUNCTION provisioning_bump_row();
CREATE TRIGGER feature_configs_provisioning_revision_delete AFTER DELETE
    ON feature_configs FOR EACH ROW WHEN (OLD.account_id IS NOT NULL) EXECUTE FUNCTION provisioning_bump_row();
{{end}}

{{if sqlite}}
CREATE TRIGGER feature_configs_provisioning_revision_insert AFTER INSERT ON feature_configs WHEN NEW.account_id IS NOT NULL BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
CREATE TRIGGER feature_configs_provisioning_revision_update AFTER UPDATE ON feature_configs WHEN NEW.account_id IS NOT NULL BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id IN (OLD.company_id, NEW.company_id);
END;
CREATE TRIGGER feature_configs_provisioning_revision_delete AFTER DELETE ON feature_configs WHEN OLD.account_id IS NOT NULL BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = OLD.company_id;
END;
{{end}}
