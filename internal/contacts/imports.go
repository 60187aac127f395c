package contacts

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Action is what an import does with an entry whose contact already exists
// (the portal's "Action when contact exists").
type Action string

// The three actions of the import dialog.
const (
	// ActionOverwrite updates the existing contact with the fields the file
	// provides ("Overwrite the contact").
	ActionOverwrite Action = "overwrite"
	// ActionDuplicate adds another contact with the same name ("Duplicate
	// the contact").
	ActionDuplicate Action = "duplicate"
	// ActionIgnore skips the entry and says why ("Ignore imported entry").
	ActionIgnore Action = "ignore"
)

// Valid reports whether a is one of the three actions.
func (a Action) Valid() bool {
	return a == ActionOverwrite || a == ActionDuplicate || a == ActionIgnore
}

// ImportTTL is how long a preview waits for Confirm.
const ImportTTL = time.Hour

// maxPendingImports bounds the previews one employee keeps at a time; a
// new preview beyond it discards the oldest.
const maxPendingImports = 5

// Detail is one line of the import dialog's Details: an ignored entry and
// the reason.
type Detail struct {
	// Entry names the entry as the user sees it: "Row 5" (a spreadsheet row,
	// the header being row 1) or "Card 3" (a vCard's position).
	Entry  string `json:"entry"`
	Row    int    `json:"row"`
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// String is the detail as one line: `Row 5 (Smith, Jane): reason`.
func (d Detail) String() string {
	if d.Name == "" {
		return d.Entry + ": " + d.Reason
	}
	return d.Entry + " (" + d.Name + "): " + d.Reason
}

// ImportPreview is the import dialog after "Import": the counts it would
// apply and the reasons for every ignored entry. Nothing is stored in the
// contacts until ConfirmImport.
type ImportPreview struct {
	ID     int64  `json:"id"`
	Action Action `json:"action"`
	// Source names what the file looked like: minimal, full, outlook,
	// google, windows, csv (other CSV) or vcard.
	Source   string `json:"source"`
	Encoding string `json:"encoding"`
	Added    int    `json:"added"`
	Updated  int    `json:"updated"`
	// Deleted is always 0: an import never deletes contacts. It is kept
	// because the dialog shows it.
	Deleted int `json:"deleted"`
	Ignored int `json:"ignored"`
	// Existing is how many contacts the employee had at preview time.
	Existing int `json:"existing"`
	// Note is the portal's line under the counts.
	Note    string   `json:"note"`
	Details []Detail `json:"details"`
	// Warnings name the entries that are read but had to be repaired or
	// guessed at (text that was not valid UTF-8, a broken vCard), whatever
	// happens to them.
	Warnings []Detail `json:"warnings"`
	Columns  []Column `json:"columns"`
	// Unmapped are the CSV headers with no field of their own: their values
	// go into Notes as "Header: value".
	Unmapped []string  `json:"unmapped"`
	Expires  time.Time `json:"expires_at"`
}

// unmapped lists the columns that go into Notes.
func unmapped(cols []Column) []string {
	out := []string{}
	for _, c := range cols {
		if c.Field == labelledField {
			out = append(out, c.Header)
		}
	}
	return out
}

// ImportResult is what ConfirmImport applied.
type ImportResult struct {
	ID      int64 `json:"id"`
	Added   int   `json:"added"`
	Updated int   `json:"updated"`
	Deleted int   `json:"deleted"`
	Ignored int   `json:"ignored"`
	// Total is the employee's contacts after the import.
	Total int `json:"total"`
	// Note is the portal's "You currently have N contacts."
	Note     string `json:"note"`
	Revision int64  `json:"revision"`
}

// op is one change a confirmed import makes.
type op struct {
	// Target is the existing contact an update changes; 0 adds a contact.
	Target int64 `json:"target,omitempty"`
	entry
}

// plan decides every entry's fate against the owner's existing contacts,
// in file order, with the portal's rules:
//   - an entry with no name, a name over 32 characters or another invalid
//     field is ignored with the reason;
//   - when a contact with the same first and last name exists (ignoring
//     case) — or an earlier entry of the file has that name — the action
//     decides: Overwrite updates it, Duplicate adds another, Ignore skips;
//   - adding stops at MaxContacts: later additions are ignored with the
//     portal's note. Updates still apply, since they add nothing.
//
// Every entry is counted once: added, updated or ignored.
func plan(existing []Contact, entries []entry, action Action, unit string) (ops []op, details, warnings []Detail, added, updated, ignored int) {
	type ref struct {
		op  int // index in ops, or -1
		id  int64
		row int
	}
	index := make(map[string]ref, len(existing)+len(entries))
	for _, c := range existing {
		k := nameKey(c.Fields)
		if _, ok := index[k]; !ok {
			index[k] = ref{op: -1, id: c.ID}
		}
	}
	count := len(existing)
	ignore := func(e entry, reason string) {
		ignored++
		details = append(details, Detail{Entry: fmt.Sprintf("%s %d", unit, e.Row), Row: e.Row,
			Name: shorten(e.Fields.DisplayName(), 70), Reason: reason})
	}
	for _, e := range entries {
		if len(e.warnings) > 0 {
			warnings = append(warnings, Detail{Entry: fmt.Sprintf("%s %d", unit, e.Row), Row: e.Row,
				Name: shorten(e.Fields.DisplayName(), 70), Reason: strings.Join(e.warnings, "; ")})
		}
		if e.problem != "" {
			ignore(e, e.problem)
			continue
		}
		k := nameKey(e.Fields)
		r, exists := index[k]
		if exists && action != ActionDuplicate {
			if action == ActionIgnore {
				if r.op >= 0 || r.id == 0 {
					ignore(e, fmt.Sprintf("the contact %q is already in this file (%s %d)", e.Fields.DisplayName(), strings.ToLower(unit), r.row))
				} else {
					ignore(e, fmt.Sprintf("a contact named %q already exists", e.Fields.DisplayName()))
				}
				continue
			}
			updated++
			if r.op >= 0 {
				merge(&ops[r.op].entry, e)
				continue
			}
			ops = append(ops, op{Target: r.id, entry: e})
			index[k] = ref{op: len(ops) - 1, id: r.id, row: e.Row}
			continue
		}
		if count >= MaxContacts {
			ignore(e, fmt.Sprintf("the limit of %d is reached: an employee keeps at most %d contacts; delete some and import this entry again", MaxContacts, MaxContacts))
			continue
		}
		count++
		added++
		ops = append(ops, op{entry: e})
		if !exists {
			index[k] = ref{op: len(ops) - 1, row: e.Row}
		}
	}
	return ops, details, warnings, added, updated, ignored
}

// merge folds a later entry for the same contact into an earlier one: the
// later entry's fields win where it has them.
func merge(dst *entry, src entry) {
	dst.Fields.overlay(src.Fields, src.Mask)
	dst.Mask |= src.Mask
	if src.HasGroups {
		dst.Groups, dst.HasGroups = src.Groups, true
	}
}

// parseFile reads an upload as vCard or CSV.
func parseFile(file []byte) (parsed, error) {
	text, enc, repaired, err := decodeText(file)
	if err != nil {
		return parsed{}, err
	}
	var p parsed
	if isVCard(text) {
		p, err = parseVCards(text)
	} else {
		p, err = parseCSV(text)
	}
	p.Encoding = enc
	if repaired {
		for i := range p.Entries {
			if hasReplacement(&p.Entries[i]) {
				p.Entries[i].warnings = append(p.Entries[i].warnings,
					"some of its text was not valid "+strings.ToUpper(enc)+" and shows as "+Replacement+"; correct it after the import")
			}
		}
	}
	return p, err
}

// hasReplacement reports whether an entry holds text that decodeText had to
// repair.
func hasReplacement(e *entry) bool {
	for _, p := range e.Fields.ptrs() {
		if strings.Contains(*p, Replacement) {
			return true
		}
	}
	for _, g := range e.Groups {
		if strings.Contains(g, Replacement) {
			return true
		}
	}
	return false
}

// PreviewImport reads a CSV or vCard file and works out what importing it
// would do ("Import" in the dialog), without touching the contacts. The
// plan is kept for ImportTTL so ConfirmImport applies exactly what was
// shown; CancelImport discards it.
func (s *Service) PreviewImport(ctx context.Context, actor access.Actor, ownerID int64, file []byte, action Action) (ImportPreview, error) {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return ImportPreview{}, err
	}
	if !action.Valid() {
		return ImportPreview{}, derrors.Invalid("action", "choose overwrite, duplicate or ignore")
	}
	if len(file) == 0 {
		return ImportPreview{}, derrors.Invalid("file", "choose a CSV or vCard file to import")
	}
	p, err := parseFile(file)
	if err != nil {
		return ImportPreview{}, err
	}
	if len(p.Entries) == 0 {
		return ImportPreview{}, derrors.Invalid("file", "there are no contacts in the file: it has a header row and nothing under it")
	}
	now := s.now()
	pv := ImportPreview{Action: action, Source: p.Source, Encoding: p.Encoding, Columns: p.Columns, Unmapped: unmapped(p.Columns),
		Expires: now.Add(ImportTTL).UTC().Truncate(time.Millisecond)}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM contact_imports WHERE expires_at <= ?", now.UnixMilli()); err != nil {
			return fmt.Errorf("purge expired: %w", err)
		}
		// Reading the revision before the contacts means a change slipping
		// in between can only make Confirm refuse, never apply a stale plan.
		rev, err := s.revision(ctx, o.ID)
		if err != nil {
			return err
		}
		existing, err := s.all(ctx, o.ID)
		if err != nil {
			return err
		}
		ops, details, warnings, added, updated, ignored := plan(existing, p.Entries, action, p.Unit)
		pv.Added, pv.Updated, pv.Ignored, pv.Existing = added, updated, ignored, len(existing)
		pv.Details, pv.Warnings = details, warnings
		if pv.Details == nil {
			pv.Details = []Detail{}
		}
		if pv.Warnings == nil {
			pv.Warnings = []Detail{}
		}
		pv.Note = limitMessage(len(existing))
		planJSON, err := json.Marshal(ops)
		if err != nil {
			return err
		}
		detailsJSON, _ := json.Marshal(pv.Details)
		warningsJSON, _ := json.Marshal(pv.Warnings)
		columnsJSON, _ := json.Marshal(pv.Columns)
		if err := q.QueryRow(ctx, `INSERT INTO contact_imports (account_id, company_id, action, source, base_revision,
			added, updated, deleted, ignored, existing, details_json, warnings_json, columns_json, plan_json, created_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			o.ID, o.CompanyID, string(action), p.Source+"/"+p.Encoding, rev, added, updated, ignored, len(existing),
			string(detailsJSON), string(warningsJSON), string(columnsJSON), string(planJSON), now.UnixMilli(), pv.Expires.UnixMilli()).Scan(&pv.ID); err != nil {
			return fmt.Errorf("save preview: %w", err)
		}
		_, err = q.Exec(ctx, `DELETE FROM contact_imports WHERE account_id = ? AND id NOT IN
			(SELECT id FROM contact_imports WHERE account_id = ? ORDER BY id DESC LIMIT ?)`, o.ID, o.ID, maxPendingImports)
		return err
	})
	if err != nil {
		return ImportPreview{}, fmt.Errorf("contacts: preview import: %w", err)
	}
	return pv, nil
}

// Import returns a pending preview again (the dialog's Details after a
// reload). An expired, confirmed or cancelled import, or another
// employee's, is ErrNotFound.
func (s *Service) Import(ctx context.Context, actor access.Actor, ownerID, id int64) (ImportPreview, error) {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return ImportPreview{}, err
	}
	pv := ImportPreview{ID: id, Deleted: 0}
	var action, source, details, warnings, columns string
	var expires int64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT action, source, added, updated, ignored, existing, details_json, warnings_json, columns_json, expires_at
		FROM contact_imports WHERE id = ? AND account_id = ? AND expires_at > ?`, id, ownerID, s.now().UnixMilli()).
		Scan(&action, &source, &pv.Added, &pv.Updated, &pv.Ignored, &pv.Existing, &details, &warnings, &columns, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return pv, fmt.Errorf("contacts: import %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return pv, fmt.Errorf("contacts: import %d: %w", id, err)
	}
	pv.Action = Action(action)
	pv.Source, pv.Encoding, _ = strings.Cut(source, "/")
	pv.Expires = store.Time(expires)
	pv.Note = limitMessage(pv.Existing)
	if err := json.Unmarshal([]byte(details), &pv.Details); err != nil {
		return pv, fmt.Errorf("contacts: import %d details: %w", id, err)
	}
	if err := json.Unmarshal([]byte(warnings), &pv.Warnings); err != nil {
		return pv, fmt.Errorf("contacts: import %d warnings: %w", id, err)
	}
	_ = json.Unmarshal([]byte(columns), &pv.Columns)
	pv.Unmapped = unmapped(pv.Columns)
	return pv, nil
}

