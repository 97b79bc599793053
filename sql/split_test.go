package custsql

import (
	"reflect"
	"testing"
)

// The cases of the three splitters this one replaces: the REPL's (input
// read line by line, complete statements and the rest), sql/test's (line
// numbers for error reports) and the embedded SQL's (a last statement
// without ';', comment lines).
func TestSplit(t *testing.T) {
	type st = Statement
	cases := []struct {
		in    string
		stmts []Statement
		tail  string
		open  bool
	}{
		// REPL
		{"SELECT 1;", []st{{"SELECT 1", 1}}, "", false},
		{"SELECT 1; SELECT 2;\n", []st{{"SELECT 1", 1}, {"SELECT 2", 1}}, "", false},
		{"\n\nSELECT\n1;", []st{{"SELECT\n1", 3}}, "", false},
		{"SELECT 'a;b', \"c;d\" -- e;f\n;", []st{{"SELECT 'a;b', \"c;d\" -- e;f", 1}}, "", false},
		{"SELECT 'it''s;';", []st{{"SELECT 'it''s;'", 1}}, "", false},
		{"SELECT /* ; */ 1; SELECT 2", []st{{"SELECT /* ; */ 1", 1}}, " SELECT 2", false},
		{"SELECT 'open;", nil, "SELECT 'open;", true},
		{"SELECT \"open;", nil, "SELECT \"open;", true},
		{";;  ; -- x;\n", nil, "", false},
		{"/* open", nil, "/* open", true},
		{"SELECT 1; /* a\n; */", []st{{"SELECT 1", 1}}, "", false},
		// sql/test: comments before a statement are not part of it, its line
		// is that of its first token.
		{"-- header\n\n-- about q\nSELECT 1 = 1;\n/* x */ SELECT\n  2;\n", []st{{"SELECT 1 = 1", 4}, {"SELECT\n  2", 5}}, "", false},
		{"INSERT INTO t VALUES ('a;\nb');\nSELECT 3;", []st{{"INSERT INTO t VALUES ('a;\nb')", 1}, {"SELECT 3", 3}}, "", false},
		// embedded SQL: the last statement may lack its ';'.
		{"DROP TABLE x;\nCREATE TABLE x AS\n-- why\nSELECT 1\n", []st{{"DROP TABLE x", 1}}, "\nCREATE TABLE x AS\n-- why\nSELECT 1\n", false},
		{"SELECT 1 -- trailing", nil, "SELECT 1 -- trailing", false},
	}
	for _, c := range cases {
		stmts, tail, open := Split(c.in)
		if !reflect.DeepEqual(stmts, c.stmts) || tail != c.tail || open != c.open {
			t.Errorf("Split(%q) = %+v, %q, %v; want %+v, %q, %v", c.in, stmts, tail, open, c.stmts, c.tail, c.open)
		}
	}
}

func TestScript(t *testing.T) {
	cases := []struct {
		in   string
		want []Statement
	}{
		{"DROP TABLE x;\nCREATE TABLE x AS\n-- why\nSELECT 1\n", []Statement{{"DROP TABLE x", 1}, {"CREATE TABLE x AS\n-- why\nSELECT 1", 2}}},
		{"SELECT 1;\n\n  SELECT 2 -- trailing", []Statement{{"SELECT 1", 1}, {"SELECT 2 -- trailing", 3}}},
		{"SELECT 1;\n\nSELECT 'open", []Statement{{"SELECT 1", 1}, {"SELECT 'open", 3}}},
		{"-- only a comment\n", nil},
	}
	for _, c := range cases {
		if got := Script(c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("Script(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	if got := Statements("SELECT 1; SELECT 2"); !reflect.DeepEqual(got, []string{"SELECT 1", "SELECT 2"}) {
		t.Errorf("Statements = %q", got)
	}
}

func TestKeyword(t *testing.T) {
	for in, want := range map[string]string{
		"select 1": "SELECT", "  -- c\n/* d */ (WITH x AS (SELECT 1) SELECT * FROM x)": "WITH",
		"VALUES (1)": "VALUES", "from t": "FROM", "DROP TABLE t": "DROP", "": "", "-- only": "", "/* open": "",
	} {
		if got := Keyword(in); got != want {
			t.Errorf("Keyword(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIdent(t *testing.T) {
	for in, want := range map[string]string{"monetary": `"monetary"`, `a"b`: `"a""b"`, "x; DROP TABLE y": `"x; DROP TABLE y"`} {
		if got := Ident(in); got != want {
			t.Errorf("Ident(%q) = %s, want %s", in, got, want)
		}
	}
}
