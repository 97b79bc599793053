// Package forest is a random forest classifier (Breiman 2001) as
// scikit-learn's RandomForestClassifier: CART trees (Gini) grown on
// bootstrap samples, a random subset of the features tried at each split,
// class probability the mean of the trees' leaf class fractions.
//
// The trees are udf/tree Nodes (splits "<=" on numeric features and
// one-vs-rest "=" on categorical ones), so a forest's spec holds trees in
// the same JSON shape as a CART model's, and missing values follow the same
// policy, tree.MissingMajorityChild.
package forest

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/tree"
)

// Algorithm is the "algorithm" of a forest model (its kind is tree.Kind).
const Algorithm = "forest"

// Defaults of Params (a zero field takes them).
const (
	DefaultTrees       = 100
	DefaultMaxFeatures = "sqrt"
	defaultMinLeaf     = 1 // as scikit-learn
	defaultMinSplit    = 2
)

// Params are the hyper-parameters (0 or "" = the default).
type Params struct {
	NTrees int `json:"n_trees"`
	// MaxFeatures is how many features each split tries: "sqrt" for
	// max(1, ⌊√d⌋) of the d features, or a count 1..d.
	MaxFeatures     string `json:"max_features"`
	MaxDepth        int    `json:"max_depth"` // 0 = unlimited
	MinSamplesLeaf  int    `json:"min_samples_leaf"`
	MinSamplesSplit int    `json:"min_samples_split"`
	// Seed fixes the bootstraps and the feature draws: tree t draws from
	// its own stream (Seed, t), so the forest is the same whatever the
	// number of cores.
	Seed uint64 `json:"seed"`
}

func (p Params) resolve() Params {
	if p.NTrees == 0 {
		p.NTrees = DefaultTrees
	}
	if p.MaxFeatures == "" {
		p.MaxFeatures = DefaultMaxFeatures
	}
	if p.MinSamplesLeaf == 0 {
		p.MinSamplesLeaf = defaultMinLeaf
	}
	if p.MinSamplesSplit == 0 {
		p.MinSamplesSplit = defaultMinSplit
	}
	return p
}

// tries returns how many features a split tries among d, or an error for
// a MaxFeatures that is neither "sqrt" nor a count 1..d.
func (p Params) tries(d int) (int, error) {
	if p.MaxFeatures == "sqrt" {
		return max(1, int(math.Sqrt(float64(d)))), nil
	}
	n, err := strconv.Atoi(p.MaxFeatures)
	if err != nil || n < 1 || n > d {
		return 0, fmt.Errorf("forest: max_features %q, want sqrt or a count from 1 to %d", p.MaxFeatures, d)
	}
	return n, nil
}

// check validates resolved parameters (also those of a parsed model) for
// d features.
func (p Params) check(d int) error {
	switch {
	case p.NTrees < 1:
		return fmt.Errorf("forest: n_trees %d, want at least 1", p.NTrees)
	case p.MaxDepth < 0:
		return fmt.Errorf("forest: max_depth %d is negative (0 = unlimited)", p.MaxDepth)
	case p.MinSamplesLeaf < 1:
		return fmt.Errorf("forest: min_samples_leaf %d, want at least 1", p.MinSamplesLeaf)
	case p.MinSamplesSplit < 2:
		return fmt.Errorf("forest: min_samples_split %d, want at least 2", p.MinSamplesSplit)
	}
	_, err := p.tries(d)
	return err
}

// Model is a trained forest, serialised as JSON.
type Model struct {
	Kind      string            `json:"kind"`
	Algorithm string            `json:"algorithm"`
	Criterion string            `json:"criterion"` // always "gini"
	Params    Params            `json:"params"`
	Missing   string            `json:"missing"`
	Features  []dataset.Feature `json:"features"`
	Classes   []string          `json:"classes"`
	// OOBAccuracy is the out-of-bag accuracy: each training row predicted
	// by the trees whose bootstrap left it out (rows no tree left out are
	// not counted); nil when no row was left out.
	OOBAccuracy *float64     `json:"oob_accuracy,omitempty"`
	Trees       []*tree.Node `json:"trees"`
}

// Parse reads a forest model from JSON and validates it.
func Parse(spec []byte) (*Model, error) { return dataset.ParseModel("forest", spec, &Model{}) }

// JSON returns the model's spec.
func (m *Model) JSON() ([]byte, error) { return json.Marshal(m) }

