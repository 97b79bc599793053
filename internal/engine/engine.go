// Package engine opens a custseg database: a DuckDB or SQLite file chosen by
// its extension (or an explicit override), with the schema in place and
// every custseg SQL function registered.
package engine

import (
	"context"
	"database/sql"
	"fmt"
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
		return "", fmt.Errorf("unknown engine %q: use duckdb or sqlite", override)
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".duckdb", ".ddb":
		return DuckDB, nil
	case ".db", ".sqlite", ".sqlite3":
		return SQLite, nil
	}
	return "", fmt.Errorf("cannot tell the engine of %q from its extension: name it .duckdb/.ddb (DuckDB) or .db/.sqlite/.sqlite3 (SQLite), or pass --engine", path)
}

// DB is an open custseg database.
type DB struct {
	*sql.DB
	Kind Kind
	Path string
}

// Hooks run after a database of that kind is opened, before it is used; the
// engine bindings (ext/duckdb, ext/sqlite) install their function
// registration here.
var openHooks = map[Kind][]func(*sql.DB) error{}

// OnOpen adds a hook run for every database of kind k that Open opens.
func OnOpen(k Kind, hook func(*sql.DB) error) { openHooks[k] = append(openHooks[k], hook) }

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
		sdb, err = sql.Open("duckdb", path)
	case SQLite:
		// Every connection gets the functions through sqlite3_auto_extension,
		// the same C registration the stock shell's .load runs.
		if err := sqliteext.Enable(); err != nil {
			return nil, fmt.Errorf("open %s: registering custseg functions: %w", path, err)
		}
		sdb, err = sql.Open("sqlite3", "file:"+path+"?_busy_timeout=10000")
	default:
		return nil, fmt.Errorf("unknown engine %q", kind)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := sdb.PingContext(context.Background()); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open %s (%s): %w", path, kind, err)
	}
	if kind == DuckDB {
		// Functions go into the database catalog through the DuckDB C API,
		// the same registration code the loadable extension runs.
		if err := duckdbext.Register(sdb); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("open %s: registering custseg functions: %w", path, err)
		}
	}
	for _, hook := range openHooks[kind] {
		if err := hook(sdb); err != nil {
			sdb.Close()
			return nil, fmt.Errorf("open %s: registering custseg functions: %w", path, err)
		}
	}
	db := &DB{DB: sdb, Kind: kind, Path: path}
	if err := db.ExecScript(context.Background(), custsql.Schema()); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open %s: creating schema: %w", path, err)
	}
	return db, nil
}

// ExecScript runs every statement of an SQL script in order.
func (db *DB) ExecScript(ctx context.Context, script string) error {
	for _, stmt := range custsql.Statements(script) {
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%w\nin statement:\n%s", err, stmt)
		}
	}
	return nil
}
