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
)

//go:embed *.sql sqlite/*.sql
var files embed.FS

// File is one self-checking SQL file.
type File struct {
	Name string // path below sql/test, e.g. "rfm.sql", "sqlite/freshness.sql"
	Text string
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
		out = append(out, File{Name: name, Text: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Statement is one statement of a file.
type Statement struct {
	SQL   string // without the final ";" and without comment lines
	Line  int    // 1-based line of the file where the statement starts
	Query bool   // SELECT or WITH: its rows are checked
}

// Statements splits a file at ";" ending a line, as sql.Statements does,
// keeping each statement's line number for error reports.
func Statements(text string) []Statement {
	var out []Statement
	var cur []string
	start := 0
	flush := func() {
		var kept []string
		for _, l := range cur {
			t := strings.TrimSpace(l)
			if t == "" || strings.HasPrefix(t, "--") {
				continue
			}
			kept = append(kept, l)
		}
		s := strings.TrimSuffix(strings.TrimSpace(strings.Join(kept, "\n")), ";")
		if s != "" {
			u := strings.ToUpper(s)
			out = append(out, Statement{SQL: s, Line: start + firstCode(cur), Query: strings.HasPrefix(u, "SELECT") || strings.HasPrefix(u, "WITH")})
		}
		cur = cur[:0]
	}
	lines := strings.Split(text, "\n")
	for i, line := range lines {
		if len(cur) == 0 {
			start = i + 1
		}
		cur = append(cur, line)
		if strings.HasSuffix(strings.TrimSpace(line), ";") {
			flush()
		}
	}
	flush()
	return out
}

// firstCode is the offset of the first line that is not blank or a comment.
func firstCode(lines []string) int {
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if t != "" && !strings.HasPrefix(t, "--") {
			return i
		}
	}
	return 0
}

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
