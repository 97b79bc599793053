package pipeline

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/registry"
	custsql "github.com/custseg/custseg/sql"
	"github.com/custseg/custseg/udf/drift"
	"github.com/custseg/custseg/udf/kmeans"
)

// driftScratchTable holds features computed as of another date for a check.
const driftScratchTable = "custseg_drift_features"

// addBaseline stores, with a freshly trained model, what a later drift
// check compares against: quantile bins of every feature (raw units) and
// the mean distance of the training rows to their centroids.
func addBaseline(m *kmeans.Model, rows []float64, n int) error {
	d := len(m.Features)
	col := make([]float64, n)
	m.DriftBins = make([]drift.Bins, d)
	for j := 0; j < d; j++ {
		for i := 0; i < n; i++ {
			col[i] = rows[i*d+j]
		}
		b, err := drift.FitBins(col, 0)
		if err != nil {
			return fmt.Errorf("drift bins of %s: %w", m.Features[j], err)
		}
		b.Feature = m.Features[j]
		m.DriftBins[j] = b
	}
	_, mean, err := assignAll(m, rows, n)
	if err != nil {
		return err
	}
	if m.Metrics == nil {
		m.Metrics = map[string]float64{}
	}
	m.Metrics["mean_distance"] = mean
	return nil
}

// assignAll returns the segment sizes and the mean distance of rows to
// their nearest centroid.
func assignAll(m *kmeans.Model, rows []float64, n int) ([]int, float64, error) {
	d := len(m.Features)
	sizes := make([]int, m.K)
	sum := 0.0
	for i := 0; i < n; i++ {
		seg, dist, err := m.Assign(rows[i*d : (i+1)*d])
		if err != nil {
			return nil, 0, fmt.Errorf("row %d: %w", i+1, err)
		}
		sizes[seg]++
		sum += dist
	}
	if n == 0 {
		return sizes, math.NaN(), nil
	}
	return sizes, sum / float64(n), nil
}

// DriftOptions configures Drift.
type DriftOptions struct {
	Model string // name or name@version of a k-means model
	// AsOf, if set, computes the customers' features as of that time (with
	// Cleaning) instead of reading the current customer_features.
	AsOf      time.Time
	Cleaning  Cleaning
	Threshold float64 // PSI at which re-training is advised (default 0.2)
}

// SegmentShift compares a segment's share of customers now and at training.
type SegmentShift struct {
	Segment    int
	Name       string
	TrainShare float64
	NowShare   float64
}

// DriftResult is a drift check of one model.
type DriftResult struct {
	Version           registry.Version
	AsOf              string // as of when the current features were computed
	Rows              int
	Report            drift.Report // PSI per feature and the verdict
	Shares            []SegmentShift
	MaxShareShift     float64 // largest |now - train| share, in share units
	TrainMeanDistance float64
	NowMeanDistance   float64
}

// Drift compares the customers' features now (or as of a date) with the
// model's training snapshot: PSI per feature against the stored bins, the
// shift in segment shares, and the mean distance to the centroids.
func Drift(ctx context.Context, db *engine.DB, opts DriftOptions) (DriftResult, error) {
	v, m, err := loadKMeans(ctx, db, opts.Model)
	if err != nil {
		return DriftResult{}, err
	}
	if len(m.DriftBins) != len(m.Features) {
		return DriftResult{}, fmt.Errorf("drift: %s was stored without training bins (trained by an older custseg): re-train it", v.Ref())
	}
	table := "customer_features"
	asOf := ""
	if !opts.AsOf.IsZero() {
		s, err := Features(ctx, db, FeatureOptions{Cleaning: opts.Cleaning, AsOf: opts.AsOf, Table: driftScratchTable})
		if err != nil {
			return DriftResult{}, fmt.Errorf("drift: %w", err)
		}
		defer db.ExecContext(context.Background(), "DROP TABLE IF EXISTS "+custsql.Ident(driftScratchTable))
		table, asOf = driftScratchTable, s.AsOf
	} else {
		var a any
		if err := db.QueryRowContext(ctx, `SELECT max(as_of) FROM customer_features`).Scan(&a); err == nil {
			asOf = formatTime(a)
		}
	}
	rows, n, err := ReadRows(ctx, db, table, m.Features)
	if err != nil {
		return DriftResult{}, fmt.Errorf("drift: %w", err)
	}
	rep, err := drift.Check(m.DriftBins, rows, n, opts.Threshold)
	if err != nil {
		return DriftResult{}, err
	}
	sizes, mean, err := assignAll(m, rows, n)
	if err != nil {
		return DriftResult{}, fmt.Errorf("drift: %w", err)
	}
	res := DriftResult{Version: v, AsOf: asOf, Rows: n, Report: rep, NowMeanDistance: mean, TrainMeanDistance: math.NaN()}
	if md, ok := m.Metrics["mean_distance"]; ok {
		res.TrainMeanDistance = md
	}
	for i := 0; i < m.K; i++ {
		s := SegmentShift{Segment: i, NowShare: float64(sizes[i]) / float64(n)}
		if i < len(m.SegmentNames) {
			s.Name = m.SegmentNames[i]
		}
		if i < len(m.SegmentSizes) && m.TrainingRows > 0 {
			s.TrainShare = float64(m.SegmentSizes[i]) / float64(m.TrainingRows)
		}
		res.MaxShareShift = math.Max(res.MaxShareShift, math.Abs(s.NowShare-s.TrainShare))
		res.Shares = append(res.Shares, s)
	}
	return res, nil
}

// loadKMeans resolves a k-means model from the registry.
func loadKMeans(ctx context.Context, db *engine.DB, ref string) (registry.Version, *kmeans.Model, error) {
	v, err := registry.Get(ctx, db.DB, ref)
	if err != nil {
		return registry.Version{}, nil, err
	}
	if v.Kind != kmeans.Kind {
		return registry.Version{}, nil, fmt.Errorf("%s is a %s model, not a k-means segment model", v.Ref(), v.Kind)
	}
	m, err := kmeans.ParseModel(v.Spec)
	if err != nil {
		return registry.Version{}, nil, fmt.Errorf("model %s is corrupt: %w", v.Ref(), err)
	}
	return v, m, nil
}
