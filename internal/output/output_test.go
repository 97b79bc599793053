package output

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
	_ "github.com/mattn/go-sqlite3"
)

func open(t *testing.T, driver string) *sql.DB {
	t.Helper()
	db, err := sql.Open(driver, "")
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1) // in-memory SQLite is per connection
	t.Cleanup(func() { db.Close() })
	return db
}

func render(t *testing.T, db *sql.DB, query string, f Format) (string, int) {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	n, err := Write(&b, rows, f)
	if err != nil {
		t.Fatal(err)
	}
	return b.String(), n
}

const twoRows = "SELECT 1 AS n, 'alice' AS name, 2.5 AS x, NULL AS z UNION ALL SELECT 12, 'bob', 0.1, 'q'"

func TestWrite(t *testing.T) {
	cases := []struct {
		name, driver, query string
		format              Format
		want                string
		rows                int
	}{
		{"table sqlite", "sqlite3", twoRows, Table, "" +
			"  n |  name |  x  |   z\n" +
			"----+-------+-----+------\n" +
			"  1 | alice | 2.5 | NULL\n" +
			" 12 | bob   | 0.1 | q\n" +
			"(2 rows)\n", 2},
		// DuckDB gives INTEGER (int32) and DECIMAL(2,1): the same picture.
		{"table duckdb", "duckdb", twoRows, Table, "" +
			"  n |  name |  x  |   z\n" +
			"----+-------+-----+------\n" +
			"  1 | alice | 2.5 | NULL\n" +
			" 12 | bob   | 0.1 | q\n" +
			"(2 rows)\n", 2},
		{"csv sqlite", "sqlite3", twoRows, CSV, "n,name,x,z\n1,alice,2.5,\n12,bob,0.1,q\n", 2},
		{"csv duckdb", "duckdb", twoRows, CSV, "n,name,x,z\n1,alice,2.5,\n12,bob,0.1,q\n", 2},
		{"json sqlite", "sqlite3", twoRows, JSON, "[\n" +
			`{"n":1,"name":"alice","x":2.5,"z":null},` + "\n" +
			`{"n":12,"name":"bob","x":0.1,"z":"q"}` + "\n]\n", 2},
		{"json duckdb", "duckdb", twoRows, JSON, "[\n" +
			`{"n":1,"name":"alice","x":2.5,"z":null},` + "\n" +
			`{"n":12,"name":"bob","x":0.1,"z":"q"}` + "\n]\n", 2},
		{"one row", "sqlite3", "SELECT 'x' AS a", Table, " a\n---\n x\n(1 row)\n", 1},
		{"no rows table", "duckdb", "SELECT 1 AS a WHERE false", Table, " a\n---\n(0 rows)\n", 0},
		{"no rows csv", "sqlite3", "SELECT 1 AS a WHERE 0", CSV, "a\n", 0},
		{"no rows json", "duckdb", "SELECT 1 AS a WHERE false", JSON, "[]\n", 0},
		{"no columns", "sqlite3", "CREATE TABLE t(a)", Table, "", 0},
		// Shortest float text, no exponent in the usual range.
		{"floats sqlite", "sqlite3", "SELECT 1.0/3 AS third, 8911407.9 AS m, 1e20 AS big, 3.0 AS three, -0.00001 AS tiny", CSV,
			"third,m,big,three,tiny\n0.3333333333333333,8911407.9,1e+20,3,-0.00001\n", 1},
		{"floats duckdb", "duckdb", "SELECT 1.0/3 AS third, 8911407.9::DOUBLE AS m, 1e20::DOUBLE AS big, 3.0::DOUBLE AS three, 'nan'::DOUBLE AS nan", JSON,
			"[\n" + `{"third":0.3333333333333333,"m":8911407.9,"big":1e+20,"three":3,"nan":null}` + "\n]\n", 1},
		{"dates duckdb", "duckdb", "SELECT DATE '2011-12-09' AS d, TIMESTAMP '2011-12-09 12:50:00' AS ts, TIMESTAMP '2011-12-09 12:50:00.25' AS frac", CSV,
			"d,ts,frac\n2011-12-09,2011-12-09 12:50:00,2011-12-09 12:50:00.25\n", 1},
		{"dates sqlite", "sqlite3", "CREATE TABLE d(d DATE, ts TIMESTAMP); INSERT INTO d VALUES ('2011-12-09', '2011-12-09 12:50:00'); SELECT * FROM d", CSV,
			"d,ts\n2011-12-09,2011-12-09 12:50:00\n", 1},
		{"quoting", "sqlite3", `SELECT 'a,b"c' AS s, 'two' || char(10) || 'lines' AS nl`, CSV,
			"s,nl\n\"a,b\"\"c\",\"two\nlines\"\n", 1},
		{"escapes in table", "sqlite3", `SELECT 'two' || char(10) || 'lines' AS nl`, Table,
			"     nl\n------------\n two\\nlines\n(1 row)\n", 1},
		{"long text cut", "duckdb", "SELECT repeat('ab', 40) AS s", Table,
			"  " + strings.Repeat(" ", 29) + "s\n" + strings.Repeat("-", 62) + "\n " + strings.Repeat("ab", 29) + "a…\n(1 row)\n", 1},
		{"blob and bool sqlite", "sqlite3", "SELECT x'00ff' AS b, x'6869' AS h", JSON,
			"[\n" + `{"b":"\\x00ff","h":"hi"}` + "\n]\n", 1},
		{"bool duckdb", "duckdb", "SELECT true AS t, '\\x00\\xFF'::BLOB AS b", Table,
			"   t  |    b\n------+--------\n true | \\x00ff\n(1 row)\n", 1},
		// Exact big numbers: HUGEINT as *big.Int, DECIMAL(38,10) as duckdb.Decimal.
		{"big numbers duckdb", "duckdb", "SELECT 170141183460469231731687303715884105727::HUGEINT AS h, 12345678901234567890.0123456789::DECIMAL(38,10) AS d", JSON,
			"[\n" + `{"h":170141183460469231731687303715884105727,"d":12345678901234567890.0123456789}` + "\n]\n", 1},
		{"nested duckdb", "duckdb", "SELECT [1, 2, NULL] AS l, {'a': 1, 'b': 'x'} AS s, MAP {'k': 2.5} AS m", JSON,
			"[\n" + `{"l":[1,2,null],"s":{"a":1,"b":"x"},"m":{"k":2.5}}` + "\n]\n", 1},
		{"nested table duckdb", "duckdb", "SELECT [1, 2] AS l", Table, "   l\n-------\n [1,2]\n(1 row)\n", 1},
		// Types whose Go value needs the column type: UUID ([]byte), TIME
		// (time.Time), INTERVAL (a struct), plus small unsigned ints and FLOAT.
		{"other types duckdb", "duckdb", "SELECT '4ba1b0a6-7b2c-4e0b-9e0a-3a1d5c1b2a10'::UUID AS u, " +
			"INTERVAL 14 MONTH + INTERVAL 3 DAY + INTERVAL 2 HOUR + INTERVAL 500 MILLISECOND AS i, " +
			"TIME '12:34:56' AS tm, 'a'::ENUM('a','b') AS e, 200::UTINYINT AS ut, 1.5::FLOAT AS f4", CSV,
			"u,i,tm,e,ut,f4\n4ba1b0a6-7b2c-4e0b-9e0a-3a1d5c1b2a10,1 year 2 months 3 days 02:00:00.5,12:34:56,a,200,1.5\n", 1},
		{"other types json duckdb", "duckdb", "SELECT '4ba1b0a6-7b2c-4e0b-9e0a-3a1d5c1b2a10'::UUID AS u, INTERVAL 0 DAY AS i, 200::UTINYINT AS ut", JSON,
			"[\n" + `{"u":"4ba1b0a6-7b2c-4e0b-9e0a-3a1d5c1b2a10","i":"00:00:00","ut":200}` + "\n]\n", 1},
		{"unicode width", "sqlite3", "SELECT '£5' AS p, 'ü' AS u UNION ALL SELECT 'x', 'yy'", Table,
			"  p |  u\n----+----\n £5 | ü\n x  | yy\n(2 rows)\n", 2},
		// Double-width runes take two cells; numbers stay right-aligned.
		{"wide runes", "sqlite3", "SELECT '東京' AS city, 7 AS n UNION ALL SELECT 'Graz', 12", Table,
			" city |  n\n------+----\n 東京 |  7\n Graz | 12\n(2 rows)\n", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			db := open(t, c.driver)
			q := c.query
			if i := strings.LastIndex(q, "; "); i >= 0 {
				for _, s := range strings.Split(q[:i], "; ") {
					if _, err := db.Exec(s); err != nil {
						t.Fatal(err)
					}
				}
				q = q[i+2:]
			}
			got, n := render(t, db, q, c.format)
			if got != c.want || n != c.rows {
				t.Errorf("got %d rows:\n%s\nwant %d rows:\n%s", n, got, c.rows, c.want)
			}
		})
	}
}

