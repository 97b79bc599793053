package oner

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/dataset"
)

// Holte's rule on Quinlan's weather data: outlook and humidity both make 4
// errors in 14; the first feature, outlook, wins.
func TestWeatherOutlook(t *testing.T) {
	for _, numeric := range []bool{false, true} {
		m, err := Train(dataset.Weather(numeric), Params{})
		if err != nil {
			t.Fatal(err)
		}
		want := `# 1R on outlook: 4 errors in 14 training rows
IF outlook = overcast THEN yes (4/4)
IF outlook = rainy THEN yes (3/5)
IF outlook = sunny THEN no (3/5)
ELSE yes
`
		if got := m.Rules(); got != want {
			t.Errorf("numeric=%v:\n%s\nwant\n%s", numeric, got, want)
		}
		label, proba, path, err := m.Predict([]dataset.Value{dataset.Cat("sunny"), dataset.Cat("hot"), dataset.Cat("high"), dataset.Cat("false")})
		if numeric {
			label, proba, path, err = m.Predict([]dataset.Value{dataset.Cat("sunny"), dataset.Num(80), dataset.Num(90), dataset.Cat("false")})
		}
		if err != nil || label != "no" || path != "outlook = sunny" || proba[0] != 0.6 || proba[1] != 0.4 {
			t.Errorf("sunny: %q %v %q %v", label, proba, path, err)
		}
	}
}

