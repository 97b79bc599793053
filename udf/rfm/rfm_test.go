package rfm

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// Expected cuts from numpy 1.24.2: np.quantile(a, [0.2,0.4,0.6,0.8]) with
// rec=[(i*37)%101], fre=[1+(i*7)%13], mon=[((i*53)%211)*1.37] for i in range(250).
func TestFitMatchesNumpy(t *testing.T) {
	const n = 250
	rec, fre, mon := make([]float64, n), make([]float64, n), make([]float64, n)
	for i := 0; i < n; i++ {
		rec[i] = float64((i * 37) % 101)
		fre[i] = float64(1 + (i*7)%13)
		mon[i] = float64((i*53)%211) * 1.37
	}
	recBefore := append([]float64(nil), rec...)
	m, err := Fit(rec, fre, mon)
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-9
	check := func(name string, got []float64, want [4]float64) {
		if len(got) != 4 {
			t.Fatalf("%s: %d cuts", name, len(got))
		}
		for i := range want {
			if math.Abs(got[i]-want[i]) > tol {
				t.Errorf("%s[%d] = %v, want %v ± %g (numpy)", name, i, got[i], want[i], tol)
			}
		}
	}
	check("recency", m.RecencyCuts, [4]float64{19.800000000000004, 39.60000000000001, 60.0, 80.0})
	check("frequency", m.FrequencyCuts, [4]float64{3.0, 6.0, 8.0, 11.0})
	check("monetary", m.MonetaryCuts, [4]float64{54.52600000000001, 109.05200000000002, 163.578, 224.68})
	if m.Customers != n || m.Kind != "rfm" || m.Format != 1 {
		t.Errorf("metadata: customers %d kind %q format %d", m.Customers, m.Kind, m.Format)
	}
	for i := range rec {
		if rec[i] != recBefore[i] {
			t.Fatal("Fit modified its input")
		}
	}
}

func TestFitErrors(t *testing.T) {
	one := []float64{1}
	cases := []struct {
		name    string
		r, f, m []float64
		want    string
	}{
		{"empty", nil, nil, nil, "no customers"},
		{"mismatch", []float64{1, 2}, one, one, "got 2, 1 and 1 values"},
		{"NaN recency", []float64{math.NaN()}, one, one, "recency of customer 1 is NaN"},
		{"Inf monetary", one, one, []float64{math.Inf(1)}, "monetary of customer 1 is +Inf"},
		{"-Inf frequency", []float64{1, 2}, []float64{1, math.Inf(-1)}, []float64{1, 2}, "frequency of customer 2 is -Inf"},
	}
	for _, c := range cases {
		_, err := Fit(c.r, c.f, c.m)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want it to contain %q", c.name, err, c.want)
		}
	}
}

func TestModelJSONRoundTrip(t *testing.T) {
	m, err := Fit([]float64{1, 5, 9, 30, 200}, []float64{1, 1, 2, 3, 8}, []float64{10, 20.5, 30, 40, 1000})
	if err != nil {
		t.Fatal(err)
	}
	m.AsOf = "2011-12-10 12:50:00"
	spec := m.JSON()
	var top map[string]any
	if err := json.Unmarshal([]byte(spec), &top); err != nil {
		t.Fatal(err)
	}
	if top["kind"] != "rfm" || top["as_of"] != "2011-12-10 12:50:00" || top["customers"] != float64(5) {
		t.Errorf("JSON top level: %v", top)
	}
	back, err := ParseModel(spec)
	if err != nil {
		t.Fatal(err)
	}
	// Hand computed: recency sorted [1 5 9 30 200], h=4p: q20 = 1+0.8*4 = 4.2.
	if math.Abs(back.RecencyCuts[0]-4.2) > 1e-12 || back.AsOf != m.AsOf {
		t.Errorf("round trip: %+v", back)
	}
}

