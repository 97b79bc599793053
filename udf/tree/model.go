package tree

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/custseg/custseg/udf/dataset"
)

// Kind is the "kind" of every classifier model in the registry.
const Kind = dataset.ClassifierKind

// Algorithm names a tree learner.
type Algorithm string

const (
	CART Algorithm = "cart"
	C45  Algorithm = "c45"
	ID3  Algorithm = "id3"
)

// MissingMajorityChild is the one missing-value policy of the trees, stored
// in every model: while a split is scored the rows missing its feature are
// left out (C4.5 and ID3 multiply the gain by the known fraction, as
// Quinlan does); once chosen, those rows follow the child with the most
// known training rows (the first such child on a tie), and so do missing
// values and categories never seen at that node when predicting.
const MissingMajorityChild = "majority-child"

// Split operators.
const (
	OpLE  = "<="  // numeric: child 0 when x <= Threshold, child 1 when x > Threshold
	OpEq  = "="   // categorical one-vs-rest: child 0 when x = Values[0], child 1 otherwise
	OpIn  = "in"  // categorical multiway: child i when x = Values[i]
	OpBin = "bin" // numeric binned (ID3): child i when x falls in bin Bins[i] of Model.Bins[Feature]
)

// Params are the hyper-parameters (0 = the algorithm's default, see Train).
type Params struct {
	Criterion       string  `json:"criterion,omitempty"` // CART: "gini" or "entropy"
	MaxDepth        int     `json:"max_depth"`           // 0 = unlimited
	MinSamplesLeaf  int     `json:"min_samples_leaf"`
	MinSamplesSplit int     `json:"min_samples_split"`
	Confidence      float64 `json:"confidence,omitempty"` // C4.5 pruning CF
	Bins            int     `json:"bins,omitempty"`       // ID3: equal-frequency bins per numeric feature
}

// Model is a trained decision tree, serialised as JSON.
type Model struct {
	Kind      string            `json:"kind"`
	Algorithm Algorithm         `json:"algorithm"`
	Params    Params            `json:"params"`
	Missing   string            `json:"missing"`
	Features  []dataset.Feature `json:"features"`
	// Bins are ID3's cut points per feature (nil for categorical ones):
	// bin i holds Bins[j][i−1] < x <= Bins[j][i].
	Bins    [][]float64 `json:"bins,omitempty"`
	Classes []string    `json:"classes"`
	Tree    *Node       `json:"tree"`
}

// Node is a tree node: a leaf when Split is nil.
type Node struct {
	Counts   []float64 `json:"counts"` // training rows per class that reached the node
	Split    *Split    `json:"split,omitempty"`
	Children []*Node   `json:"children,omitempty"`
}

// Split is the test of an inner node.
type Split struct {
	Feature   int      `json:"feature"`
	Op        string   `json:"op"`
	Threshold float64  `json:"threshold,omitempty"`
	Values    []string `json:"values,omitempty"`
	Bins      []int    `json:"bins,omitempty"`
	Default   int      `json:"default"` // child for missing and unseen values
}

// Parse reads a tree model from JSON and validates it.
func Parse(spec []byte) (*Model, error) { return dataset.ParseModel("tree", spec, &Model{}) }

// JSON returns the model's spec.
func (m *Model) JSON() ([]byte, error) { return json.Marshal(m) }

// Validate checks that a model is complete and consistent, so that Predict
// never indexes outside it.
func (m *Model) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("tree: invalid model: "+format, a...) }
	if m.Kind != Kind {
		return bad("kind is %q, want %q", m.Kind, Kind)
	}
	if m.Algorithm != CART && m.Algorithm != C45 && m.Algorithm != ID3 {
		return bad("algorithm %q, want cart, c45 or id3", m.Algorithm)
	}
	if err := m.Params.check(m.Algorithm); err != nil {
		return bad("%v", err)
	}
	if m.Missing != MissingMajorityChild {
		return bad("missing-value policy %q, want %q", m.Missing, MissingMajorityChild)
	}
	if err := dataset.CheckFeatures(m.Features); err != nil {
		return bad("%v", err)
	}
	if err := dataset.CheckClasses(m.Classes); err != nil {
		return bad("%v", err)
	}
	if m.Bins != nil && len(m.Bins) != len(m.Features) {
		return bad("%d bin lists for %d features", len(m.Bins), len(m.Features))
	}
	for j, b := range m.Bins {
		if len(b) > 0 && m.Features[j].Type != dataset.Numeric {
			return bad("categorical feature %q has bins", m.Features[j].Name)
		}
		for i, c := range b {
			if math.IsNaN(c) || math.IsInf(c, 0) || (i > 0 && b[i-1] >= c) {
				return bad("bins of %q are not increasing finite numbers", m.Features[j].Name)
			}
		}
	}
	if m.Tree == nil {
		return bad("no tree")
	}
	return m.validNode(m.Tree, bad)
}

