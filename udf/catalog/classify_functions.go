package catalog

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/custseg/custseg/udf/classmetrics"
	"github.com/custseg/custseg/udf/dataset"
)

func init() {
	accuracyScore.NewAggregate = func() AggregateState { return &accuracyState{} }
	rocAUCScore.NewAggregate = func() AggregateState { return &rocState{} }
	confusionMatrix.NewAggregate = func() AggregateState { return &confusionState{f: confusionMatrix} }
	register(accuracyScore,
		scoreAggregate("precision_score", "precision", "tp / (tp + fp)", "never predicted",
			func(s classmetrics.Scores) float64 { return s.Precision }, "0.5556"),
		scoreAggregate("recall_score", "recall", "tp / (tp + fn)", "never in actual",
			func(s classmetrics.Scores) float64 { return s.Recall }, "0.5556"),
		scoreAggregate("f1_score", "F1", "2·precision·recall / (precision + recall)", "with precision and recall both 0",
			func(s classmetrics.Scores) float64 { return s.F1 }, "0.5460"),
		rocAUCScore, confusionMatrix)
}

// labelRule is how every metric aggregate reads a class label.
const labelRule = " Labels compare as text: an INTEGER, a DOUBLE with no fractional part (1.0 is 1) and a TEXT are " +
	"converted to their text, so 1 and '1' are the same class; a fractional or non-finite number is an error " +
	"(a score passed as a label)."

// classifyExample is a group of 9 rows written to run on both engines:
// actual a a a b b b c c c, predicted a b a b b c a c b. Per class a, b, c:
// precision 2/3, 2/4, 1/2; recall 2/3, 2/3, 1/3; F1 2/3, 4/7, 2/5; 5 of 9
// right. Scores of the a rows 0.9, 0.3, 0.8 against the others' 0.2, 0.4,
// 0.1, 0.7, 0.5, 0.6: 6 + 2 + 6 = 14 of 18 pairs ordered.
const classifyExample = `SELECT %s FROM (SELECT 'a' AS actual, 'a' AS predicted, 0.9 AS score ` +
	`UNION ALL SELECT 'a', 'b', 0.3 UNION ALL SELECT 'a', 'a', 0.8 ` +
	`UNION ALL SELECT 'b', 'b', 0.2 UNION ALL SELECT 'b', 'b', 0.4 UNION ALL SELECT 'b', 'c', 0.1 ` +
	`UNION ALL SELECT 'c', 'a', 0.7 UNION ALL SELECT 'c', 'c', 0.5 UNION ALL SELECT 'c', 'b', 0.6) AS t`

func classifyExampleOf(call string) string {
	return strings.Replace(classifyExample, "%s", call, 1)
}

var actualPredicted = []Param{{Name: "actual", Type: Any}, {Name: "predicted", Type: Any}}

// labelText reads argument i as a class label (labelRule).
func labelText(f *Function, args []Value, i int) (string, error) {
	a := args[i]
	switch a.Type {
	case Text:
		return a.Text, nil
	case Integer:
		return strconv.FormatInt(a.Int, 10), nil
	case Double:
		x := a.Float
		if x != math.Trunc(x) || math.IsInf(x, 0) {
			return "", f.Errorf("%s must be a class label (an integer or text), got %v", f.ParamName(i), x)
		}
		if x == 0 {
			return "0", nil // not "-0"
		}
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	}
	return "", f.Errorf("%s must be a class label (an integer or text), got %s", f.ParamName(i), a.describe())
}

// actualPredictedText reads the labels of actual (args[0]) and predicted (args[1]).
func actualPredictedText(f *Function, args []Value) (actual, predicted string, err error) {
	if actual, err = labelText(f, args, 0); err != nil {
		return "", "", err
	}
	predicted, err = labelText(f, args, 1)
	return actual, predicted, err
}

// sameLabel keeps the positive label of a group: the first row's, which
// every other row must repeat.
type sameLabel struct {
	set  bool
	text string
}

func (p *sameLabel) see(f *Function, label string) error {
	if !p.set {
		p.set, p.text = true, strings.Clone(label)
		return nil
	}
	if label != p.text {
		return f.Errorf("positive must be the same for every row of a group: got %q after %q", label, p.text)
	}
	return nil
}

