//go:build custseg_loadable

// Command loadable is the custseg SQLite loadable extension. Build it with
// internal/buildext.BuildSQLite (`custseg build-ext`) or by hand from the
// repository root:
//
//	CGO_CFLAGS="-I$(go list -m -f '{{.Dir}}' github.com/mattn/go-sqlite3)" \
//	  go build -tags custseg_loadable -buildmode=c-shared -trimpath -ldflags='-s -w' \
//	  -o DIR/custseg.so ./ext/sqlite/loadable
//
// then, in the sqlite3 shell: `.load DIR/custseg` (SQLite derives the entry
// point sqlite3_custseg_init from the file name). Without the tag the
// package has no files: the tag selects the sqlite3ext.h form of the glue.
package main

import "C" // entry.c holds the exported entry point

import _ "github.com/custseg/custseg/ext/sqlite/sqlitefn"

func main() {}
