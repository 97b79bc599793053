package knn

import (
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/dataset"
)

// randomPoints returns n standardised-looking row-major points of nf
// features; with grid the values are small integers, so many rows tie.
func randomPoints(r *rand.Rand, n, nf int, grid bool) []float64 {
	pts := make([]float64, n*nf)
	for i := range pts {
		if grid {
			pts[i] = float64(r.IntN(5))
		} else {
			pts[i] = r.NormFloat64()
		}
	}
	return pts
}

// sortedNearest is the definition: every point sorted by (distance, row).
func sortedNearest(pts []float64, nf int, z []float64, k int) []neighbour {
	all := make([]neighbour, len(pts)/nf)
	for i := range all {
		all[i] = neighbour{kdPoint{v: pts[i*nf : (i+1)*nf]}.Distance(kdPoint{v: z}), i}
	}
	slices.SortFunc(all, func(a, b neighbour) int {
		if nearer(a, b) {
			return -1
		}
		return 1
	})
	return all[:k]
}

// TestSearchersAgreeWithDefinition checks that the k-d tree and the scan
// return exactly the k nearest rows, ties to the earlier row, on random and
// on heavily tied (integer grid) points.
func TestSearchersAgreeWithDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, nf := range []int{1, 2, 3, 8} {
		for _, grid := range []bool{false, true} {
			pts := randomPoints(r, 2000, nf, grid)
			for name, s := range map[string]searcher{"brute": &brute{pts, nf}, "kdtree": newKDTree(slices.Clone(pts), nf)} {
				for q := range 200 {
					z := randomPoints(r, 1, nf, grid && q%2 == 0)
					for _, k := range []int{1, 5, 17} {
						want := sortedNearest(pts, nf, z, k)
						if got := s.nearest(z, k, nil); !slices.Equal(got, want) {
							t.Fatalf("%s nf=%d grid=%v k=%d: %v, want %v", name, nf, grid, k, got, want)
						}
					}
				}
			}
		}
	}
}

func numeric(names ...string) []dataset.Feature {
	fs := make([]dataset.Feature, len(names))
	for j, n := range names {
		fs[j] = dataset.Feature{Name: n, Type: dataset.Numeric}
	}
	return fs
}

func rows(xs ...[]float64) [][]dataset.Value {
	out := make([][]dataset.Value, len(xs))
	for i, x := range xs {
		for _, v := range x {
			out[i] = append(out[i], dataset.Num(v))
		}
	}
	return out
}

// small is six customers in two classes on two features of very
// different scales.
func small() *dataset.Dataset {
	return &dataset.Dataset{Features: numeric("recency", "monetary"),
		Rows: rows([]float64{1, 100}, []float64{2, 300}, []float64{3, 200},
			[]float64{10, 5000}, []float64{11, 5200}, []float64{12, 4800}),
		Labels: []string{"loyal", "loyal", "loyal", "lapsed", "lapsed", "lapsed"}}
}