func (p *sameLabel) merge(f *Function, o sameLabel) error {
	if !o.set {
		return nil
	}
	return p.see(f, o.text)
}

var accuracyScore = &Function{
	Name:          "accuracy_score",
	Kind:          Aggregate,
	Params:        actualPredicted,
	Result:        Double,
	Deterministic: true,
	Null:          SkipNullRows,
	Summary: "Share of the group's rows whose predicted label equals the actual one, as scikit-learn's accuracy_score. " +
		"An empty group gives NULL." + labelRule,
	Example:       classifyExampleOf("accuracy_score(actual, predicted)"),
	ExampleResult: "0.5556",
}

// accuracyState counts rows and correct rows; it keeps no labels.
type accuracyState struct {
	n, correct int64
}

func (s *accuracyState) Step(c *Call, args []Value) error {
	a, p, err := actualPredictedText(accuracyScore, args)
	if err != nil {
		return err
	}
	s.n++
	if a == p {
		s.correct++
	}
	return nil
}

func (s *accuracyState) Merge(other AggregateState) error {
	o, ok := other.(*accuracyState)
	if !ok {
		return accuracyScore.Errorf("cannot merge a %T state", other)
	}
	s.n += o.n
	s.correct += o.correct
	return nil
}

func (s *accuracyState) Final(c *Call) (Value, error) {
	if s.n == 0 {
		return NullValue(), nil
	}
	return DoubleValue(float64(s.correct) / float64(s.n)), nil
}

// labelCap is the sentence on the bound of distinct labels.
var labelCap = " At most " + strconv.Itoa(classmetrics.MaxLabels) + " distinct labels (classmetrics.MaxLabels) " +
	"in a group's actual and predicted; more is an error."

// scoreAggregate declares name(actual, predicted [, positive]) → DOUBLE,
// one of a class's scores (pick) or their macro average.
func scoreAggregate(name, what, formula, zeroCase string, pick func(classmetrics.Scores) float64, result string) *Function {
	f := &Function{
		Name:          name,
		Kind:          Aggregate,
		Params:        append(append([]Param{}, actualPredicted...), Param{Name: "positive", Type: Any}),
		Optional:      1,
		Result:        Double,
		Deterministic: true,
		Null:          SkipNullRows,
		Summary: "The " + what + " of a classification, as scikit-learn's " + name + ": with positive, that class's " +
			what + " one against the rest (" + formula + "; for two classes average='binary' with pos_label=positive), " +
			"an error when positive occurs in neither actual nor predicted; without it, the macro average " +
			"(average='macro'): the plain mean over every label of actual ∪ predicted, for two classes too " +
			"(where scikit-learn's own default is average='binary' with pos_label=1: pass positive for that). As scikit-learn 1.2.1 " +
			"(zero_division's default, which warns and uses 0), a class " + zeroCase + " scores 0. " +
			"Every row of a group must give the same positive. An empty group gives NULL." + labelRule + labelCap,
		Example:       classifyExampleOf(name + "(actual, predicted)"),
		ExampleResult: result,
	}
	f.NewAggregate = func() AggregateState { return &confusionState{f: f, pick: pick} }
	return f
}

var confusionMatrix = &Function{
	Name:          "confusion_matrix",
	Kind:          Aggregate,
	Params:        actualPredicted,
	Result:        Text,
	Deterministic: true,
	Null:          SkipNullRows,
	Summary: `The confusion matrix of a classification as JSON {"actual": {"predicted": count}}: scikit-learn's ` +
		"confusion_matrix with every label of actual ∪ predicted on both levels (zeros included), keys sorted as text " +
		`(so "10" before "9"); read a cell with json_extract(m, '$.a.b'). An empty group gives NULL.` + labelRule + labelCap,
	Example: `SELECT confusion_matrix(actual, predicted) FROM (SELECT 'no' AS actual, 'no' AS predicted ` +
		`UNION ALL SELECT 'no', 'yes' UNION ALL SELECT 'yes', 'yes' UNION ALL SELECT 'yes', 'yes') AS t`,
	ExampleResult: `{"no":{"no":1,"yes":1},"yes":{"no":0,"yes":2}}`,
}

// confusionState counts a group's (actual, predicted) pairs; pick is nil
// for confusion_matrix, which returns the counts themselves.
type confusionState struct {
	f        *Function
	pick     func(classmetrics.Scores) float64
	positive sameLabel
	conf     classmetrics.Confusion
}

