//go:build custseg_loadable

package sqlitefn

// The loadable build: glue.c includes sqlite3ext.h and calls the host's
// routines through sqlite3_api. sqlite3ext.h comes from CGO_CFLAGS=-I...
// (see internal/buildext.BuildSQLite) or from /usr/include (libsqlite3-dev).
// Hidden visibility keeps the .so's C symbols private; only the entry
// point sqlite3_custseg_init is exported.

/*
#cgo CFLAGS: -DCUSTSEG_LOADABLE -fvisibility=hidden
*/
import "C"
