package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"testing"

	custsql "github.com/custseg/custseg/sql"

	"github.com/custseg/custseg/ext/internal/sqltest"
	extsqlite "github.com/custseg/custseg/ext/sqlite"
	"github.com/custseg/custseg/udf/catalog"
)

// rfmSpec is a small RFM model: cut points q20..q80 of recency, frequency and
// monetary. rfm_score(rfmSpec, 12, 4, 800) = 444 by the scoring rule
// (5 - #cuts below recency, 1 + #cuts below frequency / monetary).
const rfmSpec = `{"kind":"rfm","format":1,"recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}`

// rfmSpec2 shifts every cut, so the same customer scores differently: 12 days
// is above 11 only (R=4), 4 purchases above 1 only (F=2), 800 above 100, 250,
// 500 (M=4) → 424... computed below in the tests that use it.
const rfmSpec2 = `{"kind":"rfm","format":1,"recency_cuts":[5,11,20,40],"frequency_cuts":[3,6,9,12],"monetary_cuts":[50,100,200,400]}`

// Query helpers shared with the other binding tests (ext/internal/sqltest).
var (
	queryValue = sqltest.QueryValue
	mustValue  = sqltest.MustValue
	mustExec   = sqltest.MustExec
	wantError  = sqltest.WantError
)

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
	for _, f := range catalog.All() {
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

// silhouette per GROUP BY group against scikit-learn; the full set of
// metrics runs in sql/test/segments.sql.
func TestSilhouetteGroupBy(t *testing.T) {
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
