// Package sqltest holds custseg's self-checking SQL files (see README.md)
// and the helpers every runner shares: the files, their statements, and
// the rule that decides whether a result row passes.
package sqltest

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	custsql "github.com/custseg/custseg/sql"
)

//go:embed *.sql sqlite/*.sql
var files embed.FS

// File is one self-checking SQL file.
type File struct {
	Name string // path below sql/test, e.g. "rfm.sql", "sqlite/freshness.sql"
	Text string // sql/schema.sql on the first line, then the file
}

// Portable returns the files every engine runs (sql/test/*.sql), by name.
func Portable() []File { return list(".") }

// SQLiteOnly returns the files only the SQLite runners run (sql/test/sqlite/*.sql).
func SQLiteOnly() []File { return list("sqlite") }

func list(dir string) []File {
	entries, err := fs.ReadDir(files, dir)
	if err != nil {
		panic("sqltest: " + err.Error())
	}
	var out []File
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		name := e.Name()
		if dir != "." {
			name = dir + "/" + name
		}
		b, err := files.ReadFile(name)
		if err != nil {
			panic("sqltest: " + err.Error())
		}
		out = append(out, File{Name: name, Text: schemaLine + " " + string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Statement is one statement of a file.
type Statement struct {
	SQL   string // without the final ";" and the comments before it
	Line  int    // 1-based line of the file where the statement starts
	Query bool   // SELECT or WITH: its rows are checked
}

// Statements splits a file with custseg's splitter (custsql.Script),
// keeping each statement's line number for error reports.
func Statements(text string) []Statement {
	var out []Statement
	for _, st := range custsql.Script(text) {
		k := custsql.Keyword(st.SQL)
		out = append(out, Statement{SQL: st.SQL, Line: st.Line, Query: k == "SELECT" || k == "WITH"})
	}
	return out
}

// schemaLine is sql/schema.sql as one line, which File.Text starts with:
// every file runs against custseg's own tables, and the file's line numbers
// stay those of the file (its first line follows the schema on line 1).
var schemaLine = func() string {
	var parts []string
	for _, st := range custsql.Script(custsql.Schema()) {
		// Joining lines is safe only without comments or strings inside.
		if strings.ContainsAny(st.SQL, "'\"") || strings.Contains(st.SQL, "--") || strings.Contains(st.SQL, "/*") {
			panic("sqltest: sql/schema.sql statement at line " + fmt.Sprint(st.Line) + " holds a comment or a quote: cannot put it on one line")
		}
		parts = append(parts, strings.Join(strings.Fields(st.SQL), " ")+";")
	}
	return strings.Join(parts, " ")
}()

// IsTrue reports whether a column value as database/sql scans it passes:
// SQLite's 1 (int64) or DuckDB's true.
func IsTrue(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int64:
		return x == 1
	case int32:
		return x == 1
	}
	return false
}

// CheckRow returns an error describing the columns of a result row that are
// not true.
func CheckRow(cols []string, values []any) error {
	var bad []string
	for i, v := range values {
		if !IsTrue(v) {
			name := fmt.Sprintf("column %d", i+1)
			if i < len(cols) {
				name = fmt.Sprintf("column %d (%s)", i+1, cols[i])
			}
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			bad = append(bad, fmt.Sprintf("%s = %#v", name, v))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("not true: %s", strings.Join(bad, ", "))
	}
	return nil
}
