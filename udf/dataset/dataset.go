// Package dataset is the training set the classifiers (udf/tree, udf/oner)
// share: typed features, rows of values and text labels, and their integer
// encoding. Keeping one definition means every classifier agrees on what a
// missing value is, how categories are ordered and how classes are named.
//
// Missing values: a numeric value is missing when it is NaN, a categorical
// one when it is the empty string. ±Inf is refused (it is no measurement).
// Labels compare as text; classes are the distinct labels in byte order.
package dataset

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Type is a feature's type.
type Type string

// ClassifierKind is the registry kind of every classifier model (trees,
// 1R, kNN, forests), whatever its algorithm.
const ClassifierKind = "classifier"

const (
	// Numeric features hold float64 values; NaN is missing.
	Numeric Type = "numeric"
	// Categorical features hold text values; "" is missing.
	Categorical Type = "categorical"
)

// Feature is one input column of a classifier and its encoding.
type Feature struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
	// Categories are a categorical feature's training values in byte
	// order (set by Encode; a model stores them).
	Categories []string `json:"categories,omitempty"`
}

// Value is one cell: Num for a numeric feature, Cat for a categorical one.
type Value struct {
	Num float64
	Cat string
}

// Num returns a numeric value (NaN = missing).
func Num(v float64) Value { return Value{Num: v} }

// Cat returns a categorical value ("" = missing).
func Cat(s string) Value { return Value{Num: math.NaN(), Cat: s} }

// Missing reports whether v is missing for feature f.
func (f Feature) Missing(v Value) bool {
	if f.Type == Categorical {
		return v.Cat == ""
	}
	return math.IsNaN(v.Num)
}

// Dataset is labelled training rows: Rows[i][j] is feature j of row i.
type Dataset struct {
	Features []Feature
	Rows     [][]Value
	Labels   []string
}

// CheckFeatures validates a feature list as a model stores it: names
// non-empty and distinct, types known, categories distinct and non-empty.
func CheckFeatures(fs []Feature) error {
	if len(fs) == 0 {
		return errors.New("dataset: no features")
	}
	seen := map[string]bool{}
	for j, f := range fs {
		if f.Name == "" {
			return fmt.Errorf("dataset: feature %d has no name", j)
		}
		if seen[f.Name] {
			return fmt.Errorf("dataset: feature %q appears twice", f.Name)
		}
		seen[f.Name] = true
		switch f.Type {
		case Numeric:
			if len(f.Categories) > 0 {
				return fmt.Errorf("dataset: numeric feature %q has categories", f.Name)
			}
		case Categorical:
			cs := map[string]bool{}
			for _, c := range f.Categories {
				if c == "" || cs[c] {
					return fmt.Errorf("dataset: feature %q: category %q is empty or repeated", f.Name, c)
				}
				cs[c] = true
			}
		default:
			return fmt.Errorf("dataset: feature %q has type %q, want %q or %q", f.Name, f.Type, Numeric, Categorical)
		}
	}
	return nil
}

// Check validates d for training: features valid, at least one row, one
// label per row, as many values per row as features, no ±Inf, and at
// least two classes (one class leaves nothing to learn).
func (d *Dataset) Check() error {
	if err := CheckFeatures(d.Features); err != nil {
		return err
	}
	if len(d.Rows) == 0 {
		return errors.New("dataset: no training rows")
	}
	if len(d.Labels) != len(d.Rows) {
		return fmt.Errorf("dataset: %d rows but %d labels", len(d.Rows), len(d.Labels))
	}
	for i, r := range d.Rows {
		if len(r) != len(d.Features) {
			return fmt.Errorf("dataset: row %d has %d values, want %d", i, len(r), len(d.Features))
		}
		for j, v := range r {
			if d.Features[j].Type == Numeric && math.IsInf(v.Num, 0) {
				return fmt.Errorf("dataset: row %d, feature %q: %v is not a finite number", i, d.Features[j].Name, v.Num)
			}
		}
		if d.Labels[i] == "" {
			return fmt.Errorf("dataset: row %d has an empty label", i)
		}
	}
	if cs := Classes(d.Labels); len(cs) < 2 {
		return fmt.Errorf("dataset: the target has one class (%q): nothing to learn", cs[0])
	}
	return nil
}

// Classes returns the distinct labels in byte order.
func Classes(labels []string) []string {
	cs := slices.Clone(labels)
	slices.Sort(cs)
	return slices.Compact(cs)
}

// Encoded is a checked Dataset as integer codes, column by column, the form
// the training algorithms work on.
type Encoded struct {
	Features []Feature // with Categories set for categorical features
	Classes  []string
	Num      [][]float64 // Num[j][i]: numeric feature j of row i (nil for categorical j)
	Cat      [][]int     // Cat[j][i]: index into Features[j].Categories, -1 = missing (nil for numeric j)
	Y        []int       // index into Classes
}

