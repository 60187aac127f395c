package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/switchboard-voice/switchboard/internal/derrors"
	"github.com/switchboard-voice/switchboard/internal/store"
)

// maxBody bounds a JSON request body.
const maxBody = 1 << 20

// decode reads exactly one JSON object into dst, refusing unknown fields,
// trailing data, wrong types and non-JSON content types (400, 415, 413),
// then holds its values to the limits of the API document (422, see
// limits.go), with a message that names the problem.
func decode(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return &malformedError{status: http.StatusUnsupportedMediaType, typ: ProblemUnsupportedType,
				detail: fmt.Sprintf("send the body as application/json, not %q", ct)}
		}
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, maxBody))
	if err != nil {
		if errors.As(err, new(*http.MaxBytesError)) {
			return &malformedError{status: http.StatusRequestEntityTooLarge, typ: ProblemMalformed, detail: "the body is larger than 1 MiB"}
		}
		return fmt.Errorf("api: read the request body: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err = dec.Decode(dst)
	if err == nil {
		if dec.More() {
			return &malformedError{detail: "the body must hold a single JSON object, but more data follows it"}
		}
		var extra json.RawMessage
		if dec.Decode(&extra) != io.EOF {
			return &malformedError{detail: "the body must hold a single JSON object, but more data follows it"}
		}
		// The body fits the handler's type; now its values must fit the
		// limits the API document states (lengths, ranges, characters).
		return checkBodyLimits(r, body)
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF):
		return &malformedError{detail: "the request body is empty; send a JSON object"}
	case errors.As(err, &syn):
		return &malformedError{detail: fmt.Sprintf("the body is not valid JSON (at byte %d): %s", syn.Offset, syn.Error())}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &malformedError{detail: "the body is not valid JSON: it ends too early"}
	case errors.As(err, &typ):
		field := jsonPath(typ.Field)
		if field == "" {
			return &malformedError{detail: fmt.Sprintf("the body must be a JSON object, not a JSON %s", typ.Value)}
		}
		return &malformedError{detail: fmt.Sprintf("%s must be %s, not %s", field, typeName(typ.Type.String()), typ.Value),
			fields: []derrors.FieldError{{Field: field, Message: fmt.Sprintf("must be %s, not %s", typeName(typ.Type.String()), typ.Value)}}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &malformedError{detail: fmt.Sprintf("unknown field %q", name),
			fields: []derrors.FieldError{{Field: name, Message: "unknown field; check the spelling against the API document"}}}
	case errors.As(err, new(*http.MaxBytesError)):
		return &malformedError{status: http.StatusRequestEntityTooLarge, typ: ProblemMalformed, detail: "the body is larger than 1 MiB"}
	}
	return &malformedError{detail: "the body could not be read as JSON: " + err.Error()}
}

// jsonPath drops the Go names of embedded structs that encoding/json puts in
// an UnmarshalTypeError's Field ("EmployeeCreateRequest.group_ids"), leaving
// the JSON path the client sent. JSON names in this API are snake_case.
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	out := parts[:0]
	for _, p := range parts {
		if p != "" && p[0] >= 'A' && p[0] <= 'Z' {
			continue
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func typeName(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "*int"), strings.HasPrefix(goType, "uint"):
		return "a whole number"
	case strings.Contains(goType, "bool"):
		return "true or false"
	case strings.Contains(goType, "string"), strings.Contains(goType, "Role"):
		return "a string"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	}
	return "an object"
}

// queryInt reads an optional non-negative integer query parameter (an id
// filter: absent or 0 means none).
func queryInt(r *http.Request, name string) (int64, error) {
	return queryRange(r, name, 0, math.MaxInt64)
}

// queryRange reads an optional integer query parameter that must lie in
// [lo, hi]; absent is 0. Anything else is a 400 that states the range, so a
// huge or negative value never reaches an OFFSET or a slice.
func queryRange(r *http.Request, name string, lo, hi int64) (int64, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		msg := fmt.Sprintf("must be a whole number from %d to %d", lo, hi)
		return 0, &malformedError{detail: fmt.Sprintf("%s %s, not %q", name, msg, clip(s, 40)),
			fields: []derrors.FieldError{{Field: name, Message: msg}}}
	}
	return n, nil
}

// clip shortens s for quoting in a message.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}

// pathID reads the {name} path segment as an id. A malformed id is answered
// as not found, as an id that does not exist is.
func pathID(r *http.Request, name string) (int64, error) {
	n, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || n <= 0 {
		return 0, derrors.ErrNotFound
	}
	return n, nil
}

// page reads ?page= and ?per_page=.
func page(r *http.Request) (store.Page, error) {
	p, err := queryRange(r, "page", 0, store.MaxPage)
	if err != nil {
		return store.Page{}, err
	}
	pp, err := queryRange(r, "per_page", 0, store.MaxPerPage)
	if err != nil {
		return store.Page{}, err
	}
	return store.Page{Page: int(p), PerPage: int(pp)}.Normalize(), nil
}

// List is the envelope of every list response.
type List[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

func list[T any](items []T, total int, p store.Page) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, Total: total, Page: p.Page, PerPage: p.PerPage}
}

// keysetPage reads the paging of a keyset list: page and per_page as page(),
// plus the opaque cursor after (which wins over page) and count=true for the
// total. docs/performance.md says why the total is only counted on request.
func keysetPage(r *http.Request) (store.Page, error) {
	p, err := page(r)
	if err != nil {
		return p, err
	}
	q := r.URL.Query()
	p.After = q.Get("after")
	if len(p.After) > 1024 {
		return p, &malformedError{detail: "after is not a cursor from this list; pass the next value of the previous page unchanged",
			fields: []derrors.FieldError{{Field: "after", Message: "not a cursor from this list"}}}
	}
	switch c := q.Get("count"); c {
	case "", "false":
	case "true":
		p.Count = true
	default:
		return p, &malformedError{detail: fmt.Sprintf("count must be true or false, not %q", clip(c, 40)),
			fields: []derrors.FieldError{{Field: "count", Message: "must be true or false"}}}
	}
	return p, nil
}

// cursorProblem makes an unusable cursor a 400, like any other unreadable
// query parameter; other errors pass through.
func cursorProblem(err error) error {
	var ce *store.CursorError
	if errors.As(err, &ce) {
		return &malformedError{detail: ce.Error(), fields: []derrors.FieldError{{Field: "after", Message: ce.Reason}}}
	}
	return err
}

// KeysetList is the envelope of a keyset list: total only when count=true
// was asked, next (the after of the following page) unless this is the last.
type KeysetList[T any] struct {
	Items   []T    `json:"items"`
	Total   *int   `json:"total,omitempty"`
	Page    int    `json:"page,omitempty"`
	PerPage int    `json:"per_page"`
	Next    string `json:"next,omitempty"`
}

func keysetList[T any](items []T, total int, next string, p store.Page) KeysetList[T] {
	if items == nil {
		items = []T{}
	}
	l := KeysetList[T]{Items: items, PerPage: p.PerPage, Next: next}
	if total >= 0 {
		l.Total = &total
	}
	if p.After == "" {
		l.Page = p.Page
	}
	return l
}

// pageOf is the single page that holds a whole, unpaged list of n items.
func pageOf(n int) store.Page { return store.Page{Page: 1, PerPage: max(n, 1)} }
