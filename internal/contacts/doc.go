// Package contacts owns every employee's personal contacts: the self-care
// portal's Contacts page (New Contact, New Group, Edit, Delete, Search for..),
// the two-phase CSV/vCard import, Export All, the downloadable templates,
// and the directory revision phones use to refetch their directory.
//
// # Ownership
//
// Contacts and groups belong to one employee (the owner, an account id) in
// one company. Every action takes the actor and the owner and first checks
// access.ManageContacts: only the owner may read or change their contacts;
// their admins, operators and everybody else get ErrNotFound, as for an
// employee that does not exist. Every query is scoped by the owner, so an
// id of somebody else's contact, group or import is ErrNotFound too.
//
// # Model
//
// The minimal fields are the portal's template: First Name, Last Name (at most
// 32 characters each; a longer name is refused, never cut), Home Tel, Work
// Tel, Cell Tel and Fax Tel. The full template adds Other Tel, Company, Job
// Title, E-mail, E-mail 2, Web Page, a home and a business address (street,
// city, region, postcode, country), Notes and Groups — what Outlook, Google
// and Windows Contacts all have in common and a desk phone's directory or a
// softphone can use. Contacts list as "Surname, First name" (just the one
// name there is otherwise), sorted by surname then first name, as the portal
// shows. A company contact has a company and no first or last name; it is
// listed and sorted by the company's name. An employee keeps at most 1000
// contacts.
//
// Numbers are stored as entered and, by the one number rule
// (numbering.Read), also in E.164 when they are a possible number of the
// provider's region; extensions and short codes have no E.164. Search ("Search for..") matches a substring
// of the names (either way round), company and e-mails, or a number in any
// format: the digits as entered, E.164 and national forms are all indexed,
// so 01132991002, +44 113 299 1002 and 441132991002 find the same contact.
//
// # Import
//
// PreviewImport reads the file and computes added / updated / deleted /
// ignored with a reason per ignored entry, storing nothing but the plan (a
// contact_imports row that expires after an hour). ConfirmImport applies
// exactly that plan in one transaction, with one audit event carrying the
// counts; CancelImport discards it. If the contacts changed in between
// (the directory revision moved), Confirm refuses rather than apply a plan
// the user did not see. Deleted is always 0: an import never deletes.
//
// A contact "exists" when its first and last names both match the entry's,
// ignoring case and surrounding spaces. Overwrite then updates the
// existing contact (the oldest, if there are several) with the fields the
// file has columns for, keeping the others; Duplicate adds another contact;
// Ignore skips the entry with the reason. A name repeated inside the file
// follows the same rule against the earlier row. Entries that would take the
// employee past 1000 contacts, entries with no name and entries with a name
// over 32 characters (or another invalid field) are ignored with their
// reasons. Completely blank rows are not entries. Numbers that have no
// field of their own (Outlook's Home Phone 2, a third e-mail) go to Other
// Tel or E-mail 2 when free, and otherwise into Notes as "Label: value", so
// nothing in the file is silently dropped.
//
// Files are recognised by content, never by name: vCard (2.1, 3.0, 4.0) or
// CSV. CSV headers are matched ignoring case, spaces and punctuation against
// a table of synonyms covering the minimal and full templates, Outlook's
// export, Windows Contacts' export and both Google Contacts layouts (the
// older "Given Name" / "Phone 1 - Type" and the newer "First Name" /
// "Phone 1 - Label"; a phone's label puts it in the right field). The
// delimiter (comma, semicolon or tab) is sniffed from the header line.
// Encodings: UTF-8 with or without BOM, UTF-16 LE/BE (Excel's "Unicode
// text"), and Windows-1252 — decided by evidence for a file that is not
// valid UTF-8 (docs/contacts.md). Columns with no field of their own go
// into Notes as "Header: value"; the preview lists them (Unmapped) and
// names entries it had to repair (Warnings). A file
// with no name column or no phone column is refused before import with the
// headers found, rather than importing names without numbers. Files over
// 10 MB or with more than 5000 entries are refused.
//
// # Export
//
//   - outlook: the header Outlook writes (92 columns, every field quoted),
//     comma, CRLF. Written in
//     Windows-1252 when every character fits (Outlook Express and all
//     Outlook versions read it), else UTF-8 with BOM (current Outlook reads
//     it, and non-Western names survive).
//   - windows: Windows Contacts' header names, same encoding rule. Windows
//     Contacts' CSV has no second e-mail or categories column; Other Tel is
//     written as Pager.
//   - native: the full template, UTF-8 with BOM and CRLF so Excel opens it.
//
// Text values starting with = + - @ are neutralised in every CSV export:
// a leading apostrophe in the native format, a leading space in the
// Outlook and Windows ones (docs/contacts.md); the import strips both.
//   - vcard / vcard3: vCard 4.0 (RFC 6350) or 3.0 (RFC 2426), UTF-8, CRLF,
//     folded at 75 octets, text escaped; groups are CATEGORIES.
//
// # Directory revision
//
// contact_directories keeps one revision per employee, incremented in the
// same transaction as every change to that employee's contacts or groups
// (create, edit, delete, group changes, a confirmed import: one increment).
// Revision reads it. Phone provisioning publishes the contacts as each
// vendor's directory file and compares the revision with the one a phone
// last fetched to know when the phone must refetch. The increment is the
// first statement of every mutation, so on PostgreSQL its row lock also
// serialises concurrent changes to one employee's contacts.
package contacts
