-- A site's Company Contacts and Group Contacts fill the directory of its
-- employees' phones (docs/features.md, "Company Contacts and Group
-- Contacts"), so a change of a site's feature document now moves the
-- company's provisioning revision too, as an employee's does since
-- migration 0081 (docs/provisioning.md, "Caching and staleness").
{{if postgres}}
CREATE TRIGGER feature_configs_site_provisioning_revision_write AFTER INSERT OR UPDATE
    ON feature_configs FOR EACH ROW WHEN (NEW.site_id IS NOT NULL) EXECUTE FUNCTION provisioning_bump_row();
CREATE TRIGGER feature_configs_site_provisioning_revision_delete AFTER DELETE
    ON feature_configs FOR EACH ROW WHEN (OLD.site_id IS NOT NULL) EXECUTE FUNCTION provisioning_bump_row();
{{end}}

{{if sqlite}}
CREATE TRIGGER feature_configs_site_provisioning_revision_insert AFTER INSERT ON feature_configs WHEN NEW.site_id IS NOT NULL BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
CREATE TRIGGER feature_configs_site_provisioning_revision_update AFTER UPDATE ON feature_configs WHEN NEW.site_id IS NOT NULL BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id IN (OLD.company_id, NEW.company_id);
END;
CREATE TRIGGER feature_configs_site_provisioning_revision_delete AFTER DELETE ON feature_configs WHEN OLD.site_id IS NOT NULL BEGIN
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = OLD.company_id;
END;
{{end}}
