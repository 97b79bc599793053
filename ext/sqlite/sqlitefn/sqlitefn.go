// Package sqlitefn registers every function of the custseg catalog with a
// SQLite connection through SQLite's C API. It holds the C glue and the Go
// callbacks shared by the two ways custseg reaches SQLite:
//
//   - in-process: package ext/sqlite hands custseg_init to
//     sqlite3_auto_extension, so every connection that
//     github.com/mattn/go-sqlite3 opens gets the functions;
//   - loadable: ext/sqlite/loadable builds this package with the tag
//     custseg_loadable into custseg.so, whose entry point
//     sqlite3_custseg_init calls the same custseg_init.
//
// The package imports no Go SQLite driver: in-process, its SQLite symbols
// resolve to the SQLite mattn links in; in the .so, to the host's routines.
//
// Model references by name ("rfm", "rfm@2") are read from custseg_models
// through the connection the function runs on, once per model reference
// per statement execution: a version inserted or activated by one
// statement is what the next statement uses (see cs_statement_start in
// glue.c), while all rows of one statement agree.
//
// Registration is generic: each catalog function becomes one
// sqlite3_create_function_v2 call with nArg -1 (the catalog checks the
// argument count and words the error), SQLITE_UTF8, and
// SQLITE_DETERMINISTIC when the function is deterministic. The in-process
// build adds one internal function outside the catalog,
// custseg_insert_batch (see InsertBatchFunction), through which package
// ext/sqlite inserts packed rows on a connection with no access to the
// driver's private fields.
package sqlitefn

/*
#include <stdlib.h>
#include "cs.h"
*/
import "C"

import (
	"fmt"
	"runtime/cgo"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/custseg/custseg/ext/internal/lookup"
	"github.com/custseg/custseg/udf/catalog"
)

// SQLite constants used by the registration (sqlite3.h).
const (
	sqliteOK            = 0
	sqliteError         = 1
	sqliteUTF8          = 1
	sqliteDeterministic = 0x800
)

// registered lists what custseg_init registers on each connection: the
// catalog. It is a variable so that this package's tests can add
// functions of their own, for binding paths no catalog function reaches
// (a panic, an echo of every value kind).
var registered = catalog.All

// conn is the per-connection state. SQLite serialises the callbacks of one
// connection, so it needs no lock.
type conn struct {
	db    *C.struct_sqlite3
	store *modelStore
	call  catalog.Call
	args  []catalog.Value // reused for every row
	busy  bool            // a callback of this connection is running
}

// binding is the pUserData of one registered function.
type binding struct {
	fn   *catalog.Function
	conn *conn
}

// live counts Go objects SQLite holds references to (function
// registrations in the binding table, aggregate states behind cgo
// handles, not yet destroyed or finalised), so tests can check that none
// leak.
var live atomic.Int64

// bindingTable maps a registration's pUserData (an index) to its binding.
// Every row reads it, so reads are one atomic load and an index
// (a runtime/cgo.Handle lookup costs a sync.Map probe); writes happen when
// a connection opens or closes and copy the slice.
type bindingTable struct {
	mu    sync.Mutex
	slots atomic.Pointer[[]*binding]
	free  []uintptr
}

var bindings bindingTable

// add stores b and returns its index (never 0, so that a NULL pUserData is
// never a valid binding).
func (t *bindingTable) add(b *binding) uintptr {
	t.mu.Lock()
	defer t.mu.Unlock()
	live.Add(1)
	var old []*binding
	if p := t.slots.Load(); p != nil {
		old = *p
	}
	next := make([]*binding, len(old), len(old)+1)
	copy(next, old)
	var i uintptr
	if n := len(t.free); n > 0 {
		i, t.free = t.free[n-1], t.free[:n-1]
	} else {
		if len(next) == 0 {
			next = append(next, nil) // index 0 stays unused
		}
		i = uintptr(len(next))
		next = append(next, nil)
	}
	next[i] = b
	t.slots.Store(&next)
	return i
}

// get is only called with the pUserData of a live registration.
func (t *bindingTable) get(i uintptr) *binding {
	return (*t.slots.Load())[i]
}

func (t *bindingTable) remove(i uintptr) {
	t.mu.Lock()
	defer t.mu.Unlock()
	p := t.slots.Load()
	if p == nil {
		return
	}
	old := *p
	if i == 0 || i >= uintptr(len(old)) || old[i] == nil {
		return
	}
	live.Add(-1)
	next := make([]*binding, len(old))
	copy(next, old)
	next[i] = nil
	t.slots.Store(&next)
	t.free = append(t.free, i)
}

func newHandle(v any) cgo.Handle {
	live.Add(1)
	return cgo.NewHandle(v)
}

func deleteHandle(h cgo.Handle) {
	live.Add(-1)
	h.Delete()
}

