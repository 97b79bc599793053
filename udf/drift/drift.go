// Package drift measures how far a population of customers has moved from
// the one a model was trained on, with the population stability index (PSI).
//
// At training time FitBins cuts each feature into quantile bins and records
// the share of training customers in every bin. The Bins value is small and
// JSON-serialisable, so a model can store it and a later check needs only the
// new values, not the old rows:
//
//	{"feature":"recency_days","edges":[12,25,40,...],"expected":[0.1,0.1,...]}
//
// PSI then compares the new population's shares with the stored ones. The
// usual reading (Siddiqi, "Credit Risk Scorecards", 2006) is: below 0.1 the
// population is stable, 0.1 to 0.2 it is worth watching, 0.2 or more it has
// shifted enough to re-train.
package drift

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/custseg/custseg/udf/internal/clip"
	"github.com/custseg/custseg/udf/internal/num"
)

const (
	// DefaultBins is the number of quantile bins FitBins makes when asked
	// for 0 (deciles).
	DefaultBins = 10
	// MaxBins bounds the number of bins of a Bins value, fitted (nBins) or
	// parsed (len(Edges)+1): more bins than this make every bin's share too
	// noisy to compare, and the bound keeps a hostile bins JSON from costing
	// memory per aggregate group.
	MaxBins = 1000
	// MaxBinsJSON bounds the length in bytes of the text ParseBins reads. A
	// bins value of MaxBins bins is a few tens of kilobytes; the bound leaves
	// room for pretty-printing and a long feature name while keeping what a
	// caller caches per distinct text small.
	MaxBinsJSON = 4 << 20
	// Epsilon replaces a zero proportion in PSI, whose terms divide by and
	// take the logarithm of each proportion. 1e-4 is one customer in ten
	// thousand: small enough not to hide a real empty bin, large enough that
	// one empty bin does not dominate the sum (an empty actual bin whose
	// expected share is 10% adds (1e-4 − 0.1)·ln(1e-4/0.1) ≈ 0.69).
	Epsilon = 1e-4
	// WatchPSI is the PSI from which a population is worth watching.
	WatchPSI = 0.1
	// DefaultThreshold is the PSI from which Verdict advises re-training.
	DefaultThreshold = 0.2
)

// Verdict levels.
const (
	Stable  = "stable"
	Watch   = "watch"
	Retrain = "retrain"
	Unknown = "unknown"
)

// Bins are the quantile bins of one feature with the share of the training
// population in each.
//
// Bin i (0-based) holds the values v with Edges[i-1] < v <= Edges[i]: bin 0
// is v <= Edges[0] and the last bin, len(Edges), is v > Edges[len−1]. Bins
// are closed on the right because quantile edges are data values: for a
// discrete feature such as a purchase count, the edge 1 then puts every
// one-time buyer into one bin rather than splitting them.
type Bins struct {
	Feature  string    `json:"feature,omitempty"`
	Edges    []float64 `json:"edges"`    // strictly increasing, finite
	Expected []float64 `json:"expected"` // len(Edges)+1 proportions summing to 1
}

// FitBins cuts values into nBins quantile bins (0 means DefaultBins) and
// records the proportion of values in each.
//
// Edge i (i = 1..nBins−1) is the inverted-CDF quantile at q = i/nBins: the
// smallest value x with at least q·n values <= x (numpy's
// method="inverted_cdf"), so edges are values seen in training. Equal edges
// are collapsed, and edges equal to the maximum are dropped (their bin
// would be empty), so a discrete feature gets fewer, non-empty bins: a
// feature with a single distinct value gets one bin and a PSI of 0.
func FitBins(values []float64, nBins int) (Bins, error) {
	if nBins == 0 {
		nBins = DefaultBins
	}
	if nBins < 1 || nBins > MaxBins {
		return Bins{}, fmt.Errorf("drift: %d bins: want 1 to %d", nBins, MaxBins)
	}
	n := len(values)
	if n == 0 {
		return Bins{}, errors.New("drift: no values to fit bins on")
	}
	sorted := make([]float64, n)
	copy(sorted, values)
	for _, v := range sorted {
		if !num.Finite(v) {
			return Bins{}, fmt.Errorf("drift: value %v is not a finite number", v)
		}
	}
	sort.Float64s(sorted)
	max := sorted[n-1]
	edges := make([]float64, 0, nBins-1)
	for i := 1; i < nBins; i++ {
		// ceil(i·n/nBins) − 1 in integers, so that q·n exact stays exact.
		idx := (i*n+nBins-1)/nBins - 1
		e := sorted[idx]
		if e >= max || (len(edges) > 0 && e <= edges[len(edges)-1]) {
			continue
		}
		edges = append(edges, e)
	}
	b := Bins{Edges: edges}
	counts := b.Counts(sorted)
	b.Expected = make([]float64, len(counts))
	for i, c := range counts {
		b.Expected[i] = float64(c) / float64(n)
	}
	return b, nil
}

