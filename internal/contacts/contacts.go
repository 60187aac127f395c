package contacts

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Service manages employees' personal contacts, their groups, imports and
// exports. Every method takes the owner (the employee's account id)
// explicitly and every query is scoped by it: an employee can neither read
// nor change another employee's contacts, and cannot tell whether an id
// belongs to somebody else (ErrNotFound either way).
type Service struct {
	db     *store.DB
	audit  *audit.Log
	access *access.Service
	// now is the clock; tests move it to expire imports.
	now func() time.Time
}

// New returns a Service.
func New(db *store.DB, log *audit.Log) *Service {
	return &Service{db: db, audit: log, access: access.New(db), now: time.Now}
}

// Contact is a stored personal contact.
type Contact struct {
	ID        int64 `json:"id"`
	OwnerID   int64 `json:"owner_id"`
	CompanyID int64 `json:"company_id"`
	Fields
	// E.164 forms of the numbers, "" when a number does not parse in the
	// provider's default region. Phones' directories dial these.
	HomeE164    string    `json:"home_e164"`
	WorkE164    string    `json:"work_e164"`
	CellE164    string    `json:"cell_e164"`
	FaxE164     string    `json:"fax_e164"`
	OtherE164   string    `json:"other_e164"`
	DisplayName string    `json:"display_name"`
	GroupIDs    []int64   `json:"group_ids"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// ContactRequest creates or updates a contact.
type ContactRequest struct {
	Fields
	// GroupIDs are the owner's groups the contact belongs to. On update, nil
	// keeps the contact's groups and an empty slice removes it from all.
	GroupIDs []int64 `json:"group_ids"`
}

// Validate trims the request and reports every broken rule.
func (r *ContactRequest) Validate() error {
	r.Fields.normalize()
	return r.Fields.validate().Err()
}

// Filter narrows a contact list.
type Filter struct {
	// Search is the "Search for.." box: a substring of a name, company or
	// e-mail, or a number in any format (national, international, spaced).
	Search string
	// GroupID lists only the members of one of the owner's groups.
	GroupID int64
}

// owner is the account that owns contacts, with what writes need.
type owner struct {
	ID        int64
	CompanyID int64
	Region    string
}

// owner loads the employee whose contacts are addressed. Only accounts of a
// company have personal contacts.
func (s *Service) owner(ctx context.Context, id int64) (owner, error) {
	o := owner{ID: id}
	var company sql.NullInt64
	err := s.db.Q(ctx).QueryRow(ctx, `SELECT a.company_id, p.default_region FROM accounts a
		JOIN providers p ON p.id = a.provider_id WHERE a.id = ?`, id).Scan(&company, &o.Region)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !company.Valid) {
		return o, fmt.Errorf("contacts: owner %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return o, fmt.Errorf("contacts: owner %d: %w", id, err)
	}
	o.CompanyID = company.Int64
	if o.Region == "" {
		o.Region = "GB"
	}
	return o, nil
}

// authorize is the access check of every action: contacts are personal, so
// only the employee may read or change them. Anybody else — their company or
// group admin, an operator, another company — gets ErrNotFound, exactly as
// for an employee that does not exist (docs/architecture.md).
func (s *Service) authorize(ctx context.Context, actor access.Actor, ownerID int64) error {
	if err := s.access.Check(ctx, actor, access.ManageContacts, access.Employee(ownerID)); err != nil {
		return fmt.Errorf("contacts: owner %d: %w", ownerID, err)
	}
	return nil
}

// ownerFor is authorize followed by loading the owner, the start of every
// change.
func (s *Service) ownerFor(ctx context.Context, actor access.Actor, ownerID int64) (owner, error) {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return owner{}, err
	}
	return s.owner(ctx, ownerID)
}

var contactColumns = func() string {
	cols := make([]string, 0, numFields+5)
	for _, sp := range specs {
		cols = append(cols, sp.column)
	}
	return strings.Join(cols, ", ")
}()

const selectContact = "SELECT id, account_id, company_id, home_e164, work_e164, cell_e164, fax_e164, other_e164, created_at, updated_at, "

// scanContact reads a row of selectContact+contactColumns, then extra
// columns into extra.
func scanContact(sc interface{ Scan(...any) error }, extra ...any) (Contact, error) {
	var c Contact
	var created, updated int64
	dest := []any{&c.ID, &c.OwnerID, &c.CompanyID, &c.HomeE164, &c.WorkE164, &c.CellE164, &c.FaxE164, &c.OtherE164, &created, &updated}
	for _, p := range c.Fields.ptrs() {
		dest = append(dest, p)
	}
	dest = append(dest, extra...)
	if err := sc.Scan(dest...); err != nil {
		return c, err
	}
	c.CreatedAt, c.UpdatedAt = store.Time(created), store.Time(updated)
	c.DisplayName = c.Fields.DisplayName()
	return c, nil
}

// Contact returns one of the owner's contacts.
func (s *Service) Contact(ctx context.Context, actor access.Actor, ownerID, id int64) (Contact, error) {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return Contact{}, err
	}
	return s.contact(ctx, ownerID, id)
}

func (s *Service) contact(ctx context.Context, ownerID, id int64) (Contact, error) {
	c, err := scanContact(s.db.Q(ctx).QueryRow(ctx, selectContact+contactColumns+
		" FROM contacts WHERE id = ? AND account_id = ?", id, ownerID))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("contacts: contact %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return c, fmt.Errorf("contacts: contact %d: %w", id, err)
	}
	if err := s.fillGroups(ctx, ownerID, []*Contact{&c}); err != nil {
		return c, err
	}
	return c, nil
}

// contactOrder is the portal's order of the contacts list: the name shown
// (surname, or the company for a contact without a name), then first name,
// then id, walked on contacts_owner_name (migration 0044).
var contactOrder = store.Keyset{Name: "name", Keys: []store.SortKey{
	{Expr: "lower(CASE WHEN c.last_name = '' AND c.first_name = '' THEN c.company ELSE c.last_name END)"},
	{Expr: "lower(c.first_name)"}}, ID: "c.id"}

// Page is one page of contacts.
type Page struct {
	Items []Contact
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// Contacts lists the owner's contacts in the portal's order (surname, then
// first name) and returns the total matching.
func (s *Service) Contacts(ctx context.Context, actor access.Actor, ownerID int64, f Filter, p store.Page) ([]Contact, int, error) {
	p.Count = true
	pg, err := s.ContactsPage(ctx, actor, ownerID, f, p)
	return pg.Items, pg.Total, err
}

// ContactsPage is Contacts for the API: p.After continues a keyset walk and
// the total is counted only when p.Count asks (docs/performance.md). The
// owner check runs for every page; a cursor only positions.
func (s *Service) ContactsPage(ctx context.Context, actor access.Actor, ownerID int64, f Filter, p store.Page) (Page, error) {
	out := Page{Total: -1}
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return out, err
	}
	where := []string{"c.account_id = ?"}
	args := []any{ownerID}
	if f.GroupID != 0 {
		where = append(where, "EXISTS (SELECT 1 FROM contact_group_members m JOIN contact_groups g ON g.id = m.group_id WHERE m.contact_id = c.id AND g.id = ? AND g.account_id = ?)")
		args = append(args, f.GroupID, ownerID)
	}
	if q := strings.TrimSpace(f.Search); q != "" {
		region := "GB"
		if o, err := s.ownerFor(ctx, actor, ownerID); err == nil {
			region = o.Region
		}
		forms := []string{strings.ToLower(q)}
		if d := onlyDigits(q); len(d) >= 2 && d != forms[0] {
			forms = append(forms, d)
		}
		if d := onlyDigits(e164(q, region)); d != "" {
			forms = append(forms, d)
		}
		conds := make([]string, len(forms))
		for i, form := range forms {
			conds[i] = s.db.Contains("c.search_text")
			args = append(args, form)
		}
		where = append(where, "("+strings.Join(conds, " OR ")+")")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	q := s.db.Q(ctx)
	if p.Count {
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM contacts c"+cond, args...).Scan(&out.Total); err != nil {
			return out, fmt.Errorf("contacts: count: %w", err)
		}
	}
	after, afterArgs, tail, err := contactOrder.Window(p)
	if err != nil {
		return out, err
	}
	rows, err := q.Query(ctx, strings.Replace(selectContact, "SELECT ", "SELECT c.", 1)+contactColumns+", "+contactOrder.KeyColumns()+
		" FROM contacts c"+cond+after+tail, append(args, afterArgs...)...)
	if err != nil {
		return out, fmt.Errorf("contacts: list: %w", err)
	}
	defer rows.Close()
	var last []any
	for rows.Next() {
		if len(out.Items) == p.Limit() {
			out.Next = contactOrder.Cursor(last, out.Items[len(out.Items)-1].ID)
			break
		}
		keys := contactOrder.KeyDest()
		c, err := scanContact(rows, keys...)
		if err != nil {
			return out, fmt.Errorf("contacts: scan: %w", err)
		}
		out.Items, last = append(out.Items, c), store.KeyValues(keys)
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("contacts: list: %w", err)
	}
	rows.Close()
	ptrs := make([]*Contact, len(out.Items))
	for i := range out.Items {
		ptrs[i] = &out.Items[i]
	}
	return out, s.fillGroups(ctx, ownerID, ptrs)
}

// all returns every contact of the owner with groups (at most MaxContacts),
// for exports and import planning.
func (s *Service) all(ctx context.Context, ownerID int64) ([]Contact, error) {
	rows, err := s.db.Q(ctx).Query(ctx, selectContact+contactColumns+
		" FROM contacts WHERE account_id = ? ORDER BY "+sortKey("")+", id", ownerID)
	if err != nil {
		return nil, fmt.Errorf("contacts: list all: %w", err)
	}
	out, err := collect(rows)
	if err != nil {
		return nil, err
	}
	ptrs := make([]*Contact, len(out))
	for i := range out {
		ptrs[i] = &out[i]
	}
	return out, s.fillGroups(ctx, ownerID, ptrs)
}

// sortKey is the portal's list order: surname, then first name; a company
// contact, which has neither, sorts by its company's name as if it were a
// surname. p prefixes the columns ("c.").
func sortKey(p string) string {
	return "lower(CASE WHEN " + p + "last_name = '' AND " + p + "first_name = '' THEN " + p + "company ELSE " + p + "last_name END), lower(" + p + "first_name)"
}

func collect(rows *sql.Rows) ([]Contact, error) {
	defer rows.Close()
	var out []Contact
	for rows.Next() {
		c, err := scanContact(rows)
		if err != nil {
			return nil, fmt.Errorf("contacts: scan: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("contacts: list: %w", err)
	}
	return out, nil
}

// fillGroups sets GroupIDs of cs (all the owner's) from one query.
func (s *Service) fillGroups(ctx context.Context, ownerID int64, cs []*Contact) error {
	if len(cs) == 0 {
		return nil
	}
	byID := make(map[int64]*Contact, len(cs))
	for _, c := range cs {
		c.GroupIDs = []int64{}
		byID[c.ID] = c
	}
	rows, err := s.db.Q(ctx).Query(ctx, `SELECT m.contact_id, m.group_id FROM contact_group_members m
		JOIN contact_groups g ON g.id = m.group_id WHERE g.account_id = ? ORDER BY m.group_id`, ownerID)
	if err != nil {
		return fmt.Errorf("contacts: groups of contacts: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var cid, gid int64
		if err := rows.Scan(&cid, &gid); err != nil {
			return fmt.Errorf("contacts: groups of contacts: %w", err)
		}
		if c := byID[cid]; c != nil {
			c.GroupIDs = append(c.GroupIDs, gid)
		}
	}
	return rows.Err()
}

// Count returns how many contacts the owner has.
func (s *Service) Count(ctx context.Context, actor access.Actor, ownerID int64) (int, error) {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return 0, err
	}
	return s.count(ctx, ownerID)
}

func (s *Service) count(ctx context.Context, ownerID int64) (int, error) {
	var n int
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM contacts WHERE account_id = ?", ownerID).Scan(&n); err != nil {
		return 0, fmt.Errorf("contacts: count: %w", err)
	}
	return n, nil
}

// Revision returns the owner's contact-directory revision: 0 before any
// change, then one more for every committed change to the owner's contacts
// or groups. Phone provisioning compares it with the revision a phone last
// fetched to decide whether the phone must refetch its directory.
func (s *Service) Revision(ctx context.Context, actor access.Actor, ownerID int64) (int64, error) {
	if err := s.authorize(ctx, actor, ownerID); err != nil {
		return 0, err
	}
	return s.revision(ctx, ownerID)
}

func (s *Service) revision(ctx context.Context, ownerID int64) (int64, error) {
	var rev int64
	err := s.db.Q(ctx).QueryRow(ctx, "SELECT revision FROM contact_directories WHERE account_id = ?", ownerID).Scan(&rev)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("contacts: revision: %w", err)
	}
	return rev, nil
}

// bump increments the owner's directory revision inside the caller's
// transaction and returns the new value. Every mutation calls it first:
// on PostgreSQL the row lock it takes serialises concurrent changes to one
// employee's contacts, so the 1000 limit and import plans hold.
func (s *Service) bump(ctx context.Context, ownerID int64) (int64, error) {
	var rev int64
	err := s.db.Q(ctx).QueryRow(ctx, `INSERT INTO contact_directories (account_id, revision, updated_at) VALUES (?, 1, ?)
		ON CONFLICT (account_id) DO UPDATE SET revision = contact_directories.revision + 1, updated_at = excluded.updated_at
		RETURNING revision`, ownerID, store.Now()).Scan(&rev)
	if err != nil {
		return 0, fmt.Errorf("contacts: bump revision: %w", err)
	}
	return rev, nil
}

// derived is the columns computed from Fields: E.164 numbers and search text.
func derived(f Fields, region string) (e [len(phoneFields)]string, search string) {
	return derivedNumbers(f, region)
}

// insert writes a new contact and returns its id.
func (s *Service) insert(ctx context.Context, o owner, f Fields, now int64) (int64, error) {
	e, search := derived(f, o.Region)
	args := []any{o.ID, o.CompanyID, e[0], e[1], e[2], e[3], e[4], search, now, now}
	for _, p := range f.ptrs() {
		args = append(args, *p)
	}
	var id int64
	err := s.db.Q(ctx).QueryRow(ctx, "INSERT INTO contacts (account_id, company_id, home_e164, work_e164, cell_e164, fax_e164, other_e164, search_text, created_at, updated_at, "+
		contactColumns+") VALUES (?"+strings.Repeat(", ?", len(args)-1)+") RETURNING id", args...).Scan(&id)
	if err != nil {
		return 0, fmt.Errorf("contacts: insert: %w", err)
	}
	return id, nil
}

var updateSets = func() string {
	sets := make([]string, len(specs))
	for i, sp := range specs {
		sets[i] = sp.column + " = ?"
	}
	return strings.Join(sets, ", ")
}()

// update rewrites a contact's fields.
func (s *Service) update(ctx context.Context, o owner, id int64, f Fields, now int64) error {
	e, search := derived(f, o.Region)
	args := []any{e[0], e[1], e[2], e[3], e[4], search, now}
	for _, p := range f.ptrs() {
		args = append(args, *p)
	}
	args = append(args, id, o.ID)
	res, err := s.db.Q(ctx).Exec(ctx, "UPDATE contacts SET home_e164 = ?, work_e164 = ?, cell_e164 = ?, fax_e164 = ?, other_e164 = ?, search_text = ?, updated_at = ?, "+
		updateSets+" WHERE id = ? AND account_id = ?", args...)
	if err != nil {
		return fmt.Errorf("contacts: update %d: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("contacts: update %d: %w", id, derrors.ErrNotFound)
	}
	return nil
}

// setGroups replaces a contact's group memberships with ids (checked to be
// the owner's groups by the caller).
func (s *Service) setGroups(ctx context.Context, contactID int64, ids []int64) error {
	q := s.db.Q(ctx)
	if _, err := q.Exec(ctx, "DELETE FROM contact_group_members WHERE contact_id = ?", contactID); err != nil {
		return fmt.Errorf("contacts: clear groups of %d: %w", contactID, err)
	}
	for _, g := range ids {
		if _, err := q.Exec(ctx, "INSERT INTO contact_group_members (group_id, contact_id) VALUES (?, ?)", g, contactID); err != nil {
			return fmt.Errorf("contacts: add %d to group %d: %w", contactID, g, err)
		}
	}
	return nil
}

// checkGroups verifies every id is one of the owner's groups and returns
// them sorted without repeats.
func (s *Service) checkGroups(ctx context.Context, ownerID int64, ids []int64) ([]int64, error) {
	uniq := map[int64]bool{}
	var out []int64
	for _, id := range ids {
		if !uniq[id] {
			uniq[id] = true
			out = append(out, id)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	for _, id := range out {
		var one int
		err := s.db.Q(ctx).QueryRow(ctx, "SELECT 1 FROM contact_groups WHERE id = ? AND account_id = ?", id, ownerID).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, derrors.Invalid("group_ids", "group %d does not exist", id)
		}
		if err != nil {
			return nil, fmt.Errorf("contacts: check group %d: %w", id, err)
		}
	}
	return out, nil
}

// limitMessage is the portal's note about the 1000-contact limit.
func limitMessage(current int) string {
	return fmt.Sprintf("You currently have %d contacts. If you reach %d during the import, any remaining entries will be ignored.", current, MaxContacts)
}

// CreateContact adds a contact to the owner's list ("New Contact").
func (s *Service) CreateContact(ctx context.Context, actor access.Actor, ownerID int64, req ContactRequest) (Contact, error) {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return Contact{}, err
	}
	if err := req.Validate(); err != nil {
		return Contact{}, err
	}
	var id int64
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.bump(ctx, o.ID); err != nil {
			return err
		}
		n, err := s.count(ctx, o.ID)
		if err != nil {
			return err
		}
		if n >= MaxContacts {
			return derrors.Conflict("", "you already have %d contacts, the most an employee can keep; delete some first", n)
		}
		groups, err := s.checkGroups(ctx, o.ID, req.GroupIDs)
		if err != nil {
			return err
		}
		if id, err = s.insert(ctx, o, req.Fields, store.Now()); err != nil {
			return err
		}
		if err := s.setGroups(ctx, id, groups); err != nil {
			return err
		}
		c, err := s.contact(ctx, o.ID, id)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Create Contact", ObjectKind: "contact", ObjectID: id,
			ObjectName: c.DisplayName, CompanyID: o.CompanyID, After: c})
	})
	if err != nil {
		return Contact{}, fmt.Errorf("contacts: create: %w", err)
	}
	return s.contact(ctx, o.ID, id)
}

// UpdateContact replaces a contact's fields ("Edit"); its groups change
// only when req.GroupIDs is not nil.
func (s *Service) UpdateContact(ctx context.Context, actor access.Actor, ownerID, id int64, req ContactRequest) (Contact, error) {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return Contact{}, err
	}
	if err := req.Validate(); err != nil {
		return Contact{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.contact(ctx, o.ID, id)
		if err != nil {
			return err
		}
		if _, err := s.bump(ctx, o.ID); err != nil {
			return err
		}
		if err := s.update(ctx, o, id, req.Fields, store.Now()); err != nil {
			return err
		}
		if req.GroupIDs != nil {
			groups, err := s.checkGroups(ctx, o.ID, req.GroupIDs)
			if err != nil {
				return err
			}
			if err := s.setGroups(ctx, id, groups); err != nil {
				return err
			}
		}
		after, err := s.contact(ctx, o.ID, id)
		if err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Contact", ObjectKind: "contact", ObjectID: id,
			ObjectName: after.DisplayName, CompanyID: o.CompanyID, Before: before, After: after})
	})
	if err != nil {
		return Contact{}, fmt.Errorf("contacts: update %d: %w", id, err)
	}
	return s.contact(ctx, o.ID, id)
}

// DeleteContacts deletes the given contacts of the owner ("Delete", with
// one or "Select all"). It is all or nothing: an id that is not one of the
// owner's contacts fails the whole call with ErrNotFound.
func (s *Service) DeleteContacts(ctx context.Context, actor access.Actor, ownerID int64, ids []int64) (int, error) {
	o, err := s.ownerFor(ctx, actor, ownerID)
	if err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		return 0, derrors.Invalid("ids", "select at least one contact to delete")
	}
	seen := map[int64]bool{}
	n := 0
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if _, err := s.bump(ctx, o.ID); err != nil {
			return err
		}
		for _, id := range ids {
			if seen[id] {
				continue
			}
			seen[id] = true
			before, err := s.contact(ctx, o.ID, id)
			if err != nil {
				return err
			}
			if _, err := s.db.Q(ctx).Exec(ctx, "DELETE FROM contacts WHERE id = ? AND account_id = ?", id, o.ID); err != nil {
				return fmt.Errorf("delete %d: %w", id, err)
			}
			if err := s.audit.Record(ctx, audit.Event{Event: "Delete Contact", ObjectKind: "contact", ObjectID: id,
				ObjectName: before.DisplayName, CompanyID: o.CompanyID, Before: before}); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("contacts: delete: %w", err)
	}
	return n, nil
}

// FormatNumber returns a stored number in the international format for
// display ("+44 113 299 1002"), or the number as entered when the number
// rule gives it no E.164 form (an extension, a short code).
func FormatNumber(number, region string) string {
	e := numbering.E164Of(number, region)
	if e == "" {
		return number
	}
	num, err := phonenumbers.Parse(e, region)
	if err != nil {
		return number
	}
	return phonenumbers.Format(num, phonenumbers.INTERNATIONAL)
}
