package numbering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Status is where a number of the pool stands.
type Status string

const (
	// StatusAvailable numbers have not been handed out since their range
	// was added.
	StatusAvailable Status = "available"
	// StatusAssigned numbers belong to an employee or a group function.
	StatusAssigned Status = "assigned"
	// StatusReturned numbers came back to the pool when their owner was
	// ceased ("the telephone number is returned to the Site number pool").
	// They are free again, but handed out only after every available
	// number, oldest return first, so a former owner's callers do not reach
	// somebody new the next day.
	StatusReturned Status = "returned"
	// StatusFree is a filter only: available or returned.
	StatusFree Status = "free"
)

// Number is one number of a site's pool.
type Number struct {
	ID         int64      `json:"id"`
	E164       string     `json:"e164"`
	National   string     `json:"national"`
	Status     Status     `json:"status"`
	CompanyID  int64      `json:"company_id"`
	SiteID     int64      `json:"site_id"`
	SiteName   string     `json:"site_name"`
	RangeID    int64      `json:"range_id"`
	Owner      *Owner     `json:"owner"`
	AssignedAt *time.Time `json:"assigned_at"`
	ReturnedAt *time.Time `json:"returned_at"`
}

// Free reports whether the number can be handed out.
func (n Number) Free() bool { return n.Status == StatusAvailable || n.Status == StatusReturned }

const numberSelect = `SELECT n.id, n.e164, n.status, n.company_id, n.site_id, g.name, n.range_id, n.owner_kind, n.owner_id, n.owner_name,
	n.assigned_at, n.returned_at FROM dn_numbers n JOIN org_groups g ON g.id = n.site_id`

func scanNumber(row interface{ Scan(...any) error }, region string) (Number, error) {
	var n Number
	var kind, name string
	var ownerID int64
	var assigned, returned sql.NullInt64
	if err := row.Scan(&n.ID, &n.E164, &n.Status, &n.CompanyID, &n.SiteID, &n.SiteName, &n.RangeID, &kind, &ownerID, &name,
		&assigned, &returned); err != nil {
		return n, err
	}
	n.National = National(n.E164, region)
	if kind != "" {
		n.Owner = &Owner{Kind: OwnerKind(kind), ID: ownerID, Name: name}
	}
	if assigned.Valid {
		t := store.Time(assigned.Int64)
		n.AssignedAt = &t
	}
	if returned.Valid {
		t := store.Time(returned.Int64)
		n.ReturnedAt = &t
	}
	return n, nil
}

func (s *Service) queryNumbers(ctx context.Context, region, query string, args ...any) ([]Number, error) {
	rows, err := s.db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Number
	for rows.Next() {
		n, err := scanNumber(rows, region)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// number reads one number of companyID by E.164.
func (s *Service) number(ctx context.Context, companyID int64, e164, region string) (Number, error) {
	n, err := scanNumber(s.db.Q(ctx).QueryRow(ctx, numberSelect+" WHERE n.e164 = ? AND n.company_id = ?", e164, companyID), region)
	if errors.Is(err, sql.ErrNoRows) {
		return n, derrors.Invalid("number", "%s is not in the company's number pool", National(e164, region))
	}
	return n, err
}

// PoolFilter narrows Pool. Status "" lists every number; StatusFree lists
// available and returned ones.
type PoolFilter struct {
	Status Status `json:"status"`
}

func statusCondition(st Status) (string, error) {
	switch st {
	case "":
		return "", nil
	case StatusAvailable, StatusAssigned, StatusReturned:
		return " AND n.status = '" + string(st) + "'", nil
	case StatusFree:
		return " AND n.status IN ('available', 'returned')", nil
	}
	return "", derrors.Invalid("status", "status must be one of available, assigned, returned, free")
}

// poolOrder is the order of a site's number pool: by number (unique; the
// id only completes the key), walked on dn_numbers_site_list or, for one
// status, dn_numbers_site (migration 0044).
var poolOrder = store.Keyset{Name: "number", Keys: []store.SortKey{{Expr: "n.e164"}}, ID: "n.id"}

// PoolPage is one page of a site's number pool.
type PoolPage struct {
	Items []Number
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// Pool lists a site's numbers in number order, one page at a time, with
// the total matching.
func (s *Service) Pool(ctx context.Context, companyID, siteID int64, f PoolFilter, p store.Page) ([]Number, int, error) {
	p.Count = true
	pg, err := s.PoolPage(ctx, companyID, siteID, f, p)
	return pg.Items, pg.Total, err
}

// PoolPage is Pool with keyset paging: p.After continues after a number and
// the total is counted only when p.Count asks (docs/performance.md).
func (s *Service) PoolPage(ctx context.Context, companyID, siteID int64, f PoolFilter, p store.Page) (out PoolPage, err error) {
	defer derrors.Wrap(&err, "numbering: pool of site %d", siteID)
	out.Total = -1
	cond, err := statusCondition(f.Status)
	if err != nil {
		return out, err
	}
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return out, err
	}
	if _, err := s.site(ctx, companyID, siteID); err != nil {
		return out, err
	}
	where := " WHERE n.company_id = ? AND n.site_id = ?" + cond
	if p.Count {
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM dn_numbers n"+where, companyID, siteID).Scan(&out.Total); err != nil {
			return out, err
		}
	}
	after, afterArgs, tail, err := poolOrder.Window(p)
	if err != nil {
		return out, err
	}
	ns, err := s.queryNumbers(ctx, region, numberSelect+where+after+tail, append([]any{companyID, siteID}, afterArgs...)...)
	if err != nil {
		return out, err
	}
	if n := p.Limit(); len(ns) > n {
		ns = ns[:n]
		out.Next = poolOrder.Cursor([]any{ns[n-1].E164}, ns[n-1].ID)
	}
	out.Items = ns
	return out, nil
}

// nextFreeOrder hands out never-used numbers first, in number order, and
// returned numbers after them, the longest returned first.
const nextFreeOrder = ` ORDER BY CASE n.status WHEN 'available' THEN 0 ELSE 1 END, COALESCE(n.returned_at, 0), n.e164`

// NextAvailable returns the number the Add Employee form offers first at a
// site, without taking it: the caller assigns it (or another) with Assign.
func (s *Service) NextAvailable(ctx context.Context, companyID, siteID int64) (n Number, err error) {
	defer derrors.Wrap(&err, "numbering: next available number of site %d", siteID)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return Number{}, err
	}
	siteName, err := s.site(ctx, companyID, siteID)
	if err != nil {
		return Number{}, err
	}
	ns, err := s.queryNumbers(ctx, region, numberSelect+" WHERE n.company_id = ? AND n.site_id = ? AND n.status IN ('available', 'returned')"+
		nextFreeOrder+" LIMIT 1", companyID, siteID)
	if err != nil {
		return Number{}, err
	}
	if len(ns) == 0 {
		return Number{}, noFreeNumber(siteName)
	}
	return ns[0], nil
}

