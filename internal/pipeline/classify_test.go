package pipeline_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/engine/enginetest"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/internal/registry"
	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/tree"
)

// createWeather writes Quinlan's weather table (numeric temperature and
// humidity) with SQL, a day column keeping the book's row order.
func createWeather(t *testing.T, db *engine.DB) {
	t.Helper()
	if _, err := db.Exec(`CREATE TABLE weather (day INTEGER, outlook TEXT, temperature DOUBLE, humidity DOUBLE, windy TEXT, play TEXT)`); err != nil {
		t.Fatal(err)
	}
	w := dataset.Weather(true)
	for i, r := range w.Rows {
		if _, err := db.Exec(`INSERT INTO weather VALUES (?, ?, ?, ?, ?, ?)`, i+1, r[0].Cat, r[1].Num, r[2].Num, r[3].Cat, w.Labels[i]); err != nil {
			t.Fatal(err)
		}
	}
}

const weatherRows = "SELECT * FROM weather ORDER BY day"

// TestTrainClassifierWeather: C4.5 trained on every row of the weather
// table read with SQL is the tree udf/tree grows on the same data, is
// stored as the active classifier version, and classify() in SQL on the
// same database predicts what the Go model predicts.
func TestTrainClassifierWeather(t *testing.T) {
	ctx := context.Background()
	w := dataset.Weather(true)
	want, err := tree.Train(w, tree.C45, tree.Params{})
	if err != nil {
		t.Fatal(err)
	}
	wantSpec, _ := want.JSON()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			createWeather(t, db)
			res, err := pipeline.TrainClassifier(ctx, db, pipeline.ClassifyOptions{
				Model: "tennis", Target: "play", Features: []string{"outlook", "temperature", "humidity", "windy"},
				From: weatherRows, Algorithm: "c45"})
			if err != nil {
				t.Fatal(err)
			}
			if res.Version.Ref() != "tennis@1" || res.Version.Kind != "classifier" {
				t.Fatalf("stored %s of kind %s, want tennis@1 of kind classifier", res.Version.Ref(), res.Version.Kind)
			}
			v, err := registry.Get(ctx, db, "tennis")
			if err != nil {
				t.Fatal(err)
			}
			if v.Spec != string(wantSpec) {
				t.Fatalf("stored spec\n%s\nwant udf/tree's on the same rows\n%s", v.Spec, wantSpec)
			}
			if res.TrainRows != 14 || res.TestRows != 0 || res.Evaluated != "training" {
				t.Fatalf("rows: train %d test %d evaluated on %s, want 14, 0, training", res.TrainRows, res.TestRows, res.Evaluated)
			}
			if res.Rules != want.Rules() {
				t.Fatalf("rules\n%s\nwant\n%s", res.Rules, want.Rules())
			}
			rows, err := db.Query(`SELECT play, classify('tennis', outlook, temperature, humidity, windy) FROM weather ORDER BY day`)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			right, i := 0, 0
			for ; rows.Next(); i++ {
				var actual, got string
				if err := rows.Scan(&actual, &got); err != nil {
					t.Fatal(err)
				}
				goLabel, _, _, err := want.Predict(w.Rows[i])
				if err != nil {
					t.Fatal(err)
				}
				if got != goLabel {
					t.Errorf("day %d: SQL classify = %q, Go Predict = %q", i+1, got, goLabel)
				}
				if got == actual {
					right++
				}
			}
			if err := rows.Err(); err != nil || i != 14 {
				t.Fatalf("read %d rows: %v", i, err)
			}
			if acc := float64(right) / 14; res.Accuracy != acc {
				t.Fatalf("accuracy %v, want %v (classify against play)", res.Accuracy, acc)
			}
			if res.Confusion.Total() != 14 || len(res.PerClass) != 2 || math.IsNaN(res.AUC) {
				t.Fatalf("report: %d rows in the confusion matrix, %d classes, AUC %v", res.Confusion.Total(), len(res.PerClass), res.AUC)
			}
			for _, f := range res.Features {
				if wantType := map[string]dataset.Type{"outlook": dataset.Categorical, "windy": dataset.Categorical,
					"temperature": dataset.Numeric, "humidity": dataset.Numeric}[f.Name]; f.Type != wantType {
					t.Errorf("feature %s is %s, want %s", f.Name, f.Type, wantType)
				}
			}
		})
	}
}