//export custsegSqliteRegister
func custsegSqliteRegister(db *C.struct_sqlite3, errOut **C.char) (rc C.int) {
	defer func() {
		if r := recover(); r != nil {
			*errOut = C.CString(fmt.Sprintf("%sinternal error while registering functions: %v", errPrefix, r))
			rc = sqliteError
		}
	}()
	c := &conn{db: db, store: &modelStore{db: db}}
	c.call.Store = c.store
	for _, f := range registered() {
		flags := C.int(sqliteUTF8)
		if f.Deterministic {
			flags |= sqliteDeterministic
		}
		agg := C.int(0)
		if f.Kind == catalog.Aggregate {
			agg = 1
		}
		h := bindings.add(&binding{fn: f, conn: c})
		name := C.CString(f.Name)
		// nArg -1: SQLite accepts any count and catalog.CheckArity answers
		// wrong counts with "name: wrong number of arguments: got n, want m".
		// On failure SQLite itself calls xDestroy, which deletes h.
		r := C.csq_create(db, name, -1, flags, agg, C.uintptr_t(h))
		C.free(unsafe.Pointer(name))
		if r != sqliteOK {
			*errOut = C.CString(fmt.Sprintf("%sregistering %s failed (SQLite error %d)", errPrefix, f.Name, int(r)))
			return r
		}
	}
	if err := registerInternal(db); err != nil {
		*errOut = C.CString(err.Error())
		return sqliteError
	}
	return sqliteOK
}

//export custsegSqliteDestroy
func custsegSqliteDestroy(ud C.uintptr_t) {
	defer func() { _ = recover() }()
	bindings.remove(uintptr(ud))
}

// statementStart runs at the first custseg call of each statement
// execution. It forgets the connection's model resolutions, so the
// statement reads custseg_models again (one lookup per model reference per
// statement); parsed models are shared across statements by their spec
// (see catalog.Call).
func (c *conn) statementStart() {
	if c.busy {
		return
	}
	c.call.Reset()
}

// convert converts the C argument array into the connection's reused []Value
// (or a fresh one when a callback of this connection is already running).
// Text aliases SQLite's memory for the duration of the call.
func (c *conn) convert(argc C.int, argv *C.cs_value) []catalog.Value {
	n := int(argc)
	var dst []catalog.Value
	if c.busy {
		dst = make([]catalog.Value, n)
	} else {
		if cap(c.args) < n {
			c.args = make([]catalog.Value, n)
		}
		dst = c.args[:n]
	}
	if n == 0 {
		return dst
	}
	src := unsafe.Slice(argv, n)
	for i := range src {
		v := &src[i]
		switch v.t {
		case C.CS_INT:
			dst[i] = catalog.Value{Type: catalog.Integer, Int: int64(v.i)}
		case C.CS_DOUBLE:
			dst[i] = catalog.Value{Type: catalog.Double, Float: float64(v.f)}
		case C.CS_TEXT:
			dst[i] = catalog.Value{Type: catalog.Text, Text: unsafe.String((*byte)(unsafe.Pointer(v.s)), int(v.n))}
		default:
			dst[i] = catalog.Value{}
		}
	}
	return dst
}

// release drops the aliases into SQLite's memory once a call is over.
func (c *conn) release(args []catalog.Value) {
	for i := range args {
		args[i].Text = ""
	}
}

func setError(ctx *C.struct_sqlite3_context, out *C.cs_result, msg string) {
	C.csq_result_error(ctx, (*C.char)(unsafe.Pointer(unsafe.StringData(msg))), C.int(len(msg)))
	out.set = 1
}

func setResult(ctx *C.struct_sqlite3_context, out *C.cs_result, v catalog.Value) {
	switch v.Type {
	case catalog.Integer:
		out.t, out.i = C.CS_INT, C.int64_t(v.Int)
	case catalog.Double:
		out.t, out.f = C.CS_DOUBLE, C.double(v.Float)
	case catalog.Text:
		if n := len(v.Text); out.buf != nil && n <= int(out.cap) {
			copy(unsafe.Slice((*byte)(unsafe.Pointer(out.buf)), n), v.Text)
			out.t, out.n = C.CS_TEXT, C.int32_t(n)
			return
		}
		C.csq_result_text(ctx, (*C.char)(unsafe.Pointer(unsafe.StringData(v.Text))), C.int(len(v.Text)))
		out.set = 1
	default:
		out.t = C.CS_NULL
	}
}

// panicMessage words a recovered panic as an SQL error naming the function.
func panicMessage(b *binding, r any) string {
	if b != nil && b.fn != nil {
		return fmt.Sprintf("%s: internal error: %v", b.fn.Name, r)
	}
	return fmt.Sprintf("%sinternal error: %v", errPrefix, r)
}

