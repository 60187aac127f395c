package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/switchboard-voice/switchboard/internal/derrors"
)

// Limits of request values. Every string a request carries has a maximum
// length and every integer a range, documented in the OpenAPI document
// (maxLength, minimum, maximum) and enforced here, before any handler runs,
// from that same document: a NUL byte, a megabyte of text or 2^63 must be
// refused as the caller's mistake (422, or 400 in a query), never reach the
// database as a fault (PostgreSQL refuses NUL bytes and oversized index rows
// with a 500-class error; SQLite stores anything).
//
// A property written in the YAML keeps its own bounds. One that has none
// gets the default of its kind below, by field name, when the document is
// built (applyLimits), so a new request body is never unbounded. A domain
// rule may be tighter (a group name is at most 64 characters): the domain
// answers those with its own message.

// textLimits are the default maximum lengths, in characters, by field name.
var textLimits = map[string]int{
	"username": 254, "login": 254, "email": 254, "email2": 254, "contact_email": 254, "to": 254,
	"password": 128, "new_password": 128, "current_password": 128, "application_password": 128,
	"voicemail_pin": 16, "token": 256,
	"phone": 32, "mobile": 32, "work_tel": 32, "home_tel": 32, "cell_tel": 32, "fax_tel": 32, "other_tel": 32,
	"contact_phone": 32, "number": 32, "start": 32, "end": 32, "range_from": 32, "range_to": 32, "prefix": 32,
	"extension": 32, "code": 32, "mac": 32,
	"language": 16, "currency": 16,
	"notes": 2000, "public_notes": 2000, "private_notes": 2000, "description": 2000, "reason": 200,
	"web_page": 2048, "portal_url": 2048,
	"q": 100, "search": 100, "event": 100, "object_kind": 100, "kind": 100,
	// Form fields of the pages.
	"next": 2048, "csrf_token": 256, "login_csrf": 256,
}

// defaultTextLimit bounds any other single-line text: names, labels,
// address lines.
const defaultTextLimit = 255

// fileLimit bounds an uploaded file (imports and contacts take 10 MiB).
const fileLimit = 10 << 20

// multiLine names the free-text fields where line breaks and tabs belong;
// every other text refuses all control characters.
var multiLine = map[string]bool{"notes": true, "public_notes": true, "private_notes": true, "description": true}

// intRange is the default range of an integer that has none, by field name.
func intRange(name string) (lo, hi int64) {
	switch {
	case name == "id" || strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids") || name == "add" || name == "remove":
		// 0 is allowed where the YAML does not say otherwise: many
		// requests read it as "not given" and the domain names what is
		// missing better than a range can.
		return 0, math.MaxInt64
	case strings.HasSuffix(name, "_minor"):
		// Money in minor units: a quadrillion pounds either way.
		return -1_000_000_000_000_000, 1_000_000_000_000_000
	case name == "first" || name == "last" || name == "block_size":
		// Internal number values: at most 12 digits.
		return 0, 999_999_999_999
	}
	// Counts and sizes: the range of an SQL INTEGER column.
	return 0, math.MaxInt32
}

