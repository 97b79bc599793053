// Package catalog describes every SQL function custseg provides: its name,
// parameters, NULL policy, determinism and documentation, together with the
// pure-Go implementation. Every engine binding (ext/sqlite, ext/duckdb, the
// loadable extensions) registers from this one list, so the SQL surface is
// identical everywhere.
//
// Bindings convert engine values into []Value, call Function.CallScalar
// (scalars) or Step, Merge and Final (aggregates), and write the result
// back. They never decide semantics themselves: NULL handling, argument
// checks and error wording live here.
package catalog

import (
	"fmt"
	"math"
	"strconv"

	"github.com/custseg/custseg/udf/internal/num"
)

// Type is the SQL type of a parameter or result.
type Type int

const (
	Null    Type = iota // only for Value.Type: the SQL NULL
	Integer             // 64-bit signed integer
	Double              // 64-bit IEEE float
	Text                // UTF-8 text
	Any                 // parameter accepts any type (checked by the implementation)
)

func (t Type) String() string {
	switch t {
	case Null:
		return "NULL"
	case Integer:
		return "INTEGER"
	case Double:
		return "DOUBLE"
	case Text:
		return "TEXT"
	case Any:
		return "ANY"
	}
	return "Type(" + strconv.Itoa(int(t)) + ")"
}

// Value is one SQL argument or result. It is a plain struct, not an
// interface, so bindings can fill a reused []Value per row without
// allocating. Text may alias engine memory: it is valid only for the
// duration of the call and must be copied if retained.
type Value struct {
	Type  Type
	Int   int64
	Float float64
	Text  string
}

// Convenience constructors.
func NullValue() Value            { return Value{Type: Null} }
func IntValue(i int64) Value      { return Value{Type: Integer, Int: i} }
func DoubleValue(f float64) Value { return Value{Type: Double, Float: f} }
func TextValue(s string) Value    { return Value{Type: Text, Text: s} }
func (v Value) IsNull() bool      { return v.Type == Null }
func (v Value) String() string    { return v.describe() }
func (v Value) describe() string {
	switch v.Type {
	case Null:
		return "NULL"
	case Integer:
		return strconv.FormatInt(v.Int, 10)
	case Double:
		return strconv.FormatFloat(v.Float, 'g', -1, 64)
	case Text:
		s := v.Text
		if len(s) > 40 {
			s = s[:40] + "…"
		}
		return "text " + strconv.Quote(s)
	}
	return "?"
}

// NullPolicy says what a function does when an argument is NULL.
type NullPolicy int

const (
	// NullInNullOut: a scalar returns NULL when any argument is NULL; the
	// implementation is not called. This is the default for scalars.
	NullInNullOut NullPolicy = iota
	// SkipNullRows: an aggregate ignores a row in which any argument is NULL
	// (as SQL's own avg/sum ignore NULLs). The default for aggregates.
	SkipNullRows
	// CallOnNull: the implementation sees NULL arguments itself.
	CallOnNull
)

// Kind distinguishes scalar functions from aggregates.
type Kind int

const (
	Scalar Kind = iota
	Aggregate
)

// MaxAggregateFeatures is the most features (x1, ..., xd) an aggregate
// takes. DuckDB's C API has no varargs for aggregates, so the DuckDB binding
// registers one overload per count; every binding accepts the same counts,
// and SQLite refuses more with CheckArity's error ("wrong number of
// arguments"), while DuckDB's binder answers that no overload matches.
const MaxAggregateFeatures = 16

// Param is one declared parameter.
type Param struct {
	Name string
	Type Type
}

// Function is one SQL function.
type Function struct {
	Name string
	Kind Kind
	// Params are the fixed leading parameters. The last Optional of them may
	// be omitted (e.g. rfm_segment(code [, rules])).
	Params   []Param
	Optional int
	// Variadic, if set, is a trailing parameter that repeats MinVariadic..MaxVariadic
	// times (feature vectors: x1, ..., xd).
	Variadic    *Param
	MinVariadic int
	MaxVariadic int
	Result      Type
	// Deterministic is true when equal arguments always give equal results
	// within one statement. Functions that resolve a model by name read the
	// database and are still marked deterministic per statement.
	Deterministic bool
	Null          NullPolicy

	// Documentation (docs/FUNCTIONS.md is generated from these).
	Summary       string // one sentence
	Example       string // an SQL expression or query
	ExampleResult string

	// Exactly one of Scalar / NewAggregate is set, matching Kind.
	Scalar       func(c *Call, args []Value) (Value, error)
	NewAggregate func() AggregateState
}

// AggregateState accumulates one group. Bindings create one per group (and
// per thread on DuckDB), feed rows with Step, combine partial states with
// Merge (DuckDB's parallel combine) and read the result with Final.
type AggregateState interface {
	Step(c *Call, args []Value) error
	Merge(other AggregateState) error
	Final(c *Call) (Value, error)
}

