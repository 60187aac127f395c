// Package store owns the database handle: opening SQLite or PostgreSQL,
// the placeholder dialect shim, embedded migrations and the transaction helper.
//
// Every domain package writes one portable SQL text with '?' placeholders and
// runs it through Q(ctx), which rebinds for PostgreSQL and uses the transaction
// riding in ctx when there is one.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL driver "pgx"
	"modernc.org/sqlite"               // SQLite driver "sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota + 1
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is the application's database. On SQLite it keeps two pools on one file,
// many readers and a single writer, so writers queue in Go instead of failing
// with SQLITE_BUSY; on PostgreSQL both pools are the same.
type DB struct {
	dialect Dialect
	read    *sql.DB
	write   *sql.DB
	rebinds sync.Map // query text -> PostgreSQL text
	// prepared holds the SQLite writer's statements run through
	// ExecPrepared and QueryPrepared: query text -> *sql.Stmt.
	prepared sync.Map
	// commits counts this node's committed write transactions: a cache
	// that must see this node's own changes at once looks whether it
	// moved (Commits).
	commits atomic.Uint64
}

// Commits is the number of write transactions this DB committed so far.
// Caches of data that other nodes may change too re-read their marker when
// it moved, so this node's own changes are seen at once.
func (db *DB) Commits() uint64 { return db.commits.Load() }

// Open opens dsn: "postgres://…" (or "postgresql://…") selects PostgreSQL,
// anything else is a SQLite file path ("sqlite:" prefix optional).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := sql.Open("pgx", dsn)
		if err != nil {
			return nil, fmt.Errorf("store: open postgres: %w", err)
		}
		pool.SetMaxOpenConns(20)
		pool.SetMaxIdleConns(10)
		pool.SetConnMaxIdleTime(5 * time.Minute)
		db := &DB{dialect: Postgres, read: pool, write: pool}
		if err := pool.PingContext(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("store: connect postgres: %w", err)
		}
		return db, nil
	}
	path := strings.TrimPrefix(dsn, "sqlite:")
	if path == "" {
		return nil, errors.New("store: empty database path")
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", dir, err)
		}
	}
	q := url.Values{}
	for _, p := range []string{"journal_mode(WAL)", "foreign_keys(ON)", "busy_timeout(10000)", "synchronous(NORMAL)"} {
		q.Add("_pragma", p)
	}
	// The writer opens first: it alone may create the file and switch it to
	// WAL. The readers then open query_only, so the single-writer rule holds
	// by construction: a write outside Tx fails instead of racing the writer
	// for the lock (SQLITE_BUSY).
	//
	// The writer keeps 64 MiB of pages (SQLite's default is 2 MiB) so a
	// large transaction's index pages stay in memory instead of spilling to
	// the log mid-transaction, and its statement journals (a multi-row
	// upsert that may fail half way keeps one) in memory rather than in a
	// temporary file: together a sixth of call ingest's writer time. It
	// also copies the log back into the database every 10,000 pages
	// (40 MiB) rather than SQLite's 1,000: pages that change in every
	// transaction (roll-ups, the upper levels of indexes) are copied once
	// for ten times as many commits, a twentieth of ingest's time
	// (docs/performance.md, "Call-record ingest").
	wq := url.Values{"_pragma": append(slices.Clone(q["_pragma"]), "cache_size(-65536)", "temp_store(MEMORY)", "wal_autocheckpoint(10000)"), "_txlock": {"immediate"}}
	write, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	q.Add("_pragma", "query_only(1)")
	read, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("store: open sqlite: %w", err)
	}
	read.SetMaxOpenConns(8)
	// Keep them all: database/sql keeps 2 idle by default, and opening a
	// SQLite connection (pragmas included) costs more than most queries.
	read.SetMaxIdleConns(8)
	db := &DB{dialect: SQLite, read: read, write: write}
	if err := read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: open sqlite %s: %w", path, err)
	}
	return db, nil
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes both pools.
func (db *DB) Close() error {
	var err error
	db.prepared.Range(func(_, v any) bool {
		err = errors.Join(err, v.(*sql.Stmt).Close())
		return true
	})
	err = errors.Join(err, db.write.Close())
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// Ping checks the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}

type txKey struct{}

// sqlRunner is what *sql.DB and *sql.Tx have in common.
type sqlRunner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Querier runs portable SQL ('?' placeholders) on a pool or a transaction.
type Querier struct {
	db *DB
	r  sqlRunner
}

// Q returns the transaction in ctx if there is one, or the read pool.
// Writes outside Tx are a programming error on SQLite (they would bypass the
// single writer), so every mutation goes through Tx.
func (db *DB) Q(ctx context.Context) Querier {
	if tx, ok := ctx.Value(txKey{}).(*sql.Tx); ok {
		return Querier{db: db, r: tx}
	}
	return Querier{db: db, r: db.read}
}

// InTx reports whether ctx carries a transaction.
func InTx(ctx context.Context) bool {
	_, ok := ctx.Value(txKey{}).(*sql.Tx)
	return ok
}

// Exec runs a statement.
func (q Querier) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	countStatement(ctx, query, args)
	return q.r.ExecContext(ctx, q.db.rebind(query), args...)
}

