package kmeans

import (
	"fmt"
	"math"
	"strings"
)

// The methods that pick k, as KRow.Picks and Model.KSelectionMethod name
// them.
const (
	KByElbow      = "elbow"      // the knee of inertia over k (kneedle)
	KBySilhouette = "silhouette" // the highest mean silhouette
)

// AutoK trains every k in [kmin, kmax] (kmin >= MinK) and chooses k with
// two methods, as segmentation practice does:
//
//   - the elbow: the knee of the inertia curve found by kneedle (see
//     kneedle) on the points k = 1 (the total sum of squares, no training)
//     and kmin..kmax, the knee sought among kmin..kmax;
//   - the silhouette: the highest mean silhouette in kmin..kmax (ties →
//     smaller k).
//
// The rule: the elbow's k wins unless its silhouette is more than
// KSilhouetteTolerance below the highest (the tolerance widened to twice
// the standard error of the difference when the silhouettes are sampled);
// then, or when inertia has no knee, the silhouette's k wins. The elbow
// marks where more segments stop paying, the silhouette vetoes an elbow
// whose segments are clearly worse separated. The returned model carries
// the k-selection table (each row with the methods that picked it), the
// method that decided and the reason, also returned.
func AutoK(rows []float64, n int, features []string, kmin, kmax int, opts TrainOptions) (*Model, []KRow, string, error) {
	if kmin < MinK || kmax < kmin {
		return nil, nil, "", fmt.Errorf("kmeans: k range %d..%d: need %d <= kmin <= kmax (silhouette is undefined for k = 1)", kmin, kmax, MinK)
	}
	opts.defaults()
	p, err := prepare(rows, n, features, opts)
	if err != nil {
		return nil, nil, "", err
	}
	var models []*Model
	var table []KRow
	for k := kmin; k <= kmax; k++ {
		m, err := p.train(k, opts)
		if err != nil {
			if len(models) > 0 && strings.Contains(err.Error(), "distinct rows") {
				break // larger k cannot work either
			}
			return nil, nil, "", err
		}
		sil, ok := m.Metrics["silhouette"]
		if !ok {
			sil = math.NaN()
		}
		models = append(models, m)
		table = append(table, KRow{K: k, Inertia: m.Metrics["inertia"], Silhouette: sil,
			SilhouetteSE: m.Metrics["silhouette_se"], SilhouetteSimplified: m.Metrics["silhouette_simplified"],
			DaviesBouldin: m.Metrics["davies_bouldin"], CalinskiHarabasz: m.Metrics["calinski_harabasz"]})
		if opts.Progress != nil {
			opts.Progress(table[len(table)-1])
		}
	}
	// Inertia at k = 1, the total sum of squares: n·d times the mean variance.
	tss := float64(p.n*len(features)) * meanVariance(p.z, p.n, len(features))
	best, method, reason := chooseK(table, tss)
	if best < 0 {
		return nil, nil, "", fmt.Errorf("kmeans: no k in %d..%d gave a defined silhouette", kmin, kmax)
	}
	m := models[best]
	if m.SilhouetteSampleSize < n {
		reason += fmt.Sprintf("; exact silhouettes on a fixed-seed sample of %d of %d rows (standard error %.4f at k=%d)",
			m.SilhouetteSampleSize, n, m.Metrics["silhouette_se"], m.K)
	}
	for i := range table {
		if math.IsNaN(table[i].Silhouette) {
			table[i].Silhouette = 0 // JSON has no NaN; such a k is never chosen
		}
	}
	m.KSelection = table
	m.KSelectionMethod = method
	m.KSelectionReason = reason
	m.Fingerprint = fingerprint(rows, features, opts)
	return m, table, reason, nil
}

