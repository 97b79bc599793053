//go:build !custseg_loadable

package sqlitefn

import (
	"strconv"
	"testing"
)

// An id serves once: the call takes its batch, a second call with the same
// id is an error, and a withdrawn batch is gone; nothing stays pending,
// whether the insert succeeded or failed.
func TestPendingBatchesServeOnce(t *testing.T) {
	db := openDB(t)
	mustExec(t, db, `CREATE TABLE t (x BIGINT NOT NULL)`)
	base := pendingCount()
	b := NewRowBatch(1)
	for i := int64(1); i <= 3; i++ {
		b.Int(i)
		b.EndRow()
	}
	id, withdraw, err := PendBatch(`INSERT INTO t VALUES (?)`, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := pendingCount() - base; got != 1 {
		t.Fatalf("%d batches pending after PendBatch, want 1", got)
	}
	call := `SELECT ` + InsertBatchFunction + `(` + strconv.FormatInt(id, 10) + `)`
	if n := mustValue(t, db, call); n != int64(3) {
		t.Errorf("%s = %v, want 3 rows", call, n)
	}
	wantError(t, db, call, InsertBatchFunction+": no pending batch "+strconv.FormatInt(id, 10))
	withdraw()
	if n := mustValue(t, db, `SELECT sum(x) FROM t`); n != int64(6) {
		t.Errorf("sum(x) = %v, want 6: the batch ran more or less than once", n)
	}

	b.Reset()
	b.Null()
	b.EndRow()
	id, withdraw, err = PendBatch(`INSERT INTO t VALUES (?)`, b)
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, db, `SELECT `+InsertBatchFunction+`(`+strconv.FormatInt(id, 10)+`)`, InsertBatchFunction+": row 1: NOT NULL constraint failed: t.x")
	withdraw()

	id, withdraw, err = PendBatch(`INSERT INTO t VALUES (?)`, b)
	if err != nil {
		t.Fatal(err)
	}
	withdraw()
	wantError(t, db, `SELECT `+InsertBatchFunction+`(`+strconv.FormatInt(id, 10)+`)`, InsertBatchFunction+": no pending batch")
	if got := pendingCount() - base; got != 0 {
		t.Errorf("%d batches left pending", got)
	}
}
