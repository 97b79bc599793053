package kmeans

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"github.com/custseg/custseg/udf/drift"
	"github.com/custseg/custseg/udf/internal/num"
)

// Kind is the "kind" of a k-means model in the registry.
const Kind = "kmeans"

// Scaler maps a transformed feature t to (t − Center) / Scale.
type Scaler struct {
	// Method is ScaleStandard (mean and population standard deviation, as
	// scikit-learn's StandardScaler), ScaleRobust (median and interquartile
	// range, as RobustScaler) or ScaleNone (0 and 1).
	Method string    `json:"method"`
	Center []float64 `json:"center"`
	Scale  []float64 `json:"scale"`
}

// KRow is one row of a k-selection table.
type KRow struct {
	K          int     `json:"k"`
	Inertia    float64 `json:"inertia"`
	Silhouette float64 `json:"silhouette"`
	// SilhouetteSE is the standard error of Silhouette when it was computed
	// on a sample (0 when exact over all rows).
	SilhouetteSE float64 `json:"silhouette_se,omitempty"`
	// SilhouetteSimplified is MADlib's centroid-based silhouette over all rows.
	SilhouetteSimplified float64 `json:"silhouette_simplified"`
	DaviesBouldin        float64 `json:"davies_bouldin"`
	CalinskiHarabasz     float64 `json:"calinski_harabasz"`
	// Elbow is kneedle's difference curve at k (see AutoK): the elbow is
	// its largest value.
	Elbow float64 `json:"elbow"`
	// Picks are the methods (KByElbow, KBySilhouette) that chose this k.
	Picks []string `json:"picks,omitempty"`
}

// Model is a stored k-means segmentation: how to turn a customer's raw
// features into scaled coordinates, the centroids, and what the training
// looked like. Its JSON form is what custseg_models stores.
type Model struct {
	Kind      string   `json:"kind"` // always "kmeans"
	Features  []string `json:"features"`
	Transform string   `json:"transform"` // TransformLog1p or TransformNone, applied to every feature
	Scaler    Scaler   `json:"scaler"`
	K         int      `json:"k"`
	Seed      int64    `json:"seed"`
	NInit     int      `json:"n_init"`
	// Centroids are in scaled units (what distances are measured in);
	// CentroidsOriginal map them back through the inverse scaling and
	// transform (expm1 for log1p), for reading.
	Centroids         [][]float64 `json:"centroids"`
	CentroidsOriginal [][]float64 `json:"centroids_original,omitempty"`
	SegmentNames      []string    `json:"segment_names"`
	// SegmentNameSources say where each name comes from: NameStandard,
	// NameProfile or NameUser (see NameSegments).
	SegmentNameSources []string `json:"segment_name_sources,omitempty"`
	SegmentSizes       []int    `json:"segment_sizes,omitempty"`
	// Metrics: inertia, silhouette, davies_bouldin, calinski_harabasz (a
	// metric undefined for the model, e.g. silhouette with k = 1, is absent).
	Metrics map[string]float64 `json:"metrics"`
	// SilhouetteMethod says how Metrics["silhouette"] was computed:
	// SilhouetteExact (over every training row, what segment_silhouette
	// returns over them) or SilhouetteSampled (on SilhouetteSampleSize rows,
	// with standard error Metrics["silhouette_se"]). Empty in specs written
	// before it existed.
	SilhouetteMethod     string `json:"silhouette_method,omitempty"`
	SilhouetteSampleSize int    `json:"silhouette_sample_size,omitempty"`
	TrainingRows         int    `json:"training_rows"`
	Fingerprint          string `json:"fingerprint"`
	KSelection           []KRow `json:"k_selection,omitempty"`
	// DriftBins are the training population of each feature (raw units,
	// quantile bins with their proportions), one per feature in order, so a
	// drift check needs no old rows (see udf/drift and custseg drift).
	DriftBins        []drift.Bins `json:"drift_bins,omitempty"`
	KSelectionReason string       `json:"k_selection_reason,omitempty"`
	// KSelectionMethod is the method that decided k under --k auto:
	// KByElbow, KBySilhouette, or both joined by "+" when they agree.
	KSelectionMethod string `json:"k_selection_method,omitempty"`

	flat []float64 // k×d scaled centroids, row-major
}

