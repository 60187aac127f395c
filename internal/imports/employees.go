package imports

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"github.com/switchboard-voice/switchboard/internal/access"
	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/directory"
	"github.com/switchboard-voice/switchboard/internal/jobs"
	"github.com/switchboard-voice/switchboard/internal/lifecycle"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// employeeColumns are the custom template's columns, in template order,
// with the other spellings accepted for each.
var employeeColumns = []struct {
	name      string
	spellings []string
}{
	{"Username", []string{"User Name", "Login"}},
	{"First Name", []string{"FirstName", "Given Name", "Forename"}},
	{"Last Name", []string{"LastName", "Surname", "Family Name"}},
	{"Email", []string{"E-mail", "Email Address", "E-mail Address"}},
	{"Phone", []string{"Telephone", "Phone Number", "Mobile"}},
	{"Role", nil},
	{"Group", []string{"Group Path", "Site/Group"}},
	{"Address Line 1", []string{"Address", "Address1", "Street"}},
	{"Address Line 2", []string{"Address2"}},
	{"City", []string{"Town"}},
	{"Postcode", []string{"Post Code", "Zip", "Zip Code", "Postal Code"}},
	{"Country", nil},
}

func employeeSpellings() map[string][]string {
	m := map[string][]string{}
	for _, c := range employeeColumns {
		m[c.name] = append([]string{c.name}, c.spellings...)
	}
	return m
}

// EmployeeTemplate is the downloadable custom template: UTF-8 with a BOM
// and CRLF line ends, so Excel opens it correctly, with one example row.
func EmployeeTemplate() []byte {
	var b bytes.Buffer
	b.Write(bomUTF8)
	names := make([]string, len(employeeColumns))
	for i, c := range employeeColumns {
		names[i] = c.name
	}
	b.WriteString(strings.Join(names, ",") + "\r\n")
	b.WriteString("jane.doe,Jane,Doe,jane.doe@example.com,+44 113 496 0000,employee,Leeds/Sales,1 Main Street,,Leeds,LS1 1AA,GB\r\n")
	return b.Bytes()
}

// EmployeeOptions are Import Employees' options.
type EmployeeOptions struct {
	Options
	// FileType is "custom" (the custom template CSV), the only type the
	// portal offers for employees.
	FileType string `json:"file_type"`
	// GenerateUsernames makes firstname.lastname usernames for rows that
	// have none (or for every row when the file has no Username column).
	GenerateUsernames bool `json:"generate_usernames"`
	// SendWelcome queues the welcome e-mail (username, and Reset Password
	// to choose a password) to each new employee with an e-mail address.
	SendWelcome bool `json:"send_welcome"`
}

// EmployeeRow is one data row of an employee file, as read.
type EmployeeRow struct {
	Line      int               `json:"line"`
	Username  string            `json:"username"`
	FirstName string            `json:"first_name"`
	LastName  string            `json:"last_name"`
	Email     string            `json:"email"`
	Phone     string            `json:"phone"`
	Role      string            `json:"role"`
	Group     string            `json:"group"`
	Address   directory.Address `json:"address"`
}

// employeeArgs are the arguments of an import_employees job.
type employeeArgs struct {
	CompanyID  int64           `json:"company_id"`
	ProviderID int64           `json:"provider_id"`
	Method     Method          `json:"method"`
	Options    EmployeeOptions `json:"options"`
	HasUser    bool            `json:"has_username_column"`
	// Text is the file, decoded, which the job parses again when it runs.
	// It is a third of the size of the rows as JSON, which matters because
	// every progress save rewrites the job's row, arguments included, on
	// SQLite: with 10,000 rows as JSON those saves took a third of the run.
	Text string `json:"text,omitempty"`
	// Rows are the parsed rows, as jobs queued before Text carry them.
	Rows []EmployeeRow `json:"rows,omitempty"`
}

