package kmeans

import (
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/cluster"
)

// hugeValues are issue #10 §7's table: `custseg train --k 2 --transform
// none --scale none` on them panicked in k-means++ seeding because every
// squared distance was +Inf.
var hugeValues = []float64{1e200, 1.1e200, 1.2e200, 0.9e200, 1e300, 1.1e300, 1.2e300, 0.9e300}

func TestFitHugeValues(t *testing.T) {
	cases := []struct {
		name    string
		x       []float64
		inertia float64 // want; +Inf when the true value exceeds float64
	}{
		{"1e200 and 1e300", hugeValues, math.Inf(1)},
		// Same shape, small enough that the inertia fits: it must be the
		// unscaled problem's (the members' spread, 0.05e150² · 4 + ...).
		{"1e140 and 1e150", []float64{1e140, 1.1e140, 1.2e140, 0.9e140, 1e150, 1.1e150, 1.2e150, 0.9e150}, 0.05e300},
		{"near the float64 limit", []float64{1.7e308, 1.6e308, -1.7e308, -1.6e308}, math.Inf(1)},
	}
	for _, tc := range cases {
		n := len(tc.x)
		r, err := Fit(tc.x, n, 1, 2, Options{Seed: 1})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		half := n / 2
		for i := 0; i < n; i++ {
			if r.Labels[i] != r.Labels[(i/half)*half] || (i >= half && r.Labels[i] == r.Labels[0]) {
				t.Fatalf("%s: labels %v do not split the two groups", tc.name, r.Labels)
			}
		}
		for c := 0; c < 2; c++ {
			sum, cnt := 0.0, 0.0
			for i, l := range r.Labels {
				if l == c {
					sum, cnt = sum+tc.x[i]/4, cnt+1 // /4 keeps the sum finite
				}
			}
			if want := sum / cnt * 4; math.Abs(r.Centroids[c]-want) > 1e-15*math.Abs(want) {
				t.Errorf("%s: centroid %d = %g, want its members' mean %g", tc.name, c, r.Centroids[c], want)
			}
		}
		if math.IsInf(tc.inertia, 1) != math.IsInf(r.Inertia, 1) ||
			!math.IsInf(tc.inertia, 1) && math.Abs(r.Inertia-tc.inertia) > 1e-12*tc.inertia {
			t.Errorf("%s: inertia %g, want %g", tc.name, r.Inertia, tc.inertia)
		}
	}
}

func TestTrainHugeValues(t *testing.T) {
	_, err := Train(hugeValues, len(hugeValues), []string{"x"}, TrainOptions{K: 2, Transform: TransformNone, Scaler: ScaleNone})
	if err == nil || !strings.Contains(err.Error(), "exceeds the float64 range") || !strings.HasPrefix(err.Error(), "kmeans: ") {
		t.Fatalf("Train on 1e300 unscaled: %v; want a clear error", err)
	}
	// The default transform and scaling make the same data trainable.
	m, err := Train(hugeValues, len(hugeValues), []string{"x"}, TrainOptions{K: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.JSON(); err != nil {
		t.Fatal(err)
	}
}

func TestAssignHugeCentroids(t *testing.T) {
	spec := func(c0, c1 float64) *Model {
		m := &Model{Kind: Kind, Features: []string{"x"}, Transform: TransformNone, K: 2, Centroids: [][]float64{{c0}, {c1}}}
		if err := m.init(); err != nil {
			t.Fatal(err)
		}
		return m
	}
	cases := []struct {
		name     string
		c0, c1   float64
		x        float64
		seg      int
		distance float64
	}{
		{"issue #10: at 1e200, centroids 1e300 and 1e200", 1e300, 1e200, 1e200, 1, 0},
		{"near 1e200", 1e300, 1e200, 1.1e200, 1, 0.1e200},
		{"near 1e300", 1e300, 1e200, 0.9e300, 0, 0.1e300},
		{"ordinary values unchanged", 3, 1, 1.5, 1, 0.5},
		{"both directions at the limit", -1.5e308, 1.5e308, 1.4e308, 1, 0.1e308},
		{"distance beyond float64", -1.5e308, -1.7e308, 1.5e308, 0, math.Inf(1)},
	}
	for _, tc := range cases {
		seg, dist, err := spec(tc.c0, tc.c1).Assign([]float64{tc.x})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if seg != tc.seg {
			t.Errorf("%s: segment %d, want %d", tc.name, seg, tc.seg)
		}
		if math.IsInf(tc.distance, 1) != math.IsInf(dist, 1) || math.Abs(dist-tc.distance) > 1e-12*math.Abs(tc.distance) {
			t.Errorf("%s: distance %g, want %g", tc.name, dist, tc.distance)
		}
	}
	// A scaled coordinate that overflows is an error naming the feature.
	m := &Model{Kind: Kind, Features: []string{"x"}, Transform: TransformNone, K: 1, Centroids: [][]float64{{0}},
		Scaler: Scaler{Method: ScaleStandard, Center: []float64{-1e308}, Scale: []float64{1}}}
	if err := m.init(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := m.Assign([]float64{1e308}); err == nil || !strings.Contains(err.Error(), `"x"`) {
		t.Errorf("overflowing scaled coordinate: %v; want an error naming x", err)
	}
}

// The stored inertia is measured from the stored centroids and the inertia
// aggregate from the labels' group means: after Fit's final update both are
// the same number.
func TestStoredInertiaEqualsGroupMeans(t *testing.T) {
	rows := rfmRows(3000, 5)
	m, err := Train(rows, 3000, rfmFeatures, TrainOptions{K: 5, Seed: 2, Tol: 1e-2}) // a loose tol stops Lloyd early
	if err != nil {
		t.Fatal(err)
	}
	z := make([]float64, len(rows))
	labels := make([]int, 3000)
	for i := range labels {
		labels[i], _, err = m.AssignInto(z[3*i:3*i+3], rows[3*i:3*i+3])
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := cluster.Inertia(z, 3, labels)
	if err != nil {
		t.Fatal(err)
	}
	if want := m.Metrics["inertia"]; math.Abs(got-want) > 1e-9*want {
		t.Errorf("inertia aggregate over the model's labels %.17g, stored %.17g", got, want)
	}
}

// Issue #11 §1: the model records whether its silhouette is exact or
// sampled, and SilhouetteText labels it so wherever it is printed.
func TestSilhouetteMethodStored(t *testing.T) {
	rows := rfmRows(1500, 3)
	exact, err := Train(rows, 1500, rfmFeatures, TrainOptions{K: 4, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if exact.SilhouetteMethod != SilhouetteExact || !strings.HasSuffix(exact.SilhouetteText(), " (exact)") {
		t.Errorf("1,500 rows: method %q, text %q; want exact", exact.SilhouetteMethod, exact.SilhouetteText())
	}
	sampled, err := Train(rows, 1500, rfmFeatures, TrainOptions{K: 4, Seed: 9, SampleSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	text := sampled.SilhouetteText()
	if sampled.SilhouetteMethod != SilhouetteSampled || !strings.Contains(text, "(sampled, n = 500, ± 0.") {
		t.Errorf("sample of 500: method %q, text %q", sampled.SilhouetteMethod, text)
	}
	spec, _ := sampled.JSON()
	back, err := ParseModel(spec)
	if err != nil || back.SilhouetteText() != text {
		t.Errorf("after a JSON round trip: %q, %v; want %q", back.SilhouetteText(), err, text)
	}
}
