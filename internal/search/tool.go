package search

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Outcome is what a Search Tool search found.
type Outcome string

const (
	// OutcomeFound: the match is shown.
	OutcomeFound Outcome = "found"
	// OutcomeUnassigned: the number is in one of the actor's company's DN
	// ranges but belongs to no user and no group function.
	OutcomeUnassigned Outcome = "unassigned"
	// OutcomeNoPermission: the match is in a company the actor may not
	// view; nothing else about it is said.
	OutcomeNoPermission Outcome = "no_permission"
	// OutcomeNotFound: nothing matches.
	OutcomeNotFound Outcome = "not_found"
)

// MessageNoPermission is the portal's answer to a match the actor may not see.
const MessageNoPermission = "You do not have permission to view this"

// Owner types as the portal's Search Tool shows them.
const (
	TypeUser = "User"
	TypeEGF  = "EGF"
)

// NumberResult is the Search Tool's answer to a telephone number. Only
// Outcome and Message are set unless the outcome is found or unassigned.
type NumberResult struct {
	Outcome Outcome    `json:"outcome"`
	Message string     `json:"message"`
	Number  *NumberRef `json:"number,omitempty"`
	Company *Ref       `json:"company,omitempty"`
	Site    *Ref       `json:"site,omitempty"`
	// Type is User or EGF (an enhanced group function: hunt group, auto
	// attendant …) for an assigned number.
	Type string `json:"type,omitempty"`
	// Owner is the employee (Type User, ID the employee id) or the group
	// function holding the number.
	Owner *Ref `json:"owner,omitempty"`
}

// FindNumber is the Search Tool's "Search by Telephone Number": number in
// E.164 or national form, looked up across the actor's whole provider.
//
// A number in a company the actor may not view answers no_permission and
// nothing else, whether it is assigned or not: saying "unassigned" would
// tell another company's number plan (docs/search.md). Only the actors who
// may use the Search Tool may ask.
func (s *Service) FindNumber(ctx context.Context, actor access.Actor, number string) (res NumberResult, err error) {
	defer derrors.Wrap(&err, "search: number %q", number)
	if err := s.toolAllowed(ctx, actor); err != nil {
		return NumberResult{}, err
	}
	number = strings.TrimSpace(number)
	if number == "" {
		return NumberResult{}, derrors.Invalid("number", "enter the telephone number to find, as +44… (E.164) or in the national form 0…")
	}
	if len(number) > 32 {
		return NumberResult{}, derrors.Invalid("number", "a telephone number has at most 32 characters")
	}
	n, err := s.numbering.Lookup(ctx, actor.ProviderID, number)
	if derrors.IsNotFound(err) {
		return NumberResult{Outcome: OutcomeNotFound, Message: fmt.Sprintf("No match found: %s is not a number of any site", number)}, nil
	}
	if err != nil {
		return NumberResult{}, err
	}
	if err := s.access.Check(ctx, actor, access.ViewCompany, access.Company(n.CompanyID)); err != nil {
		if derrors.IsNotFound(err) {
			return NumberResult{Outcome: OutcomeNoPermission, Message: MessageNoPermission}, nil
		}
		return NumberResult{}, err
	}
	var companyName string
	if err := s.db.Q(ctx).QueryRow(ctx, "SELECT name FROM companies WHERE id = ?", n.CompanyID).Scan(&companyName); err != nil {
		return NumberResult{}, err
	}
	res = NumberResult{Number: &NumberRef{E164: n.E164, National: n.National}, Company: &Ref{ID: n.CompanyID, Name: companyName},
		Site: &Ref{ID: n.SiteID, Name: n.SiteName}}
	if n.Owner == nil {
		res.Outcome = OutcomeUnassigned
		res.Message = fmt.Sprintf("%s is in a DN range of site %s but is not assigned to a user or a group function", n.National, n.SiteName)
		return res, nil
	}
	res.Outcome = OutcomeFound
	res.Owner = &Ref{ID: n.Owner.ID, Name: n.Owner.Name}
	res.Type = TypeUser
	if n.Owner.Kind == numbering.OwnerEGF {
		res.Type = TypeEGF
	}
	res.Message = fmt.Sprintf("%s belongs to %s", n.National, n.Owner.Name)
	return res, nil
}

// NameQuery is the Search Tool's "Search by First and Last Name". The names
// take wildcards: * any run of characters, ? one character; a name left
// empty matches any. Company optionally limits the search to companies whose
// name matches (wildcards too).
type NameQuery struct {
	FirstName string
	LastName  string
	Company   string
}

// NameMatch is one employee the name search found.
type NameMatch struct {
	ID        int64      `json:"id"`
	Username  string     `json:"username"`
	FirstName string     `json:"first_name"`
	LastName  string     `json:"last_name"`
	Company   Ref        `json:"company"`
	Site      *Ref       `json:"site"`
	Number    *NumberRef `json:"number"`
}

// NameResult is the answer of a name search: the matches the actor may view,
// their total, and whether there were matches in companies the actor may not
// view (without how many, or who, or where).
type NameResult struct {
	Outcome Outcome     `json:"outcome"`
	Message string      `json:"message"`
	Items   []NameMatch `json:"items"`
	Total   int         `json:"total"`
	Page    int         `json:"page"`
	PerPage int         `json:"per_page"`
	// Hidden is true when some match is in a company the actor may not view.
	Hidden bool `json:"hidden"`
}