// rows are the job's rows: its file parsed again, or those it carries.
func (a employeeArgs) rows() ([]EmployeeRow, error) {
	if a.Text == "" {
		return a.Rows, nil
	}
	rows, _, err := ParseEmployees(a.Text, a.Options.GenerateUsernames)
	return rows, err
}

// ParseEmployees reads an employee file (already decoded to text). A header
// problem is a validation error naming the columns found.
func ParseEmployees(text string, generate bool) (rows []EmployeeRow, hasUsername bool, err error) {
	t, err := readCSV(text)
	if err != nil {
		return nil, false, err
	}
	cols, unknown, err := columnMap(t.header, employeeSpellings())
	if err != nil {
		return nil, false, err
	}
	v := &derrors.ValidationError{}
	if len(unknown) > 0 {
		v.Add("file", "unknown column(s) %s: use the columns of the downloadable template; %s", quoteAll(unknown), found(t.header))
	}
	var missing []string
	for _, req := range []string{"First Name", "Last Name"} {
		if _, ok := cols[req]; !ok {
			missing = append(missing, req)
		}
	}
	_, hasUsername = cols["Username"]
	if !hasUsername && !generate {
		missing = append(missing, "Username")
	}
	if len(missing) > 0 {
		msg := "the required column(s) %s are missing; %s"
		if !hasUsername && !generate {
			msg += " (without a Username column, choose the option to generate usernames)"
		}
		v.Add("file", msg, quoteAll(missing), found(t.header))
	}
	if err := v.Err(); err != nil {
		return nil, false, err
	}
	rows = make([]EmployeeRow, 0, len(t.rows))
	for _, rec := range t.rows {
		rows = append(rows, EmployeeRow{Line: rec.line,
			Username: cell(rec, cols, "Username"), FirstName: cell(rec, cols, "First Name"), LastName: cell(rec, cols, "Last Name"),
			Email: cell(rec, cols, "Email"), Phone: cell(rec, cols, "Phone"), Role: cell(rec, cols, "Role"), Group: cell(rec, cols, "Group"),
			Address: directory.Address{Line1: cell(rec, cols, "Address Line 1"), Line2: cell(rec, cols, "Address Line 2"),
				City: cell(rec, cols, "City"), Postcode: cell(rec, cols, "Postcode"), Country: cell(rec, cols, "Country")}})
	}
	if len(rows) == 0 {
		return nil, false, derrors.Invalid("file", "the file has a header but no rows to import")
	}
	return rows, hasUsername, nil
}

func quoteAll(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = strconv.Quote(x)
	}
	return strings.Join(q, ", ")
}

// SubmitEmployees checks an uploaded employee file whole and, when its
// header is sound, schedules the import job. Row problems do not refuse
// the upload: they are in the preview and, per row, in the job's results.
func (s *Service) SubmitEmployees(ctx context.Context, actor access.Actor, companyID int64, file []byte, o EmployeeOptions) (Submitted, error) {
	companyID, err := companyOf(actor, companyID)
	if err != nil {
		return Submitted{}, err
	}
	if err := s.d.Access.Check(ctx, actor, access.ImportEmployees, access.Company(companyID)); err != nil {
		return Submitted{}, err
	}
	if err := s.configAndReg(ctx, actor, companyID); err != nil {
		return Submitted{}, err
	}
	v := &derrors.ValidationError{}
	o.validate(v, s.now())
	if o.FileType == "" {
		o.FileType = "custom"
	}
	if o.FileType != "custom" {
		v.Add("file_type", "employees are imported from the custom template CSV (file_type custom)")
	}
	if len(file) == 0 {
		v.Add("file", "choose the file to import")
	}
	if err := v.Err(); err != nil {
		return Submitted{}, err
	}
	text, err := Decode(file, o.Encoding)
	if err != nil {
		return Submitted{}, err
	}
	rows, hasUser, err := ParseEmployees(text, o.GenerateUsernames)
	if err != nil {
		return Submitted{}, err
	}
	args := employeeArgs{CompanyID: companyID, ProviderID: actor.ProviderID, Method: o.Method, Options: o, HasUser: hasUser, Text: text}
	plan, err := s.planEmployees(ctx, actor, args, rows)
	if err != nil {
		return Submitted{}, err
	}
	var out Submitted
	out.Preview = plan.preview()
	out.Job, err = s.enqueue(ctx, actor, companyID, KindEmployees, o.Options, args)
	return out, err
}

