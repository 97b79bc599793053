package duckdb

/*
#include "glue.h"
*/
import "C"

import (
	"fmt"
	"math"
	"runtime/cgo"
	"sync"
	"unsafe"

	"github.com/custseg/custseg/udf/catalog"
)

// maxAggregateVariadic caps the overloads registered for an aggregate with an
// unbounded variadic parameter: DuckDB's C API has no varargs for aggregates,
// so each arity is its own overload.
const maxAggregateVariadic = 16

// binding is what a registered DuckDB function carries as extra info (via a
// cgo.Handle): the catalog function and the model store of its database.
type binding struct {
	fn      *catalog.Function
	store   catalog.ModelStore
	workers sync.Pool // *worker: DuckDB calls from several threads at once
}

// worker is per-thread scratch space reused across chunks, so a callback
// allocates nothing per row.
type worker struct {
	call *catalog.Call
	vals []catalog.Value // the current chunk, row-major
	cols []C.cs_column
}

// handles keeps every binding reachable for the life of the process: DuckDB
// holds their handles in its catalog and may call them at any time.
var handles struct {
	sync.Mutex
	list []cgo.Handle
}

func newBinding(f *catalog.Function, store catalog.ModelStore) (*binding, uintptr) {
	b := &binding{fn: f, store: store}
	b.workers.New = func() any { return &worker{call: &catalog.Call{Store: store}} }
	h := cgo.NewHandle(b)
	handles.Lock()
	handles.list = append(handles.list, h)
	handles.Unlock()
	return b, uintptr(h)
}

func bindingOf(extra C.uintptr_t) *binding {
	return cgo.Handle(extra).Value().(*binding)
}

// duckType maps a catalog type to the DuckDB type id it is declared as.
func duckType(t catalog.Type) (C.int32_t, error) {
	switch t {
	case catalog.Integer:
		return C.CS_TYPE_BIGINT, nil
	case catalog.Double:
		return C.CS_TYPE_DOUBLE, nil
	case catalog.Text:
		return C.CS_TYPE_VARCHAR, nil
	case catalog.Any:
		return C.CS_TYPE_ANY, nil
	}
	return 0, fmt.Errorf("no DuckDB type for %v", t)
}

// overloads lists the parameter type lists a function is registered with:
// one per accepted number of fixed arguments (Optional trailing parameters
// may be left out) and, for aggregates, one per variadic count. Scalars get
// their variadic tail as DuckDB varargs instead (vararg >= 0). A function
// with both a variadic tail and Optional parameters is registered with all
// its fixed parameters (no catalog function combines the two: an optional
// parameter followed by varargs of a compatible type would be ambiguous).
func overloads(f *catalog.Function) (lists [][]C.int32_t, vararg C.int32_t, err error) {
	fixed := make([]C.int32_t, len(f.Params))
	for i, p := range f.Params {
		if fixed[i], err = duckType(p.Type); err != nil {
			return nil, 0, fmt.Errorf("%s: parameter %s: %w", f.Name, p.Name, err)
		}
	}
	vararg = -1
	if f.Variadic == nil {
		for n := len(f.Params) - f.Optional; n <= len(f.Params); n++ {
			lists = append(lists, fixed[:n])
		}
		return lists, vararg, nil
	}
	vt, err := duckType(f.Variadic.Type)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: parameter %s: %w", f.Name, f.Variadic.Name, err)
	}
	if f.Kind == catalog.Scalar {
		// The arity (MinVariadic..MaxVariadic) is checked by CallScalar
		// with an error naming the function.
		return [][]C.int32_t{fixed}, vt, nil
	}
	maxV := f.MaxVariadic
	if maxV <= 0 || maxV > maxAggregateVariadic {
		maxV = maxAggregateVariadic
	}
	for v := f.MinVariadic; v <= maxV; v++ {
		l := append(append([]C.int32_t{}, fixed...), make([]C.int32_t, v)...)
		for i := len(fixed); i < len(l); i++ {
			l[i] = vt
		}
		lists = append(lists, l)
	}
	return lists, vararg, nil
}

// registerFunctions registers fns on conn (a duckdb_connection) with the
// given model store. The functions land in the database catalog, visible
// to every connection of that database.
func registerFunctions(conn unsafe.Pointer, fns []*catalog.Function, store catalog.ModelStore) error {
	for _, f := range fns {
		if err := registerFunction(conn, f, store); err != nil {
			return fmt.Errorf("%s%w", errPrefix, err)
		}
	}
	return nil
}

