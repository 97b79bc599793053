package classmetrics

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/classmetrics/sklearnref"
)

func TestScoresZeroDivision(t *testing.T) {
	cases := []struct {
		name                  string
		tp, predicted, actual int64
		want                  Scores
	}{
		{"perfect", 3, 3, 3, Scores{1, 1, 1}},
		{"never predicted", 0, 0, 4, Scores{0, 0, 0}},
		{"never actual", 0, 2, 0, Scores{0, 0, 0}},
		{"half", 1, 2, 4, Scores{0.5, 0.25, 2 * 0.5 * 0.25 / 0.75}},
	}
	for _, c := range cases {
		if got := scores(c.tp, c.predicted, c.actual); got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, got, c.want)
		}
	}
}

func TestConfusionByHand(t *testing.T) {
	// actual a a b b c, predicted a b b b a: a: tp 1, predicted 2, actual 2;
	// b: tp 2, predicted 3, actual 2; c: tp 0, predicted 0, actual 1.
	var c Confusion
	for _, r := range [][2]string{{"a", "a"}, {"a", "b"}, {"b", "b"}, {"b", "b"}, {"c", "a"}} {
		if err := c.Add(r[0], r[1]); err != nil {
			t.Fatal(err)
		}
	}
	if got := c.Accuracy(); got != 3.0/5 {
		t.Errorf("accuracy %v", got)
	}
	b, _ := c.Class("b")
	if b.Precision != 2.0/3 || b.Recall != 1 {
		t.Errorf("b: %+v", b)
	}
	if _, ok := c.Class("z"); ok {
		t.Error("an unseen label has scores")
	}
	m := c.Macro()
	if want := (0.5 + 2.0/3 + 0) / 3; math.Abs(m.Precision-want) > 1e-15 {
		t.Errorf("macro precision %v, want %v", m.Precision, want)
	}
	want := `{"a":{"a":1,"b":1,"c":0},"b":{"a":0,"b":2,"c":0},"c":{"a":1,"b":0,"c":0}}`
	if got := c.JSON(); got != want {
		t.Errorf("JSON %s\nwant %s", got, want)
	}
	var empty Confusion
	if !math.IsNaN(empty.Accuracy()) || !math.IsNaN(empty.Macro().F1) || empty.JSON() != "{}" {
		t.Error("an empty matrix must give NaN and {}")
	}
}

func TestConfusionJSONEscapes(t *testing.T) {
	var c Confusion
	if err := c.Add(`say "hi"`, "é\n"); err != nil {
		t.Fatal(err)
	}
	var m map[string]map[string]int64
	if err := json.Unmarshal([]byte(c.JSON()), &m); err != nil {
		t.Fatalf("%s: %v", c.JSON(), err)
	}
	if m[`say "hi"`]["é\n"] != 1 {
		t.Errorf("%v", m)
	}
}

func TestConfusionLabelCap(t *testing.T) {
	var c Confusion
	for i := 0; i < MaxLabels; i++ {
		if err := c.Add(strings.Repeat("x", i+1), strings.Repeat("x", i+1)); err != nil {
			t.Fatalf("label %d: %v", i, err)
		}
	}
	if err := c.Add("one more", "x"); !errors.Is(err, ErrTooManyLabels) {
		t.Errorf("label %d: err %v", MaxLabels+1, err)
	}
	var d Confusion
	d.Add("another", "another")
	if err := d.Merge(&c); !errors.Is(err, ErrTooManyLabels) {
		t.Errorf("merge: err %v", err)
	}
}

func TestMergeEqualsOnePass(t *testing.T) {
	rows := [][2]string{{"a", "a"}, {"b", "a"}, {"c", "c"}, {"a", "c"}, {"b", "b"}, {"c", "a"}}
	var all, x, y Confusion
	for i, r := range rows {
		all.Add(r[0], r[1])
		if i%2 == 0 {
			x.Add(r[0], r[1])
		} else {
			y.Add(r[0], r[1])
		}
	}
	if err := y.Merge(&x); err != nil {
		t.Fatal(err)
	}
	if all.JSON() != y.JSON() || all.Macro() != y.Macro() || all.Accuracy() != y.Accuracy() {
		t.Errorf("merged %s %+v, one pass %s %+v", y.JSON(), y.Macro(), all.JSON(), all.Macro())
	}
}

