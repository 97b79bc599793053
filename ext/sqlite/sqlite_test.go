package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	custsql "github.com/custseg/custseg/sql"

	extsqlite "github.com/custseg/custseg/ext/sqlite"
	"github.com/custseg/custseg/ext/sqlite/sqlitefn"
	"github.com/custseg/custseg/udf/catalog"
)

// Functions only these tests register (sqlitefn.RegisterExtra), to drive
// the binding's aggregate, panic and value-conversion paths independently
// of what the catalog holds.
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
	for _, f := range []*catalog.Function{testMean, testPanic, testEcho} {
		sqlitefn.RegisterExtra(f)
	}
}

// rfmSpec is a small RFM model: cut points q20..q80 of recency, frequency and
// monetary. rfm_score(rfmSpec, 12, 4, 800) = 444 by the scoring rule
// (5 - #cuts below recency, 1 + #cuts below frequency / monetary).
const rfmSpec = `{"kind":"rfm","format":1,"recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}`

// rfmSpec2 shifts every cut, so the same customer scores differently: 12 days
// is above 11 only (R=4), 4 purchases above 1 only (F=2), 800 above 100, 250,
// 500 (M=4) → 424... computed below in the tests that use it.
const rfmSpec2 = `{"kind":"rfm","format":1,"recency_cuts":[5,11,20,40],"frequency_cuts":[3,6,9,12],"monetary_cuts":[50,100,200,400]}`

func openDB(t testing.TB) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "t.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, stmt := range custsql.Statements(custsql.Schema()) {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatalf("schema: %v\n%s", err, stmt)
		}
	}
	return db
}

func insertModel(t testing.TB, db interface {
	Exec(string, ...any) (sql.Result, error)
}, name string, version int64, kind, spec string, active bool) {
	t.Helper()
	if active {
		if _, err := db.Exec(`UPDATE custseg_models SET active = 0 WHERE name = ?`, name); err != nil {
			t.Fatal(err)
		}
	}
	_, err := db.Exec(`INSERT INTO custseg_models (name, version, kind, created_at, spec, active)
		VALUES (?, ?, ?, '2026-01-01 00:00:00', ?, ?)`, name, version, kind, spec, active)
	if err != nil {
		t.Fatal(err)
	}
}

// queryValue runs a query returning one value.
func queryValue(db interface {
	QueryRow(string, ...any) *sql.Row
}, q string, args ...any) (any, error) {
	var v any
	err := db.QueryRow(q, args...).Scan(&v)
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	return v, err
}

func mustValue(t testing.TB, db *sql.DB, q string, args ...any) any {
	t.Helper()
	v, err := queryValue(db, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// wantError runs q and checks that it fails with a message starting with
// prefix and containing every fragment.
func wantError(t *testing.T, db *sql.DB, q, prefix string, fragments ...string) {
	t.Helper()
	v, err := queryValue(db, q)
	if err == nil {
		t.Errorf("%s: got %v, want an error starting %q", q, v, prefix)
		return
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("%s: error %q does not start with %q", q, msg, prefix)
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("%s: error %q does not mention %q", q, msg, f)
		}
	}
}

func TestOneSQLiteAndAllFunctionsRegistered(t *testing.T) {
	db := openDB(t)
	// mattn/go-sqlite3 v1.14.53 embeds SQLite 3.54.1: the functions live in
	// that SQLite, not a second copy.
	if v := mustValue(t, db, `SELECT sqlite_version()`); v != "3.54.1" {
		t.Errorf("sqlite_version() = %v, want mattn's 3.54.1", v)
	}
	if len(catalog.All()) == 0 {
		t.Fatal("the catalog is empty")
	}
	for _, f := range sqlitefn.Functions() {
		rows, err := db.Query(`SELECT type, narg, flags FROM pragma_function_list WHERE name = ?`, f.Name)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var typ string
			var narg, flags int64
			if err := rows.Scan(&typ, &narg, &flags); err != nil {
				t.Fatal(err)
			}
			n++
			wantType := map[catalog.Kind]string{catalog.Scalar: "s", catalog.Aggregate: "a"}[f.Kind]
			if typ != wantType || narg != -1 {
				t.Errorf("%s: registered as type %q narg %d, want %q and -1", f.Name, typ, narg, wantType)
			}
			if det := flags&0x800 != 0; det != f.Deterministic {
				t.Errorf("%s: SQLITE_DETERMINISTIC = %v, want %v (flags %#x)", f.Name, det, f.Deterministic, flags)
			}
		}
		rows.Close()
		if n != 1 {
			t.Errorf("%s: %d registrations in pragma_function_list, want 1", f.Name, n)
		}
	}
}

