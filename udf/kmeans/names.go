package kmeans

import (
	"fmt"
	"math"
	"sort"
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
		case "standard":
			mean = 0 // already z-scores: the training mean is 0
		case "robust":
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

// NameSegments returns one readable, distinct name per centroid. When the
// model has a recency feature and a frequency or monetary one, names come
// from each centroid's profile (see profiles: z-scores for the standard
// scaler; recency is "days since", so low is good):
//
//	recent (r <= 0):  value v = mean(f, m) >= 0.5 → Champions, >= 0 → Loyal Customers,
//	                  else r < −0.5 and f < 0 → New Customers, else Promising
//	not recent:       v >= 0.5 → At Risk, v >= 0 → Need Attention,
//	                  else r >= 0.75 → Lost, else Hibernating
//
// Two centroids with the same name get a qualifier by value ("higher
// value" / "lower value", or a rank). Other models get "Segment 1".."Segment k".
func NameSegments(m *Model) []string {
	ri, fi, mi := rfmRoles(m.Features)
	if ri < 0 || (fi < 0 && mi < 0) {
		return genericNames(m.K)
	}
	z := profiles(m)
	names := make([]string, m.K)
	value := make([]float64, m.K)
	for c, cen := range z {
		r := cen[ri]
		var f, v float64
		switch {
		case fi >= 0 && mi >= 0:
			f, v = cen[fi], (cen[fi]+cen[mi])/2
		case fi >= 0:
			f, v = cen[fi], cen[fi]
		default:
			f, v = cen[mi], cen[mi]
		}
		value[c] = v
		switch {
		case r <= 0 && v >= 0.5:
			names[c] = "Champions"
		case r <= 0 && v >= 0:
			names[c] = "Loyal Customers"
		case r <= 0 && r < -0.5 && f < 0:
			names[c] = "New Customers"
		case r <= 0:
			names[c] = "Promising"
		case v >= 0.5:
			names[c] = "At Risk"
		case v >= 0:
			names[c] = "Need Attention"
		case r >= 0.75:
			names[c] = "Lost"
		default:
			names[c] = "Hibernating"
		}
	}
	groups := map[string][]int{}
	for c, n := range names {
		groups[n] = append(groups[n], c)
	}
	for base, ids := range groups {
		if len(ids) < 2 {
			continue
		}
		sort.SliceStable(ids, func(a, b int) bool { return value[ids[a]] > value[ids[b]] })
		for rank, c := range ids {
			switch {
			case len(ids) == 2 && rank == 0:
				names[c] = base + " (higher value)"
			case len(ids) == 2:
				names[c] = base + " (lower value)"
			default:
				names[c] = fmt.Sprintf("%s (value rank %d of %d)", base, rank+1, len(ids))
			}
		}
	}
	return names
}
