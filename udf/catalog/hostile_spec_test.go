package catalog

import (
	"strings"
	"testing"
)

// kmHostileBase is a valid two-feature k-means spec; hostile specs replace
// parts of it.
const kmHostileBase = `{"kind":"kmeans","features":["recency_days","frequency"],"transform":"none","scaler":{"method":"none"},"k":2,"centroids":[[0,0],[10,10]],"segment_names":["Low","High"]}`

const rfmHostileBase = `{"kind":"rfm","recency_cuts":[10,30,60,120],"frequency_cuts":[1,2,3,5],"monetary_cuts":[100,250,500,1000]}`

func hostileSpecs() []struct{ name, spec string } {
	deep := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	km := func(old, new string) string { return strings.Replace(kmHostileBase, old, new, 1) }
	rf := func(old, new string) string { return strings.Replace(rfmHostileBase, old, new, 1) }
	return []struct{ name, spec string }{
		{"huge padded valid kmeans", strings.Replace(kmHostileBase, ",", ","+strings.Repeat(" ", 1<<20), 1)},
		{"huge segment name", km(`"Low"`, `"`+strings.Repeat("L", 1<<20)+`"`)},
		{"huge garbage", "{" + strings.Repeat("x", 1<<20)},
		{"huge unknown key", `{"kind":"kmeans","` + strings.Repeat("k", 1<<20) + `":1}`},
		{"deep 10000", deep(10000)},
		{"deep 10001", deep(10001)},
		{"deep 100000", deep(100000)},
		{"deep object", strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)},
		{"deep in centroids", km(`[[0,0],[10,10]]`, deep(20000))},
		{"deep in cuts", rf(`[10,30,60,120]`, deep(20000))},
		{"1e400 centroid", km(`[[0,0],`, `[[1e400,0],`)},
		{"-1e400 centroid", km(`[[0,0],`, `[[-1e400,0],`)},
		{"1e308 centroids", km(`[[0,0],[10,10]]`, `[[1e308,1e308],[-1e308,-1e308]]`)},
		{"1e300 and 1e200 centroids", km(`[[0,0],[10,10]]`, `[[1e300,1e300],[1e200,1e200]]`)},
		{"1e400 cut", rf(`[10,30,60,120]`, `[10,30,60,1e400]`)},
		{"1e308 cuts", rf(`[10,30,60,120]`, `[1e307,1e308,1.5e308,1.7e308]`)},
		{"NaN literal", km(`[[0,0],`, `[[NaN,0],`)},
		{"NaN string", km(`[[0,0],`, `[["NaN",0],`)},
		{"Infinity string", rf(`[10,30,60,120]`, `["Infinity",30,60,120]`)},
		{"empty centroids", km(`[[0,0],[10,10]]`, `[]`)},
		{"empty centroid rows", km(`[[0,0],[10,10]]`, `[[],[]]`)},
		{"empty features", km(`["recency_days","frequency"]`, `[]`)},
		{"empty cuts", rf(`[10,30,60,120]`, `[]`)},
		{"k as text", km(`"k":2`, `"k":"2"`)},
		{"k huge", km(`"k":2`, `"k":9223372036854775807`)},
		{"k overflow", km(`"k":2`, `"k":1e400`)},
		{"centroids as text", km(`[[0,0],[10,10]]`, `"x"`)},
		{"centroids null", km(`[[0,0],[10,10]]`, `null`)},
		{"kind number", `{"kind":5}`},
		{"kind null", `{"kind":null}`},
		{"array", `[1,2,3]`},
		{"empty object", `{}`},
		{"empty text", ``},
		{"only spaces", `   `},
		{"null", `null`},
	}
}

// hostileCalls are the calls that parse a spec-like text argument: every
// model function, rfm_segment's rules and psi's bins.
func hostileCalls(text string) []struct {
	fn   string
	args []Value
} {
	return []struct {
		fn   string
		args []Value
	}{
		{"assign_segment", []Value{TextValue(text), DoubleValue(1), DoubleValue(2)}},
		{"segment_distance", []Value{TextValue(text), DoubleValue(1), DoubleValue(2)}},
		{"segment_name", []Value{TextValue(text), IntValue(1)}},
		{"rfm_score", []Value{TextValue(text), DoubleValue(1), DoubleValue(2), DoubleValue(3)}},
		{"rfm_segment", []Value{IntValue(555), TextValue(text)}},
		{"psi_bin", []Value{TextValue(text), DoubleValue(1)}},
		{"psi", []Value{TextValue(text), DoubleValue(1)}},
	}
}

