//go:build !custseg_loadable

package sqlitefn

/*
#cgo LDFLAGS: -lm
#include <stdlib.h>
#include "cs.h"

// math.c
int csq_register_math(struct sqlite3 *db);

// batch.c
int csq_insert_batch(struct sqlite3 *db, const char *sql, int nrows, int ncols, const signed char *kinds,
	const long long *nums, const int *lens, const char *text, char **err, int *failed);
int csq_create_insert_batch(struct sqlite3 *db, const char *name);
void csq_free_sqlite(void *p);
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"unsafe"
)

// InsertBatchFunction is the internal SQL function through which a
// RowBatch reaches SQLite in-process: `SELECT custseg_insert_batch(id)`,
// where id comes from PendBatch, inserts the pending batch on the
// connection that runs the SELECT, inside its open transaction, and
// answers the number of rows. It is registered on every connection of the
// in-process build only, flagged SQLITE_DIRECTONLY, and is not part of the
// catalog: it is plumbing for package ext/sqlite, not a user function.
const InsertBatchFunction = "custseg_insert_batch"

// RowBatch packs rows of values so that a whole batch crosses into C in
// one call: binding values one cgo call at a time (as database/sql does)
// costs more than SQLite's own work when loading (docs/PERFORMANCE.md,
// section 4).
type RowBatch struct {
	cols  int
	kinds []int8 // CS_NULL, CS_INT, CS_DOUBLE or CS_TEXT (cs.h)
	nums  []int64
	lens  []int32
	text  []byte
	rows  int

	// failed is the 1-based row whose insert failed in the last call of
	// custseg_insert_batch (0: none or not row-specific), and cause is
	// SQLite's message for it: the error itself crosses SQL as text, and
	// the caller maps the row to where it came from (a source line).
	failed int
	cause  string
}

// NewRowBatch returns an empty batch of rows with cols values each.
func NewRowBatch(cols int) *RowBatch { return &RowBatch{cols: cols} }

// Null, Int, Float and Text append the next value of the current row.
func (b *RowBatch) Null() {
	b.kinds, b.nums, b.lens = append(b.kinds, C.CS_NULL), append(b.nums, 0), append(b.lens, 0)
}
func (b *RowBatch) Int(v int64) {
	b.kinds, b.nums, b.lens = append(b.kinds, C.CS_INT), append(b.nums, v), append(b.lens, 0)
}
func (b *RowBatch) Float(v float64) {
	b.kinds, b.nums, b.lens = append(b.kinds, C.CS_DOUBLE), append(b.nums, int64(math.Float64bits(v))), append(b.lens, 0)
}
func (b *RowBatch) Text(s string) {
	b.kinds, b.nums, b.lens = append(b.kinds, C.CS_TEXT), append(b.nums, int64(len(b.text))), append(b.lens, int32(len(s)))
	b.text = append(b.text, s...)
}

// EndRow closes the current row.
func (b *RowBatch) EndRow() { b.rows++ }

// Rows is the number of complete rows.
func (b *RowBatch) Rows() int { return b.rows }

// Reset empties the batch, keeping its buffers.
func (b *RowBatch) Reset() {
	b.kinds, b.nums, b.lens, b.text, b.rows = b.kinds[:0], b.nums[:0], b.lens[:0], b.text[:0], 0
	b.failed, b.cause = 0, ""
}

// Failed returns the 1-based row whose insert failed in the last insert of
// b, and SQLite's message for it without the row; row 0 when no row
// failed or the failure concerned no row (the statement did not prepare).
func (b *RowBatch) Failed() (row int, cause string) { return b.failed, b.cause }

// pendingBatch is an insert waiting for its custseg_insert_batch call.
type pendingBatch struct {
	insertSQL string
	b         *RowBatch
}

// pending maps the ids PendBatch hands out to their batches. An id is
// used once: the SQL function takes its batch out, and the withdraw
// function PendBatch returns drops it if the call never happened.
var pending = struct {
	sync.Mutex
	next    int64
	batches map[int64]pendingBatch
}{batches: map[int64]pendingBatch{}}

// PendBatch makes b, to be inserted with insertSQL (an INSERT with one row
// of b's column count of placeholders), available to one call of
// custseg_insert_batch(id). The caller runs that call, then withdraw
// (deferred), which forgets the batch if the call did not take it.
func PendBatch(insertSQL string, b *RowBatch) (id int64, withdraw func(), err error) {
	if len(b.kinds) != b.rows*b.cols {
		return 0, nil, ErrIncompleteRow
	}
	pending.Lock()
	pending.next++
	id = pending.next
	pending.batches[id] = pendingBatch{insertSQL: insertSQL, b: b}
	pending.Unlock()
	return id, func() { takePending(id) }, nil
}

func takePending(id int64) (pendingBatch, bool) {
	pending.Lock()
	defer pending.Unlock()
	p, ok := pending.batches[id]
	delete(pending.batches, id)
	return p, ok
}

// pendingCount is the number of batches handed out and not yet taken or
// withdrawn, so tests can check that none leak.
func pendingCount() int {
	pending.Lock()
	defer pending.Unlock()
	return len(pending.batches)
}

// registerInternal registers the in-process build's own functions on db:
// the internal InsertBatchFunction, and SQLite's math functions (ln, exp,
// pow, ...: math.c), which the SQLite mattn compiles lacks while the
// sqlite3 shell that loads custseg.so has them.
func registerInternal(db *C.struct_sqlite3) error {
	name := C.CString(InsertBatchFunction)
	defer C.free(unsafe.Pointer(name))
	if rc := C.csq_create_insert_batch(db, name); rc != sqliteOK {
		return fmt.Errorf("%sregistering %s failed (SQLite error %d)", errPrefix, InsertBatchFunction, int(rc))
	}
	if rc := C.csq_register_math(db); rc != sqliteOK {
		return fmt.Errorf("%sregistering the math functions failed (SQLite error %d)", errPrefix, int(rc))
	}
	return nil
}

//export custsegSqliteInsertBatch
func custsegSqliteInsertBatch(ctx *C.struct_sqlite3_context, db *C.struct_sqlite3, isID C.int, id C.int64_t) (n C.int64_t) {
	fail := func(msg string) C.int64_t {
		msg = InsertBatchFunction + ": " + msg
		C.csq_result_error(ctx, (*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.int(len(msg)))
		return -1
	}
	defer func() {
		if r := recover(); r != nil {
			n = fail(fmt.Sprintf("internal error: %v", r))
		}
	}()
	if isID == 0 {
		return fail("the argument must be the integer id of a pending batch")
	}
	p, ok := takePending(int64(id))
	if !ok {
		return fail(fmt.Sprintf("no pending batch %d (ids come from sqlitefn.PendBatch and serve once)", int64(id)))
	}
	if err := p.b.insert(db, p.insertSQL); err != nil {
		return fail(err.Error())
	}
	return C.int64_t(p.b.rows)
}

// insert runs insertSQL for every row of b on db, in one call into C.
func (b *RowBatch) insert(db *C.struct_sqlite3, insertSQL string) error {
	b.failed, b.cause = 0, ""
	if b.rows == 0 {
		return nil
	}
	sql := C.CString(insertSQL)
	defer C.free(unsafe.Pointer(sql))
	var text *C.char
	if len(b.text) > 0 {
		text = (*C.char)(unsafe.Pointer(&b.text[0]))
	}
	var cerr *C.char
	var failed C.int
	rc := C.csq_insert_batch(db, sql, C.int(b.rows), C.int(b.cols),
		(*C.schar)(unsafe.Pointer(&b.kinds[0])), (*C.longlong)(unsafe.Pointer(&b.nums[0])),
		(*C.int)(unsafe.Pointer(&b.lens[0])), text, &cerr, &failed)
	if rc == sqliteOK {
		return nil
	}
	msg := fmt.Sprintf("SQLite error %d", int(rc))
	if cerr != nil {
		msg = C.GoString(cerr)
		C.csq_free_sqlite(unsafe.Pointer(cerr))
	}
	if failed > 0 {
		b.failed = int(failed)
		// The message is "row N[ column C]: cause".
		b.cause = msg
		if _, after, ok := strings.Cut(msg, ": "); ok {
			b.cause = after
		}
	}
	return errors.New(msg)
}
