-- An employee's name is on their phone (the line's label) and on the keys
-- of colleagues who monitor them, so renaming them moves the company's
-- provisioning revision (migration 0057). That trigger fired whenever an
-- update named the columns, and modifying an employee rewrites every
-- field, so a new contact phone or address also re-rendered every phone of
-- the company. It now fires when a name actually changes
-- (docs/provisioning.md, "Caching and staleness").
{{if postgres}}
DROP TRIGGER accounts_provisioning_revision ON accounts;
CREATE TRIGGER accounts_provisioning_revision AFTER UPDATE OF first_name, last_name ON accounts FOR EACH ROW
    WHEN (OLD.first_name IS DISTINCT FROM NEW.first_name OR OLD.last_name IS DISTINCT FROM NEW.last_name)
    EXECUTE FUNCTION provisioning_bump_row();
{{end}}

{{if sqlite}}
DROP TRIGGER accounts_provisioning_revision;
CREATE TRIGGER accounts_provisioning_revision AFTER UPDATE OF first_name, last_name ON accounts
WHEN NEW.company_id IS NOT NULL AND (OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name) BEGIN
    INSERT INTO provisioning_revisions (company_id, revision) SELECT NEW.company_id, 0 WHERE NOT EXISTS (SELECT 1 FROM provisioning_revisions WHERE company_id = NEW.company_id);
    UPDATE provisioning_revisions SET revision = revision + 1 WHERE company_id = NEW.company_id;
END;
{{end}}
