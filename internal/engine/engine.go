// Package engine opens a custseg database: a DuckDB or SQLite file chosen by
// its extension (or an explicit override), with the schema in place and
// every custseg SQL function registered through the engine's binding
// (ext/duckdb's Register, ext/sqlite's auto-extension), and runs SQL
// scripts on it.
package engine

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2"

	duckdbext "github.com/custseg/custseg/ext/duckdb"
	sqliteext "github.com/custseg/custseg/ext/sqlite"
	custsql "github.com/custseg/custseg/sql"
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
		sdb, err = sql.Open("duckdb", path)
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
		return nil, fmt.Errorf("engine: open %s: %w", path, err)
	}
	if err := sdb.PingContext(context.Background()); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("engine: open %s (%s): %w", path, kind, err)
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

// HasTable reports whether a table or view named name exists, from the
// engine's catalog rather than from the error of a failed query.
func (db *DB) HasTable(ctx context.Context, name string) (bool, error) {
	q := `SELECT count(*) FROM information_schema.tables WHERE lower(table_name) = lower(?)`
	if db.Kind == SQLite {
		q = `SELECT count(*) FROM sqlite_master WHERE type IN ('table', 'view') AND lower(name) = lower(?)`
	}
	var n int
	if err := db.QueryRowContext(ctx, q, name).Scan(&n); err != nil {
		return false, fmt.Errorf("engine: looking up table %s: %w", name, err)
	}
	return n > 0, nil
}
