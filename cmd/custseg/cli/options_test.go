package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/custseg/custseg/cmd/custseg/cli"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/udf/kmeans"
)

// newFactory is a Factory whose --db names a file that must never appear:
// parsing flags touches no database.
func newFactory(t *testing.T) *cli.Factory {
	t.Helper()
	db := filepath.Join(t.TempDir(), "never.duckdb")
	t.Cleanup(func() {
		if _, err := os.Stat(db); err == nil {
			t.Errorf("parsing flags created the database %s", db)
		}
	})
	var out bytes.Buffer
	return &cli.Factory{IO: cli.IO{In: strings.NewReader(""), Out: &out, ErrOut: &out}, DBPath: db}
}

// parse runs cmd on args with output discarded and returns its error.
func parse(cmd *cobra.Command, args ...string) error {
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	_, err := cmd.ExecuteC()
	return err
}

// defaultTraining is what the training flags give when none is set: the
// defaults of udf/kmeans and the customer features.
func defaultTraining(model string) pipeline.TrainOptions {
	return pipeline.TrainOptions{Model: model, K: 0, KMin: kmeans.DefaultKMin, KMax: kmeans.DefaultKMax,
		Features: pipeline.DefaultFeatures, Transform: kmeans.DefaultTransform, Scale: kmeans.DefaultScale,
		NInit: kmeans.DefaultNInit, Seed: kmeans.DefaultSeed}
}

func TestTrainOptions(t *testing.T) {
	var got *cli.TrainOptions
	capture := func(o *cli.TrainOptions) error { got = o; return nil }
	if err := parse(cli.NewCmdTrain(newFactory(t), capture)); err != nil {
		t.Fatal(err)
	}
	if want := defaultTraining("segments"); !reflect.DeepEqual(got.Train, want) || got.NoScore {
		t.Fatalf("defaults:\n got %+v\nwant %+v", got.Train, want)
	}
	err := parse(cli.NewCmdTrain(newFactory(t), capture), "--model", "m", "--k", "4", "--features", " x, y ,,z", "--transform", "none",
		"--scale", "robust", "--seed", "7", "--n-init", "3", "--from", "pts", "--no-score")
	if err != nil {
		t.Fatal(err)
	}
	want := pipeline.TrainOptions{Model: "m", K: 4, KMin: kmeans.DefaultKMin, KMax: kmeans.DefaultKMax, Features: []string{"x", "y", "z"},
		Transform: "none", Scale: "robust", NInit: 3, Seed: 7, From: "pts"}
	if !reflect.DeepEqual(got.Train, want) || !got.NoScore || got.OpenDB == nil {
		t.Fatalf("set:\n got %+v (no-score %v)\nwant %+v", got.Train, got.NoScore, want)
	}
}

// TestTrainingFlagErrors: one --k parser and the kmeans checks, every
// error naming the flag, before any database is opened.
func TestTrainingFlagErrors(t *testing.T) {
	never := func(any) error { t.Fatal("runF called for bad flags"); return nil }
	cmds := map[string]func(*cli.Factory) *cobra.Command{
		"train": func(f *cli.Factory) *cobra.Command {
			return cli.NewCmdTrain(f, func(o *cli.TrainOptions) error { return never(o) })
		},
		"run": func(f *cli.Factory) *cobra.Command {
			return cli.NewCmdRun(f, func(o *cli.RunOptions) error { return never(o) })
		},
		"backtest": func(f *cli.Factory) *cobra.Command {
			return cli.NewCmdBacktest(f, func(o *cli.BacktestOptions) error { return never(o) })
		},
	}
	for name, newCmd := range cmds {
		for _, c := range []struct {
			args []string
			want string
		}{
			{[]string{"--k", "1"}, `invalid argument "1" for "--k" flag: give a whole number of segments of at least 2, or auto`},
			{[]string{"--k", "0"}, `"--k" flag`},
			{[]string{"--k", "many"}, `"--k" flag`},
			{[]string{"--transform", "x"}, `--transform "x": use log1p or none`},
			{[]string{"--scale", "minmax"}, `--scale "minmax": use standard, robust or none`},
			{[]string{"--k-min", "1"}, "--k-min"},
			{[]string{"--k-min", "5", "--k-max", "4"}, "--k-max"},
			{[]string{"--n-init", "0"}, "--n-init"},
			{[]string{"--features", " , "}, "--features"},
		} {
			err := parse(newCmd(newFactory(t)), c.args...)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s %s: %v; want %q", name, strings.Join(c.args, " "), err, c.want)
			}
		}
	}
}

// TestRunOptions: run's --data-seed seeds the demo data, its --seed seeds
// k-means as train's does, and its training flags have train's defaults.
func TestRunOptions(t *testing.T) {
	var got *cli.RunOptions
	capture := func(o *cli.RunOptions) error { got = o; return nil }
	if err := parse(cli.NewCmdRun(newFactory(t), capture), "a.csv", "b.csv"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Train, defaultTraining("segments")) || got.DataSeed != 1 || got.DemoCustomers != 5000 ||
		!reflect.DeepEqual(got.Files, []string{"a.csv", "b.csv"}) || got.Load.Encoding != "utf-8" {
		t.Fatalf("defaults: %+v", got)
	}
	if err := parse(cli.NewCmdRun(newFactory(t), capture), "--data-seed", "5", "--seed", "9", "--k", "3", "--as-of", "2011-06-01",
		"--map", "customer_id=Customer", "--demo-customers", "10"); err != nil {
		t.Fatal(err)
	}
	if got.DataSeed != 5 || got.Train.Seed != 9 || got.Train.K != 3 || got.Features.AsOf != "2011-06-01" ||
		!reflect.DeepEqual(got.Load.Map, []string{"customer_id=Customer"}) || got.DemoCustomers != 10 {
		t.Fatalf("set: %+v", got)
	}
}

