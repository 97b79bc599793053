package pipeline

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/report"
	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/kmeans"
)

// ReportSilhouetteSample bounds the customers whose silhouette is drawn:
// the exact coefficient is O(n²), and a few thousand bars already show the
// shape of every segment.
const ReportSilhouetteSample = 4000

// ReportInput gathers what the visual report draws, from the prepared
// tables (scoring with ref first if they do not follow it) and the model.
func ReportInput(ctx context.Context, db *engine.DB, ref string) (report.Input, error) {
	v, m, err := loadKMeans(ctx, db, ref)
	if err != nil {
		return report.Input{}, err
	}
	current, _, err := SegmentsModel(ctx, db)
	if err != nil {
		return report.Input{}, err
	}
	if current != v.Ref() {
		if _, err := Score(ctx, db, v.Ref()); err != nil {
			return report.Input{}, err
		}
	}
	in := report.Input{ModelRef: v.Ref(), Model: m, PointFeatures: m.Features, Meta: map[string]string{
		"database":  db.Path + " (" + string(db.Kind) + ")",
		"generated": time.Now().UTC().Format("2006-01-02 15:04:05 UTC"),
	}}

	if err := readProfiles(ctx, db, &in); err != nil {
		return report.Input{}, err
	}
	raw, labels, err := readPoints(ctx, db, m.Features)
	if err != nil {
		return report.Input{}, err
	}
	n, d := len(labels), len(m.Features)
	for i := range labels {
		in.Points = append(in.Points, report.Point{Segment: labels[i], Values: raw[i*d : (i+1)*d]})
	}

	// Silhouettes in the model's scaled space; beyond ReportSilhouetteSample
	// customers on a fixed-seed sample drawn as Train draws its own.
	z := make([]float64, n*d)
	for i := range labels {
		if err := m.Scale(z[i*d:(i+1)*d], raw[i*d:(i+1)*d]); err != nil {
			return report.Input{}, fmt.Errorf("report: customer_segments row %d: %w", i+1, err)
		}
	}
	sz, sl := z, labels
	if n > ReportSilhouetteSample {
		sz, sl = kmeans.Sample(z, labels, d, ReportSilhouetteSample, m.Seed)
	}
	// The chart draws these per customer but prints the model's stored
	// silhouette, so the report says one figure (report.Input.SilhouetteOf).
	if s, err := cluster.SilhouetteSamples(sz, d, sl); err == nil {
		in.Silhouettes, in.Labels, in.SilhouetteOf = s, sl, n
	}

	// R × F heat map of mean monetary.
	in.RFMGrid = make([][]float64, 5)
	in.RFMCounts = make([][]int, 5)
	for r := range in.RFMGrid {
		in.RFMGrid[r] = []float64{math.NaN(), math.NaN(), math.NaN(), math.NaN(), math.NaN()}
		in.RFMCounts[r] = make([]int, 5)
	}
	grows, err := db.QueryContext(ctx, `SELECT r_score, f_score, avg(monetary), count(*) FROM customer_segments
		WHERE r_score IS NOT NULL AND f_score IS NOT NULL GROUP BY r_score, f_score`)
	if err != nil {
		return report.Input{}, fmt.Errorf("report: %w", err)
	}
	defer grows.Close()
	for grows.Next() {
		var r, f, c int
		var mean float64
		if err := grows.Scan(&r, &f, &mean, &c); err != nil {
			return report.Input{}, fmt.Errorf("report: reading the R × F grid: %w", err)
		}
		if r >= 1 && r <= 5 && f >= 1 && f <= 5 {
			in.RFMGrid[r-1][f-1], in.RFMCounts[r-1][f-1] = mean, c
		}
	}
	if err := grows.Err(); err != nil {
		return report.Input{}, fmt.Errorf("report: reading the R × F grid: %w", err)
	}
	return in, nil
}

// readProfiles reads segment_profiles into in.Profiles, by segment.
func readProfiles(ctx context.Context, db *engine.DB, in *report.Input) error {
	rows, err := db.QueryContext(ctx, `SELECT segment, segment_name, customers, share, revenue_share,
		mean_recency_days, median_recency_days, mean_frequency, median_frequency, mean_monetary, median_monetary
		FROM segment_profiles ORDER BY segment`)
	if err != nil {
		return fmt.Errorf("report: reading segment_profiles: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var p report.Profile
		var mr, dr, mf, df, mm, dm float64
		if err := rows.Scan(&p.Segment, &p.Name, &p.Customers, &p.Share, &p.RevenueShare, &mr, &dr, &mf, &df, &mm, &dm); err != nil {
			return fmt.Errorf("report: segment_profiles row %d: %w", len(in.Profiles)+1, err)
		}
		p.Mean = map[string]float64{"recency_days": mr, "frequency": mf, "monetary": mm}
		p.Median = map[string]float64{"recency_days": dr, "frequency": df, "monetary": dm}
		in.Profiles = append(in.Profiles, p)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("report: reading segment_profiles: %w", err)
	}
	return nil
}

// readPoints reads every customer's features (row-major) and segment in one
// query, so each segment stays with its own customer's values.
func readPoints(ctx context.Context, db *engine.DB, features []string) (raw []float64, labels []int, err error) {
	if err := checkIdentifiers("model features", features); err != nil {
		return nil, nil, fmt.Errorf("report: %w", err)
	}
	rows, err := db.QueryContext(ctx, "SELECT customer_id, segment, "+strings.Join(features, ", ")+
		" FROM customer_segments ORDER BY customer_id")
	if err != nil {
		return nil, nil, fmt.Errorf("report: reading customer_segments: %w", err)
	}
	defer rows.Close()
	d := len(features)
	var id string
	var seg int
	vals := make([]float64, d)
	dest := make([]any, 2+d)
	dest[0], dest[1] = &id, &seg
	for j := range vals {
		dest[2+j] = &vals[j]
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, nil, fmt.Errorf("report: customer_segments row %d (after customer %q): %w", len(labels)+1, id, err)
		}
		raw = append(raw, vals...)
		labels = append(labels, seg)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("report: reading customer_segments: %w", err)
	}
	if len(labels) == 0 {
		return nil, nil, fmt.Errorf("report: customer_segments is empty (run custseg features and train first?)")
	}
	return raw, labels, nil
}

// WriteReport writes the visual report of model ref into dir and returns
// the path of its index.html. progress, if not nil, hears the drawing
// (report.Input.Progress).
func WriteReport(ctx context.Context, db *engine.DB, ref, dir string, progress func(done, total int64)) (string, error) {
	in, err := ReportInput(ctx, db, ref)
	if err != nil {
		return "", err
	}
	in.Progress = progress
	return report.Write(dir, in)
}
