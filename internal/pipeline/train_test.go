package pipeline_test

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/kmeans"
)

// TestRetailSegmentsK4 trains k = 4 on the real Online Retail customers
// (log1p + standard scaling). Inertia must be no worse than scikit-learn
// 1.2.1 KMeans(n_init=10, random_state=0) on the same data (3938.844038,
// ../shared/notes/engines.md) within 0.1 %. custseg's seed-0 run finds a
// slightly better partition (inertia ~3937.95), so the metrics are checked
// against scikit-learn's silhouette_score, davies_bouldin_score and
// calinski_harabasz_score computed on custseg's own labels (dumped from
// customer_segments, log1p + StandardScaler in numpy; rerun with Debian's
// python3-sklearn 1.2.1 when Fit gained its final centroid update).
// Then assign_segment in SQL must give every training row the segment the
// Go model gives it, the prepared tables must be consistent, and rollback
// must restore the previous version's assignments.
func TestRetailSegmentsK4(t *testing.T) {
	ctx := context.Background()
	onRetail(t, func(t *testing.T, db *engine.DB) {
		s, err := pipeline.Features(ctx, db, pipeline.FeatureOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := pipeline.FitRFM(ctx, db, "rfm", s.AsOf); err != nil {
			t.Fatal(err)
		}
		res, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "retail", K: 4, Transform: "log1p", Scale: "standard", NInit: 10, Seed: 0})
		if err != nil {
			t.Fatal(err)
		}
		const skInertia = 3938.844038 // scikit-learn KMeans(4, n_init=10, random_state=0).inertia_
		inertia := res.Model.Metrics["inertia"]
		if inertia > skInertia*1.001 {
			t.Errorf("inertia %.6f is worse than scikit-learn's %.6f by more than 0.1%%", inertia, skInertia)
		}
		// scikit-learn 1.2.1 metrics on custseg's labels (see above).
		for _, c := range []struct {
			metric string
			want   float64
			relTol float64
		}{
			{"silhouette", 0.335867737478, 1e-9},
			{"davies_bouldin", 1.013876446248, 1e-9},
			{"calinski_harabasz", 3329.613431248549, 1e-9},
		} {
			got := res.Model.Metrics[c.metric]
			if math.Abs(got-c.want) > c.relTol*math.Abs(c.want) {
				t.Errorf("%s = %.12f, scikit-learn on the same labels %.12f (relative tolerance %g)", c.metric, got, c.want, c.relTol)
			}
		}
		t.Logf("k=4 inertia %.6f (scikit-learn %.6f) silhouette %.9f", inertia, skInertia, res.Model.Metrics["silhouette"])
		// The stored silhouette is exact here, and SQL reproduces it: the
		// aggregate applies the model's transform, scaling and assignment.
		// The inertia aggregate over the model's space agrees too.
		if res.Model.SilhouetteMethod != kmeans.SilhouetteExact {
			t.Errorf("silhouette method %q on %d customers, want exact", res.Model.SilhouetteMethod, res.Rows)
		}
		var sqlSil float64
		if err := db.QueryRow(`SELECT segment_silhouette('retail', recency_days, frequency, monetary) FROM customer_features`).Scan(&sqlSil); err != nil {
			t.Fatal(err)
		}
		if stored := res.Model.Metrics["silhouette"]; math.Abs(sqlSil-stored) > 1e-9 {
			t.Errorf("segment_silhouette in SQL %.12f, stored %.12f", sqlSil, stored)
		}

		v, err := pipeline.Score(ctx, db, "retail")
		if err != nil {
			t.Fatal(err)
		}
		// SQL assignment equals the Go model's, row by row.
		rows, err := db.Query(`SELECT recency_days, frequency, monetary, segment, distance FROM customer_segments`)
		if err != nil {
			t.Fatal(err)
		}
		sizes := make([]int, 4)
		n := 0
		for rows.Next() {
			var r, f, m, dist float64
			var seg int
			if err := rows.Scan(&r, &f, &m, &seg, &dist); err != nil {
				t.Fatal(err)
			}
			want, wantDist, err := res.Model.Assign([]float64{r, f, m})
			if err != nil {
				t.Fatal(err)
			}
			if seg != want || math.Abs(dist-wantDist) > 1e-12 {
				t.Fatalf("row %d: SQL segment %d distance %v, Go %d %v", n, seg, dist, want, wantDist)
			}
			sizes[seg]++
			n++
		}
		rows.Close()
		if n != 4338 {
			t.Fatalf("customer_segments has %d rows, want 4338", n)
		}
		for i, sz := range res.Model.SegmentSizes {
			if sizes[i] != sz {
				t.Errorf("segment %d: %d customers in SQL, %d at training", i, sizes[i], sz)
			}
		}
		// segment_profiles: one row per segment, shares add up (each is
		// rounded to 4 decimals, so within half a unit of that per segment).
		var segs int
		var share, revShare float64
		if err := db.QueryRow(`SELECT count(*), sum(share), sum(revenue_share) FROM segment_profiles`).Scan(&segs, &share, &revShare); err != nil {
			t.Fatal(err)
		}
		if tol := float64(segs)*0.5e-4 + 1e-12; segs != 4 || math.Abs(share-1) > tol || math.Abs(revShare-1) > tol {
			t.Fatalf("segment_profiles: %d segments, shares sum %v, revenue shares sum %v", segs, share, revShare)
		}
		if !strings.HasPrefix(v.Ref(), "retail@") {
			t.Fatalf("scored with %s", v.Ref())
		}

		// Rollback restores the previous version's assignments.
		res2, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "retail", K: 3, Seed: 0})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pipeline.Score(ctx, db, "retail"); err != nil {
			t.Fatal(err)
		}
		var k int
		db.QueryRow(`SELECT count(DISTINCT segment) FROM customer_segments`).Scan(&k)
		if k != 3 || res2.Version.Version != 2 {
			t.Fatalf("after retraining with k=3: %d segments, version %d", k, res2.Version.Version)
		}
		if _, err := registry.Rollback(ctx, db.DB, "retail"); err != nil {
			t.Fatal(err)
		}
		if _, err := pipeline.Score(ctx, db, "retail"); err != nil {
			t.Fatal(err)
		}
		var back [4]int
		rows, _ = db.Query(`SELECT segment, count(*) FROM customer_segments GROUP BY segment`)
		for rows.Next() {
			var s, c int
			rows.Scan(&s, &c)
			back[s] = c
		}
		rows.Close()
		for i, sz := range res.Model.SegmentSizes {
			if back[i] != sz {
				t.Errorf("after rollback segment %d has %d customers, version 1 had %d", i, back[i], sz)
			}
		}
		_ = kmeans.Kind
	})
}
