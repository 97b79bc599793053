// Package oner is Holte's 1R classifier (Holte 1993, "Very simple
// classification rules perform well on most commonly used datasets"): one
// rule per feature, mapping each of its values (or intervals) to a class,
// and the feature whose rule makes the fewest training errors wins.
package oner

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/custseg/custseg/udf/dataset"
)

// Kind is the registry kind of every classifier (as udf/tree's).
const Kind = dataset.ClassifierKind

// Algorithm is this model's algorithm name.
const Algorithm = "oner"

// MissingOwnBucket is 1R's missing-value policy, stored in the model:
// missing values form a bucket of their own, predicted by its majority
// class; when training had no missing value of the rule's feature, a
// missing value gets the default class (the training majority), as does an
// unseen category.
const MissingOwnBucket = "own-bucket"

// DefaultMinBucket is Holte's SMALL, the minimum bucket size.
const DefaultMinBucket = 6

// Params are 1R's hyper-parameters (0 = the default).
type Params struct {
	MinBucket int `json:"min_bucket"`
}

// Bucket is one value (categorical) or interval (numeric) of the rule.
type Bucket struct {
	Value  string    `json:"value,omitempty"` // categorical
	Counts []float64 `json:"counts"`          // training rows per class
	Class  int       `json:"class"`           // predicted class (index into Classes)
}

// Model is a trained 1R rule, serialised as JSON.
type Model struct {
	Kind      string            `json:"kind"`
	Algorithm string            `json:"algorithm"`
	Params    Params            `json:"params"`
	Missing   string            `json:"missing"`
	Features  []dataset.Feature `json:"features"`
	Classes   []string          `json:"classes"`
	Counts    []float64         `json:"counts"`  // training rows per class
	Default   int               `json:"default"` // class for unseen values
	Feature   int               `json:"feature"` // the rule's feature
	// Cuts split a numeric feature's buckets: bucket i holds
	// Cuts[i−1] < x <= Cuts[i].
	Cuts    []float64 `json:"cuts,omitempty"`
	Buckets []Bucket  `json:"buckets"`
	// MissingBucket is the bucket of missing values, nil when training had
	// none.
	MissingBucket *Bucket `json:"missing_bucket,omitempty"`
	Errors        int     `json:"errors"` // training rows the rule misclassifies
}

// Train learns 1R on d.
//
// For each feature a rule maps every value to its majority class: a
// categorical feature by category; a numeric feature by intervals formed
// as Holte does: the known values sorted, rows of equal value kept
// together, a bucket closes once its majority class has at least
// min_bucket rows and the next value's rows are not all of that class;
// adjacent buckets with the same class then merge, and the cuts are the
// midpoints a/2 + b/2 between neighbouring buckets. Missing values form
// their own bucket (MissingOwnBucket). The feature with the fewest training
// errors wins.
//
// Ties: a bucket whose classes tie predicts the one with more training rows
// overall, then the first in byte order; features with equal errors go to
// the first one (on Quinlan's weather data outlook and humidity both make 4
// errors: outlook wins, Holte's rule).
func Train(d *dataset.Dataset, p Params) (*Model, error) {
	if p.MinBucket == 0 {
		p.MinBucket = DefaultMinBucket
	}
	if p.MinBucket < 1 {
		return nil, fmt.Errorf("oner: min_bucket %d, want at least 1", p.MinBucket)
	}
	e, err := d.Encode()
	if err != nil {
		return nil, fmt.Errorf("oner: %w", err)
	}
	all := make([]int, len(e.Y))
	for i := range all {
		all[i] = i
	}
	overall := e.ClassCounts(all)
	var best *Model
	for j := range e.Features {
		m := &Model{Kind: Kind, Algorithm: Algorithm, Params: p, Missing: MissingOwnBucket, Features: e.Features,
			Classes: e.Classes, Counts: overall, Default: pick(overall, overall), Feature: j}
		var missing []int
		if e.Num[j] != nil {
			missing = m.numericRule(e, j)
		} else {
			missing = m.categoricalRule(e, j)
		}
		if len(m.Buckets) == 0 {
			continue // a feature missing in every row has no rule
		}
		if len(missing) > 0 {
			c := e.ClassCounts(missing)
			m.MissingBucket = &Bucket{Counts: c, Class: pick(c, overall)}
		}
		for _, b := range append(slices.Clone(m.Buckets), m.missingBuckets()...) {
			m.Errors += int(dataset.Sum(b.Counts) - b.Counts[b.Class])
		}
		if best == nil || m.Errors < best.Errors {
			best = m
		}
	}
	if best == nil {
		return nil, fmt.Errorf("oner: every feature is missing in every row")
	}
	return best, best.Validate()
}