// configAndReg refuses actor an import into a company without "config &
// reg", by the product's one rule for company flags (operators exempt;
// docs/lifecycle.md).
func (s *Service) configAndReg(ctx context.Context, actor access.Actor, companyID int64) error {
	return lifecycle.RequireConfigAndReg(ctx, s.d.DB, actor, companyID)
}

// OpenImportEmployees is the Import Employees page: whether actor may
// import into companyID at all (access, as SubmitEmployees decides it), and
// whether the company's flags let actor submit (the page is informational
// otherwise).
func (s *Service) OpenImportEmployees(ctx context.Context, actor access.Actor, companyID int64) (enabled bool, err error) {
	companyID, err = companyOf(actor, companyID)
	if err != nil {
		return false, err
	}
	if err := s.d.Access.Check(ctx, actor, access.ImportEmployees, access.Company(companyID)); err != nil {
		return false, err
	}
	err = s.configAndReg(ctx, actor, companyID)
	var forb *derrors.ForbiddenError
	if errors.As(err, &forb) {
		return false, nil
	}
	return err == nil, err
}

// Row actions.
const (
	actAdd    = "add"
	actUpdate = "update"
	actSkip   = "skip"
	actError  = "error"
)

// employeePlan is what an import would do with each row.
type employeePlan struct {
	rows []plannedEmployee
}

type plannedEmployee struct {
	row      EmployeeRow
	action   string
	field    string
	message  string
	username string
	create   directory.EmployeeCreateRequest
	id       int64              // update: the employee
	before   directory.Employee // update: the employee as planned
	update   directory.EmployeeUpdateRequest
	groupID  int64
	isMember bool
}

func (p employeePlan) invalid() int {
	n := 0
	for _, r := range p.rows {
		if r.action == actError {
			n++
		}
	}
	return n
}

func (p employeePlan) preview() Preview {
	pv := Preview{Rows: len(p.rows), Problems: []Problem{}}
	for _, r := range p.rows {
		if r.action == actError {
			pv.add(Problem{Row: r.row.Line, Key: r.username, Field: r.field, Message: r.message})
		} else {
			pv.Valid++
		}
	}
	return pv
}

// roles accepted in the Role column (the API's words and the UI's labels).
func parseRole(s string) (access.Role, bool) {
	switch normHeader(s) {
	case "", "employee", "user":
		return access.RoleEmployee, true
	case "groupadmin", "groupadministrator":
		return access.RoleGroupAdmin, true
	case "companyadmin", "companyadministrator":
		return access.RoleCompanyAdmin, true
	}
	return "", false
}

type existing struct {
	id        int64
	companyID int64
}

