package catalog

import (
	"errors"
	"fmt"
	"strings"

	"github.com/custseg/custseg/udf/cluster"
	"github.com/custseg/custseg/udf/kmeans"
)

func init() {
	// The implementations refer to their Function (for error wording), so
	// they are attached here rather than in the literals (an init cycle).
	assignSegment.Scalar = assignSegmentImpl
	segmentDistance.Scalar = segmentDistanceImpl
	segmentName.Scalar = segmentNameImpl
	RegisterModelKind(kmeans.Kind, func(spec string) (any, error) { return kmeans.ParseModel(spec) })
	register(assignSegment, segmentDistance, segmentName)
	register(
		metricAggregate("silhouette", cluster.Silhouette,
			"Mean silhouette coefficient of a clustering, as scikit-learn's silhouette_score (Euclidean): "+
				"s(i) = (b − a)/max(a, b) with a the mean distance to the own cluster and b to the nearest other one, "+
				"0 for a point alone in its cluster. NULL when there are fewer than 2 clusters or every row is its own cluster. "+
				"Exact: n(n−1)/2 distances, computed once each on every core in O(n) memory (timings in docs/PERFORMANCE.md).",
			"0.7980"),
		metricAggregate("silhouette_simplified", cluster.SilhouetteSimplified,
			"MADlib's simplified silhouette: as silhouette but a is the distance to the own cluster's centroid and b to "+
				"the nearest other centroid, so it costs O(n·k). NULL when there are fewer than 2 clusters.",
			"0.8990"),
		metricAggregate("davies_bouldin", cluster.DaviesBouldin,
			"Davies-Bouldin index as scikit-learn's davies_bouldin_score: the mean over clusters of the worst "+
				"(S_i + S_j)/||c_i − c_j||, S the mean distance to the centroid; lower is better. "+
				"NULL when there are fewer than 2 clusters or every row is its own cluster.",
			"0.2"),
		metricAggregate("calinski_harabasz", cluster.CalinskiHarabasz,
			"Calinski-Harabasz variance ratio as scikit-learn's calinski_harabasz_score: between-cluster over "+
				"within-cluster dispersion times (n − k)/(k − 1); higher is better. "+
				"NULL when there are fewer than 2 clusters or every row is its own cluster.",
			"50"),
		metricAggregate("inertia", cluster.Inertia,
			"Within-cluster sum of squares: Σ ||x − centroid of its cluster||², the centroids being the group's "+
				"cluster means (k-means' objective). Defined for any number of clusters.",
			"4"),
	)
}

// segExampleModel is the inline model of the documentation examples.
const segExampleModel = `{"kind":"kmeans","features":["recency_days","frequency","monetary"],"transform":"log1p",` +
	`"scaler":{"method":"none"},"k":2,"centroids":[[2,2,6],[5,0.5,4]],"segment_names":["Champions","Lost"]}`

var modelFeaturesParams = []Param{{Name: "model", Type: Text}}

var assignSegment = &Function{
	Name:          "assign_segment",
	Kind:          Scalar,
	Params:        modelFeaturesParams,
	Variadic:      &Param{Name: "x", Type: Double},
	MinVariadic:   1,
	Result:        Integer,
	Deterministic: true,
	Null:          NullInNullOut,
	Summary: "Assigns a customer to the nearest centroid (0..k-1, ties to the lowest id) of a k-means model " +
		"(a registry name, name@version or the model's JSON), after the model's transform and scaling; " +
		"the features are given in the model's order.",
	Example:       `assign_segment('` + segExampleModel + `', 12, 4, 800)`,
	ExampleResult: "0",
}

var segmentDistance = &Function{
	Name:          "segment_distance",
	Kind:          Scalar,
	Params:        modelFeaturesParams,
	Variadic:      &Param{Name: "x", Type: Double},
	MinVariadic:   1,
	Result:        Double,
	Deterministic: true,
	Null:          NullInNullOut,
	Summary: "Euclidean distance, in the model's scaled units, from a customer to the centroid assign_segment " +
		"chooses: large values flag customers that fit their segment poorly.",
	Example:       `segment_distance('` + segExampleModel + `', 12, 4, 800)`,
	ExampleResult: "0.9706",
}

var segmentName = &Function{
	Name: "segment_name",
	Kind: Scalar,
	Params: []Param{
		{Name: "model", Type: Text},
		{Name: "segment", Type: Integer},
	},
	Result:        Text,
	Deterministic: true,
	Null:          NullInNullOut,
	Summary: "Name of segment id 0..k-1 of a k-means model (named from the centroids' recency/frequency/monetary " +
		"profile at training, e.g. Champions, or Segment 1..k).",
	Example:       `segment_name('` + segExampleModel + `', 1)`,
	ExampleResult: "Lost",
}

// kmeansModel resolves args[0] to a k-means model.
func kmeansModel(f *Function, c *Call, args []Value) (*kmeans.Model, error) {
	ref, err := f.Str(args, 0)
	if err != nil {
		return nil, err
	}
	return modelOf[*kmeans.Model](f, c, ref, kmeans.Kind, "a kmeans model")
}

// assignArgs resolves the model and reads the feature arguments into
// c.Scratch, checking their number against the model.
func assignArgs(f *Function, c *Call, args []Value) (*kmeans.Model, []float64, error) {
	m, err := kmeansModel(f, c, args)
	if err != nil {
		return nil, nil, err
	}
	if got := len(args) - 1; got != m.D() {
		return nil, nil, f.Errorf("the model wants %d features (%s), got %d", m.D(), strings.Join(m.Features, ", "), got)
	}
	x := c.Scratch[:0]
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch a.Type {
		case Double:
			x = append(x, a.Float) // NaN/Inf are rejected by Assign, naming the feature
		case Integer:
			x = append(x, float64(a.Int))
		default:
			return nil, nil, f.Errorf("feature %q (argument %d) must be a number, got %s", m.Features[i-1], i+1, a.describe())
		}
	}
	c.Scratch = x
	return m, x, nil
}