func TestBacktestOptions(t *testing.T) {
	var got *cli.BacktestOptions
	capture := func(o *cli.BacktestOptions) error { got = o; return nil }
	if err := parse(cli.NewCmdBacktest(newFactory(t), capture), "--start", "2011-03-01"); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Train, defaultTraining("backtest")) || got.Start != "2011-03-01" || got.Threshold != 0.2 {
		t.Fatalf("defaults: %+v", got)
	}
	for arg, k := range map[string]int{"auto": 0, "4": 4} {
		if err := parse(cli.NewCmdBacktest(newFactory(t), capture), "--k", arg); err != nil || got.Train.K != k {
			t.Fatalf("--k %s: K %d, %v; want %d", arg, got.Train.K, err, k)
		}
	}
}

// TestOtherOptions: each command's flags land in their own named fields.
func TestOtherOptions(t *testing.T) {
	var b *cli.BuildExtOptions
	if err := parse(cli.NewCmdBuildExt(newFactory(t), func(o *cli.BuildExtOptions) error { b = o; return nil }), "--out", "d", "--only", "sqlite"); err != nil || b.Dir != "d" || b.Only != "sqlite" {
		t.Fatalf("build-ext: %+v %v", b, err)
	}
	if err := parse(cli.NewCmdBuildExt(newFactory(t), nil), "--only", "oracle"); err == nil || !strings.Contains(err.Error(), `--only "oracle"`) {
		t.Fatalf("build-ext --only oracle: %v", err)
	}
	var l *cli.LoadOptions
	if err := parse(cli.NewCmdLoad(newFactory(t), func(o *cli.LoadOptions) error { l = o; return nil }),
		"--replace", "--no-progress", "--map", "amount=dollars", "--encoding", "latin-1", "x.csv"); err != nil ||
		!l.Replace || !l.NoProgress || !reflect.DeepEqual(l.Load.Map, []string{"amount=dollars"}) || l.Load.Encoding != "latin-1" || !reflect.DeepEqual(l.Files, []string{"x.csv"}) {
		t.Fatalf("load: %+v %v", l, err)
	}
	var g *cli.GenerateOptions
	if err := parse(cli.NewCmdGenerate(newFactory(t), func(o *cli.GenerateOptions) error { g = o; return nil }), "--out", "x.csv.gz", "--seed", "3", "--customers", "7"); err != nil ||
		g.File != "x.csv.gz" || g.Seed != 3 || g.Customers != 7 {
		t.Fatalf("generate: %+v %v", g, err)
	}
	var r *cli.ReportOptions
	if err := parse(cli.NewCmdReport(newFactory(t), func(o *cli.ReportOptions) error { r = o; return nil }), "--out", "rep", "--model", "s@2"); err != nil || r.Dir != "rep" || r.Model != "s@2" {
		t.Fatalf("report: %+v %v", r, err)
	}
	var d *cli.DriftOptions
	if err := parse(cli.NewCmdDrift(newFactory(t), func(o *cli.DriftOptions) error { d = o; return nil }), "--as-of", "2011-01-01", "--threshold", "0.3"); err != nil ||
		d.AsOf != "2011-01-01" || d.Threshold != 0.3 || d.Model != "segments" {
		t.Fatalf("drift: %+v %v", d, err)
	}
	var q *cli.SQLOptions
	if err := parse(cli.NewCmdSQL(newFactory(t), func(o *cli.SQLOptions) error { q = o; return nil }), "-f", "csv", "SELECT 1"); err != nil || q.Format != "csv" || q.Query != "SELECT 1" {
		t.Fatalf("sql: %+v %v", q, err)
	}
	var mr *cli.ModelsRenameOptions
	if err := parse(cli.NewCmdModelsRename(newFactory(t), func(o *cli.ModelsRenameOptions) error { mr = o; return nil }), "segments@2", "1", " Best "); err != nil ||
		mr.Ref != "segments@2" || mr.Segment != 1 || mr.NewName != "Best" {
		t.Fatalf("models rename: %+v %v", mr, err)
	}
	var m *cli.ModelOptions
	if err := parse(cli.NewCmdModelsActivate(newFactory(t), func(o *cli.ModelOptions) error { m = o; return nil }), "segments@1"); err != nil || m.Ref != "segments@1" {
		t.Fatalf("models activate: %+v %v", m, err)
	}
}

// TestSharedFlagsHelp: a flag several commands take has one help text and
// one default everywhere.
func TestSharedFlagsHelp(t *testing.T) {
	f := newFactory(t)
	root := cli.NewCmdRoot(f)
	seen := map[string]string{} // flag -> "usage (default)" first seen
	where := map[string]string{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
			switch {
			case fl.Name == "model", fl.Name == "out":
				return // a model to create or to use, a file or a folder: said in each help
			case c.Name() == "generate" && fl.Name == "seed":
				return // generate makes only data; run calls its seed --data-seed
			case c.Name() == "drift" && fl.Name == "as-of":
				return // drift reads features as of a date instead of customer_features
			}
			key := fl.Usage + " (default " + fl.DefValue + ")"
			if prev, ok := seen[fl.Name]; ok && prev != key {
				t.Errorf("--%s differs:\n  %s: %s\n  %s: %s", fl.Name, where[fl.Name], prev, c.CommandPath(), key)
			}
			seen[fl.Name], where[fl.Name] = key, c.CommandPath()
		})
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
	for _, name := range []string{"k", "k-min", "k-max", "features", "transform", "scale", "n-init", "seed", "map", "encoding", "threshold"} {
		if _, ok := seen[name]; !ok {
			t.Errorf("no command has --%s", name)
		}
	}
}
