package duckdb

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"

	duckdbgo "github.com/duckdb/duckdb-go/v2"

	"github.com/custseg/custseg/udf/catalog"
)

// TestRawConnectionLayout fails loudly when a duckdb-go upgrade moves the
// duckdb_connection that Register reaches through reflection.
func TestRawConnectionLayout(t *testing.T) {
	db := openDB(t)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		if _, ok := dc.(*duckdbgo.Conn); !ok {
			return fmt.Errorf("driver connection is %T", dc)
		}
		p, err := rawConnection(dc)
		if err != nil {
			return err
		}
		if p == nil {
			return fmt.Errorf("nil duckdb_connection")
		}
		return nil
	})
	if err != nil {
		t.Fatalf("duckdb-go layout changed: %v", err)
	}
	if _, err := rawConnection(struct{}{}); err == nil {
		t.Fatal("a foreign driver connection was accepted")
	} else if !strings.HasPrefix(err.Error(), errPrefix) {
		t.Errorf("binding error %q does not start with %q", err, errPrefix)
	}
}

// TestFileOpenTwice: two *sql.DB on one file share a DuckDB instance; the
// second Register adds to it, and model lookups keep working after the first
// one is closed.
func TestFileOpenTwice(t *testing.T) {
	path := t.TempDir() + "/twice.duckdb"
	db1, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Register(db1); err != nil {
		t.Fatal(err)
	}
	withSchema(t, db1)
	addModel(t, db1, "twice", 1, rfmV1, true)
	db2, err := sql.Open("duckdb", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if err := Register(db2); err != nil {
		t.Fatalf("second Register on the same file: %v", err)
	}
	db1.Close()
	var code int64
	// 444: see TestRegisterRfmScore; "twice@1" is not cached by name.
	if err := db2.QueryRow(`SELECT rfm_score('twice@1', 12, 4, 800)`).Scan(&code); err != nil || code != 444 {
		t.Fatalf("after closing the first *sql.DB: %d, %v", code, err)
	}
}

// TestFileDatabase registers into a file database, closes it, reopens it
// (the functions are not persisted: Register runs again) and checks that a
// second *sql.DB on the same open file can register too.
func TestFileDatabase(t *testing.T) {
	path := t.TempDir() + "/f.duckdb"
	for i := 0; i < 2; i++ {
		db, err := sql.Open("duckdb", path)
		if err != nil {
			t.Fatal(err)
		}
		if err := Register(db); err != nil {
			t.Fatalf("open %d: %v", i, err)
		}
		var seg string
		if err := db.QueryRow(`SELECT rfm_segment(555)`).Scan(&seg); err != nil || seg != "Champions" {
			t.Fatalf("open %d: %q, %v", i, seg, err)
		}
		db.Close()
	}
}

// argument builds the SQL for argument i of a call: a column of table args
// (so DuckDB cannot fold the call at plan time) of the declared type, or
// its NULL counterpart.
func argument(t catalog.Type, null bool) string {
	col := map[catalog.Type]string{catalog.Integer: "iv", catalog.Double: "dv", catalog.Text: "tv", catalog.Any: "dv"}[t]
	if null {
		return col + "_null"
	}
	return col
}

// callSQL builds a call of f with n arguments; position nullAt (or -1) is NULL.
func callSQL(f *catalog.Function, n, nullAt int) string {
	args := make([]string, n)
	for i := range args {
		typ := catalog.Any
		if i < len(f.Params) {
			typ = f.Params[i].Type
		} else if f.Variadic != nil {
			typ = f.Variadic.Type
		}
		args[i] = argument(typ, i == nullAt)
	}
	return fmt.Sprintf("%s(%s)", f.Name, strings.Join(args, ", "))
}

func arities(f *catalog.Function) []int {
	max := f.MaxArgs()
	if max < 0 || max > f.MinArgs()+3 {
		max = f.MinArgs() + 3
	}
	var out []int
	for n := f.MinArgs(); n <= max; n++ {
		out = append(out, n)
	}
	return out
}

func argsTable(t *testing.T, db *sql.DB) {
	t.Helper()
	_, err := db.Exec(`CREATE TABLE args AS SELECT 1::BIGINT AS iv, 1.5::DOUBLE AS dv, 'x'::VARCHAR AS tv,
		NULL::BIGINT AS iv_null, NULL::DOUBLE AS dv_null, NULL::VARCHAR AS tv_null FROM range(3)`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestEveryFunctionNullArgument: for every catalog function and every
// argument position, a NULL there gives NULL (scalars: NULL in, NULL out;
// aggregates: the row is skipped, and a group without rows is NULL).
func TestEveryFunctionNullArgument(t *testing.T) {
	db := openDB(t)
	argsTable(t, db)
	for _, f := range catalog.All() {
		if f.Null == catalog.CallOnNull {
			continue // the function defines its own NULL behaviour
		}
		for _, n := range arities(f) {
			for i := 0; i < n; i++ {
				q := "SELECT " + callSQL(f, n, i) + " FROM args"
				rows, err := db.Query(q)
				if err != nil {
					t.Errorf("%s: %v", q, err)
					continue
				}
				for rows.Next() {
					var v any
					if err := rows.Scan(&v); err != nil {
						t.Errorf("%s: %v", q, err)
					} else if v != nil {
						t.Errorf("%s = %v, want NULL", q, v)
					}
				}
				if err := rows.Err(); err != nil {
					t.Errorf("%s: %v", q, err)
				}
				rows.Close()
			}
		}
	}
}

// TestEveryFunctionWrongTypes: an argument of a type the parameter does not
// take is an SQL error (DuckDB's binder rejects most before calling us;
// errors that reach the function start with its name), never a crash.
func TestEveryFunctionWrongTypes(t *testing.T) {
	db := openDB(t)
	argsTable(t, db)
	wrong := map[catalog.Type]string{catalog.Integer: "tv", catalog.Double: "tv", catalog.Text: "dv"}
	for _, f := range catalog.All() {
		n := f.MinArgs()
		if n == 0 {
			continue
		}
		for i := 0; i < n; i++ {
			call := callSQL(f, n, -1)
			args := strings.Split(strings.TrimSuffix(strings.TrimPrefix(call, f.Name+"("), ")"), ", ")
			typ := catalog.Any
			if i < len(f.Params) {
				typ = f.Params[i].Type
			} else if f.Variadic != nil {
				typ = f.Variadic.Type
			}
			if typ == catalog.Any {
				continue // takes every type; the implementation checks values
			}
			args[i] = wrong[typ]
			q := fmt.Sprintf("SELECT %s(%s) FROM args", f.Name, strings.Join(args, ", "))
			_, err := db.Exec(q)
			if err == nil {
				t.Errorf("%s: accepted", q)
				continue
			}
			msg := err.Error()
			if !strings.Contains(msg, f.Name+": ") && !strings.Contains(msg, "Binder Error") && !strings.Contains(msg, "Conversion Error") {
				t.Errorf("%s: error %q is neither DuckDB's binder error nor one naming %s", q, msg, f.Name)
			}
		}
	}
}

// TestRfmSegmentCodes: codes outside 111..555 are errors naming the function.
func TestRfmSegmentCodes(t *testing.T) {
	if catalog.Lookup("rfm_segment") == nil {
		t.Fatal("rfm_segment missing from the catalog")
	}
	db := openDB(t)
	for _, code := range []int64{0, 42, 110, 556, 666, 1000, -5} {
		_, err := db.Exec(`SELECT rfm_segment(?)`, code)
		if err == nil || !strings.Contains(err.Error(), "rfm_segment: ") {
			t.Errorf("rfm_segment(%d): err = %v, want an rfm_segment error", code, err)
		}
	}
	for code, want := range map[int64]string{555: "Champions", 111: "Lost"} {
		var got string
		if err := db.QueryRow(`SELECT rfm_segment(?)`, code).Scan(&got); err != nil || got != want {
			t.Errorf("rfm_segment(%d) = %q, %v; want %q", code, got, err, want)
		}
	}
}

// TestEveryFunctionRegistered: each catalog function is in DuckDB's catalog
// with its kind, and with one overload per accepted fixed arity.
func TestEveryFunctionRegistered(t *testing.T) {
	db := openDB(t)
	if len(catalog.All()) == 0 {
		t.Fatal("empty catalog")
	}
	for _, f := range catalog.All() {
		var kind string
		var count int
		err := db.QueryRow(`SELECT any_value(function_type), count(*) FROM duckdb_functions() WHERE function_name = ?`, f.Name).Scan(&kind, &count)
		if err != nil {
			t.Errorf("%s: %v", f.Name, err)
			continue
		}
		wantKind := map[catalog.Kind]string{catalog.Scalar: "scalar", catalog.Aggregate: "aggregate"}[f.Kind]
		lists, _, err := overloads(f)
		if err != nil {
			t.Fatal(err)
		}
		if kind != wantKind || count != len(lists) {
			t.Errorf("%s: DuckDB has %d %s overloads, want %d %s", f.Name, count, kind, len(lists), wantKind)
		}
	}
}
