package tree

import "math"

// The split rules udf/forest shares with Train: the forest grows its own
// CART trees (bootstrap weights, a random feature subset per split) and
// stores them as Nodes, so it must cut numeric features exactly where
// Train would.

// FeatureThreshold is the distance under which two numeric values are one
// value (scikit-learn's FEATURE_THRESHOLD).
const FeatureThreshold = featureThreshold

// Midpoint returns the threshold of a cut between the consecutive sorted
// values lo < hi: a/2 + b/2, or lo when rounding lands it on hi or
// overflows (as scikit-learn).
func Midpoint(lo, hi float64) float64 {
	t := lo/2 + hi/2
	if t == hi || math.IsInf(t, 0) {
		return lo
	}
	return t
}