func (s *confusionState) Step(c *Call, args []Value) error {
	f := s.f
	a, p, err := actualPredictedText(f, args)
	if err != nil {
		return err
	}
	if len(args) > 2 {
		pos, err := labelText(f, args, 2)
		if err != nil {
			return err
		}
		if err := s.positive.see(f, pos); err != nil {
			return err
		}
	}
	if err := s.conf.Add(a, p); err != nil {
		return f.Errorf("%v", err)
	}
	return nil
}

func (s *confusionState) Merge(other AggregateState) error {
	o, ok := other.(*confusionState)
	if !ok || o.f != s.f {
		return s.f.Errorf("cannot merge a %T state", other)
	}
	if err := s.positive.merge(s.f, o.positive); err != nil {
		return err
	}
	if err := s.conf.Merge(&o.conf); err != nil {
		return s.f.Errorf("%v", err)
	}
	return nil
}

func (s *confusionState) Final(c *Call) (Value, error) {
	if s.conf.Total() == 0 {
		return NullValue(), nil
	}
	if s.pick == nil {
		return TextValue(s.conf.JSON()), nil
	}
	if !s.positive.set {
		return DoubleValue(s.pick(s.conf.Macro())), nil
	}
	sc, ok := s.conf.Class(s.positive.text)
	if !ok {
		return Value{}, s.f.Errorf("positive label %q never occurs in actual or predicted", s.positive.text)
	}
	return DoubleValue(s.pick(sc)), nil
}

var rocAUCScore = &Function{
	Name: "roc_auc_score",
	Kind: Aggregate,
	Params: []Param{
		{Name: "actual", Type: Any},
		{Name: "score", Type: Double},
		{Name: "positive", Type: Any},
	},
	Result:        Double,
	Deterministic: true,
	Null:          SkipNullRows,
	Summary: "Area under the ROC curve of a score for one class, as scikit-learn's roc_auc_score on the binary truth " +
		"actual = positive (every other label is negative): the probability that a positive row scores above a negative one, " +
		"a tie counting one half (the trapezoidal area, i.e. the Mann-Whitney U with average ranks), computed exactly. " +
		"0.5 is chance, 1 a perfect ranking. An error when the group's actual holds only one class " +
		"(all positive or none); an empty group gives NULL. Every row of a group must give the same positive. " +
		"The group's scores are kept until the end: at most " + strconv.Itoa(classmetrics.MaxScored) +
		" rows per group (classmetrics.MaxScored, 8 bytes each); more is an error." + labelRule,
	Example:       classifyExampleOf("roc_auc_score(actual, score, 'a')"),
	ExampleResult: "0.7778",
}

// rocState keeps a group's scores split by truth.
type rocState struct {
	positive sameLabel
	roc      classmetrics.ROC
}

func (s *rocState) Step(c *Call, args []Value) error {
	f := rocAUCScore
	a, err := labelText(f, args, 0)
	if err != nil {
		return err
	}
	score, err := f.Float(args, 1)
	if err != nil {
		return err
	}
	pos, err := labelText(f, args, 2)
	if err != nil {
		return err
	}
	if err := s.positive.see(f, pos); err != nil {
		return err
	}
	if err := s.roc.Add(score, a == s.positive.text); err != nil {
		return f.Errorf("%v", err)
	}
	return nil
}

func (s *rocState) Merge(other AggregateState) error {
	o, ok := other.(*rocState)
	if !ok {
		return rocAUCScore.Errorf("cannot merge a %T state", other)
	}
	if err := s.positive.merge(rocAUCScore, o.positive); err != nil {
		return err
	}
	if err := s.roc.Merge(&o.roc); err != nil {
		return rocAUCScore.Errorf("%v", err)
	}
	return nil
}

func (s *rocState) Final(c *Call) (Value, error) {
	f := rocAUCScore
	if s.roc.Len() == 0 {
		return NullValue(), nil
	}
	auc, err := s.roc.AUC()
	if errors.Is(err, classmetrics.ErrOneClass) {
		if s.roc.Positives() == 0 {
			return Value{}, f.Errorf("%v: no row's actual is the positive label %q", err, s.positive.text)
		}
		return Value{}, f.Errorf("%v: every row's actual is the positive label %q", err, s.positive.text)
	}
	if err != nil {
		return Value{}, f.Errorf("%v", err)
	}
	return DoubleValue(auc), nil
}

