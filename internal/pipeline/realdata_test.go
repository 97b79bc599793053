package pipeline_test

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/retailfixture"
	"github.com/custseg/custseg/loader"
)

// loadRetail loads the UCI Online Retail file into a fresh database of kind.
func loadRetail(t *testing.T, file string) *engine.DB {
	t.Helper()
	db, err := engine.Open(filepath.Join(t.TempDir(), file), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := loader.Load(context.Background(), db.DB, []string{retailfixture.DataFile(t, "online_retail.csv.gz")}, loader.Options{}); err != nil {
		t.Fatal(err)
	}
	return db
}

// onRetail runs body on the real Online Retail file loaded into a fresh
// database of each engine.
func onRetail(t *testing.T, body func(t *testing.T, db *engine.DB)) {
	t.Helper()
	if testing.Short() {
		t.Skip("loads 541,909 rows")
	}
	for _, file := range []string{"retail.duckdb", "retail.db"} {
		t.Run(file, func(t *testing.T) { body(t, loadRetail(t, file)) })
	}
}

// TestRetailFeaturesAndRFM checks customer_features on the real UCI Online
// Retail file against the reference figures measured with pandas
// (../shared/notes/engines.md: 4,338 customers; recency 401,423; frequency
// 18,532; monetary 8,911,407.90), and that rfm_score agrees with the
// window-function view for every customer, on both engines.
func TestRetailFeaturesAndRFM(t *testing.T) {
	ctx := context.Background()
	onRetail(t, func(t *testing.T, db *engine.DB) {
		s, err := pipeline.Features(ctx, db, pipeline.FeatureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		var rec, freq int64
		var mon float64
		if err := db.QueryRow(`SELECT sum(recency_days), sum(frequency), sum(monetary) FROM customer_features`).Scan(&rec, &freq, &mon); err != nil {
			t.Fatal(err)
		}
		if s.Customers != 4338 || rec != 401423 || freq != 18532 || math.Abs(mon-8911407.90) > 0.01 {
			t.Fatalf("customers %d recency %d frequency %d monetary %.2f; want 4338, 401423, 18532, 8911407.90 (pandas reference)", s.Customers, rec, freq, mon)
		}
		if s.AsOf != "2011-12-10 12:50:00" {
			t.Errorf("as_of = %q, want 2011-12-10 12:50:00 (last invoice 2011-12-09 12:50 + 1 day)", s.AsOf)
		}
		v, model, err := pipeline.FitRFM(ctx, db, "rfm", s.AsOf)
		if err != nil {
			t.Fatal(err)
		}
		if v.Version != 1 || model.Customers != 4338 {
			t.Fatalf("fit: version %d customers %d", v.Version, model.Customers)
		}
		if err := pipeline.ScoreRFM(ctx, db, v.Ref()); err != nil {
			t.Fatal(err)
		}
		if err := pipeline.CreateRFMView(ctx, db); err != nil {
			t.Fatal(err)
		}
		// Every customer: the custom function, by name, equals the
		// window-function path.
		var n, mismatched int64
		err = db.QueryRow(`
			SELECT count(*), sum(CASE WHEN v.rfm_code = rfm_score('rfm', f.recency_days, f.frequency, f.monetary) THEN 0 ELSE 1 END)
			FROM customer_features f JOIN customer_rfm_sql v ON v.customer_id = f.customer_id`).Scan(&n, &mismatched)
		if err != nil {
			t.Fatal(err)
		}
		if n != 4338 || mismatched != 0 {
			t.Fatalf("%d customers compared, %d differ between rfm_score and customer_rfm_sql", n, mismatched)
		}
		var segs, others int64
		if err := db.QueryRow(`SELECT count(DISTINCT rfm_segment), sum(CASE WHEN rfm_segment IS NULL THEN 1 ELSE 0 END) FROM customer_rfm`).Scan(&segs, &others); err != nil {
			t.Fatal(err)
		}
		if segs < 8 || others != 0 {
			t.Fatalf("customer_rfm has %d distinct segments and %d NULL segments", segs, others)
		}
	})
}
