package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/identity"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web/api"
)

// loadDocument loads the document as the API serves it (the YAML turned into
// JSON) and validates it.
func loadDocument(t *testing.T) *openapi3.T {
	t.Helper()
	data, err := api.OpenAPIDocument()
	if err != nil {
		t.Fatalf("OpenAPIDocument: %v", err)
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		t.Fatalf("load openapi/*.yaml: %v", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		t.Fatalf("openapi/*.yaml is not a valid OpenAPI document: %v", err)
	}
	return doc
}

func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc := loadDocument(t)
	if !doc.IsOpenAPI31OrLater() {
		t.Errorf("openapi = %q, want 3.1.x", doc.OpenAPI)
	}
	// Every operation has an operationId (unique), a summary and responses;
	// every operation but the public ones is secured by the global schemes.
	seen := map[string]string{}
	public := map[string]bool{}
	for _, rt := range api.Routes() {
		if rt.Public {
			public[rt.Method+" "+rt.Pattern] = true
		}
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", key)
			} else if other, dup := seen[op.OperationID]; dup {
				t.Errorf("%s: operationId %q already used by %s", key, op.OperationID, other)
			}
			seen[op.OperationID] = key
			if op.Summary == "" {
				t.Errorf("%s: no summary", key)
			}
			hasSuccess := false
			for code := range op.Responses.Map() {
				if strings.HasPrefix(code, "2") {
					hasSuccess = true
				}
			}
			if !hasSuccess {
				t.Errorf("%s: no success response", key)
			}
			unsecured := op.Security != nil && len(*op.Security) == 0
			if unsecured != public[key] {
				t.Errorf("%s: documented as public=%v, but Routes() says Public=%v", key, unsecured, public[key])
			}
			if !public[key] && op.Responses.Status(http.StatusUnauthorized) == nil {
				t.Errorf("%s: authenticated operation does not document 401", key)
			}
			if op.RequestBody != nil {
				for _, code := range []int{400, 413, 415, 422} {
					if op.Responses.Status(code) == nil {
						t.Errorf("%s: operation with a body does not document %d", key, code)
					}
				}
			}
			// A session whose password must change is refused 403 on every
			// call but these (public ones included, when they carry it).
			if key != "GET /api/v1/auth/me" && key != "GET /api/v1/openapi.json" && op.Responses.Status(http.StatusForbidden) == nil {
				t.Errorf("%s: does not document 403 (password-change-required applies to it)", key)
			}
			if rateLimited[key] != (op.Responses.Status(http.StatusTooManyRequests) != nil) {
				t.Errorf("%s: documents 429 = %v, but the login limiter covers it = %v", key, !rateLimited[key], rateLimited[key])
			}
		}
	}
	// The problem type URNs of problem.go are all documented.
	enum := doc.Components.Schemas["Problem"].Value.Properties["type"].Value.Enum
	for _, urn := range []string{api.ProblemMalformed, api.ProblemValidation, api.ProblemNotFound, api.ProblemForbidden,
		api.ProblemConflict, api.ProblemUnauthenticated, api.ProblemLocked, api.ProblemInternal, api.ProblemUnsupportedType, api.ProblemCSRF,
		api.ProblemMethodNotAllowed, api.ProblemPasswordChange, api.ProblemTooManyRequests} {
		if !slices.Contains(enum, any(urn)) {
			t.Errorf("problem type %s is not in components.schemas.Problem.properties.type.enum", urn)
		}
		if !strings.Contains(doc.Info.Description, urn) {
			t.Errorf("problem type %s is not described in info.description", urn)
		}
	}
}

// rateLimited are the operations the per-address login limiter counts
// (web/limit.go).
var rateLimited = map[string]bool{
	"POST /api/v1/auth/login": true, "POST /api/v1/auth/password-reset": true, "POST /api/v1/auth/password-reset/confirm": true,
}

// The shared 405, 423 and 429 responses and the problem types they name.
func TestSharedProblemResponses(t *testing.T) {
	doc := loadDocument(t)
	for name, want := range map[string]struct {
		status int
		typ    string
		header string
	}{
		"MethodNotAllowed": {405, api.ProblemMethodNotAllowed, "Allow"},
		"Locked":           {423, api.ProblemLocked, ""},
		"TooManyRequests":  {429, api.ProblemTooManyRequests, "Retry-After"},
		"PayloadTooLarge":  {413, api.ProblemMalformed, ""},
	} {
		ref := doc.Components.Responses[name]
		if ref == nil || ref.Value == nil {
			t.Errorf("components.responses.%s is missing", name)
			continue
		}
		mt := ref.Value.Content.Get("application/problem+json")
		if mt == nil || mt.Schema == nil {
			t.Errorf("components.responses.%s has no application/problem+json schema", name)
			continue
		}
		body := map[string]any{"type": want.typ, "title": "T", "status": want.status, "detail": "d"}
		if err := mt.Schema.Value.VisitJSON(body, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("components.responses.%s refuses %v: %v", name, body, err)
		}
		body["status"] = 400
		if err := mt.Schema.Value.VisitJSON(body, openapi3.EnableJSONSchema2020()); err == nil {
			t.Errorf("components.responses.%s accepts status 400", name)
		}
		if want.header != "" && ref.Value.Headers[want.header] == nil {
			t.Errorf("components.responses.%s does not document the %s header", name, want.header)
		}
	}
}

// A known path with a method it does not have is 405 with Allow, as
// components.responses.MethodNotAllowed documents; an unknown path is 404.
func TestMethodNotAllowedMatchesDocument(t *testing.T) {
	doc := loadDocument(t)
	schema := doc.Components.Responses["MethodNotAllowed"].Value.Content.Get("application/problem+json").Schema.Value
	env := apptest.New(t, storetest.SQLite(t))
	tok := sessionToken(t, env, "acme.admin")
	for _, tc := range []struct{ method, path, allow string }{
		{"DELETE", "/api/v1/auth/me", "GET"},
		{"PUT", "/api/v1/settings/security", "GET, PATCH"},
		{"GET", "/api/v1/auth/password-reset", "POST"},
		{"POST", "/api/v1/employees/5/lock", "GET"},
		{"DELETE", "/api/v1/employees/5/service-passwords", "PUT"},
		{"PUT", "/api/v1/groups/7", "GET, PATCH, DELETE"},
	} {
		for _, token := range []string{"", tok} {
			res := env.Do(t, token, tc.method, tc.path, nil)
			if res.Status != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: %d %s, want 405", tc.method, tc.path, res.Status, res.Body)
				continue
			}
			if got := res.Header.Get("Allow"); got != tc.allow {
				t.Errorf("%s %s: Allow %q, want %q", tc.method, tc.path, got, tc.allow)
			}
			if ct := res.Header.Get("Content-Type"); ct != "application/problem+json" {
				t.Errorf("%s %s: Content-Type %q", tc.method, tc.path, ct)
			}
			var v any
			if err := json.Unmarshal(res.Body, &v); err != nil {
				t.Fatal(err)
			}
			if err := schema.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
				t.Errorf("%s %s: the 405 body does not match components.responses.MethodNotAllowed: %v\n%s", tc.method, tc.path, err, res.Body)
			}
		}
	}
	if res := env.Do(t, tok, "GET", "/api/v1/no-such-thing", nil); res.Status != http.StatusNotFound || res.Header.Get("Allow") != "" {
		t.Errorf("unknown path: %d Allow=%q, want 404 without Allow", res.Status, res.Header.Get("Allow"))
	}
}

// operations returns "METHOD /path" for every operation of doc.
func operations(doc *openapi3.T) map[string]bool {
	out := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out[strings.ToUpper(method)+" "+path] = true
		}
	}
	return out
}

func routed() map[string]bool {
	out := map[string]bool{}
	for _, rt := range api.Routes() {
		out[rt.Method+" "+rt.Pattern] = true
	}
	return out
}

func missing(want, have map[string]bool) []string {
	var out []string
	for k := range want {
		if !have[k] {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

func TestEveryRouteIsDocumented(t *testing.T) {
	if m := missing(routed(), operations(loadDocument(t))); len(m) > 0 {
		t.Errorf("routes in api.Routes() without an operation in openapi/*.yaml:\n\t%s", strings.Join(m, "\n\t"))
	}
}

func TestEveryDocumentedPathIsRouted(t *testing.T) {
	if m := missing(operations(loadDocument(t)), routed()); len(m) > 0 {
		t.Errorf("operations in openapi/*.yaml that api.Routes() does not serve:\n\t%s", strings.Join(m, "\n\t"))
	}
}

func TestOpenAPIJSONIsServed(t *testing.T) {
	env := apptest.New(t, storetest.SQLite(t))
	res := env.Do(t, "", "GET", "/api/v1/openapi.json", nil)
	if res.Status != http.StatusOK {
		t.Fatalf("GET /api/v1/openapi.json: %d %s", res.Status, res.Body)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q, want application/json", ct)
	}
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(res.Body, &doc); err != nil {
		t.Fatalf("openapi.json is not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Errorf("openapi = %q, want 3.x", doc.OpenAPI)
	}
	if len(doc.Paths) == 0 {
		t.Error("openapi.json has no paths")
	}
}

// apiCall is one request of the contract test and the status it must get.
type apiCall struct {
	name   string
	user   string // fixture username whose bearer token is sent; "" for none
	method string
	path   string
	// body is nil, a string sent as is, a func() any called when the call
	// runs (for tokens read from the mail outbox), or a value sent as JSON.
	body   any
	header map[string]string
	want   int
	// setup, when set, runs just before the call.
	setup func(t *testing.T)
	// badRequest marks a request that deliberately breaks the document (an
	// unknown field, a wrong type, a value outside an enum): its validation
	// against the document must fail. Every other request must pass it.
	badRequest bool
}

// contract validates real requests and responses against the document.
type contract struct {
	t      *testing.T
	env    *apptest.Env
	doc    *openapi3.T
	router routers.Router
	tokens map[string]string
	// seen records, per operation, the statuses answered.
	seen map[string]map[int]bool
	// ids remembers resolved placeholders.
	ids map[string]int64
}

// token returns a bearer token of user, opening a session the first time.
// "name#tag" is another session of name. Sessions are opened directly, not
// through the login endpoint, so the per-address login limiter (20 a minute)
// is spent only on the calls that test login itself.
func (c *contract) token(user string) string {
	if user == "" {
		return ""
	}
	if tok, ok := c.tokens[user]; ok {
		return tok
	}
	name, _, _ := strings.Cut(user, "#")
	tok := sessionToken(c.t, c.env, name)
	c.tokens[user] = tok
	return tok
}

// browserToken opens a browser session of user, as the login page does
// (an API token is not accepted as the session cookie).
func (c *contract) browserToken(user string) string {
	tok, _, err := c.env.App.Identity.CreateSession(context.Background(), identity.NewSessionRequest{
		AccountID: c.env.ID(user), Kind: identity.KindBrowser})
	if err != nil {
		c.t.Fatal(err)
	}
	return tok
}

// do sends call, checks its status and validates request and response
// against the document. It returns the response body.
func (c *contract) do(t *testing.T, call apiCall) []byte {
	t.Helper()
	if call.setup != nil {
		call.setup(t)
	}
	call.path = c.resolve(t, call.path)
	if f, ok := call.body.(func() any); ok {
		call.body = f()
	}
	var body []byte
	switch b := call.body.(type) {
	case nil:
	case string:
		body = []byte(b)
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			t.Fatal(err)
		}
	}
	header := http.Header{}
	if body != nil {
		header.Set("Content-Type", "application/json")
	}
	if tok := c.token(call.user); tok != "" {
		header.Set("Authorization", "Bearer "+tok)
	}
	for k, v := range call.header {
		if v == "" {
			header.Del(k)
		} else {
			header.Set(k, v)
		}
	}

	req, err := http.NewRequest(call.method, c.env.Server.URL+call.path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = header.Clone()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resBody, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != call.want {
		t.Errorf("%s %s: status %d, want %d; body %s", call.method, call.path, res.StatusCode, call.want, resBody)
	}

	// The same request again, for the validator (it reads the body and may
	// set defaults).
	vreq := httptest.NewRequest(call.method, call.path, bytes.NewReader(body))
	vreq.Header = header.Clone()
	route, params, err := c.router.FindRoute(vreq)
	if err != nil {
		t.Errorf("%s %s: no operation in the document: %v", call.method, call.path, err)
		return resBody
	}
	op := strings.ToUpper(call.method) + " " + route.Path
	if c.seen[op] == nil {
		c.seen[op] = map[int]bool{}
	}
	c.seen[op][res.StatusCode] = true

	in := &openapi3filter.RequestValidationInput{Request: vreq, PathParams: params, Route: route,
		Options: &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, SkipSettingDefaults: true,
			RejectWhenRequestBodyNotSpecified: true}}
	reqErr := openapi3filter.ValidateRequest(context.Background(), in)
	switch {
	case call.badRequest && reqErr == nil:
		t.Errorf("%s %s: the request is marked as breaking the document, but it validates", call.method, call.path)
	case !call.badRequest && reqErr != nil:
		t.Errorf("%s %s: the request does not match the document: %v", call.method, call.path, reqErr)
	}

	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode, Header: res.Header,
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}}
	out.SetBodyBytes(resBody)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s: the %d response does not match the document: %v\nbody: %s", call.method, call.path, res.StatusCode, err, resBody)
	}
	return resBody
}

