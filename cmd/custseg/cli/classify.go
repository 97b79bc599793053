package cli

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/output"
	"github.com/custseg/custseg/internal/pipeline"
	"github.com/custseg/custseg/udf/classmetrics"
)

// ClassifyTrainOptions are the flags of `custseg classify train`.
type ClassifyTrainOptions struct {
	IO       IO
	OpenDB   func() (*engine.DB, error)
	Classify pipeline.ClassifyOptions
}

// NewCmdClassify builds `custseg classify`; runF, when set, receives the
// parsed options of `classify train` instead of running it.
func NewCmdClassify(f *Factory, runF func(*ClassifyTrainOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "classify",
		Short: "Train classifiers that predict a class for each customer",
		Long: `A classifier predicts a label (will buy again, which advertisement, which
segment) from a customer's columns. It is stored in custseg_models with kind
classifier, so models list/show/activate/rollback work on it, and SQL scores
with it: classify('NAME', x1, ..., xd), classify_proba and classify_path.`,
	}
	cmd.AddCommand(NewCmdClassifyTrain(f, runF))
	return cmd
}

// NewCmdClassifyTrain builds `custseg classify train`.
func NewCmdClassifyTrain(f *Factory, runF func(*ClassifyTrainOptions) error) *cobra.Command {
	opts := &ClassifyTrainOptions{IO: f.IO, OpenDB: f.OpenDB}
	co := &opts.Classify
	cmd := &cobra.Command{
		Use:   "train --db FILE --model NAME --target COLUMN --algo ALGO [--features a,b,c] [--from TABLE_OR_QUERY]",
		Short: "Train a classifier on labelled rows, evaluate it and store it as a new active version",
		Long: `Reads the --target and --features columns with SQL (--from a table or one
query, by default customer_features). A column of numbers is a
numeric feature, a column of text a categorical one; NULL is a missing value.
The target is read as text labels (1 and '1' are one class).

Each class's rows are split, seeded, into training and test parts by
--test-fraction; the model is trained on the training part and judged on the
test part (with --test-fraction 0, on the training rows themselves): accuracy,
precision, recall and F1 per class and their macro average, ROC AUC for two
classes and the confusion matrix (rows: actual, columns: predicted). Trees and
1R print their rules.

--algo: tree (CART), c45 (C4.5), id3 (ID3), oner (Holte's 1R), knn
(k-nearest neighbours, numeric features only) or forest (random forest).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(opts)
			}
			return withDB(opts.OpenDB, func(db *engine.DB) error {
				res, err := pipeline.TrainClassifier(cmd.Context(), db, opts.Classify)
				if err != nil {
					return err
				}
				printClassifyReport(opts.IO.Out, res)
				return nil
			})
		},
	}
	co.TestFraction = pipeline.DefaultTestFraction
	fl := cmd.Flags()
	fl.StringVar(&co.Model, "model", "", "registry `NAME` the new classifier version is stored under")
	fl.StringVar(&co.Target, "target", "", "the label `COLUMN` to predict")
	addFeaturesFlag(cmd, &co.Features)
	addFromFlag(cmd, &co.From)
	fl.StringVar(&co.Algorithm, "algo", "", "the learning `ALGORITHM`: "+orList(pipeline.ClassifierAlgorithms))
	fl.IntVar(&co.MaxDepth, "max-depth", 0, "deepest tree, in splits (`N`; 0: unlimited; trees and forest)")
	fl.IntVar(&co.MinLeaf, "min-leaf", 0, "fewest training rows in a leaf (`N`; 0: the algorithm's default; trees and forest)")
	fl.IntVar(&co.Trees, "trees", 0, "`N` trees of a forest (0: 100)")
	fl.IntVar(&co.Neighbors, "neighbors", 0, "`K` neighbours that vote in knn (0: 5)")
	fl.Float64Var(&co.TestFraction, "test-fraction", pipeline.DefaultTestFraction, "`SHARE` of each class held out to evaluate on (0: train on every row)")
	addSeedFlag(cmd, &co.Seed)
	for _, name := range []string{"model", "target", "algo"} {
		_ = cmd.MarkFlagRequired(name)
	}
	return cmd
}

// printClassifyReport writes what classify train stored and how it did.
func printClassifyReport(w io.Writer, res pipeline.ClassifyResult) {
	var feats []string
	for _, f := range res.Features {
		feats = append(feats, f.Name+" ("+string(f.Type)+")")
	}
	fmt.Fprintf(w, "classify: %s (active): %s on %d training rows, features %s, in %s\n",
		res.Version.Ref(), res.Algorithm, res.TrainRows, strings.Join(feats, ", "), res.Duration.Round(time.Millisecond))
	on := fmt.Sprintf("the %d test rows", res.TestRows)
	if res.Evaluated == "training" {
		on = fmt.Sprintf("the %d training rows (--test-fraction 0)", res.TrainRows)
	}
	fmt.Fprintf(w, "evaluated on %s: accuracy %s\n", on, ratio(res.Accuracy))
	if !math.IsNaN(res.AUC) {
		fmt.Fprintf(w, "ROC AUC (positive %q): %s\n", res.Classes[1], ratio(res.AUC))
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(res.PerClass)+1)
	for _, c := range res.PerClass {
		rows = append(rows, scoreRow(c.Class, c.Scores, strconv.FormatInt(c.Support, 10)))
	}
	rows = append(rows, scoreRow("macro avg", res.Macro, strconv.FormatInt(res.Confusion.Total(), 10)))
	output.WriteTable(w, []string{"class", "precision", "recall", "f1", "support"}, rows, []bool{false, true, true, true, true})
	fmt.Fprintln(w)
	printConfusion(w, res.Confusion)
	if res.Rules != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, "rules:")
		fmt.Fprint(w, res.Rules)
		if !strings.HasSuffix(res.Rules, "\n") {
			fmt.Fprintln(w)
		}
	}
}

func scoreRow(label string, s classmetrics.Scores, support string) []string {
	return []string{label, ratio(s.Precision), ratio(s.Recall), ratio(s.F1), support}
}

func ratio(v float64) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	return strconv.FormatFloat(v, 'f', 4, 64)
}

// printConfusion draws the matrix with one row per actual label and one
// column per predicted label.
func printConfusion(w io.Writer, c *classmetrics.Confusion) {
	labels := c.Labels()
	header := []string{"actual \\ predicted"}
	align := []bool{false}
	for _, l := range labels {
		header = append(header, l)
		align = append(align, true)
	}
	var rows [][]string
	for _, a := range labels {
		row := []string{a}
		for _, p := range labels {
			row = append(row, strconv.FormatInt(c.Count(a, p), 10))
		}
		rows = append(rows, row)
	}
	output.WriteTable(w, header, rows, align)
}