// The values of Model.SilhouetteMethod.
const (
	SilhouetteExact   = "exact"
	SilhouetteSampled = "sampled"
)

// SilhouetteText renders the stored silhouette with how it was computed,
// the one wording train, models show and the report print:
// "0.4222 (exact)", "0.4222 (sampled, n = 60000, ± 0.0012)", or "n/a".
func (m *Model) SilhouetteText() string {
	v, ok := m.Metrics["silhouette"]
	if !ok || math.IsNaN(v) {
		return "n/a"
	}
	s := strconv.FormatFloat(v, 'f', 4, 64)
	switch {
	case m.SilhouetteMethod == SilhouetteSampled:
		return fmt.Sprintf("%s (sampled, n = %d, ± %.4f)", s, m.SilhouetteSampleSize, m.Metrics["silhouette_se"])
	case m.SilhouetteMethod == SilhouetteExact:
		return s + " (exact)"
	}
	return s
}

// maxStackFeatures is the number of features Assign handles without
// allocating (its scratch vector lives on the stack).
const maxStackFeatures = 32

// ParseModel decodes and validates a model's JSON spec.
func ParseModel(spec string) (*Model, error) {
	var m Model
	if err := json.Unmarshal([]byte(spec), &m); err != nil {
		return nil, fmt.Errorf("kmeans model: %v", err)
	}
	if err := m.init(); err != nil {
		return nil, err
	}
	return &m, nil
}

// init validates m and builds its flat centroid array.
func (m *Model) init() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("kmeans model: "+format, a...)
	}
	if m.Kind != Kind {
		return bad("kind is %q, want %q", m.Kind, Kind)
	}
	d := len(m.Features)
	if d == 0 {
		return bad("no features")
	}
	// Specs written before these fields existed leave them empty: no
	// transform, no scaling.
	if m.Transform == "" {
		m.Transform = TransformNone
	}
	if err := CheckTransform(m.Transform); err != nil {
		return bad("%v", err)
	}
	if m.Scaler.Method == "" {
		m.Scaler.Method = ScaleNone
	}
	if err := CheckScale(m.Scaler.Method); err != nil {
		return bad("%v", err)
	}
	if m.Scaler.Method == ScaleNone && len(m.Scaler.Center) == 0 && len(m.Scaler.Scale) == 0 {
		m.Scaler = identity(d)
	}
	if len(m.Scaler.Center) != d || len(m.Scaler.Scale) != d {
		return bad("scaler has %d centers and %d scales for %d features", len(m.Scaler.Center), len(m.Scaler.Scale), d)
	}
	for j := 0; j < d; j++ {
		c, s := m.Scaler.Center[j], m.Scaler.Scale[j]
		if !num.Finite(c) || !num.Finite(s) || s == 0 {
			return bad("feature %q: scaler center %v, scale %v (need finite numbers, scale not 0)", m.Features[j], c, s)
		}
	}
	if m.K < 1 {
		return bad("k = %d, need at least 1", m.K)
	}
	if len(m.Centroids) != m.K {
		return bad("%d centroids for k = %d", len(m.Centroids), m.K)
	}
	m.flat = make([]float64, 0, m.K*d)
	for c, row := range m.Centroids {
		if len(row) != d {
			return bad("centroid %d has %d coordinates for %d features", c, len(row), d)
		}
		for j, v := range row {
			if !num.Finite(v) {
				return bad("centroid %d coordinate %d is not finite", c, j)
			}
		}
		m.flat = append(m.flat, row...)
	}
	if m.CentroidsOriginal != nil && len(m.CentroidsOriginal) != m.K {
		return bad("%d original-unit centroids for k = %d", len(m.CentroidsOriginal), m.K)
	}
	if len(m.SegmentNames) == 0 {
		m.SegmentNames = genericNames(m.K)
	} else if len(m.SegmentNames) != m.K {
		return bad("%d segment names for k = %d", len(m.SegmentNames), m.K)
	}
	if m.SegmentNameSources != nil && len(m.SegmentNameSources) != m.K {
		return bad("%d segment name sources for k = %d", len(m.SegmentNameSources), m.K)
	}
	if m.SegmentSizes != nil && len(m.SegmentSizes) != m.K {
		return bad("%d segment sizes for k = %d", len(m.SegmentSizes), m.K)
	}
	return nil
}

