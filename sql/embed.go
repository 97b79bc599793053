// Package custsql (folder sql/) holds the SQL custseg runs (schema, feature views, the prepare
// step), embedded into the binary, with helpers to split and run it.
package custsql

import "embed"

//go:embed *.sql
var files embed.FS

// Schema is the DDL of every custseg table (CREATE ... IF NOT EXISTS).
func Schema() string { return mustRead("schema.sql") }

// File returns the named embedded SQL file.
func File(name string) string { return mustRead(name) }

func mustRead(name string) string {
	b, err := files.ReadFile(name)
	if err != nil {
		panic("sql: embedded file missing: " + name)
	}
	return string(b)
}