// applyLimits gives every string and integer in the request bodies and
// query parameters of doc the default bounds of its kind where the YAML
// sets none, and marks multi-line text (x-multiline). Schemas are shared
// through $ref, so each component is visited once.
func applyLimits(doc map[string]any) {
	schemas := dig(doc, "components", "schemas")
	params := dig(doc, "components", "parameters")
	seen := map[string]bool{}
	var walk func(s map[string]any, name string)
	walk = func(s map[string]any, name string) {
		if s == nil {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			key := strings.TrimPrefix(ref, "#/components/schemas/")
			if seen[key] {
				return
			}
			seen[key] = true
			target, _ := schemas[key].(map[string]any)
			walk(target, name)
			return
		}
		for _, k := range []string{"allOf", "anyOf", "oneOf"} {
			for _, sub := range asList(s[k]) {
				walk(asMap(sub), name)
			}
		}
		_, enum := s["enum"]
		_, cons := s["const"]
		switch {
		case hasType(s, "string") && !enum && !cons:
			if _, ok := s["maxLength"]; !ok {
				n, ok := textLimits[name]
				switch {
				case s["format"] == "binary" || name == "file":
					n = fileLimit
				case s["format"] == "date-time":
					n = 64
				case !ok:
					n = defaultTextLimit
				}
				s["maxLength"] = n
			}
			if multiLine[name] {
				s["x-multiline"] = true
			}
		case hasType(s, "integer") && !enum && !cons:
			lo, hi := intRange(name)
			if _, ok := s["minimum"]; !ok {
				s["minimum"] = lo
			}
			if _, ok := s["maximum"]; !ok {
				s["maximum"] = hi
			}
		}
		props := asMap(s["properties"])
		for _, pname := range slices.Sorted(maps.Keys(props)) {
			walk(asMap(props[pname]), pname)
		}
		walk(asMap(s["items"]), name)
		walk(asMap(s["additionalProperties"]), name)
	}
	forEachOperation(doc, func(_, _ string, op map[string]any) {
		for _, c := range asMap(dig(op, "requestBody")["content"]) {
			walk(asMap(asMap(c)["schema"]), "")
		}
		for _, p := range asList(op["parameters"]) {
			pm := asMap(p)
			if ref, ok := pm["$ref"].(string); ok {
				pm = asMap(params[strings.TrimPrefix(ref, "#/components/parameters/")])
			}
			if pm["in"] == "query" {
				name, _ := pm["name"].(string)
				walk(asMap(pm["schema"]), name)
			}
		}
	})
}

// forEachOperation calls fn for every operation of doc, in a fixed order
// (so a schema shared by two fields always takes its defaults from the
// same one).
func forEachOperation(doc map[string]any, fn func(method, path string, op map[string]any)) {
	paths := asMap(doc["paths"])
	for _, path := range slices.Sorted(maps.Keys(paths)) {
		item := asMap(paths[path])
		for _, method := range slices.Sorted(maps.Keys(item)) {
			if m, ok := item[method].(map[string]any); ok && method != "parameters" {
				fn(strings.ToUpper(method), path, m)
			}
		}
	}
}

func dig(m map[string]any, keys ...string) map[string]any {
	for _, k := range keys {
		m = asMap(m[k])
	}
	return m
}

func asMap(v any) map[string]any { m, _ := v.(map[string]any); return m }
func asList(v any) []any         { l, _ := v.([]any); return l }

func hasType(s map[string]any, t string) bool {
	switch v := s["type"].(type) {
	case string:
		return v == t
	case []any:
		for _, x := range v {
			if x == t {
				return true
			}
		}
	}
	return false
}

// number reads a bound of the document as an int64 (YAML gives int, JSON
// float64; a float beyond int64 is the int64 limit).
func number(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		switch {
		case n >= math.MaxInt64:
			return math.MaxInt64, true
		case n <= math.MinInt64:
			return math.MinInt64, true
		}
		return int64(n), true
	}
	return 0, false
}

// requestLimits is what the document says about the requests of one
// operation: the JSON body's schema and the query parameters' schemas.
type requestLimits struct {
	body  map[string]any
	form  map[string]any // the multipart/form-data schema
	query map[string]map[string]any
}

// limitsIndex maps "METHOD /path" (the ServeMux pattern) to the limits of
// that operation, resolving $refs against schemas.
type limitsIndex struct {
	ops     map[string]requestLimits
	schemas map[string]any
}

