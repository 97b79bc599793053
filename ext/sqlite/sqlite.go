// Package sqlite makes the custseg SQL functions available on every SQLite
// connection this process opens through github.com/mattn/go-sqlite3, by
// the same C registration path the stock sqlite3 shell uses after
// `.load ./custseg` (see package ext/sqlite/sqlitefn).
//
// Importing the package is enough: its init calls Enable, which hands the
// extension's init function to sqlite3_auto_extension of the SQLite mattn
// links in. Connections opened before Enable do not have the functions.
package sqlite

import (
	"sync"

	_ "github.com/mattn/go-sqlite3" // the SQLite whose sqlite3_auto_extension Enable calls

	"github.com/custseg/custseg/ext/sqlite/sqlitefn"
)

var (
	enableOnce sync.Once
	enableErr  error
)

// Enable registers the custseg functions for every SQLite connection opened
// from now on (sql.Open("sqlite3", ...)). It is idempotent and also runs
// from init; it returns the registration error, if any.
func Enable() error {
	enableOnce.Do(func() { enableErr = sqlitefn.AutoExtension() })
	return enableErr
}

func init() { _ = Enable() }
