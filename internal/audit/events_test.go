package audit_test

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/switchboard-voice/switchboard/internal/audit"
	"github.com/switchboard-voice/switchboard/internal/store"
	"github.com/switchboard-voice/switchboard/internal/store/storetest"
)

// recordedName is an event name found in the source, where it was found.
type recordedName struct {
	name string
	pos  string
}

// TestEveryRecordedEventIsRegistered reads the source of every package
// under internal/ and finds each audit.Event literal: its Event is a string
// literal, or a variable of the function assigned string literals, or a
// field of a struct literal of the same package. Every name found must be in
// the registry; an expression of any other shape fails the test, so a new
// way of naming events cannot slip past it. (Record refusing unknown names
// covers what the source reading cannot: names built at run time.)
func TestEveryRecordedEventIsRegistered(t *testing.T) {
	root := filepath.Join("..")
	fset := token.NewFileSet()
	pkgs := map[string][]*ast.File{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		pkgs[filepath.Dir(path)] = append(pkgs[filepath.Dir(path)], f)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var found []recordedName
	literals := 0
	for dir, files := range pkgs {
		inAudit := filepath.Base(dir) == "audit"
		for _, f := range files {
			for _, decl := range f.Decls {
				fn, ok := decl.(*ast.FuncDecl)
				if !ok || fn.Body == nil {
					continue
				}
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					lit, ok := n.(*ast.CompositeLit)
					if !ok || !isEventType(lit.Type, inAudit) {
						return true
					}
					for _, el := range lit.Elts {
						kv, ok := el.(*ast.KeyValueExpr)
						if !ok || ident(kv.Key) != "Event" {
							continue
						}
						literals++
						pos := fset.Position(kv.Value.Pos()).String()
						names, ok := resolve(kv.Value, fn, files)
						if !ok {
							t.Errorf("%s: the audit event %s is neither a string literal, a variable assigned literals, "+
								"nor a field set by literals: name it so this test can read it", pos, exprString(kv.Value))
						}
						for _, n := range names {
							found = append(found, recordedName{n, pos})
						}
					}
					return true
				})
			}
		}
	}
	if literals < 50 {
		t.Fatalf("found only %d audit.Event literals under internal/: the scan no longer sees the source", literals)
	}
	seen := map[string]bool{}
	for _, r := range found {
		seen[r.name] = true
		if !audit.Known(r.name) {
			t.Errorf("%s records %q, which is not in audit's event registry (internal/audit/events.go)", r.pos, r.name)
		}
	}
	// The registry names nothing that is never recorded: a stale entry
	// would be offered in every filter and match nothing. Names built by a
	// function (catalog's "Create Feature Package") are found by their verb
	// and the label they end in.
	for _, e := range audit.Events() {
		if !seen[e.Name] && !builtFromParts(e.Name) {
			t.Errorf("the registry holds %q, which no package records", e.Name)
		}
	}
}

// builtFromParts covers the catalog's package events, named by a function
// from a verb and the package type's label.
func builtFromParts(name string) bool {
	for _, verb := range []string{"Create ", "Modify ", "Delete "} {
		if s, ok := strings.CutPrefix(name, verb); ok && (s == "Feature Package" || s == "Add-On") {
			return true
		}
	}
	return false
}

func isEventType(e ast.Expr, inAudit bool) bool {
	switch t := e.(type) {
	case *ast.SelectorExpr:
		return ident(t.X) == "audit" && t.Sel.Name == "Event"
	case *ast.Ident:
		return inAudit && t.Name == "Event"
	}
	return false
}

func ident(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

func exprString(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.Ident:
		return t.Name
	case *ast.SelectorExpr:
		return exprString(t.X) + "." + t.Sel.Name
	case *ast.CallExpr:
		return exprString(t.Fun) + "(…)"
	}
	return "expression"
}

func stringLit(e ast.Expr) (string, bool) {
	if b, ok := e.(*ast.BasicLit); ok && b.Kind == token.STRING {
		s, err := strconv.Unquote(b.Value)
		return s, err == nil
	}
	return "", false
}

