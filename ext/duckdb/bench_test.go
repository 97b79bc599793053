package duckdb

import (
	"fmt"
	"runtime"
	"testing"
	"time"
)

// rfmCase is rfm_score with rfmV1's cut points written as plain SQL:
// R = 5 - #cuts below recency, F and M = 1 + #cuts below the value.
const rfmCase = `(CASE WHEN r <= 10 THEN 5 WHEN r <= 30 THEN 4 WHEN r <= 60 THEN 3 WHEN r <= 120 THEN 2 ELSE 1 END) * 100
	+ (CASE WHEN f <= 1 THEN 1 WHEN f <= 2 THEN 2 WHEN f <= 3 THEN 3 WHEN f <= 5 THEN 4 ELSE 5 END) * 10
	+ (CASE WHEN m <= 100 THEN 1 WHEN m <= 250 THEN 2 WHEN m <= 500 THEN 3 WHEN m <= 1000 THEN 4 ELSE 5 END)`

// rfmInput is n rows of (r, f, m) as DOUBLE.
func rfmInput(n int) string {
	return fmt.Sprintf(`(SELECT (i %% 365)::DOUBLE AS r, (i %% 9)::DOUBLE AS f, (i %% 1500)::DOUBLE AS m FROM range(%d) t(i))`, n)
}

// TestRfmScoreMatchesPlainSQL makes the benchmark's comparison fair: the
// plain CASE expression computes exactly rfm_score's codes.
func TestRfmScoreMatchesPlainSQL(t *testing.T) {
	db := openDB(t)
	var mismatches int64
	err := db.QueryRow(`SELECT count(*) FILTER (WHERE rfm_score(?, r, f, m) <> `+rfmCase+`) FROM `+rfmInput(1000000), rfmV1).Scan(&mismatches)
	if err != nil {
		t.Fatal(err)
	}
	if mismatches != 0 {
		t.Fatalf("%d rows where rfm_score differs from the CASE expression", mismatches)
	}
}

// BenchmarkRfmScore10M compares SELECT sum(rfm_score(...)) over 10M rows
// through the C-API binding with the same computation as a plain SQL CASE
// expression; ratio = binding time / plain time (target <= 2).
func BenchmarkRfmScore10M(b *testing.B) {
	db := openDB(b)
	const n = 10_000_000
	capi := `SELECT sum(rfm_score('` + rfmV1 + `', r, f, m)) FROM ` + rfmInput(n)
	plain := `SELECT sum(` + rfmCase + `) FROM ` + rfmInput(n)
	compareQueries(b, db, capi, plain, n)
}

// TestNoPerRowAllocation: a 1M-row scalar query allocates per chunk (2048
// rows) at most, not per row.
func TestNoPerRowAllocation(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	db := openDB(t)
	q := `SELECT sum(rfm_score('` + rfmV1 + `', r, f, m)), count(rfm_segment(rfm_score('` + rfmV1 + `', r, f, m))) FROM ` + rfmInput(1_000_000)
	var sum, cnt int64
	if err := db.QueryRow(q).Scan(&sum, &cnt); err != nil { // warm up pools and caches
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := db.QueryRow(q).Scan(&sum, &cnt); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	mallocs := after.Mallocs - before.Mallocs
	t.Logf("1M rows, two functions: %d Go allocations", mallocs)
	if mallocs > 20000 {
		t.Fatalf("%d allocations for 1M rows: something allocates per row", mallocs)
	}
}

// BenchmarkRfmSegment10M measures a text-returning scalar:
// count(rfm_segment(code)) over 10M codes, against count(code::VARCHAR).
func BenchmarkRfmSegment10M(b *testing.B) {
	db := openDB(b)
	const n = 10_000_000
	codes := fmt.Sprintf(`(SELECT (1 + i %% 5) * 100 + (1 + i %% 3) * 10 + (1 + i %% 4) AS code FROM range(%d) t(i))`, n)
	seg := `SELECT count(DISTINCT rfm_segment(code)) FROM ` + codes
	plain := `SELECT count(DISTINCT code::VARCHAR) FROM ` + codes
	var x int64
	var tc, tp time.Duration
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := db.QueryRow(seg).Scan(&x); err != nil {
			b.Fatal(err)
		}
		tc += time.Since(start)
		start = time.Now()
		if err := db.QueryRow(plain).Scan(&x); err != nil {
			b.Fatal(err)
		}
		tp += time.Since(start)
	}
	b.ReportMetric(float64(tc.Nanoseconds())/float64(b.N)/n, "capi-ns/row")
	b.ReportMetric(float64(tp.Nanoseconds())/float64(b.N)/n, "plain-ns/row")
	b.ReportMetric(float64(tc)/float64(tp), "ratio")
}
