package catalog

import (
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/custseg/custseg/internal/retailfixture"
	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/kmeans"
)

// hugeModel is issue #10 §7's model: one unscaled feature, centroids 1e300
// and 1e200, whose squared distances overflow.
const hugeModel = `{"kind":"kmeans","features":["x"],"transform":"none","k":2,"centroids":[[1e300],[1e200]]}`

func TestAssignSegmentAtTheEdgeOfTheRange(t *testing.T) {
	as, sd := Lookup("assign_segment"), Lookup("segment_distance")
	cases := []struct {
		name  string
		model string
		x     float64
		seg   int64
		dist  float64 // NaN: segment_distance is an error
	}{
		{"at 1e200 (answered 0, the farther one)", hugeModel, 1e200, 1, 0},
		{"near 1e200", hugeModel, 1.1e200, 1, 0.1e200},
		{"near 1e300", hugeModel, 1.2e300, 0, 0.2e300},
		{"beyond the largest DOUBLE", `{"kind":"kmeans","features":["x"],"transform":"none","k":2,"centroids":[[-1.7e308],[-1.5e308]]}`,
			1.5e308, 1, math.NaN()},
	}
	for _, tc := range cases {
		args := segArgs(tc.model, tc.x)
		v, err := as.CallScalar(&Call{}, args)
		if err != nil || v.Int != tc.seg {
			t.Errorf("%s: assign_segment = %v, %v; want %d", tc.name, v, err, tc.seg)
		}
		v, err = sd.CallScalar(&Call{}, args)
		if math.IsNaN(tc.dist) {
			if err == nil || !strings.HasPrefix(err.Error(), "segment_distance: the distance exceeds the largest DOUBLE") {
				t.Errorf("%s: segment_distance = %v, %v; want an error", tc.name, v, err)
			}
			continue
		}
		if err != nil || math.Abs(v.Float-tc.dist) > 1e-12*tc.dist {
			t.Errorf("%s: segment_distance = %v, %v; want %g", tc.name, v, err, tc.dist)
		}
	}
}

// aggregate runs f over rows through Step, Merge (two partial states) and
// Final, as the bindings do.
func aggregate(t *testing.T, f *Function, rows [][]Value) (Value, error) {
	t.Helper()
	a, b := f.NewAggregate(), f.NewAggregate()
	for i, r := range rows {
		st := a
		if i%2 == 1 {
			st = b
		}
		if err := f.Step(&Call{}, st, r); err != nil {
			return Value{}, err
		}
	}
	if err := f.Merge(a, b); err != nil {
		return Value{}, err
	}
	return f.Final(&Call{}, a)
}

// Issue #10 §7: near 1e307, davies_bouldin answered 0 and silhouette and
// calinski_harabasz NaN. They must equal the same points at 1e7.
func TestMetricAggregatesAtTheEdgeOfTheRange(t *testing.T) {
	pts := [][2]float64{{1e307, 2e306}, {1.1e307, 2.5e306}, {5e307, -3e307}, {5.5e307, -3.2e307}, {-6e307, 1e307}, {-6.1e307, 1.3e307}}
	rows := func(scale float64) [][]Value {
		var out [][]Value
		for i, p := range pts {
			out = append(out, []Value{IntValue(int64(i / 2)), DoubleValue(p[0] * scale), DoubleValue(p[1] * scale)})
		}
		return out
	}
	for _, name := range []string{"silhouette", "silhouette_simplified", "davies_bouldin", "calinski_harabasz"} {
		f := Lookup(name)
		got, err := aggregate(t, f, rows(1))
		if err != nil || got.Type != Double {
			t.Fatalf("%s near 1e307: %v, %v", name, got, err)
		}
		want, _ := aggregate(t, f, rows(1e-300))
		if !(math.Abs(got.Float-want.Float) <= 1e-12*math.Abs(want.Float)) || want.Float == 0 {
			t.Errorf("%s near 1e307 = %v, at 1e7 %v", name, got.Float, want.Float)
		}
	}
	if v, err := aggregate(t, Lookup("inertia"), rows(1)); err == nil || !strings.HasPrefix(err.Error(), "inertia: ") ||
		!strings.Contains(err.Error(), "exceeds the float64 range") {
		t.Errorf("inertia near 1e307 = %v, %v; want an error", v, err)
	}
}

func TestSegmentCoordinate(t *testing.T) {
	f := Lookup("segment_coordinate")
	c := &Call{Store: &segTestStore{map[string][2]string{"seg": {"kmeans", segTestModel}}}}
	// segTestModel: no transform, center 0, scales 1, 2, 4.
	for i, want := range []float64{10, 10, 10} {
		v, err := f.CallScalar(c, append([]Value{TextValue("seg"), IntValue(int64(i + 1))}, segArgs("", 10, 20, 40)[1:]...))
		if err != nil || v.Float != want {
			t.Errorf("coordinate %d = %v, %v; want %v", i+1, v, err, want)
		}
	}
	for _, tc := range []struct {
		args []Value
		want string
	}{
		{[]Value{TextValue("seg"), IntValue(0), IntValue(1), IntValue(2), IntValue(3)}, "segment_coordinate: i = 0 is out of range: the model has coordinates 1..3"},
		{[]Value{TextValue("seg"), IntValue(4), IntValue(1), IntValue(2), IntValue(3)}, "i = 4 is out of range"},
		{[]Value{TextValue("seg"), IntValue(1), IntValue(1), IntValue(2)}, "segment_coordinate: the model wants 3 features"},
		{[]Value{TextValue("seg"), IntValue(1), IntValue(1), TextValue("x"), IntValue(3)}, `feature "frequency" (argument 4) must be a number`},
		{[]Value{TextValue(hugeModel), IntValue(1), DoubleValue(math.Inf(1))}, `segment_coordinate: feature "x" is not a finite number`},
	} {
		if _, err := f.CallScalar(c, tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: err = %v, want %q", tc.args, err, tc.want)
		}
	}
	if v, err := f.CallScalar(c, []Value{TextValue("seg"), NullValue(), IntValue(1), IntValue(2), IntValue(3)}); err != nil || !v.IsNull() {
		t.Errorf("NULL i: %v, %v; want NULL", v, err)
	}
}