// Query runs a query returning rows.
func (q Querier) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	countStatement(ctx, query, args)
	return q.r.QueryContext(ctx, q.db.rebind(query), args...)
}

// IDs runs a query whose first column is an id and returns the ids in the
// order of its rows.
func (q Querier) IDs(ctx context.Context, query string, args ...any) ([]int64, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// QueryRow runs a query returning at most one row.
func (q Querier) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	countStatement(ctx, query, args)
	return q.r.QueryRowContext(ctx, q.db.rebind(query), args...)
}

// Prepare compiles queries once for the SQLite writer, so that
// ExecPrepared and QueryPrepared reuse them in later transactions: SQLite
// otherwise compiles a statement's text at every call, which for a
// thousand-row insert costs about as much as running it. Call it outside a
// transaction (the writer is one connection, which a transaction holds).
// PostgreSQL's driver caches its statements itself: there it does nothing.
func (db *DB) Prepare(ctx context.Context, queries ...string) error {
	if db.dialect != SQLite || InTx(ctx) {
		return nil
	}
	for _, query := range queries {
		if _, ok := db.prepared.Load(query); ok {
			continue
		}
		st, err := db.write.PrepareContext(ctx, query)
		if err != nil {
			return fmt.Errorf("store: prepare: %w", err)
		}
		if _, loaded := db.prepared.LoadOrStore(query, st); loaded {
			st.Close()
		}
	}
	return nil
}

// ExecPrepared is Exec, with the statement Prepare compiled if there is
// one.
func (q Querier) ExecPrepared(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if tx, ok := q.r.(*sql.Tx); ok {
		if st, ok := q.db.prepared.Load(query); ok {
			countStatement(ctx, query, args)
			return tx.StmtContext(ctx, st.(*sql.Stmt)).ExecContext(ctx, args...)
		}
	}
	return q.Exec(ctx, query, args...)
}

// QueryPrepared is Query, with the statement Prepare compiled if there is
// one.
func (q Querier) QueryPrepared(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if tx, ok := q.r.(*sql.Tx); ok {
		if st, ok := q.db.prepared.Load(query); ok {
			countStatement(ctx, query, args)
			return tx.StmtContext(ctx, st.(*sql.Stmt)).QueryContext(ctx, args...)
		}
	}
	return q.Query(ctx, query, args...)
}

// Tx runs fn in a write transaction carried by the context fn receives.
// A nested call joins the outer transaction. fn's error rolls back.
func (db *DB) Tx(ctx context.Context, fn func(ctx context.Context) error) (err error) {
	if InTx(ctx) {
		return fn(ctx)
	}
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(context.WithValue(ctx, txKey{}, tx)); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("store: commit: %w", err)
	}
	db.commits.Add(1)
	return nil
}

// ErrSavepoint marks an error of a savepoint itself (setting it, rolling
// back to it, releasing it), as opposed to the error of the work inside it:
// after one the transaction is in an unknown state and only rolling all of
// it back is left.
var ErrSavepoint = errors.New("store: savepoint failed")

