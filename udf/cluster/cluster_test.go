package cluster

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/custseg/custseg/udf/internal/num"
)

// dataset builds the deterministic points also built by the Python script
// that produced the scikit-learn reference values (same integer formula, so
// the coordinates are bit-identical in both):
//
//	l = i % k; if single and l == k-1 and i != k-1 { l = 0 }   (cluster k-1 is a singleton)
//	x[i][j] = ((i*37 + j*101 + (i*i*13) % 97) % 211) / 10 + (7*l if j == 0)
//	label = 10*l − 3 (arbitrary integers, to exercise label encoding)
func dataset(n, d, k int, single bool) ([]float64, []int) {
	x := make([]float64, n*d)
	lab := make([]int, n)
	for i := 0; i < n; i++ {
		l := i % k
		if single && l == k-1 && i != k-1 {
			l = 0
		}
		lab[i] = l*10 - 3
		for j := 0; j < d; j++ {
			v := float64((i*37+j*101+(i*i*13)%97)%211) / 10.0
			if j == 0 {
				v += float64(l) * 7.0
			}
			x[i*d+j] = v
		}
	}
	return x, lab
}

// Reference values printed by scikit-learn 1.2.1 (Debian python3-sklearn,
// numpy 1.24.2): silhouette_score, davies_bouldin_score,
// calinski_harabasz_score on dataset(n, d, k, single); script:
// testdata/sklearn_reference.py.
var sklearnCases = []struct {
	n, d, k    int
	single     bool
	sil, db, c float64
}{
	{60, 3, 4, false, 0.06499606981466145, 3.5986324002103807, 10.123938786678922},
	{45, 2, 3, true, 0.06695595500451303, 1.3167750932142213, 8.583482414812067},
	{50, 5, 3, false, 0.03508152324217064, 4.557921823951771, 6.073990916366932},
	{30, 1, 2, false, 0.027025308692301856, 2.214201183431952, 4.0486163231469225},
	{80, 3, 5, true, -0.004294111112141186, 2.420485715261555, 14.72455716626678},
}

func TestAgainstScikitLearn(t *testing.T) {
	for _, tc := range sklearnCases {
		x, lab := dataset(tc.n, tc.d, tc.k, tc.single)
		sil, err := Silhouette(x, tc.d, lab)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(sil-tc.sil) > 1e-9 { // absolute tolerance 1e-9
			t.Errorf("n=%d d=%d: silhouette %.17g, scikit-learn %.17g", tc.n, tc.d, sil, tc.sil)
		}
		db, err := DaviesBouldin(x, tc.d, lab)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(db-tc.db) > 1e-9*tc.db { // relative tolerance 1e-9
			t.Errorf("n=%d d=%d: Davies-Bouldin %.17g, scikit-learn %.17g", tc.n, tc.d, db, tc.db)
		}
		ch, err := CalinskiHarabasz(x, tc.d, lab)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(ch-tc.c) > 1e-9*tc.c { // relative tolerance 1e-9
			t.Errorf("n=%d d=%d: Calinski-Harabasz %.17g, scikit-learn %.17g", tc.n, tc.d, ch, tc.c)
		}
	}
}

// refSilhouetteSamples is the textbook O(n²) definition, the oracle for the
// blocked kernel.
func refSilhouetteSamples(x []float64, d int, labels []int) []float64 {
	n := len(labels)
	size := map[int]int{}
	for _, l := range labels {
		size[l]++
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		sum := map[int]float64{}
		for j := 0; j < n; j++ {
			if j == i {
				continue
			}
			sum[labels[j]] += math.Sqrt(num.SqDist(x[i*d:i*d+d], x[j*d:j*d+d]))
		}
		own := labels[i]
		if size[own] == 1 {
			continue
		}
		a := sum[own] / float64(size[own]-1)
		b := math.Inf(1)
		for l, c := range size {
			if l != own {
				b = math.Min(b, sum[l]/float64(c))
			}
		}
		if m := math.Max(a, b); m > 0 {
			out[i] = (b - a) / m
		}
	}
	return out
}

func randomInput(r *rand.Rand, n, d, k int, singletons int) ([]float64, []int) {
	x := make([]float64, n*d)
	for i := range x {
		x[i] = r.NormFloat64() * 3
	}
	lab := make([]int, n)
	for i := range lab {
		lab[i] = r.IntN(k) + singletons // clusters singletons..singletons+k-1
	}
	// Guarantee both ends of the label range occur.
	lab[n-1], lab[n-2] = singletons, singletons+k-1
	for s := 0; s < singletons && s < n; s++ {
		lab[s] = s // points 0..singletons-1 alone in clusters 0..singletons-1
	}
	return x, lab
}

