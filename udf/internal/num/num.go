// Package num holds the small numeric helpers the udf packages share, so
// each formula has one definition: the squared Euclidean distance that
// k-means and the cluster metrics measure with, the type-7 quantile of the
// RFM cut points and the robust scaler, and the finiteness test every input
// check uses.
package num

import "math"

// Finite reports whether v is neither NaN nor ±Inf.
func Finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// SqDist returns the squared Euclidean distance between a and b:
//
//	SqDist(a, b) = Σ_j (a_j − b_j)²
//
// summed in coordinate order without fused multiply-adds, so that every
// caller (k-means training, Model.Assign, the cluster metrics) gets
// bit-identical results for the same pair. b must be at least as long as a;
// its extra elements are ignored.
func SqDist(a, b []float64) float64 {
	b = b[:len(a)]
	s := 0.0
	for j, v := range a {
		t := v - b[j]
		s += t * t
	}
	return s
}

// Quantile7 returns the p-quantile of sorted (ascending) by the type-7
// definition of Hyndman & Fan (R's default, numpy's "linear", what
// scikit-learn's RobustScaler uses):
//
//	h = (n−1)·p
//	Q(p) = x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])
//
// with 0-based x; at p = 1 it is x[n−1]. It returns NaN when sorted is empty
// or p is outside [0, 1] (or NaN). sorted is not checked for order.
// gonum's stat.Quantile offers only the empirical and the linearly
// interpolated (type 4) definitions, neither of which is type 7.
func Quantile7(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 || !(p >= 0 && p <= 1) {
		return math.NaN()
	}
	h := float64(n-1) * p
	lo := math.Floor(h)
	i := int(lo)
	if i >= n-1 {
		return sorted[n-1]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}
