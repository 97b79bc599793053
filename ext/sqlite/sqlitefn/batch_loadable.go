//go:build custseg_loadable

package sqlitefn

/*
#include "cs.h"
*/
import "C"

// registerInternal registers nothing in the loadable build: its internal
// function (custseg_insert_batch, batch_inproc.go) serves Go callers in
// the same process, and a host shell has none.
func registerInternal(db *C.struct_sqlite3) error { return nil }
