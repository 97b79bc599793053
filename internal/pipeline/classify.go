package pipeline

import (
	"context"
	"database/sql/driver"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	custsql "github.com/custseg/custseg/sql"
	"github.com/custseg/custseg/udf/catalog"
	"github.com/custseg/custseg/udf/classmetrics"
	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/forest"
	"github.com/custseg/custseg/udf/knn"
	"github.com/custseg/custseg/udf/oner"
	"github.com/custseg/custseg/udf/tree"
)

// ClassifierAlgorithms are the --algo values TrainClassifier accepts; tree
// is CART.
var ClassifierAlgorithms = []string{"tree", "c45", "id3", "oner", "knn", "forest"}

// DefaultTestFraction is the share of rows held out for evaluation.
const DefaultTestFraction = 0.25

// ClassifyOptions configures TrainClassifier.
type ClassifyOptions struct {
	Model  string // registry name
	Target string // the label column, read as text
	// Features are the input columns; none means every column of From but
	// the target.
	Features []string
	// From is a table name or one query, as TrainOptions.From (default
	// customer_features).
	From      string
	Algorithm string // one of ClassifierAlgorithms
	MaxDepth  int    // trees and forest; 0 = unlimited
	MinLeaf   int    // trees and forest; 0 = the algorithm's default
	Trees     int    // forest; 0 = forest.DefaultTrees
	Neighbors int    // knn; 0 = knn.DefaultK
	// TestFraction of each class is held out, drawn with Seed, to evaluate
	// on; 0 trains on every row and evaluates on the training rows.
	TestFraction float64
	Seed         int64
}

// ClassScores are one class's row of the report.
type ClassScores struct {
	Class   string
	Support int64 // evaluated rows whose actual label is Class
	classmetrics.Scores
}

// ClassifyResult reports what TrainClassifier stored and how the model did.
type ClassifyResult struct {
	Version   registry.Version
	Algorithm string
	Features  []dataset.Feature // with their types, as the model stores them
	Classes   []string
	TrainRows int
	TestRows  int // 0 when evaluated on the training rows
	// Evaluated says which rows the metrics are over: "test" or "training".
	Evaluated string
	Accuracy  float64
	PerClass  []ClassScores
	Macro     classmetrics.Scores
	// AUC is the ROC AUC of two classes, the second (in byte order, as
	// scikit-learn's positive label) positive; NaN for more classes or when
	// the evaluated rows hold one class only.
	AUC       float64
	Confusion *classmetrics.Confusion
	// Rules are the learned rules of trees and 1R ("" for kNN and forest).
	Rules    string
	Duration time.Duration
}