func TestParseModelErrors(t *testing.T) {
	cases := []struct {
		spec, want string
	}{
		{`not json`, "rfm model: invalid character"},
		{`{"kind":"kmeans","recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,4]}`, `kind is "kmeans"`},
		{`{"kind":"rfm","format":2,"recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,4]}`, "format 2 is not supported"},
		{`{"kind":"rfm","recency_cuts":[1,2,3],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,4]}`, "recency_cuts must hold exactly 4 numbers, got 3"},
		{`{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4]}`, "monetary_cuts must hold exactly 4 numbers, got 0"},
		{`{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,3,2,4],"monetary_cuts":[1,2,3,4]}`, "frequency_cuts must be non-decreasing, but 2 follows 3"},
		{`{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,"x"]}`, "rfm model: json: cannot unmarshal string"},
		{`{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,1e999]}`, "rfm model:"},
	}
	for _, c := range cases {
		_, err := ParseModel(c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ParseModel(%s): err = %v, want it to contain %q", c.spec, err, c.want)
		}
	}
	// Equal cut points (many customers with one purchase) are valid.
	if _, err := ParseModel(`{"kind":"rfm","recency_cuts":[1,2,3,4],"frequency_cuts":[1,1,1,2],"monetary_cuts":[1,2,3,4]}`); err != nil {
		t.Errorf("tied cuts rejected: %v", err)
	}
}

// Scores computed by hand from the cuts below.
func TestScore(t *testing.T) {
	m := &Model{Kind: "rfm", Format: 1,
		RecencyCuts:   []float64{10, 30, 60, 120},
		FrequencyCuts: []float64{1, 1, 2, 5},
		MonetaryCuts:  []float64{100, 250, 500, 1000},
	}
	cases := []struct {
		name       string
		r, f, mo   float64
		wr, wf, wm int
		code       int
	}{
		// recency 0 is above no cut: 5 - 0 = 5 (most recent best).
		{"best", 0, 9, 5000, 5, 5, 5, 555},
		{"worst", 500, 0, 0, 1, 1, 1, 111},
		// a value equal to a cut point is not above it: recency 10 → 5, 30 → 4.
		{"recency on cut q20", 10, 1, 100, 5, 1, 1, 511},
		{"recency on cut q40", 30, 1, 100, 4, 1, 1, 411},
		{"recency just above q40", 30.5, 1, 100, 3, 1, 1, 311},
		// frequency cuts tie at 1: a value of 1 is above none (score 1), 2 is above two (score 3).
		{"frequency tie at cut", 0, 1, 100, 5, 1, 1, 511},
		{"frequency above tied cuts", 0, 2, 100, 5, 3, 1, 531},
		{"frequency 3", 0, 3, 100, 5, 4, 1, 541},
		{"monetary 250.01", 200, 3, 250.01, 1, 4, 3, 143},
		{"negative monetary (returns)", 61, 6, -20, 2, 5, 1, 251},
	}
	for _, c := range cases {
		r, f, mo := m.Score(c.r, c.f, c.mo)
		if r != c.wr || f != c.wf || mo != c.wm {
			t.Errorf("%s: Score(%v,%v,%v) = %d,%d,%d, want %d,%d,%d", c.name, c.r, c.f, c.mo, r, f, mo, c.wr, c.wf, c.wm)
		}
		if code := m.Code(c.r, c.f, c.mo); code != c.code {
			t.Errorf("%s: Code = %d, want %d", c.name, code, c.code)
		}
	}
}

// Equal values get equal scores, however many customers share them: with
// 60 % of customers at frequency 1, the cuts are [1 1 1 2] and every one
// of them scores F=1.
func TestScoreTiesFromFit(t *testing.T) {
	freq := []float64{1, 1, 1, 1, 1, 1, 2, 2, 3, 7}
	same := make([]float64, len(freq))
	m, err := Fit(same, freq, same)
	if err != nil {
		t.Fatal(err)
	}
	// Hand computed type 7, n=10, h=9p: q20=x[1.8]=1, q40=x[3.6]=1, q60=x[5.4]=1+0.4*(2-1)... x[5]=1,x[6]=2 → 1.4; q80=x[7.2]=2+0.2*(3-2)=2.2.
	want := []float64{1, 1, 1.4, 2.2}
	for i := range want {
		if math.Abs(m.FrequencyCuts[i]-want[i]) > 1e-12 {
			t.Fatalf("frequency cuts %v, want %v", m.FrequencyCuts, want)
		}
	}
	wantF := map[float64]int{1: 1, 2: 4, 3: 5, 7: 5}
	for _, v := range freq {
		_, f, _ := m.Score(0, v, 0)
		if f != wantF[v] {
			t.Errorf("frequency %v scored %d, want %d", v, f, wantF[v])
		}
	}
	// All recency values equal (0): every cut is 0, nobody is above: R = 5 for all.
	if r, _, _ := m.Score(0, 1, 0); r != 5 {
		t.Errorf("constant recency scored %d, want 5", r)
	}
}