func registerFunction(conn unsafe.Pointer, f *catalog.Function, store catalog.ModelStore) error {
	lists, vararg, err := overloads(f)
	if err != nil {
		return err
	}
	result, err := duckType(f.Result)
	if err != nil || result == C.CS_TYPE_ANY {
		return fmt.Errorf("%s: result type %v cannot be declared in DuckDB", f.Name, f.Result)
	}
	_, extra := newBinding(f, store)
	name := C.CString(f.Name)
	defer C.free(unsafe.Pointer(name))
	special := C.int32_t(0)
	if f.Null == catalog.CallOnNull {
		special = 1
	}
	switch f.Kind {
	case catalog.Scalar:
		volatile := C.int32_t(0)
		if !f.Deterministic {
			volatile = 1
		}
		set := C.cs_scalar_set_new(name)
		for _, l := range lists {
			if C.cs_scalar_set_add(set, name, C.int32_t(len(l)), typesPtr(l), vararg, result, special, volatile, C.uintptr_t(extra)) != C.CS_SUCCESS {
				C.cs_scalar_set_destroy(set)
				return fmt.Errorf("%s: DuckDB refused an overload with %d parameters", f.Name, len(l))
			}
		}
		rc := C.cs_scalar_set_register(conn, set)
		C.cs_scalar_set_destroy(set)
		if rc != C.CS_SUCCESS {
			return fmt.Errorf("%s: DuckDB refused to register the function (does a function of that name already exist?)", f.Name)
		}
	case catalog.Aggregate:
		set := C.cs_aggregate_set_new(name)
		for _, l := range lists {
			if C.cs_aggregate_set_add(set, name, C.int32_t(len(l)), typesPtr(l), result, special, C.uintptr_t(extra)) != C.CS_SUCCESS {
				C.cs_aggregate_set_destroy(set)
				return fmt.Errorf("%s: DuckDB refused an overload with %d parameters", f.Name, len(l))
			}
		}
		rc := C.cs_aggregate_set_register(conn, set)
		C.cs_aggregate_set_destroy(set)
		if rc != C.CS_SUCCESS {
			return fmt.Errorf("%s: DuckDB refused to register the aggregate (does a function of that name already exist?)", f.Name)
		}
	default:
		return fmt.Errorf("%s: unknown function kind %d", f.Name, f.Kind)
	}
	return nil
}

func typesPtr(l []C.int32_t) *C.int32_t {
	if len(l) == 0 {
		return nil
	}
	return &l[0]
}

// load reads the column pointers of chunk (one cgo call) and converts the
// whole chunk into w.vals, row-major, one column at a time so the type
// switch runs once per column rather than once per value. It returns the
// number of rows and columns.
func (w *worker) load(f *catalog.Function, chunk unsafe.Pointer) (rows, cols int, err error) {
	cols = int(C.cs_chunk_columns(chunk))
	if cap(w.cols) < cols {
		w.cols = make([]C.cs_column, cols)
	}
	w.cols = w.cols[:cols]
	var first *C.cs_column
	if cols > 0 {
		first = &w.cols[0]
	}
	rows = int(C.cs_chunk_read(chunk, first, C.uint64_t(cols)))
	if cap(w.vals) < rows*cols {
		w.vals = make([]catalog.Value, rows*cols)
	}
	w.vals = w.vals[:rows*cols]
	for c := range w.cols {
		if err := convertColumn(&w.cols[c], w.vals[c:], rows, cols); err != nil {
			return 0, 0, f.Errorf("%s has a DuckDB type custseg cannot read (type id %d)", f.ParamName(c), int(w.cols[c]._type))
		}
	}
	return rows, cols, nil
}

// args returns the arguments of row (valid until the next load).
func (w *worker) argsOf(row, cols int) []catalog.Value {
	return w.vals[row*cols : row*cols+cols : row*cols+cols]
}

