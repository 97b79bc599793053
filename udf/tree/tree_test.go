package tree

import (
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/dataset"
)

// The textbook trees of Quinlan's weather data: C4.5 on the book's table
// (numeric temperature and humidity) gives the tree of Quinlan 1993 and
// Weka's J48 (humidity <= 75 under sunny); C4.5 and ID3 on the nominal
// table give Quinlan 1986's ID3 tree. Nothing is pruned: each leaf's
// pessimistic error is above its parent's.
func TestWeatherTextbookTrees(t *testing.T) {
	const quinlan86 = `# %s tree; * = the branch missing and unseen values take
IF outlook = overcast THEN yes (4/4)
IF outlook = rainy *
  IF windy = false * THEN yes (3/3)
  IF windy = true THEN no (2/2)
IF outlook = sunny
  IF humidity = high * THEN no (3/3)
  IF humidity = normal THEN yes (2/2)
`
	for _, c := range []struct {
		algo    Algorithm
		numeric bool
		want    string
	}{
		{C45, true, `# c45 tree; * = the branch missing and unseen values take
IF outlook = overcast THEN yes (4/4)
IF outlook = rainy *
  IF windy = false * THEN yes (3/3)
  IF windy = true THEN no (2/2)
IF outlook = sunny
  IF humidity <= 75 THEN yes (2/2)
  IF humidity > 75 * THEN no (3/3)
`},
		{C45, false, strings.Replace(quinlan86, "%s", "c45", 1)},
		{ID3, false, strings.Replace(quinlan86, "%s", "id3", 1)},
	} {
		m, err := Train(dataset.Weather(c.numeric), c.algo, Params{})
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Rules(); got != c.want {
			t.Errorf("%s numeric=%v:\n%s\nwant\n%s", c.algo, c.numeric, got, c.want)
		}
	}
}

func TestWeatherPredictAndPath(t *testing.T) {
	m, err := Train(dataset.Weather(true), C45, Params{})
	if err != nil {
		t.Fatal(err)
	}
	C, N := dataset.Cat, dataset.Num
	nan := math.NaN()
	for _, c := range []struct {
		x           []dataset.Value
		label, path string
	}{
		{[]dataset.Value{C("sunny"), N(80), N(70), C("false")}, "yes", "outlook = sunny AND humidity <= 75"},
		{[]dataset.Value{C("sunny"), N(80), N(90), C("true")}, "no", "outlook = sunny AND humidity > 75"},
		{[]dataset.Value{C("overcast"), N(nan), N(nan), C("")}, "yes", "outlook = overcast"},
		// missing and unseen values take the branch with the most training rows
		{[]dataset.Value{C(""), N(80), N(70), C("true")}, "no", "outlook is missing, taken as outlook = rainy AND windy = true"},
		{[]dataset.Value{C("foggy"), N(80), N(70), C("")}, "yes", "outlook = foggy unseen, taken as outlook = rainy AND windy is missing, taken as windy = false"},
		{[]dataset.Value{C("sunny"), N(80), N(nan), C("true")}, "no", "outlook = sunny AND humidity is missing, taken as humidity > 75"},
	} {
		label, proba, path, err := m.Predict(c.x)
		if err != nil {
			t.Fatal(err)
		}
		if label != c.label || path != c.path {
			t.Errorf("Predict(%v) = %q, %q; want %q, %q", c.x, label, path, c.label, c.path)
		}
		if len(proba) != 2 || proba[0]+proba[1] != 1 || proba[m.index(label)] != 1 {
			t.Errorf("Predict(%v) proba %v: the textbook leaves are pure", c.x, proba)
		}
	}
	if _, _, _, err := m.Predict([]dataset.Value{C("sunny")}); err == nil || !strings.Contains(err.Error(), "1 values, the model has 4 features") {
		t.Errorf("short row: %v", err)
	}
	if _, _, _, err := m.Predict([]dataset.Value{C("sunny"), N(math.Inf(1)), N(1), C("true")}); err == nil || !strings.Contains(err.Error(), "temperature") {
		t.Errorf("+Inf: %v", err)
	}
}

func (m *Model) index(label string) int {
	for k, c := range m.Classes {
		if c == label {
			return k
		}
	}
	return -1
}

