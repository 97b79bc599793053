package report

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/custseg/custseg/internal/retailfixture"
	"github.com/custseg/custseg/udf/kmeans"
)

// retailFeatures is the Online Retail customers' features (see retailfixture).
func retailFeatures(t *testing.T) ([]float64, int) { return retailfixture.Customers(t) }

// TestRealDataReport draws the report of Online Retail's customers with k
// chosen from 2..8, as `custseg report` would, and checks it like the
// synthetic one. CUSTSEG_REPORT_KEEP_REAL=dir keeps it for viewing.
func TestRealDataReport(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: skipping the real-data report (~10 s)")
	}
	rows, n := retailFeatures(t)
	// Reference totals from /work/shared/notes/engines.md (pandas 1.5.3 on the same cleaning):
	// 4,338 customers; recency_days 401,423; frequency 18,532; monetary 8,911,407.90.
	var sums [3]float64
	for i := 0; i < n; i++ {
		for j := range sums {
			sums[j] += rows[3*i+j]
		}
	}
	if n != 4338 || sums[0] != 401423 || sums[1] != 18532 || math.Abs(sums[2]-8911407.90) > 0.01 {
		t.Fatalf("features: %d customers, sums %.2f; want 4338 and 401423, 18532, 8911407.90", n, sums)
	}
	m, _, _, err := kmeans.AutoK(rows, n, features, 2, 8, kmeans.TrainOptions{Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	in := buildInput(t, rows, n, m)
	in.ModelRef = "online_retail@1"
	in.Meta = map[string]string{"data": "UCI Online Retail, standard cleaning"}
	out := filepath.Join(t.TempDir(), "report")
	if keep := os.Getenv("CUSTSEG_REPORT_KEEP_REAL"); keep != "" {
		out = keep
	}
	index, err := Write(out, in)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, index, allCharts)
	for _, r := range m.KSelection {
		t.Logf("k=%d inertia %.3f silhouette %.4f", r.K, r.Inertia, r.Silhouette)
	}
	t.Logf("chosen k=%d: %s; report in %s", m.K, m.KSelectionReason, out)

	// Eight segments with a fixed k: long names, many bars and legend
	// entries, no k-selection charts.
	m8, err := kmeans.Train(rows, n, features, kmeans.TrainOptions{K: 8, Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	in8 := buildInput(t, rows, n, m8)
	in8.ModelRef = "online_retail_k8@1"
	out8 := filepath.Join(t.TempDir(), "report8")
	if keep := os.Getenv("CUSTSEG_REPORT_KEEP_REAL"); keep != "" {
		out8 = keep + "8"
	}
	index8, err := Write(out8, in8)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, index8, []string{SizesFile, SharesFile, SilhouetteFile, HeatMapFile, ScatterFile})
	t.Logf("k=8 segments %v; report in %s", m8.SegmentNames, out8)
}