// Len is the number of bins, len(Edges)+1.
func (b Bins) Len() int { return len(b.Edges) + 1 }

// Bin returns the 0-based bin of v: the number of edges strictly below v.
// NaN goes to the last bin.
func (b Bins) Bin(v float64) int {
	if math.IsNaN(v) {
		return len(b.Edges)
	}
	return sort.SearchFloat64s(b.Edges, v)
}

// Counts returns how many of values fall in each bin.
func (b Bins) Counts(values []float64) []int {
	counts := make([]int, b.Len())
	for _, v := range values {
		counts[b.Bin(v)]++
	}
	return counts
}

// Proportions returns the share of values in each bin (all zero when values
// is empty).
func (b Bins) Proportions(values []float64) []float64 {
	counts := b.Counts(values)
	return proportions(counts, len(values))
}

func proportions(counts []int, n int) []float64 {
	p := make([]float64, len(counts))
	if n == 0 {
		return p
	}
	for i, c := range counts {
		p[i] = float64(c) / float64(n)
	}
	return p
}

// PSI returns the population stability index of values against the
// expected proportions, or NaN when values is empty.
func (b Bins) PSI(values []float64) float64 {
	if len(values) == 0 {
		return math.NaN()
	}
	return PSI(b.Expected, b.Proportions(values))
}

// PSICounts is PSI for values already counted per bin (len(counts) must be
// b.Len()); NaN when the counts sum to 0.
func (b Bins) PSICounts(counts []int64) float64 {
	var n int64
	for _, c := range counts {
		n += c
	}
	if n == 0 {
		return math.NaN()
	}
	actual := make([]float64, len(counts))
	for i, c := range counts {
		actual[i] = float64(c) / float64(n)
	}
	return PSI(b.Expected, actual)
}

// PSI is the population stability index of proportions actual against
// expected (same length, each summing to 1):
//
//	PSI = Σ_i (a_i − e_i) · ln(a_i / e_i)
//
// A proportion of 0 is replaced by Epsilon in both factors, since
// ln(0) and a/0 are undefined. Every term is >= 0, so PSI >= 0, and it is 0
// exactly when the distributions are equal. PSI panics when the lengths
// differ (a caller bug: bins and proportions come from the same Bins).
func PSI(expected, actual []float64) float64 {
	if len(expected) != len(actual) {
		panic(fmt.Sprintf("drift.PSI: %d expected and %d actual proportions", len(expected), len(actual)))
	}
	var s float64
	for i, e := range expected {
		a := actual[i]
		if e <= 0 {
			e = Epsilon
		}
		if a <= 0 {
			a = Epsilon
		}
		s += (a - e) * math.Log(a/e)
	}
	return s
}

// Verdict reads the largest PSI over a model's features: below WatchPSI
// "stable", from WatchPSI up to threshold "watch", from threshold on
// "retrain". threshold <= 0 means DefaultThreshold; a threshold below
// WatchPSI leaves no "watch" band. NaN (no data) gives "unknown". reason is
// one sentence for a person.
func Verdict(maxPSI, threshold float64) (level string, reason string) {
	if threshold <= 0 || math.IsNaN(threshold) {
		threshold = DefaultThreshold
	}
	switch {
	case math.IsNaN(maxPSI):
		return Unknown, "no values to compare with the training population"
	case maxPSI >= threshold:
		return Retrain, fmt.Sprintf("PSI %.3f >= %.3g: the population has shifted since training; re-train the model", maxPSI, threshold)
	case maxPSI >= WatchPSI:
		return Watch, fmt.Sprintf("PSI %.3f is between %.3g and %.3g: a moderate shift; watch the next periods", maxPSI, WatchPSI, threshold)
	}
	return Stable, fmt.Sprintf("PSI %.3f < %.3g: the population is stable", maxPSI, math.Min(WatchPSI, threshold))
}

