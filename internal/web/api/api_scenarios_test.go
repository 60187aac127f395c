package api_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web/api"
)

// scMissing is an id no object has.
const scMissing = 987654321

// scenario is one API request and the problem it must get back.
type scenario struct {
	name   string
	user   string // fixture username; "" anonymous; "!bogus" an unknown bearer token
	method string
	path   string // {Leeds}, {Acme}, {west.one}, {missing} … are replaced by ids
	body   string // raw; placeholders replaced; sent as application/json
	ctype  string // overrides the Content-Type
	status int
	typ    string // problem type
	detail string // substring of detail
	field  string // a field named in errors[]
}

// scProblem is the decoded problem+json body.
type scProblem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

// scReplacer maps the placeholders of a scenario to the fixture's ids.
func scReplacer(env *apptest.Env) *strings.Replacer {
	f := env.Fixture
	pairs := []string{
		"{missing}", strconv.Itoa(scMissing),
		"{Acme}", id(f.Acme.ID), "{Globex}", id(f.Globex.ID),
		"{Leeds}", id(f.Leeds.ID), "{Sales}", id(f.Sales.ID), "{SalesWest}", id(f.SalesWest.ID),
		"{Support}", id(f.Support.ID), "{London}", id(f.London.ID), "{Reading}", id(f.Reading.ID),
	}
	for u, a := range f.Accounts {
		pairs = append(pairs, "{"+u+"}", id(a.ID))
	}
	// {acme-entry} and {globex-entry}: an audit entry of each company.
	for name, company := range map[string]int64{"{acme-entry}": f.Acme.ID, "{globex-entry}": f.Globex.ID} {
		es, _, err := env.App.Audit.List(context.Background(), audit.Filter{CompanyID: company}, store.Page{Page: 1, PerPage: 1})
		if err != nil || len(es) == 0 {
			panic(fmt.Sprintf("no audit entry of company %d: %v", company, err))
		}
		pairs = append(pairs, name, id(es[0].ID))
	}
	return strings.NewReplacer(pairs...)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// scClient sends requests as fixture users, opening a session for each
// once (directly, not through the rate-limited login endpoint).
type scClient struct {
	env    *apptest.Env
	tokens map[string]string
	rep    *strings.Replacer
}

func newSCClient(env *apptest.Env) *scClient {
	return &scClient{env: env, tokens: map[string]string{}, rep: scReplacer(env)}
}

func (c *scClient) token(t *testing.T, user string) string {
	t.Helper()
	switch user {
	case "":
		return ""
	case "!bogus":
		return "bogus-token-that-was-never-issued"
	}
	if tok, ok := c.tokens[user]; ok {
		return tok
	}
	tok := sessionToken(t, c.env, user)
	c.tokens[user] = tok
	return tok
}

// do sends one request; body "" sends none.
func (c *scClient) do(t *testing.T, user, method, path, body, ctype string) apptest.Response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(c.rep.Replace(body))
		if ctype == "" {
			ctype = "application/json"
		}
	}
	req, err := http.NewRequest(method, c.env.Server.URL+c.rep.Replace(path), rd)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if tok := c.token(t, user); tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return apptest.Response{Status: res.StatusCode, Header: res.Header, Body: out}
}