// chooseK applies AutoK's rule to table (k ascending) given the inertia at
// k = 1 (tss): it fills each row's Elbow and Picks and returns the chosen
// row (-1 when no silhouette is defined), the deciding method and the
// reason.
func chooseK(table []KRow, tss float64) (int, string, string) {
	sil := -1
	for i, r := range table {
		if !math.IsNaN(r.Silhouette) && (sil < 0 || r.Silhouette > table[sil].Silhouette) {
			sil = i
		}
	}
	if sil < 0 {
		return -1, "", ""
	}
	x, y := []float64{1}, []float64{tss}
	for _, r := range table {
		x, y = append(x, float64(r.K)), append(y, r.Inertia)
	}
	diff, knee := kneedle(x, y)
	for i := range table {
		table[i].Elbow = diff[i+1]
	}
	elbow := knee - 1 // point 0 is k = 1, never a knee (its d is 0)
	if elbow >= 0 && math.IsNaN(table[elbow].Silhouette) {
		elbow = -1
	}
	span := fmt.Sprintf("k=%d..%d", table[0].K, table[len(table)-1].K)
	table[sil].Picks = append(table[sil].Picks, KBySilhouette)
	if elbow < 0 {
		return sil, KBySilhouette, fmt.Sprintf("k=%d, the highest silhouette (%.4f) among %s; inertia has no knee (kneedle)",
			table[sil].K, table[sil].Silhouette, span)
	}
	table[elbow].Picks = append([]string{KByElbow}, table[elbow].Picks...)
	e, s := table[elbow], table[sil]
	if elbow == sil {
		return elbow, KByElbow + "+" + KBySilhouette, fmt.Sprintf(
			"k=%d: the elbow of inertia (kneedle) and the highest silhouette (%.4f) among %s agree", e.K, e.Silhouette, span)
	}
	tol := math.Max(KSilhouetteTolerance, 2*math.Hypot(e.SilhouetteSE, s.SilhouetteSE))
	if s.Silhouette-e.Silhouette <= tol {
		return elbow, KByElbow, fmt.Sprintf(
			"k=%d, the elbow of inertia (kneedle) among %s; the silhouette peaks at k=%d (%.4f) but k=%d's %.4f is within %.4g of it, so the elbow decides",
			e.K, span, s.K, s.Silhouette, e.K, e.Silhouette, tol)
	}
	return sil, KBySilhouette, fmt.Sprintf(
		"k=%d, the highest silhouette (%.4f) among %s; the elbow of inertia (kneedle) is at k=%d but its silhouette %.4f is more than %.4g below",
		s.K, s.Silhouette, span, e.K, e.Silhouette, tol)
}

// kneedle locates the knee of a decreasing convex curve (x ascending), as
// inertia over k is: the kneedle method (Satopää, Albrecht, Irwin and
// Raghavan 2011) normalises x and y to [0, 1], flips y so the curve rises
// (1 − y_n), and takes the difference curve d_i = (1 − y_n,i) − x_n,i, the
// height of the curve above the chord from its first to its last point.
// The knee is where d is largest; with the whole curve known (no online
// detection) and exact points (no smoothing needed), that maximum is the
// knee. knee is -1 when d is nowhere positive (a straight or concave curve
// has no bend) or the curve is flat.
func kneedle(x, y []float64) (diff []float64, knee int) {
	diff = make([]float64, len(x))
	knee = -1
	if len(x) < 3 {
		return diff, knee
	}
	ymin, ymax := y[0], y[0]
	for _, v := range y {
		ymin, ymax = math.Min(ymin, v), math.Max(ymax, v)
	}
	x0, xr, yr := x[0], x[len(x)-1]-x[0], ymax-ymin
	if xr <= 0 || yr <= 0 {
		return diff, knee
	}
	for i := range x {
		diff[i] = (1 - (y[i]-ymin)/yr) - (x[i]-x0)/xr
		if diff[i] > kneeEpsilon && (knee < 0 || diff[i] > diff[knee]) {
			knee = i
		}
	}
	return diff, knee
}

// kneeEpsilon is the least difference that counts as a bend: rounding
// leaves a straight line's d near 1e-16, not 0.
const kneeEpsilon = 1e-9