// TestTrainClassifierSplit: a held-out test part is stratified (each class
// keeps its share), seeded (the same seed, the same model) and every
// algorithm trains and evaluates on it.
func TestTrainClassifierSplit(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			if _, err := db.Exec(`CREATE TABLE customers (id INTEGER, spend DOUBLE, visits INTEGER, churned INTEGER)`); err != nil {
				t.Fatal(err)
			}
			// 40 churners (low spend, few visits) and 60 loyal customers,
			// with a few crossing over so that no model is perfect.
			var vals []string
			for i := 0; i < 100; i++ {
				churned := 0
				if i < 40 {
					churned = 1
				}
				spend, visits := 50+float64(i%10)*3, 1+i%3
				if churned == 0 {
					spend, visits = 70+float64(i%10)*3, 2+i%4
				}
				vals = append(vals, fmt.Sprintf("(%d, %g, %d, %d)", i, spend, visits, churned))
			}
			if _, err := db.Exec(`INSERT INTO customers VALUES ` + strings.Join(vals, ", ")); err != nil {
				t.Fatal(err)
			}
			for _, algo := range pipeline.ClassifierAlgorithms {
				opts := pipeline.ClassifyOptions{Model: "churn_" + algo, Target: "churned", Features: []string{"spend", "visits"},
					From: "SELECT * FROM customers ORDER BY id", Algorithm: algo, TestFraction: 0.25, Seed: 7, Trees: 10}
				res, err := pipeline.TrainClassifier(ctx, db, opts)
				if err != nil {
					t.Fatalf("%s: %v", algo, err)
				}
				if res.TrainRows != 75 || res.TestRows != 25 || res.Evaluated != "test" {
					t.Fatalf("%s: train %d, test %d (%s), want 75 and 25 test", algo, res.TrainRows, res.TestRows, res.Evaluated)
				}
				// round(0.25·40) = 10 churners and round(0.25·60) = 15 loyal.
				for _, c := range res.PerClass {
					if want := map[string]int64{"1": 10, "0": 15}[c.Class]; c.Support != want {
						t.Errorf("%s: class %s has %d test rows, want %d", algo, c.Class, c.Support, want)
					}
				}
				if res.Accuracy < 0.7 || math.IsNaN(res.AUC) || res.AUC < 0.8 {
					t.Errorf("%s: accuracy %v, AUC %v on separable classes", algo, res.Accuracy, res.AUC)
				}
				if hasRules := res.Rules != ""; hasRules != (algo != "knn" && algo != "forest") {
					t.Errorf("%s: rules %q", algo, res.Rules)
				}
				again, err := pipeline.TrainClassifier(ctx, db, opts)
				if err != nil {
					t.Fatal(err)
				}
				a, _ := registry.Get(ctx, db, res.Version.Ref())
				b, _ := registry.Get(ctx, db, again.Version.Ref())
				if a.Spec != b.Spec || a.Spec == "" {
					t.Errorf("%s: the same seed gave another model", algo)
				}
			}
		})
	}
}

// TestTrainClassifierBadInputs: each bad input is an error naming the flag
// or the value, and nothing is stored.
func TestTrainClassifierBadInputs(t *testing.T) {
	ctx := context.Background()
	for _, db := range enginetest.Both(t) {
		t.Run(string(db.Kind), func(t *testing.T) {
			createWeather(t, db)
			if _, err := db.Exec(`CREATE TABLE one_class (x DOUBLE, y TEXT)`); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(`INSERT INTO one_class VALUES (1, 'a'), (2, 'a'), (3, 'a')`); err != nil {
				t.Fatal(err)
			}
			ok := pipeline.ClassifyOptions{Model: "m", Target: "play", From: "weather", Algorithm: "c45"}
			for _, c := range []struct {
				name string
				edit func(*pipeline.ClassifyOptions)
				want string
			}{
				{"unknown target", func(o *pipeline.ClassifyOptions) { o.Target = "x" }, `--target "x": no such column`},
				{"unknown feature", func(o *pipeline.ClassifyOptions) { o.Features = []string{"outlook", "rain"} }, `--features "rain": no such column`},
				{"target as feature", func(o *pipeline.ClassifyOptions) { o.Features = []string{"play"} }, `is the --target column`},
				{"one class", func(o *pipeline.ClassifyOptions) { o.From, o.Target = "one_class", "y" }, `one class only ("a")`},
				{"empty", func(o *pipeline.ClassifyOptions) { o.From = "SELECT * FROM weather WHERE day > 99" }, "the training set is empty"},
				{"NULL target", func(o *pipeline.ClassifyOptions) {
					o.From = "SELECT outlook, CASE WHEN day = 3 THEN NULL ELSE play END AS play FROM weather"
				}, "--target play: row 3 is NULL"},
				{"algo", func(o *pipeline.ClassifyOptions) { o.Algorithm = "svm" }, `--algo "svm": use tree, c45`},
				{"fraction", func(o *pipeline.ClassifyOptions) { o.TestFraction = 1 }, "--test-fraction 1"},
				{"model name", func(o *pipeline.ClassifyOptions) { o.Model = "1x" }, "model name"},
				{"knn on text", func(o *pipeline.ClassifyOptions) { o.Algorithm = "knn" }, "--algo knn"},
				{"write", func(o *pipeline.ClassifyOptions) { o.From = "DELETE FROM weather" }, "not a query"},
			} {
				o := ok
				c.edit(&o)
				_, err := pipeline.TrainClassifier(ctx, db, o)
				if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "classify: ") {
					t.Errorf("%s: error %v, want classify: ...%s...", c.name, err, c.want)
				}
			}
			if vs, err := registry.List(ctx, db, ""); err != nil || len(vs) != 0 {
				t.Fatalf("stored %v (%v), want nothing", vs, err)
			}
		})
	}
}