// scSnapshot is the state a failing request must not change: every row of
// the tenant tables (sessions excepted, as logins add them) and the number
// of audit events.
func scSnapshot(t *testing.T, env *apptest.Env) string {
	t.Helper()
	ctx := context.Background()
	var b strings.Builder
	for _, tbl := range []struct{ name, order string }{
		{"providers", "id"}, {"resellers", "id"}, {"companies", "id"}, {"org_groups", "id"},
		{"accounts", "id"}, {"group_members", "group_id, account_id"}, {"group_admins", "group_id, account_id"},
	} {
		rows, err := env.App.DB.Q(ctx).Query(ctx, "SELECT * FROM "+tbl.name+" ORDER BY "+tbl.order)
		if err != nil {
			t.Fatal(err)
		}
		scDump(t, &b, tbl.name, rows)
	}
	_, n, err := env.App.Audit.List(ctx, audit.Filter{}, store.Page{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "audit_events: %d\n", n)
	return b.String()
}

func scDump(t *testing.T, b *strings.Builder, name string, rows *sql.Rows) {
	t.Helper()
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(b, "%s:", name)
		for _, v := range vals {
			if bs, ok := v.([]byte); ok {
				v = string(bs)
			}
			fmt.Fprintf(b, " %v", v)
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// failing lists requests that must each be refused with a problem naming
// what is wrong, and change nothing.
var failing = []scenario{
	// ---- authentication and malformed bodies ----
	{name: "login: truncated JSON", method: "POST", path: "/api/v1/auth/login", body: `{"username": "acme.admin",`,
		status: 400, typ: api.ProblemMalformed, detail: "ends too early"},
	{name: "login: syntax error", method: "POST", path: "/api/v1/auth/login", body: `{"username" "acme.admin"}`,
		status: 400, typ: api.ProblemMalformed, detail: "not valid JSON"},
	{name: "login: unknown field", method: "POST", path: "/api/v1/auth/login", body: `{"username":"acme.admin","password":"x","remember":true}`,
		status: 400, typ: api.ProblemMalformed, detail: `unknown field "remember"`, field: "remember"},
	{name: "login: wrong type", method: "POST", path: "/api/v1/auth/login", body: `{"username":42,"password":"x"}`,
		status: 400, typ: api.ProblemMalformed, detail: "username must be a string", field: "username"},
	{name: "login: missing fields", method: "POST", path: "/api/v1/auth/login", body: `{}`,
		status: 422, typ: api.ProblemValidation, detail: "username is required", field: "password"},
	{name: "login: empty body", method: "POST", path: "/api/v1/auth/login", ctype: "application/json",
		status: 400, typ: api.ProblemMalformed, detail: "empty"},
	{name: "login: array body", method: "POST", path: "/api/v1/auth/login", body: `[]`,
		status: 400, typ: api.ProblemMalformed, detail: "must be a JSON object"},
	{name: "login: trailing data", method: "POST", path: "/api/v1/auth/login", body: `{"username":"a","password":"b"} {}`,
		status: 400, typ: api.ProblemMalformed, detail: "single JSON object"},
	{name: "login: form content type", method: "POST", path: "/api/v1/auth/login", body: `username=a&password=b`,
		ctype: "application/x-www-form-urlencoded", status: 415, typ: api.ProblemUnsupportedType, detail: "application/json"},
	{name: "login: wrong password", method: "POST", path: "/api/v1/auth/login", body: `{"username":"acme.admin","password":"Wrong-Pass-1!"}`,
		status: 401, typ: api.ProblemUnauthenticated, detail: "username or password is not correct"},
	{name: "login: unknown user", method: "POST", path: "/api/v1/auth/login", body: `{"username":"nobody.here","password":"Fixture-Pass-1!"}`,
		status: 401, typ: api.ProblemUnauthenticated, detail: "username or password is not correct"},
	{name: "me: anonymous", method: "GET", path: "/api/v1/auth/me",
		status: 401, typ: api.ProblemUnauthenticated, detail: "log in first"},
	{name: "me: unknown token", user: "!bogus", method: "GET", path: "/api/v1/auth/me",
		status: 401, typ: api.ProblemUnauthenticated, detail: "unknown or has expired"},
	{name: "anonymous create group", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{Leeds},"name":"X"}`,
		status: 401, typ: api.ProblemUnauthenticated},
	{name: "unknown endpoint", user: "acme.admin", method: "GET", path: "/api/v1/nothing-here",
		status: 404, typ: api.ProblemNotFound, detail: "no API endpoint"},

	// ---- groups: create ----
	{name: "create group: bad JSON", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":`,
		status: 400, typ: api.ProblemMalformed},
	{name: "create group: unknown field", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{Leeds},"name":"X","colour":"red"}`,
		status: 400, typ: api.ProblemMalformed, detail: "colour", field: "colour"},
	{name: "create group: wrong type", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":"{Leeds}","name":"X"}`,
		status: 400, typ: api.ProblemMalformed, detail: "whole number", field: "parent_id"},
	{name: "create group: without parent", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"name":"Top"}`,
		status: 422, typ: api.ProblemValidation, detail: "parent_id is required", field: "parent_id"},
	{name: "create group: missing name", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{Leeds}}`,
		status: 422, typ: api.ProblemValidation, detail: "needs a name", field: "name"},
	{name: "create group: slash in name", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{Leeds},"name":"A/B"}`,
		status: 422, typ: api.ProblemValidation, detail: "'/'", field: "name"},
	{name: "create group: duplicate sibling name", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{Leeds},"name":"sales"}`,
		status: 409, typ: api.ProblemConflict, detail: "already exists", field: "name"},
	{name: "create group: bad contact e-mail", user: "acme.admin", method: "POST", path: "/api/v1/groups",
		body:   `{"parent_id":{Leeds},"name":"Ok","profile":{"contact_email":"nope"}}`,
		status: 422, typ: api.ProblemValidation, field: "profile.contact_email"},
	{name: "create group: under another company's site", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{Reading},"name":"X"}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "parent_id"},
	{name: "create group: under a missing parent", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{missing},"name":"X"}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "parent_id"},
	{name: "create group: group admin under ancestor", user: "sales.admin", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{Leeds},"name":"X"}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "parent_id"},
	{name: "create group: employee", user: "west.one", method: "POST", path: "/api/v1/groups", body: `{"parent_id":{SalesWest},"name":"X"}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "parent_id"},

	// ---- groups: read ----
	{name: "group admin reads sibling group", user: "sales.admin", method: "GET", path: "/api/v1/groups/{Support}",
		status: 404, typ: api.ProblemNotFound, detail: "no such object"},
	{name: "group admin reads ancestor group", user: "sales.admin", method: "GET", path: "/api/v1/groups/{Leeds}",
		status: 404, typ: api.ProblemNotFound},
	{name: "site admin reads sibling site", user: "leeds.admin", method: "GET", path: "/api/v1/sites/{London}",
		status: 404, typ: api.ProblemNotFound},
	{name: "company admin reads Globex's group", user: "acme.admin", method: "GET", path: "/api/v1/groups/{Reading}",
		status: 404, typ: api.ProblemNotFound},
	{name: "a group is not a site", user: "acme.admin", method: "GET", path: "/api/v1/sites/{Sales}",
		status: 404, typ: api.ProblemNotFound},
	{name: "malformed group id", user: "acme.admin", method: "GET", path: "/api/v1/groups/abc",
		status: 404, typ: api.ProblemNotFound},
	{name: "list groups: per_page too big", user: "acme.admin", method: "GET", path: "/api/v1/groups?per_page=100000",
		status: 400, typ: api.ProblemMalformed, detail: "per_page must be a whole number from 0 to 500", field: "per_page"},
	{name: "list groups: bad page", user: "acme.admin", method: "GET", path: "/api/v1/groups?page=-1",
		status: 400, typ: api.ProblemMalformed, detail: "page must be a whole number from 0 to 1000000", field: "page"},
	{name: "list groups: huge page", user: "acme.admin", method: "GET", path: "/api/v1/groups?page=9223372036854775807",
		status: 400, typ: api.ProblemMalformed, detail: "from 0 to 1000000", field: "page"},
	{name: "list employees: page overflowing int64", user: "acme.admin", method: "GET", path: "/api/v1/employees?page=99999999999999999999",
		status: 400, typ: api.ProblemMalformed, field: "page"},
	{name: "list groups: negative parent id", user: "acme.admin", method: "GET", path: "/api/v1/groups?parent_id=-3",
		status: 400, typ: api.ProblemMalformed, field: "parent_id"},
	{name: "list groups: other company", user: "acme.admin", method: "GET", path: "/api/v1/groups?company_id={Globex}",
		status: 404, typ: api.ProblemNotFound},
	{name: "list groups: operator without company", user: "operator", method: "GET", path: "/api/v1/groups",
		status: 422, typ: api.ProblemValidation, field: "company_id"},
	{name: "group members: bad filter", user: "acme.admin", method: "GET", path: "/api/v1/groups/{Sales}/members?filter=some",
		status: 422, typ: api.ProblemValidation, field: "filter"},

	// ---- groups: update, move, delete ----
	{name: "rename group", user: "acme.admin", method: "PATCH", path: "/api/v1/groups/{Sales}", body: `{"name":"Sales East"}`,
		status: 422, typ: api.ProblemValidation, detail: "cannot be changed", field: "name"},
	{name: "update group: wrong type", user: "acme.admin", method: "PATCH", path: "/api/v1/groups/{Sales}", body: `{"profile":"x"}`,
		status: 400, typ: api.ProblemMalformed, field: "profile"},
	{name: "update group: bad phone", user: "acme.admin", method: "PATCH", path: "/api/v1/groups/{Sales}", body: `{"profile":{"contact_phone":"call me"}}`,
		status: 422, typ: api.ProblemValidation, field: "profile.contact_phone"},
	{name: "update group: sibling", user: "sales.admin", method: "PATCH", path: "/api/v1/groups/{Support}", body: `{"profile":{}}`,
		status: 404, typ: api.ProblemNotFound},
	{name: "move group under own descendant", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Sales}/move", body: `{"parent_id":{SalesWest}}`,
		status: 422, typ: api.ProblemValidation, detail: "own sub-groups", field: "parent_id"},
	{name: "move group under itself", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Sales}/move", body: `{"parent_id":{Sales}}`,
		status: 422, typ: api.ProblemValidation, detail: "under itself", field: "parent_id"},
	{name: "move group: no parent", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Sales}/move", body: `{}`,
		status: 422, typ: api.ProblemValidation, field: "parent_id"},
	{name: "move group: into another company", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Sales}/move", body: `{"parent_id":{Reading}}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "parent_id"},
	{name: "move a site (company admin)", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Leeds}/move", body: `{"parent_id":{London}}`,
		status: 403, typ: api.ProblemForbidden, detail: "site"},
	{name: "move a site (operator)", user: "operator", method: "POST", path: "/api/v1/groups/{Leeds}/move", body: `{"parent_id":{London}}`,
		status: 422, typ: api.ProblemValidation, detail: "site", field: "parent_id"},
	{name: "group admin moves own group", user: "sales.admin", method: "POST", path: "/api/v1/groups/{Sales}/move", body: `{"parent_id":{SalesWest}}`,
		status: 403, typ: api.ProblemForbidden, detail: "sub-groups"},
	{name: "delete group with children", user: "acme.admin", method: "DELETE", path: "/api/v1/groups/{Sales}",
		status: 409, typ: api.ProblemConflict, detail: "sub-group"},
	{name: "company admin deletes a site as a group", user: "acme.admin", method: "DELETE", path: "/api/v1/groups/{London}",
		status: 403, typ: api.ProblemForbidden, detail: "site"},
	{name: "company admin deletes a site", user: "acme.admin", method: "DELETE", path: "/api/v1/sites/{London}",
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},

	// ---- sites ----
	{name: "company admin creates a site", user: "acme.admin", method: "POST", path: "/api/v1/sites", body: `{"company_id":{Acme},"name":"York"}`,
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},
	{name: "group admin creates a site", user: "leeds.admin", method: "POST", path: "/api/v1/sites", body: `{"company_id":{Acme},"name":"York"}`,
		status: 403, typ: api.ProblemForbidden},
	{name: "company admin creates a site in Globex", user: "acme.admin", method: "POST", path: "/api/v1/sites", body: `{"company_id":{Globex},"name":"York"}`,
		status: 404, typ: api.ProblemNotFound},
	{name: "create site: no company", user: "operator", method: "POST", path: "/api/v1/sites", body: `{"name":"York"}`,
		status: 422, typ: api.ProblemValidation, field: "company_id"},
	{name: "create site: duplicate name", user: "operator", method: "POST", path: "/api/v1/sites", body: `{"company_id":{Acme},"name":"LEEDS"}`,
		status: 409, typ: api.ProblemConflict, detail: "site named", field: "name"},
	{name: "create site: missing company", user: "operator", method: "POST", path: "/api/v1/sites", body: `{"company_id":{missing},"name":"York"}`,
		status: 404, typ: api.ProblemNotFound},

	// ---- group admins and members ----
	{name: "assign an employee as group admin", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Support}/admins", body: `{"add":[{west.one}]}`,
		status: 422, typ: api.ProblemValidation, detail: "Group Administrator", field: "add"},
	{name: "assign a company admin as group admin", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Support}/admins", body: `{"add":[{acme.admin}]}`,
		status: 422, typ: api.ProblemValidation, detail: "Company Administrator", field: "add"},
	{name: "change admins: nothing", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Support}/admins", body: `{}`,
		status: 422, typ: api.ProblemValidation, detail: "nothing to change", field: "add"},
	{name: "add member from another company", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Support}/members", body: `{"add":[{globex.one}]}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "add"},
	{name: "add member: wrong type", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Support}/members", body: `{"add":["x"]}`,
		status: 400, typ: api.ProblemMalformed, field: "add"},
	{name: "add and remove the same member", user: "acme.admin", method: "POST", path: "/api/v1/groups/{Support}/members",
		body: `{"add":[{west.one}],"remove":[{west.one}]}`, status: 422, typ: api.ProblemValidation, field: "remove"},
	{name: "group admin adds member outside scope", user: "sales.admin", method: "POST", path: "/api/v1/groups/{Sales}/members", body: `{"add":[{support.one}]}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "add"},
	{name: "move members: no target", user: "acme.admin", method: "POST", path: "/api/v1/groups/{SalesWest}/members/move", body: `{"employee_ids":[{west.one}]}`,
		status: 422, typ: api.ProblemValidation, field: "to_group_id"},
	{name: "move members: into Globex", user: "acme.admin", method: "POST", path: "/api/v1/groups/{SalesWest}/members/move",
		body: `{"employee_ids":[{west.one}],"to_group_id":{Reading}}`, status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "to_group_id"},
	{name: "move members: not a member", user: "acme.admin", method: "POST", path: "/api/v1/groups/{SalesWest}/members/move",
		body: `{"employee_ids":[{support.one}],"to_group_id":{Support}}`, status: 422, typ: api.ProblemValidation, detail: "not a member", field: "employee_ids"},

	// ---- employees ----
	{name: "create employee: invalid username", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john@smith","password":"Good-Pass-1","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "cannot contain '@'", field: "username"},
	{name: "create employee: short username", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"j","password":"Good-Pass-1","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "at least 2", field: "username"},
	{name: "create employee: missing fields", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: `{}`,
		status: 422, typ: api.ProblemValidation, detail: "username is required", field: "last_name"},
	// Employees get the self-care policy, admins the business-portal one.
	{name: "create employee: weak password", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"password","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "must contain a digit", field: "password"},
	{name: "create employee: numeric sequence", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Smith-54321","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "numeric sequence 54321", field: "password"},
	{name: "create employee: repeated digit", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Smith-1112!","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "repeat the digit 1", field: "password"},
	{name: "create employee: too long for self-care", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Smith-Very-Long-Pass-9","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "between 8 and 20", field: "password"},
	{name: "create employee: password holds the phone number", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Smith-4960123!","phone":"+44 113 496 0123","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "telephone number", field: "password"},
	{name: "create employee: admin without uppercase", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"smith-pass-1!","first_name":"John","last_name":"Smith","role":"group_admin"}`,
		status: 422, typ: api.ProblemValidation, detail: "uppercase", field: "password"},
	{name: "create employee: no password and no e-mail", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, detail: "e-mail address", field: "password"},
	{name: "create employee: body over 1 MiB", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"big.one","first_name":"` + strings.Repeat("x", 1<<20) + `"}`,
		status: 413, typ: api.ProblemMalformed, detail: "larger than 1 MiB"},
	{name: "create employee: wrong type", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: `{"username":"john.smith","group_ids":"1"}`,
		status: 400, typ: api.ProblemMalformed, field: "group_ids"},
	{name: "create employee: unknown field", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: `{"username":"john.smith","salary":1}`,
		status: 400, typ: api.ProblemMalformed, field: "salary"},
	{name: "create employee: duplicate username", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"globex.one","password":"Good-Pass-1","first_name":"John","last_name":"Smith"}`,
		status: 409, typ: api.ProblemConflict, detail: "already taken", field: "username"},
	{name: "create employee: bad role", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Good-Pass-1","first_name":"John","last_name":"Smith","role":"provider"}`,
		status: 422, typ: api.ProblemValidation, field: "role"},
	{name: "create employee: group admin without group", user: "leeds.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Good-Pass-1","first_name":"John","last_name":"Smith"}`,
		status: 422, typ: api.ProblemValidation, field: "group_ids"},
	{name: "create employee: group admin into sibling site", user: "leeds.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Good-Pass-1","first_name":"John","last_name":"Smith","group_ids":[{London}]}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "group_ids"},
	{name: "create employee: group admin makes a company admin", user: "leeds.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Good-Pass-1","first_name":"John","last_name":"Smith","group_ids":[{Sales}],"role":"company_admin"}`,
		status: 403, typ: api.ProblemForbidden},
	{name: "create employee: employee", user: "west.one", method: "POST", path: "/api/v1/employees",
		body:   `{"username":"john.smith","password":"Good-Pass-1","first_name":"John","last_name":"Smith"}`,
		status: 403, typ: api.ProblemForbidden},
	{name: "create employee: in Globex", user: "acme.admin", method: "POST", path: "/api/v1/employees",
		body:   `{"company_id":{Globex},"username":"john.smith","password":"Good-Pass-1","first_name":"John","last_name":"Smith"}`,
		status: 404, typ: api.ProblemNotFound},
	{name: "company admin reads Globex's employee", user: "acme.admin", method: "GET", path: "/api/v1/employees/{globex.one}",
		status: 404, typ: api.ProblemNotFound},
	{name: "group admin reads sibling's member", user: "sales.admin", method: "GET", path: "/api/v1/employees/{support.one}",
		status: 404, typ: api.ProblemNotFound},
	{name: "employee reads a colleague", user: "west.one", method: "GET", path: "/api/v1/employees/{support.one}",
		status: 404, typ: api.ProblemNotFound},
	{name: "rename employee", user: "acme.admin", method: "PATCH", path: "/api/v1/employees/{west.one}", body: `{"username":"west.two"}`,
		status: 422, typ: api.ProblemValidation, detail: "cannot be changed", field: "username"},
	{name: "update employee: bad role", user: "acme.admin", method: "PATCH", path: "/api/v1/employees/{west.one}", body: `{"role":"boss"}`,
		status: 422, typ: api.ProblemValidation, field: "role"},
	{name: "update employee: wrong type", user: "acme.admin", method: "PATCH", path: "/api/v1/employees/{west.one}", body: `{"first_name":7}`,
		status: 400, typ: api.ProblemMalformed, field: "first_name"},
	{name: "update employee: empty surname", user: "acme.admin", method: "PATCH", path: "/api/v1/employees/{west.one}", body: `{"last_name":""}`,
		status: 422, typ: api.ProblemValidation, field: "last_name"},
	{name: "employee promotes self", user: "west.one", method: "PATCH", path: "/api/v1/employees/{west.one}", body: `{"role":"group_admin"}`,
		status: 403, typ: api.ProblemForbidden, detail: "role does not allow"},
	{name: "group admin promotes to company admin", user: "leeds.admin", method: "PATCH", path: "/api/v1/employees/{west.one}", body: `{"role":"company_admin"}`,
		status: 403, typ: api.ProblemForbidden, detail: "company administrator"},
	{name: "company admin deletes self", user: "acme.admin", method: "DELETE", path: "/api/v1/employees/{acme.admin}",
		status: 403, typ: api.ProblemForbidden, detail: "your own account"},
	{name: "group admin deletes unseen company admin", user: "leeds.admin", method: "DELETE", path: "/api/v1/employees/{acme.admin}",
		status: 404, typ: api.ProblemNotFound},
	{name: "list employees: bad sort", user: "acme.admin", method: "GET", path: "/api/v1/employees?sort=password",
		status: 422, typ: api.ProblemValidation, field: "sort"},
	{name: "list employees: bad role", user: "acme.admin", method: "GET", path: "/api/v1/employees?role=boss",
		status: 422, typ: api.ProblemValidation, field: "role"},
	{name: "list employees: bad status", user: "acme.admin", method: "GET", path: "/api/v1/employees?status=asleep",
		status: 422, typ: api.ProblemValidation, detail: "inactive, pending, active or error", field: "status"},
	{name: "memberships: group in Globex", user: "acme.admin", method: "POST", path: "/api/v1/employees/{west.one}/memberships", body: `{"add":[{Reading}]}`,
		status: 422, typ: api.ProblemValidation, detail: "does not exist", field: "add"},
	{name: "admin privileges for an employee", user: "acme.admin", method: "POST", path: "/api/v1/employees/{west.one}/admin-privileges", body: `{"add":[{Support}]}`,
		status: 422, typ: api.ProblemValidation, detail: "Group Administrator", field: "add"},
	{name: "employee changes own memberships", user: "west.one", method: "POST", path: "/api/v1/employees/{west.one}/memberships", body: `{"add":[{Support}]}`,
		status: 403, typ: api.ProblemForbidden},
	{name: "memberships: bad filter", user: "acme.admin", method: "GET", path: "/api/v1/employees/{west.one}/memberships?filter=x",
		status: 422, typ: api.ProblemValidation, field: "filter"},

	// ---- companies ----
	{name: "company admin reads Globex", user: "acme.admin", method: "GET", path: "/api/v1/companies/{Globex}",
		status: 404, typ: api.ProblemNotFound},
	{name: "company admin reads Globex's dashboard", user: "acme.admin", method: "GET", path: "/api/v1/companies/{Globex}/dashboard",
		status: 404, typ: api.ProblemNotFound},
	{name: "group admin reads the company dashboard", user: "leeds.admin", method: "GET", path: "/api/v1/companies/{Acme}/dashboard",
		status: 403, typ: api.ProblemForbidden, detail: "company administrator"},
	{name: "company admin changes commercial fields", user: "acme.admin", method: "PATCH", path: "/api/v1/companies/{Acme}", body: `{"debit_limit_minor":0}`,
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},
	{name: "company admin creates a company", user: "acme.admin", method: "POST", path: "/api/v1/companies", body: `{"name":"Acme Two"}`,
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},
	{name: "company admin creates a reseller", user: "acme.admin", method: "POST", path: "/api/v1/resellers", body: `{"name":"R"}`,
		status: 403, typ: api.ProblemForbidden},
	{name: "update company: bad status", user: "operator", method: "PATCH", path: "/api/v1/companies/{Acme}", body: `{"status":"closed"}`,
		status: 422, typ: api.ProblemValidation, field: "status"},
	{name: "update company: wrong type", user: "operator", method: "PATCH", path: "/api/v1/companies/{Acme}", body: `{"debit_limit_minor":"lots"}`,
		status: 400, typ: api.ProblemMalformed, field: "debit_limit_minor"},
	{name: "update company: duplicate name", user: "operator", method: "PATCH", path: "/api/v1/companies/{Acme}", body: `{"name":"globex PLC"}`,
		status: 409, typ: api.ProblemConflict, field: "name"},
	{name: "update company: missing", user: "operator", method: "PATCH", path: "/api/v1/companies/{missing}", body: `{"status":"active"}`,
		status: 404, typ: api.ProblemNotFound},
	{name: "create company: empty name", user: "operator", method: "POST", path: "/api/v1/companies", body: `{"name":""}`,
		status: 422, typ: api.ProblemValidation, field: "name"},
	{name: "create company: negative debit limit", user: "operator", method: "POST", path: "/api/v1/companies", body: `{"name":"New","debit_limit_minor":-1}`,
		status: 422, typ: api.ProblemValidation, field: "debit_limit_minor"},
	{name: "create company: bad currency", user: "operator", method: "POST", path: "/api/v1/companies", body: `{"name":"New","currency":"EURO"}`,
		status: 422, typ: api.ProblemValidation, field: "currency"},
	{name: "create company: duplicate name", user: "operator", method: "POST", path: "/api/v1/companies", body: `{"name":"ACME LTD"}`,
		status: 409, typ: api.ProblemConflict, field: "name"},
	{name: "list companies: bad status", user: "operator", method: "GET", path: "/api/v1/companies?status=dormant",
		status: 422, typ: api.ProblemValidation, detail: "status must be one of", field: "status"},
	{name: "recent activity: group admin", user: "leeds.admin", method: "GET", path: "/api/v1/companies/{Acme}/recent-activity",
		status: 403, typ: api.ProblemForbidden},
	{name: "recent activity: other company", user: "acme.admin", method: "GET", path: "/api/v1/companies/{Globex}/recent-activity",
		status: 404, typ: api.ProblemNotFound},

	// ---- audit ----
	{name: "audit: other company", user: "acme.admin", method: "GET", path: "/api/v1/audit?company_id={Globex}",
		status: 404, typ: api.ProblemNotFound},
	{name: "audit: bad time", user: "acme.admin", method: "GET", path: "/api/v1/audit?from=yesterday",
		status: 422, typ: api.ProblemValidation, field: "from"},
	{name: "audit: group admin", user: "leeds.admin", method: "GET", path: "/api/v1/audit",
		status: 403, typ: api.ProblemForbidden},
	{name: "audit entry: another company's", user: "acme.admin", method: "GET", path: "/api/v1/audit/{globex-entry}",
		status: 404, typ: api.ProblemNotFound, detail: "no such object"},
	{name: "audit entry: missing", user: "acme.admin", method: "GET", path: "/api/v1/audit/{missing}",
		status: 404, typ: api.ProblemNotFound},
	{name: "audit entry: group admin", user: "leeds.admin", method: "GET", path: "/api/v1/audit/{acme-entry}",
		status: 404, typ: api.ProblemNotFound},

	// ---- methods and sizes ----
	{name: "wrong method on a known path", user: "acme.admin", method: "DELETE", path: "/api/v1/auth/me",
		status: 405, typ: api.ProblemMethodNotAllowed, detail: "use GET"},
	{name: "wrong method on an employee", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}", body: `{}`,
		status: 405, typ: api.ProblemMethodNotAllowed, detail: "GET, PATCH, DELETE"},
	{name: "login: body over 1 MiB", method: "POST", path: "/api/v1/auth/login", body: `{"username":"` + strings.Repeat("a", 1<<20) + `"}`,
		status: 413, typ: api.ProblemMalformed, detail: "larger than 1 MiB"},

	// ---- own password and security e-mail ----
	{name: "change password: wrong current", user: "west.one", method: "POST", path: "/api/v1/auth/password",
		body:   `{"current_password":"Wrong-Pass-1!","new_password":"Wendy-Own-Pass-9"}`,
		status: 422, typ: api.ProblemValidation, detail: "current password is not correct", field: "current_password"},
	{name: "change password: weak new (sequence)", user: "west.one", method: "POST", path: "/api/v1/auth/password",
		body:   `{"current_password":"Fixture-Pass-1!","new_password":"Wendy-12345!"}`,
		status: 422, typ: api.ProblemValidation, detail: "numeric sequence 12345", field: "new_password"},
	{name: "change password: weak new (no special character)", user: "west.one", method: "POST", path: "/api/v1/auth/password",
		body:   `{"current_password":"Fixture-Pass-1!","new_password":"Wendy2468"}`,
		status: 422, typ: api.ProblemValidation, detail: "special character", field: "new_password"},
	{name: "change password: admin policy wants uppercase", user: "acme.admin", method: "POST", path: "/api/v1/auth/password",
		body:   `{"current_password":"Fixture-Pass-1!","new_password":"alex-pass-9!"}`,
		status: 422, typ: api.ProblemValidation, detail: "uppercase", field: "new_password"},
	{name: "change password: same as before", user: "west.one", method: "POST", path: "/api/v1/auth/password",
		body:   `{"current_password":"Fixture-Pass-1!","new_password":"Fixture-Pass-1!"}`,
		status: 422, typ: api.ProblemValidation, detail: "different from the previous", field: "new_password"},
	{name: "change password: unknown field", user: "west.one", method: "POST", path: "/api/v1/auth/password",
		body:   `{"current_password":"x","password":"y"}`,
		status: 400, typ: api.ProblemMalformed, field: "password"},
	{name: "change password: anonymous", method: "POST", path: "/api/v1/auth/password", body: `{"current_password":"x","new_password":"y"}`,
		status: 401, typ: api.ProblemUnauthenticated},
	{name: "security e-mail: not an address", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: `{"email":"wendy at example"}`,
		status: 422, typ: api.ProblemValidation, detail: "not an e-mail address", field: "email"},
	{name: "security e-mail: empty", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: `{}`,
		status: 422, typ: api.ProblemValidation, field: "email"},
	{name: "security e-mail: unchanged", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: `{"email":"WEST.ONE@example.com"}`,
		status: 422, typ: api.ProblemValidation, detail: "already your security e-mail", field: "email"},
	{name: "confirm security e-mail: missing token", method: "POST", path: "/api/v1/auth/security-email/confirm", body: `{}`,
		status: 422, typ: api.ProblemValidation, detail: "token from the confirmation link is required", field: "token"},
	{name: "confirm security e-mail: bad token", method: "POST", path: "/api/v1/auth/security-email/confirm", body: `{"token":"made-up"}`,
		status: 422, typ: api.ProblemValidation, detail: "not valid", field: "token"},
	{name: "confirm security e-mail: wrong type", method: "POST", path: "/api/v1/auth/security-email/confirm", body: `{"token":1}`,
		status: 400, typ: api.ProblemMalformed, field: "token"},

	// ---- self-service reset ----
	{name: "password reset: empty login", method: "POST", path: "/api/v1/auth/password-reset", body: `{"login":"  "}`,
		status: 422, typ: api.ProblemValidation, detail: "number or username", field: "login"},
	{name: "password reset: unknown field", method: "POST", path: "/api/v1/auth/password-reset", body: `{"email":"x@example.com"}`,
		status: 400, typ: api.ProblemMalformed, field: "email"},
	{name: "reset confirm: missing token", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: `{"new_password":"Wendy-Own-Pass-9"}`,
		status: 422, typ: api.ProblemValidation, detail: "token from the reset link is required", field: "token"},
	{name: "reset confirm: bad token", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: `{"token":"made-up","new_password":"Wendy-Own-Pass-9"}`,
		status: 422, typ: api.ProblemValidation, detail: "not valid", field: "token"},
	{name: "reset confirm: form content type", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: `token=x`, ctype: "application/x-www-form-urlencoded",
		status: 415, typ: api.ProblemUnsupportedType},

	// ---- employees' account security ----
	{name: "reset password: company admin by company admin", user: "acme.admin", method: "POST", path: "/api/v1/employees/{acme.admin}/reset-password",
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},
	{name: "reset password: group admin self", user: "sales.admin", method: "POST", path: "/api/v1/employees/{sales.admin}/reset-password",
		status: 403, typ: api.ProblemForbidden, detail: "Change Password"},
	{name: "reset password: employee self", user: "west.one", method: "POST", path: "/api/v1/employees/{west.one}/reset-password",
		status: 403, typ: api.ProblemForbidden, detail: "Change Password"},
	{name: "reset password: group admin outside scope", user: "sales.admin", method: "POST", path: "/api/v1/employees/{support.one}/reset-password",
		status: 404, typ: api.ProblemNotFound},
	{name: "reset password: other company", user: "acme.admin", method: "POST", path: "/api/v1/employees/{globex.one}/reset-password",
		status: 404, typ: api.ProblemNotFound},
	{name: "force unlock: group admin", user: "leeds.admin", method: "POST", path: "/api/v1/employees/{west.one}/force-unlock",
		status: 403, typ: api.ProblemForbidden, detail: "company administrator"},
	{name: "force unlock: company admin by company admin", user: "acme.admin", method: "POST", path: "/api/v1/employees/{acme.admin}/force-unlock",
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},
	{name: "force unlock: not locked", user: "acme.admin", method: "POST", path: "/api/v1/employees/{west.one}/force-unlock",
		status: 409, typ: api.ProblemConflict, detail: "west.one is not locked"},
	{name: "force unlock: other company", user: "acme.admin", method: "POST", path: "/api/v1/employees/{globex.one}/force-unlock",
		status: 404, typ: api.ProblemNotFound},
	{name: "lock status: colleague", user: "west.one", method: "GET", path: "/api/v1/employees/{support.one}/lock",
		status: 404, typ: api.ProblemNotFound},
	{name: "service passwords: PIN sequence", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords", body: `{"voicemail_pin":"4321"}`,
		status: 422, typ: api.ProblemValidation, detail: "numeric sequence", field: "voicemail_pin"},
	{name: "service passwords: PIN one digit", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords", body: `{"voicemail_pin":"7777"}`,
		status: 422, typ: api.ProblemValidation, detail: "one digit repeated", field: "voicemail_pin"},
	{name: "service passwords: PIN not digits", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords", body: `{"voicemail_pin":"12a4"}`,
		status: 422, typ: api.ProblemValidation, detail: "digits only", field: "voicemail_pin"},
	{name: "service passwords: PIN too short", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords", body: `{"voicemail_pin":"258"}`,
		status: 422, typ: api.ProblemValidation, detail: "between 4 and 8 digits", field: "voicemail_pin"},
	{name: "service passwords: PIN too long", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords", body: `{"voicemail_pin":"258025802"}`,
		status: 422, typ: api.ProblemValidation, detail: "between 4 and 8 digits", field: "voicemail_pin"},
	{name: "service passwords: both weak", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords",
		body:   `{"voicemail_pin":"0000","application_password":"app"}`,
		status: 422, typ: api.ProblemValidation, field: "application_password"},
	{name: "service passwords: nothing", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords", body: `{}`,
		status: 422, typ: api.ProblemValidation, detail: "voicemail_pin", field: "application_password"},
	{name: "service passwords: PIN as number", user: "acme.admin", method: "PUT", path: "/api/v1/employees/{west.one}/service-passwords", body: `{"voicemail_pin":2580}`,
		status: 400, typ: api.ProblemMalformed, field: "voicemail_pin"},
	{name: "service passwords: colleague", user: "west.one", method: "PUT", path: "/api/v1/employees/{support.one}/service-passwords", body: `{"voicemail_pin":"2580"}`,
		status: 404, typ: api.ProblemNotFound},

	// ---- provider-only security pages ----
	{name: "security settings: company admin", user: "acme.admin", method: "GET", path: "/api/v1/settings/security",
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},
	{name: "security settings: group admin changes them", user: "leeds.admin", method: "PATCH", path: "/api/v1/settings/security", body: `{"lockout_threshold":100}`,
		status: 403, typ: api.ProblemForbidden},
	{name: "security settings: bad values", user: "operator", method: "PATCH", path: "/api/v1/settings/security",
		body:   `{"lockout_threshold":0,"admin_password_policy":"lenient","portal_url":"portal.example.com","lockout_window_minutes":20000}`,
		status: 422, typ: api.ProblemValidation, field: "lockout_window_minutes"},
	{name: "security settings: unknown field", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: `{"mfa":true}`,
		status: 400, typ: api.ProblemMalformed, field: "mfa"},
	{name: "outbox: company admin", user: "acme.admin", method: "GET", path: "/api/v1/mail/outbox",
		status: 403, typ: api.ProblemForbidden, detail: "service provider"},
	{name: "outbox: bad status", user: "operator", method: "GET", path: "/api/v1/mail/outbox?status=bounced",
		status: 422, typ: api.ProblemValidation, detail: "queued, sent or failed", field: "status"},
}

