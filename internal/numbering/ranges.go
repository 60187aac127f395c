package numbering

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// MaxRangeSize bounds one DN range. Real allocations come in blocks of 10,
// 100 or 1,000 (Ofcom allocates 1,000-number blocks); 10,000 leaves room for
// a large site while keeping the materialised pool (one row per number) and
// the transaction that writes it small. A larger allocation is added as
// several ranges.
const MaxRangeSize = 10000

// Range is a DN range of a site: Start to End inclusive.
type Range struct {
	ID            int64     `json:"id"`
	CompanyID     int64     `json:"company_id"`
	SiteID        int64     `json:"site_id"`
	SiteName      string    `json:"site_name"`
	Start         string    `json:"start"`
	End           string    `json:"end"`
	StartNational string    `json:"start_national"`
	EndNational   string    `json:"end_national"`
	Size          int       `json:"size"`
	Assigned      int       `json:"assigned"`
	CreatedAt     time.Time `json:"created_at"`
}

// RangeRequest is a range as the operator types it: each end in E.164
// (+441134960000) or in the provider's national form (0113 496 0000).
type RangeRequest struct {
	Start string `json:"start"`
	End   string `json:"end"`
}

// parsedRange is a validated range: first and last as integers of the
// E.164 digits, all of the same width.
type parsedRange struct {
	start, end string // E.164
	first      int64
	last       int64
	width      int
}

func (p parsedRange) size() int { return int(p.last - p.first + 1) }

// number returns the i-th number of the range in E.164.
func (p parsedRange) number(i int) string {
	d := strconv.FormatInt(p.first+int64(i), 10)
	return "+" + strings.Repeat("0", p.width-len(d)) + d
}

// parseRange validates req read in region: both ends parse, they lie in the
// same country and area code and have the same length, so every number
// between them is a number of that block; start <= end; and the range is not
// larger than MaxRangeSize.
func parseRange(req RangeRequest, region string) (parsedRange, error) {
	v := &derrors.ValidationError{}
	start, errS := ParseNumber("start", req.Start, region)
	end, errE := ParseNumber("end", req.End, region)
	for _, err := range []error{errS, errE} {
		var ve *derrors.ValidationError
		if errors.As(err, &ve) {
			v.Fields = append(v.Fields, ve.Fields...)
		}
	}
	if err := v.Err(); err != nil {
		return parsedRange{}, err
	}
	p := parsedRange{start: E164(start), end: E164(end)}
	if start.GetCountryCode() != end.GetCountryCode() {
		return p, derrors.Invalid("end", "the range must start and end in the same country (%s, %s)", p.start, p.end)
	}
	if len(p.start) != len(p.end) {
		return p, derrors.Invalid("end", "start and end must have the same number of digits, so the range is one contiguous block (%s, %s)", p.start, p.end)
	}
	if n := phonenumbers.GetLengthOfNationalDestinationCode(start); n > 0 {
		ns, ne := phonenumbers.GetNationalSignificantNumber(start), phonenumbers.GetNationalSignificantNumber(end)
		if ns[:n] != ne[:n] {
			return p, derrors.Invalid("end", "a range must stay within one area code: %s and %s are in different ones",
				phonenumbers.Format(start, phonenumbers.NATIONAL), phonenumbers.Format(end, phonenumbers.NATIONAL))
		}
	}
	p.width = len(p.start) - 1
	var err error
	if p.first, err = strconv.ParseInt(p.start[1:], 10, 64); err != nil {
		return p, derrors.Invalid("start", "%q is not a telephone number", req.Start)
	}
	if p.last, err = strconv.ParseInt(p.end[1:], 10, 64); err != nil {
		return p, derrors.Invalid("end", "%q is not a telephone number", req.End)
	}
	if p.first > p.last {
		return p, derrors.Invalid("end", "the range is reversed: the end %s comes before the start %s", p.end, p.start)
	}
	if n := p.last - p.first + 1; n > MaxRangeSize {
		return p, derrors.Invalid("end", "a range may hold at most %d numbers and this one holds %d: add it as several ranges", MaxRangeSize, n)
	}
	return p, nil
}