func TestSegmentSilhouette(t *testing.T) {
	f := Lookup("segment_silhouette")
	var rows [][]Value
	var z []float64
	var labels []int
	m, _ := kmeans.ParseModel(segTestModel)
	for i := 0; i < 30; i++ {
		x := []float64{float64(i % 3 * 10), float64((i%3)*20 + i%4), float64((i%3)*40 - i%5)}
		rows = append(rows, segArgs(segTestModel, x[0], x[1], x[2]))
		zi := make([]float64, 3)
		l, _, _ := m.AssignInto(zi, x)
		z, labels = append(z, zi...), append(labels, l)
	}
	want, err := cluster.Silhouette(z, 3, labels)
	if err != nil {
		t.Fatal(err)
	}
	got, err := aggregate(t, f, append(rows, segArgs(segTestModel, 1, nil, 2))) // the NULL row is skipped
	if err != nil || math.Abs(got.Float-want) > 1e-12 {
		t.Errorf("segment_silhouette = %v, %v; want %v", got, err, want)
	}
	// One segment only, and no rows: NULL.
	if v, err := aggregate(t, f, rows[:1]); err != nil || !v.IsNull() {
		t.Errorf("one row: %v, %v; want NULL", v, err)
	}
	if v, err := aggregate(t, f, nil); err != nil || !v.IsNull() {
		t.Errorf("no rows: %v, %v; want NULL", v, err)
	}
	// Every row names the same model.
	other := strings.Replace(segTestModel, `"A","B","C"`, `"X","Y","Z"`, 1)
	if _, err := aggregate(t, f, [][]Value{rows[0], rows[1], segArgs(other, 1, 2, 3)}); err == nil ||
		!strings.Contains(err.Error(), "segment_silhouette: every row must name the same model") {
		t.Errorf("two models: %v", err)
	}
	// Cancelled through the Cancelable hook the bindings call.
	st := f.NewAggregate()
	for _, r := range rows {
		if err := f.Step(&Call{}, st, r); err != nil {
			t.Fatal(err)
		}
	}
	var polls atomic.Int64
	st.(Cancelable).SetCancel(func() bool { return polls.Add(1) > 0 })
	if _, err := f.Final(&Call{}, st); !errors.Is(err, cluster.ErrCanceled) || !strings.HasPrefix(err.Error(), "segment_silhouette: ") {
		t.Errorf("cancelled: %v; want an error wrapping cluster.ErrCanceled", err)
	}
	if _, ok := Lookup("silhouette").NewAggregate().(Cancelable); !ok {
		t.Error("the silhouette aggregate is not Cancelable")
	}
}

// Issue #11 §1: over the real Online Retail customers, segment_silhouette
// reproduces the model's stored (exact) silhouette, and inertia over the
// model's own labels and coordinates reproduces the stored inertia.
func TestSegmentSilhouetteReproducesStoredOnRetail(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 540k transactions")
	}
	rows, n := retailfixture.Customers(t)
	features := []string{"recency_days", "frequency", "monetary"}
	m, err := kmeans.Train(rows, n, features, kmeans.TrainOptions{K: 4, Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	if m.SilhouetteMethod != kmeans.SilhouetteExact || m.SilhouetteSampleSize != n {
		t.Fatalf("silhouette of %d rows stored as %q on %d rows, want exact", n, m.SilhouetteMethod, m.SilhouetteSampleSize)
	}
	spec, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	c := &Call{Store: &segTestStore{map[string][2]string{"segments": {"kmeans", spec}}}}
	sil, in := Lookup("segment_silhouette"), Lookup("inertia")
	silSt, inSt := sil.NewAggregate(), in.NewAggregate()
	coord, assign := Lookup("segment_coordinate"), Lookup("assign_segment")
	for i := 0; i < n; i++ {
		x := segArgs("segments", rows[3*i], rows[3*i+1], rows[3*i+2])
		if err := sil.Step(c, silSt, x); err != nil {
			t.Fatal(err)
		}
		label, err := assign.CallScalar(c, x)
		if err != nil {
			t.Fatal(err)
		}
		inRow := []Value{label}
		for j := 1; j <= 3; j++ {
			v, err := coord.CallScalar(c, append([]Value{x[0], IntValue(int64(j))}, x[1:]...))
			if err != nil {
				t.Fatal(err)
			}
			inRow = append(inRow, v)
		}
		if err := in.Step(c, inSt, inRow); err != nil {
			t.Fatal(err)
		}
	}
	got, err := sil.Final(c, silSt)
	if want := m.Metrics["silhouette"]; err != nil || math.Abs(got.Float-want) > 1e-9 {
		t.Errorf("segment_silhouette over the training rows = %v, %v; stored %.17g", got, err, want)
	}
	got, err = in.Final(c, inSt)
	if want := m.Metrics["inertia"]; err != nil || math.Abs(got.Float-want) > 1e-9*want {
		t.Errorf("inertia over the training labels = %v, %v; stored %.17g", got, err, want)
	}
	if !strings.HasSuffix(m.SilhouetteText(), " (exact)") {
		t.Errorf("SilhouetteText = %q, want it labelled exact", m.SilhouetteText())
	}
}
