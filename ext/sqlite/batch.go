package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/custseg/custseg/ext/sqlite/sqlitefn"
)

// RowBatch packs rows for InsertBatch (see sqlitefn.RowBatch).
type RowBatch = sqlitefn.RowBatch

// NewRowBatch returns an empty batch of rows with cols values each.
func NewRowBatch(cols int) *RowBatch { return sqlitefn.NewRowBatch(cols) }

// Querier is what InsertBatch runs its statement on: a *sql.Conn or *sql.Tx
// pins the connection, and with it the open transaction.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// insertBatchSQL hands a pending batch to the connection's internal
// function (sqlitefn.InsertBatchFunction).
const insertBatchSQL = "SELECT " + sqlitefn.InsertBatchFunction + "(?)"

// RowError is InsertBatch's error when one row failed: Row is its 1-based
// index in the batch and Cause SQLite's message, so that a caller can name
// the row by where it came from (the loader: its source line).
type RowError struct {
	Row   int
	Cause string
	err   error
}

func (e *RowError) Error() string { return e.err.Error() }
func (e *RowError) Unwrap() error { return e.err }

// InsertBatch runs insertSQL (an INSERT with one row of placeholders) for
// every row of b, in one call into C, on the connection q runs its
// statements on, inside its open transaction. A failing row ends the
// batch with a *RowError naming the row ("row 3: ...").
func InsertBatch(ctx context.Context, q Querier, insertSQL string, b *RowBatch) error {
	if b.Rows() == 0 {
		return nil
	}
	id, withdraw, err := sqlitefn.PendBatch(insertSQL, b)
	if err != nil {
		return err
	}
	defer withdraw()
	var n int64
	if err := q.QueryRowContext(ctx, insertBatchSQL, id).Scan(&n); err != nil {
		if row, cause := b.Failed(); row > 0 {
			return &RowError{Row: row, Cause: cause, err: err}
		}
		return err
	}
	if n != int64(b.Rows()) {
		return fmt.Errorf("custseg sqlite: %s inserted %d rows of %d", sqlitefn.InsertBatchFunction, n, b.Rows())
	}
	return nil
}
