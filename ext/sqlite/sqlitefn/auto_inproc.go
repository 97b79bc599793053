//go:build !custseg_loadable

package sqlitefn

/*
#include "sqlite_decls.h"
#include "cs.h"

static int cs_auto_extension(void) {
	return sqlite3_auto_extension((void (*)(void))custseg_init);
}
*/
import "C"

import "fmt"

// AutoExtension makes the SQLite linked into this process (mattn's) run
// custseg_init on every connection opened from now on. The caller links
// that SQLite in (package ext/sqlite blank-imports mattn/go-sqlite3) and
// calls this once. SQLite ignores a second registration of the same
// entry point.
func AutoExtension() error {
	if rc := C.cs_auto_extension(); rc != 0 {
		return fmt.Errorf("%ssqlite3_auto_extension failed with SQLite error %d", errPrefix, int(rc))
	}
	return nil
}
