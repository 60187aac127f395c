package store

import (
	"context"
	"sync"
	"sync/atomic"
)

// StatementCounter counts the SQL statements run through Q with a context
// that carries it: tests use it to prove that a multi-item action costs a
// constant number of statements per batch plus a small per-row write
// (docs/lifecycle.md, "Cost of an activation").
type StatementCounter struct {
	n atomic.Int64
	// keep is set by WithStatementLog: the statements are kept too.
	keep bool
	mu   sync.Mutex
	log  []Statement
}

// Statement is one statement as its caller wrote it (placeholders '?'),
// with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

type counterKey struct{}

// WithStatementCounter returns ctx carrying a fresh counter, and the counter.
// Every Exec, Query and QueryRow made with the returned context (or one
// derived from it, transactions included) adds one.
func WithStatementCounter(ctx context.Context) (context.Context, *StatementCounter) {
	c := &StatementCounter{}
	return context.WithValue(ctx, counterKey{}, c), c
}

// WithStatementLog is WithStatementCounter that also keeps every statement,
// so a test can ask the engine for the plan of exactly the query a list
// runs (EXPLAIN on both engines; docs/performance.md).
func WithStatementLog(ctx context.Context) (context.Context, *StatementCounter) {
	c := &StatementCounter{keep: true}
	return context.WithValue(ctx, counterKey{}, c), c
}

// Statements are the statements kept so far (WithStatementLog only).
func (c *StatementCounter) Statements() []Statement {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]Statement(nil), c.log...)
}

// N is how many statements ran so far.
func (c *StatementCounter) N() int64 { return c.n.Load() }

// countStatement adds one to the counter ctx carries, if any, and keeps
// the statement when the counter is a log.
func countStatement(ctx context.Context, query string, args []any) {
	if c, ok := ctx.Value(counterKey{}).(*StatementCounter); ok {
		c.n.Add(1)
		if c.keep {
			c.mu.Lock()
			c.log = append(c.log, Statement{SQL: query, Args: append([]any(nil), args...)})
			c.mu.Unlock()
		}
	}
}
