package drift

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

func TestPSI(t *testing.T) {
	cases := []struct {
		name             string
		expected, actual []float64
		want, tol        float64
	}{
		// Hand-computed: (0.1−0.25)·ln(0.4) + (0.2−0.25)·ln(0.8) + (0.3−0.25)·ln(1.2) + (0.4−0.25)·ln(1.6)
		// = 0.137444 + 0.011157 + 0.009116 + 0.070501 = 0.228217
		// (numpy 1.24.2: ((a-e)*np.log(a/e)).sum() = 0.22821740957339182).
		{"quarters against a ramp", []float64{.25, .25, .25, .25}, []float64{.1, .2, .3, .4}, 0.22821740957339182, 1e-12},
		// Identical distributions: every term is 0.
		{"identical", []float64{.1, .2, .3, .4}, []float64{.1, .2, .3, .4}, 0, 0},
		// Empty expected bin, Epsilon = 1e-4:
		// 0 + (0.25−0.5)·ln(0.5) + (0.25−1e-4)·ln(0.25/1e-4) = 0.173287 + 0.2499·7.824046 = 2.128516
		// (numpy 1.24.2 with e3 = 1e-4: 2.1285158932529735).
		{"empty expected bin", []float64{.5, .5, 0}, []float64{.5, .25, .25}, 2.1285158932529735, 1e-12},
		// Empty actual bin is symmetric: the same two non-zero terms.
		{"empty actual bin", []float64{.5, .25, .25}, []float64{.5, .5, 0}, 2.1285158932529735, 1e-12},
		// Both zero: (1e-4 − 1e-4)·ln 1 = 0.
		{"both empty", []float64{.5, .5, 0}, []float64{.5, .5, 0}, 0, 0},
		// Two bins swapped: 2·(0.8−0.2)·ln 4 = 1.2·1.386294 = 1.663553.
		{"swapped", []float64{.2, .8}, []float64{.8, .2}, 1.2 * math.Log(4), 1e-12},
	}
	for _, c := range cases {
		got := PSI(c.expected, c.actual)
		if math.Abs(got-c.want) > c.tol {
			t.Errorf("%s: PSI = %.12g, want %.12g ± %g", c.name, got, c.want, c.tol)
		}
	}
}

func TestPSILengthMismatchPanics(t *testing.T) {
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "2 expected and 3 actual") {
			t.Errorf("recovered %v, want a panic naming the lengths", r)
		}
	}()
	PSI([]float64{.5, .5}, []float64{.2, .3, .5})
}

func seq(from, to float64) []float64 {
	var v []float64
	for x := from; x <= to; x++ {
		v = append(v, x)
	}
	return v
}

func TestFitBins(t *testing.T) {
	cases := []struct {
		name     string
		values   []float64
		nBins    int
		edges    []float64
		expected []float64
	}{
		// 1..10 in quarters: edge i is sorted[ceil(i·10/4)−1] = sorted[2], [4], [7] = 3, 5, 8
		// (numpy 1.24.2 np.quantile(..., [.25,.5,.75], method="inverted_cdf") = [3 5 8]);
		// bins ≤3: 3 values, (3,5]: 2, (5,8]: 3, >8: 2.
		{"quartiles of 1..10", seq(1, 10), 4, []float64{3, 5, 8}, []float64{.3, .2, .3, .2}},
		// Purchase counts: deciles are 1,1,1,1,1,1,2,2,3 (numpy inverted_cdf agrees), collapsed to
		// 1,2,3; bins ≤1: 6, (1,2]: 2, (2,3]: 1, >3: 1.
		{"discrete frequency", []float64{7, 1, 2, 1, 1, 3, 1, 2, 1, 1}, 0, []float64{1, 2, 3}, []float64{.6, .2, .1, .1}},
		// 0/1 flag, 80% zeros: deciles 0×8 then 1 = the maximum, dropped (its bin would be empty).
		{"binary", []float64{0, 0, 0, 0, 1, 0, 0, 0, 1, 0}, 10, []float64{0}, []float64{.8, .2}},
		// One distinct value: one bin holding everything.
		{"constant", []float64{5, 5, 5}, 10, []float64{}, []float64{1}},
		// More bins than values: every distinct value but the largest is an edge.
		{"few values", []float64{3, 1, 2}, 10, []float64{1, 2}, []float64{1. / 3, 1. / 3, 1. / 3}},
		{"one bin", seq(1, 10), 1, []float64{}, []float64{1}},
	}
	for _, c := range cases {
		b, err := FitBins(c.values, c.nBins)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !reflect.DeepEqual(b.Edges, c.edges) {
			t.Errorf("%s: edges %v, want %v", c.name, b.Edges, c.edges)
		}
		if len(b.Expected) != len(c.expected) {
			t.Errorf("%s: expected %v, want %v", c.name, b.Expected, c.expected)
			continue
		}
		for i := range c.expected {
			if math.Abs(b.Expected[i]-c.expected[i]) > 1e-15 {
				t.Errorf("%s: expected %v, want %v", c.name, b.Expected, c.expected)
				break
			}
		}
		if err := b.Validate(); err != nil {
			t.Errorf("%s: fitted bins do not validate: %v", c.name, err)
		}
		// The training data against itself: PSI 0.
		if p := b.PSI(c.values); p != 0 {
			t.Errorf("%s: PSI of the training data = %v, want 0", c.name, p)
		}
	}
}