func TestAPIScenarios(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		c := newSCClient(env)
		for _, user := range []string{"operator", "acme.admin", "leeds.admin", "sales.admin", "west.one"} {
			c.token(t, user)
		}
		for _, sc := range failing {
			t.Run(sc.name, func(t *testing.T) {
				before := scSnapshot(t, env)
				res := c.do(t, sc.user, sc.method, sc.path, sc.body, sc.ctype)
				checkProblem(t, res, sc)
				if after := scSnapshot(t, env); after != before {
					t.Errorf("the failed request changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
				}
			})
		}
	})
}

func checkProblem(t *testing.T, res apptest.Response, sc scenario) {
	t.Helper()
	if res.Status != sc.status {
		t.Fatalf("status %d, want %d; body %s", res.Status, sc.status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("Content-Type %q, want application/problem+json", ct)
	}
	var p scProblem
	if err := json.Unmarshal(res.Body, &p); err != nil {
		t.Fatalf("body is not JSON: %v: %s", err, res.Body)
	}
	if p.Status != sc.status || p.Title == "" || p.Detail == "" {
		t.Errorf("problem %+v lacks status, title or detail", p)
	}
	if sc.typ != "" && p.Type != sc.typ {
		t.Errorf("type %q, want %q (detail %q)", p.Type, sc.typ, p.Detail)
	}
	if sc.detail != "" && !strings.Contains(p.Detail, sc.detail) {
		t.Errorf("detail %q does not mention %q", p.Detail, sc.detail)
	}
	if sc.field != "" {
		found := false
		for _, e := range p.Errors {
			if e.Field == sc.field && e.Message != "" {
				found = true
			}
		}
		if !found {
			t.Errorf("errors %+v do not name field %q", p.Errors, sc.field)
		}
	}
	for _, leak := range []string{"SQL", "sql:", "pq:", "SQLSTATE", "UNIQUE constraint", "goroutine", ".go:"} {
		if strings.Contains(string(res.Body), leak) {
			t.Errorf("problem leaks internals (%q): %s", leak, res.Body)
		}
	}
}

func TestAPIMoveGroupNameClash(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		c := newSCClient(env)
		res := c.do(t, "acme.admin", "POST", "/api/v1/groups", `{"parent_id":{Sales},"name":"SUPPORT"}`, "")
		if res.Status != http.StatusCreated {
			t.Fatalf("create: %d %s", res.Status, res.Body)
		}
		before := scSnapshot(t, env)
		res = c.do(t, "acme.admin", "POST", "/api/v1/groups/{Support}/move", `{"parent_id":{Sales}}`, "")
		checkProblem(t, res, scenario{status: 409, typ: api.ProblemConflict, detail: "already exists", field: "name"})
		if scSnapshot(t, env) != before {
			t.Error("a refused move changed the database")
		}
	})
}

