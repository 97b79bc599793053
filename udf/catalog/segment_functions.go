package catalog

import (
	"errors"
	"fmt"
	"math"
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
	segmentCoordinate.Scalar = segmentCoordinateImpl
	segmentSilhouette.NewAggregate = func() AggregateState { return &segSilState{} }
	RegisterModelKind(kmeans.Kind, func(spec string) (any, error) { return kmeans.ParseModel(spec) })
	register(assignSegment, segmentDistance, segmentName, segmentCoordinate, segmentSilhouette)
	register(
		metricAggregate("silhouette", silhouetteCancelable,
			"Mean silhouette coefficient of a clustering, as scikit-learn's silhouette_score (Euclidean): "+
				"s(i) = (b − a)/max(a, b) with a the mean distance to the own cluster and b to the nearest other one, "+
				"0 for a point alone in its cluster. NULL when there are fewer than 2 clusters or every row is its own cluster. "+
				"Exact: n(n−1)/2 distances, computed once each on every core in O(n) memory (timings in docs/PERFORMANCE.md), "+
				"summed in a fixed order so equal input gives a bit-identical result. "+
				"The rows' features are used as given (raw units): segment_silhouette measures in a model's space."+hugeCoordinates,
			"0.7980"),
		metricAggregate("silhouette_simplified", ignoreCancel(cluster.SilhouetteSimplified),
			"MADlib's simplified silhouette: as silhouette but a is the distance to the own cluster's centroid and b to "+
				"the nearest other centroid, so it costs O(n·k). NULL when there are fewer than 2 clusters."+hugeCoordinates,
			"0.8990"),
		metricAggregate("davies_bouldin", ignoreCancel(cluster.DaviesBouldin),
			"Davies-Bouldin index as scikit-learn's davies_bouldin_score: the mean over clusters of the worst "+
				"(S_i + S_j)/||c_i − c_j||, S the mean distance to the centroid; lower is better. "+
				"NULL when there are fewer than 2 clusters or every row is its own cluster."+hugeCoordinates,
			"0.2"),
		metricAggregate("calinski_harabasz", ignoreCancel(cluster.CalinskiHarabasz),
			"Calinski-Harabasz variance ratio as scikit-learn's calinski_harabasz_score: between-cluster over "+
				"within-cluster dispersion times (n − k)/(k − 1); higher is better. "+
				"NULL when there are fewer than 2 clusters or every row is its own cluster."+hugeCoordinates,
			"50"),
		metricAggregate("inertia", ignoreCancel(cluster.Inertia),
			"Within-cluster sum of squares: Σ ||x − centroid of its cluster||², the centroids being the group's "+
				"cluster means (k-means' objective; a model's stored inertia is this sum over its training rows and labels, "+
				"its centroids being their members' means). Defined for any number of clusters; an error when the sum "+
				"exceeds the largest DOUBLE (coordinates beyond about 1e154).",
			"4"),
	)
}

// hugeCoordinates is the sentence every distance-based metric's doc ends
// with: what happens near the end of the DOUBLE range.
const hugeCoordinates = " Coordinates of any finite size are measured without overflow " +
	"(beyond about 1e144 they are scaled by a power of two, which leaves these ratios unchanged)."

// silhouetteCancelable is the silhouette aggregate's kernel, stopping
// between row blocks when cancel (set by the binding through Cancelable)
// says so.
func silhouetteCancelable(x []float64, d int, labels []int, cancel func() bool) (float64, error) {
	return cluster.SilhouetteWith(x, d, labels, cluster.SilhouetteOptions{Cancel: cancel})
}

// ignoreCancel adapts a metric too quick to need cancelling (O(n·k)).
func ignoreCancel(metric func(x []float64, d int, labels []int) (float64, error)) func([]float64, int, []int, func() bool) (float64, error) {
	return func(x []float64, d int, labels []int, _ func() bool) (float64, error) { return metric(x, d, labels) }
}

// Cancelable is implemented by the aggregate states whose Final can run
// for long (silhouette and segment_silhouette are O(n²)). A binding that
// learns when its statement is interrupted (SQLite's
// sqlite3_is_interrupted, DuckDB's client context) calls SetCancel on the
// state before Final; Final then stops between blocks of rows once cancel
// returns true and fails with an error wrapping cluster.ErrCanceled.
// cancel is called from several goroutines at once and must be safe for
// that. States that do not implement it finish quickly.
type Cancelable interface {
	SetCancel(cancel func() bool)
}

// segExampleModel is the inline model of the documentation examples.
const segExampleModel = `{"kind":"kmeans","features":["recency_days","frequency","monetary"],"transform":"log1p",` +
	`"scaler":{"method":"none"},"k":2,"centroids":[[2,2,6],[5,0.5,4]],"segment_names":["Champions","Lost"]}`

