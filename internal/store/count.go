package store

import (
	"context"
	"sync/atomic"
)

// StatementCounter counts the SQL statements run through Q with a context
// that carries it: tests use it to prove that a multi-item action costs a
// constant number of statements per batch plus a small per-row write
// (docs/lifecycle.md, "Cost of an activation").
type StatementCounter struct{ n atomic.Int64 }

type counterKey struct{}

// WithStatementCounter returns ctx carrying a fresh counter, and the counter.
// Every Exec, Query and QueryRow made with the returned context (or one
// derived from it, transactions included) adds one.
func WithStatementCounter(ctx context.Context) (context.Context, *StatementCounter) {
	c := &StatementCounter{}
	return context.WithValue(ctx, counterKey{}, c), c
}

// N is how many statements ran so far.
func (c *StatementCounter) N() int64 { return c.n.Load() }

// countStatement adds one to the counter ctx carries, if any.
func countStatement(ctx context.Context) {
	if c, ok := ctx.Value(counterKey{}).(*StatementCounter); ok {
		c.n.Add(1)
	}
}
