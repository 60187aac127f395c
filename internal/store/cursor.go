package store

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// A keyset cursor names the last row of a page by its sort key values and id,
// so the next page is "rows after this one" in index order: a range scan
// that costs the same at any depth (docs/performance.md). The cursor only
// positions; the caller's scope and filters are applied again on every page,
// so a cursor made by someone else reveals nothing.

// CursorError is an `after` value that cannot be used: not one of ours, or
// made for another sort order. The API answers it with 400.
type CursorError struct{ Reason string }

func (e *CursorError) Error() string { return "after: " + e.Reason }

// SortKey is one column of a keyset order.
type SortKey struct {
	Expr string // SQL expression, as in the index
	Int  bool   // integer (else text)
}

// Keyset is a sort order that ends in a unique integer id, so every row has
// a distinct position.
type Keyset struct {
	Name string    // as the client names it, with '-' for descending
	Keys []SortKey // before the id
	ID   string    // the id column
	Desc bool
}

type cursorJSON struct {
	Sort string            `json:"s"`
	Keys []json.RawMessage `json:"k"`
	ID   int64             `json:"i"`
}

// Cursor encodes the position of a row whose key values are vals (one per
// Keys, string or int64) and whose id is id.
func (k Keyset) Cursor(vals []any, id int64) string {
	c := cursorJSON{Sort: k.Name, ID: id}
	for _, v := range vals {
		b, _ := json.Marshal(v) // strings and int64 always marshal
		c.Keys = append(c.Keys, b)
	}
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// OrderBy is the ORDER BY list (without the keyword).
func (k Keyset) OrderBy() string {
	dir := " ASC"
	if k.Desc {
		dir = " DESC"
	}
	parts := make([]string, 0, len(k.Keys)+1)
	for _, key := range k.Keys {
		parts = append(parts, key.Expr+dir)
	}
	return strings.Join(append(parts, k.ID+dir), ", ")
}

// After decodes cursor and returns the condition selecting the rows after
// it, with its arguments. The leading "first key >= value" lets both engines
// start an index range scan at the cursor; the rest breaks ties.
func (k Keyset) After(cursor string) (string, []any, error) {
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return "", nil, &CursorError{Reason: "not a cursor from this list; pass the next value of the previous page unchanged"}
	}
	var c cursorJSON
	if err := json.Unmarshal(raw, &c); err != nil {
		return "", nil, &CursorError{Reason: "not a cursor from this list; pass the next value of the previous page unchanged"}
	}
	if c.Sort != k.Name {
		return "", nil, &CursorError{Reason: fmt.Sprintf("this cursor was made for sort %q; repeat the request with that sort, or start again without after", c.Sort)}
	}
	if len(c.Keys) != len(k.Keys) {
		return "", nil, &CursorError{Reason: "not a cursor from this list; pass the next value of the previous page unchanged"}
	}
	vals := make([]any, len(k.Keys))
	for i, key := range k.Keys {
		if key.Int {
			var n int64
			err = json.Unmarshal(c.Keys[i], &n)
			vals[i] = n
		} else {
			var s string
			err = json.Unmarshal(c.Keys[i], &s)
			vals[i] = s
		}
		if err != nil {
			return "", nil, &CursorError{Reason: "not a cursor from this list; pass the next value of the previous page unchanged"}
		}
	}
	op := ">"
	if k.Desc {
		op = "<"
	}
	exprs := make([]string, 0, len(k.Keys)+1)
	for _, key := range k.Keys {
		exprs = append(exprs, key.Expr)
	}
	exprs = append(exprs, k.ID)
	vals = append(vals, c.ID)
	cond, args := lexAfter(exprs, vals, op)
	return exprs[0] + " " + op + "= ? AND " + cond, append([]any{vals[0]}, args...), nil
}

// lexAfter is the lexicographic "(e1, e2, …) op (v1, v2, …)", spelt out
// because row-value comparisons do not use expression indexes everywhere.
func lexAfter(exprs []string, vals []any, op string) (string, []any) {
	if len(exprs) == 1 {
		return exprs[0] + " " + op + " ?", []any{vals[0]}
	}
	rest, args := lexAfter(exprs[1:], vals[1:], op)
	return "(" + exprs[0] + " " + op + " ? OR (" + exprs[0] + " = ? AND " + rest + "))", append([]any{vals[0], vals[0]}, args...)
}

// Window is the end of one page's query, after the list's own conditions:
// the keyset condition when p.After is set (" AND …", else ""), with its
// arguments, then ORDER BY and a LIMIT of one row more than the page (that
// row tells whether a next page exists), and an OFFSET for a numbered page
// without After (meant for small results: its cost grows with the page).
func (k Keyset) Window(p Page) (cond string, args []any, tail string, err error) {
	p = p.Normalize()
	tail = " ORDER BY " + k.OrderBy() + " LIMIT " + strconv.Itoa(p.PerPage+1)
	if p.After != "" {
		c, a, err := k.After(p.After)
		if err != nil {
			return "", nil, "", err
		}
		return " AND " + c, a, tail, nil
	}
	if off := p.Offset(); off > 0 {
		tail += " OFFSET " + strconv.Itoa(off)
	}
	return "", nil, tail, nil
}

// KeyColumns is the key expressions as a select list, to read each row's
// key values (for its cursor) in the page's own query.
func (k Keyset) KeyColumns() string {
	cols := make([]string, len(k.Keys))
	for i, key := range k.Keys {
		cols[i] = key.Expr
	}
	return strings.Join(cols, ", ")
}

// KeyDest is a fresh set of scan destinations for KeyColumns.
func (k Keyset) KeyDest() []any {
	dest := make([]any, len(k.Keys))
	for i, key := range k.Keys {
		if key.Int {
			dest[i] = new(int64)
		} else {
			dest[i] = new(string)
		}
	}
	return dest
}

// KeyValues reads the values KeyDest's destinations were scanned into, in
// the form Cursor takes.
func KeyValues(dest []any) []any {
	vals := make([]any, len(dest))
	for i, d := range dest {
		switch d := d.(type) {
		case *int64:
			vals[i] = *d
		case *string:
			vals[i] = *d
		}
	}
	return vals
}
