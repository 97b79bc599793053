package catalog

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"unsafe"

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

// binsJSON returns valid bins of n bins (n−1 edges 1, 2, ..., equal shares),
// each number followed by pad spaces: pretty-printing grows the text, not
// the parsed value.
func binsJSON(n, pad int) string {
	var b strings.Builder
	sep := "," + strings.Repeat(" ", pad)
	b.WriteString(`{"feature":"x","edges":[`)
	for i := 1; i < n; i++ {
		if i > 1 {
			b.WriteString(sep)
		}
		b.WriteString(strconv.Itoa(i))
	}
	b.WriteString(`],"expected":[`)
	share := strconv.FormatFloat(1/float64(n), 'g', -1, 64)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(share)
	}
	b.WriteString("]}")
	return b.String()
}

// TestPsiLimits: the number of bins and the length of the text are capped
// (drift.MaxBins, drift.MaxBinsJSON) with an error naming the function.
func TestPsiLimits(t *testing.T) {
	f := Lookup("psi")
	atCap := binsJSON(drift.MaxBins, 0)
	if err := f.Step(&Call{}, f.NewAggregate(), psiArgs(atCap, 5)); err != nil {
		t.Errorf("%d bins: %v", drift.MaxBins, err)
	}
	over := binsJSON(drift.MaxBins+1, 0)
	want := "psi: expected_bins: bins JSON: 1000 edges make 1001 bins: at most 1000 bins (999 edges)"
	if err := f.Step(&Call{}, f.NewAggregate(), psiArgs(over, 5)); err == nil || err.Error() != want {
		t.Errorf("%d bins: error %v, want %q", drift.MaxBins+1, err, want)
	}
	if _, err := Lookup("psi_bin").CallScalar(&Call{}, psiArgs(over, 5)); err == nil || !strings.HasPrefix(err.Error(), "psi_bin: expected_bins: bins JSON: 1000 edges") {
		t.Errorf("psi_bin, %d bins: error %v", drift.MaxBins+1, err)
	}
	long := driftExample + strings.Repeat(" ", drift.MaxBinsJSON)
	want = "psi: expected_bins: bins JSON is " + strconv.Itoa(len(long)) + " bytes long: at most " + strconv.Itoa(drift.MaxBinsJSON)
	if err := f.Step(&Call{}, f.NewAggregate(), psiArgs(long, 5)); err == nil || err.Error() != want {
		t.Errorf("long text: error %v, want %q", err, want)
	}
	// A key as long as the text is cut in the error, not quoted whole.
	key := `{"` + strings.Repeat("k", 1<<20) + `":1}`
	if err := f.Step(&Call{}, f.NewAggregate(), psiArgs(key, 5)); err == nil || len(err.Error()) > 400 ||
		!strings.HasPrefix(err.Error(), `psi: expected_bins: bins JSON: json: unknown field "kkk`) || !strings.HasSuffix(err.Error(), "…") {
		t.Errorf("long key: error of %d bytes: %.100v", len(err.Error()), err)
	}
}

// TestPsiSharesBins: every group's state points to the same parsed bins,
// whatever memory the engine passes the text in.
func TestPsiSharesBins(t *testing.T) {
	f := Lookup("psi")
	text := binsJSON(10, 3)
	a, b := f.NewAggregate(), f.NewAggregate()
	if err := f.Step(&Call{}, a, psiArgs(text, 1)); err != nil {
		t.Fatal(err)
	}
	if err := f.Step(&Call{}, b, psiArgs(strings.Clone(text), 2)); err != nil {
		t.Fatal(err)
	}
	pa, pb := a.(*psiState).bins, b.(*psiState).bins
	if pa == nil || pa != pb {
		t.Errorf("two groups hold bins %p and %p, want one shared value", pa, pb)
	}
}

// psiMemoryGroups and psiMemoryText are the hostile GROUP BY of issue #10:
// thousands of groups and a bins JSON of megabytes (valid: padded numbers).
const psiMemoryGroups = 4000

func psiMemoryText() string { return binsJSON(drift.MaxBins, 1350) }

// TestPsiMemory runs psi over psiMemoryGroups groups, each fed through two
// partial states merged (DuckDB's parallel combine), with a ~2.7 MB bins
// text, in a child process, and bounds the child's peak RSS: a copy of the
// text per state would need gigabytes. The child gives up as soon as its
// peak passes the bound, so a regression costs no more than that.
func TestPsiMemory(t *testing.T) {
	const limitKB = 200 << 10 // a test binary's baseline is tens of MB
	if os.Getenv("CUSTSEG_PSI_MEMORY_CHILD") != "" {
		psiMemoryChild(t, limitKB)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestPsiMemory$", "-test.v")
	cmd.Env = append(os.Environ(), "CUSTSEG_PSI_MEMORY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	var peakKB int
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, "peak ") {
			fmt.Sscanf(l, "peak %d", &peakKB)
		}
	}
	if peakKB == 0 || peakKB > limitKB {
		t.Errorf("child peak RSS %d kB, want below %d kB\n%s", peakKB, limitKB, out)
	}
	t.Logf("child peak RSS %d kB", peakKB)
}

func psiMemoryChild(t *testing.T, limitKB int) {
	f := Lookup("psi")
	text := psiMemoryText()
	if len(text) < 2_500_000 || len(text) > drift.MaxBinsJSON {
		t.Fatalf("bins text is %d bytes", len(text))
	}
	// The engine hands each row its text in its own memory: two buffers,
	// alternated, so that no comparison is won by pointer identity.
	bufs := [2][]byte{[]byte(text), []byte(text)}
	row := func(i int) string { return unsafe.String(&bufs[i%2][0], len(text)) }
	c := &Call{}
	states := make([]AggregateState, psiMemoryGroups)
	for g := range states {
		a, b := f.NewAggregate(), f.NewAggregate()
		for i, st := range []AggregateState{a, b} {
			if err := f.Step(c, st, psiArgs(row(g+i), float64(g%1200))); err != nil {
				t.Fatal(err)
			}
		}
		if err := f.Merge(a, b); err != nil {
			t.Fatal(err)
		}
		states[g] = a
		if g%50 == 0 {
			if kb := peakRSSKB(t); kb > limitKB {
				fmt.Printf("peak %d\n", kb)
				t.Fatalf("peak RSS %d kB after %d groups", kb, g+1)
			}
		}
	}
	for g, st := range states {
		if v, err := f.Final(c, st); err != nil || v.Type != Double {
			t.Fatalf("group %d: %v, %v", g, v, err)
		}
	}
	fmt.Printf("peak %d\n", peakRSSKB(t))
}

// peakRSSKB returns this process's peak resident set size (VmHWM) in kB.
func peakRSSKB(t *testing.T) int {
	t.Helper()
	st, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	for _, l := range strings.Split(string(st), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			var kb int
			if _, err := fmt.Sscanf(rest, "%d", &kb); err == nil {
				return kb
			}
		}
	}
	t.Skip("no VmHWM in /proc/self/status")
	return 0
}
