// Package enginetest opens throwaway custseg databases for tests.
package enginetest

import (
	"path/filepath"
	"testing"

	"github.com/custseg/custseg/internal/engine"
)

// Both opens a fresh, empty database of each engine (DuckDB first), closed
// when the test ends.
func Both(t testing.TB) []*engine.DB {
	t.Helper()
	var out []*engine.DB
	for _, file := range []string{"e.duckdb", "e.db"} {
		db, err := engine.Open(filepath.Join(t.TempDir(), file), "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out = append(out, db)
	}
	return out
}
