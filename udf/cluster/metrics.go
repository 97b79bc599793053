package cluster

import (
	"fmt"
	"math"

	"github.com/custseg/custseg/udf/internal/num"
)

// centroids returns the k×d cluster means of an encoded input.
func centroids(x []float64, e *encoded) []float64 {
	d := e.d
	c := make([]float64, e.k*d)
	for i, l := range e.lab {
		row := x[i*d : i*d+d]
		cc := c[l*d : l*d+d]
		for j, v := range row {
			cc[j] += v
		}
	}
	for l := 0; l < e.k; l++ {
		inv := 1 / float64(e.size[l])
		for j := 0; j < d; j++ {
			c[l*d+j] *= inv
		}
	}
	return c
}

// Inertia returns the sum over points of the squared Euclidean distance to
// the mean of the point's cluster: Σ_i ||x_i − μ_label(i)||². Any number of
// clusters (k >= 1) is accepted. When the sum exceeds the float64 range
// (coordinates beyond about 1e154) it is an error, not +Inf.
func Inertia(x []float64, d int, labels []int) (float64, error) {
	e, err := encode(x, d, labels)
	if err != nil {
		return 0, err
	}
	x = e.x
	c := centroids(x, e)
	s := 0.0
	for i, l := range e.lab {
		s += num.SqDist(x[i*d:i*d+d], c[l*d:l*d+d])
	}
	s /= e.scale * e.scale
	if math.IsInf(s, 1) {
		return 0, fmt.Errorf("cluster: the inertia exceeds the float64 range (coordinates reach %g)", num.MaxAbs(x)/e.scale)
	}
	return s, nil
}

// SilhouetteSimplified returns MADlib's simplified silhouette, which uses
// centroids instead of all pairs (O(n·k)):
//
//	a(i) = ||x_i − μ_own||,  b(i) = min over other clusters c of ||x_i − μ_c||
//	s(i) = (b(i) − a(i)) / max(a(i), b(i))   (0 when both are 0)
//
// and the mean of s(i). The centroids are the means of the labelled points;
// for a k-means result (every point nearest its own centroid) this is
// MADlib's avg((d2 − d1)/d2) over the two nearest centroid distances. It
// needs at least 2 distinct labels.
func SilhouetteSimplified(x []float64, d int, labels []int) (float64, error) {
	e, err := encode(x, d, labels)
	if err != nil {
		return 0, err
	}
	x = e.x
	if e.k < 2 {
		return 0, checkLabelCount(e.k, e.n)
	}
	c := centroids(x, e)
	total := 0.0
	for i, l := range e.lab {
		row := x[i*d : i*d+d]
		a := math.Sqrt(num.SqDist(row, c[l*d:l*d+d]))
		b := math.Inf(1)
		for o := 0; o < e.k; o++ {
			if o == l {
				continue
			}
			if v := num.SqDist(row, c[o*d:o*d+d]); v < b {
				b = v
			}
		}
		b = math.Sqrt(b)
		if m := math.Max(a, b); m > 0 {
			total += (b - a) / m
		}
	}
	return total / float64(e.n), nil
}

// DaviesBouldin returns scikit-learn's davies_bouldin_score:
//
//	S_c    = mean distance of the points of cluster c to its centroid μ_c
//	R_c    = max over c' ≠ c of (S_c + S_c') / ||μ_c − μ_c'||
//	DB     = mean over clusters of R_c
//
// Lower is better. As in scikit-learn, DB is 0 when every S_c or every
// centroid distance is (close to) 0, and coinciding centroids contribute 0.
// It needs 2 <= k <= n-1 distinct labels.
func DaviesBouldin(x []float64, d int, labels []int) (float64, error) {
	e, err := encode(x, d, labels)
	if err != nil {
		return 0, err
	}
	x = e.x
	if err := checkLabelCount(e.k, e.n); err != nil {
		return 0, err
	}
	k := e.k
	c := centroids(x, e)
	intra := make([]float64, k)
	for i, l := range e.lab {
		intra[l] += math.Sqrt(num.SqDist(x[i*d:i*d+d], c[l*d:l*d+d]))
	}
	for l := range intra {
		intra[l] /= float64(e.size[l])
	}
	cd := make([]float64, k*k)
	for a := 0; a < k; a++ {
		for b := 0; b < k; b++ {
			cd[a*k+b] = math.Sqrt(num.SqDist(c[a*d:a*d+d], c[b*d:b*d+d]))
		}
	}
	// numpy.allclose(v, 0): |v| <= 1e-8 (atol) for every element, in the
	// input's units (v is in e.x's).
	allZero := func(v []float64) bool {
		for _, t := range v {
			if math.Abs(t) > 1e-8*e.scale {
				return false
			}
		}
		return true
	}
	if allZero(intra) || allZero(cd) {
		return 0, nil
	}
	total := 0.0
	for a := 0; a < k; a++ {
		best := 0.0
		for b := 0; b < k; b++ {
			dist := cd[a*k+b]
			if dist == 0 {
				continue // scikit-learn sets it to inf: the ratio is 0
			}
			if r := (intra[a] + intra[b]) / dist; r > best {
				best = r
			}
		}
		total += best
	}
	return total / float64(k), nil
}

// CalinskiHarabasz returns scikit-learn's calinski_harabasz_score (variance
// ratio criterion):
//
//	B  = Σ_c n_c ||μ_c − μ||²,  W = Σ_i ||x_i − μ_label(i)||²
//	CH = B (n − k) / (W (k − 1)),  or 1 when W = 0
//
// Higher is better. It needs 2 <= k <= n-1 distinct labels.
func CalinskiHarabasz(x []float64, d int, labels []int) (float64, error) {
	e, err := encode(x, d, labels)
	if err != nil {
		return 0, err
	}
	x = e.x
	if err := checkLabelCount(e.k, e.n); err != nil {
		return 0, err
	}
	c := centroids(x, e)
	mean := make([]float64, d)
	for i := 0; i < e.n; i++ {
		for j := 0; j < d; j++ {
			mean[j] += x[i*d+j]
		}
	}
	for j := range mean {
		mean[j] /= float64(e.n)
	}
	extra, intra := 0.0, 0.0
	for l := 0; l < e.k; l++ {
		extra += float64(e.size[l]) * num.SqDist(c[l*d:l*d+d], mean)
	}
	for i, l := range e.lab {
		intra += num.SqDist(x[i*d:i*d+d], c[l*d:l*d+d])
	}
	if intra == 0 {
		return 1, nil
	}
	return extra * float64(e.n-e.k) / (intra * float64(e.k-1)), nil
}