//export custsegSqliteScalar
func custsegSqliteScalar(ctx *C.struct_sqlite3_context, ud C.uintptr_t, fresh C.int, argc C.int, argv *C.cs_value, out *C.cs_result) {
	var b *binding
	defer func() {
		if r := recover(); r != nil {
			setError(ctx, out, panicMessage(b, r))
		}
	}()
	b = bindings.get(uintptr(ud))
	c := b.conn
	if fresh != 0 {
		c.statementStart()
	}
	args := c.convert(argc, argv)
	wasBusy := c.busy
	c.busy = true
	v, err := b.fn.CallScalar(&c.call, args)
	c.busy = wasBusy
	c.release(args)
	if err != nil {
		setError(ctx, out, err.Error())
		return
	}
	setResult(ctx, out, v)
}

// failedState marks an aggregate slot whose state was dropped after an
// error in xStep; xFinal then has nothing to finalise.
const failedState = ^C.uintptr_t(0)

//export custsegSqliteStep
func custsegSqliteStep(ctx *C.struct_sqlite3_context, ud C.uintptr_t, fresh C.int, slot *C.uintptr_t, argc C.int, argv *C.cs_value, out *C.cs_result) {
	var b *binding
	defer func() {
		if r := recover(); r != nil {
			setError(ctx, out, panicMessage(b, r))
		}
	}()
	b = bindings.get(uintptr(ud))
	if fresh != 0 {
		b.conn.statementStart()
	}
	if *slot == failedState {
		return
	}
	var st catalog.AggregateState
	if *slot == 0 {
		st = b.fn.NewAggregate()
		*slot = C.uintptr_t(newHandle(st))
	} else {
		st = cgo.Handle(*slot).Value().(catalog.AggregateState)
	}
	c := b.conn
	args := c.convert(argc, argv)
	wasBusy := c.busy
	c.busy = true
	err := b.fn.Step(&c.call, st, args)
	c.busy = wasBusy
	c.release(args)
	if err != nil {
		// SQLite aborts the statement; drop the state now rather than
		// finalising it.
		deleteHandle(cgo.Handle(*slot))
		*slot = failedState
		setError(ctx, out, err.Error())
	}
}

//export custsegSqliteFinal
func custsegSqliteFinal(ctx *C.struct_sqlite3_context, ud C.uintptr_t, slot *C.uintptr_t, out *C.cs_result) {
	var b *binding
	defer func() {
		if r := recover(); r != nil {
			setError(ctx, out, panicMessage(b, r))
		}
	}()
	// Take the state out of the slot first, so that the handle is deleted
	// whatever happens below.
	var st catalog.AggregateState
	if slot != nil && *slot != 0 && *slot != failedState {
		h := cgo.Handle(*slot)
		*slot = 0
		st, _ = h.Value().(catalog.AggregateState)
		deleteHandle(h)
	} else if slot != nil && *slot == failedState {
		*slot = 0
		out.t = C.CS_NULL
		return
	}
	b = bindings.get(uintptr(ud))
	if st == nil {
		st = b.fn.NewAggregate() // an empty group: the aggregate of no rows
	}
	c := b.conn
	if cs, ok := st.(catalog.Cancelable); ok && C.csq_interruptible() != 0 {
		// An O(n²) Final stops between row blocks once the statement is
		// interrupted (sqlite3_interrupt: database/sql's context
		// cancellation on mattn, the shell's Ctrl-C).
		db := c.db
		cs.SetCancel(func() bool { return C.csq_is_interrupted(db) != 0 })
	}
	wasBusy := c.busy
	c.busy = true
	v, err := b.fn.Final(&c.call, st)
	c.busy = wasBusy
	if err != nil {
		setError(ctx, out, err.Error())
		return
	}
	setResult(ctx, out, v)
}

// modelStore reads custseg_models through the connection the function runs
// on, so a model trained (or inserted by hand) on that connection, or
// committed by another, is found.
type modelStore struct {
	db *C.struct_sqlite3
}

// lookupSQL is lookup.SQL for C, allocated once and never freed.
var lookupSQL = C.CString(lookup.SQL)

// LookupModel implements catalog.ModelStore.
func (s *modelStore) LookupModel(name string, version int64) (kind, spec string, err error) {
	var ck, cs, cerr *C.char
	rc := C.csq_lookup_model(s.db, lookupSQL, (*C.char)(unsafe.Pointer(unsafe.StringData(name))), C.int(len(name)),
		C.int64_t(version), &ck, &cs, &cerr)
	defer C.csq_free(unsafe.Pointer(ck))
	defer C.csq_free(unsafe.Pointer(cs))
	defer C.csq_free(unsafe.Pointer(cerr))
	switch rc {
	case C.CS_FOUND:
		return C.GoString(ck), C.GoString(cs), nil
	case C.CS_NOT_FOUND:
		return "", "", fmt.Errorf("%w: no row in custseg_models", catalog.ErrModelNotFound)
	case C.CS_NO_TABLE:
		return "", "", fmt.Errorf("%w: this database has no custseg_models table", catalog.ErrModelNotFound)
	}
	msg := C.GoString(cerr)
	return "", "", fmt.Errorf("reading custseg_models: %s", strings.TrimSpace(msg))
}
