package pipeline_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/registry"
)

// withFeatures fills transactions with 30 small customers and computes
// customer_features and the rfm model, on each engine.
func withFeatures(t *testing.T, body func(t *testing.T, db *engine.DB)) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			fillTransactions(t, db)
			s, err := pipeline.Features(ctx, db, pipeline.FeatureOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := pipeline.FitRFM(ctx, db, pipeline.DefaultRFMModel, s.AsOf); err != nil {
				t.Fatal(err)
			}
			body(t, db)
		})
	}
}

// fillTransactions writes 30 small customers (C01..C30) into
// transactions with SQL, as the loader would, invoices in 2011.
func fillTransactions(t testing.TB, db *engine.DB) {
	t.Helper()
	var rows []string
	for c := 1; c <= 30; c++ {
		for i := 0; i < 1+c%4; i++ {
			rows = append(rows, fmt.Sprintf("('%d-%d', 'S', 'd', %d, '2011-%02d-%02d 10:00:00', %d.5, 'C%02d', 'UK')",
				c, i, 1+(c*7+i)%9, 1+(c+i)%12, 1+(c*3)%27, 1+(c*13)%40, c))
		}
	}
	if _, err := db.Exec("INSERT INTO transactions VALUES " + strings.Join(rows, ", ")); err != nil {
		t.Fatal(err)
	}
}

// --from runs exactly one query: the statements smuggled in after a ';'
// never run, and the error says why (issue #10 §3).
func TestFromRunsOneQuery(t *testing.T) {
	ctx := context.Background()
	withFeatures(t, func(t *testing.T, db *engine.DB) {
		if _, err := db.ExecContext(ctx, `CREATE TABLE victim (x INTEGER)`); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct{ from, want string }{
			{"SELECT recency_days, frequency, monetary FROM customer_features) AS a; DROP TABLE victim; SELECT * FROM (SELECT recency_days, frequency, monetary FROM customer_features",
				"--from holds 3 statements separated by ';'"},
			{"DROP TABLE victim", "DROP is not a query"},
			{"SELECT * FROM customer_features WHERE customer_id <> 'x", "not closed"},
			// A query, but one the subquery form makes a syntax error.
			{"WITH a AS (SELECT 1) DELETE FROM victim", "reading training rows"},
		} {
			_, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "seg", K: 3, From: c.from})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("--from %q: error %v, want one containing %q", c.from, err, c.want)
			}
			if ok, err := db.HasTable(ctx, "victim"); err != nil || !ok {
				t.Fatalf("--from %q: table victim is gone (%v)", c.from, err)
			}
		}
		if vs, _ := registry.List(ctx, db.DB, "seg"); len(vs) != 0 {
			t.Errorf("refused --from stored %d versions", len(vs))
		}
		// One query, ending in a comment, and a table name, still train.
		for _, from := range []string{"SELECT * FROM customer_features WHERE frequency > 0 -- all of them", "customer_features"} {
			if res, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "seg", K: 3, From: from}); err != nil || res.Rows != 30 {
				t.Errorf("--from %q: %v rows, %v", from, res.Rows, err)
			}
		}
	})
}

// A model reference reaches SQL only as a bound parameter, and a name the
// registry refuses is refused by train before anything is stored.
func TestModelReferenceNeverPasted(t *testing.T) {
	ctx := context.Background()
	withFeatures(t, func(t *testing.T, db *engine.DB) {
		for _, name := range []string{"seg'x", "ség"} {
			_, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: name, K: 3})
			if err == nil || !strings.HasPrefix(err.Error(), "train: model name") {
				t.Errorf("train --model %q: %v, want a refusal", name, err)
			}
			if _, err := pipeline.Score(ctx, db, name); err == nil {
				t.Errorf("score %q succeeded", name)
			}
		}
		if vs, _ := registry.List(ctx, db.DB, ""); len(vs) != 1 || vs[0].Name != pipeline.DefaultRFMModel {
			t.Fatalf("registry after refusals: %+v", vs)
		}
		res, err := pipeline.Train(ctx, db, pipeline.TrainOptions{Model: "seg", K: 3})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := pipeline.Score(ctx, db, "seg"); err != nil {
			t.Fatal(err)
		}
		var n, named int
		var model, profileModel string
		if err := db.QueryRowContext(ctx, `SELECT count(*), count(segment_name), min(model) FROM customer_segments`).Scan(&n, &named, &model); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRowContext(ctx, `SELECT min(model) FROM segment_profiles`).Scan(&profileModel); err != nil {
			t.Fatal(err)
		}
		if n != 30 || named != 30 || model != res.Version.Ref() || profileModel != res.Version.Ref() {
			t.Errorf("customer_segments: %d rows, %d named, model %q, profiles %q; want 30, 30, %q", n, named, model, profileModel, res.Version.Ref())
		}
		if err := pipeline.ScoreRFM(ctx, db, "rfm'); DROP TABLE customer_features; --"); err == nil || !strings.HasPrefix(err.Error(), "rfm scores: model reference") {
			t.Errorf("ScoreRFM with a quote: %v", err)
		}
	})
}
