package duckdb

import (
	"database/sql"
	"testing"

	sqltest "github.com/custseg/custseg/sql/test"
)

// TestSQLFilesInProcess runs every portable self-checking file of sql/test
// on a fresh in-memory DuckDB with the functions registered by Register.
func TestSQLFilesInProcess(t *testing.T) {
	files := sqltest.Portable()
	if len(files) == 0 {
		t.Fatal("no sql/test/*.sql files")
	}
	for _, f := range files {
		t.Run(f.Name, func(t *testing.T) {
			db := openDB(t)
			db.SetMaxOpenConns(4)
			for _, st := range sqltest.Statements(f.Text) {
				if !st.Query {
					if _, err := db.Exec(st.SQL); err != nil {
						t.Fatalf("%s:%d: %v", f.Name, st.Line, err)
					}
					continue
				}
				checkQuery(t, db, f.Name, st)
			}
		})
	}
}

func checkQuery(t *testing.T, db *sql.DB, file string, st sqltest.Statement) {
	t.Helper()
	rows, err := db.Query(st.SQL)
	if err != nil {
		t.Errorf("%s:%d: %v", file, st.Line, err)
		return
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Errorf("%s:%d: %v", file, st.Line, err)
			return
		}
		if err := sqltest.CheckRow(cols, vals); err != nil {
			t.Errorf("%s:%d: row %d: %v\n%s", file, st.Line, n+1, err, st.SQL)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Errorf("%s:%d: %v", file, st.Line, err)
	}
	if n == 0 {
		t.Errorf("%s:%d: query returned no rows\n%s", file, st.Line, st.SQL)
	}
}
