package numbering

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Assignment gives one number (E.164) to one employee of the company.
type Assignment struct {
	Number  string
	OwnerID int64
}

// UserNames returns the display names ("First Last", or the username) of
// companyID's accounts among ids, as resolveOwner names a user, in one
// statement; an id missing from the map is no account of the company. The
// devices package names a phone's user and BLF colleagues with it.
func (s *Service) UserNames(ctx context.Context, companyID int64, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	args := []any{companyID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT id, username, first_name, last_name FROM accounts WHERE company_id = ? AND id IN ("+
		store.Placeholders(len(ids))+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var username, first, last string
		if err := rows.Scan(&id, &username, &first, &last); err != nil {
			return nil, err
		}
		name := strings.TrimSpace(first + " " + last)
		if name == "" {
			name = username
		}
		out[id] = name
	}
	return out, rows.Err()
}

// AssignMany is Assign for many employees at once, in the transaction in
// ctx: each number must be free; a number that is not is a conflict naming
// it, and nothing is assigned. A constant number of statements whatever
// the count: one read of the owners, one of the numbers before and after,
// one update, one insert of the audit entries ("Assign Number" each).
func (s *Service) AssignMany(ctx context.Context, companyID int64, as []Assignment) (err error) {
	defer derrors.Wrap(&err, "numbering: assign %d numbers", len(as))
	if len(as) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		ids := make([]int64, len(as))
		e164s := make([]string, len(as))
		for i, a := range as {
			ids[i], e164s[i] = a.OwnerID, a.Number
		}
		names, err := s.UserNames(ctx, companyID, ids)
		if err != nil {
			return err
		}
		before, err := s.NumbersOf(ctx, companyID, e164s)
		if err != nil {
			return err
		}
		_, region, err := s.companyRegion(ctx, companyID)
		if err != nil {
			return err
		}
		var ownerID, ownerName strings.Builder
		var idArgs, nameArgs, inArgs []any
		for _, a := range as {
			name, ok := names[a.OwnerID]
			if !ok {
				return derrors.Invalid("owner.id", "employee %d does not exist", a.OwnerID)
			}
			n, ok := before[a.Number]
			if !ok {
				return derrors.Invalid("number", "%s is not in the company's number pool", National(a.Number, region))
			}
			if !n.Free() {
				holder := "another owner"
				if n.Owner != nil {
					holder = n.Owner.Name
				}
				return derrors.Conflict("number", "%s is already assigned to %s", n.National, holder)
			}
			ownerID.WriteString(" WHEN ? THEN CAST(? AS BIGINT)")
			ownerName.WriteString(" WHEN ? THEN CAST(? AS TEXT)")
			idArgs = append(idArgs, a.Number, a.OwnerID)
			nameArgs = append(nameArgs, a.Number, name)
			inArgs = append(inArgs, a.Number)
		}
		args := append(append(append([]any{string(OwnerUser)}, idArgs...), nameArgs...), store.Now(), companyID)
		args = append(args, inArgs...)
		res, err := s.db.Q(ctx).Exec(ctx, `UPDATE dn_numbers SET status = 'assigned', owner_kind = ?, owner_id = CASE e164`+ownerID.String()+` END,
			owner_name = CASE e164`+ownerName.String()+` END, assigned_at = ?, returned_at = NULL
			WHERE company_id = ? AND status IN ('available', 'returned') AND e164 IN (`+store.Placeholders(len(as))+`)`, args...)
		if err != nil {
			return err
		}
		if k, err := res.RowsAffected(); err != nil {
			return err
		} else if int(k) != len(as) {
			// Taken between the read and the update (or listed twice).
			return derrors.Conflict("number", "a number was just assigned to somebody else: try again")
		}
		after, err := s.NumbersOf(ctx, companyID, e164s)
		if err != nil {
			return err
		}
		events := make([]audit.Event, len(as))
		for i, a := range as {
			b, x := before[a.Number], after[a.Number]
			events[i] = audit.Event{Event: "Assign Number", ObjectKind: "number", ObjectID: x.ID, ObjectName: x.E164,
				CompanyID: companyID, SiteID: x.SiteID, Before: b, After: x}
		}
		return s.audit.RecordAll(ctx, events)
	})
}

