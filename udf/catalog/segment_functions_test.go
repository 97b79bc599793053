package catalog

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/kmeans"
)

// segTestStore is an in-memory model registry: name → (kind, spec). It is
// used through a pointer: the catalog's cache keys on the store, which must
// be comparable.
type segTestStore struct{ m map[string][2]string }

func (s *segTestStore) LookupModel(name string, version int64) (string, string, error) {
	e, ok := s.m[name]
	if !ok {
		return "", "", fmt.Errorf("%s: %w", name, ErrModelNotFound)
	}
	return e[0], e[1], nil
}

func init() {
	// A model kind that is not kmeans, to test the kind check.
	RegisterModelKind("segtest-other", func(spec string) (any, error) { return spec, nil })
}

const segTestModel = `{"kind":"kmeans","features":["recency_days","frequency","monetary"],
"transform":"none","scaler":{"method":"standard","center":[0,0,0],"scale":[1,2,4]},
"k":3,"centroids":[[0,0,0],[10,10,10],[0,10,0]],"segment_names":["A","B","C"]}`

func segArgs(model string, x ...any) []Value {
	args := []Value{TextValue(model)}
	for _, v := range x {
		switch v := v.(type) {
		case int:
			args = append(args, IntValue(int64(v)))
		case float64:
			args = append(args, DoubleValue(v))
		case string:
			args = append(args, TextValue(v))
		case nil:
			args = append(args, NullValue())
		}
	}
	return args
}

func TestAssignSegmentAndDistance(t *testing.T) {
	c := &Call{Store: &segTestStore{map[string][2]string{"seg": {"kmeans", segTestModel}}}}
	cases := []struct {
		name      string
		args      []Value
		seg       int64
		dist, tol float64
	}{
		{"at centroid B", segArgs(segTestModel, 10, 20, 40), 1, 0, 0},
		{"near A, by name", segArgs("seg", 3.0, 0.0, 0.0), 0, 3, 0},
		{"near C", segArgs("seg", 1, 19, 0), 2, math.Sqrt(1 + 0.25), 1e-15},
		{"tie A/C goes to A", segArgs("seg", 0, 10, 0), 0, 5, 0},
	}
	as, sd := Lookup("assign_segment"), Lookup("segment_distance")
	for _, tc := range cases {
		v, err := as.CallScalar(c, tc.args)
		if err != nil || v.Type != Integer || v.Int != tc.seg {
			t.Errorf("%s: assign_segment = %v, %v; want %d", tc.name, v, err, tc.seg)
		}
		v, err = sd.CallScalar(c, tc.args)
		if err != nil || v.Type != Double || math.Abs(v.Float-tc.dist) > tc.tol {
			t.Errorf("%s: segment_distance = %v, %v; want %v", tc.name, v, err, tc.dist)
		}
	}
	if v, err := as.CallScalar(c, segArgs("seg", 1, nil, 3)); err != nil || !v.IsNull() {
		t.Errorf("NULL feature: %v, %v; want NULL", v, err)
	}
	args := segArgs("seg", 1.0, 2.0, 3.0)
	if allocs := testing.AllocsPerRun(1000, func() { as.CallScalar(c, args) }); allocs != 0 {
		t.Errorf("assign_segment allocates %v times per call", allocs)
	}
}

