package kmeans

import (
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/internal/num"
)

// qualityData is the deterministic dataset also built in Python for the
// scikit-learn reference (integer formula → identical coordinates):
//
//	c = i % 6, centre = (0.7c, 0.5(c² mod 5), 0.9(c mod 3))
//	x[i][j] = ((31i² + 17ij + 7919j + 101i) mod 1009)/1009 + centre[j]
//
// then standardised per column (mean, population std) as StandardScaler.
func qualityData(n int) []float64 {
	x := make([]float64, n*3)
	for i := 0; i < n; i++ {
		c := i % 6
		cen := [3]float64{float64(c) * 0.7, float64(c*c%5) * 0.5, float64(c%3) * 0.9}
		for j := 0; j < 3; j++ {
			x[i*3+j] = float64((i*i*31+i*j*17+j*7919+i*101)%1009)/1009.0 + cen[j]
		}
	}
	for j := 0; j < 3; j++ {
		mean, v := 0.0, 0.0
		for i := 0; i < n; i++ {
			mean += x[i*3+j]
		}
		mean /= float64(n)
		for i := 0; i < n; i++ {
			t := x[i*3+j] - mean
			v += t * t
		}
		sd := math.Sqrt(v / float64(n))
		for i := 0; i < n; i++ {
			x[i*3+j] = (x[i*3+j] - mean) / sd
		}
	}
	return x
}

// Inertia must be no worse than scikit-learn's within 0.1 %.
func TestInertiaMatchesScikitLearn(t *testing.T) {
	x := qualityData(3000)
	// scikit-learn 1.2.1: KMeans(n_clusters=k, n_init=10, random_state=0)
	// .fit(StandardScaler().fit_transform(X)).inertia_ on qualityData(3000)
	// (testdata/sklearn_quality.py).
	for _, tc := range []struct {
		k       int
		sklearn float64
	}{{3, 3175.4173406301547}, {5, 1331.3652328330315}, {8, 759.1787335030943}} {
		r, err := Fit(x, 3000, 3, tc.k, Options{Seed: 0})
		if err != nil {
			t.Fatal(err)
		}
		if r.Inertia > tc.sklearn*1.001 {
			t.Errorf("k=%d: inertia %.10g, scikit-learn %.10g (+%.3f%%)", tc.k, r.Inertia, tc.sklearn, 100*(r.Inertia/tc.sklearn-1))
		}
		t.Logf("k=%d: inertia %.10g (scikit-learn %.10g), %d iterations", tc.k, r.Inertia, tc.sklearn, r.Iter)
	}
}

// blobs makes k well-separated Gaussian blobs (σ = 0.3, centres 20 apart).
func blobs(n, d, k int, seed uint64) ([]float64, []int) {
	r := rand.New(rand.NewPCG(seed, 99))
	x := make([]float64, n*d)
	truth := make([]int, n)
	for i := 0; i < n; i++ {
		c := i % k
		truth[i] = c
		for j := 0; j < d; j++ {
			centre := float64((c*7+j*3)%k) * 20
			if j == 0 {
				centre = float64(c) * 20
			}
			x[i*d+j] = centre + 0.3*r.NormFloat64()
		}
	}
	return x, truth
}

// samePartition reports whether two labelings agree up to a permutation.
func samePartition(a, b []int) bool {
	ab, ba := map[int]int{}, map[int]int{}
	for i := range a {
		if v, ok := ab[a[i]]; ok && v != b[i] {
			return false
		}
		if v, ok := ba[b[i]]; ok && v != a[i] {
			return false
		}
		ab[a[i]], ba[b[i]] = b[i], a[i]
	}
	return true
}

func TestRecoversBlobs(t *testing.T) {
	for _, tc := range []struct{ n, d, k int }{{300, 2, 3}, {1000, 3, 5}, {500, 4, 8}, {50, 1, 2}} {
		x, truth := blobs(tc.n, tc.d, tc.k, 1)
		r, err := Fit(x, tc.n, tc.d, tc.k, Options{Seed: 42})
		if err != nil {
			t.Fatal(err)
		}
		if !samePartition(r.Labels, truth) {
			t.Errorf("%+v: labels do not recover the blobs", tc)
		}
	}
}