// CancelImport discards a pending preview ("Cancel"). The contacts were
// never touched, so nothing else changes and nothing is audited.
func (s *Service) CancelImport(ctx context.Context, actor access.Actor, ownerID, id int64) error {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return err
	}
	var n int64
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM contact_imports WHERE id = ? AND account_id = ?", id, ownerID)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return fmt.Errorf("contacts: cancel import %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("contacts: cancel import %d: %w", id, derrors.ErrNotFound)
	}
	return nil
}

// ErrImportExpired is returned by ConfirmImport when the preview is older
// than ImportTTL. It unwraps to derrors.ErrConflict.
var ErrImportExpired = derrors.Conflict("import", "this import has expired; import the file again")

// ErrImportStale is returned by ConfirmImport when the contacts changed
// after the preview, so the preview no longer says what would happen. It
// unwraps to derrors.ErrConflict.
var ErrImportStale = derrors.Conflict("import", "your contacts changed after this import was previewed; import the file again")

// ConfirmImport applies a preview exactly as shown ("Confirm"), in one
// transaction with one audit event carrying the counts. The preview is
// consumed: confirming twice, or after CancelImport, is ErrNotFound, as is
// another employee's import.
func (s *Service) ConfirmImport(ctx context.Context, actor access.Actor, ownerID, id int64) (ImportResult, error) {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return ImportResult{}, err
	}
	res := ImportResult{ID: id}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var action, planJSON string
		var base, expires int64
		// Deleting first claims the preview: of two concurrent confirms on
		// PostgreSQL the second waits and then finds nothing.
		err := q.QueryRow(ctx, `DELETE FROM contact_imports WHERE id = ? AND account_id = ?
			RETURNING action, base_revision, added, updated, ignored, plan_json, expires_at`, id, o.ID).
			Scan(&action, &base, &res.Added, &res.Updated, &res.Ignored, &planJSON, &expires)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("import %d: %w", id, derrors.ErrNotFound)
		}
		if err != nil {
			return fmt.Errorf("claim import %d: %w", id, err)
		}
		if expires <= s.now().UnixMilli() {
			return ErrImportExpired
		}
		rev, err := s.bump(ctx, o.ID)
		if err != nil {
			return err
		}
		if rev != base+1 {
			return ErrImportStale
		}
		res.Revision = rev
		var ops []op
		if err := json.Unmarshal([]byte(planJSON), &ops); err != nil {
			return fmt.Errorf("import %d plan: %w", id, err)
		}
		created, err := s.apply(ctx, o, ops)
		if err != nil {
			return err
		}
		if res.Total, err = s.count(ctx, o.ID); err != nil {
			return err
		}
		if res.Total > MaxContacts {
			return fmt.Errorf("import %d would leave %d contacts (limit %d)", id, res.Total, MaxContacts)
		}
		return s.audit.Record(ctx, audit.Event{Event: "Import Contacts", ObjectKind: "contact_import", ObjectID: id,
			ObjectName: fmt.Sprintf("%d added, %d updated, %d ignored", res.Added, res.Updated, res.Ignored), CompanyID: o.CompanyID,
			After: map[string]any{"action": action, "added": res.Added, "updated": res.Updated, "deleted": 0,
				"ignored": res.Ignored, "total": res.Total, "groups_created": created}})
	})
	if err != nil {
		return ImportResult{}, fmt.Errorf("contacts: confirm import %d: %w", id, err)
	}
	res.Note = fmt.Sprintf("You currently have %d contacts.", res.Total)
	return res, nil
}