// planEmployees decides every row against the directory as it is now: the
// same checks at upload (for the preview) and when the job runs.
func (s *Service) planEmployees(ctx context.Context, actor access.Actor, a employeeArgs, rows []EmployeeRow) (employeePlan, error) {
	groups, err := s.d.Directory.AllGroups(ctx, a.CompanyID, access.Scope{CompanyID: a.CompanyID})
	if err != nil {
		return employeePlan{}, err
	}
	byPath := map[string]directory.Group{}
	for _, g := range groups {
		byPath[strings.ToLower(g.Path)] = g
	}
	// Which groups and what company-wide rights the actor has, asked once.
	groupOK := map[int64]error{}
	canGroup := func(id int64) error {
		if err, ok := groupOK[id]; ok {
			return err
		}
		err := s.d.Access.Check(ctx, actor, access.CreateEmployee, access.Group(id))
		groupOK[id] = err
		return err
	}
	companyWide := s.d.Access.Check(ctx, actor, access.CreateEmployee, access.Company(a.CompanyID)) == nil
	grantAdmin := s.d.Access.Check(ctx, actor, access.GrantCompanyAdmin, access.Company(a.CompanyID)) == nil

	// Usernames given in the file, and the accounts that hold them.
	var given []string
	for _, r := range rows {
		if r.Username != "" {
			given = append(given, r.Username)
		}
	}
	held, err := s.accountsByUsername(ctx, given)
	if err != nil {
		return employeePlan{}, err
	}
	firstLine := map[string]int{}
	taken := map[string]bool{} // usernames used by the file so far
	for _, r := range rows {
		if r.Username != "" {
			taken[r.Username] = true
		}
	}
	gen := &generator{s: s, ctx: ctx, taken: taken}

	plan := employeePlan{rows: make([]plannedEmployee, 0, len(rows))}
	for _, r := range rows {
		p := plannedEmployee{row: r, username: r.Username}
		fail := func(field, format string, args ...any) {
			if p.action != actError {
				p.action, p.field, p.message = actError, field, fmt.Sprintf(format, args...)
			}
		}
		role, ok := parseRole(r.Role)
		if !ok {
			fail("role", "role %q is not one of employee, group_admin, company_admin", r.Role)
		}
		if p.username == "" {
			switch {
			case a.Method == MethodUpdate:
				fail("username", "Update Current Users needs the username of each employee to update")
			case a.Options.GenerateUsernames:
				name, err := gen.next(r.FirstName, r.LastName)
				if err != nil {
					return employeePlan{}, err
				}
				if name == "" {
					fail("username", "a username cannot be generated: the first name and surname need letters")
				}
				p.username = name
			default:
				fail("username", "the username is empty (choose the option to generate usernames, or fill it in)")
			}
		} else if msg := directory.ValidateUsername(r.Username); msg != "" {
			fail("username", "%s", msg)
		}
		if p.username != "" && r.Username != "" {
			if line, dup := firstLine[p.username]; dup {
				fail("username", "the username %q is already on line %d of the file", p.username, line)
			} else {
				firstLine[p.username] = r.Line
			}
		}
		if r.Group != "" {
			g, ok := byPath[strings.ToLower(strings.Trim(r.Group, "/ "))]
			if !ok || canGroup(g.ID) != nil {
				fail("group", "there is no group %q (write the path from the site, such as Leeds/Sales)", r.Group)
			} else {
				p.groupID = g.ID
			}
		} else if a.Method == MethodAdd && !companyWide {
			fail("group", "name one of the groups you administer in the Group column")
		}
		if role == access.RoleCompanyAdmin && !grantAdmin && a.Method == MethodAdd {
			fail("role", "only the service provider can add company administrators")
		}
		acct, exists := held[r.Username]
		switch {
		case p.action == actError:
		case a.Method == MethodAdd:
			if exists {
				if acct.companyID == a.CompanyID {
					p.action, p.message = actSkip, "exists"
					break
				}
				fail("username", "the username %q is already taken; choose another", r.Username)
				break
			}
			p.create = directory.EmployeeCreateRequest{Username: p.username, Role: role, FirstName: r.FirstName, LastName: r.LastName,
				Email: r.Email, Phone: r.Phone, Address: r.Address}
			if p.groupID != 0 {
				p.create.GroupIDs = []int64{p.groupID}
			}
			if err := p.create.Validate(); err != nil {
				fail(firstField(err), "%s", userMessage(err))
				break
			}
			p.action = actAdd
		default: // update
			if !exists || acct.companyID != a.CompanyID || s.d.Access.Check(ctx, actor, access.UpdateEmployee, access.Employee(acct.id)) != nil {
				p.action, p.message = actSkip, "not found: Update Current Users never adds employees"
				break
			}
			e, err := s.d.Directory.Employee(ctx, acct.id)
			if err != nil {
				return employeePlan{}, err
			}
			p.id, p.before = acct.id, e
			p.update = updateOf(e, r, role)
			// The role and the security e-mail obey the rule of every other
			// path (docs/security.md): one's own e-mail only through the
			// confirmation link, a company admin's role only by the provider.
			if field, err := s.d.Directory.AuthorizeModify(ctx, actor, e, p.update); err != nil {
				msg, ok := domainMessage(err)
				if !ok {
					return employeePlan{}, err
				}
				fail(field, "%s", msg)
				break
			}
			if msg := checkUpdate(e, p.update); msg != "" {
				fail(msgField(msg), "%s", msg)
				break
			}
			if p.groupID != 0 {
				if p.isMember, err = s.isMember(ctx, p.groupID, acct.id); err != nil {
					return employeePlan{}, err
				}
			}
			p.action = actUpdate
		}
		plan.rows = append(plan.rows, p)
	}
	return plan, nil
}

