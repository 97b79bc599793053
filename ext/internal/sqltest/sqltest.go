// Package sqltest holds the query helpers the binding tests of ext/ share
// (package ext/sqlite and, from inside, ext/sqlite/sqlitefn): one value
// out of a query, and the shape of an expected error.
package sqltest

import (
	"database/sql"
	"strings"
	"testing"
)

// Queryer is a *sql.DB, *sql.Conn or *sql.Tx without a context.
type Queryer interface {
	QueryRow(query string, args ...any) *sql.Row
}

// QueryValue runs a query returning one value; text comes back as a string.
func QueryValue(db Queryer, q string, args ...any) (any, error) {
	var v any
	err := db.QueryRow(q, args...).Scan(&v)
	if b, ok := v.([]byte); ok {
		v = string(b)
	}
	return v, err
}

// MustValue is QueryValue failing the test on error.
func MustValue(t testing.TB, db Queryer, q string, args ...any) any {
	t.Helper()
	v, err := QueryValue(db, q, args...)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return v
}

// MustExec runs a statement, failing the test on error.
func MustExec(t testing.TB, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// WantError runs q and checks that it fails with a message starting with
// prefix and containing every fragment.
func WantError(t testing.TB, db Queryer, q, prefix string, fragments ...string) {
	t.Helper()
	v, err := QueryValue(db, q)
	if err == nil {
		t.Errorf("%s: got %v, want an error starting %q", q, v, prefix)
		return
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, prefix) {
		t.Errorf("%s: error %q does not start with %q", q, msg, prefix)
	}
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("%s: error %q does not mention %q", q, msg, f)
		}
	}
}
