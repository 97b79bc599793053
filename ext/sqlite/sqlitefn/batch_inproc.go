//go:build !custseg_loadable

package sqlitefn

/*
#include <stdlib.h>
#include <string.h>
#include "sqlite_decls.h"

// csq_insert_batch runs the one-row INSERT sql once per row of a packed
// batch: values in row-major order, kinds[i] 0 NULL, 1 int64 (nums[i]),
// 2 double (the bits in nums[i]), 3 text (text + nums[i], lens[i] bytes).
// Text is bound SQLITE_STATIC: the buffer outlives every step of the call.
static int csq_insert_batch(void *handle, const char *sql, int nrows, int ncols,
		const signed char *kinds, const long long *nums, const int *lens, const char *text,
		char **err) {
	sqlite3 *db = (sqlite3 *)handle;
	sqlite3_stmt *st = 0;
	int rc = sqlite3_prepare_v2(db, sql, -1, &st, 0);
	if (rc != SQLITE_OK) {
		*err = sqlite3_mprintf("%s", sqlite3_errmsg(db));
		return rc;
	}
	for (int r = 0; r < nrows; r++) {
		for (int c = 0; c < ncols; c++) {
			int i = r * ncols + c;
			switch (kinds[i]) {
			case 1:
				rc = sqlite3_bind_int64(st, c + 1, nums[i]);
				break;
			case 2: {
				double d;
				memcpy(&d, &nums[i], sizeof d);
				rc = sqlite3_bind_double(st, c + 1, d);
				break;
			}
			case 3:
				rc = sqlite3_bind_text(st, c + 1, lens[i] ? text + nums[i] : "", lens[i], SQLITE_STATIC);
				break;
			default:
				rc = sqlite3_bind_null(st, c + 1);
			}
			if (rc != SQLITE_OK) {
				*err = sqlite3_mprintf("row %d column %d: %s", r + 1, c + 1, sqlite3_errmsg(db));
				sqlite3_finalize(st);
				return rc;
			}
		}
		rc = sqlite3_step(st);
		if (rc != SQLITE_DONE) {
			*err = sqlite3_mprintf("row %d: %s", r + 1, sqlite3_errmsg(db));
			sqlite3_finalize(st);
			return rc;
		}
		sqlite3_reset(st);
	}
	return sqlite3_finalize(st);
}

static void free_sqlite(void *p) { sqlite3_free(p); }
*/
import "C"

import (
	"errors"
	"math"
	"unsafe"
)

// RowBatch packs rows of values so that a whole batch crosses into C in
// one call: binding values one cgo call at a time (as database/sql does)
// cost more than SQLite's own work when loading.
type RowBatch struct {
	cols  int
	kinds []int8
	nums  []int64
	lens  []int32
	text  []byte
	rows  int
}

// NewRowBatch returns an empty batch of rows with cols values each.
func NewRowBatch(cols int) *RowBatch { return &RowBatch{cols: cols} }

// Null, Int, Float and Text append the next value of the current row.
func (b *RowBatch) Null() {
	b.kinds, b.nums, b.lens = append(b.kinds, 0), append(b.nums, 0), append(b.lens, 0)
}
func (b *RowBatch) Int(v int64) {
	b.kinds, b.nums, b.lens = append(b.kinds, 1), append(b.nums, v), append(b.lens, 0)
}
func (b *RowBatch) Float(v float64) {
	b.kinds, b.nums, b.lens = append(b.kinds, 2), append(b.nums, int64(math.Float64bits(v))), append(b.lens, 0)
}
func (b *RowBatch) Text(s string) {
	b.kinds, b.nums, b.lens = append(b.kinds, 3), append(b.nums, int64(len(b.text))), append(b.lens, int32(len(s)))
	b.text = append(b.text, s...)
}

// EndRow closes the current row.
func (b *RowBatch) EndRow() { b.rows++ }

// Rows is the number of complete rows.
func (b *RowBatch) Rows() int { return b.rows }

// Reset empties the batch, keeping its buffers.
func (b *RowBatch) Reset() {
	b.kinds, b.nums, b.lens, b.text, b.rows = b.kinds[:0], b.nums[:0], b.lens[:0], b.text[:0], 0
}

// InsertBatch runs insertSQL, an INSERT with one row of b.cols
// placeholders, for every row of b on db, a raw sqlite3* handle of this
// process's SQLite (inside whatever transaction is open on it).
func InsertBatch(db unsafe.Pointer, insertSQL string, b *RowBatch) error {
	if b.rows == 0 {
		return nil
	}
	if len(b.kinds) != b.rows*b.cols {
		return errors.New("sqlite batch: incomplete row")
	}
	sql := C.CString(insertSQL)
	defer C.free(unsafe.Pointer(sql))
	var text *C.char
	if len(b.text) > 0 {
		text = (*C.char)(unsafe.Pointer(&b.text[0]))
	}
	var cerr *C.char
	rc := C.csq_insert_batch(db, sql, C.int(b.rows), C.int(b.cols),
		(*C.schar)(unsafe.Pointer(&b.kinds[0])), (*C.longlong)(unsafe.Pointer(&b.nums[0])),
		(*C.int)(unsafe.Pointer(&b.lens[0])), text, &cerr)
	if rc != 0 {
		msg := "SQLite error"
		if cerr != nil {
			msg = C.GoString(cerr)
			C.free_sqlite(unsafe.Pointer(cerr))
		}
		return errors.New(msg)
	}
	return nil
}
