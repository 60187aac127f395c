package directory

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/mail"
	"github.com/switchboard-voice/switchboard/internal/numbering"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// Employee statuses (Business Portal, docs/glossary.md).
const (
	StatusInactive = "inactive"
	StatusPending  = "pending"
	StatusActive   = "active"
	StatusError    = "error"
)

// Employee is a company's account: a company admin, group admin or employee.
// It never carries the password hash.
type Employee struct {
	ID        int64 `json:"id"`
	CompanyID int64 `json:"company_id"`
	// SiteID is the site the employee was activated at (nil until then).
	SiteID    *int64      `json:"site_id"`
	Username  string      `json:"username"`
	Role      access.Role `json:"role"`
	FirstName string      `json:"first_name"`
	LastName  string      `json:"last_name"`
	Email     string      `json:"email"`
	Phone     string      `json:"phone"`
	Address   Address     `json:"address"`
	Status    string      `json:"status"`
	// Number is the business number assigned to the employee (E.164) and
	// NumberNational the same number as callers in the provider's region
	// dial it; Extension is the employee's extension. All three are empty
	// for an employee without service. Phone above is only the profile's
	// contact number, which the employee may type freely.
	Number         string    `json:"number"`
	NumberNational string    `json:"number_national"`
	Extension      string    `json:"extension"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// DisplayName is "Surname, First name" as the portals list people.
func (e Employee) DisplayName() string {
	switch {
	case e.LastName != "" && e.FirstName != "":
		return e.LastName + ", " + e.FirstName
	case e.LastName != "":
		return e.LastName
	case e.FirstName != "":
		return e.FirstName
	}
	return e.Username
}

// usernameForbidden are the characters the portal names explicitly (docs/decisions.md, "Usernames").
const usernameForbidden = "\"'<>*=@-&"

// ValidateUsername applies the Business Portal's username rules and
// returns the first broken rule as a sentence, or "" when name is valid:
// case-sensitive; no whitespace at the start, end or inside; may contain '.';
// at least 2 characters; none of " ' < > * = @ - & nor any other special
// character. Letters, digits and '.' are what remain allowed.
func ValidateUsername(name string) string {
	if name == "" {
		return "the username is required"
	}
	if !utf8.ValidString(name) {
		return "the username must be valid text"
	}
	first, _ := utf8.DecodeRuneInString(name)
	last, _ := utf8.DecodeLastRuneInString(name)
	switch {
	case unicode.IsSpace(first):
		return "the username cannot start with a whitespace character"
	case unicode.IsSpace(last):
		return "the username cannot end with a whitespace character"
	case strings.IndexFunc(name, unicode.IsSpace) >= 0:
		return "the username cannot contain a whitespace character"
	}
	for _, r := range name {
		if strings.ContainsRune(usernameForbidden, r) {
			return fmt.Sprintf("the username cannot contain %q; use letters, digits and '.'", r)
		}
		if !(r == '.' || (r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)))) {
			return fmt.Sprintf("the username cannot contain the special character %q; use letters, digits and '.'", r)
		}
	}
	if utf8.RuneCountInString(name) < 2 {
		return "the username must be at least 2 characters long"
	}
	if len(name) > 64 {
		return "the username must be at most 64 characters long"
	}
	return ""
}

// searchText is the accounts.search_text of an employee.
func searchText(username, first, last, phone string) string {
	return strings.ToLower(strings.Join([]string{username, first, last, first + " " + last, digits(phone)}, "\t"))
}

// SearchCondition is the condition on accounts a (and its arguments) that
// finds what a user typed among companyID's employees: their names and
// username, and for a number also the business number and extension they
// hold ("0113 496 0085" is +44 113 496 0085 without the trunk prefix; each
// is one uncorrelated look-up). "" when q is empty. Every employee search
// uses it, so they all find the same people.
func SearchCondition(db *store.DB, companyID int64, q string) (string, []any) {
	term := searchTerm(q)
	if term == "" {
		return "", nil
	}
	cond, args := db.Contains("a.search_text"), []any{term}
	if term == digits(q) {
		national := strings.TrimPrefix(term, "0")
		if national == "" {
			national = term
		}
		cond = "(" + cond + " OR a.id IN (SELECT owner_id FROM dn_numbers WHERE company_id = ? AND owner_kind = 'user' AND status = 'assigned' AND " +
			db.Contains("e164") + ") OR a.id IN (SELECT owner_id FROM extensions WHERE company_id = ? AND owner_kind = 'user' AND " +
			db.Contains("extension") + "))"
		args = append(args, companyID, national, companyID, term)
	}
	return cond, args
}

// searchTerm turns what a user typed into the fragment to find in
// search_text: a phone-like entry ("0113 496-0", "+44 113") becomes its
// digits, anything else is lower-cased and trimmed.
func searchTerm(q string) string {
	q = strings.TrimSpace(q)
	if q != "" && strings.Trim(q, "0123456789 +-()") == "" {
		return digits(q)
	}
	return strings.ToLower(q)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+ ()-", r):
		default:
			return false
		}
	}
	return digits >= 3 && digits <= 20
}

// EmployeeCreateRequest is the Add Employee form.
type EmployeeCreateRequest struct {
	Username  string      `json:"username"`
	Password  string      `json:"password"`
	Role      access.Role `json:"role"`
	FirstName string      `json:"first_name"`
	LastName  string      `json:"last_name"`
	Email     string      `json:"email"`
	Phone     string      `json:"phone"`
	Address   Address     `json:"address"`
	// GroupIDs are the groups the new employee joins. A group admin must name
	// at least one group they administer.
	GroupIDs []int64 `json:"group_ids"`
	// PasswordConfirm is a form's second entry of the password, checked
	// with the other fields; nil when the client has none (the API).
	PasswordConfirm *string `json:"-"`
}

// Validate checks every field and reports all broken rules at once. It does
// not judge the password, which identity's policy does.
func (r *EmployeeCreateRequest) Validate() error {
	v := &derrors.ValidationError{}
	if msg := ValidateUsername(r.Username); msg != "" {
		v.Add("username", "%s", msg)
	}
	if r.Role == "" {
		r.Role = access.RoleEmployee
	}
	if !r.Role.IsCompanyRole() {
		v.Add("role", "role must be company_admin, group_admin or employee")
	}
	validatePerson(v, &r.FirstName, &r.LastName, &r.Email, &r.Phone, &r.Address)
	return v.Err()
}

func validatePerson(v *derrors.ValidationError, first, last, email, phone *string, addr *Address) {
	*first, *last = strings.TrimSpace(*first), strings.TrimSpace(*last)
	*email, *phone = strings.TrimSpace(*email), strings.TrimSpace(*phone)
	addr.trim()
	if *first == "" {
		v.Add("first_name", "the first name is required")
	} else if utf8.RuneCountInString(*first) > 64 {
		v.Add("first_name", "the first name must be at most 64 characters")
	}
	if *last == "" {
		v.Add("last_name", "the surname is required")
	} else if utf8.RuneCountInString(*last) > 64 {
		v.Add("last_name", "the surname must be at most 64 characters")
	}
	if *email != "" && !mail.ValidAddress(*email) {
		v.Add("email", "%q is not an e-mail address", *email)
	}
	if *phone != "" && !validPhone(*phone) {
		v.Add("phone", "a phone number may hold only digits, spaces, '+', '(', ')' and '-'")
	}
	addr.validate(v, "address.")
}

// employeeBase are the account's own columns of an employee.
const employeeBase = `a.id, a.company_id, a.site_id, a.username, a.role, a.first_name, a.last_name, a.email, a.phone,
	a.address_line1, a.address_line2, a.city, a.postcode, a.country, a.status, a.created_at, a.updated_at`

// employeeColumns read one employee with the service it holds: the
// assigned number, the extension and the region the number is written in.
// Each subquery is bounded by the employee's own company, so a number or
// extension row of another company can never show up here. Lists read the
// same three through employeeServiceJoins instead.
const employeeColumns = employeeBase + `,
	COALESCE((SELECT MIN(n.e164) FROM dn_numbers n WHERE n.company_id = a.company_id AND n.owner_kind = 'user'
		AND n.owner_id = a.id AND n.status = 'assigned'), ''),
	COALESCE((SELECT MIN(x.extension) FROM extensions x WHERE x.company_id = a.company_id AND x.owner_kind = 'user'
		AND x.owner_id = a.id), ''),
	COALESCE((SELECT p.default_region FROM companies c JOIN providers p ON p.id = c.provider_id WHERE c.id = a.company_id), '')`

// employeeListColumns and employeeServiceJoins read the service of a list
// of employees of one company in the list's query: the company's assigned
// numbers and extensions are grouped by owner once and joined, where a
// subquery per row would search the company's numbers once per employee
// (dn_numbers has no index by owner). The placeholders are the company,
// once in the columns and twice in the joins.
const (
	employeeListColumns = employeeBase + `, COALESCE(svc_n.e164, ''), COALESCE(svc_x.extension, ''),
	COALESCE((SELECT p.default_region FROM companies c JOIN providers p ON p.id = c.provider_id WHERE c.id = ?), '')`
	employeeServiceJoins = `
	LEFT JOIN (SELECT owner_id, MIN(e164) AS e164 FROM dn_numbers WHERE company_id = ? AND owner_kind = 'user' AND status = 'assigned'
		GROUP BY owner_id) svc_n ON svc_n.owner_id = a.id
	LEFT JOIN (SELECT owner_id, MIN(extension) AS extension FROM extensions WHERE company_id = ? AND owner_kind = 'user'
		GROUP BY owner_id) svc_x ON svc_x.owner_id = a.id`
)

func scanEmployee(row interface{ Scan(...any) error }, extra ...any) (Employee, error) {
	var e Employee
	var created, updated int64
	var site sql.NullInt64
	var region string
	a := &e.Address
	err := row.Scan(append([]any{&e.ID, &e.CompanyID, &site, &e.Username, &e.Role, &e.FirstName, &e.LastName, &e.Email, &e.Phone,
		&a.Line1, &a.Line2, &a.City, &a.Postcode, &a.Country, &e.Status, &created, &updated,
		&e.Number, &e.Extension, &region}, extra...)...)
	e.CreatedAt, e.UpdatedAt = store.Time(created), store.Time(updated)
	if e.Number != "" {
		e.NumberNational = numbering.National(e.Number, region)
	}
	if site.Valid {
		e.SiteID = &site.Int64
	}
	return e, err
}

// siteOf is the audit site of an employee (0 before activation).
func siteOf(e Employee) int64 {
	if e.SiteID == nil {
		return 0
	}
	return *e.SiteID
}

// CreateEmployee adds an account to companyID. passwordHash comes from
// identity after its policy accepted the password. The caller has checked
// access.CreateEmployee (and, for the role, access.ChangeEmployeeRole rules).
// It is CreateEmployees with one request, so one account is written exactly
// as an import writes thousands.
func (s *Service) CreateEmployee(ctx context.Context, companyID, providerID int64, req EmployeeCreateRequest, passwordHash string) (Employee, error) {
	if err := req.Validate(); err != nil {
		return Employee{}, err
	}
	es, err := s.createEmployees(ctx, companyID, providerID, []EmployeeCreateRequest{req}, []string{passwordHash})
	if err != nil {
		var be *BatchError
		if errors.As(err, &be) {
			err = be.Rows[0].Err
		}
		return Employee{}, fmt.Errorf("directory: create employee %q: %w", req.Username, err)
	}
	return es[0], nil
}

// Employee returns one employee. Callers check access first.
func (s *Service) Employee(ctx context.Context, id int64) (Employee, error) {
	e, err := scanEmployee(s.db.Q(ctx).QueryRow(ctx, "SELECT "+employeeColumns+" FROM accounts a WHERE a.id = ? AND a.company_id IS NOT NULL", id))
	if errors.Is(err, sql.ErrNoRows) {
		return e, fmt.Errorf("directory: employee %d: %w", id, derrors.ErrNotFound)
	}
	if err != nil {
		return e, fmt.Errorf("directory: employee %d: %w", id, err)
	}
	return e, nil
}

// EmployeeFilter narrows ListEmployees.
type EmployeeFilter struct {
	// Q matches username, first name, surname, "first surname", the phone
	// number, or the business number or extension the employee holds
	// (substring, case-insensitive; a number matches in any format).
	Q       string
	Role    access.Role
	Status  string
	GroupID int64 // members of this group
	// Sort is one of username, first_name, last_name (default), status, created_at;
	// a leading '-' sorts descending.
	Sort string
}

// employeeSorts are the sort keys before the id tie-breaker. Each order has
// an index on (company_id, keys…, id) (migration 0042), so a page is a
// range scan whatever the company's size. last_name is the default.
var employeeSorts = map[string][]store.SortKey{
	"username":   {{Expr: "a.username"}},
	"first_name": {{Expr: "lower(a.first_name)"}},
	"last_name":  {{Expr: "lower(a.last_name)"}, {Expr: "lower(a.first_name)"}},
	"status":     {{Expr: "a.status"}},
	"created_at": {{Expr: "a.created_at", Int: true}},
}

// ValidSort reports whether s is an accepted EmployeeFilter.Sort.
func ValidSort(s string) bool {
	_, ok := employeeSorts[strings.TrimPrefix(s, "-")]
	return s == "" || ok
}

// employeeKeyset is the keyset order of sort.
func employeeKeyset(sort string) (store.Keyset, bool) {
	name := sort
	if name == "" {
		name = "last_name"
	}
	keys, ok := employeeSorts[strings.TrimPrefix(name, "-")]
	return store.Keyset{Name: name, Keys: keys, ID: "a.id", Desc: strings.HasPrefix(name, "-")}, ok
}

// EmployeePage is one page of employees.
type EmployeePage struct {
	Items []Employee
	// Total counts every match; -1 when the page did not ask (store.Page.Count).
	Total int
	// Next is the cursor of the following page (store.Page.After); "" on the last.
	Next string
}

// ListEmployeesIn returns a page of companyID's employees within scope and the total.
func (s *Service) ListEmployeesIn(ctx context.Context, companyID int64, sc access.Scope, f EmployeeFilter, p store.Page) ([]Employee, int, error) {
	p.Count = true
	pg, err := s.listEmployees(ctx, companyID, sc, f, &p)
	return pg.Items, pg.Total, err
}

// allEmployees is ListEmployees without a page: every employee in scope that
// matches f. The group member lists need them all, and asking ListEmployees
// for a huge page would silently stop at store.MaxPerPage. It stays
// unexported so that no request's paging can reach it.
func (s *Service) allEmployees(ctx context.Context, companyID int64, sc access.Scope, f EmployeeFilter) ([]Employee, error) {
	pg, err := s.listEmployees(ctx, companyID, sc, f, nil)
	return pg.Items, err
}

// listEmployees lists one page p, or every row when p is nil. A page with
// After continues after that row (keyset); otherwise Page gives an OFFSET,
// which is fine for the small results the pages show.
func (s *Service) listEmployees(ctx context.Context, companyID int64, sc access.Scope, f EmployeeFilter, p *store.Page) (EmployeePage, error) {
	out := EmployeePage{Total: -1}
	where := []string{"a.company_id = ?"}
	args := []any{companyID}
	if sc.Restricted() {
		cond, a := scopeCondition(sc, "g.path")
		where = append(where, "(a.id = ? OR EXISTS (SELECT 1 FROM group_members m JOIN org_groups g ON g.id = m.group_id WHERE m.account_id = a.id AND "+cond+"))")
		args = append(append(args, sc.SelfID), a...)
	}
	if cond, qargs := SearchCondition(s.db, companyID, f.Q); cond != "" {
		where, args = append(where, cond), append(args, qargs...)
	}
	if f.Role != "" {
		where, args = append(where, "a.role = ?"), append(args, string(f.Role))
	}
	if f.Status != "" {
		where, args = append(where, "a.status = ?"), append(args, f.Status)
	}
	if f.GroupID != 0 {
		where, args = append(where, "EXISTS (SELECT 1 FROM group_members gm WHERE gm.account_id = a.id AND gm.group_id = ?)"), append(args, f.GroupID)
	}
	ks, ok := employeeKeyset(f.Sort)
	if !ok {
		return out, derrors.Invalid("sort", "sort must be one of username, first_name, last_name, status, created_at (prefix '-' for descending)")
	}
	cond := " WHERE " + strings.Join(where, " AND ")
	q := s.db.Q(ctx)
	if p != nil && p.Count {
		// Counted apart from the page: the page itself stays a bounded range scan.
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM accounts a"+cond, args...).Scan(&out.Total); err != nil {
			return out, fmt.Errorf("directory: count employees: %w", err)
		}
	}
	pageCond, pageArgs, limit := cond, args, ""
	if p != nil {
		// One row more than the page tells whether a next page exists.
		limit = " LIMIT " + strconv.Itoa(p.Limit()+1)
		switch {
		case p.After != "":
			c, a, err := ks.After(p.After)
			if err != nil {
				return out, err
			}
			pageCond, pageArgs = cond+" AND "+c, append(append([]any{}, args...), a...)
		case p.Offset() > 0:
			limit += " OFFSET " + strconv.Itoa(p.Offset())
		}
	}
	keyCols := make([]string, len(ks.Keys))
	for i, k := range ks.Keys {
		keyCols[i] = k.Expr
	}
	// A page reads each row's service by employeeColumns' subqueries (a
	// few rows); the whole list by employeeServiceJoins, one pass over the
	// company's numbers.
	query, queryArgs := "SELECT "+employeeColumns+", "+strings.Join(keyCols, ", ")+" FROM accounts a"+pageCond+" ORDER BY "+ks.OrderBy()+limit, pageArgs
	if p == nil {
		query = "SELECT " + employeeListColumns + ", " + strings.Join(keyCols, ", ") + " FROM (SELECT a.* FROM accounts a" + cond + ") a" +
			employeeServiceJoins + " ORDER BY " + ks.OrderBy()
		queryArgs = append(append([]any{companyID}, args...), companyID, companyID)
	}
	rows, err := q.Query(ctx, query, queryArgs...)
	if err != nil {
		return out, fmt.Errorf("directory: list employees: %w", err)
	}
	defer rows.Close()
	var last []any
	for rows.Next() {
		if p != nil && len(out.Items) == p.Limit() {
			out.Next = ks.Cursor(last, out.Items[len(out.Items)-1].ID)
			break
		}
		vals := make([]any, len(ks.Keys))
		dest := make([]any, len(ks.Keys))
		for i, k := range ks.Keys {
			if k.Int {
				dest[i] = new(int64)
			} else {
				dest[i] = new(string)
			}
		}
		e, err := scanEmployee(rows, dest...)
		if err != nil {
			return out, fmt.Errorf("directory: list employees: %w", err)
		}
		for i, d := range dest {
			switch d := d.(type) {
			case *int64:
				vals[i] = *d
			case *string:
				vals[i] = *d
			}
		}
		out.Items, last = append(out.Items, e), vals
	}
	if err := rows.Err(); err != nil {
		return out, fmt.Errorf("directory: list employees: %w", err)
	}
	return out, nil
}

// EmployeeUpdateRequest changes an employee's profile; nil fields stay.
// The username cannot change (it must match the device configuration).
type EmployeeUpdateRequest struct {
	Username  *string      `json:"username"`
	Role      *access.Role `json:"role"`
	FirstName *string      `json:"first_name"`
	LastName  *string      `json:"last_name"`
	Email     *string      `json:"email"`
	Phone     *string      `json:"phone"`
	Address   *Address     `json:"address"`
}

// RoleChange reports whether req changes e's role.
func (r EmployeeUpdateRequest) RoleChange(e Employee) bool { return r.Role != nil && *r.Role != e.Role }

// UpdateEmployee applies req. The caller has checked access.UpdateEmployee and,
// when the role changes, access.ChangeEmployeeRole. Demoting a group admin
// removes their group assignments, which no longer mean anything.
func (s *Service) UpdateEmployee(ctx context.Context, id int64, req EmployeeUpdateRequest) (Employee, error) {
	var after Employee
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		before, err := s.Employee(ctx, id)
		if err != nil {
			return err
		}
		e := before
		if req.Username != nil && *req.Username != e.Username {
			return derrors.Invalid("username", "a username cannot be changed; create a new employee instead")
		}
		set(&e.Role, req.Role)
		set(&e.FirstName, req.FirstName)
		set(&e.LastName, req.LastName)
		set(&e.Email, req.Email)
		set(&e.Phone, req.Phone)
		set(&e.Address, req.Address)
		v := &derrors.ValidationError{}
		if !e.Role.IsCompanyRole() {
			v.Add("role", "role must be company_admin, group_admin or employee")
		}
		validatePerson(v, &e.FirstName, &e.LastName, &e.Email, &e.Phone, &e.Address)
		if err := v.Err(); err != nil {
			return err
		}
		q := s.db.Q(ctx)
		a := e.Address
		_, err = q.Exec(ctx, `UPDATE accounts SET role = ?, first_name = ?, last_name = ?, email = ?, phone = ?, address_line1 = ?,
			address_line2 = ?, city = ?, postcode = ?, country = ?, search_text = ?, updated_at = ? WHERE id = ?`,
			string(e.Role), e.FirstName, e.LastName, e.Email, e.Phone, a.Line1, a.Line2, a.City, a.Postcode, a.Country,
			searchText(e.Username, e.FirstName, e.LastName, e.Phone), store.Now(), id)
		if err != nil {
			return err
		}
		if before.Role == access.RoleGroupAdmin && e.Role != access.RoleGroupAdmin {
			if _, err := q.Exec(ctx, "DELETE FROM group_admins WHERE account_id = ?", id); err != nil {
				return err
			}
		}
		if after, err = s.Employee(ctx, id); err != nil {
			return err
		}
		return s.audit.Record(ctx, audit.Event{Event: "Modify Employee", ObjectKind: "employee", ObjectID: id, ObjectName: e.Username,
			CompanyID: e.CompanyID, SiteID: siteOf(after), Before: before, After: after})
	})
	if err != nil {
		return Employee{}, fmt.Errorf("directory: update employee %d: %w", id, err)
	}
	return after, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// deleteEmployee removes an account for good, with its memberships,
// assignments and sessions.
func (s *Service) deleteEmployee(ctx context.Context, id int64) error {
	err := s.db.Tx(ctx, func(ctx context.Context) error {
		e, err := s.Employee(ctx, id)
		if err != nil {
			return err
		}
		if s.BeforeDelete != nil {
			if err := s.BeforeDelete(ctx, e); err != nil {
				return err
			}
		}
		q := s.db.Q(ctx)
		for _, stmt := range []string{
			"DELETE FROM group_members WHERE account_id = ?",
			"DELETE FROM group_admins WHERE account_id = ?",
			"DELETE FROM sessions WHERE account_id = ?",
			"UPDATE audit_events SET actor_id = NULL WHERE actor_id = ?",
			"DELETE FROM accounts WHERE id = ?",
		} {
			if _, err := q.Exec(ctx, stmt, id); err != nil {
				return err
			}
		}
		return s.audit.Record(ctx, audit.Event{Event: "Delete Employee", ObjectKind: "employee", ObjectID: id, ObjectName: e.Username,
			CompanyID: e.CompanyID, SiteID: siteOf(e), Before: e})
	})
	if err != nil {
		return fmt.Errorf("directory: delete employee %d: %w", id, err)
	}
	return nil
}