var modelFeaturesParams = []Param{{Name: "model", Type: Text}}

// modelFeaturesFunction declares name(model, x1, ..., xd), the shape of
// every function that applies a k-means model to a customer's features;
// scalars return NULL on a NULL argument, aggregates skip such rows.
func modelFeaturesFunction(name string, kind Kind, result Type, summary, example, exampleResult string) *Function {
	null, maxV := NullInNullOut, 0
	if kind == Aggregate {
		null, maxV = SkipNullRows, MaxAggregateFeatures
	}
	return &Function{Name: name, Kind: kind, Params: modelFeaturesParams,
		Variadic: &Param{Name: "x", Type: Double}, MinVariadic: 1, MaxVariadic: maxV, Result: result,
		Deterministic: true, Null: null, Summary: summary, Example: example, ExampleResult: exampleResult}
}

var assignSegment = modelFeaturesFunction("assign_segment", Scalar, Integer,
	"Assigns a customer to the nearest centroid (0..k-1, ties to the lowest id) of a k-means model "+
		"(a registry name, name@version or the model's JSON), after the model's transform and scaling; "+
		"the features are given in the model's order. Distances are compared without overflow at any magnitude "+
		"(squares beyond the DOUBLE range are compared on coordinates scaled by a power of two); a feature whose "+
		"scaled coordinate itself overflows is an error naming it.",
	`assign_segment('`+segExampleModel+`', 12, 4, 800)`,
	"0")

var segmentDistance = modelFeaturesFunction("segment_distance", Scalar, Double,
	"Euclidean distance, in the model's scaled units, from a customer to the centroid assign_segment "+
		"chooses: large values flag customers that fit their segment poorly. Computed without overflow; "+
		"a distance beyond the largest DOUBLE (about 1.8e308) is an error, never Infinity.",
	`segment_distance('`+segExampleModel+`', 12, 4, 800)`,
	"0.9706")

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

var segmentCoordinate = &Function{
	Name: "segment_coordinate",
	Kind: Scalar,
	Params: []Param{
		{Name: "model", Type: Text},
		{Name: "i", Type: Integer},
	},
	Variadic:      &Param{Name: "x", Type: Double},
	MinVariadic:   1,
	Result:        Double,
	Deterministic: true,
	Null:          NullInNullOut,
	Summary: "The i-th (1-based, in the model's feature order) coordinate of a customer in a k-means model's space: " +
		"the feature after the model's transform and scaling, (t(x_i) − center_i)/scale_i, the units centroids, " +
		"segment_distance and the stored silhouette are measured in; for charting segments as the model sees them. " +
		"A coordinate that overflows is an error naming the feature.",
	Example:       `segment_coordinate('` + segExampleModel + `', 1, 12, 4, 800)`,
	ExampleResult: "2.5649",
}

var segmentSilhouette = modelFeaturesFunction("segment_silhouette", Aggregate, Double,
	"Exact mean silhouette of a k-means model's segmentation of the group's customers: each row is put "+
		"in the model's space (segment_coordinate) and in its segment (assign_segment), then the silhouette "+
		"aggregate's formula is applied there. Over the training rows it returns the model's stored silhouette "+
		"when that is exact (models show says exact or sampled). Every row must name the same model; NULL for an "+
		"empty group or when the rows fall in fewer than 2 segments (or each in its own). O(n²) like silhouette."+
		hugeCoordinates,
	`SELECT segment_silhouette('`+segExampleModel+`', r, f, m) FROM (SELECT 6 AS r, 6 AS f, 400 AS m `+
		`UNION ALL SELECT 7, 7, 450 UNION ALL SELECT 150, 1, 50 UNION ALL SELECT 140, 0, 60)`,
	"0.8818")

// kmeansModel resolves args[0] to a k-means model.
func kmeansModel(f *Function, c *Call, args []Value) (*kmeans.Model, error) {
	ref, err := f.Str(args, 0)
	if err != nil {
		return nil, err
	}
	return modelOf[*kmeans.Model](f, c, ref, kmeans.Kind, "a kmeans model")
}

// assignArgs resolves the model (args[0]) and reads the feature arguments
// args[1:] into c.Scratch, checking their number against the model.
func assignArgs(f *Function, c *Call, args []Value) (*kmeans.Model, []float64, error) {
	return featureArgs(f, c, args, 1)
}