func noFreeNumber(site string) error {
	return derrors.Conflict("number", "site %q has no free number left: ask your service provider for another DN range", site)
}

// Assign gives number (any format) of companyID's pool to owner. The update
// is conditional on the number being free, so of two concurrent Assigns of
// the same number exactly one succeeds; the other gets a conflict naming the
// holder.
func (s *Service) Assign(ctx context.Context, companyID int64, number string, owner Owner) (n Number, err error) {
	defer derrors.Wrap(&err, "numbering: assign %s", number)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return Number{}, err
	}
	num, err := ParseNumber("number", number, region)
	if err != nil {
		return Number{}, err
	}
	e164 := E164(num)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if owner, err = s.resolveOwner(ctx, companyID, owner); err != nil {
			return err
		}
		n, err = s.assign(ctx, companyID, e164, owner, region)
		return err
	})
	return n, err
}

// assign takes e164 for owner inside a transaction.
func (s *Service) assign(ctx context.Context, companyID int64, e164 string, owner Owner, region string) (Number, error) {
	before, err := s.number(ctx, companyID, e164, region)
	if err != nil {
		return Number{}, err
	}
	res, err := s.db.Q(ctx).Exec(ctx, `UPDATE dn_numbers SET status = 'assigned', owner_kind = ?, owner_id = ?, owner_name = ?,
		assigned_at = ?, returned_at = NULL WHERE e164 = ? AND company_id = ? AND status IN ('available', 'returned')`,
		string(owner.Kind), owner.ID, owner.Name, store.Now(), e164, companyID)
	if err != nil {
		return Number{}, err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		cur, err := s.number(ctx, companyID, e164, region)
		if err != nil {
			return Number{}, err
		}
		holder := "another owner"
		if cur.Owner != nil {
			holder = cur.Owner.Name
		}
		return Number{}, derrors.Conflict("number", "%s is already assigned to %s", cur.National, holder)
	}
	after, err := s.number(ctx, companyID, e164, region)
	if err != nil {
		return Number{}, err
	}
	return after, s.audit.Record(ctx, audit.Event{Event: "Assign Number", ObjectKind: "number", ObjectID: after.ID, ObjectName: after.E164,
		CompanyID: companyID, SiteID: after.SiteID, Before: before, After: after})
}

