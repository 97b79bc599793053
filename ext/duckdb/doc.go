// Package duckdb registers every custseg SQL function (udf/catalog.All) in
// DuckDB through DuckDB's C API, for two hosts that share one C source
// (glue.c) and one Go implementation (bind.go: registration; vector.go:
// reading and writing vectors; callbacks.go: the exported callbacks):
//
//   - in process: Register(db) on a *sql.DB opened with duckdb-go's "duckdb"
//     driver (file or in-memory). glue.c calls the duckdb_* symbols of the
//     static DuckDB library duckdb-go links in, declared by this project in
//     capi.h, so `go build` needs only Go and gcc;
//   - a loadable extension (ext/duckdb/loadable, built by internal/buildext.BuildDuckDB):
//     with build tag custseg_duckdb_ext, glue.c includes DuckDB's
//     duckdb_extension.h (from the pinned npm package duckdb@1.4.4, fetched
//     at build time) and every duckdb_* call goes through the
//     duckdb_ext_api struct of C API v1.2.0; the entry point is
//     custseg_init_c_api. Load it with
//     SET allow_unsigned_extensions = true; LOAD '/abs/custseg.duckdb_extension'.
//
// # Registration, from the catalog metadata only
//
// Each catalog function becomes one DuckDB function set. Parameter types:
// Text→VARCHAR; Integer, Double and Any→ANY: DuckDB casts nothing and the
// binding reads BOOLEAN, all integer widths, HUGEINT, FLOAT, DOUBLE,
// DECIMAL and VARCHAR as they are, so the catalog converts values exactly
// as for SQLite (an integral 155.0 is an integer, a text '155' is refused
// naming the argument). Results: Integer→BIGINT, Double→DOUBLE,
// Text→VARCHAR. Optional trailing parameters give one overload per arity.
// A variadic tail is DuckDB varargs for scalars (the count is checked by
// the catalog) and one overload per count for aggregates, whose C API has
// no varargs: the catalog bounds them (catalog.MaxAggregateFeatures, the
// same limit on SQLite), and a call beyond it is DuckDB's binder error
// ("No function matches").
// Deterministic=false marks a scalar volatile; NULL policy CallOnNull asks
// DuckDB for special NULL handling, otherwise the catalog applies the
// policy (NULL in → NULL out; aggregates skip rows with a NULL).
//
// # Callbacks
//
// A scalar callback receives a data chunk (DuckDB's C API flattens constant
// vectors first), reads all column pointers with one cgo call, converts the
// chunk column by column into a reused row-major []catalog.Value (VARCHAR
// aliases DuckDB's duckdb_string_t bytes: inlined when ≤ 12 bytes, else by
// pointer), calls Function.CallScalar per row and writes the output vector
// (validity mask for NULL). Scratch space and a catalog.Call live in a
// per-function sync.Pool, as DuckDB calls from several threads at once.
// Aggregates keep an 8-byte state holding a runtime/cgo.Handle to the Go
// catalog.AggregateState: update → Step, combine → Merge (parallel
// aggregation; the source is merged, never moved, as window segment trees
// reuse it), finalize → Final at offset, destroy deletes the handle. Every
// exported callback recovers from panics and reports errors through
// duckdb_scalar_function_set_error / duckdb_aggregate_function_set_error,
// so DuckDB raises an SQL error ("Invalid Input Error: rfm_score: ...").
//
// # Cancellation
//
// silhouette and segment_silhouette (catalog.Cancelable) can stop between
// row blocks, but DuckDB gives an aggregate no way to learn that its
// statement was interrupted: 1.5.6's duckdb.h has no client context for
// aggregate callbacks (the duckdb_aggregate_function_* calls set name,
// parameters, callbacks, extra info and errors only), and duckdb_interrupt
// and duckdb_query_progress take a duckdb_connection the finalize callback
// cannot identify (several connections share the function). So on DuckDB a
// finalize that has started runs to its end, and the interrupt (duckdb-go's
// context cancellation, the CLI's Ctrl-C) takes effect when it returns; the
// SQLite binding stops it (sqlite3_is_interrupted). The bound is the
// O(n²) cost of the group: docs/PERFORMANCE.md.
//
// # Model registry
//
// Functions that take a model name read custseg_models of the same
// database (ext/internal/lookup.SQL):
//
//   - in process, through the *sql.DB pool (another pooled connection). A
//     dedicated connection was avoided because it would keep the database
//     (and its file lock) alive after the application closes the *sql.DB.
//     With SetMaxOpenConns(n) and all n connections busy the lookup fails
//     at once with an error rather than wait forever;
//   - in the extension, through one connection of its own made with
//     duckdb_connect on the database DuckDB hands the entry point, guarded
//     by a mutex, with a prepared statement. It lives until the process
//     ends.
//
// When a name is read (one statement sees one version):
//
//   - in process, scalar functions whose first parameter is a model get a
//     bind callback (DuckDB C API v1.5.6: duckdb_scalar_function_set_bind).
//     DuckDB binds each call of a statement once, before execution; when the
//     model argument is foldable (a constant, the usual case) the bind
//     folds it, resolves the model and keeps it as bind data (a
//     cgo.Handle, copied with the expression), and every chunk on every
//     thread pins that resolution into its catalog.Call: the per-row cost
//     stays a string compare, and the whole statement uses one version. A
//     prepared statement executed again keeps the version it was bound
//     with. A resolution that fails at bind is left to the chunks, so the
//     error is raised only when a row reaches the function;
//   - a model argument that is not a constant (a column, a CASE), and every
//     call in the loadable extension, are resolved once per chunk (2,048
//     rows): the extension targets the stable C API v1.2.0, whose function
//     struct has no scalar bind (duckdb_extension.h 1.4.4 lists it in the
//     unstable part, usable only by an extension built for one exact DuckDB
//     version), and no callback of that API identifies a statement. A switch
//     committed by another connection during a long statement can then
//     split it between versions; a switch made before the statement starts
//     is seen by all of it.
//
// Either way the lookup runs on another connection and sees committed rows
// only: a model inserted or switched in the same open transaction as the
// query that uses it is not seen (the C API offers no way to run a query
// on the calling statement's client context). Parsed models are shared
// across statements keyed by their spec (udf/catalog.Call), in a cache
// bounded by bytes; a spec above catalog.MaxSpecBytes is refused.
//
// # What the in-process path relies on in duckdb-go
//
// duckdb-go (v2.10506.0) has no accessor for the duckdb_connection.
// rawConnection reads the unexported field conn.Ptr of *duckdb.Conn inside
// sql.Conn.Raw, located by name and type through reflect: if an upgrade
// changes the layout, Register returns an error and TestRawConnectionLayout
// fails, instead of DuckDB receiving a wrong pointer (upstream request: see
// rawConnection). Two *sql.DB opened on
// the same file share one DuckDB instance (duckdb-go's instance cache); the
// hidden function __custseg_instance() tells Register that the instance
// already has the functions.
//
// # Building and testing the extension
//
//	custseg build-ext --only duckdb --out DIR     # or buildext.BuildDuckDB(ctx, DIR)
//	(cd ext/duckdb/testhost && npm install --no-audit --no-fund)  # the stock DuckDB host for the tests
//	go test ./ext/duckdb/...                      # TestSQLFilesInHost needs the host
//
// TestSQLFilesInHost builds the extension, loads it into libduckdb.so 1.5.6
// (npm @duckdb/node-bindings-linux-x64, driven by @duckdb/node-api through
// testhost/host.mjs) and runs every sql/test/*.sql file; without the host's
// npm packages it fails under CI=true and is skipped otherwise.
package duckdb
