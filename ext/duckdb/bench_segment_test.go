package duckdb

import (
	"database/sql"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/kmeans"
)

// segModel trains a k = 8, 3-feature model (log1p, standard scaling) on
// synthetic RFM-like rows, as the benchmarks' fixture.
func segModel(t testing.TB) *kmeans.Model {
	t.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	const n = 20000
	rows := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		rows = append(rows, float64(r.IntN(365)), float64(1+r.IntN(30)), math.Exp(3+4*r.Float64()))
	}
	m, err := kmeans.Train(rows, n, []string{"recency_days", "frequency", "monetary"}, kmeans.TrainOptions{K: 8, Seed: 0, NInit: 2})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// segInput is n rows of (r, f, m) as DOUBLE.
func segInput(n int) string {
	return fmt.Sprintf(`(SELECT (i %% 365)::DOUBLE AS r, (1 + i %% 29)::DOUBLE AS f, (1 + (i * 7919) %% 50000)::DOUBLE AS m FROM range(%d) t(i))`, n)
}

// assignCase is assign_segment written as a plain SQL expression: the
// model's log1p and standard scaling, the 8 squared distances, and the
// lowest index among the smallest (argmin's tie rule).
func assignCase(m *kmeans.Model) string {
	var z [3]string
	for j, col := range []string{"r", "f", "m"} {
		z[j] = fmt.Sprintf("((ln(1 + %s) - %v) / %v)", col, m.Scaler.Center[j], m.Scaler.Scale[j])
	}
	var d []string
	for _, c := range m.Centroids {
		var terms []string
		for j := range z {
			terms = append(terms, fmt.Sprintf("(%s - %v) * (%s - %v)", z[j], c[j], z[j], c[j]))
		}
		d = append(d, "("+strings.Join(terms, " + ")+")")
	}
	var b strings.Builder
	b.WriteString("CASE")
	for i := 0; i < len(d)-1; i++ {
		fmt.Fprintf(&b, " WHEN %s <= least(%s) THEN %d", d[i], strings.Join(d[i+1:], ", "), i)
	}
	fmt.Fprintf(&b, " ELSE %d END", len(d)-1)
	return b.String()
}

// TestAssignSegmentMatchesPlainSQL makes the benchmark fair: the plain
// expression gives the same segments (DuckDB's ln(1 + x) may differ from
// Go's log1p in the last bit, so a near-tie may flip: at most 1 in 10^5).
func TestAssignSegmentMatchesPlainSQL(t *testing.T) {
	db := openDB(t)
	m := segModel(t)
	spec, _ := m.JSON()
	var n, differ int64
	err := db.QueryRow(`SELECT count(*), count(*) FILTER (WHERE assign_segment(?, r, f, m) <> `+assignCase(m)+`) FROM `+segInput(1_000_000), spec).Scan(&n, &differ)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1_000_000 || differ > 10 {
		t.Fatalf("%d of %d rows differ between assign_segment and the plain SQL expression", differ, n)
	}
}

// BenchmarkAssignSegment10M: sum(assign_segment(model, r, f, m)) with
// k = 8 over 10M rows through the C-API binding, against the same
// computation as plain SQL; ratio = binding / plain (issue target <= 2).
func BenchmarkAssignSegment10M(b *testing.B) {
	db := openDB(b)
	m := segModel(b)
	spec, _ := m.JSON()
	const n = 10_000_000
	capi := `SELECT sum(assign_segment('` + strings.ReplaceAll(spec, "'", "''") + `', r, f, m)) FROM ` + segInput(n) // a literal, as an analyst writes it
	plain := `SELECT sum(` + assignCase(m) + `) FROM ` + segInput(n)
	compareQueries(b, db, capi, plain, n)
}

// compareQueries times two queries returning one number alternately
// (after a warm-up that checks they agree) and reports ns/row for each and
// their ratio.
func compareQueries(b *testing.B, db *sql.DB, capi, plain string, n int) {
	var sumC, sumP int64
	if err := db.QueryRow(capi).Scan(&sumC); err != nil {
		b.Fatal(err)
	}
	if err := db.QueryRow(plain).Scan(&sumP); err != nil {
		b.Fatal(err)
	}
	if sumC != sumP {
		b.Logf("sums differ: %d vs %d (see the matching test for the tolerance)", sumC, sumP)
	}
	var tc, tp time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := db.QueryRow(capi).Scan(&sumC); err != nil {
			b.Fatal(err)
		}
		tc += time.Since(start)
		start = time.Now()
		if err := db.QueryRow(plain).Scan(&sumP); err != nil {
			b.Fatal(err)
		}
		tp += time.Since(start)
	}
	b.ReportMetric(float64(tc.Nanoseconds())/float64(b.N)/float64(n), "capi-ns/row")
	b.ReportMetric(float64(tp.Nanoseconds())/float64(b.N)/float64(n), "plain-ns/row")
	b.ReportMetric(float64(tc)/float64(tp), "ratio")
}

// BenchmarkSilhouetteAggregate100k: the silhouette aggregate over 100k
// labelled 3-D points in DuckDB, against the exact pure-Go batch call
// (cluster.Silhouette) on the same points; ratio = aggregate / batch
// (issue target <= 1.5).
func BenchmarkSilhouetteAggregate100k(b *testing.B) {
	db := openDB(b)
	const n = 100_000
	if _, err := db.Exec(fmt.Sprintf(`CREATE TABLE pts AS SELECT i %% 4 AS label,
		(i %% 4) * 3 + sin(i)::DOUBLE AS x, cos(i * 1.7)::DOUBLE AS y, sin(i * 0.3)::DOUBLE AS z FROM range(%d) t(i)`, n)); err != nil {
		b.Fatal(err)
	}
	rows, err := db.Query(`SELECT label, x, y, z FROM pts`)
	if err != nil {
		b.Fatal(err)
	}
	x := make([]float64, 0, 3*n)
	labels := make([]int, 0, n)
	for rows.Next() {
		var l int
		var p, q, r float64
		rows.Scan(&l, &p, &q, &r)
		labels, x = append(labels, l), append(x, p, q, r)
	}
	rows.Close()
	var agg, batch float64
	var ta, tb time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		if err := db.QueryRow(`SELECT silhouette(label, x, y, z) FROM pts`).Scan(&agg); err != nil {
			b.Fatal(err)
		}
		ta += time.Since(start)
		start = time.Now()
		if batch, err = cluster.Silhouette(x, 3, labels); err != nil {
			b.Fatal(err)
		}
		tb += time.Since(start)
	}
	if math.Abs(agg-batch) > 1e-9 {
		b.Fatalf("aggregate %v, batch %v", agg, batch)
	}
	b.ReportMetric(float64(ta.Milliseconds())/float64(b.N), "aggregate-ms")
	b.ReportMetric(float64(tb.Milliseconds())/float64(b.N), "batch-ms")
	b.ReportMetric(float64(ta)/float64(tb), "ratio")
}
