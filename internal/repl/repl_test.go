package repl

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/mattn/go-sqlite3"

	"github.com/custseg/custseg/internal/output"
)

func runScript(t *testing.T, driver, script string, opts Options) (out, errs string, err error) {
	t.Helper()
	db, err := sql.Open(driver, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var o, e strings.Builder
	opts.In, opts.Out, opts.Err = strings.NewReader(script), &o, &e
	err = Run(context.Background(), db, opts)
	return o.String(), e.String(), err
}

// The same script on both engines: multi-line statements, several on a
// line, ';' inside strings and comments, an error in the middle, dot-commands.
const script = `CREATE TABLE t(id INTEGER NOT NULL, name TEXT);
INSERT INTO t VALUES (1, 'a;b'),
                     (2, NULL);  -- two rows; one NULL
CREATE VIEW v AS SELECT id FROM t WHERE id > 1;
SELECT *
  FROM t /* ; not the end */
 ORDER BY id;
.tables
.mode csv
SELECT 1 AS x; SELECT 'it''s' AS y;
SELECT nope FROM t;
.mode json
SELECT id, name FROM t ORDER BY id;
.mode table
.functions
SELECT count(*) AS n FROM t
`

func TestScript(t *testing.T) {
	common := "" +
		" id | name\n" +
		"----+------\n" +
		"  1 | a;b\n" +
		"  2 | NULL\n" +
		"(2 rows)\n" +
		"t\nv\n" +
		"x\n1\n" +
		"y\nit's\n" +
		"[\n" + `{"id":1,"name":"a;b"},` + "\n" + `{"id":2,"name":null}` + "\n]\n" +
		"assign_segment\nrfm_score\n" +
		" n\n---\n 2\n(1 row)\n"
	for _, c := range []struct {
		driver  string
		errLine string // the message for SELECT nope (line 11)
	}{
		{"sqlite3", "Error: near line 11: no such column: nope\n"},
		{"duckdb", `Error: near line 11: Binder Error: Referenced column "nope" not found in FROM clause!`},
	} {
		t.Run(c.driver, func(t *testing.T) {
			out, errs, err := runScript(t, c.driver, script, Options{FunctionNames: []string{"rfm_score", "assign_segment"}})
			if out != common {
				t.Errorf("output:\n%s\nwant:\n%s", out, common)
			}
			if !strings.HasPrefix(errs, c.errLine) || strings.Count("\n"+errs, "\nError: ") != 1 {
				t.Errorf("errors: %q, want one starting %q", errs, c.errLine)
			}
			if err == nil || err.Error() != "1 of 9 statements failed" {
				t.Errorf("Run returned %v", err)
			}
		})
	}
}

func TestSchema(t *testing.T) {
	setup := "CREATE TABLE t(id INTEGER NOT NULL, name TEXT);\nCREATE VIEW v AS SELECT id FROM t WHERE id > 1;\nCREATE TABLE u(x DOUBLE);\n"
	cases := []struct {
		driver, cmd, want, errs string
	}{
		{"sqlite3", ".schema", "CREATE TABLE t(id INTEGER NOT NULL, name TEXT);\nCREATE TABLE u(x DOUBLE);\nCREATE VIEW v AS SELECT id FROM t WHERE id > 1;\n", ""},
		{"sqlite3", ".schema T", "CREATE TABLE t(id INTEGER NOT NULL, name TEXT);\n", ""},
		{"sqlite3", ".schema nosuch", "", "Error: near line 4: .schema: no table or view named \"nosuch\"\n"},
		// DuckDB: rebuilt from information_schema, views from their definition.
		{"duckdb", ".schema", "CREATE TABLE t (\n    id INTEGER NOT NULL,\n    name VARCHAR\n);\n" +
			"CREATE TABLE u (\n    x DOUBLE\n);\n" +
			"CREATE VIEW v AS SELECT id FROM t WHERE (id > 1);\n", ""},
		{"duckdb", ".schema U", "CREATE TABLE u (\n    x DOUBLE\n);\n", ""},
		{"duckdb", ".schema nosuch", "", "Error: near line 4: .schema: no table or view named \"nosuch\"\n"},
	}
	for _, c := range cases {
		t.Run(c.driver+" "+c.cmd, func(t *testing.T) {
			out, errs, _ := runScript(t, c.driver, setup+c.cmd+"\n", Options{})
			if out != c.want || errs != c.errs {
				t.Errorf("output:\n%s\nerrors: %q\nwant:\n%s\nerrors: %q", out, errs, c.want, c.errs)
			}
		})
	}
}

func TestDotCommands(t *testing.T) {
	cases := []struct {
		name, script string
		opts         Options
		want         string // output (Run Time lines removed)
		errs         []string
		runErr       string
	}{
		{"quit stops", "SELECT 1 AS a;\n.quit\nSELECT 2 AS b;\n", Options{Format: output.CSV}, "a\n1\n", nil, ""},
		{"exit stops", ".exit\nSELECT nope;\n", Options{}, "", nil, ""},
		{"timer", ".timer on\nSELECT 1 AS a;\n.timer off\nSELECT 2 AS b;\n", Options{Format: output.CSV}, "a\n1\nRun Time\nb\n2\n", nil, ""},
		{"mode shows", ".mode\n.mode json\n.mode\n", Options{}, "table\njson\n", nil, ""},
		{"bad mode", ".mode xml\n", Options{}, "", []string{`Error: near line 1: unknown output format "xml": use table, csv or json`}, "1 of 1 statements failed"},
		{"bad timer", ".timer maybe\n", Options{}, "", []string{"Error: near line 1: usage: .timer on|off"}, "1 of 1 statements failed"},
		{"unknown", ".frobnicate\n", Options{}, "", []string{"Error: near line 1: unknown command .frobnicate: .help lists the commands"}, "1 of 1 statements failed"},
		{"help", ".help\n", Options{}, help, nil, ""},
		{"no functions", ".functions\n", Options{}, "(no custseg functions registered)\n", nil, ""},
		{"dot inside a statement is SQL", "SELECT\n.5 AS a;\n", Options{Format: output.CSV}, "a\n0.5\n", nil, ""},
		{"unclosed quote at end", "SELECT 'abc\n", Options{}, "", []string{"Error: near line 1: incomplete statement at end of input"}, "1 of 1 statements failed"},
		{"comment only", "-- nothing here;\n/* nor; here */\n", Options{}, "", nil, ""},
		{"statements share a connection", "CREATE TEMP TABLE tt AS SELECT 5 AS v;\nSELECT v FROM tt;\n", Options{Format: output.CSV}, "v\n5\n", nil, ""},
		{"returning shows rows", "CREATE TABLE r(a INTEGER);\nINSERT INTO r VALUES (7) RETURNING a;\n", Options{Format: output.CSV}, "a\n7\n", nil, ""},
	}
	for _, driver := range []string{"sqlite3", "duckdb"} {
		for _, c := range cases {
			t.Run(driver+" "+c.name, func(t *testing.T) {
				out, errs, err := runScript(t, driver, c.script, c.opts)
				var kept []string
				for _, l := range strings.SplitAfter(out, "\n") {
					if strings.HasPrefix(l, "Run Time: ") {
						l = "Run Time\n"
					}
					kept = append(kept, l)
				}
				if got := strings.Join(kept, ""); got != c.want {
					t.Errorf("output:\n%q\nwant:\n%q", got, c.want)
				}
				for _, e := range c.errs {
					if !strings.Contains(errs, e) {
						t.Errorf("errors %q lack %q", errs, e)
					}
				}
				if len(c.errs) == 0 && errs != "" {
					t.Errorf("unexpected errors %q", errs)
				}
				if (err == nil) != (c.runErr == "") || (err != nil && err.Error() != c.runErr) {
					t.Errorf("Run returned %v, want %q", err, c.runErr)
				}
			})
		}
	}
}

func TestReturnsRows(t *testing.T) {
	for stmt, want := range map[string]bool{
		"SELECT 1": true, "with x as (select 1) select * from x": true, "PRAGMA table_info(t)": true,
		"create table t(a)": false, "  -- c\n/* d */ INSERT INTO t VALUES (1)": false,
		"INSERT INTO t VALUES (1) RETURNING *": true, "(SELECT 1)": true, "SUMMARIZE t": true, "DROP TABLE t": false,
	} {
		if got := returnsRows(stmt); got != want {
			t.Errorf("returnsRows(%q) = %v", stmt, got)
		}
	}
}