func TestDeterministicAcrossCores(t *testing.T) {
	x := qualityData(1500)
	var ref *Result
	for _, procs := range []int{1, 2, 4} {
		old := runtime.GOMAXPROCS(procs)
		r, err := Fit(x, 1500, 3, 5, Options{Seed: 7, NInit: 6})
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		if ref == nil {
			ref = r
			continue
		}
		if r.Inertia != ref.Inertia || !slices.Equal(r.Labels, ref.Labels) || !slices.Equal(r.Centroids, ref.Centroids) {
			t.Errorf("GOMAXPROCS=%d: result differs (inertia %v vs %v)", procs, r.Inertia, ref.Inertia)
		}
	}
	other, _ := Fit(x, 1500, 3, 5, Options{Seed: 8, NInit: 1})
	single, _ := Fit(x, 1500, 3, 5, Options{Seed: 7, NInit: 1})
	if slices.Equal(other.Centroids, single.Centroids) {
		t.Log("seeds 7 and 8 happened to give the same centroids")
	}
}

// Labels must be the nearest centre of every point and the centroids the
// means of their points (a converged Lloyd fixed point).
func TestFixedPoint(t *testing.T) {
	x := qualityData(2000)
	r, err := Fit(x, 2000, 3, 6, Options{Seed: 3, Tol: -1})
	if err != nil {
		t.Fatal(err)
	}
	inertia := 0.0
	for i := 0; i < 2000; i++ {
		best, bv := -1, math.Inf(1)
		for c := 0; c < 6; c++ {
			if v := num.SqDist(x[i*3:i*3+3], r.Centroids[c*3:c*3+3]); v < bv {
				best, bv = c, v
			}
		}
		if best != r.Labels[i] {
			t.Fatalf("point %d labelled %d, nearest centre %d", i, r.Labels[i], best)
		}
		inertia += bv
	}
	if math.Abs(inertia-r.Inertia) > 1e-9*inertia { // same sums, recomputed
		t.Errorf("inertia %v, recomputed %v", r.Inertia, inertia)
	}
	for c := 0; c < 6; c++ {
		var s [3]float64
		cnt := 0
		for i, l := range r.Labels {
			if l == c {
				cnt++
				for j := 0; j < 3; j++ {
					s[j] += x[i*3+j]
				}
			}
		}
		for j := 0; j < 3; j++ {
			if math.Abs(s[j]/float64(cnt)-r.Centroids[c*3+j]) > 1e-9 { // mean recomputed in another order
				t.Errorf("centroid %d coordinate %d = %v, mean of its points %v", c, j, r.Centroids[c*3+j], s[j]/float64(cnt))
			}
		}
	}
}

// Empty clusters: points (0,0)×2, (10,10)×2, (20,20) and k = 3, started
// from centres (0,0), (10,10) and (1000,1000); nobody is nearest the third,
// so it must take the point farthest from its centre, (20,20).
func TestEmptyClusterRelocation(t *testing.T) {
	x := []float64{0, 0, 0, 0, 10, 10, 10, 10, 20, 20}
	n, d, k := 5, 2, 3
	w := newWorkspace(n, d, k)
	// Centres: 0, 10 and a far-away one nobody is nearest to.
	copy(w.centers, []float64{0, 0, 10, 10, 1000, 1000})
	for i := 0; i < n; i++ {
		w.labels[i], w.upper[i], w.lower[i] = w.nearest2(x[i*d : i*d+d])
	}
	w.lloyd(x, 50, 0)
	inertia := w.assignExact(x)
	counts := make([]int, k)
	for _, l := range w.labels {
		counts[l]++
	}
	for c, cnt := range counts {
		if cnt == 0 {
			t.Errorf("cluster %d still empty: labels %v centres %v", c, w.labels, w.centers)
		}
	}
	// Best 3-clustering of {0,0,10,10,20} (per axis): {0,0},{10,10},{20}: inertia 0.
	if inertia != 0 {
		t.Errorf("inertia %v after relocation, want 0 (labels %v, centres %v)", inertia, w.labels, w.centers)
	}
}