// JSON and CSV output read back as what went in, on both engines.
func TestRoundTrip(t *testing.T) {
	for _, driver := range []string{"sqlite3", "duckdb"} {
		db := open(t, driver)
		q := `SELECT 7 AS id, 'say "hi", <b>&' AS s, NULL AS none, 2.25 AS f`
		js, _ := render(t, db, q, JSON)
		var got []map[string]any
		if err := json.Unmarshal([]byte(js), &got); err != nil {
			t.Fatalf("%s: invalid JSON %q: %v", driver, js, err)
		}
		want := map[string]any{"id": 7.0, "s": `say "hi", <b>&`, "none": nil, "f": 2.25}
		if len(got) != 1 || len(got[0]) != len(want) {
			t.Fatalf("%s: %v", driver, got)
		}
		for k, v := range want {
			if got[0][k] != v {
				t.Errorf("%s: %s = %#v, want %#v", driver, k, got[0][k], v)
			}
		}
		cs, _ := render(t, db, q, CSV)
		recs, err := csv.NewReader(strings.NewReader(cs)).ReadAll()
		if err != nil || len(recs) != 2 || recs[1][1] != `say "hi", <b>&` || recs[1][2] != "" {
			t.Errorf("%s: CSV %q read back as %q (%v)", driver, cs, recs, err)
		}
	}
}

