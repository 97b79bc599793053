package catalog

import (
	"encoding/json"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/classmetrics"
	"github.com/custseg/custseg/udf/classmetrics/sklearnref"
)

// labelValues gives a case's labels as SQL values of one kind: text, or
// for integer cases INTEGER and integral DOUBLE too.
func labelValues(labels []string, kind Type) []Value {
	out := make([]Value, len(labels))
	for i, l := range labels {
		switch kind {
		case Text:
			out[i] = TextValue(l)
		case Integer:
			n, _ := strconv.ParseInt(l, 10, 64)
			out[i] = IntValue(n)
		case Double:
			n, _ := strconv.ParseInt(l, 10, 64)
			out[i] = DoubleValue(float64(n))
		}
	}
	return out
}

// aggregate3 runs f over rows spread over three partial states, merged as
// DuckDB's parallel combine does.
func aggregate3(t *testing.T, f *Function, rows [][]Value) (Value, error) {
	t.Helper()
	st := []AggregateState{f.NewAggregate(), f.NewAggregate(), f.NewAggregate()}
	for i, r := range rows {
		if err := f.Step(&Call{}, st[(i/3)%3], r); err != nil {
			return Value{}, err
		}
	}
	for _, o := range st[1:] {
		if err := f.Merge(st[0], o); err != nil {
			return Value{}, err
		}
	}
	return f.Final(&Call{}, st[0])
}

// TestClassifyMetricsMatchSklearn compares every metric aggregate with
// scikit-learn 1.2.1 to 1e-12 on the cases of
// testdata/sklearn/classify_metrics.json (written by
// testdata/sklearn/classify_metrics.py), through Step, Merge and Final as
// the bindings call them, with integer labels given as INTEGER, DOUBLE and
// TEXT alike.
func TestClassifyMetricsMatchSklearn(t *testing.T) {
	cases, err := sklearnref.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range cases {
		kinds := []Type{Text}
		if rc.IntegerLabels {
			kinds = append(kinds, Integer, Double)
		}
		for _, kind := range kinds {
			name := rc.Name + "/" + kind.String()
			actual, predicted := labelValues(rc.Actual, kind), labelValues(rc.Predicted, kind)
			rows := func(extra ...Value) [][]Value {
				out := make([][]Value, len(actual))
				for i := range actual {
					out[i] = append([]Value{actual[i], predicted[i]}, extra...)
				}
				return out
			}
			check := func(fn string, rows [][]Value, want float64) {
				t.Helper()
				got, err := aggregate3(t, Lookup(fn), rows)
				if err != nil || got.Type != Double || math.Abs(got.Float-want) > 1e-12 {
					t.Errorf("%s: %s = %v, %v; scikit-learn %.17g", name, fn, got, err, want)
				}
			}
			check("accuracy_score", rows(), rc.Accuracy)
			check("precision_score", rows(), rc.PrecisionMacro)
			check("recall_score", rows(), rc.RecallMacro)
			check("f1_score", rows(), rc.F1Macro)
			for label, s := range rc.PerLabel {
				pos := labelValues([]string{label}, kind)[0]
				check("precision_score", rows(pos), s.Precision)
				check("recall_score", rows(pos), s.Recall)
				check("f1_score", rows(pos), s.F1)
			}
			for label, want := range rc.ROCAUC {
				pos := labelValues([]string{label}, kind)[0]
				scored := make([][]Value, len(actual))
				for i := range actual {
					scored[i] = []Value{actual[i], DoubleValue(rc.Score[i]), pos}
				}
				check("roc_auc_score", scored, want)
			}
			got, err := aggregate3(t, confusionMatrix, rows())
			var m map[string]map[string]int64
			if err == nil {
				err = json.Unmarshal([]byte(got.Text), &m)
			}
			if err != nil || !reflect.DeepEqual(m, rc.Confusion) {
				t.Errorf("%s: confusion_matrix = %v, %v; scikit-learn %v", name, got, err, rc.Confusion)
			}
		}
	}
}

// Labels compare as text: 1, 1.0 and '1' are one class; NULL rows are
// skipped; an empty group is NULL.
func TestClassifyLabelsAndNulls(t *testing.T) {
	rows := [][]Value{
		{IntValue(1), TextValue("1")},
		{DoubleValue(1), IntValue(1)},
		{TextValue("2"), DoubleValue(2)},
		{DoubleValue(math.Copysign(0, -1)), IntValue(0)},
		{IntValue(2), TextValue("1")},
		{NullValue(), TextValue("1")},
		{IntValue(2), NullValue()},
	}
	got, err := aggregate3(t, accuracyScore, rows)
	if err != nil || got.Float != 4.0/5 {
		t.Errorf("accuracy_score = %v, %v; want 0.8", got, err)
	}
	got, err = aggregate3(t, confusionMatrix, rows)
	if want := `{"0":{"0":1,"1":0,"2":0},"1":{"0":0,"1":2,"2":0},"2":{"0":0,"1":1,"2":1}}`; err != nil || got.Text != want {
		t.Errorf("confusion_matrix = %v, %v; want %s", got, err, want)
	}
	for _, f := range []*Function{accuracyScore, confusionMatrix, rocAUCScore, Lookup("f1_score")} {
		n := f.MinArgs()
		got, err := aggregate3(t, f, [][]Value{make([]Value, n)}) // one all-NULL row
		if err != nil || !got.IsNull() {
			t.Errorf("%s over NULL rows = %v, %v; want NULL", f.Name, got, err)
		}
		got, err = f.Final(&Call{}, f.NewAggregate())
		if err != nil || !got.IsNull() {
			t.Errorf("%s of an empty group = %v, %v; want NULL", f.Name, got, err)
		}
	}
}

