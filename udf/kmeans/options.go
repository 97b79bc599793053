package kmeans

import (
	"fmt"
	"slices"
	"strings"
)

// The transforms and scalings a segment model may use, and the training
// defaults: the one definition every command, the pipeline and the model
// parser share.
const (
	TransformLog1p = "log1p" // x -> ln(1 + x), applied to every feature
	TransformNone  = "none"

	ScaleStandard = "standard" // (x - mean) / population std, as scikit-learn's StandardScaler
	ScaleRobust   = "robust"   // (x - median) / IQR, as scikit-learn's RobustScaler
	ScaleNone     = "none"

	DefaultTransform = TransformLog1p
	DefaultScale     = ScaleStandard
	DefaultNInit     = 10   // restarts; the best inertia wins (scikit-learn's n_init)
	DefaultMaxIter   = 300  // Lloyd iterations per restart (scikit-learn's max_iter)
	DefaultTol       = 1e-4 // relative to the mean feature variance (scikit-learn's tol)
	DefaultSeed      = 0

	// DefaultSampleSize is the time budget of the stored silhouette, in
	// rows: Train computes it exactly over every row when there are at most
	// this many (n(n−1)/2 pairs: 1.8·10⁹ here, well under a second at the
	// kernel's measured pairs/s in docs/PERFORMANCE.md, a few seconds on
	// the portable kernel) and on a sample of this many rows otherwise (see
	// TrainOptions.SampleSize and Model.SilhouetteMethod).
	DefaultSampleSize = 60000

	// DefaultKMin and DefaultKMax bound automatic k (--k auto, see AutoK):
	// the segment counts a marketing plan uses. Two segments split the
	// customers into "better" and "worse", which a plan does not need k-means
	// for (and the silhouette of RFM data usually peaks there); past eight, a
	// team cannot run a distinct programme per segment and the segments get
	// small. --k-min and --k-max widen it. MinK is the smallest k any
	// training accepts: one segment is no segmentation.
	DefaultKMin = 3
	DefaultKMax = 8
	MinK        = 2

	// KSilhouetteTolerance is how far below the highest silhouette the
	// elbow's k may be and still be chosen (AutoK's rule): 1 % of the
	// silhouette's −1..1 range, small beside the 0.25-wide bands silhouettes
	// are read in (Kaufman and Rousseeuw 1990).
	KSilhouetteTolerance = 0.02
)

// Transforms and Scalings list the accepted values, in the order help texts
// name them.
var (
	Transforms = []string{TransformLog1p, TransformNone}
	Scalings   = []string{ScaleStandard, ScaleRobust, ScaleNone}
)

// CheckTransform returns an error naming the accepted transforms unless t is
// one of them.
func CheckTransform(t string) error { return checkOneOf("transform", t, Transforms) }

// CheckScale returns an error naming the accepted scalings unless s is one
// of them.
func CheckScale(s string) error { return checkOneOf("scaling", s, Scalings) }

func checkOneOf(what, v string, valid []string) error {
	if slices.Contains(valid, v) {
		return nil
	}
	return fmt.Errorf("%s %q: use %s", what, v, orList(valid))
}

// orList renders ["a","b","c"] as "a, b or c".
func orList(vs []string) string {
	if len(vs) < 2 {
		return strings.Join(vs, "")
	}
	return strings.Join(vs[:len(vs)-1], ", ") + " or " + vs[len(vs)-1]
}