// MinArgs and MaxArgs give the accepted argument counts; MaxArgs is -1 for
// an unbounded variadic.
func (f *Function) MinArgs() int {
	return len(f.Params) - f.Optional + f.MinVariadic
}

func (f *Function) MaxArgs() int {
	if f.Variadic != nil {
		if f.MaxVariadic <= 0 {
			return -1
		}
		return len(f.Params) + f.MaxVariadic
	}
	return len(f.Params)
}

// Errorf builds an error whose message starts with the function's name, as
// every SQL error from custseg does.
func (f *Function) Errorf(format string, a ...any) error {
	return fmt.Errorf("%s: %s", f.Name, fmt.Sprintf(format, a...))
}

// CheckArity returns an error naming the function when n arguments do not fit.
func (f *Function) CheckArity(n int) error {
	min, max := f.MinArgs(), f.MaxArgs()
	if n < min || (max >= 0 && n > max) {
		return f.Errorf("wrong number of arguments: got %d, want %s", n, f.arityText())
	}
	return nil
}

func (f *Function) arityText() string {
	min, max := f.MinArgs(), f.MaxArgs()
	switch {
	case max < 0:
		return fmt.Sprintf("at least %d", min)
	case min == max:
		return strconv.Itoa(min)
	default:
		return fmt.Sprintf("%d to %d", min, max)
	}
}

// ParamName returns the name of argument i (0-based), for error messages.
func (f *Function) ParamName(i int) string {
	if i < len(f.Params) {
		return f.Params[i].Name
	}
	if f.Variadic != nil {
		return fmt.Sprintf("%s%d", f.Variadic.Name, i-len(f.Params)+1)
	}
	return fmt.Sprintf("argument %d", i+1)
}

// CallScalar applies the NULL policy, checks arity, calls the implementation
// and turns a panic into an error. Bindings call this, never f.Scalar directly.
func (f *Function) CallScalar(c *Call, args []Value) (result Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			result, err = Value{}, f.Errorf("internal error: %v", r)
		}
	}()
	if err := f.CheckArity(len(args)); err != nil {
		return Value{}, err
	}
	if f.Null == NullInNullOut {
		for _, a := range args {
			if a.Type == Null {
				return NullValue(), nil
			}
		}
	}
	v, err := f.Scalar(c, args)
	if err != nil {
		return Value{}, f.wrap(err)
	}
	return v, nil
}

// Step applies the NULL policy and feeds one row to an aggregate state,
// turning a panic into an error.
func (f *Function) Step(c *Call, st AggregateState, args []Value) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = f.Errorf("internal error: %v", r)
		}
	}()
	if err := f.CheckArity(len(args)); err != nil {
		return err
	}
	if f.Null == SkipNullRows {
		for _, a := range args {
			if a.Type == Null {
				return nil
			}
		}
	}
	return f.wrap(st.Step(c, args))
}

// Merge combines src into dst, turning a panic into an error.
func (f *Function) Merge(dst, src AggregateState) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = f.Errorf("internal error: %v", r)
		}
	}()
	return f.wrap(dst.Merge(src))
}

// Final returns an aggregate's result, turning a panic into an error.
func (f *Function) Final(c *Call, st AggregateState) (v Value, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = Value{}, f.Errorf("internal error: %v", r)
		}
	}()
	v, err = st.Final(c)
	return v, f.wrap(err)
}

// wrap prefixes err with the function name unless it already carries it.
func (f *Function) wrap(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if len(msg) > len(f.Name) && msg[:len(f.Name)] == f.Name && msg[len(f.Name)] == ':' {
		return err
	}
	return fmt.Errorf("%s: %w", f.Name, err)
}

// Float reads argument i as a number. Integers convert to the nearest
// double; text, NaN and ±Inf are errors naming the parameter.
func (f *Function) Float(args []Value, i int) (float64, error) {
	a := args[i]
	switch a.Type {
	case Double:
		if !num.Finite(a.Float) {
			return 0, f.Errorf("%s must be a finite number, got %v", f.ParamName(i), a.Float)
		}
		return a.Float, nil
	case Integer:
		return float64(a.Int), nil
	}
	return 0, f.Errorf("%s must be a number, got %s", f.ParamName(i), a.describe())
}

// Int reads argument i as an integer. A double with no fractional part is accepted.
func (f *Function) Int(args []Value, i int) (int64, error) {
	a := args[i]
	switch a.Type {
	case Integer:
		return a.Int, nil
	case Double:
		if a.Float == math.Trunc(a.Float) && math.Abs(a.Float) < 1<<53 {
			return int64(a.Float), nil
		}
		return 0, f.Errorf("%s must be an integer, got %v", f.ParamName(i), a.Float)
	}
	return 0, f.Errorf("%s must be an integer, got %s", f.ParamName(i), a.describe())
}

// Str reads argument i as text.
func (f *Function) Str(args []Value, i int) (string, error) {
	a := args[i]
	if a.Type == Text {
		return a.Text, nil
	}
	return "", f.Errorf("%s must be text, got %s", f.ParamName(i), a.describe())
}