func (m *Model) validNode(n *Node, bad func(string, ...any) error) error {
	if n == nil {
		return bad("empty node")
	}
	if len(n.Counts) != len(m.Classes) {
		return bad("node has %d class counts for %d classes", len(n.Counts), len(m.Classes))
	}
	for _, c := range n.Counts {
		if !(c >= 0) || math.IsInf(c, 0) {
			return bad("class count %v", c)
		}
	}
	s := n.Split
	if s == nil {
		if len(n.Children) > 0 {
			return bad("leaf with children")
		}
		return nil
	}
	if s.Feature < 0 || s.Feature >= len(m.Features) {
		return bad("split on feature %d of %d", s.Feature, len(m.Features))
	}
	f := m.Features[s.Feature]
	want := 2
	switch s.Op {
	case OpLE:
		if f.Type != dataset.Numeric || math.IsNaN(s.Threshold) || math.IsInf(s.Threshold, 0) {
			return bad("split %q on %s feature %q with threshold %v", s.Op, f.Type, f.Name, s.Threshold)
		}
	case OpEq, OpIn:
		if f.Type != dataset.Categorical {
			return bad("split %q on numeric feature %q", s.Op, f.Name)
		}
		for _, v := range s.Values {
			if _, ok := slices.BinarySearch(f.Categories, v); !ok {
				return bad("split on %q tests category %q the feature does not have", f.Name, v)
			}
		}
		if want = len(s.Values); s.Op == OpEq && want != 1 {
			return bad("one-vs-rest split on %q with %d values", f.Name, want)
		} else if s.Op == OpEq {
			want = 2
		}
	case OpBin:
		if f.Type != dataset.Numeric || m.Bins == nil {
			return bad("binned split on %q without bins", f.Name)
		}
		for _, b := range s.Bins {
			if b < 0 || b > len(m.Bins[s.Feature]) {
				return bad("split on %q tests bin %d of %d", f.Name, b, len(m.Bins[s.Feature])+1)
			}
		}
		want = len(s.Bins)
	default:
		return bad("unknown split operator %q", s.Op)
	}
	if want < 2 || len(n.Children) != want {
		return bad("split %q on %q has %d children, want %d (at least 2)", s.Op, f.Name, len(n.Children), want)
	}
	if s.Default < 0 || s.Default >= want {
		return bad("default child %d of %d", s.Default, want)
	}
	for _, c := range n.Children {
		if err := m.validNode(c, bad); err != nil {
			return err
		}
	}
	return nil
}

// Predict classifies one row: the label of the leaf reached (its majority
// class, the first class in byte order on a tie), the leaf's class
// fractions (in the order of m.Classes) and the path as a readable rule
// ("recency_days <= 42.5 AND country = UK"; the root alone is a leaf: "").
// The error is for a row of the wrong length or with ±Inf: missing and
// unseen values follow the model's Missing policy.
func (m *Model) Predict(x []dataset.Value) (label string, proba []float64, path string, err error) {
	if err := dataset.CheckRow("tree", m.Features, x); err != nil {
		return "", nil, "", err
	}
	n := m.Tree
	var conds []string
	for n.Split != nil {
		c, note := m.route(n.Split, x)
		cond := m.cond(n.Split, c)
		if note != "" {
			cond = note + ", taken as " + cond
		}
		conds = append(conds, cond)
		n = n.Children[c]
	}
	return m.Classes[dataset.Argmax(n.Counts)], dataset.Fractions(n.Counts), strings.Join(conds, " AND "), nil
}

