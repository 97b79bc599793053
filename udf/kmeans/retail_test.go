package kmeans

import (
	"math"
	"testing"

	"github.com/custseg/custseg/internal/retailfixture"
)

// retailRFM is the Online Retail customers' features (see retailfixture).
func retailRFM(t testing.TB) ([]float64, int) { return retailfixture.Customers(t) }

// On real customers, Train (log1p + standard scaling, 10 restarts) must
// reach scikit-learn's inertia within 0.1 %; when it finds the same
// partition (equal inertia), the metrics must equal scikit-learn's.
func TestOnlineRetailAgainstScikitLearn(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 540k transactions")
	}
	rows, n := retailRFM(t)
	// Sums published in /work/shared/notes/engines.md for this cleaning.
	var sr, sf, sm float64
	for i := 0; i < n; i++ {
		sr, sf, sm = sr+rows[3*i], sf+rows[3*i+1], sm+rows[3*i+2]
	}
	if n != 4338 || sr != 401423 || sf != 18532 || math.Abs(sm-8911407.904) > 1e-3 {
		t.Fatalf("features differ from the reference cleaning: n=%d recency %v frequency %v monetary %v", n, sr, sf, sm)
	}
	// scikit-learn 1.2.1: StandardScaler().fit_transform(np.log1p(X)), then
	// KMeans(n_clusters=k, n_init=10, random_state=0): inertia_, and
	// silhouette_score, davies_bouldin_score, calinski_harabasz_score of its
	// labels (testdata/sklearn_online_retail.py).
	ref := []struct {
		k                   int
		inertia, sil, db, c float64
	}{
		{2, 6481.230869045864, 0.4329401813189669, 0.8920845857743274, 4370.489241297389},
		{3, 4868.045484668419, 0.33609699672517884, 1.049050624443644, 3627.070195134819},
		{4, 3938.844038128812, 0.3370678047732714, 1.0132927150014095, 3328.6815692830696},
		{5, 3296.1862697244355, 0.31613891519303217, 0.9861600970983527, 3193.6897041607276},
		{6, 2855.70007368649, 0.31351930353423546, 1.0209358459304667, 3081.9996622561544},
	}
	features := []string{"recency_days", "frequency", "monetary"}
	for _, r := range ref {
		m, err := Train(rows, n, features, TrainOptions{K: r.k, Seed: 0})
		if err != nil {
			t.Fatal(err)
		}
		in := m.Metrics["inertia"]
		if in > r.inertia*1.001 {
			t.Errorf("k=%d: inertia %.10g is more than 0.1%% above scikit-learn's %.10g", r.k, in, r.inertia)
		}
		same := math.Abs(in-r.inertia) <= 1e-9*r.inertia
		t.Logf("k=%d: inertia %.10g (scikit-learn %.10g, same partition: %v), silhouette %.6f, names %q",
			r.k, in, r.inertia, same, m.Metrics["silhouette"], m.SegmentNames)
		if !same {
			continue
		}
		if got := m.Metrics["silhouette"]; math.Abs(got-r.sil) > 1e-9 {
			t.Errorf("k=%d: silhouette %.17g, scikit-learn %.17g", r.k, got, r.sil)
		}
		if got := m.Metrics["davies_bouldin"]; math.Abs(got-r.db) > 1e-9*r.db {
			t.Errorf("k=%d: Davies-Bouldin %.17g, scikit-learn %.17g", r.k, got, r.db)
		}
		if got := m.Metrics["calinski_harabasz"]; math.Abs(got-r.c) > 1e-9*r.c {
			t.Errorf("k=%d: Calinski-Harabasz %.17g, scikit-learn %.17g", r.k, got, r.c)
		}
	}
}
