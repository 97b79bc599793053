package sqlitefn

import "errors"

// ErrIncompleteRow is returned for a RowBatch whose last row was not
// closed with EndRow, or whose rows have the wrong number of values.
var ErrIncompleteRow = errors.New("custseg sqlite: a batch row is incomplete (values not a multiple of the column count)")
