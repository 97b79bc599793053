package sqlite

import (
	"fmt"
	"reflect"
	"unsafe"

	sqlite3 "github.com/mattn/go-sqlite3"

	"github.com/custseg/custseg/ext/sqlite/sqlitefn"
)

// RowBatch packs rows for InsertBatch (see sqlitefn.RowBatch).
type RowBatch = sqlitefn.RowBatch

// NewRowBatch returns an empty batch of rows with cols values each.
func NewRowBatch(cols int) *RowBatch { return sqlitefn.NewRowBatch(cols) }

// InsertBatch runs insertSQL (an INSERT with one row of placeholders) for
// every row of b in one cgo call, on the connection dc that
// (*sql.Conn).Raw hands out, inside its open transaction.
func InsertBatch(dc any, insertSQL string, b *RowBatch) error {
	h, err := rawHandle(dc)
	if err != nil {
		return err
	}
	return sqlitefn.InsertBatch(h, insertSQL, b)
}

// rawHandle returns the sqlite3* inside a mattn/go-sqlite3 connection.
//
// mattn (v1.14.53) has no accessor for it. What this relies on:
// *sqlite3.SQLiteConn has an unexported pointer field "db" holding the
// sqlite3*. It is found by name and kind through reflect, so an upgrade
// that renames or retypes it makes this an error (and
// TestRawHandleLayout fails) instead of handing SQLite a wrong pointer.
func rawHandle(dc any) (unsafe.Pointer, error) {
	c, ok := dc.(*sqlite3.SQLiteConn)
	if !ok || c == nil {
		return nil, fmt.Errorf("custseg sqlite: the connection is a %T, not mattn's *sqlite3.SQLiteConn", dc)
	}
	f := reflect.ValueOf(c).Elem().FieldByName("db")
	if !f.IsValid() || f.Kind() != reflect.Pointer || f.IsNil() {
		return nil, fmt.Errorf("custseg sqlite: mattn/go-sqlite3's SQLiteConn has no usable \"db\" field: its layout changed")
	}
	return f.UnsafePointer(), nil
}
