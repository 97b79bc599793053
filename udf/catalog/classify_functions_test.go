package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/classmetrics"
	"github.com/custseg/custseg/udf/classmetrics/sklearnref"
	"github.com/custseg/custseg/udf/dataset"
	"github.com/custseg/custseg/udf/forest"
	"github.com/custseg/custseg/udf/knn"
	"github.com/custseg/custseg/udf/oner"
	"github.com/custseg/custseg/udf/tree"
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

// clsStore is a registry of classifier models by name.
type clsStore map[string]string

func (s clsStore) LookupModel(name string, version int64) (string, string, error) {
	spec, ok := s[name]
	if !ok {
		return "", "", ErrModelNotFound
	}
	return ClassifierKind, spec, nil
}

// rowArgs turns a dataset row into SQL arguments after the given leading
// ones: TEXT for categories, numbers as INTEGER when integral on even rows
// (DOUBLE otherwise), a missing value as NULL.
func rowArgs(fs []dataset.Feature, row []dataset.Value, i int, lead ...Value) []Value {
	args := append([]Value{}, lead...)
	for j, v := range row {
		switch {
		case fs[j].Missing(v):
			args = append(args, NullValue())
		case fs[j].Type == dataset.Categorical:
			args = append(args, TextValue(v.Cat))
		case i%2 == 0 && v.Num == math.Trunc(v.Num):
			args = append(args, IntValue(int64(v.Num)))
		default:
			args = append(args, DoubleValue(v.Num))
		}
	}
	return args
}

// trainedWeather trains every registered algorithm of udf/tree and udf/oner
// on Quinlan's weather data (numeric and all-nominal) and returns each
// model's JSON with its Go predictor.
func trainedWeather(t *testing.T) (names []string, specs []string, predict []func([]dataset.Value) (string, []float64, string, error), data []*dataset.Dataset) {
	t.Helper()
	for _, numeric := range []bool{true, false} {
		d := dataset.Weather(numeric)
		for _, a := range []tree.Algorithm{tree.C45, tree.CART, tree.ID3} {
			m, err := tree.Train(d, a, tree.Params{})
			if err != nil {
				t.Fatal(err)
			}
			j, _ := m.JSON()
			names, specs, predict, data = append(names, fmt.Sprintf("%s/numeric=%v", a, numeric)), append(specs, string(j)), append(predict, m.Predict), append(data, d)
		}
		m, err := oner.Train(d, oner.Params{})
		if err != nil {
			t.Fatal(err)
		}
		j, _ := m.JSON()
		names, specs, predict, data = append(names, fmt.Sprintf("oner/numeric=%v", numeric)), append(specs, string(j)), append(predict, m.Predict), append(data, d)
	}
	return names, specs, predict, data
}

// TestClassifyMatchesPredict: on Quinlan's weather data, for C4.5, CART,
// ID3 and 1R, every training row's classify, classify_path and
// classify_proba (for every class) equal the model's Predict in Go, the
// probabilities sum to 1, and the model resolves as inline JSON and by
// registry name alike.
func TestClassifyMatchesPredict(t *testing.T) {
	names, specs, predict, data := trainedWeather(t)
	for i, spec := range specs {
		d := data[i]
		m, err := DecodeModel(ClassifierKind, spec)
		if err != nil {
			t.Fatalf("%s: %v", names[i], err)
		}
		classes := m.(*Classifier).Classes
		call := &Call{Store: clsStore{"weather": spec}}
		for _, ref := range []string{spec, "weather", "weather@1"} {
			call.Reset()
			for r, row := range d.Rows {
				wantLabel, wantProba, wantPath, err := predict[i](row)
				if err != nil {
					t.Fatal(err)
				}
				got, err := classify.CallScalar(call, rowArgs(d.Features, row, r, TextValue(ref)))
				if err != nil || got != TextValue(wantLabel) {
					t.Errorf("%s row %d: classify = %v, %v; want %q", names[i], r, got, err, wantLabel)
				}
				got, err = classifyPath.CallScalar(call, rowArgs(d.Features, row, r, TextValue(ref)))
				if err != nil || got != TextValue(wantPath) {
					t.Errorf("%s row %d: classify_path = %v, %v; want %q", names[i], r, got, err, wantPath)
				}
				sum := 0.0
				for k, c := range classes {
					got, err = classifyProba.CallScalar(call, rowArgs(d.Features, row, r, TextValue(ref), TextValue(c)))
					if err != nil || got != DoubleValue(wantProba[k]) {
						t.Errorf("%s row %d: classify_proba(%q) = %v, %v; want %v", names[i], r, c, got, err, wantProba[k])
					}
					sum += got.Float
				}
				if math.Abs(sum-1) > 1e-12 {
					t.Errorf("%s row %d: probabilities sum to %v", names[i], r, sum)
				}
			}
		}
	}
}