// classifierExampleModel is the inline model of the classify functions'
// examples: a hand-written CART tree on two of Quinlan's weather features
// (outlook, humidity) — sunny days with humidity above 75 give "no",
// other days "yes" — checked against udf/tree by the catalog's tests.
const classifierExampleModel = `{"kind":"classifier","algorithm":"cart","params":{"criterion":"gini","max_depth":0,` +
	`"min_samples_leaf":1,"min_samples_split":2},"missing":"majority-child","features":[{"name":"outlook",` +
	`"type":"categorical","categories":["overcast","rainy","sunny"]},{"name":"humidity","type":"numeric"}],` +
	`"classes":["no","yes"],"tree":{"counts":[5,9],"split":{"feature":0,"op":"=","values":["sunny"],"default":1},` +
	`"children":[{"counts":[3,2],"split":{"feature":1,"op":"<=","threshold":75,"default":1},` +
	`"children":[{"counts":[0,2]},{"counts":[3,0]}]},{"counts":[2,7]}]}}`

// classifierInputs is the sentence every classify function's doc shares:
// how its model and features are read.
const classifierInputs = " The model is a registry name, name@version or the model's JSON (kind classifier: " +
	"algorithm cart, c45, id3, oner, knn or forest); the features follow, one argument per model feature in the model's order: " +
	"a number for a numeric feature (±Infinity is an error, NaN is missing), TEXT for a categorical one ('' is missing); " +
	"another type is an error naming the feature. A NULL model gives NULL; a NULL feature is a missing value and follows " +
	"the missing-value policy stored in the model: trees (majority-child) send missing values and categories never seen " +
	"at a node down the child with the most training rows, 1R (own-bucket) predicts a missing value from the training " +
	"rows that missed that feature and an unseen category (or a missing value when training had none) as the training " +
	"majority class; kNN (refused) answers a missing feature with an error naming it; a forest follows its trees."

var (
	classify = classifierFunction("classify", false, Text,
		"Predicts a customer's class with a classifier model: the label the model gives the features "+
			"(a tree's leaf or 1R's bucket majority class, the first class in byte order on a tie)."+classifierInputs,
		`classify('`+classifierExampleModel+`', 'sunny', 70)`, "yes")
	classifyProba = classifierFunction("classify_proba", true, Double,
		"The probability a classifier model gives one class for a customer: the class's fraction of the training "+
			"rows of the leaf (tree) or bucket (1R) the features reach; 0 for a class the model knows but gives no weight "+
			"there, an error for a label that is not one of the model's classes (labels compare as text, so 1 and '1' "+
			"are the same class). Over all the model's classes it sums to 1. A NULL label gives NULL."+classifierInputs,
		`classify_proba('`+classifierExampleModel+`', 'yes', 'rainy', 90)`, "0.7778")
	classifyPath = classifierFunction("classify_path", false, Text,
		"The rule that decided a customer's class: a tree's tests from the root to the leaf joined by AND "+
			"(\"outlook = sunny AND humidity > 75\"; '' for a tree that is a single leaf), or 1R's bucket "+
			"(\"outlook = rainy\"); a missing or unseen value says so (\"outlook is missing, taken as …\"). "+
			"NULL for algorithms that decide by no rule."+classifierInputs,
		`classify_path('`+classifierExampleModel+`', 'sunny', 85)`, "outlook = sunny AND humidity > 75")
)

func init() {
	classify.Scalar = classifyImpl
	classifyProba.Scalar = classifyProbaImpl
	classifyPath.Scalar = classifyPathImpl
	register(classify, classifyProba, classifyPath)
}

// classifierFunction declares name(model [, label], x1, ..., xd). NULLs
// reach the implementation: a NULL feature is a missing value.
func classifierFunction(name string, label bool, result Type, summary, example, exampleResult string) *Function {
	params := []Param{{Name: "model", Type: Text}}
	if label {
		params = append(params, Param{Name: "label", Type: Any})
	}
	return &Function{Name: name, Kind: Scalar, Params: params, Variadic: &Param{Name: "x", Type: Any}, MinVariadic: 1,
		Result: result, Deterministic: true, Null: CallOnNull, Summary: summary, Example: example, ExampleResult: exampleResult}
}

