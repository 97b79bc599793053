package kmeans

import (
	"fmt"
	"math"
	"strings"
)

// rfmRoles finds the recency, frequency and monetary features by name
// (-1 when absent).
func rfmRoles(features []string) (r, f, m int) {
	r, f, m = -1, -1, -1
	for j, name := range features {
		s := strings.ToLower(name)
		switch {
		case r < 0 && (strings.Contains(s, "recency") || strings.Contains(s, "days_since")):
			r = j
		case f < 0 && (strings.Contains(s, "frequency") || strings.HasPrefix(s, "freq") || strings.Contains(s, "orders")):
			f = j
		case m < 0 && (strings.Contains(s, "monetary") || strings.Contains(s, "spend") ||
			strings.Contains(s, "revenue") || strings.Contains(s, "amount")):
			m = j
		}
	}
	return r, f, m
}

// profiles returns the centroids as z-score-like profiles. With the standard
// scaler the scaled coordinates already are z-scores. Otherwise they are
// centred on the size-weighted mean of the centroids (the training mean, for
// k-means), then multiplied by 1.349 for the robust scaler (IQR units to σ
// units for a normal) or, with no scaler, divided by the size-weighted
// spread of the centroids.
func profiles(m *Model) [][]float64 {
	d := len(m.Features)
	w := make([]float64, m.K)
	total := 0.0
	for c := range w {
		w[c] = 1
		if len(m.SegmentSizes) == m.K {
			w[c] = float64(m.SegmentSizes[c])
		}
		total += w[c]
	}
	out := make([][]float64, m.K)
	for c := range out {
		out[c] = make([]float64, d)
	}
	for j := 0; j < d; j++ {
		mean, sd := 0.0, 0.0
		for c, cen := range m.Centroids {
			mean += w[c] * cen[j]
		}
		mean /= total
		for c, cen := range m.Centroids {
			sd += w[c] * (cen[j] - mean) * (cen[j] - mean)
		}
		sd = math.Sqrt(sd / total)
		div := 1.0
		switch m.Scaler.Method {
		case ScaleStandard:
			mean = 0 // already z-scores: the training mean is 0
		case ScaleRobust:
			div = 1 / 1.349 // IQR units → σ units: IQR ≈ 1.349σ
		default:
			div = sd
		}
		for c, cen := range m.Centroids {
			if div > 0 {
				out[c][j] = (cen[j] - mean) / div
			}
		}
	}
	return out
}

// prototype is the typical profile of a named RFM segment, in centroid
// z-scores (see standardized; recency is "days since", so negative means
// recent).
type prototype struct {
	name    string
	r, f, m float64
}

// prototypes are the standard RFM segment names (those of the RFM rules,
// plus Big Spenders and Hibernating) placed where such customers sit.
var prototypes = []prototype{
	{"Champions", -1.0, 1.5, 1.5},
	{"Loyal Customers", -0.4, 0.9, 0.8},
	{"Big Spenders", -0.2, 0.2, 1.5},
	{"Potential Loyalist", -0.9, 0.3, 0.3},
	{"New Customers", -1.3, -0.9, -0.6},
	{"Promising", -0.6, -0.4, -0.3},
	{"Need Attention", 0.1, 0.1, 0.1},
	{"About To Sleep", 0.5, -0.5, -0.4},
	{"At Risk", 0.8, 0.6, 0.6},
	{"Can't Lose Them", 1.2, 1.4, 1.4},
	{"Hibernating", 0.8, -0.5, -0.5},
	{"Lost", 1.4, -0.9, -0.9},
}

