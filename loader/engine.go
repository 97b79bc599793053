package loader

import (
	"database/sql"
	"fmt"

	"github.com/duckdb/duckdb-go/v2"
	sqlite3 "github.com/mattn/go-sqlite3"
)

// engineKind is the engine a load writes to; the loader needs it for the
// engine's bulk path (DuckDB's Appender, SQLite's batched inserts).
type engineKind int

const (
	duckdbEngine engineKind = iota + 1
	sqliteEngine
)

// engineOf tells the engine of db from its driver, so that Load takes a
// plain *sql.DB.
func engineOf(db *sql.DB) (engineKind, error) {
	switch d := db.Driver().(type) {
	case duckdb.Driver, *duckdb.Driver:
		return duckdbEngine, nil
	case *sqlite3.SQLiteDriver:
		return sqliteEngine, nil
	default:
		return 0, fmt.Errorf("load: the database's driver is %T: custseg loads into DuckDB (duckdb-go) or SQLite (mattn/go-sqlite3)", d)
	}
}
