// Package lookup holds the one query through which both bindings read a
// model from the registry table, custseg_models.
package lookup

// SQL answers kind and spec of the model a reference names: $1 is the name,
// $2 the version, 0 for the active one (udf/catalog.ParseModelRef). SQLite
// and DuckDB both accept $n parameters, so the one text serves the Go and C
// paths of both engines: Go passes it to C once, at initialisation, as a C
// string that lives as long as the process.
const SQL = `SELECT kind, spec FROM custseg_models WHERE name = $1 AND (($2 = 0 AND active) OR version = $2) ORDER BY version DESC LIMIT 1`