func TestResponsesMatchDocument(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		doc := loadDocument(t)
		router, err := gorillamux.NewRouter(doc)
		if err != nil {
			t.Fatal(err)
		}
		env := apptest.New(t, db)
		seen := map[string]map[int]bool{}
		c := &contract{t: t, env: env, doc: doc, router: router, tokens: map[string]string{}, seen: seen, ids: map[string]int64{}}
		for _, call := range contractCalls(t, c) {
			t.Run(call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Provider control panel, catalog, numbers and devices (provider_api_test.go).
		for _, call := range providerContractCalls(t, c) {
			t.Run("provider/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Personal contacts (contacts_api_test.go).
		for _, call := range contactsContractCalls(t, c) {
			t.Run("contacts/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Live search and the Search Tool (search_api_test.go).
		for _, call := range searchContractCalls(t, c) {
			t.Run("search/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Call-record ingest and switches (calls_api_test.go).
		for _, call := range callsContractCalls(t, c) {
			t.Run("calls/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Rates, prices, summaries and invoices (billing_api_test.go).
		for _, call := range billingContractCalls(t, c) {
			t.Run("billing/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		for _, call := range channelsContractCalls(t, c) {
			t.Run("channels/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Call Logs (calllogs_api_test.go).
		for _, call := range callLogContractCalls(t, c, db) {
			t.Run("calllogs/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// The site and employee dashboards (dashboards_api_test.go).
		for _, call := range dashboardContractCalls(t, c) {
			t.Run("dashboards/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// The SIP edge's line credentials (sip_api_test.go).
		for _, call := range sipContractCalls(t, c) {
			t.Run("sip/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Provisioning credentials (provisioning_api_test.go).
		for _, call := range provisioningContractCalls(t, c) {
			t.Run("provisioning/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Reboots over the SIP edge (reboot_api_test.go).
		for _, call := range rebootContractCalls(t, c) {
			t.Run("reboot/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Features of sites and employees (features_api_test.go).
		for _, call := range featuresContractCalls(t, c) {
			t.Run("features/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		for _, call := range bulkFeatureContractCalls(t, c) {
			t.Run("feature-jobs/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		for _, call := range audioContractCalls(t, c) {
			t.Run("audio/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// Device Management (devmgmt_api_test.go).
		for _, call := range devmgmtContractCalls(t, c) {
			t.Run("devmgmt/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// The Visual Device Manager (vdm_api_test.go).
		for _, call := range vdmContractCalls(t, c) {
			t.Run("vdm/"+call.name, func(t *testing.T) { c.do(t, call) })
		}
		// The account-security calls lock accounts and exhaust the login
		// limiter, which is per node: they run on a second node (its own
		// limiter) over the same database.
		node2 := secondNode(t, env)
		c2 := &contract{t: t, env: node2, doc: doc, router: router, tokens: map[string]string{}, seen: seen, ids: map[string]int64{}}
		for _, call := range securityContractCalls(t, c2) {
			t.Run("security/"+call.name, func(t *testing.T) { c2.do(t, call) })
		}
		// The employee lifecycle calls run on a node with a database of their own.
		lifecycleContract(t, c, db)
		// The employee's Devices tab too (employee_devices_api_test.go).
		employeeDevicesContract(t, c, db)

		// Every documented operation ran, with a success at least once.
		var never, noSuccess []string
		for path, item := range doc.Paths.Map() {
			for method, op := range item.Operations() {
				key := strings.ToUpper(method) + " " + path
				statuses := c.seen[key]
				if len(statuses) == 0 {
					never = append(never, key+" ("+op.OperationID+")")
					continue
				}
				ok := false
				for st := range statuses {
					ok = ok || (st >= 200 && st < 300)
				}
				if !ok {
					noSuccess = append(noSuccess, key+" ("+op.OperationID+")")
				}
				var untested []string
				for code := range op.Responses.Map() {
					var n int
					if _, err := fmt.Sscan(code, &n); err == nil && !statuses[n] && n != 413 {
						untested = append(untested, code)
					}
				}
				if len(untested) > 0 {
					slices.Sort(untested)
					t.Logf("%s: documented responses not exercised: %s", key, strings.Join(untested, ", "))
				}
			}
		}
		slices.Sort(never)
		slices.Sort(noSuccess)
		if len(never) > 0 {
			t.Errorf("documented operations never exercised by TestResponsesMatchDocument:\n\t%s", strings.Join(never, "\n\t"))
		}
		if len(noSuccess) > 0 {
			t.Errorf("documented operations never answered with a success:\n\t%s", strings.Join(noSuccess, "\n\t"))
		}
	})
}

// contractCalls is the table of realistic calls, in order: later calls rely
// on objects earlier ones created or removed.
func contractCalls(t *testing.T, c *contract) []apiCall {
	env := c.env
	f := env.Fixture
	id := func(user string) int64 { return env.ID(user) }
	p := fmt.Sprintf
	acme, globex := f.Acme.ID, f.Globex.ID
	leeds, sales, west, support, london, reading := f.Leeds.ID, f.Sales.ID, f.SalesWest.ID, f.Support.ID, f.London.ID, f.Reading.ID

	// A browser session for the cookie and CSRF cases.
	browserToken, sess, err := env.App.Identity.CreateSession(context.Background(), identity.NewSessionRequest{
		AccountID: env.ID("acme.admin"), Kind: identity.KindBrowser})
	if err != nil {
		t.Fatal(err)
	}
	// A second provider operator, whose lock the first one lifts.
	op2, err := env.App.Identity.CreateOperator(context.Background(), f.Provider.ID, "operator2", apptest.Password)
	if err != nil {
		t.Fatal(err)
	}
	lockOp2 := func(t *testing.T) {
		for i := 0; i < 3; i++ {
			_, _ = env.App.Identity.Authenticate(context.Background(), "operator2", "wrong-password")
		}
	}
	cookie := map[string]string{"Cookie": "sb_session=" + browserToken}
	cookieCSRF := map[string]string{"Cookie": "sb_session=" + browserToken, "X-CSRF-Token": sess.CSRFToken}
	fresh := c.token("support.one#fresh")
	bogusBearer := map[string]string{"Authorization": "Bearer not-a-token"}
	textPlain := map[string]string{"Content-Type": "text/plain"}

	addResellerAdmin(t, env, "reseller.admin")

	const missingID = 999999
	goodPassword := "Str0ng-Pass!"

	calls := []apiCall{
		// Meta.
		{name: "openapi", method: "GET", path: "/api/v1/openapi.json", want: 200},
		{name: "openapi bad bearer", method: "GET", path: "/api/v1/openapi.json", header: bogusBearer, want: 401},

		// Auth.
		{name: "login", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "acme.admin", "password": apptest.Password}, want: 200},
		{name: "login remember me", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "west.one", "password": apptest.Password, "remember_me": true}, want: 200},
		{name: "login wrong password", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "acme.admin", "password": "wrong"}, want: 401},
		{name: "login unknown user", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "nobody", "password": "wrong"}, want: 401},
		{name: "login empty password", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "acme.admin", "password": ""}, want: 422},
		{name: "login missing password", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "acme.admin"}, want: 422, badRequest: true},
		{name: "login unknown field", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "a", "password": "b", "otp": "1"}, want: 400, badRequest: true},
		{name: "login not json", method: "POST", path: "/api/v1/auth/login", body: `{"username":`, want: 400, badRequest: true},
		{name: "login wrong type", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": 5, "password": "b"}, want: 400, badRequest: true},
		{name: "login text/plain", method: "POST", path: "/api/v1/auth/login", body: "username=a", header: textPlain, want: 415, badRequest: true},
		{name: "login bad bearer", method: "POST", path: "/api/v1/auth/login", body: map[string]any{"username": "acme.admin", "password": apptest.Password}, header: bogusBearer, want: 401},
		{name: "me", user: "acme.admin", method: "GET", path: "/api/v1/auth/me", want: 200},
		{name: "me operator", user: "operator", method: "GET", path: "/api/v1/auth/me", want: 200},
		{name: "me via cookie", method: "GET", path: "/api/v1/auth/me", header: cookie, want: 200},
		{name: "me anonymous", method: "GET", path: "/api/v1/auth/me", want: 401},
		{name: "me bad bearer", method: "GET", path: "/api/v1/auth/me", header: bogusBearer, want: 401},
		{name: "logout anonymous", method: "POST", path: "/api/v1/auth/logout", want: 401},
		{name: "logout cookie without csrf", method: "POST", path: "/api/v1/auth/logout", header: cookie, want: 403},
		{name: "logout bearer", method: "POST", path: "/api/v1/auth/logout", header: map[string]string{"Authorization": "Bearer " + fresh}, want: 204},
		{name: "logout ended token", method: "POST", path: "/api/v1/auth/logout", header: map[string]string{"Authorization": "Bearer " + fresh}, want: 401},

		// Security settings (provider operators only).
		{name: "security settings", user: "operator", method: "GET", path: "/api/v1/settings/security", want: 200},
		{name: "security settings company admin", user: "acme.admin", method: "GET", path: "/api/v1/settings/security", want: 403},
		{name: "security settings reseller admin", user: "reseller.admin", method: "GET", path: "/api/v1/settings/security", want: 403},
		{name: "security settings anonymous", method: "GET", path: "/api/v1/settings/security", want: 401},
		{name: "update security settings", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{
			"portal_url": "https://portal.example.com", "reset_token_ttl_minutes": 60, "company_admin_self_reset": false,
			"admin_password_policy": "business_portal", "employee_password_policy": "self_care"}, want: 200},
		{name: "update security settings nulls", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"lockout_threshold": nil, "portal_url": nil}, want: 200},
		{name: "update security settings invalid", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"portal_url": "ftp://portal.example.com"}, want: 422},
		{name: "update security settings out of range", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"lockout_threshold": 0, "lockout_window_minutes": 20000}, want: 422, badRequest: true},
		{name: "update security settings bad policy", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"admin_password_policy": "lenient"}, want: 422, badRequest: true},
		{name: "update security settings unknown field", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"mfa": true}, want: 400, badRequest: true},
		{name: "update security settings wrong type", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"lockout_threshold": "3"}, want: 400, badRequest: true},
		{name: "update security settings text/plain", user: "operator", method: "PATCH", path: "/api/v1/settings/security", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "update security settings company admin", user: "acme.admin", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"lockout_threshold": 10}, want: 403},
		{name: "update security settings anonymous", method: "PATCH", path: "/api/v1/settings/security", body: map[string]any{"lockout_threshold": 10}, want: 401},

		// Resellers.
		{name: "resellers", user: "operator", method: "GET", path: "/api/v1/resellers", want: 200},
		{name: "resellers company admin", user: "acme.admin", method: "GET", path: "/api/v1/resellers", want: 403},
		{name: "resellers reseller admin", user: "reseller.admin", method: "GET", path: "/api/v1/resellers", want: 403},
		{name: "resellers anonymous", method: "GET", path: "/api/v1/resellers", want: 401},
		{name: "create reseller", user: "operator", method: "POST", path: "/api/v1/resellers", body: map[string]any{"name": "Northern Voice"}, want: 201},
		{name: "resellers after create", user: "operator", method: "GET", path: "/api/v1/resellers", want: 200},
		{name: "create reseller duplicate", user: "operator", method: "POST", path: "/api/v1/resellers", body: map[string]any{"name": "Northern Voice"}, want: 409},
		{name: "create reseller blank", user: "operator", method: "POST", path: "/api/v1/resellers", body: map[string]any{"name": " "}, want: 422},
		{name: "create reseller unknown field", user: "operator", method: "POST", path: "/api/v1/resellers", body: map[string]any{"name": "X", "region": "GB"}, want: 400, badRequest: true},
		{name: "create reseller company admin", user: "acme.admin", method: "POST", path: "/api/v1/resellers", body: map[string]any{"name": "Rogue"}, want: 403},
		{name: "create reseller reseller admin", user: "reseller.admin", method: "POST", path: "/api/v1/resellers", body: map[string]any{"name": "Rogue"}, want: 403},
		{name: "create reseller anonymous", method: "POST", path: "/api/v1/resellers", body: map[string]any{"name": "Rogue"}, want: 401},
		{name: "create reseller text/plain", user: "operator", method: "POST", path: "/api/v1/resellers", body: "name", header: textPlain, want: 415, badRequest: true},

		// Companies.
		{name: "companies operator", user: "operator", method: "GET", path: "/api/v1/companies", want: 200},
		{name: "companies filtered", user: "operator", method: "GET", path: "/api/v1/companies?q=acme&status=active&page=1&per_page=10", want: 200},
		{name: "companies bad status", user: "operator", method: "GET", path: "/api/v1/companies?status=dormant", want: 422, badRequest: true},
		{name: "companies company admin", user: "acme.admin", method: "GET", path: "/api/v1/companies", want: 200},
		{name: "companies employee", user: "west.one", method: "GET", path: "/api/v1/companies", want: 200},
		{name: "companies per_page too big", user: "operator", method: "GET", path: "/api/v1/companies?per_page=501", want: 400, badRequest: true},
		{name: "companies page negative", user: "operator", method: "GET", path: "/api/v1/companies?page=-1", want: 400, badRequest: true},
		{name: "companies anonymous", method: "GET", path: "/api/v1/companies", want: 401},
		{name: "create company", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Initech", "currency": "gbp", "channel_limit": 10, "add_employee": true}, want: 201},
		{name: "create company under reseller", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Vandelay", "reseller_id": nil, "status": "suspended"}, want: 201},
		{name: "create company duplicate", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Initech"}, want: 409},
		{name: "create company invalid", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Umbrella", "currency": "POUND", "channel_limit": -1, "debit_limit_minor": -5}, want: 422, badRequest: true},
		{name: "create company no name", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": ""}, want: 422},
		{name: "create company bad status", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Umbrella", "status": "dormant"}, want: 422, badRequest: true},
		{name: "create company unknown field", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"nme": "Umbrella"}, want: 400, badRequest: true},
		{name: "create company wrong type", user: "operator", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": 5}, want: 400, badRequest: true},
		{name: "create company array body", user: "operator", method: "POST", path: "/api/v1/companies", body: `[]`, want: 400, badRequest: true},
		// kin-openapi reads only the first JSON value, so this request passes its validation.
		{name: "create company trailing data", user: "operator", method: "POST", path: "/api/v1/companies", body: `{"name":"A"} {"name":"B"}`, want: 400},
		{name: "create company empty body", user: "operator", method: "POST", path: "/api/v1/companies", body: ``, header: map[string]string{"Content-Type": "application/json"}, want: 400, badRequest: true},
		{name: "create company company admin", user: "acme.admin", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Sideline"}, want: 403},
		{name: "create company cookie without csrf", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Sideline"}, header: cookie, want: 403},
		{name: "create company reseller admin", user: "reseller.admin", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Resold Ltd"}, want: 201},
		{name: "create company reseller admin other reseller", user: "reseller.admin", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Stolen Ltd", "reseller_id": missingID}, want: 422},
		{name: "companies reseller admin", user: "reseller.admin", method: "GET", path: "/api/v1/companies", want: 200},
		{name: "get company reseller admin other", user: "reseller.admin", method: "GET", path: p("/api/v1/companies/%d", acme), want: 404},
		{name: "create company anonymous", method: "POST", path: "/api/v1/companies", body: map[string]any{"name": "Sideline"}, want: 401},
		{name: "create company text/plain", user: "operator", method: "POST", path: "/api/v1/companies", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "get company operator", user: "operator", method: "GET", path: p("/api/v1/companies/%d", acme), want: 200},
		{name: "get company own", user: "acme.admin", method: "GET", path: p("/api/v1/companies/%d", acme), want: 200},
		{name: "get company other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/companies/%d", acme), want: 404},
		{name: "get company missing", user: "operator", method: "GET", path: p("/api/v1/companies/%d", missingID), want: 404},
		{name: "get company malformed id", user: "operator", method: "GET", path: "/api/v1/companies/abc", want: 404, badRequest: true},
		{name: "get company anonymous", method: "GET", path: p("/api/v1/companies/%d", acme), want: 401},
		{name: "update company", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: map[string]any{"channel_limit": 30, "config_and_reg": true}, want: 200},
		{name: "update company invalid", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: map[string]any{"currency": "EURO", "name": " "}, want: 422},
		{name: "update company duplicate name", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: map[string]any{"name": "Globex plc"}, want: 409},
		{name: "update company unknown field", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: map[string]any{"balance": 1}, want: 400, badRequest: true},
		{name: "update company company admin", user: "acme.admin", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: map[string]any{"channel_limit": 99}, want: 403},
		{name: "update company other tenant", user: "globex.admin", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: map[string]any{"channel_limit": 99}, want: 404},
		{name: "update company anonymous", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: map[string]any{"channel_limit": 99}, want: 401},
		{name: "update company text/plain", user: "operator", method: "PATCH", path: p("/api/v1/companies/%d", acme), body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "dashboard company admin", user: "acme.admin", method: "GET", path: p("/api/v1/companies/%d/dashboard", acme), want: 200},
		{name: "dashboard operator", user: "operator", method: "GET", path: p("/api/v1/companies/%d/dashboard", globex), want: 200},
		{name: "dashboard group admin", user: "leeds.admin", method: "GET", path: p("/api/v1/companies/%d/dashboard", acme), want: 403},
		{name: "dashboard other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/companies/%d/dashboard", acme), want: 404},
		{name: "dashboard anonymous", method: "GET", path: p("/api/v1/companies/%d/dashboard", acme), want: 401},
		{name: "recent activity company admin", user: "acme.admin", method: "GET", path: p("/api/v1/companies/%d/recent-activity", acme), want: 200},
		{name: "recent activity operator", user: "operator", method: "GET", path: p("/api/v1/companies/%d/recent-activity", globex), want: 200},
		{name: "recent activity group admin", user: "leeds.admin", method: "GET", path: p("/api/v1/companies/%d/recent-activity", acme), want: 403},
		{name: "recent activity other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/companies/%d/recent-activity", acme), want: 404},
		{name: "recent activity missing", user: "operator", method: "GET", path: p("/api/v1/companies/%d/recent-activity", missingID), want: 404},
		{name: "recent activity anonymous", method: "GET", path: p("/api/v1/companies/%d/recent-activity", acme), want: 401},

		// Sites.
		{name: "sites company admin", user: "acme.admin", method: "GET", path: "/api/v1/sites", want: 200},
		{name: "sites operator", user: "operator", method: "GET", path: p("/api/v1/sites?company_id=%d&q=ee&page=1&per_page=5", acme), want: 200},
		{name: "sites group admin", user: "sales.admin", method: "GET", path: "/api/v1/sites", want: 200},
		{name: "sites operator without company", user: "operator", method: "GET", path: "/api/v1/sites", want: 422},
		{name: "sites other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/sites?company_id=%d", acme), want: 404},
		{name: "sites malformed company", user: "acme.admin", method: "GET", path: "/api/v1/sites?company_id=abc", want: 400, badRequest: true},
		{name: "sites anonymous", method: "GET", path: "/api/v1/sites", want: 401},
		{name: "create site", user: "operator", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": acme, "name": "Manchester",
			"profile": map[string]any{"contact_first_name": "Mo", "contact_email": "mo@example.com", "address": map[string]any{"city": "Manchester"}}}, want: 201},
		{name: "create site duplicate", user: "operator", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": acme, "name": "Manchester"}, want: 409},
		{name: "create site invalid", user: "operator", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": acme, "name": "Bad/Name",
			"profile": map[string]any{"contact_email": "not-an-address", "contact_phone": "call me"}}, want: 422},
		{name: "create site no company", user: "operator", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": 0, "name": "York"}, want: 422},
		{name: "create site missing company", user: "operator", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": missingID, "name": "York"}, want: 404},
		{name: "create site unknown profile field", user: "operator", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": acme, "name": "York",
			"profile": map[string]any{"fax": "1"}}, want: 400, badRequest: true},
		{name: "create site company admin", user: "acme.admin", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": acme, "name": "York"}, want: 403},
		{name: "create site anonymous", method: "POST", path: "/api/v1/sites", body: map[string]any{"company_id": acme, "name": "York"}, want: 401},
		{name: "create site text/plain", user: "operator", method: "POST", path: "/api/v1/sites", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "get site", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d", leeds), want: 200},
		{name: "get site group admin", user: "leeds.admin", method: "GET", path: p("/api/v1/sites/%d", leeds), want: 200},
		{name: "get site not a site", user: "acme.admin", method: "GET", path: p("/api/v1/sites/%d", sales), want: 404},
		{name: "get site other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/sites/%d", leeds), want: 404},
		{name: "get site employee", user: "west.one", method: "GET", path: p("/api/v1/sites/%d", leeds), want: 404},
		{name: "get site anonymous", method: "GET", path: p("/api/v1/sites/%d", leeds), want: 401},
		{name: "update site", user: "acme.admin", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"name": "Leeds",
			"profile": map[string]any{"contact_first_name": "Pat", "contact_phone": "+44 113 496 0000"}}, want: 200},
		{name: "update site group admin", user: "leeds.admin", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"profile": map[string]any{"contact_last_name": "Lee"}}, want: 200},
		{name: "update site rename", user: "acme.admin", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"name": "Leeds HQ"}, want: 422},
		{name: "update site invalid profile", user: "acme.admin", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"profile": map[string]any{"contact_email": "x"}}, want: 422},
		{name: "update site unknown field", user: "acme.admin", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"colour": "red"}, want: 400, badRequest: true},
		{name: "update site employee", user: "west.one", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"profile": map[string]any{}}, want: 404},
		{name: "update site cookie without csrf", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"profile": map[string]any{}}, header: cookie, want: 403},
		{name: "update site anonymous", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: map[string]any{"profile": map[string]any{}}, want: 401},
		{name: "update site text/plain", user: "acme.admin", method: "PATCH", path: p("/api/v1/sites/%d", leeds), body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "delete site with groups", user: "operator", method: "DELETE", path: p("/api/v1/sites/%d", leeds), want: 409},
		{name: "delete site company admin", user: "acme.admin", method: "DELETE", path: p("/api/v1/sites/%d", london), want: 403},
		{name: "delete site missing", user: "operator", method: "DELETE", path: p("/api/v1/sites/%d", missingID), want: 404},
		{name: "delete site anonymous", method: "DELETE", path: p("/api/v1/sites/%d", london), want: 401},

		// Groups.
		{name: "groups company admin", user: "acme.admin", method: "GET", path: "/api/v1/groups", want: 200},
		{name: "groups children", user: "acme.admin", method: "GET", path: p("/api/v1/groups?parent_id=%d&q=s", leeds), want: 200},
		{name: "groups group admin", user: "sales.admin", method: "GET", path: "/api/v1/groups?page=1&per_page=500", want: 200},
		{name: "groups employee", user: "west.one", method: "GET", path: "/api/v1/groups", want: 200},
		{name: "groups operator without company", user: "operator", method: "GET", path: "/api/v1/groups", want: 422},
		{name: "groups other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/groups?company_id=%d", acme), want: 404},
		{name: "groups anonymous", method: "GET", path: "/api/v1/groups", want: 401},
		{name: "tree company admin", user: "acme.admin", method: "GET", path: "/api/v1/groups/tree", want: 200},
		{name: "tree group admin", user: "leeds.admin", method: "GET", path: "/api/v1/groups/tree", want: 200},
		{name: "tree operator", user: "operator", method: "GET", path: p("/api/v1/groups/tree?company_id=%d", globex), want: 200},
		{name: "tree operator without company", user: "operator", method: "GET", path: "/api/v1/groups/tree", want: 422},
		{name: "tree other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/groups/tree?company_id=%d", acme), want: 404},
		{name: "tree anonymous", method: "GET", path: "/api/v1/groups/tree", want: 401},
		{name: "create group", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": leeds, "name": "Marketing"}, want: 201},
		{name: "create group group admin", user: "sales.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": west, "name": "West Inside",
			"profile": map[string]any{"contact_email": "inside@example.com"}}, want: 201},
		{name: "create group duplicate", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": leeds, "name": "Marketing"}, want: 409},
		{name: "create group invalid name", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": leeds, "name": "a/b"}, want: 422},
		{name: "create group no parent", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": 0, "name": "Orphans"}, want: 422},
		{name: "create group missing parent field", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"name": "Orphans"}, want: 422, badRequest: true},
		{name: "create group other tenant parent", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": reading, "name": "Spies"}, want: 422},
		{name: "create group sideways", user: "sales.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": support, "name": "Takeover"}, want: 422},
		{name: "create group missing parent", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": missingID, "name": "Ghosts"}, want: 422},
		{name: "create group unknown field", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": leeds, "name": "X", "site": true}, want: 400, badRequest: true},
		{name: "create group cookie with csrf", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": london, "name": "Cookie Team"}, header: cookieCSRF, want: 201},
		{name: "create group cookie without csrf", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": london, "name": "No Token"}, header: cookie, want: 403},
		{name: "create group anonymous", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": leeds, "name": "X"}, want: 401},
		{name: "create group text/plain", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "get group", user: "sales.admin", method: "GET", path: p("/api/v1/groups/%d", sales), want: 200},
		{name: "get group sub-group", user: "sales.admin", method: "GET", path: p("/api/v1/groups/%d", west), want: 200},
		{name: "get group site", user: "operator", method: "GET", path: p("/api/v1/groups/%d", reading), want: 200},
		{name: "get group upward", user: "sales.admin", method: "GET", path: p("/api/v1/groups/%d", leeds), want: 404},
		{name: "get group missing", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d", missingID), want: 404},
		{name: "get group anonymous", method: "GET", path: p("/api/v1/groups/%d", sales), want: 401},
		{name: "update group", user: "sales.admin", method: "PATCH", path: p("/api/v1/groups/%d", sales), body: map[string]any{"name": "Sales",
			"profile": map[string]any{"contact_email": "sales@example.com", "address": map[string]any{"line1": "1 Park Row", "postcode": "LS1 5AB"}}}, want: 200},
		{name: "update group empty", user: "sales.admin", method: "PATCH", path: p("/api/v1/groups/%d", sales), body: map[string]any{}, want: 200},
		{name: "update group rename", user: "sales.admin", method: "PATCH", path: p("/api/v1/groups/%d", sales), body: map[string]any{"name": "Sales Team"}, want: 422},
		{name: "update group bad address field", user: "sales.admin", method: "PATCH", path: p("/api/v1/groups/%d", sales), body: map[string]any{"profile": map[string]any{"address": map[string]any{"zip": "x"}}}, want: 400, badRequest: true},
		{name: "update group cookie without csrf", method: "PATCH", path: p("/api/v1/groups/%d", sales), body: map[string]any{}, header: cookie, want: 403},
		{name: "update group upward", user: "sales.admin", method: "PATCH", path: p("/api/v1/groups/%d", leeds), body: map[string]any{}, want: 404},
		{name: "update group anonymous", method: "PATCH", path: p("/api/v1/groups/%d", sales), body: map[string]any{}, want: 401},
		{name: "update group text/plain", user: "sales.admin", method: "PATCH", path: p("/api/v1/groups/%d", sales), body: "x", header: textPlain, want: 415, badRequest: true},
	}

	// Objects the calls above create are named by placeholders, resolved
	// when the call runs: @g(path) is an Acme group, @e(username) an account.
	marketing := "@g(Leeds/Marketing)"
	inside := "@g(Leeds/Sales/Sales West/West Inside)"
	manchester := "@g(Manchester)"

	calls = append(calls, []apiCall{
		{name: "move group", user: "acme.admin", method: "POST", path: "/api/v1/groups/" + marketing + "/move", body: map[string]any{"parent_id": london}, want: 200},
		{name: "move group under itself", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/move", sales), body: map[string]any{"parent_id": west}, want: 422},
		{name: "move group no parent", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/move", sales), body: map[string]any{"parent_id": 0}, want: 422},
		{name: "move group missing parent", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/move", sales), body: map[string]any{"parent_id": reading}, want: 422},
		{name: "move site", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/move", london), body: map[string]any{"parent_id": leeds}, want: 403},
		{name: "move assigned group", user: "sales.admin", method: "POST", path: p("/api/v1/groups/%d/move", sales), body: map[string]any{"parent_id": west}, want: 403},
		{name: "move group sub-group by group admin", user: "sales.admin", method: "POST", path: "/api/v1/groups/" + inside + "/move", body: map[string]any{"parent_id": sales}, want: 200},
		{name: "create second marketing", user: "acme.admin", method: "POST", path: "/api/v1/groups", body: map[string]any{"parent_id": leeds, "name": "Marketing"}, want: 201},
		{name: "move group name clash", user: "acme.admin", method: "POST", path: "/api/v1/groups/@g(Leeds/Marketing#2)/move", body: map[string]any{"parent_id": london}, want: 409},
		{name: "move group wrong type", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/move", sales), body: map[string]any{"parent_id": "west"}, want: 400, badRequest: true},
		{name: "move group missing", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/move", missingID), body: map[string]any{"parent_id": leeds}, want: 404},
		{name: "move group anonymous", method: "POST", path: p("/api/v1/groups/%d/move", sales), body: map[string]any{"parent_id": london}, want: 401},
		{name: "move group text/plain", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/move", sales), body: "x", header: textPlain, want: 415, badRequest: true},

		{name: "group admins", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d/admins", sales), want: 200},
		{name: "group admins administers", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d/admins?filter=administers", sales), want: 200},
		{name: "group admins not_administers", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d/admins?filter=not_administers", sales), want: 200},
		{name: "group admins assigned", user: "leeds.admin", method: "GET", path: p("/api/v1/groups/%d/admins?filter=assigned", sales), want: 200},
		{name: "group admins unassigned", user: "leeds.admin", method: "GET", path: p("/api/v1/groups/%d/admins?filter=unassigned", sales), want: 200},
		{name: "group admins bad filter", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d/admins?filter=some", sales), want: 422, badRequest: true},
		{name: "group admins hidden group", user: "sales.admin", method: "GET", path: p("/api/v1/groups/%d/admins", support), want: 404},
		{name: "group admins anonymous", method: "GET", path: p("/api/v1/groups/%d/admins", sales), want: 401},
		{name: "assign group admin", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"add": []int64{id("sales.admin")}}, want: 204},
		{name: "remove group admin", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"remove": []int64{id("sales.admin")}}, want: 204},
		{name: "group admins empty change", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{}, want: 422},
		{name: "group admins add and remove", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"add": []int64{id("leeds.admin")}, "remove": []int64{id("leeds.admin")}}, want: 422},
		{name: "group admins other tenant employee", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"add": []int64{id("globex.admin")}}, want: 422},
		{name: "group admins wrong type", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"add": []string{"x"}}, want: 400, badRequest: true},
		{name: "group admins cookie without csrf", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"add": []int64{id("sales.admin")}}, header: cookie, want: 403},
		{name: "group admins employee", user: "west.one", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"add": []int64{id("west.one")}}, want: 404},
		{name: "group admins anonymous", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: map[string]any{"add": []int64{1}}, want: 401},
		{name: "group admins text/plain", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/admins", support), body: "x", header: textPlain, want: 415, badRequest: true},

		{name: "group members", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d/members", support), want: 200},
		{name: "group members member", user: "leeds.admin", method: "GET", path: p("/api/v1/groups/%d/members?filter=member", support), want: 200},
		{name: "group members not_member q", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d/members?filter=not_member&q=lo", support), want: 200},
		{name: "group members bad filter", user: "acme.admin", method: "GET", path: p("/api/v1/groups/%d/members?filter=everyone", support), want: 422, badRequest: true},
		{name: "group members other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/groups/%d/members", support), want: 404},
		{name: "group members anonymous", method: "GET", path: p("/api/v1/groups/%d/members", support), want: 401},
		{name: "add member", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members", support), body: map[string]any{"add": []int64{id("london.one")}}, want: 204},
		{name: "remove member", user: "leeds.admin", method: "POST", path: p("/api/v1/groups/%d/members", support), body: map[string]any{"remove": []int64{id("london.one")}}, want: 204},
		{name: "add member missing employee", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members", support), body: map[string]any{"add": []int64{missingID}}, want: 422},
		{name: "add member unknown field", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members", support), body: map[string]any{"adds": []int64{1}}, want: 400, badRequest: true},
		{name: "add member cookie without csrf", method: "POST", path: p("/api/v1/groups/%d/members", support), body: map[string]any{"add": []int64{id("london.one")}}, header: cookie, want: 403},
		{name: "add member hidden group", user: "sales.admin", method: "POST", path: p("/api/v1/groups/%d/members", support), body: map[string]any{"add": []int64{id("west.one")}}, want: 404},
		{name: "add member anonymous", method: "POST", path: p("/api/v1/groups/%d/members", support), body: map[string]any{"add": []int64{1}}, want: 401},
		{name: "add member text/plain", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members", support), body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "move members", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{id("support.one")}, "to_group_id": london}, want: 204},
		{name: "move members back", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", london), body: map[string]any{"employee_ids": []int64{id("support.one")}, "to_group_id": support}, want: 204},
		{name: "move members not a member", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{id("west.one")}, "to_group_id": london}, want: 422},
		{name: "move members none", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{}, "to_group_id": london}, want: 422},
		{name: "move members no target", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{id("support.one")}, "to_group_id": 0}, want: 422},
		{name: "move members hidden target", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{id("support.one")}, "to_group_id": reading}, want: 422},
		{name: "move members missing fields", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"to_group_id": london}, want: 422, badRequest: true},
		{name: "move members unknown field", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"ids": []int64{1}, "to_group_id": london}, want: 400, badRequest: true},
		{name: "move members cookie without csrf", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{id("support.one")}, "to_group_id": london}, header: cookie, want: 403},
		{name: "move members hidden source", user: "sales.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{id("support.one")}, "to_group_id": sales}, want: 404},
		{name: "move members anonymous", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: map[string]any{"employee_ids": []int64{1}, "to_group_id": london}, want: 401},
		{name: "move members text/plain", user: "acme.admin", method: "POST", path: p("/api/v1/groups/%d/members/move", support), body: "x", header: textPlain, want: 415, badRequest: true},

		{name: "delete site", user: "operator", method: "DELETE", path: "/api/v1/sites/" + manchester, want: 204},
		{name: "delete group site", user: "acme.admin", method: "DELETE", path: p("/api/v1/groups/%d", london), want: 403},
		{name: "delete group with sub-groups", user: "acme.admin", method: "DELETE", path: p("/api/v1/groups/%d", sales), want: 409},
		{name: "delete assigned group", user: "sales.admin", method: "DELETE", path: p("/api/v1/groups/%d", sales), want: 403},
		{name: "delete group", user: "acme.admin", method: "DELETE", path: "/api/v1/groups/" + marketing, want: 204},
		{name: "delete group again", user: "acme.admin", method: "DELETE", path: "/api/v1/groups/" + marketing, want: 404},
		{name: "delete group sub-group by group admin", user: "sales.admin", method: "DELETE", path: "/api/v1/groups/" + inside, want: 204},
		{name: "delete group anonymous", method: "DELETE", path: p("/api/v1/groups/%d", sales), want: 401},

		// Employees.
		{name: "employees company admin", user: "acme.admin", method: "GET", path: "/api/v1/employees", want: 200},
		{name: "employees filtered", user: "acme.admin", method: "GET", path: p("/api/v1/employees?role=group_admin&status=active&sort=-username&q=a&page=1&per_page=2"), want: 200},
		{name: "employees in group", user: "leeds.admin", method: "GET", path: p("/api/v1/employees?group_id=%d&sort=created_at", sales), want: 200},
		{name: "employees employee", user: "west.one", method: "GET", path: "/api/v1/employees", want: 200},
		{name: "employees operator", user: "operator", method: "GET", path: p("/api/v1/employees?company_id=%d", globex), want: 200},
		{name: "employees operator without company", user: "operator", method: "GET", path: "/api/v1/employees", want: 422},
		{name: "employees bad role", user: "acme.admin", method: "GET", path: "/api/v1/employees?role=provider", want: 422, badRequest: true},
		{name: "employees bad sort", user: "acme.admin", method: "GET", path: "/api/v1/employees?sort=salary", want: 422, badRequest: true},
		{name: "employees bad status", user: "acme.admin", method: "GET", path: "/api/v1/employees?status=asleep", want: 422, badRequest: true},
		{name: "employees other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/employees?company_id=%d", acme), want: 404},
		{name: "employees anonymous", method: "GET", path: "/api/v1/employees", want: 401},
		{name: "create employee", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "new.one", "password": goodPassword,
			"first_name": "Nia", "last_name": "Newman", "email": "nia@example.com", "phone": "+44 113 496 0001", "group_ids": []int64{london},
			"address": map[string]any{"line1": "2 Park Row", "city": "Leeds"}}, want: 201},
		{name: "create employee group admin", user: "leeds.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "support.two", "password": goodPassword,
			"first_name": "Sue", "last_name": "Pport", "role": "employee", "group_ids": []int64{support}}, want: 201},
		{name: "create employee operator", user: "operator", method: "POST", path: "/api/v1/employees", body: map[string]any{"company_id": globex, "username": "globex.two", "password": goodPassword,
			"first_name": "Gus", "last_name": "Two"}, want: 201},
		// Only the provider (or the company's reseller) makes a company admin (docs/security.md).
		{name: "create employee company admin", user: "operator", method: "POST", path: "/api/v1/employees", body: map[string]any{"company_id": acme, "username": "second.admin", "password": goodPassword,
			"first_name": "Sec", "last_name": "Ond", "role": "company_admin"}, want: 201},
		{name: "create employee company admin by company admin", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "third.admin", "password": goodPassword,
			"first_name": "Thi", "last_name": "Rd", "role": "company_admin"}, want: 403},
		{name: "create employee generated password", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "gen.one",
			"first_name": "Gen", "last_name": "Rated", "email": "gen.one@example.com", "group_ids": []int64{support}}, want: 201},
		{name: "create employee no password no email", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "mute.one",
			"first_name": "Mu", "last_name": "Te"}, want: 422},
		{name: "create employee admin policy", user: "operator", method: "POST", path: "/api/v1/employees", body: map[string]any{"company_id": acme, "username": "lax.admin", "password": "str0ng-pass!",
			"first_name": "La", "last_name": "X", "role": "company_admin"}, want: 422},
		{name: "create employee self-care policy", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "seq.one", "password": "Pass-1234-word",
			"first_name": "Se", "last_name": "Q"}, want: 422},
		{name: "create employee too large", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: `{"username":"big.one","first_name":"` + strings.Repeat("x", 1<<20+10) + `"}`, want: 413, badRequest: true},
		{name: "create employee duplicate", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "new.one", "password": goodPassword,
			"first_name": "Nia", "last_name": "Newman"}, want: 409},
		{name: "create employee invalid", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "bad@name", "password": "weak",
			"first_name": "", "last_name": "", "email": "nope"}, want: 422},
		{name: "create employee group admin no groups", user: "leeds.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "loose.one", "password": goodPassword,
			"first_name": "Lou", "last_name": "Se"}, want: 422},
		{name: "create employee group admin hidden group", user: "sales.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "sneaky.one", "password": goodPassword,
			"first_name": "Sne", "last_name": "Aky", "group_ids": []int64{support}}, want: 422},
		{name: "create employee by employee", user: "west.one", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "friend.one", "password": goodPassword,
			"first_name": "Fri", "last_name": "End"}, want: 403},
		{name: "create employee group admin makes company admin", user: "leeds.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "boss.one", "password": goodPassword,
			"first_name": "Bo", "last_name": "Ss", "role": "company_admin", "group_ids": []int64{support}}, want: 403},
		{name: "create employee other company", user: "globex.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"company_id": acme, "username": "mole.one", "password": goodPassword,
			"first_name": "Mo", "last_name": "Le"}, want: 404},
		{name: "create employee operator without company", user: "operator", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "lost.one", "password": goodPassword,
			"first_name": "Lo", "last_name": "St"}, want: 422},
		{name: "create employee bad role", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "role.one", "password": goodPassword,
			"first_name": "Ro", "last_name": "Le", "role": "superuser"}, want: 422, badRequest: true},
		{name: "create employee unknown field", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "nick.one", "password": goodPassword,
			"first_name": "Ni", "last_name": "Ck", "nickname": "Nicky"}, want: 400, badRequest: true},
		{name: "create employee anonymous", method: "POST", path: "/api/v1/employees", body: map[string]any{"username": "anon.one", "password": goodPassword, "first_name": "A", "last_name": "N"}, want: 401},
		{name: "create employee text/plain", user: "acme.admin", method: "POST", path: "/api/v1/employees", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "get employee", user: "sales.admin", method: "GET", path: p("/api/v1/employees/%d", id("west.one")), want: 200},
		{name: "get employee self", user: "west.one", method: "GET", path: p("/api/v1/employees/%d", id("west.one")), want: 200},
		{name: "get employee colleague", user: "west.one", method: "GET", path: p("/api/v1/employees/%d", id("support.one")), want: 404},
		{name: "get employee other tenant", user: "globex.admin", method: "GET", path: p("/api/v1/employees/%d", id("west.one")), want: 404},
		{name: "get employee anonymous", method: "GET", path: p("/api/v1/employees/%d", id("west.one")), want: 401},
		{name: "update employee", user: "sales.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{"phone": "+44 113 496 0002",
			"address": map[string]any{"line1": "3 Park Row", "city": "Leeds", "postcode": "LS1 5AC", "country": "GB"}}, want: 200},
		{name: "update employee self", user: "west.one", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{"first_name": "Wendy", "username": "west.one"}, want: 200},
		{name: "update employee role", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("london.one")), body: map[string]any{"role": "group_admin"}, want: 200},
		{name: "update employee promote by company admin", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("support.one")), body: map[string]any{"role": "company_admin"}, want: 403},
		{name: "update employee promote", user: "operator", method: "PATCH", path: p("/api/v1/employees/%d", id("support.one")), body: map[string]any{"role": "company_admin"}, want: 200},
		{name: "update employee demote company admin by company admin", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("support.one")), body: map[string]any{"role": "employee"}, want: 403},
		{name: "update employee demote", user: "operator", method: "PATCH", path: p("/api/v1/employees/%d", id("support.one")), body: map[string]any{"role": "employee"}, want: 200},
		{name: "update employee own role", user: "west.one", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{"role": "group_admin"}, want: 403},
		{name: "update employee company admin by group admin", user: "leeds.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("support.one")), body: map[string]any{"role": "company_admin"}, want: 403},
		{name: "update employee rename", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{"username": "east.one"}, want: 422},
		{name: "update employee invalid", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{"email": "nope", "first_name": ""}, want: 422},
		{name: "update employee bad role", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{"role": "boss"}, want: 422, badRequest: true},
		{name: "update employee unknown field", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{"password": "x"}, want: 400, badRequest: true},
		{name: "update employee hidden", user: "sales.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("support.one")), body: map[string]any{"phone": "1234"}, want: 404},
		{name: "update employee anonymous", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: map[string]any{}, want: 401},
		{name: "update employee text/plain", user: "acme.admin", method: "PATCH", path: p("/api/v1/employees/%d", id("west.one")), body: "x", header: textPlain, want: 415, badRequest: true},

		{name: "memberships", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/memberships", id("west.one")), want: 200},
		{name: "memberships member", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/memberships?filter=member", id("west.one")), want: 200},
		{name: "memberships not_member", user: "leeds.admin", method: "GET", path: p("/api/v1/employees/%d/memberships?filter=not_member", id("west.one")), want: 200},
		{name: "memberships bad filter", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/memberships?filter=x", id("west.one")), want: 422, badRequest: true},
		{name: "memberships hidden", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/memberships", id("support.one")), want: 404},
		{name: "memberships anonymous", method: "GET", path: p("/api/v1/employees/%d/memberships", id("west.one")), want: 401},
		{name: "change memberships", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"add": []int64{london}}, want: 204},
		{name: "change memberships remove", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"remove": []int64{london}}, want: 204},
		{name: "change memberships hidden group", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"add": []int64{reading}}, want: 422},
		{name: "change memberships empty", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"add": []int64{}}, want: 422},
		{name: "change memberships self", user: "west.one", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"add": []int64{london}}, want: 403},
		{name: "change memberships unknown field", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"groups": []int64{london}}, want: 400, badRequest: true},
		{name: "change memberships hidden employee", user: "globex.admin", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"add": []int64{reading}}, want: 404},
		{name: "change memberships anonymous", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: map[string]any{"add": []int64{london}}, want: 401},
		{name: "change memberships text/plain", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/memberships", id("west.one")), body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "admin privileges", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/admin-privileges", id("leeds.admin")), want: 200},
		{name: "admin privileges administers", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/admin-privileges?filter=administers", id("sales.admin")), want: 200},
		{name: "admin privileges not_administers", user: "leeds.admin", method: "GET", path: p("/api/v1/employees/%d/admin-privileges?filter=not_administers", id("sales.admin")), want: 200},
		{name: "admin privileges bad filter", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/admin-privileges?filter=admins", id("sales.admin")), want: 422, badRequest: true},
		{name: "admin privileges hidden", user: "globex.admin", method: "GET", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), want: 404},
		{name: "admin privileges anonymous", method: "GET", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), want: 401},
		{name: "change admin privileges", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), body: map[string]any{"add": []int64{support}}, want: 204},
		{name: "change admin privileges remove", user: "leeds.admin", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), body: map[string]any{"remove": []int64{support}}, want: 204},
		{name: "change admin privileges self", user: "sales.admin", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), body: map[string]any{"add": []int64{west}}, want: 403},
		{name: "change admin privileges both", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), body: map[string]any{"add": []int64{west}, "remove": []int64{west}}, want: 422},
		{name: "change admin privileges wrong type", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), body: map[string]any{"add": west}, want: 400, badRequest: true},
		{name: "change admin privileges hidden", user: "sales.admin", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("support.one")), body: map[string]any{"add": []int64{west}}, want: 404},
		{name: "change admin privileges anonymous", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), body: map[string]any{"add": []int64{west}}, want: 401},
		{name: "change admin privileges text/plain", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/admin-privileges", id("sales.admin")), body: "x", header: textPlain, want: 415, badRequest: true},

		// Account security of employees.
		{name: "lock status", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/lock", id("west.one")), want: 200},
		{name: "lock status self", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/lock", id("west.one")), want: 200},
		{name: "lock status hidden", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/lock", id("support.one")), want: 404},
		{name: "lock status anonymous", method: "GET", path: p("/api/v1/employees/%d/lock", id("west.one")), want: 401},
		{name: "force unlock not locked", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/force-unlock", id("west.one")), want: 409},
		{name: "force unlock group admin", user: "leeds.admin", method: "POST", path: p("/api/v1/employees/%d/force-unlock", id("west.one")), want: 403},
		{name: "force unlock company admin by company admin", user: "acme.admin", method: "POST", path: "/api/v1/employees/@e(second.admin)/force-unlock", want: 403},
		{name: "force unlock employee", user: "west.one", method: "POST", path: p("/api/v1/employees/%d/force-unlock", id("west.one")), want: 403},
		{name: "force unlock other tenant", user: "globex.admin", method: "POST", path: p("/api/v1/employees/%d/force-unlock", id("west.one")), want: 404},
		{name: "force unlock anonymous", method: "POST", path: p("/api/v1/employees/%d/force-unlock", id("west.one")), want: 401},
		{name: "operators", user: "operator", method: "GET", path: "/api/v1/operators", want: 200},
		{name: "operators by company admin", user: "acme.admin", method: "GET", path: "/api/v1/operators", want: 403},
		{name: "operators anonymous", method: "GET", path: "/api/v1/operators", want: 401},
		{name: "operator lock", user: "operator", method: "GET", path: p("/api/v1/operators/%d/lock", op2.ID), want: 200},
		{name: "operator lock hidden", user: "acme.admin", method: "GET", path: p("/api/v1/operators/%d/lock", op2.ID), want: 404},
		{name: "operator lock of an employee", user: "operator", method: "GET", path: p("/api/v1/operators/%d/lock", id("west.one")), want: 404},
		{name: "operator lock anonymous", method: "GET", path: p("/api/v1/operators/%d/lock", op2.ID), want: 401},
		{name: "force unlock operator not locked", user: "operator", method: "POST", path: p("/api/v1/operators/%d/force-unlock", op2.ID), want: 409},
		{name: "force unlock operator by company admin", user: "acme.admin", method: "POST", path: p("/api/v1/operators/%d/force-unlock", op2.ID), want: 404},
		{name: "force unlock operator anonymous", method: "POST", path: p("/api/v1/operators/%d/force-unlock", op2.ID), want: 401},
		{name: "operators with a locked one", user: "operator", setup: lockOp2, method: "GET", path: "/api/v1/operators", want: 200},
		{name: "force unlock operator", user: "operator", setup: lockOp2, method: "POST", path: p("/api/v1/operators/%d/force-unlock", op2.ID), want: 204},
		{name: "service passwords", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")),
			body: map[string]any{"application_password": "App-Pass-7!", "voicemail_pin": "2580"}, want: 204},
		{name: "service passwords self pin", user: "west.one", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")),
			body: map[string]any{"voicemail_pin": "731952", "application_password": nil}, want: 204},
		{name: "service passwords sequence pin", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")),
			body: map[string]any{"voicemail_pin": "1234"}, want: 422},
		{name: "service passwords weak application password", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")),
			body: map[string]any{"application_password": "short"}, want: 422},
		{name: "service passwords none", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")), body: map[string]any{}, want: 422},
		{name: "service passwords unknown field", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")),
			body: map[string]any{"sip_password": "x"}, want: 400, badRequest: true},
		{name: "service passwords wrong type", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")),
			body: map[string]any{"voicemail_pin": 2580}, want: 400, badRequest: true},
		{name: "service passwords text/plain", user: "acme.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")), body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "service passwords cookie without csrf", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")),
			body: map[string]any{"voicemail_pin": "2580"}, header: cookie, want: 403},
		{name: "service passwords hidden", user: "sales.admin", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("support.one")),
			body: map[string]any{"voicemail_pin": "2580"}, want: 404},
		{name: "service passwords anonymous", method: "PUT", path: p("/api/v1/employees/%d/service-passwords", id("west.one")), body: map[string]any{"voicemail_pin": "2580"}, want: 401},
		{name: "reset password", user: "acme.admin", method: "POST", path: "/api/v1/employees/@e(new.one)/reset-password", want: 202},
		{name: "reset password company admin by company admin", user: "acme.admin", method: "POST", path: "/api/v1/employees/@e(second.admin)/reset-password", want: 403},
		{name: "reset password group admin self", user: "leeds.admin", method: "POST", path: p("/api/v1/employees/%d/reset-password", id("leeds.admin")), want: 403},
		{name: "reset password employee self", user: "west.one", method: "POST", path: p("/api/v1/employees/%d/reset-password", id("west.one")), want: 403},
		{name: "reset password no email", user: "leeds.admin", method: "POST", path: "/api/v1/employees/@e(support.two)/reset-password", want: 422},
		{name: "reset password other tenant", user: "globex.admin", method: "POST", path: p("/api/v1/employees/%d/reset-password", id("west.one")), want: 404},
		{name: "reset password anonymous", method: "POST", path: p("/api/v1/employees/%d/reset-password", id("west.one")), want: 401},

		{name: "delete employee self", user: "acme.admin", method: "DELETE", path: p("/api/v1/employees/%d", id("acme.admin")), want: 403},
		{name: "delete employee by employee", user: "west.one", method: "DELETE", path: p("/api/v1/employees/%d", id("west.one")), want: 403},
		{name: "delete employee hidden", user: "west.one", method: "DELETE", path: p("/api/v1/employees/%d", id("support.one")), want: 404},
		{name: "delete employee missing", user: "acme.admin", method: "DELETE", path: p("/api/v1/employees/%d", missingID), want: 404},
		{name: "delete employee anonymous", method: "DELETE", path: p("/api/v1/employees/%d", id("west.one")), want: 401},

		// Audit.
		{name: "audit operator", user: "operator", method: "GET", path: "/api/v1/audit", want: 200},
		{name: "audit operator filtered", user: "operator", method: "GET", path: p("/api/v1/audit?company_id=%d&object_kind=employee&event=create%%20employee&from=2000-01-01T00:00:00Z&to=2100-01-01T00:00:00Z&page=1&per_page=10", acme), want: 200},
		{name: "audit by site and actor", user: "acme.admin", method: "GET", path: p("/api/v1/audit?site_id=%d&actor_id=%d", leeds, id("acme.admin")), want: 200},
		{name: "audit by object", user: "acme.admin", method: "GET", path: p("/api/v1/audit?object_kind=group&object_id=%d", sales), want: 200},
		{name: "audit reseller admin", user: "reseller.admin", method: "GET", path: "/api/v1/audit", want: 200},
		{name: "audit company admin", user: "acme.admin", method: "GET", path: "/api/v1/audit", want: 200},
		{name: "audit other company", user: "acme.admin", method: "GET", path: p("/api/v1/audit?company_id=%d", globex), want: 404},
		{name: "audit group admin", user: "leeds.admin", method: "GET", path: "/api/v1/audit", want: 403},
		{name: "audit employee", user: "west.one", method: "GET", path: "/api/v1/audit", want: 403},
		{name: "audit bad time", user: "operator", method: "GET", path: "/api/v1/audit?from=yesterday", want: 422, badRequest: true},
		{name: "audit unknown event", user: "operator", method: "GET", path: "/api/v1/audit?event=Add%20Employee", want: 422},
		{name: "audit event types", user: "acme.admin", method: "GET", path: "/api/v1/audit/events", want: 200},
		{name: "audit event types operator", user: "operator", method: "GET", path: "/api/v1/audit/events", want: 200},
		{name: "audit event types employee", user: "west.one", method: "GET", path: "/api/v1/audit/events", want: 403},
		{name: "audit bad actor", user: "operator", method: "GET", path: "/api/v1/audit?actor_id=-1", want: 400, badRequest: true},
		{name: "audit anonymous", method: "GET", path: "/api/v1/audit", want: 401},
		{name: "audit entry company admin", user: "acme.admin", method: "GET", path: "/api/v1/audit/@a(Modify Employee)", want: 200},
		{name: "audit entry operator", user: "operator", method: "GET", path: "/api/v1/audit/@a(Modify Employee)", want: 200},
		{name: "audit entry provider level", user: "operator", method: "GET", path: "/api/v1/audit/@a(Modify Security Settings)", want: 200},
		{name: "audit entry provider level company admin", user: "acme.admin", method: "GET", path: "/api/v1/audit/@a(Modify Security Settings)", want: 404},
		{name: "audit entry other company", user: "globex.admin", method: "GET", path: "/api/v1/audit/@a(Modify Employee)", want: 404},
		{name: "audit entry reseller admin other company", user: "reseller.admin", method: "GET", path: "/api/v1/audit/@a(Modify Employee)", want: 404},
		{name: "audit entry group admin", user: "leeds.admin", method: "GET", path: "/api/v1/audit/@a(Modify Employee)", want: 404},
		{name: "audit entry missing", user: "operator", method: "GET", path: p("/api/v1/audit/%d", missingID), want: 404},
		{name: "audit entry anonymous", method: "GET", path: "/api/v1/audit/@a(Modify Employee)", want: 401},

		// Mail outbox (provider operators only).
		{name: "outbox", user: "operator", method: "GET", path: "/api/v1/mail/outbox", want: 200},
		{name: "outbox filtered", user: "operator", method: "GET", path: p("/api/v1/mail/outbox?status=queued&to=NIA@example.com&company_id=%d&page=1&per_page=5", acme), want: 200},
		{name: "outbox bad status", user: "operator", method: "GET", path: "/api/v1/mail/outbox?status=bounced", want: 422, badRequest: true},
		{name: "outbox bad company", user: "operator", method: "GET", path: "/api/v1/mail/outbox?company_id=acme", want: 400, badRequest: true},
		{name: "outbox company admin", user: "acme.admin", method: "GET", path: "/api/v1/mail/outbox", want: 403},
		{name: "outbox reseller admin", user: "reseller.admin", method: "GET", path: "/api/v1/mail/outbox", want: 403},
		{name: "outbox anonymous", method: "GET", path: "/api/v1/mail/outbox", want: 401},

		// The cookie session ends last: logout with the CSRF token.
		{name: "logout cookie with csrf", method: "POST", path: "/api/v1/auth/logout", header: cookieCSRF, want: 204},
	}...)

	// The employee created above is deleted at the end.
	calls = append(calls, apiCall{name: "delete employee", user: "acme.admin", method: "DELETE", path: "/api/v1/employees/@e(new.one)", want: 204},
		apiCall{name: "delete employee again", user: "acme.admin", method: "DELETE", path: "/api/v1/employees/@e(new.one)", want: 404},
		apiCall{name: "delete employee group admin", user: "leeds.admin", method: "DELETE", path: "/api/v1/employees/@e(support.two)", want: 204})
	calls = append(calls, importContractCalls(t, c)...)
	return calls
}

