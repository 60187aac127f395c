// Package imports runs the Business Portal's Import Employees and Import
// Group: a file (custom template CSV, Outlook CSV or XML) is read and checked
// whole when it is uploaded, stored as the arguments of a durable job, and
// applied by a worker at the chosen time, with per-row results.
//
// # Decisions
//
//   - The whole file is read and every row checked before anything is
//     stored: a header problem (a missing required column, an unknown
//     column, a file that is not in the chosen encoding) refuses the upload
//     and names the columns found; row problems are listed in the upload's
//     preview and again, per row, in the job's results.
//   - The job checks the rows again when it runs, against the directory as
//     it is then (a scheduled job may run hours later). A run that is not in
//     test mode applies every valid row in one transaction for the whole
//     job, in chunks of 512 rows, each chunk in a savepoint. A chunk's new
//     employees are written together by directory.CreateEmployees (one
//     INSERT of many rows each for accounts, memberships and audit
//     entries, instead of five statements per row: docs/performance.md).
//     A row the directory refuses although the plan accepted it (a
//     username taken or a group deleted in the meantime) is reported and
//     the others still apply; a chunk the database refuses while writing
//     is rolled back to its savepoint and applied again row by row, so the
//     failing row is reported and the others still apply. With "all or nothing" a single
//     invalid row means no row is applied and the job ends in Error; a row
//     that fails while applying rolls the whole transaction back.
//   - The job's arguments keep the decoded file, parsed again when the job
//     runs, rather than its rows as JSON (a third of the size; the job's
//     row is written again with every progress save).
//   - Test mode applies nothing and reports, per row, would_add,
//     would_update, would_skip (exists / not found) or the error.
//   - Imported accounts get no password: argon2id hashing per row would
//     dominate a 10,000-row import (see docs/performance.md), and a password
//     nobody knows is no better than none. An account without a password
//     cannot log in until an administrator uses "Auto generate and email
//     password" or the employee uses Reset Password (the welcome e-mail,
//     sent when the import asks for it, says so). Activation is separate, as
//     the portal says.
//   - Generated usernames are firstname.lastname, lower-cased, accents
//     folded, letters only, made unique with a number suffix (2, 3, …)
//     against every existing account and the file itself. A row whose
//     username is generated cannot be recognised as an existing employee,
//     so Add New Users always adds it.
//   - Import Group: the custom template CSV names each group and its
//     parent path below the parent group the user chose; the Outlook CSV
//     makes one group per value of its "Categories" column (Outlook's own
//     grouping of contacts; several values separated by ';'), whose contact
//     is the first contact in that category; the XML schema is
//     <groups><group name="" parent=""><contact .../><address .../>
//     <group .../></group></groups>, nested groups going under their
//     enclosing group.
package imports