func (m *Model) missingBuckets() []Bucket {
	if m.MissingBucket == nil {
		return nil
	}
	return []Bucket{*m.MissingBucket}
}

// pick returns the class with the largest count; ties go to the class
// with more rows overall, then to the first.
func pick(counts, overall []float64) int {
	best := 0
	for k, c := range counts {
		if c > counts[best] || (c == counts[best] && overall[k] > overall[best]) {
			best = k
		}
	}
	return best
}

func (m *Model) categoricalRule(e *dataset.Encoded, j int) (missing []int) {
	f := e.Features[j]
	byCat := make([][]int, len(f.Categories))
	for i, c := range e.Cat[j] {
		if c < 0 {
			missing = append(missing, i)
		} else {
			byCat[c] = append(byCat[c], i)
		}
	}
	for k, rows := range byCat {
		c := e.ClassCounts(rows)
		m.Buckets = append(m.Buckets, Bucket{Value: f.Categories[k], Counts: c, Class: pick(c, m.Counts)})
	}
	return missing
}

func (m *Model) numericRule(e *dataset.Encoded, j int) (missing []int) {
	col := e.Num[j]
	var known []int
	for i, v := range col {
		if math.IsNaN(v) {
			missing = append(missing, i)
		} else {
			known = append(known, i)
		}
	}
	dataset.SortByValue(known, col)
	// groups of equal values: their class counts and first value
	type group struct {
		v      float64
		counts []float64
	}
	var groups []group
	for _, i := range known {
		if len(groups) == 0 || col[i] != groups[len(groups)-1].v {
			groups = append(groups, group{col[i], make([]float64, len(e.Classes))})
		}
		groups[len(groups)-1].counts[e.Y[i]]++
	}
	// Holte's buckets, closed greedily
	type bucket struct {
		lo, hi float64 // first and last value
		counts []float64
		class  int
	}
	var bs []bucket
	cur := bucket{counts: make([]float64, len(e.Classes))}
	for g, gr := range groups {
		if dataset.Sum(cur.counts) == 0 {
			cur.lo = gr.v
		}
		cur.hi = gr.v
		for k, c := range gr.counts {
			cur.counts[k] += c
		}
		maj := pick(cur.counts, m.Counts)
		last := g+1 == len(groups)
		if last || (cur.counts[maj] >= float64(m.Params.MinBucket) && dataset.Sum(groups[g+1].counts) != groups[g+1].counts[maj]) {
			cur.class = maj
			if n := len(bs); n > 0 && bs[n-1].class == maj { // merge neighbours of one class
				bs[n-1].hi = cur.hi
				for k, c := range cur.counts {
					bs[n-1].counts[k] += c
				}
			} else {
				bs = append(bs, cur)
			}
			cur = bucket{counts: make([]float64, len(e.Classes))}
		}
	}
	for i, b := range bs {
		if i > 0 {
			m.Cuts = append(m.Cuts, bs[i-1].hi/2+b.lo/2)
		}
		m.Buckets = append(m.Buckets, Bucket{Counts: b.counts, Class: b.class})
	}
	return missing
}

// Validate checks that a model is complete and consistent, so that Predict
// never indexes outside it.
func (m *Model) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("oner: invalid model: "+format, a...) }
	if err := dataset.CheckHeader(m.Kind, m.Algorithm, Algorithm, m.Missing, MissingOwnBucket); err != nil {
		return bad("%v", err)
	}
	if m.Params.MinBucket < 1 {
		return bad("min_bucket %d", m.Params.MinBucket)
	}
	if err := dataset.CheckFeatures(m.Features); err != nil {
		return bad("%v", err)
	}
	if err := dataset.CheckClasses(m.Classes); err != nil {
		return bad("%v", err)
	}
	K := len(m.Classes)
	if len(m.Counts) != K || m.Default < 0 || m.Default >= K {
		return bad("%d class counts, default class %d, for %d classes", len(m.Counts), m.Default, K)
	}
	if m.Feature < 0 || m.Feature >= len(m.Features) {
		return bad("rule on feature %d of %d", m.Feature, len(m.Features))
	}
	f := m.Features[m.Feature]
	if len(m.Buckets) == 0 {
		return bad("rule with no buckets")
	}
	bs := append(slices.Clone(m.Buckets), m.missingBuckets()...)
	for i, b := range bs {
		if len(b.Counts) != K || b.Class < 0 || b.Class >= K {
			return bad("bucket %d: %d counts, class %d, for %d classes", i, len(b.Counts), b.Class, K)
		}
		for _, c := range b.Counts {
			if !(c >= 0) || math.IsInf(c, 0) {
				return bad("bucket %d: class count %v", i, c)
			}
		}
	}
	if f.Type == dataset.Numeric {
		if len(m.Cuts) != len(m.Buckets)-1 {
			return bad("%d cuts for %d buckets", len(m.Cuts), len(m.Buckets))
		}
		for i, c := range m.Cuts {
			if math.IsNaN(c) || math.IsInf(c, 0) || (i > 0 && m.Cuts[i-1] >= c) {
				return bad("cuts %v are not increasing finite numbers", m.Cuts)
			}
		}
		return nil
	}
	if len(m.Cuts) > 0 {
		return bad("categorical rule with cuts")
	}
	for _, b := range m.Buckets {
		if _, ok := slices.BinarySearch(f.Categories, b.Value); !ok {
			return bad("bucket for category %q that %q does not have", b.Value, f.Name)
		}
	}
	return nil
}