// weatherSpec trains algo (a tree algorithm or "oner") on the numeric
// weather data and returns its JSON.
func weatherSpec(t *testing.T, algo string) string {
	t.Helper()
	var j []byte
	if algo == oner.Algorithm {
		m, err := oner.Train(dataset.Weather(true), oner.Params{})
		if err != nil {
			t.Fatal(err)
		}
		j, _ = m.JSON()
	} else {
		m, err := tree.Train(dataset.Weather(true), tree.Algorithm(algo), tree.Params{})
		if err != nil {
			t.Fatal(err)
		}
		j, _ = m.JSON()
	}
	return string(j)
}

// TestClassifyPathsAndMissing: the rule texts of C4.5 and 1R on the weather
// data, and what NULL, NaN, ” and unseen categories give (the policies
// stored in the models), never an error.
func TestClassifyPathsAndMissing(t *testing.T) {
	c45, one := TextValue(weatherSpec(t, "c45")), TextValue(weatherSpec(t, "oner"))
	cases := []struct {
		f    *Function
		args []Value
		want Value
	}{
		{classifyPath, []Value{c45, TextValue("sunny"), IntValue(85), IntValue(85), TextValue("false")}, TextValue("outlook = sunny AND humidity > 75")},
		{classify, []Value{c45, TextValue("sunny"), IntValue(85), IntValue(85), TextValue("false")}, TextValue("no")},
		{classifyPath, []Value{c45, TextValue("overcast"), NullValue(), NullValue(), NullValue()}, TextValue("outlook = overcast")},
		// C4.5's root sends missing and unseen outlooks to rainy (the child
		// with most training rows, the first on a tie), then windy to false.
		{classifyPath, []Value{c45, NullValue(), IntValue(70), IntValue(70), NullValue()},
			TextValue("outlook is missing, taken as outlook = rainy AND windy is missing, taken as windy = false")},
		{classifyPath, []Value{c45, TextValue("foggy"), IntValue(70), IntValue(70), TextValue("true")},
			TextValue("outlook = foggy unseen, taken as outlook = rainy AND windy = true")},
		{classifyPath, []Value{c45, TextValue(""), IntValue(70), IntValue(70), TextValue("true")},
			TextValue("outlook is missing, taken as outlook = rainy AND windy = true")},
		{classify, []Value{c45, TextValue("sunny"), IntValue(70), DoubleValue(math.NaN()), TextValue("true")}, TextValue("no")},
		{classifyPath, []Value{c45, TextValue("sunny"), IntValue(70), DoubleValue(math.NaN()), TextValue("true")},
			TextValue("outlook = sunny AND humidity is missing, taken as humidity > 75")},
		{classifyProba, []Value{c45, TextValue("yes"), TextValue("foggy"), IntValue(70), IntValue(70), TextValue("true")}, DoubleValue(0)},
		{classifyPath, []Value{one, TextValue("rainy"), NullValue(), NullValue(), NullValue()}, TextValue("outlook = rainy")},
		{classifyPath, []Value{one, NullValue(), IntValue(1), IntValue(1), TextValue("true")}, TextValue("outlook is missing, default class")},
		{classify, []Value{one, NullValue(), IntValue(1), IntValue(1), TextValue("true")}, TextValue("yes")},
		{classifyPath, []Value{one, TextValue("foggy"), IntValue(1), IntValue(1), TextValue("true")}, TextValue("outlook = foggy unseen, default class")},
		{classifyProba, []Value{one, TextValue("no"), TextValue("overcast"), IntValue(1), IntValue(1), TextValue("true")}, DoubleValue(0)},
		{classifyProba, []Value{one, TextValue("yes"), TextValue("foggy"), IntValue(1), IntValue(1), TextValue("true")}, DoubleValue(9.0 / 14)},
		// NULL model or label: NULL.
		{classify, []Value{NullValue(), TextValue("sunny"), IntValue(1), IntValue(1), TextValue("true")}, NullValue()},
		{classifyPath, []Value{NullValue(), IntValue(1)}, NullValue()},
		{classifyProba, []Value{c45, NullValue(), TextValue("sunny"), IntValue(1), IntValue(1), TextValue("true")}, NullValue()},
		{classifyProba, []Value{NullValue(), TextValue("yes"), TextValue("sunny")}, NullValue()},
	}
	for _, c := range cases {
		got, err := c.f.CallScalar(&Call{}, c.args)
		if err != nil || got.Type != c.want.Type || got.Text != c.want.Text || math.Abs(got.Float-c.want.Float) > 1e-15 {
			t.Errorf("%s%v = %v, %v; want %v", c.f.Name, c.args[1:], got, err, c.want)
		}
	}
}

