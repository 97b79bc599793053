package kmeans

import (
	"fmt"
	"math"
	"strings"

	"github.com/custseg/custseg/udf/rfm"
	"gonum.org/v1/gonum/stat/distuv"
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

// Where a segment's name comes from (Model.SegmentNameSources).
const (
	NameStandard = "standard" // a segment of rfm.DefaultRules whose R, F, M ranges the centroid agrees with
	NameProfile  = "profile"  // words for the centroid's own levels (see profileName)
	NameGeneric  = "generic"  // "Segment i": the features are not recency, frequency and spend
	NameUser     = "user"     // given with custseg models rename
)

// NameTolerance widens each score range of a standard name's definition,
// in standardized centroid units (see levelBounds): a centroid whose
// profile lies outside the widened ranges does not get the name. A
// quarter of a standard deviation is half the width of the middle quintile
// band, so a centroid on the border of two bands may take either name.
const NameTolerance = 0.25

// levelBounds are the standard normal's 20, 40, 60 and 80 % quantiles. A
// centroid's standardized profile (see standardized) reads on this scale
// like a quintile score: between levelBounds[s-2] and levelBounds[s-1] is
// score s; recency is negated so that recent means high, as in RFM scores.
var levelBounds = func() (b [4]float64) {
	for i := range b {
		b[i] = distuv.UnitNormal.Quantile(float64(i+1) / 5)
	}
	return b
}()

// scoreInterval is the standardized interval of score range r.
func scoreInterval(r rfm.Range) (lo, hi float64) {
	if r == (rfm.Range{}) {
		r = rfm.Any // a missing range means any score
	}
	lo, hi = math.Inf(-1), math.Inf(1)
	if r[0] > 1 {
		lo = levelBounds[r[0]-2]
	}
	if r[1] < 5 {
		hi = levelBounds[r[1]-1]
	}
	return lo, hi
}

// fitsRule reports whether a standard rule's R, F and M ranges agree,
// within NameTolerance, with levels (a centroid's standardized recency
// level, recent high, then frequency and spend; NaN for a feature the model
// does not have), and how far they are outside the ranges: the sum of
// squared distances, 0 when levels lie within all of them, +Inf when the
// rule does not fit.
func fitsRule(rule rfm.Rule, levels [3]float64) (bool, float64) {
	cost := 0.0
	for i, r := range []rfm.Range{rule.R, rule.F, rule.M} {
		v := levels[i]
		if math.IsNaN(v) {
			continue
		}
		lo, hi := scoreInterval(r)
		switch {
		case v < lo-NameTolerance || v > hi+NameTolerance:
			return false, math.Inf(1)
		case v < lo:
			cost += (lo - v) * (lo - v)
		case v > hi:
			cost += (v - hi) * (v - hi)
		}
	}
	return true, cost
}

// oneTimeFrequency: a segment whose centroid buys fewer times than this
// (original units) is a one-time segment.
const oneTimeFrequency = 1.5

// Level words of profile names: a standardized level below the 40 %
// quantile is low, above the 60 % one high, between them middling.
const (
	levelLow = iota - 1
	levelMid
	levelHigh
)

// level returns levelLow, levelMid or levelHigh for a standardized level.
func level(v float64) int {
	switch {
	case v < levelBounds[1]:
		return levelLow
	case v > levelBounds[2]:
		return levelHigh
	}
	return levelMid
}

// profileName names a centroid from its levels (see fitsRule) when no
// standard name fits, with this grammar:
//
//	[Recent | Lapsed] [frequent | infrequent | one-time] [big | average | low] spenders
//
// recency high → Recent, low → Lapsed, middling → no word; frequency
// high → frequent, low → infrequent, or one-time when the centroid's
// frequency is below oneTimeFrequency; spend high → big, middling →
// average, low → low. Without a spend feature the noun is "customers" and
// "Average customers" names an all-middling centroid.
func profileName(levels [3]float64, frequency float64) string {
	var w []string
	switch level(levels[0]) {
	case levelHigh:
		w = append(w, "recent")
	case levelLow:
		w = append(w, "lapsed")
	}
	if !math.IsNaN(levels[1]) {
		switch level(levels[1]) {
		case levelHigh:
			w = append(w, "frequent")
		case levelLow:
			if frequency < oneTimeFrequency {
				w = append(w, "one-time")
			} else {
				w = append(w, "infrequent")
			}
		}
	}
	noun := "customers"
	if !math.IsNaN(levels[2]) {
		noun = "spenders"
		w = append(w, [...]string{"low", "average", "big"}[level(levels[2])+1])
	} else if len(w) == 0 {
		w = append(w, "average")
	}
	name := strings.Join(append(w, noun), " ")
	return strings.ToUpper(name[:1]) + name[1:]
}

// NameSegments returns one readable, distinct name per centroid (see
// nameSegments).
func NameSegments(m *Model) []string {
	names, _ := nameSegments(m)
	return names
}

// nameSegments names the centroids and says where each name comes from.
// When the model has a recency feature and a frequency or spend one, each
// centroid's levels relative to the other centroids (standardized
// profiles, recency negated) are compared with the standard segments of
// rfm.DefaultRules, the README's table: a name is a candidate for a
// centroid only when the centroid's levels lie within its R, F and M
// ranges (widened by NameTolerance, see Fits). Names are assigned so that
// as many centroids as possible get a standard name, no name twice, and
// then the sum of squared distances to the names' centres is smallest (an
// optimal assignment, not a greedy one). The other centroids are named
// from their profile (profileName), numbered when two profile names
// coincide. Other models get "Segment 1".."Segment k".
func nameSegments(m *Model) (names, sources []string) {
	ri, fi, mi := rfmRoles(m.Features)
	names, sources = make([]string, m.K), make([]string, m.K)
	if ri < 0 || (fi < 0 && mi < 0) {
		for c := range sources {
			sources[c] = NameGeneric
		}
		return genericNames(m.K), sources
	}
	levels := centroidLevels(m)
	rules := rfm.DefaultRules()
	cost := make([][]float64, m.K)
	for c := range cost {
		cost[c] = make([]float64, len(rules))
		for p, rule := range rules {
			_, cost[c][p] = fitsRule(rule, levels[c])
		}
	}
	count := map[string]int{}
	for c, p := range bestAssignment(cost) {
		if p >= 0 {
			names[c], sources[c] = rules[p].Segment, NameStandard
			continue
		}
		freq := math.NaN()
		if fi >= 0 && c < len(m.CentroidsOriginal) {
			freq = m.CentroidsOriginal[c][fi]
		}
		base := profileName(levels[c], freq)
		names[c], sources[c] = base, NameProfile
		if count[base]++; count[base] > 1 {
			names[c] = fmt.Sprintf("%s %d", base, count[base])
		}
	}
	return names, sources
}

// centroidLevels returns each centroid's recency (negated: recent is high),
// frequency and spend levels relative to the other centroids: its
// standardized profile on the scale of levelBounds, NaN for a feature the
// model lacks, and the lowest frequency level for a segment whose
// frequency is below oneTimeFrequency. Names are checked against these
// levels.
func centroidLevels(m *Model) [][3]float64 {
	ri, fi, mi := rfmRoles(m.Features)
	z := standardized(m, profiles(m))
	out := make([][3]float64, m.K)
	for c := range out {
		for i, j := range [3]int{ri, fi, mi} {
			out[c][i] = math.NaN()
			if j >= 0 {
				out[c][i] = z[c][j]
			}
		}
		out[c][0] = -out[c][0]
		// Buying once is never "often", however many other segments buy
		// once too: a one-time segment has the lowest frequency level.
		if fi >= 0 && c < len(m.CentroidsOriginal) && m.CentroidsOriginal[c][fi] < oneTimeFrequency {
			out[c][1] = -profileClip
		}
	}
	return out
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

// bestAssignment returns, for cost[c][p] (+Inf where name p does not fit
// row c), a distinct column per row or -1 (no name): first as many rows
// named as possible, then the least sum of column indexes (earlier columns
// first), then the least total cost. Dynamic programming over
// the set of columns used by rows 0..c, O(k·2^P·P) with P columns (the ten
// standard names).
func bestAssignment(cost [][]float64) []int {
	k := len(cost)
	out := make([]int, k)
	if k == 0 {
		return out
	}
	p := len(cost[0])
	full := 1 << p
	type score struct {
		unnamed int
		cost    float64
		order   int
	}
	less := func(a, b score) bool {
		if a.unnamed != b.unnamed {
			return a.unnamed < b.unnamed
		}
		if a.order != b.order {
			return a.order < b.order
		}
		return a.cost < b.cost
	}
	worst := score{k + 1, 0, 0}
	// best[c][mask]: the best of rows 0..c-1 using exactly the columns in mask.
	best := make([][]score, k+1)
	from := make([][]int8, k+1)
	for c := range best {
		best[c] = make([]score, full)
		from[c] = make([]int8, full)
		for mask := range best[c] {
			best[c][mask] = worst
		}
	}
	best[0][0] = score{}
	for c := 0; c < k; c++ {
		for mask := 0; mask < full; mask++ {
			b := best[c][mask]
			if b == worst {
				continue
			}
			if v := (score{b.unnamed + 1, b.cost, b.order}); less(v, best[c+1][mask]) {
				best[c+1][mask], from[c+1][mask] = v, -1
			}
			for j := 0; j < p; j++ {
				if mask&(1<<j) != 0 || math.IsInf(cost[c][j], 1) {
					continue
				}
				next := mask | 1<<j
				if v := (score{b.unnamed, b.cost + cost[c][j], b.order + j}); less(v, best[c+1][next]) {
					best[c+1][next], from[c+1][next] = v, int8(j)
				}
			}
		}
	}
	bestMask := 0
	for mask := 0; mask < full; mask++ {
		if less(best[k][mask], best[k][bestMask]) {
			bestMask = mask
		}
	}
	for c, mask := k, bestMask; c > 0; c-- {
		j := int(from[c][mask])
		out[c-1] = j
		if j >= 0 {
			mask &^= 1 << j
		}
	}
	return out
}
