package sqltest_test

import (
	"strings"
	"testing"

	sqltest "github.com/custseg/custseg/sql/test"
)

// Every file starts with sql/schema.sql on line 1, and the lines of its
// statements are those of the file itself.
func TestFilesLoadSchema(t *testing.T) {
	for _, f := range append(sqltest.Portable(), sqltest.SQLiteOnly()...) {
		stmts := sqltest.Statements(f.Text)
		var models bool
		lines := strings.Split(f.Text, "\n")
		for _, st := range stmts {
			if st.Line == 1 {
				models = models || strings.HasPrefix(st.SQL, "CREATE TABLE IF NOT EXISTS custseg_models")
				continue
			}
			first := strings.SplitN(st.SQL, "\n", 2)[0]
			if !strings.Contains(lines[st.Line-1], first) {
				t.Errorf("%s:%d is %q, not the start of %q", f.Name, st.Line, lines[st.Line-1], first)
			}
		}
		if !models {
			t.Errorf("%s: no custseg_models DDL on line 1", f.Name)
		}
		if strings.Count(f.Text, "CREATE TABLE IF NOT EXISTS custseg_models") != 1 {
			t.Errorf("%s: copies the custseg_models DDL of sql/schema.sql", f.Name)
		}
	}
}
