package sqlite_test

import (
	"context"
	"database/sql"
	"math"
	"path/filepath"
	"testing"

	sqliteext "github.com/custseg/custseg/ext/sqlite"
)

// TestRawHandleLayout guards what InsertBatch relies on in mattn's
// connection (see rawHandle), and that a batch lands exactly: NULLs,
// integers, doubles bit for bit, empty and multi-byte text, inside the
// connection's transaction.
func TestRawHandleLayout(t *testing.T) {
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
	if _, err := conn.ExecContext(ctx, `CREATE TABLE t (a TEXT, b BIGINT, c DOUBLE)`); err != nil {
		t.Fatal(err)
	}
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
	b.Null()
	b.Float(-1e-300)
	b.EndRow()
	conn.ExecContext(ctx, "BEGIN")
	if err := conn.Raw(func(dc any) error { return sqliteext.InsertBatch(dc, `INSERT INTO t VALUES (?, ?, ?)`, b) }); err != nil {
		t.Fatal(err)
	}
	conn.ExecContext(ctx, "ROLLBACK")
	var n int
	conn.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n)
	if n != 0 {
		t.Fatalf("rows survived the rollback: the batch ran outside the transaction")
	}
	if err := conn.Raw(func(dc any) error { return sqliteext.InsertBatch(dc, `INSERT INTO t VALUES (?, ?, ?)`, b) }); err != nil {
		t.Fatal(err)
	}
	rows, err := conn.QueryContext(ctx, `SELECT a, b, c, typeof(a) FROM t ORDER BY rowid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	var floats []float64
	for rows.Next() {
		var a sql.NullString
		var bi sql.NullInt64
		var c sql.NullFloat64
		var ty string
		rows.Scan(&a, &bi, &c, &ty)
		got = append(got, a.String+"|"+ty)
		floats = append(floats, c.Float64)
		if len(got) == 2 && (bi.Int64 != math.MaxInt64 || a.Valid || c.Valid) {
			t.Errorf("row 2: %v %v %v", a, bi, c)
		}
	}
	if len(got) != 3 || got[0] != "£ and 'quotes'|text" || got[2] != "|text" || floats[0] != 0.1+0.2 || floats[2] != -1e-300 {
		t.Fatalf("batch rows: %q %v", got, floats)
	}
	// A failing row is an error naming it, not a crash.
	bad := sqliteext.NewRowBatch(3)
	bad.Null()
	bad.Null()
	bad.Null()
	bad.EndRow()
	err = conn.Raw(func(dc any) error { return sqliteext.InsertBatch(dc, `INSERT INTO nowhere VALUES (?, ?, ?)`, bad) })
	if err == nil {
		t.Fatal("an insert into a missing table succeeded")
	}
	if err := sqliteext.InsertBatch("not a connection", "", bad); err == nil {
		t.Fatal("a non-SQLite connection was accepted")
	}
}