// predictArgs resolves the classifier (args[0]; nil for a NULL model), reads
// the features args[first:] in its order and predicts.
func predictArgs(f *Function, c *Call, args []Value, first int) (m *Classifier, label string, proba []float64, path string, err error) {
	if args[0].IsNull() {
		return nil, "", nil, "", nil
	}
	if c == nil {
		c = &Call{}
	}
	ref, err := f.Str(args, 0)
	if err != nil {
		return nil, "", nil, "", err
	}
	if m, err = modelOf[*Classifier](f, c, ref, ClassifierKind, "a classifier model"); err != nil {
		return nil, "", nil, "", err
	}
	if got := len(args) - first; got != len(m.Features) {
		return nil, "", nil, "", f.Errorf("the model wants %d features (%s), got %d", len(m.Features), featureNames(m.Features), got)
	}
	x := make([]dataset.Value, len(m.Features))
	for j, ft := range m.Features {
		if x[j], err = featureValue(f, ft, args[first+j], first+j+1); err != nil {
			return nil, "", nil, "", err
		}
	}
	label, proba, path, err = m.Predict(x)
	return m, label, proba, path, err
}

// featureValue reads argument number argNo as feature ft (classifierInputs).
func featureValue(f *Function, ft dataset.Feature, a Value, argNo int) (dataset.Value, error) {
	if ft.Type == dataset.Categorical {
		switch a.Type {
		case Null:
			return dataset.Cat(""), nil
		case Text:
			return dataset.Cat(a.Text), nil
		}
		return dataset.Value{}, f.Errorf("feature %q (argument %d) is categorical and must be text, got %s", ft.Name, argNo, a.describe())
	}
	switch a.Type {
	case Null:
		return dataset.Num(math.NaN()), nil
	case Integer:
		return dataset.Num(float64(a.Int)), nil
	case Double:
		if math.IsInf(a.Float, 0) {
			return dataset.Value{}, f.Errorf("feature %q (argument %d) must be a finite number, got %v", ft.Name, argNo, a.Float)
		}
		return dataset.Num(a.Float), nil
	}
	return dataset.Value{}, f.Errorf("feature %q (argument %d) must be a number, got %s", ft.Name, argNo, a.describe())
}

// featureNames lists a model's features for an error, the first ten of them.
func featureNames(fs []dataset.Feature) string {
	names := make([]string, 0, min(len(fs), 10))
	for _, ft := range fs[:min(len(fs), 10)] {
		names = append(names, ft.Name)
	}
	if len(fs) > 10 {
		names = append(names, "…")
	}
	return strings.Join(names, ", ")
}

func classifyImpl(c *Call, args []Value) (Value, error) {
	m, label, _, _, err := predictArgs(classify, c, args, 1)
	if err != nil || m == nil {
		return NullValue(), err
	}
	return TextValue(label), nil
}

func classifyProbaImpl(c *Call, args []Value) (Value, error) {
	f := classifyProba
	if args[1].IsNull() {
		return NullValue(), nil
	}
	want, err := labelText(f, args, 1)
	if err != nil {
		return Value{}, err
	}
	m, _, proba, _, err := predictArgs(f, c, args, 2)
	if err != nil || m == nil {
		return NullValue(), err
	}
	k := slices.Index(m.Classes, want)
	if k < 0 {
		return Value{}, f.Errorf("label %.40q is not a class of the model (its classes: %s)", want, classNames(m.Classes))
	}
	return DoubleValue(proba[k]), nil
}

// classNames lists a model's classes for an error, the first ten of them.
func classNames(cs []string) string {
	q := make([]string, 0, min(len(cs), 10))
	for _, c := range cs[:min(len(cs), 10)] {
		q = append(q, strconv.Quote(c))
	}
	if len(cs) > 10 {
		q = append(q, "…")
	}
	return strings.Join(q, ", ")
}

func classifyPathImpl(c *Call, args []Value) (Value, error) {
	m, _, _, path, err := predictArgs(classifyPath, c, args, 1)
	if err != nil || m == nil || !m.Paths {
		return NullValue(), err
	}
	return TextValue(path), nil
}