// Encode checks d and encodes it.
func (d *Dataset) Encode() (*Encoded, error) {
	if err := d.Check(); err != nil {
		return nil, err
	}
	n := len(d.Rows)
	e := &Encoded{Classes: Classes(d.Labels), Num: make([][]float64, len(d.Features)),
		Cat: make([][]int, len(d.Features)), Y: make([]int, n)}
	for i, l := range d.Labels {
		e.Y[i], _ = slices.BinarySearch(e.Classes, l)
	}
	for j, f := range d.Features {
		f.Categories = nil
		if f.Type == Numeric {
			col := make([]float64, n)
			for i, r := range d.Rows {
				col[i] = r[j].Num
			}
			e.Num[j] = col
		} else {
			for _, r := range d.Rows {
				if r[j].Cat != "" {
					f.Categories = append(f.Categories, r[j].Cat)
				}
			}
			slices.Sort(f.Categories)
			f.Categories = slices.Compact(f.Categories)
			col := make([]int, n)
			for i, r := range d.Rows {
				col[i] = f.Code(r[j])
			}
			e.Cat[j] = col
		}
		e.Features = append(e.Features, f)
	}
	return e, nil
}

// Code returns the index of a categorical value in f.Categories, or -1 when
// it is missing or was never seen in training.
func (f Feature) Code(v Value) int {
	if v.Cat == "" {
		return -1
	}
	if k, ok := slices.BinarySearch(f.Categories, v.Cat); ok {
		return k
	}
	return -1
}

// ClassCounts counts the classes of the rows idx of e.
func (e *Encoded) ClassCounts(idx []int) []float64 {
	c := make([]float64, len(e.Classes))
	for _, i := range idx {
		c[e.Y[i]]++
	}
	return c
}

// CheckRow validates one row to predict against a model's features: as
// many values as features and no ±Inf. Missing and unseen values are left
// to the model's policy. who names the caller in the error.
func CheckRow(who string, fs []Feature, x []Value) error {
	if len(x) != len(fs) {
		return fmt.Errorf("%s: %d values, the model has %d features", who, len(x), len(fs))
	}
	for j, v := range x {
		if fs[j].Type == Numeric && math.IsInf(v.Num, 0) {
			return fmt.Errorf("%s: feature %q: %v is not a finite number", who, fs[j].Name, v.Num)
		}
	}
	return nil
}

// Argmax returns the index of the largest count, the lowest index among
// equals (as numpy's argmax, which scikit-learn's predict uses).
func Argmax(counts []float64) int {
	best := 0
	for k, c := range counts {
		if c > counts[best] {
			best = k
		}
	}
	return best
}

// Fractions returns counts divided by their sum (the class probabilities
// of a leaf); all zero when the sum is zero.
func Fractions(counts []float64) []float64 {
	s := Sum(counts)
	p := make([]float64, len(counts))
	if s > 0 {
		for k, c := range counts {
			p[k] = c / s
		}
	}
	return p
}

// CheckClasses validates a model's class list: at least two, non-empty,
// distinct, in byte order (the order Encode gives them).
func CheckClasses(cs []string) error {
	if len(cs) < 2 {
		return fmt.Errorf("dataset: %d classes, want at least 2", len(cs))
	}
	for k, c := range cs {
		if c == "" || (k > 0 && cs[k-1] >= c) {
			return fmt.Errorf("dataset: classes %q are not distinct non-empty labels in byte order", cs)
		}
	}
	return nil
}

// Entropy returns the Shannon entropy of counts in bits:
//
//	H = −Σ_k p_k log2 p_k,  p_k = counts_k / Σ counts
func Entropy(counts []float64) float64 {
	s := Sum(counts)
	if s == 0 {
		return 0
	}
	h := 0.0
	for _, c := range counts {
		if c > 0 {
			p := c / s
			h -= p * math.Log2(p)
		}
	}
	return h
}

// Gini returns the Gini impurity of counts: 1 − Σ_k p_k².
func Gini(counts []float64) float64 {
	s := Sum(counts)
	if s == 0 {
		return 0
	}
	g := 1.0
	for _, c := range counts {
		p := c / s
		g -= p * p
	}
	return g
}

// Sum returns the total of counts (the rows at a node).
func Sum(counts []float64) float64 {
	s := 0.0
	for _, c := range counts {
		s += c
	}
	return s
}

// SortByValue sorts the row indexes idx by col[i] ascending, keeping the
// row order among equal values (NaN rows must have been taken out).
func SortByValue(idx []int, col []float64) {
	slices.SortStableFunc(idx, func(p, q int) int { return cmp.Compare(col[p], col[q]) })
}

// ParseModel unmarshals a model spec into m and validates it; who names
// the package in the error of a spec that is not JSON of m's shape.
func ParseModel[M interface{ Validate() error }](who string, spec []byte, m M) (M, error) {
	if err := json.Unmarshal(spec, m); err != nil {
		var zero M
		return zero, fmt.Errorf("%s: corrupt model spec: %w", who, err)
	}
	if err := m.Validate(); err != nil {
		var zero M
		return zero, err
	}
	return m, nil
}

// CheckHeader checks the fields every classifier spec starts with: the
// kind, the algorithm a package decodes and its missing-value policy.
func CheckHeader(kind, algorithm, wantAlgorithm, missing, wantMissing string) error {
	if kind != ClassifierKind || algorithm != wantAlgorithm {
		return fmt.Errorf("kind %q, algorithm %q; want %q, %q", kind, algorithm, ClassifierKind, wantAlgorithm)
	}
	if missing != wantMissing {
		return fmt.Errorf("missing-value policy %q, want %q", missing, wantMissing)
	}
	return nil
}