// Savepoint runs fn inside a savepoint of the transaction in ctx, so that
// when fn fails only fn's writes are undone and the transaction goes on
// with its earlier work (on PostgreSQL a refused statement would otherwise
// abort the whole transaction). It returns fn's error unchanged once fn's
// work is undone, and an error wrapping ErrSavepoint when the savepoint
// itself fails. Savepoints nest: fn may call Savepoint again. Outside a
// transaction there is nothing to keep, and Savepoint refuses to run fn.
func (db *DB) Savepoint(ctx context.Context, fn func(ctx context.Context) error) error {
	if !InTx(ctx) {
		return fmt.Errorf("%w: not inside a transaction", ErrSavepoint)
	}
	// Each call has a name of its own, so that rolling back to it undoes
	// everything since it was set even when a nested call failed to
	// release its own.
	name := fmt.Sprintf("sb_savepoint_%d", savepointSeq.Add(1))
	q := db.Q(ctx)
	if _, err := q.Exec(ctx, "SAVEPOINT "+name); err != nil {
		return fmt.Errorf("%w: set: %w", ErrSavepoint, err)
	}
	fnErr := fn(ctx)
	if fnErr != nil {
		if _, err := q.Exec(ctx, "ROLLBACK TO SAVEPOINT "+name); err != nil {
			return fmt.Errorf("%w: roll back after %q: %w", ErrSavepoint, fnErr.Error(), err)
		}
	}
	if _, err := q.Exec(ctx, "RELEASE SAVEPOINT "+name); err != nil {
		return fmt.Errorf("%w: release: %w", ErrSavepoint, err)
	}
	return fnErr
}

// savepointSeq numbers the savepoints Savepoint sets.
var savepointSeq atomic.Uint64

// rebind turns '?' placeholders into $1, $2 … for PostgreSQL, leaving
// question marks inside quoted literals alone. Results are cached per text.
func (db *DB) rebind(query string) string {
	if db.dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	if v, ok := db.rebinds.Load(query); ok {
		return v.(string)
	}
	out := Rebind(query)
	db.rebinds.Store(query, out)
	return out
}

// Rebind converts '?' placeholders to PostgreSQL's numbered form.
func Rebind(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	inQuote := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inQuote = !inQuote
			b.WriteByte(c)
		case c == '?' && !inQuote:
			n++
			fmt.Fprintf(&b, "$%d", n)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// Contains returns a condition true when column holds the bound string
// parameter as a substring: instr() on SQLite, strpos() on PostgreSQL, both
// cheaper than LIKE '%…%' and free of escaping.
func (db *DB) Contains(column string) string {
	if db.dialect == Postgres {
		return "strpos(" + column + ", ?) > 0"
	}
	return "instr(" + column + ", ?) > 0"
}

// SkipLocked is the clause that lets concurrent workers claim different rows:
// FOR UPDATE SKIP LOCKED on PostgreSQL; nothing on SQLite, where the single
// writer already serialises claims.
func (db *DB) SkipLocked() string {
	if db.dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// Like escapes s for use in a LIKE pattern with ESCAPE '\'.
func Like(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return r.Replace(s)
}

// IsUniqueViolation reports whether err is a unique-constraint failure on
// either engine, from the driver's error code rather than its wording:
// SQLite's extended codes SQLITE_CONSTRAINT_UNIQUE and _PRIMARYKEY,
// PostgreSQL's SQLSTATE 23505 (unique_violation).
func IsUniqueViolation(err error) bool {
	var lite *sqlite.Error
	if errors.As(err, &lite) {
		return lite.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || lite.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	return false
}

// Now is the storage timestamp: Unix milliseconds, UTC.
func Now() int64 { return time.Now().UnixMilli() }

// Time converts a stored timestamp back to time.Time.
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// Page selects one page of a list. The zero value means the first page of 50.
type Page struct {
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	// After is an opaque keyset cursor (the Next of the previous page): the
	// page starts after that row, so its cost does not grow with the table.
	// It wins over Page. docs/performance.md explains the choice.
	After string `json:"-"`
	// Count asks for the total of matching rows, which costs a pass over
	// all of them; without it a list reports no total.
	Count bool `json:"-"`
}

// MaxPerPage bounds a page so one request cannot ask for the whole table.
const MaxPerPage = 500

// MaxPage bounds a page number: with MaxPerPage the offset stays far from
// overflowing (a negative OFFSET on PostgreSQL, a slice bound in Go).
const MaxPage = 1_000_000

// Normalize fills defaults and clamps values.
func (p Page) Normalize() Page {
	if p.Page < 1 {
		p.Page = 1
	}
	if p.Page > MaxPage {
		p.Page = MaxPage
	}
	if p.PerPage < 1 {
		p.PerPage = 50
	}
	if p.PerPage > MaxPerPage {
		p.PerPage = MaxPerPage
	}
	return p
}

// Limit and Offset give the SQL clause values.
func (p Page) Limit() int  { return p.Normalize().PerPage }
func (p Page) Offset() int { n := p.Normalize(); return (n.Page - 1) * n.PerPage }