func firstField(err error) string {
	if v, ok := err.(*derrors.ValidationError); ok && len(v.Fields) > 0 {
		return v.Fields[0].Field
	}
	return ""
}

func msgField(msg string) string {
	switch {
	case strings.Contains(msg, "e-mail"):
		return "email"
	case strings.Contains(msg, "phone"):
		return "phone"
	case strings.Contains(msg, "surname"):
		return "last_name"
	case strings.Contains(msg, "first name"):
		return "first_name"
	}
	return ""
}

// updateOf is the change a row asks of e: every non-empty cell replaces
// the field; an empty cell keeps it.
func updateOf(e directory.Employee, r EmployeeRow, role access.Role) directory.EmployeeUpdateRequest {
	var u directory.EmployeeUpdateRequest
	str := func(cur, v string) *string {
		if v == "" || v == cur {
			return nil
		}
		return &v
	}
	u.FirstName, u.LastName = str(e.FirstName, r.FirstName), str(e.LastName, r.LastName)
	u.Email, u.Phone = str(e.Email, r.Email), str(e.Phone, r.Phone)
	if r.Role != "" && role != e.Role {
		u.Role = &role
	}
	addr := e.Address
	for _, f := range []struct {
		dst *string
		v   string
	}{{&addr.Line1, r.Address.Line1}, {&addr.Line2, r.Address.Line2},
		{&addr.City, r.Address.City}, {&addr.Postcode, r.Address.Postcode}, {&addr.Country, r.Address.Country}} {
		if f.v != "" {
			*f.dst = f.v
		}
	}
	if addr != e.Address {
		u.Address = &addr
	}
	return u
}

// checkUpdate validates the fields of e after u, as UpdateEmployee will.
func checkUpdate(e directory.Employee, u directory.EmployeeUpdateRequest) string {
	req := directory.EmployeeCreateRequest{Username: e.Username, Role: e.Role, FirstName: e.FirstName, LastName: e.LastName,
		Email: e.Email, Phone: e.Phone, Address: e.Address}
	for _, f := range []struct {
		dst *string
		v   *string
	}{{&req.FirstName, u.FirstName}, {&req.LastName, u.LastName}, {&req.Email, u.Email}, {&req.Phone, u.Phone}} {
		if f.v != nil {
			*f.dst = *f.v
		}
	}
	if err := req.Validate(); err != nil {
		return userMessage(err)
	}
	return ""
}

func (u plannedEmployee) changes() bool {
	x := u.update
	return x.FirstName != nil || x.LastName != nil || x.Email != nil || x.Phone != nil || x.Role != nil || x.Address != nil ||
		(u.groupID != 0 && !u.isMember)
}

func (s *Service) isMember(ctx context.Context, groupID, accountID int64) (bool, error) {
	var n int
	err := s.d.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM group_members WHERE group_id = ? AND account_id = ?", groupID, accountID).Scan(&n)
	return n > 0, err
}

