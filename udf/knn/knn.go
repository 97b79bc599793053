// Package knn is the k-nearest-neighbours classifier: the training rows are
// kept with the model, and a row is classified by the classes of the k
// training rows nearest to it.
//
// Features are standardised before any distance is taken, z_j = (x_j − μ_j)
// / σ_j with μ_j the training mean and σ_j the population standard
// deviation (σ_j = 1 when a feature is constant, as scikit-learn's
// StandardScaler does); μ and σ are stored in the model. The distance is
// Euclidean on z.
//
// Votes: with "uniform" weights each of the k neighbours counts 1; with
// "distance" weights a neighbour at distance d counts 1/d, and when some
// neighbours are at distance 0 (an exact match) they alone vote, 1 each,
// as in scikit-learn. The class probability is the class's share of the
// votes; the predicted class is the one with the largest share, the first
// in class (byte) order among equals, as scikit-learn takes the lowest
// class index. Among training rows equidistant from the query, the earlier
// training row is nearer (so the k neighbours are always the same rows,
// whatever the search structure).
//
// Only numeric features are accepted; a missing value (NaN) is refused at
// training and at prediction (policy MissingRefused, stored in the model).
package knn

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync"

	"github.com/custseg/custseg/udf/dataset"
)

// Kind is the registry kind of every classifier (as udf/tree's).
const Kind = dataset.ClassifierKind

// Algorithm is this model's algorithm name.
const Algorithm = "knn"

// DefaultK is the number of neighbours when Params.K is 0 (scikit-learn's
// default n_neighbors).
const DefaultK = 5

// The weighting of the neighbours' votes.
const (
	Uniform  = "uniform"
	Distance = "distance"
)

// MissingRefused is kNN's missing-value policy, stored in the model: a
// missing value has no distance, so training and prediction refuse it.
const MissingRefused = "refused"

// MaxStored is the largest training set a model may hold, counted in
// numbers (rows × features): the rows are kept in the JSON spec and loaded
// with it, so the limit bounds the spec (some tens of megabytes) and the
// memory of every host that scores with it.
const MaxStored = 1_000_000

// Params are kNN's hyper-parameters (zero values = the defaults).
type Params struct {
	K       int    `json:"k"`
	Weights string `json:"weights"`
}

// Model is a trained kNN classifier, serialised as JSON.
type Model struct {
	Kind      string            `json:"kind"`
	Algorithm string            `json:"algorithm"`
	Params    Params            `json:"params"`
	Missing   string            `json:"missing"`
	Features  []dataset.Feature `json:"features"`
	Classes   []string          `json:"classes"`
	Mean      []float64         `json:"mean"`  // μ_j
	Scale     []float64         `json:"scale"` // σ_j (1 for a constant feature)
	// Points are the training rows as given (not standardised), Labels
	// their classes (indexes into Classes), in training order.
	Points [][]float64 `json:"points"`
	Labels []int       `json:"labels"`

	once  sync.Once
	index searcher
}

// Train stores d's rows as a kNN model.
func Train(d *dataset.Dataset, p Params) (*Model, error) {
	if p.K == 0 {
		p.K = DefaultK
	}
	if p.Weights == "" {
		p.Weights = Uniform
	}
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("knn: %w", err)
	}
	for _, f := range d.Features {
		if f.Type != dataset.Numeric {
			return nil, fmt.Errorf("knn: feature %q is %s: kNN takes numeric features only", f.Name, f.Type)
		}
	}
	e, err := d.Encode()
	if err != nil {
		return nil, fmt.Errorf("knn: %w", err)
	}
	n, nf := len(e.Y), len(e.Features)
	if n*nf > MaxStored {
		return nil, tooLarge(n, nf)
	}
	if p.K > n {
		return nil, fmt.Errorf("knn: k = %d but only %d training rows", p.K, n)
	}
	m := &Model{Kind: Kind, Algorithm: Algorithm, Params: p, Missing: MissingRefused, Features: e.Features,
		Classes: e.Classes, Mean: make([]float64, nf), Scale: make([]float64, nf), Points: make([][]float64, n), Labels: e.Y}
	for i := range m.Points {
		m.Points[i] = make([]float64, nf)
	}
	for j, col := range e.Num {
		for i, v := range col {
			if math.IsNaN(v) {
				return nil, fmt.Errorf("knn: row %d, feature %q is missing: kNN refuses missing values", i, e.Features[j].Name)
			}
			m.Points[i][j] = v
		}
		m.Mean[j], m.Scale[j] = meanScale(col)
	}
	return m, m.Validate()
}

// meanScale returns the mean and the population standard deviation of col
// (1 when it is 0, so that a constant feature stays 0 once standardised).
func meanScale(col []float64) (mean, scale float64) {
	for _, v := range col {
		mean += v
	}
	mean /= float64(len(col))
	ss := 0.0
	for _, v := range col {
		ss += (v - mean) * (v - mean)
	}
	scale = math.Sqrt(ss / float64(len(col)))
	if scale == 0 {
		scale = 1
	}
	return mean, scale
}

func tooLarge(n, nf int) error {
	return fmt.Errorf("knn: %d rows × %d features = %d numbers to store, more than the limit of %d", n, nf, n*nf, MaxStored)
}

func (p Params) check() error {
	if p.K < 1 {
		return fmt.Errorf("k = %d, want at least 1", p.K)
	}
	if p.Weights != Uniform && p.Weights != Distance {
		return fmt.Errorf("weights %q, want %q or %q", p.Weights, Uniform, Distance)
	}
	return nil
}

