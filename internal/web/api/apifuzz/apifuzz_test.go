package apifuzz_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"mime/multipart"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/apptest"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
	"github.com/switchboard-voice/switchboard/internal/web/api"
)

// mutation is one bad value put in one field.
type mutation struct {
	name  string
	value any // for a body; a query takes query instead
	query string
	// forIDs marks a mutation sent only to id fields (a negative id is a
	// legal value of, say, a balance).
	forIDs bool
	// legal marks a value within its type's range (2^63-1): as a list's
	// filter it may simply match nothing, so a GET may answer 200; it must
	// never be a 5xx, and nothing else may succeed with it.
	legal bool
}

// huge is a 1 MB string: it fits the 1 MiB body limit, so it reaches the
// field checks rather than the size check.
var huge = strings.Repeat("x", 1_000_000)

// stringMutations go to every text field.
var stringMutations = []mutation{
	{name: "NUL", value: "a\x00b"},
	{name: "control character", value: "a\x1bb"},
	{name: "1 MB string", value: huge},
	{name: "wrong type", value: 12345},
}

// intMutations go to every integer field.
var intMutations = []mutation{
	{name: "2^63", value: json.Number("9223372036854775808")},
	{name: "2^63-1", value: json.Number("9223372036854775807"), legal: true},
	{name: "wrong type", value: "twelve"},
	{name: "negative id", value: json.Number("-1"), forIDs: true},
	{name: "fraction", value: json.Number("1.5")},
}

// otherMutations go to booleans, arrays and objects.
var otherMutations = []mutation{
	{name: "wrong type", value: "\x00"},
	{name: "wrong type number", value: json.Number("9223372036854775808")},
}

// queryMutations go to every query parameter. A query travels in the
// request line, which the HTTP server caps with the headers at 1 MiB, so
// its long value is 64 KiB.
var queryMutations = []mutation{
	{name: "NUL", query: "a\x00b"},
	{name: "control character", query: "a\x07b"},
	{name: "not UTF-8", query: "\xff\xfe"},
	{name: "64 KiB string", query: strings.Repeat("q", 64<<10)},
	{name: "2^63", query: "9223372036854775808"},
	{name: "2^63-1", query: "9223372036854775807", legal: true},
	{name: "negative id", query: "-1", forIDs: true},
}