// Another company's object and an id that does not exist answer with the
// very same bytes, so a response never reveals that the object exists.
func TestAPIOtherCompanyLooksMissing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		c := newSCClient(env)
		pairs := []struct{ method, other, missing, body string }{
			{"GET", "/api/v1/groups/{Reading}", "/api/v1/groups/{missing}", ""},
			{"GET", "/api/v1/sites/{Reading}", "/api/v1/sites/{missing}", ""},
			{"PATCH", "/api/v1/groups/{Reading}", "/api/v1/groups/{missing}", `{"profile":{}}`},
			{"DELETE", "/api/v1/groups/{Reading}", "/api/v1/groups/{missing}", ""},
			{"GET", "/api/v1/groups/{Reading}/members", "/api/v1/groups/{missing}/members", ""},
			{"GET", "/api/v1/employees/{globex.one}", "/api/v1/employees/{missing}", ""},
			{"GET", "/api/v1/employees/{globex.admin}", "/api/v1/employees/{missing}", ""},
			{"PATCH", "/api/v1/employees/{globex.one}", "/api/v1/employees/{missing}", `{"first_name":"X"}`},
			{"DELETE", "/api/v1/employees/{globex.one}", "/api/v1/employees/{missing}", ""},
			{"GET", "/api/v1/employees/{globex.one}/memberships", "/api/v1/employees/{missing}/memberships", ""},
			{"GET", "/api/v1/companies/{Globex}", "/api/v1/companies/{missing}", ""},
			{"GET", "/api/v1/companies/{Globex}/dashboard", "/api/v1/companies/{missing}/dashboard", ""},
			{"GET", "/api/v1/employees?company_id={Globex}", "/api/v1/employees?company_id={missing}", ""},
			{"GET", "/api/v1/groups?company_id={Globex}", "/api/v1/groups?company_id={missing}", ""},
		}
		for _, user := range []string{"acme.admin", "leeds.admin", "west.one"} {
			for _, p := range pairs {
				before := scSnapshot(t, env)
				o := c.do(t, user, p.method, p.other, p.body, "")
				m := c.do(t, user, p.method, p.missing, p.body, "")
				if o.Status != http.StatusNotFound || m.Status != http.StatusNotFound {
					t.Errorf("%s %s %s: %d, missing %d; want both 404", user, p.method, p.other, o.Status, m.Status)
					continue
				}
				if !bytes.Equal(o.Body, m.Body) || o.Header.Get("Content-Type") != m.Header.Get("Content-Type") {
					t.Errorf("%s %s %s: bodies differ:\n%s\n%s", user, p.method, p.other, o.Body, m.Body)
				}
				if scSnapshot(t, env) != before {
					t.Errorf("%s %s %s changed the database", user, p.method, p.other)
				}
			}
		}
		// Failed logins, too, read the same whether or not the user exists.
		a := c.do(t, "", "POST", "/api/v1/auth/login", `{"username":"globex.one","password":"Wrong-Pass-1!"}`, "")
		b := c.do(t, "", "POST", "/api/v1/auth/login", `{"username":"no.such.user","password":"Wrong-Pass-1!"}`, "")
		if a.Status != http.StatusUnauthorized || !bytes.Equal(a.Body, b.Body) {
			t.Errorf("failed logins differ: %d %s / %d %s", a.Status, a.Body, b.Status, b.Body)
		}
	})
}

