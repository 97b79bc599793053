package catalog

import (
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/custseg/custseg/udf/rfm"
)

// memStore is an in-memory ModelStore: a test double of the registry (the
// engines' stores are tested with the bindings). versions[name][v-1] holds
// the spec of version v; the active version is the last one.
type memStore struct {
	kinds    map[string]string
	versions map[string][]string
}

func (s *memStore) LookupModel(name string, version int64) (string, string, error) {
	vs := s.versions[name]
	if len(vs) == 0 || version > int64(len(vs)) {
		return "", "", fmt.Errorf("%s@%d: %w", name, version, ErrModelNotFound)
	}
	if version == 0 {
		version = int64(len(vs))
	}
	return s.kinds[name], vs[version-1], nil
}

// otherKind stands in for another model family (k-means, ...) so that the
// test does not depend on which families are registered.
const otherKind = "rfmtest_other"

func init() {
	RegisterModelKind(otherKind, func(spec string) (any, error) { return spec, nil })
}

const (
	// Version 1: cuts chosen by hand; version 2: every cut 10x higher.
	rfmV1 = `{"kind":"rfm","format":1,"recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000],"customers":50}`
	rfmV2 = `{"kind":"rfm","format":1,"recency_cuts":[100,300,600,1200],"frequency_cuts":[10,20,30,50],"monetary_cuts":[1000,2500,5000,10000],"customers":50}`
)

var testStore = &memStore{
	kinds: map[string]string{"rfm": "rfm", "km": otherKind, "broken": "rfm", "short": "rfm"},
	versions: map[string][]string{
		"rfm":    {rfmV1, rfmV2},
		"km":     {`{"kind":"rfmtest_other"}`},
		"broken": {`{"kind":"rfm","recency_cuts":[1,2,3,4]`},
		"short":  {`{"kind":"rfm","recency_cuts":[1,2,3],"frequency_cuts":[1,2,3,4],"monetary_cuts":[1,2,3,4]}`},
	},
}

func scoreArgs(model string, r, f, m float64) []Value {
	return []Value{TextValue(model), DoubleValue(r), DoubleValue(f), DoubleValue(m)}
}

// Expected codes are computed by hand from the cuts of rfmV1 / rfmV2:
// R = 5 - #cuts strictly below the value; F, M = 1 + #cuts strictly below.
func TestRfmScore(t *testing.T) {
	f := Lookup("rfm_score")
	if f == nil {
		t.Fatal("rfm_score not registered")
	}
	cases := []struct {
		name string
		args []Value
		want int64
	}{
		{"active version (v2)", scoreArgs("rfm", 12, 4, 800), 511},
		{"name@1", scoreArgs("rfm@1", 12, 4, 800), 444},
		{"name@2", scoreArgs("rfm@2", 12, 4, 800), 511},
		{"inline JSON", scoreArgs(rfmV1, 12, 4, 800), 444},
		{"inline JSON with spaces", scoreArgs("  "+rfmV1+"\n", 0, 6, 1000.5), 555},
		{"values on cut points", scoreArgs("rfm@1", 10, 1, 100), 511},
		{"integers accepted", []Value{TextValue("rfm@1"), IntValue(500), IntValue(3), IntValue(250)}, 132},
		{"example from the docs", scoreArgs(`{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}`, 12, 4, 800), 444},
	}
	c := &Call{Store: testStore}
	for _, tc := range cases {
		got, err := f.CallScalar(c, tc.args)
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if got.Type != Integer || got.Int != tc.want {
			t.Errorf("%s: got %v, want %d", tc.name, got, tc.want)
		}
	}
}

func TestRfmScoreNulls(t *testing.T) {
	f := Lookup("rfm_score")
	for i := 0; i < 4; i++ {
		args := scoreArgs("rfm", 1, 2, 3)
		args[i] = NullValue()
		got, err := f.CallScalar(&Call{Store: testStore}, args)
		if err != nil || !got.IsNull() {
			t.Errorf("NULL %s: got %v, %v; want NULL", f.ParamName(i), got, err)
		}
	}
}