// Parse reads a 1R model from JSON and validates it.
func Parse(spec []byte) (*Model, error) { return dataset.ParseModel("oner", spec, &Model{}) }

// JSON returns the model's spec.
func (m *Model) JSON() ([]byte, error) { return json.Marshal(m) }

// Predict classifies one row: the class of its bucket, the bucket's class
// fractions and the rule that decided ("outlook = sunny", "humidity <=
// 82.5", "outlook = foggy unseen, default class"). The error is for a row
// of the wrong length or with ±Inf.
func (m *Model) Predict(x []dataset.Value) (label string, proba []float64, path string, err error) {
	if err := dataset.CheckRow("oner", m.Features, x); err != nil {
		return "", nil, "", err
	}
	f := m.Features[m.Feature]
	v := x[m.Feature]
	switch {
	case f.Missing(v) && m.MissingBucket != nil:
		return m.bucket(*m.MissingBucket, f.Name+" is missing")
	case f.Missing(v):
		return m.Classes[m.Default], dataset.Fractions(m.Counts), f.Name + " is missing, default class", nil
	case f.Type == dataset.Numeric:
		i, _ := slices.BinarySearch(m.Cuts, v.Num)
		return m.bucket(m.Buckets[i], m.cond(i))
	}
	for i, b := range m.Buckets {
		if b.Value == v.Cat {
			return m.bucket(b, m.cond(i))
		}
	}
	return m.Classes[m.Default], dataset.Fractions(m.Counts), f.Name + " = " + v.Cat + " unseen, default class", nil
}

func (m *Model) bucket(b Bucket, path string) (string, []float64, string, error) {
	return m.Classes[b.Class], dataset.Fractions(b.Counts), path, nil
}

func numText(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// cond renders the test of bucket i.
func (m *Model) cond(i int) string {
	name := m.Features[m.Feature].Name
	if m.Features[m.Feature].Type == dataset.Categorical {
		return name + " = " + m.Buckets[i].Value
	}
	switch {
	case len(m.Cuts) == 0:
		return name + " is any number"
	case i == 0:
		return name + " <= " + numText(m.Cuts[0])
	case i == len(m.Cuts):
		return name + " > " + numText(m.Cuts[i-1])
	}
	return numText(m.Cuts[i-1]) + " < " + name + " <= " + numText(m.Cuts[i])
}

// Rules renders the rule as IF/THEN lines, one per bucket, each ending with
// "(k/n)": k training rows of the predicted class among the n in the
// bucket; the last line is the default for unseen (and, without a missing
// bucket, missing) values.
func (m *Model) Rules() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# 1R on %s: %d errors in %s training rows\n", m.Features[m.Feature].Name, m.Errors, numText(dataset.Sum(m.Counts)))
	line := func(cond string, bk Bucket) {
		fmt.Fprintf(&b, "IF %s THEN %s (%s/%s)\n", cond, m.Classes[bk.Class], numText(bk.Counts[bk.Class]), numText(dataset.Sum(bk.Counts)))
	}
	for i, bk := range m.Buckets {
		line(m.cond(i), bk)
	}
	if m.MissingBucket != nil {
		line(m.Features[m.Feature].Name+" is missing", *m.MissingBucket)
	}
	fmt.Fprintf(&b, "ELSE %s\n", m.Classes[m.Default])
	return b.String()
}
