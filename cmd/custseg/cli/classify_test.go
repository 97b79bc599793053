package cli_test

import (
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/custseg/custseg/cmd/custseg/cli"
	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/kmeans"
	"github.com/custseg/custseg/udf/tree"
)

func TestClassifyTrainOptions(t *testing.T) {
	var got *cli.ClassifyTrainOptions
	capture := func(o *cli.ClassifyTrainOptions) error { got = o; return nil }
	err := parse(cli.NewCmdClassify(newFactory(t), capture), "train", "--model", "m", "--target", "play", "--from", "weather",
		"--algo", "forest", "--features", " outlook, humidity ,", "--max-depth", "3", "--min-leaf", "2", "--trees", "10",
		"--neighbors", "7", "--test-fraction", "0", "--seed", "9")
	if err != nil {
		t.Fatal(err)
	}
	want := pipeline.ClassifyOptions{Model: "m", Target: "play", From: "weather", Algorithm: "forest",
		Features: []string{"outlook", "humidity"}, MaxDepth: 3, MinLeaf: 2, Trees: 10, Neighbors: 7, TestFraction: 0, Seed: 9}
	if !reflect.DeepEqual(got.Classify, want) {
		t.Fatalf("got  %+v\nwant %+v", got.Classify, want)
	}
	got = nil
	if err := parse(cli.NewCmdClassify(newFactory(t), capture), "train", "--model", "m", "--target", "y", "--from", "t", "--algo", "c45"); err != nil {
		t.Fatal(err)
	}
	if got.Classify.TestFraction != pipeline.DefaultTestFraction || !reflect.DeepEqual(got.Classify.Features, pipeline.DefaultFeatures) || got.Classify.Seed != kmeans.DefaultSeed {
		t.Fatalf("defaults: %+v", got.Classify)
	}
	err = parse(cli.NewCmdClassify(newFactory(t), capture), "train", "--model", "m", "--algo", "c45")
	if err == nil || !strings.Contains(err.Error(), `"target" not set`) {
		t.Fatalf("no --target: %v", err)
	}
}

// weatherDB writes Quinlan's weather table into a new database at path.
func weatherDB(t *testing.T, path string) string {
	t.Helper()
	db, err := engine.Open(path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	w := dataset.Weather(true)
	var vals []string
	for i, r := range w.Rows {
		vals = append(vals, fmt.Sprintf("(%d, '%s', %g, %g, '%s', '%s')", i+1, r[0].Cat, r[1].Num, r[2].Num, r[3].Cat, w.Labels[i]))
	}
	for _, stmt := range []string{
		`CREATE TABLE weather (day INTEGER, outlook TEXT, temperature DOUBLE, humidity DOUBLE, windy TEXT, play TEXT)`,
		`INSERT INTO weather VALUES ` + strings.Join(vals, ", "),
	} {
		if _, err := db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
	}
	return path
}

// TestClassifyTrainWeather: classify train --algo c45 prints the report
// and the rules, stores a model that models list shows, and classify() in
// SQL on the same database predicts what the Go model predicts.
func TestClassifyTrainWeather(t *testing.T) {
	w := dataset.Weather(true)
	m, err := tree.Train(w, tree.C45, tree.Params{})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, x := range w.Rows {
		label, _, _, err := m.Predict(x)
		if err != nil {
			t.Fatal(err)
		}
		want = append(want, label)
	}
	for _, file := range []string{"w.duckdb", "w.db"} {
		t.Run(file, func(t *testing.T) {
			db := weatherDB(t, filepath.Join(t.TempDir(), file))
			out := mustRun(t, "classify", "train", "--db", db, "--model", "tennis", "--target", "play",
				"--from", "SELECT * FROM weather ORDER BY day", "--features", "outlook,temperature,humidity,windy",
				"--algo", "c45", "--test-fraction", "0")
			for _, s := range []string{"classify: tennis@1 (active): c45 on 14 training rows",
				"outlook (categorical), temperature (numeric)", "accuracy ", `ROC AUC (positive "yes")`,
				"macro avg", "actual \\ predicted", "rules:", m.Rules()} {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %q:\n%s", s, out)
				}
			}
			if list := mustRun(t, "models", "list", "--db", db); !strings.Contains(list, "classifier") {
				t.Errorf("models list does not show the classifier:\n%s", list)
			}
			got := mustRun(t, "sql", "--db", db, "--format", "csv",
				"SELECT classify('tennis', outlook, temperature, humidity, windy) AS p FROM weather ORDER BY day")
			if lines := strings.Fields(got); !reflect.DeepEqual(lines, append([]string{"p"}, want...)) {
				t.Fatalf("classify() in SQL:\n%s\nwant the Go model's %v", got, want)
			}
		})
	}
}

// TestClassifyTrainBadInputs: errors name the flag at fault.
func TestClassifyTrainBadInputs(t *testing.T) {
	db := weatherDB(t, filepath.Join(t.TempDir(), "w.db"))
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--target", "x", "--from", "weather"}, `--target "x": no such column`},
		{[]string{"--target", "play", "--from", "SELECT * FROM weather WHERE play = 'yes'"}, "one class only"},
		{[]string{"--target", "play", "--from", "SELECT * FROM weather WHERE day < 0"}, "the training set is empty"},
	} {
		code, _, stderr := custseg(t, "", append([]string{"classify", "train", "--db", db, "--model", "m", "--algo", "c45", "--features", "outlook,humidity"}, c.args...)...)
		if code != 1 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q, want %q", c.args, code, stderr, c.want)
		}
	}
}