// accountsByUsername finds the accounts (of any company: usernames are
// unique across the platform) holding usernames.
func (s *Service) accountsByUsername(ctx context.Context, usernames []string) (map[string]existing, error) {
	out := map[string]existing{}
	q := s.d.DB.Q(ctx)
	for len(usernames) > 0 {
		n := min(len(usernames), 500)
		args := make([]any, n)
		for i, u := range usernames[:n] {
			args[i] = u
		}
		rows, err := q.Query(ctx, "SELECT username, id, COALESCE(company_id, 0) FROM accounts WHERE username IN ("+
			strings.TrimSuffix(strings.Repeat("?,", n), ",")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var u string
			var e existing
			if err := rows.Scan(&u, &e.id, &e.companyID); err != nil {
				rows.Close()
				return nil, err
			}
			out[u] = e
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		usernames = usernames[n:]
	}
	return out, nil
}

// generator makes unique firstname.lastname usernames.
type generator struct {
	s     *Service
	ctx   context.Context
	taken map[string]bool
	// loaded marks bases whose existing accounts have been read.
	loaded map[string]bool
}

// UsernameBase is firstname.lastname, lower-cased, accents folded, letters
// only; "" when either name has no letter.
func UsernameBase(first, last string) string {
	f, l := letters(first), letters(last)
	if f == "" || l == "" {
		return ""
	}
	base := f + "." + l
	if len(base) > 58 { // room for a number suffix within 64
		base = base[:58]
	}
	return base
}

func letters(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(strings.ToLower(s)) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
		case r == 'ß':
			b.WriteString("ss")
		case r == 'æ':
			b.WriteString("ae")
		case r == 'ø':
			b.WriteRune('o')
		case r == 'ł':
			b.WriteRune('l')
		case unicode.Is(unicode.Mn, r):
		}
	}
	return b.String()
}

func (g *generator) next(first, last string) (string, error) {
	base := UsernameBase(first, last)
	if base == "" {
		return "", nil
	}
	if g.loaded == nil {
		g.loaded = map[string]bool{}
	}
	if !g.loaded[base] {
		rows, err := g.s.d.DB.Q(g.ctx).Query(g.ctx, `SELECT username FROM accounts WHERE username LIKE ? ESCAPE '\'`, store.Like(base)+"%")
		if err != nil {
			return "", err
		}
		for rows.Next() {
			var u string
			if err := rows.Scan(&u); err != nil {
				rows.Close()
				return "", err
			}
			g.taken[u] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return "", err
		}
		g.loaded[base] = true
	}
	name := base
	for n := 2; g.taken[name]; n++ {
		name = base + strconv.Itoa(n)
	}
	g.taken[name] = true
	return name, nil
}

// runEmployees is the import_employees job, in named steps: plan (access,
// flags, the file checked again against the estate as it is now), the dry
// run, the all-or-nothing refusal, and the commit of rows and report
// together.
func (s *Service) runEmployees(ctx context.Context, j *jobs.Job, rep jobs.Reporter) error {
	run, err := s.planEmployeeRun(ctx, j)
	if err != nil {
		return err
	}
	ctx = run.ctx
	if err := rep.SetTotal(ctx, len(run.plan.rows)); err != nil {
		return err
	}
	if rep.TestMode() {
		return s.report(ctx, rep, run.plan, dryRunResult)
	}
	if err := run.refuseAllOrNothing(rep); err != nil {
		return err
	}
	if s.beforeApply != nil {
		s.beforeApply(ctx)
	}
	return run.commit(rep)
}

// employeeRun is one run of an employee import job: its arguments, the
// actor it acts for, its plan and each row's result.
type employeeRun struct {
	s       *Service
	ctx     context.Context
	args    employeeArgs
	plan    employeePlan
	results []itemResult
}

