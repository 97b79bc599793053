package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"strconv"
	"strings"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/udf/rfm"
)

// plainFeaturesSQL is what `custseg features` computes, written by hand in
// plain DuckDB SQL: the same default cleaning, GROUP BY and recency rule
// (sql/features.sql), quintile cuts with quantile_cont (type-7, as
// rfm.Fit), CASE scoring (R = 5 − #cuts below, F and M = 1 + #cuts
// below) and the default segment rules as one CASE.
func plainFeaturesSQL() string {
	var seg strings.Builder
	seg.WriteString("CASE")
	for _, r := range rfm.DefaultRules() {
		fmt.Fprintf(&seg, "\n        WHEN r_score BETWEEN %d AND %d AND f_score BETWEEN %d AND %d AND m_score BETWEEN %d AND %d THEN '%s'",
			r.R[0], r.R[1], r.F[0], r.F[1], r.M[0], r.M[1], strings.ReplaceAll(r.Segment, "'", "''"))
	}
	seg.WriteString("\n        ELSE '" + rfm.Others + "' END")
	above := func(col, q string) string {
		return fmt.Sprintf("(%s > %s[1])::INT + (%s > %s[2])::INT + (%s > %s[3])::INT + (%s > %s[4])::INT", col, q, col, q, col, q, col, q)
	}
	return `CREATE OR REPLACE TABLE plain_features AS
WITH kept AS (
    SELECT customer_id, invoice_no, invoice_date, quantity * unit_price AS amount
    FROM transactions
    WHERE customer_id IS NOT NULL AND customer_id <> '' AND invoice_date IS NOT NULL
      AND invoice_no NOT LIKE 'C%' AND quantity > 0 AND unit_price > 0
),
as_of AS (SELECT max(invoice_date) + INTERVAL 1 DAY AS as_of FROM kept)
SELECT k.customer_id,
       date_diff('second', max(k.invoice_date), a.as_of) // 86400 AS recency_days,
       count(DISTINCT k.invoice_no) AS frequency,
       sum(k.amount) AS monetary,
       min(k.invoice_date) AS first_purchase,
       max(k.invoice_date) AS last_purchase,
       a.as_of AS as_of
FROM kept k CROSS JOIN as_of a
GROUP BY k.customer_id, a.as_of
ORDER BY k.customer_id;
CREATE OR REPLACE TABLE plain_rfm AS
WITH q AS (
    SELECT quantile_cont(recency_days, [0.2, 0.4, 0.6, 0.8]) AS r,
           quantile_cont(frequency, [0.2, 0.4, 0.6, 0.8]) AS f,
           quantile_cont(monetary, [0.2, 0.4, 0.6, 0.8]) AS m
    FROM plain_features
),
s AS (
    SELECT c.customer_id, c.recency_days, c.frequency, c.monetary,
           5 - (` + above("c.recency_days", "q.r") + `) AS r_score,
           1 + (` + above("c.frequency", "q.f") + `) AS f_score,
           1 + (` + above("c.monetary", "q.m") + `) AS m_score
    FROM plain_features c CROSS JOIN q
)
SELECT customer_id, recency_days, frequency, monetary, r_score, f_score, m_score,
       r_score * 100 + f_score * 10 + m_score AS rfm_code,
       ` + seg.String() + ` AS rfm_segment
FROM s
ORDER BY customer_id;
`
}

