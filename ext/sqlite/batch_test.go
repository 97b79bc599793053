package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"path/filepath"
	"strings"
	"testing"

	sqliteext "github.com/custseg/custseg/ext/sqlite"
	"github.com/custseg/custseg/ext/sqlite/sqlitefn"
	"github.com/custseg/custseg/udf/catalog"
)

// TestInsertBatch checks that a batch lands exactly: NULLs, integers,
// doubles bit for bit, empty and multi-byte text, inside the connection's
// transaction; and that failures are errors naming the row, not crashes.
func TestInsertBatch(t *testing.T) {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(t.TempDir(), "b.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `CREATE TABLE t (a TEXT, b BIGINT NOT NULL, c DOUBLE)`); err != nil {
		t.Fatal(err)
	}
	const insert = `INSERT INTO t VALUES (?, ?, ?)`
	b := sqliteext.NewRowBatch(3)
	b.Text("£ and 'quotes'")
	b.Int(-7)
	b.Float(0.1 + 0.2)
	b.EndRow()
	b.Null()
	b.Int(math.MaxInt64)
	b.Null()
	b.EndRow()
	b.Text("")
	b.Int(0)
	b.Float(-1e-300)
	b.EndRow()
	mustConnExec(t, conn, "BEGIN")
	if err := sqliteext.InsertBatch(ctx, conn, insert, b); err != nil {
		t.Fatal(err)
	}
	mustConnExec(t, conn, "ROLLBACK")
	var n int
	if err := conn.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows survived the rollback (%v): the batch ran outside the transaction", n, err)
	}
	// Through a *sql.Tx as well.
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := sqliteext.InsertBatch(ctx, tx, insert, b); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT a, b, c, typeof(a) FROM t ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	var floats []float64
	for rows.Next() {
		var a sql.NullString
		var bi sql.NullInt64
		var c sql.NullFloat64
		var ty string
		if err := rows.Scan(&a, &bi, &c, &ty); err != nil {
			t.Fatal(err)
		}
		got = append(got, a.String+"|"+ty)
		floats = append(floats, c.Float64)
		if len(got) == 2 && (bi.Int64 != math.MaxInt64 || a.Valid || c.Valid) {
			t.Errorf("row 2: %v %v %v", a, bi, c)
		}
	}
	rows.Close()
	if len(got) != 3 || got[0] != "£ and 'quotes'|text" || got[2] != "|text" || floats[0] != 0.1+0.2 || floats[2] != -1e-300 {
		t.Fatalf("batch rows: %q %v", got, floats)
	}

	// A failing row is an SQL error naming it (the loader then rolls back
	// its transaction).
	bad := sqliteext.NewRowBatch(3)
	for _, x := range []int64{10, 11} {
		bad.Null()
		bad.Int(x)
		bad.Null()
		bad.EndRow()
	}
	bad.Null()
	bad.Null() // b is NOT NULL
	bad.Null()
	bad.EndRow()
	wantErr := func(err error, fragments ...string) {
		t.Helper()
		if err == nil {
			t.Fatalf("no error, want one mentioning %q", fragments)
		}
		for _, f := range fragments {
			if !strings.Contains(err.Error(), f) {
				t.Errorf("error %q does not mention %q", err, f)
			}
		}
	}
	err = sqliteext.InsertBatch(ctx, conn, insert, bad)
	wantErr(err, "custseg_insert_batch: row 3: ", "NOT NULL constraint failed: t.b")
	// The failing row and SQLite's cause, for callers that name rows
	// their own way (the loader: by source line).
	var re *sqliteext.RowError
	if !errors.As(err, &re) || re.Row != 3 || re.Cause != "NOT NULL constraint failed: t.b" {
		t.Errorf("error %v: RowError %+v, want row 3 and SQLite's cause", err, re)
	}
	// Bad SQL: an error from SQLite, not a crash, and no row to blame.
	err = sqliteext.InsertBatch(ctx, conn, `INSERT INTO nowhere VALUES (?, ?, ?)`, bad)
	wantErr(err, "custseg_insert_batch: ", "no such table: nowhere")
	if errors.As(err, &re) {
		t.Errorf("error %v blames row %d", err, re.Row)
	}
	// Too few placeholders: the bind of column 3 fails and names it.
	wantErr(sqliteext.InsertBatch(ctx, conn, `INSERT INTO t (a, b) VALUES (?, ?)`, bad), "custseg_insert_batch: row 1 column 3: ", "column index out of range")
	// A row left open is refused before anything reaches SQLite.
	open := sqliteext.NewRowBatch(3)
	open.Int(1)
	open.Int(2)
	open.Int(3)
	open.EndRow()
	open.Int(4)
	if err := sqliteext.InsertBatch(ctx, conn, insert, open); !errors.Is(err, sqlitefn.ErrIncompleteRow) {
		t.Errorf("unclosed row: %v, want ErrIncompleteRow", err)
	}
	// An empty batch does nothing, even on a query that would fail.
	if err := sqliteext.InsertBatch(ctx, conn, `not SQL`, sqliteext.NewRowBatch(3)); err != nil {
		t.Errorf("empty batch: %v", err)
	}
}

// TestInsertBatchFunctionIsInternal: custseg_insert_batch answers a bad or
// unknown id with an SQL error, never a crash; it cannot be called from a
// trigger or view (SQLITE_DIRECTONLY); and it is not a catalog function.
func TestInsertBatchFunctionIsInternal(t *testing.T) {
	db := openDB(t)
	for q, want := range map[string]string{
		`SELECT custseg_insert_batch(987654321)`: "custseg_insert_batch: no pending batch 987654321",
		`SELECT custseg_insert_batch(-1)`:        "custseg_insert_batch: no pending batch -1",
		`SELECT custseg_insert_batch(NULL)`:      "custseg_insert_batch: the argument must be the integer id",
		`SELECT custseg_insert_batch('1')`:       "custseg_insert_batch: the argument must be the integer id",
		`SELECT custseg_insert_batch(1.5)`:       "custseg_insert_batch: the argument must be the integer id",
		`SELECT custseg_insert_batch()`:          "wrong number of arguments to function custseg_insert_batch()",
	} {
		wantError(t, db, q, want)
	}
	mustExec(t, db, `CREATE VIEW v AS SELECT custseg_insert_batch(1) AS n`)
	wantError(t, db, `SELECT n FROM v`, "unsafe use of custseg_insert_batch()")
	if catalog.Lookup(sqlitefn.InsertBatchFunction) != nil {
		t.Errorf("%s is in the catalog: it is internal plumbing", sqlitefn.InsertBatchFunction)
	}
	var flags int64
	if err := db.QueryRow(`SELECT flags FROM pragma_function_list WHERE name = ?`, sqlitefn.InsertBatchFunction).Scan(&flags); err != nil {
		t.Fatal(err)
	}
	if flags&0x800 != 0 {
		t.Errorf("%s is registered deterministic (flags %#x)", sqlitefn.InsertBatchFunction, flags)
	}
}

func mustConnExec(t *testing.T, conn *sql.Conn, q string) {
	t.Helper()
	if _, err := conn.ExecContext(context.Background(), q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