func TestFitBinsErrors(t *testing.T) {
	cases := []struct {
		name   string
		values []float64
		nBins  int
		want   string
	}{
		{"empty", nil, 10, "drift: no values to fit bins on"},
		{"NaN", []float64{1, math.NaN()}, 10, "drift: value NaN is not a finite number"},
		{"Inf", []float64{math.Inf(1)}, 10, "drift: value +Inf is not a finite number"},
		{"negative bins", []float64{1}, -2, "drift: -2 bins: want 1 to 1000"},
		{"too many bins", []float64{1}, 5000, "drift: 5000 bins: want 1 to 1000"},
	}
	for _, c := range cases {
		_, err := FitBins(c.values, c.nBins)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

func TestBinAndCounts(t *testing.T) {
	b := Bins{Edges: []float64{1, 2, 3}, Expected: []float64{.25, .25, .25, .25}}
	cases := []struct {
		v    float64
		want int
	}{{-5, 0}, {1, 0}, {1.0001, 1}, {2, 1}, {3, 2}, {3.5, 3}, {1e300, 3}, {math.NaN(), 3}}
	for _, c := range cases {
		if got := b.Bin(c.v); got != c.want {
			t.Errorf("Bin(%v) = %d, want %d", c.v, got, c.want)
		}
	}
	vals := []float64{0, 1, 1.5, 2, 2.5, 9, 9, 9}
	if got := b.Counts(vals); !reflect.DeepEqual(got, []int{2, 2, 1, 3}) {
		t.Errorf("Counts = %v, want [2 2 1 3]", got)
	}
	if got := b.Proportions(vals); !reflect.DeepEqual(got, []float64{.25, .25, .125, .375}) {
		t.Errorf("Proportions = %v", got)
	}
	if got := b.Proportions(nil); !reflect.DeepEqual(got, []float64{0, 0, 0, 0}) {
		t.Errorf("Proportions(nil) = %v, want zeros", got)
	}
	if p := b.PSI(nil); !math.IsNaN(p) {
		t.Errorf("PSI(nil) = %v, want NaN", p)
	}
	// PSICounts agrees with PSI on the same values.
	if a, c := b.PSI(vals), b.PSICounts([]int64{2, 2, 1, 3}); math.Abs(a-c) > 1e-15 {
		t.Errorf("PSI %v != PSICounts %v", a, c)
	}
}

func normals(n int, mean, sd float64, seed uint64) []float64 {
	r := rand.New(rand.NewPCG(seed, 7))
	v := make([]float64, n)
	for i := range v {
		v[i] = mean + sd*r.NormFloat64()
	}
	return v
}

// A fresh sample of the training distribution stays well below 0.1; the
// same population shifted by half a standard deviation crosses 0.2 (for a
// normal mean shift δ the PSI tends to δ² = 0.25 as bins get finer, a little
// less with deciles).
func TestShiftedPopulation(t *testing.T) {
	train := normals(20000, 0, 1, 1)
	b, err := FitBins(train, 0)
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 10 {
		t.Fatalf("%d bins for continuous data, want 10", b.Len())
	}
	same := b.PSI(normals(20000, 0, 1, 2))
	if same >= 0.01 {
		t.Errorf("PSI of a new sample of the same population = %.4f, want < 0.01", same)
	}
	if lvl, _ := Verdict(same, 0); lvl != Stable {
		t.Errorf("same population: verdict %s, want stable", lvl)
	}
	shifted := b.PSI(normals(20000, 0.5, 1, 3))
	if shifted < 0.2 || shifted > 0.3 {
		t.Errorf("PSI of a population shifted by 0.5 sd = %.4f, want 0.2..0.3", shifted)
	}
	if lvl, _ := Verdict(shifted, 0); lvl != Retrain {
		t.Errorf("shifted population: verdict %s, want retrain", lvl)
	}
	t.Logf("PSI same population %.5f, shifted by 0.5 sd %.5f", same, shifted)
}

func TestVerdict(t *testing.T) {
	cases := []struct {
		psi, threshold float64
		level, reason  string
	}{
		{0.05, 0, Stable, "PSI 0.050 < 0.1: the population is stable"},
		{0.1, 0, Watch, "between 0.1 and 0.2"},
		{0.1999, 0.2, Watch, "watch"},
		{0.2, 0, Retrain, "PSI 0.200 >= 0.2"},
		{0.2, 0.25, Watch, "between 0.1 and 0.25"},
		{0.06, 0.05, Retrain, ">= 0.05"},
		{0.04, 0.05, Stable, "< 0.05"},
		{math.NaN(), 0.2, Unknown, "no values"},
	}
	for _, c := range cases {
		lvl, reason := Verdict(c.psi, c.threshold)
		if lvl != c.level || !strings.Contains(reason, c.reason) {
			t.Errorf("Verdict(%v, %v) = %s, %q; want %s, containing %q", c.psi, c.threshold, lvl, reason, c.level, c.reason)
		}
	}
}

func TestBinsJSON(t *testing.T) {
	b, err := FitBins(seq(1, 10), 4)
	if err != nil {
		t.Fatal(err)
	}
	b.Feature = "recency_days"
	text, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"feature":"recency_days","edges":[3,5,8],"expected":[0.3,0.2,0.3,0.2]}`; string(text) != want {
		t.Errorf("JSON %s, want %s", text, want)
	}
	back, err := ParseBins(string(text))
	if err != nil || !reflect.DeepEqual(back, b) {
		t.Errorf("round trip: %+v, %v", back, err)
	}
	// A constant feature serialises its empty edges as [] (not null) and parses back.
	c, _ := FitBins([]float64{4, 4}, 10)
	text, _ = json.Marshal(c)
	if string(text) != `{"edges":[],"expected":[1]}` {
		t.Errorf("constant feature JSON %s", text)
	}
	if _, err := ParseBins(string(text)); err != nil {
		t.Errorf("constant feature: %v", err)
	}
}

func TestParseBinsErrors(t *testing.T) {
	cases := []struct{ text, want string }{
		{`{"edges":[1,2]`, "bins JSON: unexpected EOF"},
		{`{"edges":[1],"expected":[0.5,0.5],"kind":"kmeans"}`, `bins JSON: json: unknown field "kind"`},
		{`{"edges":[1]}`, `bins JSON: no "expected" proportions`},
		{`{"edges":[2,1],"expected":[0.3,0.3,0.4]}`, "bins JSON: edges must be strictly increasing, edge 1 (1) <= edge 0 (2)"},
		{`{"edges":[1,2],"expected":[0.5,0.5]}`, "bins JSON: 2 edges need 3 expected proportions, got 2"},
		{`{"edges":[1],"expected":[0.5,0.6]}`, "bins JSON: expected proportions sum to 1.1, want 1"},
		{`{"edges":[1],"expected":[-0.5,1.5]}`, "bins JSON: expected proportion 0 is -0.5, want 0 to 1"},
		{`{"edges":[1],"expected":[0.5,0.5]} {}`, "bins JSON: trailing data after the object"},
	}
	for _, c := range cases {
		_, err := ParseBins(c.text)
		if err == nil || err.Error() != c.want {
			t.Errorf("ParseBins(%s): error %v, want %q", c.text, err, c.want)
		}
	}
}

func TestCheck(t *testing.T) {
	train := normals(4000, 0, 1, 11)
	freq := make([]float64, 4000)
	for i := range freq {
		freq[i] = float64(1 + i%5)
	}
	bx, _ := FitBins(train, 0)
	bx.Feature = "x"
	bf, _ := FitBins(freq, 0)
	bf.Feature = "frequency"
	// New rows: x shifted by a full sd, frequency unchanged.
	nx := normals(4000, 1, 1, 12)
	rows := make([]float64, 0, 8000)
	for i := range nx {
		rows = append(rows, nx[i], freq[i])
	}
	r, err := Check([]Bins{bx, bf}, rows, 4000, 0)
	if err != nil {
		t.Fatal(err)
	}
	if r.Features[1].PSI != 0 || r.Features[1].Level != Stable {
		t.Errorf("unchanged frequency: %+v", r.Features[1])
	}
	if r.MaxPSI != r.Features[0].PSI || r.Level != Retrain || !strings.HasPrefix(r.Reason, "x: PSI ") {
		t.Errorf("report %+v", r)
	}
	if _, err := Check([]Bins{bx, bf}, nil, 0, 0); err == nil || err.Error() != "drift: no rows to compare with the training population" {
		t.Errorf("no rows: %v", err)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("report does not marshal: %v", err)
	}
	if _, err := Check([]Bins{bx, bf}, rows[:5], 4000, 0); err == nil {
		t.Error("Check accepted a short rows slice")
	}
}