func TestTrainPredictByHand(t *testing.T) {
	m, err := Train(small(), Params{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	if m.Params.Weights != Uniform || m.Mean[0] != 6.5 || m.Mean[1] != 2600 {
		t.Fatalf("params %+v, mean %v", m.Params, m.Mean)
	}
	// population std of recency 1,2,3,10,11,12: sqrt(mean of squares of deviations)
	if want := math.Sqrt((5.5*5.5 + 4.5*4.5 + 3.5*3.5 + 3.5*3.5 + 4.5*4.5 + 5.5*5.5) / 6); math.Abs(m.Scale[0]-want) > 1e-12 {
		t.Fatalf("scale %v, want %v", m.Scale[0], want)
	}
	label, proba, err := m.Predict([]float64{2, 250})
	if err != nil || label != "loyal" || !slices.Equal(proba, []float64{0, 1}) { // classes: lapsed, loyal
		t.Fatalf("%q %v %v", label, proba, err)
	}
	// k = 6 uniform: a 3–3 tie goes to the first class in byte order
	m6, _ := Train(small(), Params{K: 6})
	if label, proba, _ := m6.Predict([]float64{2, 250}); label != "lapsed" || proba[0] != 0.5 {
		t.Fatalf("tie: %q %v", label, proba)
	}
	// distance weights: an exact match wins outright even against a majority
	md, _ := Train(small(), Params{K: 6, Weights: Distance})
	if label, proba, _ := md.Predict([]float64{11, 5200}); label != "lapsed" || !slices.Equal(proba, []float64{1, 0}) {
		t.Fatalf("exact match: %q %v", label, proba)
	}
	// a round trip through JSON predicts the same
	spec, _ := md.JSON()
	back, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range [][]float64{{5, 1000}, {7, 3000}, {0, 0}} {
		l1, p1, _ := md.Predict(x)
		l2, p2, _ := back.Predict(x)
		if l1 != l2 || !slices.Equal(p1, p2) {
			t.Fatalf("%v: %q %v after parsing, %q %v before", x, l2, p2, l1, p1)
		}
	}
}

func TestConstantFeatureScaleOne(t *testing.T) {
	d := small()
	for _, r := range d.Rows {
		r[1] = dataset.Num(7)
	}
	m, err := Train(d, Params{K: 1})
	if err != nil || m.Scale[1] != 1 || m.Mean[1] != 7 {
		t.Fatalf("%v %v %v", m.Scale, m.Mean, err)
	}
	if l, _, err := m.Predict([]float64{11.4, 1e6}); err != nil || l != "lapsed" {
		t.Fatalf("%q %v", l, err)
	}
}

func TestBadInput(t *testing.T) {
	wantErr := func(t *testing.T, err error, parts ...string) {
		t.Helper()
		if err == nil {
			t.Fatalf("no error, want one mentioning %q", parts)
		}
		for _, p := range append(parts, "knn: ") {
			if !strings.Contains(err.Error(), p) {
				t.Fatalf("error %q does not mention %q", err, p)
			}
		}
	}
	_, err := Train(small(), Params{K: -1})
	wantErr(t, err, "k = -1")
	_, err = Train(small(), Params{K: 7})
	wantErr(t, err, "k = 7", "6 training rows")
	_, err = Train(small(), Params{Weights: "gaussian"})
	wantErr(t, err, `"gaussian"`)
	cat := small()
	cat.Features[1] = dataset.Feature{Name: "country", Type: dataset.Categorical}
	_, err = Train(cat, Params{K: 3})
	wantErr(t, err, `"country"`, "numeric features only")
	nan := small()
	nan.Rows[4][1] = dataset.Num(math.NaN())
	_, err = Train(nan, Params{K: 3})
	wantErr(t, err, "row 4", `"monetary"`, "missing")
	one := small()
	one.Labels = slices.Repeat([]string{"a"}, 6)
	_, err = Train(one, Params{K: 3})
	wantErr(t, err, "one class")

	big := &dataset.Dataset{Features: numeric("a", "b", "c", "d")}
	for i := range MaxStored/4 + 1 {
		big.Rows = append(big.Rows, rows([]float64{float64(i), 1, 2, 3})[0])
		big.Labels = append(big.Labels, []string{"x", "y"}[i%2])
	}
	_, err = Train(big, Params{})
	wantErr(t, err, "250001 rows × 4 features", "limit of 1000000")

	m, _ := Train(small(), Params{K: 3})
	for _, c := range []struct {
		x     []float64
		parts []string
	}{
		{[]float64{1}, []string{"1 values", "2 features"}},
		{[]float64{1, math.NaN()}, []string{`"monetary"`, "missing"}},
		{[]float64{math.Inf(-1), 2}, []string{`"recency"`, "-Inf"}},
	} {
		_, _, err := m.Predict(c.x)
		wantErr(t, err, c.parts...)
	}
	m.Scale[0] = 0.5 // a finite value that overflows once standardised
	_, _, err = m.Predict([]float64{math.MaxFloat64, 2})
	wantErr(t, err, `"recency"`, "too large")
}

func TestParseRefusesCorruptSpecs(t *testing.T) {
	m, _ := Train(small(), Params{K: 3})
	good, _ := m.JSON()
	for _, c := range []struct{ from, to, want string }{
		{`"kind":"classifier"`, `"kind":"segmenter"`, "kind"},
		{`"algorithm":"knn"`, `"algorithm":"cart"`, "algorithm"},
		{`"k":3`, `"k":0`, "k = 0"},
		{`"k":3`, `"k":9`, "k = 9"},
		{`"weights":"uniform"`, `"weights":"w"`, `"w"`},
		{`"missing":"refused"`, `"missing":"mean"`, "missing-value policy"},
		{`"type":"numeric"`, `"type":"categorical"`, "numeric features only"},
		{`"labels":[1,`, `"labels":[2,`, "class 2 of 2"},
		{`"labels":[1,`, `"labels":[`, "labels"},
		{`"points":[[1,100]`, `"points":[[1]`, "point 0 has 1 values"},
		{`"points":[[1,100]`, `"points":[[1,"x"]`, "corrupt model spec"},
		{`"scale":[` + strconv.FormatFloat(m.Scale[0], 'g', -1, 64), `"scale":[0`, "positive scale"},
		{`"classes":["lapsed","loyal"]`, `"classes":["loyal","lapsed"]`, "byte order"},
		{`{`, `[`, "corrupt model spec"},
	} {
		spec := strings.Replace(string(good), c.from, c.to, 1)
		if spec == string(good) {
			t.Fatalf("%q not in the spec %s", c.from, good)
		}
		if _, err := Parse([]byte(spec)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "knn: ") {
			t.Errorf("%s → %s: error %v, want one mentioning %q", c.from, c.to, err, c.want)
		}
	}
	// a spec over the size limit is refused before any index is built
	huge := &Model{Kind: Kind, Algorithm: Algorithm, Params: Params{K: 1, Weights: Uniform}, Missing: MissingRefused,
		Features: numeric("a"), Classes: []string{"x", "y"}, Mean: []float64{0}, Scale: []float64{1},
		Points: make([][]float64, MaxStored+1), Labels: make([]int, MaxStored+1)}
	if err := huge.Validate(); err == nil || !strings.Contains(err.Error(), "more than the limit") {
		t.Fatalf("over the limit: %v", err)
	}
}