func decodeJSON[T any](t *testing.T, res apptest.Response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(res.Body, &v); err != nil {
		t.Fatalf("decode %s: %v", res.Body, err)
	}
	return v
}

func expectStatus(t *testing.T, res apptest.Response, want int, what string) {
	t.Helper()
	if res.Status != want {
		t.Fatalf("%s: status %d, want %d: %s", what, res.Status, want, res.Body)
	}
}

type scList[T any] struct {
	Items []T `json:"items"`
	Total int `json:"total"`
}

type scGroup struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Path   string `json:"path"`
	IsSite bool   `json:"is_site"`
	Linked bool   `json:"linked"`
}

type scEmployee struct {
	ID        int64  `json:"id"`
	Username  string `json:"username"`
	Role      string `json:"role"`
	FirstName string `json:"first_name"`
	Phone     string `json:"phone"`
	Linked    bool   `json:"linked"`
}

func auditCount(t *testing.T, env *apptest.Env) int {
	t.Helper()
	_, n, err := env.App.Audit.List(context.Background(), audit.Filter{}, store.Page{PerPage: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestAPIAuthFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		res := env.Do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "leeds.admin", "password": apptest.Password})
		expectStatus(t, res, 200, "login")
		login := decodeJSON[api.LoginResponse](t, res)
		if login.Token == "" || login.CSRFToken == "" || login.Account.Username != "leeds.admin" || login.Account.Role != "group_admin" ||
			login.Account.CompanyID == nil || *login.Account.CompanyID != env.Fixture.Acme.ID || login.ExpiresAt.IsZero() {
			t.Errorf("login response = %+v", login)
		}
		// The JSON login answers with the token only: no cookie, so the
		// 30-day token never becomes a browser session that would escape
		// the idle (30 min) and absolute (12 h) limits.
		if cks := (&http.Response{Header: res.Header}).Cookies(); len(cks) != 0 {
			t.Errorf("the JSON login set cookies: %+v", cks)
		}
		// Nor is the token accepted as the session cookie.
		cookieReq, _ := http.NewRequest("GET", env.Server.URL+"/api/v1/auth/me", nil)
		cookieReq.AddCookie(&http.Cookie{Name: "sb_session", Value: login.Token})
		if r, err := http.DefaultClient.Do(cookieReq); err != nil {
			t.Fatal(err)
		} else if r.Body.Close(); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("API token as the session cookie: %d, want 401", r.StatusCode)
		}
		res = env.Do(t, login.Token, "GET", "/api/v1/auth/me", nil)
		expectStatus(t, res, 200, "me")
		if me := decodeJSON[api.AccountInfo](t, res); me.Username != "leeds.admin" || me.ID != env.ID("leeds.admin") {
			t.Errorf("me = %+v", me)
		}
		other := env.Token(t, "leeds.admin")
		n := auditCount(t, env)
		expectStatus(t, env.Do(t, login.Token, "POST", "/api/v1/auth/logout", nil), 204, "logout")
		res = env.Do(t, login.Token, "GET", "/api/v1/auth/me", nil)
		expectStatus(t, res, 401, "me after logout")
		expectStatus(t, env.Do(t, login.Token, "GET", "/api/v1/groups", nil), 401, "groups after logout")
		expectStatus(t, env.Do(t, other, "GET", "/api/v1/auth/me", nil), 200, "other session after logout")
		if auditCount(t, env) != n {
			t.Error("logout changed the audit log")
		}
		// Bearer header in another scheme.
		req, _ := http.NewRequest("GET", env.Server.URL+"/api/v1/auth/me", nil)
		req.Header.Set("Authorization", "Basic Zm9vOmJhcg==")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(r.Body)
		r.Body.Close()
		if r.StatusCode != 401 || !strings.Contains(string(body), "Bearer") {
			t.Errorf("Basic auth: %d %s", r.StatusCode, body)
		}
	})
}

func TestAPIGroupFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		f := env.Fixture
		c := newSCClient(env)
		n := auditCount(t, env)

		// A group admin creates a group under a sub-group of their site.
		res := c.do(t, "leeds.admin", "POST", "/api/v1/groups", `{"parent_id":{Sales},"name":"Sales North","profile":{"contact_email":"north@example.com"}}`, "")
		expectStatus(t, res, 201, "create group")
		g := decodeJSON[scGroup](t, res)
		loc := res.Header.Get("Location")
		if loc != "/api/v1/groups/"+id(g.ID) || g.Path != "Leeds/Sales/Sales North" || g.IsSite {
			t.Errorf("created %+v at %q", g, loc)
		}
		res = c.do(t, "sales.admin", "GET", loc, "", "")
		expectStatus(t, res, 200, "get created group as sales.admin")
		if auditCount(t, env) != n+1 {
			t.Errorf("audit grew by %d, want 1", auditCount(t, env)-n)
		}
		gid := id(g.ID)

		// Add a member, then list with filters.
		expectStatus(t, c.do(t, "leeds.admin", "POST", "/api/v1/groups/"+gid+"/members", `{"add":[{support.one}]}`, ""), 204, "add member")
		members := decodeJSON[scList[scEmployee]](t, c.do(t, "leeds.admin", "GET", "/api/v1/groups/"+gid+"/members?filter=member", "", ""))
		if len(members.Items) != 1 || members.Items[0].Username != "support.one" || !members.Items[0].Linked {
			t.Errorf("members = %+v", members)
		}
		nonMembers := decodeJSON[scList[scEmployee]](t, c.do(t, "leeds.admin", "GET", "/api/v1/groups/"+gid+"/members?filter=not_member", "", ""))
		for _, e := range nonMembers.Items {
			if e.Username == "support.one" || e.Linked {
				t.Errorf("not_member lists %+v", e)
			}
			if e.Username == "london.one" || e.Username == "acme.admin" {
				t.Errorf("leeds.admin's member list shows %s, outside their scope", e.Username)
			}
		}
		// Move west.one from Sales West into the new group.
		expectStatus(t, c.do(t, "sales.admin", "POST", "/api/v1/groups/{SalesWest}/members/move",
			`{"employee_ids":[{west.one}],"to_group_id":`+gid+`}`, ""), 204, "move members")
		ms := decodeJSON[scList[scGroup]](t, c.do(t, "acme.admin", "GET", "/api/v1/employees/{west.one}/memberships?filter=member", "", ""))
		if len(ms.Items) != 1 || ms.Items[0].ID != g.ID {
			t.Errorf("west.one memberships = %+v", ms)
		}
		notMs := decodeJSON[scList[scGroup]](t, c.do(t, "acme.admin", "GET", "/api/v1/employees/{west.one}/memberships?filter=not_member", "", ""))
		if len(notMs.Items) != 6-1 { // Leeds, Sales, Sales West, Support, London (+ the new group) minus the one linked
			t.Errorf("west.one non-memberships = %d, want 5", len(notMs.Items))
		}

		// Assign sales.admin as admin of the new group; admin-privileges filters.
		expectStatus(t, c.do(t, "leeds.admin", "POST", "/api/v1/groups/"+gid+"/admins", `{"add":[{sales.admin}]}`, ""), 204, "assign admin")
		admins := decodeJSON[scList[scEmployee]](t, c.do(t, "leeds.admin", "GET", "/api/v1/groups/"+gid+"/admins?filter=assigned", "", ""))
		if len(admins.Items) != 1 || admins.Items[0].Username != "sales.admin" {
			t.Errorf("admins = %+v", admins)
		}
		privs := decodeJSON[scList[scGroup]](t, c.do(t, "acme.admin", "GET", "/api/v1/employees/{sales.admin}/admin-privileges?filter=administers", "", ""))
		var names []string
		for _, p := range privs.Items {
			names = append(names, p.Name)
		}
		if strings.Join(names, ",") != "Sales,Sales North" {
			t.Errorf("sales.admin administers %v", names)
		}
		expectStatus(t, c.do(t, "acme.admin", "POST", "/api/v1/employees/{sales.admin}/admin-privileges", `{"remove":[`+gid+`]}`, ""), 204, "remove privilege")

		// Update the profile, move the group, delete it.
		res = c.do(t, "leeds.admin", "PATCH", "/api/v1/groups/"+gid, `{"name":"Sales North","profile":{"contact_phone":"+44 113 496 0000"}}`, "")
		expectStatus(t, res, 200, "update group")
		res = c.do(t, "leeds.admin", "POST", "/api/v1/groups/"+gid+"/move", `{"parent_id":{Support}}`, "")
		expectStatus(t, res, 200, "move group")
		if moved := decodeJSON[scGroup](t, res); moved.Path != "Leeds/Support/Sales North" {
			t.Errorf("moved path %q", moved.Path)
		}
		expectStatus(t, c.do(t, "sales.admin", "GET", "/api/v1/groups/"+gid, "", ""), 404, "sales.admin after the move")
		expectStatus(t, c.do(t, "leeds.admin", "DELETE", "/api/v1/groups/"+gid, "", ""), 204, "delete group")
		expectStatus(t, c.do(t, "leeds.admin", "GET", "/api/v1/groups/"+gid, "", ""), 404, "deleted group")

		// Lists and the tree are scoped.
		list := decodeJSON[scList[scGroup]](t, c.do(t, "sales.admin", "GET", "/api/v1/groups?count=true", "", ""))
		if list.Total != 2 || len(list.Items) != 2 {
			t.Errorf("sales.admin sees %d groups, want Sales and Sales West", list.Total)
		}
		sites := decodeJSON[scList[scGroup]](t, c.do(t, "acme.admin", "GET", "/api/v1/sites?count=true", "", ""))
		if sites.Total != 2 {
			t.Errorf("acme.admin sees %d sites, want 2", sites.Total)
		}
		opSites := decodeJSON[scList[scGroup]](t, c.do(t, "operator", "GET", "/api/v1/sites?company_id={Globex}&count=true", "", ""))
		if opSites.Total != 1 || opSites.Items[0].ID != f.Reading.ID {
			t.Errorf("operator's Globex sites = %+v", opSites)
		}
		tree := decodeJSON[struct {
			Items []struct {
				Name     string `json:"name"`
				Children []any  `json:"children"`
			} `json:"items"`
		}](t, c.do(t, "leeds.admin", "GET", "/api/v1/groups/tree", "", ""))
		if len(tree.Items) != 1 || tree.Items[0].Name != "Leeds" || len(tree.Items[0].Children) != 2 {
			t.Errorf("leeds.admin's tree = %+v", tree)
		}

		// An operator creates a site; the company admin sees it.
		res = c.do(t, "operator", "POST", "/api/v1/sites", `{"company_id":{Acme},"name":"York"}`, "")
		expectStatus(t, res, 201, "create site")
		if !strings.HasPrefix(res.Header.Get("Location"), "/api/v1/sites/") {
			t.Errorf("site Location %q", res.Header.Get("Location"))
		}
		york := decodeJSON[scGroup](t, res)
		expectStatus(t, c.do(t, "acme.admin", "GET", "/api/v1/sites/"+id(york.ID), "", ""), 200, "company admin reads new site")
		expectStatus(t, c.do(t, "operator", "DELETE", "/api/v1/sites/"+id(york.ID), "", ""), 204, "operator deletes site")
	})
}