func assignSegmentImpl(c *Call, args []Value) (Value, error) {
	if c == nil {
		c = &Call{}
	}
	m, x, err := assignArgs(assignSegment, c, args)
	if err != nil {
		return Value{}, err
	}
	seg, _, err := m.Assign(x)
	if err != nil {
		return Value{}, err
	}
	return IntValue(int64(seg)), nil
}

func segmentDistanceImpl(c *Call, args []Value) (Value, error) {
	if c == nil {
		c = &Call{}
	}
	m, x, err := assignArgs(segmentDistance, c, args)
	if err != nil {
		return Value{}, err
	}
	_, dist, err := m.Assign(x)
	if err != nil {
		return Value{}, err
	}
	return DoubleValue(dist), nil
}

func segmentNameImpl(c *Call, args []Value) (Value, error) {
	if c == nil {
		c = &Call{}
	}
	f := segmentName
	m, err := kmeansModel(f, c, args)
	if err != nil {
		return Value{}, err
	}
	id, err := f.Int(args, 1)
	if err != nil {
		return Value{}, err
	}
	if id < 0 || id >= int64(m.K) {
		return Value{}, f.Errorf("segment %d is out of range: the model has segments 0..%d", id, m.K-1)
	}
	return TextValue(m.SegmentNames[id]), nil
}

// metricExample is a four-row group, clusters {0, 2} and {10, 12}, written
// to run on both engines.
const metricExample = `SELECT %s(label, x) FROM (SELECT 0 AS label, 0.0 AS x UNION ALL SELECT 0, 2.0 ` +
	`UNION ALL SELECT 1, 10.0 UNION ALL SELECT 1, 12.0)`

// metricAggregate declares name(label, x1, ..., xd) → DOUBLE computing
// metric over the group's rows.
func metricAggregate(name string, metric func(x []float64, d int, labels []int) (float64, error), summary, result string) *Function {
	f := &Function{
		Name:          name,
		Kind:          Aggregate,
		Params:        []Param{{Name: "label", Type: Any}},
		Variadic:      &Param{Name: "x", Type: Double},
		MinVariadic:   1,
		Result:        Double,
		Deterministic: true,
		Null:          SkipNullRows,
		Summary: summary + " The label is an INTEGER or TEXT cluster id; every row must have the same number of " +
			"features; an empty group gives NULL.",
		Example:       fmt.Sprintf(metricExample, name),
		ExampleResult: result,
	}
	f.NewAggregate = func() AggregateState { return &metricState{f: f, metric: metric} }
	return f
}

// metricState collects a group's rows: labels as ints (text labels are
// numbered in order of appearance) and the features row-major.
type metricState struct {
	f         *Function
	metric    func(x []float64, d int, labels []int) (float64, error)
	d         int
	labelType Type // Integer or Text once a row is seen
	labels    []int
	x         []float64
	textIDs   map[string]int
}

func (s *metricState) textID(label string) int {
	if s.textIDs == nil {
		s.textIDs = map[string]int{}
	}
	id, ok := s.textIDs[label]
	if !ok {
		id = len(s.textIDs)
		s.textIDs[strings.Clone(label)] = id
	}
	return id
}

func (s *metricState) setShape(d int, lt Type) error {
	if s.d == 0 {
		s.d, s.labelType = d, lt
		return nil
	}
	if d != s.d {
		return s.f.Errorf("every row must have the same number of features: got %d after %d", d, s.d)
	}
	if lt != s.labelType {
		return s.f.Errorf("labels must be all integers or all text, got %s after %s", lt, s.labelType)
	}
	return nil
}

func (s *metricState) Step(c *Call, args []Value) error {
	f := s.f
	var label int
	lt := Integer
	switch args[0].Type {
	case Text:
		lt = Text
	default:
		v, err := f.Int(args, 0)
		if err != nil {
			return f.Errorf("label must be an integer or text, got %s", args[0].describe())
		}
		label = int(v)
	}
	if err := s.setShape(len(args)-1, lt); err != nil {
		return err
	}
	n := len(s.x)
	for i := 1; i < len(args); i++ {
		v, err := f.Float(args, i)
		if err != nil {
			s.x = s.x[:n]
			return err
		}
		s.x = append(s.x, v)
	}
	if lt == Text {
		label = s.textID(args[0].Text)
	}
	s.labels = append(s.labels, label)
	return nil
}

func (s *metricState) Merge(other AggregateState) error {
	o, ok := other.(*metricState)
	if !ok {
		return s.f.Errorf("cannot merge a %T state", other)
	}
	if len(o.labels) == 0 {
		return nil
	}
	if err := s.setShape(o.d, o.labelType); err != nil {
		return err
	}
	s.x = append(s.x, o.x...)
	if o.labelType != Text {
		s.labels = append(s.labels, o.labels...)
		return nil
	}
	remap := make([]int, len(o.textIDs))
	for name, id := range o.textIDs {
		remap[id] = s.textID(name)
	}
	for _, l := range o.labels {
		s.labels = append(s.labels, remap[l])
	}
	return nil
}

func (s *metricState) Final(c *Call) (Value, error) {
	if len(s.labels) == 0 {
		return NullValue(), nil
	}
	v, err := s.metric(s.x, s.d, s.labels)
	if errors.Is(err, cluster.ErrLabelCount) {
		return NullValue(), nil
	}
	if err != nil {
		return Value{}, err
	}
	return DoubleValue(v), nil
}