func TestRfmScoreErrors(t *testing.T) {
	f := Lookup("rfm_score")
	cases := []struct {
		name string
		args []Value
		want string
	}{
		{"model not text", []Value{IntValue(5), DoubleValue(1), DoubleValue(1), DoubleValue(1)}, "rfm_score: model must be text, got 5"},
		{"recency text", []Value{TextValue("rfm"), TextValue("ten"), DoubleValue(1), DoubleValue(1)}, `rfm_score: recency_days must be a number, got text "ten"`},
		{"frequency NaN", scoreArgs("rfm", 1, math.NaN(), 1), "rfm_score: frequency must be a finite number, got NaN"},
		{"monetary Inf", scoreArgs("rfm", 1, 1, math.Inf(1)), "rfm_score: monetary must be a finite number, got +Inf"},
		{"unknown model", scoreArgs("nope", 1, 1, 1), `rfm_score: unknown model "nope"`},
		{"unknown version", scoreArgs("rfm@7", 1, 1, 1), `rfm_score: unknown model "rfm@7"`},
		{"bad version", scoreArgs("rfm@x", 1, 1, 1), `rfm_score: model reference "rfm@x": the version after @ must be a positive integer`},
		{"other kind", scoreArgs("km", 1, 1, 1), `rfm_score: model "km" is a rfmtest_other model, not an rfm model`},
		{"corrupt JSON in registry", scoreArgs("broken", 1, 1, 1), `rfm_score: model "broken" is corrupt: rfm model: unexpected end of JSON input`},
		{"invalid model in registry", scoreArgs("short", 1, 1, 1), `rfm_score: model "short" is corrupt: rfm model: recency_cuts must hold exactly 4 numbers, got 3`},
		{"corrupt inline JSON", scoreArgs(`{"kind":"rfm",`, 1, 1, 1), "rfm_score: corrupt model JSON"},
		{"inline JSON without kind", scoreArgs(`{"recency_cuts":[1,2,3,4]}`, 1, 1, 1), `rfm_score: corrupt model JSON: no "kind" field`},
		{"empty reference", scoreArgs("  ", 1, 1, 1), "rfm_score: model reference is empty"},
		{"too few arguments", scoreArgs("rfm", 1, 1, 1)[:3], "rfm_score: wrong number of arguments: got 3, want 4"},
	}
	for _, tc := range cases {
		got, err := f.CallScalar(&Call{Store: testStore}, tc.args)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, %v; want error starting %q", tc.name, got, err, tc.want)
		}
	}
	// Without a registry, names cannot resolve but inline JSON still works.
	if _, err := f.CallScalar(&Call{}, scoreArgs("rfm", 1, 1, 1)); err == nil || !strings.Contains(err.Error(), "no model registry") {
		t.Errorf("no store: %v", err)
	}
	if v, err := f.CallScalar(&Call{}, scoreArgs(rfmV1, 12, 4, 800)); err != nil || v.Int != 444 {
		t.Errorf("no store, inline JSON: %v, %v", v, err)
	}
}

func TestRfmSegment(t *testing.T) {
	f := Lookup("rfm_segment")
	if f == nil {
		t.Fatal("rfm_segment not registered")
	}
	const vip = `[{"segment":"VIP","r":[4,5],"f":[4,5]},{"segment":"Sleeping","r":[1,2]}]`
	cases := []struct {
		name string
		args []Value
		want string
	}{
		{"champion", []Value{IntValue(555)}, "Champions"},
		{"example from the docs", []Value{IntValue(155)}, "Can't Lose Them"},
		{"other", []Value{IntValue(551)}, "Others"},
		{"double code", []Value{DoubleValue(311)}, "Promising"},
		{"custom rules", []Value{IntValue(541), TextValue(vip)}, "VIP"},
		{"custom rules again (cached)", []Value{IntValue(155), TextValue(vip)}, "Sleeping"},
		{"custom rules, no match", []Value{IntValue(333), TextValue(vip)}, "Others"},
	}
	c := &Call{Store: testStore}
	for _, tc := range cases {
		got, err := f.CallScalar(c, tc.args)
		if err != nil || got.Type != Text || got.Text != tc.want {
			t.Errorf("%s: got %v, %v; want %q", tc.name, got, err, tc.want)
		}
	}
	for _, args := range [][]Value{{NullValue()}, {NullValue(), TextValue(vip)}, {IntValue(555), NullValue()}} {
		got, err := f.CallScalar(c, args)
		if err != nil || !got.IsNull() {
			t.Errorf("rfm_segment%v: got %v, %v; want NULL", args, got, err)
		}
	}
}

