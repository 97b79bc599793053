package duckdb

/*
#include "glue.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"unsafe"

	"github.com/custseg/custseg/udf/catalog"
)

// The exported callbacks glue.c's trampolines call. Each recovers from a
// panic and reports it, like any error, through DuckDB's set_error, so
// the analyst sees an SQL error naming the function instead of a dead
// process.

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
	// The worker's Call outlives statements: it starts every chunk from
	// the statement's bound model, or from nothing (one registry lookup
	// per chunk and model reference) when there is none.
	if bound := C.cs_scalar_bound(info); bound != 0 {
		m := cgo.Handle(bound).Value().(*boundModel)
		w.call.Pin(m.ref, m.kind, m.model)
	} else {
		w.call.Reset()
	}
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

// boundModel is a statement's resolution of a constant model argument,
// made once in DuckDB's bind (glue.c scalar_bind) and held by the bound
// expression as a cgo.Handle.
type boundModel struct {
	ref, kind string
	model     any
}

// custsegBindModel resolves the constant model argument ref of the function
// behind extra and returns a handle to the result, or 0 when it cannot be
// resolved: the chunks then resolve it themselves and report the error, so
// a statement that never calls the function (no rows) does not fail.
//
//export custsegBindModel
func custsegBindModel(extra C.uintptr_t, ref *C.char, n C.uint64_t) (h C.uintptr_t) {
	defer func() {
		if recover() != nil {
			h = 0
		}
	}()
	b := bindingOf(extra)
	r := C.GoStringN(ref, C.int(n))
	kind, model, err := catalog.ResolveModel(b.store, r)
	if err != nil {
		return 0
	}
	return C.uintptr_t(cgo.NewHandle(&boundModel{ref: r, kind: kind, model: model}))
}

// custsegBindCopy gives a copied expression its own handle to the same
// resolution (DuckDB deletes each copy's bind data separately).
//
//export custsegBindCopy
func custsegBindCopy(bound C.uintptr_t) C.uintptr_t {
	return C.uintptr_t(cgo.NewHandle(cgo.Handle(bound).Value()))
}

//export custsegBindDelete
func custsegBindDelete(bound C.uintptr_t) {
	defer func() { _ = recover() }()
	cgo.Handle(bound).Delete()
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
