package calls

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// The Call Logs of the Business Portal (docs/cdr.md, "Call Logs"): one
// search (object, traffic, direction, status, date range) read through five
// views — graph, list, type, top 10 and export. Every view takes the actor
// and answers only what the actor may see.

// ObjectKind is what a search is about.
type ObjectKind string

const (
	ObjectPlatform       ObjectKind = "platform"
	ObjectCompany        ObjectKind = "company"
	ObjectSite           ObjectKind = "site"
	ObjectUser           ObjectKind = "user"
	ObjectBusinessNumber ObjectKind = "business_number"
	ObjectCallingNumber  ObjectKind = "calling_number"
)

// Search is the Call Logs search bar.
type Search struct {
	// Object is what the calls are of; empty: the actor's own widest
	// object (the platform, their company, the first site they
	// administer, themselves).
	Object ObjectKind
	// ID is the company, site or user (employee id) searched.
	ID int64
	// Username names the user when ID is 0.
	Username string
	// Number is the business or calling number searched, full or partial.
	Number string
	// Traffic, Direction and Status filter the calls; 0 is any.
	Traffic   Traffic
	Direction Direction
	Status    Status
	// From and To are the first and last day (YYYY-MM-DD) in the viewer's
	// zone; empty: the current month.
	From, To string
	// TimeZone is the viewer's IANA zone; empty: UTC.
	TimeZone string
}

// maxRangeDays bounds a search's date range.
const maxRangeDays = 3700

var numberSearch = func(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, c := range s {
		if !strings.ContainsRune("+0123456789*#", c) {
			return false
		}
	}
	return true
}

// ParseSearch reads a search from query parameters (object, id, username,
// number, traffic, direction, status, from, to, tz), the same for the API
// and the pages. Each bad value is a field error the user can act on.
func ParseSearch(v url.Values) (Search, error) {
	var q Search
	verr := &derrors.ValidationError{}
	q.Object = ObjectKind(strings.TrimSpace(v.Get("object")))
	switch q.Object {
	case "", ObjectPlatform, ObjectCompany, ObjectSite, ObjectUser, ObjectBusinessNumber, ObjectCallingNumber:
	default:
		verr.Add("object", "%q is not an object: use platform, company, site, user, business_number or calling_number", q.Object)
	}
	if s := strings.TrimSpace(v.Get("id")); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			verr.Add("id", "%q is not an id", s)
		}
		q.ID = id
	}
	q.Username = strings.TrimSpace(v.Get("username"))
	q.Number = strings.ReplaceAll(strings.TrimSpace(v.Get("number")), " ", "")
	switch q.Object {
	case ObjectCompany, ObjectSite:
		if q.ID == 0 {
			verr.Add("id", "choose the %s to search", q.Object)
		}
	case ObjectUser:
		if q.ID == 0 && q.Username == "" {
			verr.Add("username", "give the username of the user to search")
		}
	case ObjectBusinessNumber, ObjectCallingNumber:
		if !numberSearch(q.Number) {
			verr.Add("number", "give all or part of a telephone number: up to 32 digits, with + * # allowed")
		}
	}
	if s := strings.TrimSpace(v.Get("traffic")); s != "" && s != "any" && s != "all" {
		q.Traffic = 0
		for _, t := range Traffics {
			if t.String() == s {
				q.Traffic = t
			}
		}
		if q.Traffic == 0 {
			verr.Add("traffic", "%q is not a traffic type: use international, premium_rate, non_geographic, mobile, national, off_net, on_net or any", s)
		}
	}
	switch s := strings.TrimSpace(v.Get("direction")); s {
	case "", "any":
	case "outbound":
		q.Direction = Outbound
	case "inbound":
		q.Direction = Inbound
	default:
		verr.Add("direction", "%q is not a direction: use outbound, inbound or any", s)
	}
	switch s := strings.TrimSpace(v.Get("status")); s {
	case "", "any":
	case "answered":
		q.Status = Answered
	case "unanswered":
		q.Status = Unanswered
	default:
		verr.Add("status", "%q is not a status: use answered, unanswered or any", s)
	}
	q.From, q.To, q.TimeZone = strings.TrimSpace(v.Get("from")), strings.TrimSpace(v.Get("to")), strings.TrimSpace(v.Get("tz"))
	if len(verr.Fields) > 0 {
		return q, verr
	}
	return q, nil
}