func newLimitsIndex(doc map[string]any) *limitsIndex {
	ix := &limitsIndex{ops: map[string]requestLimits{}, schemas: dig(doc, "components", "schemas")}
	params := dig(doc, "components", "parameters")
	forEachOperation(doc, func(method, path string, op map[string]any) {
		rl := requestLimits{query: map[string]map[string]any{}}
		rl.body = asMap(dig(op, "requestBody", "content", "application/json")["schema"])
		rl.form = asMap(dig(op, "requestBody", "content", "multipart/form-data")["schema"])
		for _, p := range asList(op["parameters"]) {
			pm := asMap(p)
			if ref, ok := pm["$ref"].(string); ok {
				pm = asMap(params[strings.TrimPrefix(ref, "#/components/parameters/")])
			}
			if name, _ := pm["name"].(string); pm["in"] == "query" && name != "" {
				rl.query[name] = asMap(pm["schema"])
			}
		}
		ix.ops[method+" "+path] = rl
	})
	return ix
}

// resolve follows s's $ref and returns s with every allOf/anyOf/oneOf
// branch, the schemas whose keywords apply to one value.
func (ix *limitsIndex) resolve(s map[string]any) []map[string]any {
	var out []map[string]any
	var add func(s map[string]any, depth int)
	add = func(s map[string]any, depth int) {
		if s == nil || depth > 16 {
			return
		}
		if ref, ok := s["$ref"].(string); ok {
			add(asMap(ix.schemas[strings.TrimPrefix(ref, "#/components/schemas/")]), depth+1)
			return
		}
		out = append(out, s)
		for _, k := range []string{"allOf", "anyOf", "oneOf"} {
			for _, sub := range asList(s[k]) {
				add(asMap(sub), depth+1)
			}
		}
	}
	add(s, 0)
	return out
}

