-- Entries an import reads but has something to say about (text that had to
-- be repaired, a broken vCard recovered): the preview names each one
-- (docs/contacts.md, "Import").
ALTER TABLE contact_imports ADD COLUMN warnings_json TEXT NOT NULL DEFAULT '[]';