// TestClassifyBadInput: bad arguments and bad models are errors starting
// with the function's name and naming the value at fault.
func TestClassifyBadInput(t *testing.T) {
	c45 := weatherSpec(t, "c45")
	m := TextValue(c45)
	noPath := `{"kind":"classifier","algorithm":"test-no-path"}`
	RegisterClassifier("test-no-path", func([]byte) (*Classifier, error) {
		return &Classifier{Algorithm: "test-no-path", Features: []dataset.Feature{{Name: "a", Type: dataset.Numeric}},
			Classes: []string{"x", "y"}, Predict: func([]dataset.Value) (string, []float64, string, error) {
				return "y", []float64{0.25, 0.75}, "", nil
			}}, nil
	})
	cases := []struct {
		f    *Function
		args []Value
		want string
	}{
		{classify, []Value{m, TextValue("sunny"), IntValue(70), IntValue(70)}, `classify: the model wants 4 features (outlook, temperature, humidity, windy), got 3`},
		{classify, []Value{m, TextValue("sunny"), IntValue(70), TextValue("high"), TextValue("true")}, `classify: feature "humidity" (argument 4) must be a number, got text "high"`},
		{classifyPath, []Value{m, IntValue(3), IntValue(70), IntValue(70), TextValue("true")}, `classify_path: feature "outlook" (argument 2) is categorical and must be text, got 3`},
		{classify, []Value{m, TextValue("sunny"), DoubleValue(math.Inf(1)), IntValue(70), TextValue("true")}, `classify: feature "temperature" (argument 3) must be a finite number, got +Inf`},
		{classifyProba, []Value{m, TextValue("maybe"), TextValue("sunny"), IntValue(70), IntValue(70), TextValue("true")}, `classify_proba: label "maybe" is not a class of the model (its classes: "no", "yes")`},
		{classifyProba, []Value{m, DoubleValue(1.5), TextValue("sunny"), IntValue(70), IntValue(70), TextValue("true")}, `classify_proba: label must be a class label (an integer or text), got 1.5`},
		{classifyProba, []Value{m, IntValue(1), TextValue("sunny"), IntValue(70), IntValue(70), TextValue("true")}, `classify_proba: label "1" is not a class of the model`},
		{classify, []Value{IntValue(1), IntValue(1)}, `classify: model must be text, got 1`},
		{classify, []Value{TextValue(segExampleModel), IntValue(1)}, `classify: model "{"kind":"kmeans"`},
		{classify, []Value{TextValue(segExampleModel), IntValue(1)}, `is a kmeans model, not a classifier model`},
		{classify, []Value{TextValue(`{"kind":"classifier","algorithm":"svm"}`), IntValue(1)}, `classify: corrupt model JSON: unknown classifier algorithm "svm" (known: c45, cart, forest, id3, knn, oner`},
		{classify, []Value{TextValue(`{"kind":"classifier"}`), IntValue(1)}, `classify: corrupt model JSON: classifier JSON has no "algorithm" field`},
		{classify, []Value{TextValue(`{"kind":"classifier","algorithm":"c45","tree":5}`), IntValue(1)}, `classify: corrupt model JSON: tree: corrupt model spec`},
		{classify, []Value{TextValue(strings.Replace(c45, `"threshold":75`, `"threshold":"75"`, 1)), IntValue(1)}, `tree: corrupt model spec`},
		{classify, []Value{TextValue(strings.Replace(c45, `"classes":["no","yes"]`, `"classes":["yes"]`, 1)), IntValue(1)}, `tree: invalid model: dataset: 1 classes, want at least 2`},
		{classify, []Value{TextValue(`{"kind":"classifier","algorithm":"oner"}`), IntValue(1)}, `classify: corrupt model JSON: oner: invalid model`},
		{classify, []Value{TextValue("nope"), IntValue(1)}, `classify: unknown model "nope"`},
		{classifyProba, []Value{m, TextValue("yes")}, `classify_proba: wrong number of arguments: got 2, want at least 3`},
	}
	for _, c := range cases {
		got, err := c.f.CallScalar(&Call{Store: clsStore{}}, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "internal error") {
			t.Errorf("%s%v = %v, %v; want an error containing %q", c.f.Name, c.args[1:], got, err, c.want)
		}
	}
	// An algorithm that decides by no rule: classify_path is NULL.
	for f, want := range map[*Function]Value{classify: TextValue("y"), classifyPath: NullValue()} {
		if got, err := f.CallScalar(&Call{}, []Value{TextValue(noPath), IntValue(1)}); err != nil || got != want {
			t.Errorf("%s on an algorithm without paths = %v, %v; want %v", f.Name, got, err, want)
		}
	}
	if got, err := classifyProba.CallScalar(&Call{}, []Value{TextValue(noPath), TextValue("x"), IntValue(1)}); err != nil || got != DoubleValue(0.25) {
		t.Errorf("classify_proba on the test algorithm = %v, %v; want 0.25", got, err)
	}
}

