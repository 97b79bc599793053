package catalog

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ExampleQuery is f's documented example as a runnable query: an
// expression gets a SELECT in front.
func (f *Function) ExampleQuery() string {
	q := strings.TrimSpace(f.Example)
	if u := strings.ToUpper(q); !strings.HasPrefix(u, "SELECT") && !strings.HasPrefix(u, "WITH") {
		q = "SELECT " + q
	}
	return q
}

// CheckExample compares what an engine returned for ExampleQuery with the
// documented ExampleResult: a number to half a unit of its last
// documented decimal, anything else as text (SQL quotes removed).
func (f *Function) CheckExample(got any) error {
	want := strings.TrimSpace(f.ExampleResult)
	num, err := strconv.ParseFloat(want, 64)
	if err != nil { // text, quoted in SQL style or plain
		text := want
		if len(want) >= 2 && want[0] == '\'' && want[len(want)-1] == '\'' {
			text = strings.ReplaceAll(want[1:len(want)-1], "''", "'")
		}
		if s, ok := got.(string); !ok || s != text {
			return fmt.Errorf("%s = %#v, documented %s", f.ExampleQuery(), got, want)
		}
		return nil
	}
	tol := 0.0
	if i := strings.IndexByte(want, '.'); i >= 0 {
		tol = 0.5 * math.Pow(10, -float64(len(want)-i-1))
	}
	var g float64
	switch v := got.(type) {
	case int64:
		g = float64(v)
	case int32:
		g = float64(v)
	case float64:
		g = v
	default:
		return fmt.Errorf("%s = %#v (%T), documented %s", f.ExampleQuery(), got, got, want)
	}
	if math.Abs(g-num) > tol {
		return fmt.Errorf("%s = %v, documented %s (± %g)", f.ExampleQuery(), g, want, tol)
	}
	return nil
}