// Validate checks that a model is complete and consistent, so that Predict
// never indexes outside it.
func (m *Model) Validate() error {
	bad := func(format string, a ...any) error { return fmt.Errorf("knn: invalid model: "+format, a...) }
	if err := dataset.CheckHeader(m.Kind, m.Algorithm, Algorithm, m.Missing, MissingRefused); err != nil {
		return bad("%v", err)
	}
	if err := m.Params.check(); err != nil {
		return bad("%v", err)
	}
	if err := dataset.CheckFeatures(m.Features); err != nil {
		return bad("%v", err)
	}
	for _, f := range m.Features {
		if f.Type != dataset.Numeric {
			return bad("feature %q is %s, kNN takes numeric features only", f.Name, f.Type)
		}
	}
	if err := dataset.CheckClasses(m.Classes); err != nil {
		return bad("%v", err)
	}
	nf, n := len(m.Features), len(m.Points)
	if n*nf > MaxStored {
		return tooLarge(n, nf)
	}
	if len(m.Mean) != nf || len(m.Scale) != nf {
		return bad("%d means and %d scales for %d features", len(m.Mean), len(m.Scale), nf)
	}
	for j := range nf {
		if !finite(m.Mean[j]) || !finite(m.Scale[j]) || m.Scale[j] <= 0 {
			return bad("feature %q: mean %v, scale %v; want finite numbers and a positive scale", m.Features[j].Name, m.Mean[j], m.Scale[j])
		}
	}
	if n < m.Params.K || len(m.Labels) != n {
		return bad("%d points and %d labels for k = %d", n, len(m.Labels), m.Params.K)
	}
	for i, p := range m.Points {
		if len(p) != nf {
			return bad("point %d has %d values, want %d", i, len(p), nf)
		}
		for j, v := range p {
			if !finite(v) {
				return bad("point %d, feature %q: %v is not a finite number", i, m.Features[j].Name, v)
			}
		}
		if c := m.Labels[i]; c < 0 || c >= len(m.Classes) {
			return bad("point %d has class %d of %d", i, c, len(m.Classes))
		}
	}
	return nil
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// Parse reads a kNN model from JSON and validates it.
func Parse(spec []byte) (*Model, error) { return dataset.ParseModel("knn", spec, &Model{}) }

// JSON returns the model's spec.
func (m *Model) JSON() ([]byte, error) { return json.Marshal(m) }

// standardise writes z = (x − μ) / σ into z.
func (m *Model) standardise(x, z []float64) {
	for j, v := range x {
		z[j] = (v - m.Mean[j]) / m.Scale[j]
	}
}

// neighbour is a training row and its squared distance to the query.
type neighbour struct {
	d2 float64
	i  int
}

// nearer orders neighbours by distance, then by training row.
func nearer(a, b neighbour) bool { return a.d2 < b.d2 || (a.d2 == b.d2 && a.i < b.i) }

// searcher finds the k nearest standardised training rows of z, nearest
// first; it is safe for concurrent use.
type searcher interface {
	nearest(z []float64, k int, out []neighbour) []neighbour
}

// search builds the index on first use (a parsed model may never predict).
func (m *Model) search() searcher {
	m.once.Do(func() {
		nf := len(m.Features)
		pts := make([]float64, len(m.Points)*nf)
		for i, p := range m.Points {
			m.standardise(p, pts[i*nf:(i+1)*nf])
		}
		m.index = newSearcher(pts, nf)
	})
	return m.index
}

// Predict classifies one row of raw (not standardised) feature values: the
// predicted class and the probability of each class (in Classes order).
// The error names the feature of a missing or infinite value, or says the
// row has the wrong length.
func (m *Model) Predict(x []float64) (label string, proba []float64, err error) {
	if len(x) != len(m.Features) {
		return "", nil, fmt.Errorf("knn: %d values, the model has %d features", len(x), len(m.Features))
	}
	for j, v := range x {
		if math.IsNaN(v) {
			return "", nil, fmt.Errorf("knn: feature %q is missing (NaN): kNN refuses missing values", m.Features[j].Name)
		}
		if math.IsInf(v, 0) {
			return "", nil, fmt.Errorf("knn: feature %q: %v is not a finite number", m.Features[j].Name, v)
		}
	}
	z := make([]float64, len(x))
	m.standardise(x, z)
	for j, v := range z {
		if !finite(v) { // a huge value over a tiny scale
			return "", nil, fmt.Errorf("knn: feature %q: %v is too large once standardised", m.Features[j].Name, x[j])
		}
	}
	nb := m.search().nearest(z, m.Params.K, make([]neighbour, 0, m.Params.K+1))
	if len(nb) == 0 {
		return "", nil, errors.New("knn: no neighbours found")
	}
	votes := make([]float64, len(m.Classes))
	exact := m.Params.Weights == Distance && nb[0].d2 == 0
	for _, n := range nb {
		switch {
		case m.Params.Weights == Uniform:
			votes[m.Labels[n.i]]++
		case exact:
			if n.d2 == 0 {
				votes[m.Labels[n.i]]++
			}
		default:
			votes[m.Labels[n.i]] += 1 / math.Sqrt(n.d2)
		}
	}
	proba = dataset.Fractions(votes)
	return m.Classes[dataset.Argmax(proba)], proba, nil
}

// insert adds c to the sorted list of at most k nearest neighbours.
func insert(out []neighbour, c neighbour, k int) []neighbour {
	if len(out) == k {
		if !nearer(c, out[k-1]) {
			return out
		}
		out = out[:k-1]
	}
	p, _ := slices.BinarySearchFunc(out, c, func(a, b neighbour) int {
		if nearer(a, b) {
			return -1
		}
		return 1
	})
	return slices.Insert(out, p, c)
}
