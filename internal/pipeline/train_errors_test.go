package pipeline_test

import (
	"context"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/pipeline"
)

// TestTrainBadInputs: degenerate training tables are clear errors on both
// engines, and nothing is stored for them.
func TestTrainBadInputs(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			for _, stmt := range []string{
				`CREATE TABLE one_row (recency_days DOUBLE, frequency DOUBLE, monetary DOUBLE)`,
				`INSERT INTO one_row VALUES (10, 2, 100)`,
				`CREATE TABLE equal_rows (recency_days DOUBLE, frequency DOUBLE, monetary DOUBLE)`,
				`INSERT INTO equal_rows VALUES (10, 2, 100), (10, 2, 100), (10, 2, 100), (10, 2, 100)`,
				`CREATE TABLE with_null (recency_days DOUBLE, frequency DOUBLE, monetary DOUBLE)`,
				`INSERT INTO with_null VALUES (10, 2, 100), (20, NULL, 50), (30, 1, 10)`,
				`CREATE TABLE with_text (recency_days DOUBLE, frequency TEXT, monetary DOUBLE)`,
				`INSERT INTO with_text VALUES (10, 'two', 100), (20, 'one', 50)`,
				`CREATE TABLE three_rows (recency_days DOUBLE, frequency DOUBLE, monetary DOUBLE)`,
				`INSERT INTO three_rows VALUES (10, 2, 100), (20, 3, 50), (30, 1, 10)`,
				`CREATE TABLE negative (recency_days DOUBLE, frequency DOUBLE, monetary DOUBLE)`,
				`INSERT INTO negative VALUES (10, 2, -100), (20, 3, 50), (30, 1, 10)`,
			} {
				if _, err := db.Exec(stmt); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range []struct {
				name string
				opts pipeline.TrainOptions
				want string
			}{
				{"one row", pipeline.TrainOptions{From: "one_row", K: 2}, "larger than the 1 training rows"},
				{"one row auto", pipeline.TrainOptions{From: "one_row"}, "train:"},
				{"all equal", pipeline.TrainOptions{From: "equal_rows", K: 2}, "distinct"},
				{"null feature", pipeline.TrainOptions{From: "with_null", K: 2}, "frequency is NULL"},
				{"text feature", pipeline.TrainOptions{From: "with_text", K: 2}, "training row 1"},
				{"k > rows", pipeline.TrainOptions{From: "three_rows", K: 5}, "k = 5 is larger than the 3 training rows"},
				{"log1p of negative", pipeline.TrainOptions{From: "negative", K: 2, Transform: "log1p"}, "monetary"},
				{"missing table", pipeline.TrainOptions{From: "nowhere", K: 2}, "nowhere"},
				{"no features table", pipeline.TrainOptions{K: 2}, "customer_features"},
				{"bad feature name", pipeline.TrainOptions{From: "three_rows", K: 2, Features: []string{"monetary; DROP TABLE x"}}, "not a plain column name"},
				{"bad from", pipeline.TrainOptions{From: "three_rows; DROP TABLE three_rows", K: 2}, "--from"},
			} {
				c.opts.Model = "m"
				_, err := pipeline.Train(ctx, db, c.opts)
				if err == nil || !strings.Contains(err.Error(), c.want) {
					t.Errorf("%s: err = %v; want it to mention %q", c.name, err, c.want)
				}
			}
			var stored int
			db.QueryRow(`SELECT count(*) FROM custseg_models`).Scan(&stored)
			if stored != 0 {
				t.Errorf("%d models stored by failed trainings", stored)
			}
			// A query works as --from; the model then scores in SQL.
			res, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "q", K: 2, From: "SELECT * FROM three_rows WHERE recency_days > 0"})
			if err != nil || res.Rows != 3 {
				t.Fatalf("train --from query: %v (%d rows)", err, res.Rows)
			}
		})
	}
}

// TestCorruptStoredModel: a damaged registry row is a clear error from the
// SQL functions and from score, never a crash.
func TestCorruptStoredModel(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			if _, err := db.Exec(`INSERT INTO custseg_models (name, version, kind, created_at, spec, active) VALUES ('bad', 1, 'kmeans', '2026-01-01 00:00:00', '{"kind":"kmeans","features":["a"', true)`); err != nil {
				t.Fatal(err)
			}
			_, err := db.Exec(`SELECT assign_segment('bad', 1.0)`)
			if err == nil || !strings.Contains(err.Error(), "assign_segment:") || !strings.Contains(err.Error(), "corrupt") {
				t.Fatalf("assign_segment on a corrupt model: %v", err)
			}
			if _, err := pipeline.Score(ctx, db, "bad"); err == nil || !strings.Contains(err.Error(), "corrupt") {
				t.Fatalf("score with a corrupt model: %v", err)
			}
		})
	}
}