// convertColumn writes the n values of col into dst[0], dst[stride], ...
func convertColumn(col *C.cs_column, dst []catalog.Value, n, stride int) error {
	p := col.data
	switch col._type {
	case C.CS_TYPE_BIGINT:
		src := unsafe.Slice((*int64)(p), n)
		for i, x := range src {
			dst[i*stride] = catalog.Value{Type: catalog.Integer, Int: x}
		}
	case C.CS_TYPE_DOUBLE:
		src := unsafe.Slice((*float64)(p), n)
		for i, x := range src {
			dst[i*stride] = catalog.Value{Type: catalog.Double, Float: x}
		}
	case C.CS_TYPE_VARCHAR:
		// The slot of a NULL row may hold garbage: never turn it into a
		// string header (the GC would see its pointer).
		for i := 0; i < n; i++ {
			if rowValid(col.validity, i) {
				dst[i*stride] = catalog.Value{Type: catalog.Text, Text: duckString(unsafe.Add(p, i*16))}
			} else {
				dst[i*stride] = catalog.Value{Type: catalog.Null}
			}
		}
		return nil
	default:
		for i := 0; i < n; i++ {
			v, err := readValue(col, i)
			if err != nil {
				if rowValid(col.validity, i) {
					return err
				}
				v = catalog.Value{Type: catalog.Null}
			}
			dst[i*stride] = v
		}
	}
	if col.validity != nil {
		// A NULL row's data slot holds garbage: overwrite its value.
		for i := 0; i < n; i++ {
			if !rowValid(col.validity, i) {
				dst[i*stride] = catalog.Value{Type: catalog.Null}
			}
		}
	}
	return nil
}

func rowValid(validity *C.uint64_t, row int) bool {
	if validity == nil {
		return true
	}
	word := *(*uint64)(unsafe.Add(unsafe.Pointer(validity), (row/64)*8))
	return word&(1<<(row%64)) != 0
}

// readValue converts element row of a flat vector (DuckDB's C API flattens
// constant vectors before calling) into a catalog.Value. Text aliases
// DuckDB's memory for the duration of the call.
func readValue(col *C.cs_column, row int) (catalog.Value, error) {
	p := col.data
	switch col._type {
	case C.CS_TYPE_BIGINT:
		return catalog.Value{Type: catalog.Integer, Int: *(*int64)(unsafe.Add(p, row*8))}, nil
	case C.CS_TYPE_DOUBLE:
		return catalog.Value{Type: catalog.Double, Float: *(*float64)(unsafe.Add(p, row*8))}, nil
	case C.CS_TYPE_VARCHAR:
		return catalog.Value{Type: catalog.Text, Text: duckString(unsafe.Add(p, row*16))}, nil
	case C.CS_TYPE_INTEGER:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*int32)(unsafe.Add(p, row*4)))}, nil
	case C.CS_TYPE_SMALLINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*int16)(unsafe.Add(p, row*2)))}, nil
	case C.CS_TYPE_TINYINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*int8)(unsafe.Add(p, row)))}, nil
	case C.CS_TYPE_UTINYINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*uint8)(unsafe.Add(p, row)))}, nil
	case C.CS_TYPE_USMALLINT:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*uint16)(unsafe.Add(p, row*2)))}, nil
	case C.CS_TYPE_UINTEGER:
		return catalog.Value{Type: catalog.Integer, Int: int64(*(*uint32)(unsafe.Add(p, row*4)))}, nil
	case C.CS_TYPE_UBIGINT:
		u := *(*uint64)(unsafe.Add(p, row*8))
		if u > math.MaxInt64 {
			return catalog.Value{Type: catalog.Double, Float: float64(u)}, nil
		}
		return catalog.Value{Type: catalog.Integer, Int: int64(u)}, nil
	case C.CS_TYPE_BOOLEAN:
		b := int64(0)
		if *(*uint8)(unsafe.Add(p, row)) != 0 {
			b = 1
		}
		return catalog.Value{Type: catalog.Integer, Int: b}, nil
	case C.CS_TYPE_FLOAT:
		return catalog.Value{Type: catalog.Double, Float: float64(*(*float32)(unsafe.Add(p, row*4)))}, nil
	case C.CS_TYPE_HUGEINT:
		return hugeValue(unsafe.Add(p, row*16)), nil
	case C.CS_TYPE_DECIMAL:
		var raw float64
		switch col.internal {
		case C.CS_TYPE_SMALLINT:
			raw = float64(*(*int16)(unsafe.Add(p, row*2)))
		case C.CS_TYPE_INTEGER:
			raw = float64(*(*int32)(unsafe.Add(p, row*4)))
		case C.CS_TYPE_BIGINT:
			raw = float64(*(*int64)(unsafe.Add(p, row*8)))
		case C.CS_TYPE_HUGEINT:
			h := hugeValue(unsafe.Add(p, row*16))
			raw = h.Float
			if h.Type == catalog.Integer {
				raw = float64(h.Int)
			}
		default:
			return catalog.Value{}, errUnsupported
		}
		return catalog.Value{Type: catalog.Double, Float: raw / math.Pow10(int(col.scale))}, nil
	case C.CS_TYPE_SQLNULL:
		return catalog.Value{Type: catalog.Null}, nil
	}
	return catalog.Value{}, errUnsupported
}