func TestKernelAgainstReference(t *testing.T) {
	t.Logf("AVX2 kernels in use: %v, AVX-512: %v", useAVX2, useAVX512)
	r := rand.New(rand.NewPCG(1, 2))
	cases := []struct{ n, d, k, singletons int }{
		{3, 1, 2, 0}, {10, 2, 2, 1}, {257, 3, 3, 0}, {600, 3, 4, 2}, {513, 2, 5, 0},
		{300, 4, 3, 1}, {700, 7, 6, 0}, {1000, 1, 3, 0}, {520, 3, 1, 3},
	}
	for _, procs := range []int{1, 2, 3} {
		old := runtime.GOMAXPROCS(procs)
		for _, tc := range cases {
			x, lab := randomInput(r, tc.n, tc.d, tc.k, tc.singletons)
			matchReference(t, fmt.Sprintf("%+v procs=%d", tc, procs), x, tc.d, lab)
		}
		runtime.GOMAXPROCS(old)
	}
}

// The row mode (used when k×n sums would not fit the memory budget) gives
// the same values as the reference.
func TestRowModeAgainstReference(t *testing.T) {
	oldSym, oldRow := symmetricBudget, rowModeBudget
	defer func() { symmetricBudget, rowModeBudget = oldSym, oldRow }()
	symmetricBudget = 0
	r := rand.New(rand.NewPCG(5, 6))
	for _, tc := range []struct{ n, d, k, singletons, budget int }{
		{700, 3, 4, 1, 16 << 20}, {600, 2, 50, 3, 8 * 50 * 3}, {530, 5, 7, 0, 1}, {300, 1, 290, 0, 16 << 20},
	} {
		rowModeBudget = tc.budget
		x, lab := randomInput(r, tc.n, tc.d, tc.k, tc.singletons)
		matchReference(t, fmt.Sprintf("%+v", tc), x, tc.d, lab)
	}
	calls := 0
	x, lab := randomInput(r, 1000, 3, 5, 0)
	if _, err := SilhouetteProgress(x, 3, lab, func(done, total int) { calls++ }); err != nil || calls == 0 {
		t.Errorf("row mode progress: %d calls, %v", calls, err)
	}
}

// Exact duplicates (distance 0, where an approximate reciprocal square root
// would give 0·∞) and a large common offset (cancellation) through every kernel.
func TestKernelDuplicatesAndOffset(t *testing.T) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, d := range []int{1, 2, 3, 4} {
		x, lab := randomInput(r, 600, d, 4, 0)
		for i := 0; i < 600; i++ {
			if i%3 == 0 && i > 0 {
				copy(x[i*d:i*d+d], x[(i-1)*d:i*d]) // duplicate of the previous point
			}
		}
		for i := range x {
			x[i] = 1e6 + x[i]*1e-3
		}
		got, err := SilhouetteSamples(x, d, lab)
		if err != nil {
			t.Fatal(err)
		}
		want := refSilhouetteSamples(x, d, lab)
		for i := range want {
			if math.IsNaN(got[i]) || math.Abs(got[i]-want[i]) > 1e-9 { // differences of 1e6-sized values: ~1e-10 relative
				t.Fatalf("d=%d: s(%d) = %.17g, reference %.17g", d, i, got[i], want[i])
			}
		}
	}
}