func TestAPIEmployeeFlow(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		c := newSCClient(env)
		res := c.do(t, "acme.admin", "POST", "/api/v1/employees",
			`{"username":"new.starter","password":"Starter-Pass-1","first_name":"Nina","last_name":"Starter","email":"nina@example.com","group_ids":[{Support}]}`, "")
		expectStatus(t, res, 201, "create employee")
		e := decodeJSON[scEmployee](t, res)
		if loc := res.Header.Get("Location"); loc != "/api/v1/employees/"+id(e.ID) || e.Role != "employee" {
			t.Errorf("created %+v at %q", e, loc)
		}
		if strings.Contains(string(res.Body), "password") || strings.Contains(string(res.Body), "argon2") {
			t.Errorf("employee JSON carries the password: %s", res.Body)
		}
		eid := id(e.ID)
		expectStatus(t, c.do(t, "leeds.admin", "GET", "/api/v1/employees/"+eid, "", ""), 200, "leeds.admin reads new member of Support")
		expectStatus(t, c.do(t, "sales.admin", "GET", "/api/v1/employees/"+eid, "", ""), 404, "sales.admin reads new member of Support")
		// The new employee can log in with their own password and read themself.
		res = env.Do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "new.starter", "password": "Starter-Pass-1"})
		expectStatus(t, res, 200, "new employee logs in")
		tok := decodeJSON[api.LoginResponse](t, res).Token
		expectStatus(t, env.Do(t, tok, "GET", "/api/v1/employees/"+eid, nil), 200, "self read")

		res = c.do(t, "leeds.admin", "PATCH", "/api/v1/employees/"+eid, `{"phone":"+44 113 496 0123"}`, "")
		expectStatus(t, res, 200, "patch employee")
		if got := decodeJSON[scEmployee](t, res); got.Phone != "+44 113 496 0123" || got.FirstName != "Nina" {
			t.Errorf("patched = %+v", got)
		}
		found := decodeJSON[scList[scEmployee]](t, c.do(t, "acme.admin", "GET", "/api/v1/employees?q=starter&count=true", "", ""))
		if found.Total != 1 || found.Items[0].ID != e.ID {
			t.Errorf("search starter = %+v", found)
		}
		found = decodeJSON[scList[scEmployee]](t, c.do(t, "acme.admin", "GET", "/api/v1/employees?q=4960123&count=true", "", ""))
		if found.Total != 1 {
			t.Errorf("search by phone = %+v", found)
		}

		// A group admin adds an employee to a group they administer.
		res = c.do(t, "sales.admin", "POST", "/api/v1/employees",
			`{"username":"west.two","password":"Second-Pass-2","first_name":"Will","last_name":"West","group_ids":[{SalesWest}]}`, "")
		expectStatus(t, res, 201, "group admin creates employee")

		// Only the provider makes company admins (docs/security.md): a
		// company admin can neither create one nor promote someone.
		res = c.do(t, "acme.admin", "POST", "/api/v1/employees",
			`{"username":"second.admin","password":"Second-Pass-2","first_name":"Sec","last_name":"Ond","role":"company_admin"}`, "")
		expectStatus(t, res, 403, "company admin creates company admin")
		res = c.do(t, "acme.admin", "PATCH", "/api/v1/employees/{support.one}", `{"role":"company_admin"}`, "")
		expectStatus(t, res, 403, "company admin promotes to company admin")
		res = c.do(t, "operator", "POST", "/api/v1/employees",
			`{"company_id":{Acme},"username":"second.admin","password":"Second-Pass-2","first_name":"Sec","last_name":"Ond","role":"company_admin"}`, "")
		expectStatus(t, res, 201, "operator creates company admin")
		res = c.do(t, "operator", "PATCH", "/api/v1/employees/{support.one}", `{"role":"company_admin"}`, "")
		expectStatus(t, res, 200, "operator promotes to company admin")
		// Promotion to group admin by a group admin of a member is allowed.
		res = c.do(t, "leeds.admin", "PATCH", "/api/v1/employees/{west.one}", `{"role":"group_admin"}`, "")
		expectStatus(t, res, 200, "group admin promotes member to group admin")

		// Lists are scoped.
		mine := decodeJSON[scList[scEmployee]](t, c.do(t, "west.one", "GET", "/api/v1/employees?count=true", "", ""))
		if mine.Total != 1 || mine.Items[0].Username != "west.one" {
			t.Errorf("employee's list = %+v", mine)
		}

		// Delete; the token of the deleted account stops working.
		expectStatus(t, c.do(t, "leeds.admin", "DELETE", "/api/v1/employees/"+eid, "", ""), 204, "delete employee")
		expectStatus(t, c.do(t, "acme.admin", "GET", "/api/v1/employees/"+eid, "", ""), 404, "deleted employee")
		expectStatus(t, env.Do(t, tok, "GET", "/api/v1/auth/me", nil), 401, "deleted employee's token")
	})
}