// TestClassifierExampleModel: the documentation's hand-written tree is a
// valid udf/tree model and decides as its comment says.
func TestClassifierExampleModel(t *testing.T) {
	m, err := tree.Parse([]byte(classifierExampleModel))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		outlook  string
		humidity float64
		want     string
	}{{"sunny", 75, "yes"}, {"sunny", 76, "no"}, {"rainy", 99, "yes"}, {"overcast", 99, "yes"}} {
		got, _, _, err := m.Predict([]dataset.Value{dataset.Cat(c.outlook), dataset.Num(c.humidity)})
		if err != nil || got != c.want {
			t.Errorf("%s, %v: %q, %v; want %q", c.outlook, c.humidity, got, err, c.want)
		}
	}
}

// TestClassifierHostileSpecs: a corrupt classifier spec quoting a huge
// value gives a short error naming the function, never a panic.
func TestClassifierHostileSpecs(t *testing.T) {
	huge := strings.Repeat("s", 1<<20)
	for name, spec := range map[string]string{
		"huge category":  strings.Replace(classifierExampleModel, `"values":["sunny"]`, `"values":["`+huge+`"]`, 1),
		"huge algorithm": strings.Replace(classifierExampleModel, `"algorithm":"cart"`, `"algorithm":"`+huge+`"`, 1),
		"huge class":     strings.Replace(classifierExampleModel, `"classes":["no","yes"]`, `"classes":["no","`+huge+`","yes"]`, 1),
		"deep tree":      strings.Replace(classifierExampleModel, `"tree":{`, `"tree":`+strings.Repeat("[", 20000)+`{`, 1),
		"1e400 count":    strings.Replace(classifierExampleModel, `"counts":[5,9]`, `"counts":[1e400,9]`, 1),
	} {
		_, err := classify.CallScalar(&Call{}, []Value{TextValue(spec), TextValue("sunny"), IntValue(1)})
		if err == nil || !strings.HasPrefix(err.Error(), "classify: corrupt model JSON: ") || len(err.Error()) > maxErrorLen ||
			strings.Contains(err.Error(), "internal error") {
			t.Errorf("%s: err = %.300v", name, err)
		}
	}
}