func TestSilhouetteProgress(t *testing.T) {
	x, lab := randomInput(rand.New(rand.NewPCG(3, 4)), 2000, 3, 4, 0)
	calls, last, total := 0, 0, 0
	_, err := SilhouetteProgress(x, 3, lab, func(done, tot int) {
		calls++
		if done <= last {
			t.Errorf("progress went from %d to %d", last, done)
		}
		last, total = done, tot
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls == 0 || last != total {
		t.Errorf("progress: %d calls, last %d of %d", calls, last, total)
	}
}

func TestLabelCountErrors(t *testing.T) {
	x := []float64{0, 1, 2, 3}
	cases := []struct {
		name   string
		labels []int
	}{
		{"one cluster", []int{5, 5, 5, 5}},
		{"every point its own cluster", []int{1, 2, 3, 4}},
	}
	for _, tc := range cases {
		for name, f := range map[string]func([]float64, int, []int) (float64, error){
			"Silhouette": Silhouette, "DaviesBouldin": DaviesBouldin, "CalinskiHarabasz": CalinskiHarabasz,
		} {
			if _, err := f(x, 1, tc.labels); !errors.Is(err, ErrLabelCount) {
				t.Errorf("%s, %s: err = %v, want ErrLabelCount", name, tc.name, err)
			}
		}
	}
	if _, err := SilhouetteSimplified(x, 1, []int{1, 1, 1, 1}); !errors.Is(err, ErrLabelCount) {
		t.Errorf("SilhouetteSimplified one cluster: err = %v", err)
	}
	if _, err := Silhouette([]float64{0, math.NaN(), 1}, 1, []int{0, 1, 1}); err == nil {
		t.Error("NaN accepted")
	}
	if _, err := Silhouette([]float64{0, 1, 2}, 2, []int{0, 1}); err == nil {
		t.Error("ragged rows accepted")
	}
	if _, err := Inertia(nil, 1, nil); err == nil {
		t.Error("no points accepted")
	}
}

// Hand-computed cases: clusters {0, 2} and {10, 12} on a line.
func TestSmallHandCases(t *testing.T) {
	x := []float64{0, 2, 10, 12}
	lab := []int{0, 0, 1, 1}
	tests := []struct {
		name string
		f    func([]float64, int, []int) (float64, error)
		want float64
		tol  float64
	}{
		// centroids 1 and 11: every point is 1 from its own centroid.
		{"Inertia", Inertia, 4, 1e-12},
		// a = 1 for every point; b = 9 (inner points) or 11 (outer): s = 8/9, 10/11.
		{"SilhouetteSimplified", SilhouetteSimplified, (8.0/9 + 10.0/11) / 2, 1e-12},
		// a = 2; b = mean(10,12)=11 (x=0), mean(8,10)=9 (x=2): s = 9/11, 7/9.
		{"Silhouette", Silhouette, (9.0/11 + 7.0/9) / 2, 1e-12},
		// S = 1 for both, centroid distance 10: R = 0.2.
		{"DaviesBouldin", DaviesBouldin, 0.2, 1e-12},
		// B = 2·25 + 2·25 = 100, W = 4: 100·2/(4·1) = 50.
		{"CalinskiHarabasz", CalinskiHarabasz, 50, 1e-9},
	}
	for _, tc := range tests {
		got, err := tc.f(x, 1, lab)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if math.Abs(got-tc.want) > tc.tol {
			t.Errorf("%s = %.17g, want %.17g", tc.name, got, tc.want)
		}
	}
}

func benchData(n, d, k int) ([]float64, []int) {
	r := rand.New(rand.NewPCG(7, 8))
	x := make([]float64, n*d)
	lab := make([]int, n)
	for i := 0; i < n; i++ {
		lab[i] = r.IntN(k)
		for j := 0; j < d; j++ {
			x[i*d+j] = r.NormFloat64() + float64(lab[i]*3)
		}
	}
	return x, lab
}

// BenchmarkSilhouette reports ns per distinct pair (n(n−1)/2 pairs) on all
// GOMAXPROCS cores.
func BenchmarkSilhouette(b *testing.B) {
	for _, d := range []int{3, 2, 5} {
		n := 20000
		x, lab := benchData(n, d, 5)
		b.Run("d="+string(rune('0'+d)), func(b *testing.B) {
			for b.Loop() {
				if _, err := Silhouette(x, d, lab); err != nil {
					b.Fatal(err)
				}
			}
			pairs := float64(n) * float64(n-1) / 2
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/pairs, "ns/pair")
		})
	}
}

// TestSilhouetteLarge times the exact silhouette on CUSTSEG_SILHOUETTE_N
// 3-D points (e.g. 200000; skipped when unset): scikit-learn 1.2.1 takes
// ~290 s for 200k points on this kind of machine (engines.md).
func TestSilhouetteLarge(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("CUSTSEG_SILHOUETTE_N"))
	if n == 0 {
		t.Skip("set CUSTSEG_SILHOUETTE_N to run")
	}
	x, lab := benchData(n, 3, 5)
	start := time.Now()
	calls := 0
	s, err := SilhouetteProgress(x, 3, lab, func(done, total int) { calls++ })
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	pairs := float64(n) * float64(n-1) / 2
	t.Logf("n=%d: silhouette %.6f in %v (%.3f ns/pair, %d progress calls, GOMAXPROCS=%d)",
		n, s, el, float64(el.Nanoseconds())/pairs, calls, runtime.GOMAXPROCS(0))
	if s < -1 || s > 1 {
		t.Errorf("silhouette %v out of [-1, 1]", s)
	}
}

// TestErrorsNamePackage: every input error starts with "cluster: ", and the
// label-count errors wrap ErrLabelCount.
func TestErrorsNamePackage(t *testing.T) {
	for _, c := range []struct {
		name   string
		x      []float64
		d      int
		labels []int
		want   string
	}{
		{"d = 0", []float64{1}, 0, []int{0}, "cluster: dimension must be at least 1, got 0"},
		{"ragged", []float64{1, 2, 3}, 2, []int{0}, "cluster: 3 coordinates do not form rows of 2"},
		{"labels", []float64{1, 2}, 1, []int{0}, "cluster: 1 labels for 2 points"},
		{"empty", nil, 1, nil, "cluster: no points"},
		{"NaN", []float64{1, math.NaN()}, 1, []int{0, 1}, "cluster: point 1 coordinate 0 is not finite (NaN)"},
		{"one label", []float64{1, 2, 3}, 1, []int{0, 0, 0}, "cluster: number of labels out of range: number of labels is 1"},
	} {
		_, err := DaviesBouldin(c.x, c.d, c.labels)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to start with %q", c.name, err, c.want)
		}
		if c.name == "one label" && !errors.Is(err, ErrLabelCount) {
			t.Errorf("%s: %v does not wrap ErrLabelCount", c.name, err)
		}
	}
}

// matchReference fails t unless SilhouetteSamples agrees with the reference
// on every point, to 1e-12 (same formula, different summation order).
func matchReference(t *testing.T, what string, x []float64, d int, lab []int) {
	t.Helper()
	got, err := SilhouetteSamples(x, d, lab)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	want := refSilhouetteSamples(x, d, lab)
	for i := range want {
		if math.Abs(got[i]-want[i]) > 1e-12 {
			t.Fatalf("%s: s(%d) = %.17g, reference %.17g", what, i, got[i], want[i])
		}
	}
}
