package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/kmeans"
)

// pointsTable is 60 rows in three tight groups of (x, y, z), in SQL both
// engines run: training rows that are not customers.
const pointsTable = `CREATE TABLE pts AS
	WITH RECURSIVE s(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM s WHERE i < 60)
	SELECT (i % 3) * 10.0 + i * 0.01 AS x, (i % 3) * 5.0 - i * 0.01 AS y, i * 0.001 AS z FROM s`

// TestSegmentsModel: no table and an empty table are "not scored", a
// scored table names its model, and a failing database is an error, not
// "no table".
func TestSegmentsModel(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			if ref, ok, err := pipeline.SegmentsModel(ctx, db); err != nil || ok || ref != "" {
				t.Fatalf("no table: %q %v %v", ref, ok, err)
			}
			if _, err := db.Exec(`CREATE TABLE customer_segments (customer_id VARCHAR, model VARCHAR)`); err != nil {
				t.Fatal(err)
			}
			if ref, ok, err := pipeline.SegmentsModel(ctx, db); err != nil || ok || ref != "" {
				t.Fatalf("empty table: %q %v %v", ref, ok, err)
			}
			if _, err := db.Exec(`INSERT INTO customer_segments VALUES ('a', 'segments@2'), ('b', 'segments@2')`); err != nil {
				t.Fatal(err)
			}
			if ref, ok, err := pipeline.SegmentsModel(ctx, db); err != nil || !ok || ref != "segments@2" {
				t.Fatalf("scored table: %q %v %v", ref, ok, err)
			}
			// A table without the model column is a real error.
			if _, err := db.Exec(`DROP TABLE customer_segments; CREATE TABLE customer_segments (customer_id VARCHAR)`); err != nil {
				t.Fatal(err)
			}
			if _, ok, err := pipeline.SegmentsModel(ctx, db); err == nil || ok {
				t.Fatalf("table without a model column: ok %v, err %v; want an error", ok, err)
			}
		})
	}
}

// TestTrainAndScoreOtherRows: a model trained on rows that are not the
// customers is stored and scores nothing; RefreshPrepared then has nothing
// to follow.
func TestTrainAndScoreOtherRows(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			if _, err := db.Exec(pointsTable); err != nil {
				t.Fatal(err)
			}
			res, err := pipeline.TrainAndScore(ctx, db, pipeline.TrainOptions{Model: "pts", K: 3, From: "pts",
				Features: []string{"x", "y", "z"}, Transform: kmeans.TransformNone, Scale: kmeans.ScaleNone}, pipeline.ScoreAlways)
			if err != nil {
				t.Fatal(err)
			}
			if res.Scored || res.Rows != 60 || res.Version.Ref() != "pts@1" {
				t.Fatalf("scored %v, %d rows, %s; want unscored, 60 rows, pts@1", res.Scored, res.Rows, res.Version.Ref())
			}
			if _, ok, err := pipeline.SegmentsModel(ctx, db); err != nil || ok {
				t.Fatalf("customer_segments after training from pts: ok %v, err %v", ok, err)
			}
			v, err := registry.Get(ctx, db.DB, "pts")
			if err != nil || !v.Active {
				t.Fatalf("stored model: %+v %v", v, err)
			}
			r, err := pipeline.RefreshPrepared(ctx, db, v)
			if err != nil || r.CustomerRFM || r.Segments {
				t.Fatalf("refresh with nothing prepared: %+v %v", r, err)
			}
		})
	}
}

func TestTrainsOnCustomers(t *testing.T) {
	for from, want := range map[string]bool{"": true, " customer_features ": true, "CUSTOMER_FEATURES": true,
		"pts": false, "SELECT * FROM customer_features": false} {
		if got := pipeline.TrainsOnCustomers(from); got != want {
			t.Errorf("TrainsOnCustomers(%q) = %v, want %v", from, got, want)
		}
	}
}

// TestPrepareFeaturesEmpty: with no transactions the first step's error
// comes back and nothing is fitted.
func TestPrepareFeaturesEmpty(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		s, err := pipeline.PrepareFeatures(ctx, db, pipeline.PrepareOptions{})
		if err == nil || !strings.Contains(err.Error(), "no customer") || s.RFM.Name != "" || s.Rescored() {
			t.Fatalf("%s: %+v %v", db.Kind, s, err)
		}
	}
}