// TrainClassifier reads labelled rows with SQL, splits them (seeded,
// stratified), trains the chosen algorithm on the training part, evaluates
// it on the test part and stores the model as the new active version of
// opts.Model, kind classifier.
//
// Columns: one whose values are all numbers (or NULL) is a numeric feature,
// one holding text is categorical (numbers in it read as text); NULL is a
// missing value, handled by each algorithm's stored policy. The target is
// read as text labels, as the metric functions compare them (1 and '1' are
// one class); a NULL target is an error.
func TrainClassifier(ctx context.Context, db *engine.DB, opts ClassifyOptions) (ClassifyResult, error) {
	start := time.Now()
	if err := checkClassify(opts); err != nil {
		return ClassifyResult{}, fmt.Errorf("classify: %w", err)
	}
	d, err := readLabelled(ctx, db, opts)
	if err != nil {
		return ClassifyResult{}, fmt.Errorf("classify: %w", err)
	}
	train, test := stratifiedSplit(d, opts.TestFraction, opts.Seed)
	if len(dataset.Classes(train.Labels)) < 2 {
		return ClassifyResult{}, fmt.Errorf("classify: --target %q: the training rows hold one class only (%q): there is nothing to learn", opts.Target, d.Labels[0])
	}
	spec, rules, err := fitClassifier(train, opts)
	if err != nil {
		return ClassifyResult{}, fmt.Errorf("classify: --algo %s: %w", opts.Algorithm, err)
	}
	decoded, err := catalog.DecodeModel(catalog.ClassifierKind, string(spec))
	if err != nil {
		return ClassifyResult{}, fmt.Errorf("classify: %w", err)
	}
	model := decoded.(*catalog.Classifier)
	res := ClassifyResult{Algorithm: opts.Algorithm, Features: model.Features, Classes: model.Classes,
		TrainRows: len(train.Rows), TestRows: len(test.Rows), Evaluated: "test", Rules: rules}
	if len(test.Rows) == 0 {
		test, res.Evaluated = train, "training"
	}
	if err := evaluate(model, test, &res); err != nil {
		return ClassifyResult{}, fmt.Errorf("classify: %w", err)
	}
	note := fmt.Sprintf("%s on %d rows, %s accuracy %.4f", opts.Algorithm, res.TrainRows, res.Evaluated, res.Accuracy)
	res.Version, err = registry.Add(ctx, db, opts.Model, catalog.ClassifierKind, string(spec), note)
	if err != nil {
		return ClassifyResult{}, fmt.Errorf("classify: %w", err)
	}
	res.Duration = time.Since(start)
	return res, nil
}

// checkClassify refuses bad options before any row is read, naming the flag.
func checkClassify(opts ClassifyOptions) error {
	if opts.Model == "" {
		return fmt.Errorf("a model name is required (--model NAME)")
	}
	// Refused before any work, as registry.Add would refuse it at the end.
	if err := catalog.ValidModelName(opts.Model); err != nil {
		return err
	}
	if err := checkIdentifiers("--target", []string{opts.Target}); err != nil {
		return err
	}
	if len(opts.Features) > 0 {
		if err := checkIdentifiers("--features", opts.Features); err != nil {
			return err
		}
	}
	if !contains(ClassifierAlgorithms, opts.Algorithm) {
		return fmt.Errorf("--algo %q: use %s", opts.Algorithm, strings.Join(ClassifierAlgorithms, ", "))
	}
	if !(opts.TestFraction >= 0 && opts.TestFraction < 1) {
		return fmt.Errorf("--test-fraction %v: give a share from 0 (train on every row) to below 1", opts.TestFraction)
	}
	for _, c := range []struct {
		flag string
		v    int
	}{{"--max-depth", opts.MaxDepth}, {"--min-leaf", opts.MinLeaf}, {"--trees", opts.Trees}, {"--neighbors", opts.Neighbors}} {
		if c.v < 0 {
			return fmt.Errorf("%s %d: give a positive number (0: the algorithm's default)", c.flag, c.v)
		}
	}
	return nil
}

