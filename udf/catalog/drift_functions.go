package catalog

import (
	"fmt"
	"math"

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

// binsCaps documents the bounds on expected_bins (psi and psi_bin).
var binsCaps = fmt.Sprintf(" expected_bins may hold at most %d bins (drift.MaxBins) in at most %d MiB of JSON (drift.MaxBinsJSON); "+
	"a larger one is an error.", drift.MaxBins, drift.MaxBinsJSON>>20)

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
		"GROUP BY month charts drift over time; an empty group gives NULL." + binsCaps,
	Example: `SELECT round(psi('` + driftExample + `', v), 4) FROM (SELECT 5 AS v UNION ALL SELECT 20 ` +
		`UNION ALL SELECT 40 UNION ALL SELECT 50 UNION ALL SELECT 60 UNION ALL SELECT 70 UNION ALL SELECT 80 UNION ALL SELECT 100) AS t`,
	// Shares 1/8, 1/8, 5/8, 1/8 against 1/4 each:
	// 3·(0.125−0.25)·ln(0.5) + (0.625−0.25)·ln(2.5) = 0.259930 + 0.343609 = 0.603539.
	ExampleResult: "0.6035",
}

// psiState counts the group's values per bin. It points to the shared,
// immutable parsed bins (see binsFor), never to a copy of the JSON: a GROUP
// BY makes one state per group, and each row must pass the same text.
type psiState struct {
	bins   *parsedText[drift.Bins]
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
		s.bins, s.counts = b, make([]int64, b.v.Len())
	} else if text != s.bins.text {
		return errMixedBins
	}
	s.counts[s.bins.v.Bin(v)]++
	return nil
}

var errMixedBins = psiAgg.Errorf("expected_bins must be the same for every row of a group (got two different JSON texts)")

func (s *psiState) Merge(other AggregateState) error {
	o, ok := other.(*psiState)
	if !ok {
		return psiAgg.Errorf("internal error: merging a %T", other)
	}
	if o.bins == nil {
		return nil
	}
	if s.bins == nil {
		s.bins, s.counts = o.bins, append([]int64(nil), o.counts...)
		return nil
	}
	// The same text parsed twice (the cache emptied in between) is still
	// the same bins.
	if o.bins != s.bins && o.bins.text != s.bins.text {
		return errMixedBins
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
	p := s.bins.v.PSICounts(s.counts)
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
		"bin i holds edge[i−1] < value ≤ edge[i]; with it an analyst can compare the shares per bin that psi sums." + binsCaps,
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
	return IntValue(int64(b.v.Bin(v) + 1)), nil
}

// parsedBins holds the parsed expected_bins texts.
var parsedBins = newParsedCache(parsedBinsBytes, func(text string) (drift.Bins, int, error) {
	b, err := drift.ParseBins(text)
	return b, len(b.Feature) + 8*(len(b.Edges)+len(b.Expected)), err
})

// parsedBinsBytes bounds parsedBins: several texts of drift.MaxBinsJSON.
const parsedBinsBytes = 32 << 20

// binsFor returns the shared parsed bins of text.
func binsFor(f *Function, text string) (*parsedText[drift.Bins], error) {
	b, err := parsedBins.get(text)
	if err != nil {
		return nil, f.Errorf("expected_bins: %v", err)
	}
	return b, nil
}
