//go:build custseg_duckdb_ext

// Command loadable is the custseg DuckDB extension: a C-API extension built
// with -buildmode=c-shared, whose entry point custseg_init_c_api (glue.c in
// ext/duckdb) registers every catalog function. Build it with
// buildext.BuildDuckDB (custseg build-ext); by hand:
//
//	CGO_CFLAGS="-O2 -g -fvisibility=hidden -I$HEADERS" go build -buildmode=c-shared -tags custseg_duckdb_ext \
//	    -trimpath -ldflags=-s -o custseg.duckdb_extension ./ext/duckdb/loadable
//
// then append the metadata footer (ext/duckdb/footer). $HEADERS holds
// duckdb.h and duckdb_extension.h from the npm package duckdb@1.4.4.
package main

import _ "github.com/custseg/custseg/ext/duckdb"

func main() {}