// Validate checks that a model is complete and consistent, so that Predict
// never indexes outside it: each tree is checked as a CART tree over the
// forest's features and classes, with splits "<=" and "=" only.
func (m *Model) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("forest: invalid model: "+format, a...) }
	if m.Kind != tree.Kind {
		return bad("kind is %q, want %q", m.Kind, tree.Kind)
	}
	if m.Algorithm != Algorithm {
		return bad("algorithm %q, want %q", m.Algorithm, Algorithm)
	}
	if m.Criterion != tree.DefaultCriterion {
		return bad("criterion %q, want %q", m.Criterion, tree.DefaultCriterion)
	}
	if err := dataset.CheckFeatures(m.Features); err != nil {
		return bad("%v", err)
	}
	if err := m.Params.check(len(m.Features)); err != nil {
		return bad("%v", err)
	}
	if m.Missing != tree.MissingMajorityChild {
		return bad("missing-value policy %q, want %q", m.Missing, tree.MissingMajorityChild)
	}
	if err := dataset.CheckClasses(m.Classes); err != nil {
		return bad("%v", err)
	}
	if m.OOBAccuracy != nil && !(*m.OOBAccuracy >= 0 && *m.OOBAccuracy <= 1) {
		return bad("oob_accuracy %v, want 0..1", *m.OOBAccuracy)
	}
	if len(m.Trees) != m.Params.NTrees {
		return bad("%d trees, n_trees is %d", len(m.Trees), m.Params.NTrees)
	}
	for t, root := range m.Trees {
		if err := binaryOnly(root); err != nil {
			return bad("tree %d: %v", t, err)
		}
		cart := tree.Model{Kind: tree.Kind, Algorithm: tree.CART, Missing: tree.MissingMajorityChild,
			Params:   tree.Params{Criterion: m.Criterion, MaxDepth: m.Params.MaxDepth, MinSamplesLeaf: m.Params.MinSamplesLeaf, MinSamplesSplit: m.Params.MinSamplesSplit},
			Features: m.Features, Classes: m.Classes, Tree: root}
		if err := cart.Validate(); err != nil {
			return bad("tree %d: %v", t, err)
		}
	}
	return nil
}

// binaryOnly refuses the split operators a forest never grows (Predict
// routes "<=" and "=" only).
func binaryOnly(n *tree.Node) error {
	if n == nil || n.Split == nil {
		return nil
	}
	if op := n.Split.Op; op != tree.OpLE && op != tree.OpEq {
		return fmt.Errorf("split operator %q, want %q or %q", op, tree.OpLE, tree.OpEq)
	}
	for _, c := range n.Children {
		if err := binaryOnly(c); err != nil {
			return err
		}
	}
	return nil
}

// Predict classifies one row: the class of largest mean probability (the
// lowest class index on a tie) and the probabilities, in the order of
// m.Classes, each the mean over the trees of the fraction of that class in
// the leaf the row reaches. The error is for a row of the wrong length or
// with ±Inf; missing and unseen values follow m.Missing.
func (m *Model) Predict(x []dataset.Value) (label string, proba []float64, err error) {
	if err := dataset.CheckRow("forest", m.Features, x); err != nil {
		return "", nil, err
	}
	proba = make([]float64, len(m.Classes))
	for _, root := range m.Trees {
		addLeaf(proba, leaf(root, m.Features, x))
	}
	for k := range proba {
		proba[k] /= float64(len(m.Trees))
	}
	return m.Classes[dataset.Argmax(proba)], proba, nil
}

// leaf returns the leaf x reaches: missing values take the split's
// default child, an unseen category is not the one "=" tests.
func leaf(n *tree.Node, fs []dataset.Feature, x []dataset.Value) *tree.Node {
	for n.Split != nil {
		s := n.Split
		v := x[s.Feature]
		c := 1
		switch {
		case fs[s.Feature].Missing(v):
			c = s.Default
		case s.Op == tree.OpLE && v.Num <= s.Threshold, s.Op == tree.OpEq && v.Cat == s.Values[0]:
			c = 0
		}
		n = n.Children[c]
	}
	return n
}

// addLeaf adds the class fractions of leaf l to p.
func addLeaf(p []float64, l *tree.Node) {
	s := dataset.Sum(l.Counts)
	if s == 0 {
		return
	}
	for k, c := range l.Counts {
		p[k] += c / s
	}
}