// checkBody checks every string and number of a decoded JSON body (decoded
// with UseNumber) against schema, adding one field error per broken limit.
func (ix *limitsIndex) checkBody(schema map[string]any, v any, path string, ve *derrors.ValidationError) {
	branches := ix.resolve(schema)
	switch v := v.(type) {
	case string:
		checkText(branches, v, path, ve)
	case json.Number:
		checkInt(branches, string(v), path, func(msg string) { ve.Add(path, "%s", msg) })
	case map[string]any:
		for k, sub := range v {
			var ps map[string]any
			for _, b := range branches {
				if p := asMap(asMap(b["properties"])[k]); p != nil {
					ps = p
					break
				}
				if p := asMap(b["additionalProperties"]); p != nil {
					ps = p
				}
			}
			ix.checkBody(ps, sub, join(path, k), ve)
		}
	case []any:
		var items map[string]any
		for _, b := range branches {
			if it := asMap(b["items"]); it != nil {
				items = it
				break
			}
		}
		for i, sub := range v {
			ix.checkBody(items, sub, fmt.Sprintf("%s[%d]", path, i), ve)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// checkText applies maxLength and the character rules to one string.
func checkText(branches []map[string]any, s, field string, ve *derrors.ValidationError) {
	limit, multi := int64(-1), false
	for _, b := range branches {
		if n, ok := number(b["maxLength"]); ok && (limit < 0 || n < limit) {
			limit = n
		}
		multi = multi || b["x-multiline"] == true
	}
	if limit < 0 {
		limit = defaultTextLimit
	}
	if msg := textProblem(s, limit, multi); msg != "" {
		ve.Add(field, "%s", msg)
	}
}

// textProblem says what is wrong with s as a text of at most limit
// characters, or "" when nothing is.
func textProblem(s string, limit int64, multiLine bool) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8 text"
	}
	if n := utf8.RuneCountInString(s); int64(n) > limit {
		return fmt.Sprintf("must be at most %d characters (it has %d)", limit, n)
	}
	for _, r := range s {
		switch {
		case r == 0:
			return "must not contain NUL characters"
		case multiLine && (r == '\n' || r == '\r' || r == '\t'):
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return fmt.Sprintf("must not contain control characters (found U+%04X)", r)
		case !multiLine && isBidiControl(r):
			return fmt.Sprintf("must not contain bidirectional control characters (found U+%04X)", r)
		case r == '\u2028' || r == '\u2029' || r == '\ufeff':
			return fmt.Sprintf("must not contain invisible separators (found U+%04X)", r)
		}
	}
	return ""
}

// isBidiControl reports the characters that reorder how text is displayed
// (embeddings, overrides, isolates): in a name they can make one account
// look like another.
func isBidiControl(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069') || r == '\u200e' || r == '\u200f' || r == '\u061c'
}

// checkInt applies minimum and maximum to one number written as s.
func checkInt(branches []map[string]any, s, field string, fail func(string)) {
	lo, hi := int64(math.MinInt64), int64(math.MaxInt64)
	bounded := false
	for _, b := range branches {
		if n, ok := number(b["minimum"]); ok {
			lo, bounded = max(lo, n), true
		}
		if n, ok := number(b["maximum"]); ok {
			hi, bounded = min(hi, n), true
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || (bounded && (n < lo || n > hi)) {
		fail(fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
	}
}

// checkQuery applies the document's limits to the query parameters of r
// (its operation named by r.Pattern), and refuses control characters and
// text that is not UTF-8 in any query value: 400 naming the parameter.
func (ix *limitsIndex) checkQuery(r *http.Request) error {
	if r.URL.RawQuery == "" {
		return nil
	}
	lim := ix.ops[r.Pattern]
	for name, values := range r.URL.Query() {
		for _, v := range values {
			branches := ix.resolve(lim.query[name])
			msg := ""
			isInt := false
			for _, b := range branches {
				isInt = isInt || hasType(b, "integer")
			}
			if isInt && v != "" {
				checkInt(branches, v, name, func(m string) { msg = m })
			} else {
				limit := int64(defaultTextLimit)
				for _, b := range branches {
					if n, ok := number(b["maxLength"]); ok {
						limit = n
					}
				}
				msg = textProblem(v, limit, false)
			}
			if msg != "" {
				return &malformedError{detail: fmt.Sprintf("query parameter %s %s", clip(name, 40), msg),
					fields: []derrors.FieldError{{Field: clip(name, 40), Message: msg}}}
			}
		}
	}
	return nil
}

// limits is the index of the served document.
var limits = sync.OnceValues(func() (*limitsIndex, error) {
	raw, err := openAPIJSON()
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("api: read the OpenAPI document back: %w", err)
	}
	return newLimitsIndex(doc), nil
})

// checkBodyLimits checks a JSON body that decoded into the handler's type
// against the limits of r's operation: 422 with one error per field.
func checkBodyLimits(r *http.Request, body []byte) error {
	ix, err := limits()
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return &malformedError{detail: "the body could not be read as JSON: " + err.Error()}
	}
	ve := &derrors.ValidationError{}
	ix.checkBody(ix.ops[r.Pattern].body, v, "", ve)
	return ve.Err()
}

// checkQuery holds r's query parameters to the document's limits.
func checkQuery(r *http.Request) error {
	ix, err := limits()
	if err != nil {
		return err
	}
	return ix.checkQuery(r)
}

// FormTextProblem holds one field of a page's form to the limits the API
// states for the same field name: valid UTF-8, its maximum length, no NUL
// or other control characters, no bidirectional controls outside free
// text. Line breaks and tabs are left to the page, which says next to the
// field when one does not belong there (a postcode is one line).
func FormTextProblem(name, s string) string {
	limit, ok := textLimits[name]
	if !ok {
		limit = defaultTextLimit
	}
	if msg := textProblem(s, int64(limit), true); msg != "" {
		return msg
	}
	if !multiLine[name] {
		for _, r := range s {
			if isBidiControl(r) {
				return fmt.Sprintf("must not contain bidirectional control characters (found U+%04X)", r)
			}
		}
	}
	return ""
}

// checkFormLimits holds the text parts of a multipart upload (every part
// but the file) to the limits of r's operation: 422 per field.
func checkFormLimits(r *http.Request, values map[string]string) error {
	ix, err := limits()
	if err != nil {
		return err
	}
	v := make(map[string]any, len(values))
	for k, s := range values {
		v[k] = s
	}
	ve := &derrors.ValidationError{}
	ix.checkBody(ix.ops[r.Pattern].form, v, "", ve)
	return ve.Err()
}