// TestEveryOperationRefusesBadInput sends, for every operation of the API
// document and every field of its JSON body and its query, NUL, a control
// character, a 1 MB string, a wrong type, 2^63 and a negative id. Each
// must be answered 4xx with a problem document, nothing may change, and
// nothing may be logged as a fault or a panic. One node per engine serves
// every request, so the whole run takes seconds.
func TestEveryOperationRefusesBadInput(t *testing.T) {
	raw, err := api.OpenAPIDocument()
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&doc); err != nil {
		t.Fatal(err)
	}
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		env := apptest.New(t, db)
		var logs apptest.LogBuffer
		env.App.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
		f := env.Fixture
		ids := map[string]int64{
			"companies": f.Acme.ID, "sites": f.Leeds.ID, "groups": f.Sales.ID, "employees": env.ID("west.one"),
			"resellers": 1,
		}
		tokens := map[string]string{"operator": env.Token(t, "operator"), "west.one": env.Token(t, "west.one")}
		g := newGenerator(doc)
		g.known = map[string]int64{"company_id": f.Acme.ID, "parent_id": f.Leeds.ID, "site_id": f.Leeds.ID,
			"group_id": f.Sales.ID, "to_group_id": f.Support.ID, "employee_id": env.ID("west.one")}

		before := storetest.Counts(t, db)
		var failures []string
		sent := 0
		for _, op := range g.operations() {
			path := g.fillPath(op.path, ids)
			token := tokens["operator"]
			switch {
			case op.public:
				token = ""
			case strings.HasPrefix(op.path, "/api/v1/contacts"), strings.HasPrefix(op.path, "/api/v1/auth/"):
				token = tokens["west.one"]
			}
			check := func(what, target, body string, legal bool) {
				sent++
				res := env.Do(t, token, op.method, target, body)
				if legal && op.method == "GET" && res.Status < 300 {
					return
				}
				problem := res.Header.Get("Content-Type") == "application/problem+json"
				if res.Status < 400 || res.Status >= 500 || !problem {
					failures = append(failures, fmt.Sprintf("%s %s, %s: %d %s %.200s", op.method, op.path, what, res.Status, res.Header.Get("Content-Type"), res.Body))
				}
			}
			for _, q := range op.query {
				for _, m := range queryMutations {
					if m.forIDs && !isID(q.name) {
						continue
					}
					if !q.integer && (strings.HasPrefix(m.name, "2^63") || m.forIDs) {
						continue
					}
					body := ""
					if op.body != nil {
						body = mustJSON(g.sample(op.body, "", 0))
					}
					check("query "+q.name+": "+m.name, path+"?"+url.Values{q.name: {m.query}}.Encode(), body, m.legal)
				}
			}
			if op.form != nil {
				form := g.resolve(op.form)
				props := obj(form["properties"])
				for _, name := range slices.Sorted(maps.Keys(props)) {
					ps := g.resolve(obj(props[name]))
					var set []mutation
					switch {
					case name == "file":
						set = []mutation{{name: "NUL", value: "a\x00b\n"}, {name: "control character", value: "a\x1bb\n"}}
					case g.is(ps, "integer"):
						set = []mutation{{name: "2^63", value: "9223372036854775808"}, {name: "wrong type", value: "twelve"}}
						if isID(name) {
							set = append(set, mutation{name: "negative id", value: "-1"})
						}
					default:
						set = []mutation{{name: "NUL", value: "a\x00b"}, {name: "control character", value: "a\x1bb"}, {name: "1 MB string", value: huge}}
					}
					for _, m := range set {
						// A file each importer reads, so the bad value is what
						// gets refused, not the file.
						file := "First Name,Last Name\r\nFuzz,One\r\n"
						switch {
						case strings.Contains(op.path, "/imports/employees"):
							file = "Username,First Name,Last Name\r\nfuzz.one,Fuzz,One\r\n"
						case strings.Contains(op.path, "/imports/groups"):
							file = "Name\r\nFuzz Group\r\n"
						}
						values := map[string]string{"file": file}
						for _, r := range list(form["required"]) {
							k, _ := r.(string)
							if k != "file" {
								values[k] = fmt.Sprint(g.sample(obj(props[k]), k, 1))
							}
						}
						// What an operator's upload needs to get past its first
						// checks, so the bad value is what gets refused.
						base := map[string]string{"company_id": strconv.FormatInt(f.Acme.ID, 10),
							"parent_id": strconv.FormatInt(f.Leeds.ID, 10), "job_name": "Fuzz", "test_mode": "true", "action": "ignore"}
						for k, v := range base {
							if _, ok := props[k]; ok {
								values[k] = v
							}
						}
						values[name] = m.value.(string)
						sent++
						status, ct, body := postMultipart(t, env.Server.URL+path, token, values)
						if status < 400 || status >= 500 || ct != "application/problem+json" {
							failures = append(failures, fmt.Sprintf("%s %s, form %s: %s: %d %s %.200s", op.method, op.path, name, m.name, status, ct, body))
						}
					}
				}
			}
			if op.body == nil {
				continue
			}
			for _, field := range g.fields(op.body) {
				for _, m := range field.mutations() {
					body := g.sample(op.body, "", 0).(map[string]any)
					setPath(body, field.path, m.value, g, op.body)
					check("body "+strings.Join(field.path, ".")+": "+m.name, path, mustJSON(body), m.legal)
				}
			}
		}
		if sent < 500 {
			t.Fatalf("only %d requests were sent: the document was not read", sent)
		}
		t.Logf("%d bad requests sent", sent)
		slices.Sort(failures)
		if len(failures) > 0 {
			t.Errorf("%d of %d bad requests were not refused with a 4xx problem:\n\t%s", len(failures), sent, strings.Join(failures[:min(len(failures), 80)], "\n\t"))
		}
		storetest.SameCounts(t, before, storetest.Counts(t, db))
		for _, line := range strings.Split(logs.String(), "\n") {
			if strings.Contains(line, "level=ERROR") || strings.Contains(line, "panic") {
				t.Errorf("logged: %.400s", line)
			}
		}
	})
}

