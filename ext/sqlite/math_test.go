package sqlite_test

import (
	"math"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
)

// mathQuery exercises every math function the in-process build registers
// (math.c), with the edge cases of SQLite's func.c: NULL for NULL,
// non-numeric or out-of-domain arguments, NaN results as NULL, integer
// ceil/floor/trunc of an integer.
const mathQuery = `SELECT ln(2), exp(1), pow(2, 10), log(100), log(2, 8), sqrt(-1),
 ln(0), ln(-1), log(1, 8), log(2, 0), log(10, 'abc'), ceil(1.2), ceil(3), floor(-1.5), trunc(-2.7), trunc(5),
 mod(7, 3), mod(7.5, 2), pi(), degrees(pi()), radians(180), atan2(1, 1), acos(2), acosh(1), asinh(1), atanh(0.5),
 cosh(1), sinh(1), tanh(1), cos(0), sin(0), tan(1), asin(1), atan(1), power(3, 0.5), log10(1000), log2(8),
 ln(NULL), exp('1'), exp('x'), ceiling(-0.5), sqrt(16), typeof(ceil(3)), typeof(ceil(3.0)), typeof(trunc(5)), exp(1000)`

// TestMathFunctionsAsShell: the in-process SQLite answers SQLite's math
// functions as Debian's sqlite3 shell does, so SQL written in one runs in
// the other (the shell prints 15 significant digits).
func TestMathFunctionsAsShell(t *testing.T) {
	db := openDB(t)
	rows, err := db.Query(mathQuery)
	if err != nil {
		t.Fatal(err)
	}
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if !rows.Next() {
		t.Fatal("no row")
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	// Without the shell, the first six still have known answers.
	want := []any{math.Ln2, math.E, 1024.0, 2.0, 3.0, nil}
	for i, w := range want {
		if vals[i] != w && !(w != nil && closeTo(vals[i], w.(float64))) {
			t.Errorf("%s = %v, want %v", cols[i], vals[i], w)
		}
	}

	const shell = "/usr/bin/sqlite3"
	if _, err := os.Stat(shell); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not installed (CI=true): apt-get install sqlite3", shell)
		}
		t.Skipf("skipped the comparison with the stock shell: %s not installed; enable it with apt-get install sqlite3", shell)
	}
	cmd := exec.Command(shell, "-batch", "-nullvalue", "NULL", ":memory:", mathQuery)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shell, err, out)
	}
	fields := strings.Split(strings.TrimRight(string(out), "\n"), "|")
	if len(fields) != len(vals) {
		t.Fatalf("shell printed %d values, want %d:\n%s", len(fields), len(vals), out)
	}
	for i, f := range fields {
		if !sameAsShell(vals[i], f) {
			t.Errorf("%s: in-process %v (%T), shell %q", cols[i], vals[i], vals[i], f)
		}
	}
}

// sameAsShell compares a scanned value with the shell's text for it.
func sameAsShell(v any, shell string) bool {
	switch v := v.(type) {
	case nil:
		return shell == "NULL"
	case int64:
		return shell == strconv.FormatInt(v, 10)
	case string:
		return shell == v
	case []byte:
		return shell == string(v)
	case float64:
		if math.IsInf(v, 1) {
			return shell == "Inf"
		}
		if !strings.ContainsAny(shell, ".eI") {
			return false // the shell printed an integer: SQLite's type differs
		}
		f, err := strconv.ParseFloat(shell, 64)
		return err == nil && closeTo(v, f)
	}
	return false
}

// closeTo compares to the 15 significant digits the shell prints.
func closeTo(v any, want float64) bool {
	f, ok := v.(float64)
	return ok && math.Abs(f-want) <= 1e-14*math.Max(1, math.Abs(want))
}
