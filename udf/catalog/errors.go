package catalog

import "errors"

// Sentinel errors of the catalog. Errors of SQL functions themselves start
// with the function's name (Function.Errorf).

// ErrModelNotFound is wrapped by ModelStore implementations for a missing model.
var ErrModelNotFound = errors.New("model not found")
