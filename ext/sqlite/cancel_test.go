package sqlite_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/ext/internal/sqltest"
)

// TestSilhouetteCancel: a long silhouette stops between row blocks once the
// statement is interrupted (database/sql's context cancellation calls
// sqlite3_interrupt on mattn's connection), instead of running to the end.
func TestSilhouetteCancel(t *testing.T) {
	db := openDB(t)
	const n = 60000
	sqltest.MustExec(t, db, `CREATE TABLE pts (label INTEGER, x REAL, y REAL)`)
	sqltest.MustExec(t, db, `WITH RECURSIVE r(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM r WHERE i < ?)
		INSERT INTO pts SELECT i % 3, (i * 7919 % 1000) / 10.0 + i % 3 * 50, (i * 104729 % 1000) / 10.0 FROM r`, n-1)
	// The same kernel over a quarter of the rows: the whole table costs
	// about 16 times as much.
	start := time.Now()
	sqltest.MustValue(t, db, `SELECT silhouette(label, x, y) FROM pts WHERE rowid <= ?`, n/4)
	full := 16 * time.Since(start)

	const after = 200 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), after)
	defer cancel()
	start = time.Now()
	var v any
	err := db.QueryRowContext(ctx, `SELECT silhouette(label, x, y) FROM pts`).Scan(&v)
	took := time.Since(start)
	if err == nil {
		t.Fatalf("silhouette over %d rows returned %v in %v, want an interrupt after %v", n, v, took, after)
	}
	msg := err.Error()
	if !errors.Is(err, context.DeadlineExceeded) && !strings.Contains(msg, "interrupt") && !strings.Contains(msg, "canceled") {
		t.Errorf("error %q is not an interruption", msg)
	}
	t.Logf("interrupted after %v (the whole run: about %v): %v", took, full, err)
	if took > after+full/2 {
		t.Errorf("the interrupted silhouette took %v, not well before the whole run (about %v)", took, full)
	}
}