// pattern turns a name with * and ? wildcards into a LIKE pattern
// (ESCAPE '\') on the lower-cased column; empty matches anything.
func pattern(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > MaxQuery {
		return "", derrors.Invalid(field, "at most %d characters", MaxQuery)
	}
	if s == "" {
		return "%", nil
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch r {
		case '*':
			b.WriteByte('%')
		case '?':
			b.WriteByte('_')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}

// visibleCond is the SQL condition (on companies c) of the companies actor
// may view: the whole provider for its operators, the reseller's companies
// for a reseller admin, one's own company otherwise.
func visibleCond(actor access.Actor) (string, []any) {
	switch actor.Role {
	case access.RoleProvider:
		return "1 = 1", nil
	case access.RoleReseller:
		return "c.reseller_id = ?", []any{actor.ResellerID}
	}
	return "c.id = ?", []any{actor.CompanyID}
}

// FindNames is the Search Tool's name search across the actor's provider,
// for the actors who may use the Search Tool.
func (s *Service) FindNames(ctx context.Context, actor access.Actor, nq NameQuery, p store.Page) (res NameResult, err error) {
	defer derrors.Wrap(&err, "search: names %q %q", nq.FirstName, nq.LastName)
	if err := s.toolAllowed(ctx, actor); err != nil {
		return NameResult{}, err
	}
	p = p.Normalize()
	v := &derrors.ValidationError{}
	first, err1 := pattern("first_name", nq.FirstName)
	last, err2 := pattern("last_name", nq.LastName)
	company, err3 := pattern("company", nq.Company)
	for _, e := range []error{err1, err2, err3} {
		var fe *derrors.ValidationError
		if errors.As(e, &fe) {
			v.Fields = append(v.Fields, fe.Fields...)
		}
	}
	if err := v.Err(); err != nil {
		return NameResult{}, err
	}
	if strings.Trim(first+last, "%_") == "" {
		return NameResult{}, derrors.Invalid("last_name", "enter at least one letter of a first name or a last name (* and ? are wildcards)")
	}
	where := ` FROM accounts a JOIN companies c ON c.id = a.company_id LEFT JOIN org_groups s ON s.id = a.site_id
		WHERE c.provider_id = ? AND lower(a.first_name) LIKE ? ESCAPE '\' AND lower(a.last_name) LIKE ? ESCAPE '\'`
	args := []any{actor.ProviderID, first, last}
	if company != "%" {
		where += ` AND lower(c.name) LIKE ? ESCAPE '\'`
		args = append(args, company)
	}
	vis, visArgs := visibleCond(actor)
	q := s.db.Q(ctx)
	res = NameResult{Items: []NameMatch{}, Page: p.Page, PerPage: p.PerPage}
	var hidden int
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+where+" AND NOT ("+vis+")", append(append([]any{}, args...), visArgs...)...).Scan(&hidden); err != nil {
		return NameResult{}, err
	}
	res.Hidden = hidden > 0
	where += " AND " + vis
	args = append(args, visArgs...)
	if err := q.QueryRow(ctx, "SELECT COUNT(*)"+where, args...).Scan(&res.Total); err != nil {
		return NameResult{}, err
	}
	rows, err := q.Query(ctx, "SELECT a.id, a.username, a.first_name, a.last_name, c.id, c.name, COALESCE(a.site_id, 0), COALESCE(s.name, ''), p.default_region"+
		strings.Replace(where, " JOIN companies c ON c.id = a.company_id", " JOIN companies c ON c.id = a.company_id JOIN providers p ON p.id = c.provider_id", 1)+
		" ORDER BY lower(a.last_name), lower(a.first_name), a.id LIMIT ? OFFSET ?", append(args, p.Limit(), p.Offset())...)
	if err != nil {
		return NameResult{}, err
	}
	defer rows.Close()
	var region string
	for rows.Next() {
		var m NameMatch
		var siteID int64
		var siteName string
		if err := rows.Scan(&m.ID, &m.Username, &m.FirstName, &m.LastName, &m.Company.ID, &m.Company.Name, &siteID, &siteName, &region); err != nil {
			return NameResult{}, err
		}
		if siteID != 0 {
			m.Site = &Ref{ID: siteID, Name: siteName}
		}
		res.Items = append(res.Items, m)
	}
	if err := rows.Err(); err != nil {
		return NameResult{}, err
	}
	rows.Close()
	if err := s.fillNameNumbers(ctx, region, res.Items); err != nil {
		return NameResult{}, err
	}
	switch {
	case res.Total > 0:
		res.Outcome = OutcomeFound
		res.Message = fmt.Sprintf("%d matching employees", res.Total)
		if res.Total == 1 {
			res.Message = "1 matching employee"
		}
		if res.Hidden {
			res.Message += "; other matches are in a company you do not have permission to view"
		}
	case res.Hidden:
		res.Outcome, res.Message = OutcomeNoPermission, MessageNoPermission
	default:
		res.Outcome, res.Message = OutcomeNotFound, "No match found"
	}
	return res, nil
}

// fillNameNumbers sets each match's first assigned number.
func (s *Service) fillNameNumbers(ctx context.Context, region string, ms []NameMatch) error {
	if len(ms) == 0 {
		return nil
	}
	at := map[int64]int{}
	marks := make([]string, len(ms))
	args := make([]any, len(ms))
	for i, m := range ms {
		at[m.ID] = i
		marks[i], args[i] = "?", m.ID
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT owner_id, e164 FROM dn_numbers WHERE owner_kind = 'user' AND status = 'assigned' AND owner_id IN ("+
		strings.Join(marks, ", ")+") ORDER BY e164", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var e164 string
		if err := rows.Scan(&id, &e164); err != nil {
			return err
		}
		if m := &ms[at[id]]; m.Number == nil {
			m.Number = &NumberRef{E164: e164, National: numbering.National(e164, region)}
		}
	}
	return rows.Err()
}
