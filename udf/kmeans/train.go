package kmeans

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"

	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/internal/num"
	"gonum.org/v1/gonum/stat"
)

// TrainOptions tune Train and AutoK. Zero values select the defaults.
type TrainOptions struct {
	K         int    // clusters (Train only)
	Transform string // one of Transforms, default DefaultTransform
	Scaler    string // one of Scalings, default DefaultScale
	Seed      int64
	NInit     int     // see Options
	MaxIter   int     // see Options
	Tol       float64 // see Options
	// SampleSize bounds the rows the exact silhouette is computed on
	// (O(s²) pairs); larger trainings use a fixed-seed uniform sample of
	// that many rows. Default DefaultSampleSize; negative means always all
	// rows.
	SampleSize int
	// Progress, if set, is called by AutoK after each k with its table row.
	Progress func(KRow)
}

func (o *TrainOptions) defaults() {
	if o.Transform == "" {
		o.Transform = DefaultTransform
	}
	if o.Scaler == "" {
		o.Scaler = DefaultScale
	}
	if o.NInit <= 0 {
		o.NInit = DefaultNInit
	}
	if o.SampleSize == 0 {
		o.SampleSize = DefaultSampleSize
	}
}

// prepared is training data after transform and scaling.
type prepared struct {
	m *Model    // features, transform and scaler filled in
	z []float64 // n×d scaled
	n int
}

// prepare transforms and scales rows (n×len(features)) and fits the scaler.
func prepare(rows []float64, n int, features []string, o TrainOptions) (*prepared, error) {
	d := len(features)
	switch {
	case d == 0:
		return nil, errors.New("kmeans: no features")
	case n < 1:
		return nil, errors.New("kmeans: no rows to train on")
	case len(rows) != n*d:
		return nil, fmt.Errorf("kmeans: %d values do not make %d rows of %d features", len(rows), n, d)
	}
	m := &Model{Kind: Kind, Features: append([]string(nil), features...), Transform: o.Transform}
	if err := CheckTransform(o.Transform); err != nil {
		return nil, fmt.Errorf("kmeans: %w", err)
	}
	if err := CheckScale(o.Scaler); err != nil {
		return nil, fmt.Errorf("kmeans: %w", err)
	}
	// Transformed values, column-major, for the scaler statistics: scaleInto
	// with the identity scaling checks and transforms as Assign will.
	ident := &Model{Features: m.Features, Transform: o.Transform, Scaler: identity(d)}
	t := make([]float64, n*d)
	row := make([]float64, d)
	for i := 0; i < n; i++ {
		if err := ident.scaleInto(row, rows[i*d:i*d+d]); err != nil {
			return nil, fmt.Errorf("kmeans: row %d: %v", i, err)
		}
		for j, v := range row {
			t[j*n+i] = v
		}
	}
	center, scale := make([]float64, d), make([]float64, d)
	for j := 0; j < d; j++ {
		col := t[j*n : j*n+n]
		switch o.Scaler {
		case ScaleStandard:
			center[j], scale[j] = stat.PopMeanStdDev(col, nil)
		case ScaleRobust:
			center[j], scale[j] = medianIQR(col)
		default: // ScaleNone
			center[j], scale[j] = 0, 1
		}
		// A constant feature keeps scale 1, as scikit-learn's _handle_zeros_in_scale.
		if scale[j] < 10*0x1p-52 {
			scale[j] = 1
		}
	}
	m.Scaler = Scaler{Method: o.Scaler, Center: center, Scale: scale}
	z := make([]float64, n*d)
	for i := 0; i < n; i++ {
		if err := m.scaleInto(z[i*d:i*d+d], rows[i*d:i*d+d]); err != nil {
			return nil, fmt.Errorf("kmeans: row %d: %v", i, err)
		}
	}
	return &prepared{m: m, z: z, n: n}, nil
}

// medianIQR returns the median and q75 − q25, type-7 quantiles (numpy's
// default "linear", used by RobustScaler).
func medianIQR(v []float64) (float64, float64) {
	s := slices.Clone(v)
	slices.Sort(s)
	return num.Quantile7(s, 0.5), num.Quantile7(s, 0.75) - num.Quantile7(s, 0.25)
}

// Train builds a Model from n raw rows (row-major, n×len(features)):
// transform → scale → Fit → metrics (inertia, Davies-Bouldin and
// Calinski-Harabasz on all rows; the exact silhouette over all rows when
// there are at most SampleSize, else on a sample of SampleSize rows, as
// Model.SilhouetteMethod records) → segment names. Data whose inertia
// exceeds the float64 range is refused with an error naming its magnitude.
func Train(rows []float64, n int, features []string, opts TrainOptions) (*Model, error) {
	if opts.K < MinK {
		return nil, fmt.Errorf("kmeans: k = %d: need at least %d segments (one segment is no segmentation)", opts.K, MinK)
	}
	opts.defaults()
	p, err := prepare(rows, n, features, opts)
	if err != nil {
		return nil, err
	}
	m, err := p.train(opts.K, opts)
	if err != nil {
		return nil, err
	}
	m.Fingerprint = fingerprint(rows, features, opts)
	return m, nil
}