// Holte's discretisation on the weather temperatures with min_bucket 3 (the
// worked example of Witten & Frank, "Data Mining", 4.1): the buckets
// 64–70 (yes), 71–75 (yes) and 80–85 (a 2–2 tie, going to yes, the class
// with more rows) all predict yes and merge into one: 5 errors.
func TestHolteBuckets(t *testing.T) {
	w := dataset.Weather(true)
	d := &dataset.Dataset{Features: []dataset.Feature{w.Features[1]}, Labels: w.Labels}
	for _, r := range w.Rows {
		d.Rows = append(d.Rows, []dataset.Value{r[1]})
	}
	m, err := Train(d, Params{MinBucket: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Buckets) != 1 || m.Cuts != nil || m.Errors != 5 || m.Classes[m.Buckets[0].Class] != "yes" {
		t.Errorf("temperature, min_bucket 3:\n%s", m.Rules())
	}
	// a clean boundary: x = 1..20, a up to 10, b above, min_bucket 6
	d = &dataset.Dataset{Features: []dataset.Feature{{Name: "x", Type: dataset.Numeric}}}
	for x := 1; x <= 20; x++ {
		d.Rows = append(d.Rows, []dataset.Value{dataset.Num(float64(x))})
		d.Labels = append(d.Labels, map[bool]string{true: "a", false: "b"}[x <= 10])
	}
	d.Labels[2] = "b" // noise: a bucket needs 6 of its class, so it stays in a's bucket
	m, err = Train(d, Params{})
	if err != nil {
		t.Fatal(err)
	}
	want := "# 1R on x: 1 errors in 20 training rows\nIF x <= 10.5 THEN a (9/10)\nIF x > 10.5 THEN b (10/10)\nELSE b\n"
	if got := m.Rules(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for x, label := range map[float64]string{-5: "a", 10.5: "a", 10.6: "b", 99: "b"} {
		if got, _, _, _ := m.Predict([]dataset.Value{dataset.Num(x)}); got != label {
			t.Errorf("x = %v: %q, want %q", x, got, label)
		}
	}
}

// Missing values form their own bucket; unseen categories and, without
// such a bucket, missing values get the default class.
func TestMissingAndUnseen(t *testing.T) {
	d := dataset.Weather(false)
	for _, i := range []int{0, 1, 7} { // three sunny "no" days lose their outlook
		d.Rows[i][0] = dataset.Cat("")
	}
	m, err := Train(d, Params{})
	if err != nil {
		t.Fatal(err)
	}
	if m.Feature != 0 || m.MissingBucket == nil || m.Classes[m.MissingBucket.Class] != "no" || m.Errors != 2 {
		t.Fatalf("rule:\n%s", m.Rules())
	}
	row := func(outlook string) []dataset.Value {
		return []dataset.Value{dataset.Cat(outlook), dataset.Cat("hot"), dataset.Cat("high"), dataset.Cat("false")}
	}
	for _, c := range []struct{ outlook, label, path string }{
		{"", "no", "outlook is missing"},
		{"foggy", "yes", "outlook = foggy unseen, default class"},
	} {
		label, _, path, err := m.Predict(row(c.outlook))
		if err != nil || label != c.label || path != c.path {
			t.Errorf("%q: %q %q %v", c.outlook, label, path, err)
		}
	}
	m.MissingBucket = nil
	if label, proba, path, _ := m.Predict(row("")); label != "yes" || path != "outlook is missing, default class" || proba[1] != 9.0/14 {
		t.Errorf("missing without a bucket: %q %v %q", label, proba, path)
	}
	if _, _, _, err := m.Predict(row("x")[:2]); err == nil || !strings.HasPrefix(err.Error(), "oner: 2 values") {
		t.Errorf("short row: %v", err)
	}
	if _, err := Train(d, Params{MinBucket: -1}); err == nil || !strings.Contains(err.Error(), "min_bucket -1") {
		t.Errorf("min_bucket -1: %v", err)
	}
	empty := &dataset.Dataset{Features: d.Features}
	if _, err := Train(empty, Params{}); err == nil || !strings.Contains(err.Error(), "no training rows") {
		t.Errorf("empty: %v", err)
	}
}

func TestJSONRoundTripAndCorruptSpecs(t *testing.T) {
	w := dataset.Weather(true)
	d := &dataset.Dataset{Features: []dataset.Feature{w.Features[2]}, Labels: w.Labels}
	for i, r := range w.Rows {
		v := r[2]
		if i == 3 {
			v = dataset.Num(math.NaN())
		}
		d.Rows = append(d.Rows, []dataset.Value{v})
	}
	m, err := Train(d, Params{MinBucket: 2})
	if err != nil {
		t.Fatal(err)
	}
	spec, _ := m.JSON()
	back, err := Parse(spec)
	if err != nil || back.Rules() != m.Rules() {
		t.Fatalf("round trip: %v\n%s", err, spec)
	}
	if len(m.Cuts) == 0 || m.MissingBucket == nil {
		t.Fatalf("want a numeric rule with cuts and a missing bucket:\n%s", m.Rules())
	}
	s := string(spec)
	for _, c := range []struct{ old, new, want string }{
		{`"kind":"classifier"`, `"kind":"kmeans"`, `kind "kmeans"`},
		{`"missing":"own-bucket"`, `"missing":"drop"`, `policy "drop"`},
		{`"cuts":[` + strconv.FormatFloat(m.Cuts[0], 'g', -1, 64), `"cuts":[1e9,` + strconv.FormatFloat(m.Cuts[0], 'g', -1, 64), `2 cuts for 2 buckets`},
		{`"feature":0`, `"feature":3`, `feature 3 of 1`},
		{`"default":1`, `"default":5`, `default class 5`},
		{`"min_bucket":2`, `"min_bucket":0`, `min_bucket 0`},
		{`"classes":["no","yes"]`, `"classes":["no"]`, `1 classes`},
		{`{"kind"`, `{"kind":1,"x"`, `corrupt model spec`},
	} {
		bad := strings.Replace(s, c.old, c.new, 1)
		if bad == s {
			t.Fatalf("%q not in %s", c.old, s)
		}
		if _, err := Parse([]byte(bad)); err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "oner: ") {
			t.Errorf("%s -> %s: %v, want an error naming %q", c.old, c.new, err, c.want)
		}
	}
}