// maxErrorLen bounds every error of a hostile spec: the messages quote
// parts of the input, cut.
const maxErrorLen = 500

// checkHostile runs every call on text and fails on a panic (reported by
// the catalog as an internal error), an error not naming its function, or
// an error longer than maxErrorLen. It returns each function's result or
// error text.
func checkHostile(t *testing.T, name, text string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, kind := range []string{"kmeans", "rfm"} {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%s: DecodeModel(%s) panicked: %v", name, kind, r)
				}
			}()
			_, err := DecodeModel(kind, text)
			if err != nil && len(err.Error()) > maxErrorLen {
				t.Errorf("%s: DecodeModel(%s): error of %d bytes: %.200s", name, kind, len(err.Error()), err)
			}
			out["decode "+kind] = errText(err)
		}()
	}
	for _, c := range hostileCalls(text) {
		f := Lookup(c.fn)
		var v Value
		var err error
		if f.Kind == Aggregate {
			st := f.NewAggregate()
			if err = f.Step(&Call{}, st, c.args); err == nil {
				v, err = f.Final(&Call{}, st)
			}
		} else {
			v, err = f.CallScalar(&Call{}, c.args)
		}
		if err == nil {
			out[c.fn] = v.String()
			continue
		}
		msg := err.Error()
		out[c.fn] = msg
		if strings.Contains(msg, "internal error") || !strings.HasPrefix(msg, c.fn+": ") {
			t.Errorf("%s: %s: %.300s", name, c.fn, msg)
		}
		// A text that is not JSON is a model name to the model functions,
		// and ParseModelRef (call.go) quotes a reference whole: left to
		// the owner of call.go.
		nameRef := c.fn != "rfm_segment" && !strings.HasPrefix(c.fn, "psi") && !strings.HasPrefix(strings.TrimSpace(text), "{")
		if len(msg) > maxErrorLen && !nameRef {
			t.Errorf("%s: %s: error of %d bytes: %.200s", name, c.fn, len(msg), msg)
		}
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// TestHostileSpecs: huge, deeply nested, overflowing and mistyped specs
// give each function a clear error or a result, never a panic. Go's
// encoding/json refuses nesting deeper than 10,000 ("exceeded max depth"),
// so depth costs neither stack nor time; a number beyond float64 (1e400)
// is an unmarshal error, not ±Inf.
func TestHostileSpecs(t *testing.T) {
	want := map[string]map[string]string{ // name → function → error substring or result
		"huge padded valid kmeans": {"decode kmeans": "<nil>", "assign_segment": "0", "segment_name": `text "High"`},
		"huge segment name":        {"decode kmeans": "<nil>", "segment_name": `text "High"`},
		"huge garbage":             {"decode kmeans": "invalid character 'x'", "rfm_segment": "invalid character 'x'", "psi_bin": "invalid character 'x'"},
		"deep 10000":               {"decode kmeans": "cannot unmarshal array", "rfm_segment": "cannot unmarshal array", "psi_bin": "cannot unmarshal array"},
		"deep 10001":               {"decode kmeans": "exceeded max depth", "decode rfm": "exceeded max depth", "rfm_segment": "exceeded max depth", "psi": "exceeded max depth"},
		"deep 100000":              {"decode rfm": "exceeded max depth", "psi_bin": "exceeded max depth"},
		"deep object":              {"assign_segment": "corrupt model JSON: invalid character '{' exceeded max depth", "rfm_score": "exceeded max depth"},
		"deep in centroids":        {"assign_segment": "corrupt model JSON: invalid character '[' exceeded max depth"},
		"deep in cuts":             {"rfm_score": "corrupt model JSON: invalid character '[' exceeded max depth"},
		"1e400 centroid":           {"assign_segment": "cannot unmarshal number 1e400"},
		"-1e400 centroid":          {"segment_distance": "cannot unmarshal number -1e400"},
		"1e400 cut":                {"rfm_score": "cannot unmarshal number 1e400"},
		"1e308 cuts":               {"rfm_score": "521"},
		"NaN literal":              {"assign_segment": "invalid character 'N'"},
		"NaN string":               {"assign_segment": "cannot unmarshal string"},
		"Infinity string":          {"rfm_score": "cannot unmarshal string"},
		"empty centroids":          {"assign_segment": "0 centroids for k = 2"},
		"empty centroid rows":      {"assign_segment": "centroid 0 has 0 coordinates"},
		"empty features":           {"assign_segment": "no features"},
		"empty cuts":               {"rfm_score": "recency_cuts must hold exactly 4 numbers, got 0"},
		"k as text":                {"assign_segment": "cannot unmarshal string"},
		"k overflow":               {"assign_segment": "cannot unmarshal number 1e400"},
		"kind number":              {"assign_segment": "cannot unmarshal number"},
		"empty text":               {"assign_segment": "model reference is empty", "rfm_segment": "rfm rules: EOF", "psi_bin": "bins JSON: EOF"},
		"null":                     {"rfm_segment": "the rule set is empty", "psi_bin": `no "expected" proportions`},
	}
	for _, h := range hostileSpecs() {
		got := checkHostile(t, h.name, h.spec)
		for fn, sub := range want[h.name] {
			if !strings.Contains(got[fn], sub) {
				t.Errorf("%s: %s gave %.200q, want it to contain %q", h.name, fn, got[fn], sub)
			}
		}
	}
}

// TestHostileRulesAndBins: hostile texts in rfm_segment's rules and psi's
// bins, which are arrays and objects of their own shapes.
func TestHostileRulesAndBins(t *testing.T) {
	deep := strings.Repeat("[", 20000)
	cases := []struct{ name, fn, text, want string }{
		{"deep rule range", "rfm_segment", `[{"segment":"a","r":` + deep, "exceeded max depth"},
		{"1e400 in a range", "rfm_segment", `[{"segment":"a","r":[1e400,5]}]`, "cannot unmarshal number 1e400"},
		{"range as text", "rfm_segment", `[{"segment":"a","r":"1-5"}]`, "cannot unmarshal string"},
		{"segment as number", "rfm_segment", `[{"segment":5}]`, "cannot unmarshal number"},
		{"empty rule", "rfm_segment", `[{}]`, `rule 1 has no "segment" name`},
		{"huge segment name", "rfm_segment", `[{"segment":"` + strings.Repeat("s", 1<<20) + `","r":[9,9]}]`, `rule 1 (sss`},
		{"deep edges", "psi_bin", `{"edges":` + deep, "exceeded max depth"},
		{"1e400 edge", "psi_bin", `{"edges":[1e400],"expected":[0.5,0.5]}`, "cannot unmarshal number 1e400"},
		{"-1e400 share", "psi", `{"edges":[1],"expected":[-1e400,0.5]}`, "cannot unmarshal number -1e400"},
		{"edges near the float limit", "psi_bin", `{"edges":[1e308,1.7e308],"expected":[0.25,0.5,0.25]}`, "1"},
		{"no edges: one bin", "psi_bin", `{"edges":[],"expected":[1]}`, "1"},
		{"no edges, psi", "psi", `{"edges":[],"expected":[1]}`, "0"},
		{"NaN share", "psi", `{"edges":[1],"expected":["NaN",0.5]}`, "cannot unmarshal string"},
		{"edges as text", "psi_bin", `{"edges":"1,2","expected":[1]}`, "cannot unmarshal string"},
		{"empty", "psi", `{}`, `no "expected" proportions`},
	}
	for _, c := range cases {
		got := checkHostile(t, c.name, c.text)
		if !strings.Contains(got[c.fn], c.want) {
			t.Errorf("%s: %s gave %.200q, want it to contain %q", c.name, c.fn, got[c.fn], c.want)
		}
	}
}

// FuzzHostileSpecs feeds any text to every function that parses a spec:
// rfm_segment, psi and psi_bin, and the model functions through inline JSON.
// The seed corpus is the hostile specs above (megabytes long, deeply
// nested, overflowing numbers), which the engine fuzz tests of ext/ cannot
// build from their short texts.
func FuzzHostileSpecs(f *testing.F) {
	for _, h := range hostileSpecs() {
		f.Add(h.spec)
	}
	f.Add(`[{"segment":"a","r":[1e400,5]}]`)
	f.Add(`{"edges":[1e308,1.7e308],"expected":[0.25,0.5,0.25]}`)
	f.Fuzz(func(t *testing.T, text string) {
		checkHostile(t, "fuzz", text)
	})
}