// Validate checks that b can bin values: at most MaxBins bins, finite,
// strictly increasing edges and len(Edges)+1 non-negative proportions
// summing to 1 (within 1e-6).
func (b Bins) Validate() error {
	if len(b.Edges) >= MaxBins {
		return fmt.Errorf("%d edges make %d bins: at most %d bins (%d edges)", len(b.Edges), len(b.Edges)+1, MaxBins, MaxBins-1)
	}
	for i, e := range b.Edges {
		if !num.Finite(e) {
			return fmt.Errorf("edge %d is not a finite number", i)
		}
		if i > 0 && e <= b.Edges[i-1] {
			return fmt.Errorf("edges must be strictly increasing, edge %d (%v) <= edge %d (%v)", i, e, i-1, b.Edges[i-1])
		}
	}
	if len(b.Expected) != len(b.Edges)+1 {
		return fmt.Errorf("%d edges need %d expected proportions, got %d", len(b.Edges), len(b.Edges)+1, len(b.Expected))
	}
	var sum float64
	for i, p := range b.Expected {
		if math.IsNaN(p) || p < 0 || p > 1 {
			return fmt.Errorf("expected proportion %d is %v, want 0 to 1", i, p)
		}
		sum += p
	}
	if math.Abs(sum-1) > 1e-6 {
		return fmt.Errorf("expected proportions sum to %v, want 1", sum)
	}
	return nil
}

// ParseBins decodes and validates the JSON form of Bins. Unknown fields are
// errors, so that a model's whole spec passed by mistake is caught. A text
// longer than MaxBinsJSON is refused before it is decoded.
func ParseBins(text string) (Bins, error) {
	if len(text) > MaxBinsJSON {
		return Bins{}, fmt.Errorf("bins JSON is %d bytes long: at most %d", len(text), MaxBinsJSON)
	}
	var b Bins
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		return Bins{}, fmt.Errorf("bins JSON: %s", clip.Text(err.Error(), clip.Message))
	}
	if dec.More() {
		return Bins{}, errors.New("bins JSON: trailing data after the object")
	}
	if b.Expected == nil {
		return Bins{}, errors.New(`bins JSON: no "expected" proportions`)
	}
	if err := b.Validate(); err != nil {
		return Bins{}, fmt.Errorf("bins JSON: %v", err)
	}
	return b, nil
}

// FeatureDrift is the PSI of one feature.
type FeatureDrift struct {
	Feature string  `json:"feature"`
	PSI     float64 `json:"psi"`
	Level   string  `json:"level"`
}

// Report is the drift of every feature of a model.
type Report struct {
	Features []FeatureDrift `json:"features"`
	MaxPSI   float64        `json:"max_psi"`
	Level    string         `json:"level"`
	Reason   string         `json:"reason"`
	Rows     int            `json:"rows"`
}

// Check compares rows (n×len(bins), row-major, columns in the order of
// bins) with the training population of every feature and gives the verdict
// on the largest PSI (threshold as in Verdict). No rows is an error, so a
// Report's PSIs are always finite (and marshal to JSON).
func Check(bins []Bins, rows []float64, n int, threshold float64) (Report, error) {
	d := len(bins)
	if d == 0 {
		return Report{}, errors.New("drift: no features")
	}
	if n == 0 {
		return Report{}, errors.New("drift: no rows to compare with the training population")
	}
	if n < 0 || len(rows) != n*d {
		return Report{}, fmt.Errorf("drift: %d values are not %d rows of %d features", len(rows), n, d)
	}
	r := Report{Rows: n, MaxPSI: math.NaN()}
	col := make([]float64, n)
	for j, b := range bins {
		if err := b.Validate(); err != nil {
			return Report{}, fmt.Errorf("drift: feature %d (%s): %v", j, clip.Text(b.Feature, clip.Name), err)
		}
		for i := 0; i < n; i++ {
			col[i] = rows[i*d+j]
		}
		p := b.PSI(col)
		lvl, _ := Verdict(p, threshold)
		r.Features = append(r.Features, FeatureDrift{Feature: b.Feature, PSI: p, Level: lvl})
		if !math.IsNaN(p) && (math.IsNaN(r.MaxPSI) || p > r.MaxPSI) {
			r.MaxPSI = p
		}
	}
	r.Level, r.Reason = Verdict(r.MaxPSI, threshold)
	if !math.IsNaN(r.MaxPSI) {
		for _, f := range r.Features {
			if f.PSI == r.MaxPSI && f.Feature != "" {
				r.Reason = f.Feature + ": " + r.Reason
				break
			}
		}
	}
	return r, nil
}
