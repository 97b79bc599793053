//go:build !custseg_loadable

package sqlitefn

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	_ "github.com/mattn/go-sqlite3" // the SQLite AutoExtension registers with

	"github.com/custseg/custseg/ext/internal/sqltest"
	"github.com/custseg/custseg/udf/catalog"
)

// These tests live in the package so that they can register functions of
// their own; package ext/sqlite tests the catalog's functions end to end.

// Functions only these tests register (through registered), to drive the
// binding's aggregate, panic and value-conversion paths independently of
// what the catalog holds.
var (
	testMean = &catalog.Function{
		Name: "custseg_test_mean", Kind: catalog.Aggregate,
		Params: []catalog.Param{{Name: "x", Type: catalog.Double}},
		Result: catalog.Double, Deterministic: true, Null: catalog.SkipNullRows,
	}
	testPanic = &catalog.Function{
		Name: "custseg_test_panic", Kind: catalog.Scalar,
		Params: []catalog.Param{{Name: "x", Type: catalog.Any}},
		Result: catalog.Integer, Null: catalog.CallOnNull,
	}
	// custseg_test_echo(a...) returns its arguments described: "INTEGER 1|TEXT 'x'|...".
	testEcho = &catalog.Function{
		Name: "custseg_test_echo", Kind: catalog.Scalar,
		Variadic: &catalog.Param{Name: "a", Type: catalog.Any},
		Result:   catalog.Text, Null: catalog.CallOnNull,
	}
)

type meanState struct {
	n   int
	sum float64
}

// Query helpers shared with the other binding tests (ext/internal/sqltest).
var (
	queryValue = sqltest.QueryValue
	mustValue  = sqltest.MustValue
	mustExec   = sqltest.MustExec
	wantError  = sqltest.WantError
)

func (s *meanState) Step(c *catalog.Call, args []catalog.Value) error {
	x, err := testMean.Float(args, 0)
	if err != nil {
		return err
	}
	if x == -999 {
		panic("step panic requested")
	}
	if x > 1e300 {
		return errors.New("x is too large")
	}
	s.n++
	s.sum += x
	return nil
}

func (s *meanState) Merge(o catalog.AggregateState) error {
	m := o.(*meanState)
	s.n += m.n
	s.sum += m.sum
	return nil
}

func (s *meanState) Final(c *catalog.Call) (catalog.Value, error) {
	if s.n == 0 {
		return catalog.NullValue(), nil
	}
	return catalog.DoubleValue(s.sum / float64(s.n)), nil
}

func init() {
	testMean.NewAggregate = func() catalog.AggregateState { return &meanState{} }
	testPanic.Scalar = func(c *catalog.Call, args []catalog.Value) (catalog.Value, error) {
		panic("boom")
	}
	testEcho.Scalar = func(c *catalog.Call, args []catalog.Value) (catalog.Value, error) {
		parts := make([]string, len(args))
		for i, a := range args {
			switch a.Type {
			case catalog.Text:
				parts[i] = "TEXT " + strconv.Quote(a.Text)
			default:
				parts[i] = a.Type.String() + " " + a.String()
			}
		}
		return catalog.TextValue(strings.Join(parts, "|")), nil
	}
	registered = func() []*catalog.Function {
		return append(catalog.All(), testMean, testPanic, testEcho)
	}
	// The SQLite under test is mattn's, as in package ext/sqlite.
	if err := AutoExtension(); err != nil {
		panic(err)
	}
}

func TestAggregateSkipsNullRowsAndEmptyGroupIsNull(t *testing.T) {
	db := openDB(t)
	if v := mustValue(t, db, `SELECT custseg_test_mean(x) FROM (SELECT 1.0 AS x UNION ALL SELECT NULL UNION ALL SELECT 3.0)`); v != 2.0 {
		t.Errorf("mean skipping NULL = %v, want 2", v)
	}
	if v := mustValue(t, db, `SELECT custseg_test_mean(x) FROM (SELECT 1.0 AS x) WHERE x > 5`); v != nil {
		t.Errorf("mean of no rows = %v, want NULL", v)
	}
}