// TestClassifyKNNAndForest: kNN and random-forest specs decode through the
// classifier kind, and classify/classify_proba answer as each model's
// Predict in Go on every training row; classify_path is NULL for them, and
// kNN refuses a missing feature by name.
func TestClassifyKNNAndForest(t *testing.T) {
	d := &dataset.Dataset{Features: []dataset.Feature{{Name: "recency_days", Type: dataset.Numeric}, {Name: "monetary", Type: dataset.Numeric}}}
	for i := 0; i < 60; i++ {
		r, m := float64(i%20)*9, float64(i*37%101)*13
		label := "churn"
		if r < 90 {
			label = "stay"
		}
		d.Rows = append(d.Rows, []dataset.Value{dataset.Num(r), dataset.Num(m)})
		d.Labels = append(d.Labels, label)
	}
	km, err := knn.Train(d, knn.Params{K: 3})
	if err != nil {
		t.Fatal(err)
	}
	fm, err := forest.Train(d, forest.Params{NTrees: 10, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	kspec, err := km.JSON()
	if err != nil {
		t.Fatal(err)
	}
	fspec, err := fm.JSON()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, spec string
		predict    func([]dataset.Value) (string, []float64, error)
	}{
		{"knn", string(kspec), func(x []dataset.Value) (string, []float64, error) {
			return km.Predict([]float64{x[0].Num, x[1].Num})
		}},
		{"forest", string(fspec), fm.Predict},
	} {
		t.Run(c.name, func(t *testing.T) {
			call := &Call{}
			for r, row := range d.Rows {
				label, proba, err := c.predict(row)
				if err != nil {
					t.Fatal(err)
				}
				got, err := classify.CallScalar(call, rowArgs(d.Features, row, r, TextValue(c.spec)))
				if err != nil || got != TextValue(label) {
					t.Fatalf("row %d: classify = %v, %v; Predict %q", r, got, err, label)
				}
				p, err := classifyProba.CallScalar(call, rowArgs(d.Features, row, r, TextValue(c.spec), TextValue("stay")))
				if err != nil || math.Abs(p.Float-proba[slices.Index([]string{"churn", "stay"}, "stay")]) > 1e-12 {
					t.Fatalf("row %d: classify_proba = %v, %v; Predict %v", r, p, err, proba)
				}
				if got, err := classifyPath.CallScalar(call, rowArgs(d.Features, row, r, TextValue(c.spec))); err != nil || !got.IsNull() {
					t.Fatalf("row %d: classify_path = %v, %v; want NULL", r, got, err)
				}
			}
		})
	}
	if _, err := classify.CallScalar(&Call{}, []Value{TextValue(string(kspec)), NullValue(), IntValue(3)}); err == nil || !strings.HasPrefix(err.Error(), "classify:") || !strings.Contains(err.Error(), "recency_days") {
		t.Errorf("kNN with a missing feature: %v; want an error naming recency_days", err)
	}
}
