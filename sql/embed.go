// Package custsql (folder sql/) holds the SQL custseg runs (schema, feature views, the prepare
// step), embedded into the binary, with helpers to split and run it.
package custsql

import (
	"embed"
	"strings"
)

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

// Statements splits a script at semicolons that end a line, dropping
// comment-only and empty statements. custseg's own SQL keeps to that form.
func Statements(script string) []string {
	var out []string
	var cur strings.Builder
	for _, line := range strings.Split(script, "\n") {
		cur.WriteString(line)
		cur.WriteByte('\n')
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			if s := clean(cur.String()); s != "" {
				out = append(out, s)
			}
			cur.Reset()
		}
	}
	if s := clean(cur.String()); s != "" {
		out = append(out, s)
	}
	return out
}

func clean(stmt string) string {
	var kept []string
	for _, l := range strings.Split(stmt, "\n") {
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "--") {
			continue
		}
		kept = append(kept, l)
	}
	s := strings.TrimSpace(strings.Join(kept, "\n"))
	return strings.TrimSuffix(s, ";")
}