// identity is the scaling of ScaleNone for d features: center 0, scale 1.
func identity(d int) Scaler {
	s := Scaler{Method: ScaleNone, Center: make([]float64, d), Scale: make([]float64, d)}
	for j := range s.Scale {
		s.Scale[j] = 1
	}
	return s
}

// D is the number of features.
func (m *Model) D() int { return len(m.Features) }

// JSON returns the model's spec.
func (m *Model) JSON() (string, error) {
	b, err := json.Marshal(m)
	return string(b), err
}

// scaleInto writes the scaled coordinates of raw feature vector x into z:
// z_j = (t(x_j) − center_j) / scale_j with t = log1p or the identity. Train
// uses it too, so Assign reproduces training assignments bit for bit.
func (m *Model) scaleInto(z, x []float64) error {
	z = z[:len(x)]
	log := m.Transform == TransformLog1p
	for j, v := range x {
		if !num.Finite(v) {
			return fmt.Errorf("feature %q is not a finite number (%v)", m.Features[j], v)
		}
		if log {
			if v <= -1 {
				return fmt.Errorf("feature %q = %v: log1p needs values above -1", m.Features[j], v)
			}
			v = math.Log1p(v)
		}
		z[j] = (v - m.Scaler.Center[j]) / m.Scaler.Scale[j]
		if !num.Finite(z[j]) {
			return fmt.Errorf("feature %q = %v is out of range for the model: its scaled coordinate overflows", m.Features[j], x[j])
		}
	}
	return nil
}

// Assign returns the segment of raw feature vector x (len D(), in the order
// of Features): the transform and scaling are applied, then the nearest
// centroid wins (ties → lowest id, as argmin). distance is the Euclidean
// distance to that centroid in scaled units; it is +Inf only when the true
// distance exceeds the float64 range (the segment is right even then: see
// nearest). It does not allocate for up to maxStackFeatures features and is
// safe for concurrent use.
func (m *Model) Assign(x []float64) (segment int, distance float64, err error) {
	d := len(m.Features)
	var buf [maxStackFeatures]float64
	var z []float64
	if d <= maxStackFeatures {
		z = buf[:d]
	} else {
		z = make([]float64, d)
	}
	return m.AssignInto(z, x)
}

// AssignInto is Assign that also leaves x's scaled coordinates in z (len
// D()), for callers that measure in the model's space (segment_silhouette).
func (m *Model) AssignInto(z, x []float64) (segment int, distance float64, err error) {
	d := len(m.Features)
	if len(x) != d {
		return 0, 0, fmt.Errorf("%d values for a model of %d features", len(x), d)
	}
	if err := m.scaleInto(z, x); err != nil {
		return 0, 0, err
	}
	seg, dist := nearest(z[:d], m.flat, d)
	return seg, dist, nil
}

// nearest returns the row of centers (k×d) closest to z and its Euclidean
// distance; ties go to the lowest index. Squared distances of coordinates
// beyond about 1e154 overflow to +Inf and would all compare equal, so when
// one does, every centre is compared again on coordinates times a power of
// two (exact: the order is the true one) and the distance scaled back,
// +Inf only if it truly exceeds the float64 range.
func nearest(z, centers []float64, d int) (int, float64) {
	best, bv := 0, math.Inf(1)
	overflow := false
	for c := 0; c*d < len(centers); c++ {
		v := num.SqDist(z, centers[c*d:c*d+d])
		if v < bv {
			best, bv = c, v
		}
		overflow = overflow || math.IsInf(v, 1)
	}
	if !overflow {
		return best, math.Sqrt(bv)
	}
	s := num.PowerScale(math.Max(num.MaxAbs(z), num.MaxAbs(centers)))
	best, bv = 0, math.Inf(1)
	for c := 0; c*d < len(centers); c++ {
		if v := num.ScaledSqDist(z, centers[c*d:c*d+d], s); v < bv {
			best, bv = c, v
		}
	}
	return best, math.Sqrt(bv) / s
}

func genericNames(k int) []string {
	names := make([]string, k)
	for i := range names {
		names[i] = fmt.Sprintf("Segment %d", i+1)
	}
	return names
}