func isID(name string) bool {
	return name == "id" || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids")
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// generator reads the API document.
type generator struct {
	// known are real ids for the id fields of a sample body, so a request
	// gets past "no such company" to the field under test.
	known   map[string]int64
	schemas map[string]any
	params  map[string]any
	doc     map[string]any
}

func newGenerator(doc map[string]any) *generator {
	comp := obj(doc["components"])
	return &generator{doc: doc, schemas: obj(comp["schemas"]), params: obj(comp["parameters"])}
}

func obj(v any) map[string]any { m, _ := v.(map[string]any); return m }
func list(v any) []any         { l, _ := v.([]any); return l }

type queryParam struct {
	name    string
	integer bool
}

type operation struct {
	method, path string
	public       bool
	query        []queryParam
	body         map[string]any // the application/json schema, or nil
	form         map[string]any // the multipart/form-data schema, or nil
}

// operations lists the documented operations in a fixed order.
func (g *generator) operations() []operation {
	var out []operation
	for _, path := range slices.Sorted(maps.Keys(obj(g.doc["paths"]))) {
		item := obj(obj(g.doc["paths"])[path])
		for _, method := range slices.Sorted(maps.Keys(item)) {
			o := obj(item[method])
			if o == nil || method == "parameters" {
				continue
			}
			op := operation{method: strings.ToUpper(method), path: path}
			if sec, ok := o["security"]; ok && len(list(sec)) == 0 {
				op.public = true
			}
			for _, p := range list(o["parameters"]) {
				pm := obj(p)
				if ref, ok := pm["$ref"].(string); ok {
					pm = obj(g.params[strings.TrimPrefix(ref, "#/components/parameters/")])
				}
				if pm["in"] == "query" {
					name, _ := pm["name"].(string)
					op.query = append(op.query, queryParam{name: name, integer: g.is(obj(pm["schema"]), "integer")})
				}
			}
			op.body = obj(obj(obj(obj(o["requestBody"])["content"])["application/json"])["schema"])
			if len(op.body) == 0 {
				op.body = nil // any JSON document (a switch's own records): nothing to mutate field by field
			}
			op.form = obj(obj(obj(obj(o["requestBody"])["content"])["multipart/form-data"])["schema"])
			out = append(out, op)
		}
	}
	return out
}

// fillPath puts a real id in each {param}: the fixture object of that
// collection (a company, site, group, employee), else 1.
func (g *generator) fillPath(path string, ids map[string]int64) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "{") {
			id := int64(1)
			if i > 0 && p == "{id}" {
				if n, ok := ids[parts[i-1]]; ok {
					id = n
				}
			}
			parts[i] = strconv.FormatInt(id, 10)
		}
	}
	return strings.Join(parts, "/")
}

// resolve follows $ref and picks the first non-null branch of oneOf/anyOf,
// merging allOf.
func (g *generator) resolve(s map[string]any) map[string]any {
	for depth := 0; s != nil && depth < 16; depth++ {
		if ref, ok := s["$ref"].(string); ok {
			s = obj(g.schemas[strings.TrimPrefix(ref, "#/components/schemas/")])
			continue
		}
		for _, k := range []string{"oneOf", "anyOf"} {
			for _, b := range list(s[k]) {
				if r := g.resolve(obj(b)); r != nil && !g.is(r, "null") || len(list(s[k])) == 1 {
					return r
				}
			}
		}
		if all := list(s["allOf"]); len(all) > 0 {
			merged := map[string]any{}
			props := map[string]any{}
			var required []any
			for _, b := range all {
				r := g.resolve(obj(b))
				maps.Copy(merged, r)
				maps.Copy(props, obj(r["properties"]))
				required = append(required, list(r["required"])...)
			}
			maps.Copy(props, obj(s["properties"]))
			merged["properties"], merged["required"] = props, required
			delete(merged, "allOf")
			return merged
		}
		return s
	}
	return s
}

func (g *generator) is(s map[string]any, typ string) bool {
	s = g.resolve(s)
	switch t := s["type"].(type) {
	case string:
		return t == typ
	case []any:
		return slices.Contains(t, any(typ))
	}
	return typ == "object" && s["properties"] != nil
}