func TestAUCByHand(t *testing.T) {
	cases := []struct {
		name   string
		scores []float64
		pos    []bool
		want   float64
	}{
		{"separated", []float64{1, 2, 3, 4}, []bool{false, false, true, true}, 1},
		{"reversed", []float64{1, 2, 3, 4}, []bool{true, true, false, false}, 0},
		{"all tied", []float64{5, 5, 5}, []bool{true, false, false}, 0.5},
		// pairs (pos 2; neg 1, 2, 3): 1 + ½ + 0 over 3.
		{"one tie", []float64{2, 1, 2, 3}, []bool{true, false, false, false}, 1.5 / 3},
	}
	for _, c := range cases {
		got, err := AUC(c.scores, c.pos)
		if err != nil || got != c.want {
			t.Errorf("%s: %v, %v; want %v", c.name, got, err, c.want)
		}
	}
	if _, err := AUC([]float64{1, 2}, []bool{true, true}); !errors.Is(err, ErrOneClass) {
		t.Errorf("one class: %v", err)
	}
	if _, err := AUC([]float64{math.NaN(), 2}, []bool{true, false}); err == nil {
		t.Error("NaN accepted")
	}
	defer func(m int) { maxScored = m }(maxScored)
	maxScored = 3
	var r, o ROC
	for i := 0; i < 3; i++ {
		if err := r.Add(float64(i), i == 0); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Add(1, false); !errors.Is(err, ErrTooManyScored) {
		t.Errorf("over the cap: %v", err)
	}
	o.Add(1, true)
	if err := o.Merge(&r); !errors.Is(err, ErrTooManyScored) {
		t.Errorf("merge over the cap: %v", err)
	}
}

// TestSklearnReferences compares with scikit-learn 1.2.1 on the cases of
// testdata/sklearn/classify_metrics.json (written by
// testdata/sklearn/classify_metrics.py), to 1e-12.
func TestSklearnReferences(t *testing.T) {
	cases, err := sklearnref.Load()
	if err != nil {
		t.Fatal(err)
	}
	const tol = 1e-12
	near := func(what string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > tol || math.IsNaN(got) {
			t.Errorf("%s = %.17g, scikit-learn %.17g", what, got, want)
		}
	}
	for _, rc := range cases {
		var c Confusion
		for i := range rc.Actual {
			if err := c.Add(rc.Actual[i], rc.Predicted[i]); err != nil {
				t.Fatal(err)
			}
		}
		near(rc.Name+" accuracy", c.Accuracy(), rc.Accuracy)
		m := c.Macro()
		near(rc.Name+" macro precision", m.Precision, rc.PrecisionMacro)
		near(rc.Name+" macro recall", m.Recall, rc.RecallMacro)
		near(rc.Name+" macro F1", m.F1, rc.F1Macro)
		if len(rc.PerLabel) != len(c.Labels()) {
			t.Errorf("%s: labels %v, scikit-learn %d", rc.Name, c.Labels(), len(rc.PerLabel))
		}
		for label, want := range rc.PerLabel {
			s, ok := c.Class(label)
			if !ok {
				t.Errorf("%s: label %q not counted", rc.Name, label)
			}
			near(rc.Name+" precision "+label, s.Precision, want.Precision)
			near(rc.Name+" recall "+label, s.Recall, want.Recall)
			near(rc.Name+" F1 "+label, s.F1, want.F1)
		}
		var got map[string]map[string]int64
		if err := json.Unmarshal([]byte(c.JSON()), &got); err != nil || !reflect.DeepEqual(got, rc.Confusion) {
			t.Errorf("%s: confusion %s (%v), scikit-learn %v", rc.Name, c.JSON(), err, rc.Confusion)
		}
		if len(rc.ROCAUC) == 0 {
			t.Errorf("%s: no ROC AUC reference", rc.Name)
		}
		for label, want := range rc.ROCAUC {
			pos := make([]bool, len(rc.Actual))
			for i, a := range rc.Actual {
				pos[i] = a == label
			}
			auc, err := AUC(rc.Score, pos)
			if err != nil {
				t.Fatal(err)
			}
			near(rc.Name+" AUC "+label, auc, want)
		}
	}
}