var placeholder = regexp.MustCompile(`@([gea])\(([^)]*)\)`)

// resolve replaces the placeholders of path with ids, looked up through the
// API as the operator the first time and remembered after (so a deleted
// object keeps its id). "#2" after a group path means the newest of that path.
// @a(event) is the newest audit entry of that event.
func (c *contract) resolve(t *testing.T, path string) string {
	t.Helper()
	return placeholder.ReplaceAllStringFunc(path, func(m string) string {
		if id, ok := c.ids[m]; ok {
			return strconv.FormatInt(id, 10)
		}
		sub := placeholder.FindStringSubmatch(m)
		kind, name := sub[1], sub[2]
		name, newest := strings.CutSuffix(name, "#2")
		var id int64
		switch kind {
		case "g":
			res := c.env.Do(t, c.token("operator"), "GET", fmt.Sprintf("/api/v1/groups?company_id=%d&per_page=500", c.env.Fixture.Acme.ID), nil)
			var list struct {
				Items []struct {
					ID   int64  `json:"id"`
					Path string `json:"path"`
				} `json:"items"`
			}
			res.JSON(t, &list)
			for _, g := range list.Items {
				if g.Path == name && (id == 0 || (newest && g.ID > id)) {
					id = g.ID
				}
			}
		case "e":
			res := c.env.Do(t, c.token("operator"), "GET", fmt.Sprintf("/api/v1/employees?company_id=%d&per_page=500", c.env.Fixture.Acme.ID), nil)
			var list struct {
				Items []struct {
					ID       int64  `json:"id"`
					Username string `json:"username"`
				} `json:"items"`
			}
			res.JSON(t, &list)
			for _, e := range list.Items {
				if e.Username == name {
					id = e.ID
				}
			}
		case "a":
			es, _, err := c.env.App.Audit.List(context.Background(), audit.Filter{Event: name}, store.Page{Page: 1, PerPage: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(es) == 1 {
				id = es[0].ID
			}
		}
		if id == 0 {
			t.Fatalf("placeholder %s: no such object", m)
		}
		c.ids[m] = id
		return strconv.FormatInt(id, 10)
	})
}

// addResellerAdmin creates a reseller and its administrator account, which
// the fixture estate lacks (identity has no service call for it yet).
func addResellerAdmin(t *testing.T, env *apptest.Env, username string) {
	t.Helper()
	ctx := context.Background()
	r, err := env.App.Tenancy.CreateReseller(ctx, env.Fixture.Provider.ID, "Fixture Reseller")
	if err != nil {
		t.Fatal(err)
	}
	hash, err := env.App.Identity.HashPassword(apptest.Password)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UnixMilli()
	_, err = storetest.Exec(ctx, env.App.DB, `INSERT INTO accounts (provider_id, reseller_id, username, password_hash, role, first_name, last_name, status, created_at, updated_at)
		VALUES (?, ?, ?, ?, 'reseller', 'Rita', 'Seller', 'active', ?, ?)`, env.Fixture.Provider.ID, r.ID, username, hash, now, now)
	if err != nil {
		t.Fatal(err)
	}
}

// securityContractCalls are the account-security calls: lockout, force
// unlock, an administrator's reset and the forced change that follows, the
// security e-mail change, the self-service reset and the login limiter.
// They run on a second node (its own login limiter) after contractCalls;
// tokens and passwords are read from the mail outbox when the call runs.
func securityContractCalls(t *testing.T, c *contract) []apiCall {
	env := c.env
	p := fmt.Sprintf
	west := env.ID("west.one")
	textPlain := map[string]string{"Content-Type": "text/plain"}
	bogusBearer := map[string]string{"Authorization": "Bearer not-a-token"}
	cookie := map[string]string{"Cookie": "sb_session=" + c.browserToken("acme.admin")}
	login := func(password string) map[string]any {
		return map[string]any{"username": "west.one", "password": password}
	}
	generated := func() string { return mailPassword(t, env, "west.one@example.com", "password_reset_by_admin") }
	// The limiter counts login, password-reset and password-reset/confirm
	// calls per address: the calls below make 16 of its 20 a minute before
	// the burst that exhausts it.
	burst := func(t *testing.T) {
		for range 40 {
			if env.Do(t, "", "POST", "/api/v1/auth/login", map[string]string{"username": "", "password": ""}).Status == http.StatusTooManyRequests {
				return
			}
		}
		t.Fatal("the login limiter never answered 429")
	}

	return []apiCall{
		// Lockout: the third wrong password locks; then even the right one is 423.
		{name: "login wrong 1", method: "POST", path: "/api/v1/auth/login", body: login("Wrong-Pass-1!"), want: 401},
		{name: "login wrong 2", method: "POST", path: "/api/v1/auth/login", body: login("Wrong-Pass-2!"), want: 401},
		{name: "login wrong 3 locks", method: "POST", path: "/api/v1/auth/login", body: login("Wrong-Pass-3!"), want: 423},
		{name: "login locked right password", method: "POST", path: "/api/v1/auth/login", body: login(apptest.Password), want: 423},
		{name: "lock status locked", user: "acme.admin", method: "GET", path: p("/api/v1/employees/%d/lock", west), want: 200},
		{name: "force unlock group admin", user: "leeds.admin", method: "POST", path: p("/api/v1/employees/%d/force-unlock", west), want: 403},
		{name: "force unlock", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/force-unlock", west), want: 204},
		{name: "force unlock again", user: "acme.admin", method: "POST", path: p("/api/v1/employees/%d/force-unlock", west), want: 409},
		{name: "login after unlock", method: "POST", path: "/api/v1/auth/login", body: login(apptest.Password), want: 200},

		// A group admin resets west.one's password: west.one must change it.
		{name: "reset password group admin", user: "sales.admin", method: "POST", path: p("/api/v1/employees/%d/reset-password", west), want: 202},
		{name: "must change me", user: "west.one", method: "GET", path: "/api/v1/auth/me", want: 200},
		{name: "must change employees", user: "west.one", method: "GET", path: "/api/v1/employees", want: 403},
		{name: "must change employee", user: "west.one", method: "GET", path: p("/api/v1/employees/%d", west), want: 403},
		{name: "must change companies", user: "west.one", method: "GET", path: "/api/v1/companies", want: 403},
		{name: "must change company", user: "west.one", method: "GET", path: p("/api/v1/companies/%d", env.Fixture.Acme.ID), want: 403},
		{name: "must change sites", user: "west.one", method: "GET", path: "/api/v1/sites", want: 403},
		{name: "must change site", user: "west.one", method: "GET", path: p("/api/v1/sites/%d", env.Fixture.Leeds.ID), want: 403},
		{name: "must change groups", user: "west.one", method: "GET", path: "/api/v1/groups", want: 403},
		{name: "must change tree", user: "west.one", method: "GET", path: "/api/v1/groups/tree", want: 403},
		{name: "must change group", user: "west.one", method: "GET", path: p("/api/v1/groups/%d", env.Fixture.SalesWest.ID), want: 403},
		{name: "must change group admins", user: "west.one", method: "GET", path: p("/api/v1/groups/%d/admins", env.Fixture.SalesWest.ID), want: 403},
		{name: "must change group members", user: "west.one", method: "GET", path: p("/api/v1/groups/%d/members", env.Fixture.SalesWest.ID), want: 403},
		{name: "must change memberships", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/memberships", west), want: 403},
		{name: "must change admin privileges", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/admin-privileges", west), want: 403},
		{name: "must change lock", user: "west.one", method: "GET", path: p("/api/v1/employees/%d/lock", west), want: 403},
		{name: "must change audit entry", user: "west.one", method: "GET", path: "/api/v1/audit/@a(Reset Password)", want: 403},
		{name: "must change password reset", user: "west.one", method: "POST", path: "/api/v1/auth/password-reset", body: map[string]any{"login": "west.one"}, want: 403},
		{name: "must change confirm email", user: "west.one", method: "POST", path: "/api/v1/auth/security-email/confirm", body: map[string]any{"token": "x"}, want: 403},
		{name: "must change confirm reset", user: "west.one", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: map[string]any{"token": "x", "new_password": "x"}, want: 403},
		{name: "must change login", user: "west.one", method: "POST", path: "/api/v1/auth/login", body: login(apptest.Password), want: 403},
		{name: "change password wrong current", user: "west.one", method: "POST", path: "/api/v1/auth/password",
			body: map[string]any{"current_password": apptest.Password, "new_password": "Wendy-Own-Pass-9"}, want: 422},
		{name: "change password weak", user: "west.one", method: "POST", path: "/api/v1/auth/password",
			body: func() any { return map[string]any{"current_password": generated(), "new_password": "abc12345!"} }, want: 422},
		{name: "change password missing current", user: "west.one", method: "POST", path: "/api/v1/auth/password",
			body: map[string]any{"new_password": "Wendy-Own-Pass-9"}, want: 422, badRequest: true},
		{name: "change password unknown field", user: "west.one", method: "POST", path: "/api/v1/auth/password",
			body: map[string]any{"current_password": "a", "new_password": "b", "confirm": "b"}, want: 400, badRequest: true},
		{name: "change password text/plain", user: "west.one", method: "POST", path: "/api/v1/auth/password", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "change password cookie without csrf", method: "POST", path: "/api/v1/auth/password",
			body: map[string]any{"current_password": apptest.Password, "new_password": "Alex-Own-Pass-9!"}, header: cookie, want: 403},
		{name: "change password anonymous", method: "POST", path: "/api/v1/auth/password", body: map[string]any{"current_password": "a", "new_password": "b"}, want: 401},
		{name: "change password", user: "west.one", method: "POST", path: "/api/v1/auth/password",
			body: func() any { return map[string]any{"current_password": generated(), "new_password": "Wendy-Own-Pass-9"} }, want: 200},
		{name: "after change employees", user: "west.one", method: "GET", path: "/api/v1/employees", want: 200},
		// Wrong current passwords count towards the lockout like wrong logins.
		{name: "change password guess 1", user: "support.one", method: "POST", path: "/api/v1/auth/password",
			body: map[string]any{"current_password": "guess-1", "new_password": "Stan-Own-Pass-9"}, want: 422},
		{name: "change password guess 2", user: "support.one", method: "POST", path: "/api/v1/auth/password",
			body: map[string]any{"current_password": "guess-2", "new_password": "Stan-Own-Pass-9"}, want: 422},
		{name: "change password guess 3 locks", user: "support.one", method: "POST", path: "/api/v1/auth/password",
			body: map[string]any{"current_password": "guess-3", "new_password": "Stan-Own-Pass-9"}, want: 423},

		// Security e-mail change.
		{name: "security email", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: map[string]any{"email": "wendy.new@example.com"}, want: 202},
		{name: "security email invalid", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: map[string]any{"email": "wendy at example"}, want: 422},
		{name: "security email unchanged", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: map[string]any{"email": "West.One@example.com"}, want: 422},
		{name: "security email missing", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: map[string]any{}, want: 422, badRequest: true},
		{name: "security email unknown field", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: map[string]any{"address": "x@example.com"}, want: 400, badRequest: true},
		{name: "security email text/plain", user: "west.one", method: "POST", path: "/api/v1/auth/security-email", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "security email cookie without csrf", method: "POST", path: "/api/v1/auth/security-email", body: map[string]any{"email": "alex@example.com"}, header: cookie, want: 403},
		{name: "security email anonymous", method: "POST", path: "/api/v1/auth/security-email", body: map[string]any{"email": "x@example.com"}, want: 401},
		{name: "confirm email empty token", method: "POST", path: "/api/v1/auth/security-email/confirm", body: map[string]any{"token": ""}, want: 422},
		{name: "confirm email bad token", method: "POST", path: "/api/v1/auth/security-email/confirm", body: map[string]any{"token": "not-a-token"}, want: 422},
		{name: "confirm email", method: "POST", path: "/api/v1/auth/security-email/confirm",
			body: func() any {
				return map[string]any{"token": mailToken(t, env, "wendy.new@example.com", "email_change_confirm")}
			}, want: 200},
		{name: "confirm email again", method: "POST", path: "/api/v1/auth/security-email/confirm",
			body: func() any {
				return map[string]any{"token": mailToken(t, env, "wendy.new@example.com", "email_change_confirm")}
			}, want: 422},
		{name: "confirm email unknown field", method: "POST", path: "/api/v1/auth/security-email/confirm", body: map[string]any{"token": "x", "email": "y"}, want: 400, badRequest: true},
		{name: "confirm email text/plain", method: "POST", path: "/api/v1/auth/security-email/confirm", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "confirm email bad bearer", method: "POST", path: "/api/v1/auth/security-email/confirm", body: map[string]any{"token": "x"}, header: bogusBearer, want: 401},

		// Self-service reset.
		{name: "password reset", method: "POST", path: "/api/v1/auth/password-reset", body: map[string]any{"login": "support.one"}, want: 202},
		{name: "password reset unknown login", method: "POST", path: "/api/v1/auth/password-reset", body: map[string]any{"login": "nobody.here"}, want: 202},
		{name: "password reset blank", method: "POST", path: "/api/v1/auth/password-reset", body: map[string]any{"login": " "}, want: 422},
		{name: "password reset unknown field", method: "POST", path: "/api/v1/auth/password-reset", body: map[string]any{"username": "support.one"}, want: 400, badRequest: true},
		{name: "password reset text/plain", method: "POST", path: "/api/v1/auth/password-reset", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "password reset bad bearer", method: "POST", path: "/api/v1/auth/password-reset", body: map[string]any{"login": "support.one"}, header: bogusBearer, want: 401},
		{name: "reset confirm weak", method: "POST", path: "/api/v1/auth/password-reset/confirm",
			body: func() any {
				return map[string]any{"token": mailToken(t, env, "support.one@example.com", "password_reset"), "new_password": "abc12345!"}
			}, want: 422},
		{name: "reset confirm", method: "POST", path: "/api/v1/auth/password-reset/confirm",
			body: func() any {
				return map[string]any{"token": mailToken(t, env, "support.one@example.com", "password_reset"), "new_password": "Stan-New-Pass-5"}
			}, want: 200},
		{name: "reset confirm again", method: "POST", path: "/api/v1/auth/password-reset/confirm",
			body: func() any {
				return map[string]any{"token": mailToken(t, env, "support.one@example.com", "password_reset"), "new_password": "Stan-New-Pass-6"}
			}, want: 422},
		{name: "reset confirm no token", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: map[string]any{"new_password": "Stan-New-Pass-6"}, want: 422, badRequest: true},
		{name: "reset confirm unknown field", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: map[string]any{"token": "x", "password": "y"}, want: 400, badRequest: true},
		{name: "reset confirm text/plain", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: "x", header: textPlain, want: 415, badRequest: true},
		{name: "reset confirm bad bearer", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: map[string]any{"token": "x", "new_password": "y"}, header: bogusBearer, want: 401},
		{name: "reset confirm cookie without csrf", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: map[string]any{"token": "x", "new_password": "y"}, header: cookie, want: 403},

		// The limiter: once an address has made 20 attempts in a minute.
		{name: "login rate limited", setup: burst, method: "POST", path: "/api/v1/auth/login", body: login("Wendy-Own-Pass-9"), want: 429},
		{name: "password reset rate limited", method: "POST", path: "/api/v1/auth/password-reset", body: map[string]any{"login": "support.one"}, want: 429},
		{name: "reset confirm rate limited", method: "POST", path: "/api/v1/auth/password-reset/confirm", body: map[string]any{"token": "x", "new_password": "y"}, want: 429},
	}
}