func (p *prepared) train(k int, opts TrainOptions) (*Model, error) {
	d := len(p.m.Features)
	r, err := Fit(p.z, p.n, d, k, Options{NInit: opts.NInit, Seed: opts.Seed, MaxIter: opts.MaxIter, Tol: opts.Tol})
	if err != nil {
		return nil, err
	}
	m := *p.m
	m.K, m.Seed, m.NInit, m.TrainingRows = k, opts.Seed, opts.NInit, p.n
	m.Centroids = make([][]float64, k)
	m.CentroidsOriginal = make([][]float64, k)
	for c := 0; c < k; c++ {
		m.Centroids[c] = append([]float64(nil), r.Centroids[c*d:c*d+d]...)
		orig := make([]float64, d)
		for j := range orig {
			v := r.Centroids[c*d+j]*m.Scaler.Scale[j] + m.Scaler.Center[j]
			if m.Transform == TransformLog1p {
				v = math.Expm1(v)
			}
			orig[j] = v
		}
		m.CentroidsOriginal[c] = orig
	}
	m.SegmentSizes = make([]int, k)
	for _, l := range r.Labels {
		m.SegmentSizes[l]++
	}
	if math.IsInf(r.Inertia, 1) {
		// A model's metrics are stored as JSON numbers, which have no
		// infinity: refuse rather than store a wrong or unreadable value.
		return nil, fmt.Errorf("kmeans: the inertia exceeds the float64 range (scaled features reach %g): "+
			"use the %s or %s scaling, or the %s transform", num.MaxAbs(p.z), ScaleStandard, ScaleRobust, TransformLog1p)
	}
	m.Metrics = map[string]float64{"inertia": r.Inertia}
	if v, err := cluster.DaviesBouldin(p.z, d, r.Labels); err == nil {
		m.Metrics["davies_bouldin"] = v
	}
	if v, err := cluster.CalinskiHarabasz(p.z, d, r.Labels); err == nil {
		m.Metrics["calinski_harabasz"] = v
	}
	if v, err := cluster.SilhouetteSimplified(p.z, d, r.Labels); err == nil {
		m.Metrics["silhouette_simplified"] = v // all rows: O(n·k)
	}
	if opts.SampleSize > 0 && p.n > opts.SampleSize {
		// The exact silhouette is O(s²): on a fixed-seed uniform sample of s
		// rows, with the standard error of its mean,
		//   SE = sd(s_i) / √s · √(1 − s/n)   (finite-population correction).
		sx, sl := Sample(p.z, r.Labels, d, opts.SampleSize, opts.Seed)
		if si, err := cluster.SilhouetteSamples(sx, d, sl); err == nil {
			mean, sd := stat.MeanStdDev(si, nil)
			m.Metrics["silhouette"] = mean
			m.Metrics["silhouette_se"] = sd / math.Sqrt(float64(len(si))) * math.Sqrt(1-float64(len(si))/float64(p.n))
			m.SilhouetteSampleSize = len(sl)
			m.SilhouetteMethod = SilhouetteSampled
		}
	} else if v, err := cluster.Silhouette(p.z, d, r.Labels); err == nil {
		m.Metrics["silhouette"] = v
		m.SilhouetteSampleSize = len(r.Labels)
		m.SilhouetteMethod = SilhouetteExact
	}
	if err := m.init(); err != nil {
		return nil, err
	}
	m.SegmentNames, m.SegmentNameSources = nameSegments(&m)
	return &m, nil
}

// Sample draws s of the n rows uniformly without replacement (partial
// Fisher-Yates on a fixed-seed stream), keeping their original order.
// Train computes the exact silhouette on Sample(z, labels, d, SampleSize,
// Seed); bench/ redraws it with other seeds to measure the sampling spread.
func Sample(z []float64, labels []int, d, s int, seed int64) ([]float64, []int) {
	n := len(labels)
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x5111_4077e))
	for i := 0; i < s; i++ {
		j := i + rng.IntN(n-i)
		idx[i], idx[j] = idx[j], idx[i]
	}
	idx = idx[:s]
	sort.Ints(idx)
	sx := make([]float64, 0, s*d)
	sl := make([]int, 0, s)
	for _, i := range idx {
		sx = append(sx, z[i*d:i*d+d]...)
		sl = append(sl, labels[i])
	}
	return sx, sl
}

// fingerprint identifies the training input: a SHA-256 over the feature
// names, options and every raw value, shortened to 16 hex digits.
func fingerprint(rows []float64, features []string, o TrainOptions) string {
	h := sha256.New()
	fmt.Fprintf(h, "%q|%s|%s|%d|", features, o.Transform, o.Scaler, len(rows))
	var b [8]byte
	for _, v := range rows {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(v))
		h.Write(b[:])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))[:16]
}