// Values is the search as query parameters (for links that keep it).
func (q Search) Values() url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("object", string(q.Object))
	if q.ID != 0 {
		v.Set("id", strconv.FormatInt(q.ID, 10))
	}
	set("username", q.Username)
	set("number", q.Number)
	if q.Traffic != 0 {
		v.Set("traffic", q.Traffic.String())
	}
	if q.Direction != 0 {
		v.Set("direction", q.Direction.String())
	}
	if q.Status != 0 {
		v.Set("status", q.Status.String())
	}
	set("from", q.From)
	set("to", q.To)
	set("tz", q.TimeZone)
	return v
}

// logScope is a search resolved for one actor: whose calls, which filters,
// which instants.
type logScope struct {
	// kind and id name the roll-up scope; kind is 0 for a number search,
	// which reads the calls themselves.
	kind int16
	id   int64
	// base is the SQL condition on calls selecting the scope, with args.
	base     string
	baseArgs []any
	// numberColumn and number are a number search's condition.
	numberColumn, number string
	traffic, direction   int16
	status               int16
	from, to             time.Time // [from, to) in loc
	loc                  *time.Location
	// Title names what was searched ("Acme Ltd", "Leeds", "alice").
	title string
}

// Resolved describes a search as it was understood: the object, its name,
// the range and zone. Every view returns it, so a page can show it.
type Resolved struct {
	Object   ObjectKind `json:"object"`
	ID       int64      `json:"id,omitempty"`
	Title    string     `json:"title"`
	From     string     `json:"from"`
	To       string     `json:"to"`
	TimeZone string     `json:"time_zone"`
}

func (sc *logScope) resolved(obj ObjectKind, id int64) Resolved {
	return Resolved{Object: obj, ID: id, Title: sc.title, From: sc.from.Format(time.DateOnly),
		To: sc.to.AddDate(0, 0, -1).Format(time.DateOnly), TimeZone: sc.loc.String()}
}

// resolve decides what actor may see of the search and how to read it.
// Another tenant's company, site or user answers ErrNotFound, exactly
// like a missing one.
func (s *Service) resolve(ctx context.Context, actor access.Actor, q *Search) (*logScope, error) {
	loc, err := Zone(q.TimeZone)
	if err != nil {
		return nil, err
	}
	sc := &logScope{loc: loc, traffic: int16(q.Traffic), direction: int16(q.Direction), status: int16(q.Status)}
	if err := sc.setRange(q.From, q.To, time.Now()); err != nil {
		return nil, err
	}
	if q.Object == "" {
		if err := s.defaultObject(ctx, actor, q); err != nil {
			return nil, err
		}
	}
	switch q.Object {
	case ObjectPlatform:
		if actor.Role != access.RoleProvider {
			return nil, derrors.Forbidden("only the service provider's operators see the whole platform's calls; choose a company")
		}
		sc.kind, sc.id, sc.title = scopeProvider, actor.ProviderID, "Platform"
		sc.base, sc.baseArgs = "provider_id = ?", []any{actor.ProviderID}
	case ObjectCompany:
		if err := s.access.Check(ctx, actor, access.ViewCompanyDashboard, access.Company(q.ID)); err != nil {
			return nil, err
		}
		sc.kind, sc.id = scopeCompany, q.ID
		sc.base, sc.baseArgs = "company_id = ?", []any{q.ID}
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT name FROM companies WHERE id = ?", q.ID).Scan(&sc.title); err != nil {
			return nil, fmt.Errorf("calls: company %d: %w", q.ID, err)
		}
	case ObjectSite:
		if _, err := s.access.CheckSite(ctx, actor, access.ViewGroup, q.ID); err != nil {
			return nil, err
		}
		sc.kind, sc.id = scopeSite, q.ID
		sc.base, sc.baseArgs = "site_id = ?", []any{q.ID}
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT name FROM org_groups WHERE id = ?", q.ID).Scan(&sc.title); err != nil {
			return nil, fmt.Errorf("calls: site %d: %w", q.ID, err)
		}
	case ObjectUser:
		if q.ID == 0 {
			err := s.db.Q(ctx).QueryRow(ctx, "SELECT id FROM accounts WHERE username = ? AND company_id IS NOT NULL", q.Username).Scan(&q.ID)
			if errors.Is(err, sql.ErrNoRows) {
				return nil, fmt.Errorf("calls: user %q: %w", q.Username, derrors.ErrNotFound)
			}
			if err != nil {
				return nil, fmt.Errorf("calls: user %q: %w", q.Username, err)
			}
		}
		if err := s.access.Check(ctx, actor, access.ViewEmployee, access.Employee(q.ID)); err != nil {
			return nil, err
		}
		sc.kind, sc.id = scopeEmployee, q.ID
		sc.base, sc.baseArgs = "employee_id = ?", []any{q.ID}
		if err := s.db.Q(ctx).QueryRow(ctx, "SELECT username FROM accounts WHERE id = ?", q.ID).Scan(&sc.title); err != nil {
			return nil, fmt.Errorf("calls: user %d: %w", q.ID, err)
		}
	case ObjectBusinessNumber, ObjectCallingNumber:
		if err := s.numberScope(ctx, actor, sc); err != nil {
			return nil, err
		}
		sc.numberColumn, sc.number = "business_number", q.Number
		if q.Object == ObjectCallingNumber {
			sc.numberColumn = "calling"
		}
		sc.title = q.Number
	}
	return sc, nil
}

