package pipeline_test

import (
	"context"
	"testing"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/udf/drift"
)

// TestFeaturesAsOfRetail computes features as of 2011-06-01 on the real
// file and checks them against the same question asked in plain SQL.
func TestFeaturesAsOfRetail(t *testing.T) {
	ctx := context.Background()
	onRetail(t, func(t *testing.T, db *engine.DB) {
		asOf := time.Date(2011, 6, 1, 0, 0, 0, 0, time.UTC)
		s, err := pipeline.Features(ctx, db, pipeline.FeatureOptions{AsOf: asOf, Table: "features_june"})
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		var wantFreq int64
		// Independent plain SQL: distinct customers and invoices before June.
		err = db.QueryRow(`SELECT count(DISTINCT customer_id), count(DISTINCT customer_id || '/' || invoice_no) FROM transactions
			WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%' AND quantity > 0 AND unit_price > 0
			  AND invoice_date < '2011-06-01'`).Scan(&want, &wantFreq)
		if err != nil {
			t.Fatal(err)
		}
		var minRec, maxRec int64
		db.QueryRow(`SELECT min(recency_days), max(recency_days) FROM features_june`).Scan(&minRec, &maxRec)
		if s.Customers != want || s.Frequency != wantFreq || s.AsOf != "2011-06-01 00:00:00" || minRec < 0 || maxRec > 182 {
			t.Fatalf("as of June: %+v (recency %d..%d); plain SQL says %d customers, %d invoices", s, minRec, maxRec, want, wantFreq)
		}
	})
}

// TestDriftIdenticalAndShifted: right after training the population is
// the training population (PSI exactly 0, shares unchanged); after the
// monetary values of half the customers grow tenfold, PSI crosses 0.2.
func TestDriftIdenticalAndShifted(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			if _, err := db.Exec(`CREATE TABLE customer_features (customer_id TEXT, recency_days BIGINT, frequency BIGINT, monetary DOUBLE, as_of TEXT)`); err != nil {
				t.Fatal(err)
			}
			tx, _ := db.Begin()
			for i := 0; i < 600; i++ {
				// Three loose groups with spread inside each.
				g := i % 3
				if _, err := tx.Exec(`INSERT INTO customer_features VALUES (?, ?, ?, ?, '2011-12-10 00:00:00')`,
					i, 10+g*120+i%37, 1+g*4+i%5, 100*float64(g*g+1)+float64(i%53)*7); err != nil {
					t.Fatal(err)
				}
			}
			tx.Commit()
			if _, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "seg", K: 3}); err != nil {
				t.Fatal(err)
			}
			res, err := pipeline.Drift(ctx, db, pipeline.DriftOptions{Model: "seg"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Report.MaxPSI != 0 || res.Report.Level != drift.Stable || res.MaxShareShift != 0 || res.Rows != 600 {
				t.Fatalf("identical population: %+v", res)
			}
			if _, err := db.Exec(`UPDATE customer_features SET monetary = monetary * 10 WHERE CAST(customer_id AS INTEGER) % 2 = 0`); err != nil {
				t.Fatal(err)
			}
			res, err = pipeline.Drift(ctx, db, pipeline.DriftOptions{Model: "seg"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Report.Level != drift.Retrain || res.Report.Features[2].PSI < 0.2 || res.Report.Features[0].PSI != 0 {
				t.Fatalf("shifted monetary: %+v", res.Report)
			}
			if res.NowMeanDistance <= res.TrainMeanDistance {
				t.Errorf("mean distance did not grow: %v -> %v", res.TrainMeanDistance, res.NowMeanDistance)
			}
		})
	}
}

// TestBacktestRetail replays the real Online Retail file from a March 2011
// baseline: one row per month start up to the last invoice (2011-12-09),
// customer counts that only grow, and drift that the verdict reports.
func TestBacktestRetail(t *testing.T) {
	ctx := context.Background()
	onRetail(t, func(t *testing.T, db *engine.DB) {
		v, series, err := pipeline.Backtest(ctx, db, pipeline.BacktestOptions{Start: time.Date(2011, 3, 1, 0, 0, 0, 0, time.UTC), Train: pipeline.TrainOptions{K: 4}})
		if err != nil {
			t.Fatal(err)
		}
		if v.Ref() != "backtest@1" || len(series) != 9 || series[0].AsOf.Month() != time.April || series[8].AsOf.Month() != time.December {
			t.Fatalf("baseline %s, %d months", v.Ref(), len(series))
		}
		for i := 1; i < len(series); i++ {
			if series[i].Result.Rows <= series[i-1].Result.Rows {
				t.Errorf("customers fell from %d to %d", series[i-1].Result.Rows, series[i].Result.Rows)
			}
		}
		// Customers as of 2011-12-01 equal the plain-SQL count.
		var want int
		db.QueryRow(`SELECT count(DISTINCT customer_id) FROM transactions WHERE customer_id IS NOT NULL AND invoice_no NOT LIKE 'C%'
			AND quantity > 0 AND unit_price > 0 AND invoice_date < '2011-12-01'`).Scan(&want)
		if series[8].Result.Rows != want {
			t.Errorf("as of 2011-12-01: %d customers, plain SQL %d", series[8].Result.Rows, want)
		}
		first, last := series[0].Result.Report, series[8].Result.Report
		if !(first.MaxPSI < last.MaxPSI) || last.Level != drift.Retrain {
			t.Errorf("drift did not grow to re-train: first %+v last %+v", first, last)
		}
	})
}