// NameSegments returns one readable, distinct name per centroid. When the
// model has a recency feature and a frequency or monetary one, each
// centroid's profile (see standardized) is matched to the prototype
// profiles of the standard RFM segment names: all (centroid, prototype)
// pairs are taken in order of squared distance
//
//	D(c, p) = (r_c − r_p)² + (f_c − f_p)² + (m_c − m_p)²
//
// (over the features present), and the names are assigned so that the sum
// of D over all segments is smallest with no name used twice (an optimal
// assignment, not a greedy one: a greedy pass can leave the most extreme
// segment a leftover name). Beyond len(prototypes) segments, each takes
// its nearest name with a number. Other models get "Segment 1".."Segment k".
func NameSegments(m *Model) []string {
	ri, fi, mi := rfmRoles(m.Features)
	if ri < 0 || (fi < 0 && mi < 0) {
		return genericNames(m.K)
	}
	z := standardized(m, profiles(m))
	type pair struct {
		c, p int
		d    float64
	}
	var pairs []pair
	for c, cen := range z {
		for p, pr := range prototypes {
			d := (cen[ri] - pr.r) * (cen[ri] - pr.r)
			if fi >= 0 {
				d += (cen[fi] - pr.f) * (cen[fi] - pr.f)
			}
			if mi >= 0 {
				d += (cen[mi] - pr.m) * (cen[mi] - pr.m)
			}
			pairs = append(pairs, pair{c, p, d})
		}
	}
	names := make([]string, m.K)
	nearest := make([]int, m.K)
	cost := make([][]float64, m.K)
	for c := range cost {
		cost[c] = make([]float64, len(prototypes))
		nearest[c] = -1
	}
	for _, pr := range pairs {
		cost[pr.c][pr.p] = pr.d
		if nearest[pr.c] < 0 || pr.d < cost[pr.c][nearest[pr.c]] {
			nearest[pr.c] = pr.p
		}
	}
	if m.K <= len(prototypes) {
		for c, p := range bestAssignment(cost) {
			names[c] = prototypes[p].name
		}
	}
	// More segments than prototypes: the rest take their nearest name with
	// a number.
	count := map[string]int{}
	for _, n := range names {
		count[n]++
	}
	for c := range names {
		if names[c] == "" {
			base := prototypes[nearest[c]].name
			count[base]++
			names[c] = fmt.Sprintf("%s %d", base, count[base])
		}
	}
	return names
}

// standardized re-centres and re-scales each feature of the centroid
// profiles so that, weighted by segment size, their mean is 0 and their
// spread 1, clipped to ±profileClip. Names then depend on how segments
// differ from one another, not on the scaler the model was trained with.
func standardized(m *Model, z [][]float64) [][]float64 {
	if len(z) == 0 {
		return z
	}
	d := len(z[0])
	w := make([]float64, len(z))
	total := 0.0
	for c := range w {
		w[c] = 1
		if len(m.SegmentSizes) == len(z) {
			w[c] = float64(m.SegmentSizes[c])
		}
		total += w[c]
	}
	out := make([][]float64, len(z))
	for c := range out {
		out[c] = make([]float64, d)
	}
	for j := 0; j < d; j++ {
		mean, sd := 0.0, 0.0
		for c := range z {
			mean += w[c] * z[c][j]
		}
		mean /= total
		for c := range z {
			sd += w[c] * (z[c][j] - mean) * (z[c][j] - mean)
		}
		sd = math.Sqrt(sd / total)
		for c := range z {
			if sd > 0 {
				out[c][j] = math.Max(-profileClip, math.Min(profileClip, (z[c][j]-mean)/sd))
			}
		}
	}
	return out
}

// profileClip bounds standardized profiles: a segment far above the others
// is "high", however far, so one outlying segment does not push its
// neighbours onto the names meant for it.
const profileClip = 1.5

// bestAssignment returns, for cost[c][p] (c < len(prototypes) rows), the
// distinct column of each row minimising the total cost: dynamic
// programming over the set of columns used by rows 0..c, O(k·2^P·P) with
// P = len(prototypes).
func bestAssignment(cost [][]float64) []int {
	k, p := len(cost), len(cost[0])
	full := 1 << p
	inf := math.Inf(1)
	// best[c][mask]: least cost of rows 0..c-1 using exactly the columns in mask.
	best := make([][]float64, k+1)
	from := make([][]int8, k+1)
	for c := range best {
		best[c] = make([]float64, full)
		from[c] = make([]int8, full)
		for mask := range best[c] {
			best[c][mask] = inf
		}
	}
	best[0][0] = 0
	for c := 0; c < k; c++ {
		for mask := 0; mask < full; mask++ {
			if best[c][mask] == inf {
				continue
			}
			for j := 0; j < p; j++ {
				if mask&(1<<j) != 0 {
					continue
				}
				next := mask | 1<<j
				if v := best[c][mask] + cost[c][j]; v < best[c+1][next] {
					best[c+1][next], from[c+1][next] = v, int8(j)
				}
			}
		}
	}
	bestMask := -1
	for mask := 0; mask < full; mask++ {
		if best[k][mask] < inf && (bestMask < 0 || best[k][mask] < best[k][bestMask]) {
			bestMask = mask
		}
	}
	out := make([]int, k)
	for c, mask := k, bestMask; c > 0; c-- {
		j := int(from[c][mask])
		out[c-1] = j
		mask &^= 1 << j
	}
	return out
}
