package catalog

import (
	"context"
	"errors"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// SetEmployeeOfferings is SetEmployeeOffering for many employees given the
// same package, add-ons and term (an activation of several employees), in
// the transaction in ctx: the same rules, one "Set Employee Service
// Offering" entry each, and a constant number of statements whatever the
// count.
func (s *Service) SetEmployeeOfferings(ctx context.Context, companyID int64, accountIDs []int64, packageID int64, addOnIDs []int64, termID int64) (err error) {
	defer derrors.Wrap(&err, "catalog: set offering of %d employees", len(accountIDs))
	if len(accountIDs) == 0 {
		return nil
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		providerID, err := s.companyProvider(ctx, companyID)
		if err != nil {
			return err
		}
		pkg, err := s.packageOf(ctx, providerID, packageID, TypePackage, KindEmployee, "package_id")
		if err != nil {
			return err
		}
		ids, err := s.addOns(ctx, providerID, addOnIDs, KindEmployee)
		if err != nil {
			return err
		}
		term, err := s.Term(ctx, providerID, termID)
		if errors.Is(err, derrors.ErrNotFound) {
			return derrors.Invalid("term_id", "term %d does not exist", termID)
		}
		if err != nil {
			return err
		}
		all, err := s.Packages(ctx, providerID, PackageFilter{})
		if err != nil {
			return err
		}
		byID := map[int64]Package{}
		for _, p := range all {
			byID[p.ID] = p
		}
		terms, err := s.Terms(ctx, providerID)
		if err != nil {
			return err
		}
		termByID := map[int64]Term{}
		for _, t := range terms {
			termByID[t.ID] = t
		}
		q := s.db.Q(ctx)
		in := store.Placeholders(len(accountIDs))
		args := []any{companyID}
		for _, id := range accountIDs {
			args = append(args, id)
		}
		// The employees (and that they are the company's) with what they
		// have now.
		usernames := map[int64]string{}
		rows, err := q.Query(ctx, "SELECT id, username FROM accounts WHERE company_id = ? AND id IN ("+in+")", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var u string
			if err := rows.Scan(&id, &u); err != nil {
				rows.Close()
				return err
			}
			usernames[id] = u
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		type current struct {
			pkg, term int64
			addOns    []Package
		}
		cur := map[int64]*current{}
		rows, err = q.Query(ctx, "SELECT account_id, package_id, term_id FROM employee_offerings WHERE company_id = ? AND account_id IN ("+in+")", args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			c := &current{}
			var id int64
			if err := rows.Scan(&id, &c.pkg, &c.term); err != nil {
				rows.Close()
				return err
			}
			cur[id] = c
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		rows, err = q.Query(ctx, "SELECT account_id, package_id FROM employee_offering_addons WHERE account_id IN ("+in+")", args[1:]...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id, p int64
			if err := rows.Scan(&id, &p); err != nil {
				rows.Close()
				return err
			}
			if c := cur[id]; c != nil {
				c.addOns = append(c.addOns, byID[p])
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		befores := map[int64]any{}
		for _, id := range accountIDs {
			if _, ok := usernames[id]; !ok {
				return derrors.Invalid("account_id", "employee %d does not exist", id)
			}
			c := cur[id]
			if c == nil {
				continue
			}
			p, t := byID[c.pkg], termByID[c.term]
			if err := CanChangeTerm(t, term); err != nil {
				return err
			}
			befores[id] = assigned(&p, c.addOns, &t)
		}
		if _, err := q.Exec(ctx, "DELETE FROM employee_offering_addons WHERE account_id IN ("+in+")", args[1:]...); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "DELETE FROM employee_offerings WHERE company_id = ? AND account_id IN ("+in+")", args...); err != nil {
			return err
		}
		now := store.Now()
		var vals []any
		for _, id := range accountIDs {
			vals = append(vals, id, companyID, packageID, termID, now)
		}
		if _, err := q.Exec(ctx, "INSERT INTO employee_offerings (account_id, company_id, package_id, term_id, updated_at) VALUES "+
			store.RepeatRow(len(accountIDs), "(?, ?, ?, ?, ?)"), vals...); err != nil {
			return err
		}
		var addOns []Package
		if len(ids) > 0 {
			vals = vals[:0]
			for _, id := range accountIDs {
				for _, a := range ids {
					vals = append(vals, id, a)
				}
			}
			if _, err := q.Exec(ctx, "INSERT INTO employee_offering_addons (account_id, package_id) VALUES "+
				store.RepeatRow(len(accountIDs)*len(ids), "(?, ?)"), vals...); err != nil {
				return err
			}
			for _, a := range ids {
				addOns = append(addOns, byID[a])
			}
		}
		after := assigned(&pkg, addOns, &term)
		events := make([]audit.Event, len(accountIDs))
		for i, id := range accountIDs {
			events[i] = audit.Event{Event: "Set Employee Service Offering", ObjectKind: "employee", ObjectID: id,
				ObjectName: usernames[id], CompanyID: companyID, Before: befores[id], After: after}
		}
		return s.audit.RecordAll(ctx, events)
	})
}