// AddRange assigns a DN range to a site of companyID and puts every number of
// it into the site's pool as available. A range that shares a number with any
// range in the deployment is refused; the other range's site is named only
// when it belongs to the same company, so one customer never learns about
// another.
func (s *Service) AddRange(ctx context.Context, companyID, siteID int64, req RangeRequest) (r Range, err error) {
	defer derrors.Wrap(&err, "numbering: add range %s-%s", req.Start, req.End)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return Range{}, err
	}
	siteName, err := s.site(ctx, companyID, siteID)
	if err != nil {
		return Range{}, err
	}
	p, err := parseRange(req, region)
	if err != nil {
		return Range{}, err
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		q := s.db.Q(ctx)
		var otherCompany int64
		var otherStart, otherEnd, otherSite string
		err := q.QueryRow(ctx, `SELECT r.company_id, r.start_e164, r.end_e164, g.name FROM dn_ranges r JOIN org_groups g ON g.id = r.site_id
			WHERE length(r.start_e164) = ? AND r.start_e164 <= ? AND r.end_e164 >= ? ORDER BY r.start_e164 LIMIT 1`,
			len(p.start), p.end, p.start).Scan(&otherCompany, &otherStart, &otherEnd, &otherSite)
		switch {
		case err == nil:
			return overlapError(companyID, otherCompany, otherStart, otherEnd, otherSite, region)
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		now := store.Now()
		var id int64
		if err := q.QueryRow(ctx, `INSERT INTO dn_ranges (company_id, site_id, start_e164, end_e164, size, created_at)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, companyID, siteID, p.start, p.end, p.size(), now).Scan(&id); err != nil {
			return err
		}
		if err := s.insertNumbers(ctx, p, id, companyID, siteID); err != nil {
			if store.IsUniqueViolation(err) {
				// Another range with one of these numbers committed
				// between the check and the insert.
				return derrors.Conflict("start", "the range overlaps a range already assigned")
			}
			return err
		}
		if r, err = s.rangeByID(ctx, companyID, id, region); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Add DN Range", ObjectKind: "dn_range", ObjectID: id,
			ObjectName: r.Start + "-" + r.End, CompanyID: companyID, SiteID: siteID, After: r})
	})
	if err != nil {
		return Range{}, err
	}
	r.SiteName = siteName
	return r, nil
}

func overlapError(companyID, otherCompany int64, start, end, site, region string) error {
	if otherCompany != companyID {
		return derrors.Conflict("start", "the range overlaps a range already assigned")
	}
	return derrors.Conflict("start", "the range overlaps %s to %s, already assigned to site %q",
		National(start, region), National(end, region), site)
}

// insertBatch is how many numbers go into one INSERT: 6 parameters each stays
// far below both engines' parameter limits.
const insertBatch = 500

func (s *Service) insertNumbers(ctx context.Context, p parsedRange, rangeID, companyID, siteID int64) error {
	q := s.db.Q(ctx)
	for from := 0; from < p.size(); from += insertBatch {
		n := min(insertBatch, p.size()-from)
		args := make([]any, 0, n*5)
		for i := from; i < from+n; i++ {
			args = append(args, p.number(i), rangeID, companyID, siteID, string(StatusAvailable))
		}
		values := strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?),", n), ",")
		if _, err := q.Exec(ctx, "INSERT INTO dn_numbers (e164, range_id, company_id, site_id, status) VALUES "+values, args...); err != nil {
			return err
		}
	}
	return nil
}

const rangeSelect = `SELECT r.id, r.company_id, r.site_id, g.name, r.start_e164, r.end_e164, r.size, r.created_at,
	(SELECT COUNT(*) FROM dn_numbers n WHERE n.range_id = r.id AND n.status = 'assigned')
	FROM dn_ranges r JOIN org_groups g ON g.id = r.site_id`

func scanRange(row interface{ Scan(...any) error }, region string) (Range, error) {
	var r Range
	var created int64
	if err := row.Scan(&r.ID, &r.CompanyID, &r.SiteID, &r.SiteName, &r.Start, &r.End, &r.Size, &created, &r.Assigned); err != nil {
		return r, err
	}
	r.CreatedAt = store.Time(created)
	r.StartNational, r.EndNational = National(r.Start, region), National(r.End, region)
	return r, nil
}

func (s *Service) rangeByID(ctx context.Context, companyID, id int64, region string) (Range, error) {
	r, err := scanRange(s.db.Q(ctx).QueryRow(ctx, rangeSelect+" WHERE r.id = ? AND r.company_id = ?", id, companyID), region)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("range %d: %w", id, derrors.ErrNotFound)
	}
	return r, err
}

// Range returns one range of companyID.
func (s *Service) Range(ctx context.Context, companyID, id int64) (r Range, err error) {
	defer derrors.Wrap(&err, "numbering: range %d", id)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return Range{}, err
	}
	return s.rangeByID(ctx, companyID, id, region)
}

// Ranges lists the DN ranges of a site (the Site Profile's "DN Ranges"), or
// of every site of the company when siteID is 0, in number order.
func (s *Service) Ranges(ctx context.Context, companyID, siteID int64) (out []Range, err error) {
	defer derrors.Wrap(&err, "numbering: ranges of site %d", siteID)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return nil, err
	}
	query, args := rangeSelect+" WHERE r.company_id = ?", []any{companyID}
	if siteID != 0 {
		if _, err := s.site(ctx, companyID, siteID); err != nil {
			return nil, err
		}
		query, args = query+" AND r.site_id = ?", append(args, siteID)
	}
	rows, err := s.db.Q(ctx).Query(ctx, query+" ORDER BY r.start_e164", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRange(rows, region)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// RemoveRange takes a range away from its site with all its numbers. It is
// refused while any number of the range is assigned, so nobody loses a
// working number by accident: release (cease) them first.
func (s *Service) RemoveRange(ctx context.Context, companyID, id int64) (err error) {
	defer derrors.Wrap(&err, "numbering: remove range %d", id)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		r, err := s.rangeByID(ctx, companyID, id, region)
		if err != nil {
			return err
		}
		// Delete the free numbers first and count what is left, so a number
		// assigned concurrently is either deleted before it could be
		// assigned or still here, making the removal fail.
		q := s.db.Q(ctx)
		if _, err := q.Exec(ctx, "DELETE FROM dn_numbers WHERE range_id = ? AND company_id = ? AND status <> 'assigned'", id, companyID); err != nil {
			return err
		}
		var assigned int
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM dn_numbers WHERE range_id = ?", id).Scan(&assigned); err != nil {
			return err
		}
		if assigned > 0 {
			return derrors.Conflict("range", "%d number(s) of the range %s to %s are still assigned: release them before removing the range",
				assigned, r.StartNational, r.EndNational)
		}
		res, err := q.Exec(ctx, "DELETE FROM dn_ranges WHERE id = ? AND company_id = ?", id, companyID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("range %d: %w", id, derrors.ErrNotFound)
		}
		return s.audit.Record(ctx, audit.Event{Event: "Remove DN Range", ObjectKind: "dn_range", ObjectID: id,
			ObjectName: r.Start + "-" + r.End, CompanyID: companyID, SiteID: r.SiteID, Before: r})
	})
}