func runFeatures(e *env, args []string) error {
	fs := flag.NewFlagSet("features", flag.ContinueOnError)
	rows := fs.Int64("rows", 50000000, "generated transactions (custseg generate --rows; ~151 rows per customer)")
	runs := fs.Int("runs", 3, "runs per side (median reported)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	csv := fmt.Sprintf("%s/transactions-%d.csv", e.work, *rows)
	if !fileExists(csv) {
		fmt.Fprintf(e.out, "generating %d rows into %s (outside the timing) ...\n", *rows, csv)
		pr, err := timeProc(nil, e.custseg, "generate", "--rows", strconv.FormatInt(*rows, 10), "--seed", "1", "--out", csv)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "  %s  [%s wall, max RSS %d MiB]\n", strings.TrimSpace(pr.stdout), secs(pr.wall), pr.maxRSS>>10)
	}
	dbPath := fmt.Sprintf("%s/features-%d.duckdb", e.work, *rows)
	loaded := dbPath + ".loaded" // written once the load finished
	if !fileExists(loaded) {
		fmt.Fprintf(e.out, "loading %s into %s (outside the timing) ...\n", csv, dbPath)
		removeDB(dbPath)
		pr, err := timeProc(nil, e.custseg, "load", "--db", dbPath, csv)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.out, "  %s  [%s wall, max RSS %d MiB]\n", strings.TrimSpace(pr.stdout), secs(pr.wall), pr.maxRSS>>10)
		if err := os.WriteFile(loaded, []byte(pr.stdout), 0o644); err != nil {
			return err
		}
	}
	csvSize, dbSize := fileSize(csv), fileSize(dbPath)
	fmt.Fprintf(e.out, "features: %d generated transactions; CSV %.2f GB, DuckDB file %.2f GB\n"+
		"  custseg: the whole `custseg features` process (features SQL, RFM fit in Go, rfm_score scoring, view)\n"+
		"  peer:    a duckdb-go process running the same computation in plain SQL (quantile_cont cuts, CASE scoring)\n",
		*rows, float64(csvSize)/1e9, float64(dbSize)/1e9)
	var cs, peer []time.Duration
	var csRSS, peerRSS int64
	// One untimed run of the peer brings the database file into the page
	// cache, so the first timed run does not pay for the disk alone.
	if _, err := e.duckPeer(dbPath, "features-peer", plainFeaturesSQL()); err != nil {
		return err
	}
	custsegRun := func(r int) error {
		pr, err := timeProc(nil, e.custseg, "features", "--db", dbPath)
		if err != nil {
			return err
		}
		cs = append(cs, pr.wall)
		csRSS = max(csRSS, pr.maxRSS)
		if r == 0 {
			fmt.Fprint(e.out, "  "+strings.ReplaceAll(strings.TrimSpace(pr.stdout), "\n", "\n  ")+"\n")
		}
		return nil
	}
	peerRun := func() error {
		pp, err := e.duckPeer(dbPath, "features-peer", plainFeaturesSQL())
		if err != nil {
			return err
		}
		peer = append(peer, pp.wall)
		peerRSS = max(peerRSS, pp.maxRSS)
		return nil
	}
	for r := 0; r < *runs; r++ {
		// Alternate which side goes first, so neither always inherits the
		// other's cache state.
		first, second := func() error { return custsegRun(r) }, peerRun
		if r%2 == 1 {
			first, second = second, first
		}
		if err := first(); err != nil {
			return err
		}
		if err := second(); err != nil {
			return err
		}
	}
	if err := phases(e, dbPath); err != nil {
		return err
	}
	db, err := openDuck(dbPath)
	if err != nil {
		return err
	}
	defer db.Close()
	customers, err := scalarInt(db, `SELECT count(*) FROM customer_rfm`)
	if err != nil {
		return err
	}
	featDiff, err := scalarInt(db, `SELECT count(*) FROM customer_features c FULL JOIN plain_features p USING (customer_id)
		WHERE c.recency_days IS DISTINCT FROM p.recency_days OR c.frequency IS DISTINCT FROM p.frequency
		   OR c.first_purchase IS DISTINCT FROM p.first_purchase OR c.last_purchase IS DISTINCT FROM p.last_purchase
		   OR c.monetary IS NULL OR p.monetary IS NULL OR abs(c.monetary - p.monetary) > 1e-9 * greatest(1, abs(p.monetary))`)
	if err != nil {
		return err
	}
	rfmDiff, err := scalarInt(db, `SELECT count(*) FROM customer_rfm c FULL JOIN plain_rfm p USING (customer_id)
		WHERE c.rfm_code IS DISTINCT FROM p.rfm_code OR c.rfm_segment IS DISTINCT FROM p.rfm_segment`)
	if err != nil {
		return err
	}
	printTable(e.out, "plain SQL", []row{{
		target: fmt.Sprintf("features+RFM, %d rows", *rows),
		peer:   median(peer), peerRuns: peer, custseg: median(cs), custsegRuns: cs,
		agree: fmt.Sprintf("%d customers; %d differ in features (monetary to 1e-9 relative), %d in rfm_code/rfm_segment", customers, featDiff, rfmDiff),
		ok:    featDiff == 0 && rfmDiff == 0,
	}})
	fmt.Fprintf(e.out, "max RSS: custseg features %d MiB, plain SQL process %d MiB\n", csRSS>>10, peerRSS>>10)
	return nil
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	if st.IsDir() {
		return 0
	}
	return st.Size()
}

// phases times the steps of both sides in one process (after the timed
// runs), to show where the difference comes from.
func phases(e *env, dbPath string) error {
	ctx := context.Background()
	db, err := engine.Open(dbPath, "")
	if err != nil {
		return err
	}
	defer db.Close()
	type step struct {
		name string
		run  func() error
	}
	var asOf string
	var ref string
	plain := plainFeaturesSQL()
	cut := strings.Index(plain, "CREATE OR REPLACE TABLE plain_rfm")
	steps := []step{
		{"custseg: pipeline.Features (sql/features.sql in a transaction)", func() error {
			s, err := pipeline.Features(ctx, db, pipeline.FeatureOptions{})
			asOf = s.AsOf
			return err
		}},
		{"custseg: pipeline.FitRFM (read customers into Go, sort, store model)", func() error {
			v, _, err := pipeline.FitRFM(ctx, db, "bench_rfm", asOf)
			ref = v.Ref()
			return err
		}},
		{"custseg: pipeline.ScoreRFM (customer_rfm with rfm_score/rfm_segment)", func() error { return pipeline.ScoreRFM(ctx, db, ref) }},
		{"custseg: pipeline.CreateRFMView", func() error { return pipeline.CreateRFMView(ctx, db) }},
		{"plain:   features CREATE TABLE", func() error { return execScript(db.DB, plain[:cut]) }},
		{"plain:   quantile_cont cuts + CASE scoring", func() error { return execScript(db.DB, plain[cut:]) }},
	}
	const reps = 3
	times := make([][]time.Duration, len(steps))
	for r := 0; r < reps; r++ {
		for i, st := range steps {
			t0 := time.Now()
			if err := st.run(); err != nil {
				return fmt.Errorf("%s: %w", st.name, err)
			}
			times[i] = append(times[i], time.Since(t0))
		}
	}
	fmt.Fprintf(e.out, "phases (in process, one connection pool; median of %d):\n", reps)
	for i, st := range steps {
		fmt.Fprintf(e.out, "  %-72s %s  [%s]\n", st.name, secs(median(times[i])), durs(times[i]))
	}
	return nil
}