func TestAssignSegmentErrors(t *testing.T) {
	c := &Call{Store: &segTestStore{map[string][2]string{"seg": {"kmeans", segTestModel}, "other": {"segtest-other", "{}"}}}}
	log := strings.Replace(segTestModel, `"transform":"none"`, `"transform":"log1p"`, 1)
	cases := []struct {
		name string
		args []Value
		want string
	}{
		{"too few features", segArgs("seg", 1, 2), "assign_segment: the model wants 3 features (recency_days, frequency, monetary), got 2"},
		{"too many features", segArgs("seg", 1, 2, 3, 4), "wants 3 features"},
		{"wrong kind", segArgs("other", 1, 2, 3), `assign_segment: model "other" is a segtest-other model, not a kmeans model`},
		{"unknown model", segArgs("nope", 1, 2, 3), `assign_segment: unknown model "nope"`},
		{"text feature", segArgs("seg", 1, "x", 3), `assign_segment: feature "frequency" (argument 3) must be a number`},
		{"NaN feature", segArgs("seg", math.NaN(), 2, 3), `assign_segment: feature "recency_days" is not a finite number`},
		{"log1p below -1", segArgs(log, 1, -2, 3), `assign_segment: feature "frequency" = -2: log1p needs values above -1`},
		{"corrupt JSON", segArgs(`{"kind":"kmeans","k":0}`, 1), "assign_segment: corrupt model JSON"},
	}
	for _, tc := range cases {
		_, err := Lookup("assign_segment").CallScalar(c, tc.args)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestSegmentName(t *testing.T) {
	f := Lookup("segment_name")
	c := &Call{}
	for id, want := range []string{"A", "B", "C"} {
		v, err := f.CallScalar(c, segArgs(segTestModel, id))
		if err != nil || v.Text != want {
			t.Errorf("segment_name(%d) = %v, %v; want %s", id, v, err, want)
		}
	}
	for _, id := range []int{-1, 3} {
		_, err := f.CallScalar(c, segArgs(segTestModel, id))
		if err == nil || !strings.Contains(err.Error(), "segment_name: segment "+fmt.Sprint(id)+" is out of range: the model has segments 0..2") {
			t.Errorf("segment_name(%d): err = %v", id, err)
		}
	}
}

// A model trained by udf/kmeans and read from the registry assigns every
// training row to its training segment.
func TestAssignSegmentTrainedModel(t *testing.T) {
	n := 600
	rows := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		g := i % 3
		rows = append(rows, float64(5+g*100+i%7), float64(1+g*4+i%3), float64(50+g*900+(i*37)%101))
	}
	m, err := kmeans.Train(rows, n, []string{"recency_days", "frequency", "monetary"}, kmeans.TrainOptions{K: 3, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := m.JSON()
	c := &Call{Store: &segTestStore{map[string][2]string{"trained": {"kmeans", spec}}}}
	f := Lookup("assign_segment")
	sizes := make([]int, 3)
	for i := 0; i < n; i++ {
		v, err := f.CallScalar(c, segArgs("trained", rows[3*i], rows[3*i+1], rows[3*i+2]))
		if err != nil {
			t.Fatal(err)
		}
		sizes[v.Int]++
	}
	for s := range sizes {
		if sizes[s] != m.SegmentSizes[s] {
			t.Errorf("segment sizes %v, training %v", sizes, m.SegmentSizes)
			break
		}
	}
}

// metricRows is a 3-cluster 2-D group with integer and text labels.
func metricRows() (x []float64, labels []int, text []string) {
	names := []string{"north", "south", "east"}
	for i := 0; i < 40; i++ {
		l := i % 3
		x = append(x, float64(l*5)+float64((i*7)%5)/4, float64((i*11)%6)/3)
		labels = append(labels, l)
		text = append(text, names[l])
	}
	return
}

func TestMetricAggregates(t *testing.T) {
	x, labels, text := metricRows()
	direct := map[string]func([]float64, int, []int) (float64, error){
		"silhouette": cluster.Silhouette, "silhouette_simplified": cluster.SilhouetteSimplified,
		"davies_bouldin": cluster.DaviesBouldin, "calinski_harabasz": cluster.CalinskiHarabasz, "inertia": cluster.Inertia,
	}
	for name, fn := range direct {
		f := Lookup(name)
		want, err := fn(x, 2, labels)
		if err != nil {
			t.Fatal(err)
		}
		for _, useText := range []bool{false, true} {
			// Rows split over three partial states (DuckDB's parallel
			// aggregation) then merged; a NULL row is skipped.
			parts := []AggregateState{f.NewAggregate(), f.NewAggregate(), f.NewAggregate()}
			for i := range labels {
				var lab Value = IntValue(int64(labels[i]*10 + 7))
				if useText {
					lab = TextValue(text[i])
				}
				if err := f.Step(&Call{}, parts[(i*5)%3], []Value{lab, DoubleValue(x[2*i]), DoubleValue(x[2*i+1])}); err != nil {
					t.Fatal(err)
				}
			}
			if err := f.Step(&Call{}, parts[1], []Value{IntValue(1), NullValue(), DoubleValue(1)}); err != nil {
				t.Fatal(err)
			}
			if err := f.Merge(parts[1], parts[2]); err != nil {
				t.Fatal(err)
			}
			if err := f.Merge(parts[0], parts[1]); err != nil {
				t.Fatal(err)
			}
			v, err := f.Final(&Call{}, parts[0])
			if err != nil || v.Type != Double {
				t.Fatalf("%s: %v, %v", name, v, err)
			}
			// Same points, another row order: equal up to summation order.
			if math.Abs(v.Float-want) > 1e-12*math.Max(1, math.Abs(want)) {
				t.Errorf("%s (text labels %v) = %.17g, direct %.17g", name, useText, v.Float, want)
			}
		}
	}
}

func TestMetricAggregateNulls(t *testing.T) {
	for _, name := range []string{"silhouette", "silhouette_simplified", "davies_bouldin", "calinski_harabasz", "inertia"} {
		f := Lookup(name)
		empty := f.NewAggregate()
		if v, err := f.Final(&Call{}, empty); err != nil || !v.IsNull() {
			t.Errorf("%s of no rows = %v, %v; want NULL", name, v, err)
		}
		one := f.NewAggregate()
		for i := 0; i < 3; i++ {
			f.Step(&Call{}, one, []Value{TextValue("only"), DoubleValue(float64(i))})
		}
		v, err := f.Final(&Call{}, one)
		if name == "inertia" {
			// One cluster {0,1,2}: Σ (x − 1)² = 2.
			if err != nil || v.Float != 2 {
				t.Errorf("inertia of one cluster = %v, %v; want 2", v, err)
			}
		} else if err != nil || !v.IsNull() {
			t.Errorf("%s of one cluster = %v, %v; want NULL", name, v, err)
		}
	}
	// Every row its own cluster: silhouette is undefined (NULL).
	f := Lookup("silhouette")
	st := f.NewAggregate()
	for i := 0; i < 3; i++ {
		f.Step(&Call{}, st, []Value{IntValue(int64(i)), DoubleValue(float64(i))})
	}
	if v, err := f.Final(&Call{}, st); err != nil || !v.IsNull() {
		t.Errorf("silhouette of singletons = %v, %v; want NULL", v, err)
	}
}

func TestMetricAggregateErrors(t *testing.T) {
	f := Lookup("silhouette")
	st := f.NewAggregate()
	if err := f.Step(&Call{}, st, []Value{IntValue(0), DoubleValue(1), DoubleValue(2)}); err != nil {
		t.Fatal(err)
	}
	err := f.Step(&Call{}, st, []Value{IntValue(1), DoubleValue(1)})
	if err == nil || !strings.Contains(err.Error(), "silhouette: every row must have the same number of features: got 1 after 2") {
		t.Errorf("changing d: %v", err)
	}
	err = f.Step(&Call{}, st, []Value{TextValue("a"), DoubleValue(1), DoubleValue(2)})
	if err == nil || !strings.Contains(err.Error(), "labels must be all integers or all text") {
		t.Errorf("mixed labels: %v", err)
	}
	err = f.Step(&Call{}, st, []Value{DoubleValue(0.5), DoubleValue(1), DoubleValue(2)})
	if err == nil || !strings.Contains(err.Error(), "silhouette: label must be an integer or text") {
		t.Errorf("fractional label: %v", err)
	}
	err = f.Step(&Call{}, st, []Value{IntValue(1), DoubleValue(math.Inf(1)), DoubleValue(2)})
	if err == nil || !strings.HasPrefix(err.Error(), "silhouette: x1 must be a finite number") {
		t.Errorf("infinite feature: %v", err)
	}
	other := f.NewAggregate()
	f.Step(&Call{}, other, []Value{IntValue(1), DoubleValue(1)})
	if err := f.Merge(st, other); err == nil || !strings.Contains(err.Error(), "same number of features") {
		t.Errorf("merging d=1 into d=2: %v", err)
	}
	if err := f.CheckArity(1); err == nil {
		t.Error("silhouette(label) without features accepted")
	}
}

func BenchmarkAssignSegment(b *testing.B) {
	c := &Call{}
	f := Lookup("assign_segment")
	args := segArgs(segTestModel, 1.0, 2.0, 3.0)
	for b.Loop() {
		if _, err := f.CallScalar(c, args); err != nil {
			b.Fatal(err)
		}
	}
}