func TestAPICompanyScoping(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		c := newSCClient(env)
		names := func(user string) string {
			l := decodeJSON[scList[struct {
				Name string `json:"name"`
			}]](t, c.do(t, user, "GET", "/api/v1/companies?count=true", "", ""))
			var out []string
			for _, x := range l.Items {
				out = append(out, x.Name)
			}
			if l.Total != len(out) {
				t.Errorf("%s: total %d for %d items", user, l.Total, len(out))
			}
			return strings.Join(out, ",")
		}
		for user, want := range map[string]string{
			"operator":     "Acme Ltd,Globex plc",
			"acme.admin":   "Acme Ltd",
			"leeds.admin":  "Acme Ltd",
			"west.one":     "Acme Ltd",
			"globex.admin": "Globex plc",
		} {
			if got := names(user); got != want {
				t.Errorf("%s lists companies %q, want %q", user, got, want)
			}
		}
		expectStatus(t, c.do(t, "acme.admin", "GET", "/api/v1/companies/{Acme}", "", ""), 200, "own company")
		res := c.do(t, "acme.admin", "GET", "/api/v1/companies/{Acme}/dashboard", "", "")
		expectStatus(t, res, 200, "own dashboard")
		if st := decodeJSON[map[string]int](t, res); st["active_sites"] != 2 || st["company_admins"] != 1 {
			t.Errorf("dashboard = %v", st)
		}
		res = c.do(t, "operator", "POST", "/api/v1/companies", `{"name":"Initech","debit_limit_minor":10000,"currency":"usd"}`, "")
		expectStatus(t, res, 201, "operator creates company")
		res = c.do(t, "operator", "PATCH", "/api/v1/companies/{Acme}", `{"status":"suspended"}`, "")
		expectStatus(t, res, 200, "operator updates company")
		if co := decodeJSON[map[string]any](t, res); co["status"] != "suspended" || co["name"] != "Acme Ltd" {
			t.Errorf("updated company = %v", co)
		}
		// The audit log of a company admin shows their company only.
		l := decodeJSON[scList[audit.Entry]](t, c.do(t, "acme.admin", "GET", "/api/v1/audit?count=true", "", ""))
		for _, e := range l.Items {
			if e.CompanyID != env.Fixture.Acme.ID {
				t.Errorf("acme.admin's audit shows %+v", e)
			}
		}
		if l.Total == 0 {
			t.Error("acme.admin's audit is empty")
		}
	})
}

// A browser session (cookie) must echo its CSRF token on unsafe requests.
func TestAPICSRF(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		jar, err := cookiejar.New(nil)
		if err != nil {
			t.Fatal(err)
		}
		client := &http.Client{Jar: jar}
		send := func(method, path, body, csrf string) (int, []byte) {
			t.Helper()
			var rd io.Reader
			if body != "" {
				rd = strings.NewReader(body)
			}
			req, _ := http.NewRequest(method, env.Server.URL+path, rd)
			if body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			if csrf != "" {
				req.Header.Set("X-CSRF-Token", csrf)
			}
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			b, _ := io.ReadAll(res.Body)
			return res.StatusCode, b
		}
		// A browser session, as the login page opens one.
		token, sess, err := env.App.Identity.CreateSession(context.Background(), identity.NewSessionRequest{
			AccountID: env.ID("acme.admin"), Kind: identity.KindBrowser})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := url.Parse(env.Server.URL)
		jar.SetCookies(u, []*http.Cookie{{Name: "sb_session", Value: token, Path: "/"}})
		login := api.LoginResponse{Token: token, CSRFToken: sess.CSRFToken}
		// Safe requests need no token.
		if st, body := send("GET", "/api/v1/auth/me", "", ""); st != 200 {
			t.Fatalf("cookie GET: %d %s", st, body)
		}
		groupBody := fmt.Sprintf(`{"parent_id":%d,"name":"Cookie Group"}`, env.Fixture.Leeds.ID)
		before := scSnapshot(t, env)
		for _, csrf := range []string{"", "wrong-token"} {
			st, body := send("POST", "/api/v1/groups", groupBody, csrf)
			if st != 403 || !strings.Contains(string(body), api.ProblemCSRF) || !strings.Contains(string(body), "CSRF") {
				t.Errorf("cookie POST with csrf %q: %d %s; want 403 csrf problem", csrf, st, body)
			}
		}
		if scSnapshot(t, env) != before {
			t.Error("a refused CSRF request changed the database")
		}
		if st, body := send("POST", "/api/v1/groups", groupBody, login.CSRFToken); st != 201 {
			t.Errorf("cookie POST with csrf token: %d %s", st, body)
		}
		// Logout is unsafe too; with the token it ends the session.
		if st, _ := send("POST", "/api/v1/auth/logout", "", ""); st != 403 {
			t.Errorf("logout without csrf: %d, want 403", st)
		}
		if st, _ := send("POST", "/api/v1/auth/logout", "", login.CSRFToken); st != 204 {
			t.Errorf("logout with csrf: %d, want 204", st)
		}
		if st, _ := send("GET", "/api/v1/auth/me", "", ""); st != 401 {
			t.Errorf("me after cookie logout: %d, want 401", st)
		}
		// The bearer token is the same session: it is gone as well.
		if res := env.Do(t, login.Token, "GET", "/api/v1/auth/me", nil); res.Status != 401 {
			t.Errorf("bearer after cookie logout: %d", res.Status)
		}
	})
}