// countingWriter counts Write calls.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) { w.writes++; return w.Buffer.Write(p) }

// JSON is written as rows arrive, not gathered first.
func TestJSONStreams(t *testing.T) {
	db := open(t, "duckdb")
	rows, err := db.Query("SELECT range AS i, 'row ' || range AS s FROM range(100000)")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var w countingWriter
	n, err := Write(&w, rows, JSON)
	if err != nil || n != 100000 {
		t.Fatal(n, err)
	}
	if w.writes < 10 {
		t.Errorf("%d writes for %d bytes: output was buffered", w.writes, w.Len())
	}
	var got []struct {
		I int64
		S string
	}
	if err := json.Unmarshal(w.Bytes(), &got); err != nil || len(got) != 100000 || got[99999].I != 99999 || got[5].S != "row 5" {
		t.Fatalf("bad JSON: %v", err)
	}
}

func TestWriteTable(t *testing.T) {
	var b strings.Builder
	err := WriteTable(&b, []string{"segment", "customers", "share"},
		[][]string{{"champions", "412", "9.5%"}, {"lost", "1300", "30.0%"}, {"short"}}, []bool{false, true, true})
	want := "" +
		"  segment  | customers | share\n" +
		"-----------+-----------+-------\n" +
		" champions |       412 |  9.5%\n" +
		" lost      |      1300 | 30.0%\n" +
		" short     |           |\n"
	if err != nil || b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]Format{"table": Table, "CSV": CSV, " json ": JSON} {
		if f, err := ParseFormat(in); err != nil || f != want {
			t.Errorf("ParseFormat(%q) = %q, %v", in, f, err)
		}
	}
	if _, err := ParseFormat("xml"); err == nil || !strings.Contains(err.Error(), "table, csv or json") {
		t.Errorf("ParseFormat(xml): %v", err)
	}
}
