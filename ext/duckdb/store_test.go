package duckdb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	custsql "github.com/custseg/custseg/sql"
	"github.com/custseg/custseg/udf/catalog"
)

func withSchema(t testing.TB, db *sql.DB) {
	t.Helper()
	for _, stmt := range custsql.Statements(custsql.Schema()) {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
}

func addModel(t testing.TB, db *sql.DB, name string, version int64, spec string, active bool) {
	t.Helper()
	_, err := db.Exec(`INSERT INTO custseg_models (name, version, kind, created_at, spec, active) VALUES (?, ?, 'rfm', now(), ?, ?)`,
		name, version, spec, active)
	if err != nil {
		t.Fatal(err)
	}
}

// rfmV2 has every cut 10x higher than rfmV1.
const rfmV2 = `{"kind":"rfm","format":1,"recency_cuts":[100,300,600,1200],"frequency_cuts":[10,20,30,50],"monetary_cuts":[1000,2500,5000,10000],"customers":50}`

func TestModelStore(t *testing.T) {
	db := openDB(t)
	store := &sqlStore{dbs: []*sql.DB{db}}
	// No table yet: not found.
	if _, _, err := store.LookupModel("rfm", 0); !errors.Is(err, catalog.ErrModelNotFound) {
		t.Fatalf("no table: err = %v, want ErrModelNotFound", err)
	}
	withSchema(t, db)
	addModel(t, db, "rfm", 1, rfmV1, false)
	addModel(t, db, "rfm", 2, rfmV2, true)
	addModel(t, db, "broken", 1, `{"kind":"rfm","recency_cuts":[1,2`, true)

	cases := []struct {
		sql     string
		want    int64
		wantErr string
	}{
		// Active version 2: R = 5 - #cuts below 12 = 5, F = 1 + 0 = 1, M = 1 + 0 = 1.
		{`SELECT rfm_score('rfm', 12, 4, 800)`, 511, ""},
		// Version 1 by reference: 444 (see TestRegisterRfmScore).
		{`SELECT rfm_score('rfm@1', 12, 4, 800)`, 444, ""},
		{`SELECT rfm_score('rfm@7', 12, 4, 800)`, 0, "rfm_score: unknown model"},
		{`SELECT rfm_score('nosuch', 12, 4, 800)`, 0, "rfm_score: unknown model"},
		{`SELECT rfm_score('broken', 12, 4, 800)`, 0, "rfm_score: model \"broken\" is corrupt"},
		{`SELECT rfm_score('{"kind":"rfm"', 12, 4, 800)`, 0, "rfm_score: corrupt model JSON"},
	}
	for _, c := range cases {
		var got int64
		err := db.QueryRow(c.sql).Scan(&got)
		if c.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), c.wantErr) {
				t.Errorf("%s: err = %v, want %q", c.sql, err, c.wantErr)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%s = %d, %v; want %d", c.sql, got, err, c.want)
		}
	}

	// A model inserted after the functions were registered (and after a
	// failed lookup) resolves.
	if _, err := db.Exec(`SELECT rfm_score('late', 12, 4, 800)`); err == nil {
		t.Fatal("unknown model 'late' resolved")
	}
	addModel(t, db, "late", 1, rfmV1, true)
	var got int64
	if err := db.QueryRow(`SELECT rfm_score('late', 12, 4, 800)`).Scan(&got); err != nil || got != 444 {
		t.Fatalf("late model: %d, %v", got, err)
	}
}

// countingStore counts the lookups that reach the registry.
type countingStore struct {
	inner catalog.ModelStore
	n     atomic.Int64
}

func (c *countingStore) LookupModel(name string, version int64) (string, string, error) {
	c.n.Add(1)
	return c.inner.LookupModel(name, version)
}

// TestModelStoreNoDeadlock scores a scan on DuckDB's threads (two) with
// constant model references: each is resolved once, when the statement is
// bound, so no lookup runs on a worker thread in the middle of the scan
// (where one could wait on the scan itself). The run is bounded (rows and
// a deadline) so a deadlock fails the test instead of hanging it.
func TestModelStoreNoDeadlock(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := &countingStore{inner: &sqlStore{dbs: []*sql.DB{db}}}
	if err := registerWith(db, catalog.All(), store); err != nil {
		t.Fatal(err)
	}
	withSchema(t, db)
	addModel(t, db, "rfm", 1, rfmV1, true)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SET threads = 2`); err != nil {
		t.Fatal(err)
	}
	rows := int64(200000)
	if raceEnabled {
		rows = 20000
	}
	var n, sum int64
	start := time.Now()
	err = conn.QueryRowContext(ctx, `SELECT count(*), sum(CASE WHEN i % 2 = 0 THEN rfm_score('rfm', i % 200, i % 7, i % 1500) ELSE rfm_score('rfm@1', i % 200, i % 7, i % 1500) END)
		FROM range(?) t(i)`, rows).Scan(&n, &sum)
	if err != nil {
		t.Fatalf("after %v: %v", time.Since(start), err)
	}
	if n != rows || sum < 111*n || sum > 555*n {
		t.Fatalf("count %d sum %d", n, sum)
	}
	// One lookup per reference and bound expression, whatever the rows.
	if got := store.n.Load(); got < 2 || got > 8 {
		t.Fatalf("%d registry lookups for two constant references, want 2 (one per bind)", got)
	}
	t.Logf("%d rows, %d registry lookups: %v", rows, store.n.Load(), time.Since(start))
}

// TestModelStoreCappedPool: with a single pooled connection the lookup
// cannot get a second one; it must fail with an error, not hang.
func TestModelStoreCappedPool(t *testing.T) {
	db := openDB(t)
	withSchema(t, db)
	addModel(t, db, "capped", 1, rfmV1, true)
	db.SetMaxOpenConns(1)
	done := make(chan error, 1)
	go func() {
		_, err := db.Exec(`SELECT rfm_score('capped', i, 1, 1) FROM range(10) t(i)`)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "rfm_score: ") {
			t.Fatalf("err = %v, want an rfm_score error about the pool", err)
		}
	case <-time.After(45 * time.Second):
		t.Fatal("model lookup with a capped pool hung")
	}
}

// TestModelSwitchSeenByNextStatement (issue #10 §1): after this connection
// switches the active version, its very next statement uses the new one,
// and a 100,000-row statement right after the switch uses one version for
// every row (the name is resolved once, when the statement is bound).
func TestModelSwitchSeenByNextStatement(t *testing.T) {
	db := openDB(t)
	withSchema(t, db)
	addModel(t, db, "sw", 1, rfmV1, true)
	addModel(t, db, "sw", 2, rfmV2, false)
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// rfm_score(12, 4, 800): 444 under version 1, 511 under version 2.
	want := map[int64]int64{1: 444, 2: 511}
	for i, v := range []int64{1, 2, 1, 2, 2, 1} {
		if _, err := conn.ExecContext(context.Background(), `UPDATE custseg_models SET active = (version = ?) WHERE name = 'sw'`, v); err != nil {
			t.Fatal(err)
		}
		var distinct, score int64
		err := conn.QueryRowContext(context.Background(), `SELECT count(DISTINCT s), min(s) FROM (
			SELECT rfm_score('sw', 12 + i % 1, 4, 800) s FROM range(100000) t(i))`).Scan(&distinct, &score)
		if err != nil {
			t.Fatal(err)
		}
		if distinct != 1 || score != want[v] {
			t.Fatalf("switch %d to version %d: %d distinct scores, score %d; want 1 score %d", i, v, distinct, score, want[v])
		}
	}
}
