package sqlite_test

import (
	"context"
	"sync"
	"testing"
)

// Several connections run custseg functions at once (database/sql pools
// them), sharing the catalog's caches, while another connection writes new
// model versions: every statement sees a consistent model, and nothing
// races (run with -race).
func TestConcurrentConnections(t *testing.T) {
	db := openDB(t)
	db.SetMaxOpenConns(6)
	insertModel(t, db, "conc", 1, "rfm", rfmSpec, true)
	mustExec(t, db, `CREATE TABLE c (r DOUBLE, f DOUBLE, m DOUBLE)`)
	mustExec(t, db, `WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 1999)
		INSERT INTO c SELECT 12, 4, 800 FROM s`)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := db.Conn(ctx)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			for i := 0; i < 30; i++ {
				// Every row of one statement scores against the same
				// version: 444 (version 1) or 325 (version 2).
				var n, distinct, score int64
				err := conn.QueryRowContext(ctx, `SELECT count(*), count(DISTINCT s), max(s) FROM
					(SELECT rfm_score('conc', r, f, m) AS s, rfm_segment(rfm_score('conc@1', r, f, m)) AS seg FROM c)`).Scan(&n, &distinct, &score)
				if err != nil {
					errs <- err
					return
				}
				if n != 2000 || distinct != 1 || (score != 444 && score != 325) {
					t.Errorf("rows %d, distinct scores %d, score %d", n, distinct, score)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn, err := db.Conn(ctx)
		if err != nil {
			errs <- err
			return
		}
		defer conn.Close()
		for i := 0; i < 20; i++ {
			spec := rfmSpec2
			if i%2 == 1 {
				spec = rfmSpec
			}
			_, err := conn.ExecContext(ctx, `UPDATE custseg_models SET spec = ?, active = 1 WHERE name = 'conc' AND version = 1`, spec)
			if err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