// AssignNext takes the site's next free number (NextAvailable's order) for
// owner in one step, for bulk activations that do not choose a number.
// Concurrent callers get different numbers.
func (s *Service) AssignNext(ctx context.Context, companyID, siteID int64, owner Owner) (n Number, err error) {
	defer derrors.Wrap(&err, "numbering: assign next number of site %d", siteID)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return Number{}, err
	}
	siteName, err := s.site(ctx, companyID, siteID)
	if err != nil {
		return Number{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if owner, err = s.resolveOwner(ctx, companyID, owner); err != nil {
			return err
		}
		// A few attempts: between choosing and updating, a concurrent
		// Assign of that exact number may win it.
		for attempt := 0; attempt < 5; attempt++ {
			var e164 string
			err := s.db.Q(ctx).QueryRow(ctx, "SELECT n.e164 FROM dn_numbers n WHERE n.company_id = ? AND n.site_id = ? AND n.status IN ('available', 'returned')"+
				nextFreeOrder+" LIMIT 1"+s.db.SkipLocked(), companyID, siteID).Scan(&e164)
			if errors.Is(err, sql.ErrNoRows) {
				return noFreeNumber(siteName)
			}
			if err != nil {
				return err
			}
			n, err = s.assign(ctx, companyID, e164, owner, region)
			if !errors.Is(err, derrors.ErrConflict) {
				return err
			}
		}
		return noFreeNumber(siteName)
	})
	return n, err
}

// Release returns an assigned number to its site's pool as returned (the
// cease step "the telephone number is returned to the Site number pool").
// Releasing a number that is not assigned is a conflict, so a mistyped
// number is noticed.
func (s *Service) Release(ctx context.Context, companyID int64, number string) (n Number, err error) {
	defer derrors.Wrap(&err, "numbering: release %s", number)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return Number{}, err
	}
	num, err := ParseNumber("number", number, region)
	if err != nil {
		return Number{}, err
	}
	e164 := E164(num)
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		n, err = s.release(ctx, companyID, e164, region)
		return err
	})
	return n, err
}

func (s *Service) release(ctx context.Context, companyID int64, e164, region string) (Number, error) {
	before, err := s.number(ctx, companyID, e164, region)
	if err != nil {
		return Number{}, err
	}
	res, err := s.db.Q(ctx).Exec(ctx, `UPDATE dn_numbers SET status = 'returned', owner_kind = '', owner_id = 0, owner_name = '',
		assigned_at = NULL, returned_at = ? WHERE e164 = ? AND company_id = ? AND status = 'assigned'`, store.Now(), e164, companyID)
	if err != nil {
		return Number{}, err
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return Number{}, derrors.Conflict("number", "%s is not assigned to anybody", before.National)
	}
	after, err := s.number(ctx, companyID, e164, region)
	if err != nil {
		return Number{}, err
	}
	return after, s.audit.Record(ctx, audit.Event{Event: "Release Number", ObjectKind: "number", ObjectID: after.ID, ObjectName: after.E164,
		CompanyID: companyID, SiteID: after.SiteID, Before: before, After: after})
}

// OwnerNumbers lists the numbers companyID has assigned to owner.
func (s *Service) OwnerNumbers(ctx context.Context, companyID int64, owner Owner) (out []Number, err error) {
	defer derrors.Wrap(&err, "numbering: numbers of %s %d", owner.Kind, owner.ID)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return nil, err
	}
	return s.queryNumbers(ctx, region, numberSelect+" WHERE n.company_id = ? AND n.owner_kind = ? AND n.owner_id = ? AND n.status = 'assigned' ORDER BY n.e164",
		companyID, string(owner.Kind), owner.ID)
}

// ReleaseOwner returns every number of owner to the pool (a cease) and lists
// them. An owner with no number is not an error, so a retried cease job
// succeeds.
func (s *Service) ReleaseOwner(ctx context.Context, companyID int64, owner Owner) (out []Number, err error) {
	defer derrors.Wrap(&err, "numbering: release numbers of %s %d", owner.Kind, owner.ID)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return nil, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		held, err := s.OwnerNumbers(ctx, companyID, owner)
		if err != nil {
			return err
		}
		for _, h := range held {
			n, err := s.release(ctx, companyID, h.E164, region)
			if err != nil {
				return err
			}
			out = append(out, n)
		}
		return nil
	})
	return out, err
}

// Lookup finds number (E.164, international or national form) anywhere in
// the provider's deployment and says where it belongs: company, site, and
// the owner (Owner.Kind user or egf), or a nil Owner with a free Status when
// it is in a range but unassigned. A number in no range is ErrNotFound.
//
// It is the platform-wide Search Tool's lookup: the caller decides whether
// the actor may see the company it found, and answers "no permission"
// otherwise.
func (s *Service) Lookup(ctx context.Context, providerID int64, number string) (n Number, err error) {
	defer derrors.Wrap(&err, "numbering: lookup %s", number)
	region, err := s.providerRegion(ctx, providerID)
	if err != nil {
		return Number{}, err
	}
	e164, err := ParseLookup("number", number, region)
	if err != nil {
		return Number{}, err
	}
	n, err = scanNumber(s.db.Q(ctx).QueryRow(ctx, numberSelect+` JOIN companies c ON c.id = n.company_id
		WHERE n.e164 = ? AND c.provider_id = ?`, e164, providerID), region)
	if errors.Is(err, sql.ErrNoRows) {
		return Number{}, fmt.Errorf("%s is not in any DN range: %w", e164, derrors.ErrNotFound)
	}
	return n, err
}
