package kmeans

import (
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/internal/num"
)

// rfmRows makes n synthetic customers (recency days, frequency, monetary)
// from four behaviours, log-normal-ish so log1p makes sense.
func rfmRows(n int, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 1))
	type prof struct{ rec, freq, mon float64 }
	profs := []prof{{10, 20, 5000}, {300, 1, 80}, {20, 1, 150}, {150, 6, 900}}
	rows := make([]float64, 0, 3*n)
	for i := 0; i < n; i++ {
		p := profs[i%len(profs)]
		jit := func(v float64) float64 { return math.Round(v * math.Exp(0.25*r.NormFloat64())) }
		rows = append(rows, jit(p.rec), math.Max(1, jit(p.freq)), jit(p.mon)+0.5)
	}
	return rows
}

var rfmFeatures = []string{"recency_days", "frequency", "monetary"}

func TestTrainAssignReproducesLabels(t *testing.T) {
	for _, scaler := range []string{"standard", "robust", "none"} {
		rows := rfmRows(2000, 1)
		m, err := Train(rows, 2000, rfmFeatures, TrainOptions{K: 4, Seed: 1, Scaler: scaler})
		if err != nil {
			t.Fatal(err)
		}
		spec, err := m.JSON()
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := ParseModel(spec)
		if err != nil {
			t.Fatalf("%s: parse own JSON: %v", scaler, err)
		}
		// Refit on the same scaled data gives the training labels to compare with.
		p, _ := prepare(rows, 2000, rfmFeatures, TrainOptions{Transform: "log1p", Scaler: scaler})
		r, err := Fit(p.z, 2000, 3, 4, Options{Seed: 1, NInit: 10})
		if err != nil {
			t.Fatal(err)
		}
		sizes := make([]int, 4)
		for i := 0; i < 2000; i++ {
			seg, dist, err := parsed.Assign(rows[i*3 : i*3+3])
			if err != nil {
				t.Fatal(err)
			}
			if seg != r.Labels[i] {
				t.Fatalf("%s: row %d assigned %d, trained label %d", scaler, i, seg, r.Labels[i])
			}
			want := math.Sqrt(num.SqDist(p.z[i*3:i*3+3], r.Centroids[seg*3:seg*3+3]))
			if dist != want { // same arithmetic, bit-identical
				t.Fatalf("row %d distance %v, want %v", i, dist, want)
			}
			sizes[seg]++
		}
		if !reflect.DeepEqual(sizes, m.SegmentSizes) {
			t.Errorf("%s: sizes %v, model says %v", scaler, sizes, m.SegmentSizes)
		}
		for _, k := range []string{"inertia", "silhouette", "davies_bouldin", "calinski_harabasz"} {
			if _, ok := m.Metrics[k]; !ok {
				t.Errorf("%s: metric %s missing", scaler, k)
			}
		}
		if m.SilhouetteSampleSize != 2000 || m.TrainingRows != 2000 || !strings.HasPrefix(m.Fingerprint, "sha256:") {
			t.Errorf("%s: sample %d rows %d fingerprint %q", scaler, m.SilhouetteSampleSize, m.TrainingRows, m.Fingerprint)
		}
	}
}

func TestTrainSameSeedSameModel(t *testing.T) {
	rows := rfmRows(1500, 2)
	a, err := Train(rows, 1500, rfmFeatures, TrainOptions{K: 4, Seed: 9, SampleSize: 500})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(rows, 1500, rfmFeatures, TrainOptions{K: 4, Seed: 9, SampleSize: 500})
	ja, _ := a.JSON()
	jb, _ := b.JSON()
	if ja != jb {
		t.Errorf("same seed gave different models:\n%s\n%s", ja, jb)
	}
	if a.SilhouetteSampleSize != 500 {
		t.Errorf("silhouette sample %d, want 500", a.SilhouetteSampleSize)
	}
}