// TestCatalogExamples runs every function's documented example through SQL
// and compares it with the documented result, so each catalog function is
// exercised end to end through this binding.
func TestCatalogExamples(t *testing.T) {
	db := openDB(t)
	for _, f := range catalog.All() {
		t.Run(f.Name, func(t *testing.T) {
			if f.Example == "" {
				t.Fatalf("%s has no Example", f.Name)
			}
			q := f.ExampleQuery()
			got, err := queryValue(db, q)
			if err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			if err := f.CheckExample(got); err != nil {
				t.Error(err)
			}
		})
	}
}

// argList is "1, 1, ..., NULL (at null), ..." with n arguments.
func argList(n, null int, filler string) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = filler
		if i == null {
			parts[i] = "NULL"
		}
	}
	return strings.Join(parts, ", ")
}

func arities(f *catalog.Function) []int {
	max := f.MaxArgs()
	if max < 0 || max > f.MinArgs()+2 {
		max = f.MinArgs() + 2
	}
	var out []int
	for n := f.MinArgs(); n <= max; n++ {
		out = append(out, n)
	}
	return out
}

func TestScalarNullArgumentGivesNull(t *testing.T) {
	db := openDB(t)
	checked := 0
	for _, f := range catalog.All() {
		if f.Kind != catalog.Scalar || f.Null != catalog.NullInNullOut {
			continue
		}
		for _, n := range arities(f) {
			for i := 0; i < n; i++ {
				q := fmt.Sprintf("SELECT %s(%s)", f.Name, argList(n, i, "1"))
				if v := mustValue(t, db, q); v != nil {
					t.Errorf("%s = %v, want NULL", q, v)
				}
				checked++
			}
		}
	}
	if checked == 0 {
		t.Fatal("no NULL-in-NULL-out scalar in the catalog")
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

// Text where a number belongs is an error naming the function, for every
// scalar with a numeric parameter and every aggregate.
func TestWrongTypesAreErrorsNamingTheFunction(t *testing.T) {
	db := openDB(t)
	for _, f := range catalog.All() {
		n := f.MinArgs()
		for i := 0; i < n; i++ {
			typ := catalog.Any
			if i < len(f.Params) {
				typ = f.Params[i].Type
			} else if f.Variadic != nil {
				typ = f.Variadic.Type
			}
			if typ != catalog.Double && typ != catalog.Integer {
				continue
			}
			args := strings.Split(argList(n, -1, "1"), ", ")
			args[i] = "'abc'"
			q := fmt.Sprintf("SELECT %s(%s)", f.Name, strings.Join(args, ", "))
			if f.Kind == catalog.Aggregate {
				q += " FROM (SELECT 1 UNION ALL SELECT 2)"
			}
			wantError(t, db, q, f.Name+": ")
		}
	}
	wantError(t, db, `SELECT rfm_score('`+rfmSpec+`', 'twelve', 4, 800)`, "rfm_score: ", "recency_days", "twelve")
	wantError(t, db, `SELECT rfm_score('`+rfmSpec+`', 12, 4)`, "rfm_score: wrong number of arguments")
	wantError(t, db, `SELECT rfm_score(42, 12, 4, 800)`, "rfm_score: ", "model")
	wantError(t, db, `SELECT rfm_segment('abc')`, "rfm_segment: ", "rfm_code")
}

func TestModelErrors(t *testing.T) {
	db := openDB(t)
	wantError(t, db, `SELECT rfm_score('nosuch', 12, 4, 800)`, "rfm_score: ", "unknown model", "nosuch")
	wantError(t, db, `SELECT rfm_score('nosuch@2', 12, 4, 800)`, "rfm_score: ", "unknown model")
	wantError(t, db, `SELECT rfm_score('nosuch@x', 12, 4, 800)`, "rfm_score: ", "version")
	insertModel(t, db, "broken", 1, "rfm", "{not json", true)
	wantError(t, db, `SELECT rfm_score('broken', 12, 4, 800)`, "rfm_score: ", "broken", "corrupt")
	wantError(t, db, `SELECT rfm_score('{not json', 12, 4, 800)`, "rfm_score: ", "corrupt model JSON")
	wantError(t, db, `SELECT rfm_score('', 12, 4, 800)`, "rfm_score: ", "empty")
	for _, code := range []string{"99", "110", "556", "1000", "-111", "605"} {
		wantError(t, db, `SELECT rfm_segment(`+code+`)`, "rfm_segment: ")
	}
	wantError(t, db, `SELECT rfm_segment(555, '{not json')`, "rfm_segment: ")
}

func TestModelRegistryMissingTable(t *testing.T) {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "bare.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	wantError(t, db, `SELECT rfm_score('rfm', 12, 4, 800)`, "rfm_score: ", "unknown model")
	// Inline JSON needs no registry.
	if v := mustValue(t, db, `SELECT rfm_score(?, 12, 4, 800)`, rfmSpec); v != int64(444) {
		t.Errorf("inline model without registry = %v, want 444", v)
	}
}

func TestModelsResolveByNameVersionAndAfterLoad(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(1) // one connection: its caches are the ones under test
	ctx := context.Background()
	// Called before the model exists: an error, then found once inserted.
	wantError(t, db, `SELECT rfm_score('later', 12, 4, 800)`, "rfm_score: ", "unknown model")
	insertModel(t, db, "later", 1, "rfm", rfmSpec, true)
	if v := mustValue(t, db, `SELECT rfm_score('later', 12, 4, 800)`); v != int64(444) {
		t.Errorf("model inserted after the first call: %v, want 444", v)
	}
	// A new version, activated: the very next statement uses it (the
	// binding re-reads the registry at each statement), while @1 still
	// names the old one. rfmSpec2: recency 12 > 5, 11 → R = 3; frequency 4 >
	// 3 → F = 2; monetary 800 > all four → M = 5.
	insertModel(t, db, "later", 2, "rfm", rfmSpec2, true)
	for _, c := range []struct {
		q    string
		want int64
	}{
		{`SELECT rfm_score('later', 12, 4, 800)`, 325},
		{`SELECT rfm_score('later@2', 12, 4, 800)`, 325},
		{`SELECT rfm_score('later@1', 12, 4, 800)`, 444},
	} {
		if v := mustValue(t, db, c.q); v != c.want {
			t.Errorf("%s = %v, want %d", c.q, v, c.want)
		}
	}
	// Rolling back to version 1 is seen by the next statement too.
	if _, err := db.ExecContext(ctx, `UPDATE custseg_models SET active = (version = 1) WHERE name = 'later'`); err != nil {
		t.Fatal(err)
	}
	if v := mustValue(t, db, `SELECT rfm_score('later', 12, 4, 800)`); v != int64(444) {
		t.Errorf("after rollback: %v, want 444", v)
	}
	// Within one statement the model is read once: every row agrees.
	if v := mustValue(t, db, `SELECT count(DISTINCT rfm_score('later', 12, 4, 800)) FROM (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)`); v != int64(1) {
		t.Errorf("distinct scores in one statement = %v, want 1", v)
	}
	// Not an rfm model.
	insertModel(t, db, "km", 1, "kmeans", `{"kind":"kmeans"}`, true)
	wantError(t, db, `SELECT rfm_score('km', 12, 4, 800)`, "rfm_score: ")
}

// A model committed by another connection is seen by the next statement.
func TestModelFromAnotherConnection(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	reader, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	writer, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer writer.Close()
	_, err = writer.ExecContext(ctx, `INSERT INTO custseg_models VALUES ('other', 1, 'rfm', '2026-01-01', ?, 1, NULL)`, rfmSpec)
	if err != nil {
		t.Fatal(err)
	}
	var v int64
	if err := reader.QueryRowContext(ctx, `SELECT rfm_score('other', 12, 4, 800)`).Scan(&v); err != nil || v != 444 {
		t.Fatalf("reader: %v %v, want 444", v, err)
	}
	_, err = writer.ExecContext(ctx, `UPDATE custseg_models SET active = 0 WHERE name = 'other';
		INSERT INTO custseg_models VALUES ('other', 2, 'rfm', '2026-01-02', ?, 1, NULL)`, rfmSpec2)
	if err != nil {
		t.Fatal(err)
	}
	if err := reader.QueryRowContext(ctx, `SELECT rfm_score('other', 12, 4, 800)`).Scan(&v); err != nil || v != 325 {
		t.Fatalf("reader after the writer's new version: %v %v, want 325", v, err)
	}
}

func TestAggregateGroupByErrorsAndHandles(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(1) // no registrations of a second connection in the count
	base := sqlitefn.LiveHandles()
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
	if got := sqlitefn.LiveHandles() - base; got != 0 {
		t.Errorf("aggregate handles left after errors and an abandoned query: %d", got)
	}
}

func TestClosingConnectionsReleasesRegistrations(t *testing.T) {
	base := sqlitefn.LiveHandles()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := queryValue(db, `SELECT rfm_segment(555)`); err != nil {
		t.Fatal(err)
	}
	if sqlitefn.LiveHandles() <= base {
		t.Errorf("an open connection holds no registrations")
	}
	db.Close()
	if got := sqlitefn.LiveHandles() - base; got != 0 {
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

func mustExec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// silhouette per GROUP BY group against scikit-learn; the full set of
// metrics runs in sql/test/segments.sql.
func TestSilhouetteGroupBy(t *testing.T) {
	if catalog.Lookup("silhouette") == nil {
		t.Skip("silhouette is not in the catalog yet")
	}
	db := openDB(t)
	mustExec(t, db, `CREATE TABLE p (grp TEXT, label BIGINT, x DOUBLE, y DOUBLE)`)
	mustExec(t, db, `INSERT INTO p VALUES
		('g1', 0, 1, 1), ('g1', 0, 1.5, 2), ('g1', 0, 2, 1.2),
		('g1', 1, 6, 5), ('g1', 1, 7, 6), ('g1', 1, 6.5, 5.5), ('g1', 1, 7.5, 5),
		('g1', 2, 1, 8), ('g1', 2, 2, 9), ('g1', 2, 1.5, 7.5),
		('g2', 0, 0, 0), ('g2', 0, 0, 3), ('g2', 1, 4, 0), ('g2', 1, 4, 3), ('g2', 1, 5, 1)`)
	// scikit-learn 1.2.1 silhouette_score(X, labels) of each group.
	want := map[string]float64{"g1": 0.8181872279486928, "g2": 0.4631178774601278}
	rows, err := db.Query(`SELECT grp, silhouette(label, x, y) FROM p GROUP BY grp`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var g string
		var s float64
		if err := rows.Scan(&g, &s); err != nil {
			t.Fatal(err)
		}
		n++
		if math.Abs(s-want[g]) > 1e-9 {
			t.Errorf("silhouette of %s = %.12f, scikit-learn %.12f", g, s, want[g])
		}
	}
	if err := rows.Err(); err != nil || n != 2 {
		t.Fatalf("%d groups, err %v", n, err)
	}
}

func TestEnableIsIdempotent(t *testing.T) {
	for i := 0; i < 3; i++ {
		if err := extsqlite.Enable(); err != nil {
			t.Fatal(err)
		}
	}
	// Still one registration per function on a new connection.
	db := openDB(t)
	if v := mustValue(t, db, `SELECT count(*) FROM pragma_function_list WHERE name = 'rfm_score'`); v != int64(1) {
		t.Errorf("rfm_score registered %v times", v)
	}
}