// sample is a plausible value of s: its required properties filled in,
// enumerations and constants taken from the document.
func (g *generator) sample(s map[string]any, name string, depth int) any {
	s = g.resolve(s)
	if e := list(s["enum"]); len(e) > 0 {
		return e[0]
	}
	if c, ok := s["const"]; ok {
		return c
	}
	switch {
	case g.is(s, "object") && depth < 6:
		out := map[string]any{}
		props := obj(s["properties"])
		for _, r := range list(s["required"]) {
			k, _ := r.(string)
			out[k] = g.sample(obj(props[k]), k, depth+1)
		}
		return out
	case g.is(s, "array"):
		return []any{}
	case g.is(s, "integer"):
		if id, ok := g.known[name]; ok {
			return id
		}
		return 1
	case g.is(s, "boolean"):
		return false
	case g.is(s, "string"):
		if strings.Contains(name, "email") {
			return "fuzz@example.com"
		}
		return "Fuzz"
	}
	return nil
}

// field is one leaf of a body: its path (an index is "0") and kind.
type field struct {
	path []string
	kind string // string, integer, other
}

func (f field) mutations() []mutation {
	var set []mutation
	switch f.kind {
	case "string":
		set = stringMutations
	case "integer":
		set = intMutations
	default:
		set = otherMutations
	}
	var out []mutation
	for _, m := range set {
		if m.forIDs && !isID(f.path[len(f.path)-1]) && f.path[len(f.path)-1] != "0" {
			continue
		}
		out = append(out, m)
	}
	return out
}

// fields lists every property of s and of the objects and arrays in it.
func (g *generator) fields(s map[string]any) []field {
	var out []field
	var walk func(s map[string]any, path []string, depth int)
	walk = func(s map[string]any, path []string, depth int) {
		s = g.resolve(s)
		if depth > 4 {
			return
		}
		switch {
		case g.is(s, "object") && obj(s["properties"]) != nil:
			if len(path) > 0 {
				out = append(out, field{path: slices.Clone(path), kind: "other"})
			}
			props := obj(s["properties"])
			for _, k := range slices.Sorted(maps.Keys(props)) {
				walk(obj(props[k]), append(slices.Clone(path), k), depth+1)
			}
		case g.is(s, "array"):
			out = append(out, field{path: slices.Clone(path), kind: "other"})
			walk(obj(s["items"]), append(slices.Clone(path), "0"), depth+1)
		case g.is(s, "integer"):
			out = append(out, field{path: slices.Clone(path), kind: "integer"})
		case g.is(s, "string"):
			out = append(out, field{path: slices.Clone(path), kind: "string"})
		default:
			out = append(out, field{path: slices.Clone(path), kind: "other"})
		}
	}
	walk(s, nil, 0)
	return out
}

// setPath puts v at path in body, creating the objects and one-element
// arrays on the way from the schema's samples.
func setPath(body map[string]any, path []string, v any, g *generator, schema map[string]any) {
	var cur any = body
	s := g.resolve(schema)
	for i, key := range path {
		last := i == len(path)-1
		switch c := cur.(type) {
		case map[string]any:
			ps := g.resolve(obj(obj(s["properties"])[key]))
			if last {
				c[key] = v
				return
			}
			next, ok := c[key]
			if !ok || next == nil || fmt.Sprint(next) == "[]" {
				if g.is(ps, "array") {
					next = []any{g.sample(obj(ps["items"]), key, 1)}
				} else {
					next = g.sample(ps, key, 1)
				}
				c[key] = next
			}
			cur, s = next, ps
		case []any:
			is := g.resolve(obj(s["items"]))
			if len(c) == 0 {
				return
			}
			if last {
				c[0] = v
				return
			}
			cur, s = c[0], is
		default:
			return
		}
	}
}

// postMultipart sends values as a multipart/form-data upload, "file" as
// the file part.
func postMultipart(t *testing.T, target, token string, values map[string]string) (int, string, string) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, k := range slices.Sorted(maps.Keys(values)) {
		var part io.Writer
		var err error
		if k == "file" {
			part, err = w.CreateFormFile("file", "fuzz.csv")
		} else {
			part, err = w.CreateFormField(k)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(part, values[k])
	}
	_ = w.Close()
	req, err := http.NewRequest("POST", target, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header.Get("Content-Type"), string(b)
}