func TestScalers(t *testing.T) {
	rows := []float64{1, 10, 2, 10, 3, 10, 4, 10, 10, 10} // second feature constant
	p, err := prepare(rows, 5, []string{"a", "b"}, TrainOptions{Transform: "none", Scaler: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	// mean 4, population variance (9+4+1+0+36)/5 = 10; constant feature → scale 1.
	s := p.m.Scaler
	if s.Center[0] != 4 || math.Abs(s.Scale[0]-math.Sqrt(10)) > 1e-15 || s.Center[1] != 10 || s.Scale[1] != 1 {
		t.Errorf("standard scaler %+v", s)
	}
	p, _ = prepare(rows, 5, []string{"a", "b"}, TrainOptions{Transform: "none", Scaler: "robust"})
	// numpy.percentile([1,2,3,4,10], [25,50,75]) = 2, 3, 4 → median 3, IQR 2.
	s = p.m.Scaler
	if s.Center[0] != 3 || s.Scale[0] != 2 || s.Scale[1] != 1 {
		t.Errorf("robust scaler %+v", s)
	}
}

func TestTrainErrors(t *testing.T) {
	cases := []struct {
		name string
		rows []float64
		n    int
		opts TrainOptions
		want string
	}{
		{"one row", []float64{1, 2, 3}, 1, TrainOptions{K: 2}, "more than the 1 rows"},
		{"all equal rows", []float64{1, 2, 3, 1, 2, 3, 1, 2, 3}, 3, TrainOptions{K: 2}, "only 1 distinct rows"},
		{"NaN", []float64{1, 2, 3, 1, math.NaN(), 3}, 2, TrainOptions{K: 2}, `row 1: feature "frequency" is not a finite number`},
		{"log1p below -1", []float64{1, 2, 3, -2, 2, 3}, 2, TrainOptions{K: 2}, `feature "recency_days" = -2: log1p`},
		{"bad scaler", []float64{1, 2, 3}, 1, TrainOptions{K: 2, Scaler: "minmax"}, `kmeans: scaling "minmax": use standard, robust or none`},
		{"bad transform", []float64{1, 2, 3}, 1, TrainOptions{K: 2, Transform: "log"}, `kmeans: transform "log": use log1p or none`},
		{"ragged", []float64{1, 2}, 1, TrainOptions{K: 2}, "do not make"},
	}
	for _, tc := range cases {
		_, err := Train(tc.rows, tc.n, rfmFeatures, tc.opts)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

const inlineModel = `{"kind":"kmeans","features":["recency_days","frequency","monetary"],
"transform":"none","scaler":{"method":"standard","center":[0,0,0],"scale":[1,2,4]},
"k":2,"centroids":[[0,0,0],[10,10,10]],"segment_names":["A","B"]}`

func TestParseModelAndAssign(t *testing.T) {
	m, err := ParseModel(inlineModel)
	if err != nil {
		t.Fatal(err)
	}
	seg, dist, err := m.Assign([]float64{10, 20, 40}) // scaled (10,10,10)
	if err != nil || seg != 1 || dist != 0 {
		t.Errorf("Assign = %d, %v, %v; want 1, 0", seg, dist, err)
	}
	seg, dist, _ = m.Assign([]float64{3, 0, 0}) // scaled (3,0,0): 3 from A
	if seg != 0 || dist != 3 {
		t.Errorf("Assign = %d, %v; want 0, 3", seg, dist)
	}
	// Equidistant (5,5,5): the tie goes to the lower id.
	if seg, _, _ := m.Assign([]float64{5, 10, 20}); seg != 0 {
		t.Errorf("tie went to %d", seg)
	}
	if allocs := testing.AllocsPerRun(1000, func() { m.Assign([]float64{1, 2, 3}) }); allocs != 0 {
		t.Errorf("Assign allocates %v times", allocs)
	}
	log, _ := ParseModel(strings.Replace(inlineModel, `"transform":"none"`, `"transform":"log1p"`, 1))
	if _, _, err := log.Assign([]float64{1, -1.5, 3}); err == nil || !strings.Contains(err.Error(), `"frequency"`) {
		t.Errorf("log1p(-1.5): err = %v", err)
	}
	if _, _, err := log.Assign([]float64{math.NaN(), 1, 3}); err == nil || !strings.Contains(err.Error(), `"recency_days"`) {
		t.Errorf("NaN: err = %v", err)
	}
	if _, _, err := m.Assign([]float64{1, 2}); err == nil {
		t.Error("2 values for 3 features accepted")
	}
}

func TestParseModelRejects(t *testing.T) {
	cases := map[string]string{
		"wrong kind":        strings.Replace(inlineModel, `"kmeans"`, `"rfm"`, 1),
		"k zero":            strings.Replace(inlineModel, `"k":2`, `"k":0`, 1),
		"k mismatch":        strings.Replace(inlineModel, `"k":2`, `"k":3`, 1),
		"short centroid":    strings.Replace(inlineModel, `[10,10,10]`, `[10,10]`, 1),
		"zero scale":        strings.Replace(inlineModel, `[1,2,4]`, `[1,0,4]`, 1),
		"short scaler":      strings.Replace(inlineModel, `[1,2,4]`, `[1,2]`, 1),
		"bad transform":     strings.Replace(inlineModel, `"none"`, `"sqrt"`, 1),
		"names mismatch":    strings.Replace(inlineModel, `["A","B"]`, `["A"]`, 1),
		"not JSON":          `{"kind":`,
		"non-finite number": strings.Replace(inlineModel, `[0,0,0],[10`, `[0,0,1e999],[10`, 1),
	}
	for name, spec := range cases {
		if _, err := ParseModel(spec); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

func TestAutoK(t *testing.T) {
	rows := rfmRows(1200, 3)
	m, table, reason, err := AutoK(rows, 1200, rfmFeatures, 2, 6, TrainOptions{Seed: 0})
	if err != nil {
		t.Fatal(err)
	}
	if len(table) != 5 || len(m.KSelection) != 5 || m.KSelectionReason != reason {
		t.Fatalf("table %v, reason %q", table, reason)
	}
	for _, r := range table {
		if r.Silhouette > m.Metrics["silhouette"] {
			t.Errorf("k=%d silhouette %v beats the chosen k=%d (%v)", r.K, r.Silhouette, m.K, m.Metrics["silhouette"])
		}
	}
	t.Logf("%s; table %+v", reason, table)
	// Four behaviours were generated: k = 4 should win.
	if m.K != 4 || !strings.Contains(reason, "k=4") {
		t.Errorf("chose k=%d: %s", m.K, reason)
	}
	if _, _, _, err := AutoK(rows, 1200, rfmFeatures, 1, 3, TrainOptions{}); err == nil {
		t.Error("kmin = 1 accepted")
	}
}

func TestNameSegments(t *testing.T) {
	for _, scaler := range []string{"standard", "robust", "none"} {
		t.Run(scaler, func(t *testing.T) { testNames(t, scaler) })
	}
}

func testNames(t *testing.T, scaler string) {
	rows := rfmRows(2000, 4)
	m, err := Train(rows, 2000, rfmFeatures, TrainOptions{K: 4, Seed: 0, Scaler: scaler})
	if err != nil {
		t.Fatal(err)
	}
	// Profiles generated: (10 d, 20, 5000) champions; (300 d, 1, 80) lost;
	// (20 d, 1, 150) new; (150 d, 6, 900) in between.
	byProfile := map[string]string{}
	for c, orig := range m.CentroidsOriginal {
		switch {
		case orig[0] < 15 && orig[2] > 2000:
			byProfile["champions"] = m.SegmentNames[c]
		case orig[0] > 200:
			byProfile["lost"] = m.SegmentNames[c]
		case orig[0] < 40 && orig[1] < 2:
			byProfile["new"] = m.SegmentNames[c]
		}
	}
	want := map[string]string{"champions": "Champions", "lost": "Lost", "new": "New Customers"}
	for k, v := range want {
		if byProfile[k] != v {
			t.Errorf("%s profile named %q, want %q (all: %v, centroids %v)", k, byProfile[k], v, m.SegmentNames, m.CentroidsOriginal)
		}
	}
	t.Logf("names %q, centroids %v", m.SegmentNames, m.CentroidsOriginal)
	seen := map[string]bool{}
	for _, n := range m.SegmentNames {
		if seen[n] {
			t.Errorf("duplicate name %q in %v", n, m.SegmentNames)
		}
		seen[n] = true
	}
	// Two champion-like centroids get the two closest distinct names;
	// non-RFM features get generic names.
	twins := &Model{Features: rfmFeatures, K: 2, Scaler: Scaler{Method: "standard"}, Centroids: [][]float64{{-1, 1, 1}, {-1, 1.6, 1.6}}}
	// Names are relative to the other segments: the higher-value twin gets
	// a high-value name, the other a different one.
	if got := NameSegments(twins); got[0] == got[1] || !map[string]bool{"Champions": true, "Loyal Customers": true, "Big Spenders": true}[got[1]] {
		t.Errorf("twins named %v", got)
	}
	// More segments than names: every name distinct all the same.
	many := &Model{Features: rfmFeatures, K: 14, Scaler: Scaler{Method: "standard"}}
	for c := 0; c < 14; c++ {
		many.Centroids = append(many.Centroids, []float64{float64(c%3) - 1, float64(c%5) - 2, float64(c%7) - 3})
	}
	seenMany := map[string]bool{}
	for _, n := range NameSegments(many) {
		if seenMany[n] || n == "" {
			t.Errorf("name %q repeated or empty in %v", n, NameSegments(many))
		}
		seenMany[n] = true
	}
	generic := &Model{Features: []string{"x", "y"}, K: 3, Centroids: [][]float64{{0, 0}, {1, 1}, {2, 2}}}
	if got := NameSegments(generic); !reflect.DeepEqual(got, []string{"Segment 1", "Segment 2", "Segment 3"}) {
		t.Errorf("generic names %v", got)
	}
}

func BenchmarkAssign(b *testing.B) {
	m, _ := ParseModel(inlineModel)
	x := []float64{1, 2, 3}
	for b.Loop() {
		m.Assign(x)
	}
}

// TestParseModelTransformAndScaler: a spec without transform or scaler
// (written before those fields existed) reads as none; unknown values are
// refused with the accepted ones.
func TestParseModelTransformAndScaler(t *testing.T) {
	old, err := ParseModel(`{"kind":"kmeans","features":["a","b"],"k":1,"centroids":[[1,2]]}`)
	if err != nil {
		t.Fatal(err)
	}
	if old.Transform != TransformNone || old.Scaler.Method != ScaleNone || old.Scaler.Scale[1] != 1 || old.Scaler.Center[0] != 0 {
		t.Errorf("old spec read as transform %q, scaler %+v; want none and the identity", old.Transform, old.Scaler)
	}
	for _, c := range []struct{ spec, want string }{
		{`{"kind":"kmeans","features":["a"],"transform":"sqrt","k":1,"centroids":[[1]]}`, `kmeans model: transform "sqrt": use log1p or none`},
		{`{"kind":"kmeans","features":["a"],"scaler":{"method":"minmax"},"k":1,"centroids":[[1]]}`, `kmeans model: scaling "minmax": use standard, robust or none`},
	} {
		if _, err := ParseModel(c.spec); err == nil || err.Error() != c.want {
			t.Errorf("ParseModel(%s) = %v, want %q", c.spec, err, c.want)
		}
	}
}