// apply writes a plan in the caller's transaction and returns the names of
// groups it had to create.
func (s *Service) apply(ctx context.Context, o owner, ops []op) ([]string, error) {
	groups, err := s.groups(ctx, o.ID)
	if err != nil {
		return nil, err
	}
	byName := make(map[string]int64, len(groups))
	for _, g := range groups {
		byName[strings.ToLower(g.Name)] = g.ID
	}
	created := []string{}
	groupIDs := func(names []string) ([]int64, error) {
		var ids []int64
		for _, n := range names {
			id, ok := byName[strings.ToLower(n)]
			if !ok {
				if id, err = s.insertGroup(ctx, o, n); err != nil {
					return nil, err
				}
				byName[strings.ToLower(n)] = id
				created = append(created, n)
			}
			ids = append(ids, id)
		}
		return ids, nil
	}
	now := store.Now()
	for _, p := range ops {
		id := p.Target
		if id == 0 {
			if id, err = s.insert(ctx, o, p.Fields, now); err != nil {
				return nil, err
			}
		} else {
			cur, err := s.contact(ctx, o.ID, id)
			if err != nil {
				return nil, err
			}
			f := cur.Fields
			f.overlay(p.Fields, p.Mask)
			if err := s.update(ctx, o, id, f, now); err != nil {
				return nil, err
			}
		}
		if p.HasGroups {
			ids, err := groupIDs(p.Groups)
			if err != nil {
				return nil, err
			}
			if p.Target == 0 && len(ids) == 0 {
				continue
			}
			if err := s.setGroups(ctx, id, ids); err != nil {
				return nil, err
			}
		}
	}
	return created, nil
}

// PurgeExpiredImports deletes previews past their expiry; previews also
// purge on the way in, so this is for a periodic job.
func (s *Service) PurgeExpiredImports(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		res, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM contact_imports WHERE expires_at <= ?", s.now().UnixMilli())
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("contacts: purge imports: %w", err)
	}
	return n, nil
}