// route returns the child x goes to and, when the default child was taken
// for a missing or unseen value, a note saying so.
func (m *Model) route(s *Split, x []dataset.Value) (int, string) {
	f := m.Features[s.Feature]
	v := x[s.Feature]
	if f.Missing(v) {
		return s.Default, f.Name + " is missing"
	}
	switch s.Op {
	case OpLE:
		if v.Num <= s.Threshold {
			return 0, ""
		}
		return 1, ""
	case OpEq:
		if v.Cat == s.Values[0] {
			return 0, ""
		}
		return 1, "" // an unseen category is not Values[0]: no default needed
	case OpIn:
		if i := slices.Index(s.Values, v.Cat); i >= 0 {
			return i, ""
		}
	case OpBin:
		if i := slices.Index(s.Bins, binOf(m.Bins[s.Feature], v.Num)); i >= 0 {
			return i, ""
		}
	}
	return s.Default, fmt.Sprintf("%s = %s unseen", f.Name, valueText(f, v))
}

// binOf returns the bin of v: the first i with v <= cuts[i], len(cuts) past
// the last cut.
func binOf(cuts []float64, v float64) int {
	i, _ := slices.BinarySearch(cuts, v)
	return i
}

func valueText(f dataset.Feature, v dataset.Value) string {
	if f.Type == dataset.Categorical {
		return v.Cat
	}
	return numText(v.Num)
}

func numText(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// cond renders the test that leads to child c of s.
func (m *Model) cond(s *Split, c int) string {
	name := m.Features[s.Feature].Name
	switch s.Op {
	case OpLE:
		if c == 0 {
			return name + " <= " + numText(s.Threshold)
		}
		return name + " > " + numText(s.Threshold)
	case OpEq:
		if c == 0 {
			return name + " = " + s.Values[0]
		}
		return name + " != " + s.Values[0]
	case OpIn:
		return name + " = " + s.Values[c]
	}
	cuts, b := m.Bins[s.Feature], s.Bins[c]
	switch {
	case len(cuts) == 0:
		return name + " is any number"
	case b == 0:
		return name + " <= " + numText(cuts[0])
	case b == len(cuts):
		return name + " > " + numText(cuts[b-1])
	}
	return numText(cuts[b-1]) + " < " + name + " <= " + numText(cuts[b])
}

// Rules renders the tree as indented IF/THEN text, one line per branch; a
// leaf line ends with its class and "(k/n)": k training rows of that class
// among the n that reached it. The branch missing and unseen values take is
// marked with "*".
func (m *Model) Rules() string {
	var b strings.Builder
	b.WriteString("# " + string(m.Algorithm) + " tree; * = the branch missing and unseen values take\n")
	if m.Tree.Split == nil {
		b.WriteString("THEN " + m.leafText(m.Tree) + "\n")
	}
	m.rules(&b, m.Tree, "")
	return b.String()
}

func (m *Model) rules(b *strings.Builder, n *Node, indent string) {
	if n.Split == nil {
		return
	}
	for c, child := range n.Children {
		mark := ""
		if c == n.Split.Default {
			mark = " *"
		}
		b.WriteString(indent + "IF " + m.cond(n.Split, c) + mark)
		if child.Split == nil {
			b.WriteString(" THEN " + m.leafText(child) + "\n")
			continue
		}
		b.WriteString("\n")
		m.rules(b, child, indent+"  ")
	}
}

func (m *Model) leafText(n *Node) string {
	k := dataset.Argmax(n.Counts)
	total := dataset.Sum(n.Counts)
	return fmt.Sprintf("%s (%s/%s)", m.Classes[k], numText(n.Counts[k]), numText(total))
}

// Depth returns the number of splits on the longest path.
func (n *Node) Depth() int {
	d := 0
	for _, c := range n.Children {
		d = max(d, c.Depth()+1)
	}
	return d
}

// Leaves returns the number of leaves.
func (n *Node) Leaves() int {
	if n.Split == nil {
		return 1
	}
	s := 0
	for _, c := range n.Children {
		s += c.Leaves()
	}
	return s
}
