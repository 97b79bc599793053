package kmeans

import (
	"fmt"
	"math"
	"strings"
)

// AutoK trains every k in [kmin, kmax] (kmin >= MinK) and keeps the model with
// the highest silhouette (ties → smaller k). The returned model carries the
// k-selection table and the reason for the choice, also returned.
func AutoK(rows []float64, n int, features []string, kmin, kmax int, opts TrainOptions) (*Model, []KRow, string, error) {
	if kmin < MinK || kmax < kmin {
		return nil, nil, "", fmt.Errorf("kmeans: k range %d..%d: need %d <= kmin <= kmax (silhouette is undefined for k = 1)", kmin, kmax, MinK)
	}
	opts.defaults()
	p, err := prepare(rows, n, features, opts)
	if err != nil {
		return nil, nil, "", err
	}
	var best *Model
	var table []KRow
	for k := kmin; k <= kmax; k++ {
		m, err := p.train(k, opts)
		if err != nil {
			if best != nil && strings.Contains(err.Error(), "distinct rows") {
				break // larger k cannot work either
			}
			return nil, nil, "", err
		}
		sil, ok := m.Metrics["silhouette"]
		if !ok {
			sil = math.NaN()
		}
		table = append(table, KRow{K: k, Inertia: m.Metrics["inertia"], Silhouette: sil,
			SilhouetteSE: m.Metrics["silhouette_se"], SilhouetteSimplified: m.Metrics["silhouette_simplified"],
			DaviesBouldin: m.Metrics["davies_bouldin"], CalinskiHarabasz: m.Metrics["calinski_harabasz"]})
		if opts.Progress != nil {
			opts.Progress(table[len(table)-1])
		}
		if ok && (best == nil || sil > best.Metrics["silhouette"]) {
			best = m
		}
	}
	if best == nil {
		return nil, nil, "", fmt.Errorf("kmeans: no k in %d..%d gave a defined silhouette", kmin, kmax)
	}
	reason := fmt.Sprintf("k=%d has the highest silhouette (%.4f) among k=%d..%d", best.K, best.Metrics["silhouette"], kmin, table[len(table)-1].K)
	runner := -1
	for i, r := range table {
		if r.K != best.K && !math.IsNaN(r.Silhouette) && (runner < 0 || r.Silhouette > table[runner].Silhouette) {
			runner = i
		}
	}
	se := best.Metrics["silhouette_se"]
	if runner >= 0 {
		reason += fmt.Sprintf("; runner-up k=%d (%.4f)", table[runner].K, table[runner].Silhouette)
		if se > 0 && best.Metrics["silhouette"]-table[runner].Silhouette < 2*math.Hypot(se, table[runner].SilhouetteSE) {
			reason += ", within sampling error"
		}
	}
	if best.SilhouetteSampleSize < n {
		reason += fmt.Sprintf("; exact silhouette on a fixed-seed sample of %d of %d rows (standard error %.4f)", best.SilhouetteSampleSize, n, se)
	}
	for i := range table {
		if math.IsNaN(table[i].Silhouette) {
			table[i].Silhouette = 0 // JSON has no NaN; k=1 is excluded above
		}
	}
	best.KSelection = table
	best.KSelectionReason = reason
	best.Fingerprint = fingerprint(rows, features, opts)
	return best, table, reason, nil
}