// readLabelled reads the target and feature columns of opts.From into a
// dataset, deciding each feature's type from its values.
func readLabelled(ctx context.Context, db *engine.DB, opts ClassifyOptions) (*dataset.Dataset, error) {
	src, err := fromClause(db.Kind, opts.From)
	if err != nil {
		return nil, err
	}
	// The columns first (no row is read), so that a misspelt name is
	// named as the flag that gave it rather than as the engine's error.
	from := opts.From
	if strings.TrimSpace(from) == "" {
		from = "customer_features"
	}
	have, err := readQuery(ctx, db, "SELECT * FROM "+src+" LIMIT 0", func([]driver.Value) error { return nil })
	if err != nil {
		return nil, err
	}
	find := func(flag, name string) (string, error) {
		for _, h := range have {
			if strings.EqualFold(h, name) {
				return h, nil
			}
		}
		return "", fmt.Errorf("%s %q: no such column in %s (it has %s)", flag, name, from, strings.Join(have, ", "))
	}
	target, err := find("--target", opts.Target)
	if err != nil {
		return nil, err
	}
	features := opts.Features
	if len(features) == 0 {
		for _, h := range have {
			if !strings.EqualFold(h, target) {
				features = append(features, h)
			}
		}
		if err := checkIdentifiers("columns of --from (name --features)", features); err != nil {
			return nil, err
		}
	}
	cols := []string{custsql.Ident(target)}
	for i, f := range features {
		if features[i], err = find("--features", f); err != nil {
			return nil, err
		}
		if strings.EqualFold(features[i], target) {
			return nil, fmt.Errorf("--features %q is the --target column", f)
		}
		cols = append(cols, custsql.Ident(features[i]))
	}
	var labels []string
	values := make([][]any, len(features)) // column-major until the types are known
	_, err = readQuery(ctx, db, "SELECT "+strings.Join(cols, ", ")+" FROM "+src, func(dest []driver.Value) error {
		n := len(labels) + 1
		label, ok := labelOf(dest[0])
		if !ok {
			if dest[0] == nil {
				return fmt.Errorf("--target %s: row %d is NULL (filter it out with --from \"SELECT ... WHERE %s IS NOT NULL\")", target, n, target)
			}
			return fmt.Errorf("--target %s: row %d is %T %v, not a class label (a number or text)", target, n, dest[0], dest[0])
		}
		labels = append(labels, label)
		for j, v := range dest[1:] {
			if b, ok := v.([]byte); ok {
				v = string(b) // the driver reuses its buffers
			}
			values[j] = append(values[j], v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(labels) == 0 {
		return nil, fmt.Errorf("--from %s: no rows: the training set is empty", from)
	}
	d := &dataset.Dataset{Labels: labels, Rows: make([][]dataset.Value, len(labels))}
	for i := range d.Rows {
		d.Rows[i] = make([]dataset.Value, len(features))
	}
	for j, name := range features {
		ft := dataset.Feature{Name: name, Type: dataset.Numeric}
		for _, v := range values[j] {
			if _, ok := v.(string); ok {
				ft.Type = dataset.Categorical
				break
			}
		}
		for i, v := range values[j] {
			cell, err := cellOf(ft.Type, v)
			if err != nil {
				return nil, fmt.Errorf("row %d: %s: %w", i+1, name, err)
			}
			d.Rows[i][j] = cell
		}
		d.Features = append(d.Features, ft)
	}
	return d, nil
}

// labelOf reads a driver value as a class label the way the SQL metric
// functions do (catalog's labelText): text as it is, an integer or an
// integral double in decimal, so that 1, 1.0 and '1' are one class.
func labelOf(v driver.Value) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []byte:
		return string(x), true
	case nil:
		return "", false
	}
	f, ok := numeric(v)
	if !ok || f != math.Trunc(f) || math.IsInf(f, 0) {
		return "", false
	}
	if f == 0 {
		return "0", true // not "-0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64), true
}

// cellOf converts one driver value to a feature value of type t: NULL is
// missing; in a categorical column a number reads as text.
func cellOf(t dataset.Type, v any) (dataset.Value, error) {
	if t == dataset.Categorical {
		switch x := v.(type) {
		case nil:
			return dataset.Cat(""), nil
		case string:
			return dataset.Cat(x), nil
		}
		if f, ok := numeric(v); ok {
			return dataset.Cat(strconv.FormatFloat(f, 'f', -1, 64)), nil
		}
		return dataset.Value{}, fmt.Errorf("%T %v is neither a number nor text", v, v)
	}
	if v == nil {
		return dataset.Num(math.NaN()), nil
	}
	f, ok := numeric(v)
	if !ok {
		return dataset.Value{}, fmt.Errorf("%T %v is neither a number nor text", v, v)
	}
	if math.IsInf(f, 0) {
		return dataset.Value{}, fmt.Errorf("%v is not a measurement", f)
	}
	return dataset.Num(f), nil
}

// stratifiedSplit holds out round(fraction·n_k) rows of each class k,
// drawn by a PCG stream of seed, keeping the rows' order within each part
// (so a model is the same for the same rows, seed and fraction).
func stratifiedSplit(d *dataset.Dataset, fraction float64, seed int64) (train, test *dataset.Dataset) {
	train = &dataset.Dataset{Features: d.Features}
	test = &dataset.Dataset{Features: d.Features}
	held := make([]bool, len(d.Rows))
	if fraction > 0 {
		byClass := map[string][]int{}
		for i, l := range d.Labels {
			byClass[l] = append(byClass[l], i)
		}
		rng := rand.New(rand.NewPCG(uint64(seed), 0))
		for _, c := range dataset.Classes(d.Labels) { // byte order, so the draws do not depend on map order
			idx := byClass[c]
			rng.Shuffle(len(idx), func(a, b int) { idx[a], idx[b] = idx[b], idx[a] })
			for _, i := range idx[:int(math.Round(fraction*float64(len(idx))))] {
				held[i] = true
			}
		}
	}
	for i := range d.Rows {
		part := train
		if held[i] {
			part = test
		}
		part.Rows = append(part.Rows, d.Rows[i])
		part.Labels = append(part.Labels, d.Labels[i])
	}
	return train, test
}

// fitClassifier trains opts.Algorithm on d and returns its spec and, for
// trees and 1R, its rules.
func fitClassifier(d *dataset.Dataset, opts ClassifyOptions) (spec []byte, rules string, err error) {
	type model interface{ JSON() ([]byte, error) }
	var m model
	switch opts.Algorithm {
	case "tree", "c45", "id3":
		algo := tree.Algorithm(opts.Algorithm)
		if opts.Algorithm == "tree" {
			algo = tree.CART
		}
		m, err = tree.Train(d, algo, tree.Params{MaxDepth: opts.MaxDepth, MinSamplesLeaf: opts.MinLeaf})
	case "oner":
		m, err = oner.Train(d, oner.Params{})
	case "knn":
		m, err = knn.Train(d, knn.Params{K: opts.Neighbors})
	case "forest":
		m, err = forest.Train(d, forest.Params{NTrees: opts.Trees, MaxDepth: opts.MaxDepth, MinSamplesLeaf: opts.MinLeaf, Seed: uint64(opts.Seed)})
	}
	if err != nil {
		return nil, "", err
	}
	if r, ok := m.(interface{ Rules() string }); ok {
		rules = r.Rules()
	}
	spec, err = m.JSON()
	return spec, rules, err
}

// evaluate predicts d's rows with m and fills res's metrics.
func evaluate(m *catalog.Classifier, d *dataset.Dataset, res *ClassifyResult) error {
	conf := &classmetrics.Confusion{}
	var roc classmetrics.ROC
	binary := len(m.Classes) == 2
	for i, x := range d.Rows {
		label, proba, _, err := m.Predict(x)
		if err != nil {
			return fmt.Errorf("%s row %d: %w", res.Evaluated, i+1, err)
		}
		if err := conf.Add(d.Labels[i], label); err != nil {
			return err
		}
		if binary {
			if err := roc.Add(proba[1], d.Labels[i] == m.Classes[1]); err != nil {
				return err
			}
		}
	}
	res.Confusion = conf
	res.Accuracy = conf.Accuracy()
	res.Macro = conf.Macro()
	for _, l := range conf.Labels() {
		s, _ := conf.Class(l)
		var support int64
		for _, p := range conf.Labels() {
			support += conf.Count(l, p)
		}
		res.PerClass = append(res.PerClass, ClassScores{Class: l, Support: support, Scores: s})
	}
	res.AUC = math.NaN()
	if binary && roc.Positives() > 0 && roc.Negatives() > 0 {
		auc, err := roc.AUC()
		if err != nil {
			return err
		}
		res.AUC = auc
	}
	return nil
}
