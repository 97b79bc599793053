package pipeline

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/custseg/custseg/internal/engine"
	"github.com/custseg/custseg/internal/report"
	"github.com/custseg/custseg/udf/cluster"
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

	// Profiles.
	rows, err := db.QueryContext(ctx, `SELECT segment, segment_name, customers, share, revenue_share,
		mean_recency_days, median_recency_days, mean_frequency, median_frequency, mean_monetary, median_monetary
		FROM segment_profiles ORDER BY segment`)
	if err != nil {
		return report.Input{}, fmt.Errorf("report: %w", err)
	}
	for rows.Next() {
		var p report.Profile
		var mr, dr, mf, df, mm, dm float64
		if err := rows.Scan(&p.Segment, &p.Name, &p.Customers, &p.Share, &p.RevenueShare, &mr, &dr, &mf, &df, &mm, &dm); err != nil {
			rows.Close()
			return report.Input{}, fmt.Errorf("report: %w", err)
		}
		p.Mean = map[string]float64{"recency_days": mr, "frequency": mf, "monetary": mm}
		p.Median = map[string]float64{"recency_days": dr, "frequency": df, "monetary": dm}
		in.Profiles = append(in.Profiles, p)
	}
	rows.Close()

	// Points: every customer's model features and segment.
	raw, n, err := ReadRows(ctx, db, "customer_segments", m.Features)
	if err != nil {
		return report.Input{}, fmt.Errorf("report: %w", err)
	}
	labels := make([]int, 0, n)
	lrows, err := db.QueryContext(ctx, `SELECT segment FROM customer_segments`)
	if err != nil {
		return report.Input{}, fmt.Errorf("report: %w", err)
	}
	for lrows.Next() {
		var s int
		lrows.Scan(&s)
		labels = append(labels, s)
	}
	lrows.Close()
	if len(labels) != n {
		return report.Input{}, fmt.Errorf("report: customer_segments changed while reading it")
	}
	d := len(m.Features)
	for i := 0; i < n; i++ {
		in.Points = append(in.Points, report.Point{Segment: labels[i], Values: raw[i*d : (i+1)*d]})
	}

	// Silhouettes on a fixed-seed sample, in the model's scaled space.
	idx := make([]int, n)
	for i := range idx {
		idx[i] = i
	}
	if n > ReportSilhouetteSample {
		r := rand.New(rand.NewPCG(uint64(m.Seed), 0x5eed))
		r.Shuffle(n, func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		idx = idx[:ReportSilhouetteSample]
	}
	z := make([]float64, len(idx)*d)
	sl := make([]int, len(idx))
	for k, i := range idx {
		if err := m.Scale(z[k*d:(k+1)*d], raw[i*d:(i+1)*d]); err != nil {
			return report.Input{}, fmt.Errorf("report: customer %d: %w", i+1, err)
		}
		sl[k] = labels[i]
	}
	if s, err := cluster.SilhouetteSamples(z, d, sl); err == nil {
		in.Silhouettes, in.Labels = s, sl
		if n > ReportSilhouetteSample {
			in.Meta["silhouette plot"] = fmt.Sprintf("a fixed-seed sample of %d of %d customers", len(idx), n)
		}
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
			return report.Input{}, fmt.Errorf("report: %w", err)
		}
		if r >= 1 && r <= 5 && f >= 1 && f <= 5 {
			in.RFMGrid[r-1][f-1], in.RFMCounts[r-1][f-1] = mean, c
		}
	}
	return in, grows.Err()
}

// WriteReport writes the visual report of model ref into dir and returns
// the path of its index.html.
func WriteReport(ctx context.Context, db *engine.DB, ref, dir string) (string, error) {
	in, err := ReportInput(ctx, db, ref)
	if err != nil {
		return "", err
	}
	return report.Write(dir, in)
}