// hugeValue reads a DuckDB HUGEINT {uint64 lower; int64 upper}.
func hugeValue(p unsafe.Pointer) catalog.Value {
	lower := *(*uint64)(p)
	upper := *(*int64)(unsafe.Add(p, 8))
	if (upper == 0 && lower <= math.MaxInt64) || (upper == -1 && lower > math.MaxInt64) {
		return catalog.Value{Type: catalog.Integer, Int: int64(lower)}
	}
	return catalog.Value{Type: catalog.Double, Float: float64(upper)*0x1p64 + float64(lower)}
}

// duckString reads a duckdb_string_t: {uint32 length; char inlined[12]} when
// length <= 12, else {uint32 length; char prefix[4]; char *ptr}.
func duckString(p unsafe.Pointer) string {
	n := *(*uint32)(p)
	if n == 0 {
		return ""
	}
	if n <= 12 {
		return unsafe.String((*byte)(unsafe.Add(p, 4)), int(n))
	}
	return unsafe.String(*(**byte)(unsafe.Add(p, 8)), int(n))
}

// output writes results into a DuckDB vector of the function's result type.
type output struct {
	vec      unsafe.Pointer
	data     unsafe.Pointer
	validity unsafe.Pointer // made writable on the first NULL
	typ      catalog.Type
	fn       *catalog.Function
}

func newOutput(f *catalog.Function, vec unsafe.Pointer) output {
	return output{vec: vec, data: C.cs_vector_data(vec), typ: f.Result, fn: f}
}

func (o *output) set(row int, v catalog.Value) error {
	if v.Type == catalog.Null {
		if o.validity == nil {
			o.validity = unsafe.Pointer(C.cs_vector_validity_writable(o.vec))
		}
		word := (*uint64)(unsafe.Add(o.validity, (row/64)*8))
		*word &^= 1 << (row % 64)
		return nil
	}
	if o.validity != nil {
		word := (*uint64)(unsafe.Add(o.validity, (row/64)*8))
		*word |= 1 << (row % 64)
	}
	switch o.typ {
	case catalog.Integer:
		var i int64
		switch v.Type {
		case catalog.Integer:
			i = v.Int
		case catalog.Double:
			if v.Float != math.Trunc(v.Float) || math.Abs(v.Float) >= 1<<63 {
				return o.fn.Errorf("internal error: result %v is not an integer", v.Float)
			}
			i = int64(v.Float)
		default:
			return o.fn.Errorf("internal error: result %v is not an integer", v)
		}
		*(*int64)(unsafe.Add(o.data, row*8)) = i
	case catalog.Double:
		var x float64
		switch v.Type {
		case catalog.Double:
			x = v.Float
		case catalog.Integer:
			x = float64(v.Int)
		default:
			return o.fn.Errorf("internal error: result %v is not a number", v)
		}
		*(*float64)(unsafe.Add(o.data, row*8)) = x
	case catalog.Text:
		if v.Type != catalog.Text {
			return o.fn.Errorf("internal error: result %v is not text", v)
		}
		C.cs_vector_assign_string(o.vec, C.uint64_t(row), (*C.char)(unsafe.Pointer(unsafe.StringData(v.Text))), C.uint64_t(len(v.Text)))
	default:
		return o.fn.Errorf("internal error: result type %v", o.typ)
	}
	return nil
}

func scalarError(info unsafe.Pointer, err error) {
	msg := C.CString(err.Error())
	C.cs_scalar_error(info, msg)
	C.free(unsafe.Pointer(msg))
}

func aggregateError(info unsafe.Pointer, err error) {
	msg := C.CString(err.Error())
	C.cs_aggregate_error(info, msg)
	C.free(unsafe.Pointer(msg))
}

// panicError names the function in a recovered panic, so the analyst sees an
// SQL error instead of a dead shell.
func panicError(b *binding, r any) error {
	if b == nil {
		return fmt.Errorf("%sinternal error: %v", errPrefix, r)
	}
	return b.fn.Errorf("internal error: %v", r)
}

