// Package engine opens a custseg database: a DuckDB or SQLite file chosen by
// its extension (or an explicit override), with the schema in place and
// every custseg SQL function registered through the engine's binding
// (ext/duckdb's Register, ext/sqlite's auto-extension), and runs SQL
// scripts on it.
package engine

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/duckdb/duckdb-go/v2"

	duckdbext "github.com/custseg/custseg/ext/duckdb"
	sqliteext "github.com/custseg/custseg/ext/sqlite"
	custsql "github.com/custseg/custseg/sql"
	"github.com/custseg/custseg/udf/catalog"
)

// Kind names a database engine.
type Kind string

const (
	DuckDB Kind = "duckdb"
	SQLite Kind = "sqlite"
)

// Detect chooses the engine for path: override ("duckdb" or "sqlite") wins;
// otherwise .duckdb/.ddb mean DuckDB and .db/.sqlite/.sqlite3 mean SQLite.
func Detect(path, override string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(override)) {
	case "duckdb":
		return DuckDB, nil
	case "sqlite", "sqlite3":
		return SQLite, nil
	case "":
	default:
		return "", fmt.Errorf("engine: %w %q: use duckdb or sqlite", ErrUnknownEngine, override)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".duckdb", ".ddb":
		return DuckDB, nil
	case ".db", ".sqlite", ".sqlite3":
		return SQLite, nil
	}
	return "", fmt.Errorf("engine: %w: cannot tell the engine of %q from its extension: name it .duckdb/.ddb (DuckDB) or .db/.sqlite/.sqlite3 (SQLite), or pass --engine", ErrUnknownEngine, path)
}

// DB is an open custseg database.
type DB struct {
	*sql.DB
	Kind Kind
	Path string
}

// Open opens (creating if needed) the database at path, creates the custseg
// schema and registers the functions.
func Open(path, override string) (*DB, error) {
	kind, err := Detect(path, override)
	if err != nil {
		return nil, err
	}
	return OpenKind(path, kind)
}

// OpenKind opens path with an explicit engine.
func OpenKind(path string, kind Kind) (*DB, error) {
	var sdb *sql.DB
	var err error
	switch kind {
	case DuckDB:
		// duckdb-go reads what follows a '?' as settings and has no escape.
		if strings.Contains(path, "?") {
			return nil, fmt.Errorf("engine: open %q: %w: DuckDB reads what follows '?' as settings; rename the file", path, ErrPath)
		}
		sdb, err = openDuckDB(path)
	case SQLite:
		// Every connection gets the functions through sqlite3_auto_extension,
		// the same C registration the stock shell's .load runs.
		if err := sqliteext.Enable(); err != nil {
			return nil, fmt.Errorf("engine: open %s: registering custseg functions: %w", path, err)
		}
		var dsn string
		if dsn, err = sqliteURI(path); err == nil {
			sdb, err = sql.Open("sqlite3", dsn)
		}
	default:
		return nil, fmt.Errorf("engine: %w %q", ErrUnknownEngine, kind)
	}
	if err != nil {
		return nil, fmt.Errorf("engine: open %s (%s): %w", path, kind, err)
	}
	if kind == SQLite {
		// DuckDB's open already connected (openDuckDB).
		if err := sdb.PingContext(context.Background()); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("engine: open %s (%s): %w", path, kind, err)
		}
	}
	if kind == DuckDB {
		// Functions go into the database catalog through the DuckDB C API,
		// the same registration code the loadable extension runs.
		if err := duckdbext.Register(sdb); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("engine: open %s: registering custseg functions: %w", path, err)
		}
	}
	db := &DB{DB: sdb, Kind: kind, Path: path}
	if err := ExecScript(context.Background(), sdb, custsql.Schema()); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("engine: open %s: creating schema: %w", path, err)
	}
	return db, nil
}

// LockWait bounds how long Open waits for another process to release a
// DuckDB file: DuckDB allows one process to open a file for writing, and
// custseg commands are short, so waiting beats failing at once.
var LockWait = 10 * time.Second

