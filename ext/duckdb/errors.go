package duckdb

import (
	"errors"
	"fmt"

	"github.com/custseg/custseg/udf/catalog"
)

// errPrefix starts every error of the binding itself (registration,
// connections, loading). Errors of a function call start with the
// function's name instead (catalog.Function.Errorf), and a model store's
// errors end up inside those ("rfm_score: model \"rfm\": ..."), so they
// carry no prefix.
const errPrefix = "custseg duckdb: "

var (
	// errLayout: rawConnection no longer finds the duckdb_connection.
	errLayout = errors.New(errPrefix + "duckdb-go's Conn no longer has the field conn.Ptr (the duckdb_connection): this duckdb-go version is not supported, see ext/duckdb/register.go")
	// errConnClosed: the duckdb-go connection Register got is closed.
	errConnClosed = errors.New(errPrefix + "the duckdb-go connection is closed")
	// errNoDatabase: the extension's entry point got no database handle.
	errNoDatabase = errors.New(errPrefix + "DuckDB gave the extension no database handle")
	// errStoreConnect: the extension could not connect for the model store.
	errStoreConnect = errors.New(errPrefix + "cannot open a connection for the model registry")

	// errDatabaseClosed: every *sql.DB of the instance is closed (model store).
	errDatabaseClosed = errors.New("the database is closed")
	// errNoRegistry: the database has no custseg_models table (model store).
	errNoRegistry = fmt.Errorf("%w: no custseg_models table", catalog.ErrModelNotFound)
	// errUnsupported: an argument of a DuckDB type the binding does not
	// convert (only reachable through ANY parameters).
	errUnsupported = errors.New("unsupported type")
)