// planEmployeeRun reads the job, checks that its submitter may still
// import into the company under its flags, and plans the rows again.
func (s *Service) planEmployeeRun(ctx context.Context, j *jobs.Job) (*employeeRun, error) {
	var a employeeArgs
	if err := j.DecodeArgs(&a); err != nil {
		return nil, err
	}
	ctx, actor, err := s.runner(ctx, j)
	if err != nil {
		return nil, err
	}
	if err := s.d.Access.Check(ctx, actor, access.ImportEmployees, access.Company(a.CompanyID)); err != nil {
		return nil, fmt.Errorf("%s may no longer import employees into this company", actor.Username)
	}
	if err := s.configAndReg(ctx, actor, a.CompanyID); err != nil {
		return nil, err
	}
	rows, err := a.rows()
	if err != nil {
		return nil, err
	}
	plan, err := s.planEmployees(ctx, actor, a, rows)
	if err != nil {
		return nil, err
	}
	return &employeeRun{s: s, ctx: ctx, args: a, plan: plan, results: make([]itemResult, len(plan.rows))}, nil
}

// dryRunResult is what test mode reports for a planned row.
func dryRunResult(_ int, p plannedEmployee) (string, string) {
	st, msg := jobs.Would(p.action), p.message
	if p.action == actUpdate && !p.changes() {
		msg = "no change"
	}
	if p.action == actError {
		st = jobs.ItemError
	}
	return st, msg
}

// refuseAllOrNothing reports every row and fails the job when the file has
// rows with errors and the submitter chose all or nothing.
func (r *employeeRun) refuseAllOrNothing(rep jobs.Reporter) error {
	bad := r.plan.invalid()
	if bad == 0 || !r.args.Options.AllOrNothing {
		return nil
	}
	if err := r.s.report(r.ctx, rep, r.plan, func(_ int, p plannedEmployee) (string, string) {
		if p.action == actError {
			return jobs.ItemError, p.message
		}
		return jobs.ItemSkipped, "not imported: the file has rows with errors and all or nothing was chosen"
	}); err != nil {
		return err
	}
	return fmt.Errorf("nothing was imported: %d of %d rows have errors (all or nothing)", bad, len(r.plan.rows))
}

// created finishes a new employee's row: the welcome e-mail when asked.
func (r *employeeRun) created(ctx context.Context, e directory.Employee) (itemResult, error) {
	if r.args.Options.SendWelcome && e.Email != "" {
		if err := r.s.d.Identity.SendWelcome(ctx, e.ID, ""); err != nil {
			return itemResult{}, err
		}
	}
	return itemResult{jobs.ItemOK, "added"}, nil
}

// apply carries out one planned row on its own.
func (r *employeeRun) apply(ctx context.Context, p plannedEmployee) (itemResult, error) {
	d := r.s.d.Directory
	switch p.action {
	case actError:
		return itemResult{jobs.ItemError, p.message}, nil
	case actSkip:
		return itemResult{jobs.ItemSkipped, p.message}, nil
	case actAdd:
		e, err := d.CreateEmployee(ctx, r.args.CompanyID, r.args.ProviderID, p.create, "")
		if err != nil {
			return itemResult{}, err
		}
		return r.created(ctx, e)
	}
	if !p.changes() {
		return itemResult{jobs.ItemSkipped, "no change"}, nil
	}
	after, err := d.UpdateEmployee(ctx, p.id, p.update)
	if err != nil {
		return itemResult{}, err
	}
	if err := d.TellOldAddress(ctx, p.before, after); err != nil {
		return itemResult{}, err
	}
	if p.groupID != 0 && !p.isMember {
		if err := d.ChangeMembers(ctx, []directory.Link{{GroupID: p.groupID, AccountID: p.id}}, nil); err != nil {
			return itemResult{}, err
		}
	}
	return itemResult{jobs.ItemOK, "updated"}, nil
}

