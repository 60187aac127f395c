-- The control panel's customer contacts (a company's logins with the
-- provider's notes) were audited under the object kind "contact", the kind
-- of an employee's personal contacts, which only their owner may read
-- (docs/security.md, "Personal data"). They get a kind of their own so the
-- owner-only rule can key on the kind alone. Their entries are told apart
-- by the field only they record.
UPDATE audit_events
   SET object_kind = 'customer_contact',
       event = CASE event WHEN 'Create Contact' THEN 'Create Customer Contact'
                          WHEN 'Modify Contact' THEN 'Modify Customer Contact'
                          ELSE event END
 WHERE object_kind = 'contact' AND after_json LIKE '%"private_notes_set":%';
