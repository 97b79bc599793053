package catalog

import (
	"math"
	"strings"

	"github.com/custseg/custseg/udf/drift"
)

func init() {
	psiAgg.NewAggregate = func() AggregateState { return &psiState{} }
	psiBin.Scalar = psiBinImpl
	register(psiAgg, psiBin)
}

// driftExample is the bins of recency_days in quartiles, as drift.FitBins
// writes them: bins ≤10, (10,30], (30,90], >90 with 25% of training each.
const driftExample = `{"feature":"recency_days","edges":[10,30,90],"expected":[0.25,0.25,0.25,0.25]}`

var psiAgg = &Function{
	Name: "psi",
	Kind: Aggregate,
	Params: []Param{
		{Name: "expected_bins", Type: Text},
		{Name: "value", Type: Double},
	},
	Result:        Double,
	Deterministic: true,
	Null:          SkipNullRows,
	Summary: "Population stability index of the group's values against the training distribution in expected_bins " +
		`(JSON {"edges":[...],"expected":[...]}, one element of a k-means model's drift_bins): Σ (a − e)·ln(a / e) over the bins, ` +
		"a zero share counted as 0.0001; below 0.1 stable, 0.1–0.2 watch, 0.2 or more re-train. " +
		"GROUP BY month charts drift over time; an empty group gives NULL.",
	Example: `SELECT round(psi('` + driftExample + `', v), 4) FROM (SELECT 5 AS v UNION ALL SELECT 20 ` +
		`UNION ALL SELECT 40 UNION ALL SELECT 50 UNION ALL SELECT 60 UNION ALL SELECT 70 UNION ALL SELECT 80 UNION ALL SELECT 100) AS t`,
	// Shares 1/8, 1/8, 5/8, 1/8 against 1/4 each:
	// 3·(0.125−0.25)·ln(0.5) + (0.625−0.25)·ln(2.5) = 0.259930 + 0.343609 = 0.603539.
	ExampleResult: "0.6035",
}

// psiState counts the group's values per bin. The bins are parsed once per
// distinct JSON text (see binsFor) and every row must pass the same text.
type psiState struct {
	text   string // the group's expected_bins, copied
	bins   *drift.Bins
	counts []int64
}

func (s *psiState) Step(c *Call, args []Value) error {
	f := psiAgg
	text, err := f.Str(args, 0)
	if err != nil {
		return err
	}
	v, err := f.Float(args, 1)
	if err != nil {
		return err
	}
	if s.bins == nil {
		b, err := binsFor(f, text)
		if err != nil {
			return err
		}
		s.text, s.bins, s.counts = strings.Clone(text), b, make([]int64, b.Len())
	} else if text != s.text {
		return f.Errorf("expected_bins must be the same for every row of a group (got two different JSON texts)")
	}
	s.counts[s.bins.Bin(v)]++
	return nil
}

func (s *psiState) Merge(other AggregateState) error {
	o, ok := other.(*psiState)
	if !ok {
		return psiAgg.Errorf("internal error: merging a %T", other)
	}
	if o.bins == nil {
		return nil
	}
	if s.bins == nil {
		s.text, s.bins, s.counts = o.text, o.bins, append([]int64(nil), o.counts...)
		return nil
	}
	if o.text != s.text {
		return psiAgg.Errorf("expected_bins must be the same for every row of a group (got two different JSON texts)")
	}
	for i, n := range o.counts {
		s.counts[i] += n
	}
	return nil
}

func (s *psiState) Final(c *Call) (Value, error) {
	if s.bins == nil {
		return NullValue(), nil
	}
	p := s.bins.PSICounts(s.counts)
	if math.IsNaN(p) {
		return NullValue(), nil
	}
	return DoubleValue(p), nil
}

var psiBin = &Function{
	Name: "psi_bin",
	Kind: Scalar,
	Params: []Param{
		{Name: "expected_bins", Type: Text},
		{Name: "value", Type: Double},
	},
	Result:        Integer,
	Deterministic: true,
	Null:          NullInNullOut,
	Summary: "The bin (1-based, as ntile) of value among the edges of expected_bins, the JSON that psi reads: " +
		"bin i holds edge[i−1] < value ≤ edge[i]; with it an analyst can compare the shares per bin that psi sums.",
	Example:       `psi_bin('` + driftExample + `', 30)`,
	ExampleResult: "2",
}

func psiBinImpl(c *Call, args []Value) (Value, error) {
	f := psiBin
	text, err := f.Str(args, 0)
	if err != nil {
		return Value{}, err
	}
	v, err := f.Float(args, 1)
	if err != nil {
		return Value{}, err
	}
	b, err := binsFor(f, text)
	if err != nil {
		return Value{}, err
	}
	return IntValue(int64(b.Bin(v) + 1)), nil
}

// parsedBins holds parsed bins by their JSON text: a query passes the same
// text on every row, and parsing it per row would cost more than binning.
var parsedBins = newCache[string, *drift.Bins](binsCacheMax, nil)

// binsCacheMax bounds parsedBins (entries).
const binsCacheMax = 256

func binsFor(f *Function, text string) (*drift.Bins, error) {
	if b, ok := parsedBins.get(text); ok {
		return b, nil
	}
	parsed, err := drift.ParseBins(text)
	if err != nil {
		return nil, f.Errorf("expected_bins: %v", err)
	}
	b := &parsed
	parsedBins.put(strings.Clone(text), b)
	return b, nil
}