// resolve finds the names an Event expression can hold.
func resolve(e ast.Expr, fn *ast.FuncDecl, files []*ast.File) ([]string, bool) {
	if s, ok := stringLit(e); ok {
		return []string{s}, true
	}
	switch t := e.(type) {
	case *ast.Ident:
		// Every assignment to the variable in the function; each right-hand
		// side is a literal or itself resolvable.
		var names []string
		ok := true
		n := 0
		ast.Inspect(fn.Body, func(node ast.Node) bool {
			as, isAssign := node.(*ast.AssignStmt)
			if !isAssign {
				return true
			}
			for i, lhs := range as.Lhs {
				if ident(lhs) != t.Name || i >= len(as.Rhs) {
					continue
				}
				n++
				sub, subOK := resolve(as.Rhs[i], fn, files)
				ok = ok && subOK
				names = append(names, sub...)
			}
			return true
		})
		return names, ok && n > 0
	case *ast.SelectorExpr:
		return fieldLiterals(t.Sel.Name, files)
	case *ast.CallExpr:
		// eventName(verb, type) of the catalog builds from parts the
		// registry test checks by builtFromParts; Record refuses the rest.
		if ident(t.Fun) == "eventName" {
			return nil, true
		}
	}
	return nil, false
}

// fieldLiterals finds the values a struct field named field is given by
// literals in the package, keyed (field: "…") or by position.
func fieldLiterals(field string, files []*ast.File) ([]string, bool) {
	// The field's position in its struct type, for positional literals.
	type structPos struct {
		typeName string
		index    int
	}
	var decls []structPos
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := ts.Type.(*ast.StructType)
			if !ok {
				return true
			}
			i := 0
			for _, fl := range st.Fields.List {
				for _, nm := range fl.Names {
					if nm.Name == field {
						decls = append(decls, structPos{ts.Name.Name, i})
					}
					i++
				}
				if len(fl.Names) == 0 {
					i++
				}
			}
			return true
		})
	}
	var names []string
	for _, f := range files {
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.CompositeLit)
			if !ok {
				return true
			}
			for i, el := range lit.Elts {
				if kv, ok := el.(*ast.KeyValueExpr); ok {
					if ident(kv.Key) == field {
						if s, ok := stringLit(kv.Value); ok {
							names = append(names, s)
						}
					}
					continue
				}
				for _, d := range decls {
					if ident(lit.Type) == d.typeName && i == d.index {
						if s, ok := stringLit(el); ok {
							names = append(names, s)
						}
					}
				}
			}
			return true
		})
	}
	return names, len(names) > 0
}

// TestRecordRefusesUnregisteredEvents proves the run-time half: an event
// the registry does not hold is not written, and its transaction fails.
func TestRecordRefusesUnregisteredEvents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		log := audit.New(db)
		ctx := context.Background()
		err := db.Tx(ctx, func(ctx context.Context) error {
			return log.Record(ctx, audit.Event{Event: "create group", ObjectKind: "group"})
		})
		if err == nil || !strings.Contains(err.Error(), "not a registered event type") {
			t.Fatalf("recording an unregistered event: err = %v, want a refusal", err)
		}
		if err := db.Tx(ctx, func(ctx context.Context) error {
			return log.Record(ctx, audit.Event{Event: "Create Group", ObjectKind: "group"})
		}); err != nil {
			t.Fatalf("recording a registered event: %v", err)
		}
	})
}

func TestLookupEventIgnoresCase(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"Create Group", "Create Group", true},
		{"create group", "Create Group", true},
		{"  RESET PASSWORD (SELF-SERVICE) ", "Reset Password (self-service)", true},
		{"Create Groups", "", false},
		{"", "", false},
	} {
		e, ok := audit.LookupEvent(tc.in)
		if ok != tc.ok || e.Name != tc.want {
			t.Errorf("LookupEvent(%q) = %q, %v; want %q, %v", tc.in, e.Name, ok, tc.want, tc.ok)
		}
	}
	for _, e := range audit.Events() {
		if e.Label == "" || e.Group == "" {
			t.Errorf("event %q has no label or group", e.Name)
		}
	}
}