func TestFitErrors(t *testing.T) {
	cases := []struct {
		name    string
		x       []float64
		n, d, k int
		want    string
	}{
		{"no rows", nil, 0, 2, 2, "no rows"},
		{"k zero", []float64{1, 2}, 2, 1, 0, "at least 1"},
		{"k above n", []float64{1, 2}, 2, 1, 3, "more than the 2 rows"},
		{"k above distinct", []float64{1, 1, 1, 1, 2, 2}, 3, 2, 3, "only 2 distinct rows"},
		{"all equal", []float64{5, 5, 5, 5}, 4, 1, 2, "only 1 distinct rows"},
		{"NaN", []float64{1, math.NaN(), 3}, 3, 1, 2, "row 1 feature 0 is not a finite number"},
		{"ragged", []float64{1, 2, 3}, 2, 2, 1, "do not make"},
	}
	for _, tc := range cases {
		_, err := Fit(tc.x, tc.n, tc.d, tc.k, Options{})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
	// k = 1 and a single row are legal.
	r, err := Fit([]float64{3}, 1, 1, 1, Options{})
	if err != nil || r.Inertia != 0 || r.Centroids[0] != 3 {
		t.Errorf("single row: %+v, %v", r, err)
	}
}

func BenchmarkFit(b *testing.B) {
	x, _ := blobs(100000, 3, 8, 5)
	for b.Loop() {
		if _, err := Fit(x, 100000, 3, 8, Options{Seed: 1}); err != nil {
			b.Fatal(err)
		}
	}
}

// Hamerly's bounds only skip work: from the same seeds, the bounded loop
// must reach the same partition as plain Lloyd iterations.
func TestHamerlyEqualsPlainLloyd(t *testing.T) {
	for _, tc := range []struct{ n, d, k int }{{2000, 3, 6}, {1500, 2, 10}, {800, 5, 4}, {3000, 1, 7}} {
		x := qualityData(tc.n)
		if tc.d != 3 {
			r := rand.New(rand.NewPCG(uint64(tc.n), 5))
			x = make([]float64, tc.n*tc.d)
			for i := range x {
				x[i] = r.NormFloat64() + float64((i/tc.d)%4)
			}
		}
		w := newWorkspace(tc.n, tc.d, tc.k)
		w.seed(x, rand.New(rand.NewPCG(11, 0)))
		start := append([]float64(nil), w.centers...)
		w.lloyd(x, 1000, 0)
		w.assignExact(x)

		// Plain Lloyd from the same centres.
		n, d, k := tc.n, tc.d, tc.k
		c := start
		labels := make([]int, n)
		for iter := 0; iter < 1000; iter++ {
			changed := false
			for i := 0; i < n; i++ {
				best, bv := 0, math.Inf(1)
				for cc := 0; cc < k; cc++ {
					if v := num.SqDist(x[i*d:i*d+d], c[cc*d:cc*d+d]); v < bv {
						best, bv = cc, v
					}
				}
				if best != labels[i] || iter == 0 {
					changed = changed || best != labels[i]
					labels[i] = best
				}
			}
			if !changed && iter > 0 {
				break
			}
			sums := make([]float64, k*d)
			cnt := make([]int, k)
			for i, l := range labels {
				cnt[l]++
				for j := 0; j < d; j++ {
					sums[l*d+j] += x[i*d+j]
				}
			}
			for cc := 0; cc < k; cc++ {
				if cnt[cc] == 0 {
					t.Skipf("%+v: plain Lloyd met an empty cluster", tc)
				}
				for j := 0; j < d; j++ {
					c[cc*d+j] = sums[cc*d+j] * (1 / float64(cnt[cc]))
				}
			}
		}
		if !samePartition(labels, w.labels) {
			t.Errorf("%+v: Hamerly and plain Lloyd disagree", tc)
		}
	}
}

// Iterations do not allocate: a fit's allocations do not grow with the
// number of Lloyd iterations it runs.
func TestNoAllocationPerIteration(t *testing.T) {
	x := qualityData(2000)
	allocs := func(maxIter int) float64 {
		return testing.AllocsPerRun(5, func() {
			if _, err := Fit(x, 2000, 3, 8, Options{Seed: 1, NInit: 1, MaxIter: maxIter, Tol: -1}); err != nil {
				t.Fatal(err)
			}
		})
	}
	one, many := allocs(1), allocs(200)
	r, _ := Fit(x, 2000, 3, 8, Options{Seed: 1, NInit: 1, MaxIter: 200, Tol: -1})
	if r.Iter < 5 {
		t.Fatalf("only %d iterations: the comparison means nothing", r.Iter)
	}
	if many != one {
		t.Errorf("%v allocations with 1 iteration, %v with %d", one, many, r.Iter)
	}
}

func TestFitEdgeK(t *testing.T) {
	x := []float64{5, 1, 9, 3, 7}
	// k = n: every point its own centre, inertia 0.
	r, err := Fit(x, 5, 1, 5, Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, l := range r.Labels {
		seen[l] = true
	}
	if r.Inertia != 0 || len(seen) != 5 {
		t.Errorf("k = n: inertia %v, %d clusters used", r.Inertia, len(seen))
	}
	// k = 1: the centre is the mean, inertia Σ (x − 5)² = 0+16+16+4+4 = 40.
	r, err = Fit(x, 5, 1, 1, Options{Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if r.Centroids[0] != 5 || r.Inertia != 40 {
		t.Errorf("k = 1: centre %v inertia %v, want 5 and 40", r.Centroids[0], r.Inertia)
	}
}
