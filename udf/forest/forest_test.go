package forest

import (
	"bytes"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/dataset"
)

// TestDeterministicWhateverTheCores: the same seed grows the same forest
// on 1 and 2 cores; another seed grows another one.
func TestDeterministicWhateverTheCores(t *testing.T) {
	train, _ := readSplit(t, "moons")
	p := Params{NTrees: 20, Seed: 7}
	specs := map[int][]byte{}
	for _, procs := range []int{1, 2} {
		old := runtime.GOMAXPROCS(procs)
		m, err := Train(train, p)
		runtime.GOMAXPROCS(old)
		if err != nil {
			t.Fatal(err)
		}
		specs[procs], _ = m.JSON()
	}
	if !bytes.Equal(specs[1], specs[2]) {
		t.Error("GOMAXPROCS=1 and 2 grow different forests for one seed")
	}
	p.Seed = 8
	other, err := Train(train, p)
	if err != nil {
		t.Fatal(err)
	}
	if spec, _ := other.JSON(); bytes.Equal(spec, specs[1]) {
		t.Error("seeds 7 and 8 grow the same forest")
	}
}

// TestRoundTripAndPredict: a parsed spec predicts as the trained model;
// probabilities sum to 1; categorical features, missing values and unseen
// categories predict without error; bad rows are refused by name.
func TestRoundTripAndPredict(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	fs := []dataset.Feature{{Name: "age", Type: dataset.Numeric}, {Name: "country", Type: dataset.Categorical}}
	d := &dataset.Dataset{Features: fs}
	countries := []string{"DE", "FR", "UK"}
	for range 300 {
		age := float64(rng.IntN(60) + 18)
		c := countries[rng.IntN(3)]
		label := "no"
		if age > 40 && c != "FR" {
			label = "yes"
		}
		x := []dataset.Value{dataset.Num(age), dataset.Cat(c)}
		if rng.IntN(10) == 0 {
			x[0] = dataset.Num(math.NaN())
		}
		d.Rows = append(d.Rows, x)
		d.Labels = append(d.Labels, label)
	}
	m, err := Train(d, Params{NTrees: 15, MaxFeatures: "2", MinSamplesLeaf: 2, MaxDepth: 5})
	if err != nil {
		t.Fatal(err)
	}
	if m.OOBAccuracy == nil || *m.OOBAccuracy < 0.85 {
		t.Errorf("out-of-bag accuracy %v, want at least 0.85 on a rule with 10%% missing ages", m.OOBAccuracy)
	}
	spec, err := m.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse(spec)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]dataset.Value{
		{dataset.Num(60), dataset.Cat("UK")},
		{dataset.Num(60), dataset.Cat("FR")},
		{dataset.Num(20), dataset.Cat("UK")},
		{dataset.Num(math.NaN()), dataset.Cat("")},
		{dataset.Num(60), dataset.Cat("Narnia")},
	}
	want := []string{"yes", "no", "no", "", ""}
	for i, x := range rows {
		l1, p1, err1 := m.Predict(x)
		l2, p2, err2 := back.Predict(x)
		if err1 != nil || err2 != nil {
			t.Fatalf("row %d: %v, %v", i, err1, err2)
		}
		if l1 != l2 || !slicesEqual(p1, p2) {
			t.Errorf("row %d: trained predicts %s %v, parsed %s %v", i, l1, p1, l2, p2)
		}
		if math.Abs(p1[0]+p1[1]-1) > 1e-12 {
			t.Errorf("row %d: probabilities %v do not sum to 1", i, p1)
		}
		if want[i] != "" && l1 != want[i] {
			t.Errorf("row %d: %s, want %s", i, l1, want[i])
		}
	}
	for _, x := range [][]dataset.Value{{dataset.Num(1)}, {dataset.Num(math.Inf(1)), dataset.Cat("UK")}} {
		if _, _, err := m.Predict(x); err == nil || !strings.HasPrefix(err.Error(), "forest: ") {
			t.Errorf("Predict(%v): error %v, want one starting with forest:", x, err)
		}
	}
}

