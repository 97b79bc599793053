package duckdb

/*
#include "glue.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"sync"
	"unsafe"

	"github.com/custseg/custseg/udf/catalog"
)

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

// duckType maps a catalog type to the DuckDB type id a result is declared as.
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

// paramType maps a catalog type to the DuckDB type id a parameter is
// declared as. Numeric parameters are declared ANY, so that DuckDB casts
// nothing and the catalog converts values as it does for SQLite
// (Function.Float, Function.Int): a text such as '155' is refused naming
// the argument (a BIGINT or DOUBLE parameter would have DuckDB cast a
// string literal), and an integral DOUBLE or DECIMAL such as 155.0 is
// accepted as an integer (a BIGINT parameter would refuse it at bind).
func paramType(t catalog.Type) (C.int32_t, error) {
	if t == catalog.Integer || t == catalog.Double {
		return C.CS_TYPE_ANY, nil
	}
	return duckType(t)
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
		if fixed[i], err = paramType(p.Type); err != nil {
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
	vt, err := paramType(f.Variadic.Type)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: parameter %s: %w", f.Name, f.Variadic.Name, err)
	}
	if f.Kind == catalog.Scalar {
		// The arity (MinVariadic..MaxVariadic) is checked by CallScalar
		// with an error naming the function.
		return [][]C.int32_t{fixed}, vt, nil
	}
	// One overload per count: DuckDB's C API has no varargs for
	// aggregates, so the catalog bounds them (catalog.MaxAggregateFeatures).
	maxV := f.MaxVariadic
	if maxV <= 0 {
		return nil, 0, fmt.Errorf("%s: an aggregate's variadic %s needs a maximum count (catalog.MaxAggregateFeatures)", f.Name, f.Variadic.Name)
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
		bindModel := C.int32_t(0)
		if f.TakesModel() {
			bindModel = 1 // resolve a constant model once per statement
		}
		set := C.cs_scalar_set_new(name)
		for _, l := range lists {
			if C.cs_scalar_set_add(set, name, C.int32_t(len(l)), typesPtr(l), vararg, result, special, volatile, bindModel, C.uintptr_t(extra)) != C.CS_SUCCESS {
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