// ExtensionReservation gives one extension to one employee at a site.
type ExtensionReservation struct {
	Extension string
	OwnerID   int64
}

// ReserveExtensions is ReserveExtension for many employees at one site, in
// the transaction in ctx: every extension is checked as ValidateExtension
// checks one (an extension already held by its owner is kept), and the
// first broken rule refuses them all. A constant number of statements
// whatever the count.
func (s *Service) ReserveExtensions(ctx context.Context, companyID, siteID int64, rs []ExtensionReservation) (err error) {
	defer derrors.Wrap(&err, "numbering: reserve %d extensions", len(rs))
	if len(rs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		exts := make([]string, len(rs))
		ids := make([]int64, len(rs))
		for i, r := range rs {
			exts[i], ids[i] = strings.TrimSpace(r.Extension), r.OwnerID
		}
		rules, err := s.SiteExtensionRules(ctx, companyID, siteID, exts)
		if err != nil {
			return err
		}
		names, err := s.UserNames(ctx, companyID, ids)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		var rows []string
		var args []any
		now := store.Now()
		var fresh []int
		for i, r := range rs {
			owner := Owner{Kind: OwnerUser, ID: r.OwnerID, Name: names[r.OwnerID]}
			if _, ok := names[r.OwnerID]; !ok {
				return derrors.Invalid("owner.id", "employee %d does not exist", r.OwnerID)
			}
			if err := rules.Check(exts[i], owner); err != nil {
				return err
			}
			if seen[exts[i]] {
				return derrors.Conflict("extension", "extension %s is chosen for more than one employee", exts[i])
			}
			seen[exts[i]] = true
			if held, ok := rules.held[exts[i]]; ok && held.Kind == owner.Kind && held.ID == owner.ID {
				continue // the owner's own already
			}
			rows = append(rows, "(?, ?, ?, ?, ?, ?, ?)")
			args = append(args, companyID, siteID, exts[i], string(OwnerUser), r.OwnerID, owner.Name, now)
			fresh = append(fresh, i)
		}
		if len(fresh) == 0 {
			return nil
		}
		q := s.db.Q(ctx)
		res, err := q.Query(ctx, `INSERT INTO extensions (company_id, site_id, extension, owner_kind, owner_id, owner_name, created_at)
			VALUES `+strings.Join(rows, ", ")+` RETURNING id, extension`, args...)
		if err != nil {
			if store.IsUniqueViolation(err) {
				return derrors.Conflict("extension", "an extension was just taken by somebody else: choose another")
			}
			return err
		}
		idOf := map[string]int64{}
		for res.Next() {
			var id int64
			var x string
			if err := res.Scan(&id, &x); err != nil {
				res.Close()
				return err
			}
			idOf[x] = id
		}
		res.Close()
		if err := res.Err(); err != nil {
			if store.IsUniqueViolation(err) {
				return derrors.Conflict("extension", "an extension was just taken by somebody else: choose another")
			}
			return err
		}
		events := make([]audit.Event, 0, len(fresh))
		for _, i := range fresh {
			e := Extension{ID: idOf[exts[i]], CompanyID: companyID, SiteID: siteID, Extension: exts[i],
				Owner: Owner{Kind: OwnerUser, ID: rs[i].OwnerID, Name: names[rs[i].OwnerID]}, CreatedAt: store.Time(now)}
			events = append(events, audit.Event{Event: "Reserve Extension", ObjectKind: "extension", ObjectID: e.ID, ObjectName: e.Extension,
				CompanyID: companyID, SiteID: siteID, After: e})
		}
		if len(idOf) != len(fresh) {
			return fmt.Errorf("%d extensions inserted, %d expected", len(idOf), len(fresh))
		}
		return s.audit.RecordAll(ctx, events)
	})
}
