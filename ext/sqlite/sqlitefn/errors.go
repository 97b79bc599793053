package sqlitefn

import "errors"

// errPrefix starts every error of the binding itself (registration,
// batches). Errors of a function call start with the function's name
// instead (including custseg_insert_batch's), and the model store's errors
// end up inside those ("rfm_score: model \"rfm\": ..."), so they carry no
// prefix.
const errPrefix = "custseg sqlite: "

// ErrIncompleteRow is returned for a RowBatch whose last row was not
// closed with EndRow.
var ErrIncompleteRow = errors.New(errPrefix + "a batch row is incomplete (values not a multiple of the column count)")