func TestAggregateGroupByErrorsAndHandles(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(1) // no registrations of a second connection in the count
	base := live.Load()
	mustExec(t, db, `CREATE TABLE pts (g TEXT, x DOUBLE)`)
	mustExec(t, db, `INSERT INTO pts VALUES ('a', 1), ('a', 3), ('b', 10), ('b', NULL), ('b', 20), ('c', NULL)`)
	rows, err := db.Query(`SELECT g, custseg_test_mean(x) FROM pts GROUP BY g ORDER BY g`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{}
	for rows.Next() {
		var g string
		var m any
		if err := rows.Scan(&g, &m); err != nil {
			t.Fatal(err)
		}
		got[g] = m
	}
	rows.Close()
	if got["a"] != 2.0 || got["b"] != 15.0 || got["c"] != nil || len(got) != 3 {
		t.Errorf("GROUP BY means = %v, want a:2 b:15 c:NULL", got)
	}
	// An error in xStep fails the statement with the function's name.
	mustExec(t, db, `INSERT INTO pts VALUES ('d', 1e301)`)
	wantError(t, db, `SELECT max(m) FROM (SELECT custseg_test_mean(x) AS m FROM pts GROUP BY g)`, "custseg_test_mean: ", "too large")
	// A panic inside the implementation is an error, not a crash.
	wantError(t, db, `SELECT custseg_test_mean(x) FROM (SELECT 1.0 AS x UNION ALL SELECT -999.0)`, "custseg_test_mean: internal error", "step panic requested")
	wantError(t, db, `SELECT custseg_test_mean('abc')`, "custseg_test_mean: ", "x must be a number")
	// A result set abandoned after the first group: SQLite still finalises
	// the open aggregate, so no state handle is left behind.
	rows, err = db.Query(`SELECT g, custseg_test_mean(x) FROM pts WHERE g <> 'd' GROUP BY g`)
	if err != nil {
		t.Fatal(err)
	}
	if !rows.Next() {
		t.Fatal("no first group")
	}
	rows.Close()
	if got := live.Load() - base; got != 0 {
		t.Errorf("aggregate handles left after errors and an abandoned query: %d", got)
	}
}

func TestClosingConnectionsReleasesRegistrations(t *testing.T) {
	base := live.Load()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := queryValue(db, `SELECT rfm_segment(555)`); err != nil {
		t.Fatal(err)
	}
	if live.Load() <= base {
		t.Errorf("an open connection holds no registrations")
	}
	db.Close()
	if got := live.Load() - base; got != 0 {
		t.Errorf("handles left after closing the database: %d", got)
	}
}

func TestPanicInScalarIsAnError(t *testing.T) {
	db := openDB(t)
	wantError(t, db, `SELECT custseg_test_panic(1)`, "custseg_test_panic: internal error", "boom")
	// The connection still works.
	if v := mustValue(t, db, `SELECT rfm_segment(555)`); v != "Champions" {
		t.Errorf("rfm_segment(555) after a panic = %v", v)
	}
}

func TestValueConversion(t *testing.T) {
	db := openDB(t)
	big := strings.Repeat("é", 5000)
	cases := []struct {
		q    string
		args []any
		want string
	}{
		{`SELECT custseg_test_echo(NULL, 1, -9223372036854775808, 2.5, 'x', '', x'00ff')`, nil,
			`NULL NULL|INTEGER 1|INTEGER -9223372036854775808|DOUBLE 2.5|TEXT "x"|TEXT ""|TEXT "\x00\xff"`},
		{`SELECT custseg_test_echo(?, ?, ?)`, []any{"a\x00b", 1e300, math.Inf(-1)},
			`TEXT "a\x00b"|DOUBLE 1e+300|DOUBLE -Inf`},
		{`SELECT custseg_test_echo()`, nil, ``},
		{`SELECT length(custseg_test_echo(?))`, []any{big}, strconv.Itoa(len(`TEXT "`) + 5000 + 1)},
	}
	for _, c := range cases {
		v, err := queryValue(db, c.q, c.args...)
		if err != nil {
			t.Errorf("%s: %v", c.q, err)
			continue
		}
		if s := fmt.Sprint(v); s != c.want {
			t.Errorf("%s = %s, want %s", c.q, s, c.want)
		}
	}
	// More arguments than the C glue keeps on its stack (16).
	args := strings.TrimSuffix(strings.Repeat("7, ", 40), ", ")
	v := mustValue(t, db, `SELECT custseg_test_echo(`+args+`)`)
	if want := strings.TrimSuffix(strings.Repeat("INTEGER 7|", 40), "|"); v != want {
		t.Errorf("40 arguments: %v", v)
	}
	// An empty text result is '' , not NULL.
	if v := mustValue(t, db, `SELECT custseg_test_echo() IS NOT NULL AND custseg_test_echo() = ''`); v != int64(1) {
		t.Errorf("empty text result is not ''")
	}
}

func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	// Open the first connection now, so that its registrations precede
	// any count of live handles a test takes.
	if err := db.Ping(); err != nil {
		t.Fatal(err)
	}
	return db
}
