package catalog

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/custseg/custseg/udf/drift"
)

func psiArgs(bins string, v float64) []Value { return []Value{TextValue(bins), DoubleValue(v)} }

// psiOf feeds values to a fresh psi state through the catalog's Step and
// returns Final.
func psiOf(t *testing.T, bins string, values ...float64) AggregateState {
	t.Helper()
	f := Lookup("psi")
	st := f.NewAggregate()
	for _, v := range values {
		if err := f.Step(&Call{}, st, psiArgs(bins, v)); err != nil {
			t.Fatalf("Step(%v): %v", v, err)
		}
	}
	return st
}

func finalFloat(t *testing.T, st AggregateState) (float64, bool) {
	t.Helper()
	v, err := Lookup("psi").Final(&Call{}, st)
	if err != nil {
		t.Fatalf("Final: %v", err)
	}
	if v.IsNull() {
		return 0, false
	}
	if v.Type != Double {
		t.Fatalf("Final gave %v, want a DOUBLE", v)
	}
	return v.Float, true
}

func TestPsiAggregate(t *testing.T) {
	f := Lookup("psi")
	if f == nil || f.Kind != Aggregate || f.Null != SkipNullRows {
		t.Fatalf("psi: %+v", f)
	}
	// The documented example: shares 1/8, 1/8, 5/8, 1/8 against 1/4 each,
	// 3·(0.125−0.25)·ln(0.5) + (0.625−0.25)·ln(2.5) = 0.25993019 + 0.34360902 = 0.60353922.
	vals := []float64{5, 20, 40, 50, 60, 70, 80, 100}
	got, ok := finalFloat(t, psiOf(t, driftExample, vals...))
	if !ok || math.Abs(got-0.6035392171627876) > 1e-12 {
		t.Errorf("example: psi = %v (null=%v), want 0.603539", got, !ok)
	}

	// The same rows split over two states (DuckDB's parallel combine) and merged.
	a, b := psiOf(t, driftExample, vals[:3]...), psiOf(t, driftExample, vals[3:]...)
	if err := f.Merge(a, b); err != nil {
		t.Fatal(err)
	}
	if got2, _ := finalFloat(t, a); got2 != got {
		t.Errorf("merged: %v, want %v as unsplit", got2, got)
	}
	// Merging into an empty state, and an empty state into a full one.
	empty := f.NewAggregate()
	if err := f.Merge(empty, psiOf(t, driftExample, vals...)); err != nil {
		t.Fatal(err)
	}
	if err := f.Merge(empty, f.NewAggregate()); err != nil {
		t.Fatal(err)
	}
	if got3, _ := finalFloat(t, empty); got3 != got {
		t.Errorf("merged into empty: %v, want %v", got3, got)
	}

	// A group distributed exactly as in training: 0.
	if got, ok := finalFloat(t, psiOf(t, driftExample, 1, 15, 31, 91)); !ok || got != 0 {
		t.Errorf("matching group: %v, want 0", got)
	}

	// NULL rows are skipped: the example plus NULLs gives the same result.
	st := psiOf(t, driftExample, vals...)
	for _, args := range [][]Value{{NullValue(), DoubleValue(1)}, {TextValue(driftExample), NullValue()}} {
		if err := f.Step(&Call{}, st, args); err != nil {
			t.Fatal(err)
		}
	}
	if got4, _ := finalFloat(t, st); got4 != got {
		t.Errorf("with NULL rows: %v, want %v", got4, got)
	}

	// An empty group (or one of only NULLs) gives NULL.
	if _, ok := finalFloat(t, f.NewAggregate()); ok {
		t.Error("empty group: want NULL")
	}
}

// Month-by-month drift as GROUP BY month would compute it: bins fitted on
// the training month with drift.FitBins, then one state per month.
func TestPsiByMonthAgainstFitBins(t *testing.T) {
	train := []float64{1, 1, 1, 1, 2, 2, 3, 4, 6, 9} // purchase counts
	b, err := drift.FitBins(train, 0)
	if err != nil {
		t.Fatal(err)
	}
	b.Feature = "frequency"
	js, _ := json.Marshal(b)
	months := map[string][]float64{
		"2011-01": train,                           // the training month itself
		"2011-02": {1, 1, 1, 1, 2, 2, 3, 4, 6, 20}, // one big buyer got bigger: same bins
		"2011-03": {5, 6, 7, 8, 9, 10, 11, 12, 1, 1},
	}
	for month, vals := range months {
		got, ok := finalFloat(t, psiOf(t, string(js), vals...))
		want := b.PSI(vals) // the pure-Go path the aggregate must agree with
		if !ok || math.Abs(got-want) > 1e-12 {
			t.Errorf("%s: psi %v, want %v (drift.Bins.PSI)", month, got, want)
		}
		switch month {
		case "2011-01", "2011-02":
			if got != 0 {
				t.Errorf("%s: psi %v, want 0", month, got)
			}
		case "2011-03":
			if got < drift.DefaultThreshold {
				t.Errorf("%s: psi %v, want a shift >= 0.2", month, got)
			}
		}
	}
}