func TestRfmSegmentErrors(t *testing.T) {
	f := Lookup("rfm_segment")
	cases := []struct {
		name string
		args []Value
		want string
	}{
		{"digit out of range", []Value{IntValue(106)}, "rfm_segment: rfm_code 106: digit 2 (F) is 0 and digit 3 (M) is 6, each digit must be 1..5"},
		{"digit 6", []Value{IntValue(516)}, "rfm_segment: rfm_code 516: digit 3 (M) is 6, each digit must be 1..5"},
		{"too long", []Value{IntValue(1111)}, "rfm_segment: rfm_code 1111: must be a 3-digit code 111..555"},
		{"huge", []Value{IntValue(math.MaxInt64)}, "rfm_segment: rfm_code 9223372036854775807: must be a 3-digit code"},
		{"negative", []Value{IntValue(-555)}, "rfm_segment: rfm_code -555: must be a 3-digit code"},
		{"fraction", []Value{DoubleValue(111.5)}, "rfm_segment: rfm_code must be an integer, got 111.5"},
		{"text code", []Value{TextValue("555")}, `rfm_segment: rfm_code must be an integer, got text "555"`},
		{"rules not text", []Value{IntValue(555), IntValue(1)}, "rfm_segment: rules must be text, got 1"},
		{"rules not JSON", []Value{IntValue(555), TextValue("VIP")}, "rfm_segment: rfm rules: invalid character"},
		{"bad range", []Value{IntValue(555), TextValue(`[{"segment":"A","r":[5,1]}]`)}, `rfm_segment: rfm rules: rule 1 (A): "r" range [5, 1] is invalid`},
		{"shadowed rule", []Value{IntValue(555), TextValue(`[{"segment":"Active","r":[3,5]},{"segment":"VIP","r":[5,5]}]`)},
			"rfm_segment: rfm rules: rule 2 (VIP) can never match: every code it covers is taken by rule 1 (Active)"},
		{"too many arguments", []Value{IntValue(555), TextValue("[]"), TextValue("x")}, "rfm_segment: wrong number of arguments: got 3, want 1 to 2"},
	}
	for _, tc := range cases {
		got, err := f.CallScalar(&Call{Store: testStore}, tc.args)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%s: got %v, %v; want error starting %q", tc.name, got, err, tc.want)
		}
	}
}

// The functions are called from several engine threads at once, each with
// its own Call; the model and rule caches are shared.
func TestRfmConcurrent(t *testing.T) {
	score, seg := Lookup("rfm_score"), Lookup("rfm_segment")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			c := &Call{Store: testStore}
			rules := fmt.Sprintf(`[{"segment":"G%d","r":[4,5]}]`, g%3)
			for i := 0; i < 2000; i++ {
				if i%500 == 0 {
					Invalidate()
				}
				v, err := score.CallScalar(c, scoreArgs("rfm@1", 12, 4, 800))
				if err != nil || v.Int != 444 {
					errs <- fmt.Errorf("score: %v %v", v, err)
					return
				}
				s, err := seg.CallScalar(c, []Value{v, TextValue(rules)})
				if err != nil || s.Text != fmt.Sprintf("G%d", g%3) {
					errs <- fmt.Errorf("segment: %v %v", s, err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

func BenchmarkRfmScoreByName(b *testing.B) {
	f, c := Lookup("rfm_score"), &Call{Store: testStore}
	args := scoreArgs("rfm@1", 12, 4, 800)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.CallScalar(c, args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRfmSegmentDefault(b *testing.B) {
	f, c := Lookup("rfm_segment"), &Call{}
	args := []Value{IntValue(345)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.CallScalar(c, args); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRfmSegmentCustom(b *testing.B) {
	f, c := Lookup("rfm_segment"), &Call{}
	args := []Value{IntValue(345), TextValue(`[{"segment":"VIP","r":[4,5],"f":[4,5]},{"segment":"Sleeping","r":[1,2]}]`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := f.CallScalar(c, args); err != nil {
			b.Fatal(err)
		}
	}
}

// TestRfmSegmentHostileRules: the 1 MB set of 16,000 rules is
// refused at once by rule count, and one just under rfm.MaxRules whose
// rules nearly all never match is checked fast with a short error.
func TestRfmSegmentHostileRules(t *testing.T) {
	f := Lookup("rfm_segment")
	rules := func(n int) string {
		var b strings.Builder
		b.WriteString(`[{"segment":"All"}`)
		for i := 1; i < n; i++ {
			fmt.Fprintf(&b, `,{"segment":"Segment number %d","r":[%d,5],"description":"never reached"}`, i, 1+i%5)
		}
		b.WriteString("]")
		return b.String()
	}
	for _, c := range []struct {
		n    int
		want string
	}{
		{16000, "rfm_segment: rfm rules: 16000 rules: at most 1000"},
		{rfm.MaxRules, "rfm_segment: rfm rules: rule 2 (Segment number 1) can never match: every code it covers is taken by rule 1 (All); rule 3"},
	} {
		text := rules(c.n)
		start := time.Now()
		_, err := f.CallScalar(&Call{}, []Value{IntValue(555), TextValue(text)})
		if d := time.Since(start); d > time.Second {
			t.Errorf("%d rules (%d bytes): %v", c.n, len(text), d)
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) || len(err.Error()) > 1000 {
			t.Errorf("%d rules: error of %d bytes %.300v, want it to start %q", c.n, len(err.Error()), err, c.want)
		}
	}
}