// batch applies rows [lo, hi): the new employees together, with
// directory.CreateEmployees, the other rows one by one. A row the
// directory refuses now though the plan accepted it (a username taken or a
// group deleted since the plan) is reported as that row's error and the
// others are created; with all or nothing it rolls everything back. The
// refusal comes before any write, so the batch goes on in the same
// savepoint.
func (r *employeeRun) batch(ctx context.Context, lo, hi int) error {
	var adds []int
	for i := lo; i < hi; i++ {
		if r.plan.rows[i].action == actAdd {
			adds = append(adds, i)
			continue
		}
		res, err := r.apply(ctx, r.plan.rows[i])
		if err != nil {
			return err
		}
		r.results[i] = res
	}
	for len(adds) > 0 {
		reqs := make([]directory.EmployeeCreateRequest, len(adds))
		for k, i := range adds {
			reqs[k] = r.plan.rows[i].create
		}
		es, err := r.s.d.Directory.CreateEmployees(ctx, r.args.CompanyID, r.args.ProviderID, reqs)
		var be *directory.BatchError
		if errors.As(err, &be) {
			if r.args.Options.AllOrNothing {
				return be.Rows[0].Err
			}
			refused := map[int]bool{}
			for _, row := range be.Rows {
				i := adds[row.Index]
				refused[i] = true
				r.results[i] = itemResult{jobs.ItemError, userMessage(row.Err)}
			}
			adds = slices.DeleteFunc(adds, func(i int) bool { return refused[i] })
			continue
		}
		if err != nil {
			return err
		}
		for k, i := range adds {
			if r.results[i], err = r.created(ctx, es[k]); err != nil {
				return err
			}
		}
		break
	}
	return nil
}

// commit applies the rows and records their report and the job's outcome
// in one transaction, so a crash at any point leaves a record that matches
// the data: before the commit nothing was imported and the job is run
// again or ends in error; after it, recovery completes the job with this
// report.
func (r *employeeRun) commit(rep jobs.Reporter) error {
	s, ctx := r.s, r.ctx
	reported := false
	err := s.d.DB.Tx(ctx, func(ctx context.Context) error {
		err := s.applyChunked(ctx, len(r.plan.rows), r.args.Options.AllOrNothing, r.results, r.batch, func(ctx context.Context, i int) (itemResult, error) {
			return r.apply(ctx, r.plan.rows[i])
		})
		if err != nil {
			return err
		}
		reported = true
		if err := s.report(ctx, rep, r.plan, func(i int, _ plannedEmployee) (string, string) { return r.results[i].status, r.results[i].message }); err != nil {
			return err
		}
		return rep.Committed(ctx)
	})
	if s.afterCommit != nil {
		s.afterCommit(ctx)
	}
	if err == nil {
		return nil
	}
	s.logFault(ctx, "employee import rolled back", err)
	if reported {
		// The report was rolled back with the rows: say so by the
		// progress, as nothing was imported.
		_ = rep.Progress(ctx, 0)
		return fmt.Errorf("nothing was imported: %s", userMessage(err))
	}
	if ierr := s.report(ctx, rep, r.plan, func(int, plannedEmployee) (string, string) {
		return jobs.ItemSkipped, "not imported: the import was rolled back"
	}); ierr != nil {
		return ierr
	}
	return fmt.Errorf("nothing was imported: %s", userMessage(err))
}

// report records each row's result, all in one transaction: the reporter
// saves every 100 items, and a commit for each save (on PostgreSQL a WAL
// flush) took a tenth of a 10,000-row import.
func (s *Service) report(ctx context.Context, rep jobs.Reporter, plan employeePlan, result func(i int, p plannedEmployee) (status, message string)) error {
	return s.d.DB.Tx(ctx, func(ctx context.Context) error {
		for i, p := range plan.rows {
			st, msg := result(i, p)
			if err := rep.Item(ctx, fmt.Sprintf("line %d: %s", p.row.Line, p.username), st, msg); err != nil {
				return err
			}
		}
		return rep.Flush(ctx)
	})
}

type itemResult struct {
	status, message string
}

// rowOutcome turns a row's apply error into its result; with all or
// nothing, or for a fault of the database itself, it returns the error to
// roll everything back.
func (s *Service) rowOutcome(ctx context.Context, res itemResult, err error, allOrNothing bool) (itemResult, error) {
	if err == nil {
		return res, nil
	}
	re, ok := err.(*rowError)
	if !ok || allOrNothing {
		return res, err
	}
	s.logFault(ctx, "row refused", re.err)
	return itemResult{jobs.ItemError, userMessage(re.err)}, nil
}