func TestPsiErrors(t *testing.T) {
	f := Lookup("psi")
	other := `{"edges":[10,30,90],"expected":[0.1,0.2,0.3,0.4]}`
	cases := []struct {
		name string
		rows [][]Value
		want string
	}{
		{"corrupt JSON", [][]Value{psiArgs(`{"edges":[1,2`, 1)}, "psi: expected_bins: bins JSON: unexpected EOF"},
		{"not bins", [][]Value{psiArgs(`{"kind":"kmeans"}`, 1)}, `psi: expected_bins: bins JSON: json: unknown field "kind"`},
		{"invalid bins", [][]Value{psiArgs(`{"edges":[1],"expected":[1]}`, 1)}, "psi: expected_bins: bins JSON: 1 edges need 2 expected proportions, got 1"},
		{"JSON changes within a group", [][]Value{psiArgs(driftExample, 1), psiArgs(other, 2)}, "psi: expected_bins must be the same for every row of a group"},
		{"value is text", [][]Value{{TextValue(driftExample), TextValue("x")}}, `psi: value must be a number, got text "x"`},
		{"value is NaN", [][]Value{psiArgs(driftExample, math.NaN())}, "psi: value must be a finite number, got NaN"},
		{"bins not text", [][]Value{{IntValue(3), DoubleValue(1)}}, "psi: expected_bins must be text, got 3"},
		{"arity", [][]Value{{TextValue(driftExample)}}, "psi: wrong number of arguments: got 1, want 2"},
	}
	for _, c := range cases {
		st := f.NewAggregate()
		var err error
		for _, row := range c.rows {
			if err = f.Step(&Call{}, st, row); err != nil {
				break
			}
		}
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("%s: error %v, want prefix %q", c.name, err, c.want)
		}
	}
	// Merging partial states of one group that saw different JSON.
	a, b := psiOf(t, driftExample, 1), psiOf(t, other, 1)
	if err := f.Merge(a, b); err == nil || !strings.HasPrefix(err.Error(), "psi: expected_bins must be the same") {
		t.Errorf("merge of different bins: %v", err)
	}
}

func TestPsiBin(t *testing.T) {
	f := Lookup("psi_bin")
	cases := []struct {
		v    Value
		want int64
	}{
		{DoubleValue(-1), 1}, {DoubleValue(10), 1}, {DoubleValue(10.5), 2}, {IntValue(30), 2},
		{DoubleValue(31), 3}, {DoubleValue(90), 3}, {DoubleValue(90.01), 4}, {IntValue(1 << 40), 4},
	}
	for _, c := range cases {
		got, err := f.CallScalar(&Call{}, []Value{TextValue(driftExample), c.v})
		if err != nil || got.Type != Integer || got.Int != c.want {
			t.Errorf("psi_bin(%v) = %v, %v; want %d", c.v, got, err, c.want)
		}
	}
	if got, err := f.CallScalar(&Call{}, []Value{TextValue(driftExample), NullValue()}); err != nil || !got.IsNull() {
		t.Errorf("psi_bin(NULL) = %v, %v; want NULL", got, err)
	}
	if _, err := f.CallScalar(&Call{}, psiArgs(`[1,2]`, 1)); err == nil || !strings.HasPrefix(err.Error(), "psi_bin: expected_bins: bins JSON: ") {
		t.Errorf("corrupt JSON: %v", err)
	}
}

func BenchmarkPsiStep(b *testing.B) {
	f := Lookup("psi")
	st := f.NewAggregate()
	args := psiArgs(driftExample, 0)
	c := &Call{}
	for i := 0; b.Loop(); i++ {
		args[1].Float = float64(i % 120)
		if err := f.Step(c, st, args); err != nil {
			b.Fatal(err)
		}
	}
}