func slicesEqual(a, b []float64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestTieGoesToTheLowestClass: two trees voting for different classes
// with equal weight predict the first class.
func TestTieGoesToTheLowestClass(t *testing.T) {
	spec := `{"kind":"classifier","algorithm":"forest","criterion":"gini","params":{"n_trees":2,"max_features":"sqrt","max_depth":0,"min_samples_leaf":1,"min_samples_split":2,"seed":0},
	"missing":"majority-child","features":[{"name":"x","type":"numeric"}],"classes":["a","b"],
	"trees":[{"counts":[0,3]},{"counts":[2,0]}]}`
	m, err := Parse([]byte(spec))
	if err != nil {
		t.Fatal(err)
	}
	label, proba, err := m.Predict([]dataset.Value{dataset.Num(1)})
	if err != nil || label != "a" || proba[0] != 0.5 || proba[1] != 0.5 {
		t.Errorf("Predict = %s %v %v, want a [0.5 0.5]", label, proba, err)
	}
}

// TestBadInput: bad parameters, training sets and specs are clear errors.
func TestBadInput(t *testing.T) {
	train, _ := readSplit(t, "moons")
	for _, c := range []struct {
		p    Params
		want string
	}{
		{Params{NTrees: -1}, "n_trees -1"},
		{Params{MaxFeatures: "log2"}, `max_features "log2"`},
		{Params{MaxFeatures: "9"}, `max_features "9", want sqrt or a count from 1 to 4`},
		{Params{MaxDepth: -2}, "max_depth -2"},
		{Params{MinSamplesLeaf: -1}, "min_samples_leaf -1"},
		{Params{MinSamplesSplit: 1}, "min_samples_split 1"},
	} {
		if _, err := Train(train, c.p); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Train(%+v): error %v, want one containing %q", c.p, err, c.want)
		}
	}
	one := &dataset.Dataset{Features: train.Features, Rows: train.Rows[:3], Labels: []string{"1", "1", "1"}}
	if _, err := Train(one, Params{}); err == nil || !strings.Contains(err.Error(), "forest: dataset: the target has one class") {
		t.Errorf("one class: %v", err)
	}
	m, err := Train(train, Params{NTrees: 3, MaxDepth: 3})
	if err != nil {
		t.Fatal(err)
	}
	good, _ := m.JSON()
	for _, c := range []struct{ from, to, want string }{
		{`"algorithm":"forest"`, `"algorithm":"cart"`, `algorithm "cart"`},
		{`"n_trees":3`, `"n_trees":4`, "3 trees, n_trees is 4"},
		{`"criterion":"gini"`, `"criterion":"entropy"`, `criterion "entropy"`},
		{`"op":"\u003c="`, `"op":"in"`, `split operator "in"`},
		{`"feature":0`, `"feature":7`, "split on feature 7 of 4"},
		{`"missing":"majority-child"`, `"missing":"drop"`, `missing-value policy "drop"`},
		{`"classes":["0","1"]`, `"classes":["0"]`, "1 classes"},
		{`"kind":"classifier"`, `"kind":"segments"`, `kind is "segments"`},
		{`{`, `[`, "forest: corrupt model spec"},
	} {
		spec := strings.Replace(string(good), c.from, c.to, 1)
		if spec == string(good) {
			t.Fatalf("%s is not in the spec", c.from)
		}
		if _, err := Parse([]byte(spec)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "forest: ") {
			t.Errorf("%s → %s: error %v, want one containing %q", c.from, c.to, err, c.want)
		}
	}
}

// BenchmarkTrain100Trees trains 100 trees on 100,000 rows × 8 numeric
// features, 2 classes (issue #12 §6 states the speed target; the time is
// in docs/PERFORMANCE.md once measured there).
func BenchmarkTrain100Trees(b *testing.B) {
	const n, dims = 100_000, 8
	rng := rand.New(rand.NewPCG(3, 4))
	fs := make([]dataset.Feature, dims)
	for j := range fs {
		fs[j] = dataset.Feature{Name: "x" + strconv.Itoa(j), Type: dataset.Numeric}
	}
	d := &dataset.Dataset{Features: fs}
	for range n {
		x := make([]dataset.Value, dims)
		s := 0.0
		for j := range x {
			v := math.Round(rng.NormFloat64()*1000) / 1000
			x[j] = dataset.Num(v)
			if j < 4 {
				s += v
			}
		}
		label := "0"
		if s+rng.NormFloat64() > 0 {
			label = "1"
		}
		d.Rows = append(d.Rows, x)
		d.Labels = append(d.Labels, label)
	}
	b.ResetTimer()
	for b.Loop() {
		m, err := Train(d, Params{NTrees: 100})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(*m.OOBAccuracy, "oob_accuracy")
	}
}
