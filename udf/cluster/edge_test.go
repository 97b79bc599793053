package cluster

import (
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

// Issue #10 §7: coordinates whose squares overflow made silhouette and
// Calinski-Harabasz NaN and Davies-Bouldin 0. The scale-free metrics must
// equal those of the same points at an ordinary magnitude; inertia, which
// is not scale-free, is an error when it exceeds float64.
func TestMetricsAtTheEdgeOfTheRange(t *testing.T) {
	cases := []struct {
		name   string
		x      []float64 // huge
		factor float64   // x·factor is ordinary
		labels []int
		d      int
	}{
		{"1e200 and 1e300", []float64{1e200, 1.1e200, 1.2e200, 0.9e200, 1e300, 1.1e300, 1.2e300, 0.9e300}, 1e-290,
			[]int{0, 0, 0, 0, 1, 1, 1, 1}, 1},
		{"near 1e307, 2-d", []float64{1e307, 2e306, 1.1e307, 2.5e306, 5e307, -3e307, 5.5e307, -3.2e307, -6e307, 1e307, -6.1e307, 1.3e307}, 1e-300,
			[]int{0, 0, 1, 1, 2, 2}, 2},
		{"both signs at the limit", []float64{1.7e308, 1.6e308, 1.65e308, -1.7e308, -1.6e308, -1.5e308}, 1e-300,
			[]int{0, 0, 0, 1, 1, 1}, 1},
	}
	metrics := []struct {
		name string
		f    func([]float64, int, []int) (float64, error)
	}{{"silhouette", Silhouette}, {"silhouette_simplified", SilhouetteSimplified},
		{"davies_bouldin", DaviesBouldin}, {"calinski_harabasz", CalinskiHarabasz}}
	for _, tc := range cases {
		small := make([]float64, len(tc.x))
		for i, v := range tc.x {
			small[i] = v * tc.factor
		}
		for _, m := range metrics {
			got, err := m.f(tc.x, tc.d, tc.labels)
			if err != nil {
				t.Fatalf("%s: %s: %v", tc.name, m.name, err)
			}
			want, err := m.f(small, tc.d, tc.labels)
			if err != nil {
				t.Fatal(err)
			}
			if !(math.Abs(got-want) <= 1e-12*math.Abs(want)) || want == 0 {
				t.Errorf("%s: %s = %v, want %v (the same points at an ordinary scale)", tc.name, m.name, got, want)
			}
		}
		if _, err := Inertia(tc.x, tc.d, tc.labels); err == nil || !strings.Contains(err.Error(), "exceeds the float64 range") {
			t.Errorf("%s: inertia error %v, want one saying it exceeds the float64 range", tc.name, err)
		}
	}
	// Large but representable: inertia scales back exactly.
	x := []float64{1e150, 2e150, 5e150, 6e150}
	got, err := Inertia(x, 1, []int{0, 0, 1, 1})
	if want := 4 * 0.5e150 * 0.5e150; err != nil || math.Abs(got-want) > 1e-12*want {
		t.Errorf("inertia of 1e150s = %v, %v; want %v", got, err, want)
	}
}

// Issue #10 §9: the silhouette's last bits varied between runs. Five runs
// with more workers than cores (so completion order varies) must agree bit
// for bit, in both modes.
func TestSilhouetteBitIdenticalAcrossRuns(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	x, lab := randomInput(rand.New(rand.NewPCG(11, 12)), 12000, 3, 5, 0)
	for _, mode := range []string{"symmetric", "row"} {
		if mode == "row" {
			forceRowMode(t)
		}
		first, err := Silhouette(x, 3, lab)
		if err != nil {
			t.Fatal(err)
		}
		for run := 1; run < 5; run++ {
			v, err := Silhouette(x, 3, lab)
			if err != nil {
				t.Fatal(err)
			}
			if math.Float64bits(v) != math.Float64bits(first) {
				t.Fatalf("%s mode: run %d gave %.17g (%#x), run 0 %.17g (%#x)", mode, run, v, math.Float64bits(v), first, math.Float64bits(first))
			}
		}
	}
}

// Issue #10 §9: a long silhouette could not be cancelled. Cancel is polled
// between row blocks; the computation stops with ErrCanceled long before
// the end, in both modes.
func TestSilhouetteCancel(t *testing.T) {
	x, lab := randomInput(rand.New(rand.NewPCG(13, 14)), 20000, 3, 4, 0)
	for _, mode := range []string{"symmetric", "row"} {
		if mode == "row" {
			forceRowMode(t)
		}
		var polls atomic.Int64
		var done, total atomic.Int64
		_, err := SilhouetteWith(x, 3, lab, SilhouetteOptions{
			Cancel:   func() bool { return polls.Add(1) > 3 },
			Progress: func(d, tot int) { done.Store(int64(d)); total.Store(int64(tot)) },
		})
		if !errors.Is(err, ErrCanceled) || !strings.HasPrefix(err.Error(), "cluster: ") {
			t.Fatalf("%s mode: error %v, want one wrapping ErrCanceled", mode, err)
		}
		if total.Load() > 0 && done.Load() >= total.Load()/2 {
			t.Errorf("%s mode: %d of %d units done before stopping", mode, done.Load(), total.Load())
		}
		// Without cancellation the same call completes.
		if _, err := SilhouetteWith(x, 3, lab, SilhouetteOptions{Cancel: func() bool { return false }}); err != nil {
			t.Fatal(err)
		}
	}
}

// forceRowMode makes the silhouette use its row mode until t ends.
func forceRowMode(t *testing.T) {
	old := symmetricBudget
	symmetricBudget = 0
	t.Cleanup(func() { symmetricBudget = old })
}