func TestClassifyErrors(t *testing.T) {
	ab := func(extra ...Value) [][]Value {
		return [][]Value{append([]Value{TextValue("a"), TextValue("a")}, extra...), append([]Value{TextValue("b"), TextValue("a")}, extra...)}
	}
	cases := []struct {
		fn   string
		rows [][]Value
		want string
	}{
		{"precision_score", ab(TextValue("x")), `precision_score: positive label "x" never occurs in actual or predicted`},
		{"recall_score", [][]Value{{TextValue("a"), TextValue("a"), TextValue("a")}, {TextValue("a"), TextValue("b"), TextValue("b")}},
			`recall_score: positive must be the same for every row of a group: got "b" after "a"`},
		{"f1_score", [][]Value{{DoubleValue(0.5), TextValue("a")}}, "f1_score: actual must be a class label (an integer or text), got 0.5"},
		{"accuracy_score", [][]Value{{TextValue("a"), DoubleValue(math.Inf(1))}}, "accuracy_score: predicted must be a class label"},
		{"roc_auc_score", [][]Value{{TextValue("a"), DoubleValue(0.3), TextValue("x")}, {TextValue("b"), DoubleValue(0.5), TextValue("x")}},
			`roc_auc_score: only one class present in actual: no row's actual is the positive label "x"`},
		{"roc_auc_score", [][]Value{{IntValue(1), DoubleValue(0.3), TextValue("1")}, {DoubleValue(1), DoubleValue(0.5), IntValue(1)}},
			`roc_auc_score: only one class present in actual: every row's actual is the positive label "1"`},
		{"roc_auc_score", [][]Value{{TextValue("a"), TextValue("high"), TextValue("a")}}, "roc_auc_score: score must be a number"},
		{"roc_auc_score", [][]Value{{TextValue("a"), DoubleValue(math.NaN()), TextValue("a")}}, "roc_auc_score: score must be a finite number"},
	}
	for _, c := range cases {
		_, err := aggregate3(t, Lookup(c.fn), c.rows)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.fn, err, c.want)
		}
	}
}

// More than classmetrics.MaxLabels distinct labels is an error naming the
// function and the limit, in Step and in Merge.
func TestClassifyLabelCap(t *testing.T) {
	f := Lookup("precision_score")
	a, b := f.NewAggregate(), f.NewAggregate()
	for i := 0; i < classmetrics.MaxLabels; i++ {
		l := IntValue(int64(i))
		if err := f.Step(&Call{}, a, []Value{l, l}); err != nil {
			t.Fatal(err)
		}
	}
	err := f.Step(&Call{}, a, []Value{IntValue(-1), IntValue(0)})
	want := "precision_score: more than " + strconv.Itoa(classmetrics.MaxLabels) + " distinct labels"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("step: %v, want %q", err, want)
	}
	f.Step(&Call{}, b, []Value{IntValue(-2), IntValue(-2)})
	if err := f.Merge(b, a); err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("merge: %v, want %q", err, want)
	}
}

// Final may be called more than once on a state (DuckDB's window segment
// trees reuse merged states) and gives the same value.
func TestClassifyFinalTwice(t *testing.T) {
	st := rocAUCScore.NewAggregate()
	for i, a := range []string{"y", "n", "y", "n", "n"} {
		rocAUCScore.Step(&Call{}, st, []Value{TextValue(a), IntValue(int64(5 - i)), TextValue("y")})
	}
	first, err1 := rocAUCScore.Final(&Call{}, st)
	second, err2 := rocAUCScore.Final(&Call{}, st)
	// y scores 5, 3 against n 4, 2, 1: 5 of 6 pairs.
	if err1 != nil || err2 != nil || first.Float != 5.0/6 || second != first {
		t.Errorf("roc_auc_score: %v %v, %v %v; want 5/6 twice", first, err1, second, err2)
	}
}

func BenchmarkF1ScoreStep(b *testing.B) {
	f := Lookup("f1_score")
	st := f.NewAggregate()
	labels := []Value{TextValue("bronze"), TextValue("silver"), TextValue("gold")}
	c := &Call{}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if err := f.Step(c, st, []Value{labels[i%3], labels[(i/3)%3]}); err != nil {
			b.Fatal(err)
		}
	}
}