// featureArgs is assignArgs for features starting at args[first].
func featureArgs(f *Function, c *Call, args []Value, first int) (*kmeans.Model, []float64, error) {
	m, err := kmeansModel(f, c, args)
	if err != nil {
		return nil, nil, err
	}
	if got := len(args) - first; got != m.D() {
		return nil, nil, f.Errorf("the model wants %d features (%s), got %d", m.D(), strings.Join(m.Features, ", "), got)
	}
	x := c.Scratch[:0]
	for i := first; i < len(args); i++ {
		a := args[i]
		switch a.Type {
		case Double:
			x = append(x, a.Float) // NaN/Inf are rejected by Assign, naming the feature
		case Integer:
			x = append(x, float64(a.Int))
		default:
			return nil, nil, f.Errorf("feature %q (argument %d) must be a number, got %s", m.Features[i-first], i+1, a.describe())
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
	if math.IsInf(dist, 1) {
		return Value{}, segmentDistance.Errorf("the distance exceeds the largest DOUBLE (about 1.8e308)")
	}
	return DoubleValue(dist), nil
}

func segmentCoordinateImpl(c *Call, args []Value) (Value, error) {
	if c == nil {
		c = &Call{}
	}
	f := segmentCoordinate
	m, x, err := featureArgs(f, c, args, 2)
	if err != nil {
		return Value{}, err
	}
	i, err := f.Int(args, 1)
	if err != nil {
		return Value{}, err
	}
	if i < 1 || i > int64(m.D()) {
		return Value{}, f.Errorf("i = %d is out of range: the model has coordinates 1..%d (%s)", i, m.D(), strings.Join(m.Features, ", "))
	}
	var buf [8]float64
	z := buf[:]
	if m.D() > len(buf) {
		z = make([]float64, m.D())
	}
	z = z[:m.D()]
	if err := m.Scale(z, x); err != nil {
		return Value{}, err
	}
	return DoubleValue(z[i-1]), nil
}

// segSilState collects a group's rows in the model's space with their
// segments. The model is the one the first row resolved: every row of a
// group is measured with that one version.
type segSilState struct {
	ref    string
	m      *kmeans.Model
	z      []float64 // n×d scaled coordinates
	labels []int
	cancel func() bool
}

func (s *segSilState) Step(c *Call, args []Value) error {
	f := segmentSilhouette
	if c == nil {
		c = &Call{}
	}
	m, x, err := assignArgs(f, c, args)
	if err != nil {
		return err
	}
	if s.m == nil {
		s.ref, s.m = strings.Clone(args[0].Text), m
	} else if args[0].Text != s.ref {
		return f.Errorf("every row must name the same model: got %s after %s", shortRef(args[0].Text), shortRef(s.ref))
	}
	d := s.m.D()
	n := len(s.z)
	s.z = append(s.z, x...) // room for the row's coordinates
	seg, _, err := s.m.AssignInto(s.z[n:n+d], x)
	if err != nil {
		s.z = s.z[:n]
		return err
	}
	s.labels = append(s.labels, seg)
	return nil
}

func (s *segSilState) Merge(other AggregateState) error {
	o, ok := other.(*segSilState)
	if !ok {
		return segmentSilhouette.Errorf("cannot merge a %T state", other)
	}
	switch {
	case o.m == nil:
		return nil
	case s.m == nil:
		s.ref, s.m = o.ref, o.m
	case o.ref != s.ref:
		return segmentSilhouette.Errorf("every row must name the same model: got %s after %s", shortRef(o.ref), shortRef(s.ref))
	}
	s.z = append(s.z, o.z...)
	s.labels = append(s.labels, o.labels...)
	return nil
}

// SetCancel implements Cancelable.
func (s *segSilState) SetCancel(cancel func() bool) { s.cancel = cancel }

func (s *segSilState) Final(c *Call) (Value, error) {
	if len(s.labels) == 0 {
		return NullValue(), nil
	}
	v, err := silhouetteCancelable(s.z, s.m.D(), s.labels, s.cancel)
	if errors.Is(err, cluster.ErrLabelCount) {
		return NullValue(), nil
	}
	if err != nil {
		return Value{}, err
	}
	return DoubleValue(v), nil
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
func metricAggregate(name string, metric func(x []float64, d int, labels []int, cancel func() bool) (float64, error), summary, result string) *Function {
	f := &Function{
		Name:          name,
		Kind:          Aggregate,
		Params:        []Param{{Name: "label", Type: Any}},
		Variadic:      &Param{Name: "x", Type: Double},
		MinVariadic:   1,
		MaxVariadic:   MaxAggregateFeatures,
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
	metric    func(x []float64, d int, labels []int, cancel func() bool) (float64, error)
	cancel    func() bool
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

// SetCancel implements Cancelable.
func (s *metricState) SetCancel(cancel func() bool) { s.cancel = cancel }

func (s *metricState) Final(c *Call) (Value, error) {
	if len(s.labels) == 0 {
		return NullValue(), nil
	}
	v, err := s.metric(s.x, s.d, s.labels, s.cancel)
	if errors.Is(err, cluster.ErrLabelCount) {
		return NullValue(), nil
	}
	if err != nil {
		return Value{}, err
	}
	return DoubleValue(v), nil
}