// CART on a mixed table: one-vs-rest categorical splits, class fractions at
// impure leaves, and the stopping parameters.
func TestCARTStoppingAndProba(t *testing.T) {
	d := dataset.Weather(true)
	m, err := Train(d, CART, Params{MaxDepth: 1})
	if err != nil {
		t.Fatal(err)
	}
	if m.Tree.Depth() != 1 || m.Tree.Split.Op != OpEq || m.Tree.Split.Values[0] != "overcast" {
		t.Fatalf("depth-1 CART:\n%s", m.Rules())
	}
	_, proba, path, _ := m.Predict([]dataset.Value{dataset.Cat("sunny"), dataset.Num(70), dataset.Num(70), dataset.Cat("true")})
	if path != "outlook != overcast" || proba[0] != 0.5 || proba[1] != 0.5 {
		t.Errorf("outlook != overcast leaf: %v %q, want the fractions 5/10 no, 5/10 yes", proba, path)
	}
	if m, _ := Train(d, CART, Params{MinSamplesSplit: 15}); m.Tree.Split != nil {
		t.Errorf("min_samples_split 15 > 14 rows still splits")
	}
	m, _ = Train(d, CART, Params{MinSamplesLeaf: 4})
	var walk func(n *Node)
	walk = func(n *Node) {
		if s := n.Counts[0] + n.Counts[1]; s < 4 {
			t.Errorf("leaf of %v rows under min_samples_leaf 4", s)
		}
		for _, c := range n.Children {
			walk(c)
		}
	}
	walk(m.Tree)
	if _, err := Train(d, CART, Params{Criterion: "chi2"}); err == nil || !strings.Contains(err.Error(), "criterion") {
		t.Errorf("bad criterion: %v", err)
	}
	one := dataset.Weather(false)
	for i := range one.Labels {
		one.Labels[i] = "yes"
	}
	if _, err := Train(one, ID3, Params{}); err == nil || !strings.Contains(err.Error(), "one class") {
		t.Errorf("one class: %v", err)
	}
}

// Missing values in training follow the majority child, and ID3 stores its
// bins.
func TestMissingAndBins(t *testing.T) {
	d := dataset.Weather(true)
	d.Rows[0][2] = dataset.Num(math.NaN()) // a sunny "no" without humidity
	d.Rows[1][0] = dataset.Cat("")         // a sunny "no" without outlook
	for _, a := range []Algorithm{CART, C45, ID3} {
		m, err := Train(d, a, Params{})
		if err != nil {
			t.Fatalf("%s: %v", a, err)
		}
		total := 0.0
		for _, c := range m.Tree.Counts {
			total += c
		}
		if total != 14 {
			t.Errorf("%s: root holds %v rows, want 14", a, total)
		}
		if a == ID3 && (len(m.Bins) != 4 || len(m.Bins[1]) == 0 || m.Bins[0] != nil) {
			t.Errorf("id3 bins %v", m.Bins)
		}
	}
}

func TestModelJSONRoundTripAndCorruptSpecs(t *testing.T) {
	for _, a := range []Algorithm{CART, C45, ID3} {
		m, err := Train(dataset.Weather(true), a, Params{})
		if err != nil {
			t.Fatal(err)
		}
		spec, err := m.JSON()
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(spec)
		if err != nil {
			t.Fatalf("%s: %v\n%s", a, err, spec)
		}
		if back.Rules() != m.Rules() {
			t.Errorf("%s: rules differ after a round trip", a)
		}
	}
	m, _ := Train(dataset.Weather(true), C45, Params{})
	spec, _ := m.JSON()
	s := string(spec)
	for _, c := range []struct{ old, new, want string }{
		{`"kind":"classifier"`, `"kind":"kmeans"`, `kind is "kmeans"`},
		{`"algorithm":"c45"`, `"algorithm":"c50"`, `algorithm "c50"`},
		{`"missing":"majority-child"`, `"missing":"drop"`, `missing-value policy "drop"`},
		{`"confidence":0.25`, `"confidence":1.5`, `confidence 1.5`},
		{`"classes":["no","yes"]`, `"classes":["yes","no"]`, `byte order`},
		{`"feature":0`, `"feature":9`, `feature 9 of 4`},
		{`"op":"in"`, `"op":"<="`, `"<=" on categorical`},
		{`"default":0`, `"default":7`, `default child 7`},
		{`"values":["overcast"`, `"values":["foggy"`, `category "foggy"`},
		{`"counts":[0,4]`, `"counts":[0]`, `1 class counts for 2 classes`},
		{`"type":"numeric"`, `"type":"float"`, `type "float"`},
		{`{"kind"`, `[{"kind"`, `corrupt model spec`},
	} {
		bad := strings.Replace(s, c.old, c.new, 1)
		if bad == s {
			t.Fatalf("%q not in %s", c.old, s)
		}
		if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "tree: ") {
			t.Errorf("%s -> %s: error %v, want one naming %q", c.old, c.new, err, c.want)
		}
	}
}

func TestUpperCF(t *testing.T) {
	for _, c := range []struct{ e, n, want float64 }{
		{0, 1, 0.75}, {0, 2, 0.5}, {0, 6, 1 - math.Pow(0.25, 1.0/6)}, {1, 1, 1}, {3, 3, 1},
	} {
		if got := UpperCF(c.e, c.n, 0.25); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("U(%v, %v) = %v, want %v", c.e, c.n, got, c.want)
		}
	}
	// U solves P(X <= E) = CF: for E = 1 that is (1−p)^N + N p (1−p)^(N−1).
	p := UpperCF(1, 6, 0.25)
	if cdf := math.Pow(1-p, 6) + 6*p*math.Pow(1-p, 5); math.Abs(cdf-0.25) > 1e-12 {
		t.Errorf("U(1, 6) = %v: P(X <= 1) = %v, want 0.25", p, cdf)
	}
}
