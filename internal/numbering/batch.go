package numbering

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The look-ups below serve actions on many employees at once (an
// activation of up to a few hundred): each reads what the whole batch needs
// in a constant number of statements, and the caller checks every row in Go
// (docs/lifecycle.md, "Cost of an activation").

// FreeNumbers lists up to limit free numbers of a site in the order they
// are handed out (never-used first in number order, then returned ones,
// longest returned first), in one statement.
func (s *Service) FreeNumbers(ctx context.Context, companyID, siteID int64, limit int) (out []Number, err error) {
	defer derrors.Wrap(&err, "numbering: free numbers of site %d", siteID)
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return nil, err
	}
	return s.queryNumbers(ctx, region, numberSelect+" WHERE n.company_id = ? AND n.site_id = ? AND n.status IN ('available', 'returned')"+
		nextFreeOrder+" LIMIT ?", companyID, siteID, limit)
}

// NumbersOf returns the numbers of companyID's pool among e164s (E.164
// form), keyed by E.164; a number missing from the map is in no range of
// the company. One statement per batch.
func (s *Service) NumbersOf(ctx context.Context, companyID int64, e164s []string) (out map[string]Number, err error) {
	defer derrors.Wrap(&err, "numbering: numbers of company %d", companyID)
	out = map[string]Number{}
	if len(e164s) == 0 {
		return out, nil
	}
	_, region, err := s.companyRegion(ctx, companyID)
	if err != nil {
		return nil, err
	}
	args := []any{companyID}
	for _, e := range e164s {
		args = append(args, e)
	}
	ns, err := s.queryNumbers(ctx, region, numberSelect+" WHERE n.company_id = ? AND n.e164 IN ("+store.Placeholders(len(e164s))+")", args...)
	if err != nil {
		return nil, err
	}
	for _, n := range ns {
		out[n.E164] = n
	}
	return out, nil
}

// ExtensionRules checks and proposes extensions at one site for many
// owners at once: the site's policy, the refused codes and the holders of
// the candidate extensions, read once by SiteExtensionRules.
type ExtensionRules struct {
	Policy  ExtensionPolicy
	Refused []RefusedExtension
	// held maps the extensions read to their holders.
	held map[string]Owner
}

// SiteExtensionRules reads what checking candidates (and, with a range
// policy, proposing any extension of the range) at siteID needs: four
// statements whatever the number of candidates.
func (s *Service) SiteExtensionRules(ctx context.Context, companyID, siteID int64, candidates []string) (r *ExtensionRules, err error) {
	defer derrors.Wrap(&err, "numbering: extension rules of site %d", siteID)
	r = &ExtensionRules{held: map[string]Owner{}}
	if r.Policy, err = s.ExtensionPolicy(ctx, companyID, siteID); err != nil {
		return nil, err
	}
	if r.Refused, err = s.companyRefused(ctx, companyID); err != nil {
		return nil, err
	}
	query := "SELECT extension, owner_kind, owner_id, owner_name FROM extensions WHERE company_id = ? AND "
	args := []any{companyID}
	var conds []string
	if len(candidates) > 0 {
		conds = append(conds, "extension IN ("+store.Placeholders(len(candidates))+")")
		for _, c := range candidates {
			args = append(args, strings.TrimSpace(c))
		}
	}
	if r.Policy.Mode == ModeRange {
		conds = append(conds, "(extension >= ? AND extension <= ?)")
		args = append(args, r.Policy.RangeFrom, r.Policy.RangeTo)
	}
	if len(conds) == 0 {
		return r, nil
	}
	rows, err := s.db.Q(ctx).Query(ctx, query+"("+strings.Join(conds, " OR ")+")", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var x string
		var o Owner
		if err := rows.Scan(&x, &o.Kind, &o.ID, &o.Name); err != nil {
			return nil, err
		}
		r.held[x] = o
	}
	return r, rows.Err()
}

// Check is ValidateExtension for an extension read by SiteExtensionRules
// (any other is taken to be free): the same rules, the same messages.
func (r *ExtensionRules) Check(ext string, exclude Owner) error {
	ext = strings.TrimSpace(ext)
	switch {
	case ext == "":
		return derrors.Invalid("extension", "enter an extension")
	case onlyDigits(ext) != ext:
		return derrors.Invalid("extension", "an extension is digits only; %q is not", ext)
	case len(ext) != r.Policy.Length:
		return derrors.Invalid("extension", "extensions at this site have %d digits; %s has %d", r.Policy.Length, ext, len(ext))
	}
	if reason := refusedReason(r.Refused, ext); reason != "" {
		return derrors.Invalid("extension", "extension %s is reserved: %s", ext, reason)
	}
	if held, ok := r.held[ext]; ok && !(held.Kind == exclude.Kind && held.ID == exclude.ID) {
		return derrors.Conflict("extension", "extension %s is already used by %s", ext, held.Name)
	}
	return nil
}

// Default is DefaultExtension for number, skipping the extensions in
// planned (proposed to other owners of the same batch).
func (r *ExtensionRules) Default(number string, planned map[string]bool) (string, error) {
	p := r.Policy
	if p.Mode == ModeLastDigits {
		d := onlyDigits(number)
		if len(d) < p.Length {
			return "", derrors.Invalid("number", "choose a telephone number first: the site's extensions are its last %d digits", p.Length)
		}
		x := d[len(d)-p.Length:]
		if err := r.Check(x, Owner{}); err != nil {
			return x, err
		}
		if planned[x] {
			return x, derrors.Invalid("extension", "extension %s is proposed for another selected employee too", x)
		}
		return x, nil
	}
	from, _ := strconv.Atoi(p.RangeFrom)
	to, _ := strconv.Atoi(p.RangeTo)
	for i := from; i <= to; i++ {
		x := fmt.Sprintf("%0*d", p.Length, i)
		if _, held := r.held[x]; !held && !planned[x] && refusedReason(r.Refused, x) == "" {
			return x, nil
		}
	}
	return "", derrors.Conflict("extension", "every extension from %s to %s is taken: enter one yourself or widen the site's range", p.RangeFrom, p.RangeTo)
}