// defaultObject is what a search without an object shows the actor.
func (s *Service) defaultObject(ctx context.Context, actor access.Actor, q *Search) error {
	switch actor.Role {
	case access.RoleProvider:
		q.Object = ObjectPlatform
	case access.RoleCompanyAdmin:
		q.Object, q.ID = ObjectCompany, actor.CompanyID
	case access.RoleGroupAdmin:
		sites, err := s.administeredSites(ctx, actor)
		if err != nil {
			return err
		}
		q.Object, q.ID = ObjectUser, actor.AccountID
		if len(sites) > 0 {
			q.Object, q.ID = ObjectSite, sites[0]
		}
	case access.RoleEmployee:
		q.Object, q.ID = ObjectUser, actor.AccountID
	default:
		return derrors.Invalid("object", "choose a company to search")
	}
	return nil
}

// administeredSites are the sites a group admin administers as a whole.
func (s *Service) administeredSites(ctx context.Context, actor access.Actor) ([]int64, error) {
	scope, err := s.access.Scope(ctx, actor)
	if err != nil {
		return nil, err
	}
	if len(scope.GroupPaths) == 0 {
		return nil, nil
	}
	rows, err := s.db.Q(ctx).Query(ctx, "SELECT id FROM org_groups WHERE company_id = ? AND is_site = ? AND path IN ("+store.Placeholders(len(scope.GroupPaths))+") ORDER BY name, id",
		append([]any{actor.CompanyID, true}, anySlice(scope.GroupPaths)...)...)
	if err != nil {
		return nil, fmt.Errorf("calls: administered sites: %w", err)
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

func anySlice[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// numberScope is where a number search looks: everything the actor sees
// (the platform, a reseller's companies, the company, the sites a group
// admin administers, the employee's own calls).
func (s *Service) numberScope(ctx context.Context, actor access.Actor, sc *logScope) error {
	switch actor.Role {
	case access.RoleProvider:
		sc.base, sc.baseArgs = "provider_id = ?", []any{actor.ProviderID}
	case access.RoleReseller:
		sc.base, sc.baseArgs = "provider_id = ? AND company_id IN (SELECT id FROM companies WHERE reseller_id = ?)", []any{actor.ProviderID, actor.ResellerID}
	case access.RoleCompanyAdmin:
		sc.base, sc.baseArgs = "company_id = ?", []any{actor.CompanyID}
	case access.RoleGroupAdmin:
		sites, err := s.administeredSites(ctx, actor)
		if err != nil {
			return err
		}
		if len(sites) == 0 {
			sc.base, sc.baseArgs = "employee_id = ?", []any{actor.AccountID}
			return nil
		}
		sc.base, sc.baseArgs = "company_id = ? AND site_id IN ("+store.Placeholders(len(sites))+")", append([]any{actor.CompanyID}, anySlice(sites)...)
	case access.RoleEmployee:
		sc.base, sc.baseArgs = "employee_id = ?", []any{actor.AccountID}
	default:
		return derrors.ErrForbidden
	}
	return nil
}

// setRange reads the date range in the viewer's zone: from the first
// day's midnight to the midnight after the last day.
func (sc *logScope) setRange(from, to string, now time.Time) error {
	verr := &derrors.ValidationError{}
	day := func(field, s string) time.Time {
		t, err := time.ParseInLocation(time.DateOnly, s, sc.loc)
		if err != nil {
			verr.Add(field, "%q is not a date: use YYYY-MM-DD", s)
		}
		return t
	}
	local := now.In(sc.loc)
	var f, t time.Time
	switch {
	case from == "" && to == "":
		f = time.Date(local.Year(), local.Month(), 1, 0, 0, 0, 0, sc.loc)
		t = f.AddDate(0, 1, 0)
	case from == "":
		t = day("to", to).AddDate(0, 0, 1)
		f = time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, sc.loc)
		if !f.Before(t) {
			f = f.AddDate(0, -1, 0)
		}
	case to == "":
		f = day("from", from)
		t = f.AddDate(0, 1, 0)
	default:
		f, t = day("from", from), day("to", to).AddDate(0, 0, 1)
	}
	if len(verr.Fields) > 0 {
		return verr
	}
	if !f.Before(t) {
		return derrors.Invalid("to", "the last day (%s) is before the first (%s)", to, from)
	}
	if t.Sub(f) > maxRangeDays*24*time.Hour {
		return derrors.Invalid("from", "a search covers at most %d days; narrow the date range", maxRangeDays)
	}
	sc.from, sc.to = f, t
	return nil
}

// rawWhere is the condition on calls for the search (scope, filters,
// number, range), with its arguments.
func (sc *logScope) rawWhere(db *store.DB) (string, []any) {
	w := []string{sc.base, "start_at >= ?", "start_at < ?"}
	args := append(append([]any{}, sc.baseArgs...), sc.from.UnixMilli(), sc.to.UnixMilli())
	w, args = sc.filters(w, args)
	if sc.number != "" {
		w = append(w, db.Contains(sc.numberColumn))
		args = append(args, sc.number)
	}
	return strings.Join(w, " AND "), args
}

// rollupFilters is filters for call_scope_rollups: with no filter at all
// the bucket's "all traffic" row answers alone; any filter compares with
// the detailed rows (whose codes are never 0).
func (sc *logScope) rollupFilters(w []string, args []any) ([]string, []any) {
	if sc.traffic == 0 && sc.direction == 0 && sc.status == 0 {
		return append(w, "direction = 0"), args
	}
	return sc.filters(w, args)
}

func (sc *logScope) filters(w []string, args []any) ([]string, []any) {
	if sc.traffic != 0 {
		w, args = append(w, "traffic = ?"), append(args, sc.traffic)
	}
	if sc.direction != 0 {
		w, args = append(w, "direction = ?"), append(args, sc.direction)
	}
	if sc.status != 0 {
		w, args = append(w, "status = ?"), append(args, sc.status)
	}
	return w, args
}

// useHourly says whether a range is read from the hourly roll-ups (exact
// in any whole-hour zone) or the daily ones (docs/cdr.md).
func useHourly(from, to time.Time) bool { return to.Sub(from) <= 92*24*time.Hour }

// bucketSum is calls and seconds at one UTC instant (an hour or a day).
type bucketSum struct {
	at             int64
	calls, seconds int64
}

// series reads the calls of [from, to) per UTC hour or day: from the
// roll-ups for an object, from the calls themselves for a number search.
// A daily bucket stands at its UTC noon, so it falls in the viewer's day
// in zones within twelve hours of UTC.
func (s *Service) series(ctx context.Context, sc *logScope, from, to time.Time) ([]bucketSum, error) {
	var query string
	var args []any
	switch {
	case sc.kind == 0:
		where, wargs := (&logScope{base: sc.base, baseArgs: sc.baseArgs, from: from, to: to, traffic: sc.traffic, direction: sc.direction,
			status: sc.status, number: sc.number, numberColumn: sc.numberColumn}).rawWhere(s.db)
		query = "SELECT (start_at / 3600000) * 3600000 AS b, COUNT(*), COALESCE(SUM(billsec), 0) FROM calls WHERE " + where + " GROUP BY (start_at / 3600000) * 3600000"
		args = wargs
	case useHourly(from, to):
		w, a := sc.rollupFilters([]string{"scope_kind = ?", "scope_id = ?", "granularity = ?", "bucket_start >= ?", "bucket_start < ?"},
			[]any{sc.kind, sc.id, Hourly, from.UnixMilli(), to.UnixMilli()})
		query = "SELECT bucket_start, SUM(calls), SUM(seconds) FROM call_scope_rollups WHERE " + strings.Join(w, " AND ") + " GROUP BY bucket_start"
		args = a
	default:
		half := dayMS / 2
		w, a := sc.rollupFilters([]string{"scope_kind = ?", "scope_id = ?", "granularity = ?", "bucket_start >= ?", "bucket_start < ?"},
			[]any{sc.kind, sc.id, Daily, from.UnixMilli() - half, to.UnixMilli() - half})
		query = "SELECT bucket_start + " + strconv.FormatInt(half, 10) + ", SUM(calls), SUM(seconds) FROM call_scope_rollups WHERE " + strings.Join(w, " AND ") + " GROUP BY bucket_start"
		args = a
	}
	rows, err := s.db.Q(ctx).Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("calls: call log series: %w", err)
	}
	defer rows.Close()
	var out []bucketSum
	for rows.Next() {
		var b bucketSum
		if err := rows.Scan(&b.at, &b.calls, &b.seconds); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// ObjectOption is one choice of the search bar's Object.
type ObjectOption struct {
	Kind  ObjectKind `json:"kind"`
	ID    int64      `json:"id,omitempty"`
	Label string     `json:"label"`
	// Term says the choice needs a username or a number typed.
	Term bool `json:"term,omitempty"`
}

// maxObjectOptions bounds the companies or sites listed as choices;
// beyond it the caller picks by other means (a company's own page).
const maxObjectOptions = 200

// CallLogObjects are the Object choices the actor's role and scope allow,
// for the search bar: operators the platform and their companies; company
// admins their company and its sites; group admins the sites they
// administer; everyone a user by username (within what they may view) and
// a business or calling number (within the calls they may see), employees
// only themselves and numbers among their own calls.
func (s *Service) CallLogObjects(ctx context.Context, actor access.Actor) ([]ObjectOption, error) {
	var out []ObjectOption
	list := func(kind ObjectKind, query string, args ...any) error {
		rows, err := s.db.Q(ctx).Query(ctx, query+" LIMIT "+strconv.Itoa(maxObjectOptions), args...)
		if err != nil {
			return fmt.Errorf("calls: call log objects: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			o := ObjectOption{Kind: kind}
			if err := rows.Scan(&o.ID, &o.Label); err != nil {
				return err
			}
			out = append(out, o)
		}
		return rows.Err()
	}
	var err error
	switch actor.Role {
	case access.RoleProvider:
		out = append(out, ObjectOption{Kind: ObjectPlatform, Label: "Platform"})
		err = list(ObjectCompany, "SELECT id, name FROM companies WHERE provider_id = ? ORDER BY name, id", actor.ProviderID)
	case access.RoleReseller:
		err = list(ObjectCompany, "SELECT id, name FROM companies WHERE provider_id = ? AND reseller_id = ? ORDER BY name, id", actor.ProviderID, actor.ResellerID)
	case access.RoleCompanyAdmin:
		if err = list(ObjectCompany, "SELECT id, name FROM companies WHERE id = ?", actor.CompanyID); err == nil {
			err = list(ObjectSite, "SELECT id, name FROM org_groups WHERE company_id = ? AND is_site = ? ORDER BY name, id", actor.CompanyID, true)
		}
	case access.RoleGroupAdmin:
		var sites []int64
		if sites, err = s.administeredSites(ctx, actor); err == nil && len(sites) > 0 {
			err = list(ObjectSite, "SELECT id, name FROM org_groups WHERE id IN ("+store.Placeholders(len(sites))+") ORDER BY name, id", anySlice(sites)...)
		}
	}
	if err != nil {
		return nil, err
	}
	if actor.Role.IsCompanyRole() {
		out = append(out, ObjectOption{Kind: ObjectUser, ID: actor.AccountID, Label: "Me (" + actor.Username + ")"})
	}
	if actor.Role != access.RoleEmployee {
		out = append(out, ObjectOption{Kind: ObjectUser, Label: "User (by username)", Term: true})
	}
	out = append(out, ObjectOption{Kind: ObjectBusinessNumber, Label: "Business Number", Term: true},
		ObjectOption{Kind: ObjectCallingNumber, Label: "Calling Number", Term: true})
	return out, nil
}