//export custsegScalar
func custsegScalar(info, chunk, out unsafe.Pointer) {
	var b *binding
	defer func() {
		if r := recover(); r != nil {
			scalarError(info, panicError(b, r))
		}
	}()
	b = bindingOf(C.cs_scalar_extra(info))
	w := b.workers.Get().(*worker)
	defer b.workers.Put(w)
	n, cols, err := w.load(b.fn, chunk)
	if err != nil {
		scalarError(info, err)
		return
	}
	o := newOutput(b.fn, out)
	for row := 0; row < n; row++ {
		v, err := b.fn.CallScalar(w.call, w.argsOf(row, cols))
		if err == nil {
			err = o.set(row, v)
		}
		if err != nil {
			scalarError(info, err)
			return
		}
	}
}

// statePtr returns the address of the 8-byte state (a cgo.Handle) that
// element i of a duckdb_aggregate_state array points to.
func statePtr(states unsafe.Pointer, i int) *uintptr {
	return *(**uintptr)(unsafe.Add(states, i*int(unsafe.Sizeof(uintptr(0)))))
}

func stateOf(slot *uintptr) catalog.AggregateState {
	return cgo.Handle(*slot).Value().(catalog.AggregateState)
}

// newState stores a fresh Go state in slot.
func (b *binding) newState(slot *uintptr) catalog.AggregateState {
	st := b.fn.NewAggregate()
	*slot = uintptr(cgo.NewHandle(st))
	return st
}

//export custsegAggUpdate
func custsegAggUpdate(info, chunk, states unsafe.Pointer) {
	var b *binding
	defer func() {
		if r := recover(); r != nil {
			aggregateError(info, panicError(b, r))
		}
	}()
	b = bindingOf(C.cs_aggregate_extra(info))
	w := b.workers.Get().(*worker)
	defer b.workers.Put(w)
	n, cols, err := w.load(b.fn, chunk)
	if err != nil {
		aggregateError(info, err)
		return
	}
	var lastSlot *uintptr // without GROUP BY every row has the same state
	var st catalog.AggregateState
	for row := 0; row < n; row++ {
		slot := statePtr(states, row)
		if slot != lastSlot {
			if *slot == 0 {
				st = b.newState(slot)
			} else {
				st = stateOf(slot)
			}
			lastSlot = slot
		}
		if err := b.fn.Step(w.call, st, w.argsOf(row, cols)); err != nil {
			aggregateError(info, err)
			return
		}
	}
}

//export custsegAggCombine
func custsegAggCombine(info, source, target unsafe.Pointer, count C.uint64_t) {
	var b *binding
	defer func() {
		if r := recover(); r != nil {
			aggregateError(info, panicError(b, r))
		}
	}()
	b = bindingOf(C.cs_aggregate_extra(info))
	for i := 0; i < int(count); i++ {
		src := statePtr(source, i)
		if *src == 0 {
			continue
		}
		// DuckDB may reuse a source state after combining it (window
		// segment trees), so the source is merged, never moved.
		dst := statePtr(target, i)
		var d catalog.AggregateState
		if *dst == 0 {
			d = b.newState(dst)
		} else {
			d = stateOf(dst)
		}
		if err := b.fn.Merge(d, stateOf(src)); err != nil {
			aggregateError(info, err)
			return
		}
	}
}

//export custsegAggFinalize
func custsegAggFinalize(info, source, result unsafe.Pointer, count, offset C.uint64_t) {
	var b *binding
	defer func() {
		if r := recover(); r != nil {
			aggregateError(info, panicError(b, r))
		}
	}()
	b = bindingOf(C.cs_aggregate_extra(info))
	w := b.workers.Get().(*worker)
	defer b.workers.Put(w)
	o := newOutput(b.fn, result)
	for i := 0; i < int(count); i++ {
		slot := statePtr(source, i)
		var st catalog.AggregateState
		if *slot == 0 {
			st = b.fn.NewAggregate() // a group no row reached
		} else {
			st = stateOf(slot)
		}
		v, err := b.fn.Final(w.call, st)
		if err == nil {
			err = o.set(int(offset)+i, v)
		}
		if err != nil {
			aggregateError(info, err)
			return
		}
	}
}

//export custsegAggDestroy
func custsegAggDestroy(states unsafe.Pointer, count C.uint64_t) {
	defer func() { recover() }() // nothing to report to: DuckDB gives no info here
	for i := 0; i < int(count); i++ {
		slot := statePtr(states, i)
		if *slot != 0 {
			cgo.Handle(*slot).Delete()
			*slot = 0
		}
	}
}