// openDuckDB opens and connects to the DuckDB file path, retrying with a
// growing pause while another process holds the file's lock, for at most
// LockWait.
func openDuckDB(path string) (*sql.DB, error) {
	deadline := time.Now().Add(LockWait)
	pause := 20 * time.Millisecond
	for {
		sdb, err := sql.Open("duckdb", path)
		if err == nil {
			if err = sdb.PingContext(context.Background()); err == nil {
				return sdb, nil
			}
			sdb.Close()
		}
		holder, locked := lockHolder(err)
		if !locked {
			return nil, err
		}
		left := time.Until(deadline)
		if left <= 0 {
			return nil, fmt.Errorf("%w: %s holds the file (waited %s; DuckDB allows one writing process per file): %w", ErrLocked, holder, LockWait, err)
		}
		time.Sleep(min(pause, left))
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// lockPID finds the process named in DuckDB's lock error ("Conflicting
// lock is held in /usr/bin/custseg (PID 1234) by user ...").
var lockPID = regexp.MustCompile(`held in (.*?) \(PID (\d+)\)`)

// lockHolder reports whether err is DuckDB's "Could not set lock" (another
// process has the file open) and describes the holder. duckdb-go types the
// error only as an IO error, with no code for the lock nor a field for the
// process, so both are read from its text.
func lockHolder(err error) (holder string, locked bool) {
	var de *duckdb.Error
	if !errors.As(err, &de) || de.Type != duckdb.ErrorTypeIO || !strings.Contains(de.Msg, "Could not set lock") {
		return "", false
	}
	if m := lockPID.FindStringSubmatch(de.Msg); m != nil {
		return fmt.Sprintf("process %s (%s)", m[2], m[1]), true
	}
	return "another process", true
}

// sqliteURI is the SQLite URI naming exactly the file path: mattn passes a
// "file:" DSN to SQLite as a URI, where '?', '#' and '%' would start the
// query, start the fragment or decode, so the path is percent-escaped.
// Made absolute, it cannot begin with "//", which SQLite reads as an
// authority. Parameters: a busy timeout, and BEGIN IMMEDIATE for every
// transaction, since custseg's transactions read before they write (a
// deferred one would fail with "database is locked" instead of waiting
// when another writer came first).
func sqliteURI(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	return "file:" + (&url.URL{Path: abs}).EscapedPath() + "?_busy_timeout=10000&_txlock=immediate", nil
}

// Execer runs a statement: *sql.DB, *sql.Tx and *sql.Conn are Execers.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ExecScript runs every statement of an SQL script in order on ex (a
// database, a transaction or a connection), each with args: custseg's
// scripts use numbered parameters (?1), which a statement may repeat or
// not use at all. The error names the failing statement and its line.
func ExecScript(ctx context.Context, ex Execer, script string, args ...any) error {
	for _, st := range custsql.Script(script) {
		if _, err := ex.ExecContext(ctx, st.SQL, args...); err != nil {
			return fmt.Errorf("engine: statement at line %d: %w\n%s", st.Line, err, st.SQL)
		}
	}
	return nil
}

// Queryer runs statements and queries: *sql.DB, *sql.Tx and *sql.Conn
// are Queryers.
type Queryer interface {
	Execer
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Handle is what custseg's steps run on: an open database (each step then
// commits on its own) or a transaction on one (the steps commit together).
type Handle interface {
	Queryer
	Engine() Kind
}

// Engine returns the database's engine.
func (db *DB) Engine() Kind { return db.Kind }

// Tx is a transaction on a custseg database. On SQLite it holds the write
// lock from its first statement (BEGIN IMMEDIATE, see sqliteURI).
type Tx struct {
	*sql.Tx
	Kind Kind
}

// Engine returns the engine of the transaction's database.
func (tx *Tx) Engine() Kind { return tx.Kind }

// Beginner starts transactions: *sql.DB, *DB and *sql.Conn are Beginners.
type Beginner interface {
	BeginTx(ctx context.Context, opts *sql.TxOptions) (*sql.Tx, error)
}

// InTx runs fn in a new transaction on b and commits when fn returns nil.
// Model resolutions the SQL functions cached are dropped when the
// transaction ends, committed or rolled back: it may have changed
// custseg_models, and what was cached while it ran may be what it rolled
// back.
func InTx(ctx context.Context, b Beginner, fn func(*sql.Tx) error) error {
	tx, err := b.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("engine: begin: %w", err)
	}
	defer catalog.Invalidate()
	if err := fn(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("engine: commit: %w", err)
	}
	return nil
}

// Atomically runs fn in one transaction on h: a new one (see InTx) when h
// is a database, h itself when it is already a transaction (its owner
// commits).
func Atomically(ctx context.Context, h Handle, fn func(*Tx) error) error {
	switch h := h.(type) {
	case *Tx:
		return fn(h)
	case *DB:
		return InTx(ctx, h, func(tx *sql.Tx) error { return fn(&Tx{Tx: tx, Kind: h.Kind}) })
	}
	return fmt.Errorf("engine: %T is neither a database nor a transaction", h)
}

// HasTable reports whether a table or view named name exists, from the
// engine's catalog rather than from the error of a failed query.
func (db *DB) HasTable(ctx context.Context, name string) (bool, error) {
	return HasTable(ctx, db, name)
}

// HasTable reports whether a table or view named name exists as h sees it
// (a transaction sees the tables it created), from the engine's catalog
// rather than from the error of a failed query.
func HasTable(ctx context.Context, h Handle, name string) (bool, error) {
	q := `SELECT count(*) FROM information_schema.tables WHERE lower(table_name) = lower(?)`
	if h.Engine() == SQLite {
		q = `SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND lower(name) = lower(?)`
	}
	var n int
	if err := h.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, fmt.Errorf("engine: looking up table %s: %w", name, err)
	}
	return n > 0, nil
}
